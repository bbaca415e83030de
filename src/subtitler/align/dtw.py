"""Dynamic time warping with capped gap costs; the cell-by-cell loops are in ``_dtw.c``.

Rows are frames of the real audio, columns frames of the synthetic speech. A path may:

- go diagonally (both advance), paying the frame distance ``d``;
- *hold* (go up: the real audio advances, the text waits: slower speech, a filler, a
  pause), paying ``min(d + hold_extra, hold_cap)`` of the column, and never more than the
  row's ``row_hold`` (a speaker may pause anywhere, even inside a word's column);
- *skip* (go left: the text advances, the audio waits: faster speech, text not said),
  paying ``min(d + hold_extra, gap)``, or nothing in an *optional* column (a pause or filler
  that the speaker may not make);
- *jump* over a whole stretch of columns in one move (a sentence written but not said),
  from the column ``jump`` before, paying that column's ``jump_cost``.

Capping the costs is what lets the path skip a sentence that was not said, or absorb a
filler that is not written, for a fixed price per frame instead of smearing it over the
neighbouring words. The path runs from the first to the last frame of both sequences.

Skips chain inside a row, so a row cannot be solved in a few numpy passes without a
cumulative-minimum trick that took about a dozen passes per row; in C each cell costs a few
nanoseconds. Distances stay in numpy (BLAS products), computed a block of rows at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import _dtw

_BLOCK_CELLS = 1 << 18  # distances computed this many cells at a time (bounds memory)


@dataclass(frozen=True)
class ColumnCosts:
    """How each column may be held or skipped (arrays of one value per column)."""

    optional: np.ndarray  # bool: skipping the column is free
    hold_cap: np.ndarray  # float: most one hold move may cost
    hold_extra: np.ndarray  # float: added to the distance on a hold or skip move
    gap: float  # most one skip move may cost
    jump: np.ndarray | None = None  # int: the column may be reached from this many columns before
    jump_cost: np.ndarray | None = None  # float: ...at this price

    def __len__(self) -> int:
        return len(self.optional)

    def jumps(self) -> np.ndarray:
        return np.zeros(self.optional.shape, np.int64) if self.jump is None else self.jump

    def jump_costs(self) -> np.ndarray:
        return np.full(self.optional.shape, np.inf, np.float32) if self.jump_cost is None else self.jump_cost

    def take(self, columns: np.ndarray) -> ColumnCosts:
        """The costs of some columns (increasing; along the last axis), jumps kept where both
        ends are among them."""
        jump = self.jumps()[columns]
        source = columns - jump
        position = np.searchsorted(columns, source) if columns.ndim == 1 else _positions(columns, source)
        here = np.broadcast_to(np.arange(columns.shape[-1]), columns.shape)
        inside = np.take_along_axis(columns, np.minimum(position, columns.shape[-1] - 1), -1) == source
        relative = np.where((jump > 0) & inside, here - position, 0)
        return ColumnCosts(
            self.optional[columns], self.hold_cap[columns], self.hold_extra[columns], self.gap,
            relative.astype(np.int64), self.jump_costs()[columns],
        )


@dataclass(frozen=True)
class Path:
    """A monotonic path, summarised per column: the rows where it enters and leaves it."""

    entry: np.ndarray  # (columns,) first row of the path in each column
    exit: np.ndarray  # (columns,) last row of the path in each column
    cost: float
    jumped: np.ndarray | None = None  # (columns,) bool: passed over by a jump

    def row_span(self, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """For each row, the first and last column the path visits in it."""
        index = np.arange(rows)
        first = np.searchsorted(self.exit, index, side="left")
        last = np.searchsorted(self.entry, index, side="right") - 1
        columns = len(self.entry)
        return np.clip(first, 0, columns - 1), np.clip(last, 0, columns - 1)


DistanceFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``distance(rows, columns)`` -> distances, ``rows`` (R,) against ``columns`` (R, W)."""


