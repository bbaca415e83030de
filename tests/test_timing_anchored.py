"""Anchored timing: fixed cue edges split the alignment (subtitler.timing.anchored) and the
timing rules keep them to the millisecond (subtitler.timing.rules, ``fixed``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.config import CaptionConfig
from subtitler.model import Cue, MediaInfo, SpeechSpan
from subtitler.timing.locator import LocatedSpeech, TimeRange
from subtitler.timing.anchored import CueAnchor, Edge, locate_anchored
from subtitler.timing.rules import FixedEdges, apply_timing_rules

CONFIG = CaptionConfig()
MEDIA = MediaInfo(Path("m.mp4"), duration=60.0, has_audio=True, has_video=True, fps=25.0)


def cue(index: int, text: str = "une phrase de vingt") -> Cue:
    return Cue(index=index, lines=(text,), text=text, block_index=0, sentence_index=index)


class EvenLocator:
    """A locator that spreads its cues evenly over the range it is given (or the media) and
    records each call: enough to see what the anchored step asks of a real one."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[int], TimeRange | None]] = []

    def __call__(self, cues, media, config, within=None):
        self.calls.append(([c.index for c in cues], within))
        low, high = (0.0, media.duration) if within is None else (within.start, within.end)
        step = (high - low) / len(cues)
        spans = tuple(SpeechSpan(low + k * step + 0.1, low + (k + 1) * step - 0.1, 0.9, found=k < len(cues) - 1)
                      for k in range(len(cues)))
        return LocatedSpeech(spans, "even", music=((high - 1.0, high),), speech=((low, high),))


def test_without_anchors_the_locator_runs_once_on_the_whole_media():
    locator = EvenLocator()
    result = locate_anchored(locator, [cue(k) for k in range(4)], MEDIA, CONFIG)
    assert locator.calls == [([0, 1, 2, 3], None)]
    assert result.fixed == {} and result.located.method == "even"


def test_anchors_that_disagree_cut_the_cues_and_the_time_and_each_piece_is_located_again():
    locator = EvenLocator()  # the whole media: cue k over 10k-10(k+1) s
    anchors = [CueAnchor(2, Edge.START, 15.0), CueAnchor(3, Edge.END, 45.0)]
    result = locate_anchored(locator, [cue(k) for k in range(6)], MEDIA, CONFIG, anchors)
    assert locator.calls == [([0, 1, 2, 3, 4, 5], None), ([0, 1], TimeRange(0.0, 15.0)),
                             ([2, 3], TimeRange(15.0, 45.0)), ([4, 5], TimeRange(45.0, 60.0))]
    spans = result.located.spans
    assert spans[2].start == 15.0 and spans[3].end == 45.0  # the anchored edges themselves
    assert spans[1].end <= 15.0 and spans[4].start >= 45.0  # the neighbours stay on their side
    assert result.fixed == {2: FixedEdges(start=15.0), 3: FixedEdges(end=45.0)}
    # each piece's last cue is not heard, but cue 3, where its piece meets the whole
    # file's answer, is the whole file's; what the whole file heard is kept
    assert [k for k, span in enumerate(spans) if not span.found] == [1, 5]
    assert result.located.speech == ((0.0, 60.0),) and result.located.music == ((59.0, 60.0),)


def test_an_anchor_that_agrees_with_the_whole_file_only_pins_its_edge():
    locator = EvenLocator()
    result = locate_anchored(locator, [cue(k) for k in range(6)], MEDIA, CONFIG,
                             [CueAnchor(2, Edge.START, 20.2)])  # found at 20.1
    assert locator.calls == [([0, 1, 2, 3, 4, 5], None)]
    assert result.located.spans[2].start == 20.2 and result.located.spans[3].start == 30.1


class ShiftedLocator(EvenLocator):
    """The whole media located with cues 3-5 two seconds early (the error an editor
    fixes); a piece located on its own gets them right but cue 8 wrong (what a piece, seeing
    less of the file, may do)."""

    def __call__(self, cues, media, config, within=None):
        located = super().__call__(cues, media, config, within)
        shifted = {3, 4, 5} if within is None else {8}
        spans = tuple(
            replace(span, start=span.start - 2.0, end=span.end - 2.0) if c.index in shifted else span
            for c, span in zip(cues, located.spans))
        return replace(located, spans=spans)


