"""The whole real corpus, built by the CLI, checked cue by cue by an independent checker.

Every transcript of ``../shared/corpus/pix-tutos`` that has speech is built with
``--timing proportional`` against a stand-in: silent audio as long as its spoken words take
at 2.6 words per second (the hand-timed captions of the corpus run at 2.5-3.1), plus the
1 s lead-in and tail the proportional timing assumes. ``benchmarks/caption_check.py``, written
from ``shared/reference/caption-rules.md`` without importing subtitler, reads the WebVTT files.
Audio timing gets the same check in ``benchmarks/batch_corpus.py`` (narrated stand-ins).
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from media_helpers import make_silent_audio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.caption_check import (  # noqa: E402
    Rule,
    check_file,
    markdown_header,
    markdown_row,
    summarise,
)

WORDS_PER_SECOND = 2.6
LEAD_IN_AND_TAIL = 2.0


@pytest.fixture(scope="module")
def corpus_build(corpus_dir: Path, corpus_transcripts: list, tmp_path_factory) -> Path:
    media = tmp_path_factory.mktemp("stand-in-media")

    def stand_in(transcript) -> None:
        words = sum(len(block.text.split()) for _, block in transcript.spoken_blocks)
        make_silent_audio(media / f"{transcript.slug}.m4a",
                          words / WORDS_PER_SECOND + LEAD_IN_AND_TAIL)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(stand_in, corpus_transcripts))
    out = tmp_path_factory.mktemp("corpus-out")
    subprocess.run(
        [sys.executable, "-m", "subtitler", "build", str(corpus_dir), "--media", str(media),
         "--out", str(out), "--timing", "proportional", "--no-html", "--no-download", "--quiet",
         "--jobs", "2"],
        check=False, capture_output=True, text=True,
    )
    return out


@pytest.mark.slow
def test_the_whole_corpus_breaks_no_caption_rule(corpus_build: Path, corpus_transcripts) -> None:
    files = sorted(corpus_build.glob("*/*.fr.vtt"))
    assert len(files) == len(corpus_transcripts)  # every transcript with speech is captioned
    checks = [check_file(path) for path in files]
    summary = summarise(checks)
    print(f"\n{markdown_header()}\n{markdown_row('corpus, proportional timing', summary)}")
    found = [f"{c.path.name}: cue {v.cue}: {v.rule.value}: {v.detail}"
             for c in checks for v in c.violations]
    assert summary.violations == {rule: 0 for rule in Rule}, "\n".join(found[:40])
    assert summary.cps_shares[20.0] >= 97.0
