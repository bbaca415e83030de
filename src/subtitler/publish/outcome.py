"""What publishing one transcript did: its status, target, and the caption at the
destination before and after, as the run's lines and publish-report.json show them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Status(str, Enum):
    UPLOADED = "uploaded"  # to PeerTube
    WRITTEN = "written"  # to the site
    WOULD_UPLOAD = "would upload"  # --dry-run
    WOULD_WRITE = "would write"  # --dry-run
    UNCHANGED = "unchanged"
    KEPT = "kept"  # a caption someone else made is left in place (not asked to replace it)
    SKIPPED = "skipped"
    FAILED = "failed"


class Target(str, Enum):
    PEERTUBE = "peertube"
    SITE = "site"


@dataclass(frozen=True)
class CaptionState:
    """A caption found at a destination, before or after the run."""

    cues: int
    sha256: str  # PeerTube: of its cues (times and text), or of its bytes when not WebVTT; site: of the file
    by_subtitler: bool  # what this tool delivered there last
    automatic: bool = False  # made by PeerTube's transcription


@dataclass(frozen=True)
class VideoOutcome:
    """What publishing one transcript did, and why: a line of output, an entry of the report."""

    transcript: Path
    slug: str | None
    status: Status
    message: str
    target: Target | None = None
    destination: str | None = None  # the PeerTube video URL (no query string), or the site file
    before: CaptionState | None = None
    after: CaptionState | None = None
    copy: Path | None = None  # where the replaced caption was kept
    time: str = ""
    comparison: dict | None = None  # a caption someone else made, and ours, on the caption rules
