"""The per-video step: (transcript, media, options) -> files in OUT/<slug>/.

``build_video`` is a pure function of its job as far as the batch is concerned: it reads its
inputs, writes only inside its own output folder (every file atomically, the manifest last),
and returns a picklable :class:`VideoResult`. That is what lets the batch run it in a process
pool or on a Dask cluster unchanged.
"""

from __future__ import annotations

import statistics
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import __version__
from .config import CaptionConfig
from .errors import AlignmentError, MediaError, NothingToCaption, OutputError, SubtitlerError, TranscriptError
from .fsutil import atomic_write_text
from .media import DownloadLimits, Fetched
from .model import CueKind, MediaInfo, TimedCue, Transcript
from .report import CHECKED_FLAG, is_flagged, review_reasons
from .timing import LocatedSpeech
from .timing.anchored import AnchoredSpeech, CueAnchor


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build depends on besides the transcript and media (part of the cache key)."""

    out_dir: Path = Path("output")
    media_dir: Path = Path("media")
    cache_dir: Path = Path(".cache/media")
    timing: str = "audio"
    download: bool = True
    html: bool = True
    config: CaptionConfig = field(default_factory=CaptionConfig)
    download_limits: DownloadLimits = DownloadLimits()
    download_as_given: bool = False  # videoDownloadHref as is, not the smallest file with audio
    strict: bool = False  # a fallback, a missing video or too many flagged cues fail the video
    max_flagged: int = 0  # under strict: most flagged cues a video may have
    align_threads: int = 0  # threads the aligner may use (0: one per core)

    def fingerprint(self) -> dict[str, object]:
        """The options that change the outputs (paths, downloads, strictness, threads do not)."""
        return {"timing": self.timing, "html": self.html, "config": asdict(self.config)}


@dataclass(frozen=True)
class VideoJob:
    transcript_path: Path
    options: BuildOptions
    force: bool = False
    debug: bool = False


@dataclass(frozen=True)
class CueStats:
    count: int = 0
    cps_median: float = 0.0
    cps_p90: float = 0.0
    cps_max: float = 0.0
    over_max_cps: int = 0
    two_line_share: float = 0.0


@dataclass(frozen=True)
class LeftOut:
    """A paragraph of the transcription that is not captioned, and why (``NotSpoken``)."""

    block: int  # index in the transcript's blocks
    reason: str
    text: str


@dataclass(frozen=True)
class VideoResult:
    """What one video's build did; serialised into report.json."""

    transcript: str
    slug: str | None
    status: str  # "ok", "unchanged", "skipped", "failed"
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
    flag_reasons: tuple[tuple[str, ...], ...] = ()  # why, for each flagged cue, in order
    music_cues: int = 0  # sound notes for music heard without a voice
    checked_cues: tuple[int, ...] = ()  # cues an editor checked as they are (anchors file)
    anchors_applied: int = 0
    orphaned_anchors: tuple[str, ...] = ()  # anchors file entries not applied, and why
    not_spoken: tuple[LeftOut, ...] = ()  # paragraphs left out of the captions, with the reason
    media: str | None = None
    media_duration: float | None = None
    speech_duration: float | None = None
    seconds: float = 0.0
    outputs: tuple[str, ...] = ()
    timing_fallback: str | None = None  # why audio timing fell back: the result is provisional
    downloaded_bytes: int = 0  # media bytes downloaded by this run
    media_source: str | None = None  # the URL the media came from (no query string)

    @property
    def succeeded(self) -> bool:
        return self.status in {"ok", "unchanged", "skipped"}


NO_VIDEO = "no video: the transcript has no videoDownloadHref and no media file was found"


def build_video(job: VideoJob) -> VideoResult:
    """Build one video's outputs; every failure becomes a failed result, never an exception."""
    started = time.perf_counter()
    try:
        result = _build(job)
        if job.options.strict:
            result = _strict(result, job)
    except NothingToCaption as error:
        result = _unbuilt(job, "skipped", _naming_transcript(job.transcript_path, error))
    except SubtitlerError as error:
        result = _unbuilt(job, "failed", _naming_transcript(job.transcript_path, error))
    except Exception as error:  # a bug: still one line, the batch goes on
        message = f"{job.transcript_path}: internal error: {type(error).__name__}: {error}"
        result = _unbuilt(job, "failed", message)
    return replace(result, seconds=round(time.perf_counter() - started, 3))


