"""Signals the benchmark mixes under and around speech, and the measurements it checks.

Everything is mono float32 at one sample rate and driven by a seeded ``numpy`` generator,
so a case regenerates bit for bit. Levels are relative: the generator scales each layer
against the speech's active RMS (what an SNR means for speech), not against full scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from scipy.signal import lfilter, resample_poly

# Chords of a I-V-vi-IV family, in semitones above the key's root.
_CHORDS = ((0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12), (2, 5, 9))
_ROOTS_HZ = (196.00, 220.00, 246.94, 261.63)  # G3, A3, B3, C4


def music(duration: float, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """A jingle of ``duration`` seconds: chord pads, an arpeggio and drum-like bursts.

    It has what makes title music hard for an aligner: voiced-like harmonic tones, sharp
    onsets every eighth note, and energy as high as speech. Returned at unit active RMS.
    """
    n = int(round(duration * sample_rate))
    out = np.zeros(n, np.float64)
    beat = 60.0 / rng.uniform(88.0, 132.0)
    root = float(rng.choice(_ROOTS_HZ))
    progression = [_CHORDS[i] for i in rng.permutation(len(_CHORDS))[:4]]
    bar = 4 * beat
    for bar_index, bar_start in enumerate(np.arange(0.0, duration, bar)):
        chord = [root * 2 ** (step / 12) for step in progression[bar_index % 4]]
        _add(out, _pad(chord, min(bar, duration - bar_start), sample_rate, rng), bar_start, sample_rate)
        for eighth in range(8):
            at = bar_start + eighth * beat / 2
            if at >= duration:
                break
            note = 2 * chord[(eighth * 2 + bar_index) % 3]
            _add(out, 0.5 * _pluck(note, beat / 2, sample_rate), at, sample_rate)
            _add(out, 0.15 * _hat(sample_rate, rng), at, sample_rate)
            if eighth in (0, 4):
                _add(out, 0.9 * _kick(sample_rate), at, sample_rate)
            if eighth in (2, 6):
                _add(out, 0.5 * _snare(sample_rate, rng), at, sample_rate)
    _fade(out, sample_rate, fade_in=0.02, fade_out=min(0.3, duration / 4))
    return _unit_rms(out, sample_rate)


def looped(signal: np.ndarray, n: int) -> np.ndarray:
    """``signal`` repeated to ``n`` samples (a music bed under a long narration)."""
    if len(signal) == 0:
        return np.zeros(n, np.float32)
    return np.resize(signal, n).astype(np.float32)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise (Kellet's IIR approximation of white noise filtered at -3 dB/octave)."""
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    return _unit_rms(lfilter(b, a, rng.standard_normal(n)), None)


