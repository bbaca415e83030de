"""The synthetic side as columns: each text's frames, and between texts (and at both ends) a
pause, a filler ("euh") and a pause, all optional; at full resolution and pooled for the
coarser levels of the pyramid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .dtw import ColumnCosts
from .features import CEPSTRA, CEPSTRUM_WEIGHTS, Features
from .levels import Levels
from .settings import AlignSettings
from .synthesis import NO_FRAMES

SPEECH, PAUSE, FILLER = 0, 1, 2
FULL_GAPS_UP_TO = 16  # coarser levels reduce each gap to one pause column


@dataclass
class Layout:
    """Columns of one pyramid level, as segments: between two cues (and at both ends) a
    pause, a filler ("euh") and a pause, all optional; then the cue's own frames."""

    factor: int
    segment_starts: np.ndarray  # (segments,) first column of each segment
    segment_lengths: np.ndarray  # (segments,)
    kinds: np.ndarray  # (columns,) SPEECH, PAUSE or FILLER
    features: np.ndarray  # (columns, dims); pause columns are priced per audio frame
    fillers: np.ndarray  # (gaps,) bool: the gap may hold a filler (between sentences)

    @property
    def columns(self) -> int:
        return len(self.kinds)

    @property
    def starts(self) -> np.ndarray:
        """First column of each cue."""
        return self.segment_starts[3::4]

    @property
    def lengths(self) -> np.ndarray:
        return self.segment_lengths[3::4]

    def costs(self, settings: AlignSettings) -> ColumnCosts:
        pause = self.kinds == PAUSE
        speech = self.kinds == SPEECH
        # A piece may be passed over whole (a sentence written but not said, a speaker's name):
        # from the last column before it to the first column after it, at one price.
        # The price is a share of skipping it word by word, up to drop_price.
        jump = np.zeros(self.columns, np.int64)
        jump_cost = np.full(self.columns, np.inf, np.float32)
        after = self.segment_starts[4::4]
        inside = after < self.columns
        jump[after[inside]] = (self.lengths + 1)[inside]
        if self.factor <= settings.fine_factor:  # coarser cells cannot tell a sentence is missing
            jump_cost[after[inside]] = np.minimum(
                settings.drop_share * settings.gap * self.lengths[inside], settings.drop_price / self.factor
            )
        return ColumnCosts(
            optional=~speech,
            hold_cap=np.select([pause, self.kinds == FILLER], [np.inf, settings.filler_hold], settings.gap).astype(
                np.float32
            ),
            hold_extra=np.where(pause, 0.0, settings.stretch).astype(np.float32),
            gap=settings.gap,
            jump=jump,
            jump_cost=jump_cost,
        )


def synthetic_layout(
    cues: list[Features], filler: Features, fillers: np.ndarray, levels: Levels, settings: AlignSettings
) -> Layout:
    """The full-resolution layout of the synthetic speech, normalised as one voice.

    Built in place, cue by cue (each cue's raw features are dropped from ``cues`` once
    copied), so the synthetic speech is held once, not three times."""
    everything = [*cues, filler]
    count = sum(len(p) for p in everything)
    sums = sum(p.cepstra.sum(0, dtype=np.float64) for p in everything)
    squares = sum((p.cepstra.astype(np.float64) ** 2).sum(0) for p in everything)
    mean = sums / count
    std = np.sqrt(np.maximum(squares / count - mean**2, 0.0)) + 1e-6
    energy_median = float(np.median(np.concatenate([p.log_energy for p in everything])))

    def normalised(part: Features) -> np.ndarray:
        loudness = levels.synthetic_loudness(part.log_energy, energy_median)
        cepstra = (part.cepstra - mean) / std * CEPSTRUM_WEIGHTS
        return np.hstack([cepstra, settings.level_weight * loudness[:, None]]).astype(np.float32)

    filler_features = normalised(filler)
    lengths = [len(c) for c in cues]
    layout = empty_layout(lengths, 1, len(filler_features), CEPSTRA + 1, fillers)
    _put_fillers(layout, filler_features)
    for k in range(len(cues)):
        start = layout.starts[k]
        layout.features[start : start + lengths[k]] = normalised(cues[k])
        cues[k] = NO_FRAMES
    return layout


