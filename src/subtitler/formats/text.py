"""The plain-text transcript (``.txt``, ``text/plain``) the HTML page offers for download.

It is built from the Transcript, not the cues: the author's paragraphs, headings and lists,
readable in any editor or braille display. Not a caption format, so it is not registered.
"""

from __future__ import annotations

from ..model import Block, BlockKind, InlineKind, Section, Transcript

TEXT_MIME_TYPE = "text/plain"

_INDENT = "  "  # per list nesting level below the top
_TURN_DASH = "- "  # a new speaker's turn, as in French captions (caption-rules.md section 2)

# Sections in the order they are written: credits last, as on the HTML page.
_ORDER = (Section.PREAMBLE, Section.TRANSCRIPTION, Section.OTHER, Section.CREDITS)


def write_plain_transcript(transcript: Transcript) -> str:
    """Title, blank line, then the blocks as paragraphs separated by blank lines.

    Headings are lines of their own; list items start with ``- `` (or their number),
    indented by nesting, one per line; a speaker turn starts with ``- ``; a link keeps its
    address in parentheses; the credits come last. LF line ends, final newline.
    """
    out = [transcript.title.strip()]
    previous: Block | None = None
    for section in _ORDER:
        for block in transcript.blocks:
            text = _block_text(block) if block.section is section else ""
            if not text:
                continue
            in_list = previous is not None and previous.kind is block.kind is BlockKind.LIST_ITEM
            out.append("\n" if in_list else "\n\n")
            out.append(text)
            previous = block
    return "".join(out) + "\n"


def _block_text(block: Block) -> str:
    text = _inline_text(block).strip()
    if block.kind is BlockKind.LIST_ITEM:
        indent = _INDENT * max(block.level - 1, 0)
        marker = f"{block.number}. " if block.ordered and block.number is not None else "- "
        hanging = "\n" + indent + " " * len(marker)
        return indent + marker + text.replace("\n", hanging)
    if block.speaker_turn:
        return _TURN_DASH + text.replace("\n", "\n" + " " * len(_TURN_DASH))
    return text


def _inline_text(block: Block) -> str:
    """The block's words; a hard line break stays a line break, a link shows its address
    once after its text (a link split into runs by bold or italics is one link)."""
    parts: list[str] = []
    link_text = ""
    inlines = block.inlines
    for position, inline in enumerate(inlines):
        if inline.kind is InlineKind.LINE_BREAK:
            parts.append("\n")
            continue
        parts.append(inline.text)
        if inline.kind is not InlineKind.LINK or not inline.href:
            continue
        link_text += inline.text
        following = inlines[position + 1] if position + 1 < len(inlines) else None
        if following is None or following.href != inline.href:
            if not _names_itself(link_text, inline.href):
                parts.append(f" ({inline.href})")
            link_text = ""
    return "".join(parts)


def _names_itself(text: str, href: str) -> bool:
    """An autolink: the text already is the address (``<https://pix.fr>``, ``<a@b.fr>``)."""
    return href.removeprefix("mailto:").rstrip("/") == text.strip().rstrip("/")
