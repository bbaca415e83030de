"""The timing rules: on-screen intervals from speech spans (subtitler.timing.rules)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.config import CaptionConfig
from subtitler.errors import MediaError
from subtitler.model import Cue, Doubt, Flag, SpeechSpan
from subtitler.timing.rules import apply_timing_rules

CONFIG = CaptionConfig()


def cue(index: int, chars: int = 20) -> Cue:
    """A cue of ``chars`` characters, on lines of at most 40."""
    text = ("abcdefghij" * (chars // 10 + 1))[:chars]
    lines = tuple(text[i : i + 40] for i in range(0, len(text), 40)) or ("",)
    return Cue(index=index, lines=lines, text=text, block_index=0, sentence_index=index)


def timed(spans: list[tuple[float, float]], media: float = 600.0, fps: float | None = 25.0, chars=20):
    cues = [cue(i, chars) for i in range(len(spans))]
    return apply_timing_rules(
        cues, [SpeechSpan(s, e) for s, e in spans], media, fps, CONFIG
    )


# --- Specification by example ---------------------------------------------------------------


def test_a_cue_appears_with_its_first_word_and_lingers_after_its_last():
    [only] = timed([(2.0, 4.0)])
    assert (only.start, only.end) == (2.0, 4.5)
    assert only.flags == ()


def test_a_short_utterance_stays_for_the_minimum_duration():
    [only] = timed([(2.0, 2.2)], chars=5)
    assert (only.start, only.end) == (2.0, 3.0)


def test_a_long_text_stays_long_enough_to_be_read_at_the_target_speed():
    [only] = timed([(2.0, 3.0)], chars=60)  # 60 chars at 15 cps = 4 s
    assert (only.start, only.end) == (2.0, 6.0)
    assert only.flags == ()


def test_close_cues_are_chained_two_frames_apart():
    first, second = timed([(1.0, 3.0), (3.2, 5.0)], fps=25.0)
    assert first.end == pytest.approx(3.2 - 0.08)
    assert second.start == 3.2
    first, second = timed([(1.0, 3.0), (3.2, 5.0)], fps=30000 / 1001)
    assert second.start - first.end == pytest.approx(0.067)  # 2 frames, rounded up to the ms


def test_a_gap_of_more_than_the_linger_time_is_kept():
    first, second = timed([(1.0, 3.0), (4.0, 5.0)])
    assert (first.end, second.start) == (3.5, 4.0)


def test_when_speech_overlaps_the_next_cue_still_starts_on_time_and_the_first_is_flagged():
    first, second = timed([(1.0, 3.5), (3.0, 5.0)])
    assert second.start == 3.0
    assert first.end == pytest.approx(2.92)
    assert "late-end" in first.flags and "late-end" not in second.flags


def test_crowded_cues_are_pushed_later_and_flagged():
    first, second = timed([(1.0, 1.5), (1.0, 1.5)])
    assert first.start == 1.0 - CONFIG.in_time  # the first makes what room it may in time
    assert first.end - first.start == pytest.approx(CONFIG.min_duration)
    assert second.start == pytest.approx(first.end + 0.08)
    assert "late-start" in second.flags and "short" not in first.flags


def test_a_cue_squeezed_by_its_neighbour_appears_early_only_as_much_as_it_needs():
    first, second = timed([(1.0, 1.2), (2.0, 2.5)], chars=5)
    assert (first.start, first.end) == (0.92, 1.92)  # 1 s, the minimum duration
    assert first.flags == ()
    assert second.start == 2.0


def test_a_short_cue_takes_its_minimum_duration_from_both_sides_in_time_then_from_the_next():
    first, second = timed([(1.0, 1.2), (1.5, 4.5)], chars=5)
    assert first.start == 1.0 - CONFIG.in_time  # no earlier than in time
    assert first.end - first.start == pytest.approx(CONFIG.min_duration)
    assert second.start == pytest.approx(first.end + 0.08)  # the rest: the next appears later
    assert "late-start" in second.flags and "short" not in first.flags
    assert second.end == 5.0  # its own end does not move


def test_a_short_cue_appears_early_up_to_in_time_before_the_next_is_made_later_still():
    # "Quatre." said in 0.57 s, the next sentence 0.13 s after it: 0.38 s to share
    first, second = timed([(25.03, 25.60), (25.73, 29.8)], chars=7)
    assert first.end - first.start == pytest.approx(CONFIG.min_duration)
    assert first.start == pytest.approx(25.03 - CONFIG.in_time)
    assert second.start == pytest.approx(25.73 + 0.38 - CONFIG.in_time)


def test_then_from_the_previous_cue_when_the_next_has_no_time_to_spare():
    before, short, tight, after = timed([(1.0, 3.0), (3.1, 3.3), (3.4, 4.4), (4.5, 6.0)], chars=5)
    assert short.end - short.start == pytest.approx(CONFIG.min_duration)
    assert tight.end - tight.start == pytest.approx(CONFIG.min_duration)
    assert before.end == pytest.approx(short.start - 0.08)
    assert "early" in short.flags and "late-end" in before.flags
    assert before.end - before.start >= CONFIG.min_duration


def test_a_cue_not_heard_takes_from_the_previous_cue_first_and_the_next_starts_on_its_word():
    cues = [cue(i, 5) for i in range(3)]
    spans = [SpeechSpan(1.0, 3.0), SpeechSpan(3.1, 3.4, found=False), SpeechSpan(3.5, 5.0)]
    before, unheard, after = apply_timing_rules(cues, spans, 600.0, 25.0, CONFIG)
    assert after.start == 3.5  # a heard cue is not made late for a guessed one
    assert unheard.end - unheard.start == pytest.approx(CONFIG.min_duration)
    assert before.end == pytest.approx(unheard.start - 0.08)
    assert "not-found" in unheard.flags and "late-start" not in after.flags


def test_cues_of_a_passage_not_heard_share_their_time_evenly():
    """dropped-sentences: four cues of a sentence never said, guessed into 3.3 s between two
    heard cues, were shown 1 s, 0.04 s, 1 s and 1 s; they now share the time, with what the
    cue before them showed after its last word."""
    cues = [cue(i, 5) for i in range(6)]
    spans = [SpeechSpan(1.0, 2.3), *(SpeechSpan(2.9 + k * 0.8, 3.0 + k * 0.8, found=False) for k in range(4)),
             SpeechSpan(6.0, 8.0)]
    before, *unheard, after = apply_timing_rules(cues, spans, 600.0, 25.0, CONFIG)
    durations = [round(t.end - t.start, 3) for t in unheard]
    assert max(durations) - min(durations) <= 0.004 and min(durations) >= 0.8
    assert before.end >= 2.3 and after.start == 6.0  # the heard cues keep their words' time
    assert all(b.start - a.end >= 0.08 - 1e-9 for a, b in zip([before, *unheard], [*unheard, after]))


def test_a_cue_squeezed_between_neighbours_that_cannot_spare_time_stays_short():
    cues = timed([(1.0, 2.0), (2.1, 2.3), (2.4, 3.4)], media=3.5, chars=5)
    assert "short" in cues[1].flags
    assert all(c.end - c.start >= CONFIG.min_duration - 1e-9 for c in (cues[0], cues[2]))


def test_speech_longer_than_the_maximum_duration_leaves_at_the_maximum():
    [only] = timed([(1.0, 10.0)])
    assert (only.start, only.end) == (1.0, 1.0 + CONFIG.max_duration)
    assert {"long", "late-end"} <= set(only.flags)


def test_a_cue_never_outlasts_the_maximum_duration_to_reach_reading_time():
    [only] = timed([(1.0, 2.0)], chars=200)  # 13 s of reading
    assert only.end == 1.0 + CONFIG.max_duration
    assert "fast" in only.flags and "csa" in only.flags


def test_cues_never_run_past_the_end_of_the_media():
    cues = timed([(1.0, 3.0), (3.5, 6.0), (6.5, 9.0)], media=5.0)
    assert cues[-1].end <= 5.0
    assert "clamped" in cues[-1].flags and "clamped" in cues[-2].flags
    assert "clamped" not in cues[0].flags


def test_media_too_short_for_the_cues_is_an_error():
    with pytest.raises(MediaError, match="too short to show 3 cues"):
        timed([(0.0, 1.0)] * 3, media=0.2)


def test_locator_doubts_become_flags():
    cues = [cue(0), cue(1)]
    spans = [SpeechSpan(1.0, 2.0, confidence=0.2), SpeechSpan(3.0, 4.0, found=False)]
    first, second = apply_timing_rules(cues, spans, 10.0, None, CONFIG)
    assert "low-confidence" in first.flags and "not-found" not in first.flags
    assert "not-found" in second.flags and "low-confidence" not in second.flags


def test_times_are_whole_milliseconds():
    [only] = timed([(1.23456, 2.34567)])
    assert (only.start, only.end) == (1.235, 2.846)


def test_spans_must_match_cues():
    with pytest.raises(ValueError, match="2 cues but 1 speech spans"):
        apply_timing_rules([cue(0), cue(1)], [SpeechSpan(0, 1)], 10.0, 25.0, CONFIG)
    with pytest.raises(ValueError, match="not a number"):
        apply_timing_rules([cue(0)], [SpeechSpan(math.nan, 1)], 10.0, 25.0, CONFIG)
    assert apply_timing_rules([], [], 10.0, 25.0, CONFIG) == []


# --- Invariants over random inputs ----------------------------------------------------------

FPS = st.sampled_from([None, 0.0, 23.976, 24.0, 25.0, 30000 / 1001, 50.0, 60.0])


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 25))
    chars = draw(st.lists(st.integers(1, 90), min_size=count, max_size=count))
    times = st.floats(-5.0, 200.0, allow_nan=False)
    lengths = st.floats(-2.0, 12.0, allow_nan=False)
    if draw(st.booleans()):  # in speaking order, as a locator should give them
        onset, spans = draw(st.floats(0.0, 5.0)), []
        for _ in range(count):
            length = draw(st.floats(0.0, 8.0))
            spans.append((onset, onset + length))
            onset += length + draw(st.floats(-1.0, 3.0))
    else:  # anything: overlapping, out of order, zero-length, inverted, negative
        spans = [(draw(times), 0.0) for _ in range(count)]
        spans = [(s, s + draw(lengths)) for s, _ in spans]
    speech = [
        SpeechSpan(s, e, confidence=draw(st.floats(0.0, 1.0)), found=draw(st.booleans()))
        for s, e in spans
    ]
    media = draw(st.floats(0.0, 250.0))
    fps = draw(FPS)
    return [cue(i, c) for i, c in enumerate(chars)], speech, media, fps


def shortest_showing(count: int, fps: float | None) -> float:
    """Seconds needed to show ``count`` cues for one frame each, the minimum gap apart."""
    rate = fps if fps else CONFIG.default_fps
    return count / rate + (count - 1) * CONFIG.min_gap(fps)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_timing_invariants(scenario):
    cues, spans, media, fps = scenario
    try:
        result = apply_timing_rules(cues, spans, media, fps, CONFIG)
    except MediaError:
        assert shortest_showing(len(cues), fps) > media - 0.002 * len(cues)
        return
    gap = CONFIG.min_gap(fps)
    early = CONFIG.max_early
    assert [t.cue for t in result] == cues
    for t, span in zip(result, spans):
        assert 0 <= t.start < t.end <= media
        assert t.speech == span
        for value in (t.start, t.end):
            assert abs(value * 1000 - round(value * 1000)) < 1e-6
        onset = min(max(span.start, 0.0), media)
        speech_end = min(max(span.end, span.start, 0.0), media)
        if "clamped" not in t.flags and "early" not in t.flags:
            assert t.start >= onset - early - 0.001
        if "late-start" not in t.flags:
            assert t.start <= onset + 0.001
        if "late-end" not in t.flags:
            assert t.end >= speech_end - 0.001
        duration = (round(t.end * 1000) - round(t.start * 1000)) / 1000  # exact ms, as written
        assert duration <= CONFIG.max_duration
        assert ("short" in t.flags) == (duration < CONFIG.min_duration)
        assert ("fast" in t.flags) == (t.cue.char_count / duration > CONFIG.max_cps)
        assert ("not-found" in t.flags) == (not span.found)
        assert ("low-confidence" in t.flags) == (span.confidence < CONFIG.min_confidence)
        assert set(t.flags) <= {*Flag, *Doubt}
    for before, after in zip(result, result[1:]):
        assert after.start > before.start
        assert after.start - before.end >= gap - 1e-9


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(1.0, 6.0), st.floats(0.0, 4.0)), min_size=1, max_size=20))
def test_speech_in_order_with_pauses_is_shown_while_it_is_spoken(parts):
    """Speech in order with pauses, each cue said in 1-6 s: every cue appears on its first
    word (or at most max_early before it) and stays until its last word; only reading-speed
    flags can remain."""
    spans, position = [], 1.0
    for length, pause in parts:
        spans.append((round(position, 3), round(position + length, 3)))
        position += length + pause + 0.2
    result = timed(spans, media=position + 1.0)
    for t, (start, end) in zip(result, spans):
        assert start - CONFIG.max_early - 1e-9 <= t.start <= start
        assert t.end >= end
        assert set(t.flags) <= {"short", "fast", "csa"}


def test_reading_time_never_moves_a_start_before_the_first_word():
    """A dense cue (read slower than it is said) starts on its word; it is flagged, not early."""
    first, second = timed([(1.0, 2.5), (2.6, 4.0)], chars=60)
    assert (first.start, second.start) == (1.0, 2.6)
    assert "fast" in first.flags
