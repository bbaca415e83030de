"""Capped-cost DTW: banded and batched solvers against a plain dynamic programme."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.align.dtw import ColumnCosts, banded_path, corner_paths


def _costs(columns: int, optional: np.ndarray | None = None, gap: float = 0.9,
           rng: np.random.Generator | None = None) -> ColumnCosts:
    """Column costs; with ``rng``, a few columns that may also be reached by a jump."""
    optional = np.zeros(columns, bool) if optional is None else optional
    jump = np.zeros(columns, np.int64)
    jump_cost = np.full(columns, np.inf, np.float32)
    if rng is not None:
        for j in range(2, columns):
            if rng.random() < 0.3:
                jump[j] = int(rng.integers(2, j + 1))
                jump_cost[j] = float(rng.random() * 2)
    return ColumnCosts(
        optional=optional,
        hold_cap=np.where(optional, 0.6, gap).astype(np.float32),
        hold_extra=np.where(optional, 0.0, 0.15).astype(np.float32),
        gap=gap,
        jump=jump,
        jump_cost=jump_cost,
    )


def _hold(d: float, costs: ColumnCosts, j: int, row_hold: float) -> float:
    return min(d + costs.hold_extra[j], costs.hold_cap[j], row_hold)


def _skip(d: float, costs: ColumnCosts, j: int) -> float:
    return 0.0 if costs.optional[j] else min(d + costs.hold_extra[j], costs.gap)


def _reference_cost(d: np.ndarray, costs: ColumnCosts, row_hold: np.ndarray) -> float:
    rows, columns = d.shape
    total = np.full((rows, columns), np.inf)
    for i in range(rows):
        for j in range(columns):
            if i == j == 0:
                total[i, j] = d[0, 0]
                continue
            options = []
            if i and j:
                options.append(total[i - 1, j - 1] + d[i, j])
            if i:
                options.append(total[i - 1, j] + _hold(d[i, j], costs, j, row_hold[i]))
            if j:
                options.append(total[i, j - 1] + _skip(d[i, j], costs, j))
            if costs.jump is not None and 0 < costs.jump[j] <= j:
                options.append(total[i, j - costs.jump[j]] + costs.jump_cost[j])
            total[i, j] = min(options)
    return float(total[-1, -1])


def _full_band(d: np.ndarray, costs: ColumnCosts, row_hold: np.ndarray | None = None):
    rows, columns = d.shape
    return banded_path(lambda r, c: d[r[:, None], c], np.zeros(rows, np.int64), columns, costs, row_hold)


def _path_cost(d: np.ndarray, costs: ColumnCosts, entry: np.ndarray, exit_: np.ndarray,
               row_hold: np.ndarray) -> float:
    """Cost of the path described by entry/exit rows per column (walked cell by cell); a
    column a jump passed over has entry = exit = the jump's row and a jump's price is taken
    when the moves cell by cell would cost more (the jump is the cheaper way across)."""
    cells = []
    for j in range(d.shape[1]):
        cells += [(i, j) for i in range(entry[j], exit_[j] + 1)]
    total = d[0, 0]
    for (i0, j0), (i1, j1) in zip(cells, cells[1:]):
        if i1 == i0 + 1 and j1 == j0 + 1:
            total += d[i1, j1]
        elif j1 == j0:
            total += _hold(d[i1, j1], costs, j1, row_hold[i1])
        else:
            total += _skip(d[i1, j1], costs, j1)
    return float(total)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 14), st.integers(1, 14), st.integers(0, 10_000))
def test_both_solvers_find_the_optimum(rows, columns, seed):
    rng = np.random.default_rng(seed)
    d = rng.random((rows, columns)) * 2
    costs = _costs(columns, rng.random(columns) < 0.25)
    row_hold = (0.2 + rng.random(rows)).astype(np.float32)  # a pause may be cheaper than a hold
    expected = _reference_cost(d, costs, row_hold)
    band = _full_band(d, costs, row_hold)
    batch = corner_paths(d[None].astype(np.float32), np.array([rows]), np.array([columns]),
                         costs.take(np.arange(columns)[None]), row_hold[None])[0]
    assert abs(band.cost - expected) < 1e-6
    assert abs(batch.cost - expected) < 1e-4
    for path in (band, batch):
        assert path.entry[0] == 0 and path.exit[-1] == rows - 1
        assert np.all(np.diff(path.entry) >= 0) and np.all(path.entry <= path.exit)
        assert np.all(path.entry[1:] - path.exit[:-1] <= 1)  # no row jumped
        assert abs(_path_cost(d, costs, path.entry, path.exit, row_hold) - expected) < 1e-4


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 14), st.integers(3, 14), st.integers(0, 10_000))
def test_jumps_pass_over_columns_at_their_price(rows, columns, seed):
    rng = np.random.default_rng(seed)
    d = rng.random((rows, columns)) * 2
    costs = _costs(columns, rng.random(columns) < 0.25, rng=rng)
    no_hold = np.full(rows, np.inf, np.float32)
    expected = _reference_cost(d, costs, no_hold)
    band = _full_band(d, costs)
    batch = corner_paths(d[None].astype(np.float32), np.array([rows]), np.array([columns]),
                         costs.take(np.arange(columns)[None]))[0]
    assert abs(band.cost - expected) < 1e-5
    assert abs(batch.cost - expected) < 1e-4
    for path in (band, batch):
        assert path.entry[0] == 0 and path.exit[-1] == rows - 1
        assert np.all(np.diff(path.entry) >= 0) and np.all(path.entry <= path.exit)


def test_a_long_stretch_of_text_not_said_is_jumped_whole():
    rows, columns = 6, 12
    d = np.full((rows, columns), 0.1)
    d[:, 3:9] = 5.0  # columns 3-8 match nothing: text not said
    costs = _costs(columns)
    jump = np.zeros(columns, np.int64)
    jump[9] = 7  # from column 2 over 3-8 to column 9
    cheap = replace(costs, jump=jump, jump_cost=np.where(np.arange(columns) == 9, 1.0, np.inf).astype(np.float32))
    path = _full_band(d, cheap)
    assert np.all(path.entry[3:9] == path.exit[3:9]) and len(set(path.entry[3:9])) == 1
    assert path.cost < _full_band(d, costs).cost


def test_batched_problems_of_different_sizes_match_one_by_one():
    rng = np.random.default_rng(3)
    shapes = [(5, 9), (12, 4), (8, 8), (1, 3)]
    d = np.full((len(shapes), 12, 9), 7.0, np.float32)
    singles = []
    for p, (rows, columns) in enumerate(shapes):
        d[p, :rows, :columns] = rng.random((rows, columns))
        singles.append(_full_band(d[p, :rows, :columns].astype(np.float64), _costs(columns)))
    batch = corner_paths(d, np.array([r for r, _ in shapes]), np.array([c for _, c in shapes]),
                         _costs(9).take(np.zeros((len(shapes), 9), np.int64)))
    for single, together in zip(singles, batch):
        assert np.array_equal(single.entry, together.entry)
        assert abs(single.cost - together.cost) < 1e-4


def test_a_stretched_copy_is_aligned_frame_for_frame():
    rng = np.random.default_rng(0)
    template = rng.normal(size=(40, 3))
    stretch = np.repeat(np.arange(40), 2)  # the audio says each frame twice as long
    d = np.sqrt(((template[stretch][:, None, :] - template[None, :, :]) ** 2).mean(-1))
    path = _full_band(d, _costs(40))
    assert np.array_equal(path.entry, np.arange(40) * 2)


def test_a_narrow_band_around_the_true_path_gives_the_full_answer():
    rng = np.random.default_rng(1)
    template = rng.normal(size=(60, 3))
    index = np.sort(rng.integers(0, 60, 90))
    index[0], index[-1] = 0, 59
    d = np.sqrt(((template[index][:, None, :] - template[None, :, :]) ** 2).mean(-1))
    full = _full_band(d, _costs(60))
    lo = np.clip(np.maximum.accumulate(index - 8), 0, None)
    lo[0] = 0
    lo = np.minimum(lo, 60 - 17)
    band = banded_path(lambda r, c: d[r[:, None], c], lo, 17, _costs(60))
    assert abs(band.cost - full.cost) < 1e-9 and np.array_equal(band.entry, full.entry)


def test_unmatched_audio_goes_to_the_pause_not_to_the_words():
    """Ten rows of noise between two words: the optional pause column takes them."""
    word_a, word_b = np.array([[0.0, 1.0]] * 3), np.array([[1.0, 0.0]] * 3)
    noise = np.array([[5.0, 5.0]] * 10)
    audio = np.vstack([word_a, noise, word_b])
    text = np.vstack([word_a, [[9.0, 9.0]], word_b])  # the middle column is the pause
    d = np.sqrt(((audio[:, None, :] - text[None, :, :]) ** 2).mean(-1)).clip(max=3.0)
    optional = np.zeros(7, bool)
    optional[3] = True
    path = _full_band(d, _costs(7, optional))
    assert path.entry[4] == 13  # the second word starts where its audio starts
    assert path.exit[2] == 2  # the first word ends where its audio ends


def test_text_not_in_the_audio_is_skipped_for_the_gap_price():
    rng = np.random.default_rng(5)
    said, unsaid = rng.normal(size=(20, 4)), rng.normal(size=(15, 4)) + 6
    text = np.vstack([said[:10], unsaid, said[10:]])
    d = np.sqrt(((said[:, None, :] - text[None, :, :]) ** 2).mean(-1)) / 3
    path = _full_band(d, _costs(len(text), gap=0.9))
    assert path.entry[10] == path.entry[24]  # the unsaid block gets no audio of its own
    assert path.entry[25] == 10
