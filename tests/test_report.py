"""The batch report, the terminal summary and the QA timeline picture."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from subtitler.layout import OutputLayout
from subtitler.config import CaptionConfig
from subtitler.model import Cue, Flag, NotSpoken, SpeechSpan
from subtitler.qa import render_timeline_svg
from subtitler.report import summary_table, write_report
from subtitler.results import CueStats, LeftOut, Status, VideoResult, result_from_dict
from subtitler.timing.locator import LocatedSpeech
from subtitler.timing.rules import apply_timing_rules

SVG = "{http://www.w3.org/2000/svg}"


def _cue(index: int, text: str) -> Cue:
    return Cue(index=index, lines=(text,), text=text, block_index=0, sentence_index=index)


SPANS = [SpeechSpan(1.0, 2.8), SpeechSpan(3.2, 4.8, confidence=0.2), SpeechSpan(5.5, 6.8, found=False)]
CUES = apply_timing_rules(
    [_cue(0, "Bonjour à tous & <bienvenue>"), _cue(1, "Un passage douteux"),
     _cue(2, "Une phrase jamais dite")],
    SPANS, 8.0, 25.0, CaptionConfig(),
)
LOCATED = LocatedSpeech(spans=tuple(c.speech for c in CUES), method="audio",
                        speech=((0.9, 4.8), (5.4, 6.9)))


def test_flagged_cues_are_the_unheard_and_the_doubtful():
    assert [c.needs_review for c in CUES] == [False, True, True]


def test_timeline_is_well_formed_svg_with_a_text_alternative():
    svg = render_timeline_svg(CUES, 8.0, LOCATED)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text and "3 sous-titres" in root.find(f"{SVG}desc").text
    assert "&amp; &lt;bienvenue&gt;" in svg  # cue text is escaped


def test_timeline_marks_flagged_cues_without_relying_on_colour():
    svg = render_timeline_svg(CUES, 8.0, LOCATED)
    marks = [t for t in ET.fromstring(svg).iter(f"{SVG}text") if t.text == "!"]
    assert len(marks) == 2
    assert svg.count('fill="url(#hatch)"') == 2


def test_timeline_draws_speech_activity():
    svg = render_timeline_svg(CUES, 8.0, LOCATED)
    speech = [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.get("fill") == "#4a6fa5"]
    assert len(speech) == 2


def test_cue_stats_measure_reading_speed():
    stats = CueStats.of(CUES)
    assert stats.count == 3
    assert stats.cps_max == round(max(c.cps for c in CUES), 2)
    assert stats.over_max_cps == sum(1 for c in CUES if c.cps > 17)


def test_report_round_trips_results(tmp_path):
    left_out = (LeftOut(block=2, reason=NotSpoken.SPEAKER_LABEL, text="Mélinée Chanard, Réseau Canopé."),)
    result = VideoResult(transcript="a.md", slug="a", status=Status.OK, warnings=("w",),
                         cues=CueStats(count=3, cps_median=12.0), flagged_cues=(1, 2),
                         not_spoken=left_out, outputs=("a.fr.vtt",))
    failed = VideoResult(transcript="b.md", slug=None, status=Status.FAILED, error="b.md: no title")
    path = write_report([result, failed], OutputLayout(tmp_path), wall_seconds=1.5, jobs=2)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["summary"]["videos"] == 2 and data["summary"]["failed"] == 1
    assert data["summary"]["statuses"] == {"failed": 1, "ok": 1}
    assert data["summary"]["not_spoken"] == {"speaker-label": 1}
    assert data["videos"][0]["not_spoken"] == [
        {"block": 2, "reason": "speaker-label", "text": "Mélinée Chanard, Réseau Canopé."}]
    assert result_from_dict(data["videos"][0]) == result


def test_a_cue_over_the_layout_limits_is_flagged_for_review():
    url = "https://tube.reseau-canope.fr/videos/watch/0123456789abcdef"
    [over] = apply_timing_rules([_cue(0, url)], [SpeechSpan(1.0, 3.0)], 8.0, 25.0, CaptionConfig())
    assert Flag.LAYOUT in over.flags and over.needs_review


def test_summary_table_lists_every_video_and_the_totals():
    table = summary_table([
        VideoResult(transcript="a.md", slug="a", status=Status.OK, cues=CueStats(count=3, cps_p90=14.2)),
        VideoResult(transcript="b.md", slug=None, status=Status.FAILED, error="b.md: no title"),
    ])
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["status", "video"]
    assert any(line.startswith("ok") and " a " in f" {line} " and "14.2" in line for line in lines)
    assert any(line.startswith("failed") and "b.md" in line for line in lines)
    assert lines[-1] == "2 video(s): 1 done, 1 failed; 3 cues; 0 warnings"
