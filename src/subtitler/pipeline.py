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
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import __version__, anchors, incremental
from .config import CaptionConfig
from .cues import build_cues, layout_warnings
from .errors import AlignmentError, MediaError, NothingToCaption, OutputError, SubtitlerError, TranscriptError
from .formats import CAPTION_FORMATS
from .formats.readback import check_read_back
from .formats.text import write_plain_transcript
from .fsutil import atomic_write_text, remove_temporaries
from .html import VideoFiles, render_video_page
from .html.player import player_for
from .layout import OutputLayout, VideoOutputs
from .media.fetched import DownloadLimits, Fetched
from .media.lookup import find_media
from .media.probe import probe
from .model import Cue, CueKind, Flag, MediaInfo, Sentence, TimedCue, Transcript
from .qa import render_timeline_svg
from .results import CueStats, Status, VideoResult, not_spoken
from .sentences import split_sentences
from .speaking_time import media_too_short
from .timing.anchored import AnchoredSpeech, CueAnchor, locate_anchored
from .timing.locator import LocatedSpeech
from .timing.methods import TimingMethod, locator_for
from .timing.rules import apply_timing_rules
from .timing.sounds import clear_of_music, sentences_apart_by_music, with_music_cues
from .transcript import load_transcript
from .video_url import VideoUrlError


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build depends on besides the transcript and media (part of the cache key)."""

    out_dir: Path = Path("output")
    media_dir: Path = Path("media")
    cache_dir: Path = Path(".cache/media")
    timing: TimingMethod = TimingMethod.AUDIO
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


NO_VIDEO = "no video: the transcript has no videoDownloadHref and no media file was found"


def build_video(job: VideoJob) -> VideoResult:
    """Build one video's outputs; every failure becomes a failed result, never an exception."""
    started = time.perf_counter()
    try:
        result = _build(job)
        if job.options.strict:
            result = _strict(result, job)
    except NothingToCaption as error:
        result = _unbuilt(job, Status.SKIPPED, _naming_transcript(job.transcript_path, error))
    except SubtitlerError as error:
        result = _unbuilt(job, Status.FAILED, _naming_transcript(job.transcript_path, error))
    except Exception as error:  # a bug: still one line, the batch goes on
        message = f"{job.transcript_path}: internal error: {type(error).__name__}: {error}"
        result = _unbuilt(job, Status.FAILED, message)
    return replace(result, seconds=round(time.perf_counter() - started, 3))


def _strict(result: VideoResult, job: VideoJob) -> VideoResult:
    """Under ``--strict``, what a normal build lets through fails the video. Outputs and
    manifest stay as built: strictness decides the exit status, not what is written."""
    if result.timing_fallback:
        problem = result.timing_fallback
    elif result.status is Status.SKIPPED and result.error == NO_VIDEO:
        problem = NO_VIDEO
    elif len(result.flagged_cues) > job.options.max_flagged:
        problem = (f"{len(result.flagged_cues)} cue(s) flagged for review, more than the "
                   f"{job.options.max_flagged} --max-flagged allows")
    else:
        return result
    return replace(result, status=Status.FAILED, error=f"{job.transcript_path}: --strict: {problem}")


def _unbuilt(job: VideoJob, status: Status, message: str) -> VideoResult:
    """The result of a video that produced nothing, with the traceback kept under --debug."""
    return VideoResult(
        transcript=str(job.transcript_path),
        slug=None,
        status=status,
        error=_one_line(message),
        traceback=traceback.format_exc() if job.debug and status is Status.FAILED else None,
    )


def _naming_transcript(transcript: Path, error: SubtitlerError) -> str:
    """The message starts with the transcript's path, then any other file the error is about."""
    if error.path is not None and error.path == transcript:
        return str(error)
    return f"{transcript}: {error}"


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _cues_and_warnings(
    transcript: Transcript, sentences: Sequence[Sentence], config: CaptionConfig, apart: Collection[int] = ()
) -> tuple[list[Cue], list[str]]:
    """The cues (``apart``: sentences that begin cues of their own) and the warnings of the
    transcript and of their layout."""
    cues = build_cues(sentences, config, apart)
    return cues, list(transcript.warnings) + layout_warnings(cues, config)


