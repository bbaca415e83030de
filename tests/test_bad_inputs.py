"""The bad-input catalogue: each bad transcript or video gets one line naming the file and the
problem, no traceback, and the good video of the same batch is built as if alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from media_helpers import make_mp4

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "tests" / "fixtures" / "e2e" / "atelier-securite.md"

FRONT = """---
title: {title}
videoDownloadHref: http://127.0.0.1:9/{slug}.mp4
---

# Transcription

{body}
"""
SHORT_BODY = "Bonjour à tous. Nous allons voir comment protéger un compte en ligne."


def _transcript(folder: Path, slug: str, body: str = SHORT_BODY, title: str = "Un titre") -> Path:
    path = folder / f"{slug}.md"
    path.write_text(FRONT.format(title=title, slug=slug, body=body), encoding="utf-8")
    return path


# name -> (expected words in its error line); built by the `catalogue` fixture below.
EXPECTED = {
    "malformed-yaml": "yaml",
    "missing-title": "title",
    "empty-transcription": "transcription",
    "not-utf8": "utf-8",
    "not-markdown": "front matter",
    "binary": "utf-8",
    "media-missing": "127.0.0.1",
    "corrupt-media": "media",
    "truncated-media": "media",
    "too-short-media": "long",
    "huge": "5 mb limit",
}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("bad")
    inputs, media = root / "in", root / "media"
    inputs.mkdir()
    media.mkdir()
    shutil.copy(GOOD, inputs / GOOD.name)
    make_mp4(media / "atelier-securite.mp4", 24.0, size="96x54", rate=10, tone=300)

    (inputs / "malformed-yaml.md").write_text("---\ntitle: [unclosed\n---\n# Transcription\n\nTexte.\n",
                                              encoding="utf-8")
    (inputs / "missing-title.md").write_text("---\ndescription: rien\n---\n# Transcription\n\nTexte.\n",
                                             encoding="utf-8")
    _transcript(inputs, "empty-transcription", body="")
    (inputs / "not-utf8.md").write_bytes(FRONT.format(title="Caf\xe9", slug="x", body="D\xe9j\xe0.")
                                         .encode("latin-1"))
    (inputs / "not-markdown.md").write_text('{"title": "JSON, not Markdown"}\n', encoding="utf-8")
    (inputs / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    _transcript(inputs, "media-missing")
    _transcript(inputs, "corrupt-media")
    (media / "corrupt-media.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    _transcript(inputs, "truncated-media")
    make_mp4(root / "full.mp4", 6.0, size="96x54", rate=10, tone=300)
    data = (root / "full.mp4").read_bytes()
    (media / "truncated-media.mp4").write_bytes(data[: len(data) // 3])
    _transcript(inputs, "too-short-media", body=" ".join([SHORT_BODY] * 12))
    make_mp4(media / "too-short-media.mp4", 2.0, size="96x54", rate=10, tone=300)
    _transcript(inputs, "no-audio")
    make_mp4(media / "no-audio.mp4", 8.0, audio=False, size="96x54", rate=10, tone=300)
    with (inputs / "huge.md").open("w", encoding="utf-8") as handle:
        handle.write(FRONT.format(title="Énorme", slug="huge", body=""))
        handle.write((SHORT_BODY + "\n\n") * (20 * 1024 * 1024 // len(SHORT_BODY)))
    # Two transcripts with the same slug in different folders.
    (inputs / "a").mkdir()
    (inputs / "b").mkdir()
    _transcript(inputs / "a", "doublon")
    _transcript(inputs / "b", "doublon")

    done = subprocess.run(
        [sys.executable, "-m", "subtitler", "build", str(inputs), "--media", str(media),
         "--out", str(root / "out"), "--cache", str(root / "cache"), "--timing", "proportional",
         "--jobs", "2"],
        cwd=root, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=str(REPO / "src")),
    )
    return root, done


def _error_lines(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error: ")]


def test_the_batch_fails_without_any_traceback(catalogue):
    _, done = catalogue
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_input_gets_one_line_naming_file_and_problem(catalogue, name):
    _, done = catalogue
    lines = [line for line in _error_lines(done) if f"{name}.md" in line]
    assert len(lines) == 1, done.stderr
    assert EXPECTED[name] in lines[0].lower(), lines[0]


def test_duplicate_slugs_fail_naming_each_other(catalogue):
    _, done = catalogue
    lines = [line for line in _error_lines(done) if "duplicate slug" in line]
    assert len(lines) == 2
    assert all("a/doublon.md" in line and "b/doublon.md" in line for line in lines)


def test_the_good_video_is_built_as_if_alone(catalogue):
    root, _ = catalogue
    video_dir = root / "out" / "atelier-securite"
    assert (video_dir / "atelier-securite.fr.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    report = json.loads((root / "out" / "report.json").read_text(encoding="utf-8"))
    statuses = {Path(v["transcript"]).name: v["status"] for v in report["videos"]}
    assert statuses["atelier-securite.md"] == "ok"
    assert statuses["no-audio.md"] == "ok"  # no audio is a warning: proportional timing
    assert not list((root / "out").rglob("*.part"))


def test_failed_videos_leave_no_caption_files(catalogue):
    root, _ = catalogue
    for name in EXPECTED:
        folder = root / "out" / name
        assert not list(folder.glob("*.vtt")) if folder.exists() else True
