"""Small MP4s for end-to-end tests, made by ffmpeg from its test sources."""

from __future__ import annotations

import subprocess
from pathlib import Path

from subtitler.media import ffmpeg_paths


def make_mp4(path: Path, seconds: float, *, audio: bool = True, size: str = "160x90",
             rate: int = 25, tone: int = 220) -> Path:
    """H.264 video (and an AAC sine tone unless ``audio`` is False) of ``seconds``."""
    ffmpeg, _ = ffmpeg_paths()
    cmd = [ffmpeg, "-y", "-loglevel", "error", "-f", "lavfi", "-i",
           f"testsrc=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency={tone}:duration={seconds}", "-c:a", "aac"]
    cmd += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-shortest", str(path)]
    subprocess.run(cmd, check=True)
    return path
