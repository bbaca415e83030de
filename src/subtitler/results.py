"""What one video's build did: :class:`VideoResult`, the record the manifest keeps, the batch
report lists, the index page shows and the review reads.

The pipeline makes results; every reader imports them from here (none imports the pipeline).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .model import CueFlag, Flag, NotSpoken, TimedCue, Transcript, parse_flag


class Status(StrEnum):
    OK = "ok"  # built
    UNCHANGED = "unchanged"  # its inputs are those of the last build, whose outputs stay
    SKIPPED = "skipped"  # nothing to caption: a PDF entry, no video
    FAILED = "failed"

    @property
    def succeeded(self) -> bool:
        return self is not Status.FAILED


@dataclass(frozen=True)
class CueStats:
    count: int = 0
    cps_median: float = 0.0
    cps_p90: float = 0.0
    cps_max: float = 0.0
    over_max_cps: int = 0
    two_line_share: float = 0.0

    @classmethod
    def of(cls, timed: Sequence[TimedCue]) -> CueStats:
        """Reading-speed figures of a video's cues (over max_cps: the rules' "fast" flag)."""
        if not timed:
            return cls()
        rates = sorted(t.cps for t in timed)
        p90 = rates[min(len(rates) - 1, int(round(0.9 * (len(rates) - 1))))]
        return cls(
            count=len(timed),
            cps_median=round(statistics.median(rates), 2),
            cps_p90=round(p90, 2),
            cps_max=round(rates[-1], 2),
            over_max_cps=sum(1 for t in timed if Flag.FAST in t.flags),
            two_line_share=round(sum(1 for t in timed if len(t.cue.lines) > 1) / len(timed), 3),
        )


@dataclass(frozen=True)
class LeftOut:
    """A paragraph of the transcription that is not captioned, and why."""

    block: int  # index in the transcript's blocks
    reason: NotSpoken
    text: str


def not_spoken(transcript: Transcript) -> tuple[LeftOut, ...]:
    """The transcription's paragraphs that are not captioned, with the reason (repeated title
    or "Transcription" line, header, speaker label: decided by :mod:`subtitler.transcript`)."""
    return tuple(
        LeftOut(block=index, reason=block.not_spoken, text=block.text.strip())
        for index, block in enumerate(transcript.blocks)
        if block.not_spoken is not None
    )


@dataclass(frozen=True)
class VideoResult:
    """What one video's build did; serialised into report.json and the manifest."""

    transcript: str
    slug: str | None
    status: Status
    title: str | None = None
    area: str | None = None
    error: str | None = None
    traceback: str | None = None
    warnings: tuple[str, ...] = ()
    cues: CueStats = CueStats()
    timing_method: str | None = None
    confidence_mean: float | None = None
    confidence_min: float | None = None
    flagged_cues: tuple[int, ...] = ()  # positions in the caption files (music cues counted)
    flag_reasons: tuple[tuple[CueFlag, ...], ...] = ()  # why, for each flagged cue, in order
    music_cues: int = 0  # sound notes for music heard without a voice
    checked_cues: tuple[int, ...] = ()  # cues an editor checked as they are (anchors file)
    anchors_applied: int = 0
    orphaned_anchors: tuple[str, ...] = ()  # anchors file entries not applied, and why
    not_spoken: tuple[LeftOut, ...] = ()  # paragraphs left out of the captions, with the reason
    media: str | None = None
    media_duration: float | None = None
    speech_duration: float | None = None
    seconds: float = 0.0
    outputs: tuple[str, ...] = ()  # file names in the video's output folder
    timing_fallback: str | None = None  # why audio timing fell back: the result is provisional
    downloaded_bytes: int = 0  # media bytes downloaded by this run
    media_source: str | None = None  # the URL the media came from (no query string)

    @property
    def succeeded(self) -> bool:
        return self.status.succeeded


def result_from_dict(data: dict) -> VideoResult:
    """Rebuild a result from its JSON form (manifests, report.json); ``ValueError``,
    ``TypeError`` or ``KeyError`` when it is not one."""
    fields = dict(data)
    fields["status"] = Status(fields["status"])
    fields["cues"] = CueStats(**fields.get("cues", {}))
    fields["not_spoken"] = tuple(
        LeftOut(**{**entry, "reason": NotSpoken(entry["reason"])}) for entry in fields.get("not_spoken", ())
    )
    fields["flag_reasons"] = tuple(tuple(map(parse_flag, flags)) for flags in fields.get("flag_reasons", ()))
    for name in ("warnings", "flagged_cues", "checked_cues", "orphaned_anchors", "outputs"):
        fields[name] = tuple(fields.get(name, ()))
    return VideoResult(**fields)
