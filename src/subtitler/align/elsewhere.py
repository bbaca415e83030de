"""Whether a sentence's first words match the audio after another pause nearby better than
where the alignment put them.

On recordings with many speakers the whole-file alignment can shift sentences by one (a
sentence written but not said takes the next one's audio, an aside takes the next
sentence's cue) at about the price of the right path, and every other piece of evidence
(pace, voice, match) looks normal. What gives such a cue away is its own words: compared
with the same stretch of audio at each voice onset within a few seconds, each side
normalised on its own (as a new speaker's voice must be), they may match one of those
better than where they stand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..model import SpeechSpan
from . import activity
from .dtw import ColumnCosts, corner_paths
from .features import CEPSTRA, CEPSTRUM_WEIGHTS, HOP_SECONDS

REACH_SECONDS = 8.0  # voice onsets this far before or after a piece's start are compared
PAUSE_SECONDS = 0.2  # a voice onset follows this long without a voice
SAME_PLACE_SECONDS = 0.15  # an onset this close to the piece's start is its own place
SHORTEST_SECONDS = 0.3  # pieces placed on less audio are not compared
OFF_DIAGONAL_PRICE = 0.5  # added to a frame's distance when one side waits for the other
FIRST_WORDS_SECONDS = 2.5  # of a longer piece's audio, compared with the same share of its text


def elsewhere_ratios(
    features: np.ndarray,
    voice: np.ndarray,
    pieces: Sequence[np.ndarray],
    spans: Sequence[SpeechSpan],
    compared: Sequence[bool],
) -> np.ndarray:
    """For each piece: the price of matching its first words (at most ``FIRST_WORDS_SECONDS``
    of its audio) at the best other voice onset nearby over the price where they are (under
    1: better elsewhere; 1 when not compared).

    ``features``: the audio's cepstra (first ``CEPSTRA`` columns, any per-column scale);
    ``voice``: the detector's probability per frame; ``pieces``: each piece's synthetic
    frames (same columns); ``spans``: where each piece was placed; ``compared``: which pieces
    to compare (the aligner compares those that begin a cue or a sentence and were heard)."""
    ratios = np.ones(len(pieces))
    onsets = voice_onsets(voice)
    reach, same = round(REACH_SECONDS / HOP_SECONDS), round(SAME_PLACE_SECONDS / HOP_SECONDS)
    longest = round(FIRST_WORDS_SECONDS / HOP_SECONDS)
    for k, (piece, span) in enumerate(zip(pieces, spans)):
        start, end = round(span.start / HOP_SECONDS), min(round(span.end / HOP_SECONDS), len(features))
        length = end - start
        if not compared[k] or length * HOP_SECONDS < SHORTEST_SECONDS or len(piece) == 0:
            continue
        if length > longest:  # its first words: the same share of the synthetic piece
            piece = piece[: max(1, round(len(piece) * longest / length))]
            length = longest
        near = onsets[(np.abs(onsets - start) <= reach) & (np.abs(onsets - start) > same)]
        places = [start, *(int(p) for p in near if p + length <= len(features))]
        if len(places) < 2:
            continue
        costs = match_costs(features, normalised(piece[:, :CEPSTRA]), places, length)
        ratios[k] = float(costs[1:].min() / costs[0])
    return ratios


def voice_onsets(voice: np.ndarray) -> np.ndarray:
    """First frames of the runs of voice that follow a pause (or open the file): the voice's
    runs once the gaps shorter than a pause are filled."""
    bridged = activity.fill_runs(voice >= 0.5, False, round(PAUSE_SECONDS / HOP_SECONDS))
    return activity.runs(bridged)[:, 0].astype(np.int64)


def normalised(cepstra: np.ndarray) -> np.ndarray:
    """Mean and variance normalised on the stretch itself, then weighted as in the alignment
    (each of a stack of stretches on its own: frames are the last axis but one)."""
    cepstra = cepstra.astype(np.float32)
    mean = cepstra.mean(axis=-2, keepdims=True)
    return (cepstra - mean) / (cepstra.std(axis=-2, keepdims=True) + 1e-6) * CEPSTRUM_WEIGHTS


def match_costs(features: np.ndarray, piece: np.ndarray, places: Sequence[int], length: int) -> np.ndarray:
    """Mean price per step of the best corner-to-corner path between ``piece`` and the
    ``length`` frames of audio at each place."""
    windows = normalised(features[np.asarray(places)[:, None] + np.arange(length), :CEPSTRA])
    squares = (windows**2).sum(-1)[:, :, None] + (piece**2).sum(-1)[None, None, :] - 2 * windows @ piece.T
    distances = np.sqrt(np.maximum(squares, 0.0)).astype(np.float32)
    count, rows, columns = len(places), windows.shape[1], len(piece)
    costs = ColumnCosts(
        optional=np.zeros((count, columns), bool),
        hold_cap=np.full((count, columns), np.inf, np.float32),
        hold_extra=np.full((count, columns), OFF_DIAGONAL_PRICE, np.float32),
        gap=float("inf"),
    )
    paths = corner_paths(distances, np.full(count, rows), np.full(count, columns), costs)
    return np.array([path.cost for path in paths]) / (rows + columns)
