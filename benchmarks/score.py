"""Score timed captions against a benchmark case's word-level ground truth.

Each cue is tied to the transcript words it shows by aligning the cue words, in order, with
the ground-truth word sequence (a word is compared by its letters and digits only, so
typography, dialogue dashes and no-break spaces do not matter). Then:

- start error: cue start minus the onset of its first word (median, p90, max of the
  absolute value; share within 100, 150 and 250 ms; the signed median shows a bias);
- early: share of cues shown more than 120 ms before their first word;
- cut: share of cues gone more than 100 ms before their last word ends;
- coverage: share of spoken time (the words' own intervals) during which the cue holding
  the word is on screen.

Only cues whose words were all spoken count; cues of sentences left out of the narration
("dropped") are counted apart, with how many the run flagged.

    python benchmarks/score.py CASE.truth.json CAPTIONS.vtt [--report REPORT.json]
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

EARLY_LIMIT = 0.120  # a cue may lead its first word by ~3 frames (CaptionConfig.max_early)
CUT_LIMIT = 0.100  # a cue may leave at most this long before its last word ends
FAR_LIMIT = 0.500  # a cue this far off must be flagged for review
NEAR_LIMIT = 0.250  # a cue this close must not be
MUSIC_NOTE_MIN = 3.0  # music-only stretches this long get a sound cue
SOUND_MARK = "♪"  # sound cues ("♪ Musique ♪") hold it; speech cues never do

_TOKEN = re.compile(r"\S+")
_TAG = re.compile(r"<[^>]*>")
_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")


@dataclass(frozen=True)
class TruthWord:
    """A transcript word and when it was said (times are None when unknown or not said)."""

    text: str
    start: float | None
    end: float | None
    spoken: bool = True


@dataclass(frozen=True)
class Caption:
    """A cue as a viewer sees it: on-screen interval and plain text."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class CueWords:
    """The ground-truth words a cue shows (indices into the truth word list, in order)."""

    caption: Caption
    words: tuple[int, ...]


@dataclass(frozen=True)
class Score:
    cues: int  # cues scored (all their words spoken, first word timed)
    median_signed_ms: float | None  # bias: negative when cues tend to appear early
    median_ms: float | None
    p90_ms: float | None
    max_ms: float | None
    within_100: float | None  # percent of scored cues
    within_150: float | None
    within_250: float | None
    early_120: float | None  # percent shown > 120 ms before their first word
    cut_100: float | None  # percent gone > 100 ms before their last word ends
    coverage: float | None  # percent of spoken word time with the right cue on screen
    dropped_cues: int  # cues whose words were not said
    dropped_flagged: int | None  # of those, how many the run's report flagged (None: no report)
    unmatched_cues: int  # cues none of whose words are in the transcript
    unmatched_words: int  # spoken truth words that no cue shows
    far_cues: int = 0  # scored cues starting more than 500 ms from their first word
    far_flagged: float | None = None  # percent of those the report flagged (None: no report)
    near_flagged: float | None = None  # percent of cues within 250 ms that it flagged
    in_music: int = 0  # speech cues shown more than 120 ms inside music-only audio
    music_stretches: int = 0  # music-only stretches of 3 s or more
    music_noted: int = 0  # of those, how many a sound cue (with a note) overlaps by half
    music_notes_on_speech: int = 0  # sound cues shown more than 250 ms over speech

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def word_key(token: str) -> str:
    """What identifies a word across typographies: its letters and digits, case-folded."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", token).casefold() if ch.isalnum())


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text``: whitespace-separated tokens holding a letter or
    digit (a lone dash, bracket or question mark is not a word)."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text) if word_key(m.group())]


def read_vtt(path: Path) -> list[Caption]:
    """The cues of a WebVTT file, with markup and entities removed."""
    captions: list[Caption] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")):
        lines = block.strip("\n").split("\n")
        for i, line in enumerate(lines):
            timing = _TIMING.match(line)
            if timing:
                text = html.unescape(_TAG.sub("", "\n".join(lines[i + 1 :])))
                captions.append(Caption(_seconds(timing[1]), _seconds(timing[2]), text))
                break
    return captions


def load_truth(path: Path) -> list[TruthWord]:
    """The word list of a ground-truth JSON written by ``generate.py``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [TruthWord(w["text"], w["start"], w["end"], w["spoken"]) for w in data["words"]]


