"""WebVTT: a writer that escapes the cue text, and a reader for the files PeerTube serves.

The writer follows caption-rules.md section 8: no BOM (PeerTube checks that the file starts
with ``WEBVTT``), integer cue ids, timestamps always with hours, ``&``, ``<`` and ``>``
escaped (neither webvtt-py, aeneas nor Whisper escape, so a caption showing ``a < b`` or
``-->`` breaks their files), no blank line inside a cue, LF line ends, a final newline.
A speaker named by a transcript's speaker label gets a voice span (``<v Name>``, section 8:
the speaker marked semantically, the visible dash still there); one per line in a dialogue.
A music cue is in the magenta class (CSA: music in magenta; the ♪ says it without colour).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..model import CueKind, TimedCue
from .common import CaptionFormat, display_lines, milliseconds

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def vtt_timestamp(ms: int) -> str:
    """``hh:mm:ss.ttt``: the hours are always written (hours may exceed 99)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def escape_cue_text(text: str) -> str:
    """Escape what the WebVTT cue text parser would read as markup (``-->`` cannot survive)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _with_voices(timed: TimedCue, lines: list[str]) -> list[str]:
    """The lines with the cue's speakers as voice spans: the whole cue, or one per line of a
    dialogue cue (a span ends with its line)."""
    voices = timed.cue.voices
    if not any(voices):
        return lines
    if len(voices) == 1 or len(voices) != len(lines):
        return [_voice(voices[0]) + lines[0], *lines[1:]] if voices[0] else lines
    return [_voice(v) + line + ("</v>" if v else "") for v, line in zip(voices, lines)]


def _voice(name: str | None) -> str:
    return f"<v {escape_cue_text(' '.join(name.split()))}>" if name else ""


def write_vtt(cues: Sequence[TimedCue]) -> str:
    """The WebVTT file for ``cues``, numbered from 1."""
    blocks = ["WEBVTT"]
    for number, timed in enumerate(cues, start=1):
        start, end = milliseconds(timed)
        lines = _with_voices(timed, [escape_cue_text(line) for line in display_lines(timed)])
        if timed.cue.kind is CueKind.MUSIC:  # music in magenta (caption-rules.md, CSA 9)
            lines = [f"<c.magenta>{line}</c>" for line in lines]
        timing = f"{vtt_timestamp(start)} --> {vtt_timestamp(end)}"
        blocks.append("\n".join([str(number), timing, *lines]))
    return "\n\n".join(blocks) + "\n"


_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^[ \t\f]*{_TIMESTAMP}[ \t\f]*-->[ \t\f]*{_TIMESTAMP}(?:\D.*)?$")
_TAG = re.compile(r"<[^>]*(?:>|\Z)")
_HEADER_BLOCK = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")


def parse_vtt_cues(text: str) -> list[tuple[int, int, str]]:
    """The cues of a WebVTT file as (start ms, end ms, plain text), in file order.

    Follows the W3C parsing rules far enough for the files PeerTube serves and for ours:
    optional BOM, hours and cue ids; NOTE, STYLE and REGION blocks and cue settings
    ignored; a cue with a bad timing line skipped; tags stripped and character
    references decoded. Raises ``ValueError`` when the text is not WebVTT.
    """
    text = text.removeprefix("\ufeff").replace("\0", "\ufffd")
    lines = _LINE_BREAK.split(text)
    if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0]):
        raise ValueError("not a WebVTT file: the first line is not WEBVTT")
    cues: list[tuple[int, int, str]] = []
    position = 1
    while position < len(lines) and lines[position] and "-->" not in lines[position]:
        position += 1  # header lines
    while position < len(lines):
        while position < len(lines) and not lines[position]:
            position += 1
        if position >= len(lines):
            break
        block_start = position
        if "-->" not in lines[position]:
            if _HEADER_BLOCK.match(lines[position]):
                position = _skip_block(lines, position)
                continue
            position += 1  # a cue identifier
        if position >= len(lines) or "-->" not in lines[position]:
            position = _skip_block(lines, max(position, block_start + 1))
            continue
        timing = _TIMING.match(lines[position])
        position += 1
        payload: list[str] = []
        while position < len(lines) and lines[position] and "-->" not in lines[position]:
            payload.append(lines[position])
            position += 1
        if timing:
            groups = timing.groups()
            start, end = _milliseconds(groups[:4]), _milliseconds(groups[4:])
            cues.append((start, end, html.unescape(_TAG.sub("", "\n".join(payload)))))
    return cues


def _skip_block(lines: list[str], position: int) -> int:
    while position < len(lines) and lines[position]:
        position += 1
    return position


def _milliseconds(groups: Sequence[str | None]) -> int:
    hours, minutes, seconds, millis = (int(g) if g else 0 for g in groups)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


VTT = CaptionFormat(extension="vtt", mime_type="text/vtt", name="WebVTT", write=write_vtt)
