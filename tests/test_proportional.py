"""Proportional timing and the speaking-time estimate (subtitler.timing.proportional)."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pytest
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.config import CaptionConfig
from subtitler.model import Cue, MediaInfo
from subtitler.speaking_time import count_syllables, estimate_speaking_time, estimate_syllables
from subtitler.timing.methods import METHODS, locator_for
from subtitler.timing.proportional import PROPORTIONAL_CONFIDENCE, ProportionalLocator
from subtitler.timing.rules import apply_timing_rules

CONFIG = CaptionConfig()


def cue(index: int, text: str) -> Cue:
    return Cue(index=index, lines=(text,), text=text, block_index=0, sentence_index=index)


def media(duration: float) -> MediaInfo:
    return MediaInfo(path=Path("video.mp4"), duration=duration, has_audio=True, has_video=True, fps=25.0)


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("bonjour", 2),
        ("table", 1),  # mute final e
        ("programmeur", 3),
        ("technologies", 4),  # mute final es
        ("équipe", 2),
        ("l'", 0),  # elided: said with the next word
        ("qu'", 0),
        ("jusqu'", 1),
        ("CNRC", 4),  # spelled out
        ("TA", 2),
        ("ULIS", 2),  # an acronym said as a word
    ],
)
def test_syllables_of_french_words(word, syllables):
    assert count_syllables(word) == syllables


def test_digits_and_symbols_are_read_as_words():
    # As the verbaliser spells them out: the spoken length, not the written one.
    assert estimate_syllables("2021") == 5.0  # deux mille vingt et un: more than its 4 digits
    assert estimate_syllables("1984") == 6.0  # mille neuf cent quatre-vingt-quatre
    assert estimate_syllables("50 %") == 2.0 + 2  # cinquante pour cent
    assert estimate_syllables("1 000") == estimate_syllables("mille")
    assert estimate_syllables("14 h 30") == estimate_syllables("quatorze heures trente")
    assert estimate_syllables("l'équipe") == 2
    assert estimate_syllables("aujourd'hui") == 3


def test_punctuation_adds_pauses():
    plain = estimate_speaking_time("Bonjour tout le monde et bienvenue")
    paused = estimate_speaking_time("Bonjour, tout le monde. Et bienvenue !")
    assert paused > plain


def test_speaking_time_of_a_real_recording(shared_dir):
    """ej-fra: a French speaker reads 170 syllables in 33.6 s."""
    folder = shared_dir / "corpus" / "real-speech" / "ej-fra"
    blocks = list(csv.DictReader((folder / "ej-fra.blocks.tsv").open(encoding="utf-8"), delimiter="\t"))
    spoken = float(blocks[-1]["end_s"]) - float(blocks[0]["start_s"])
    estimate = estimate_speaking_time((folder / "ej-fra.txt").read_text(encoding="utf-8"))
    assert estimate == pytest.approx(spoken, rel=0.15)


def hand_timed_captions(shared_dir: Path) -> list[list[webvtt.Caption]]:
    folder = shared_dir / "corpus" / "pix-tutos" / "captions"
    files = sorted(folder.glob("*.vtt"))
    if not files:
        pytest.skip(f"no hand-timed captions in {folder}")
    return [webvtt.read(str(f)).captions for f in files]


def seconds(timestamp) -> float:
    return timestamp.in_milliseconds() / 1000


def test_speaking_time_of_the_hand_timed_tutorials(shared_dir):
    for captions in hand_timed_captions(shared_dir):
        text = " ".join(c.text.replace("\n", " ") for c in captions)
        spoken = seconds(captions[-1].end_time) - seconds(captions[0].start_time)
        assert estimate_speaking_time(text) == pytest.approx(spoken, rel=0.15)


def test_proportional_starts_are_within_seconds_of_hand_timing(shared_dir):
    """The figure behind PROPORTIONAL_CONFIDENCE: a few seconds off, even in the best case."""
    medians = []
    for captions in hand_timed_captions(shared_dir):
        cues = [cue(i, c.text.replace("\n", " ")) for i, c in enumerate(captions)]
        duration = seconds(captions[-1].end_time) + 1.0
        located = ProportionalLocator()(cues, media(duration), CONFIG)
        errors = [abs(s.start - seconds(c.start_time)) for s, c in zip(located.spans, captions)]
        medians.append(statistics.median(errors))
        assert max(errors) < 10.0
    assert 0.5 < statistics.median(medians) < 5.0


def test_the_locator_is_registered():
    assert "proportional" in METHODS
    assert isinstance(locator_for("proportional"), ProportionalLocator)


def test_cues_get_time_in_proportion_to_their_text():
    cues = [cue(0, "Bonjour"), cue(1, "Bonjour bonjour bonjour bonjour"), cue(2, "Bonjour")]
    located = ProportionalLocator()(cues, media(12.0), CONFIG)
    short, long, last = located.spans
    assert short.start == pytest.approx(CONFIG.proportional_lead_in)
    assert last.end == pytest.approx(12.0 - CONFIG.proportional_tail)
    assert (long.end - long.start) == pytest.approx(4 * (short.end - short.start))
    assert located.method == "proportional"
    assert all(s.confidence == PROPORTIONAL_CONFIDENCE < CONFIG.min_confidence for s in located.spans)
    assert any("estimated from the text" in w for w in located.warnings)


def test_a_text_far_too_long_for_the_media_is_warned_about():
    sentence = "Une très longue phrase qui ne tiendra jamais dans une vidéo de trois secondes."
    cues = [cue(0, sentence), cue(1, sentence)]  # about 9 s of speech
    located = ProportionalLocator()(cues, media(3.0), CONFIG)
    assert any("unreliable" in w for w in located.warnings)
    assert located.spans[0].start == 0.0  # too short for a lead-in and a tail


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=30),
    st.floats(1.0, 600.0),
)
def test_spans_are_in_order_inside_the_media_and_the_rules_accept_them(texts, duration):
    cues = [cue(i, t) for i, t in enumerate(texts)]
    located = ProportionalLocator()(cues, media(duration), CONFIG)
    assert len(located.spans) == len(cues)
    previous_end = 0.0
    for span in located.spans:
        assert previous_end <= span.start <= span.end <= duration + 1e-9
        previous_end = span.end
    if duration >= len(cues) * 0.2:
        timed = apply_timing_rules(cues, located.spans, duration, 25.0, CONFIG)
        assert all("low-confidence" in t.flags for t in timed)
