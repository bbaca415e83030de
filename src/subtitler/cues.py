"""Cut sentences into caption cues (caption-rules.md §2, §5, §6, §10).

A cue shows either one or more whole short sentences, or a piece of a long sentence:

- **Fragments** are never shown alone. A sentence that takes less than ``min_cue_speech`` to
  say (a lone "Et", "Oui.", "Alors :", a "?" left alone in its paragraph) is cut together with
  a neighbour of the same speaker's turn, across paragraphs: with what follows ("Alors :
  voici…", "Et" + the next list item), or with what precedes when it closes it (a "?" or
  "Voilà." ending a paragraph after other sentences, or the last words of a turn).
- **Splitting.** Such a *unit* (one sentence, or a fragment and its neighbour) longer than
  one line is cut into pieces when it does not fit a cue, fits only with a bad line break
  (``CLEAN_BREAK_LIMIT``), or takes longer than ``max_cue_speech`` to say. Dynamic
  programming over the places a line could break chooses the pieces: each piece must fit,
  pieces come out of similar length (no three-word orphan at the end), pieces shorter than
  ``min_cue_chars`` or crowding their lines are penalised, so are pieces said in less than
  ``min_cue_speech`` ("Au fil des années 1980,") or more than ``max_cue_speech`` (spoken
  length: numbers, dates and units as the verbaliser spells them out, so "en 1984" weighs
  its 8 syllables), and the cut points are scored like line breaks (after a sentence mark,
  then , ; :, then before a conjunction or relative pronoun; never after an article,
  preposition, determiner, pronoun or clitic when avoidable).
- **Merging** (whole units only, never a piece of a split sentence): a unit joins the cue
  before it, of the same block and speaker, when together they still fit on one line of
  ``preferred_line_chars``; or, in the same turn, when one of them is shorter than
  ``min_cue_chars`` or ``min_cue_speech`` and together they fit the cue.
- **Dialogue.** A cue that begins a speaker's turn starts its first line with "- " (ARCOM: a
  change of speaker always shows a dash). The end of one turn and the start of the next share
  one cue only when both are whole sentences that each fit on one line of
  ``preferred_line_chars`` with the dash, and one of them is shorter than ``min_cue_chars``
  (a quick exchange: "Bonjour." / "Bonjour, merci."), so that it does not flash alone; then
  each line starts with "- " (Netflix French: one speaker per line). A turn too short to be
  shown alone ("- Oui.") shares a cue that way with the one-line end of the turn before, or
  else with the one-line start of the turn after. No other cue spans a change of speaker.
- **Kept apart.** A sentence in ``build_cues``'s ``apart`` begins a cue and shares none with
  what comes before: no fragment, merge or dialogue pairing crosses it (the audio timing
  asks for it when music was heard inside a cue: ``timing.sounds.sentences_apart_by_music``).
- **Speakers.** ``Cue.voices`` names who says each turn a cue shows, when a speaker label
  named them (transcript.py), for the WebVTT voice tag.
- **Continuity.** A sentence running on into the next cue gets no ellipsis and no dash.
- **Positions.** ``block_offset`` is ``sentence.offset`` plus the first word's position in
  ``sentence.text``: exact when the sentence text is its block's text as written from
  ``offset`` (a sentence splitter that collapses whitespace runs shifts it after such a run).
- **Words.** ``Cue.text`` holds the spoken words in order, as written, joined by single
  spaces; ``Cue.lines`` the same characters with French typography (no-break spaces, ’) and
  dialogue dashes. No word is lost, changed or reordered.
- **Words longer than a line** (a long URL) are never cut, which would change the text: such
  a word takes a line of its own, over-long, and ``layout_warnings`` reports it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from subtitler.config import CaptionConfig
from subtitler.linebreak import BreakScore, break_lines, break_scores, split_breakable
from subtitler.model import Cue, Sentence
from subtitler.speaking_time import (
    estimate_pauses,
    estimate_speaking_time,
    word_speaking_time,
)
from subtitler.typography import french_typography

DIALOGUE_DASH = "- "

# Cut costs, in the points of linebreak's scores (a sentence-end break is worth 10).
PIECE_COST = 6.0  # each extra cue: fewer, fuller cues are read more calmly
LENGTH_WEIGHT = 10.0  # times the squared relative distance from the sentence's mean piece
SHORT_PIECE_COST = 20.0  # a piece under min_cue_chars
CROWDING_COST = 0.5  # per character beyond max_lines * preferred_line_chars
HARD_BREAK_COST = 100.0  # per hard rule broken at the cut (see linebreak.BreakScore)
CLEAN_BREAK_LIMIT = 10.0  # a break costing less is clean (no hard rule, no bound pair)
UNCLEAN_LAYOUT_COST = 50.0  # a piece whose lines can only break at an unclean place
SHORT_SPEECH_COST = 40.0  # a piece said in under min_cue_speech: it would flash by
LONG_SPEECH_COST = 100.0  # a piece said in over max_cue_speech, plus this per second over
FAST_READING_COST = 1.0  # per character per second over max_cps, when read as it is said

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class _Piece:
    """Consecutive words of one unit: what one cue shows before merging."""

    sentence_index: int  # of the first word
    sentence: Sentence  # of the first word
    words: tuple[str, ...]  # as written
    display: str  # french_typography applied, no dash
    block_offset: int
    whole: bool  # the whole unit
    starts_turn: bool  # the first piece of a unit that starts a turn
    ends_sentence: bool
    speech: float  # seconds to say it, pauses inside it included
    pause: float  # seconds of pause its last word's punctuation asks for
    apart: bool = False  # it begins a sentence that shares no cue with what comes before


def build_cues(sentences: Sequence[Sentence], config: CaptionConfig, apart: Collection[int] = ()) -> list[Cue]:
    """Cut ``sentences`` into cues, in order, indexed from 0. A sentence whose index is in
    ``apart`` begins a cue, and shares none with the sentences before it (the audio timing
    found music between them)."""
    pieces = [
        replace(piece, apart=True) if k == 0 and first in apart else piece
        for first, unit in _units(sentences, config, apart)
        for k, piece in enumerate(_unit_pieces(first, unit, config))
    ]
    groups: list[list[_Piece]] = []
    for piece in pieces:
        if groups and not piece.apart and _joins(groups[-1], piece, config):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    groups = _pair_short_turns(groups, config)
    return [_cue(index, group, config) for index, group in enumerate(groups)]


def _units(
    sentences: Sequence[Sentence], config: CaptionConfig, apart: Collection[int] = ()
) -> list[tuple[int, list[Sentence]]]:
    """(index of the first sentence, sentences) of each unit, in order (module docstring);
    a sentence in ``apart`` begins a unit, as a turn does, and joins none before it."""
    units: list[tuple[int, list[Sentence]]] = []
    turn_start = 0  # index in ``units`` of the current turn's first unit
    carry: list[int] = []  # a fragment waiting for what follows
    for i, sentence in enumerate(sentences):
        if sentence.starts_turn or i in apart:
            if carry:
                _attach(units, turn_start, carry, sentences)
                carry = []
            turn_start = len(units)
        group = [*carry, i]
        carry = []
        if _speech(group, sentences, config) >= config.min_cue_speech:
            units.append((group[0], [sentences[k] for k in group]))
            continue
        following = sentences[i + 1] if i + 1 < len(sentences) else None
        has_next = following is not None and not following.starts_turn and i + 1 not in apart
        if len(units) > turn_start and (not has_next or _closes(group, sentences)):
            units[-1][1].extend(sentences[k] for k in group)
        elif has_next:
            carry = group
        else:
            units.append((group[0], [sentences[k] for k in group]))
    if carry:
        _attach(units, turn_start, carry, sentences)
    return units


def _attach(
    units: list[tuple[int, list[Sentence]]], turn_start: int, group: list[int],
    sentences: Sequence[Sentence],
) -> None:
    """A fragment with nothing after it in its turn: with the turn's last unit, else alone."""
    if len(units) > turn_start:
        units[-1][1].extend(sentences[k] for k in group)
    else:
        units.append((group[0], [sentences[k] for k in group]))


