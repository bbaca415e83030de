"""SubRip (SRT): the de facto format (caption-rules.md section 9).

Index from 1, ``HH:MM:SS,mmm`` with a comma, the text lines unescaped (SRT has no escaping
and we write no tags), a blank line after every cue as the ``srt`` library composes it, LF
line ends and no BOM.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import TimedCue
from .common import CaptionFormat, display_lines, milliseconds


def srt_timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{millis:03d}"


def write_srt(cues: Sequence[TimedCue]) -> str:
    """The SRT file for ``cues``, numbered from 1."""
    blocks = []
    for number, timed in enumerate(cues, start=1):
        start, end = milliseconds(timed)
        timing = f"{srt_timestamp(start)} --> {srt_timestamp(end)}"
        blocks.append("\n".join([str(number), timing, *display_lines(timed)]) + "\n\n")
    return "".join(blocks)


SRT = CaptionFormat(extension="srt", mime_type="application/x-subrip", name="SubRip", write=write_srt)
