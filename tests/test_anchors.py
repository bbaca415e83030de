"""The editor's anchors file (subtitler.anchors): its format, how entries find their cues
after every build, and what a build does with them, end to end through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from media_helpers import make_mp4
from subtitler import anchors
from subtitler.anchors import AnchorFile, CheckedMark, WordAnchor, WordIndex
from subtitler.config import CaptionConfig
from subtitler.cues import build_cues
from subtitler.errors import AnchorsError
from subtitler.model import Cue, TimedCue
from subtitler.sentences import split_sentences
from subtitler.timing.anchored import Edge
from subtitler.transcript import load_transcript
from test_cli_build import run_cli

TRANSCRIPT = """---
title: Atelier
description: Un essai.
---

# Transcription

Bonjour à tous. Nous allons parler de sécurité aujourd'hui.

Le mot de passe doit être long. Le mot de passe doit être unique.

Merci de votre attention et à bientôt.
"""


def cue(index: int, text: str) -> Cue:
    return Cue(index=index, lines=(text,), text=text, block_index=0, sentence_index=index)


CUES = [cue(0, "Bonjour à tous."), cue(1, "Le mot de passe doit être long."),
        cue(2, "Le mot de passe doit être unique."), cue(3, "Merci à vous.")]


# --- the file ----------------------------------------------------------------------------


def test_the_file_lists_one_entry_per_line_sorted_by_time_and_reads_back_the_same(tmp_path):
    entries = AnchorFile(
        (WordAnchor("Merci à vous.", 1, Edge.END, 12.5), WordAnchor("Bonjour à tous.", 1, Edge.START, 1.25)),
        (CheckedMark("Le mot de", 2, "Le mot de passe doit être unique.", 6.0, 8.04),),
    )
    path = tmp_path / "atelier.anchors.json"
    anchors.save(path, entries)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[3] == '  {"edge": "start", "time": 1.25, "words": "Bonjour à tous.", "occurrence": 1},'
    assert text.index("Bonjour") < text.index("Merci")
    assert anchors.load(path) == AnchorFile(tuple(sorted(entries.anchors, key=lambda a: a.time)),
                                            entries.checked)


def test_no_file_is_no_anchors(tmp_path):
    assert anchors.load(tmp_path / "absent.anchors.json") == AnchorFile()


@pytest.mark.parametrize("content, problem", [
    ("{", "not valid JSON (line 1, column 2)"),
    ('{"version": 2, "anchors": []}', "not an anchors file of version 1"),
    ('{"version": 1, "anchors": [{"edge": "middle", "time": 1, "words": "a b"}]}', "bad entry: 'middle'"),
    ('{"version": 1, "anchors": [{"edge": "start", "time": -1, "words": "a b"}]}', "'time' must be a time"),
    ('{"version": 1, "checked": [{"words": "a", "text": "a", "start": 1}]}', "bad entry: 'end'"),
    ('{"version": 1, "anchors": {"a": 1}}', "'anchors' must be a list"),
])
def test_a_broken_file_is_one_line_naming_the_file_and_the_problem(tmp_path, content, problem):
    path = tmp_path / "x.anchors.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AnchorsError) as caught:
        anchors.load(path)
    assert str(caught.value).startswith(f"{path}: ") and problem in str(caught.value)
    assert "\n" not in str(caught.value)


# --- words name places, not cue numbers --------------------------------------------------


def test_an_anchor_names_the_fewest_words_that_are_unique_in_the_text():
    index = WordIndex(CUES)
    assert index.anchor(0, Edge.START, 1.0).words == "Bonjour à tous."
    # "Le mot de passe doit être" is said twice: the start of cue 2 needs its 7th word
    second = index.anchor(2, Edge.START, 6.0)
    assert (second.words, second.occurrence) == ("Le mot de passe doit être unique.", 1)
    end = index.anchor(1, Edge.END, 5.5)
    assert (end.words, end.edge) == ("doit être long.", Edge.END)


def test_a_run_said_more_than_max_words_apart_is_named_by_its_occurrence():
    repeated = [cue(k, "un deux trois quatre cinq six sept huit neuf dix") for k in range(3)]
    anchor = WordIndex(repeated).anchor(2, Edge.START, 9.0)
    assert (anchor.words, anchor.occurrence) == ("un deux trois", 3)
    assert WordIndex(repeated).cue_of(anchor.words, anchor.occurrence, Edge.START) == 2


def test_entries_find_their_cue_whatever_its_number_and_typography():
    entries = AnchorFile((WordAnchor("MERCI À vous\u00a0!", 1, Edge.END, 12.5),
                          WordAnchor("Bonjour à tous.", 1, Edge.START, 1.0)))
    moved = [cue(0, "Au début."), *[cue(k + 1, c.text) for k, c in enumerate(CUES)]]
    resolution = anchors.resolve(entries, moved)
    assert {(a.cue, a.edge) for a in resolution.anchors} == {(4, Edge.END), (1, Edge.START)}
    assert resolution.orphaned == ()


def test_an_anchor_whose_words_are_gone_is_orphaned_and_applied_nowhere():
    entries = AnchorFile((WordAnchor("doit être long.", 1, Edge.END, 5.5),
                          WordAnchor("mot de passe", 1, Edge.START, 3.0)))
    edited = [cue(0, "Bonjour à tous."), cue(1, "Le mot de passe doit être court."),
              cue(2, "Le mot de passe doit être unique.")]
    resolution = anchors.resolve(entries, edited)
    assert resolution.anchors == ()
    assert resolution.orphaned == (
        "anchor at the end of \u201cdoit être long.\u201d (1st occurrence) at 5.500 s: "
        "orphaned, these words are no longer in the transcript; not applied",
        "anchor at the start of \u201cmot de passe\u201d (1st occurrence) at 3.000 s: "
        "these words no longer begin a cue; not applied",
    )


def test_a_checked_mark_holds_while_the_cue_keeps_its_text_and_times():
    index = WordIndex(CUES)
    timed = [TimedCue(c, 2.0 * k, 2.0 * k + 1.5, flags=("low-confidence",)) for k, c in enumerate(CUES)]
    mark = index.mark(CUES[1], 1, timed[1].start, timed[1].end)
    resolution = anchors.resolve(AnchorFile((), (mark,)), CUES)
    assert [t.flags for t in anchors.mark_checked(timed, resolution)][1] == ("low-confidence", "checked")
    moved = [*timed[:1], TimedCue(CUES[1], 2.04, 3.5, flags=("low-confidence",)), *timed[2:]]
    assert "checked" not in anchors.mark_checked(moved, resolution)[1].flags


# --- through the CLI ---------------------------------------------------------------------


@pytest.fixture()
def workspace(tmp_path) -> Path:
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "transcripts" / "atelier.md").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "media").mkdir()
    make_mp4(tmp_path / "media" / "atelier.mp4", 30.0)
    return tmp_path


def _cues_of(workspace: Path) -> list[Cue]:
    transcript = load_transcript(workspace / "transcripts" / "atelier.md")
    return build_cues(split_sentences(transcript), CaptionConfig())


def _vtt_times(workspace: Path) -> list[tuple[str, str]]:
    lines = (workspace / "output" / "atelier" / "atelier.fr.vtt").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split(" --> ")) for line in lines if " --> " in line]


def _report(workspace: Path) -> dict:
    return json.loads((workspace / "output" / "report.json").read_text(encoding="utf-8"))["videos"][0]


def test_a_build_obeys_the_anchors_reports_orphans_and_unflags_checked_cues(workspace):
    build = ("build", "--timing", "proportional", "--jobs", "1", "--quiet")
    assert run_cli(*build, cwd=workspace).returncode == 0
    before = _vtt_times(workspace)
    assert len(_report(workspace)["flagged_cues"]) == len(before)  # proportional: all to review

    cues = _cues_of(workspace)
    index = WordIndex(cues)
    entries = AnchorFile((index.anchor(2, Edge.START, 9.876), index.anchor(2, Edge.END, 12.345),
                          WordAnchor("ce texte a disparu", 1, Edge.START, 20.0)))
    path = workspace / "transcripts" / "atelier.anchors.json"
    anchors.save(path, entries)
    run = run_cli(*build, cwd=workspace)
    assert run.returncode == 0
    after = _vtt_times(workspace)
    assert after[2] == ("00:00:09.876", "00:00:12.345")  # to the millisecond
    assert _seconds(after[1][1]) <= 9.876 - 0.08 and _seconds(after[3][0]) >= 12.345 + 0.08
    assert after[0] != before[0]  # the neighbours were spread again around the anchors
    report = _report(workspace)
    assert report["status"] == "ok" and report["anchors_applied"] == 2
    assert report["flag_reasons"][0] == ["low-confidence"]

    anchors.save(path, AnchorFile(entries.anchors, (index.mark(cues[0], 0, *map(_seconds, after[0])),)))
    run = run_cli(*build, cwd=workspace)
    report = _report(workspace)
    assert report["checked_cues"] == [0] and 0 not in report["flagged_cues"]
    # cue 2 is timed by the editor at both ends: nothing left to doubt
    assert report["flagged_cues"] == [1, 3] and len(report["flag_reasons"]) == 2
    assert report["orphaned_anchors"] == [
        "anchor at the start of \u201cce texte a disparu\u201d (1st occurrence) at 20.000 s: "
        "orphaned, these words are no longer in the transcript; not applied"]
    assert f"warning: transcripts/atelier.md: {report['orphaned_anchors'][0]}" in run.stderr

    again = run_cli(*build, cwd=workspace)  # nothing changed: not rebuilt
    assert _report(workspace)["status"] == "unchanged"
    assert "orphaned" in again.stderr  # still said, from the recorded result


def test_the_anchors_file_is_an_input_of_the_incremental_build(workspace):
    build = ("build", "--timing", "proportional", "--jobs", "1", "--quiet")
    run_cli(*build, cwd=workspace)
    assert run_cli(*build, cwd=workspace).returncode == 0 and _report(workspace)["status"] == "unchanged"
    index = WordIndex(_cues_of(workspace))
    anchors.save(workspace / "transcripts" / "atelier.anchors.json",
                 AnchorFile((index.anchor(1, Edge.START, 7.5),)))
    run_cli(*build, cwd=workspace)
    assert _report(workspace)["status"] == "ok" and _vtt_times(workspace)[1][0] == "00:00:07.500"


def test_a_broken_anchors_file_fails_its_video_in_one_line(workspace):
    (workspace / "transcripts" / "atelier.anchors.json").write_text("{oops", encoding="utf-8")
    run = run_cli("build", "--timing", "proportional", "--jobs", "1", "--quiet", cwd=workspace)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "error: transcripts/atelier.md: transcripts/atelier.anchors.json: not valid JSON" in run.stderr


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
