"""A cue's text fixed in the transcript's Markdown, in place, with the smallest change.

Only the words that changed are rewritten; every other byte of the file (front matter,
markup, line breaks, the other words) is kept. The cue's words are found in the Markdown
source with markup allowed between them (``**``, links, line breaks, escapes), then the
word-level difference between the old and the new text is applied to those words. The
result is parsed again and accepted only if the edited block now reads as expected and
every other block is unchanged; otherwise the edit is refused with the reason, and the
editor fixes that passage in the file by hand.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import frontmatter

from ..errors import SubtitlerError
from ..fsutil import atomic_write_text
from ..model import Cue, Transcript


class TextEditError(SubtitlerError):
    """The text edit cannot be made in place (the reason is for the editor)."""


_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # ASCII punctuation: Markdown may escape it
_BETWEEN = r"(?:\s|\*|_|`|\\(?=\s)|\[|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|\])+"  # markup between words


def edit_cue_text(transcript: Transcript, cue: Cue, new_text: str) -> str:
    """Rewrite the cue's words in the transcript file; return the file's new text."""
    old_words, new_words = cue.text.split(), new_text.split()
    if not new_words:
        raise TextEditError("a cue cannot be left without words: remove the sentence in the transcript itself")
    source = transcript.path.read_text(encoding="utf-8")
    body_start = _body_start(source)
    words = _source_words(source, body_start, transcript, cue, old_words)
    edits = _edits(source, words, old_words, new_words)
    edited = source
    for start, end, replacement in sorted(edits, reverse=True):
        edited = edited[:start] + replacement + edited[end:]
    _check(transcript, cue, edited, old_words, new_words)
    atomic_write_text(transcript.path, edited)
    return edited


def _body_start(source: str) -> int:
    """Offset of the Markdown body, after the front matter's closing line."""
    boundaries = list(frontmatter.YAMLHandler().FM_BOUNDARY.finditer(source.removeprefix("\ufeff")))
    if len(boundaries) < 2:
        raise TextEditError("the transcript has no front matter")
    return boundaries[1].end() + (1 if source.startswith("\ufeff") else 0)


def _word_pattern(word: str) -> str:
    """A word as written in Markdown: punctuation maybe escaped, emphasis marks maybe inside."""
    chars = ["\\\\?" + re.escape(c) if _PUNCTUATION.fullmatch(c) else re.escape(c) for c in word]
    return "[*_`]*".join(chars)


def _source_words(source: str, body_start: int, transcript: Transcript, cue: Cue,
                  words: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) in the file of each of the cue's words, at the cue's occurrence of them."""
    plain = re.compile(r"\s+".join(re.escape(w) for w in words))
    before = sum(len(plain.findall(block.text)) for block in transcript.blocks[: cue.block_index])
    before += len(plain.findall(transcript.blocks[cue.block_index].text[: cue.block_offset]))
    marked = re.compile(_BETWEEN.join(f"({_word_pattern(w)})" for w in words))
    matches = list(marked.finditer(source, body_start))
    if len(matches) <= before:
        raise TextEditError("these words cannot be found as written in the transcript's Markdown: "
                            "edit the transcript by hand")
    match = matches[before]
    return [match.span(k + 1) for k in range(len(words))]


def _edits(source: str, spans: Sequence[tuple[int, int]], old: Sequence[str],
           new: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for each run of words that changed."""
    edits: list[tuple[int, int, str]] = []
    opcodes = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        words = " ".join(new[j1:j2])
        if tag == "equal":
            continue
        if tag == "insert":
            if i1 < len(old):
                edits.append((spans[i1][0], spans[i1][0], words + " "))
            else:
                edits.append((spans[-1][1], spans[-1][1], " " + words))
        elif tag == "delete":
            if i2 < len(old):
                edits.append(_plain(source, spans[i1][0], spans[i2][0], ""))
            else:
                edits.append(_plain(source, spans[i1 - 1][1], spans[i2 - 1][1], ""))
        elif i2 - i1 == 1 and j2 - j1 == 1 and not _is_plain(source, *spans[i1]):
            edits.append(_inside_word(source, spans[i1], old[i1], new[j1]))
        elif _is_plain(source, spans[i1][0], spans[i2 - 1][1]):
            edits.append((spans[i1][0], spans[i2 - 1][1], words))
        elif i2 - i1 == j2 - j1:  # markup between the words: change them one by one
            edits += [(spans[i][0], spans[i][1], new[j1 + i - i1]) for i in range(i1, i2)]
        else:
            raise TextEditError("the changed words run across markup (bold, a link...): "
                                "edit the transcript by hand")
    return edits


def _inside_word(source: str, span: tuple[int, int], old: str, new: str) -> tuple[int, int, str]:
    """A word with markup inside (``**tous**.``): only its changed letters are replaced."""
    prefix = len(_common_prefix(old, new))
    suffix = len(_common_prefix(old[prefix:][::-1], new[prefix:][::-1]))
    letters = [k for k in range(*span) if source[k] not in "*_`\\"]  # where each letter of old is
    if len(letters) != len(old):
        raise TextEditError("the changed word is written with markup inside: edit the transcript by hand")
    start = letters[prefix] if prefix < len(old) else letters[-1] + 1
    end = letters[len(old) - suffix - 1] + 1 if len(old) - suffix > prefix else start
    if not _is_plain(source, start, end):
        raise TextEditError("the changed letters run across markup: edit the transcript by hand")
    return start, end, new[prefix : len(new) - suffix]


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _is_plain(source: str, start: int, end: int) -> bool:
    """Only words and spaces between ``start`` and ``end`` (no markup would be lost)."""
    return re.fullmatch(r"[^*_`\[\]()\\\n]*", source[start:end]) is not None


def _plain(source: str, start: int, end: int, replacement: str) -> tuple[int, int, str]:
    if not _is_plain(source, start, end):
        raise TextEditError("the removed words run across markup (bold, a link...): "
                            "edit the transcript by hand")
    return start, end, replacement


def _check(transcript: Transcript, cue: Cue, edited: str, old: Sequence[str], new: Sequence[str]) -> None:
    """The edited file parses to the same blocks but for the cue's, which says the new words."""
    from ..transcript import load_transcript

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / transcript.path.name
        copy.write_text(edited, encoding="utf-8")
        try:
            reloaded = load_transcript(copy, transcript.lang)
        except SubtitlerError as error:
            raise TextEditError(f"the edited transcript would not load: {error.message}") from None
    before = [" ".join(b.text.split()) for b in transcript.blocks]
    after = [" ".join(b.text.split()) for b in reloaded.blocks]
    k = cue.block_index
    head = " ".join(transcript.blocks[k].text[: cue.block_offset].split())
    tail = before[k][len(head):].strip()
    expected = " ".join(filter(None, [head, " ".join(new), tail[len(" ".join(old)):].strip()]))
    if not tail.startswith(" ".join(old)) or len(after) != len(before) \
            or after[:k] + after[k + 1:] != before[:k] + before[k + 1:] or after[k] != expected:
        raise TextEditError("the edit would change the transcript's structure or other text: "
                            "edit the transcript by hand")
