"""What the review server knows and does: the batch's videos, each video's cues as built,
and the editor's fixes written beside the transcript, then one video rebuilt.

The page shows what the build wrote: cue times come from the video's WebVTT file, flags
from its recorded result (:func:`flag_reasons`), anchors and checked marks from the anchors
file. Fixes never touch the outputs: timing goes to ``<slug>.anchors.json``, text to the
transcript (:mod:`subtitler.review.text_edit`), and a rebuild makes the outputs again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .. import anchors
from ..anchors import AnchorFile, WordIndex
from ..errors import SubtitlerError
from ..formats.vtt import VTT, parse_vtt_cues
from ..incremental import read_manifest, recorded_result
from ..layout import OutputLayout
from ..model import Cue, CueFlag, Flag, Transcript
from ..pipeline import BuildOptions, VideoJob, build_video
from ..results import VideoResult
from ..timing.anchored import Edge
from .text_edit import edit_cue_text


class ReviewError(SubtitlerError):
    """A request the server refuses (unknown video, stale page, bad change)."""


@dataclass(frozen=True)
class ReviewCue:
    """One cue as the page shows it."""

    index: int
    start: float
    end: float
    display: str  # as in the VTT
    text: str  # the spoken words as written (what the editor edits)
    flags: tuple[CueFlag, ...]  # why it is flagged (empty: not flagged)
    checked: bool  # an editor's checked mark holds
    anchored_start: float | None = None
    anchored_end: float | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.flags) and not self.checked


@dataclass(frozen=True)
class VideoView:
    slug: str
    title: str
    lang: str
    transcript: Path
    anchors_file: Path
    media: Path | None
    vtt: Path | None
    qa_svg: Path | None
    fps: float | None
    cues: tuple[ReviewCue, ...]
    result: VideoResult | None
    problem: str | None = None  # why the cues cannot be shown (not built, stale outputs)


def flag_reasons(result: VideoResult | None) -> dict[int, tuple[CueFlag, ...]]:
    """Position in the caption file (music cues counted) -> the flags that put the cue up
    for review, as the build recorded them.

    The one place that reads flags from a build's result (its format is the report's)."""
    if result is None:
        return {}
    reasons = result.flag_reasons or tuple((Flag.LOW_CONFIDENCE,) for _ in result.flagged_cues)
    return dict(zip(result.flagged_cues, reasons))


class ReviewSession:
    """The batch under review: its transcripts, build options, and one rebuild at a time."""

    def __init__(self, transcripts: Sequence[Path], options: BuildOptions) -> None:
        from ..transcript import slug_for

        self.options = options
        self.layout = OutputLayout(options.out_dir)
        self.paths = {slug_for(path): Path(path).resolve() for path in transcripts}
        self.results: dict[str, VideoResult] = {}
        self._lock = threading.Lock()

    # --- building ----------------------------------------------------------------------

    def build_all(self, jobs: int) -> list[VideoResult]:
        from ..batch import run_batch

        batch = run_batch(list(self.paths.values()), self.options, jobs=jobs)
        for slug, result in zip(self.paths, batch.results):
            self.results[slug] = result
        self._write_reports()
        return list(batch.results)

    def rebuild(self, slug: str) -> VideoResult:
        """Build one video again (incremental: only what its inputs changed)."""
        path = self._path(slug)
        with self._lock:
            result = build_video(VideoJob(path, self.options))
            self.results[slug] = result
            self._write_reports()
        return result

    def _write_reports(self) -> None:
        from ..html import index_entries_from_results, write_index
        from ..report import write_report

        results = list(self.results.values())
        write_report(results, self.layout, wall_seconds=sum(r.seconds for r in results), jobs=1)
        if self.options.html:
            write_index(index_entries_from_results(results, self.layout), self.layout)

    # --- reading -------------------------------------------------------------------------

    def _path(self, slug: str) -> Path:
        try:
            return self.paths[slug]
        except KeyError:
            raise ReviewError(f"no video {slug!r} in this review") from None

    def _cues(self, slug: str) -> tuple[Transcript, list[Cue]]:
        from ..cues import build_cues
        from ..sentences import split_sentences
        from ..transcript import load_transcript

        transcript = load_transcript(self._path(slug), self.options.config.lang)
        return transcript, build_cues(split_sentences(transcript), self.options.config)

    def view(self, slug: str) -> VideoView:
        """The video's cues as its last build wrote them, with flags, anchors, checks."""
        transcript, cues = self._cues(slug)
        video = self.layout.video(slug)
        result = recorded_result(read_manifest(video))
        vtt = video.path(video.caption(transcript.lang, VTT.extension))
        qa = video.path(video.qa_timeline)
        media = Path(result.media) if result and result.media else None
        anchors_file = anchors.path_for(transcript.path, slug)
        base = VideoView(slug, transcript.title, transcript.lang, transcript.path, anchors_file,
                         media if media and self.media_allowed(media) else None,
                         vtt if vtt.is_file() else None, qa if qa.is_file() else None,
                         _fps(media), (), result)
        if base.vtt is None:
            return replace(base, problem="this video has no captions yet: rebuild it")
        in_file = parse_vtt_cues(vtt.read_text(encoding="utf-8"))
        # the file's positions count the music cues; the review is of the speech cues
        spoken = [p for p, (_, _, text) in enumerate(in_file) if text != self.options.config.music_label]
        if len(spoken) != len(cues):
            return replace(base, problem="the captions are older than the transcript: rebuild")
        timed = [in_file[p] for p in spoken]
        cue_at = {p: k for k, p in enumerate(spoken)}
        entries = anchors.load(anchors_file)
        resolution = anchors.resolve(entries, cues)
        reasons = {cue_at[p]: why for p, why in flag_reasons(result).items() if p in cue_at}
        checked = {cue_at[p] for p in result.checked_cues if p in cue_at} if result else set()
        pinned: dict[int, dict[Edge, float]] = {}
        for anchor in resolution.anchors:
            pinned.setdefault(anchor.cue, {})[anchor.edge] = anchor.time
        shown = tuple(
            ReviewCue(k, start / 1000, end / 1000, display, cue.text,
                      tuple(f for f in reasons.get(k, ()) if f is not Flag.CHECKED), k in checked,
                      pinned.get(k, {}).get(Edge.START), pinned.get(k, {}).get(Edge.END))
            for k, (cue, (start, end, display)) in enumerate(zip(cues, timed))
        )
        return replace(base, cues=shown)

    def media_allowed(self, media: Path) -> bool:
        """Only media inside the media or download folders is ever served."""
        resolved = media.resolve()
        return resolved.is_file() and any(resolved.is_relative_to(root.resolve())
                                          for root in (self.options.media_dir, self.options.cache_dir))

    # --- fixing --------------------------------------------------------------------------

    def save(self, slug: str, changes: Sequence[dict]) -> dict:
        """Apply the page's changes: anchors and checked marks first (named by the words the
        cues have now), text edits last. Returns what was written."""
        transcript, cues = self._cues(slug)
        view = self.view(slug)
        if view.problem:
            raise ReviewError(view.problem)
        index = WordIndex(cues)
        path = anchors.path_for(transcript.path, slug)
        entries = anchors.load(path)
        texts: list[tuple[int, str]] = []
        for change in changes:
            k = _cue_number(change, len(cues))
            shown = view.cues[k]
            if shown.text != change.get("was", shown.text):
                raise ReviewError(f"cue {k + 1} changed since the page was loaded: reload it")
            start, end = change.get("start"), change.get("end")
            for edge, time in ((Edge.START, start), (Edge.END, end)):
                if time is not None:
                    entries = _without(entries, index, k, edge)
                    entries = replace(entries, anchors=(*entries.anchors, index.anchor(k, edge, _time(time))))
            if change.get("checked") is not None:
                entries = _without_mark(entries, index, k)
                if change["checked"]:
                    mark = index.mark(cues[k], k, _time(start if start is not None else shown.start),
                                      _time(end if end is not None else shown.end))
                    entries = replace(entries, checked=(*entries.checked, mark))
            if isinstance(change.get("text"), str) and change["text"].split() != cues[k].text.split():
                texts.append((k, change["text"]))
        anchors.save(path, entries)
        for k, text in sorted(texts, reverse=True):  # later cues first: earlier offsets hold
            edit_cue_text(transcript, cues[k], text)
            transcript, cues = self._cues(slug)
        return {"anchors": len(entries.anchors), "checked": len(entries.checked), "texts": len(texts)}


def _without(entries: AnchorFile, index: WordIndex, cue: int, edge: Edge) -> AnchorFile:
    kept = tuple(a for a in entries.anchors
                 if not (a.edge is edge and index.cue_of(a.words, a.occurrence, edge) == cue))
    return replace(entries, anchors=kept)


def _without_mark(entries: AnchorFile, index: WordIndex, cue: int) -> AnchorFile:
    kept = tuple(m for m in entries.checked if index.cue_of(m.words, m.occurrence, Edge.START) != cue)
    return replace(entries, checked=kept)


def _cue_number(change: dict, count: int) -> int:
    k = change.get("cue")
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < count:
        raise ReviewError(f"no cue {k!r} in this video")
    return k


def _time(value: object) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1e6:
        raise ReviewError(f"not a time in seconds: {value!r}")
    return round(float(value), 3)


def _fps(media: Path | None) -> float | None:
    if media is None or not media.is_file():
        return None
    from ..media.probe import probe

    try:
        return probe(media).fps
    except SubtitlerError:
        return None
