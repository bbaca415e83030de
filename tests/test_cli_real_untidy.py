"""`subtitler build --timing audio` end to end on a held-out untidy case of the real-speech
benchmark (``benchmarks/real_speech.py``, real-cv-untidy-2: 42 Common Voice sentences as
speaker turns, with speaker names and a stray heading in the transcript, two sentences cut,
and speech not in it: two false starts, two repeated sentences, held "euh", two asides),
scored with the benchmark's own scorer.

Before speech said twice was looked for (``align/repeats.py``), the sentence after a repeat
took the repeat and the shift ran on: 76.2 % of cue starts within 250 ms."""

from __future__ import annotations

import json
import shutil

import pytest

from benchmarks.real_speech import CASES, generate_real_case
from benchmarks.score import flagged_cues, load_music_only, load_truth, read_vtt, score
from real_audio import common_voice_clips, music_tracks
from test_cli_build import run_cli

CASE = "real-cv-untidy-2"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):  # type: ignore[no-untyped-def]
    common_voice_clips()  # each skips, with the reason, when its material is absent
    music_tracks()
    case = next(c for c in CASES if c.name == CASE)
    truth_path = generate_real_case(case, out=tmp_path_factory.mktemp("cases"))
    root = tmp_path_factory.mktemp("workspace")
    (root / "transcripts").mkdir()
    (root / "media").mkdir()
    shutil.copy(truth_path.with_name(f"{CASE}.md"), root / "transcripts")
    shutil.copy(truth_path.with_name(f"{CASE}.mp4"), root / "media")
    built = run_cli("build", "--jobs", "1", "--no-html", cwd=root)
    assert built.returncode == 0, built.stderr
    captions = read_vtt(root / "output" / CASE / f"{CASE}.fr.vtt")
    report = json.loads((root / "output" / "report.json").read_text(encoding="utf-8"))
    return score(captions, load_truth(truth_path), flagged_cues(report), load_music_only(truth_path))


@pytest.mark.slow
def test_sentences_after_a_repeat_start_on_their_own_words(scored):
    assert scored.cues == 42
    assert scored.within_250 >= 85.0  # 76.2 % before
    assert scored.in_music == 0
