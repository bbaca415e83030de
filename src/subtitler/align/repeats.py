"""Speech said twice: a sentence repeated, or a start broken off and said again.

A speaker who stumbles says the same words again, and only one saying is in the transcript.
Against a synthetic voice the two sayings look alike to the aligner, so the next sentence's
text can take the second saying (its cue seconds early) and the shift runs on. Against each
other they do not look alike at all: the same speaker saying the same words matches far
better than the same speaker saying anything else. So each voice onset's first words are
compared with the audio at the onsets shortly before it; one that matches much better than
the speaker's other words is said again, and the audio it repeats is marked as speech the
transcript does not hold (the aligner then prices text there as it prices text in music).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .elsewhere import match_costs, normalised, voice_onsets
from .features import CEPSTRA, HOP_SECONDS

QUERY_SECONDS = 0.3  # an onset's first words compared (a broken-off start may be this short)
REACH_SECONDS = 12.0  # onsets this far back are compared
CLOSE_SECONDS = 1.5  # and any voiced place this close, every SHIFT_SECONDS (a start broken off
# may follow the sentence before with no pause the voice detector hears)
USUAL_PLACES = 8  # the nearest onsets (however far) whose match is the onset's usual one
RATIO = 0.55  # best match at most this share of the onset's usual match (other onsets): a repeat
FRAGMENT_SECONDS = 1.0  # a first saying this short, cut by a pause, is a broken-off start
SHIFT_SECONDS = 0.12  # an onset's place is compared this much earlier and later too
CONFIRM_SECONDS = (2.0, 6.0)  # of the first saying, compared whole with the second's start
PACES = (0.8, 0.9, 1.0, 1.12, 1.25)  # the second saying's length over the first's, tried
NEXT_VOICE_SHARE = 0.8  # a voice starting again (after a pause) past this share of a second
# saying's expected length is the next sentence


def written_twice(texts: Sequence[str]) -> bool:
    """Whether the transcript itself says something twice in a row ("Oui. Oui."): then a
    repeat in the audio is written, and no saying may be priced out."""
    words = [" ".join(re.findall(r"\w+", text.lower())) for text in texts]
    return any(a and a in (b, c) for a, b, c in zip(words, words[1:] + [""], words[2:] + ["", ""]))


def said_again(features: np.ndarray, voice: np.ndarray) -> np.ndarray:
    """Frames of speech that repeat speech just before (or were broken off and said again),
    as a mask: the audio the transcript holds once, said a second time."""
    marked = np.zeros(len(voice), bool)
    onsets = voice_onsets(voice)
    query = round(QUERY_SECONDS / HOP_SECONDS)
    reach = round(REACH_SECONDS / HOP_SECONDS)
    close, shift = round(CLOSE_SECONDS / HOP_SECONDS), round(SHIFT_SECONDS / HOP_SECONDS)
    speech = voice >= 0.5
    for b in onsets:
        if b + query > len(features) or marked[b]:
            continue  # (a pause inside a second saying found already: its words match too)
        earlier = [int(p) for p in onsets[np.searchsorted(onsets, b - reach) : np.searchsorted(onsets, b - query)]]
        earlier += [p for p in range(max(0, b - close), b - query, shift) if speech[p] and p not in earlier]
        others = _nearest(onsets, b, len(features) - query)
        if not earlier or len(others) < 3:
            continue
        words = normalised(features[b : b + query, :CEPSTRA])
        usual = float(np.median(match_costs(features, words, others, query)))
        costs = _near_costs(features, words, earlier, query)
        best = int(np.argmin(costs))
        first = earlier[best]
        if costs[best] > RATIO * usual:
            continue
        end_of_first = _voice_end_before(speech, b)
        said = _said_again_until(features, onsets, first, end_of_first, b, usual)
        if said is None:
            continue
        if end_of_first - first <= round(FRAGMENT_SECONDS / HOP_SECONDS):
            marked[first:b] = True  # a start broken off, then said whole
        else:
            marked[b:said] = True  # said twice: the second saying
    return marked


def _nearest(onsets: np.ndarray, onset: int, last: int) -> list[int]:
    """The ``USUAL_PLACES`` other onsets nearest ``onset`` (up to frame ``last``), however far:
    what the speaker's other words cost is the yardstick of a repeat."""
    at = int(np.searchsorted(onsets, onset))
    near = onsets[max(0, at - USUAL_PLACES) : at + USUAL_PLACES + 1]
    near = near[(near != onset) & (near <= last)]
    return [int(p) for p in near[np.argsort(np.abs(near - onset), kind="stable")[:USUAL_PLACES]]]


def _near_costs(features: np.ndarray, words: np.ndarray, places: list[int], length: int) -> np.ndarray:
    """The best match of ``words`` at each place, give or take ``SHIFT_SECONDS`` (two sayings'
    onsets are not found at the same point of their first sound)."""
    shift = round(SHIFT_SECONDS / HOP_SECONDS)
    offsets = range(-shift, shift + 1, max(1, shift // 2))
    shifted = [min(max(0, p + d), len(features) - length) for p in places for d in offsets]
    costs = match_costs(features, words, shifted, length)
    return costs.reshape(len(places), len(offsets)).min(axis=1)


def _said_again_until(
    features: np.ndarray, onsets: np.ndarray, first: int, end_of_first: int, second: int, usual: float
) -> int | None:
    """Where the second saying of the words from ``first`` to ``end_of_first`` ends, if the
    whole first saying (at most the last of ``CONFIRM_SECONDS``) matches the start of the
    second at one of ``PACES``; None if it does not (two sentences opening on the same words
    part after them). A first saying longer than compared ends, said again, at the pace
    found, or before, where the next sentence starts (a voice after a pause past
    ``NEXT_VOICE_SHARE`` of its expected length)."""
    length = end_of_first - first
    for seconds in CONFIRM_SECONDS:  # the shorter first: most candidates part within it
        compared = min(length, round(seconds / HOP_SECONDS))
        words = normalised(features[first : first + compared, :CEPSTRA])
        matched = [
            (float(_near_costs(features, words, [second], round(compared * pace))[0]), pace)
            for pace in PACES
            if second + round(compared * pace) <= len(features)
        ]
        if not matched or min(matched)[0] > RATIO * usual:
            return None
        if compared == length:
            break
    said = second + round(length * min(matched)[1])
    following = onsets[onsets > second + NEXT_VOICE_SHARE * (said - second)]
    return min(len(features), said, int(following[0]) if len(following) else len(features))


def _voice_end_before(speech: np.ndarray, frame: int) -> int:
    """The frame after the last voiced frame before ``frame`` (skipping the pause there)."""
    voiced = np.flatnonzero(speech[:frame])
    return int(voiced[-1]) + 1 if len(voiced) else frame
