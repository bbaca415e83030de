"""The caption timing rules: from where each cue is spoken to when it is on screen.

Priorities, highest first, when the rules conflict (caption-rules.md sections 2, 3 and 10):

1. the cues fit inside the media, in order, never overlap, and are at least
   ``config.min_gap(fps)`` apart; every cue lasts at least one frame and at most
   ``max_duration`` (a cue whose speech lasts longer leaves before its last word);
2. a cue lasts at least ``min_duration``: into the pause after its speech, up to
   ``max_early`` before its first word, and then, when its neighbours are longer than
   ``min_duration``, by taking from them while every cue stays within ``in_time`` of its
   speech (the next cue appears later, this one earlier: into free time, then the
   previous one leaves earlier), and then out of time if it must; a cue whose text was not
   heard, its time a guess, only appears earlier (a heard cue is never made late for it),
   and cues not heard in a row share their time evenly; a cue squeezed between neighbours
   that cannot spare time stays shorter;
3. a cue starts when its first word is said (never after it; before it only to reach
   ``min_duration``);
4. a cue stays until its last word is said;
5. a cue stays long enough to be read at ``target_cps``, into the pause after its speech up
   to the next cue's start less the gap, and lingers ``max_linger`` after its speech when
   the next cue leaves room.

An edge an editor fixed (an anchor, :class:`FixedEdges`) is kept to the millisecond: it
outranks rules 2-5, and the cues around it make room for it; only rule 1 can move it, when
the fixed edges cannot all be kept (then none is).

A lower rule gives way to a higher one, and the cue gets a flag saying which rule gave way
(:class:`~subtitler.model.Flag`). Lingering closes short pauses: a cue followed by the next within
``max_linger`` runs until the minimum gap before it, as Netflix asks for gaps under 12 frames.
All arithmetic is in integer milliseconds (gap and frame rounded up), so the output times
are exact millisecond values and the gap and order invariants hold exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..config import CaptionConfig
from ..errors import MediaError
from ..model import Cue, CueFlag, Doubt, Flag, SpeechSpan, TimedCue

_NEXT, _EARLIER = "next", "earlier"  # who lends a short cue time: the next cue, or the time before it


@dataclass(frozen=True)
class FixedEdges:
    """A cue's start and/or end as an editor fixed them (seconds; None: not fixed)."""

    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class _Slot:
    """A cue's speech in milliseconds, clamped to the media."""

    onset: int
    offset: int
    clamped: bool


