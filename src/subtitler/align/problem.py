"""One alignment's problem: what every step (coarse levels, boundary windows, verdicts) needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .layout import Layout, pool
from .settings import AlignSettings


@dataclass(frozen=True)
class Real:
    """The audio, frame by frame: features, and the price of calling each frame a pause."""

    features: np.ndarray  # (frames, dims)
    pause: np.ndarray  # (frames,) price of a pause column: room-tone distance and voice, chance units
    unvoiced: np.ndarray  # (frames,) added to speech columns' distance: no voice near
    hold: np.ndarray  # (frames,) most a hold may cost: a pause inside a cue's text

    def pooled(self, factor: int) -> Real:
        rows = pool(np.stack([self.pause, self.unvoiced, self.hold], axis=1), factor)
        return Real(pool(self.features, factor), rows[:, 0], rows[:, 1], rows[:, 2])

    def __len__(self) -> int:
        return len(self.pause)


@dataclass(frozen=True)
class Problem:
    """The two sequences and how to price them, as every step of one alignment sees them."""

    real: Real  # the audio, with its prices
    fine: Layout  # the synthetic side at full resolution (10 ms)
    pieces: Sequence[np.ndarray]  # each spoken text's columns of ``fine.features``
    filler: np.ndarray  # the filler's columns
    log_energy: np.ndarray  # (frames,) of the audio
    settings: AlignSettings