def _strict(result: VideoResult, job: VideoJob) -> VideoResult:
    """Under ``--strict``, what a normal build lets through fails the video. Outputs and
    manifest stay as built: strictness decides the exit status, not what is written."""
    if result.timing_fallback:
        problem = result.timing_fallback
    elif result.status == "skipped" and result.error == NO_VIDEO:
        problem = NO_VIDEO
    elif len(result.flagged_cues) > job.options.max_flagged:
        problem = (f"{len(result.flagged_cues)} cue(s) flagged for review, more than the "
                   f"{job.options.max_flagged} --max-flagged allows")
    else:
        return result
    return replace(result, status="failed", error=f"{job.transcript_path}: --strict: {problem}")


def _unbuilt(job: VideoJob, status: str, message: str) -> VideoResult:
    """The result of a video that produced nothing, with the traceback kept under --debug."""
    return VideoResult(
        transcript=str(job.transcript_path),
        slug=None,
        status=status,
        error=_one_line(message),
        traceback=traceback.format_exc() if job.debug and status == "failed" else None,
    )


def _naming_transcript(transcript: Path, error: SubtitlerError) -> str:
    """The message starts with the transcript's path, then any other file the error is about."""
    if error.path is not None and error.path == transcript:
        return str(error)
    return f"{transcript}: {error}"


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _build(job: VideoJob) -> VideoResult:
    from . import anchors, incremental
    from .cues import build_cues, layout_warnings
    from .report import not_spoken
    from .sentences import split_sentences
    from .transcript import load_transcript

    options = job.options
    config = options.config
    transcript = load_transcript(job.transcript_path, config.lang)
    if options.html:
        _check_player_url(transcript)  # before any work: the page could not be written
    video_dir = _video_dir(options.out_dir, transcript.slug)
    remove_stale_temporaries(video_dir)
    media_path, fetched = _find_or_fetch_media(transcript, options)
    fetch_fields = {
        "downloaded_bytes": fetched.downloaded_bytes if fetched else 0,
        "media_source": fetched.source if fetched else None,
    }

    manifest = incremental.read_manifest(video_dir)
    anchors_path = anchors.path_for(job.transcript_path, transcript.slug)
    key = incremental.build_key(job.transcript_path, media_path, options, __version__, manifest,
                                anchors_path)
    previous = None if job.force else incremental.unchanged_result(manifest, key, video_dir)
    if previous is not None:
        status = "unchanged" if previous.status == "ok" else previous.status
        return replace(previous, status=status, **fetch_fields)

    sentences = split_sentences(transcript)
    cues = build_cues(sentences, config)
    warnings = list(transcript.warnings) + layout_warnings(cues, config)
    left_out = not_spoken(transcript)

    if media_path is None:
        outputs = _write_text_outputs(transcript, [], video_dir, options, located=None, media=None)
        result = VideoResult(
            transcript=str(job.transcript_path),
            slug=transcript.slug,
            status="skipped",
            title=transcript.title,
            area=transcript.area,
            error=NO_VIDEO,
            warnings=tuple(warnings),
            not_spoken=left_out,
            outputs=tuple(outputs),
        )
        incremental.record(video_dir, key, result)
        return result

    media = _probe(media_path)
    _check_media_long_enough(media, cues, transcript)
    resolution = anchors.resolve(anchors.load(anchors_path), cues)
    anchored, fallback = _locate_speech(cues, media, options, warnings, resolution.anchors)
    located = anchored.located
    if fetched is not None and fetched.note:
        warnings.append(fetched.note)
    timed = anchors.mark_checked(_apply_rules(cues, anchored, media, config), resolution)
    timed = _with_music(timed, located, media, config)
    outputs = _write_text_outputs(transcript, timed, video_dir, options, located=located, media=media)

    confidences = [t.speech.confidence for t in timed if t.speech is not None]
    flagged_timed = [t for t in timed if is_flagged(t)]
    flagged = tuple(t.cue.index for t in flagged_timed)
    if flagged:
        warnings.append(
            f"{len(flagged)} cue(s) flagged for review (start in doubt, text not heard, or layout)"
        )
    orphaned = resolution.orphaned + tuple(
        f"anchor at the {anchor.label}: {why}; not applied" for anchor, why in anchored.rejected)
    if orphaned:
        warnings.append(f"{len(orphaned)} entr{'y' if len(orphaned) == 1 else 'ies'} of "
                        f"{anchors_path.name} not applied (see orphaned_anchors)")
    result = VideoResult(
        transcript=str(job.transcript_path),
        slug=transcript.slug,
        status="ok",
        title=transcript.title,
        area=transcript.area,
        warnings=tuple(warnings),
        cues=cue_stats(timed),
        timing_method=located.method,
        confidence_mean=round(statistics.fmean(confidences), 3) if confidences else None,
        confidence_min=round(min(confidences), 3) if confidences else None,
        flagged_cues=flagged,
        flag_reasons=tuple(review_reasons(t) for t in flagged_timed),
        music_cues=sum(1 for t in timed if t.cue.kind is CueKind.MUSIC),
        checked_cues=tuple(t.cue.index for t in timed if CHECKED_FLAG in t.flags),
        anchors_applied=len(anchored.applied),
        orphaned_anchors=orphaned,
        not_spoken=left_out,
        media=str(media_path),
        media_duration=round(media.duration, 3),
        speech_duration=_speech_duration(located),
        outputs=tuple(outputs),
        timing_fallback=fallback,
        **fetch_fields,
    )
    incremental.record(video_dir, key, result)
    return result


