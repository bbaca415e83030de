"""Anchored timing: the times an editor fixed are fixed points of the alignment.

An anchor fixes one cue edge (its start or its end) to a time. The whole media is located
first, as without anchors. An anchor that agrees with it (within ``AGREES_SECONDS``)
only pins its edge. Where an anchor disagrees, the cues on its side up to the neighbouring
anchor are located again on their own (the cues between the two anchored edges, in the
time between them), so a neighbour of the anchor is found again around it instead of
keeping the error it had; going away from the anchor, the new answer is taken until it
meets the first one again (a cue starting within ``MEETS_SECONDS`` of where it did), and
the first answer is kept from there: a piece located on its own sees less of the file
(its pace, its levels), and on real speech it moved cues the whole file had right. The
timing rules then keep the anchored times to the millisecond
(:class:`~subtitler.timing.rules.FixedEdges`).

Anchors that cannot all hold (out of the media, or too close to an earlier anchor for the
cues between them) are rejected with the reason, never moved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from ..config import CaptionConfig
from ..errors import AlignmentError
from ..model import Cue, MediaInfo, SpeechSpan
from .locator import LocatedSpeech, SpeechLocator, TimeRange
from .proportional import ProportionalLocator
from .rules import FixedEdges

AGREES_SECONDS = 0.25  # an anchored edge this close to where the whole file put it agrees
MEETS_SECONDS = 0.1  # a cue located again this close to its first start: the answers meet


class Edge(str, Enum):
    START = "start"
    END = "end"


@dataclass(frozen=True)
class CueAnchor:
    """One cue edge fixed at ``time`` seconds; ``cue`` is its position in the cue list."""

    cue: int
    edge: Edge
    time: float
    label: str = field(default="", compare=False)  # how the editor's file names it


@dataclass(frozen=True)
class AnchoredSpeech:
    located: LocatedSpeech
    fixed: dict[int, FixedEdges]  # cue position -> its anchored edges, for the timing rules
    applied: tuple[CueAnchor, ...] = ()
    rejected: tuple[tuple[CueAnchor, str], ...] = ()  # (anchor, why it was not applied)


def locate_anchored(
    locator: SpeechLocator,
    cues: Sequence[Cue],
    media: MediaInfo,
    config: CaptionConfig,
    anchors: Sequence[CueAnchor] = (),
) -> AnchoredSpeech:
    """Locate the cues with ``locator``: the whole media, then again around the anchors
    that can hold and disagree with it (see the module's doc).

    Without anchors this is exactly ``locator(cues, media, config)``. A piece the locator
    cannot align (too short, say) is spread proportionally over its time, with a warning.
    """
    whole = locator(cues, media, config)
    kept, rejected = _feasible(anchors, len(cues), media, config)
    if not kept:
        return AnchoredSpeech(whole, {}, (), tuple(rejected))
    fixed: dict[int, FixedEdges] = {}
    for anchor in kept:
        edges = fixed.get(anchor.cue, FixedEdges())
        fixed[anchor.cue] = replace(edges, **{anchor.edge.value: anchor.time})
    spans = list(whole.spans)
    parts: list[tuple[int, LocatedSpeech]] = []
    bounds = [None, *kept, None]
    for (first, stop, within), before, after in zip(_pieces(kept, len(cues), media.duration), bounds, bounds[1:]):
        from_start, from_end = _disagrees(before, whole.spans), _disagrees(after, whole.spans)
        if first == stop or not (from_start or from_end):
            continue
        edges = fixed.get(first, FixedEdges())
        if stop - first == 1 and edges.start is not None and edges.end is not None:
            spans[first] = SpeechSpan(edges.start, edges.end)  # both edges known: nothing to find
            continue
        located = _locate_piece(locator, cues[first:stop], media, config, within)
        spans[first:stop] = _around_anchors(whole.spans[first:stop], located.spans, from_start, from_end)
        parts.append((first, located))
    spans = [_pinned(span, fixed.get(k)) for k, span in enumerate(spans)]
    return AnchoredSpeech(_combined(spans, whole, parts), fixed, tuple(kept), tuple(rejected))


def _disagrees(anchor: CueAnchor | None, spans: Sequence[SpeechSpan]) -> bool:
    """The anchor is more than ``AGREES_SECONDS`` from its edge in ``spans``."""
    if anchor is None:
        return False
    span = spans[anchor.cue]
    found = span.start if anchor.edge is Edge.START else span.end
    return abs(found - anchor.time) > AGREES_SECONDS


def _around_anchors(
    first: Sequence[SpeechSpan], again: Sequence[SpeechSpan], from_start: bool, from_end: bool
) -> list[SpeechSpan]:
    """A piece's spans: ``again`` (located on its own) from each end whose anchor disagreed,
    until it meets ``first`` (the whole file's); ``first`` in between. Where the two meet,
    a span of ``first`` ends before the next span of ``again`` begins."""
    count = len(first)
    take_again = [False] * count
    meets = lambda k: abs(again[k].start - first[k].start) <= MEETS_SECONDS  # noqa: E731
    if from_start:
        for k in range(count):
            if meets(k):
                break
            take_again[k] = True
    if from_end:
        for k in reversed(range(count)):
            if meets(k):
                break
            take_again[k] = True
    out = [again[k] if take_again[k] else first[k] for k in range(count)]
    for k in range(count - 1):
        if not take_again[k] and take_again[k + 1] and out[k].end > out[k + 1].start:
            out[k] = replace(out[k], end=max(out[k].start, out[k + 1].start))
    return out


def _feasible(
    anchors: Sequence[CueAnchor], count: int, media: MediaInfo, config: CaptionConfig
) -> tuple[list[CueAnchor], list[tuple[CueAnchor, str]]]:
    """The anchors in cue order that leave each cue at least a frame and each gap its
    minimum (the first of two that conflict wins); the others with the reason."""
    rate = media.fps if media.fps and media.fps > 0 else config.default_fps
    frame = math.ceil(1000 / rate) / 1000
    gap = math.ceil(round(config.min_gap(media.fps) * 1000, 6)) / 1000
    kept: list[CueAnchor] = []
    rejected: list[tuple[CueAnchor, str]] = []
    first, last = CueAnchor(0, Edge.START, 0.0), CueAnchor(count - 1, Edge.END, media.duration)
    for anchor in sorted(anchors, key=lambda a: (a.cue, _position(a))):
        if not 0 <= anchor.cue < count:
            rejected.append((anchor, "its cue does not exist"))
        elif not (_room(first, anchor, frame, gap) <= anchor.time
                  <= media.duration - _room(anchor, last, frame, gap)):
            rejected.append((anchor, f"{anchor.time:.3f} s leaves no room in the media "
                                     f"(0-{media.duration:.3f} s) for the cues before or after it"))
        elif kept and _position(kept[-1]) == _position(anchor):
            rejected.append((anchor, "the same edge is anchored twice"))
        elif kept and anchor.time - kept[-1].time < _room(kept[-1], anchor, frame, gap) - 1e-9:
            rejected.append((anchor, f"too close after the anchor at {kept[-1].time:.3f} s "
                                     "for the cues between them"))
        else:
            kept.append(anchor)
    return kept, rejected


def _position(anchor: CueAnchor) -> int:
    """Edges in time order: start of cue 0, end of cue 0, start of cue 1..."""
    return 2 * anchor.cue + (1 if anchor.edge is Edge.END else 0)


def _room(before: CueAnchor, after: CueAnchor, frame: float, gap: float) -> float:
    """Least time between two edges: a frame for each cue, the gap between cues."""
    steps = range(_position(before), _position(after))
    return sum(frame if step % 2 == 0 else gap for step in steps)


def _pieces(
    kept: Sequence[CueAnchor], count: int, duration: float
) -> list[tuple[int, int, TimeRange]]:
    """(first cue, stop, time range) of each piece between consecutive anchored edges."""
    cuts = [(0, 0.0)] + [(a.cue + (a.edge is Edge.END), a.time) for a in kept] + [(count, duration)]
    return [(c0, c1, TimeRange(t0, t1)) for (c0, t0), (c1, t1) in zip(cuts, cuts[1:])]


def _locate_piece(
    locator: SpeechLocator, cues: Sequence[Cue], media: MediaInfo, config: CaptionConfig,
    within: TimeRange,
) -> LocatedSpeech:
    try:
        return locator(cues, media, config, within)
    except AlignmentError as error:
        spread = ProportionalLocator()(cues, media, config, within)
        note = (f"cues #{cues[0].index + 1}-#{cues[-1].index + 1} between anchors "
                f"({within.start:.3f}-{within.end:.3f} s) could not be aligned "
                f"({error.message}): spread proportionally")
        return replace(spread, warnings=(note,))


def _pinned(span: SpeechSpan, edges: FixedEdges | None) -> SpeechSpan:
    """The span with its anchored edges in place (the other edge kept on their side)."""
    if edges is None:
        return span
    start = span.start if edges.start is None else edges.start
    end = span.end if edges.end is None else edges.end
    if edges.end is not None:
        start = min(start, end)
    return replace(span, start=start, end=max(end, start))


def _combined(
    spans: Sequence[SpeechSpan], whole: LocatedSpeech, parts: Sequence[tuple[int, LocatedSpeech]]
) -> LocatedSpeech:
    """One answer: the spans chosen, the whole file's speech and music, every warning once."""
    methods = sorted({whole.method, *(located.method for _, located in parts)})
    warnings = list(dict.fromkeys([*whole.warnings, *(w for _, located in parts for w in located.warnings)]))
    return LocatedSpeech(tuple(spans), "+".join(methods), tuple(warnings), whole.music, whole.speech)
