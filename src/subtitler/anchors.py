"""The editor's fixes to timing, beside the transcript: ``<slug>.anchors.json``.

The file is small and readable, one entry per line, so it sits in version control with the
transcript::

    {
     "version": 1,
     "anchors": [
      {"edge": "start", "time": 12.48, "words": "Je suis programmeur", "occurrence": 1}
     ],
     "checked": [
      {"start": 3.1, "end": 5.92, "words": "Bonjour. Je m'appelle", "occurrence": 1,
       "text": "Bonjour. Je m'appelle Éric Joanis."}
     ]
    }

An entry is tied to the words it is about, never to a cue number (cue numbers change when
the text does): ``words`` are a few words as written and ``occurrence`` says which of their
occurrences in the spoken text (1 = the first). A *start* anchor times the onset of its
first word, an *end* anchor the end of its last word; the words are chosen to be unique in
the text when a few can be, so an edit elsewhere does not change which place they name.
Words are compared by their letters and digits only (typography does not orphan an entry).

A *checked* mark says an editor looked at the cue beginning with ``words`` and found it
right: it holds, and the cue is not flagged for review, while the cue's text and times stay
exactly ``text``, ``start`` and ``end``.

After each build every entry is resolved to the cue it names. One whose words are gone, or
no longer begin (end) a cue, is reported and never applied anywhere else.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import AnchorsError
from .fsutil import atomic_write_text
from .model import Cue, Flag, TimedCue
from .timing.anchored import CueAnchor, Edge

SUFFIX = ".anchors.json"
VERSION = 1
MIN_WORDS = 3  # words an entry names at least (fewer when the text has fewer)...
MAX_WORDS = 8  # ...and at most, when no shorter run of words is unique


@dataclass(frozen=True)
class WordAnchor:
    """A timing fix: the ``edge`` of these words is at ``time`` seconds."""

    words: str
    occurrence: int
    edge: Edge
    time: float

    def describe(self) -> str:
        return f"{self.edge.value} of \u201c{self.words}\u201d ({_ordinal(self.occurrence)}) at {self.time:.3f} s"


@dataclass(frozen=True)
class CheckedMark:
    """An editor's "this cue is right", valid while its text and times are these."""

    words: str
    occurrence: int
    text: str
    start: float
    end: float

    def describe(self) -> str:
        return f"checked mark of \u201c{self.words}\u201d ({_ordinal(self.occurrence)})"


@dataclass(frozen=True)
class AnchorFile:
    anchors: tuple[WordAnchor, ...] = ()
    checked: tuple[CheckedMark, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """Where a file's entries fall in this build's cues."""

    anchors: tuple[CueAnchor, ...]  # for the timing step; label = the entry's description
    checked: dict[int, CheckedMark]  # cue position -> its mark
    orphaned: tuple[str, ...]  # entries not applied, each with the reason


def path_for(transcript: Path, slug: str) -> Path:
    """``<slug>.anchors.json`` beside the transcript."""
    return Path(transcript).with_name(slug + SUFFIX)


# --- reading and writing -------------------------------------------------------------------


def load(path: Path) -> AnchorFile:
    """The file's entries; an empty set when there is no file. Refused, with the file and
    the problem in one line, when it is not a valid anchors file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AnchorFile()
    except (OSError, UnicodeDecodeError) as error:
        raise AnchorsError(f"cannot read the anchors file: {error}", path) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise AnchorsError(f"not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}",
                           path) from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise AnchorsError(f'not an anchors file of version {VERSION} (expected {{"version": {VERSION}, ...}})',
                           path)
    try:
        anchors = tuple(_anchor(entry) for entry in _entries(data, "anchors"))
        checked = tuple(_mark(entry) for entry in _entries(data, "checked"))
    except (KeyError, TypeError, ValueError) as error:
        raise AnchorsError(f"bad entry: {error}", path) from None
    return AnchorFile(anchors, checked)


def dumps(entries: AnchorFile) -> str:
    """The file's text: entries sorted by time, one per line (diffs stay readable)."""
    anchors = sorted(entries.anchors, key=lambda a: (a.time, a.edge is Edge.END, a.words, a.occurrence))
    checked = sorted(entries.checked, key=lambda m: (m.start, m.end, m.words, m.occurrence))
    anchor_lines = [_json({"edge": a.edge.value, "time": a.time, "words": a.words,
                           "occurrence": a.occurrence}) for a in anchors]
    mark_lines = [_json({"start": m.start, "end": m.end, "words": m.words, "occurrence": m.occurrence,
                         "text": m.text}) for m in checked]
    return "\n".join(["{", f' "version": {VERSION},', f' "anchors": {_list(anchor_lines)},',
                      f' "checked": {_list(mark_lines)}', "}"]) + "\n"


def _list(lines: list[str]) -> str:
    return "[\n" + ",\n".join("  " + line for line in lines) + "\n ]" if lines else "[]"


def save(path: Path, entries: AnchorFile) -> None:
    """Write the file atomically (a reader sees the old or the new file, never half)."""
    atomic_write_text(Path(path), dumps(entries))


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False)