def _build(job: VideoJob) -> VideoResult:
    options = job.options
    config = options.config
    transcript = load_transcript(job.transcript_path, config.lang)
    if options.html:
        _check_player_url(transcript)  # before any work: the page could not be written
    video = OutputLayout(options.out_dir).video(transcript.slug)
    remove_temporaries(video.folder)
    media_path, fetched = _find_or_fetch_media(transcript, options)
    fetch_fields = {
        "downloaded_bytes": fetched.downloaded_bytes if fetched else 0,
        "media_source": fetched.source if fetched else None,
    }

    manifest = incremental.read_manifest(video)
    anchors_path = anchors.path_for(job.transcript_path, transcript.slug)
    key = incremental.build_key(job.transcript_path, media_path, options.fingerprint(), __version__, manifest,
                                anchors_path)
    previous = None if job.force else incremental.unchanged_result(manifest, key, video)
    if previous is not None:
        status = Status.UNCHANGED if previous.status is Status.OK else previous.status
        return replace(previous, status=status, **fetch_fields)

    sentences = split_sentences(transcript)
    cues, warnings = _cues_and_warnings(transcript, sentences, config)
    left_out = not_spoken(transcript)

    if media_path is None:
        outputs = _write_outputs(transcript, [], video, options, located=None, media=None)
        result = VideoResult(
            transcript=str(job.transcript_path),
            slug=transcript.slug,
            status=Status.SKIPPED,
            title=transcript.title,
            area=transcript.area,
            error=NO_VIDEO,
            warnings=tuple(warnings),
            not_spoken=left_out,
            outputs=tuple(outputs),
        )
        incremental.record(video, key, result)
        return result

    media = probe(media_path)
    _check_media_long_enough(media, cues, transcript)
    saved_anchors = anchors.load(anchors_path)
    resolution = anchors.resolve(saved_anchors, cues)
    first_warnings: list[str] = []
    anchored, fallback = _locate_speech(cues, media, options, first_warnings, resolution.anchors)
    apart = sentences_apart_by_music(cues, anchored.located.spans, anchored.located.music, config)
    if apart:  # a cue would show over music said around it: cues of their own, aligned again
        cues, warnings = _cues_and_warnings(transcript, sentences, config, apart)
        resolution = anchors.resolve(saved_anchors, cues)
        anchored, fallback = _locate_speech(cues, media, options, warnings, resolution.anchors)
    else:
        warnings.extend(first_warnings)
    located = anchored.located
    if fetched is not None and fetched.note:
        warnings.append(fetched.note)
    timed = apply_timing_rules(cues, located.spans, media.duration, media.fps, config, anchored.fixed)
    timed = anchors.mark_checked(timed, resolution)
    fixed_ends = {i for i, edges in anchored.fixed.items() if edges.end is not None}
    timed = clear_of_music(timed, located.music, config, fixed_ends)
    timed = with_music_cues(timed, located.music, media.duration, media.fps, config)
    outputs = _write_outputs(transcript, timed, video, options, located=located, media=media)

    confidences = [t.speech.confidence for t in timed if t.speech is not None]
    flagged_timed = [t for t in timed if t.needs_review]
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
        status=Status.OK,
        title=transcript.title,
        area=transcript.area,
        warnings=tuple(warnings),
        cues=CueStats.of(timed),
        timing_method=located.method,
        confidence_mean=round(statistics.fmean(confidences), 3) if confidences else None,
        confidence_min=round(min(confidences), 3) if confidences else None,
        flagged_cues=flagged,
        flag_reasons=tuple(t.review_reasons for t in flagged_timed),
        music_cues=sum(1 for t in timed if t.cue.kind is CueKind.MUSIC),
        checked_cues=tuple(t.cue.index for t in timed if Flag.CHECKED in t.flags),
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
    incremental.record(video, key, result)
    return result


