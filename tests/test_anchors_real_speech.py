"""Anchors on a real recording: ej-fra (a real French speaker, shared/corpus/real-speech) after
10 s of title music, with a music bed 8 dB under the voice, through the real CLI and the real
audio aligner. Before issue 11 the aligner put the first cue 5.6 s early, inside the music,
and the second block 2.6 s early; now every block starts within 250 ms of its speech without
help. An anchor on a cue the whole file already has right must then only pin that edge: the
other blocks stay right and the intro's music note stays (the anchored timing's re-location of
neighbours when an anchor disagrees is specified in test_timing_anchored.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from subtitler import anchors
from subtitler.config import CaptionConfig
from subtitler.cues import build_cues
from subtitler.media.ffmpeg import ffmpeg_paths
from subtitler.sentences import split_sentences
from subtitler.timing.anchored import Edge
from subtitler.transcript import load_transcript
from test_cli_build import run_cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RATE = 16000
INTRO = 10.0  # seconds of music before the speech (then 0.5 s of room)
BLOCK_FIRST_CUES = (0, 3, 5, 7, 9)  # the cue that begins each of the 5 blocks


@pytest.fixture(scope="module")
def case(shared_dir, tmp_path_factory) -> tuple[Path, list[float]]:
    """The workspace and the true onset of each block (energy onset inside the hand-cut
    block, benchmarks.audio.speech_extent, as the real-speech benchmark measures it)."""
    from benchmarks import audio
    from benchmarks.generate import decode_audio
    from real_audio import ej_fra_blocks

    folder = shared_dir / "corpus" / "real-speech" / "ej-fra"
    blocks = ej_fra_blocks()
    recording = decode_audio(folder / "ej-fra.m4a", RATE)
    rng = np.random.default_rng(5)
    level = audio.active_rms(recording, RATE)
    lead = round((INTRO + 0.5) * RATE)
    mixed = np.zeros(lead + len(recording), np.float32)
    mixed[: round(INTRO * RATE)] += audio.music(INTRO, RATE, rng) * level * 10 ** (3 / 20)
    mixed[lead:] += recording
    mixed += (audio.music(len(mixed) / RATE, RATE, rng)[: len(mixed)] * level * 10 ** (-8 / 20)).astype(np.float32)
    cuts = [round(b.start * RATE) for b in blocks] + [len(recording)]
    truth = [lead / RATE + b.start + audio.speech_extent(recording[a:z], RATE)[0]
             for b, a, z in zip(blocks, cuts, cuts[1:])]
    root = tmp_path_factory.mktemp("ej-fra")
    (root / "media").mkdir()
    (root / "transcripts").mkdir()
    subprocess.run([ffmpeg_paths()[0], "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1",
                    "-i", "pipe:", "-c:a", "aac", "-b:a", "96k", str(root / "media" / "ej-fra.m4a")],
                   input=mixed.tobytes(), check=True)
    (root / "transcripts" / "ej-fra.md").write_text(transcript_markdown(blocks), encoding="utf-8")
    return root, truth


def _block_errors(root: Path, truth: list[float]) -> list[float]:
    """Start error of each block's first speech cue (the music cues counted out)."""
    lines = (root / "output" / "ej-fra" / "ej-fra.fr.vtt").read_text(encoding="utf-8").splitlines()
    starts = [_seconds(line.split(" --> ")[0]) for line, text in zip(lines, lines[1:])
              if " --> " in line and "♪" not in text]
    return [starts[k] - onset for k, onset in zip(BLOCK_FIRST_CUES, truth)]


@pytest.mark.slow
def test_an_anchor_that_agrees_with_the_alignment_pins_its_edge_and_moves_nothing_else(case):
    root, truth = case
    build = ("build", "--jobs", "1", "--quiet", "--no-html")
    assert run_cli(*build, cwd=root).returncode == 0
    before = _block_errors(root, truth)
    notes_before = _music_notes(root)
    transcript = load_transcript(root / "transcripts" / "ej-fra.md")
    cues = build_cues(split_sentences(transcript), CaptionConfig())
    anchor = anchors.WordIndex(cues).anchor(0, Edge.START, truth[0])
    anchors.save(anchors.path_for(transcript.path, transcript.slug), anchors.AnchorFile((anchor,)))
    assert run_cli(*build, cwd=root).returncode == 0
    after = _block_errors(root, truth)
    report = json.loads((root / "output" / "report.json").read_text(encoding="utf-8"))["videos"][0]
    assert report["anchors_applied"] == 1 and report["timing_method"] == "audio"
    print(f"block start errors (ms) before {[round(e * 1000) for e in before]}, "
          f"after {[round(e * 1000) for e in after]}")
    assert all(abs(e) <= 0.25 for e in before)  # music not taken for speech (issue 11)
    assert _caption_rule_violations(root) == []  # an audio-timed real build keeps the rules (issue 14)
    assert abs(after[0]) <= 0.0005  # the anchored cue, to the millisecond
    assert all(abs(a - b) <= 0.01 for a, b in zip(after[1:], before[1:]))  # the others stay
    assert notes_before and _music_notes(root) == notes_before  # the intro's note is kept


def _caption_rule_violations(root: Path) -> list[str]:
    """What the independent caption checker (benchmarks/caption_check.py) finds in the file."""
    from benchmarks.caption_check import check_file

    check = check_file(root / "output" / "ej-fra" / "ej-fra.fr.vtt")
    return [str(violation) for violation in check.violations]


def _music_notes(root: Path) -> int:
    return (root / "output" / "ej-fra" / "ej-fra.fr.vtt").read_text(encoding="utf-8").count("♪ Musique ♪")


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def transcript_markdown(blocks) -> str:  # type: ignore[no-untyped-def]
    """ej-fra's text as a transcript, one paragraph per hand-cut block."""
    body = "\n\n".join(block.text for block in blocks)
    return ("---\ntitle: Éric Joanis se présente (enregistrement réel)\n"
            "description: Enregistrement réel (ReadAlongs/OpenSamples, CC BY 4.0).\n"
            f"---\n\n# Transcription\n\n{body}\n")
