"""The audio's loudness scale and noise floor, frame by frame, and which frames hold a voice.

Local, like the cepstral normalisation: a webinar's speakers and microphones differ in level,
so the floor and the typical speech level are taken from the audio around each point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activity
from .features import HOP_SECONDS

LEVEL_RANGE_DB = 40.0  # loudness 0..1 spans this many decibels below typical speech
LOCAL_SECONDS = 10.0  # room tone and floor are estimated per block of this length...
LOCAL_SPAN = 1  # ...from the block and this many blocks each side


@dataclass(frozen=True)
class Levels:
    """The audio's loudness scale, per frame: the noise floor and the typical speech level
    around it (log energy). Local, like the cepstral normalisation, because a webinar's
    speakers and microphones differ in level; typical speech is the median of the frames
    the detector calls speech, so a loud jingle does not set the scale of the voice. With
    them, how far the level rises and falls around each frame (``activity.syllabic_depth``),
    which both the likely voice and music read."""

    floor: np.ndarray  # (frames,)
    speech: np.ndarray  # (frames,)
    synthetic_floor: float  # where the synthetic voice's quiet frames are floored, vs. its median
    depth: np.ndarray  # (frames,) dB

    @classmethod
    def of(cls, log_energy: np.ndarray, speech: np.ndarray, block: int = 1000, span: int = 3) -> Levels:
        frames = len(log_energy)
        overall = float(np.median(log_energy[speech] if speech.sum() >= 50 else log_energy))
        floors, levels = np.empty(frames, np.float32), np.empty(frames, np.float32)
        for start in range(0, frames, block):
            lo, hi = max(0, start - span * block), min(frames, start + (span + 1) * block)
            voiced = log_energy[lo:hi][speech[lo:hi]]
            typical = float(np.median(voiced)) if len(voiced) >= 100 else overall
            lowest = typical - 50.0 / activity.DB_PER_NEPER
            floor = max(float(np.percentile(log_energy[lo:hi], 5)), lowest)
            floors[start : start + block] = floor
            levels[start : start + block] = max(typical, floor + 1.0)
        return cls(floors, levels, float(np.median(floors - levels)), activity.syllabic_depth(log_energy))

    def loudness(self, log_energy: np.ndarray) -> np.ndarray:
        """1 at typical speech, 0 at ``LEVEL_RANGE_DB`` below it, floored at the noise floor:
        in a noisy file the pauses sit close to the speech, so loudness weighs less there."""
        return _loudness(np.maximum(log_energy, self.floor) - self.speech)

    def synthetic_loudness(self, log_energy: np.ndarray, median: float) -> np.ndarray:
        """The same scale for the synthetic voice, as if spoken at typical level in this file."""
        return _loudness(np.maximum(log_energy - median, self.synthetic_floor))


def _loudness(relative: np.ndarray) -> np.ndarray:
    return np.clip(1.0 + relative / (LEVEL_RANGE_DB / activity.DB_PER_NEPER), 0.0, 1.5)


def voiced(voice: np.ndarray, log_energy: np.ndarray) -> np.ndarray:
    """Frames that hold a voice, for the statistics of the voice (normalisation, loudness,
    room tone): the detector's; the energy detector's where it heard almost no voice."""
    voiced = voice >= 0.5
    return voiced if voiced.sum() >= 100 else activity.speech_frames(log_energy)


def local_floor(log_energy: np.ndarray) -> np.ndarray:
    """The noise floor around each frame: the 10th percentile of its ~30 s neighbourhood."""
    frames = len(log_energy)
    block = round(LOCAL_SECONDS / HOP_SECONDS)
    floor = np.empty(frames, np.float32)
    for start in range(0, frames, block):
        lo, hi = max(0, start - LOCAL_SPAN * block), min(frames, start + (LOCAL_SPAN + 1) * block)
        floor[start : start + block] = np.percentile(log_energy[lo:hi], 10)
    return floor
