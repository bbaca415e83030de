"""Shared fixtures: the real corpus beside the repository (skipped with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared corpus is not beside this clone")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    corpus = shared_dir / "corpus" / "pix-tutos"
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is absent")
    return corpus


@pytest.fixture(scope="session")
def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(corpus_dir.glob("*/*.md"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def corpus_transcripts(corpus_files: list[Path]) -> list:
    """Every corpus transcript that loads (PDF tutorials and empty ones are refused), loaded once."""
    from subtitler.errors import TranscriptError
    from subtitler.transcript import load_transcript

    loaded = []
    for path in corpus_files:
        try:
            loaded.append(load_transcript(path))
        except TranscriptError:
            continue
    return loaded
