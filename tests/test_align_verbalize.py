"""French verbalisation of digits, symbols and addresses, for the synthesiser only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subtitler.align.verbalize import number, ordinal, verbalize


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "zéro"),
        (1, "un"),
        (12, "douze"),
        (17, "dix-sept"),
        (21, "vingt-et-un"),
        (71, "soixante-et-onze"),
        (80, "quatre-vingts"),
        (81, "quatre-vingt-un"),
        (91, "quatre-vingt-onze"),
        (99, "quatre-vingt-dix-neuf"),
        (100, "cent"),
        (200, "deux cents"),
        (201, "deux cent un"),
        (1000, "mille"),
        (1901, "mille neuf cent un"),
        (2024, "deux mille vingt-quatre"),
        (80000, "quatre-vingt mille"),
        (200000, "deux cent mille"),
        (1_000_000, "un million"),
        (2_500_000, "deux millions cinq cent mille"),
        (3_000_000_000, "trois milliards"),
    ],
)
def test_cardinals(value, words):
    assert number(value) == words


@pytest.mark.parametrize(
    ("value", "words"),
    [(1, "premier"), (2, "deuxième"), (5, "cinquième"), (9, "neuvième"), (21, "vingt-et-unième"),
     (80, "quatre-vingtième"), (100, "centième"), (1000, "millième")],
)
def test_ordinals(value, words):
    assert ordinal(value) == words


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("12 caractères", "douze caractères"),
        ("la loi 1901", "la loi mille neuf cent un"),
        ("à 14 h 30", "à quatorze heures trente"),
        ("à 14h30", "à quatorze heures trente"),
        ("vers 9 h", "vers neuf heures"),
        ("à 1 h", "à une heure"),
        ("15 %", "quinze pour cent"),
        ("1,5 litre", "un virgule cinq litre"),
        ("0,05", "zéro virgule zéro cinq"),
        ("n° 3", "numéro trois"),
        ("10 €", "dix euros"),
        ("2 500 €", "deux mille cinq cents euros"),
        ("1 000 000 d'habitants", "un million d'habitants"),
        ("€10", "dix euros"),
        ("-5 degrés", "moins cinq degrés"),
        ("le 1er janvier", "le premier janvier"),
        ("la 1re fois", "la première fois"),
        ("la 2e fois", "la deuxième fois"),
        ("le 2nd", "le second"),
        ("le XXe siècle", "le vingtième siècle"),
        ("le XIXème", "le dix-neuvième"),
        ("la Ve République", "la cinquième République"),
        ("en CM2", "en CM deux"),
        ("Dupont & fils", "Dupont et fils"),
        ("contact@pix.fr", "contact arobase pix point fr"),
        ("https://pix.fr", "pix point fr"),
        ("https://www.pix.fr/tutos/abc-def", "pix point fr slash tutos slash abc tiret def"),
        ("voir www.exemple.org, puis", "voir exemple point org , puis"),
        ("Défi - Stratégie – Temps limité — Mission -", "Défi, Stratégie, Temps limité, Mission,"),
        ("de 10 - 2", "de dix , deux"),
        ("l’ENT de l’école", "l’E N T de l’école"),
        ("les ENTS, la DANE et la CNIL", "les E N T S, la DANE et la CNIL"),
        ("LE DÉBUT DU FILM", "LE DÉBUT DU FILM"),
    ],
)
def test_verbalize(text, spoken):
    assert verbalize(text) == spoken


@pytest.mark.parametrize("text", ["Le chat", "De la", "Ce jour", "Les élèves", "Me voici", "Louis et Marie"])
def test_words_that_look_like_roman_numerals_stay_words(text):
    assert verbalize(text) == text


def test_text_without_digits_or_symbols_is_unchanged():
    text = "C'est ce que nous allons voir dans cette vidéo."
    assert verbalize(text) == text


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_every_number_becomes_letters_only(value):
    words = number(value)
    assert words and not any(ch.isdigit() for ch in words)
    assert words == words.strip() and "  " not in words


def test_numbers_beyond_the_largest_scale_are_read():
    assert number(10**15) == "mille billions"
    assert number(2 * 10**18 + 5) == "deux millions billions cinq"


@given(st.text(max_size=80))
def test_verbalize_never_leaves_digits(text):
    assert not any(ch in "0123456789" for ch in verbalize(text))


def test_an_acronym_espeak_would_read_as_a_silent_ending_is_spelled():
    """espeak-ng reads "ENT" (90 times in the corpus) as the silent verb ending: no sound."""
    from subtitler.align import espeak

    rate = espeak.NATIVE_SAMPLE_RATE
    before = len(espeak.speak("l’"))
    assert len(espeak.speak("l’ENT")) - before < 0.05 * rate  # as written: nothing more is said
    assert len(espeak.speak(verbalize("l’ENT"))) - before > 0.3 * rate  # spelled: "e, enne, té"