def load_music_only(path: Path) -> list[tuple[float, float]]:
    """The stretches of a case where music is heard and nobody speaks (real-speech cases)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(float(a), float(b)) for a, b in data.get("checks", {}).get("music_only", [])]


def match_cues(captions: Sequence[Caption], truth: Sequence[TruthWord]) -> list[CueWords]:
    """Tie every caption to the truth words it shows, by an in-order alignment of words."""
    cue_of_token: list[int] = []
    cue_keys: list[str] = []
    for index, caption in enumerate(captions):
        for start, end in word_spans(caption.text):
            cue_keys.append(word_key(caption.text[start:end]))
            cue_of_token.append(index)
    truth_keys = [word_key(w.text) for w in truth]
    matched: list[list[int]] = [[] for _ in captions]
    matcher = difflib.SequenceMatcher(None, cue_keys, truth_keys, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            matched[cue_of_token[a + k]].append(b + k)
    return [CueWords(caption, tuple(words)) for caption, words in zip(captions, matched)]


def score(
    captions: Sequence[Caption],
    truth: Sequence[TruthWord],
    flagged: Iterable[int] | None = None,
    music_only: Sequence[tuple[float, float]] = (),
) -> Score:
    """Compare captions with the truth; ``flagged`` holds the positions (0-based, in file
    order, sound cues included) of cues the run reported for review; ``music_only`` the
    stretches where only music is heard. Sound cues are scored apart from speech cues."""
    indexed = [(i, c) for i, c in enumerate(captions) if SOUND_MARK not in c.text]
    sounds = [c for c in captions if SOUND_MARK in c.text]
    cues = match_cues([c for _, c in indexed], truth)
    flagged_set = set(flagged) if flagged is not None else None
    errors, cuts, dropped, dropped_flagged, is_flagged = [], [], 0, 0, []
    for (index, _caption), cue in zip(indexed, cues):
        if not cue.words:
            continue
        words = [truth[i] for i in cue.words]
        if not any(w.spoken for w in words):
            dropped += 1
            dropped_flagged += flagged_set is not None and index in flagged_set
            continue
        if not all(w.spoken for w in words):
            continue
        first, last = words[0], words[-1]
        if first.start is not None:
            errors.append(cue.caption.start - first.start)
            is_flagged.append(flagged_set is not None and index in flagged_set)
        if last.end is not None:
            cuts.append(cue.caption.end < last.end - CUT_LIMIT)
    shown = np.array(errors)
    absolute = np.abs(shown)
    flags = np.array(is_flagged, bool)
    far, near = absolute > FAR_LIMIT, absolute <= NEAR_LIMIT
    voice = _voice_spans(truth)
    return Score(
        cues=len(errors),
        median_signed_ms=_ms(np.median(shown)) if len(shown) else None,
        median_ms=_ms(np.median(absolute)) if len(shown) else None,
        p90_ms=_ms(np.percentile(absolute, 90)) if len(shown) else None,
        max_ms=_ms(absolute.max()) if len(shown) else None,
        within_100=_percent(absolute <= 0.100),
        within_150=_percent(absolute <= 0.150),
        within_250=_percent(absolute <= 0.250),
        early_120=_percent(shown < -EARLY_LIMIT),
        cut_100=_percent(np.array(cuts, bool)),
        coverage=_coverage(cues, truth),
        dropped_cues=dropped,
        dropped_flagged=dropped_flagged if flagged_set is not None else None,
        unmatched_cues=sum(1 for cue in cues if not cue.words),
        unmatched_words=_unmatched_words(cues, truth),
        far_cues=int(far.sum()),
        far_flagged=_percent(flags[far]) if flagged_set is not None else None,
        near_flagged=_percent(flags[near]) if flagged_set is not None else None,
        in_music=sum(1 for cue in cues if cue.words and _overlap(cue.caption, music_only) > EARLY_LIMIT),
        music_stretches=sum(1 for a, b in music_only if b - a >= MUSIC_NOTE_MIN),
        music_noted=sum(
            1 for a, b in music_only
            if b - a >= MUSIC_NOTE_MIN and any(_overlap(c, [(a, b)]) >= (b - a) / 2 for c in sounds)
        ),
        music_notes_on_speech=sum(1 for c in sounds if _overlap(c, voice) > NEAR_LIMIT),
    )


def _overlap(caption: Caption, spans: Sequence[tuple[float, float]]) -> float:
    """Seconds of ``caption`` on screen inside ``spans``."""
    return sum(max(0.0, min(caption.end, b) - max(caption.start, a)) for a, b in spans)


def _voice_spans(truth: Sequence[TruthWord]) -> list[tuple[float, float]]:
    """Where the written words are said, as far as the truth knows: from each timed start to
    the next timed end."""
    spans, start = [], None
    for word in truth:
        if word.start is not None:
            start = word.start
        if word.end is not None and start is not None:
            spans.append((start, word.end))
            start = None
    return spans


def flagged_cues(report: dict) -> set[int]:
    """Positions (0-based, in file order) of the cues a ``subtitler build`` report
    (``OUT/report.json``, one video) lists for review."""
    videos = report.get("videos") or [{}]
    return {int(index) for index in videos[0].get("flagged_cues", ())}


def markdown_header(extra: Sequence[str] = ()) -> str:
    columns = [
        "case", "method", "cues", "median ms", "p90 ms", "max ms", "≤100 ms", "≤150 ms", "≤250 ms",
        "early >120 ms", "cut >100 ms", "spoken time covered", "dropped (flagged)", *extra,
    ]
    return "| " + " | ".join(columns) + " |\n|---|---|" + "--:|" * (len(columns) - 2)


def markdown_row(case: str, method: str, result: Score, extra: Sequence[str] = ()) -> str:
    dropped = (
        f"{result.dropped_cues} ({result.dropped_flagged})"
        if result.dropped_flagged is not None
        else str(result.dropped_cues)
    )
    cells = [
        case, method, str(result.cues),
        _cell(result.median_ms, "{:.0f}"), _cell(result.p90_ms, "{:.0f}"), _cell(result.max_ms, "{:.0f}"),
        _cell(result.within_100, "{:.1f} %"), _cell(result.within_150, "{:.1f} %"),
        _cell(result.within_250, "{:.1f} %"), _cell(result.early_120, "{:.1f} %"),
        _cell(result.cut_100, "{:.1f} %"), _cell(result.coverage, "{:.1f} %"), dropped, *extra,
    ]
    return "| " + " | ".join(cells) + " |"


def _coverage(cues: Sequence[CueWords], truth: Sequence[TruthWord]) -> float | None:
    """Share of the spoken words' time during which the cue showing each word is up."""
    shown_by: dict[int, Caption] = {}
    for cue in cues:
        for i in cue.words:
            shown_by.setdefault(i, cue.caption)
    total = covered = 0.0
    for i, word in enumerate(truth):
        if not word.spoken or word.start is None or word.end is None or word.end <= word.start:
            continue
        total += word.end - word.start
        caption = shown_by.get(i)
        if caption is not None:
            covered += max(0.0, min(word.end, caption.end) - max(word.start, caption.start))
    if total == 0 or any(w.spoken and (w.start is None or w.end is None) for w in truth):
        return None
    return 100.0 * covered / total


