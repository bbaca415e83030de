"""Lay one caption's display text on lines, breaking where a French reader expects it.

Rules (caption-rules.md §5, §6; Netflix French TTSG; Karamitroglou 1998):

- Lines break only at ordinary spaces: no-break spaces (typography) glue ``mot ?``,
  ``« mot »``, ``15 %``, ``12 h 30``. A no-break space counts as one character.
- The number of lines is the smallest that fits. Text that fits on one line stays on one line
  when it is at most ``preferred_line_chars`` long; between that and ``max_line_chars`` it
  goes on two lines only when a good break exists (punctuation or before a conjunction, lines
  of comparable length, ``GOOD_TWO_LINE_SCORE``), otherwise it stays on one line (Netflix:
  "keep the text on one line unless it is too long").
- Among layouts with that number of lines, the best is chosen by, first, the fewest *hard*
  violations (a line ending in a word of ``FORBIDDEN_AFTER``, also elided as in "d’un", or in
  a title or an initial, or in "ce," of "et ce, pendant …"; a line starting with a dash,
  which a viewer would read as a change of speaker), then the highest score: a bonus after sentence punctuation (not after an
  abbreviation), less after , ; : and before a conjunction or relative pronoun; strong
  penalties for auxiliary | participle, ne … | pas (and ne … | que) and First | Last name; a
  penalty per character of distance from balanced lines, the bottom line a little longer
  (``bottom_heavy_bias``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, pairwise
from typing import NamedTuple

from subtitler.config import CaptionConfig
from subtitler.sentences import FRENCH_ABBREVIATIONS

# ---------------------------------------------------------------------------------------
# Word lists. Source: caption-rules.md §6 "Never break right after" (Netflix French TTSG,
# TED translator wiki, Subtitle Edit's no-break list), extended where marked with words of
# the same class. Forms are lowercase with the typographic apostrophe ’.
# ---------------------------------------------------------------------------------------

ARTICLES = frozenset("le la les l’ un une des du de d’ au aux".split())
PREPOSITIONS = frozenset(
    "à de en dans par pour sur sous avec sans chez vers entre".split()
    # extension: other simple prepositions
    + "contre depuis pendant selon parmi malgré envers jusqu’ via dès".split()
)
DETERMINERS = frozenset(
    "mon ma mes ton ta tes son sa ses notre nos votre vos leurs ce cet cette ces".split()
    # extension: other determiners
    + "quel quelle quels quelles chaque quelques".split()
)
SUBJECT_PRONOUNS = frozenset("je j’ tu il elle on nous vous ils elles c’".split())
CLITICS = frozenset(
    "me te se lui leur y en ne n’".split()
    # extension: the other elided forms
    + "m’ t’ s’".split()
)
# Titles before a name (caption-rules.md §6 "title + name"; Netflix French TTSG writes M., Mme,
# Mlle, Me, Dr, Pr), lowercase, with and without a final dot.
TITLES = frozenset(
    "m. mm. mr. mme mmes mlle mlles me dr pr mgr mme. mmes. mlle. mlles. me. dr. pr. mgr.".split()
)
FORBIDDEN_AFTER = ARTICLES | PREPOSITIONS | DETERMINERS | SUBJECT_PRONOUNS | CLITICS
# Adjectives and indefinites that stand before their noun (Netflix: never separate
# adjective|noun). Soft: some also end a phrase ("les autres"), so they cost points instead
# of counting as a hard violation.
PRENOMINAL = frozenset(
    "nouveau nouvel nouvelle nouveaux nouvelles petit petite petits petites grand grande grands "
    "grandes bon bonne bons bonnes mauvais mauvaise mauvaises jeune jeunes vieux vieil vieille "
    "vieilles beau bel belle beaux belles premier première premiers premières dernier dernière "
    "derniers dernières autre autres plusieurs certains certaines tout toute tous toutes "
    "différents différentes nombreux nombreuses".split()
)

# Breaks are preferred before these (caption-rules.md §6, Netflix "before conjunctions").
CONJUNCTIONS = frozenset(
    "et ou mais donc car que qui dont où parce lorsque puisque quand comme si".split()
)
# Elided conjunctions that open a word: qu’il, lorsqu’on, puisqu’elle, s’il, s’ils.
_ELIDED_CONJUNCTION = re.compile(r"^(?:qu’|lorsqu’|puisqu’|s’ils?$)")
# An elided word glued to the next one: d’un, l’on, qu’il, jusqu’au. The break after it is
# judged on the second word ("d’un" ends like "un").
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)’(?=.)")

# Auxiliary | participle (Netflix: never separate verb|auxiliary). Detection is deliberately
# simple: a form of avoir/être followed by a word with a past-participle ending.
AUXILIARIES = frozenset(
    "ai as a avons avez ont avais avait avions aviez avaient aura auront aurait auraient "
    "avoir ayant eu suis es est sommes êtes sont étais était étions étiez étaient sera seront "
    "serait seraient être étant été".split()
)
_PARTICIPLE = re.compile(
    r"^\w{2,}(?:é|ée|és|ées|i|ie|is|ies|u|ue|us|ues|it|ite|its|ites|ert|erte|erts|ertes)$"
)
# Common words with a participle ending that are not participles.
_NOT_PARTICIPLES = frozenset(
    "ici aussi ainsi parmi celui oui parfois tous nous vous plus sous lui qui mais puis depuis "
    "alors ceci cela".split()
)
# Second half of a negation: never break between it and a "ne"/"n’" just before. "que" is one
# only when no other second half comes first ("n’est | qu’un outil", but "ne sait pas | que").
NEGATION_ENDS = frozenset("pas plus jamais rien guère point personne aucun aucune ni".split())
_NEGATION_REACH = 3  # words back from the break where a "ne" still binds
_RESTRICTIVE = re.compile(r"^(?:que|qu’)")

# Scores (points; a balance point is one character of distance from balanced lines).
SENTENCE_END_BONUS = 10.0
CLAUSE_PUNCTUATION_BONUS = 7.0  # , ; :
CLOSING_BONUS = 3.0  # ) »
BEFORE_CONJUNCTION_BONUS = 6.0
BEFORE_PREPOSITION_BONUS = 2.0  # Netflix: "before prepositions"
CONJUNCTION_AT_END_PENALTY = 6.0  # the conjunction belongs to the next line
UNBREAKABLE_PAIR_PENALTY = 25.0  # auxiliary|participle, ne … pas, First|Last name
NUMBER_AT_END_PENALTY = 4.0  # "15 | élèves"
PRENOMINAL_AT_END_PENALTY = 8.0  # "de nouvelles | idées"
BALANCE_WEIGHT = 0.4  # per character of distance from the balanced line length
# A text that fits on one line but is longer than preferred_line_chars goes on two lines
# only if its best two-line layout scores at least this (a punctuation or conjunction break
# with lines of comparable length).
GOOD_TWO_LINE_SCORE = 3.0

# Whitespace a line may break at: all but the no-break spaces (U+00A0, U+202F, U+2007, U+2060).
_BREAKABLE_SPACE = re.compile(r"[^\S\u00a0\u202f\u2007\u2060]+")
_OPENING = "«“\"'‘([\u00a0\u202f"
_CLOSING = "»”\"'’)]\u00a0\u202f"
_SENTENCE_MARKS = ".!?…"
_CLAUSE_MARKS = ",;:"
_DASHES = "-–—"
_NUMBER = re.compile(r"^[\d\u00a0\u202f.,]+$")
# A final period that ends no sentence: abbreviations (the sentence splitter's list) and
# initials ("J. Dupont", treated like a title).
_ABBREVIATIONS = frozenset(a.lower() for a in FRENCH_ABBREVIATIONS)
_INITIAL = re.compile(r"^[^\W\d_]\.$")


class BreakScore(NamedTuple):
    """How good a line or cue break between two words is."""

    hard: int  # violations of rules that must never be broken
    bonus: float  # preference: positive is a good place, negative a bad one


@dataclass(frozen=True)
class _Word:
    raw: str
    norm: str  # lowercase, ’ for ', opening and closing punctuation removed
    ending: str  # "sentence", "clause", "closing" or "" (ends with a letter or digit)
    capitalised: bool
    title: bool


def split_breakable(text: str) -> list[str]:
    """The words of ``text`` between the spaces a line may break at."""
    return [w for w in _BREAKABLE_SPACE.split(text) if w]


def break_scores(words: Sequence[str]) -> tuple[BreakScore, ...]:
    """Score every break between consecutive words: item ``k`` is the break after ``words[k]``.

    The first word is taken as the start of a sentence (for the First|Last name rule).
    """
    analysed = [_analyse(w) for w in words]
    return tuple(_score(analysed, k + 1) for k in range(len(analysed) - 1))


def break_lines(text: str, config: CaptionConfig, *, prefix: str = "") -> tuple[str, ...] | None:
    """Lay ``text`` on at most ``config.max_lines`` lines of ``config.max_line_chars``.

    ``prefix`` (a dialogue dash "- ") starts the first line, counts in its length and is never
    separated from the first word. Returns None when no layout fits (too long a text, or a word
    longer than a line); returns () for a text without words.
    """
    words = split_breakable(text)
    if not words:
        return ()
    words[0] = prefix + words[0]
    lengths = [len(w) for w in words]
    needed = _fewest_lines(lengths, config.max_line_chars)
    if needed is None or needed > config.max_lines:
        return None
    scores = break_scores([w.removeprefix(prefix) if i == 0 else w for i, w in enumerate(words)])
    if needed == 1:
        one_line = (" ".join(words),)
        if (
            len(one_line[0]) <= config.preferred_line_chars
            or config.max_lines < 2
            or len(words) < 2
        ):
            return one_line
        two = _best_layout(words, lengths, scores, 2, config)
        if two is None or two[0][0] > 0 or -two[0][1] < GOOD_TWO_LINE_SCORE:
            return one_line
        return two[1]
    best = _best_layout(words, lengths, scores, needed, config)
    assert best is not None  # _fewest_lines found a layout with this many lines
    return best[1]


def _best_layout(
    words: list[str],
    lengths: list[int],
    scores: tuple[BreakScore, ...],
    line_count: int,
    config: CaptionConfig,
) -> tuple[tuple[int, float], tuple[str, ...]] | None:
    """The best layout on exactly ``line_count`` lines, with its (hard, -score) key."""
    starts = _line_starts(lengths)
    best: tuple[tuple[int, float], tuple[int, ...]] | None = None
    for cuts in combinations(range(1, len(words)), line_count - 1):
        bounds = (0, *cuts, len(words))
        line_lengths = [_span_length(starts, a, b) for a, b in pairwise(bounds)]
        if max(line_lengths) > config.max_line_chars:
            continue
        hard = sum(scores[c - 1].hard for c in cuts)
        score = sum(scores[c - 1].bonus for c in cuts) - _imbalance(line_lengths, config)
        key = (hard, -score)
        if best is None or key < best[0]:
            best = (key, bounds)
    if best is None:
        return None
    bounds = best[1]
    return best[0], tuple(" ".join(words[a:b]) for a, b in pairwise(bounds))


def _line_starts(lengths: list[int]) -> list[int]:
    """Cumulative lengths, so a span's length is found in constant time."""
    starts = [0]
    for length in lengths:
        starts.append(starts[-1] + length)
    return starts


