"""French typography for caption display text (caption-rules.md §5).

Only spacing and the apostrophe change: every other character stays as written, so the
display text and the spoken text hold the same characters once whitespace is ignored and
’ is read as '. The spaces it adds are no-break spaces, so a line can never break before
``: ; ! ?``, inside « », between a number and its unit ("17h" becomes "17 h"), or inside a
number's digit groups. The space a transcript leaves after an elided word goes ("l’ « open
data »" is "l’« open data »", "d’ augmentation" "d’augmentation").
URLs, e-mail addresses and ``a:b`` / ``14:30`` forms are left as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: digit groups (10 000), accepted before ; ! ?

# Spaces typography rewrites: ordinary spaces and the two no-break spaces (never newlines).
_SPACE = "[ \t\u00a0\u202f]"

# Spans left untouched: URLs (trailing sentence punctuation is not part of them) and e-mails.
_PROTECTED = re.compile(
    r"(?:https?://|ftp://|www\.)\S*?(?=[.,;:!?»)\]\"'’]*(?:\s|$))"
    r"|[\w.+'’-]+@[\w-]+(?:\.[\w-]+)+"
)

# High punctuation that takes a no-break space before it. A run (?!, !!!) is one mark.
# Followed by a letter, digit or slash it is not sentence punctuation (a:b, 14:30, x?y=1).
_HIGH_PUNCT = re.compile(rf"(?P<space>{_SPACE}*)(?P<mark>[:;!?]+)(?![\w/])")
# Not before . or , (those take no space before them) nor at the end of the text.
_OPEN_GUILLEMET = re.compile(rf"«{_SPACE}*+(?![.,]|$)")
_CLOSE_GUILLEMET = re.compile(rf"{_SPACE}*»")
# Never a space before . or , ("3 ,5", ".docx" or ".fr" are not punctuation: left alone).
_SPACE_BEFORE_LOW_PUNCT = re.compile(rf"(?<=\S){_SPACE}+(?=[.,](?!\w))")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
# An elided word (l', d', qu', jusqu'…) followed by a space, then a word or an opening quote.
_SPACED_ELISION = re.compile(
    rf"(?<![\w’'])((?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu))['’]{_SPACE}+(?=[^\W\d_]|[«“])",
    re.IGNORECASE,
)

# Units that stay with their number (French usage; Imprimerie nationale). Only whole words.
_UNITS = (
    "% ‰ € $ £ °C ° km m cm mm µm nm km² m² m³ kg g mg t l L cl ml h min s ms "
    "o octets Ko ko Mo Go To Kio Mio Gio bit bits kb Mb Gb kbit/s Mbit/s Gbit/s "
    "Hz kHz MHz GHz W kW V px dpi ppp"
).split()
_UNIT_ALTERNATION = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_NUMBER_UNIT = re.compile(rf"(?<=\d) +(?=(?:{_UNIT_ALTERNATION})(?![\w’'-]))")
_PERCENT_GLUED = re.compile(r"(?<=\d)(?=[%‰])")
# Units written glued to their number that cannot be read otherwise ("17h", "5Mo", "20km").
_GLUED_UNITS = "km cm mm kg mg Ko Mo Go To h min €".split()
_UNIT_GLUED = re.compile(
    r"(?<=\d)(?=(?:" + "|".join(sorted(_GLUED_UNITS, key=len, reverse=True)) + r")(?![\w’'-]|\d))"
)
_GLUED_HOURS_MINUTES = re.compile(r"(?<=\d)h(?=\d{2}(?!\d))")
_HOURS_MINUTES = re.compile(r"(?<=\d)\u00a0h +(?=\d{2}(?!\d))")
_NUMERO = re.compile(r"(?<![\w])([nN]°) +(?=\d)")
# 10 000, 1 250 000: groups of three digits after a first group of one to three.
_DIGIT_GROUP = re.compile(r"(?<![\d.,])(\d{1,3})((?: \d{3})+)(?![\d])")


def french_typography(text: str) -> str:
    """Return ``text`` with French spacing and apostrophes, for display.

    Idempotent: applying it to its own result changes nothing.
    """
    for rule in _RULES:
        text = _outside_protected(text, rule)
    return text


def _high_punct(match: re.Match[str]) -> str:
    space, mark = match.group("space"), match.group("mark")
    if match.start() == 0:
        return match.group(0)  # nothing before the mark to keep it with
    kept = space if space in (NBSP, NNBSP) else NBSP
    return kept + mark


def _close_guillemet(match: re.Match[str]) -> str:
    return match.group(0) if match.start() == 0 else NBSP + "»"


def _digit_groups(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).replace(" ", NNBSP)


_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_APOSTROPHE, "’"),
    (_SPACED_ELISION, "\\1’"),
    (_SPACE_BEFORE_LOW_PUNCT, ""),
    (_HIGH_PUNCT, _high_punct),
    (_OPEN_GUILLEMET, "«" + NBSP),
    (_CLOSE_GUILLEMET, _close_guillemet),
    (_DIGIT_GROUP, _digit_groups),
    (_PERCENT_GLUED, NBSP),
    (_GLUED_HOURS_MINUTES, "\u00a0h\u00a0"),
    (_UNIT_GLUED, NBSP),
    (_NUMBER_UNIT, NBSP),
    (_HOURS_MINUTES, "\u00a0h\u00a0"),
    (_NUMERO, "\\1\u00a0"),
)


def _outside_protected(
    text: str, rule: tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]
) -> str:
    """Apply one substitution everywhere except where a match touches a URL or e-mail."""
    pattern, replacement = rule
    if "@" not in text and "://" not in text and "www." not in text:
        return pattern.sub(replacement, text)
    spans = [m.span() for m in _PROTECTED.finditer(text)]

    def substitute(match: re.Match[str]) -> str:
        start, end = match.span()
        if any(start < s_end and s_start < end for s_start, s_end in spans):
            return match.group(0)
        if callable(replacement):
            return replacement(match)
        return match.expand(replacement)

    return pattern.sub(substitute, text)
