"""`subtitler build` end to end on a real recording whose transcript is not what was said: a
sentence written but never said, a block said but not written. The cues that may be wrong
are flagged with the reason, in report.json, in the terminal and in the QA timeline.

The recording is ej-fra (one speaker, five blocks), either as recorded (short pauses) or
with a second of its own room tone between the blocks."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from real_audio import Timeline, ej_fra_blocks, ej_fra_take, room_tone, write_workspace
from subtitler.formats.vtt import parse_vtt_cues
from subtitler.model import parse_flag
from test_cli_build import run_cli

NEVER_SAID = "Nous verrons aussi comment protéger ses données personnelles sur internet."
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Case:
    name: str
    pauses: bool  # a second of room tone between the blocks; else the take as recorded
    missing: int | None = None  # the block said but left out of the transcript
    extra_after: int | None = None  # the block after which NEVER_SAID is written


@dataclass(frozen=True)
class Built:
    case: Case
    cues: list[tuple[float, float, str]]  # the VTT's
    video: dict  # report.json's entry
    stdout: str
    svg: str
    voices: list[tuple[float, float]]  # each block's voice, in the media


_built: dict[str, Built] = {}


def build(case: Case, tmp_path_factory) -> Built:
    """Build the case once per test session (the cases are shared by several tests)."""
    if case.name in _built:
        return _built[case.name]
    blocks = ej_fra_blocks()
    if case.pauses:
        line = Timeline()
        voices = []
        for block in blocks:
            at = line.add(block.samples)
            voices.append((at + block.onset, at + block.offset))
            line.add(room_tone(1.0))
        samples = line.samples()
    else:
        samples = ej_fra_take()
        voices = [(b.start + b.onset, b.start + b.offset) for b in blocks]
    paragraphs = []
    for k, block in enumerate(blocks):
        if k != case.missing:
            paragraphs.append(block.text)
        if k == case.extra_after:
            paragraphs.append(NEVER_SAID)
    root = write_workspace(tmp_path_factory.mktemp(case.name), case.name, paragraphs, samples)
    run = run_cli("build", "--jobs", "1", "--no-html", cwd=root)
    assert run.returncode == 0, run.stderr
    out = root / "output" / case.name
    vtt = (out / f"{case.name}.fr.vtt").read_text(encoding="utf-8")
    video = json.loads((root / "output" / "report.json").read_text(encoding="utf-8"))["videos"][0]
    _built[case.name] = Built(
        case, [(a / 1000, b / 1000, t.replace("\n", " ")) for a, b, t in parse_vtt_cues(vtt)], video,
        run.stdout, (out / f"{case.name}.qa.svg").read_text(encoding="utf-8"), voices,
    )
    return _built[case.name]


def number_of(built: Built, words: str) -> int:
    """1-based number of the cue that begins with ``words``."""
    found = [n for n, (_, _, text) in enumerate(built.cues, 1) if _plain(text).startswith(_plain(words))]
    assert len(found) == 1, (words, built.cues)
    return found[0]


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("\u00a0", " ").split())


def first_words(text: str, count: int = 3) -> str:
    return " ".join(text.split()[:count])


def reasons_of(built: Built, number: int) -> list[str]:
    video = built.video
    flagged = dict(zip(video["flagged_cues"], video["flag_reasons"]))
    return flagged.get(number - 1, [])


def svg_title(built: Built, number: int) -> str:
    titles = [g.find(f"{SVG}title").text for g in ET.fromstring(built.svg).iter(f"{SVG}g")
              if g.find(f"{SVG}title") is not None]
    [title] = [t for t in titles if t.startswith(f"#{number} ")]
    return title


NOT_SAID = Case("dite-nulle-part", pauses=True, extra_after=2)
NOT_WRITTEN = Case("bloc-non-ecrit", pauses=True, missing=1)


@pytest.fixture(scope="module")
def not_said(tmp_path_factory) -> Built:
    return build(NOT_SAID, tmp_path_factory)


@pytest.fixture(scope="module")
def not_written(tmp_path_factory) -> Built:
    return build(NOT_WRITTEN, tmp_path_factory)


def test_a_sentence_written_but_never_said_is_reported_not_heard(not_said):
    number = number_of(not_said, "Nous verrons aussi")
    assert reasons_of(not_said, number)[:1] == ["not-found"]
    assert any(re.search(rf"not heard in the audio.*#{number}\b", w) for w in not_said.video["warnings"])
    assert f"  cue {number}: not-found" in not_said.stdout


def test_the_cues_around_a_sentence_never_said_start_on_their_voices(not_said):
    """The aligner passes over the unsaid text whole instead of squeezing it into the speech
    around it: the block before it ends before it, the block after it starts on its voice."""
    blocks = ej_fra_blocks()
    before, after = not_said.voices[2], not_said.voices[3]
    number = number_of(not_said, "Nous verrons aussi")
    start, end, _ = not_said.cues[number - 1]
    assert before[1] - 0.3 <= start and end <= after[0] + 0.1  # in the pause between them
    next_start = not_said.cues[number_of(not_said, first_words(blocks[3].text)) - 1][0]
    assert abs(next_start - after[0]) < 0.25
    for k in (0, 1, 2, 4):
        start = not_said.cues[number_of(not_said, first_words(blocks[k].text)) - 1][0]
        assert abs(start - not_said.voices[k][0]) < 0.25, k


def test_speech_that_is_not_written_flags_the_cue_after_it(not_written):
    blocks = ej_fra_blocks()
    number = number_of(not_written, first_words(blocks[2].text))
    start = not_written.cues[number - 1][0]
    assert abs(start - not_written.voices[2][0]) < 0.25  # on its own voice, not the unwritten one
    assert "unwritten-speech" in reasons_of(not_written, number)
    assert re.search(rf"^  cue {number}: .*unwritten-speech", not_written.stdout, re.M)


@pytest.mark.parametrize("built_name", ["not_said", "not_written"])
def test_the_terminal_and_the_qa_timeline_say_why_each_flagged_cue_is_flagged(built_name, request):
    built: Built = request.getfixturevalue(built_name)
    video = built.video
    assert video["flagged_cues"] and len(video["flag_reasons"]) == len(video["flagged_cues"])
    lines = built.stdout.splitlines()
    header = lines.index(f"to review in {built.case.name}:")
    listed = lines[header + 1 : header + 1 + len(video["flagged_cues"])]
    assert listed == [f"  cue {k + 1}: {', '.join(r)}" for k, r in zip(video["flagged_cues"], video["flag_reasons"])]
    for k, reasons in zip(video["flagged_cues"], video["flag_reasons"]):
        title = svg_title(built, k + 1)
        assert "à vérifier : " in title
        assert all(parse_flag(reason).label in title for reason in reasons)


# A cue shown where the transcript's words are not said must be flagged: the issue asks for
# >= 90 % of cues more than 500 ms off to be flagged. With a block left out, the texts around
# it are spread over its speech, each taking ~1.4 times its usual time; flagging such slow
# pieces side by side ("slow-run", 2026-12-07) also flagged 14 of the 446 right cues of the
# held-out real-speech cases (slow speakers), so it was withdrawn. The third case's cue is
# flagged by its own words, which match the voice after another pause nearby better.
SPREAD = pytest.mark.xfail(strict=True, reason="issue 11: the texts around a block said but not written are "
                           "spread over it at a pace no slower than slow speakers', and nothing flags them")
CASES = [
    NOT_WRITTEN,
    pytest.param(Case("take-bloc-non-ecrit", pauses=False, missing=1), marks=SPREAD),  # 'En ce moment' 2.2 s early
    pytest.param(Case("premier-bloc-non-ecrit", pauses=True, missing=0), marks=SPREAD),  # the first cue 7.8 s early
    Case("troisieme-bloc-non-ecrit", pauses=True, missing=2),  # 'mais maintenant' 5 s late: matches-elsewhere
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_cue_starts_unflagged_inside_speech_the_transcript_does_not_have(case, tmp_path_factory):
    built = build(case, tmp_path_factory)
    a, b = built.voices[case.missing]
    inside = [n for n, (start, _, _) in enumerate(built.cues, 1) if a - 0.25 <= start < b - 0.25]
    assert all(reasons_of(built, n) for n in inside), [(n, built.cues[n - 1]) for n in inside]


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 11: as recorded (short pauses), a sentence written between "
                   "blocks 3 and 4 is matched onto the end of block 3 and the start of block 4, "
                   "and not reported")
def test_a_sentence_never_said_between_blocks_said_without_a_pause_is_reported(tmp_path_factory):
    built = build(Case("take-dite-nulle-part", pauses=False, extra_after=2), tmp_path_factory)
    assert reasons_of(built, number_of(built, "Nous verrons aussi"))[:1] == ["not-found"]
