"""Dynamic time warping with capped gap costs, vectorised row by row in numpy.

Rows are frames of the real audio, columns frames of the synthetic speech. A path may:

- go diagonally (both advance), paying the frame distance ``d``;
- *hold* (go up: the real audio advances, the text waits: slower speech, a filler, a
  pause), paying ``min(d + hold_extra, hold_cap)`` of the column;
- *skip* (go left: the text advances, the audio waits: faster speech, text not said),
  paying ``min(d, gap)``, or nothing in an *optional* column (a pause or filler that the
  speaker may not make).

Capping the costs is what lets the path skip a sentence that was not said, or absorb a
filler that is not written, for a fixed price per frame instead of smearing it over the
neighbouring words. The path runs from the first to the last frame of both sequences.

Skips chain inside a row, which would need a Python loop per cell; instead the row is
solved at once: ``D[k] = min(a[k], D[k-1] + h[k])`` is ``S[k] + min_{m<=k}(a[m] - S[m])``
with ``S`` the running sum of ``h``, a cumulative minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DIAGONAL, HOLD, SKIP, ORIGIN = 0, 1, 2, 3
_BLOCK_CELLS = 1 << 18  # distances computed this many cells at a time (bounds memory)


@dataclass(frozen=True)
class ColumnCosts:
    """How each column may be held or skipped (arrays of one value per column)."""

    optional: np.ndarray  # bool: skipping the column is free
    hold_cap: np.ndarray  # float: most one hold move may cost
    hold_extra: np.ndarray  # float: added to the distance on a hold move
    gap: float  # most one skip move may cost

    def __len__(self) -> int:
        return len(self.optional)

    def take(self, columns: np.ndarray) -> ColumnCosts:
        return ColumnCosts(
            self.optional[columns], self.hold_cap[columns], self.hold_extra[columns], self.gap
        )


@dataclass(frozen=True)
class Path:
    """A monotonic path, summarised per column: the rows where it enters and leaves it."""

    entry: np.ndarray  # (columns,) first row of the path in each column
    exit: np.ndarray  # (columns,) last row of the path in each column
    cost: float

    def row_span(self, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """For each row, the first and last column the path visits in it."""
        index = np.arange(rows)
        first = np.searchsorted(self.exit, index, side="left")
        last = np.searchsorted(self.entry, index, side="right") - 1
        columns = len(self.entry)
        return np.clip(first, 0, columns - 1), np.clip(last, 0, columns - 1)


DistanceFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``distance(rows, columns)`` -> distances, ``rows`` (R,) against ``columns`` (R, W)."""


