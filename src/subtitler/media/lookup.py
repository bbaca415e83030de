"""The local media file of a transcript: by its slug, or by the PeerTube video id its URLs name."""

from __future__ import annotations

from pathlib import Path

from ..model import Transcript
from ..video_url import video_ids

MEDIA_EXTENSIONS = (".mp4", ".m4v", ".webm", ".mkv", ".mov", ".m4a", ".mp3", ".wav")
"""File types :func:`find_media` looks for, videos first."""


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
