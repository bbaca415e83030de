"""The media of a PeerTube video: the smallest file with the audio its instance lists.

Captions need the audio only, and the 1080p file a transcript names is 10-25 times larger.
The choice is remembered in the cache, so a later build needs no network at all.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import httpx

from ..errors import DownloadError
from ..fsutil import atomic_write_text
from ..model import Transcript
from ..video_url import PeerTubeVideo, VideoUrlError, parse_video_url, public_url
from .download import cache_target, check_url, digest, fetch_media, unreadable
from .fetched import DownloadLimits, Fetched


def fetch_video(
    transcript: Transcript, cache_dir: Path, limits: DownloadLimits = DownloadLimits(), *, as_given: bool = False
) -> Fetched:
    """Download the media of ``transcript``: for a PeerTube video, the smallest file that
    carries its audio, as the instance's API lists them (audio only, else the lowest
    resolution); ``videoDownloadHref`` when the API is unreachable or lists nothing usable,
    when the file it chose cannot be downloaded (a private file, object storage refusing),
    or when ``as_given``. Captions need the audio only, and the 1080p file named in the
    transcripts is 10-25 times larger.

    The choice is remembered in the cache, so a later build needs no network at all.
    """
    cache_dir = Path(cache_dir)
    note = None
    if not as_given:
        ref = _peertube_video(transcript.video_embed_src)
        if ref is not None:
            choice_path = cache_dir / (digest(f"{ref.base_url}/{ref.video_id}") + ".choice.json")
            remembered = _remembered_choice(choice_path, cache_dir)
            if remembered is not None:
                return remembered
            choice, problem = _ask_instance(ref.base_url, ref.video_id, limits)
            if choice is not None:
                try:
                    fetched = fetch_media(choice["url"], cache_dir, limits)
                except DownloadError as error:
                    if not transcript.video_download_href:
                        raise
                    problem = f"the file the PeerTube API chose could not be downloaded ({error.message})"
                else:
                    _write_choice(choice_path, choice)
                    return fetched
            note = f"{problem}: videoDownloadHref used"
    if not transcript.video_download_href:
        raise DownloadError(f"{note or 'no videoDownloadHref'}: nothing to download", transcript.path)
    return replace(fetch_media(transcript.video_download_href, cache_dir, limits), note=note)


def _peertube_video(url: str | None) -> PeerTubeVideo | None:
    """The PeerTube video ``videoEmbedSrc`` names; None when it names none (or no URL)."""
    try:
        return parse_video_url(url or "").peertube_video
    except VideoUrlError:
        return None


def _remembered_choice(choice_path: Path, cache_dir: Path) -> Fetched | None:
    """The cached file an earlier run chose for this video, when it is still there and readable."""
    try:
        url = json.loads(choice_path.read_text(encoding="utf-8"))["url"]
        target = cache_target(url, cache_dir)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Fetched(target, 0, public_url(url)) if target.is_file() and unreadable(target) is None else None


def _write_choice(choice_path: Path, choice: dict) -> None:
    atomic_write_text(choice_path, json.dumps(choice, indent=1) + "\n")


def _ask_instance(base_url: str, video_id: str, limits: DownloadLimits) -> tuple[dict | None, str]:
    """({"url", "resolution"}, "") for the smallest file with audio the instance lists for the
    video (``GET /api/v1/videos/{id}``: ``files`` and ``streamingPlaylists[].files``), or
    (None, why not)."""
    api = f"{base_url}/api/v1/videos/{video_id}"
    where = f"the PeerTube API at {public_url(base_url)}"
    try:
        check_url(api)
        with httpx.Client(timeout=httpx.Timeout(limits.read_timeout), follow_redirects=False) as http:
            response = http.get(api, headers={"Accept": "application/json"})
            if response.status_code == 429:  # the API's rate limit: one wait, if short
                wait = response.headers.get("Retry-After", "")
                if wait.isdigit() and int(wait) <= 10:
                    time.sleep(int(wait))
                    response = http.get(api, headers={"Accept": "application/json"})
    except DownloadError:
        return None, f"{where} is not https"
    except httpx.HTTPError as error:
        return None, f"{where} did not answer ({type(error).__name__})"
    if response.status_code != 200:
        return None, f"{where} answered {response.status_code} for video {video_id}"
    try:
        video = response.json()
    except ValueError:
        return None, f"{where} did not answer JSON"
    chosen = choose_audio_file(video) if isinstance(video, dict) else None
    if chosen is None:
        return None, f"{where} lists no file with audio for video {video_id}"
    url, resolution = chosen
    return {"url": urljoin(base_url + "/", url), "resolution": resolution}, ""


def choose_audio_file(video: dict) -> tuple[str, int] | None:
    """(URL, resolution) of the smallest file of a PeerTube video that carries its audio.

    PeerTube lists web-video ``files`` and HLS ``streamingPlaylists[].files``, each with
    ``resolution.id`` (0: audio only), ``fileUrl`` (the file the player streams, served even
    when downloads are disabled), ``fileDownloadUrl``, ``size`` (-1: a live) and, since
    instances may split audio from video, ``hasAudio``
    (server/core/models/video/formatter/video-api-format.ts).
    """
    files = list(video.get("files") or [])
    for playlist in video.get("streamingPlaylists") or []:
        if isinstance(playlist, dict):
            files += playlist.get("files") or []
    candidates = []
    for entry in files:
        if not isinstance(entry, dict):
            continue
        resolution = (entry.get("resolution") or {}).get("id") if isinstance(entry.get("resolution"), dict) else None
        url = entry.get("fileUrl") or entry.get("fileDownloadUrl")
        size = entry.get("size")
        if not isinstance(resolution, int) or resolution < 0 or not isinstance(url, str) or not url:
            continue
        if entry.get("hasAudio") is False or size == -1:  # a video-only stream; a live
            continue
        candidates.append((resolution != 0, resolution, size if isinstance(size, int) else math.inf, url))
    if not candidates:
        return None
    best = min(candidates)
    return best[3], best[1]
