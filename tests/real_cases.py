"""A case of the real-speech benchmark (``benchmarks/real_speech.py``) built by the benchmark's
own generator, run through `subtitler build` and scored by the benchmark's own scorer."""

from __future__ import annotations

import json
import shutil

from benchmarks.real_speech import CASES, generate_real_case
from benchmarks.score import Score, flagged_cues, load_music_only, load_truth, read_vtt, score
from real_audio import common_voice_clips, music_tracks
from test_cli_build import run_cli


def built_and_scored(name: str, tmp_path_factory) -> Score:  # type: ignore[no-untyped-def]
    """The case ``name`` generated, built by the CLI in a workspace of its own, and scored
    (skips, with the reason, when the Common Voice clips or the music are absent)."""
    common_voice_clips()
    music_tracks()
    case = next(c for c in CASES if c.name == name)
    truth_path = generate_real_case(case, out=tmp_path_factory.mktemp("cases"))
    root = tmp_path_factory.mktemp("workspace")
    (root / "transcripts").mkdir()
    (root / "media").mkdir()
    shutil.copy(truth_path.with_name(f"{name}.md"), root / "transcripts")
    shutil.copy(truth_path.with_name(f"{name}.mp4"), root / "media")
    built = run_cli("build", "--jobs", "1", "--no-html", cwd=root)
    assert built.returncode == 0, built.stderr
    captions = read_vtt(root / "output" / name / f"{name}.fr.vtt")
    report = json.loads((root / "output" / "report.json").read_text(encoding="utf-8"))
    return score(captions, load_truth(truth_path), flagged_cues(report), load_music_only(truth_path))
