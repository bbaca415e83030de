"""Music heard without a voice: where the aligner finds it (``Alignment.music``) and the sound
cues the captions get for it (``timing.sounds.with_music_cues``: caption-rules.md, CSA
criterion 10, music in magenta)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from real_audio import (
    RATE,
    Timeline,
    common_voice,
    common_voice_clips,
    ej_fra_blocks,
    ej_fra_take,
    music,
    room_tone,
    speech_level,
)
from subtitler.align import activity
from subtitler.align.aligner import align
from subtitler.align.levels import Levels, voiced
from subtitler.align.prices import music_frames
from subtitler.align.settings import AlignSettings
from subtitler.align.features import HOP_SECONDS, compute_features
from subtitler.align.verbalize import verbalize
from subtitler.align.voice import VoiceDetector, per_frame
from subtitler.config import CaptionConfig
from subtitler.model import Cue, CueKind, SpeechSpan, TimedCue
from subtitler.timing.rules import apply_timing_rules
from subtitler.timing.sounds import MUSIC_EDGE_SECONDS, clear_of_music, sentences_apart_by_music, with_music_cues

CONFIG = CaptionConfig()
FPS = 25.0
GAP = 0.08  # two frames at 25 fps


def speech(index: int, start: float, end: float, block: int = 0, offset: int = 0) -> TimedCue:
    text = f"Phrase numéro {index}."
    cue = Cue(index=index, lines=(text,), text=text, block_index=block, sentence_index=index, block_offset=offset)
    return TimedCue(cue=cue, start=start, end=end, speech=SpeechSpan(start, end))


def notes(timed: list[TimedCue]) -> list[TimedCue]:
    return [t for t in timed if t.cue.kind is CueKind.MUSIC]


# --- the sound cues ---------------------------------------------------------------------------


def test_an_intro_gets_a_music_cue_that_ends_the_minimum_gap_before_the_first_words():
    timed = [speech(0, 8.0, 10.0, block=2, offset=5), speech(1, 10.5, 12.0, block=2, offset=30)]
    out = with_music_cues(timed, [(1.4, 7.6)], 13.0, FPS, CONFIG)
    [note] = notes(out)
    assert (note.start, note.end) == (1.4, 7.6)  # the music itself: the room is wider
    assert note.cue.lines == ("♪ Musique ♪",) and note.cue.text == ""
    assert out[0] is not timed[0] and out[0].cue.kind is CueKind.MUSIC
    # in the transcript, the note goes where the speech after it starts
    assert (note.cue.block_index, note.cue.block_offset) == (2, 5)
    squeezed = notes(with_music_cues(timed, [(1.4, 7.99)], 13.0, FPS, CONFIG))[0]
    assert squeezed.end == pytest.approx(8.0 - GAP)


def test_an_interlude_cue_keeps_the_minimum_gap_on_both_sides_and_never_covers_speech():
    """The music detected runs into the speech cues around it (a cue lingers after its
    words, the detector's edges are coarse): the note takes only the room they leave."""
    timed = [speech(0, 1.0, 5.0), speech(1, 5.1, 9.5), speech(2, 15.0, 17.0, block=1)]
    out = with_music_cues(timed, [(8.0, 16.0)], 20.0, FPS, CONFIG)
    [note] = notes(out)
    assert note.start == pytest.approx(9.5 + GAP) and note.end == pytest.approx(15.0 - GAP)
    assert [t.cue.index for t in out] == [0, 1, 2, 3]
    assert [t.cue.kind for t in out] == [CueKind.SPEECH, CueKind.SPEECH, CueKind.MUSIC, CueKind.SPEECH]
    assert out[3].cue.text == timed[2].cue.text and note.cue.block_index == 1


def test_two_stretches_closer_than_the_gap_get_notes_the_gap_apart():
    out = with_music_cues([speech(0, 15.0, 22.0)], [(8.625, 28.438), (28.5, 31.5)], 32.0, FPS, CONFIG)
    first, second = notes(out)
    assert second.start - first.end >= GAP - 1e-9


def test_a_long_stretch_gets_a_cue_no_longer_than_the_longest_cue():
    timed = [speech(0, 30.0, 32.0)]
    [note] = notes(with_music_cues(timed, [(0.0, 29.0)], 40.0, FPS, CONFIG))
    assert note.start == 0.0 and note.end == pytest.approx(CONFIG.max_duration)


def test_an_outro_after_the_last_cue_runs_to_the_end_of_the_media_at_most():
    timed = [speech(0, 1.0, 4.0, block=3, offset=12)]
    [note] = notes(with_music_cues(timed, [(4.5, 12.0)], 9.0, FPS, CONFIG))
    assert note.start == 4.5 and note.end == 9.0
    assert note.cue.block_index == 3


def test_a_cue_never_ends_after_the_media_even_by_a_fraction_of_a_millisecond():
    """As the timing rules do (the last whole millisecond inside the media): a media of
    9.0005 s ends its last cue at 9.000, not 9.001."""
    timed = [speech(0, 1.0, 4.0)]
    [note] = notes(with_music_cues(timed, [(4.5, 9.01)], 9.0005, FPS, CONFIG))
    assert note.end <= 9.0005


def test_short_music_and_music_without_room_get_no_cue():
    timed = [speech(0, 1.0, 5.0), speech(1, 6.0, 9.0)]
    too_short = [(10.0, 10.0 + CONFIG.music_seconds - 0.01)]
    assert notes(with_music_cues(timed, too_short, 20.0, FPS, CONFIG)) == []
    no_room = [(4.0, 7.5)]  # 3.5 s of music, but 1 s between the cues: under min_duration less the gaps
    assert with_music_cues(timed, no_room, 20.0, FPS, CONFIG) == timed
    later = [speech(0, 4.2, 9.0)]  # 3.5 s of music, 3.12 s of room before the cue
    roomy = with_music_cues(later, [(1.0, 4.5)], 20.0, FPS, CONFIG)
    assert [(n.start, n.end) for n in notes(roomy)] == [(1.0, 4.12)]
    assert with_music_cues(later, [(1.0, 4.5)], 20.0, FPS, replace(CONFIG, min_duration=3.2)) == later


def test_music_the_speech_cues_cover_for_more_than_half_is_a_voice_and_gets_no_note():
    """On the real benchmark (real-cv-read-3) the detector heard one speaker at 0.2-0.7: to it
    that sentence was music, and the aligner put the sentence's words there all the same."""
    timed = [speech(0, 1.0, 5.0), speech(1, 6.0, 9.5)]
    assert notes(with_music_cues(timed, [(5.5, 9.0)], 20.0, FPS, CONFIG)) == []  # 3 s of 3.5 under words
    assert notes(with_music_cues(timed, [(4.0, 7.5)], 20.0, FPS, replace(CONFIG, min_duration=0.8))) == []
    [note] = notes(with_music_cues(timed, [(9.0, 13.0)], 20.0, FPS, CONFIG))  # 0.5 s of 4 s
    assert (note.start, note.end) == (9.58, 13.0)


def test_music_cues_can_be_turned_off():
    timed = [speech(0, 8.0, 10.0)]
    assert with_music_cues(timed, [(0.0, 7.0)], 12.0, FPS, replace(CONFIG, music_cues=False)) == timed
    assert notes(with_music_cues(timed, [(0.0, 7.0)], 12.0, FPS, CONFIG))


def test_the_label_comes_from_the_configuration():
    config = replace(CONFIG, music_label="♪ Music ♪")
    [note] = notes(with_music_cues([speech(0, 8.0, 10.0)], [(0.0, 7.0)], 12.0, FPS, config))
    assert note.cue.lines == ("♪ Music ♪",)


@st.composite
def timed_and_music(draw):
    """Speech cues the timing rules made (ordered, gaps kept), and music stretches anywhere."""
    count = draw(st.integers(1, 8))
    spans, clock = [], draw(st.floats(0.0, 10.0))
    for _ in range(count):
        length = draw(st.floats(0.3, 6.0))
        spans.append(SpeechSpan(round(clock, 3), round(clock + length, 3)))
        clock += length + draw(st.floats(0.0, 12.0))
    duration = clock + draw(st.floats(0.5, 10.0))
    cues = [Cue(index=i, lines=(f"Phrase {i}.",), text=f"Phrase {i}.", block_index=i, sentence_index=i)
            for i in range(count)]
    timed = apply_timing_rules(cues, spans, duration, FPS, CONFIG)
    stretches = draw(st.lists(st.tuples(st.floats(0.0, duration), st.floats(0.5, 20.0)), max_size=4))
    music_spans = sorted((round(a, 3), round(min(a + n, duration), 3)) for a, n in stretches)
    merged: list[tuple[float, float]] = []
    for a, b in music_spans:  # the aligner reports separate stretches
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return timed, merged, duration


@settings(max_examples=200, deadline=None)
@given(timed_and_music())
def test_music_cues_never_break_the_caption_rules(case):
    timed, music_spans, duration = case
    out = with_music_cues(timed, music_spans, duration, FPS, CONFIG)
    speech_cues = [t for t in out if t.cue.kind is CueKind.SPEECH]
    unnumbered = [replace(t, cue=replace(t.cue, index=0)) for t in speech_cues]
    assert unnumbered == [replace(t, cue=replace(t.cue, index=0)) for t in timed]  # left as they were
    assert [t.cue.index for t in out] == list(range(len(out)))  # numbered in time order
    for before, after in zip(out, out[1:]):
        assert after.start - before.end >= GAP - 1e-9  # never over a cue, the gap kept
    for note in notes(out):
        inside = [(a, b) for a, b in music_spans if a - 1e-9 <= note.start and note.end <= b + 1e-9]
        assert inside and inside[0][1] - inside[0][0] >= CONFIG.music_seconds  # in a long enough stretch
        assert CONFIG.min_duration - 1e-9 <= note.end - note.start <= CONFIG.max_duration + 1e-9
        assert 0.0 <= note.start and note.end <= duration
    assert len(notes(out)) <= sum(1 for a, b in music_spans if b - a >= CONFIG.music_seconds)


def test_a_cue_staying_up_to_be_read_leaves_before_the_music_starts():
    """Its words end at 152.07; reading time kept it up to 153.00; the locator heard music
    from 153.02 (the music began at 152.8): the cue leaves 0.3 s before the music found."""
    cue = replace(speech(0, 149.67, 153.0), speech=SpeechSpan(149.67, 152.07))
    [out] = clear_of_music([cue], [(153.02, 158.18)], CONFIG)
    assert out.start == 149.67 and out.end == pytest.approx(153.02 - MUSIC_EDGE_SECONDS)


def test_a_cue_is_never_cut_before_its_words_end_nor_under_the_minimum_duration():
    late_words = replace(speech(0, 10.0, 13.5), speech=SpeechSpan(10.0, 12.9))
    short = replace(speech(1, 20.0, 21.6), speech=SpeechSpan(20.0, 20.4))
    out = clear_of_music([late_words, short], [(13.0, 19.0), (20.5, 30.0)], CONFIG)
    assert out[0].end == 12.9  # its words
    assert out[1].end == pytest.approx(20.0 + CONFIG.min_duration)


def test_short_music_an_end_an_editor_fixed_and_music_cues_stay_apart():
    cue = replace(speech(0, 10.0, 13.5), speech=SpeechSpan(10.0, 11.0))
    assert clear_of_music([cue], [(12.0, 12.0 + CONFIG.music_seconds - 0.1)], CONFIG) == [cue]
    assert clear_of_music([cue], [(12.0, 20.0)], CONFIG, fixed_ends={0}) == [cue]
    assert clear_of_music([cue], [(14.0, 20.0)], CONFIG) == [cue]  # it left 0.5 s before


@settings(max_examples=200, deadline=None)
@given(timed_and_music())
def test_clearing_music_only_brings_ends_back_and_keeps_the_words_and_the_minimum(case):
    timed, music_spans, _ = case
    out = clear_of_music(timed, music_spans, CONFIG)
    for before, after in zip(timed, out):
        assert after.start == before.start and after.cue == before.cue
        assert after.end <= before.end
        if after.end < before.end:
            assert after.end >= min(before.end, before.speech.end) - 1e-9
            assert after.end - after.start >= CONFIG.min_duration - 1e-9
            assert any(a - MUSIC_EDGE_SECONDS - 1e-9 <= after.end for a, b in music_spans)


def test_the_sentences_said_after_music_inside_a_cue_s_speech_are_kept_apart():
    """real-cv-short-pauses-3: "- Firefox." and the next turn, paired in one dialogue cue,
    were said on either side of a 4.8 s interlude: the cue stayed 7 s on screen, over it."""
    def cue(index: int, sentence: int, ends_sentence: bool = True) -> Cue:
        return Cue(index=index, lines=("…",), text="…", block_index=0, sentence_index=sentence,
                   ends_sentence=ends_sentence)

    cues = [cue(0, 0), cue(1, 1), cue(2, 3, ends_sentence=False), cue(3, 5)]
    spans = [SpeechSpan(1.0, 3.0), SpeechSpan(4.0, 12.0), SpeechSpan(13.0, 20.0), SpeechSpan(21.0, 23.0)]
    interlude, another = (5.0, 10.0), (15.0, 18.5)
    assert sentences_apart_by_music(cues, spans, [interlude], CONFIG) == {2}  # cue 1 holds sentences 1-2
    assert sentences_apart_by_music(cues, spans, [another], CONFIG) == {4, 5}  # cue 2: 3, 4 and the start of 5
    assert sentences_apart_by_music(cues, spans, [(5.0, 5.0 + CONFIG.music_seconds - 0.1)], CONFIG) == set()
    assert sentences_apart_by_music(cues, spans, [(2.0, 8.0)], CONFIG) == set()  # between cues, not inside one
    unheard = [*spans[:1], SpeechSpan(4.0, 12.0, 0.0, found=False), *spans[2:]]
    assert sentences_apart_by_music(cues, unheard, [interlude], CONFIG) == set()


# --- where the aligner hears music ------------------------------------------------------------


def frames(seconds: float) -> int:
    return round(seconds / HOP_SECONDS)


def stretch_frames(*parts: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Voice probability and log energy from (seconds, voice, decibels re speech) parts."""
    voice = np.concatenate([np.full(frames(s), v, np.float32) for s, v, _ in parts])
    level = np.concatenate([np.full(frames(s), db, np.float32) for s, _, db in parts])
    rng = np.random.default_rng(0)
    level = level + rng.normal(0.0, 1.0, len(level)).astype(np.float32)  # no sound is steady
    return voice, (level / activity.DB_PER_NEPER).astype(np.float32)


def heard_music(*parts: tuple[float, float, float]) -> list[tuple[float, float]]:
    voice, log_energy = stretch_frames(*parts)
    levels = Levels.of(log_energy, voice >= 0.5)
    return activity.segments(music_frames(voice, log_energy, levels, AlignSettings()))


def test_loud_sound_without_a_voice_is_music_and_the_voice_or_room_tone_is_not():
    found = heard_music(
        (6.0, 0.02, -3.0),  # an intro at about the voice's level, no voice heard
        (1.0, 0.0, -60.0),  # the room
        (12.0, 0.97, 0.0),  # speech
        (5.0, 0.03, -6.0),  # an interlude
        (10.0, 0.95, 0.0),  # speech
        (8.0, 0.01, -57.0),  # room tone a little over the floor: steady noise, not music
        (10.0, 0.9, 0.0),
    )
    assert len(found) == 2
    (a, b), (c, d) = found
    assert a == pytest.approx(0.0, abs=0.3) and b == pytest.approx(6.0, abs=0.3)
    assert c == pytest.approx(19.0, abs=0.3) and d == pytest.approx(24.0, abs=0.3)


def test_music_under_a_voice_quiet_music_and_short_music_are_not_reported():
    found = heard_music(
        (10.0, 0.95, 0.0),
        (0.5, 0.02, -3.0),  # a half-second jingle between two sentences
        (10.0, 0.95, 0.0),
        (6.0, 0.9, -4.0),  # music with someone speaking over it
        (6.0, 0.01, -45.0),  # music 45 dB under the voice: barely audible
        (10.0, 0.95, 0.0),
        (1.0, 0.0, -60.0),
    )
    assert found == []


def test_music_is_heard_from_its_fade_in_to_its_fade_out_and_up_to_the_voice():
    """real-cv-phone: an interlude fading in over 0.6 s was found 2.9 s long instead of 3.7 s,
    and got no note. Soft sound without a voice right before or after the music is its fade."""
    found = heard_music(
        (10.0, 0.95, 0.0),
        (1.0, 0.0, -60.0),  # the room
        (0.8, 0.02, -35.0),  # the music fading in: far under the voice, well over the room
        (2.6, 0.02, -3.0),  # the music
        (0.6, 0.02, -36.0),  # fading out
        (1.0, 0.0, -60.0),
        (10.0, 0.95, 0.0),
        (3.0, 0.02, -3.0),  # music right up to a voice: it stops where the voice is near
        (10.0, 0.95, 0.0),
        (1.0, 0.0, -60.0),
    )
    assert len(found) == 2
    (a, b), (c, d) = found
    assert a == pytest.approx(11.0, abs=0.1) and b == pytest.approx(15.0, abs=0.1)
    assert c == pytest.approx(26.0, abs=0.25) and d == pytest.approx(29.0, abs=0.25)
    assert d <= 29.0 and c >= 26.0  # never over the voice


@pytest.fixture(scope="module")
def real_mix() -> tuple[np.ndarray, list[tuple[float, float]], list[tuple[float, float]]]:
    """Real music (intro, interlude, outro; a bed 15 dB under the second block) around two
    ej-fra blocks; where the music is alone and where the voice is."""
    blocks = ej_fra_blocks()
    level = speech_level(ej_fra_take())
    line = Timeline()
    alone, voice = [], []
    at = line.add(music("singularity-music/Coherence.ogg", 30.0, 6.0, 0.7 * level))
    alone.append((at, at + 6.0))
    line.add(room_tone(0.4))
    at = line.add(blocks[0].samples)
    voice.append((at + blocks[0].onset, at + blocks[0].offset))
    at = line.add(music("asc-music/frontiers.mp3", 60.0, 5.0, level))
    alone.append((at, at + 5.0))
    line.add(room_tone(0.3))
    bed = music("singularity-music/Awakening.ogg", 40.0, blocks[1].duration, level * 10 ** (-15 / 20))
    said = blocks[1].samples.copy()
    said[: len(bed)] += bed[: len(said)]
    at = line.add(said)
    voice.append((at + blocks[1].onset, at + blocks[1].offset))
    line.add(room_tone(0.5))
    at = line.add(music("singularity-music/Nebula.ogg", 50.0, 4.0, 0.5 * level))
    alone.append((at, at + 4.0))
    return line.samples(), alone, voice


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def test_the_aligner_reports_real_music_alone_and_not_the_voice_over_a_music_bed(real_mix):
    audio, alone, voice = real_mix
    texts = [verbalize(block.text) for block in ej_fra_blocks()[:2]]
    result = align(texts, [audio[i : i + RATE] for i in range(0, len(audio), RATE)], RATE)
    for stretch in alone:  # faded in and out over 0.5 s: the fades are music too
        heard = sum(overlap(stretch, found) for found in result.music)
        assert heard >= 0.9 * (stretch[1] - stretch[0]), (stretch, result.music)
    for found in result.music:
        assert found[1] - found[0] >= AlignSettings().music_seconds
        assert all(overlap(found, said) < 0.2 for said in voice), (found, voice)
    for span, said in zip(result.spans, voice):  # the cue after the music starts on the voice
        assert span.found and abs(span.start - said[0]) < 0.25



def detected_music(audio: np.ndarray, settings: AlignSettings = AlignSettings()) -> list[tuple[float, float]]:
    """Music as the aligner finds it, from the real detector's answer on ``audio``."""
    log_energy = compute_features(audio, RATE).log_energy
    detector = VoiceDetector(RATE)
    detector.push(audio)
    voice = per_frame(detector.finish(), len(log_energy))
    levels = Levels.of(log_energy, voiced(voice, log_energy))
    return activity.segments(music_frames(voice, log_energy, levels, settings))


def test_music_the_detector_half_hears_as_a_voice_is_one_stretch_when_its_level_is_steady():
    """asc-music's time_to_strike at 215.6 s, as real-cv-read's second interlude: a lead the
    detector hears at 0.3-0.85 for moments, which broke the interlude in two (or hid it)
    before a steady level was taken as music too."""
    first, second = (common_voice(clip) for clip, _ in common_voice_clips()[3:5])
    line = Timeline()
    line.add(first)
    line.add(np.zeros(RATE, np.float32))
    at = line.add(music("asc-music/time_to_strike.mp3", 215.6, 8.3, speech_level(first) * 10 ** (-3.8 / 20)))
    line.add(np.zeros(RATE, np.float32))
    line.add(second)
    found = detected_music(line.samples())
    assert len(found) == 1 and overlap(found[0], (at, at + 8.3)) >= 0.9 * 8.3, found


def test_real_voices_one_after_another_are_never_music_for_their_steady_level():
    """Every Common Voice speaker, 0.3 s apart: none keeps a level steady enough to be music.
    (The detector alone misses one speaker for 1.4 s twice, under the 3 s a note needs.)"""
    gap = np.zeros(round(0.3 * RATE), np.float32)
    speakers = np.concatenate([part for clip, _ in common_voice_clips() for part in (common_voice(clip), gap)])
    found = detected_music(speakers)
    assert found == detected_music(speakers, replace(AlignSettings(), music_steady_db=0.0))
    assert all(end - start < CONFIG.music_seconds for start, end in found)

# --- in the page --------------------------------------------------------------------------------


@pytest.mark.parametrize("embed", [None, "https://tube.example.org/videos/embed/3f1c2a9e-5b7d-4e21-9c4a-2d8e6f0b1a77"],
                         ids=["no-player", "peertube"])
def test_the_page_shows_sound_notes_apart_from_the_words_where_they_are_heard(embed):
    """Intro before the first paragraph, interlude before the paragraph said after it,
    outro after the last paragraph; each its own paragraph (never inside a list or the
    spoken text), with a time control when the page has a player."""
    from html_helpers import parse, sample_transcript, with_sound_notes
    from subtitler.cues import build_cues
    from subtitler.html import VideoFiles, render_video_page
    from subtitler.sentences import split_sentences

    transcript = replace(sample_transcript(), video_embed_src=embed)
    timed = with_sound_notes(build_cues(split_sentences(transcript), CONFIG))
    page = parse(render_video_page(transcript, timed, VideoFiles(captions=(("vtt", "a.vtt"), ("srt", "a.srt")), txt="a.txt")))
    body = page.find("div", class_="transcript-text")
    top = [child for child in body.children if not isinstance(child, str)]
    notes = [n for n in top if "sound-note" in (n.attrs.get("class") or "")]
    assert len(notes) == 3 == len(body.find_all(class_="sound-note"))  # all at the top level
    words = lambda node: node.text(skip={"seek", "visually-hidden"})  # noqa: E731
    first_block = transcript.blocks[timed[1].cue.block_index].text
    interlude_block = transcript.blocks[timed[5].cue.block_index].text
    last_block = transcript.blocks[timed[-2].cue.block_index].text
    position = {words(node): n for n, node in enumerate(top)}
    assert top.index(notes[0]) == position[first_block] - 1
    assert top.index(notes[1]) == position[interlude_block] - 1
    assert top.index(notes[2]) == position[last_block] + 1 == len(top) - 1
    for note, music_cue in zip(notes, [timed[0], timed[4], timed[-1]]):
        assert words(note) == "♪ Musique ♪"
        controls = note.find_all("a", class_="seek")
        if embed is None:
            assert controls == []
        else:
            assert [float(c.attrs["data-start"]) for c in controls] == [music_cue.start]
