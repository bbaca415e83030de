"""Where a piece's start is moved after the path: onto the sound that begins the voice."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.align import activity
from subtitler.align.edges import Onsets
from subtitler.align.levels import Levels
from subtitler.align.settings import AlignSettings

SETTINGS = AlignSettings()


def db(level: float) -> float:
    return level / activity.DB_PER_NEPER


def scene(*parts: tuple[int, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(frames, level dB, voice probability) runs of 10 ms frames after 2 s of loud speech
    and before 2 s more: the levels' statistics see a voice at -20 dB and a floor at -70."""
    runs = [(200, -20.0, 1.0), *parts, (200, -20.0, 1.0), (200, -70.0, 0.0)]
    energy = np.concatenate([np.full(n, db(level), np.float32) for n, level, _ in runs])
    voice = np.concatenate([np.full(n, p, np.float32) for n, _, p in runs])
    return energy, voice


def snapped(energy: np.ndarray, voice: np.ndarray, start: int, previous_end: int) -> int:
    onsets = Onsets(voice, energy, Levels.of(energy, voice >= 0.5), SETTINGS)
    starts = np.array([0, start]), np.array([previous_end, start + 100])
    return int(onsets.snap(*starts, np.array([True, True]))[1])


def test_a_start_in_the_dying_tail_before_a_pause_the_detector_bridged_moves_to_the_rise():
    # the previous word dies away (-50 dB), a 40 ms pause at the floor, then the next word:
    # the detector never drops (it bridges pauses under ~0.2 s)
    energy, voice = scene((8, -50.0, 1.0), (4, -70.0, 1.0))
    start = 200  # where the path put the start: in the tail
    assert snapped(energy, voice, start, previous_end=start) == 212  # the rise after the pause


def test_a_start_on_a_soft_first_consonant_stays():
    # a fricative at -45 dB never falls to the floor: it is the word's beginning
    energy, voice = scene((12, -45.0, 1.0))
    assert snapped(energy, voice, 200, previous_end=150) == 200


def test_a_start_in_loud_speech_stays():
    energy, voice = scene((12, -25.0, 1.0))
    assert snapped(energy, voice, 200, previous_end=150) == 200


def test_a_pause_longer_than_the_reach_is_not_crossed():
    reach = round(SETTINGS.onset_reach / 0.01)
    energy, voice = scene((reach + 20, -70.0, 1.0))
    assert snapped(energy, voice, 200, previous_end=200) == 200


def band_widths(fine_factor: int, settings: AlignSettings) -> np.ndarray:
    """The band widths of the level below a 4x coarser one, around a diagonal coarse path."""
    from subtitler.align.layout import empty_layout
    from subtitler.align.pyramid import _project
    from subtitler.align.dtw import Path

    frames = [2560] * 10  # ten cues of 25.6 s of synthetic speech
    fillers = np.ones(11, bool)
    coarse = empty_layout([-(-n // (4 * fine_factor)) for n in frames], 4 * fine_factor, 0, 2, fillers, full_gaps=False)
    fine = empty_layout([-(-n // fine_factor) for n in frames], fine_factor, 0, 2, fillers, full_gaps=False)
    rows = fine.columns  # as many audio rows as columns: a diagonal
    entry = np.arange(coarse.columns) * (-(-rows // 4)) // coarse.columns
    path = Path(entry=entry, exit=np.maximum(entry, np.append(entry[1:] - 1, entry[-1])), cost=0.0)
    lo, width = _project(path, coarse, fine, rows, settings)
    return width


def test_below_a_level_of_2_56_s_cells_the_band_is_wider_than_at_the_last_level():
    """From cells of 2.56 s, the coarse path can be 10 s off where a voice matches poorly
    (the 76-minute webinar: 25 cues 1-15 s early with the last level's band)."""
    settings = AlignSettings(band_columns=16, coarse_band_columns=48)
    last = band_widths(settings.fine_factor, settings)
    above = band_widths(4 * settings.fine_factor, settings)
    assert above - last >= 2 * (48 - 16) - 8


@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), max_size=60))
def test_the_runs_of_a_mask_are_its_maximal_stretches_of_true_frames_in_order(flags):
    mask = np.array(flags, bool)
    found = activity.runs(mask)
    covered = np.zeros(len(mask), bool)
    for a, b in found:
        assert 0 <= a < b <= len(mask) and mask[a:b].all()
        assert (a == 0 or not mask[a - 1]) and (b == len(mask) or not mask[b])  # maximal
        covered[a:b] = True
    assert np.array_equal(covered, mask) and list(found[:, 0]) == sorted(found[:, 0])
