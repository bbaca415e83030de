"""Real recordings for the alignment tests: the ej-fra take cut at its hand-marked blocks,
Common Voice clips, and the benchmark's real music (``benchmarks/music.py``, fetched by
``make test-tools``). Each helper skips the test, with the reason, when its material is absent.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from subtitler.media.decode import read_audio
from subtitler.media.ffmpeg import ffmpeg_paths

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL_SPEECH = SHARED / "corpus" / "real-speech"
EJ_FRA = REAL_SPEECH / "ej-fra"
COMMON_VOICE = REAL_SPEECH / "common-voice-fr"
MUSIC = REPO / "benchmarks" / "out" / "music"
RATE = 16000
EMBED = "https://tube.example.org/videos/embed/0b7c2f43-2c1e-4d7a-9f0e-3c0a1d2e4f5a"

if str(REPO) not in sys.path:  # the benchmark's own tools (truth onsets, scorer)
    sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class Block:
    """One of ej-fra's 5 hand-cut blocks: its text, its samples and where its voice starts
    and ends in them (``benchmarks/onsets.py``: Silero onset walked back to the energy rise)."""

    text: str
    samples: np.ndarray
    onset: float
    offset: float
    start: float  # where the block begins in the take

    @property
    def duration(self) -> float:
        return len(self.samples) / RATE


def need(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: {what}")
    return path


@cache
def ej_fra_take() -> np.ndarray:
    """The whole ej-fra take, 16 kHz mono."""
    return read_audio(need(EJ_FRA / "ej-fra.m4a", "the shared real-speech corpus is not beside this clone"), RATE)


@cache
def ej_fra_blocks() -> tuple[Block, ...]:
    from benchmarks.onsets import speech_extent

    take = ej_fra_take()
    with (EJ_FRA / "ej-fra.blocks.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    blocks = []
    for row in rows:
        samples = take[round(float(row["start_s"]) * RATE) : round(float(row["end_s"]) * RATE)]
        extent = speech_extent(samples, RATE)
        assert extent is not None, row["block"]
        blocks.append(Block(row["text"].strip(), samples, extent.onset, extent.offset, float(row["start_s"])))
    return tuple(blocks)


def common_voice_clips() -> list[tuple[str, str]]:
    """(clip file name, sentence) of every Common Voice clip."""
    table = need(COMMON_VOICE / "clips.tsv", "the shared real-speech corpus is not beside this clone")
    with table.open(encoding="utf-8", newline="") as handle:
        return [(row["clip"], row["sentence"]) for row in csv.DictReader(handle, delimiter="\t")]


def common_voice(clip: str, rate: int = RATE) -> np.ndarray:
    return read_audio(COMMON_VOICE / "clips" / clip, rate)


def music_tracks() -> list[Path]:
    """The benchmark's real music tracks (Debian's singularity-music and asc-music)."""
    tracks = sorted(p for p in MUSIC.rglob("*") if p.suffix in (".ogg", ".mp3")) if MUSIC.is_dir() else []
    if not tracks:
        pytest.skip(f"no music in {MUSIC}: run `make test-tools` (benchmarks/music.py fetches it with apt-get)")
    return tracks


def decode(path: Path, start: float, seconds: float, rate: int = RATE) -> np.ndarray:
    """``seconds`` of ``path`` from ``start``, mono float32 (ffmpeg)."""
    ffmpeg, _ = ffmpeg_paths()
    run = subprocess.run(
        [ffmpeg, "-v", "error", "-ss", f"{start:.3f}", "-t", f"{seconds:.3f}", "-i", str(path),
         "-ac", "1", "-ar", str(rate), "-f", "f32le", "pipe:1"],
        capture_output=True, check=True,
    )
    return np.frombuffer(run.stdout, np.float32).copy()


def music(track: str, start: float, seconds: float, level: float, fade: float = 0.5) -> np.ndarray:
    """A faded excerpt of a named track (e.g. ``singularity-music/Coherence.ogg``) at RMS ``level``."""
    path = MUSIC / track
    if not path.is_file():
        music_tracks()  # skips when no music was fetched at all
        pytest.skip(f"{path} is absent: run `make test-tools`")
    samples = decode(path, start, seconds)
    loud = samples[np.abs(samples) > 1e-3]
    samples *= level / float(np.sqrt(np.mean(loud**2)))
    ramp = round(fade * RATE)
    samples[:ramp] *= np.linspace(0.0, 1.0, ramp, dtype=np.float32)
    samples[-ramp:] *= np.linspace(1.0, 0.0, ramp, dtype=np.float32)
    return samples


def speech_level(samples: np.ndarray) -> float:
    loud = samples[np.abs(samples) > 0.01]
    return float(np.sqrt(np.mean(loud**2)))


def room_tone(seconds: float) -> np.ndarray:
    """The take's own room tone (its first 0.75 s, before the voice), repeated."""
    room = ej_fra_take()[round(0.1 * RATE) : round(0.85 * RATE)]
    n = round(seconds * RATE)
    return np.tile(room, n // len(room) + 1)[:n]


class Timeline:
    """Audio laid end to end, remembering where each part starts."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.time = 0.0

    def add(self, samples: np.ndarray) -> float:
        """Append; returns where the part starts (seconds)."""
        at = self.time
        self.parts.append(samples.astype(np.float32))
        self.time += len(samples) / RATE
        return at

    def samples(self) -> np.ndarray:
        return np.concatenate(self.parts)


def write_m4a(path: Path, samples: np.ndarray) -> Path:
    """AAC in an M4A, as a video's sound track would be."""
    ffmpeg, _ = ffmpeg_paths()
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ffmpeg, "-y", "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
         "-c:a", "aac", "-b:a", "64k", str(path)],
        input=samples.astype(np.float32).tobytes(), check=True,
    )
    return path


def write_workspace(root: Path, slug: str, paragraphs: list[str], samples: np.ndarray) -> Path:
    """``root/transcripts/<slug>.md`` (a PeerTube video, so the page has time controls) and
    ``root/media/<slug>.m4a``."""
    (root / "transcripts").mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(paragraphs)
    (root / "transcripts" / f"{slug}.md").write_text(
        f"---\ntitle: Essai {slug}\ndescription: Un essai sur une voix réelle.\n"
        f"videoEmbedSrc: {EMBED}\n---\n\n## Transcription\n\n{body}\n",
        encoding="utf-8",
    )
    write_m4a(root / "media" / f"{slug}.m4a", samples)
    return root
