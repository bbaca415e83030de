"""The real-speech case: the ej-fra recording with a music intro and pauses added.

The recording (``shared/corpus/real-speech/ej-fra``) is cut at its hand-marked block starts,
the blocks are laid out after a music intro with 1-3 s pauses of matching room noise between
them, and a music outro follows. Only block edges are known, so the ground truth times the
first word of each block (its speech onset, measured after the cut by
:func:`benchmarks.audio.speech_extent`) and the last word (its speech offset); the other
words are marked spoken with unknown times, which the scorer skips.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks import audio
from benchmarks.generate import (
    CORPUS,
    REAL_SPEECH_CASE,
    SAMPLE_RATE,
    Mix,
    Truth,
    cache_key,
    case_dir,
    decode_audio,
    is_cached,
    lay,
    relative_level,
    write_case,
)
from benchmarks.score import word_spans

RECORDING = CORPUS / "real-speech" / "ej-fra"
SLUG = "ej-fra"
SEED = 120
TITLE = "Éric Joanis se présente (enregistrement réel)"


@dataclass(frozen=True)
class Block:
    name: str
    start: float  # seconds in the recording, as ffmpeg decodes it
    text: str


def load_blocks(path: Path) -> list[Block]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Block(row["block"], float(row["start_s"]), row["text"].strip()) for row in rows]


def transcript_markdown(blocks: list[Block]) -> str:
    """The recording's text as a project transcript, one paragraph per block."""
    body = "\n\n".join(block.text for block in blocks)
    return (
        "---\n"
        f"title: {TITLE}\n"
        "description: Enregistrement réel (ReadAlongs/OpenSamples, CC BY 4.0), pour le banc d'essai.\n"
        "---\n\n# Transcription\n\n"
        f"{body}\n"
    )


def generate_real_speech(out: Path, force: bool = False) -> Path:
    """Build (or reuse) the real-speech case; returns its ground-truth JSON path."""
    blocks = load_blocks(RECORDING / "ej-fra.blocks.tsv")
    recording_path = RECORDING / "ej-fra.m4a"
    markdown = transcript_markdown(blocks)
    key = cache_key({"case": REAL_SPEECH_CASE, "seed": SEED}, markdown.encode() + recording_path.read_bytes())
    directory = case_dir(out, REAL_SPEECH_CASE)
    truth_path = directory / f"{SLUG}.truth.json"
    if not force and is_cached(truth_path, key):
        return truth_path
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    recording = decode_audio(recording_path, SAMPLE_RATE)
    cuts = [round(b.start * SAMPLE_RATE) for b in blocks] + [len(recording)]
    pieces = [recording[a:b] for a, b in zip(cuts, cuts[1:])]
    floor = _noise_floor(recording)
    level = audio.active_rms(recording, SAMPLE_RATE)
    intro = round(rng.uniform(4.0, 6.0), 3)
    pauses = [round(rng.uniform(0.5, 1.5), 3)] + [round(rng.uniform(1.0, 3.0), 3) for _ in blocks[1:]]
    outro = round(rng.uniform(3.0, 5.0), 3)
    truth = Truth(REAL_SPEECH_CASE, SEED, f"{SLUG}.mp4", f"{SLUG}.md", 0.0,
                  "real recording ej-fra, music intro/outro and 1-3 s pauses added between its blocks")
    placements, cursor = _place_blocks(blocks, pieces, pauses, intro, truth)
    outro_start = cursor + rng.uniform(0.5, 1.0)
    total = round((outro_start + outro + 0.5) * SAMPLE_RATE)
    speech = np.zeros(total, np.float32)
    for at, piece in placements:
        lay(speech, piece, at)
    room = (audio.pink_noise(total, rng) + audio.brown_noise(total, rng)) * (floor / np.sqrt(2))
    occupied = np.zeros(total, bool)
    for at, piece in placements:
        occupied[round(at * SAMPLE_RATE) : round(at * SAMPLE_RATE) + len(piece)] = True
    room[occupied] = 0.0
    music = np.zeros(total, np.float32)
    for length, at in ((intro, 0.0), (outro, outro_start)):
        lay(music, audio.music(length, SAMPLE_RATE, rng) * relative_level(level, rng.uniform(-4.0, 0.0)), at)
    truth.music = [
        {"kind": "intro", "start": 0.0, "end": intro},
        {"kind": "outro", "start": round(outro_start, 4), "end": round(outro_start + outro, 4)},
    ]
    truth.duration = round(total / SAMPLE_RATE, 4)
    truth.checks["block_onsets_after_cut_ms"] = [s["onset_after_cut"] * 1000 for s in truth.sentences]
    mix = Mix(speech, music, room.astype(np.float32))
    return write_case(directory, SLUG, markdown, TITLE, mix.mixed(), truth, "64k", key, started)


def _place_blocks(
    blocks: list[Block], pieces: list[np.ndarray], pauses: list[float], start: float, truth: Truth
) -> tuple[list[tuple[float, np.ndarray]], float]:
    """Put each block after its pause, timing its first word at the speech onset measured
    after the cut and its last word at the speech offset; returns (time, audio) of each
    block and the end of the last one."""
    cursor = start
    placements = []
    for index, (block, piece, pause) in enumerate(zip(blocks, pieces, pauses)):
        cursor = round((cursor + pause) * SAMPLE_RATE) / SAMPLE_RATE
        extent = audio.speech_extent(piece, SAMPLE_RATE)
        if extent is None:
            raise ValueError(f"no speech found in block {block.name}")
        onset, offset = extent
        spans = word_spans(block.text)
        first_word = len(truth.words)
        for k, (s, e) in enumerate(spans):
            truth.words.append({
                "text": block.text[s:e], "spoken": True, "sentence": index,
                "start": round(cursor + onset, 4) if k == 0 else None,
                "end": round(cursor + offset, 4) if k == len(spans) - 1 else None,
            })
        truth.sentences.append({
            "index": index, "text": block.text, "block_index": index, "spoken": True, "first_word": first_word,
            "word_count": len(spans), "start": round(cursor + onset, 4), "end": round(cursor + offset, 4),
            "cut_at": block.start, "onset_after_cut": round(onset, 4),
        })
        placements.append((cursor, piece))
        cursor += len(piece) / SAMPLE_RATE
    return placements, cursor


def _noise_floor(recording: np.ndarray) -> float:
    """RMS of the recording's quiet frames (10th percentile of 20 ms frames, digital zero
    excluded): the level of room noise that fills the added pauses."""
    rms, _hop = audio.frame_rms(recording, SAMPLE_RATE, hop=0.02, window=0.02)
    return float(np.percentile(rms[rms > 1e-7], 10))
