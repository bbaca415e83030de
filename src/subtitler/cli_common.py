"""What the commands share: argument types (a bad value is refused by argparse, naming the
option: exit 2) and the transcripts the command line names."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Sequence
from pathlib import Path

from .errors import SubtitlerError, UsageError

TRANSCRIPT_SUFFIXES = (".md", ".markdown")


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "must be at least 1")


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0, "must be 0 or more")


def _whole_number(text: str, least: int, rule: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{rule}, not {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, not {text}")
    return value


_SIZE_UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def byte_size(text: str) -> int:
    """``8G``, ``500M``, ``1.5G`` or a number of bytes (decimal units, a trailing B allowed)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*", text.upper())
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 8G, 500M)")
    value = int(float(match[1]) * _SIZE_UNITS[match[2]])
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be greater than 0, not {text}")
    return value


def collect_inputs(inputs: Sequence[Path]) -> list[Path]:
    """The transcripts named on the command line; a path that does not exist is a usage error."""
    inputs = list(inputs) or [Path("transcripts")]
    try:
        paths = collect_transcripts(inputs)
    except SubtitlerError as error:
        raise UsageError(error.message, error.path) from None
    if not paths:
        raise UsageError("no transcript (.md) found in " + ", ".join(map(str, inputs)))
    return paths


def collect_transcripts(inputs: Sequence[Path]) -> list[Path]:
    """Expand files and folders (recursively) into transcript paths, sorted, without repeats."""
    found: dict[Path, None] = {}
    for item in inputs:
        if item.is_dir():
            for path in sorted(item.rglob("*")):
                if path.is_file() and _is_transcript_name(path):
                    found.setdefault(path, None)
        elif item.is_file():
            found.setdefault(item, None)
        else:
            raise SubtitlerError("no such file or folder", item)
    return list(found)


def _is_transcript_name(path: Path) -> bool:
    """Markdown files found in a folder, except a folder's README (documentation, not a video)."""
    return path.suffix.lower() in TRANSCRIPT_SUFFIXES and path.stem.lower() != "readme"