def banded_path(
    distance: DistanceFn, lo: np.ndarray, width: int, costs: ColumnCosts, row_hold: np.ndarray | None = None
) -> Path:
    """Best path through the band: row ``i`` may visit columns ``lo[i] .. lo[i]+width-1``.

    ``lo`` must be non-decreasing, start at 0 and end with the last column inside the band.
    ``row_hold`` (one per row) caps the price of a hold in that row (none by default).
    Memory: one byte per cell of the band.
    """
    rows, columns = len(lo), len(costs)
    lo = np.ascontiguousarray(lo, np.int64)
    if lo[0] != 0 or lo[-1] + width < columns or np.any(np.diff(lo) < 0):
        raise ValueError("the band must be monotonic and hold the first and last cells")
    optional, hold_cap, hold_extra = _column_arrays(costs)
    holds = np.ascontiguousarray(np.full(rows, np.inf) if row_hold is None else row_hold, np.float32)
    jumps = np.ascontiguousarray(costs.jumps(), np.int64)
    jump_costs = np.ascontiguousarray(costs.jump_costs(), np.float32)
    codes = np.empty((rows, width), np.uint8)
    offsets = np.arange(width)
    previous = np.full(width, np.inf)
    previous_lo = 0
    block_rows = max(1, _BLOCK_CELLS // width)
    for start in range(0, rows, block_rows):
        block = np.arange(start, min(rows, start + block_rows))
        cols = np.minimum(lo[block, None] + offsets, columns - 1)
        d_block = np.ascontiguousarray(distance(block, cols), np.float32)
        previous_lo = _dtw.band_rows(
            len(block), width, start, columns, d_block, lo[block], previous, previous_lo,
            optional, hold_cap, hold_extra, float(costs.gap), holds[block], jumps, jump_costs,
            codes[start : start + len(block)],
        )  # fmt: skip
    cost = float(previous[columns - 1 - int(lo[-1])])
    if not np.isfinite(cost):
        raise ValueError("no path through the band")
    entry, exit_ = np.empty(columns, np.int64), np.empty(columns, np.int64)
    jumped = np.zeros(columns, np.uint8)
    _dtw.band_backtrack(rows, width, columns, codes, lo, jumps, entry, exit_, jumped)
    return Path(entry=entry, exit=exit_, cost=cost, jumped=jumped.astype(bool))


def _positions(columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``searchsorted`` row by row."""
    return np.stack([np.searchsorted(row, value) for row, value in zip(columns, values)])


def _column_arrays(costs: ColumnCosts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The column costs as the C loops read them (contiguous, bytes and float32)."""
    return (
        np.ascontiguousarray(costs.optional, np.uint8),
        np.ascontiguousarray(costs.hold_cap, np.float32),
        np.ascontiguousarray(costs.hold_extra, np.float32),
    )


def corner_paths(
    d: np.ndarray,
    row_counts: np.ndarray,
    col_counts: np.ndarray,
    costs: ColumnCosts,
    row_hold: np.ndarray | None = None,
) -> list[Path]:
    """Best paths of many small independent problems at once, corner to corner.

    ``d`` is (problems, rows, columns), padded beyond each problem's own ``row_counts`` and
    ``col_counts``; the arrays of ``costs`` are (problems, columns), ``row_hold`` (problems,
    rows)."""
    problems, rows, cols = d.shape
    optional, hold_cap, hold_extra = _column_arrays(costs)
    holds = np.full((problems, rows), np.inf, np.float32) if row_hold is None else row_hold
    holds = np.ascontiguousarray(holds, np.float32)
    entry = np.zeros((problems, cols), np.int64)
    exit_ = np.zeros((problems, cols), np.int64)
    jumped = np.zeros((problems, cols), np.uint8)
    finals = np.empty(problems)
    _dtw.corner_paths(
        problems, rows, cols, np.ascontiguousarray(d, np.float32),
        np.ascontiguousarray(row_counts, np.int64), np.ascontiguousarray(col_counts, np.int64),
        optional, hold_cap, hold_extra, float(costs.gap), holds,
        np.ascontiguousarray(costs.jumps(), np.int64), np.ascontiguousarray(costs.jump_costs(), np.float32),
        entry, exit_, jumped, finals,
    )  # fmt: skip
    return [
        Path(entry=entry[p, : col_counts[p]], exit=exit_[p, : col_counts[p]], cost=float(finals[p]),
             jumped=jumped[p, : col_counts[p]].astype(bool))
        for p in range(problems)
    ]
