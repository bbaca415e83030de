"""What a video URL names: its origin, and for PeerTube its video; one strict parse for all.

The page's Content-Security-Policy, the embed's ``data-origin``, the publisher's instance and
video, the download's choice of file and the media lookup all come from this parse, so a ``videoEmbedSrc`` cannot smuggle anything into
them: the scheme is http(s), the host a DNS name or an IPv4 address, no user name or password,
an optional numeric port, and no whitespace or control character anywhere.

PeerTube serves one video at ``/videos/embed/<id>``, ``/w/<id>`` and ``/videos/watch/<id>``,
where ``<id>`` is a UUID, its short form (PeerTube's ``uuidToShort()``: the UUID in the
flickrBase58 alphabet of the npm ``short-uuid`` package, 22 characters) or a numeric id. Any
other URL is a plain media file (by its extension) or something else.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePosixPath
from urllib.parse import urlsplit

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_BASE58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
_SHORT_UUID_LENGTH = 22
_SHORT_UUID = re.compile(rf"[{_BASE58}]{{{_SHORT_UUID_LENGTH}}}")
_VIDEO_PATH = re.compile(r"^/(?P<form>videos/embed|w|videos/watch)/(?P<id>[0-9A-Za-z-]+)/?$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = {"localhost"}

MEDIA_FILE_EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".ogv", ".ogg", ".mov", ".m4a",
                                   ".mp3", ".oga", ".opus", ".wav", ".flac"})
"""Extensions of a URL a browser's ``<video>`` element plays directly."""


class VideoUrlError(ValueError):
    """The URL fails the strict parse; the message says which part and never repeats a password."""


class UrlForm(str, Enum):
    EMBED = "videos/embed"  # PeerTube's embed page
    SHORT = "w"  # PeerTube's watch page, short URL
    WATCH = "videos/watch"  # PeerTube's watch page, long URL
    MEDIA_FILE = "file"  # a file a <video> element plays
    OTHER = "other"  # anything else: a page we cannot embed

    @property
    def is_peertube(self) -> bool:
        return self in {UrlForm.EMBED, UrlForm.SHORT, UrlForm.WATCH}


@dataclass(frozen=True)
class PeerTubeVideo:
    """A video on a PeerTube instance; its API takes ``video_id`` as written, at
    ``/api/v1/videos/<id>`` on the same host (peertube-api.md section 5)."""

    base_url: str  # scheme://host[:port]
    host: str  # host[:port], as the instance's configured hostname must read
    video_id: str


