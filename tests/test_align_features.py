"""Cepstral features: frame timing, streaming, gain and sample-rate independence."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly

from subtitler.align.features import (
    CEPSTRA,
    HOP_SECONDS,
    FeatureExtractor,
    compute_features,
    frame_count,
    normalise_locally,
)

RNG = np.random.default_rng(7)


def _vowel_like(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    voiced = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((150, 300, 450, 700, 1200), 1))
    return (0.2 * voiced + 0.01 * RNG.standard_normal(len(t))).astype(np.float32)


def test_one_frame_per_hop_started():
    for samples in (0, 1, 159, 160, 161, 16000, 16123):
        features = compute_features(np.zeros(samples, np.float32), 16000)
        assert len(features) == frame_count(samples, 16000) == int(np.ceil(samples / 160))
        assert features.cepstra.shape == (len(features), CEPSTRA)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=12))
def test_streaming_in_any_chunks_equals_one_pass(sizes):
    signal = _vowel_like(sum(sizes) / 16000 + 0.001, 16000)[: sum(sizes)]
    whole = compute_features(signal, 16000)
    extractor = FeatureExtractor(16000)
    parts, offset = [], 0
    for size in sizes:
        parts.append(extractor.push(signal[offset : offset + size]))
        offset += size
    parts.append(extractor.finish())
    streamed = np.concatenate([p.cepstra for p in parts])
    assert streamed.shape == whole.cepstra.shape
    assert np.allclose(streamed, whole.cepstra, atol=1e-3)


def test_frames_are_centred_on_multiples_of_the_hop():
    """A click at 0.5 s is loudest in frame 50, whatever the sample rate."""
    for rate in (16000, 22050):
        signal = np.zeros(rate, np.float32)
        signal[rate // 2] = 1.0
        energy = compute_features(signal, rate).log_energy
        assert abs(int(np.argmax(energy)) - round(0.5 / HOP_SECONDS)) <= 1


def test_cepstra_ignore_the_recording_level():
    signal = _vowel_like(1.0, 16000)
    loud, quiet = compute_features(signal, 16000), compute_features(signal * 0.1, 16000)
    assert np.allclose(loud.cepstra, quiet.cepstra, atol=0.05)
    assert np.allclose(loud.log_energy - quiet.log_energy, np.log(100.0), atol=0.01)


def test_same_sound_at_16_and_22_khz_gives_the_same_cepstra():
    native = _vowel_like(1.0, 22050)
    resampled = resample_poly(native, 320, 441).astype(np.float32)
    a = compute_features(native, 22050).cepstra[5:-5]
    b = compute_features(resampled, 16000).cepstra[5 : len(a) + 5]
    assert np.abs(a - b).mean() < 0.15 * np.abs(a).mean()


def test_local_normalisation_uses_the_speech_frames_around_each_block():
    """Two speakers with different channels: each half comes out zero-mean, unit-variance
    over its speech, and the silences (far away) do not bias the statistics."""
    first = RNG.normal(3.0, 2.0, (4000, CEPSTRA))
    second = RNG.normal(-5.0, 0.5, (4000, CEPSTRA))
    cepstra = np.vstack([first, second]).astype(np.float32)
    speech = RNG.random(8000) < 0.7
    cepstra[~speech] = 50.0
    out = normalise_locally(cepstra, speech, block=500, span=1)
    for half in (slice(0, 3500), slice(4500, 8000)):  # away from the change of speaker
        voiced = out[half][speech[half]]
        assert np.allclose(voiced.mean(0), 0.0, atol=0.1)
        assert np.allclose(voiced.std(0), 1.0, atol=0.1)


def test_local_normalisation_falls_back_to_the_file_when_speech_is_scarce():
    cepstra = RNG.normal(2.0, 3.0, (3000, CEPSTRA)).astype(np.float32)
    speech = np.zeros(3000, bool)
    speech[::10] = True  # 300 speech frames in all, 30 per block
    out = normalise_locally(cepstra, speech, block=1000, span=0, least=200)
    assert np.allclose(out[speech].mean(0), 0.0, atol=1e-3)
    assert np.allclose(out[speech].std(0), 1.0, atol=1e-2)
    in_place = cepstra.copy()
    normalise_locally(in_place, speech, block=1000, span=0, least=200, out=in_place)
    assert np.allclose(in_place, out)
