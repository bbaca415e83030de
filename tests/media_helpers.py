"""Small MP4s for end-to-end tests, made by ffmpeg from its test sources."""

from __future__ import annotations

import subprocess
from pathlib import Path

from subtitler.media.ffmpeg import ffmpeg_paths


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


def make_silent_audio(path: Path, seconds: float) -> Path:
    """Silent AAC audio (8 kHz mono, 8 kbit/s) of ``seconds``: a stand-in for a long video's
    sound track when only its length matters (a 90-minute one takes about 2 s to make)."""
    ffmpeg, _ = ffmpeg_paths()
    subprocess.run(
        [ffmpeg, "-y", "-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono",
         "-t", f"{seconds:.3f}", "-c:a", "aac", "-b:a", "8k", str(path)],
        check=True,
    )
    return path


def fresh_synthesis(texts: list[str], voice: str, rate: int, sample_rate: int):  # type: ignore[no-untyped-def]
    """``espeak.synthesize`` of each text in a fresh interpreter (a list of Synthesis):
    libespeak-ng's output depends on what its process synthesised before, so narrations
    made inside the test process changed with the order pytest ran the tests in."""
    import pickle
    import sys

    code = (
        "import pickle, sys\n"
        "from subtitler.align.espeak import synthesize\n"
        "texts, voice, rate, sr = pickle.load(sys.stdin.buffer)\n"
        "pickle.dump([synthesize(t, voice=voice, rate=rate, sample_rate_out=sr) for t in texts], sys.stdout.buffer)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], input=pickle.dumps((texts, voice, rate, sample_rate)),
                            capture_output=True, check=True)
    return pickle.loads(result.stdout)
