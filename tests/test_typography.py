"""French display typography: no-break spaces where French puts them, nothing else changed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.typography import french_typography

NBSP = "\u00a0"
NNBSP = "\u202f"

CASES = {
    # caption-rules.md §5: U+00A0 before : ; ! ? (replacing a space, inserted when missing)
    "space-before-question": ("Quoi ?", f"Quoi{NBSP}?"),
    "missing-before-question": ("cyberharcèlement?", f"cyberharcèlement{NBSP}?"),
    "colon-semicolon-exclamation": (
        "Alors: oui; non !",
        f"Alors{NBSP}: oui{NBSP}; non{NBSP}!",
    ),
    "run-of-marks-is-one": ("Vraiment ?!", f"Vraiment{NBSP}?!"),
    "several-spaces-become-one": ("Quoi   ?", f"Quoi{NBSP}?"),
    "narrow-space-kept": (f"Quoi{NNBSP}?", f"Quoi{NNBSP}?"),
    "no-break-space-not-duplicated": (f"Quoi{NBSP}?", f"Quoi{NBSP}?"),
    "mark-at-start-left": ("? quoi", "? quoi"),
    # guillemets
    "guillemets-spaces": ("« fisha »", f"«{NBSP}fisha{NBSP}»"),
    "guillemets-glued": ("«fisha»", f"«{NBSP}fisha{NBSP}»"),
    "question-inside-guillemets": ("« Quoi? »", f"«{NBSP}Quoi{NBSP}?{NBSP}»"),
    # apostrophe between letters only
    "apostrophe": ("aujourd'hui l'élève", "aujourd’hui l’élève"),
    "typographic-apostrophe-kept": ("l’élève", "l’élève"),
    "single-quotes-left": ("'cité'", "'cité'"),
    # no space after an elided word (corpus: "via l’ « environnement »", "L' open data")
    "elision-before-guillemet": ("via l’ « environnement »", f"via l’«{NBSP}environnement{NBSP}»"),
    "elision-before-word": ("L' open data, d’ augmentation", "L’open data, d’augmentation"),
    "quote-after-a-word-left": ("le mot 'bel' est", "le mot 'bel' est"),
    # numbers and units
    "percent": ("15 %", f"15{NBSP}%"),
    "percent-glued": ("15%", f"15{NBSP}%"),
    "kilometres": ("3 km", f"3{NBSP}km"),
    "hours-minutes": ("12 h 30", f"12{NBSP}h{NBSP}30"),
    "hours-glued": ("de 17h à 18h, 5h30", f"de 17{NBSP}h à 18{NBSP}h, 5{NBSP}h{NBSP}30"),
    "units-glued": ("5Mo et 20km", f"5{NBSP}Mo et 20{NBSP}km"),
    "not-units-glued": ("H24 en 4G, 3D, 2nd", "H24 en 4G, 3D, 2nd"),
    "numero": ("n° 5", f"n°{NBSP}5"),
    "euros-after-digit-groups": ("1 250 000 €", f"1{NNBSP}250{NNBSP}000{NBSP}€"),
    "digit-groups": ("10 000 élèves", f"10{NNBSP}000 élèves"),
    "not-a-unit": ("3 mois", "3 mois"),
    "year-then-number": ("en 2023 300 élèves", "en 2023 300 élèves"),
    # never a space before . or ,
    "space-before-comma": ("Le sexting , envoi", "Le sexting, envoi"),
    "space-before-ellipsis": ("alors ... il", "alors... il"),
    "file-extension": ("le format .docx", "le format .docx"),
    # left untouched
    "url": ("Voir https://x.fr/a?b=1;c=2 !", f"Voir https://x.fr/a?b=1;c=2{NBSP}!"),
    "url-then-mark": ("Voir https://x.fr?", f"Voir https://x.fr{NBSP}?"),
    "ratio-and-time": ("a:b et 14:30", "a:b et 14:30"),
    "email": ("écrire à a.b@c.fr : merci", f"écrire à a.b@c.fr{NBSP}: merci"),
    "email-with-apostrophe": ("o'neil@x.fr", "o'neil@x.fr"),
}


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_french_typography(text: str, expected: str) -> None:
    assert french_typography(text) == expected


texts = st.lists(
    st.sampled_from(
        [*"aàeéiou lLdDn°%€:;!?.,«»'’-/@150", NBSP, NNBSP, "  ", "km", " h ", "https://", "www."]
    ),
    max_size=40,
).map("".join)


def _core(text: str) -> str:
    """The characters a reader sees, ignoring spacing and the apostrophe's shape."""
    return "".join(text.split()).replace("’", "'")


@settings(max_examples=200, deadline=None)
@given(texts)
def test_idempotent(text: str) -> None:
    once = french_typography(text)
    assert french_typography(once) == once


@settings(max_examples=200, deadline=None)
@given(texts)
def test_changes_only_spacing_and_apostrophes(text: str) -> None:
    result = french_typography(text)
    assert _core(result) == _core(text)
    # It never adds a space a line could break at.
    assert result.count(" ") <= text.count(" ")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Voir", "le", "site", ":", "?", "!", "«", "»", "15", "%"]), max_size=8
    ),
    st.sampled_from(
        [
            "https://x.fr/a:b?c=1;d=2",
            "www.pix.fr/l'outil",
            "https://x.fr/«a»!/b",
            "prenom.nom@ac-paris.fr",
        ]
    ),
    st.lists(st.sampled_from(["merci", ";", "?", "!", "»", ":", "."]), max_size=4),
)
def test_urls_and_emails_are_left_as_written(
    before: list[str], address: str, after: list[str]
) -> None:
    text = " ".join([*before, address, *after])
    assert address in french_typography(text)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_no_space_before_period_or_comma(text: str) -> None:
    result = french_typography(text)
    protected = "://" in result or "www." in result or "@" in result
    if not protected:
        assert not re.search(r"(?<=\S)\s+[.,](?!\w)", result)
