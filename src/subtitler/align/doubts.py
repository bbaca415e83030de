"""Why a cue's start may be wrong: the evidence the alignment leaves around each cue.

Locally, the audio rarely tells whether a cue starts in the right place: on real voices a
wrong sentence matches the synthetic speech about as well as the right one (benchmarks,
features normalised as the alignment does: 37 % of well placed cues had another onset
within 6 s whose first second matched better).
What a wrong placement does leave is a trace in the alignment around it: the cue's first
words or the words before them took far more or far less than their usual time (a sentence
stole another's audio), the cue starts where no voice is (music, silence), a sentence starts
in the middle of a voice with no pause before it (the end of the sentence before cut
short), or voiced audio that no text explains lies just before it (a sentence said twice,
an aside, a false start, or words matched to the wrong speech). Each trace is a reason,
shown to the editor. One reason does read the words themselves (:mod:`.elsewhere`):
compared each side normalised on its own, a cue's first words may match the speech after
another pause nearby clearly better (0.93 of the price or less) than where they stand.

A fast pace alone (the cue's first words far faster than usual, or the words before them
far faster or slower) is not a reason: on the real-speech benchmark it never was the only
reason for a cue more than 500 ms off, and it was for 29 right ones (a short first piece
read fast, a slow speaker before). Beside another reason it is given, as it helps the
editor see what happened. A slow first piece alone still is one: texts spread over speech
the transcript does not have (a block left out) take about twice their usual time.

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
ELSEWHERE_RATIO = 0.93  # its first words match another voice onset nearby this much better
INSIDE_SECONDS = 0.15  # a sentence starting with a voice this sure this long before and after it...
INSIDE_VOICE = 0.9  # ...has no pause before its first word
_PACES = (Doubt.UNEVEN_PACE, Doubt.NEIGHBOUR_PACE)


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
    elsewhere: float = 1.0  # its first piece's match at the best other voice onset nearby over here
    inside_voice: bool = False  # it begins a sentence where a voice goes on, with no pause before it

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
        if self.elsewhere < ELSEWHERE_RATIO:
            reasons.append(Doubt.ELSEWHERE)
        if self.inside_voice:
            reasons.append(Doubt.INSIDE_VOICE)
        # a fast first piece, or the pace of the words before, only explains another reason
        telling = self.relative > SLOW or any(r not in _PACES for r in reasons)
        if self.near_music and (telling or self.voice_after < MUSIC_VOICE):
            reasons.append(Doubt.MUSIC_NEAR)
            telling = True
        return tuple(reasons) if telling else ()


@dataclass(frozen=True)
class Placement:
    """Where the alignment put one cue and the pieces of text around its first piece: what
    :func:`cue_evidence` reads."""

    span: SpeechSpan  # the cue's
    relative: float  # its first piece: its time over its usual time...
    mismatch: float  # ...and its distance above the file's median
    previous_relative: float | None = None  # the piece before it (None: the first, or not heard)
    previous_end: float | None = None  # where the piece before it ends (None: the first)
    previous_heard: bool = True
    pause_after: float | None = None  # from its first piece to the rest of that sentence (None: it ends it)
    opening_seconds: float | None = None  # usual time of its first piece, where that is a whole sentence
    opens: bool = True  # it begins a sentence
    elsewhere: float = 1.0  # its first piece's match at the best other voice onset nearby over here


def cue_evidence(
    placements: Sequence[Placement], voice: np.ndarray, music: Sequence[tuple[float, float]]
) -> list[Evidence | None]:
    """The evidence around each cue's start (None for a cue whose text was not heard: it is
    flagged as such). ``voice``: the detector's probability per 10 ms frame; ``music``: sound
    without a voice (seconds)."""
    out: list[Evidence | None] = []
    frames = len(voice)
    for k, cue in enumerate(placements):
        span, before_end = cue.span, cue.previous_end
        if not span.found:
            out.append(None)
            continue
        before = out[k - 1] if k > 0 else None
        start = _frame(span.start, frames)
        after = float(voice[start : start + _frame(VOICE_AFTER_SECONDS, frames) + 1].mean()) if frames else 1.0
        unwritten, running_in = _unwritten(voice, before_end, span.start) if before_end is not None else (0.0, False)
        out.append(Evidence(
            relative=cue.relative, previous_relative=cue.previous_relative, voice_after=after,
            unwritten=unwritten, running_in=running_in, mismatch=cue.mismatch, confidence=span.confidence,
            near_music=any(b > span.start - MUSIC_SECONDS and a < span.end for a, b in music),
            stranded=before_end is not None and cue.pause_after is not None
            and span.start - before_end < STRANDED_BEFORE and cue.pause_after >= STRANDED_AFTER,
            after_unheard=k > 0 and not cue.previous_heard,
            opening_seconds=cue.opening_seconds,
            carried=cue.opens and k > 0 and not placements[k - 1].opens and before is not None
            and Doubt.UNWRITTEN_SPEECH in before.doubts(),
            elsewhere=cue.elsewhere,
            inside_voice=cue.opens and _inside_voice(voice, start),
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


def _inside_voice(voice: np.ndarray, start: int) -> bool:
    """Whether the detector is sure of a voice all around frame ``start`` (never at the very
    start of the audio, where a recording may begin on a voice)."""
    reach = _frame(INSIDE_SECONDS, len(voice))
    around = voice[start - reach : start + reach + 1] if start >= reach else voice[:0]
    return len(around) > 0 and float(around.min()) >= INSIDE_VOICE


def _frame(seconds: float, frames: int) -> int:
    return min(max(0, round(seconds / HOP_SECONDS)), max(frames - 1, 0))
