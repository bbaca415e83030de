"""Every caption file is read back by webvtt-py before it is written: a reader subtitler does
not own, that players' and editors' pipelines use, must find the same cues at the same times.

A writer bug (a cue the text swallows, a timestamp a strict reader refuses) then fails the one
video with a clear message instead of publishing a file that players read differently. The
text is not compared: webvtt-py keeps character references (``&amp;``) as written, which
subtitler's own reader (:func:`.vtt.parse_vtt_cues`) decodes as browsers do.
"""

from __future__ import annotations

from collections.abc import Sequence

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ..model import TimedCue
from .common import CaptionFormat, milliseconds

READ_BACK = {"vtt", "srt"}
"""The caption formats webvtt-py reads (its own names for them are our extensions)."""


def read_back_times(extension: str, text: str) -> list[tuple[int, int]]:
    """The (start ms, end ms) of every cue webvtt-py reads in ``text``; ValueError when it
    cannot read the file."""
    try:
        captions = webvtt.from_buffer(text.splitlines(), format=extension, strict=True)
    except (MalformedCaptionError, MalformedFileError) as error:
        raise ValueError(f"webvtt-py cannot read it: {error}") from None
    return [
        (caption.start_time.in_milliseconds(), caption.end_time.in_milliseconds())
        for caption in captions
    ]


def check_read_back(fmt: CaptionFormat, text: str, cues: Sequence[TimedCue]) -> None:
    """Raise ValueError unless webvtt-py reads ``text`` as exactly ``cues``' times."""
    if fmt.extension not in READ_BACK:
        return
    found = read_back_times(fmt.extension, text)
    expected = [milliseconds(timed) for timed in cues]
    if found == expected:
        return
    if len(found) != len(expected):
        raise ValueError(f"webvtt-py reads {len(found)} cues in the {fmt.name} file, "
                         f"not the {len(expected)} written")
    number = next(n for n, (a, b) in enumerate(zip(found, expected), 1) if a != b)
    raise ValueError(f"webvtt-py reads cue {number} of the {fmt.name} file at "
                     f"{found[number - 1]} ms, not {expected[number - 1]} ms")
