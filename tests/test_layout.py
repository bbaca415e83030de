"""The output layout: the one place that names every file under OUT (README, Output layout),
and the names a build, its manifest and the publisher agree on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from media_helpers import make_mp4
from subtitler.errors import OutputError
from subtitler.layout import OutputLayout
from subtitler.pipeline import BuildOptions, VideoJob, build_video
from subtitler.results import VideoResult

E2E = Path(__file__).resolve().parent / "fixtures" / "e2e"
SLUG = "atelier-securite"


def test_the_names_are_those_the_readme_gives(tmp_path):
    layout = OutputLayout(tmp_path)
    video = layout.video("a-b")
    assert (layout.index, layout.report, layout.publish_report) == (
        tmp_path / "index.html", tmp_path / "report.json", tmp_path / "publish-report.json")
    assert video.folder == tmp_path / "a-b"
    assert (video.caption("fr", "vtt"), video.caption("en", "srt"), video.text("fr")) == (
        "a-b.fr.vtt", "a-b.en.srt", "a-b.fr.txt")
    assert (video.qa_timeline, video.page) == ("a-b.qa.svg", "index.html")
    assert (video.manifest, video.delivery_log, video.copies) == (
        tmp_path / "a-b" / ".subtitler.json", tmp_path / "a-b" / ".published.json", tmp_path / "a-b" / "published")
    assert layout.page_href("é t") == "%C3%A9%20t/index.html" and layout.page("é t") == tmp_path / "é t" / "index.html"


@pytest.mark.parametrize("slug", ["", ".", "..", "../elsewhere", "a/b"])
def test_a_slug_that_leaves_the_output_folder_is_refused(tmp_path, slug):
    with pytest.raises(OutputError, match="would write outside the output folder"):
        OutputLayout(tmp_path / "out").video(slug)


def test_a_link_to_a_page_is_never_refused(tmp_path):
    """The index links a failed transcript by its file's stem, whatever it is."""
    assert OutputLayout(tmp_path).page("..") == tmp_path / ".." / "index.html"


def _build_sample(folder: Path) -> tuple[VideoResult, BuildOptions]:
    """The e2e transcript and a 24 s MP4 built with proportional timing into folder/out."""
    shutil.copy(E2E / f"{SLUG}.md", folder)
    (folder / "media").mkdir()
    make_mp4(folder / "media" / f"{SLUG}.mp4", 24.0)
    options = BuildOptions(out_dir=folder / "out", media_dir=folder / "media", timing="proportional",
                           download=False)
    return build_video(VideoJob(folder / f"{SLUG}.md", options)), options


def test_a_build_writes_exactly_the_files_the_layout_names_and_its_manifest_lists_them(tmp_path):
    result, options = _build_sample(tmp_path)
    assert result.status == "ok", result.error
    video = OutputLayout(options.out_dir).video(SLUG)
    named = {video.caption("fr", "vtt"), video.caption("fr", "srt"), video.text("fr"), video.qa_timeline, video.page}
    assert set(result.outputs) == named
    assert {p.name for p in video.folder.iterdir()} == named | {video.manifest.name}
    manifest = json.loads(video.manifest.read_text(encoding="utf-8"))
    assert set(manifest["output_sha256"]) == named


def test_copies_of_replaced_captions_are_named_by_time_destination_and_language(tmp_path):
    video = OutputLayout(tmp_path).video("a")
    assert video.kept_copy("20270115T080000Z", "fr") == video.copies / "20270115T080000Z.fr.vtt"
    assert video.kept_copy("20270115T080000Z", "fr", site=True, number=2) == \
        video.copies / "20270115T080000Z-2.site.fr.vtt"


def test_a_caption_file_that_does_not_read_back_fails_the_video_before_anything_is_written(tmp_path, monkeypatch):
    """webvtt-py reads every caption file before it is written (formats/readback.py)."""
    from dataclasses import replace

    from subtitler import pipeline
    from subtitler.formats import CAPTION_FORMATS

    broken = tuple(replace(fmt, write=lambda cues, write=fmt.write: write(cues).replace(" --> ", " -> ", 1))
                   if fmt.extension == "srt" else fmt for fmt in CAPTION_FORMATS)
    monkeypatch.setattr(pipeline, "CAPTION_FORMATS", broken)
    result, options = _build_sample(tmp_path)
    assert result.status == "failed"
    assert f"{SLUG}.fr.srt: webvtt-py cannot read it" in result.error and "\n" not in result.error
    assert not (tmp_path / "out" / SLUG).exists() or not any((tmp_path / "out" / SLUG).iterdir())
