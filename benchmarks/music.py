"""Real recorded music for the real-speech cases, from Debian's game-data packages.

Two packages with free licences, fetched with ``apt-get download`` and unpacked with
``dpkg -x`` (no installation, no root needed once the package lists exist):

- ``singularity-music``: 13 tracks by Max McCracken for Endgame: Singularity, Ogg Vorbis,
  CC BY-SA 3.0 (electronic, ambient to driving);
- ``asc-music``: 3 tracks by Michael Kievernagel for Advanced Strategic Command, MP3,
  GPL-2+ (orchestral rock).

Their copyright files are kept beside the tracks in ``benchmarks/out/music/<package>/``.
Nothing of them is committed: the benchmark's set-up fetches them
(``bash benchmarks/setup_music.sh``, also run by the benchmark when they are missing).

    python benchmarks/music.py        # fetch (once) and list the tracks
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import audio

PACKAGES = {
    "singularity-music": "CC BY-SA 3.0 (Max McCracken)",
    "asc-music": "GPL-2+ (Michael Kievernagel)",
}
MUSIC_DIR = Path(__file__).resolve().parent / "out" / "music"
SUFFIXES = (".ogg", ".mp3")


def tracks() -> list[Path]:
    """Every fetched track, in a fixed order; fetches the packages first when missing."""
    missing = [p for p in PACKAGES if not _unpacked(p)]
    if missing:
        fetch(missing)
    return sorted(path for p in PACKAGES for path in (MUSIC_DIR / p).rglob("*") if path.suffix in SUFFIXES)


def fetch(packages: list[str]) -> None:
    """``apt-get download`` the packages (updating the lists once if they are unknown), unpack
    their music and copyright files into ``MUSIC_DIR``."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if subprocess.run(["apt-get", "download", *packages], cwd=work, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "download", *packages], cwd=work, check=True, capture_output=True)
        for package in packages:
            deb = next(work.glob(f"{package}_*.deb"))
            tree = work / package
            subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
            target = MUSIC_DIR / package
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for path in tree.rglob("*"):
                if path.suffix in SUFFIXES and "/win/" not in str(path) and "/lose/" not in str(path):
                    shutil.copy2(path, target / path.name)
                elif path.name == "copyright":
                    shutil.copy2(path, target / "copyright")
            (target / ".complete").write_text(PACKAGES[package] + "\n", encoding="utf-8")


def _unpacked(package: str) -> bool:
    return (MUSIC_DIR / package / ".complete").is_file()


@cache
def _decoded(path: Path, sample_rate: int) -> np.ndarray:
    from benchmarks.generate import decode_audio

    return decode_audio(path, sample_rate)


def excerpt(seconds: float, sample_rate: int, rng: np.random.Generator, fade: float = 0.5) -> tuple[np.ndarray, str]:
    """``seconds`` of a random track from a random place (not its quiet first or last 10 s,
    and loud enough: within 10 dB of the track's own level), faded in and out, at unit
    active RMS; and where it comes from."""
    options = tracks()
    for _ in range(50):
        path = options[int(rng.integers(len(options)))]
        track = _decoded(path, sample_rate)
        n = round(seconds * sample_rate)
        lo, hi = 10 * sample_rate, len(track) - n - 10 * sample_rate
        if hi <= lo:
            continue
        start = int(rng.integers(lo, hi))
        piece = track[start : start + n].astype(np.float32)
        level = audio.active_rms(piece, sample_rate)
        if level < audio.active_rms(track, sample_rate) * 10 ** (-10 / 20):
            continue
        piece = piece / max(level, 1e-6)
        ramp = min(round(fade * sample_rate), n // 2)
        envelope = np.ones(n, np.float32)
        envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
        envelope[n - ramp :] = np.linspace(1.0, 0.0, ramp)
        return piece * envelope, f"{path.parent.name}/{path.name} @ {start / sample_rate:.1f} s"
    raise RuntimeError("no loud enough excerpt found in the music tracks")


if __name__ == "__main__":
    for found in tracks():
        print(found.relative_to(MUSIC_DIR))