def _entries(data: dict, name: str) -> list:
    entries = data.get(name, [])
    if not isinstance(entries, list):
        raise ValueError(f"'{name}' must be a list")
    return entries


def _anchor(entry: dict) -> WordAnchor:
    return WordAnchor(_words(entry), _occurrence(entry), Edge(entry["edge"]), _time(entry, "time"))


def _mark(entry: dict) -> CheckedMark:
    text = entry["text"]
    if not isinstance(text, str):
        raise TypeError(f"'text' must be text in {entry!r}")
    return CheckedMark(_words(entry), _occurrence(entry), text, _time(entry, "start"), _time(entry, "end"))


def _words(entry: dict) -> str:
    words = entry["words"]
    if not isinstance(words, str) or not _keys(words):
        raise ValueError(f"'words' must hold at least one word in {entry!r}")
    return words


def _occurrence(entry: dict) -> int:
    value = entry.get("occurrence", 1)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"'occurrence' must be a whole number from 1 in {entry!r}")
    return value


def _time(entry: dict, name: str) -> float:
    value = entry[name]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1e6:
        raise ValueError(f"'{name}' must be a time in seconds in {entry!r}")
    return round(float(value), 3)


def _ordinal(n: int) -> str:
    return f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'} occurrence"


# --- words of the text ---------------------------------------------------------------------


