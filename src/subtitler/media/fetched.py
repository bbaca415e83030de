"""What a download may cost and what it gave: apart from the downloading itself, so a build
that downloads nothing does not load the HTTP client (0.19 s)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DownloadLimits:
    """Bounds of one download, so a wrong or hostile URL can neither fill the disk nor hang a
    build: a size cap, an overall deadline, and a timeout between two reads."""

    max_bytes: int = 8 * 10**9
    deadline: float = 3600.0  # seconds for one download (an unfinished one resumes next run)
    read_timeout: float = 30.0  # seconds to connect, and between two bytes


@dataclass(frozen=True)
class Fetched:
    """A downloaded (or already cached) media file, and what it cost."""

    path: Path
    downloaded_bytes: int  # received by this run; 0 when the cache had it
    source: str  # the URL, without query string or credentials (see :func:`public_url`)
    note: str | None = None  # why the smallest file could not be had (a warning)
