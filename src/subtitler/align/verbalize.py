"""Write digits, symbols, URLs and e-mail addresses as French words, for the synthesiser only.

The aligner synthesises what the speaker says, so "12 caractères" must become "douze
caractères" and "https://pix.fr" "pix point fr" before espeak-ng reads it (espeak-ng's own
reading of symbols and URLs is letter by letter, far from speech). The caption keeps the text
as written: this runs on a copy, cue by cue, so the cue a word belongs to never changes.
"""

from __future__ import annotations

import re

_UNITS = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize dix-sept dix-huit dix-neuf"
).split()
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
_SCALES = (
    (10**12, "billion", "billions"),
    (10**9, "milliard", "milliards"),
    (10**6, "million", "millions"),
)

_ORDINAL_SPECIAL = {"un": "unième", "cinq": "cinquième", "neuf": "neuvième"}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

_SYMBOLS = {
    "%": " pour cent ",
    "‰": " pour mille ",
    "€": " euros ",
    "$": " dollars ",
    "£": " livres ",
    "&": " et ",
    "+": " plus ",
    "=": " égale ",
    "°": " degrés ",
    "§": " paragraphe ",
    "@": " arobase ",
    "#": " dièse ",
    "×": " fois ",
    "/": " ",
    "\\": " ",
    "*": " ",
    "_": " ",
    "|": " ",
    "~": " ",
    "<": " ",
    ">": " ",
    "«": " ",
    "»": " ",
    "“": " ",
    "”": " ",
    '"': " ",
    "(": " ",
    ")": " ",
    "[": " ",
    "]": " ",
    "{": " ",
    "}": " ",
}

_SPACE = r"[ \u00a0\u202f]"
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>«»\"]+[^\s<>«»\".,;:!?)]", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_TIME = re.compile(rf"\b(\d{{1,2}}){_SPACE}?h{_SPACE}?(\d{{2}})?\b")
_NUMERO = re.compile(rf"\b[nN]°{_SPACE}?")
_ORDINAL = re.compile(r"\b(\d+)(ers?|res?|ères?|nds?|ndes?|es?|èmes?|ᵉ)\b")
# Two letters at least, or I, V, X alone: "Le", "De", "Ce", "Me" are words, not 50e, 500e...
_ROMAN_ORDINAL = re.compile(r"\b([IVXLCDM]{2,}|[IVX])(ers?|res?|ères?|es?|èmes?|ᵉ)\b")
_DECIMAL = re.compile(r"(?<![\d,])(\d+),(\d+)(?![\d,])")
_GROUPED = re.compile(rf"(?<![\d.,])\d{{1,3}}(?:{_SPACE}\d{{3}})+(?![\d,])")
_INTEGER = re.compile(r"\d+")
_NEGATIVE = re.compile(r"(?<![\w\d])[-−](?=\d)")
_CURRENCY_BEFORE = re.compile(r"([€$£])\s?(\d[\d\s,.]*)")
_DASH = re.compile(r"(?:^|\s)[-–—](?=\s|$)")  # a dash between words is a pause, not "moins"
# Capitals espeak-ng reads as a silent French ending, so nothing at all is said: "l’ENT"
# (Espace numérique de travail, 90 times in the corpus) is read as the verb ending -ent. They
# are spelled, as people say them. Other acronyms are left to espeak-ng, which spells those
# without a vowel ("RGPD") and reads the rest as words ("la CNIL", "la DANE"); spelling every
# short one ("la TA" in ej-fra) moved the verdict on a sentence never said in that recording.
_SILENT_ACRONYM = re.compile(r"(?<![\w-])(ENTS?)(?![\w-])")


def verbalize(text: str) -> str:
    """``text`` with numbers, ordinals, times, symbols, URLs and e-mails spelled out."""
    text = _URL.sub(lambda m: f" {_spell_address(m.group(0), url=True)} ", text)
    text = _EMAIL.sub(lambda m: f" {_spell_address(m.group(0), url=False)} ", text)
    text = _DASH.sub(",", text)
    text = _NUMERO.sub(" numéro ", text)
    text = _CURRENCY_BEFORE.sub(lambda m: f"{m.group(2).strip()} {m.group(1)}", text)
    text = _TIME.sub(_time, text)
    text = _ROMAN_ORDINAL.sub(_roman_ordinal, text)
    if any(c.islower() for c in text):  # not a line in capitals ("LES ENFANTS"), whose words are words
        text = _SILENT_ACRONYM.sub(lambda m: " ".join(m.group(1)), text)
    text = _ORDINAL.sub(lambda m: _ordinal(int(m.group(1)), m.group(2)), text)
    text = _GROUPED.sub(lambda m: re.sub(_SPACE, "", m.group(0)), text)
    text = _DECIMAL.sub(lambda m: f"{number(int(m.group(1)))} virgule {_decimals(m.group(2))}", text)
    text = _NEGATIVE.sub(" moins ", text)
    text = _INTEGER.sub(lambda m: f" {number(int(m.group(0)))} ", text)
    for symbol, words in _SYMBOLS.items():
        text = text.replace(symbol, words)
    return re.sub(r"\s+", " ", text).strip()


