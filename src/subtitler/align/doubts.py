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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..model import Doubt, SpeechSpan
from .features import HOP_SECONDS


FAST, SLOW = 0.6, 1.5  # a piece's time over its usual time outside these is uneven
VOICE_AFTER_SECONDS = 0.3  # the voice must be heard in this time after a cue's start...
VOICE_AFTER = 0.5  # ...this share of it (detector probability, averaged)
UNWRITTEN_SECONDS = 1.0  # voiced audio no text explains, before a cue
VOICE_BEFORE = 0.8  # voice heard just before the start...
GAP_SECONDS = 0.3  # ...with this much time between the previous text and the start
MUSIC_SECONDS = 1.0  # music this close before the start, or under the cue
POOR_MATCH = 0.2  # mismatch above the file's median, chance units
LOW_CONFIDENCE = 0.3


def cue_doubts(
    spans: Sequence[SpeechSpan],
    first_fits: Sequence[tuple[float, float]],
    previous_relative: Sequence[float | None],
    previous_ends: Sequence[float | None],
    voice: np.ndarray,
    music: Sequence[tuple[float, float]],
) -> list[tuple[Doubt, ...]]:
    """The reasons to doubt each cue's start.

    ``spans``: each cue's span; ``first_fits``: (relative, mismatch) of its first piece;
    ``previous_relative`` and ``previous_ends``: of the piece before it (None for the first);
    ``voice``: the detector's probability per 10 ms frame; ``music``: sound without a voice.
    A cue whose text was not heard is already flagged as such and gets no other reason.
    """
    out = []
    for span, (relative, mismatch), before_rel, before_end in zip(
        spans, first_fits, previous_relative, previous_ends
    ):
        if not span.found:
            out.append(())
            continue
        reasons: list[Doubt] = []
        start = _frame(span.start, len(voice))
        after = float(voice[start : start + _frame(VOICE_AFTER_SECONDS, len(voice)) + 1].mean()) if len(voice) else 1.0
        if after < VOICE_AFTER:
            reasons.append(Doubt.NO_VOICE)
        if relative < FAST or relative > SLOW:
            reasons.append(Doubt.UNEVEN_PACE)
        if before_rel is not None and (before_rel < FAST or before_rel > SLOW):
            reasons.append(Doubt.NEIGHBOUR_PACE)
        if before_end is not None and _unwritten(voice, before_end, span.start):
            reasons.append(Doubt.UNWRITTEN_SPEECH)
        if mismatch > POOR_MATCH or span.confidence < LOW_CONFIDENCE:
            reasons.append(Doubt.LOW_MATCH)
        near_music = any(b > span.start - MUSIC_SECONDS and a < span.end for a, b in music)
        if near_music and (reasons or after < 0.8):
            reasons.append(Doubt.MUSIC_NEAR)
        out.append(tuple(reasons))
    return out


def _unwritten(voice: np.ndarray, previous_end: float, start: float) -> bool:
    """Voiced audio between the previous text and this start that no text explains: over
    ``UNWRITTEN_SECONDS`` in all, or a voice running into the start after a gap."""
    a, b = _frame(previous_end, len(voice)), _frame(start, len(voice))
    if b <= a:
        return False
    heard = voice[a:b] >= 0.5
    before = voice[max(a, b - _frame(VOICE_AFTER_SECONDS, len(voice))) : b]
    running_in = len(before) > 0 and float(before.mean()) > VOICE_BEFORE and (b - a) * HOP_SECONDS > GAP_SECONDS
    return heard.sum() * HOP_SECONDS > UNWRITTEN_SECONDS or running_in


def _frame(seconds: float, frames: int) -> int:
    return min(max(0, round(seconds / HOP_SECONDS)), max(frames - 1, 0))