@dataclass(frozen=True)
class VideoUrl:
    """A parsed video URL; ``host`` is lower case and ASCII (IDNA), ``port`` None by default."""

    scheme: str
    host: str
    port: int | None
    path: str
    query: str
    form: UrlForm
    video_id: str | None = None  # as written in a PeerTube URL

    @property
    def netloc(self) -> str:
        """``host[:port]``: how the instance's configured hostname reads."""
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` serialised as browsers do (``MessageEvent.origin``)."""
        return f"{self.scheme}://{self.netloc}"

    @property
    def is_loopback(self) -> bool:
        if self.host in _LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.IPv4Address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def peertube_video(self) -> PeerTubeVideo | None:
        """The PeerTube video the URL names (any of its three forms), None for any other URL."""
        if not self.form.is_peertube or self.video_id is None:
            return None
        return PeerTubeVideo(base_url=self.origin, host=self.netloc, video_id=self.video_id)

    @property
    def uuid(self) -> str | None:
        """The PeerTube video's UUID (lower case) when the id is a UUID or a short UUID."""
        if self.video_id is None:
            return None
        if _UUID.fullmatch(self.video_id):
            return self.video_id.lower()
        if _SHORT_UUID.fullmatch(self.video_id):
            return short_to_uuid(self.video_id)
        return None


def parse_video_url(url: str) -> VideoUrl:
    """Parse ``url`` strictly, or raise :class:`VideoUrlError` saying what is wrong."""
    url = url.strip()
    if not url:
        raise VideoUrlError("the URL is empty")
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in url):
        raise VideoUrlError("the URL contains a space or a control character")
    if "\\" in url:
        raise VideoUrlError("the URL contains a backslash")
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise VideoUrlError(f"the URL cannot be parsed ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        what = f"its scheme is {scheme!r}" if scheme else "it has no scheme"
        raise VideoUrlError(f"the URL is not an http(s) URL ({what})")
    if "@" in parts.netloc:
        raise VideoUrlError("the URL carries a user name or password: refused")
    if _has_port(parts.netloc):
        host_text, _, port_text = parts.netloc.rpartition(":")
        host, port = _host(host_text), _port(port_text, scheme)
    else:
        host, port = _host(parts.netloc), None
    form, video_id = _form(parts.path)
    return VideoUrl(scheme, host, port, parts.path, parts.query, form, video_id)


def _has_port(netloc: str) -> bool:
    return ":" in netloc and not netloc.endswith("]")


def _host(text: str) -> str:
    if not text:
        raise VideoUrlError("the URL has no host")
    if text.startswith("["):
        raise VideoUrlError(f"the host {text!r} is an IPv6 address: use the host's name")
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        pass
    try:
        ascii_host = text.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise VideoUrlError(f"the host {text!r} is not a valid host name") from None
    labels = ascii_host.removesuffix(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        raise VideoUrlError(f"the host {text!r} is not a valid host name")
    return ascii_host.removesuffix(".")


def _port(text: str, scheme: str) -> int | None:
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 65536:
        raise VideoUrlError(f"the port {text!r} is not a number from 1 to 65535")
    port = int(text)
    return None if port == _DEFAULT_PORTS[scheme] else port


def _form(path: str) -> tuple[UrlForm, str | None]:
    match = _VIDEO_PATH.match(path)
    if match is not None:
        return UrlForm(match["form"]), match["id"]
    if PurePosixPath(path).suffix.lower() in MEDIA_FILE_EXTENSIONS:
        return UrlForm.MEDIA_FILE, None
    return UrlForm.OTHER, None


# --- ids of a PeerTube video, for finding its local media file ------------------------------


@dataclass(frozen=True)
class VideoIds:
    """Every form of the ids a transcript's URLs name: UUIDs (lower case) and short UUIDs."""

    uuids: frozenset[str] = frozenset()
    shorts: frozenset[str] = frozenset()

    def named_in(self, file_name: str) -> bool:
        """Whether ``file_name`` contains one of the ids, in either form."""
        lowered = file_name.lower()
        return any(u in lowered for u in self.uuids) or any(s in file_name for s in self.shorts)


def video_ids(*urls: str | None) -> VideoIds:
    """The PeerTube video ids that ``urls`` name, each also in its other form.

    A PeerTube video URL names its id; a download URL names the UUID inside a file name
    (``.../hls/videos/<uuid>-1080-fragmented.mp4``), so the path is searched for UUIDs and for
    segments that are short UUIDs. URLs that fail the parse name nothing.
    """
    uuids: set[str] = set()
    shorts: set[str] = set()
    for url in urls:
        if not url:
            continue
        try:
            parsed = parse_video_url(url)
        except VideoUrlError:
            continue
        if parsed.uuid is not None:
            uuids.add(parsed.uuid)
        uuids.update(found.lower() for found in _UUID.findall(parsed.path))
        shorts.update(s for s in parsed.path.split("/") if _SHORT_UUID.fullmatch(s))
    uuids |= {short_to_uuid(s) for s in shorts}
    shorts |= {uuid_to_short(u) for u in uuids}
    return VideoIds(frozenset(uuids), frozenset(shorts))


def uuid_to_short(uuid: str) -> str:
    """PeerTube's short form of a UUID ("a44521d0-0fb8-4ade-8002-3385545c3318" ->
    "mhvXdrZT4jP5T8vBxuvm75")."""
    number = int(uuid.replace("-", ""), 16)
    digits = []
    while number:
        number, digit = divmod(number, len(_BASE58))
        digits.append(_BASE58[digit])
    return "".join(reversed(digits)).rjust(_SHORT_UUID_LENGTH, _BASE58[0])


def short_to_uuid(short: str) -> str:
    """The UUID a PeerTube short UUID stands for."""
    number = 0
    for letter in short:
        number = number * len(_BASE58) + _BASE58.index(letter)
    text = f"{number:032x}"[-32:]
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def public_url(url: str) -> str:
    """``url`` without user info, query string or fragment: what messages and reports may show
    (signed download links carry their credentials in the query)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else parts.path
