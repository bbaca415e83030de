"""What a timing step answers: where each cue is spoken, within an optional stretch of the media.

A *locator* returns one :class:`~subtitler.model.SpeechSpan` per cue (where its words are
spoken); :func:`subtitler.timing.rules.apply_timing_rules` turns spans into on-screen
intervals. Given a :class:`TimeRange`, a locator looks for the cues inside it only (anchored
timing runs it on the pieces between the editor's anchors, :mod:`subtitler.timing.anchored`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
    """A locator's answer: one span per cue, plus what it heard and wants the report to say."""

    spans: tuple[SpeechSpan, ...]
    method: str  # the locator(s) that produced the spans ("audio", "proportional", "audio+proportional")
    warnings: tuple[str, ...] = ()
    music: tuple[tuple[float, float], ...] = ()  # music (sound without a voice), seconds
    speech: tuple[tuple[float, float], ...] = ()  # where a voice is heard, seconds (none: not listened)


class SpeechLocator(Protocol):
    def __call__(
        self,
        cues: Sequence[Cue],
        media: MediaInfo,
        config: CaptionConfig,
        within: TimeRange | None = None,
    ) -> LocatedSpeech: ...
