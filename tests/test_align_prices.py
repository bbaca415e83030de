"""What the alignment prices a voice at (``align/prices.py``): where the detector is unsure,
sound that rises and falls like syllables, as loud as speech, is taken as a likely voice.
Measured on real voices (the Common Voice speakers) and real music (the benchmark's tracks)
through the real detector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from real_audio import RATE, common_voice, common_voice_clips, decode, music_tracks
from subtitler.align import activity
from subtitler.align.features import HOP_SECONDS, compute_features
from subtitler.align.levels import Levels, voiced
from subtitler.align.prices import likely_voice
from subtitler.align.settings import AlignSettings
from subtitler.align.voice import VoiceDetector, per_frame

SETTINGS = AlignSettings()


@dataclass(frozen=True)
class Heard:
    log_energy: np.ndarray
    voice: np.ndarray  # the real detector's answer per 10 ms frame
    levels: Levels

    @classmethod
    def of(cls, samples: np.ndarray) -> Heard:
        log_energy = compute_features(samples, RATE).log_energy
        detector = VoiceDetector(RATE)
        detector.push(samples)
        voice = per_frame(detector.finish(), len(log_energy))
        return cls(log_energy, voice, Levels.of(log_energy, voiced(voice, log_energy)))

    def priced(self, voice: np.ndarray | None = None) -> np.ndarray:
        return likely_voice(self.voice if voice is None else voice, self.log_energy, self.levels, SETTINGS)


@pytest.fixture(scope="module")
def speakers() -> list[Heard]:
    """Every Common Voice clip with a second of silence on each side."""
    silence = np.zeros(RATE, np.float32)
    return [Heard.of(np.concatenate([silence, common_voice(clip), silence])) for clip, _ in common_voice_clips()]


def test_real_music_is_almost_never_taken_for_a_likely_voice():
    """Some tracks rise and fall as much as a voice (drums: 12-18 dB), but the detector is
    then sure there is none; where it is unsure (a voice-like lead), the music is steady."""
    for track in music_tracks():
        heard = Heard.of(decode(track, 20.0, 30.0))
        raised = heard.priced() != heard.voice
        assert raised.mean() <= 0.02, track.name


def test_a_voice_the_detector_is_unsure_of_is_priced_as_a_likely_voice(speakers):
    """Each speaker as the detector hears one of them in a recording (real-cv-read-3: 0.2-0.7,
    chaotic): the same real audio with its answer at 0.4 of what it was."""
    loud_voice, raised_there, raised_elsewhere, elsewhere = 0, 0, 0, 0
    for heard in speakers:
        unsure = (heard.voice * 0.4).astype(heard.voice.dtype)
        raised = heard.priced(unsure) != unsure
        voice = heard.voice >= 0.5
        loud = heard.log_energy > heard.levels.speech - SETTINGS.likely_voice_below_db / activity.DB_PER_NEPER
        loud_voice += int((voice & loud).sum())
        raised_there += int((raised & voice & loud).sum())
        raised_elsewhere += int((raised & ~voice).sum())
        elsewhere += int((~voice).sum())
    assert raised_there / loud_voice >= 0.85
    assert raised_elsewhere / elsewhere <= 0.01


def test_a_voice_the_detector_is_sure_of_is_priced_as_heard_even_at_its_unsure_edges(speakers):
    """Within ``likely_voice_clear`` of a sure frame, an unsure one is the voice's onset or
    end, which the detector already places: raising it would pull cue starts early."""
    clear = round(SETTINGS.likely_voice_clear / HOP_SECONDS)
    for heard in speakers:
        raised = np.flatnonzero(heard.priced() != heard.voice)
        sure = np.flatnonzero(heard.voice >= SETTINGS.onset_sure)
        assert not any(np.abs(sure - frame).min() <= clear for frame in raised)


def test_silence_and_steady_sound_are_never_a_likely_voice():
    rng = np.random.default_rng(3)
    steady = (0.05 * np.sin(2 * np.pi * 220 * np.arange(5 * RATE) / RATE)).astype(np.float32)
    for samples in (np.zeros(5 * RATE, np.float32), steady, (0.05 * rng.standard_normal(5 * RATE)).astype(np.float32)):
        heard = Heard.of(samples)
        unsure = np.full_like(heard.voice, 0.5)
        assert np.array_equal(heard.priced(unsure), unsure)


def test_syllabic_depth_is_the_rise_and_fall_of_the_level_over_the_second_around():
    level_db = np.where((np.arange(300) // 10) % 2 == 0, -20.0, -50.0)  # 100 ms on, 100 ms off
    depth = activity.syllabic_depth(level_db / activity.DB_PER_NEPER)
    assert depth.shape == (300,)
    assert np.allclose(depth[20:280], 30.0)
    assert np.allclose(activity.syllabic_depth(np.full(300, -3.0)), 0.0)
    assert activity.syllabic_depth(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
