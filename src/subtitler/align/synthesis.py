"""The synthetic side of the alignment, made in a child process of its own.

libespeak-ng's output depends on everything the process synthesised before (its random
generator and a residue carried from one utterance into the next), so the same video aligned
after other videos, or in another worker, came out a frame apart. A fresh interpreter per
video makes the synthesis, hence the timings, identical whatever the batch's parallelism or
engine; it also synthesises while the parent decodes the audio. A plain subprocess (not
multiprocessing) works inside daemonic workers such as Dask's.

The whole text is synthesised by one process (a 75-minute webinar's in ~4 s): splitting it
between two made two-core machines faster but cost 40 MB more memory at the peak.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence

import numpy as np

from ..errors import AlignmentError
from . import activity
from .espeak import NATIVE_SAMPLE_RATE, reset, speak
from .features import CEPSTRA, Features, compute_features
from .settings import AlignSettings

SYNTHETIC_RANGE_DB = 50.0  # synthetic frames quieter than this below its peak are silence
NO_FRAMES = Features(np.zeros((0, CEPSTRA), np.float32), np.zeros(0, np.float32))


def synthetic_frames(text: str, settings: AlignSettings) -> Features:
    """Features of ``text`` spoken by espeak-ng, leading and trailing silence cut."""
    if not any(character.isalnum() for character in text):
        return NO_FRAMES
    samples = speak(text, voice=settings.voice, rate=settings.rate)
    features = compute_features(samples, NATIVE_SAMPLE_RATE)
    level = features.log_energy
    if len(level) == 0:
        return NO_FRAMES
    sounding = np.flatnonzero(level > level.max() - SYNTHETIC_RANGE_DB / activity.DB_PER_NEPER)
    keep = slice(sounding[0], sounding[-1] + 1)
    return Features(features.cepstra[keep], features.log_energy[keep])


def synthesise_each(texts: Sequence[str], settings: AlignSettings) -> Iterator[Features]:
    """Every text's frames in turn, from a reset engine (what a child process runs)."""
    reset(voice=settings.voice, rate=settings.rate)
    return (synthetic_frames(text, settings) for text in texts)


class SynthesisProcess:
    """``synthesise_each`` running in a fresh interpreter; ``result()`` waits for it and
    gives the frames of every text, in order. A thread feeds it the texts and reads back one
    pickled :class:`Features` per text as it comes, so neither side ever holds them all as
    bytes; another thread drains its stderr."""

    def __init__(self, texts: Sequence[str], settings: AlignSettings) -> None:
        self._count = len(texts)
        self._frames: list[Features] = []
        self._stderr = b""
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        payload = pickle.dumps((list(texts), settings), protocol=pickle.HIGHEST_PROTOCOL)
        self._threads = [
            threading.Thread(target=self._exchange, args=(payload,), daemon=True),
            threading.Thread(target=self._drain, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _exchange(self, payload: bytes) -> None:
        process = self._process
        try:
            with process.stdin:  # type: ignore[union-attr]
                process.stdin.write(payload)  # type: ignore[union-attr]
            with process.stdout:  # type: ignore[union-attr]
                for _ in range(self._count):
                    self._frames.append(pickle.load(process.stdout))  # type: ignore[arg-type]
        except (OSError, EOFError, pickle.UnpicklingError):
            pass  # the child died: result() reports why, from its stderr
        process.wait()

    def _drain(self) -> None:
        with self._process.stderr:  # type: ignore[union-attr]
            self._stderr = self._process.stderr.read()  # type: ignore[union-attr]

    def __enter__(self) -> SynthesisProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Never leave the child running when the parent gave up (decoding failed)."""
        self.stop()

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        for thread in self._threads:
            thread.join()

    def result(self) -> list[Features]:
        for thread in self._threads:
            thread.join()
        if self._process.returncode != 0 or len(self._frames) != self._count:
            lines = self._stderr.decode("utf-8", "replace").strip().splitlines()
            raise AlignmentError(f"speech synthesis failed: {(lines or ['no message'])[-1]}")
        return self._frames


def _main() -> None:
    texts, settings = pickle.load(sys.stdin.buffer)
    for frames in synthesise_each(texts, settings):
        pickle.dump(frames, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _main()
