"""Where the video plays, and the URL that opens it at a given second.

A transcript's ``videoEmbedSrc`` is either a PeerTube embed (``/videos/embed/<id>``), shown in
an iframe driven over the embed API, or a media file URL (the corpus has direct MP4s), shown in
a ``<video>`` element. Time links must work without JavaScript, so each player also knows the
plain URL that starts the video at a time: the PeerTube watch page with ``?start=`` or the file
with a ``#t=`` media fragment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_EMBED_PATH = re.compile(r"^/videos/embed/([^/?#]+)/?$")

# The embed API's default jschannel scope; an embed URL may choose another with ``scope=``.
DEFAULT_SCOPE = "peertube"


class PlayerKind(str, Enum):
    PEERTUBE = "peertube"
    FILE = "file"


@dataclass(frozen=True)
class Player:
    """A playable video: how to embed it and how to link to one of its instants."""

    kind: PlayerKind
    src: str  # the iframe src (embed API on, captions on) or the media file URL
    origin: str  # scheme://host[:port], the one third party the page may load from
    watch_url: str  # the page (or file) a visitor opens without the embed
    scope: str = DEFAULT_SCOPE  # jschannel scope of a PeerTube embed

    def url_at(self, seconds: float) -> str:
        """The no-JavaScript link that starts the video at ``seconds`` (whole seconds)."""
        second = max(0, int(seconds))
        if self.kind is PlayerKind.PEERTUBE:
            return f"{self.watch_url}?start={second}"
        return f"{self.watch_url}#t={second}"


def player_for(video_embed_src: str | None, caption_lang: str) -> Player | None:
    """The player for a transcript's ``videoEmbedSrc``; None when there is no usable video.

    Only http(s) URLs are accepted: anything else (a relative path, ``javascript:``) cannot be
    embedded safely, so the page says there is no video rather than guessing.
    """
    if not video_embed_src:
        return None
    parts = urlsplit(video_embed_src.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    embed = _EMBED_PATH.match(parts.path)
    if embed is None:
        media_url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        return Player(PlayerKind.FILE, src=media_url, origin=origin, watch_url=media_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in {"api", "subtitle"}]
    scope = next((v for k, v in query if k == "scope" and v), DEFAULT_SCOPE)
    query += [("api", "1"), ("subtitle", caption_lang)]
    src = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    watch = f"{origin}/w/{embed.group(1)}"
    return Player(PlayerKind.PEERTUBE, src=src, origin=origin, watch_url=watch, scope=scope)