def test_cues_located_again_replace_the_first_answer_from_the_anchor_until_the_two_meet():
    cues = [cue(k) for k in range(10)]  # the whole media: cue k over 6k-6(k+1) s
    locator = ShiftedLocator()
    result = locate_anchored(locator, cues, MEDIA, CONFIG, [CueAnchor(4, Edge.START, 24.1)])
    [whole, before, after] = locator.calls
    assert before == ([0, 1, 2, 3], TimeRange(0.0, 24.1)) and after[0] == [4, 5, 6, 7, 8, 9]
    spans = result.located.spans
    # before the anchor: cue 3 from the piece (the whole file had it 2 s early); the piece
    # meets the first answer at cue 2, so cues 0-2 are as the whole file found them
    assert [round(s.start, 2) for s in spans[:3]] == [0.1, 6.1, 12.1]
    assert abs(spans[3].start - 18.1) < 0.1
    # after it: cue 5 from the piece, which meets the first answer at cue 6; cue 8, which
    # the piece got wrong and the whole file right, stays where the whole file put it
    assert spans[4].start == 24.1 and abs(spans[5].start - 30.1) < 0.1
    assert round(spans[8].start, 2) == 48.1
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))  # the seams keep order


def test_a_cue_anchored_at_both_ends_is_not_searched_for():
    locator = EvenLocator()  # the whole media: cue k over 20k-20(k+1) s
    anchors = [CueAnchor(1, Edge.START, 10.0), CueAnchor(1, Edge.END, 12.5)]
    result = locate_anchored(locator, [cue(k) for k in range(3)], MEDIA, CONFIG, anchors)
    assert [ids for ids, _ in locator.calls] == [[0, 1, 2], [0], [2]]
    assert (result.located.spans[1].start, result.located.spans[1].end) == (10.0, 12.5)


def test_anchors_that_cannot_all_hold_are_rejected_with_the_reason_the_first_one_wins():
    locator = EvenLocator()
    anchors = [CueAnchor(1, Edge.START, 30.0), CueAnchor(4, Edge.START, 30.05),
               CueAnchor(5, Edge.START, 75.0), CueAnchor(9, Edge.START, 5.0)]
    result = locate_anchored(locator, [cue(k) for k in range(6)], MEDIA, CONFIG, anchors)
    assert result.applied == (CueAnchor(1, Edge.START, 30.0),)
    reasons = {anchor.cue: why for anchor, why in result.rejected}
    assert "too close after the anchor at 30.000 s" in reasons[4]  # 3 cues need 3 frames + gaps
    assert "leaves no room in the media" in reasons[5] and "does not exist" in reasons[9]


def test_a_piece_the_audio_cannot_align_is_spread_over_its_time_with_a_warning():
    from subtitler.errors import AlignmentError

    def failing(cues, media, config, within=None):
        if within is None:
            return EvenLocator()(cues, media, config)
        raise AlignmentError("the audio is too short to align")

    result = locate_anchored(failing, [cue(k) for k in range(3)], MEDIA, CONFIG,
                             [CueAnchor(1, Edge.START, 30.0)])
    spans = result.located.spans
    assert spans[0].end <= 30.0 and spans[1].start == 30.0 and spans[2].start > 30.0
    assert any("could not be aligned" in w and "#1-#1" in w for w in result.located.warnings)


# --- the timing rules keep fixed edges ------------------------------------------------------


def rules(spans, fixed, media=60.0):
    cues = [cue(k) for k in range(len(spans))]
    return apply_timing_rules(cues, [SpeechSpan(a, b) for a, b in spans], media, 25.0, CONFIG, fixed)


def test_a_fixed_start_is_kept_even_where_the_minimum_duration_would_move_it_earlier():
    crowded = [(5.0, 5.2), (5.8, 7.0)]  # the next cue leaves the first under a second
    free = rules(crowded, {})
    assert free[0].start < 5.0  # a short cue appears up to max_early before its word...
    fixed = rules(crowded, {0: FixedEdges(start=5.0)})
    assert fixed[0].start == 5.0  # ...but not an anchored one


def test_a_fixed_end_is_kept_instead_of_the_linger_and_reading_time():
    [cue_] = rules([(2.0, 4.0)], {0: FixedEdges(end=4.2)})
    assert (cue_.start, cue_.end) == (2.0, 4.2)


def test_the_neighbours_of_fixed_edges_make_room_for_them():
    before, anchored, after = rules([(1.0, 6.0), (5.0, 8.0), (7.9, 10.0)],
                                    {1: FixedEdges(start=5.5, end=7.95)})
    assert (anchored.start, anchored.end) == (5.5, 7.95)
    assert before.end <= 5.5 - 0.08  # two frames at 25 fps before it
    assert after.start >= 7.95 + 0.08  # and after its fixed end


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 55), st.floats(0, 4)), min_size=1, max_size=8),
       st.dictionaries(st.integers(0, 7), st.tuples(st.none() | st.floats(0, 60), st.none() | st.floats(0, 60))))
def test_whatever_is_fixed_the_cues_stay_in_order_apart_and_inside_the_media(spans, pins):
    spans = sorted((a, a + d) for a, d in spans)
    fixed = {k: FixedEdges(*edges) for k, edges in pins.items() if k < len(spans)}
    timed = rules(spans, fixed)
    for a, b in zip(timed, timed[1:]):
        assert round(b.start - a.end, 3) >= 0.08
    assert all(0 <= t.start < t.end <= 60.0 for t in timed)