def _key(token: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", token).casefold() if c.isalnum())


def _keys(text: str) -> list[str]:
    return [key for key in map(_key, text.split()) if key]


class WordIndex:
    """The spoken words of a cue list, and where each cue begins and ends in them."""

    def __init__(self, cues: Sequence[Cue]) -> None:
        self.words: list[str] = []  # as written
        self.keys: list[str] = []
        self.first: list[int] = []  # first word of each cue (-1: no word)
        self.last: list[int] = []
        for cue in cues:
            tokens = [t for t in cue.text.split() if _key(t)]
            self.first.append(len(self.words) if tokens else -1)
            self.words += tokens
            self.keys += map(_key, tokens)
            self.last.append(len(self.words) - 1 if tokens else -1)
        self._cue_of_first = {w: k for k, w in enumerate(self.first) if w >= 0}
        self._cue_of_last = {w: k for k, w in enumerate(self.last) if w >= 0}

    def find(self, words: str, occurrence: int) -> int | None:
        """Position of the first word of the ``occurrence``-th run of ``words``."""
        run = _keys(words)
        seen = 0
        for p in range(len(self.keys) - len(run) + 1):
            if self.keys[p : p + len(run)] == run:
                seen += 1
                if seen == occurrence:
                    return p
        return None

    def run(self, start: int, length: int) -> tuple[str, int]:
        """(words as written, occurrence) of the run of ``length`` words from ``start``."""
        keys = self.keys[start : start + length]
        before = sum(1 for p in range(start) if self.keys[p : p + length] == keys)
        return " ".join(self.words[start : start + length]), before + 1

    def naming(self, start: int, backwards: bool = False) -> tuple[str, int]:
        """The words that name a place: MIN_WORDS from ``start`` (up to it when
        ``backwards``), more until they are unique in the text, at most MAX_WORDS."""
        room = start + 1 if backwards else len(self.keys) - start
        for length in range(min(MIN_WORDS, room), min(MAX_WORDS, room) + 1):
            first = start - length + 1 if backwards else start
            words, occurrence = self.run(first, length)
            if self.find(words, 2) is None:
                return words, occurrence
        length = min(MIN_WORDS, room)
        return self.run(start - length + 1 if backwards else start, length)

    def anchor(self, cue: int, edge: Edge, time: float) -> WordAnchor:
        """The entry that anchors ``edge`` of the cue at position ``cue``."""
        if edge is Edge.START:
            words, occurrence = self.naming(self.first[cue])
        else:
            words, occurrence = self.naming(self.last[cue], backwards=True)
        return WordAnchor(words, occurrence, edge, round(time, 3))

    def mark(self, cue: Cue, position: int, start: float, end: float) -> CheckedMark:
        words, occurrence = self.naming(self.first[position])
        return CheckedMark(words, occurrence, cue.text, round(start, 3), round(end, 3))

    def cue_of(self, words: str, occurrence: int, edge: Edge) -> int | None:
        """The cue whose ``edge`` these words name, or None."""
        p = self.find(words, occurrence)
        if p is None:
            return None
        if edge is Edge.START:
            return self._cue_of_first.get(p)
        return self._cue_of_last.get(p + len(_keys(words)) - 1)


# --- resolving entries to this build's cues ------------------------------------------------


def resolve(entries: AnchorFile, cues: Sequence[Cue]) -> Resolution:
    index = WordIndex(cues)
    anchors: list[CueAnchor] = []
    orphaned: list[str] = []
    for anchor in entries.anchors:
        cue = index.cue_of(anchor.words, anchor.occurrence, anchor.edge)
        if cue is not None:
            anchors.append(CueAnchor(cue, anchor.edge, anchor.time, anchor.describe()))
        else:
            orphaned.append(f"anchor at the {anchor.describe()}: {_why_not(index, anchor.words, anchor.occurrence, anchor.edge)}")
    checked: dict[int, CheckedMark] = {}
    for mark in entries.checked:
        cue = index.cue_of(mark.words, mark.occurrence, Edge.START)
        if cue is not None:
            checked[cue] = mark
        else:
            orphaned.append(f"{mark.describe()}: {_why_not(index, mark.words, mark.occurrence, Edge.START)}")
    return Resolution(tuple(anchors), checked, tuple(orphaned))


def _why_not(index: WordIndex, words: str, occurrence: int, edge: Edge) -> str:
    if index.find(words, occurrence) is None:
        return "orphaned, these words are no longer in the transcript; not applied"
    where = "begin" if edge is Edge.START else "end"
    return f"these words no longer {where} a cue; not applied"


def holds(mark: CheckedMark, timed: TimedCue) -> bool:
    """The cue is still what the editor checked: same text, same times to the millisecond."""
    return (timed.cue.text == mark.text and round(timed.start, 3) == mark.start
            and round(timed.end, 3) == mark.end)


def mark_checked(timed: Sequence[TimedCue], resolution: Resolution) -> list[TimedCue]:
    """The timed cues, those whose checked mark holds flagged ``checked`` (not to review)."""
    result = []
    for k, cue in enumerate(timed):
        mark = resolution.checked.get(k)
        if mark is not None and holds(mark, cue):
            cue = replace(cue, flags=(*cue.flags, Flag.CHECKED))
        result.append(cue)
    return result