def remove_stale_temporaries(video_dir: Path) -> None:
    """Delete temporary files a killed run left (the video folder belongs to this job alone)."""
    if video_dir.is_dir():
        for leftover in video_dir.glob(".*.part"):
            leftover.unlink(missing_ok=True)


def _check_player_url(transcript: Transcript) -> None:
    """A ``videoEmbedSrc`` the page cannot use is a one-line error naming the transcript."""
    from .html.player import player_for
    from .video_url import VideoUrlError

    try:
        player_for(transcript.video_embed_src, transcript.lang.split("-")[0].lower() or "fr")
    except VideoUrlError as error:
        raise TranscriptError(f"videoEmbedSrc is not a usable video URL: {error}", transcript.path) from None


def _video_dir(out_dir: Path, slug: str) -> Path:
    """OUT/<slug>, refusing any slug that would resolve outside OUT."""
    root = out_dir.resolve()
    target = (root / slug).resolve()
    if not slug or target.parent != root:
        raise OutputError(f"slug {slug!r} would write outside the output folder {out_dir}")
    return target


def _find_or_fetch_media(transcript: Transcript, options: BuildOptions) -> tuple[Path | None, Fetched | None]:
    """The local media file, else the downloaded one (with what the download cost)."""
    from .media import fetch_video, find_media

    found = find_media(transcript, options.media_dir)
    if found is not None:
        return found, None
    if transcript.video_download_href and options.download:
        fetched = fetch_video(
            transcript, options.cache_dir, options.download_limits, as_given=options.download_as_given
        )
        return fetched.path, fetched
    if transcript.video_download_href:
        raise MediaError(
            f"media not found in {options.media_dir} (by slug or video id) and downloads are off",
            transcript.path,
        )
    return None, None


def _probe(path: Path) -> MediaInfo:
    from .media import probe

    return probe(path)


def _check_media_long_enough(media: MediaInfo, cues: Sequence, transcript: Transcript) -> None:
    from .media import media_too_short

    problem = media_too_short(media, " ".join(c.text for c in cues))
    if problem:
        raise MediaError(problem, transcript.path)


