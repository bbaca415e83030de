"""A media URL fetched into the cache: once per URL, bounded, resumable, and checked to be media.

https only (plain http only to this machine), redirects followed by hand and only on https,
the server must send media (never an HTML error page cached as the video), and the bytes
get their final name only when complete and readable by ffprobe.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from ..errors import DownloadError, MediaError
from ..video_url import public_url
from .fetched import DownloadLimits, Fetched
from .probe import probe


MAX_REDIRECTS = 5
_MEDIA_CONTENT_TYPES = {"application/octet-stream", "binary/octet-stream", "application/mp4", "application/ogg"}
_SNIFF_BYTES = 512


def _scrub(text: str) -> str:
    """Every URL in ``text`` made public, and the text made one line."""
    return " ".join(re.sub(r"[a-z][a-z0-9+.-]*://[^\s'\"<>]+", lambda m: public_url(m[0]), text).split())


def check_url(url: str) -> None:
    """https only; plain http only to this machine (tests, a local mirror)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return
    raise DownloadError(f"{public_url(url)}: refused, only https downloads are made (plain http only on this machine)")


def _is_loopback(host: str | None) -> bool:
    return host in ("localhost", "::1") or bool(host and host.startswith("127."))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def cache_target(url: str, cache_dir: Path) -> Path:
    return Path(cache_dir) / (digest(url) + _extension(url))


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
    check_url(url)
    cache_dir = Path(cache_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"cannot create the cache folder: {error.strerror}", cache_dir) from None
    target = cache_target(url, cache_dir)
    partial = target.with_name(target.name + ".part")
    with _url_lock(target):
        if target.is_file():
            if unreadable(target) is None:
                return Fetched(target, 0, shown)
            target.unlink()  # a corrupt or foreign file: fetched again
        own_client = client is None
        http = client or httpx.Client(timeout=httpx.Timeout(limits.read_timeout), follow_redirects=False)
        received = 0
        try:
            received = _download(http, url, partial, limits)
            problem = unreadable(partial)
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


def unreadable(path: Path) -> str | None:
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
        check_url(following)
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