def _check_player_url(transcript: Transcript) -> None:
    """A ``videoEmbedSrc`` the page cannot use is a one-line error naming the transcript."""
    try:
        player_for(transcript.video_embed_src, transcript.lang.split("-")[0].lower() or "fr")
    except VideoUrlError as error:
        raise TranscriptError(f"videoEmbedSrc is not a usable video URL: {error}", transcript.path) from None


def _find_or_fetch_media(transcript: Transcript, options: BuildOptions) -> tuple[Path | None, Fetched | None]:
    """The local media file, else the downloaded one (with what the download cost)."""
    found = find_media(transcript, options.media_dir)
    if found is not None:
        return found, None
    if transcript.video_download_href and options.download:
        from .media.peertube import fetch_video  # the HTTP client only when a video is missing

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


def _check_media_long_enough(media: MediaInfo, cues: Sequence, transcript: Transcript) -> None:
    problem = media_too_short(media, " ".join(c.text for c in cues))
    if problem:
        raise MediaError(problem, transcript.path)


def _locate_speech(
    cues, media: MediaInfo, options: BuildOptions, warnings: list[str], anchors: Sequence[CueAnchor] = ()
) -> tuple[AnchoredSpeech, str | None]:
    """Where the cues are spoken (around the editor's anchors), and why audio timing fell
    back to proportional (None when it did not). A video without an audio stream is no
    fallback: nothing better can be had."""
    method = TimingMethod(options.timing)
    if method is TimingMethod.AUDIO and not media.has_audio:
        warnings.append("the media has no audio stream: proportional timing used")
        method = TimingMethod.PROPORTIONAL
    fallback = None
    try:
        anchored = locate_anchored(locator_for(method, options.align_threads), cues, media, options.config, anchors)
    except AlignmentError as error:
        if method is TimingMethod.PROPORTIONAL:
            raise
        fallback = f"audio alignment failed ({error.message}): proportional timing used"
        warnings.append(fallback)
        anchored = locate_anchored(locator_for(TimingMethod.PROPORTIONAL), cues, media, options.config, anchors)
    warnings.extend(anchored.located.warnings)
    return anchored, fallback


def _speech_duration(located: LocatedSpeech) -> float | None:
    if not located.speech:
        return None
    return round(sum(end - start for start, end in located.speech), 3)


def _write_outputs(
    transcript: Transcript,
    timed: Sequence[TimedCue],
    video: VideoOutputs,
    options: BuildOptions,
    *,
    located: LocatedSpeech | None,
    media: MediaInfo | None,
) -> list[str]:
    """Write captions, plain text, QA timeline and HTML page; return their file names."""
    lang = transcript.lang
    written: list[str] = []

    def put(name: str, text: str) -> None:
        atomic_write_text(video.path(name), text)
        written.append(name)

    if timed:
        captions = {fmt: fmt.write(timed) for fmt in CAPTION_FORMATS}
        for fmt, text in captions.items():  # all checked before any is written
            try:
                check_read_back(fmt, text, timed)
            except ValueError as error:
                raise OutputError(f"{video.caption(lang, fmt.extension)}: {error}") from None
        for fmt, text in captions.items():
            put(video.caption(lang, fmt.extension), text)
    put(video.text(lang), write_plain_transcript(transcript))
    qa_name = None
    if timed and media is not None and located is not None:
        qa_name = video.qa_timeline
        put(qa_name, render_timeline_svg(timed, media.duration, located))
    if options.html:
        files = VideoFiles.of(video, lang, captions=bool(timed), qa_timeline=qa_name is not None)
        put(video.page, render_video_page(transcript, timed, files))
    return written
