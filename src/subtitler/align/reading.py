"""Reading the audio: features, log energy and the voice detector's probabilities of the whole
stream, one chunk in memory at a time, the detector in a thread of its own beside the features.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator

import numpy as np

from .features import CEPSTRA, HOP_SECONDS, FeatureExtractor, Features
from .voice import VoiceDetector, per_frame


def read_features(
    chunks: Iterable[np.ndarray], sample_rate: int, duration_hint: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cepstra (with a spare column for loudness), log energy and voice probability of the
    whole stream, one chunk in memory at a time (two while the voice detector, in a thread
    of its own beside the features, takes the last one).

    Frames go straight into arrays sized from ``duration_hint``; what does not fit (no hint,
    or a longer stream than probed) is kept aside and added at the end."""
    capacity = round((duration_hint or 0.0) / HOP_SECONDS) + 100
    features = np.empty((capacity, CEPSTRA + 1), np.float32)
    log_energy = np.empty(capacity, np.float32)
    overflow: list[Features] = []
    extractor = FeatureExtractor(sample_rate)
    detector = _VoiceThread(sample_rate)
    count = 0
    iterator = iter(chunks)
    try:
        for part in _frames_of(iterator, extractor, detector):
            stored = min(len(part), max(0, capacity - count))
            features[count : count + stored, :CEPSTRA] = part.cepstra[:stored]
            log_energy[count : count + stored] = part.log_energy[:stored]
            if stored < len(part):
                overflow.append(Features(part.cepstra[stored:], part.log_energy[stored:]))
            count += len(part)
    finally:
        windows = detector.finish()
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # stops the decoder when reading failed
    if overflow:
        extra = count - capacity
        features = np.concatenate([features, np.zeros((extra, CEPSTRA + 1), np.float32)])
        log_energy = np.concatenate([log_energy, np.zeros(extra, np.float32)])
        features[capacity:count, :CEPSTRA] = np.concatenate([p.cepstra for p in overflow])
        log_energy[capacity:count] = np.concatenate([p.log_energy for p in overflow])
    return features[:count], log_energy[:count], per_frame(windows, count)


def _frames_of(
    chunks: Iterator[np.ndarray], extractor: FeatureExtractor, detector: _VoiceThread
) -> Iterator[Features]:
    """The frames each chunk completes, then the last ones, as they come; every chunk is
    also handed to the voice detector."""
    for chunk in chunks:
        detector.push(chunk)
        yield extractor.push(chunk)
    yield extractor.finish()


class _VoiceThread:
    """The voice detector, run by a thread of its own on the chunks it is handed (its model
    releases the interpreter's lock, so on two cores it runs beside the features)."""

    def __init__(self, sample_rate: int) -> None:
        self._detector = VoiceDetector(sample_rate)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def push(self, chunk: np.ndarray) -> None:
        self._queue.put(chunk)

    def finish(self) -> np.ndarray:
        """Every window's probability (after the thread has taken the last chunk)."""
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self._detector.finish()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    self._detector.push(chunk)
                except BaseException as error:  # noqa: BLE001 - raised by finish() in the caller
                    self._failure = error
