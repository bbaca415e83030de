"""Which PeerTube instance and video an embed URL names.

PeerTube serves the same video at ``/videos/embed/<id>``, ``/w/<shortUUID>`` and
``/videos/watch/<id>``; the API takes that id as-is at ``/api/v1/videos/<id>`` on the same host
(peertube-api.md section 5). Anything else (a direct MP4, a playlist) is not a video we can
caption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import UnsupportedVideoURL

# A numeric id, a UUID or a short UUID (base58): letters, digits and dashes only.
_VIDEO_PATH = re.compile(r"^/(?:videos/embed|videos/watch|w)/(?P<id>[0-9A-Za-z-]+)/?$")


@dataclass(frozen=True)
class VideoRef:
    """A video on a PeerTube instance: ``base_url`` is ``scheme://host[:port]``."""

    base_url: str
    host: str  # host[:port], as the instance's configured hostname must read
    video_id: str


def parse_video_url(url: str | None) -> VideoRef:
    """The instance and video id of a PeerTube video URL, or UnsupportedVideoURL saying why not."""
    if not url or not url.strip():
        raise UnsupportedVideoURL("no videoEmbedSrc: the transcript names no video")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsupportedVideoURL(f"videoEmbedSrc {url!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise UnsupportedVideoURL("videoEmbedSrc carries a user name or password: refused")
    match = _VIDEO_PATH.match(parts.path)
    if match is None:
        raise UnsupportedVideoURL(
            f"videoEmbedSrc {url!r} is not a PeerTube video page "
            "(/videos/embed/<id>, /w/<id> or /videos/watch/<id>)"
        )
    return VideoRef(base_url=f"{parts.scheme}://{parts.netloc}", host=parts.netloc, video_id=match["id"])