def number(value: int) -> str:
    """A cardinal number in French words (1990 spelling: hyphens between all parts)."""
    if value < 0:
        return "moins " + number(-value)
    if value == 0:
        return "zéro"
    parts = []
    for size, singular, plural in _SCALES:
        count, value = divmod(value, size)
        if count:  # above the largest scale, the count is itself a number (mille billions)
            spoken = number(count) if count >= 1000 else _below_thousand(count, final=False)
            parts.append(f"{spoken} {singular if count == 1 else plural}")
    thousands, value = divmod(value, 1000)
    if thousands:
        parts.append("mille" if thousands == 1 else f"{_below_thousand(thousands, final=False)} mille")
    if value:
        parts.append(_below_thousand(value, final=True))
    return " ".join(parts)


def _below_thousand(value: int, *, final: bool) -> str:
    hundreds, rest = divmod(value, 100)
    parts = []
    if hundreds:
        head = "cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent"
        if hundreds > 1 and rest == 0 and final:
            head += "s"
        parts.append(head)
    if rest:
        parts.append(_below_hundred(rest, final=final))
    return " ".join(parts)


def _below_hundred(value: int, *, final: bool) -> str:
    if value < 20:
        return _UNITS[value]
    tens, unit = divmod(value, 10)
    if tens in (7, 9):
        base = "soixante" if tens == 7 else "quatre-vingt"
        return f"{base}-et-onze" if value == 71 else f"{base}-{_UNITS[10 + unit]}"
    base = "quatre-vingt" if tens == 8 else _TENS[tens]
    if unit == 0:
        return "quatre-vingts" if tens == 8 and final else base
    if unit == 1 and tens != 8:
        return f"{base}-et-un"
    return f"{base}-{_UNITS[unit]}"


def _decimals(digits: str) -> str:
    """After the comma: leading zeros are read one by one ("0,05" = zéro virgule zéro cinq)."""
    zeros = len(digits) - len(digits.lstrip("0"))
    rest = digits[zeros:]
    words = ["zéro"] * zeros + ([number(int(rest))] if rest else [])
    return " ".join(words)


def ordinal(value: int, feminine: bool = False) -> str:
    """An ordinal number in French words: premier, deuxième, vingt-et-unième..."""
    if value == 1:
        return "première" if feminine else "premier"
    words = number(value)
    if words.endswith("quatre-vingts") or words.endswith("cents"):
        words = words[:-1]
    head, _, last = words.rpartition(" ")
    stem, _, final_part = last.rpartition("-")
    if final_part in _ORDINAL_SPECIAL:
        final_part = _ORDINAL_SPECIAL[final_part]
    elif final_part.endswith("e"):
        final_part = final_part[:-1] + "ième"
    else:
        final_part += "ième"
    last = f"{stem}-{final_part}" if stem else final_part
    return f"{head} {last}" if head else last


def _ordinal(value: int, suffix: str) -> str:
    suffix = suffix.lower()
    if suffix.startswith("nd"):
        return " secondes " if suffix.endswith("s") and suffix.startswith("nde") else (
            " seconde " if suffix.startswith("nde") else " second "
        )
    if value == 1 and suffix.startswith(("r", "èr")):
        return " première "
    return f" {ordinal(value)} "


def _roman_ordinal(match: re.Match[str]) -> str:
    letters = match.group(1)
    value = _roman_value(letters)
    if value is None:
        return match.group(0)
    return _ordinal(value, match.group(2))


def _roman_value(letters: str) -> int | None:
    """The value of a well-formed Roman numeral (up to 3999), else None."""
    total = 0
    for current, following in zip(letters, letters[1:] + " "):
        value = _ROMAN[current]
        total += -value if following != " " and _ROMAN[following] > value else value
    if not 0 < total < 4000 or _to_roman(total) != letters:
        return None
    return total


def _to_roman(value: int) -> str:
    out = ""
    for amount, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while value >= amount:
            out += letters
            value -= amount
    return out


def _time(match: re.Match[str]) -> str:
    hours = int(match.group(1))
    if hours > 24:
        return match.group(0)
    words = "une heure" if hours == 1 else f"{number(hours)} heures"
    if match.group(2):
        words += f" {number(int(match.group(2)))}"
    return f" {words} "


def _spell_address(address: str, *, url: bool) -> str:
    """How people say an address: "pix point fr slash tutos", "contact arobase pix point fr"."""
    if url:
        address = re.sub(r"^(?:https?://)?(?:www\.)?", "", address, flags=re.IGNORECASE)
        address = address.rstrip("/")
    spoken = {
        ".": " point ",
        "@": " arobase ",
        "/": " slash ",
        "-": " tiret ",
        "_": " tiret bas ",
        ":": " deux points ",
        "?": " point d'interrogation ",
        "=": " égale ",
        "&": " et ",
        "#": " dièse ",
        "%": " pour cent ",
    }
    out = "".join(spoken.get(char, char) for char in address)
    return re.sub(r"\d+", lambda m: f" {number(int(m.group(0)))} ", out)