def banded_path(distance: DistanceFn, lo: np.ndarray, width: int, costs: ColumnCosts) -> Path:
    """Best path through the band: row ``i`` may visit columns ``lo[i] .. lo[i]+width-1``.

    ``lo`` must be non-decreasing, start at 0 and end with the last column inside the band.
    Memory: one byte per cell of the band.
    """
    rows, columns = len(lo), len(costs)
    lo = np.asarray(lo, np.int64)
    if lo[0] != 0 or lo[-1] + width < columns or np.any(np.diff(lo) < 0):
        raise ValueError("the band must be monotonic and hold the first and last cells")
    codes = np.empty((rows, width), np.uint8)
    offsets = np.arange(width)
    previous = np.full(width, np.inf)
    extended = np.full(2 * width + 1, np.inf)
    padded = costs.take(np.minimum(np.arange(columns + width), columns - 1))
    previous_lo = 0
    block_rows = max(1, _BLOCK_CELLS // width)
    for start in range(0, rows, block_rows):
        block = np.arange(start, min(rows, start + block_rows))
        cols = lo[block, None] + offsets
        inside = cols < columns
        d_block = np.where(inside, distance(block, np.minimum(cols, columns - 1)), np.inf)
        hold_block = np.minimum(d_block + padded.hold_extra[cols], padded.hold_cap[cols])
        skip_block = np.where(padded.optional[cols], 0.0, np.minimum(d_block, costs.gap))
        for r, i in enumerate(block):
            shift = int(lo[i] - previous_lo)
            if shift >= width:
                raise ValueError("band rows do not overlap")
            extended[1 : width + 1] = previous
            extended[width + 1 :] = np.inf
            hold = extended[1 + shift : 1 + shift + width] + hold_block[r]
            diagonal = extended[shift : shift + width] + d_block[r]
            if i == 0:
                diagonal[0] = d_block[r, 0]
            previous, codes[i] = _finish_row(diagonal, hold, skip_block[r], first_row=i == 0)
            previous_lo = int(lo[i])
    cost = float(previous[columns - 1 - int(lo[-1])])
    if not np.isfinite(cost):
        raise ValueError("no path through the band")
    return _backtrack(codes, lo, rows - 1, columns - 1, columns, cost)


def _finish_row(
    diagonal: np.ndarray, hold: np.ndarray, skip: np.ndarray, *, first_row: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Costs and back-pointer codes of one row (or one row of many problems, axis -1)."""
    best = np.minimum(diagonal, hold)
    code = (hold < diagonal).astype(np.uint8)  # DIAGONAL / HOLD
    if first_row:
        code[..., 0] = ORIGIN
    running = np.cumsum(skip, axis=-1)
    relative = best - running
    lowest = np.minimum.accumulate(relative, axis=-1)
    skipped = relative > lowest
    code[skipped] = SKIP
    return np.where(skipped, lowest + running, best), code


def _backtrack(codes: np.ndarray, lo: np.ndarray, row: int, col: int, columns: int, cost: float) -> Path:
    entry = np.empty(columns, np.int64)
    exit_ = np.full(columns, -1, np.int64)
    while True:
        code = codes[row, col - lo[row]]
        entry[col] = row
        if exit_[col] < 0:
            exit_[col] = row
        if code == ORIGIN:
            break
        if code == DIAGONAL:
            row -= 1
            col -= 1
        elif code == HOLD:
            row -= 1
        else:
            col -= 1
    return Path(entry=entry, exit=exit_, cost=cost)


def corner_paths(
    d: np.ndarray, row_counts: np.ndarray, col_counts: np.ndarray, costs: ColumnCosts
) -> list[Path]:
    """Best paths of many small independent problems at once, corner to corner.

    ``d`` is (problems, rows, columns), padded beyond each problem's own ``row_counts`` and
    ``col_counts``; the arrays of ``costs`` are (problems, columns). The loop runs over rows
    only, so a thousand windows cost about as much as one.
    """
    problems, rows, cols = d.shape
    valid = np.arange(cols)[None, :] < col_counts[:, None]
    d = np.where(valid[:, None, :], d, np.float32(np.inf)).astype(np.float32, copy=False)
    hold = np.minimum(d + costs.hold_extra[:, None, :], costs.hold_cap[:, None, :])
    skip = np.where(costs.optional[:, None, :] & valid[:, None, :], 0.0, np.minimum(d, costs.gap))
    codes = np.empty((rows, problems, cols), np.uint8)
    previous = np.full((problems, cols), np.inf, np.float32)
    ids = np.arange(problems)
    finals = np.full(problems, np.inf)
    for i in range(rows):
        diagonal = np.full_like(previous, np.inf)
        diagonal[:, 1:] = previous[:, :-1] + d[:, i, 1:]
        if i == 0:
            diagonal[:, 0] = d[:, 0, 0]
        holding = previous + hold[:, i, :]
        previous, codes[i] = _finish_row(diagonal, holding, skip[:, i, :], first_row=i == 0)
        ending = row_counts - 1 == i
        finals[ending] = previous[ids[ending], col_counts[ending] - 1]
    return _backtrack_all(codes, row_counts - 1, col_counts, finals)


def _backtrack_all(
    codes: np.ndarray, end_rows: np.ndarray, col_counts: np.ndarray, costs: np.ndarray
) -> list[Path]:
    """Backtrack every problem at once, one step of all paths per iteration."""
    problems = codes.shape[1]
    ids = np.arange(problems)
    row = end_rows.astype(np.int64)
    col = col_counts.astype(np.int64) - 1
    entry = np.zeros((problems, codes.shape[2]), np.int64)
    exit_ = np.full((problems, codes.shape[2]), -1, np.int64)
    active = np.ones(problems, bool)
    while active.any():
        r, c, p = row[active], col[active], ids[active]
        code = codes[r, p, c]
        entry[p, c] = r
        unset = exit_[p, c] < 0
        exit_[p[unset], c[unset]] = r[unset]
        row[p] -= (code == DIAGONAL) | (code == HOLD)
        col[p] -= (code == DIAGONAL) | (code == SKIP)
        active[p[code == ORIGIN]] = False
    return [
        Path(entry=entry[p, : col_counts[p]], exit=exit_[p, : col_counts[p]], cost=float(costs[p]))
        for p in range(problems)
    ]
