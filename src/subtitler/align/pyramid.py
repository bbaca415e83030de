"""The coarse levels: a full DTW at the coarsest level small enough, then each finer level
searched in a band around the path above it, down to ``settings.fine_factor``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dtw import Path, banded_path
from .layout import PAUSE, Layout, coarser_layout
from .problem import Problem, Real
from .settings import AlignSettings


@dataclass(frozen=True)
class CoarsePath:
    """The path at ``settings.fine_factor`` resolution, through the columns of ``layout``."""

    path: Path
    layout: Layout


def coarse_to_fine(problem: Problem) -> CoarsePath:
    """The path at ``settings.fine_factor`` resolution, through coarser levels."""
    real, fine, filler, settings = problem.real, problem.fine, problem.filler, problem.settings
    factor = settings.fine_factor
    while True:
        layout = coarser_layout(fine, factor, filler)
        if -(-len(real) // factor) * layout.columns <= settings.top_cells:
            break
        factor *= 4
    path: Path | None = None
    previous: Layout | None = None
    while True:
        pooled = real.pooled(factor)
        if path is None or previous is None:
            lo, width = np.zeros(len(pooled), np.int64), layout.columns
        else:
            lo, width = _project(path, previous, layout, len(pooled), settings)
        path = banded_path(_band_distance(pooled, layout), lo, width, layout.costs(settings), pooled.hold)
        if factor == settings.fine_factor:
            return CoarsePath(path, layout)
        previous = layout
        factor //= 4
        layout = coarser_layout(fine, factor, filler)


def _band_distance(real: Real, layout: Layout):  # type: ignore[no-untyped-def]
    """Distance function of one level for :func:`banded_path`."""
    synthetic = layout.features
    synthetic_norms = (synthetic * synthetic).sum(axis=1)
    real_norms = (real.features * real.features).sum(axis=1)
    dims = synthetic.shape[1]
    pause = layout.kinds == PAUSE

    def distance(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        if np.all(columns[:, 0] == columns[0, 0]):  # the same columns for every row: one product
            cross = real.features[rows] @ synthetic[columns[0]].T
        else:
            cross = (synthetic[columns] @ real.features[rows][:, :, None])[..., 0]
        squared = real_norms[rows][:, None] + synthetic_norms[columns] - 2.0 * cross
        d = np.sqrt(np.maximum(squared, 0.0) / dims) + real.unvoiced[rows][:, None]
        return np.where(pause[columns], real.pause[rows][:, None], d)

    return distance


def _project(
    path: Path, coarse: Layout, fine: Layout, rows: int, settings: AlignSettings
) -> tuple[np.ndarray, int]:
    """The band of the finer level: the coarse path's cells, widened."""
    ratio = coarse.factor // fine.factor
    first, last = path.row_span(-(-rows // ratio))
    lo_map, hi_map = _column_map(coarse, fine, ratio)
    coarse_row = np.minimum(np.arange(rows) // ratio, len(first) - 1)
    lo = lo_map[first[coarse_row]]
    hi = hi_map[last[coarse_row]]
    # Both bounds are non-decreasing (a monotonic path's row span through monotonic column
    # maps), so widening each row to ``reach`` rows either side takes the bound of the row
    # ``reach`` above (lowest) or below (highest).
    reach = settings.band_rows * ratio
    index = np.arange(rows)
    widen = settings.band_columns if fine.factor <= settings.fine_factor else settings.coarse_band_columns
    lo = lo[np.maximum(index - reach, 0)] - widen
    hi = hi[np.minimum(index + reach, rows - 1)] + widen
    lo = np.clip(lo, 0, fine.columns - 1)
    hi = np.clip(hi, 0, fine.columns - 1)
    lo[0] = 0
    hi[-1] = fine.columns - 1
    lo = np.maximum.accumulate(lo)
    hi = np.maximum.accumulate(hi)
    return lo, int((hi - lo).max()) + 1


def _column_map(coarse: Layout, fine: Layout, ratio: int) -> tuple[np.ndarray, np.ndarray]:
    """For each coarse column, the first and last fine column it stands for: a cue's columns
    map in proportion, a gap's columns map to the whole gap."""
    lo = np.empty(coarse.columns, np.int64)
    hi = np.empty(coarse.columns, np.int64)
    segments = len(coarse.segment_starts)
    for first in range(0, segments, 4):
        gap_start = coarse.segment_starts[first]
        gap_columns = slice(gap_start, gap_start + coarse.segment_lengths[first : first + 3].sum())
        lo[gap_columns] = fine.segment_starts[first]
        hi[gap_columns] = fine.segment_starts[first] + fine.segment_lengths[first : first + 3].sum() - 1
        if first + 3 < segments:
            start_c, length_c = coarse.segment_starts[first + 3], coarse.segment_lengths[first + 3]
            start_f, length_f = fine.segment_starts[first + 3], fine.segment_lengths[first + 3]
            t = np.arange(length_c)
            lo[start_c + t] = start_f + np.minimum(t * ratio, length_f - 1)
            hi[start_c + t] = start_f + np.minimum((t + 1) * ratio - 1, length_f - 1)
    return lo, hi


def row_at(path: Path, layout: Layout, cue: int, frame: int) -> float:
    """Real frame (10 ms units) where the path reaches ``frame`` of ``cue`` (interpolated)."""
    f = layout.factor
    column = layout.starts[cue] + frame // f
    entry, exit_ = path.entry[column], path.exit[column] + 1
    within = (frame % f + 0.5) / f
    return (entry + (exit_ - entry) * within) * f