def _speech(group: list[int], sentences: Sequence[Sentence], config: CaptionConfig) -> float:
    """Seconds to say these sentences, the pause after the last one left out."""
    text = " ".join(sentences[k].text for k in group)
    words = text.split()
    return estimate_speaking_time(text, config) - (estimate_pauses(words[-1]) if words else 0.0)


def _closes(group: list[int], sentences: Sequence[Sentence]) -> bool:
    """The fragment closes what precedes it: punctuation alone ("?" left in its own
    paragraph), or a sentence ending its paragraph after others ("… Voilà.")."""
    last = sentences[group[-1]]
    if not any(c.isalnum() for k in group for c in sentences[k].text):
        return True
    first = sentences[group[0]]
    previous = sentences[group[0] - 1] if group[0] > 0 else None
    following = sentences[group[-1] + 1] if group[-1] + 1 < len(sentences) else None
    return (
        previous is not None
        and previous.block_index == first.block_index
        and (following is None or following.block_index != last.block_index)
        and last.text.rstrip("»”\"') ").endswith((".", "!", "?", "…"))
    )


def layout_warnings(cues: Sequence[Cue], config: CaptionConfig) -> list[str]:
    """Describe every cue that breaks the layout limits (numbered from 1, as in an SRT file).

    Only a word longer than a line (a long URL) can cause one: ``build_cues`` never cuts a word.
    """
    warnings = []
    for cue in cues:
        if len(cue.lines) > config.max_lines:
            warnings.append(f"cue {cue.index + 1}: {len(cue.lines)} lines (max {config.max_lines})")
        for line in cue.lines:
            if len(line) > config.max_line_chars:
                warnings.append(
                    f"cue {cue.index + 1}: a line of {len(line)} characters "
                    f"(max {config.max_line_chars}), a word too long to break: {line}"
                )
    return warnings


