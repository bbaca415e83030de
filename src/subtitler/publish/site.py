"""Captions of self-hosted videos, written into the site's public folder.

The site shows captions for a video that is a plain MP4 on the programme's own server from the
file its transcript's front matter names in ``captionFilePath``: a path from the site's root,
``/captions/mednum/Trier_des_donnees.vtt`` being ``<public>/captions/mednum/...``. The built
WebVTT goes there (the corpus's convention when the entry is empty:
``/captions/<folder of the transcript>/<stem of the video file>.vtt``), then the entry is
filled, changing that one line of the transcript only.

Like the PeerTube target: an unchanged caption is not rewritten (its mtime stays), a file that
is not what this tool wrote last is copied to ``OUT/<slug>/published/`` before being replaced,
and then only when asked (``--replace-existing`` for a hand-made caption this tool never wrote,
``--force`` for one edited by hand since), and a ``captionFilePath`` that would lead outside the
site folder is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .. import caption_path, incremental
from ..config import CaptionConfig
from ..errors import PublishError, SubtitlerError
from ..fsutil import atomic_write_bytes
from ..layout import VideoOutputs
from ..model import Transcript
from ..video_url import UrlForm, VideoUrlError, parse_video_url
from .captions import CaptionCue, cues_from_vtt
from .compare import caption_figures, summary
from .errors import SitePathError
from .outcome import CaptionState, Status
from .record import DeliveryLog



@dataclass(frozen=True)
class SiteResult:
    """What delivering one caption to the site did (the publisher turns it into an outcome)."""

    status: Status  # WRITTEN, WOULD_WRITE, UNCHANGED or KEPT
    message: str
    destination: Path
    before: CaptionState | None  # the file found there; sha256 of its bytes
    after: CaptionState | None
    copy: Path | None = None
    comparison: dict | None = None


def is_site_video(url: str | None) -> bool:
    """Whether ``videoEmbedSrc`` is a media file the site plays itself (not a PeerTube page):
    what the transcript page plays in its own ``<video>`` (the strict parse of video_url)."""
    if not url:
        return False
    try:
        return parse_video_url(url).form is UrlForm.MEDIA_FILE
    except VideoUrlError:
        return False


def conventional_path(transcript_path: Path, video_url: str) -> str:
    """``/captions/<folder of the transcript>/<stem of the video file>.vtt``, as the corpus has."""
    folder = transcript_path.resolve().parent.name
    stem = PurePosixPath(unquote(urlsplit(video_url.strip()).path)).stem
    return f"/captions/{folder}/{stem}.vtt"


def resolve_in_site(site: Path, site_path: str) -> Path:
    """The file ``site_path`` (a path from the site's root, as captionFilePath gives it) names in
    ``site``; SitePathError when it would be anywhere else or is not a .vtt file."""
    shown = repr(site_path)
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", site_path) or site_path.startswith("//"):
        raise SitePathError(f"captionFilePath {shown} is a URL or a path elsewhere, not a path in the site folder")
    if "\\" in site_path or "\0" in site_path:
        raise SitePathError(f"captionFilePath {shown} is not a web path (backslash or NUL)")
    if not site_path.startswith("/"):
        raise SitePathError(f"captionFilePath {shown} must be a path from the site's root, like /captions/<folder>/<name>.vtt")
    parts = site_path.split("/")[1:]
    if any(part in ("", ".", "..") for part in parts):
        raise SitePathError(f"captionFilePath {shown} would leave the site folder or is not a plain path (.., ., //)")
    if not parts[-1].lower().endswith(".vtt") or parts[-1].startswith("."):
        raise SitePathError(f"captionFilePath {shown} is not a .vtt file")
    root = site.resolve()
    target = root.joinpath(*parts)
    resolved = target.resolve()  # follows symbolic links, the file's own included
    if not resolved.is_relative_to(root):
        raise SitePathError(f"captionFilePath {shown} leads outside the site folder through a symbolic link")
    return resolved


def deliver(
    transcript: Transcript,
    data: bytes,
    cues: tuple[CaptionCue, ...],
    site: Path,
    video: VideoOutputs,
    *,
    dry_run: bool,
    force: bool,
    replace_existing: bool,
    when: str,
    seconds: float,
) -> SiteResult:
    """Write the caption ``data`` where the transcript says (or the convention), fill its
    captionFilePath; refuse to replace what someone else made unless asked."""
    raw = transcript.path.read_bytes()
    declared = caption_path.caption_file_path(raw)
    site_path = declared or conventional_path(transcript.path, transcript.video_embed_src or "")
    target = resolve_in_site(site, site_path)
    record = DeliveryLog(video)
    key = f"site:{site_path}"
    last = record.get(key)  # what subtitler wrote there last
    ours = hashlib.sha256(data).hexdigest()
    existing = _read_existing(target)
    before = comparison = copy = None
    edit = declared != site_path
    # the transcript's new bytes, before anything is written: a front matter that cannot take
    # the entry refuses the delivery instead of leaving a caption the page does not point to
    edited = caption_path.set_caption_file_path(raw, site_path) if edit else raw
    notes = [f"captionFilePath {'would be ' if dry_run else ''}set to {site_path}"] if edit else []
    if existing is not None:
        theirs = _cues_or_none(existing)
        digest = hashlib.sha256(existing).hexdigest()
        before = CaptionState(len(theirs or ()), digest, digest == last)
    foreign = before is not None and existing != data and not before.by_subtitler
    if foreign:
        comparison = _compare(cues, theirs, video)
        compared = f" ({summary(caption_figures(cues), caption_figures(theirs))})" if theirs is not None else ""
        made, option, asked = (("edited by hand since subtitler wrote it", "--force", force) if last else
                               ("a caption subtitler did not write", "--replace-existing", replace_existing))
        if not asked:
            message = f"{target} is {made}: kept ({option} replaces it, keeping a copy){compared}"
            return SiteResult(Status.KEPT, message, target, before, None, comparison=comparison)
        notes.append(f"it replaces {made}{compared}")
    written = CaptionState(len(cues), ours, True)
    if existing == data and not edit:
        if not dry_run:
            record.put(key, ours, when)
        return SiteResult(Status.UNCHANGED, f"{target} already up to date ({len(cues)} cues)", target, before, written)
    if dry_run:
        what = "already up to date" if existing == data else f"{len(cues)} cues would be written"
        if foreign:
            notes.append("a copy of the current file would be kept")
        return SiteResult(Status.WOULD_WRITE, f"{target}: {what}" + "".join(f"; {n}" for n in notes), target,
                          before, None, comparison=comparison)
    if foreign:
        copy = record.keep_copy(existing, seconds, transcript.lang, site=True)
        notes.append(f"the file it replaced is kept in {copy}")
    if existing != data:
        atomic_write_bytes(target, data)
    record.put(key, ours, when)
    if edit:
        _fill_caption_file_path(transcript.path, raw, edited)
    what = f"{len(cues)} cues written to {target}" if existing != data else f"{target} already up to date"
    return SiteResult(Status.WRITTEN, what + "".join(f"; {n}" for n in notes), target, before, written, copy,
                      comparison)


def _read_existing(target: Path) -> bytes | None:
    if target.is_dir():
        raise PublishError(f"{target} is a folder, not a caption file")
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None


def _cues_or_none(data: bytes) -> tuple[CaptionCue, ...] | None:
    """The cues of a file found on the site, None when it is not readable WebVTT."""
    try:
        return cues_from_vtt(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, SubtitlerError):
        return None


def _compare(ours: tuple[CaptionCue, ...], theirs: tuple[CaptionCue, ...] | None, video: VideoOutputs) -> dict:
    """Both captions measured on the rules the build used (its manifest), for the report."""
    config = _build_config(video)
    return {
        "rules": {"max_lines": config.max_lines, "max_line_chars": config.max_line_chars,
                  "max_cps": config.max_cps, "min_duration": config.min_duration,
                  "max_duration": config.max_duration, "min_gap": round(config.min_gap(None), 3)},
        "ours": caption_figures(ours, config).as_dict(),
        "theirs": caption_figures(theirs, config).as_dict() if theirs is not None else None,
    }


def _build_config(video: VideoOutputs) -> CaptionConfig:
    manifest = incremental.read_manifest(video) or {}
    fields = manifest.get("key", {}).get("options", {}).get("config")
    try:
        return CaptionConfig(**{k: tuple(map(tuple, v)) if k == "csa_table" else v for k, v in fields.items()})
    except (AttributeError, TypeError):
        return CaptionConfig()


def _fill_caption_file_path(path: Path, raw: bytes, edited: bytes) -> None:
    """Write the transcript with captionFilePath set, atomically and keeping its mode; refused
    when the file changed since it was read (the caption would belong to another text)."""
    target = path.resolve()
    if target.read_bytes() != raw:
        raise PublishError(f"{path} changed while publishing: captionFilePath not set (rebuild first)")
    atomic_write_bytes(target, edited, stat.S_IMODE(os.stat(target).st_mode))
