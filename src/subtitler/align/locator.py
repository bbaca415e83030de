"""The ``audio`` timing step: locate every cue in the media's audio track."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import replace

from ..config import CaptionConfig
from ..errors import AlignmentError, MediaError
from ..model import Cue, MediaInfo, SpeechSpan
from ..timing import LocatedSpeech, register_locator
import numpy as np

from .aligner import Alignment, AlignSettings, Stretch, align
from .doubts import cue_evidence
from .features import HOP_SECONDS
from .verbalize import verbalize

SAMPLE_RATE = 16000
DOUBTED_CONFIDENCE = 0.4  # a cue with a reason to doubt its start is below config.min_confidence
CHUNK_SECONDS = 30.0
SPLIT_SECONDS = 600.0  # longer audio is decoded in two halves at once (one decoder is the
# longest task of a webinar's alignment: 4 of its 8 s on two cores)
SETTLE_SECONDS = 1.0  # decoded before the second half, and dropped: the decoder settles


class AudioLocator:
    """Decode the audio (16 kHz mono, streamed), align the verbalised cue texts with it."""

    def __init__(self, settings: AlignSettings = AlignSettings()) -> None:
        self.settings = settings

    def __call__(self, cues: Sequence[Cue], media: MediaInfo, config: CaptionConfig) -> LocatedSpeech:
        if not media.has_audio:
            raise AlignmentError("the media has no audio stream", media.path)
        began = time.perf_counter()
        pieces, owners = _pieces(cues)
        try:
            stretches = _stretches(media)
            aligned = align(pieces, stretches, SAMPLE_RATE, self.settings, duration_hint=media.duration)
        except MediaError as error:
            raise AlignmentError(f"cannot read the audio: {error.message}", media.path) from None
        except AlignmentError as error:
            raise AlignmentError(error.message, media.path) from None
        result = replace(aligned, spans=_judged(_cue_spans(aligned.spans, owners, len(cues)), aligned, owners))
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
                + ", ".join(f"#{k + 1}" for k in not_found[:20])
                + (" ..." if len(not_found) > 20 else "")
            )
        return LocatedSpeech(
            spans=result.spans,
            method="audio",
            warnings=tuple(warnings),
            music=result.music,
            details={
                "speech_segments": [list(segment) for segment in result.speech],
                "not_found_cues": not_found,
                "low_confidence_cues": doubtful,
                "audio_seconds": round(result.duration, 3),
                "align_seconds": round(time.perf_counter() - began, 3),
            },
        )


PAUSE_AFTER = re.compile(r"(?<=[.!?…;:,])\s+")


def _pieces(cues: Sequence[Cue]) -> tuple[list[str], list[int]]:
    """The verbalised text of every cue, cut where a speaker may pause (after punctuation),
    and the cue each piece belongs to. Between pieces, as between cues, the aligner allows
    a pause or a filler: real speakers pause between the sentences of one cue, and a cue
    matched as one piece across a 5 s pause lost its first sentence."""
    pieces: list[str] = []
    owners: list[int] = []
    for index, cue in enumerate(cues):
        for part in PAUSE_AFTER.split(cue.text.strip()) or [""]:
            pieces.append(verbalize(part))
            owners.append(index)
    return pieces, owners


def _cue_spans(spans: Sequence[SpeechSpan], owners: Sequence[int], count: int) -> tuple[SpeechSpan, ...]:
    """One span per cue from its pieces': from the first heard piece's start to the last
    heard piece's end (all pieces when none was heard); the first heard piece's confidence."""
    grouped: list[list[SpeechSpan]] = [[] for _ in range(count)]
    for span, owner in zip(spans, owners):
        grouped[owner].append(span)
    out = []
    for parts in grouped:
        heard = [p for p in parts if p.found] or parts
        out.append(SpeechSpan(heard[0].start, heard[-1].end, heard[0].confidence, found=any(p.found for p in parts)))
    return tuple(out)


def _judged(spans: Sequence[SpeechSpan], aligned: Alignment, owners: Sequence[int]) -> tuple[SpeechSpan, ...]:
    """The cue spans with the reasons to doubt their starts (:mod:`.doubts`); a doubted
    cue's confidence is at most ``DOUBTED_CONFIDENCE``."""
    first: dict[int, int] = {}
    for piece, owner in enumerate(owners):
        first.setdefault(owner, piece)
    pieces = [first[k] for k in range(len(spans))]
    fits = aligned.fits
    evidence = cue_evidence(
        spans,
        [(fits[p].relative, fits[p].mismatch) for p in pieces],
        [fits[p - 1].relative if p > 0 else None for p in pieces],
        [aligned.spans[p - 1].end if p > 0 else None for p in pieces],
        aligned.voice if aligned.voice is not None else np.zeros(0, np.float32),
        aligned.music,
    )
    doubted = [e.doubts() if e is not None else () for e in evidence]
    return tuple(
        replace(span, doubts=tuple(d.value for d in reasons),
                confidence=min(span.confidence, DOUBTED_CONFIDENCE) if reasons else span.confidence)
        for span, reasons in zip(spans, doubted)
    )


def _stretches(media: MediaInfo) -> list[Stretch]:
    """The whole audio, or (when long) its halves, each read by an ffmpeg of its own. Where
    it is cut depends on the duration alone, so the timings do not depend on the machine."""
    from .. import media as media_io

    def decode(start: float = 0.0, duration: float | None = None):  # type: ignore[no-untyped-def]
        return media_io.iter_audio_chunks(media.path, SAMPLE_RATE, CHUNK_SECONDS, start, duration)

    if media.duration < SPLIT_SECONDS:
        return [Stretch(decode())]
    seam = round(media.duration / 2 / HOP_SECONDS)  # first frame of the second half
    settle = round(SETTLE_SECONDS / HOP_SECONDS)
    return [
        Stretch(decode(duration=(seam + settle) * HOP_SECONDS)),
        Stretch(decode(start=(seam - settle) * HOP_SECONDS), first=seam - settle, keep=seam),
    ]


register_locator("audio", lambda threads: AudioLocator(AlignSettings(threads=threads)))