def _unit_pieces(first: int, unit: list[Sentence], config: CaptionConfig) -> list[_Piece]:
    """Cut one unit into the pieces its cues will show."""
    words: list[str] = []
    origin: list[tuple[int, int]] = []  # per written word: (sentence in unit, block offset)
    sentence_ends: set[int] = set()  # written words that end a sentence
    for position, sentence in enumerate(unit):
        for match in _WORD.finditer(sentence.text):
            words.append(match.group())
            origin.append((position, sentence.offset + match.start()))
        if origin and origin[-1][0] == position:
            sentence_ends.add(len(words) - 1)
    if not words:
        return []
    display_words = split_breakable(french_typography(" ".join(words)))
    word_starts = _display_to_words(words, display_words)
    speech = [word_speaking_time(w, config.speech_rate) for w in display_words]
    pauses = [estimate_pauses(w) for w in display_words]
    prefix = DIALOGUE_DASH if unit[0].starts_turn else ""
    if (
        len(prefix + " ".join(display_words)) <= config.max_line_chars
        and sum(speech) - pauses[-1] <= config.max_cue_speech
    ):
        cuts = [0, len(display_words)]
    else:
        cuts = _cut_points(display_words, len(prefix), speech, pauses, config)
    pieces = []
    for a, b in pairwise(cuts):
        first_word, end_word = word_starts[a], word_starts[b]
        position, offset = origin[first_word]
        pieces.append(
            _Piece(
                sentence_index=first + position,
                sentence=unit[position],
                words=tuple(words[first_word:end_word]),
                display=" ".join(display_words[a:b]),
                block_offset=offset,
                whole=len(cuts) == 2,
                starts_turn=unit[0].starts_turn and a == 0,
                ends_sentence=end_word - 1 in sentence_ends,
                speech=sum(speech[a:b]) - pauses[b - 1],
                pause=pauses[b - 1],
            )
        )
    return pieces


def _display_to_words(words: list[str], display_words: list[str]) -> list[int]:
    """For each display word (and the end), the index of the written word it starts at.

    Typography only changes spaces (never adding a breakable one) and apostrophes, so the
    non-space characters match one for one and every display word starts at a written word.
    """
    word_at: dict[int, int] = {}
    position = 0
    for i, word in enumerate(words):
        word_at[position] = i
        position += len(word)
    word_at[position] = len(words)
    starts = []
    position = 0
    for display_word in display_words:
        starts.append(word_at[position])
        position += sum(1 for c in display_word if not c.isspace())
    starts.append(word_at[position])
    return starts


def _cut_points(
    display_words: list[str],
    prefix_length: int,
    speech: list[float],
    pauses: list[float],
    config: CaptionConfig,
) -> list[int]:
    """Indices in ``display_words`` where the unit's pieces start, and its end.

    Dynamic programming: the cheapest sequence of fitting pieces, by ``_piece_cost`` and
    ``_speech_cost`` plus the cost of each cut (see the module docstring).
    """
    n = len(display_words)
    said = [0.0]
    for seconds in speech:
        said.append(said[-1] + seconds)
    lengths = [len(w) for w in display_words]
    total = sum(lengths) + n - 1 + prefix_length
    target = total / math.ceil(total / (config.max_lines * config.max_line_chars))
    cut_costs = [_cut_cost(score) for score in break_scores(display_words)]
    fill = _LineFill(lengths, [cost < CLEAN_BREAK_LIMIT for cost in cut_costs], config)
    piece_costs = [_piece_cost(length, target, config) for length in range(fill.longest + 1)]
    best = [math.inf] * (n + 1)
    previous = [0] * (n + 1)
    best[0] = 0.0
    for start in range(n):  # every start is reached: a single word always makes a piece
        for end, length, clean_layout in fill.pieces(start, prefix_length if start == 0 else 0):
            if length < len(piece_costs):
                cost = best[start] + piece_costs[length]
            else:  # a word longer than a line, alone
                cost = best[start] + _piece_cost(length, target, config)
            if not clean_layout:
                cost += UNCLEAN_LAYOUT_COST
            seconds = said[end] - said[start] - pauses[end - 1]
            cost += _speech_cost(seconds, end - start < n, config)
            cost += _reading_cost(length, seconds + pauses[end - 1], config)
            if end < n:
                cost += cut_costs[end - 1]
            if cost < best[end]:
                best[end], previous[end] = cost, start
    cuts = [n]
    while cuts[-1] > 0:
        cuts.append(previous[cuts[-1]])
    return cuts[::-1]


