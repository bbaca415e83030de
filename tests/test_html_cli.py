"""`subtitler build` on a hostile front matter: the page's policy cannot be written into."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from media_helpers import make_mp4

REPO = Path(__file__).resolve().parents[1]
HOSTILE = "https://a.example;connect-src * ;media-src */videos/embed/abc"
GOOD = "https://tube.example.org/videos/embed/0b7c2f43-2c1e-4d7a-9f0e-3c0a1d2e4f5a"


def _transcript(folder: Path, slug: str, embed: str) -> None:
    (folder / "transcripts" / f"{slug}.md").write_text(
        f"---\ntitle: Vidéo {slug}\nvideoEmbedSrc: '{embed}'\n---\n\n# Transcription\n\n"
        "Bonjour à tous. Aujourd’hui, nous parlons des mots de passe.\n", encoding="utf-8")
    make_mp4(folder / "media" / f"{slug}.mp4", 6.0)


def test_a_video_url_that_would_rewrite_the_page_policy_is_one_error_and_the_batch_goes_on(tmp_path):
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "media").mkdir()
    _transcript(tmp_path, "piegee", HOSTILE)
    _transcript(tmp_path, "saine", GOOD)
    run = subprocess.run(
        [sys.executable, "-m", "subtitler", "build", "--timing", "proportional", "--jobs", "1",
         "--quiet"],
        cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO / "src")),
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert "transcripts/piegee.md: videoEmbedSrc is not a usable video URL" in lines[0]
    pages = sorted((tmp_path / "output").rglob("index.html"))
    assert (tmp_path / "output" / "saine" / "index.html") in pages
    assert not (tmp_path / "output" / "piegee").exists()  # refused before any work: nothing written
    assert all("connect-src" not in page.read_text(encoding="utf-8") for page in pages)


def test_the_page_links_the_video_file_without_credentials_or_query_string(tmp_path):
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "media").mkdir()
    _transcript(tmp_path, "signee", GOOD)
    path = tmp_path / "transcripts" / "signee.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "videoEmbedSrc:", "videoDownloadHref: 'https://user:secret@cdn.example/v.mp4?X-Amz-Signature=abc'\nvideoEmbedSrc:"),
        encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "subtitler", "build", "--timing", "proportional", "--jobs", "1", "--quiet"],
        cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO / "src")),
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "output" / "signee" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://cdn.example/v.mp4"' in page
    assert "secret" not in page and "X-Amz-Signature" not in page
