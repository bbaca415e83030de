"""What a caption format is (:class:`CaptionFormat`), and what every caption writer shares:
the lines a cue shows and its times in whole milliseconds, both checked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model import TimedCue


@dataclass(frozen=True)
class CaptionFormat:
    """A caption format: its extension, MIME type, name, and a writer returning the file text."""

    extension: str  # without the dot: "vtt"
    mime_type: str
    name: str  # as people call it: "WebVTT"
    write: Callable[[Sequence[TimedCue]], str]


def display_lines(timed: TimedCue) -> list[str]:
    """The cue's text lines as a caption file can hold them.

    A line break inside a line (any that ``str.splitlines`` knows) splits it; spaces around a
    line are dropped and so are blank lines, which would end the cue; NUL becomes U+FFFD, as
    WebVTT parsers read it.
    """
    lines = [part.strip() for line in timed.cue.lines for part in line.splitlines()]
    kept = [line.replace("\0", "\ufffd") for line in lines if line]
    if not kept:
        raise ValueError(f"cue {timed.cue.index + 1} has no text to show")
    return kept


def milliseconds(timed: TimedCue) -> tuple[int, int]:
    """The cue's start and end in whole milliseconds, checked: 0 <= start < end."""
    start, end = round(timed.start * 1000), round(timed.end * 1000)
    if not 0 <= start < end:
        raise ValueError(
            f"cue {timed.cue.index + 1} has an invalid interval {timed.start}-{timed.end} s"
        )
    return start, end