def _unmatched_words(cues: Sequence[CueWords], truth: Sequence[TruthWord]) -> int:
    shown = {i for cue in cues for i in cue.words}
    return sum(1 for i, w in enumerate(truth) if w.spoken and i not in shown)


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _ms(value: float) -> float:
    return round(float(value) * 1000.0, 1)


def _percent(mask: np.ndarray) -> float | None:
    return round(100.0 * float(np.mean(mask)), 2) if len(mask) else None


def _cell(value: float | None, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score a WebVTT file against benchmark ground truth.")
    parser.add_argument("truth", type=Path, help="ground truth JSON written by generate.py")
    parser.add_argument("captions", type=Path, help="WebVTT file to score")
    parser.add_argument("--report", type=Path, help="per-video report JSON (flags of dropped cues)")
    parser.add_argument("--case", default=None, help="case name for the table row")
    parser.add_argument("--method", default="?", help="method name for the table row")
    args = parser.parse_args(argv)
    flagged = (
        flagged_cues(json.loads(args.report.read_text(encoding="utf-8"))) if args.report else None
    )
    result = score(read_vtt(args.captions), load_truth(args.truth), flagged, load_music_only(args.truth))
    print(json.dumps(result.as_dict(), indent=2))
    print(markdown_header())
    print(markdown_row(args.case or args.truth.stem.split(".")[0], args.method, result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
