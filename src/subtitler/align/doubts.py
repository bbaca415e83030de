"""Why a cue's start may be wrong: the evidence the alignment leaves around each cue.

Locally, the audio cannot tell whether a cue starts in the right place: on real voices a
wrong sentence matches the synthetic speech about as well as the right one (benchmarks:
37 % of well placed cues had another onset within 6 s whose first second matched better).
What a wrong placement does leave is a trace in the alignment around it: the cue's first
words or the words before them took far more or far less than their usual time (a sentence
stole another's audio), the cue starts where no voice is (music, silence), or voiced audio
that no text explains lies just before it (a sentence said twice, an aside, a false start,
or words matched to the wrong speech). Each trace is a reason, shown to the editor.

The thresholds were set on the real-speech benchmark so that a cue whose start is right
(within 250 ms) is flagged in under 5 % of cases (``python benchmarks/run_alignment.py
--set real`` reports both shares).

``UNWRITTEN_SECONDS`` is the middle of the range (0.5-0.7 s) over which no flag of the
benchmark changes: at 0.4 s right cues after a breath or a held "euh" get flagged (read,
phone, babble), at 0.8 s a sentence's tail left before a cue placed on an aside is not
(real-cv-untidy; at 1.0 s until 2026-12-07).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Doubt, SpeechSpan
from .features import HOP_SECONDS


FAST, SLOW = 0.6, 1.7  # a piece's time over its usual time outside these is uneven
VOICE_AFTER_SECONDS = 0.3  # the voice must be heard in this time after a cue's start...
VOICE_AFTER = 0.5  # ...this share of it (detector probability, averaged)
UNWRITTEN_SECONDS = 0.6  # voiced audio no text explains, before a cue (see below)
VOICE_BEFORE = 0.8  # voice heard just before the start...
GAP_SECONDS = 0.3  # ...with this much time between the previous text and the start
MUSIC_SECONDS = 1.0  # music this close before the start, or under the cue...
MUSIC_VOICE = 0.6  # ...where the voice after the start is weaker than this
POOR_MATCH = 0.3  # mismatch above the file's median, chance units
LOW_CONFIDENCE = 0.3
STRANDED_BEFORE = 0.15  # a sentence's first words this close after the speech before them...
STRANDED_AFTER = 1.0  # ...then a pause this long before the rest of their sentence
AFTER_UNHEARD_MISMATCH = 0.15  # after a sentence not heard, a first piece this far above the median
SHORT_OPENING_SECONDS = 1.0  # a cue's first sentence this short (its usual time)...
SHORT_UNWRITTEN_SECONDS = 0.25  # ...after this much voice no text explains
SLOW_RUN = 1.3  # a first piece and a neighbour both this slow: unwritten speech spread under them


@dataclass(frozen=True)
class Evidence:
    """What the alignment left around one cue's start (see the module's doc)."""

    relative: float  # the cue's first piece: its time over its usual time
    previous_relative: float | None  # the piece before it
    voice_after: float  # mean voice probability in VOICE_AFTER_SECONDS after the start
    unwritten: float  # seconds of voice between the previous text's end and the start
    running_in: bool  # a voice runs into the start after a gap from the previous text
    mismatch: float  # the first piece's distance above the file's median
    confidence: float
    near_music: bool
    stranded: bool = False  # its first words run on from the speech before, then a long pause
    after_unheard: bool = False  # the text just before it was judged not said
    opening_seconds: float | None = None  # usual time of its first piece, where that is a whole sentence
    carried: bool = False  # the cue before it, inside a sentence, had voice no text explains before it
    next_relative: float | None = None  # the piece after its first one

    def doubts(self) -> tuple[Doubt, ...]:
        reasons: list[Doubt] = []
        if self.voice_after < VOICE_AFTER:
            reasons.append(Doubt.NO_VOICE)
        if not FAST <= self.relative <= SLOW:
            reasons.append(Doubt.UNEVEN_PACE)
        if self.previous_relative is not None and not FAST <= self.previous_relative <= SLOW:
            reasons.append(Doubt.NEIGHBOUR_PACE)
        if self.unwritten > UNWRITTEN_SECONDS or self.running_in:
            reasons.append(Doubt.UNWRITTEN_SPEECH)
        if self.mismatch > POOR_MATCH or self.confidence < LOW_CONFIDENCE:
            reasons.append(Doubt.LOW_MATCH)
        if self.stranded:
            reasons.append(Doubt.STRANDED_START)
        if self.after_unheard and self.mismatch > AFTER_UNHEARD_MISMATCH:
            reasons.append(Doubt.AFTER_UNHEARD)
        if (self.opening_seconds is not None and self.opening_seconds <= SHORT_OPENING_SECONDS
                and self.unwritten > SHORT_UNWRITTEN_SECONDS):
            reasons.append(Doubt.SHORT_OPENING)
        if self.carried:
            reasons.append(Doubt.CARRIED_OVER)
        neighbours = [r for r in (self.previous_relative, self.next_relative) if r is not None]
        if self.relative >= SLOW_RUN and any(r >= SLOW_RUN for r in neighbours):
            reasons.append(Doubt.SLOW_RUN)
        if self.near_music and (reasons or self.voice_after < MUSIC_VOICE):
            reasons.append(Doubt.MUSIC_NEAR)
        return tuple(reasons)


def cue_evidence(
    spans: Sequence[SpeechSpan],
    first_fits: Sequence[tuple[float, float]],
    previous_relative: Sequence[float | None],
    previous_ends: Sequence[float | None],
    voice: np.ndarray,
    music: Sequence[tuple[float, float]],
    pauses_after: Sequence[float | None] | None = None,
    *,
    previous_heard: Sequence[bool] | None = None,
    openings: Sequence[float | None] | None = None,
    opens: Sequence[bool] | None = None,
    next_relative: Sequence[float | None] | None = None,
) -> list[Evidence | None]:
    """The evidence around each cue's start (None for a cue whose text was not heard: it is
    flagged as such).

    ``spans``: each cue's span; ``first_fits``: (relative, mismatch) of its first piece;
    ``previous_relative`` and ``previous_ends``: of the piece before it (None for the first);
    ``voice``: the detector's probability per 10 ms frame; ``music``: sound without a voice;
    ``pauses_after``: the time between its first piece and the rest of that piece's sentence
    (None where the piece ends its sentence); ``previous_heard``: whether the piece before it
    was heard; ``openings``: the usual time of its first piece where that piece is a whole
    sentence (else None); ``opens``: whether it begins a sentence (None: each one does);
    ``next_relative``: of the piece after its first one (None: none, or not heard).
    """
    out: list[Evidence | None] = []
    frames = len(voice)
    count = len(spans)
    pauses_after = pauses_after if pauses_after is not None else [None] * count
    previous_heard = previous_heard if previous_heard is not None else [True] * count
    openings = openings if openings is not None else [None] * count
    opens = opens if opens is not None else [True] * count
    next_relative = next_relative if next_relative is not None else [None] * count
    for k, (span, (relative, mismatch), before_rel, before_end, pause_after) in enumerate(zip(
        spans, first_fits, previous_relative, previous_ends, pauses_after
    )):
        if not span.found:
            out.append(None)
            continue
        before = out[k - 1] if k > 0 else None
        start = _frame(span.start, frames)
        after = float(voice[start : start + _frame(VOICE_AFTER_SECONDS, frames) + 1].mean()) if frames else 1.0
        unwritten, running_in = _unwritten(voice, before_end, span.start) if before_end is not None else (0.0, False)
        out.append(Evidence(
            relative=relative, previous_relative=before_rel, voice_after=after, unwritten=unwritten,
            running_in=running_in, mismatch=mismatch, confidence=span.confidence,
            near_music=any(b > span.start - MUSIC_SECONDS and a < span.end for a, b in music),
            stranded=before_end is not None and pause_after is not None
            and span.start - before_end < STRANDED_BEFORE and pause_after >= STRANDED_AFTER,
            after_unheard=k > 0 and not previous_heard[k],
            opening_seconds=openings[k],
            carried=opens[k] and k > 0 and not opens[k - 1] and before is not None
            and Doubt.UNWRITTEN_SPEECH in before.doubts(),
            next_relative=next_relative[k],
        ))
    return out


def _unwritten(voice: np.ndarray, previous_end: float, start: float) -> tuple[float, bool]:
    """Seconds of voice between the previous text and this start that no text explains, and
    whether a voice runs into the start after a gap."""
    a, b = _frame(previous_end, len(voice)), _frame(start, len(voice))
    if b <= a:
        return 0.0, False
    heard = float((voice[a:b] >= 0.5).sum() * HOP_SECONDS)
    before = voice[max(a, b - _frame(VOICE_AFTER_SECONDS, len(voice))) : b]
    running_in = len(before) > 0 and float(before.mean()) > VOICE_BEFORE and (b - a) * HOP_SECONDS > GAP_SECONDS
    return heard, running_in


def _frame(seconds: float, frames: int) -> int:
    return min(max(0, round(seconds / HOP_SECONDS)), max(frames - 1, 0))
