"""Which PeerTube instance and video an embed URL names.

PeerTube serves the same video at ``/videos/embed/<id>``, ``/w/<shortUUID>`` and
``/videos/watch/<id>``; the API takes that id as-is at ``/api/v1/videos/<id>`` on the same host
(peertube-api.md section 5). The URL is parsed by :mod:`subtitler.video_url`. Anything else (a
direct MP4, a playlist) is not a video we can caption.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..video_url import VideoUrlError
from ..video_url import parse_video_url as parse_url
from .errors import UnsupportedVideoURL


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
    try:
        parsed = parse_url(url)
    except VideoUrlError as error:
        raise UnsupportedVideoURL(f"videoEmbedSrc: {error}") from None
    if not parsed.form.is_peertube or parsed.video_id is None:
        raise UnsupportedVideoURL(
            f"videoEmbedSrc {parsed.origin}{parsed.path} is not a PeerTube video page "
            "(/videos/embed/<id>, /w/<id> or /videos/watch/<id>)"
        )
    return VideoRef(base_url=parsed.origin, host=parsed.netloc, video_id=parsed.video_id)
