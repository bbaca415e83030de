"""Batch behaviour: same outputs whatever the parallelism or engine, and crash safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from subtitler.batch import slug_errors
from subtitler.cli_common import collect_transcripts
from media_helpers import make_mp4

from subtitler.media.ffmpeg import ffmpeg_paths

REPO = Path(__file__).resolve().parents[1]
BODY = (
    "Bonjour et bienvenue dans ce tutoriel numéro {n}. Nous allons voir comment ranger ses "
    "fichiers dans des dossiers bien nommés. Ensuite, nous verrons comment partager un dossier "
    "avec un collègue, en lecture seule ou en écriture."
)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "subtitler", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(REPO / "src")))


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("catalogue")
    (root / "transcripts").mkdir()
    (root / "media").mkdir()
    make_mp4(root / "base.mp4", 16, size="96x54", rate=10, tone=250)
    for n in range(1, 6):
        slug = f"tuto-{n}"
        (root / "transcripts" / f"{slug}.md").write_text(
            f"---\ntitle: Tutoriel {n}\narea: Domaine {1 + n % 2}\n---\n\n# Transcription\n\n"
            + BODY.format(n=n) + "\n", encoding="utf-8")
        os.link(root / "base.mp4", root / "media" / f"{slug}.mp4")
    return root


@pytest.fixture(scope="module")
def narrated(tmp_path_factory) -> Path:
    """Three transcripts with espeak-ng narrations, so audio timing has speech to align."""
    from subtitler.align.espeak import synthesize

    root = tmp_path_factory.mktemp("narrated")
    (root / "transcripts").mkdir()
    (root / "media").mkdir()
    ffmpeg, _ = ffmpeg_paths()
    for n, voice in enumerate(("fr+m3", "fr-be+f2", "fr+f1"), 1):
        text = BODY.format(n=n)
        slug = f"narration-{n}"
        (root / "transcripts" / f"{slug}.md").write_text(
            f"---\ntitle: Narration {n}\n---\n\n# Transcription\n\n{text}\n", encoding="utf-8")
        speech = synthesize(text, voice=voice)
        pause = np.zeros(speech.sample_rate, np.float32)
        audio = np.concatenate([pause, speech.samples, pause]).astype("<f4")
        subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-f", "f32le", "-ar", str(speech.sample_rate),
                        "-ac", "1", "-i", "pipe:0", "-c:a", "aac", str(root / "media" / f"{slug}.m4a")],
                       input=audio.tobytes(), check=True)
    return root


def test_aligned_outputs_are_identical_whatever_the_number_of_jobs(narrated):
    one = _cli("build", "--jobs", "1", "--out", "out1", "--no-html", cwd=narrated)
    two = _cli("build", "--jobs", "2", "--out", "out2", "--no-html", cwd=narrated)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    report = json.loads((narrated / "out1" / "report.json").read_text(encoding="utf-8"))
    assert {v["timing_method"] for v in report["videos"]} == {"audio"}
    assert _outputs(narrated / "out1") == _outputs(narrated / "out2")


def _outputs(out: Path) -> dict[str, bytes]:
    """Every output file except the run report and manifests (they record timings)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in {"report.json", ".subtitler.json"}
    }


def test_collect_transcripts_expands_folders_in_sorted_order(catalogue):
    paths = collect_transcripts([catalogue / "transcripts"])
    assert [p.stem for p in paths] == [f"tuto-{n}" for n in range(1, 6)]


def test_a_folder_readme_is_not_a_transcript_but_an_explicit_file_is(tmp_path):
    (tmp_path / "README.md").write_text("# Notes", encoding="utf-8")
    (tmp_path / "video.md").write_text("x", encoding="utf-8")
    assert collect_transcripts([tmp_path]) == [tmp_path / "video.md"]
    assert collect_transcripts([tmp_path / "README.md"]) == [tmp_path / "README.md"]


def test_a_file_name_without_letters_or_digits_fails_alone(tmp_path):
    bad, good = tmp_path / "---.md", tmp_path / "good.md"
    errors = slug_errors([bad, good])
    assert list(errors) == [bad] and "empty slug" in errors[bad]


def test_duplicate_slugs_are_all_reported(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.md").write_text("x", encoding="utf-8")
    errors = slug_errors([tmp_path / "a" / "same.md", tmp_path / "b" / "same.md"])
    assert len(errors) == 2 and all("duplicate slug 'same'" in e for e in errors.values())


def test_outputs_are_identical_whatever_the_number_of_jobs(catalogue):
    one = _cli("build", "--timing", "proportional", "--jobs", "1", "--out", "out1", cwd=catalogue)
    two = _cli("build", "--timing", "proportional", "--jobs", "2", "--out", "out2", cwd=catalogue)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    first, second = _outputs(catalogue / "out1"), _outputs(catalogue / "out2")
    assert first and first == second


def test_a_run_killed_at_any_moment_leaves_no_partial_file_and_the_next_run_completes(catalogue):
    out = catalogue / "killed"
    for delay in (0.8, 1.6):
        process = subprocess.Popen(
            [sys.executable, "-m", "subtitler", "build", "--timing", "proportional", "--jobs", "2",
             "--out", str(out), "--force"],
            cwd=catalogue, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, PYTHONPATH=str(REPO / "src")), start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for vtt in out.rglob("*.vtt"):
            assert vtt.read_text(encoding="utf-8").endswith("\n")  # complete, never cut
    again = _cli("build", "--timing", "proportional", "--jobs", "2", "--out", str(out), cwd=catalogue)
    assert again.returncode == 0, again.stderr
    assert not list(out.rglob("*.part"))
    assert _outputs(out) == _outputs(catalogue / "out1") if (catalogue / "out1").exists() else True
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {v["status"] for v in report["videos"]} <= {"ok", "unchanged"}


def test_a_dask_cluster_builds_the_same_outputs(catalogue):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        done = _cli("build", "--timing", "proportional", "--scheduler", cluster.scheduler_address,
                    "--out", "out-dask", cwd=catalogue)
    assert done.returncode == 0, done.stderr
    local = _cli("build", "--timing", "proportional", "--jobs", "1", "--out", "out-local", cwd=catalogue)
    assert local.returncode == 0, local.stderr
    assert _outputs(catalogue / "out-dask") == _outputs(catalogue / "out-local")
