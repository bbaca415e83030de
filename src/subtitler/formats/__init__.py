"""Caption formats, one module each (as pysubs2 has them): the registry below says which are
written, in which order, and the MIME type and name the page shows for each.

- :mod:`.common`: :class:`~.common.CaptionFormat`, and what the writers share;
- :mod:`.vtt`: WebVTT, written and read (the publisher reads what PeerTube serves);
- :mod:`.srt`: SubRip;
- :mod:`.text`: the plain-text transcript (not a caption format: built from the transcript).
"""

from __future__ import annotations

from .common import CaptionFormat
from .srt import SRT
from .vtt import VTT

CAPTION_FORMATS: tuple[CaptionFormat, ...] = (VTT, SRT)
"""Every caption file a build writes, in this order. WebVTT is the page's caption track and
what ``subtitler publish`` delivers."""


def get_format(extension: str) -> CaptionFormat:
    """The format of that extension ("vtt"); KeyError for one that is not written."""
    return {fmt.extension: fmt for fmt in CAPTION_FORMATS}[extension]


def format_names() -> list[str]:
    return sorted(fmt.extension for fmt in CAPTION_FORMATS)