def _span_length(starts: list[int], a: int, b: int) -> int:
    """Length of words[a:b] joined by single spaces."""
    return starts[b] - starts[a] + (b - a - 1)


def _imbalance(line_lengths: list[int], config: CaptionConfig) -> float:
    """Penalty for lines far from equal length, lower lines allowed to be a little longer."""
    n = len(line_lengths)
    if n < 2:
        return 0.0
    mean = sum(line_lengths) / n
    distance = 0.0
    for k, length in enumerate(line_lengths):
        target = mean * (1 + config.bottom_heavy_bias * (2 * k - (n - 1)) / (n - 1))
        distance += abs(length - target)
    return BALANCE_WEIGHT * distance


def _fewest_lines(lengths: list[int], width: int) -> int | None:
    """Lines a greedy fill needs (the minimum possible), or None if a word is too long."""
    lines, current = 1, -1
    for length in lengths:
        if length > width:
            return None
        if current + 1 + length <= width:
            current += 1 + length
        else:
            lines, current = lines + 1, length
    return lines


@lru_cache(maxsize=1 << 16)
def _analyse(raw: str) -> _Word:
    """What the scores need to know about one word (cached: words recur a lot)."""
    core = raw.lstrip(_OPENING)
    trimmed = core.rstrip(_CLOSING) or core
    last = trimmed[-1:] if trimmed else ""
    lower = raw.lower().replace("'", "’")
    title = lower in TITLES or (_INITIAL.match(raw) is not None and raw[0].isupper())
    if last in _SENTENCE_MARKS and not title and lower not in _ABBREVIATIONS:
        ending = "sentence"
    elif last in _CLAUSE_MARKS:
        ending = "clause"
    elif raw[-1] in ")»":
        ending = "closing"
    else:
        ending = ""
    norm = lower.lstrip(_OPENING).rstrip(
        _CLOSING.replace("’", "") + _SENTENCE_MARKS + _CLAUSE_MARKS
    )
    first_letter = next((c for c in core if c.isalpha()), "")
    return _Word(raw, norm, ending, first_letter.isupper() and core[:1].isalpha(), title)


