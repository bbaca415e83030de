"""The transcript body as HTML: blocks as the author wrote them, with a time control per cue.

A cue starts at ``cue.block_offset``, a character index in ``Block.text``; the block's inline
runs are split there so the control sits exactly before the cue's first word, inside whatever
bold or emphasis surrounds it. Each cue's words are wrapped in ``<span class="cue">`` so the
script can mark the passage being played; a cue that runs on into the next block gets a second
span there, without a control.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..model import Block, BlockKind, Inline, InlineKind
from .clock import clock, spoken_duration
from .markup import safe_href, text


@dataclass(frozen=True)
class CueMark:
    """A time control to place in a block: which cue, where, and where it leads."""

    number: int  # the cue's position in the video's cue list
    offset: int  # index of the cue's first character in ``Block.text``
    start: float
    href: str  # the no-JavaScript link (watch page at ``start``); "" without a player
    sound: str | None = None  # a sound note's words ("Musique"), shown before the block (after
    # it when ``offset`` is the block's end: the note follows all of the block's speech)


@dataclass(frozen=True)
class _Run:
    start: int  # index of the run's first character in ``Block.text``
    inline: Inline

    @property
    def end(self) -> int:
        return self.start + _length(self.inline)


def _length(inline: Inline) -> int:
    return 1 if inline.kind is InlineKind.LINE_BREAK else len(inline.text)


def _runs(block: Block) -> list[_Run]:
    runs, position = [], 0
    for inline in block.inlines:
        runs.append(_Run(position, inline))
        position += _length(inline)
    return runs


def render_blocks(
    blocks: Sequence[tuple[int, Block]],
    top_level: int,
    marks: Mapping[int, Sequence[CueMark]] | None = None,
) -> str:
    """HTML for ``(index, block)`` pairs in order.

    The author's heading levels, by rank, become ``top_level``, ``top_level + 1``... (a ``#``
    under the page's own ``h2`` becomes ``h3``; ``#`` then ``###`` never skips a level).
    ``marks`` maps a block index to the cues starting in it. Text of a spoken block before its
    first cue belongs to the last cue placed earlier (a cue spanning two blocks).
    """
    marks = marks or {}
    levels = sorted({b.level for _, b in blocks if b.kind is BlockKind.HEADING})
    rank = {level: n for n, level in enumerate(levels)}
    out: list[str] = []
    carry: int | None = None
    lists = _ListNester(out)
    for index, block in blocks:
        block_marks = [m for m in marks.get(index, ()) if m.sound is None]
        notes = [m for m in marks.get(index, ()) if m.sound is not None]
        end = len(block.text)
        after = [note for note in notes if 0 < end <= note.offset]  # at the block's end: an outro
        if len(after) < len(notes):
            lists.close_all()
            out.extend(_sound_note(note) for note in notes if note not in after)
        inner = _block_inner(block, block_marks, carry if block.spoken else None)
        if block_marks:
            carry = block_marks[-1].number
        if block.kind is BlockKind.LIST_ITEM:
            lists.item(index, block, inner)
        else:
            lists.close_all()
            if block.kind is BlockKind.HEADING:
                level = min(6, top_level + rank[block.level])
                out.append(f"<h{level}>{inner}</h{level}>")
            elif block.speaker_turn:
                out.append(f'<p class="turn">{TURN_MARK}{inner}</p>')
            else:
                out.append(f"<p>{inner}</p>")
        if after:
            lists.close_all()
            out.extend(_sound_note(note) for note in after)
    lists.close_all()
    return "\n".join(out)


def inline_html(block: Block) -> str:
    """The block's content without its element (a heading's words reused as a section title)."""
    return _block_inner(block, [], None)


# A new speaker's turn: the dialogue dash French transcripts use, and words for screen readers.
TURN_MARK = (
    '<span class="turn-mark" aria-hidden="true">\u2014 </span>'
    '<span class="visually-hidden">Nouvelle prise de parole\u00a0: </span>'
)


class _ListNester:
    """Turns a run of list items (each with a nesting level) into nested ``ul``/``ol``."""

    def __init__(self, out: list[str]) -> None:
        self._out = out
        self._html: list[str] = []  # the list being built, written out whole when it closes
        self._open: list[tuple[int, bool]] = []  # (level, ordered) of each open list
        self._previous: int | None = None  # block index of the last item seen

    def item(self, index: int, block: Block, inner: str) -> None:
        if self._previous is not None and index != self._previous + 1:
            self.close_all()
        self._previous = index
        level = max(1, block.level)
        while self._open and (
            self._open[-1][0] > level
            or (self._open[-1][0] == level and self._open[-1][1] != block.ordered)
        ):
            self._close_list()
        if self._open and self._open[-1][0] == level:
            self._html.append("</li>")
        else:
            self._open.append((level, block.ordered))
            if not block.ordered:
                self._html.append("<ul>")
            elif block.number not in (None, 1):
                self._html.append(f'<ol start="{block.number}">')
            else:
                self._html.append("<ol>")
        self._html.append(f"<li>{inner}")

    def close_all(self) -> None:
        while self._open:
            self._close_list()
        if self._html:
            self._out.append("".join(self._html))
            self._html = []
        self._previous = None

    def _close_list(self) -> None:
        _, ordered = self._open.pop()
        self._html.append("</li></ol>" if ordered else "</li></ul>")


def _block_inner(block: Block, marks: list[CueMark], carry: int | None) -> str:
    """The block's content: runs split at each cue start, each cue's words in a span."""
    runs = _runs(block)
    length = runs[-1].end if runs else 0
    cuts = _cut_points(runs, marks, length)
    parts: list[str] = []
    first = cuts[0][0] if cuts else length
    lead = _slice(runs, 0, first)
    if lead:
        parts.append(_cue_span(carry, lead) if carry is not None and _has_words(runs, 0, first)
                     else lead)
    for n, (position, group) in enumerate(cuts):
        stop = cuts[n + 1][0] if n + 1 < len(cuts) else length
        for mark in group[:-1]:  # cues whose words all sit elsewhere: a control alone
            parts.append(_cue_span(mark.number, _control(mark)))
        last = group[-1]
        parts.append(_cue_span(last.number, _control(last) + _slice(runs, position, stop)))
    return "".join(parts)


def _cut_points(runs: list[_Run], marks: list[CueMark],
                length: int) -> list[tuple[int, list[CueMark]]]:
    """Cue starts grouped by position; a start inside a link moves to the link's start.

    A control cannot sit inside a link (no nested ``a``), and splitting the link in two would
    make a screen reader announce two links.
    """
    grouped: dict[int, list[CueMark]] = {}
    for mark in marks:
        position = min(max(0, mark.offset), length)
        for run in runs:
            if run.inline.kind is InlineKind.LINK and safe_href(run.inline.href) \
                    and run.start < position < run.end:
                position = run.start
        grouped.setdefault(position, []).append(mark)
    return sorted(grouped.items())


def _control(mark: CueMark) -> str:
    """The time control: a link that works without JavaScript, showing the time ("01:23").

    Its accessible name contains the visible time (WCAG 2.5.3: a speech-input user says what
    they see), and its description words the time as a screen reader says it well.
    """
    shown = clock(mark.start)
    return (
        f'<a class="seek" href="{text(mark.href)}" data-start="{mark.start:.3f}" '
        f'aria-label="Aller à {shown}" '
        f'title="{spoken_duration(mark.start)} après le début de la vidéo">{shown}</a> '
    )


def _sound_note(mark: CueMark) -> str:
    """A sound the captions note (music heard without a voice): its own paragraph before the
    speech that follows it, said as a sound, not as the speaker's words."""
    control = _control(mark) if mark.href else ""
    words = (f'<span class="visually-hidden">Son : </span><span aria-hidden="true">♪ </span>'
             f'{text(mark.sound or "")}<span aria-hidden="true"> ♪</span>')
    return f'<p class="sound-note">{_cue_span(mark.number, control + words)}</p>'