def apply_timing_rules(
    cues: Sequence[Cue],
    spans: Sequence[SpeechSpan],
    media_duration: float,
    fps: float | None,
    config: CaptionConfig,
    fixed: Mapping[int, FixedEdges] | None = None,
) -> list[TimedCue]:
    """Give each cue an on-screen interval from its speech span, obeying the rules above;
    ``fixed`` maps a cue's position to the edges an editor fixed.

    Raises :class:`MediaError` when the media is too short to show every cue for one frame
    with the minimum gap between them, and ``ValueError`` when ``spans`` does not match
    ``cues`` or holds a time that is not a finite number.
    """
    if len(cues) != len(spans):
        raise ValueError(f"{len(cues)} cues but {len(spans)} speech spans")
    if not cues:
        return []
    for span in spans:
        if not (math.isfinite(span.start) and math.isfinite(span.end)):
            raise ValueError(f"speech span with a time that is not a number: {span}")
    rate = fps if fps and fps > 0 else config.default_fps
    frame = math.ceil(1000 / rate)
    gap = math.ceil(round(config.min_gap(fps) * 1000, 6))
    media_end = _media_end_ms(media_duration)
    count = len(cues)
    if count * frame + (count - 1) * gap > media_end:
        raise MediaError(
            f"media is {media_duration:.3f} s long: too short to show {count} cues "
            f"(at least {(count * frame + (count - 1) * gap) / 1000:.3f} s needed)"
        )

    slots = [_slot(span, media_end) for span in spans]
    pins = {i: (_ms(edges.start), _ms(edges.end)) for i, edges in (fixed or {}).items()}
    first_starts = _starts(slots, frame, gap, media_end, pins)
    if not _room_for(pins, first_starts, frame, gap, media_end):
        pins = {}  # the fixed edges leave too little room: rule 1 first
        first_starts = _starts(slots, frame, gap, media_end, pins)
    starts = list(first_starts)
    ends = [0] * count
    shortest = round(config.min_duration * 1000)
    longest = round(config.max_duration * 1000)
    tolerance = round(config.in_time * 1000)

    def pinned(i: int, edge: int) -> bool:
        return pins.get(i, (None, None))[edge] is not None

    for i, (cue, slot, span) in enumerate(zip(cues, slots, spans)):
        limit = starts[i + 1] - gap if i + 1 < count else media_end
        if pinned(i, 1):
            end = min(max(pins[i][1], starts[i] + frame), limit)  # type: ignore[type-var]
        else:
            end = _end(starts[i], slot, limit, _needed_ms(cue, config), frame, config)
        if end - starts[i] < shortest and not pinned(i, 0):
            # Room before the cue: appear up to max_early ahead of the first word, only as
            # much as the minimum duration needs (reading time never moves a start).
            earliest = max(
                slot.onset - round(config.max_early * 1000),
                0 if i == 0 else ends[i - 1] + gap,
                end - shortest,
            )
            starts[i] = min(starts[i], earliest)
        # The time still missing is lent, in this order, while it keeps the cues in time: the
        # next cue appears up to in_time later, this one up to in_time early; then the next
        # one later still, then this one earlier. A cue whose text was not heard has a guessed
        # time: it only appears earlier, so a heard cue is never made late for it (cues not
        # heard in a row then share their time, below).
        lenders = (
            ((_NEXT, tolerance), (_EARLIER, tolerance), (_NEXT, None), (_EARLIER, None))
            if span.found else ((_EARLIER, None),)
        )
        for lender, bound in lenders:
            missing = shortest - (end - starts[i])
            if missing <= 0:
                break
            if lender is _NEXT and i + 1 < count and not pinned(i + 1, 0) and not pinned(i, 1):
                # The next cue appears later, keeping min_duration before its own limit.
                following_limit = starts[i + 2] - gap if i + 2 < count else media_end
                delay = min(missing, following_limit - shortest - starts[i + 1], longest - (end - starts[i]))
                if bound is not None:
                    delay = min(delay, slots[i + 1].onset + bound - starts[i + 1])
                if delay > 0:
                    starts[i + 1] += delay
                    end = min(end + delay, starts[i + 1] - gap)
            elif lender is _EARLIER and not pinned(i, 0):
                # This cue appears earlier: into free time, then the previous cue leaves
                # earlier (keeping min_duration).
                amount = missing if bound is None else min(missing, starts[i] - (slot.onset - bound))
                free = starts[i] - (ends[i - 1] + gap if i > 0 else 0)
                used = max(0, min(amount, free))
                starts[i] -= used
                amount -= used
                if amount > 0 and i > 0 and not pinned(i - 1, 1):
                    take = min(amount, ends[i - 1] - starts[i - 1] - shortest)
                    if take > 0:
                        ends[i - 1] -= take
                        starts[i] -= take
        ends[i] = end
    _share_unheard_runs(spans, slots, starts, ends, pinned, shortest, longest, gap)
    return [
        TimedCue(
            cue=cue,
            start=starts[i] / 1000,
            end=ends[i] / 1000,
            speech=span,
            flags=_flags(cue, span, slot, starts[i], ends[i], first_starts[i], config),
        )
        for i, (cue, span, slot) in enumerate(zip(cues, spans, slots))
    ]


