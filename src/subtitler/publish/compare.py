"""Two captions of one video measured on the caption rules, so an editor can choose between a
hand-made caption and ours: how many cues break each rule, and how fast they must be read."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from ..config import CaptionConfig
from .captions import CaptionCue


@dataclass(frozen=True)
class CaptionFigures:
    """What a caption file is like, by the rules of ``CaptionConfig`` (caption-rules.md §10)."""

    cues: int
    empty_cues: int  # no text: nothing to read
    too_many_lines: int  # cues over max_lines lines
    long_lines: int  # lines over max_line_chars characters
    too_fast: int  # cues over max_cps characters per second
    too_short: int  # cues shown less than min_duration
    too_long: int  # cues shown more than max_duration
    too_close: int  # cues starting less than min_gap after the previous one ends (or overlapping)
    violations: int  # the sum of the six rule counts above
    cps_median: float
    cps_max: float

    def as_dict(self) -> dict:
        return asdict(self)


def caption_figures(cues: Sequence[CaptionCue], config: CaptionConfig = CaptionConfig()) -> CaptionFigures:
    """Count each rule's breaches; reading speed is characters (line breaks not counted) per
    second on screen, as the build's report counts it."""
    rates = []
    counts = dict(empty=0, lines=0, long=0, fast=0, short=0, long_cue=0, close=0)
    gap = config.min_gap(None)
    previous_end = None
    for cue in cues:
        lines = [line for line in cue.text.split("\n") if line]
        seconds = (cue.end_ms - cue.start_ms) / 1000
        chars = sum(len(line) for line in lines)
        if not lines:
            counts["empty"] += 1
        counts["lines"] += len(lines) > config.max_lines
        counts["long"] += sum(len(line) > config.max_line_chars for line in lines)
        if seconds > 0 and chars:
            rates.append(chars / seconds)
            counts["fast"] += chars / seconds > config.max_cps
        counts["short"] += seconds < config.min_duration
        counts["long_cue"] += seconds > config.max_duration
        if previous_end is not None and (cue.start_ms - previous_end) / 1000 < gap - 1e-9:
            counts["close"] += 1
        previous_end = cue.end_ms
    rules = ("lines", "long", "fast", "short", "long_cue", "close")
    return CaptionFigures(
        cues=len(cues),
        empty_cues=counts["empty"],
        too_many_lines=counts["lines"],
        long_lines=counts["long"],
        too_fast=counts["fast"],
        too_short=counts["short"],
        too_long=counts["long_cue"],
        too_close=counts["close"],
        violations=sum(counts[rule] for rule in rules),
        cps_median=round(statistics.median(rates), 2) if rates else 0.0,
        cps_max=round(max(rates), 2) if rates else 0.0,
    )


def summary(ours: CaptionFigures, theirs: CaptionFigures) -> str:
    """One clause for the video's line: both captions' rule breaches and reading speed."""
    return (f"theirs: {theirs.cues} cues, {theirs.violations} rule breaches, {theirs.cps_median:g} cps median; "
            f"ours: {ours.cues} cues, {ours.violations} rule breaches, {ours.cps_median:g} cps median")
