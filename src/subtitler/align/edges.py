"""Word edges from the audio itself: a start moved onto the voice onset near it, an end
moved on to where the last word has died away.
"""

from __future__ import annotations

import numpy as np

from . import activity
from .features import HOP_SECONDS
from .levels import Levels, local_floor
from .settings import AlignSettings


class Onsets:
    """Where a voice begins: a run of the detector's speech (``onset_run`` or longer) after
    a pause, its start walked back while the audio stays over the noise floor of the second
    before it (the detector hears a soft first consonant late). A cue's start near one is
    moved onto it."""

    def __init__(self, voice: np.ndarray, log_energy: np.ndarray, levels: Levels, settings: AlignSettings):
        run = round(settings.onset_run / HOP_SECONDS)
        speech = activity.fill_runs(voice >= 0.5, True, run, edges=True)
        for a, b in activity.runs(speech):
            if voice[a:b].max() < settings.onset_sure:
                speech[a:b] = False  # a breath, a click: the detector is never sure of it
        edges = activity.runs(speech)[:, 0]  # where each run of voice begins
        walk = round(settings.onset_walk / HOP_SECONDS)
        starts = edges.copy()
        thresholds = np.empty(len(edges), np.float32)
        for k, edge in enumerate(edges):
            # the floor right before this voice (a recording's own room tone, not the file's)
            floor = float(np.percentile(log_energy[max(0, edge - 100) : edge + 1], 20))
            thresholds[k] = max(
                floor + settings.onset_above_floor_db / activity.DB_PER_NEPER,
                float(levels.speech[edge]) - settings.onset_below_speech_db / activity.DB_PER_NEPER,
            )
            first = edge
            while first > 0 and edge - first < walk and log_energy[first - 1] > thresholds[k]:
                first -= 1
            starts[k] = first
        self.quiet = log_energy < levels.speech - settings.dip_below_speech_db / activity.DB_PER_NEPER
        self.silent = log_energy < levels.floor + settings.dip_floor_db / activity.DB_PER_NEPER
        self.rise = settings.onset_above_floor_db / activity.DB_PER_NEPER
        self.runs = edges  # where the detector's voice runs begin
        self.starts = starts  # the same, walked back to the sound's rise
        self.thresholds = thresholds  # over this log energy, the sound has risen
        self.log_energy = log_energy
        self.speech = speech
        self.reach = round(settings.onset_reach / HOP_SECONDS)
        self.late_reach = round(settings.onset_late_reach / HOP_SECONDS)

    def snap(self, starts: np.ndarray, ends: np.ndarray, found: np.ndarray) -> np.ndarray:
        """Heard pieces' starts moved onto a voice onset (never before the previous piece's
        end or after the piece's own): a start in silence or music up to ``onset_reach``
        before a voice moves to it; a start inside a voice that began after a pause, up to
        ``onset_late_reach`` after it, with no text before it there, moves back to it (the
        path gave the piece's first words to the pause or filler before it)."""
        out = starts.copy()
        for k in np.flatnonzero(found):
            start = int(starts[k])
            previous = int(ends[k - 1]) if k > 0 else 0
            onset = self._onset_after(start) if not self.speech[min(start, len(self.speech) - 1)] else None
            if onset is None:
                onset = self._onset_before(start, previous)
            if onset is None:
                onset = self._after_pause(start)
            if onset is not None and previous <= onset < ends[k]:
                out[k] = onset
        return out

    def _onset_after(self, start: int) -> int | None:
        """Where the sound rises into the next voice onset, when the start lies in silence
        (or music) within reach before it: the detector hears a voice late, so a start in
        a consonant already sounding stays."""
        i = int(np.searchsorted(self.runs, start))
        if i >= len(self.runs) or self.runs[i] > start + self.reach:
            return None
        rising = self.log_energy[start : self.runs[i] + 1] > self.thresholds[i]
        if rising[0]:
            return None
        quiet = np.flatnonzero(~rising)
        return start + int(quiet[-1]) + 1

    def _after_pause(self, start: int) -> int | None:
        """Where the sound rises again after a pause the detector did not hear (it bridges
        pauses under ~0.2 s), when the start lies in the quiet before it: the dying tail of
        the previous word, or the pause itself."""
        end = min(len(self.quiet), start + self.reach)
        if start >= end or not self.quiet[start]:
            return None
        loud = np.flatnonzero(~self.quiet[start:end])
        if not len(loud):
            return None
        stretch = slice(start, start + int(loud[0]))
        dip = start + int(np.argmin(self.log_energy[stretch]))
        if not self.silent[dip]:
            return None  # a soft sound (a fricative), not a pause
        rising = np.flatnonzero(self.log_energy[dip : stretch.stop + 1] > self.log_energy[dip] + self.rise)
        return dip + int(rising[0]) if len(rising) else None

    def _onset_before(self, start: int, previous: int) -> int | None:
        """The onset of the voice the start lies in, when it began after a pause, within
        ``late_reach``, and after the previous piece's end."""
        i = int(np.searchsorted(self.runs, start, side="right")) - 1
        if i < 0 or start - self.runs[i] > self.late_reach or self.runs[i] < previous:
            return None
        if not self.speech[self.runs[i] : start + 1].all():
            return None  # a pause between: the voice before is not this piece's
        return max(previous, int(self.starts[i]))


def extend_to_offsets(
    starts: np.ndarray,
    ends: np.ndarray,
    found: np.ndarray,
    log_energy: np.ndarray,
    settings: AlignSettings,
) -> np.ndarray:
    """Move each heard cue's end on to where its last word has died away.

    The decaying tail of a word (a release, a breath of the final vowel) looks more like the
    pause than like the synthetic voice, which stops abruptly, so the path ends early. While
    the audio stays ``tail_db`` above the local floor, the word is still sounding.
    """
    threshold = local_floor(log_energy) + settings.tail_db / activity.DB_PER_NEPER
    sounding = log_energy > threshold
    reach = round(settings.tail_seconds / HOP_SECONDS)
    ends = ends.copy()
    for k in np.flatnonzero(found):
        limit = min(len(sounding), ends[k] + reach)
        following = starts[k + 1 :][found[k + 1 :]]
        if len(following):
            limit = min(limit, int(following[0]))
        ahead = sounding[ends[k] : limit]
        ends[k] += len(ahead) if ahead.all() else int(np.argmin(ahead))
    return ends