class _LineFill:
    """Finds the pieces of a sentence that fit a cue, by filling lines greedily.

    Two fills run side by side: one may break at any space (it decides whether a piece fits:
    greedy needs the fewest lines possible); the other only at clean breaks, latest first
    (it tells whether the piece can be laid out without a bad line break).
    """

    def __init__(self, lengths: list[int], clean: list[bool], config: CaptionConfig) -> None:
        self.lengths, self.clean = lengths, clean
        self.width, self.max_lines = config.max_line_chars, config.max_lines
        self.longest = self.max_lines * (self.width + 1) - 1  # of a piece that fits
        self.cumulative = [0]
        for length in lengths:
            self.cumulative.append(self.cumulative[-1] + length)

    def pieces(self, start: int, prefix_length: int) -> list[tuple[int, int, bool]]:
        """(end, display length, has a clean layout) of each piece [start, end) that fits.

        A word longer than a line takes a line of its own (and the piece has no clean layout).
        """
        lengths, width, cumulative = self.lengths, self.width, self.cumulative
        found = []
        lines, current = 0, width  # any-break fill: lines used, length of the last one
        clean_lines, line_start, clean_ok = 1, start, True  # clean-break fill
        for end in range(start, len(lengths)):
            word = lengths[end] + (prefix_length if end == start else 0)
            if word > width:
                lines, current, clean_ok = lines + 1, width, False
            elif current + 1 + word <= width:
                current += 1 + word
            else:
                lines, current = lines + 1, word
            if lines > self.max_lines:
                break
            if clean_ok:
                line = cumulative[end + 1] - cumulative[line_start] + end - line_start
                if line + (prefix_length if line_start == start else 0) > width:
                    line_start = self._latest_clean_break(line_start, end)
                    clean_lines += 1
                    clean_ok = line_start > 0 and clean_lines <= self.max_lines
            length = prefix_length + cumulative[end + 1] - cumulative[start] + end - start
            found.append((end + 1, length, clean_ok))
        return found

    def _latest_clean_break(self, line_start: int, end: int) -> int:
        """The latest clean break after ``line_start`` leaving words up to ``end`` fitting
        one new line, or 0 when there is none."""
        cumulative = self.cumulative
        for k in range(end, line_start, -1):
            if cumulative[end + 1] - cumulative[k] + end - k > self.width:
                break
            if self.clean[k - 1]:
                return k
        return 0


def _piece_cost(length: int, target: float, config: CaptionConfig) -> float:
    cost = PIECE_COST + LENGTH_WEIGHT * ((length - target) / target) ** 2
    if length < config.min_cue_chars:
        cost += SHORT_PIECE_COST
    crowding = length - config.max_lines * config.preferred_line_chars
    return cost + CROWDING_COST * max(0, crowding)


def _speech_cost(seconds: float, part: bool, config: CaptionConfig) -> float:
    """Cost of a piece said in ``seconds``; a unit said quickly as a whole cannot be helped."""
    if part and seconds < config.min_cue_speech:
        return SHORT_SPEECH_COST
    if seconds > config.max_cue_speech:
        return LONG_SPEECH_COST * (1 + seconds - config.max_cue_speech)
    return 0.0


def _reading_cost(length: int, seconds: float, config: CaptionConfig) -> float:
    """Cost of a piece read faster than ``max_cps`` if shown while it is said and in the pause
    after it: cuts move so that dense words share a cue with lighter ones."""
    if seconds <= 0:
        return 0.0
    return FAST_READING_COST * max(0.0, length / seconds - config.max_cps)


def _cut_cost(score: BreakScore) -> float:
    return HARD_BREAK_COST * score.hard - score.bonus


