"""`subtitler build --timing audio` end to end on a real voice with real music: ej-fra's five
blocks after a music intro, an interlude between the second and third blocks and an outro
(tracks of the benchmark's Debian music packages). The music gets sound cues in the captions
and sound notes in the page; no speech cue is shown in it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import srt

from html_helpers import parse
from real_audio import Timeline, ej_fra_blocks, ej_fra_take, music, room_tone, speech_level, write_workspace
from subtitler.formats.vtt import parse_vtt_cues
from test_cli_build import NODE_PARSER, REPO, run_cli

SLUG = "musique"
MAGENTA = "<c.magenta>♪ Musique ♪</c>"


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict:
    """The media, its transcript, where the music and each block's voice are; built with
    music cues (and the page), and again with --no-music-cues."""
    blocks = ej_fra_blocks()
    level = speech_level(ej_fra_take())
    line = Timeline()
    alone, onsets = [], []
    at = line.add(music("singularity-music/Coherence.ogg", 30.0, 7.0, 0.7 * level))
    alone.append((at, at + 7.0))
    line.add(room_tone(0.5))
    for k, block in enumerate(blocks):
        if k == 2:
            line.add(room_tone(0.3))
            at = line.add(music("singularity-music/Awakening.ogg", 60.0, 6.0, 0.7 * level))
            alone.append((at, at + 6.0))
            line.add(room_tone(0.5))
        onsets.append(line.add(block.samples) + block.onset)
    line.add(room_tone(0.5))
    at = line.add(music("asc-music/frontiers.mp3", 60.0, 5.0, 0.7 * level))
    alone.append((at, at + 5.0))
    line.add(room_tone(0.5))
    root = write_workspace(tmp_path_factory.mktemp("music"), SLUG, [b.text for b in blocks], line.samples())
    built = run_cli("build", "--jobs", "1", cwd=root)
    assert built.returncode == 0, built.stderr
    plain = tmp_path_factory.mktemp("plain")
    shutil.copytree(root / "transcripts", plain / "transcripts")
    shutil.copytree(root / "media", plain / "media")
    without = run_cli("build", "--jobs", "1", "--no-html", "--no-music-cues", cwd=plain)
    assert without.returncode == 0, without.stderr
    return {"out": root / "output" / SLUG, "report": root / "output" / "report.json", "music": alone,
            "onsets": onsets, "texts": [b.text for b in blocks], "plain": plain / "output" / SLUG,
            "stdout": built.stdout}


def vtt_cues_of(folder: Path, slug: str) -> list[tuple[float, float, str]]:
    text = (folder / f"{slug}.fr.vtt").read_text(encoding="utf-8")
    return [(a / 1000, b / 1000, t) for a, b, t in parse_vtt_cues(text)]


def vtt_cues(folder: Path) -> list[tuple[float, float, str]]:
    return vtt_cues_of(folder, SLUG)


def raw_vtt_blocks(folder: Path) -> list[list[str]]:
    text = (folder / f"{SLUG}.fr.vtt").read_text(encoding="utf-8")
    return [block.splitlines() for block in text.split("\n\n")[1:]]


def test_every_music_stretch_has_one_magenta_music_cue_over_it(case):
    blocks = raw_vtt_blocks(case["out"])
    music_cues = [(start, end) for start, end, text in vtt_cues(case["out"]) if "♪" in text]
    assert [b[2:] for b in blocks if "♪ Musique ♪" in "".join(b)] == [[MAGENTA]] * 3
    assert len(music_cues) == len(case["music"]) == 3
    for (start, end), (a, b) in zip(music_cues, case["music"]):
        assert a - 0.05 <= start < end <= b + 0.05  # within the music...
        assert end - start >= min(0.6 * (b - a), 7.0)  # ...over most of it
    report = json.loads(case["report"].read_text(encoding="utf-8"))["videos"][0]
    assert report["music_cues"] == 3 and report["timing_method"] == "audio"


def test_no_speech_cue_starts_inside_the_music_and_the_cue_after_it_starts_on_the_voice(case):
    cues = vtt_cues(case["out"])
    speech = [(start, end, text) for start, end, text in cues if "♪" not in text]
    for start, _, text in speech:
        assert not any(a <= start <= b for a, b in case["music"]), (start, text)
    for (a, b), onset in zip(case["music"][:2], (case["onsets"][0], case["onsets"][2])):
        following = next(start for start, _, _ in speech if start > a)
        assert abs(following - onset) < 0.25, (following, onset)


def test_music_cues_overlap_no_speech_cue_and_keep_the_cues_in_time_order(case):
    cues = vtt_cues(case["out"])
    starts = [start for start, _, _ in cues]
    assert starts == sorted(starts)
    for (_, end), (start, _) in zip([(a, b) for a, b, _ in cues], [(a, b) for a, b, _ in cues[1:]]):
        assert start - end >= 0.079  # two frames at 25 fps between any two cues


def test_srt_has_the_music_cue_in_plain_text(case):
    subtitles = list(srt.parse((case["out"] / f"{SLUG}.fr.srt").read_text(encoding="utf-8")))
    notes = [s.content for s in subtitles if "♪" in s.content]
    assert notes == ["♪ Musique ♪"] * 3
    assert not any("<" in s.content for s in subtitles)
    vtt = vtt_cues(case["out"])
    assert [(s.start.total_seconds(), s.end.total_seconds()) for s in subtitles] == [(a, b) for a, b, _ in vtt]


def test_no_music_cues_removes_them_and_changes_no_speech_cue(case):
    with_notes = [cue for cue in vtt_cues(case["out"]) if "♪" not in cue[2]]
    without = vtt_cues(case["plain"])
    assert without == with_notes
    assert "♪" not in (case["plain"] / f"{SLUG}.fr.srt").read_text(encoding="utf-8")
    report = json.loads((case["plain"].parent / "report.json").read_text(encoding="utf-8"))["videos"][0]
    assert report["music_cues"] == 0


def test_the_page_lists_each_music_as_a_sound_note_apart_from_the_spoken_text_in_time_order(case):
    page = parse((case["out"] / "index.html").read_text(encoding="utf-8"))
    text = page.find("div", class_="transcript-text")
    paragraphs = [child for child in text.children if not isinstance(child, str)]
    notes = [p for p in paragraphs if "sound-note" in (p.attrs.get("class") or "")]
    assert len(notes) == 3 and all(p.tag == "p" for p in notes)
    for note in notes:
        assert note.text(skip={"seek"}) == "Son\u00a0: ♪ Musique ♪"
        hidden = note.find_all(class_="visually-hidden")
        assert [h.text() for h in hidden] == ["Son\u00a0: "]  # said as a sound to screen readers
        assert [s.text() for s in note.find_all("span", **{"aria-hidden": "true"})] == ["♪ ", " ♪"]
    spoken = [p for p in paragraphs if p not in notes]
    assert [p.text(skip={"seek"}) for p in spoken] == case["texts"]
    assert not any("Musique" in p.text() for p in spoken)
    # intro, two blocks, interlude, three blocks, outro: the page reads in time order
    order = ["note" if p in notes else "speech" for p in paragraphs]
    assert order == ["note", "speech", "speech", "note", "speech", "speech", "speech", "note"]
    seeks = [float(a.attrs["data-start"]) for a in text.find_all("a", class_="seek")]
    assert seeks == sorted(seeks)
    music_starts = [start for start, _, t in vtt_cues(case["out"]) if "♪" in t]
    note_seeks = [float(note.find("a", class_="seek").attrs["data-start"]) for note in notes]
    assert note_seeks == music_starts


def test_the_qa_timeline_draws_the_music_row(case):
    svg = (case["out"] / f"{SLUG}.qa.svg").read_text(encoding="utf-8")
    assert svg.count('fill="#8e44ad"') == 3
    assert svg.count("<title>musique sans voix") == 3


def test_the_captions_pass_the_w3c_webvtt_parser(case):
    if shutil.which("node") is None or not (REPO / "node_modules" / "webvtt-parser").is_dir():
        pytest.skip("node or node_modules/webvtt-parser is absent (run `make test-tools`)")
    run = subprocess.run(["node", str(NODE_PARSER), str(case["out"] / f"{SLUG}.fr.vtt")],
                         capture_output=True, text=True, check=True)
    parsed = json.loads(run.stdout)
    assert parsed["errors"] == []
    assert [c["text"] for c in parsed["cues"] if "♪" in c["text"]] == ["♪ Musique ♪"] * 3
    assert len(parsed["cues"]) == len(vtt_cues(case["out"]))


def test_the_review_page_lists_the_speech_cues_of_a_video_with_music_cues(case):
    """The caption file holds 3 music cues among the speech cues: the review shows the
    speech cues, each with the flags the build recorded at its position in the file."""
    from subtitler.config import CaptionConfig
    from subtitler.pipeline import BuildOptions
    from subtitler.review.session import ReviewSession, flag_reasons

    root = case["out"].parent.parent
    options = BuildOptions(out_dir=root / "output", media_dir=root / "media", cache_dir=root / "cache",
                           download=False, config=CaptionConfig())
    view = ReviewSession([root / "transcripts" / f"{SLUG}.md"], options).view(SLUG)
    assert view.problem is None
    speech = [(a, b) for a, b, text in vtt_cues(case["out"]) if "♪" not in text]
    assert [(c.start, c.end) for c in view.cues] == speech
    in_file = [text for _, _, text in vtt_cues(case["out"])]
    recorded = flag_reasons(view.result)
    for cue in view.cues:
        position = [p for p, text in enumerate(in_file) if "♪" not in text][cue.index]
        assert set(cue.flags) == set(recorded.get(position, ())) - {"checked"}


# --- a dialogue pair said on either side of an interlude ------------------------------------------

TURNS = [
    ("common_voice_fr_17328315.mp3", "Pour ces raisons, mon avis est défavorable."),
    ("common_voice_fr_22479524.mp3", "Firefox."),
    ("common_voice_fr_17353609.mp3", "Je suis sûr que nous aimerons."),
    ("common_voice_fr_19799553.mp3", "Tout, dès que nous doutons, devient triste et farouche."),
]


def test_a_short_turn_and_the_next_said_around_an_interlude_get_cues_of_their_own(tmp_path):
    """Written, "Firefox." is a turn too short to be shown alone: the cue step pairs it with
    the next turn in one dialogue cue. Said with 6 s of music between them (real Common Voice
    speakers, a Debian music track), that cue would stay on screen over the interlude; the
    audio timing finds the music inside its speech and the two turns get cues of their own,
    with the interlude's note between them (real-cv-short-pauses-3 in the benchmark)."""
    from real_audio import common_voice

    line = Timeline()
    line.add(room_tone(1.0))
    voices = [common_voice(clip) for clip, _ in TURNS]
    level = speech_level(np.concatenate(voices))
    spoken = []
    for k, samples in enumerate(voices):
        if k == 2:
            at = line.add(music("singularity-music/Awakening.ogg", 60.0, 6.0, 0.7 * level))
            interlude = (at, at + 6.0)
        spoken.append(line.add(samples))
    line.add(room_tone(1.0))
    root = write_workspace(tmp_path, "dialogue", [f"\\- {text}" for _, text in TURNS], line.samples())
    built = run_cli("build", "--jobs", "1", "--no-html", cwd=root)
    assert built.returncode == 0, built.stderr
    cues = [(start, end, text) for start, end, text in vtt_cues_of(root / "output" / "dialogue", "dialogue")]
    texts = [text for _, _, text in cues]
    assert "- Firefox." in texts and "- Je suis sûr que nous aimerons." in texts
    firefox, note, after = (texts.index("- Firefox."), texts.index("♪ Musique ♪"),
                            texts.index("- Je suis sûr que nous aimerons."))
    assert firefox < note < after
    a, b = interlude
    for start, end, text in cues:
        if "♪" not in text:
            assert min(end, b) - max(start, a) <= 0.12, (start, end, text)  # no speech cue over the music
