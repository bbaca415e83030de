"""Acoustic features: cepstra (log mel + DCT) and frame energy, 10 ms apart.

The same function describes the real audio (16 kHz) and the synthetic one (espeak-ng's
22.05 kHz): windows and mel bands are set in seconds and hertz, not samples, so frames of
both line up without resampling. Cepstra carry the phonetic content DTW matches; the energy
(kept apart) drives the speech/pause detection.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..startup import load_rfft

HOP_SECONDS = 0.010
WINDOW_SECONDS = 0.023  # 368 samples at 16 kHz, 507 at 22.05 kHz: one 512-point FFT for both
MEL_BANDS = 32
CEPSTRA = 13  # c1..c13; c0 (loudness) is left out so level and channel do not matter
# Weight of each cepstrum in distances, after normalisation: the low ones (the spectrum's
# broad shape) carry what a real voice shares with the synthetic one; the high ones mostly
# carry the speaker. On real home recordings c1-c6 alone told a sentence's own text from
# others' best; c7-c13 kept, tapered, still separate synthetic voices' sentences (tests).
CEPSTRUM_WEIGHTS = np.linspace(1.5, 0.3, CEPSTRA).astype(np.float32)
LOW_HZ = 100.0
HIGH_HZ = 7600.0
_FLOOR = 1e-10
BLOCK_FRAMES = 256  # frames computed together (4 s at 16 kHz)


rfft = load_rfft()  # scipy's pocketfft alone (subtitler.startup)


@dataclass(frozen=True)
class Features:
    """Frame ``k`` covers the audio around ``k * HOP_SECONDS``."""

    cepstra: np.ndarray  # (frames, CEPSTRA) float32
    log_energy: np.ndarray  # (frames,) float32, natural log of mean power

    def __len__(self) -> int:
        return len(self.log_energy)


def frame_count(samples: int, sample_rate: int) -> int:
    """Frames for ``samples`` of audio: one per hop started (the last ones padded)."""
    hop = sample_rate * HOP_SECONDS
    return int(np.ceil(samples / hop)) if samples > 0 else 0


def compute_features(samples: np.ndarray, sample_rate: int) -> Features:
    """Cepstra and log energy of a whole signal (mono float32)."""
    extractor = FeatureExtractor(sample_rate)
    first = extractor.push(samples)
    last = extractor.finish()
    return Features(
        cepstra=np.concatenate([first.cepstra, last.cepstra]),
        log_energy=np.concatenate([first.log_energy, last.log_energy]),
    )


class FeatureExtractor:
    """Streaming feature computation: push chunks of any size, get the frames they complete.

    Frames are centred on multiples of the hop (the signal is padded with half a window of
    zeros at the start), so feature frame ``k`` is time ``k * hop`` whatever the chunking.
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.hop = int(round(sample_rate * HOP_SECONDS))
        self.window = int(round(sample_rate * WINDOW_SECONDS))
        self.n_fft = 1 << (self.window - 1).bit_length()
        # The taper is as long as the FFT, zero past the window: frames are taken n_fft long
        # and the FFT needs no padding copy.
        self._taper = np.zeros(self.n_fft, np.float32)
        self._taper[: self.window] = np.hamming(self.window)
        self._mel = _mel_matrix(sample_rate, self.n_fft)
        self._dct = _dct_matrix()
        self._pending = np.zeros(self.window // 2, np.float32)
        self._seen = 0
        self._emitted = 0

    def push(self, samples: np.ndarray) -> Features:
        self._seen += len(samples)
        buffer = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        count = 0 if len(buffer) < self.n_fft else 1 + (len(buffer) - self.n_fft) // self.hop
        self._pending = buffer[count * self.hop :]
        self._emitted += count
        return self._frames(buffer, count)

    def finish(self) -> Features:
        """The frames still owed: pad the tail so the last hop started gets its frame."""
        owed = max(0, frame_count(self._seen, self.sample_rate) - self._emitted)
        self._emitted += owed
        buffer = np.concatenate([self._pending, np.zeros(self.n_fft, np.float32)])
        self._pending = np.zeros(0, np.float32)
        return self._frames(buffer, owed)

    def _frames(self, buffer: np.ndarray, count: int) -> Features:
        cepstra = np.empty((count, CEPSTRA), np.float32)
        energy = np.empty(count, np.float32)
        frames = np.lib.stride_tricks.as_strided(
            buffer,
            shape=(count, self.n_fft),
            strides=(buffer.strides[0] * self.hop, buffer.strides[0]),
            writeable=False,
        )
        # A few hundred frames at a time: the temporaries (spectra are 2 KB a frame) stay
        # small enough to be reused, where whole 30 s chunks made the kernel map fresh pages
        # for every one (2.5x slower).
        for start in range(0, count, BLOCK_FRAMES):
            block = frames[start : start + BLOCK_FRAMES]
            spectrum = rfft(block * self._taper)
            power = spectrum.real**2 + spectrum.imag**2
            log_mel = np.log(power @ self._mel + _FLOOR)
            cepstra[start : start + len(block)] = log_mel @ self._dct
            inside = block[:, : self.window]
            power_mean = np.einsum("ij,ij->i", inside, inside) / self.window
            energy[start : start + len(block)] = np.log(power_mean + _FLOOR)
        return Features(cepstra, energy)


@lru_cache(maxsize=8)
def _mel_matrix(sample_rate: int, n_fft: int) -> np.ndarray:
    """Triangular mel filters, (n_fft // 2 + 1, MEL_BANDS), for power spectra."""
    high = min(HIGH_HZ, sample_rate / 2)
    mel = lambda hz: 2595.0 * np.log10(1.0 + hz / 700.0)  # noqa: E731
    edges_mel = np.linspace(mel(LOW_HZ), mel(high), MEL_BANDS + 2)
    edges = 700.0 * (10.0 ** (edges_mel / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    matrix = np.zeros((len(bins), MEL_BANDS), np.float32)
    for band in range(MEL_BANDS):
        low, centre, top = edges[band : band + 3]
        rising = (bins - low) / (centre - low)
        falling = (top - bins) / (top - centre)
        matrix[:, band] = np.clip(np.minimum(rising, falling), 0.0, None)
    return matrix


@lru_cache(maxsize=1)
def _dct_matrix() -> np.ndarray:
    """Orthonormal DCT-II of the log mel bands, keeping c1..c13, as a (bands, 13) matrix."""
    k = np.arange(1, CEPSTRA + 1)[None, :]
    n = np.arange(MEL_BANDS)[:, None]
    basis = np.sqrt(2.0 / MEL_BANDS) * np.cos(np.pi * k * (2 * n + 1) / (2 * MEL_BANDS))
    return basis.astype(np.float32)


def normalise_locally(
    cepstra: np.ndarray,
    speech: np.ndarray,
    block: int = 1000,
    span: int = 3,
    least: int = 300,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Cepstral mean and variance normalisation with statistics from the speech around each
    block of ``block`` frames (``span`` blocks each side): a webinar changes speaker and
    microphone, and each voice must be brought to the synthetic voice's scale on its own.
    Where fewer than ``least`` speech frames are around, the file's statistics are used.
    ``out`` (float32, same shape) receives the result, which may be ``cepstra`` itself."""
    frames = len(cepstra)
    out = np.empty(cepstra.shape, np.float32) if out is None else out
    blocks = -(-frames // block)
    # Running sums over blocks make each neighbourhood's statistics O(1).
    sums = np.zeros((blocks + 1, cepstra.shape[1]))
    squares = np.zeros((blocks + 1, cepstra.shape[1]))
    counts = np.zeros(blocks + 1)
    for b in range(blocks):
        rows = slice(b * block, min(frames, (b + 1) * block))
        voiced = cepstra[rows][speech[rows]].astype(np.float64)
        sums[b + 1], squares[b + 1], counts[b + 1] = voiced.sum(0), (voiced**2).sum(0), len(voiced)
    total = counts.sum()
    if total >= least:
        fallback_mean = sums.sum(0) / total
        fallback_std = np.sqrt(np.maximum(squares.sum(0) / total - fallback_mean**2, 0.0)) + 1e-6
    else:
        fallback_mean = cepstra.mean(axis=0) if frames else np.zeros(cepstra.shape[1])
        fallback_std = (cepstra.std(axis=0) if frames else np.zeros(cepstra.shape[1])) + 1e-6
    sums, squares, counts = sums.cumsum(0), squares.cumsum(0), counts.cumsum()
    for b in range(blocks):
        lo, hi = max(0, b - span), min(blocks, b + span + 1)
        count = counts[hi] - counts[lo]
        if count >= least:
            mean = (sums[hi] - sums[lo]) / count
            std = np.sqrt(np.maximum((squares[hi] - squares[lo]) / count - mean**2, 0.0)) + 1e-6
        else:
            mean, std = fallback_mean, fallback_std
        rows = slice(b * block, min(frames, (b + 1) * block))
        out[rows] = (cepstra[rows] - mean) / std
    return out
