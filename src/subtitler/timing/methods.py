"""The timing methods ``--timing`` names: a plain mapping from the method to its locator."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum

from .locator import SpeechLocator
from .proportional import ProportionalLocator


class TimingMethod(StrEnum):
    AUDIO = "audio"  # align every cue to the speech
    PROPORTIONAL = "proportional"  # spread the cues by estimated speaking time


def _audio(threads: int) -> SpeechLocator:
    # Imported here: the aligner loads numpy, scipy's FFT and libespeak-ng, which a build
    # timed proportionally (or --help) never needs.
    from ..align.settings import AlignSettings
    from .audio import AudioLocator

    return AudioLocator(AlignSettings(threads=threads))


METHODS: Mapping[TimingMethod, Callable[[int], SpeechLocator]] = {
    TimingMethod.AUDIO: _audio,
    TimingMethod.PROPORTIONAL: lambda threads: ProportionalLocator(),
}
"""Each method's locator, given the threads it may use (0: one per core)."""


def locator_for(method: TimingMethod | str, threads: int = 0) -> SpeechLocator:
    """The locator of ``method``, allowed ``threads`` threads: the build passes cores // --jobs,
    so parallel videos never ask for more threads than there are cores."""
    try:
        factory = METHODS[TimingMethod(method)]
    except ValueError:
        raise ValueError(f"unknown timing method {method!r} (known: {', '.join(METHODS)})") from None
    return factory(threads)
