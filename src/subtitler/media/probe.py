"""What a media file holds: duration, streams, frame rate, audio codec and sample rate (ffprobe)."""

from __future__ import annotations

import math
from pathlib import Path

import ffmpeg

from ..errors import MediaError
from ..model import MediaInfo
from .ffmpeg import ffmpeg_paths, stderr_reason


def probe(path: Path) -> MediaInfo:
    """What the media holds: duration, streams, frame rate, audio codec and sample rate."""
    path = Path(path)
    check_readable(path)
    try:
        data = ffmpeg.probe(str(path.absolute()), cmd=ffmpeg_paths()[1], v="error")
    except ffmpeg.Error as error:
        reason = stderr_reason(error.stderr.decode("utf-8", "replace"))
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


def check_readable(path: Path) -> None:
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
