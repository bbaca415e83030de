"""The real-speech benchmark's tools: the voice extent of a one-sentence recording (its ground
truth, ``benchmarks/onsets.py``), the scorer's flag and music figures (``benchmarks/score.py``)
and the pure helpers that lay the cases out (``benchmarks/real_speech.py``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from real_audio import EJ_FRA, common_voice, common_voice_clips, ej_fra_blocks
from benchmarks import audio, onsets
from benchmarks.generate import SAMPLE_RATE as RATE  # the benchmark's working rate
from benchmarks.real_speech import Recording, _faded, _held_vowel, _music_only, _phone_band, _sentence, in_digits
from benchmarks.score import Caption, TruthWord, flagged_cues, read_vtt, score

# --- the voice extent --------------------------------------------------------------------------

CLIPS = slice(0, None, 9)  # six speakers, 0.25-1.1 s of silence before the voice


@pytest.fixture(scope="module")
def extents() -> list[tuple[str, np.ndarray, onsets.Extent]]:
    out = []
    for clip, _ in common_voice_clips()[CLIPS]:
        samples = common_voice(clip, 44100)
        extent = onsets.speech_extent(samples, 44100)
        assert extent is not None, clip
        out.append((clip, samples, extent))
    return out


def test_the_voice_lies_inside_the_clip_after_its_leading_silence(extents):
    for clip, samples, extent in extents:
        duration = len(samples) / 44100
        assert 0.1 < extent.onset < extent.offset < duration, clip
        assert extent.vad_onset < extent.vad_offset
        assert extent.offset - extent.onset > 0.5 * (extent.vad_offset - extent.vad_onset), clip
        assert extent.threshold_db >= extent.floor_db + onsets.FLOOR_MARGIN_DB - 0.05


def test_the_onset_is_the_energy_rise_at_the_detector_s_onset_walked_back_a_bounded_way(extents):
    """At or before Silero's onset (it hears a soft first consonant late), never more than
    WALK_BACK before it; forward only to the sound when the window begins in a dip."""
    back = []
    for clip, samples, extent in extents:
        assert extent.vad_onset - onsets.WALK_BACK - 0.002 <= extent.onset, clip
        assert extent.onset <= extent.vad_onset + onsets.WALK_FORWARD, clip
        back.append(extent.vad_onset - extent.onset)
        rms, hop = audio.frame_rms(samples, 44100, hop=0.001, window=0.005)
        level = 20 * np.log10(rms + 1e-10)
        k = round(extent.onset / hop)
        assert level[k] > extent.threshold_db, clip  # sound at the onset...
        walked_the_limit = extent.vad_onset - extent.onset >= onsets.WALK_BACK - 0.002
        assert walked_the_limit or level[k - 1] <= extent.threshold_db, clip  # ...and none just before
    assert np.median(back) >= 0.0  # mostly walked back, not forward


def test_the_edges_are_walked_as_documented():
    above = np.array([0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0], bool)
    assert onsets._edge(above, 5, -1, walk=10, seek=0) == 2  # back to the rise
    assert onsets._edge(above, 5, -1, walk=2, seek=0) == 3  # ...at most ``walk`` frames
    assert onsets._edge(above, 8, -1, walk=10, seek=3) == 9  # quiet at the start: forward to the sound
    assert onsets._edge(above, 8, -1, walk=10, seek=0) == 8  # nothing found: where it began
    assert onsets._edge(above, 3, +1, walk=10, seek=0) == 6  # offsets walk forward


def test_ej_fra_block_onsets_follow_the_hand_cut_block_starts():
    """Each block was cut by hand in the pause before it: its voice comes within the first
    0.7 s, and ends before the block does."""
    for block in ej_fra_blocks():
        assert 0.1 < block.onset < 0.7
        assert block.offset < block.duration


# --- the scorer's flag and music figures ------------------------------------------------------


WORDS = [
    TruthWord("Bonjour", 10.0, None), TruthWord("à", None, None), TruthWord("tous.", None, 11.5),
    TruthWord("Voici", 14.0, None), TruthWord("la", None, None), TruthWord("suite.", None, 15.5),
    TruthWord("Et", 20.0, None), TruthWord("la", None, None), TruthWord("fin.", None, 21.0),
]
MUSIC_ONLY = [(0.0, 9.5), (16.0, 19.5), (25.0, 26.0)]
CAPTIONS = [
    Caption(0.5, 9.0, "♪ Musique ♪"),  # 0: over the intro
    Caption(10.05, 11.9, "Bonjour à tous."),  # 1: 50 ms late
    Caption(13.2, 15.6, "Voici la suite."),  # 2: 800 ms early
    Caption(15.0, 19.0, "♪ Musique ♪"),  # 3: over the interlude, and 0.5 s over "suite."
    Caption(19.3, 21.0, "Et la fin."),  # 4: 700 ms early, 0.2 s inside the interlude
]


def test_sound_cues_are_scored_apart_from_speech_cues():
    result = score(CAPTIONS, WORDS, music_only=MUSIC_ONLY)
    assert result.cues == 3 and result.unmatched_cues == 0
    assert result.far_cues == 2
    assert result.far_flagged is None and result.near_flagged is None  # no report given


def test_flag_shares_count_positions_in_the_file_sound_cues_included():
    right = score(CAPTIONS, WORDS, flagged={2, 4}, music_only=MUSIC_ONLY)
    assert right.far_flagged == 100.0 and right.near_flagged == 0.0
    wrong = score(CAPTIONS, WORDS, flagged={1, 3}, music_only=MUSIC_ONLY)  # the near cue and a sound cue
    assert wrong.far_flagged == 0.0 and wrong.near_flagged == 100.0
    half = score(CAPTIONS, WORDS, flagged={1, 2}, music_only=MUSIC_ONLY)
    assert half.far_flagged == 50.0 and half.near_flagged == 100.0


def test_music_figures():
    result = score(CAPTIONS, WORDS, music_only=MUSIC_ONLY)
    assert result.in_music == 1  # "Et la fin." shown 0.2 s inside the music
    assert result.music_stretches == 2  # the 1 s stretch is too short to need a note
    assert result.music_noted == 2
    assert result.music_notes_on_speech == 1  # the interlude's note covers "suite." by 0.5 s
    bare = score([c for c in CAPTIONS if "♪" not in c.text], WORDS, music_only=MUSIC_ONLY)
    assert bare.music_noted == 0 and bare.music_notes_on_speech == 0 and bare.cues == 3
    inside = score([*CAPTIONS[:4], Caption(19.45, 21.0, "Et la fin.")], WORDS, music_only=MUSIC_ONLY)
    assert inside.in_music == 0  # 50 ms into the music: within the early limit


def test_magenta_sound_cues_read_back_as_sound_cues(tmp_path):
    path = tmp_path / "a.vtt"
    path.write_text("WEBVTT\n\n1\n00:00:00.500 --> 00:00:09.000\n<c.magenta>♪ Musique ♪</c>\n\n"
                    "2\n00:00:10.050 --> 00:00:11.900\nBonjour à tous.\n", encoding="utf-8")
    captions = read_vtt(path)
    assert captions[0] == Caption(0.5, 9.0, "♪ Musique ♪")
    assert score(captions, WORDS[:3], music_only=MUSIC_ONLY[:1]).music_noted == 1


def test_flagged_cues_are_read_from_a_build_report():
    report = {"videos": [{"flagged_cues": [0, 3], "flag_reasons": [["music-near"], ["no-voice"]]}]}
    assert flagged_cues(report) == {0, 3}
    assert flagged_cues({"videos": []}) == set()


# --- the case builder's pure helpers ----------------------------------------------------------


def test_music_only_is_the_music_without_the_voices_and_without_the_beds():
    spans = [
        {"kind": "intro", "start": 0.0, "end": 8.0},
        {"kind": "bed", "start": 9.0, "end": 20.0},
        {"kind": "interlude", "start": 20.0, "end": 26.0},
        {"kind": "outro", "start": 30.0, "end": 34.0},
    ]
    voices = [(7.5, 12.0), (13.0, 20.03), (24.0, 31.0), (33.98, 40.0)]
    assert _music_only(spans, voices) == [[0.0, 7.5], [20.03, 24.0], [31.0, 33.98]]
    assert _music_only([{"kind": "intro", "start": 0.0, "end": 5.0}], [(0.03, 5.0)]) == []  # slivers dropped


def test_the_phone_band_keeps_the_length_and_cuts_below_300_and_above_3400_hz():
    rng = np.random.default_rng(1)
    t = np.arange(2 * RATE) / RATE
    tones = {f: 0.2 * np.sin(2 * np.pi * f * t) for f in (100.0, 1000.0, 6000.0)}
    mixed = sum(tones.values()).astype(np.float32)
    band = _phone_band(mixed, rng)
    assert len(band) == len(mixed) and band.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(band[RATE // 2 : RATE // 2 + RATE]))  # 1 s, away from the filter's start
    at = lambda f: spectrum[int(f)]  # noqa: E731 - 1 Hz bins
    assert at(100.0) < 0.1 * at(1000.0)
    assert at(6000.0) < 0.01 * at(1000.0)  # above the 8 kHz line's Nyquist: gone


def test_a_held_vowel_is_one_pitch_period_of_the_speaker_repeated():
    from subtitler.media.decode import read_audio

    block = ej_fra_blocks()[0]
    take = read_audio(EJ_FRA / "ej-fra.m4a", RATE)
    samples = take[round(block.start * RATE) : round((block.start + block.duration) * RATE)]
    recording = Recording("ej-fra-1", block.text, "ej", samples, block.onset, block.offset)
    held = _held_vowel(recording, 0.5)
    assert held is not None and len(held) == round(0.5 * RATE)
    middle = held[round(0.1 * RATE) : round(0.35 * RATE)].astype(np.float64)  # inside the envelope
    middle -= middle.mean()
    corr = np.correlate(middle, middle, "full")[len(middle) - 1 :]
    lags = np.arange(round(RATE / 400), round(RATE / 70))  # a speaking voice's pitch
    period = int(lags[np.argmax(corr[lags])])
    assert corr[period] / corr[0] > 0.95  # periodic
    assert np.allclose(middle[period:], middle[:-period], atol=1e-4)  # exactly one period tiled
    assert abs(held[0]) < 1e-6 and abs(held[-1]) < 0.05 * np.abs(held).max()  # attack and decay


def test_noise_has_no_held_vowel():
    rng = np.random.default_rng(2)
    noise = (0.1 * rng.standard_normal(2 * RATE)).astype(np.float32)
    assert _held_vowel(Recording("bruit", "", "x", noise, 0.2, 1.8), 0.4) is None


def test_sentences_are_written_as_an_editor_would_and_clips_are_faded():
    assert _sentence("  je suis sûr  que nous aimerons") == "Je suis sûr que nous aimerons."
    assert _sentence("Un médecin accourt !") == "Un médecin accourt !"
    faded = _faded(np.ones(RATE, np.float32), 0.01)
    assert faded[0] == 0.0 and faded[-1] == 0.0 and faded[RATE // 2] == 1.0
    assert _faded(np.ones(10, np.float32), 1.0)[5] == pytest.approx(1.0, abs=0.3)  # short: half each way


def test_the_digits_case_writes_the_spelled_numbers_as_an_editor_types_them():
    assert in_digits("Vingt-six rue d'Elbach, soixante-huit, deux cent dix, Retzwiller.") == (
        "26 rue d'Elbach, 68, 210, Retzwiller.")
    assert in_digits("En deux mille quatre, qui était Premier ministre ?") == "En 2004, qui était Premier ministre ?"
    assert in_digits("Quatre.") == "4."
    assert in_digits("Les deux licences développent leurs propres collections.") == (
        "Les deux licences développent leurs propres collections.")  # a count in a sentence stays a word


# --- held-out seeds and the pooled figures ------------------------------------------------------


def test_every_common_voice_recipe_is_also_drawn_with_two_other_seeds():
    from benchmarks.real_speech import CASES, HELD_OUT_FROM, is_held_out

    by_name = {case.name: case for case in CASES}
    for name in HELD_OUT_FROM:
        base = by_name[name]
        drawn = [by_name[f"{name}-{n}"] for n in (2, 3)]
        assert all(is_held_out(case.name) for case in drawn) and not is_held_out(name)
        assert len({base.seed, *(case.seed for case in drawn)}) == 3
        assert all(replace(case, name=name, seed=base.seed, description=base.description) == base for case in drawn)
    assert not any(is_held_out(name) for name in ("real-cv-digits", "real-ej-fra", "real-cv-untidy-limits"))


def test_the_pooled_table_counts_cues_apart_for_the_designed_on_and_held_out_cases():
    """Each case's percentages are turned back into counts and summed; the digits case (the
    read case's audio again) is left out."""
    from benchmarks.run_alignment import Result, pooled_table

    def result(case: str, cues: int, within: float, early: float, far: int, far_flagged: float | None,
               near_flagged: float | None) -> Result:
        scored = score([], [])  # every field present; only these matter here
        fields = {**scored.as_dict(), "cues": cues, "within_250": within, "early_120": early, "far_cues": far,
                  "far_flagged": far_flagged, "near_flagged": near_flagged}
        return Result(case, "audio", 60.0, 1.0, 1.0, 60.0, 60.0, 100.0, "audio", (), fields)

    table = pooled_table([
        result("real-cv-read", 50, 100.0, 2.0, 0, None, 4.0),  # 50 right, 1 early, 2 flagged
        result("real-cv-digits", 50, 0.0, 100.0, 50, 0.0, 0.0),  # left out
        result("real-cv-untidy", 40, 95.0, 5.0, 2, 100.0, 100 * 2 / 38),  # 38 right, 2 early, 2 flagged
        result("real-cv-untidy-2", 40, 75.0, 20.0, 10, 40.0, 0.0),  # 30 right, 8 early, 4 of 10 far flagged
    ])
    rows = table.splitlines()
    assert rows[2] == "| designed on | audio | 2 | 90 | 97.8 % (88/90) | 3.3 % (3/90) | 100.0 % (2/2) | 4.5 % (4/88) |"
    assert rows[3] == "| held out (other seeds) | audio | 1 | 40 | 75.0 % (30/40) | 20.0 % (8/40) | 40.0 % (4/10) | 0.0 % (0/30) |"
