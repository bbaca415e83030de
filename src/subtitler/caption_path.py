"""The transcript's ``captionFilePath`` entry, read, left out and set as lines of its front matter.

``subtitler publish --site`` fills the entry; the build hashes the transcript without it (it
reads nothing from it), so publishing neither triggers a rebuild nor makes its build look stale.

A YAML library would rewrite the whole block (key order, quoting, the corpus's odd
``description:Hameçonnage`` line, line ends), so the front matter is handled as lines: the
``captionFilePath:`` entry (its line and any indented continuation) is replaced, or a line is
added right after the ``videoEmbedSrc:`` entry, with that entry's line ending. Every other byte
stays as it was, and the edit is checked by parsing both versions: every other key must read
the same.
"""

from __future__ import annotations

import json
import re

import yaml

from .errors import FrontMatterError

KEY = "captionFilePath"
_FENCE = re.compile(rb"-{3,}[ \t]*(?:\r\n|\r|\n)?")
_BOM = b"\xef\xbb\xbf"
_PLAIN = re.compile(r"/[A-Za-z0-9._~/%+-]*")  # written as is; anything else is double-quoted


def _lines(data: bytes) -> tuple[list[bytes], int] | None:
    """The file's lines (ends kept) and the index of the closing fence; None without front matter."""
    lines = data.splitlines(keepends=True)
    if not lines or not _FENCE.fullmatch(lines[0].removeprefix(_BOM)):
        return None
    for index in range(1, len(lines)):
        if _FENCE.fullmatch(lines[index]):
            return lines, index
    return None


def _entries(lines: list[bytes], end: int, key: str) -> list[tuple[int, int]]:
    """(first, after last) line of each top-level entry ``key:`` in the front matter: its line
    and the indented lines that continue its value."""
    pattern = re.compile(re.escape(key).encode() + rb"[ \t]*:")
    found = []
    for index in range(1, end):
        if pattern.match(lines[index]):
            last = index + 1
            while last < end and lines[last][:1] in (b" ", b"\t"):
                last += 1
            found.append((index, last))
    return found


def _metadata(lines: list[bytes], end: int) -> dict:
    try:
        data = yaml.safe_load(b"".join(lines[1:end]).decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise FrontMatterError(f"the front matter is not valid YAML ({' '.join(str(error).split())[:120]})") from None
    if not isinstance(data, dict):
        raise FrontMatterError("the front matter is not a mapping of keys to values")
    return data


def caption_file_path(data: bytes) -> str | None:
    """The ``captionFilePath`` the front matter gives, None when absent or empty."""
    split = _lines(data)
    if split is None:
        return None
    value = _metadata(*split).get(KEY)
    if value is None:
        return None
    return str(value).strip() or None


def without_caption_file_path(data: bytes) -> bytes:
    """The file with its ``captionFilePath`` entry left out: what the build depends on (the
    publisher fills that entry, and nothing the build writes reads it)."""
    split = _lines(data)
    if split is None:
        return data
    lines, end = split
    drop = {index for first, last in _entries(lines, end, KEY) for index in range(first, last)}
    return b"".join(line for index, line in enumerate(lines) if index not in drop)


def set_caption_file_path(data: bytes, value: str) -> bytes:
    """The file with ``captionFilePath: <value>``: the entry replaced, or added after
    ``videoEmbedSrc``. Every other byte is kept; the same bytes when the value is already it."""
    split = _lines(data)
    if split is None:
        raise FrontMatterError("no front matter (--- lines) to hold captionFilePath")
    lines, end = split
    before = _metadata(lines, end)
    if before.get(KEY) == value:
        return data
    entries = _entries(lines, end, KEY)
    if len(entries) > 1:
        raise FrontMatterError("captionFilePath appears more than once in the front matter")
    if entries:
        first, last = entries[0]
    else:
        anchors = _entries(lines, end, "videoEmbedSrc")
        if not anchors:
            raise FrontMatterError("no videoEmbedSrc line to put captionFilePath after")
        first = last = anchors[-1][1]
    ending = _ending(lines[first if entries else first - 1])
    scalar = value if _PLAIN.fullmatch(value) else json.dumps(value, ensure_ascii=False)
    edited = [*lines[:first], f"{KEY}: {scalar}".encode() + ending, *lines[last:]]
    after = _metadata(edited, end - (last - first) + 1)
    if after.get(KEY) != value or {k: v for k, v in after.items() if k != KEY} != {
        k: v for k, v in before.items() if k != KEY
    }:
        raise FrontMatterError("setting captionFilePath would change other keys: edit it by hand")
    return b"".join(edited)


def _ending(line: bytes) -> bytes:
    for ending in (b"\r\n", b"\n", b"\r"):
        if line.endswith(ending):
            return ending
    return b"\n"