def _put_fillers(layout: Layout, filler: np.ndarray) -> None:
    """Write the filler's features into the gaps that hold one."""
    for gap in np.flatnonzero(layout.segment_lengths[1::4]):
        start = layout.segment_starts[4 * gap + 1]
        layout.features[start : start + len(filler)] = filler


def empty_layout(
    lengths: Sequence[int], factor: int, filler: int, dims: int, fillers: np.ndarray, *, full_gaps: bool = True
) -> Layout:
    """Segments pause, filler, pause, cue, ..., pause, filler, pause; features zero. The
    filler segment is empty in gaps where ``fillers`` says no filler is said (inside a
    sentence). Without ``full_gaps`` (coarse levels) a gap is one pause column: the filler
    and second pause segments are empty, so gaps do not outnumber the few columns of each cue."""
    second = 1 if full_gaps else 0
    segments: list[tuple[int, int]] = []
    for length, with_filler in zip([*lengths, None], fillers):
        segments += [(PAUSE, 1), (FILLER, filler if full_gaps and with_filler else 0), (PAUSE, second)]
        if length is not None:
            segments.append((SPEECH, length))
    sizes = np.array([size for _, size in segments], np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    kinds = np.repeat(np.array([kind for kind, _ in segments], np.int8), sizes)
    return Layout(factor, starts, sizes, kinds, np.zeros((int(sizes.sum()), dims), np.float32), fillers)


def coarser_layout(fine: Layout, factor: int, filler: np.ndarray) -> Layout:
    """The layout of a coarser level: every cue of ``fine`` pooled by ``factor``; the filler
    too, up to ``FULL_GAPS_UP_TO``, above which each gap is a single pause column."""
    full_gaps = factor <= FULL_GAPS_UP_TO
    pooled_filler = pool(filler, factor) if full_gaps else filler[:0]
    groups = -(-fine.lengths // factor)
    layout = empty_layout(groups, factor, len(pooled_filler), filler.shape[1], fine.fillers, full_gaps=full_gaps)
    _put_fillers(layout, pooled_filler)
    cue = np.repeat(np.arange(len(groups)), groups)
    within = np.arange(int(groups.sum())) - np.repeat(np.cumsum(groups) - groups, groups)
    layout.features[layout.starts[cue] + within] = _pool_cues(fine, factor, groups, cue, within)
    return layout


def _pool_cues(
    fine: Layout, factor: int, groups: np.ndarray, cue: np.ndarray, within: np.ndarray
) -> np.ndarray:
    """Every cue's frames pooled by ``factor`` (the last run of each may be shorter), in one
    pass: group ``g`` is run ``within[g]`` of cue ``cue[g]``. Each cue's end is a boundary
    too (its gap follows), and the sums that start there are dropped."""
    offsets = np.cumsum(groups + 1) - (groups + 1)
    firsts = offsets[cue] + within
    index = np.empty(int(groups.sum()) + len(groups), np.int64)
    index[firsts] = fine.starts[cue] + within * factor
    index[offsets + groups] = fine.starts + fine.lengths
    sums = np.add.reduceat(fine.features, index, axis=0)[firsts]
    sizes = np.minimum(factor, fine.lengths[cue] - within * factor).astype(np.float32)
    return sums / sizes[:, None]


def pool(frames: np.ndarray, factor: int) -> np.ndarray:
    """Mean of each run of ``factor`` frames (the last run may be shorter)."""
    if factor == 1:
        return frames
    starts = np.arange(0, len(frames), factor)
    sizes = np.diff(np.append(starts, len(frames))).astype(np.float32)
    return np.add.reduceat(frames, starts, axis=0) / sizes[:, None]


def speaker_pace(speech: np.ndarray, pieces: Sequence[Features]) -> float:
    """How much longer the speaker takes than the synthetic voice: voiced time over synthetic
    time (within 0.7-1.6). Pieces are stretched by it, so the warping's price for going
    faster or slower measures a departure from the speaker's own pace, not from espeak-ng's
    (home readers took 1.3 times as long: every cue paid for it)."""
    synthetic = sum(len(p) for p in pieces)
    return float(np.clip(speech.sum() / max(synthetic, 1), 0.7, 1.6))


def paced(frames: Features, pace: float) -> Features:
    """The frames resampled to ``pace`` times as many (nearest frame)."""
    count = max(1, round(len(frames) * pace))
    index = np.minimum((np.arange(count) / pace).astype(np.int64), len(frames) - 1)
    return Features(frames.cepstra[index], frames.log_energy[index])
