"""Timing steps: find where each cue is spoken, then apply the caption timing rules.

A *locator* returns one :class:`~subtitler.model.SpeechSpan` per cue (where its words are
spoken); :func:`subtitler.timing.rules.apply_timing_rules` turns spans into on-screen
intervals. Locators register by name so the CLI's ``--timing`` picks one. Given a
:class:`TimeRange`, a locator looks for the cues inside it only (anchored timing runs it on
the pieces between the editor's anchors, :mod:`subtitler.timing.anchored`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..config import CaptionConfig
from ..model import Cue, MediaInfo, SpeechSpan


@dataclass(frozen=True)
class TimeRange:
    """A stretch of the media, in seconds: where a locator may place the cues it is given."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class LocatedSpeech:
    """A locator's answer: one span per cue, plus what it wants the report to say."""

    spans: tuple[SpeechSpan, ...]
    method: str  # the locator that actually produced the spans ("audio", "proportional")
    warnings: tuple[str, ...] = ()
    music: tuple[tuple[float, float], ...] = ()  # music (sound without a voice), seconds
    details: dict[str, object] = field(default_factory=dict, compare=False)


class SpeechLocator(Protocol):
    def __call__(
        self,
        cues: Sequence[Cue],
        media: MediaInfo,
        config: CaptionConfig,
        within: TimeRange | None = None,
    ) -> LocatedSpeech: ...


LocatorFactory = Callable[[int], SpeechLocator]
"""Makes a locator that may use that many threads (0: one per core)."""

_LOCATORS: dict[str, LocatorFactory] = {}


def register_locator(name: str, factory: LocatorFactory) -> None:
    _LOCATORS[name] = factory


def get_locator(name: str, threads: int = 0) -> SpeechLocator:
    """The locator ``name``, allowed ``threads`` threads (0: one per core): the build passes
    cores // --jobs, so parallel videos never ask for more threads than there are cores."""
    _load_builtin_locators()
    try:
        return _LOCATORS[name](threads)
    except KeyError:
        raise ValueError(f"unknown timing method {name!r} (known: {', '.join(locator_names())})")


def locator_names() -> list[str]:
    _load_builtin_locators()
    return sorted(_LOCATORS)


def _load_builtin_locators() -> None:
    # Imported lazily: the audio locator pulls numpy and libespeak-ng.
    from ..align import locator  # noqa: F401
    from . import proportional  # noqa: F401