def _joins(group: list[_Piece], piece: _Piece, config: CaptionConfig) -> bool:
    """Whether ``piece`` joins the cue being built from ``group`` (module docstring rules)."""
    last = group[-1]
    if not (last.whole and piece.whole) or _is_dialogue(group):
        return False
    if _said(group) + last.pause + piece.speech > config.max_cue_speech:
        return False
    comfortable = min(config.preferred_line_chars, config.max_line_chars)
    shown = " ".join(p.display for p in group)
    short = (
        min(len(shown), len(piece.display)) < config.min_cue_chars
        or min(_said(group), piece.speech) < config.min_cue_speech
    )
    if piece.starts_turn:
        return short and _fit_as_dialogue(shown, piece.display, config)
    prefix = DIALOGUE_DASH if group[0].starts_turn else ""
    merged = f"{shown} {piece.display}"
    same_block = piece.sentence.block_index == last.sentence.block_index
    if len(prefix + merged) <= comfortable and same_block:
        return True
    return short and break_lines(merged, config, prefix=prefix) is not None


def _said(group: list[_Piece]) -> float:
    """Seconds to say a group's pieces, the pauses between them included."""
    return sum(p.speech for p in group) + sum(p.pause for p in group[:-1])


def _fit_as_dialogue(first: str, second: str, config: CaptionConfig) -> bool:
    """Two turns fit one cue, each on one line behind its dash."""
    return (
        config.max_lines >= 2
        and len(DIALOGUE_DASH + first) <= config.max_line_chars
        and len(DIALOGUE_DASH + second) <= config.max_line_chars
    )


def _pair_short_turns(groups: list[list[_Piece]], config: CaptionConfig) -> list[list[_Piece]]:
    """A whole turn too short to be shown alone joins, as a dialogue cue, the end of the turn
    before (when that cue is one line and ends a sentence), or else the start of the turn
    after (when that cue is one line)."""
    result: list[list[_Piece]] = []
    pending: list[_Piece] | None = None  # a short turn waiting for the turn after it
    for group in groups:
        if pending is not None:
            if group[0].starts_turn and not group[0].apart and not _is_dialogue(group) and _fit_as_dialogue(
                _shown(pending), _shown(group), config
            ):
                result.append(pending + group)
                pending = None
                continue
            result.append(pending)
            pending = None
        short_turn = (
            group[0].starts_turn
            and not _is_dialogue(group)
            and _said(group) < config.min_cue_speech
        )
        if not short_turn:
            result.append(group)
            continue
        previous = result[-1] if result else None
        if (
            previous is not None
            and not group[0].apart
            and not _is_dialogue(previous)
            and previous[-1].ends_sentence
            and _fit_as_dialogue(_shown(previous), _shown(group), config)
        ):
            result[-1] = previous + group
        else:
            pending = group
    if pending is not None:
        result.append(pending)
    return result


def _shown(group: list[_Piece]) -> str:
    return " ".join(p.display for p in group)


def _is_dialogue(group: list[_Piece]) -> bool:
    """A cue holding the end of one turn and the start of the next."""
    return any(p.starts_turn for p in group[1:])


def _cue(index: int, group: list[_Piece], config: CaptionConfig) -> Cue:
    first = group[0]
    voices: tuple[str | None, ...] = (first.sentence.speaker,)
    if _is_dialogue(group):
        turn = next(i for i, p in enumerate(group) if i > 0 and p.starts_turn)
        lines = tuple(
            DIALOGUE_DASH + " ".join(p.display for p in part)
            for part in (group[:turn], group[turn:])
        )
        voices = (first.sentence.speaker, group[turn].sentence.speaker)
    else:
        prefix = DIALOGUE_DASH if first.starts_turn else ""
        shown = " ".join(p.display for p in group)
        laid_out = break_lines(shown, config, prefix=prefix)
        # None only when the cue holds a word longer than a line.
        lines = laid_out if laid_out is not None else _overlong_layout(shown, prefix, config)
    return Cue(
        index=index,
        lines=lines,
        text=" ".join(word for p in group for word in p.words),
        block_index=first.sentence.block_index,
        sentence_index=first.sentence_index,
        block_offset=first.block_offset,
        starts_turn=first.starts_turn,
        ends_sentence=group[-1].ends_sentence,
        voices=voices if any(voices) else (),
    )


def _overlong_layout(shown: str, prefix: str, config: CaptionConfig) -> tuple[str, ...]:
    """Lines for a cue holding a word longer than a line: that word alone on its line (never
    cut), the other words filling their lines greedily, as ``_LineFill`` counted them."""
    words = split_breakable(shown)
    words[0] = prefix + words[0]
    lines: list[str] = []
    current: list[str] = []
    for word in words:
        if len(word) > config.max_line_chars:
            lines.extend([" ".join(current), word] if current else [word])
            current = []
        elif current and len(" ".join([*current, word])) > config.max_line_chars:
            lines.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return tuple(lines)
