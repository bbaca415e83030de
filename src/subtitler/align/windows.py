"""The boundary windows: short alignments at full resolution (10 ms) around each boundary
between texts, placed by the coarse path, solved in batches by a thread per core.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .dtw import Path, corner_paths
from .features import HOP_SECONDS
from .layout import PAUSE, Layout
from .problem import Problem
from .pyramid import CoarsePath, row_at

_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Window:
    """A fine alignment problem: audio rows ``row_a..row_b`` against ``columns`` (increasing),
    corner to corner; the path's entry into column ``starts[k]`` (a position in ``columns``)
    is where cue ``starts_of[k]`` starts, its exit from ``ends[k]`` where ``ends_of[k]`` ends."""

    row_a: int
    row_b: int
    columns: np.ndarray
    starts_of: tuple[int, ...]
    starts: tuple[int, ...]
    ends_of: tuple[int, ...]
    ends: tuple[int, ...]


def boundary_window(
    problem: Problem, coarse: CoarsePath, before: int, after: int, middle: Sequence[int] = ()
) -> Window:
    """The window from inside cue ``before`` to inside cue ``after``, placed by the coarse
    path: the end of ``before`` (none when it is -1, the start of the file), the
    pause-filler-pause columns after it, the whole of each ``middle`` cue with the gap after
    it, then the start of ``after`` (none when it is the cue count, the end of the file).
    Other cues between are left out."""
    real, fine, settings = problem.real, problem.fine, problem.settings
    path, layout = coarse.path, coarse.layout
    cues = len(fine.starts)
    edge = round(settings.edge_seconds / HOP_SECONDS)
    parts: list[np.ndarray] = []
    starts_of: list[int] = []
    starts: list[int] = []
    ends_of: list[int] = []
    ends: list[int] = []
    width = 0

    def add(columns: np.ndarray) -> None:
        nonlocal width
        parts.append(columns)
        width += len(columns)

    row_a, row_b = 0, len(real) - 1
    if before >= 0:
        n = int(fine.lengths[before])
        frame = n - min(edge, max(1, n // 2))
        row_a = int(row_at(path, layout, before, frame))
        add(np.arange(fine.starts[before] + frame, fine.starts[before] + n))
        ends_of.append(before)
        ends.append(width - 1)
    add(_gap_columns(fine, before + 1))
    for cue in middle:
        starts_of.append(cue)
        starts.append(width)
        add(np.arange(fine.starts[cue], fine.starts[cue] + fine.lengths[cue]))
        ends_of.append(cue)
        ends.append(width - 1)
        add(_gap_columns(fine, cue + 1))
    if after < cues:
        frame = min(edge, max(1, (int(fine.lengths[after]) + 1) // 2)) - 1
        row_b = int(row_at(path, layout, after, frame))
        starts_of.append(after)
        starts.append(width)
        add(np.arange(fine.starts[after], fine.starts[after] + frame + 1))
    row_a = min(max(row_a, 0), len(real) - 1)
    row_b = min(max(row_b, row_a + 1), len(real) - 1)
    row_a = min(row_a, row_b)
    return Window(
        row_a, row_b, np.concatenate(parts), tuple(starts_of), tuple(starts), tuple(ends_of), tuple(ends)
    )


def _gap_columns(layout: Layout, gap: int) -> np.ndarray:
    """The pause, filler and pause columns before cue ``gap`` (or after the last cue)."""
    start = int(layout.segment_starts[4 * gap])
    end = int(layout.segment_starts[4 * gap + 3]) if gap < len(layout.starts) else layout.columns
    return np.arange(start, end)


def solve_windows(problem: Problem, windows: Sequence[Window], starts: np.ndarray, ends: np.ndarray) -> None:
    """Align every window, batched by size, writing the cue starts and ends they give.

    Batches are independent and their BLAS products and C loops release the GIL, so they
    are solved by a thread per core (``settings.threads`` when the build gives a share),
    sharing ``window_cells`` (memory stays the same). The batches depend on the core count
    only, never on ``settings.threads``, so the result does not depend on ``--jobs``."""
    settings = problem.settings
    cells = max(1, settings.window_cells // _THREADS)
    order = sorted(range(len(windows)), key=lambda w: windows[w].row_b - windows[w].row_a)
    batches: list[list[Window]] = [[]]
    rows_max = cols_max = 0
    for index in order:
        window = windows[index]
        if batches[-1] and rows_max * cols_max * len(batches[-1]) >= cells:
            batches.append([])
            rows_max = cols_max = 0
        batches[-1].append(window)
        rows_max = max(rows_max, window.row_b - window.row_a + 1)
        cols_max = max(cols_max, len(window.columns))
    with ThreadPoolExecutor(max_workers=settings.threads or _THREADS) as pool:
        solved = pool.map(lambda batch: _window_paths(problem, batch), batches)
        for batch, paths in zip(batches, solved):
            for window, path in zip(batch, paths):
                for cue, first in zip(window.starts_of, window.starts):
                    starts[cue] = window.row_a + path.entry[first]
                for cue, last in zip(window.ends_of, window.ends):
                    ends[cue] = window.row_a + path.exit[last] + 1


def _window_paths(problem: Problem, windows: Sequence[Window]) -> list[Path]:
    real, fine, settings = problem.real, problem.fine, problem.settings
    row_counts = np.array([w.row_b - w.row_a + 1 for w in windows])
    col_counts = np.array([len(w.columns) for w in windows])
    rows, cols = int(row_counts.max()), int(col_counts.max())
    firsts = np.array([w.row_a for w in windows])
    row_index = np.minimum(firsts[:, None] + np.arange(rows), len(real) - 1)
    col_index = np.stack([np.pad(w.columns, (0, cols - len(w.columns)), mode="edge") for w in windows])
    a = real.features[row_index]  # (windows, rows, dims)
    b = fine.features[col_index]  # (windows, cols, dims)
    cross = a @ b.transpose(0, 2, 1)  # batched BLAS: 15x faster than einsum here
    squared = (a * a).sum(2)[:, :, None] + (b * b).sum(2)[:, None, :] - 2.0 * cross
    d = np.sqrt(np.maximum(squared, 0.0) / a.shape[2]) + real.unvoiced[row_index][:, :, None]
    d = np.where(fine.kinds[col_index][:, None, :] == PAUSE, real.pause[row_index][:, :, None], d)
    return corner_paths(d, row_counts, col_counts, fine.costs(settings).take(col_index), real.hold[row_index])
