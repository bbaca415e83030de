"""The ``audio`` timing step: locate every cue in the media's audio track."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from ..config import CaptionConfig
from ..errors import AlignmentError, MediaError
from ..model import Cue, MediaInfo
from ..timing import LocatedSpeech, TimeRange, register_locator
from .aligner import AlignSettings, Stretch, align
from .features import HOP_SECONDS
from .verbalize import verbalize

SAMPLE_RATE = 16000
CHUNK_SECONDS = 30.0
SPLIT_SECONDS = 600.0  # longer audio is decoded in two halves at once (one decoder is the
# longest task of a webinar's alignment: 4 of its 8 s on two cores)
SETTLE_SECONDS = 1.0  # decoded before the second half, and dropped: the decoder settles


class AudioLocator:
    """Decode the audio (16 kHz mono, streamed), align the verbalised cue texts with it."""

    def __init__(self, settings: AlignSettings = AlignSettings()) -> None:
        self.settings = settings

    def __call__(
        self, cues: Sequence[Cue], media: MediaInfo, config: CaptionConfig, within: TimeRange | None = None
    ) -> LocatedSpeech:
        if not media.has_audio:
            raise AlignmentError("the media has no audio stream", media.path)
        began = time.perf_counter()
        texts = [verbalize(cue.text) for cue in cues]
        within = within or TimeRange(0.0, media.duration)
        try:
            stretches = _stretches(media, within)
            result = align(texts, stretches, SAMPLE_RATE, self.settings, duration_hint=within.duration)
        except MediaError as error:
            raise AlignmentError(f"cannot read the audio: {error.message}", media.path) from None
        except AlignmentError as error:
            raise AlignmentError(error.message, media.path) from None
        not_found = [k for k, span in enumerate(result.spans) if not span.found]
        doubtful = [
            k
            for k, span in enumerate(result.spans)
            if span.found and span.confidence < config.min_confidence
        ]
        warnings = []
        if not_found:
            warnings.append(
                f"{len(not_found)} cue(s) not heard in the audio (text not spoken?): "
                + ", ".join(f"#{cues[k].index + 1}" for k in not_found[:20])
                + (" ..." if len(not_found) > 20 else "")
            )
        shift = within.start  # the spans and segments are in the range's own time
        return LocatedSpeech(
            spans=tuple(replace(s, start=s.start + shift, end=s.end + shift) for s in result.spans)
            if shift else result.spans,
            method="audio",
            warnings=tuple(warnings),
            details={
                "speech_segments": [[a + shift, b + shift] for a, b in result.speech],
                "not_found_cues": not_found,
                "low_confidence_cues": doubtful,
                "audio_seconds": round(result.duration, 3),
                "align_seconds": round(time.perf_counter() - began, 3),
            },
        )


def _stretches(media: MediaInfo, within: TimeRange | None = None) -> list[Stretch]:
    """The whole audio (or the range ``within``), or (when long) its halves, each read by an
    ffmpeg of its own. Where it is cut depends on the duration alone, so the timings do not
    depend on the machine. Frames count from the range's start."""
    from .. import media as media_io

    whole = within is None or (within.start <= 0 and within.end >= media.duration)
    offset = 0.0 if whole else within.start  # type: ignore[union-attr]
    length = media.duration if whole else within.duration  # type: ignore[union-attr]

    def decode(start: float = 0.0, duration: float | None = None):  # type: ignore[no-untyped-def]
        if duration is None and not whole:
            duration = length - start
        return media_io.iter_audio_chunks(media.path, SAMPLE_RATE, CHUNK_SECONDS, offset + start, duration)

    if length < SPLIT_SECONDS:
        return [Stretch(decode())]
    seam = round(length / 2 / HOP_SECONDS)  # first frame of the second half
    settle = round(SETTLE_SECONDS / HOP_SECONDS)
    return [
        Stretch(decode(duration=(seam + settle) * HOP_SECONDS)),
        Stretch(decode(start=(seam - settle) * HOP_SECONDS), first=seam - settle, keep=seam),
    ]


register_locator("audio", AudioLocator)
