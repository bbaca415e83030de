"""`subtitler build` end to end, as a user runs it: a real MP4 made by ffmpeg, the real CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import srt
from hypothesis import given
from hypothesis import strategies as st

from fake_peertube import FakePeerTube
from media_helpers import make_mp4
from subtitler import cli
from subtitler.cli import build_parser, parallelism
from subtitler.config import CaptionConfig
from subtitler.formats.vtt import parse_vtt_cues
from subtitler.media.ffmpeg import ffmpeg_paths

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


def test_a_video_without_audio_is_settled_not_provisional_and_strict_fails_it_by_its_flags(tmp_path):
    """Nothing to align is not a failure to align: the build is kept, not retried (issue 13:
    "no audio stream excepted"); its guessed cues are flagged, which --strict refuses."""
    (tmp_path / "media").mkdir()
    shutil.copy(E2E / f"{SLUG}.md", tmp_path / f"{SLUG}.md")
    make_mp4(tmp_path / "media" / f"{SLUG}.mp4", 24.0, audio=False)
    assert run_cli("build", f"{SLUG}.md", "--jobs", "1", cwd=tmp_path).returncode == 0
    manifest = json.loads((tmp_path / "output" / SLUG / ".subtitler.json").read_text(encoding="utf-8"))
    assert manifest.get("provisional") is not True
    report = json.loads((tmp_path / "output" / "report.json").read_text(encoding="utf-8"))["videos"][0]
    assert report["timing_fallback"] is None and report["flagged_cues"]
    assert "unchanged" in run_cli("build", f"{SLUG}.md", "--jobs", "1", cwd=tmp_path).stdout
    strict = run_cli("build", f"{SLUG}.md", "--jobs", "1", "--strict", "--force", cwd=tmp_path)
    assert strict.returncode == 1 and "cue(s) flagged for review" in strict.stderr


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



# -- downloads: the smallest file with the audio, and its cost in report.json (issue 13.6) ----------------


def test_a_peertube_video_is_built_from_its_audio_only_file_and_the_bytes_are_reported(tmp_path):
    video_file = make_mp4(tmp_path / "v.mp4", 24.0, size="640x360").read_bytes()
    audio_file = make_mp4(tmp_path / "a.mp4", 24.0, size="32x32").read_bytes()  # stands for audio only
    with FakePeerTube() as tube:
        video = tube.add_video("alice")
        given = tube.add_file(video, 1080, video_file, hls=False)
        audio = tube.add_file(video, 0, audio_file)
        text = (E2E / f"{SLUG}.md").read_text(encoding="utf-8")
        text = re.sub(r"videoEmbedSrc: .*", f"videoEmbedSrc: {tube.embed_url(video)}", text)
        text = re.sub(r"videoDownloadHref: .*", f"videoDownloadHref: {tube.download_url(video, given)}", text)
        (tmp_path / f"{SLUG}.md").write_text(text, encoding="utf-8")

        first = run_cli("build", f"{SLUG}.md", "--timing", "proportional", "-j", "1", "-v", cwd=tmp_path)
        second = run_cli("build", f"{SLUG}.md", "--timing", "proportional", "-j", "1", cwd=tmp_path)
        file_paths = [r.path for r in tube.requests if not r.path.startswith("/api/")]

    assert first.returncode == 0, first.stderr
    assert f"download: {SLUG}.md: {len(audio_file)} bytes from {tube.static_url(video, audio)}" in first.stderr
    assert file_paths == [urlsplit(tube.static_url(video, audio)).path]  # once, and never the 1080p file
    report = json.loads((tmp_path / "output" / "report.json").read_text(encoding="utf-8"))["videos"][0]
    assert report["downloaded_bytes"] == 0 and report["status"] == "unchanged"  # the second run
    assert second.returncode == 0 and report["media_source"] == tube.static_url(video, audio)


# -- a fallback is not a result (issue 13.7) ---------------------------------------------------------------


@pytest.fixture
def undecodable(tmp_path: Path) -> Path:
    """A video whose header is whole (ffprobe reads it) but whose audio cannot be decoded."""
    (tmp_path / "media").mkdir()
    shutil.copy(E2E / f"{SLUG}.md", tmp_path / f"{SLUG}.md")
    whole = make_mp4(tmp_path / "whole.mp4", 24.0)
    faststart = tmp_path / "faststart.mp4"
    subprocess.run([ffmpeg_paths()[0], "-v", "error", "-i", str(whole), "-c", "copy", "-movflags", "+faststart",
                    str(faststart)], check=True)
    data = faststart.read_bytes()
    (tmp_path / "media" / f"{SLUG}.mp4").write_bytes(data[: len(data) * 2 // 5])
    return tmp_path


def test_a_fallback_is_said_on_stderr_recorded_as_provisional_and_retried(undecodable):
    first = run_cli("build", f"{SLUG}.md", "-j", "1", cwd=undecodable)
    again = run_cli("build", f"{SLUG}.md", "-j", "1", cwd=undecodable)

    assert first.returncode == 0, first.stderr
    assert re.search(rf"warning: {SLUG}\.md: audio alignment failed \(cannot read the audio: .+\): proportional "
                     r"timing used \(provisional: the next run tries the audio again\)", first.stderr)
    manifest = json.loads((undecodable / "output" / SLUG / ".subtitler.json").read_text(encoding="utf-8"))
    assert manifest["provisional"] is True
    assert "unchanged" not in again.stdout and "audio alignment failed" in again.stderr  # tried again
    report = json.loads((undecodable / "output" / "report.json").read_text(encoding="utf-8"))["videos"][0]
    assert report["timing_fallback"].startswith("audio alignment failed")


def test_strict_fails_a_fallback(undecodable):
    done = run_cli("build", f"{SLUG}.md", "-j", "1", "--strict", cwd=undecodable)
    assert done.returncode == 1
    assert f"error: {SLUG}.md: --strict: audio alignment failed" in done.stderr


def test_strict_fails_a_video_that_has_none(tmp_path):
    text = (E2E / f"{SLUG}.md").read_text(encoding="utf-8")
    (tmp_path / "a.md").write_text(re.sub(r"videoDownloadHref: .*\n", "", text), encoding="utf-8")

    lenient = run_cli("build", "a.md", "-q", cwd=tmp_path)
    strict = run_cli("build", "a.md", "-q", "--strict", cwd=tmp_path)

    assert lenient.returncode == 0 and "note: a.md: no video" in lenient.stderr
    assert strict.returncode == 1 and "error: a.md: --strict: no video" in strict.stderr


def test_strict_fails_more_flagged_cues_than_allowed(tmp_path):
    shutil.copy(E2E / f"{SLUG}.md", tmp_path / f"{SLUG}.md")
    (tmp_path / "media").mkdir()
    subprocess.run([ffmpeg_paths()[0], "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=25:duration=24",
                    "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "24", "-c:v", "libx264", "-pix_fmt",
                    "yuv420p", "-c:a", "aac", "-shortest", str(tmp_path / "media" / f"{SLUG}.mp4")], check=True)
    lenient = run_cli("build", f"{SLUG}.md", "-j", "1", "-q", cwd=tmp_path)
    flagged = len(json.loads((tmp_path / "output" / "report.json").read_text())["videos"][0]["flagged_cues"])
    assert lenient.returncode == 0 and flagged >= 1  # words written but never said: not heard in silence

    over = run_cli("build", f"{SLUG}.md", "-j", "1", "-q", "--strict", "--max-flagged", str(flagged - 1), cwd=tmp_path)
    within = run_cli("build", f"{SLUG}.md", "-j", "1", "-q", "--strict", "--max-flagged", str(flagged), cwd=tmp_path)

    assert over.returncode == 1
    assert f"--strict: {flagged} cue(s) flagged for review, more than the {flagged - 1} --max-flagged allows" in over.stderr
    assert within.returncode == 0, within.stderr


# -- exit codes and options (issue 13.10) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("build", "-j", "0"), "argument -j/--jobs: must be at least 1, not 0"),
        (("build", "--jobs", "-2"), "argument -j/--jobs: must be at least 1, not -2"),
        (("build", "--max-line-chars", "0"), "argument --max-line-chars: must be at least 1, not 0"),
        (("build", "--max-cps", "-1"), "argument --max-cps: must be greater than 0, not -1"),
        (("build", "--max-cps", "nan"), "argument --max-cps: must be greater than 0, not nan"),
        (("build", "--max-download-size", "0"), "argument --max-download-size: must be greater than 0"),
        (("build", "--max-download-size", "lots"), "argument --max-download-size: not a size: 'lots'"),
        (("build", "--download-deadline", "0"), "argument --download-deadline: must be greater than 0"),
        (("build", "--max-flagged", "-1"), "argument --max-flagged: must be 0 or more, not -1"),
        (("publish", "--timeout", "0"), "argument --timeout: must be greater than 0, not 0"),
        (("publish", "--attempts", "0"), "argument --attempts: must be at least 1, not 0"),
        (("build", "-q", "-v"), "argument -v/--verbose: not allowed with argument -q/--quiet"),
    ],
)
def test_bad_option_values_are_usage_errors(tmp_path, args, message):
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_publish_with_nothing_configured_is_a_usage_error(tmp_path):
    shutil.copy(E2E / f"{SLUG}.md", tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUBTITLER_")}
    env.update(PYTHONPATH=str(REPO / "src"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run([sys.executable, "-m", "subtitler", "publish", f"{SLUG}.md"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("subtitler: error: nowhere to publish") and done.stderr.count("\n") == 1


def test_a_report_that_cannot_be_written_is_a_runtime_error(workspace, built, tmp_path):
    out = tmp_path / "out"
    (out / "report.json").mkdir(parents=True)  # a folder where the report goes
    done = run_cli("build", "--timing", "proportional", "-j", "1", "-q", "-o", str(out), cwd=workspace)
    assert done.returncode == 1
    assert "subtitler: error: " in done.stderr and "cannot write the report" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_scheduler_without_dask_distributed_is_a_runtime_error(tmp_path):
    shutil.copy(E2E / f"{SLUG}.md", tmp_path)
    code = ("import sys; sys.modules['distributed'] = None; from subtitler.cli import main; "
            "sys.exit(main(['build', 'atelier-securite.md', '--scheduler', 'tcp://127.0.0.1:1']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(REPO / "src")))
    assert done.returncode == 1
    assert done.stderr.strip() == ("subtitler: error: --scheduler needs Dask's distributed package: "
                                   "pip install 'subtitler[cluster]'")


def test_short_options_and_verbose_quiet_on_both_commands():
    parser = build_parser()
    build = parser.parse_args(["build", "-o", "o", "-j", "1", "-q", "-f"])
    assert (build.out, build.jobs, build.quiet, build.force) == (Path("o"), 1, True, True)
    assert parser.parse_args(["build", "-v"]).verbose
    publish = parser.parse_args(["publish", "-o", "o", "-n", "-f", "-v"])
    assert (publish.out, publish.dry_run, publish.force, publish.verbose) == (Path("o"), True, True, True)
    assert parser.parse_args(["publish", "-q"]).quiet


def test_help_defaults_come_from_caption_config(monkeypatch, capsys):
    @dataclasses.dataclass(frozen=True)
    class Other(CaptionConfig):
        lang: str = "br"
        max_line_chars: int = 39
        max_cps: float = 16.5

    monkeypatch.setattr(cli, "CaptionConfig", Other)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["build", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: br)" in text and "(default: 39)" in text and "(default: 16.5)" in text
    assert build_parser().parse_args(["build"]).max_line_chars == 39


@given(st.integers(1, 64), st.integers(1, 64))
def test_parallel_videos_times_aligner_threads_never_exceed_the_cores(jobs, cores):
    videos, threads = parallelism(jobs, cores)
    assert 1 <= videos <= jobs and threads >= 1
    assert videos * threads <= cores
    assert threads == cores // videos  # and no core is left idle by rounding more than needed


def test_the_aligner_gets_the_builds_share_of_the_cores(tmp_path, monkeypatch):
    """Two jobs on two cores: the aligner solves its windows with one thread, not two."""
    from subtitler.align import windows

    shutil.copy(E2E / f"{SLUG}.md", tmp_path)
    (tmp_path / "media").mkdir()
    make_mp4(tmp_path / "media" / f"{SLUG}.mp4", 24.0)
    pools = []

    class Spy(windows.ThreadPoolExecutor):
        def __init__(self, max_workers=None, **kwargs):
            pools.append(max_workers)
            super().__init__(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(windows, "ThreadPoolExecutor", Spy)
    monkeypatch.setattr(cli, "core_count", lambda: 2)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", f"{SLUG}.md", "-j", "2", "-q"]) == 0  # one video: built in this process
    assert pools and set(pools) == {1}
    pools.clear()
    assert cli.main(["build", f"{SLUG}.md", "-j", "1", "-q", "-f"]) == 0
    assert set(pools) == {2}


def test_the_download_defaults_of_the_cli_are_those_of_download_limits():
    """The CLI keeps its own copy (importing the media module would slow every --help)."""
    from subtitler.cli_common import byte_size
    from subtitler.media.fetched import DownloadLimits

    assert byte_size(cli.DEFAULT_MAX_DOWNLOAD) == DownloadLimits().max_bytes
    assert cli.DEFAULT_DOWNLOAD_DEADLINE == DownloadLimits().deadline
