"""Typed errors: each names the file it is about and says the problem in one line."""

from __future__ import annotations

from pathlib import Path


class SubtitlerError(Exception):
    """Base of every error the CLI reports as one line (no traceback)."""

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path is not None else self.message


class TranscriptError(SubtitlerError):
    """The transcript file cannot be used (YAML, encoding, missing title or text...)."""


class NothingToCaption(TranscriptError):
    """A valid entry of the catalogue that has no speech to caption (a PDF tutorial): skipped."""


class AnchorsError(TranscriptError):
    """The editor's anchors file beside the transcript cannot be read (the video fails rather
    than lose the fixes in it)."""


class MediaError(SubtitlerError):
    """The media is missing, unreadable, has no usable stream, or is too short."""


class DownloadError(MediaError):
    """The media could not be downloaded."""


class AlignmentError(SubtitlerError):
    """Audio alignment failed as a whole (the pipeline then falls back to proportional)."""


class OutputError(SubtitlerError):
    """An output could not be written (unsafe path, disk error)."""


class PublishError(SubtitlerError):
    """A PeerTube operation failed."""


class FrontMatterError(PublishError):
    """The transcript's front matter cannot take captionFilePath without changing anything else."""


class UsageError(SubtitlerError):
    """The command was given something it cannot use (a path, an option, a configuration):
    the CLI exits with status 2."""