def _share_unheard_runs(
    spans: Sequence[SpeechSpan],
    slots: Sequence[_Slot],
    starts: list[int],
    ends: list[int],
    pinned: Callable[[int, int], bool],
    shortest: int,
    longest: int,
    gap: int,
) -> None:
    """Cues in a row whose text was not heard (a passage written but not said) share the
    time they got evenly, with what the heard cue before them shows after its words (down to
    its minimum duration): taken one after the other, the first ones got the minimum duration
    and a later one 40 ms (dropped-sentences). Their times are guesses, so none is favoured."""
    count = len(spans)
    i = 0
    while i < count:
        if spans[i].found:
            i += 1
            continue
        j = i
        while j + 1 < count and not spans[j + 1].found:
            j += 1
        run = range(i, j + 1)
        first, last, i = run[0], run[-1], j + 1
        if min(ends[k] - starts[k] for k in run) >= shortest or any(pinned(k, 0) or pinned(k, 1) for k in run):
            continue
        low = min(starts[first], ends[first - 1] + gap) if first > 0 else starts[first]  # free time first
        deficit = len(run) * shortest + gap * (len(run) - 1) - (ends[last] - low)
        if deficit > 0 and first > 0 and spans[first - 1].found and not pinned(first - 1, 1):
            spare = ends[first - 1] - max(slots[first - 1].offset, starts[first - 1] + shortest)
            low -= max(0, min(spare, deficit))
        each = min(longest, (ends[last] - low - gap * (len(run) - 1)) // len(run))
        if each <= min(ends[k] - starts[k] for k in run):
            continue
        if first > 0 and low - gap < ends[first - 1]:
            ends[first - 1] = low - gap
        for k in run:
            starts[k] = low
            ends[k] = low + each if k < last else min(ends[last], low + longest)
            low = ends[k] + gap


def _media_end_ms(media_duration: float) -> int:
    """The last whole millisecond inside the media (never after ``media_duration``)."""
    if not math.isfinite(media_duration) or media_duration <= 0:
        return 0
    end = math.floor(media_duration * 1000)
    return end - 1 if end / 1000 > media_duration else end


def _slot(span: SpeechSpan, media_end: int) -> _Slot:
    onset = round(span.start * 1000)
    offset = max(round(span.end * 1000), onset)
    clamped = offset > media_end
    return _Slot(
        onset=min(max(onset, 0), media_end),
        offset=min(max(offset, 0), media_end),
        clamped=clamped,
    )


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


def _starts(
    slots: Sequence[_Slot],
    frame: int,
    gap: int,
    media_end: int,
    pins: Mapping[int, tuple[int | None, int | None]],
) -> list[int]:
    """Start of each cue at its speech onset (or its fixed start), pushed later only to keep
    order and gaps (after a fixed end too), and earlier only so every later cue still fits
    before the media ends and before the next fixed start (one frame each)."""
    count = len(slots)
    latest = [0] * count
    bound = media_end + gap  # where a cue after the last one would start
    for i in reversed(range(count)):
        pin_start, pin_end = pins.get(i, (None, None))
        limits = [bound - gap - frame]
        if pin_start is not None:
            limits.append(pin_start)
        if pin_end is not None:
            limits.append(pin_end - frame)
        bound = latest[i] = min(limits)
    starts: list[int] = []
    for i, slot in enumerate(slots):
        earliest = 0 if not starts else starts[-1] + frame + gap
        previous_end = pins.get(i - 1, (None, None))[1]
        if previous_end is not None:
            earliest = max(earliest, previous_end + gap)
        wanted = pins.get(i, (None, None))[0]
        starts.append(min(max(slot.onset if wanted is None else wanted, earliest), latest[i]))
    return starts


def _room_for(
    pins: Mapping[int, tuple[int | None, int | None]], starts: Sequence[int], frame: int, gap: int,
    media_end: int,
) -> bool:
    """Every cue has its frame and gap with the fixed edges where they are."""
    bounds = [*starts[1:], media_end + gap]
    if starts[0] < 0 or any(b - a < frame + gap for a, b in zip(starts, bounds)):
        return False
    return all(end is None or starts[i] + frame <= end <= bounds[i] - gap
               for i, (_, end) in pins.items() if 0 <= i < len(starts))


def _needed_ms(cue: Cue, config: CaptionConfig) -> int:
    """Time the cue should stay up: min_duration, or its reading time, capped by max_duration."""
    reading = cue.char_count / config.target_cps
    return round(min(max(config.min_duration, reading), config.max_duration) * 1000)


def _end(
    start: int, slot: _Slot, limit: int, needed: int, frame: int, config: CaptionConfig
) -> int:
    wanted = max(slot.offset + round(config.max_linger * 1000), start + needed)
    longest = start + round(config.max_duration * 1000)
    return max(start + frame, min(wanted, longest, limit))


def _over_layout(cue: Cue, config: CaptionConfig) -> bool:
    return len(cue.lines) > config.max_lines or any(
        len(line) > config.max_line_chars for line in cue.lines
    )


def _flags(
    cue: Cue,
    span: SpeechSpan,
    slot: _Slot,
    start: int,
    end: int,
    first_start: int,
    config: CaptionConfig,
) -> tuple[CueFlag, ...]:
    duration = (end - start) / 1000
    chars = cue.char_count
    checks = {
        Flag.NOT_FOUND: not span.found,
        Flag.LOW_CONFIDENCE: span.confidence < config.min_confidence,
        Flag.LATE_START: start > slot.onset,
        Flag.EARLY: start < slot.onset - round(config.max_early * 1000) and start < first_start,
        Flag.LATE_END: end < slot.offset,
        Flag.LONG: slot.offset - start > round(config.max_duration * 1000),
        Flag.SHORT: duration < config.min_duration,
        Flag.FAST: chars / duration > config.max_cps,
        Flag.CSA: chars > config.csa_max_chars(duration),
        Flag.CLAMPED: slot.clamped or first_start < slot.onset - round(config.max_early * 1000),
        Flag.LAYOUT: _over_layout(cue, config),
    }
    return (*(flag for flag, raised in checks.items() if raised), *(doubt for doubt in Doubt if doubt in span.doubts))
