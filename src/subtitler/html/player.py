"""Where the video plays, and the URL that opens it at a given second.

A transcript's ``videoEmbedSrc`` is parsed strictly (:mod:`subtitler.video_url`) and the page
uses only the parsed parts: every PeerTube form (``/videos/embed/<id>``, ``/w/<id>``,
``/videos/watch/<id>``) becomes the embed with its API on, shown in an iframe the page drives;
a media file URL (the corpus has direct MP4s) plays in a ``<video>`` element; any other page is
only linked. Time links must work without JavaScript, so each player also knows the plain URL
that starts the video at a time: the PeerTube watch page with ``?start=`` or the file with a
``#t=`` media fragment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qsl, quote, urlencode

from ..video_url import UrlForm, VideoUrl, VideoUrlError, parse_video_url

# The embed API's default jschannel scope; an embed URL may choose another with ``scope=``.
DEFAULT_SCOPE = "peertube"
# jschannel refuses a scope with "::"; the page puts the scope in method names.
_SCOPE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# Query parameters the page sets itself on the embed.
_OWN_PARAMETERS = {"api", "subtitle"}


class PlayerKind(str, Enum):
    PEERTUBE = "peertube"
    FILE = "file"
    LINK = "link"  # a page we cannot embed: linked, no time controls


@dataclass(frozen=True)
class Player:
    """A video: how to embed it and how to link to one of its instants."""

    kind: PlayerKind
    src: str  # the iframe src (embed API on, captions on), the media file or the page's URL
    origin: str  # scheme://host[:port], the one third party the page may load from
    watch_url: str  # the page (or file) a visitor opens without the embed
    host: str  # host[:port], as the page names the video's site
    scope: str = DEFAULT_SCOPE  # jschannel scope of a PeerTube embed

    @property
    def seekable(self) -> bool:
        return self.kind is not PlayerKind.LINK

    def url_at(self, seconds: float) -> str:
        """The no-JavaScript link that starts the video at ``seconds`` (whole seconds)."""
        second = max(0, int(seconds))
        if self.kind is PlayerKind.PEERTUBE:
            return f"{self.watch_url}?start={second}"
        return f"{self.watch_url}#t={second}"


def player_for(video_embed_src: str | None, caption_lang: str) -> Player | None:
    """The player for a transcript's ``videoEmbedSrc``; None when it names no video.

    Raises :class:`VideoUrlError` when the URL fails the strict parse, or is plain http to
    anything but this machine (a page served over https could not embed it anyway).
    """
    if not video_embed_src or not video_embed_src.strip():
        return None
    url = parse_video_url(video_embed_src)
    if url.scheme != "https" and not url.is_loopback:
        raise VideoUrlError("the URL is plain http: use https")
    if url.form.is_peertube:
        return _peertube(url, caption_lang)
    address = f"{url.origin}{quote(url.path, safe=_PATH_SAFE)}" + \
        (f"?{quote(url.query, safe=_QUERY_SAFE)}" if url.query else "")
    kind = PlayerKind.FILE if url.form is UrlForm.MEDIA_FILE else PlayerKind.LINK
    return Player(kind, src=address, origin=url.origin, watch_url=address, host=url.netloc)


_PATH_SAFE = "/:@!$&'()*+,;=%~"
_QUERY_SAFE = _PATH_SAFE + "?"


def _peertube(url: VideoUrl, caption_lang: str) -> Player:
    query = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True)
             if k not in _OWN_PARAMETERS]
    scope = next((v for k, v in query if k == "scope" and v), DEFAULT_SCOPE)
    if not _SCOPE.match(scope):
        raise VideoUrlError(f"the embed's scope {scope!r} is not letters, digits, '_', '.' or '-'")
    query += [("api", "1"), ("subtitle", caption_lang)]
    video_id = url.video_id or ""
    src = f"{url.origin}/videos/embed/{video_id}?{urlencode(query)}"
    return Player(PlayerKind.PEERTUBE, src=src, origin=url.origin,
                  watch_url=f"{url.origin}/w/{video_id}", host=url.netloc, scope=scope)
