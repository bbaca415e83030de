"""The synthetic side of the alignment, made in a child process of its own.

libespeak-ng's output depends on everything the process synthesised before (its random
generator and a residue carried from one utterance into the next), so the same video aligned
after other videos, or in another worker, came out a frame apart. A fresh interpreter per
video makes the synthesis, hence the timings, identical whatever the batch's parallelism or
engine; it also synthesises while the parent decodes the audio. A plain subprocess (not
multiprocessing) works inside daemonic workers such as Dask's.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import AlignmentError
from . import activity
from .espeak import reset, synthesize
from .features import CEPSTRA, Features, compute_features

if TYPE_CHECKING:
    from .aligner import AlignSettings

SYNTHETIC_RANGE_DB = 50.0  # synthetic frames quieter than this below its peak are silence
NO_FRAMES = Features(np.zeros((0, CEPSTRA), np.float32), np.zeros(0, np.float32))


def synthetic_frames(text: str, settings: AlignSettings) -> Features:
    """Features of ``text`` spoken by espeak-ng, leading and trailing silence cut."""
    if not any(character.isalnum() for character in text):
        return NO_FRAMES
    synthesis = synthesize(text, voice=settings.voice, rate=settings.rate)
    features = compute_features(synthesis.samples, synthesis.sample_rate)
    level = features.log_energy
    if len(level) == 0:
        return NO_FRAMES
    sounding = np.flatnonzero(level > level.max() - SYNTHETIC_RANGE_DB / activity.DB_PER_NEPER)
    keep = slice(sounding[0], sounding[-1] + 1)
    return Features(features.cepstra[keep], features.log_energy[keep])


def synthesise_all(texts: Sequence[str], settings: AlignSettings) -> list[Features]:
    """Every text's frames, from a reset engine (what the child process runs)."""
    reset(voice=settings.voice, rate=settings.rate)
    return [synthetic_frames(text, settings) for text in texts]


class SynthesisProcess:
    """``synthesise_all`` running in a fresh interpreter; ``result()`` waits for it."""

    def __init__(self, texts: Sequence[str], settings: AlignSettings) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self._output: tuple[bytes, bytes] | None = None
        payload = pickle.dumps((list(texts), settings), protocol=pickle.HIGHEST_PROTOCOL)
        self._io = threading.Thread(target=self._exchange, args=(payload,), daemon=True)
        self._io.start()

    def _exchange(self, payload: bytes) -> None:
        self._output = self._process.communicate(payload)

    def __enter__(self) -> SynthesisProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Never leave the child running when the parent gave up (decoding failed)."""
        if self._process.poll() is None:
            self._process.kill()
        self._io.join()

    def result(self) -> list[Features]:
        self._io.join()
        stdout, stderr = self._output or (b"", b"")
        if self._process.returncode != 0:
            reason = (stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            raise AlignmentError(f"speech synthesis failed: {reason}")
        return pickle.loads(stdout)


def _main() -> None:
    texts, settings = pickle.load(sys.stdin.buffer)
    pickle.dump(synthesise_all(texts, settings), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _main()
