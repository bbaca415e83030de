"""The Nu Html Checker (vnu.jar) finds no error in the pages of the whole corpus."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from html_helpers import fake_timed_cues, sample_transcript, sentence_timed_cues, with_sound_notes
from subtitler.layout import OutputLayout
from subtitler.errors import TranscriptError
from subtitler.html import IndexEntry, VideoFiles, write_index, write_video_page
from subtitler.transcript import load_transcript

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def files_for(slug: str) -> VideoFiles:
    return VideoFiles.of(OutputLayout(Path("out")).video(slug), "fr", captions=True, qa_timeline=True)


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is not installed: the Nu Html Checker cannot run")
    if not VNU.is_file():
        pytest.skip(f"{VNU} is absent: run `npm install` (package vnu-jar)")
    # C1-only JIT halves the checker's CPU time on a short run; it needs a deeper stack.
    return [java, "-Xss16m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU), "--errors-only",
            "--format", "json"]


@pytest.fixture(scope="module")
def corpus_site(corpus_files, tmp_path_factory):
    """Every corpus transcript's page (one cue per sentence), the sample's variants, the index."""
    out = tmp_path_factory.mktemp("site")
    entries, pages = [], []
    for path in corpus_files:
        try:
            transcript = load_transcript(path)
        except TranscriptError as error:
            entries.append(IndexEntry(path.stem, path.stem, None, "failed", str(error)))
            continue
        cues = sentence_timed_cues(transcript)
        pages.append(write_video_page(transcript, cues, files_for(transcript.slug), OutputLayout(out)))
        entries.append(IndexEntry(transcript.slug, transcript.title, transcript.area, "ok", None,
                                  f"{transcript.slug}/index.html", len(cues),
                                  cues[-1].end if cues else None))
    sample = sample_transcript()
    for variant, embed in (("peertube", sample.video_embed_src),
                           ("mp4", "https://videos.example.org/v.mp4"), ("none", None)):
        transcript = replace(sample, slug=f"sample-{variant}", video_embed_src=embed)
        pages.append(write_video_page(transcript, fake_timed_cues(transcript), files_for(variant), OutputLayout(out)))
    for variant, embed in (("music", sample.video_embed_src), ("music-none", None)):  # sound notes
        transcript = replace(sample, slug=f"sample-{variant}", video_embed_src=embed)
        cues = with_sound_notes([t.cue for t in fake_timed_cues(transcript)])
        pages.append(write_video_page(transcript, cues, files_for(variant), OutputLayout(out)))
    pages.append(write_index(entries, OutputLayout(out)))
    return pages, entries


def test_every_corpus_transcript_gets_a_page_or_a_failed_index_entry(corpus_files, corpus_site):
    pages, entries = corpus_site
    assert len(entries) == len(corpus_files) == 106
    failed = [e for e in entries if e.status == "failed"]
    assert len(pages) == len(corpus_files) - len(failed) + 6  # + 5 sample variants + the index
    assert len(pages) - 6 >= 100, [e.message for e in failed]  # the check covers the corpus


def test_the_nu_html_checker_finds_no_error_in_the_pages_of_the_whole_corpus(vnu, corpus_site):
    pages, _ = corpus_site
    run = subprocess.run([*vnu, *map(str, pages)], capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(run.stderr or run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the checker did not report (exit {run.returncode}): {run.stdout}{run.stderr}")
    errors = [f"{m.get('url', '?').rsplit('/', 2)[-2]}:{m.get('lastLine')}: {m['message']}"
              for m in report["messages"]]
    assert errors == [], "\n".join(errors[:20])