def brown_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f^2 noise (leaky integration of white noise): rumble, air conditioning."""
    return _unit_rms(lfilter([1.0], [1.0, -0.995], rng.standard_normal(n)), None)


def babble(speech: Sequence[np.ndarray], n: int, rng: np.random.Generator, talkers: int = 5) -> np.ndarray:
    """Crowd-like noise: ``talkers`` streams of reversed speech clips, summed.

    Reversed speech has the spectrum and rhythm of speech but no words, so it competes with
    the narration acoustically without being mistaken for transcript text.
    """
    out = np.zeros(n, np.float64)
    for _ in range(talkers):
        stream = np.concatenate([speech[i][::-1] for i in rng.permutation(len(speech))])
        stream = np.resize(stream, n + len(stream))
        shift = int(rng.integers(0, len(stream) - n + 1))
        out += stream[shift : shift + n]
    return _unit_rms(out, None)


def change_tempo(samples: np.ndarray, speed: float) -> tuple[np.ndarray, float]:
    """Play ``samples`` ``speed`` times faster (pitch follows, as on tape).

    Returns the new samples and the exact factor by which every time inside them was
    multiplied (close to ``1 / speed``; exact because it is the resampling ratio used).
    """
    ratio = Fraction(1 / speed).limit_denominator(64)
    out = resample_poly(samples.astype(np.float64), ratio.numerator, ratio.denominator)
    return out.astype(np.float32), float(ratio)


def active_rms(signal: np.ndarray, sample_rate: int | None, floor_db: float = -30.0) -> float:
    """RMS over the 20 ms frames within ``floor_db`` of the loudest: the level of speech
    itself, not of the pauses around it (how SNR and music-bed levels are defined here)."""
    if sample_rate is None:
        return float(np.sqrt(np.mean(np.square(signal, dtype=np.float64)))) if len(signal) else 0.0
    frame = max(1, sample_rate // 50)
    count = len(signal) // frame
    if count == 0:
        return 0.0
    power = np.mean(np.square(signal[: count * frame].reshape(count, frame), dtype=np.float64), axis=1)
    loud = power[power >= power.max() * 10 ** (floor_db / 10)]
    return float(np.sqrt(loud.mean())) if len(loud) else 0.0


def frame_rms(
    samples: np.ndarray, sample_rate: int, hop: float = 0.001, window: float = 0.005
) -> tuple[np.ndarray, float]:
    """RMS of ``window``-long frames about every ``hop`` seconds, and the exact hop used
    (a whole number of samples: frame i starts at i * that hop)."""
    hop_n, win_n = max(1, int(round(hop * sample_rate))), max(1, int(round(window * sample_rate)))
    energy = np.concatenate(([0.0], np.cumsum(np.square(samples, dtype=np.float64))))
    starts = np.arange(0, max(0, len(samples) - win_n) + 1, hop_n)
    rms = np.sqrt(np.maximum(energy[starts + win_n] - energy[starts], 0.0) / win_n)
    return rms, hop_n / sample_rate


def energy_rise(rms: np.ndarray, hop: float, after: float, threshold: float, until: float) -> float | None:
    """Time of the first frame in [after, until) whose RMS exceeds ``threshold``."""
    first, last = max(0, int(round(after / hop))), min(len(rms), int(round(until / hop)))
    above = np.flatnonzero(rms[first:last] > threshold)
    return (first + int(above[0])) * hop if len(above) else None


def energy_fall(rms: np.ndarray, hop: float, after: float, threshold: float, until: float) -> float | None:
    """Start time of the last frame in [after, until) whose RMS exceeds ``threshold``."""
    first, last = max(0, int(round(after / hop))), min(len(rms), int(round(until / hop)))
    above = np.flatnonzero(rms[first:last] > threshold)
    return (first + int(above[-1])) * hop if len(above) else None


def speech_extent(
    samples: np.ndarray, sample_rate: int, rise_db: float = 20.0, edge_db: float = 8.0
) -> tuple[float, float] | None:
    """(onset, offset) of the speech in a recording cut in pauses, by energy.

    20 ms frames every 5 ms; the noise floor is the 10th percentile of their level. Speech is
    where the level stays ``rise_db`` above the floor for 50 ms; its edges are walked out to
    where the level falls back under ``edge_db`` above the floor (so a soft first consonant
    counts, a click or a breath shorter than 50 ms does not start the speech).
    """
    window, sustain = 0.020, 10
    rms, hop = frame_rms(samples, sample_rate, hop=0.005, window=window)
    level = 20 * np.log10(rms + 1e-10)
    audible = level[level > -150.0]
    if len(audible) < sustain:
        return None
    floor = float(np.percentile(audible, 10))
    loud = np.convolve(level > floor + rise_db, np.ones(sustain), "valid") >= sustain
    runs = np.flatnonzero(loud)
    if len(runs) == 0:
        return None
    first, last = int(runs[0]), int(runs[-1]) + sustain - 1
    while first > 0 and level[first - 1] > floor + edge_db:
        first -= 1
    while last < len(level) - 1 and level[last + 1] > floor + edge_db:
        last += 1
    return first * hop + window / 2, last * hop + window / 2


def _pad(chord: Sequence[float], length: float, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(length * sample_rate)) / sample_rate
    tone = sum(
        np.sin(2 * np.pi * f * (1 + rng.uniform(-0.003, 0.003)) * t) + 0.3 * np.sin(4 * np.pi * f * t)
        for f in chord
    )
    envelope = np.minimum(1.0, t / 0.06) * np.minimum(1.0, (length - t) / 0.1)
    return 0.25 * tone * envelope


def _pluck(frequency: float, length: float, sample_rate: int) -> np.ndarray:
    t = np.arange(int(length * sample_rate)) / sample_rate
    tone = sum(np.sin(2 * np.pi * k * frequency * t) / k for k in (1, 2, 3))
    return tone * np.exp(-t / 0.15)


def _kick(sample_rate: int) -> np.ndarray:
    t = np.arange(int(0.25 * sample_rate)) / sample_rate
    frequency = 45.0 + 65.0 * np.exp(-t / 0.03)
    return np.sin(2 * np.pi * np.cumsum(frequency) / sample_rate) * np.exp(-t / 0.12)


def _snare(sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.2 * sample_rate)) / sample_rate
    noise = np.diff(rng.standard_normal(len(t) + 1))
    return (0.7 * noise + 0.5 * np.sin(2 * np.pi * 185.0 * t)) * np.exp(-t / 0.07)


def _hat(sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.06 * sample_rate)) / sample_rate
    return np.diff(rng.standard_normal(len(t) + 2), 2) * np.exp(-t / 0.015)


def _add(out: np.ndarray, sound: np.ndarray, at: float, sample_rate: int) -> None:
    start = int(round(at * sample_rate))
    stop = min(len(out), start + len(sound))
    if stop > start:
        out[start:stop] += sound[: stop - start]


def _fade(out: np.ndarray, sample_rate: int, fade_in: float, fade_out: float) -> None:
    n_in, n_out = min(len(out), int(fade_in * sample_rate)), min(len(out), int(fade_out * sample_rate))
    if n_in:
        out[:n_in] *= np.linspace(0.0, 1.0, n_in)
    if n_out:
        out[len(out) - n_out :] *= np.linspace(1.0, 0.0, n_out)


def _unit_rms(signal: np.ndarray, sample_rate: int | None) -> np.ndarray:
    level = active_rms(signal, sample_rate)
    return (signal / level if level > 0 else signal).astype(np.float32)
