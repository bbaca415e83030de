"""The verdict on each text (heard or not, how well it matched) and the second pass that
aligns the boundaries again without the texts surely not said.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dtw import Path
from .layout import Layout
from .problem import Problem, Real
from .pyramid import CoarsePath
from .settings import AlignSettings
from .windows import boundary_window, solve_windows

NEIGHBOURS = 8  # pieces each side that set what matching "as well as the others" means


@dataclass(frozen=True)
class Verdict:
    """How each cue fared: the share of its usual time it got, and how well it matched."""

    relative: np.ndarray  # real duration / synthetic duration, over the file's median ratio
    distance: np.ndarray  # mean distance of its frames along the path, chance units

    def found(self, settings: AlignSettings) -> np.ndarray:
        """Heard: it got enough of its usual time and matched better than chance; a text
        that got little time (under ``doubtful_ratio``) must also match about as well as the
        texts around it (an unsaid sentence squeezed into a neighbour's audio matches worse;
        a speaker whose voice is far from the synthetic one matches worse all along)."""
        squeezed = self.relative < settings.doubtful_ratio
        worse = self.distance > _local_median(self.distance, NEIGHBOURS) + settings.doubtful_mismatch
        return (self.relative >= settings.min_found_ratio) & (self.distance < 1.0) & ~(squeezed & worse)

    def confidence(self, settings: AlignSettings) -> np.ndarray:
        """1 for a cue matching as well as the file's others (within ``good_distance`` of
        their median: a real voice matches the synthetic one less well than another
        synthetic voice does, all through the file) with at least 0.7 of its usual time; 0
        at chance, or with no time."""
        good = min(float(np.median(self.distance)) + settings.good_distance, 0.99)
        match = np.clip((1.0 - self.distance) / (1.0 - good), 0.0, 1.0)
        return match * np.clip(self.relative / 0.7, 0.0, 1.0)


def judge(
    problem: Problem, coarse: CoarsePath, pooled: Real, starts: np.ndarray, ends: np.ndarray,
    usual: float | None = None,
) -> tuple[Verdict, float]:
    """The verdict on every cue, and the file's usual real/synthetic duration ratio;
    ``pooled`` is the audio at the resolution of the coarse path's layout."""
    pieces, path, layout = problem.pieces, coarse.path, coarse.layout
    synthetic_frames = np.array([len(p) for p in pieces], np.float64)
    ratios = (ends - starts) / np.maximum(synthetic_frames, 1.0)
    if usual is None:
        usual = max(float(np.median(ratios)), 1e-3)
    distances = np.empty(len(pieces))
    for k in range(len(pieces)):
        cols = layout.starts[k] + np.arange(layout.lengths[k])
        middle = (path.entry[cols] + path.exit[cols]) // 2
        diffs = pooled.features[middle] - layout.features[cols]
        distances[k] = float(np.sqrt((diffs**2).mean(axis=1)).mean())
    return Verdict(ratios / usual, distances), usual


def _local_median(values: np.ndarray, half: int) -> np.ndarray:
    """The median of each value's neighbourhood (``half`` each side)."""
    if len(values) == 0:
        return values
    padded = np.pad(values, half, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)


def jumped(path: Path, layout: Layout) -> np.ndarray:
    """Pieces the path jumped over whole (text not said). The boundary windows, each seeing
    one end of a piece, may still squeeze such a piece into a neighbour's audio; when they
    gave it little time too, it counts as having had none, and the second pass aligns its
    neighbours without it (when they found it its usual time, they are trusted)."""
    if path.jumped is None:
        return np.zeros(len(layout.starts), bool)
    return np.array([bool(path.jumped[s]) if n else False for s, n in zip(layout.starts, layout.lengths)])


def second_pass(
    problem: Problem, coarse: CoarsePath, verdict: Verdict, usual: float, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Align again around cues that were not heard, without the text that surely was not
    said (it got under ``drop_ratio`` of its usual time): a dropped sentence squeezes its
    neighbours in the first pass. Doubtful cues stay in and are judged again. Cues left
    out sit in the gap between their neighbours (start = previous end, end = next start).
    Returns starts, ends, which cues were heard and their confidence."""
    real, settings, layout = problem.real, problem.settings, coarse.layout
    cues = len(problem.pieces)
    doubtful = ~verdict.found(settings)
    dropped = doubtful & (verdict.relative < settings.drop_ratio)
    groups = []
    k = 0
    while k < cues:
        if not doubtful[k]:
            k += 1
            continue
        first = k
        while k < cues and doubtful[k]:
            k += 1
        groups.append((first - 1, k))
    first_starts, first_ends = starts, ends
    for _ in range(3):  # a kept cue found unheard is dropped in turn
        starts, ends = first_starts.copy(), first_ends.copy()
        windows = [
            boundary_window(problem, coarse, before, after,
                            middle=[c for c in range(before + 1, after) if not dropped[c]])
            for before, after in groups
        ]  # fmt: skip
        solve_windows(problem, windows, starts, ends)
        again, _ = judge(problem, coarse, real.pooled(layout.factor), starts, ends, usual)
        newly = doubtful & ~dropped & ~again.found(settings)
        if not newly.any():
            break
        dropped |= newly
    heard = ~dropped & (~doubtful | again.found(settings))
    confidence = np.where(doubtful, again.confidence(settings), verdict.confidence(settings))
    return starts, ends, heard, np.where(heard, confidence, np.minimum(confidence, 0.2))


def place_unheard(
    starts: np.ndarray, ends: np.ndarray, heard: np.ndarray, frames: int
) -> tuple[np.ndarray, np.ndarray]:
    """Put each cue that was not heard in the gap between the heard cues around it (from
    the previous one's end to the next one's start), never on top of them."""
    starts, ends = starts.copy(), ends.copy()
    previous_end = 0
    for k in range(len(heard)):
        if heard[k]:
            previous_end = ends[k]
            continue
        following = starts[k + 1 :][heard[k + 1 :]]
        starts[k] = previous_end
        ends[k] = max(previous_end, int(following[0]) if len(following) else frames)
    return starts, ends
