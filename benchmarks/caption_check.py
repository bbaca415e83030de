"""An independent checker of the hard caption rules, for WebVTT files.

Written from ``shared/reference/caption-rules.md`` alone: it parses WebVTT itself and imports
nothing from ``subtitler``, so a bug in the cue builder, the timing rules or the writer cannot
hide itself here. The corpus test (``tests/test_corpus_rules.py``) and the catalogue benchmark
(``benchmarks/batch_corpus.py``) run it on what ``subtitler build`` wrote; run by hand it gives
the same figures for any caption files, the hand-made ones of the corpus included.

Hard rules, each a :class:`Rule` (section of the reference in brackets):

- LINES: at most 2 lines of at most 42 characters; a no-break space counts as one [§2, §10];
- DURATION: 1-7 s on screen [§10]; a cue squeezed between two others (less than 1 s plus two
  minimum gaps from the end of the one before to the start of the one after, so it could not
  last 1 s without taking time from a neighbour) may go down to 0.8 s (Netflix's 5/6 s, §2);
- GAP: at least 2 frames from one cue's end to the next one's start, cues in order [§2, §10];
- ESCAPING: ``&`` only as a character reference, ``<`` only opening one of the allowed tags,
  no ``-->`` in a payload [§8];
- BREAK: no line, and no cue that a sentence runs on from, ends right after an article,
  preposition, determiner, subject pronoun or clitic, elided or not, or after a title before
  a name; no number cut from its unit or inside its digit groups [§6];
- TYPOGRAPHY: a no-break space (U+00A0 or U+202F) before ``: ; ! ?``, inside « », inside
  ``10 000`` and before ``%``/``km``-style units; the apostrophe ’; no space before ``.`` or
  ``,``; no space after an elided word ("l’« environnement »"); no line starting with
  ``? ! : ; » %`` or ending with « [§5]. URLs, e-mail addresses and times (14:30) are left out.

Reading speed (characters shown / seconds on screen) is measured, not judged: the share of
cues at most 20 cps (SDH adult, §2) and at most 17 cps (adult, §2, §10).

    python benchmarks/caption_check.py FILE_OR_FOLDER ... [--fps 25] [--list]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

MAX_LINES = 2
MAX_LINE_CHARS = 42
MIN_DURATION_MS = 1000
SQUEEZED_MIN_DURATION_MS = 800
MAX_DURATION_MS = 7000
MIN_GAP_FRAMES = 2
DEFAULT_FPS = 25.0
CPS_LIMITS = (20.0, 17.0)

NBSP, NNBSP = "\u00a0", "\u202f"
NO_BREAK = NBSP + NNBSP


class Rule(str, Enum):
    LINES = "lines"
    DURATION = "duration"
    GAP = "gap"
    ESCAPING = "escaping"
    BREAK = "break"
    TYPOGRAPHY = "typography"


@dataclass(frozen=True)
class Violation:
    rule: Rule
    cue: int  # 1-based position in the file
    detail: str


@dataclass(frozen=True)
class Cue:
    """One WebVTT cue: times in integer milliseconds, payload as written and as shown."""

    start: int
    end: int
    raw: tuple[str, ...]  # payload lines as in the file
    lines: tuple[str, ...]  # tags removed, character references decoded

    @property
    def chars(self) -> int:
        return sum(len(line) for line in self.lines)

    @property
    def cps(self) -> float:
        seconds = (self.end - self.start) / 1000
        return self.chars / seconds if seconds > 0 else float("inf")


@dataclass(frozen=True)
class FileCheck:
    path: Path
    cues: tuple[Cue, ...]
    violations: tuple[Violation, ...]
    empty_cues: int = 0  # cues with no text (hand-made files have some): not shown, not counted

    def count(self, rule: Rule) -> int:
        return sum(1 for v in self.violations if v.rule is rule)


# --- parsing --------------------------------------------------------------------------------

_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t].*)?$")
_TAG = re.compile(r"</?[^>]*>")


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def parse_vtt(text: str) -> tuple[list[Cue], int]:
    """The cues of a WebVTT text with a non-empty payload, and how many had none.

    Blocks are separated by blank lines; a block is a cue when its first or second line is a
    timing line (W3C WebVTT: an optional identifier, then the timings).
    """
    cues: list[Cue] = []
    empty = 0
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            for position, candidate in enumerate(block[:2]):
                timing = _TIMING.match(candidate.strip())
                if timing:
                    payload = tuple(block[position + 1 :])
                    if not payload:
                        empty += 1
                        break
                    start, end = _ms(*timing.groups()[:4]), _ms(*timing.groups()[4:])
                    shown = tuple(html.unescape(_TAG.sub("", p)) for p in payload)
                    cues.append(Cue(start, end, payload, shown))
                    break
        block = []
    return cues, empty


# --- the rules ------------------------------------------------------------------------------

# caption-rules.md §6, "Never break right after": forms with the typographic apostrophe.
ARTICLES = frozenset("le la les l’ un une des du de d’ au aux".split())
PREPOSITIONS = frozenset("à de en dans par pour sur sous avec sans chez vers entre".split())
DETERMINERS = frozenset("mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs "
                        "ce cet cette ces".split())
SUBJECT_PRONOUNS = frozenset("je j’ tu il elle on nous vous ils elles c’".split())
CLITICS = frozenset("me te se lui leur y en ne n’".split())
NEVER_BEFORE_BREAK = ARTICLES | PREPOSITIONS | DETERMINERS | SUBJECT_PRONOUNS | CLITICS
# §6 "title + name" (Netflix French: M., Mme, Mlle, Me, Dr, Pr).
TITLES = frozenset("m. mme mlle me dr pr mme. mlle. dr. pr.".split())
# §5: units that stay with their number ("15 %", "3 km"), behind a no-break space; the glued
# ones are those that cannot be read otherwise ("17h", not "4G", "3D" or an angle's "360°").
UNITS = "% ‰ € $ £ km m cm mm kg g mg h min s ms Ko Mo Go To °C".split()
GLUED_UNITS = "% ‰ € km cm mm kg mg Ko Mo Go To h min".split()
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_GLUED_UNIT = "|".join(re.escape(u) for u in sorted(GLUED_UNITS, key=len, reverse=True))

_SENTENCE_END = re.compile(r"[.!?…][»”\"')\]\s\u00a0\u202f]*$")
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)’", re.IGNORECASE)
_OPENING = "«“\"'‘([" + NO_BREAK
_PROTECTED = re.compile(r"(?:https?://|ftp://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HIGH_MARK = re.compile(r"[:;!?]+")
_SPACE_BEFORE_LOW = re.compile(rf"\S[ {NO_BREAK}]+[.,](?!\w)")
_STRAIGHT_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_SPACE_AFTER_ELISION = re.compile(
    r"(?<![\w’'])(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)[’'][ \t\u00a0\u202f]",
    re.IGNORECASE,
)
_DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?!\d)")
_UNIT_AFTER_NUMBER = re.compile(
    rf"(?<![\w.,])\d+(?:[.,]\d+)?(?: (?:{_UNIT})|(?:{_GLUED_UNIT}))(?![\w’'])"
)
_BAD_LINE_START = re.compile(r"^[?!:;»%,.)]")
_CHARACTER_REFERENCE = re.compile(r"&(?:amp|lt|gt|nbsp|lrm|rlm|#\d+|#[xX][0-9a-fA-F]+);")
# WebVTT cue text tags (§8): classes after a dot; an annotation only on <v> and <lang>.
_ALLOWED_TAG = re.compile(
    r"</?(?:c|i|b|u|ruby|rt|v|lang)(?:\.[\w-]+)*>"
    r"|<(?:v|lang)(?:\.[\w-]+)*[ \t][^>]*>"
    r"|<(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}>"
)


def check_cues(cues: Sequence[Cue], fps: float = DEFAULT_FPS) -> list[Violation]:
    """Every hard-rule violation of a cue list (cues numbered from 1)."""
    gap = MIN_GAP_FRAMES * 1000 / fps
    found: list[Violation] = []
    for i, cue in enumerate(cues):
        number = i + 1
        previous = cues[i - 1] if i > 0 else None
        following = cues[i + 1] if i + 1 < len(cues) else None
        found += [Violation(Rule.LINES, number, d) for d in _layout(cue)]
        found += [Violation(Rule.DURATION, number, d)
                  for d in _duration(cue, previous, following, gap)]
        if following is not None and following.start - cue.end < gap - 0.5:
            found.append(Violation(Rule.GAP, number, f"{following.start - cue.end} ms to the next "
                                   f"cue (min {gap:.0f})"))
        found += [Violation(Rule.ESCAPING, number, d) for d in _escaping(cue)]
        found += [Violation(Rule.BREAK, number, d) for d in _breaks(cue, following)]
        found += [Violation(Rule.TYPOGRAPHY, number, d) for d in _typography(cue)]
    return found


def _layout(cue: Cue) -> list[str]:
    problems = []
    if len(cue.lines) > MAX_LINES:
        problems.append(f"{len(cue.lines)} lines")
    problems += [f"a line of {len(line)} characters: {line}"
                 for line in cue.lines if len(line) > MAX_LINE_CHARS]
    return problems


def _duration(cue: Cue, previous: Cue | None, following: Cue | None, gap: float) -> list[str]:
    duration = cue.end - cue.start
    if duration > MAX_DURATION_MS:
        return [f"{duration / 1000:.3f} s on screen (max {MAX_DURATION_MS / 1000:g})"]
    if duration >= MIN_DURATION_MS:
        return []
    squeezed = (
        previous is not None
        and following is not None
        and following.start - previous.end < MIN_DURATION_MS + 2 * gap
    )
    if squeezed and duration >= SQUEEZED_MIN_DURATION_MS:
        return []
    least = SQUEEZED_MIN_DURATION_MS if squeezed else MIN_DURATION_MS
    return [f"{duration / 1000:.3f} s on screen (min {least / 1000:g})"]


def _escaping(cue: Cue) -> list[str]:
    problems = []
    for line in cue.raw:
        if "-->" in line:
            problems.append(f"'-->' in the payload: {line}")
        for match in re.finditer("&", line):
            if not _CHARACTER_REFERENCE.match(line, match.start()):
                problems.append(f"unescaped '&': {line}")
        for match in re.finditer("<", line):
            if not _ALLOWED_TAG.match(line, match.start()):
                problems.append(f"unescaped '<': {line}")
    return problems


def _last_word(line: str) -> str:
    """The word a line ends with, lowercase, opening punctuation removed (a word is what lies
    between ordinary spaces: a no-break space glues "mot ?")."""
    words = line.replace("'", "’").split(" ")
    return words[-1].lower().lstrip(_OPENING) if words else ""


def _break_problem(before: str, after: str) -> str | None:
    """Why breaking between the text ``before`` and the text ``after`` is forbidden, if it is."""
    word = _last_word(before.rstrip())
    if word.rstrip(",;:") == "ce":  # "et ce, pendant …": "ce" announces what follows
        return "break after 'ce'"
    if not word or not word[-1].isalnum() and word[-1] != "’" and word not in TITLES:
        return None  # ends with punctuation: always a place to break
    bare = _ELISION.sub("", word) or word  # "d’un" ends like "un", "l’" stays "l’"
    if bare in NEVER_BEFORE_BREAK or word in NEVER_BEFORE_BREAK:
        return f"break after '{word}'"
    if word in TITLES:
        return f"break between the title '{word}' and the name"
    following = after.lstrip().split(" ")[0]
    if re.fullmatch(r"\d+", word) and re.match(rf"(?:{_UNIT})(?![\w’'])", following):
        return f"number and unit split: '{word} | {following}'"
    if re.fullmatch(r"\d{1,3}", word) and re.fullmatch(r"\d{3}\W*", following):
        return f"digit groups split: '{word} | {following}'"
    return None


def _breaks(cue: Cue, following: Cue | None) -> list[str]:
    problems = []
    for upper, lower in zip(cue.lines, cue.lines[1:]):
        if lower.startswith("-"):
            continue  # a new speaker's line: the turn ended
        problem = _break_problem(upper, lower)
        if problem:
            problems.append(f"line {problem}: {upper} | {lower}")
    if following is not None and cue.lines and following.lines:
        last, first = cue.lines[-1], following.lines[0]
        runs_on = not _SENTENCE_END.search(last) and not first.startswith("-")
        problem = _break_problem(last, first) if runs_on else None
        if problem:
            problems.append(f"cue {problem}: {last} | {first}")
    return problems


def _masked(line: str) -> str:
    """The line with URLs and e-mail addresses replaced by letters, which no rule looks at."""
    return _PROTECTED.sub(lambda m: "x" * len(m.group()), line)


def _typography(cue: Cue) -> list[str]:
    problems = []
    for line in cue.lines:
        text = _masked(line)
        for mark in _HIGH_MARK.finditer(text):
            start, end = mark.span()
            if end < len(text) and (text[end].isalnum() or text[end] == "/"):
                continue  # 14:30, a:b, x?y: not punctuation
            before = text[start - 1] if start else ""
            if before == " " or before == "\t":
                problems.append(f"ordinary space before '{mark.group()}': {line}")
            elif before and before not in NO_BREAK:
                problems.append(f"no no-break space before '{mark.group()}': {line}")
        for match in re.finditer("«", text):
            after = text[match.end() : match.end() + 1]
            if after not in tuple(NO_BREAK):
                problems.append(f"no no-break space after '«': {line}")
        for match in re.finditer("»", text):
            before = text[match.start() - 1 : match.start()]
            if match.start() == 0 or before not in tuple(NO_BREAK):
                problems.append(f"no no-break space before '»': {line}")
        if _SPACE_BEFORE_LOW.search(text):
            problems.append(f"a space before '.' or ',': {line}")
        if _STRAIGHT_APOSTROPHE.search(text):
            problems.append(f"straight apostrophe: {line}")
        if _SPACE_AFTER_ELISION.search(text):
            problems.append(f"a space after an elided word: {line}")
        for match in _DIGIT_GROUPS.finditer(text):
            problems.append(f"digit groups separated by an ordinary space: {match.group()}")
        for match in _UNIT_AFTER_NUMBER.finditer(text):
            problems.append(f"no no-break space between number and unit: {match.group()}")
        content = line.removeprefix("- ")
        if _BAD_LINE_START.match(content):
            problems.append(f"line starts with '{content[0]}': {line}")
        if line.rstrip().endswith("«"):
            problems.append(f"line ends with '«': {line}")
    return problems


# --- files and summaries --------------------------------------------------------------------


def check_file(path: Path, fps: float = DEFAULT_FPS) -> FileCheck:
    cues, empty = parse_vtt(Path(path).read_text(encoding="utf-8"))
    return FileCheck(Path(path), tuple(cues), tuple(check_cues(cues, fps)), empty)


@dataclass(frozen=True)
class Summary:
    files: int
    cues: int
    violations: dict[Rule, int] = field(default_factory=dict)
    cps_shares: dict[float, float] = field(default_factory=dict)  # limit -> percent of cues

    @property
    def hard(self) -> int:
        return sum(self.violations.values())


def summarise(checks: Iterable[FileCheck]) -> Summary:
    checks = list(checks)
    cues = [cue for check in checks for cue in check.cues]
    violations = {rule: sum(check.count(rule) for check in checks) for rule in Rule}
    shares = {
        limit: round(100 * sum(1 for c in cues if c.cps <= limit) / len(cues), 1) if cues else 0.0
        for limit in CPS_LIMITS
    }
    return Summary(len(checks), len(cues), violations, shares)


def markdown_row(label: str, summary: Summary) -> str:
    """One row of the README's table: label, files, cues, violations per rule, cps shares."""
    cells = [label, str(summary.files), f"{summary.cues:,}"]
    cells += [f"{summary.violations[rule]:,}" for rule in Rule]
    cells += [f"{summary.cps_shares[limit]} %" for limit in CPS_LIMITS]
    return "| " + " | ".join(cells) + " |"


def markdown_header() -> str:
    names = ["captions", "files", "cues", *(rule.value for rule in Rule),
             *(f"<= {limit:g} cps" for limit in CPS_LIMITS)]
    return "| " + " | ".join(names) + " |\n|---|" + "--:|" * (len(names) - 1)


def vtt_files(inputs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for item in inputs:
        files += sorted(item.rglob("*.vtt")) if item.is_dir() else [item]
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path, help="WebVTT files or folders")
    parser.add_argument("--fps", type=float, default=DEFAULT_FPS,
                        help="frame rate for the gap rule")
    parser.add_argument("--list", action="store_true", help="print every violation")
    args = parser.parse_args(argv)
    checks = [check_file(path, args.fps) for path in vtt_files(args.inputs)]
    if args.list:
        for check in checks:
            for v in check.violations:
                print(f"{check.path}: cue {v.cue}: {v.rule.value}: {v.detail}")
    print(markdown_header())
    print(markdown_row("files given", summarise(checks)))
    return 1 if summarise(checks).hard else 0


if __name__ == "__main__":
    sys.exit(main())
