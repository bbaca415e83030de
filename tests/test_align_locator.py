"""The "audio" timing step, end to end on a small encoded file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from media_helpers import fresh_synthesis
from subtitler.config import CaptionConfig
from subtitler.errors import AlignmentError
from subtitler.media.ffmpeg import ffmpeg_paths
from subtitler.media.probe import probe
from subtitler.model import Cue, MediaInfo
from subtitler.timing.methods import METHODS, locator_for

TEXTS = ["Bienvenue dans ce tutoriel.", "La loi de 1901 encadre les associations.", "À bientôt !"]


def _cue(index: int, text: str) -> Cue:
    return Cue(index=index, lines=(text,), text=text, block_index=0, sentence_index=index)


@pytest.fixture(scope="module")
def narration(tmp_path_factory) -> tuple[Path, list[float]]:
    """An AAC file: 1.5 s of room tone, then the three cues spoken with pauses, room tone
    throughout (30 dB below the voice); the true starts."""
    rate = 16000
    parts = [np.zeros(int(1.5 * rate), np.float32)]
    clock, starts = 1.5, []
    for synthesis in fresh_synthesis(TEXTS, "fr+m2", 165, rate):
        speech = synthesis.samples
        sound = np.flatnonzero(np.abs(speech) > 1e-3)
        starts.append(clock)
        parts += [speech[sound[0] : sound[-1] + 1], np.zeros(int(0.8 * rate), np.float32)]
        clock += (sound[-1] + 1 - sound[0]) / rate + int(0.8 * rate) / rate
    audio = np.concatenate(parts)
    audio += 0.003 * np.random.default_rng(11).standard_normal(len(audio)).astype(np.float32)
    path = tmp_path_factory.mktemp("media") / "narration.m4a"
    subprocess.run(
        [ffmpeg_paths()[0], "-v", "error", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:",
         "-c:a", "aac", "-b:a", "64k", str(path)],
        input=audio.tobytes(), check=True,
    )
    return path, starts


def test_audio_is_a_registered_timing_method():
    assert "audio" in METHODS


def test_locates_each_cue_and_reports_speech_for_the_qa_timeline(narration):
    path, starts = narration
    cues = [_cue(i, text) for i, text in enumerate(TEXTS)]
    located = locator_for("audio")(cues, probe(path), CaptionConfig())
    assert located.method == "audio" and not located.warnings
    assert len(located.spans) == len(cues)
    for span, start in zip(located.spans, starts):
        assert span.found and abs(span.start - start) < 0.1
    assert located.speech and all(0 <= a < b for a, b in located.speech)
    assert all(span.confidence >= CaptionConfig().min_confidence for span in located.spans)


def test_text_not_spoken_is_named_in_a_warning(narration):
    path, _ = narration
    texts = [*TEXTS[:2], "Cette phrase ne figure pas du tout dans la vidéo que voici.", TEXTS[2]]
    cues = [_cue(i, text) for i, text in enumerate(texts)]
    located = locator_for("audio")(cues, probe(path), CaptionConfig())
    assert [k for k, span in enumerate(located.spans) if not span.found] == [2]
    assert any("#3" in warning for warning in located.warnings)


def test_media_without_audio_or_unreadable_raise_alignment_error(tmp_path):
    cues = [_cue(0, TEXTS[0])]
    silent = MediaInfo(path=tmp_path / "video.mp4", duration=3.0, has_audio=False, has_video=True)
    with pytest.raises(AlignmentError):
        locator_for("audio")(cues, silent, CaptionConfig())
    broken = tmp_path / "broken.m4a"
    broken.write_bytes(b"not audio at all")
    info = MediaInfo(path=broken, duration=3.0, has_audio=True, has_video=False)
    with pytest.raises(AlignmentError):
        locator_for("audio")(cues, info, CaptionConfig())
