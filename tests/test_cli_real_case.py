"""`subtitler build --timing audio` end to end on a held-out case of the real-speech benchmark
(``benchmarks/real_speech.py``, real-cv-short-pauses-3: 38 Common Voice sentences by their
home-microphone speakers, short pauses between speakers, real music), scored with the
benchmark's own scorer against the clips' voice onsets.

As first aligned, one sentence started where the voice ran on from the sentence before (cut
short at a dip) and was shown 1.7 s late, and the cue after it 0.3 s late; the second look
at a start inside a voice (``timing/audio.py``) puts both on their words."""

from __future__ import annotations

import json
import shutil

import pytest

from benchmarks.real_speech import CASES, generate_real_case
from benchmarks.score import flagged_cues, load_music_only, load_truth, read_vtt, score
from real_audio import common_voice_clips, music_tracks
from test_cli_build import run_cli

CASE = "real-cv-short-pauses-3"


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
def test_cues_start_on_their_words_and_every_cue_far_off_is_flagged(scored):
    assert scored.cues == 38
    assert scored.within_250 >= 94.0  # 89.5 % before the second look
    assert scored.far_cues <= 1 and scored.far_flagged == 100.0  # two far cues, one flagged, before


@pytest.mark.slow
def test_no_speech_cue_is_shown_in_the_music_and_every_interlude_is_noted(scored):
    assert scored.in_music == 0
    assert scored.music_noted == scored.music_stretches == 3
    assert scored.music_notes_on_speech == 0
