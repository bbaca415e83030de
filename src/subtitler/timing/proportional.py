"""Proportional timing: spread the cues over the media by how long their text takes to say.

It is the fallback when there is no usable audio (no audio stream, alignment failed, or
``--timing proportional``). It hears nothing, so it only knows the media's length: it assumes
speech fills ``[config.proportional_lead_in, duration - config.proportional_tail]`` at an
even pace and gives each cue a share of that window proportional to its estimated speaking
time (:mod:`subtitler.speaking_time`: syllables, plus pauses at punctuation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..config import CaptionConfig
from ..model import Cue, MediaInfo, SpeechSpan
from ..speaking_time import estimate_pauses, estimate_syllables
from .locator import LocatedSpeech, TimeRange

# Every span gets this confidence: below CaptionConfig.min_confidence (0.5), so the report flags
# every cue for review, which is right. On the corpus's 4 hand-timed caption files (media length
# taken as the last cue's end + 1 s, the most favourable case) cue starts are off by 1.1-4.4 s
# (median per file) and up to 8 s: intros and pauses between sections are not in the text.
PROPORTIONAL_CONFIDENCE = 0.3

@dataclass(frozen=True)
class ProportionalLocator:
    """A :class:`~subtitler.timing.SpeechLocator` that uses the text and the media length only."""

    def __call__(
        self,
        cues: Sequence[Cue],
        media: MediaInfo,
        config: CaptionConfig,
        within: TimeRange | None = None,
    ) -> LocatedSpeech:
        start, end = _speech_window(media.duration, config, within)
        speech = [estimate_syllables(cue.text) / config.speech_rate for cue in cues]
        pauses = [estimate_pauses(cue.text) for cue in cues]
        # The last cue's trailing pause would only push speech away from the window's end.
        if pauses:
            pauses[-1] = 0.0
        needed = sum(speech) + sum(pauses)
        scale = (end - start) / needed if needed > 0 else 0.0
        spans = []
        position = start
        for talk, pause in zip(speech, pauses):
            spans.append(
                SpeechSpan(
                    start=position,
                    end=position + talk * scale,
                    confidence=PROPORTIONAL_CONFIDENCE,
                )
            )
            position += (talk + pause) * scale
        warnings = ["proportional timing: cue times are estimated from the text, not heard"]
        if needed > 0 and not 0.5 <= scale <= 2.0:
            warnings.append(
                f"the text needs about {needed:.0f} s to be spoken but the speech window is "
                f"{end - start:.0f} s long: proportional times are unreliable"
            )
        return LocatedSpeech(
            spans=tuple(spans),
            method="proportional",
            warnings=tuple(warnings),
        )


def _speech_window(
    duration: float, config: CaptionConfig, within: TimeRange | None = None
) -> tuple[float, float]:
    """Where speech is assumed to be: the media (or the range ``within``) minus a lead-in
    and a tail where it meets the media's ends, if room is left."""
    low, high = (0.0, duration) if within is None else (within.start, within.end)
    start = low + (config.proportional_lead_in if low <= 0 else 0.0)
    end = high - (config.proportional_tail if high >= duration else 0.0)
    if end - start < (high - low) / 2:
        return low, max(high, low)
    return start, end