def _cue_span(number: int, inner: str) -> str:
    return f'<span class="cue" data-cue="{number}">{inner}</span>'


def _has_words(runs: list[_Run], start: int, stop: int) -> bool:
    return any(run.inline.text[max(start, run.start) - run.start: stop - run.start].strip()
               for run in _overlapping(runs, start, stop))


def _slice(runs: list[_Run], start: int, stop: int) -> str:
    """HTML of the characters ``[start, stop)`` of the block, markup kept."""
    return "".join(_inline_html(run.inline, run.inline.text[max(start, run.start) - run.start:
                                                            stop - run.start])
                   for run in _overlapping(runs, start, stop))


def _overlapping(runs: list[_Run], start: int, stop: int) -> Iterator[_Run]:
    return (run for run in runs if run.start < stop and run.end > start)


def _inline_html(inline: Inline, piece: str) -> str:
    if inline.kind is InlineKind.LINE_BREAK:
        return "<br>"
    out = text(piece)
    if inline.kind is InlineKind.CODE:
        out = f"<code>{out}</code>"
    if inline.emphasis or inline.kind is InlineKind.EMPHASIS:
        out = f"<em>{out}</em>"
    if inline.strong or inline.kind is InlineKind.STRONG:
        out = f"<strong>{out}</strong>"
    href = safe_href(inline.href) if inline.kind is InlineKind.LINK else None
    if href:
        out = f'<a href="{text(href)}">{out}</a>'
    return out
