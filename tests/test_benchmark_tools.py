"""The benchmark's own tools: the scorer, the mixer's ground-truth bookkeeping, a generated case."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.model import Sentence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import audio  # noqa: E402
from benchmarks.generate import (  # noqa: E402
    SAMPLE_RATE,
    Case,
    Clip,
    SentencePlan,
    Truth,
    Voice,
    _event_owners,
    _fill_unheard,
    assemble,
    change_clip_tempo,
    generate_case,
    plan_case,
)
from benchmarks.score import Caption, TruthWord, read_vtt, score  # noqa: E402

WORDS = [
    TruthWord("Bonjour", 1.00, 1.40),
    TruthWord("à", 1.45, 1.50),
    TruthWord("tous.", 1.55, 1.90),
    TruthWord("Voici", 3.00, 3.30),
    TruthWord("l’essai", 3.35, 3.80),
    TruthWord("no", 3.85, 4.00),
    TruthWord("12.", 4.05, 4.40),
]


def perfect_captions() -> list[Caption]:
    return [Caption(1.00, 1.90, "Bonjour à tous."), Caption(3.00, 4.40, "Voici l’essai no 12.")]


def test_perfect_captions_score_no_error():
    result = score(perfect_captions(), WORDS)
    assert result.cues == 2
    assert result.median_ms == 0 and result.max_ms == 0
    assert result.within_100 == 100 and result.early_120 == 0 and result.cut_100 == 0
    assert result.coverage == pytest.approx(100.0)
    assert result.unmatched_words == 0 and result.unmatched_cues == 0


def test_a_shifted_cue_shows_its_shift():
    late = [perfect_captions()[0], Caption(3.30, 4.40, "Voici l’essai no 12.")]
    result = score(late, WORDS)
    assert result.max_ms == pytest.approx(300.0)
    assert result.within_250 == 50.0
    early = [perfect_captions()[0], Caption(2.80, 4.40, "Voici l’essai no 12.")]
    assert score(early, WORDS).early_120 == 50.0


def test_a_cue_leaving_before_its_last_word_counts_as_cut():
    cut = [Caption(1.00, 1.70, "Bonjour à tous."), perfect_captions()[1]]
    result = score(cut, WORDS)
    assert result.cut_100 == 50.0
    assert result.coverage < 100.0


def test_cue_words_match_through_typography_and_line_breaks():
    styled = [
        Caption(1.00, 1.90, "– BONJOUR\u00a0à\ntous !"),
        Caption(3.00, 4.40, "Voici «\u202fl'essai\u202f» no\u00a012."),
    ]
    assert score(styled, WORDS).median_ms == 0
    assert score(styled, WORDS).unmatched_words == 0


def test_dropped_sentences_are_counted_apart_with_their_flags():
    words = WORDS[:3] + [TruthWord(w.text, None, None, spoken=False) for w in WORDS[3:]]
    result = score(perfect_captions(), words, flagged={1})
    assert result.cues == 1
    assert result.dropped_cues == 1 and result.dropped_flagged == 1
    assert score(perfect_captions(), words).dropped_flagged is None


def test_read_vtt_strips_markup_and_reads_both_timestamp_forms(tmp_path):
    path = tmp_path / "a.vtt"
    path.write_text(
        "WEBVTT\n\nNOTE a note\n\n1\n00:00:01.250 --> 00:00:02.000 line:90%\n<v Anne>Vous &amp; moi</v>\n"
        "<i>ensemble</i>\n\n01:02.500 --> 01:03.000\nSuite\n",
        encoding="utf-8",
    )
    assert read_vtt(path) == [Caption(1.25, 2.0, "Vous & moi\nensemble"), Caption(62.5, 63.0, "Suite")]


def click_clip(times: list[float], duration: float = 1.0) -> Clip:
    """A silent clip with a short burst at each "word" start: easy to find again."""
    samples = np.zeros(int(duration * SAMPLE_RATE), np.float32)
    for t in times:
        start = int(round(t * SAMPLE_RATE))
        samples[start : start + 200] = 0.5
    return Clip(samples, tuple((t, t + 0.01) for t in times))


def bursts(samples: np.ndarray) -> np.ndarray:
    loud = np.abs(samples) > 0.1
    return np.flatnonzero(loud & ~np.concatenate(([False], loud[:-1]))) / SAMPLE_RATE


@settings(max_examples=25, deadline=None)
@given(st.floats(0.9, 1.1))
def test_tempo_change_moves_word_times_with_the_audio(speed):
    clip = change_clip_tempo(click_clip([0.1, 0.4, 0.75]), speed)
    found = bursts(clip.samples)
    assert len(found) == 3
    assert np.allclose(found, [w[0] for w in clip.words], atol=0.002)
    assert clip.duration == pytest.approx(1.0 / speed, abs=0.01)


def test_pauses_and_tempo_keep_the_ground_truth_on_the_audio():
    case = Case("t", "unused.md", 1, ("fr",), tempo=(0.9, 1.1), intro=(1.0, 2.0))
    voice = Voice("fr", 175, 50)
    plans = [
        SentencePlan("un deux trois", 0, voice, pause_before=0.5, speed=1.08),
        SentencePlan("pas dit ici", 0, voice, pause_before=0.4, spoken=False),
        SentencePlan("quatre cinq six", 1, voice, pause_before=2.7, speed=0.93),
    ]
    clips = [change_clip_tempo(click_clip([0.0, 0.3, 0.6]), 1.08), None,
             change_clip_tempo(click_clip([0.0, 0.25, 0.7]), 0.93)]
    truth = Truth("t", 1, "t.mp4", "t.md", 0.0, "")
    mix = assemble(case, plans, clips, np.random.default_rng(0), truth)
    said = [w["start"] for w in truth.words if w["spoken"]]
    assert np.allclose(bursts(mix.speech), said, atol=0.002)
    assert [w["spoken"] for w in truth.words] == [True] * 3 + [False] * 3 + [True] * 3
    intro_end = truth.music[0]["end"]
    assert said[0] == pytest.approx(intro_end + 0.5, abs=1e-3)
    assert said[3] - truth.words[2]["end"] > 0.4 + 2.7  # both pauses, the unsaid sentence takes none


def test_a_short_generated_case_has_truth_on_the_energy_onsets(tmp_path):
    transcript = tmp_path / "essai-court.md"
    transcript.write_text(
        "---\ntitle: Essai court\n---\n\n# Transcription\n\n"
        "Bonjour à tous. Pour commencer, voici 12 mots.\n\nTout est prêt.\n",
        encoding="utf-8",
    )
    case = Case("essai", str(transcript), 7, ("fr+m3",), intro=(0.5, 0.8), noise="pink", snr_db=20.0,
                filler_share=0.5)
    truth_path = generate_case(case, tmp_path)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    assert truth["duration"] < 10.0
    onsets = truth["checks"]["onsets"]
    assert onsets["sentences"] == 3 and onsets["failures"] == []
    assert onsets["max_ms"] <= 30.0
    assert abs(truth["checks"]["mux_offset_ms"]) <= 1.0
    assert truth_path.with_name("essai-court.mp4").stat().st_size > 0
    starts = [w["start"] for w in truth["words"]]
    assert starts == sorted(starts)
    assert all(w["end"] >= w["start"] for w in truth["words"])
    assert truth["fillers"], "half the sentences get a filler"
    for filler in truth["fillers"]:
        before, after = truth["words"][filler["after_word"]], truth["words"][filler["after_word"] + 1]
        assert before["end"] <= filler["start"] + 0.001 and filler["end"] <= after["start"] + 0.001


def test_plans_drop_and_fill_as_asked_and_reproducibly():
    sentences = [Sentence(f"Phrase numéro {i} avec assez de mots.", block_index=i // 3) for i in range(40)]
    case = Case("p", "unused.md", 5, ("fr+m3", "fr-be+f2"), drop_share=0.1, filler_share=0.2)
    turns = [i % 10 == 0 for i in range(40)]
    plans = plan_case(case, sentences, turns, np.random.default_rng(5))
    assert plans == plan_case(case, sentences, turns, np.random.default_rng(5))
    dropped = [i for i, p in enumerate(plans) if not p.spoken]
    assert len(dropped) == 4 and 0 not in dropped and 39 not in dropped
    assert all(b - a > 1 for a, b in zip(dropped, dropped[1:]))
    assert sum(p.filler is not None for p in plans) == 8
    assert {p.voice.name for p in plans} == {"fr+m3", "fr-be+f2"}
    assert all(0.2 <= p.pause_before <= 3.0 for p in plans[1:])


def test_speech_extent_finds_a_tone_in_noise():
    rng = np.random.default_rng(3)
    noise = audio.pink_noise(3 * SAMPLE_RATE, rng) * 0.001
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    noise[SAMPLE_RATE : 2 * SAMPLE_RATE] += 0.2 * np.sin(2 * np.pi * 200 * t)
    onset, offset = audio.speech_extent(noise, SAMPLE_RATE)
    assert onset == pytest.approx(1.0, abs=0.02)
    assert offset == pytest.approx(2.0, abs=0.02)


def test_words_without_an_event_share_their_neighbours_time_by_length():
    inside_previous = _fill_unheard([(0.0, 0.5), None, (0.52, 0.8)], [5, 3, 4], 1.0)
    assert np.allclose(inside_previous, [(0.0, 0.3125), (0.3125, 0.5), (0.52, 0.8)])
    in_the_gap = _fill_unheard([(0.0, 0.5), None, None, (0.9, 1.0)], [5, 3, 3, 4], 1.2)
    assert np.allclose(in_the_gap, [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0)])


def test_an_event_on_a_spaced_dash_belongs_to_the_next_word():
    text = "Exploration - Compétition, 15 % ici"
    spans = [(0, 11), (14, 26), (27, 29), (32, 35)]
    assert _event_owners([0, 12, 27, 30, 32], spans, None) == [0, 1, 2, 2, 3]
    assert [text[s:e] for s, e in spans] == ["Exploration", "Compétition,", "15", "ici"]


def test_the_benchmark_checks_subtitlers_captions_with_the_caption_rules(tmp_path, capsys):
    """run_alignment ends with the independent caption checker over every caption file the
    CLI wrote, and fails when a rule is broken (here: a cue on screen 9 s)."""
    from benchmarks.run_alignment import Result, print_caption_rules

    def result(case: str) -> Result:
        return Result(case, "audio", 10.0, 1.0, 1.0, 10.0, 10.0, 100.0, "audio", (), {"cues": 1})

    for case, end in (("kept", "00:00:03.000"), ("broken", "00:00:10.000")):
        folder = tmp_path / "runs" / case / "audio" / case
        folder.mkdir(parents=True)
        (folder / f"{case}.fr.vtt").write_text(f"WEBVTT\n\n1\n00:00:01.000 --> {end}\nBonjour.\n", encoding="utf-8")
    assert print_caption_rules([result("kept")], tmp_path) is True
    assert print_caption_rules([result("kept"), result("broken")], tmp_path) is False
    assert "| subtitler audio | 2 | 2 | 0 | 1 |" in capsys.readouterr().out
