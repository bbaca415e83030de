"""The aligner on short synthetic narrations whose word times are known.

The narration uses other espeak-ng voices and speeds than the aligner's own, an intro of
noise, pauses and background noise; cue starts must land within 100 ms of the first word.
"""

from __future__ import annotations

import numpy as np
import pytest

from subtitler.align.aligner import align
from subtitler.align.settings import AlignSettings
from media_helpers import fresh_synthesis
from subtitler.errors import AlignmentError

RATE = 16000
CUES = [
    "Le numérique est un outil précieux,",
    "à condition de bien l'utiliser.",
    "Nous allons voir comment protéger ses données personnelles.",
    "Un mot de passe solide compte au moins douze caractères.",
    "Il ne faut jamais le partager avec un ami.",
    "En cas de doute, demandez conseil à un adulte de confiance.",
]


def _narrate(cues, voice, rate, pauses, intro, snr_db=None, skip=(), seed=0):
    """Audio of the cues (those in ``skip`` not said) and the true start of each said cue."""
    rng = np.random.default_rng(seed)
    parts = [0.02 * rng.standard_normal(int(intro * RATE)).astype(np.float32)]
    clock, starts, ends = intro, [], []
    said = [text for index, text in enumerate(cues) if index not in skip]
    narrated = iter(fresh_synthesis(said, voice, rate, RATE))
    for index, text in enumerate(cues):
        if index in skip:
            starts.append(None)
            ends.append(None)
            continue
        speech = next(narrated)
        sound = np.flatnonzero(np.abs(speech.samples) > 1e-3)
        samples = speech.samples[sound[0] : sound[-1] + 1]
        lead = sound[0] / RATE
        starts.append(clock + max(0.0, speech.words[0].start - lead))
        ends.append(clock + len(samples) / RATE)
        parts.append(samples)
        clock += len(samples) / RATE
        pause = pauses[index % len(pauses)]
        parts.append(np.zeros(int(pause * RATE), np.float32))
        clock += int(pause * RATE) / RATE
    audio = np.concatenate(parts + [np.zeros(RATE, np.float32)])
    if snr_db is not None:
        power = np.mean(audio[np.abs(audio) > 1e-3] ** 2)
        audio = audio + rng.standard_normal(len(audio)).astype(np.float32) * np.sqrt(power / 10 ** (snr_db / 10))
    return audio.astype(np.float32), starts, ends


def _chunks(audio, seconds=1.7):
    step = int(seconds * RATE)
    return (audio[i : i + step] for i in range(0, len(audio), step))


@pytest.mark.parametrize(
    ("voice", "rate", "snr_db"),
    [("fr+m3", 155, None), ("fr-be+f2", 200, 20.0)],
)
def test_cue_starts_within_100_ms_of_the_first_word(voice, rate, snr_db):
    audio, starts, ends = _narrate(CUES, voice, rate, pauses=(0.3, 1.2, 0.1, 2.5), intro=2.0, snr_db=snr_db)
    result = align(CUES, _chunks(audio), RATE)
    assert len(result.spans) == len(CUES)
    for span, start, end in zip(result.spans, starts, ends):
        assert span.found and span.confidence > 0.5
        assert abs(span.start - start) < 0.1
        assert span.start < span.end and abs(span.end - end) < 0.25
    assert abs(result.duration - len(audio) / RATE) < 0.02
    speech_time = sum(b - a for a, b in result.speech)
    assert 0.5 * sum(e - s for s, e in zip(starts, ends)) < speech_time < result.duration


def test_a_cue_not_said_is_reported_and_does_not_squeeze_its_neighbours():
    audio, starts, _ = _narrate(CUES, "fr+m1", 170, pauses=(0.6,), intro=1.0, skip={3})
    result = align(CUES, _chunks(audio), RATE)
    assert not result.spans[3].found and result.spans[3].confidence < 0.5
    assert result.spans[2].end <= result.spans[3].start <= result.spans[3].end <= result.spans[4].start
    for index in (0, 1, 2, 4, 5):
        assert result.spans[index].found
        assert abs(result.spans[index].start - starts[index]) < 0.1


def test_a_cue_with_nothing_to_say_sits_between_its_neighbours():
    texts = [CUES[0], "…", CUES[1]]
    audio, starts, _ = _narrate(texts, "fr+f3", 175, pauses=(0.5,), intro=0.5, skip={1})
    result = align(texts, _chunks(audio), RATE)
    middle = result.spans[1]
    assert not middle.found and middle.confidence == 0.0
    assert result.spans[0].end <= middle.start <= middle.end <= result.spans[2].start
    assert abs(result.spans[2].start - starts[2]) < 0.1


def test_audio_too_short_or_text_empty_is_an_alignment_error():
    with pytest.raises(AlignmentError):
        align(CUES, [np.zeros(10, np.float32)], RATE)
    with pytest.raises(AlignmentError):
        align(["…", ""], [np.zeros(RATE, np.float32)], RATE)


def test_the_result_does_not_depend_on_the_number_of_threads(monkeypatch):
    """Boundary windows are solved by a thread per core in batches sharing one cell budget:
    one, two or five threads give the same cues (batches padded differently may round a
    distance differently, so a boundary may move by one 10 ms frame, no more)."""
    from subtitler.align import windows

    audio, _, _ = _narrate(CUES, "fr+m3", 165, pauses=(0.4, 1.5), intro=1.0)
    spans = []
    for threads, cells in ((1, 1_000_000), (2, 1_000_000), (5, 20_000)):  # 20,000: many batches
        monkeypatch.setattr(windows, "_THREADS", threads)
        settings = AlignSettings(window_cells=cells)
        spans.append(align(CUES, _chunks(audio), RATE, settings).spans)
    for other in spans[1:]:
        assert [s.found for s in other] == [s.found for s in spans[0]]
        assert max(abs(a.start - b.start) for a, b in zip(spans[0], other)) <= 0.0101
        assert max(abs(a.end - b.end) for a, b in zip(spans[0], other)) <= 0.0101


def _features(chunks, hint):
    from subtitler.align.reading import read_features

    features, log_energy, _voice = read_features(chunks, RATE, hint)
    return features, log_energy


@pytest.mark.parametrize("hint", [True, False])
def test_frames_do_not_depend_on_the_chunking_or_the_duration_hint(hint):
    """Frames are computed from the same samples however the decoder cuts them; with no
    duration hint the frames past the first guess are kept aside and added."""
    rng = np.random.default_rng(4)
    audio = (0.1 * rng.standard_normal(RATE * 7)).astype(np.float32)
    duration = len(audio) / RATE if hint else None
    one = _features(_chunks(audio, 1.7), len(audio) / RATE)
    other = _features(_chunks(audio, 0.7), duration)
    assert len(one[1]) == len(other[1]) == 700
    assert np.array_equal(one[0][:, :-1], other[0][:, :-1]) and np.array_equal(one[1], other[1])


def test_audio_shorter_than_probed_ends_where_the_audio_ends():
    """A probed duration can be wrong: the frames stop with the samples."""
    features, log_energy = _features(_chunks(np.zeros(RATE * 2, np.float32)), 6.0)
    assert len(log_energy) == len(features) == 200


def test_a_decoder_failure_fails_the_reading_and_stops_the_decoder():
    from subtitler.errors import MediaError

    closed = []

    def failing():
        try:
            yield np.zeros(RATE, np.float32)
            raise MediaError("cannot decode the audio: boom")
        finally:
            closed.append(True)

    with pytest.raises(MediaError, match="boom"):
        _features(failing(), None)
    assert closed == [True]
