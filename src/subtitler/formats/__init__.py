"""Output formats, one module each, registered by file extension (as pysubs2 does)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model import TimedCue


@dataclass(frozen=True)
class CaptionFormat:
    """A caption format: its extension, MIME type, and a writer returning the file text."""

    extension: str  # without the dot: "vtt"
    mime_type: str
    write: Callable[[Sequence[TimedCue]], str]


FORMATS: dict[str, CaptionFormat] = {}


def register(fmt: CaptionFormat) -> CaptionFormat:
    FORMATS[fmt.extension] = fmt
    return fmt


def get_format(extension: str) -> CaptionFormat:
    _load_builtin_formats()
    return FORMATS[extension]


def format_names() -> list[str]:
    _load_builtin_formats()
    return sorted(FORMATS)


def _load_builtin_formats() -> None:
    from . import srt, vtt  # noqa: F401
