"""`subtitler build` end to end, as a user runs it: a real MP4 made by ffmpeg, the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import srt

from subtitler.formats.vtt import parse_vtt_cues
from media_helpers import make_mp4

REPO = Path(__file__).resolve().parents[1]
E2E = REPO / "tests" / "fixtures" / "e2e"
SLUG = "atelier-securite"
NODE_PARSER = REPO / "tests" / "js" / "parse_vtt.js"


def run_cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.run(
        [sys.executable, "-m", "subtitler", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("e2e")
    (root / "transcripts").mkdir()
    shutil.copy(E2E / f"{SLUG}.md", root / "transcripts")
    (root / "media").mkdir()
    make_mp4(root / "media" / f"{SLUG}.mp4", 24.0)
    return root


@pytest.fixture(scope="module")
def built(workspace: Path) -> subprocess.CompletedProcess:
    return run_cli("build", "--timing", "proportional", "--jobs", "1", cwd=workspace)


def test_build_succeeds_and_prints_a_summary(built):
    assert built.returncode == 0, built.stderr
    assert "1 video(s): 1 done, 0 failed" in built.stdout
    assert "Traceback" not in built.stderr


def test_outputs_are_laid_out_per_slug(workspace, built):
    video_dir = workspace / "output" / SLUG
    for name in (f"{SLUG}.fr.vtt", f"{SLUG}.fr.srt", f"{SLUG}.fr.txt", "index.html", f"{SLUG}.qa.svg"):
        assert (video_dir / name).is_file(), name
    assert (workspace / "output" / "report.json").is_file()
    assert (workspace / "output" / "index.html").is_file()
    assert not list((workspace / "output").rglob("*.part"))


def _words(text: str) -> list[str]:
    return text.replace("\u00a0", " ").replace("’", "'").replace("- ", " ").split()


def test_vtt_is_strictly_valid_and_keeps_every_word(workspace, built):
    vtt = (workspace / "output" / SLUG / f"{SLUG}.fr.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n") and "\ufeff" not in vtt
    assert "<script>" not in vtt and "&lt;script&gt;" in vtt
    ours = parse_vtt_cues(vtt)
    if shutil.which("node") is None or not (REPO / "node_modules" / "webvtt-parser").is_dir():
        pytest.skip("node or node_modules/webvtt-parser is absent (run `make test-tools`)")
    vtt_path = workspace / "output" / SLUG / f"{SLUG}.fr.vtt"
    parsed = json.loads(subprocess.run(["node", str(NODE_PARSER), str(vtt_path)], check=True,
                                       capture_output=True, text=True).stdout)
    assert parsed["errors"] == []
    assert [c["text"] for c in parsed["cues"]] == [text for _, _, text in ours]
    spoken = " ".join(text for _, _, text in ours)
    assert "<script>alert(1)</script>" in spoken
    assert "contact@exemple.fr" in spoken


def test_srt_parses_with_the_srt_library(workspace, built):
    text = (workspace / "output" / SLUG / f"{SLUG}.fr.srt").read_text(encoding="utf-8")
    assert text.endswith("\n") and "\ufeff" not in text
    subs = list(srt.parse(text))
    vtt = parse_vtt_cues((workspace / "output" / SLUG / f"{SLUG}.fr.vtt").read_text(encoding="utf-8"))
    assert [s.content for s in subs] == [t for _, _, t in vtt]
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))


def test_cues_stay_within_the_media_and_follow_the_rules(workspace, built):
    vtt = parse_vtt_cues((workspace / "output" / SLUG / f"{SLUG}.fr.vtt").read_text(encoding="utf-8"))
    previous_end = 0
    for start, end, text in vtt:
        assert start >= previous_end + 80  # 2 frames at 25 fps
        assert 1000 <= end - start <= 7000
        assert end <= 24_000
        assert all(len(line) <= 42 for line in text.split("\n"))
        assert len(text.split("\n")) <= 2
        previous_end = end


def test_report_records_the_video(workspace, built):
    report = json.loads((workspace / "output" / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["videos"] == 1 and report["summary"]["failed"] == 0
    video = report["videos"][0]
    assert video["slug"] == SLUG and video["status"] == "ok"
    assert video["timing_method"] == "proportional"
    assert video["cues"]["count"] > 0


def test_an_unchanged_rerun_skips_and_force_rebuilds(workspace, built):
    vtt = workspace / "output" / SLUG / f"{SLUG}.fr.vtt"
    before = vtt.stat().st_mtime_ns
    again = run_cli("build", "--timing", "proportional", "--jobs", "1", cwd=workspace)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
    assert vtt.stat().st_mtime_ns == before
    forced = run_cli("build", "--timing", "proportional", "--jobs", "1", "--force", cwd=workspace)
    assert forced.returncode == 0 and "unchanged" not in forced.stdout
    assert vtt.stat().st_mtime_ns != before


def test_a_changed_option_rebuilds(workspace, built):
    again = run_cli("build", "--timing", "proportional", "--jobs", "1", "--max-line-chars", "37",
                    cwd=workspace)
    assert again.returncode == 0, again.stderr
    assert "unchanged" not in again.stdout
    vtt = parse_vtt_cues((workspace / "output" / SLUG / f"{SLUG}.fr.vtt").read_text(encoding="utf-8"))
    assert all(len(line) <= 37 for _, _, text in vtt for line in text.split("\n"))


def test_a_video_without_audio_falls_back_to_proportional_with_a_warning(tmp_path):
    (tmp_path / "media").mkdir()
    shutil.copy(E2E / f"{SLUG}.md", tmp_path / f"{SLUG}.md")
    make_mp4(tmp_path / "media" / f"{SLUG}.mp4", 24.0, audio=False)
    done = run_cli("build", f"{SLUG}.md", "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    video = json.loads((tmp_path / "output" / "report.json").read_text(encoding="utf-8"))["videos"][0]
    assert video["timing_method"] == "proportional"
    assert any("no audio" in w for w in video["warnings"])


def test_debug_adds_the_traceback_that_is_otherwise_hidden(tmp_path):
    (tmp_path / "bad.md").write_text("---\ndescription: x\n---\n# Transcription\n\nTexte.\n",
                                     encoding="utf-8")
    plain = run_cli("build", "bad.md", "--jobs", "1", cwd=tmp_path)
    debug = run_cli("build", "bad.md", "--jobs", "1", "--debug", cwd=tmp_path)
    assert plain.returncode == debug.returncode == 1
    assert "missing 'title'" in plain.stderr and "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr and "TranscriptError" in debug.stderr


def test_usage_errors_are_one_line_with_exit_2(tmp_path):
    done = run_cli("build", "nowhere", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "subtitler: error: nowhere: no such file or folder"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc settings")
def test_the_cli_keeps_freed_memory_for_reuse_unless_told_otherwise():
    """Allocations up to 32 MB come from glibc's heap (numpy temporaries were zero-filled
    page by page again); the synthesis processes inherit it; a user's own setting wins."""
    code = "import os, subtitler.cli; print(os.environ['MALLOC_MMAP_THRESHOLD_'], os.environ['MALLOC_TRIM_THRESHOLD_'])"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    ours = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert ours.stdout.split() == [str(32 << 20), str(128 << 20)]
    env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    theirs = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert theirs.stdout.split() == ["65536", str(128 << 20)]
