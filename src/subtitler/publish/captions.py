"""The caption file as the publisher sees it: validated before upload, compared by content.

PeerTube validates nothing at upload (peertube-api.md section 3), so the file is checked here
first. Comparison is on cues (times to the millisecond and text), never on bytes: an older
caption may have been converted by the server (SRT to VTT, CRLF line ends, a different header).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SubtitlerError
from ..formats.vtt import parse_vtt_cues
from .errors import CaptionFileError

# PeerTube's own limit: CONSTRAINTS_FIELDS.VIDEO_CAPTIONS.CAPTION_FILE.FILE_SIZE.max (20 MiB).
MAX_CAPTION_BYTES = 20 * 1024 * 1024
# The recommended nginx configuration caps request bodies under /api/v1/videos at 6 MB (413).
NGINX_BODY_CAP = 6 * 1024 * 1024

_HEADER = re.compile(r"^WEBVTT(?:[ \t][^\n]*)?$")


@dataclass(frozen=True)
class CaptionCue:
    """A cue reduced to what a viewer sees: times in ms and the text, spacing normalised."""

    start_ms: int
    end_ms: int
    text: str


def cues_from_vtt(text: str) -> tuple[CaptionCue, ...]:
    """The cues of a WebVTT text, with lines stripped and runs of spaces collapsed.

    Line breaks stay significant (they are the layout); no-break spaces are kept as they are.
    """
    return tuple(
        CaptionCue(start, end, "\n".join(filter(None, (_normalise_line(line) for line in body.splitlines()))))
        for start, end, body in parse_vtt_cues(text)
    )


def _normalise_line(line: str) -> str:
    return re.sub(r"[ \t]+", " ", line).strip(" \t")


def load_caption(path: Path) -> tuple[bytes, tuple[CaptionCue, ...]]:
    """The bytes to upload and their cues, or CaptionFileError when PeerTube should not get them."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaptionFileError("caption file not found (build the captions first)", path) from None
    except OSError as error:
        raise CaptionFileError(f"cannot read: {error.strerror}", path) from None
    if len(data) > MAX_CAPTION_BYTES:
        raise CaptionFileError(f"{len(data)} bytes, over PeerTube's {MAX_CAPTION_BYTES}-byte limit", path)
    if data.startswith(b"\xef\xbb\xbf"):
        raise CaptionFileError("starts with a byte-order mark; PeerTube expects WEBVTT first", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CaptionFileError(f"not UTF-8 (byte {error.start})", path) from None
    if not _HEADER.match(text.split("\n", 1)[0].rstrip("\r")):
        raise CaptionFileError("first line is not a WEBVTT header", path)
    try:
        cues = cues_from_vtt(text)
    except (SubtitlerError, ValueError) as error:
        raise CaptionFileError(f"invalid WebVTT: {error}", path) from None
    timing_lines = sum("-->" in line for line in text.splitlines())
    if timing_lines != len(cues):
        raise CaptionFileError(f"{timing_lines - len(cues)} cue timing line(s) are not valid WebVTT", path)
    _check_timeline(cues, path)
    return data, cues


def _check_timeline(cues: tuple[CaptionCue, ...], path: Path) -> None:
    if not cues:
        raise CaptionFileError("no cue: uploading it would replace the caption with nothing", path)
    previous_start = 0
    for number, cue in enumerate(cues, start=1):
        if cue.end_ms <= cue.start_ms:
            raise CaptionFileError(f"cue {number} ends before it starts", path)
        if cue.start_ms < previous_start:
            raise CaptionFileError(f"cue {number} starts before the previous cue", path)
        if not cue.text:
            raise CaptionFileError(f"cue {number} has no text", path)
        previous_start = cue.start_ms


def count_differences(current: tuple[CaptionCue, ...], new: tuple[CaptionCue, ...]) -> int:
    """How many cues differ: the longer list's cues that difflib cannot match in the other.

    One cue inserted counts 1, not every cue after it.
    """
    matcher = difflib.SequenceMatcher(a=current, b=new, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return max(len(current), len(new)) - matched


def cues_sha256(cues: tuple[CaptionCue, ...]) -> str:
    """A hash of what viewers see (times and text): equal for two files that differ only in
    encoding details (header, line ends, spacing, hours written or not)."""
    canonical = json.dumps([[c.start_ms, c.end_ms, c.text] for c in cues], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