def _score(words: list[_Word], i: int) -> BreakScore:
    """Score the break before ``words[i]``."""
    before, after = words[i - 1], words[i]
    hard = 1 if after.raw[0] in _DASHES else 0
    if before.ending == "sentence":
        return BreakScore(hard, SENTENCE_END_BONUS)
    if before.ending == "clause":  # but "et ce, | pendant …": "ce" announces what follows
        return BreakScore(hard + (before.norm == "ce"), CLAUSE_PUNCTUATION_BONUS)
    if before.ending == "closing":
        return BreakScore(hard, CLOSING_BONUS)
    if _ELISION.sub("", before.norm) in FORBIDDEN_AFTER or before.title:
        hard += 1
    if _binds(words, i):
        return BreakScore(hard, -UNBREAKABLE_PAIR_PENALTY)
    bonus = 0.0
    if before.norm in CONJUNCTIONS:
        bonus -= CONJUNCTION_AT_END_PENALTY
    if _NUMBER.match(before.norm):
        bonus -= NUMBER_AT_END_PENALTY
    if before.norm in PRENOMINAL:
        bonus -= PRENOMINAL_AT_END_PENALTY
    if after.norm in CONJUNCTIONS or _ELIDED_CONJUNCTION.match(after.norm):
        bonus += BEFORE_CONJUNCTION_BONUS
    elif after.norm in PREPOSITIONS:
        bonus += BEFORE_PREPOSITION_BONUS
    return BreakScore(hard, bonus)


def _binds(words: list[_Word], i: int) -> bool:
    """True when the words around the break form a pair that must stay together."""
    before, after = words[i - 1], words[i]
    if before.norm in AUXILIARIES and _is_participle(after.norm):
        return True
    if (after.norm in NEGATION_ENDS or _RESTRICTIVE.match(after.norm)) and _negated(words, i):
        return True
    at_sentence_start = i - 1 == 0 or words[i - 2].ending == "sentence"
    return before.capitalised and after.capitalised and not at_sentence_start


def _negated(words: list[_Word], i: int) -> bool:
    """A "ne"/"n’" opens, just before the break, a negation not yet closed."""
    for word in reversed(words[max(0, i - _NEGATION_REACH) : i]):
        if word.norm == "ne" or word.norm.startswith("n’"):
            return True
        if word.norm in NEGATION_ENDS:
            return False
    return False


def _is_participle(word: str) -> bool:
    return word not in _NOT_PARTICIPLES and _PARTICIPLE.match(word) is not None