def _locate_speech(
    cues, media: MediaInfo, options: BuildOptions, warnings: list[str], anchors: Sequence[CueAnchor] = ()
) -> tuple[AnchoredSpeech, str | None]:
    """Where the cues are spoken (around the editor's anchors), and why audio timing fell
    back to proportional (None when it did not). A video without an audio stream is no
    fallback: nothing better can be had."""
    from .timing import get_locator
    from .timing.anchored import locate_anchored

    method = options.timing
    if method == "audio" and not media.has_audio:
        warnings.append("the media has no audio stream: proportional timing used")
        method = "proportional"
    fallback = None
    try:
        anchored = locate_anchored(get_locator(method, options.align_threads), cues, media, options.config, anchors)
    except AlignmentError as error:
        if method == "proportional":
            raise
        fallback = f"audio alignment failed ({error.message}): proportional timing used"
        warnings.append(fallback)
        anchored = locate_anchored(get_locator("proportional"), cues, media, options.config, anchors)
    warnings.extend(anchored.located.warnings)
    return anchored, fallback


def _apply_rules(cues, anchored: AnchoredSpeech, media: MediaInfo, config: CaptionConfig) -> list[TimedCue]:
    from .timing.rules import apply_timing_rules

    return apply_timing_rules(cues, anchored.located.spans, media.duration, media.fps, config,
                              anchored.fixed)


def _with_music(timed: list[TimedCue], located: LocatedSpeech, media: MediaInfo,
                config: CaptionConfig) -> list[TimedCue]:
    from .timing.sounds import with_music_cues

    return with_music_cues(timed, located.music, media.duration, media.fps, config)


def _speech_duration(located: LocatedSpeech) -> float | None:
    segments = located.details.get("speech_segments")
    if not segments:
        return None
    return round(sum(end - start for start, end in segments), 3)


def result_from_dict(data: dict) -> VideoResult:
    """Rebuild a result from its JSON form (manifests, report.json)."""
    fields = dict(data)
    fields["cues"] = CueStats(**fields.get("cues", {}))
    fields["not_spoken"] = tuple(LeftOut(**entry) for entry in fields.get("not_spoken", ()))
    fields["flag_reasons"] = tuple(tuple(r) for r in fields.get("flag_reasons", ()))
    for name in ("warnings", "flagged_cues", "checked_cues", "orphaned_anchors", "outputs"):
        fields[name] = tuple(fields.get(name, ()))
    fields["flag_reasons"] = tuple(tuple(flags) for flags in fields.get("flag_reasons", ()))
    return VideoResult(**fields)


def cue_stats(timed: Sequence[TimedCue]) -> CueStats:
    """Reading-speed figures of a video's cues, for the report (over max_cps: the rules'
    "fast" flag)."""
    if not timed:
        return CueStats()
    rates = sorted(t.cps for t in timed)
    p90 = rates[min(len(rates) - 1, int(round(0.9 * (len(rates) - 1))))]
    return CueStats(
        count=len(timed),
        cps_median=round(statistics.median(rates), 2),
        cps_p90=round(p90, 2),
        cps_max=round(rates[-1], 2),
        over_max_cps=sum(1 for t in timed if "fast" in t.flags),
        two_line_share=round(sum(1 for t in timed if len(t.cue.lines) > 1) / len(timed), 3),
    )


def _write_text_outputs(
    transcript: Transcript,
    timed: Sequence[TimedCue],
    video_dir: Path,
    options: BuildOptions,
    *,
    located: LocatedSpeech | None,
    media: MediaInfo | None,
) -> list[str]:
    """Write captions, plain text, QA timeline and HTML page; return their file names."""
    from .formats import get_format
    from .formats.text import write_plain_transcript
    from .report import render_timeline_svg

    slug, lang = transcript.slug, transcript.lang
    written: list[str] = []

    def put(name: str, text: str) -> None:
        atomic_write_text(video_dir / name, text)
        written.append(name)

    if timed:
        for extension in ("vtt", "srt"):
            put(f"{slug}.{lang}.{extension}", get_format(extension).write(timed))
    put(f"{slug}.{lang}.txt", write_plain_transcript(transcript))
    qa_name = None
    if timed and media is not None and located is not None:
        qa_name = f"{slug}.qa.svg"
        put(qa_name, render_timeline_svg(timed, media.duration, located))
    if options.html:
        from .html import VideoFiles, render_video_page

        files = VideoFiles(
            vtt=f"{slug}.{lang}.vtt" if timed else None,
            srt=f"{slug}.{lang}.srt" if timed else None,
            txt=f"{slug}.{lang}.txt",
            qa_svg=qa_name,
        )
        put("index.html", render_video_page(transcript, timed, files))
    return written
