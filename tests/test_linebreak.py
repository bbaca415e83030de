"""Line breaking of one caption: where French captions break, and what never changes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from french_words import CORE_WORDS
from subtitler.config import CaptionConfig
from subtitler.linebreak import (
    ARTICLES,
    CLITICS,
    DETERMINERS,
    FORBIDDEN_AFTER,
    PREPOSITIONS,
    SUBJECT_PRONOUNS,
    TITLES,
    break_lines,
)

CONFIG = CaptionConfig()
NBSP = "\u00a0"


def most_balanced_break(text: str) -> int:
    """Number of words on the first line when the two lines are as equal as possible."""
    words = text.split(" ")
    return min(
        range(1, len(words)),
        key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))),
    )


def first_line_words(lines: tuple[str, ...] | None) -> int:
    assert lines is not None and len(lines) == 2
    return len(lines[0].split(" "))


def test_short_text_stays_on_one_line() -> None:
    assert break_lines("Il pleut beaucoup, nous restons ici.", CONFIG) == (
        "Il pleut beaucoup, nous restons ici.",
    )


def test_text_longer_than_a_line_goes_on_two_balanced_lines() -> None:
    text = "Nous allons voir comment les élèves font leurs devoirs le soir."
    lines = break_lines(text, CONFIG)
    assert lines is not None and len(lines) == 2
    assert all(len(text) / 3 <= len(line) <= CONFIG.max_line_chars for line in lines)


def test_between_preferred_and_max_one_line_unless_a_good_break_exists() -> None:
    no_good_break = "Les classes travaillent souvent en groupe"  # 41 characters
    assert break_lines(no_good_break, CONFIG) == (no_good_break,)
    assert break_lines("Il pleut beaucoup, restons à la maison.", CONFIG) == (
        "Il pleut beaucoup,",
        "restons à la maison.",
    )


def test_prefers_breaking_after_punctuation() -> None:
    lines = break_lines("On parle alors de cyberharcèlement, un phénomène grave.", CONFIG)
    assert lines == ("On parle alors de cyberharcèlement,", "un phénomène grave.")


def test_prefers_breaking_before_a_conjunction() -> None:
    lines = break_lines("Il a regardé la vidéo et il a compris la leçon du jour.", CONFIG)
    assert lines is not None and lines[1].startswith("et ")


def test_prefers_breaking_before_a_relative_pronoun() -> None:
    lines = break_lines("Je vous présente la collègue qui anime le webinaire.", CONFIG)
    assert lines is not None and lines[1].startswith("qui ")


@pytest.mark.parametrize(
    "text, pair",
    [
        # name: two capitalised words not at the start of a sentence
        ("Les élèves rencontrent Éric Joanis dans la salle verte.", ("Éric", "Joanis")),
        # title + name
        ("Nous accueillons aujourd’hui M. Dupont dans notre salle de classe.", ("M.", "Dupont")),
        ("La classe accueille ce jeudi Mme Durand pour un atelier de code.", ("Mme", "Durand")),
        # auxiliary + participle
        (
            "Les élèves de la classe voisine ont mangé à la cantine avec leurs amis.",
            ("ont", "mangé"),
        ),
        # ne ... pas, ne ... que
        ("Le vieil ordinateur ne marche pas depuis la semaine dernière.", ("marche", "pas")),
        ("Pour beaucoup de collègues il n’est qu’un outil de plus en classe.", ("n’est", "qu’un")),
        # article, preposition, determiner, subject pronoun
        ("Les élèves lisent ensemble le journal de la classe voisine.", ("le", "journal")),
        ("Les élèves ont travaillé avec des tablettes toute l’année.", ("avec", "des")),
        ("Les élèves utilisent cette plateforme depuis la rentrée.", ("cette", "plateforme")),
        ("Avant de commencer la séance je vous montre le plan du cours.", ("je", "vous")),
    ],
)
def test_never_separates_words_that_belong_together(text: str, pair: tuple[str, str]) -> None:
    words = text.split(" ")
    at = most_balanced_break(text)
    assert (words[at - 1], words[at]) == pair  # balance alone would break between them
    lines = break_lines(text, CONFIG)
    assert first_line_words(lines) != at, lines


def test_et_ce_is_never_cut_from_what_it_announces() -> None:
    # utiliser-les-outils-de-quiz-en-ligne-pour-diversifier-son-evaluation, cue 22.
    text = "de chaque élève et ce, pendant toute la séquence pédagogique,"
    lines = break_lines(text, CONFIG)
    assert lines is not None and not lines[0].endswith("ce,"), lines


def test_the_name_rule_is_what_moves_the_break() -> None:
    text = "Les élèves rencontrent Éric Joanis dans la salle verte."
    assert first_line_words(break_lines(text.lower(), CONFIG)) == most_balanced_break(text)


def test_no_break_space_counts_as_one_character_and_never_breaks() -> None:
    text = f"La séance dure 12{NBSP}h{NBSP}30 et coûte 15{NBSP}% de plus au total{NBSP}!"
    lines = break_lines(text, CONFIG)
    assert lines is not None
    assert " ".join(lines) == text
    assert all(f"12{NBSP}h{NBSP}30" in line or "12" not in line for line in lines)
    exact = "a" * 20 + " " + "b" * 19 + NBSP + "?"  # 42 characters with the no-break space
    assert break_lines(exact, CONFIG) == (exact,)
    assert break_lines("a" + exact, CONFIG) == ("a" * 21, "b" * 19 + NBSP + "?")


def test_bottom_line_is_the_longer_when_lines_are_unequal() -> None:
    lines = break_lines("aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii", CONFIG)
    assert lines == ("aaaa bbbb cccc dddd", "eeee ffff gggg hhhh iiii")


def test_a_line_never_starts_with_a_dash_that_would_read_as_a_new_speaker() -> None:
    lines = break_lines("Il est venu hier - comme prévu - pour nous voir tous.", CONFIG)
    assert lines is not None
    assert not any(line.startswith("-") for line in lines)


def test_dialogue_dash_prefix_counts_in_the_first_line() -> None:
    text = "Les classes travaillent souvent en groupe"  # 41: one line alone, 43 with the dash
    lines = break_lines(text, CONFIG, prefix="- ")
    assert lines is not None and len(lines) == 2
    assert lines[0].startswith("- Les ")
    assert " ".join(lines).removeprefix("- ") == text


def test_returns_none_when_the_text_cannot_fit() -> None:
    assert break_lines("https://" + "x" * 40, CONFIG) is None  # one word longer than a line
    assert break_lines(" ".join(["mot"] * 30), CONFIG) is None  # more than two lines


def test_text_without_words_has_no_lines() -> None:
    assert break_lines("   ", CONFIG) == ()


def test_more_lines_when_the_configuration_allows_them() -> None:
    live = CaptionConfig(max_lines=3)
    lines = break_lines(" ".join(["mot"] * 25), live)
    assert lines is not None and len(lines) == 3


def test_word_lists_hold_the_reference_words() -> None:
    # caption-rules.md §6, "Never break right after"
    assert {"le", "la", "les", "l’", "un", "une", "des", "du", "de", "d’", "au", "aux"} <= ARTICLES
    assert {
        "à",
        "de",
        "en",
        "dans",
        "par",
        "pour",
        "sur",
        "sous",
        "avec",
        "sans",
        "chez",
        "vers",
        "entre",
    } <= PREPOSITIONS
    assert {"mon", "ma", "mes", "ce", "cet", "cette", "ces"} <= DETERMINERS
    assert {
        "je",
        "j’",
        "tu",
        "il",
        "elle",
        "on",
        "nous",
        "vous",
        "ils",
        "elles",
        "c’",
    } <= SUBJECT_PRONOUNS
    assert {"me", "te", "se", "lui", "leur", "y", "en", "ne", "n’"} <= CLITICS
    assert {"m.", "mme", "mlle", "dr"} <= TITLES
    for words in (ARTICLES, PREPOSITIONS, DETERMINERS, SUBJECT_PRONOUNS, CLITICS, TITLES):
        assert isinstance(words, frozenset)


# --- properties --------------------------------------------------------------------------

VOCABULARY = CORE_WORDS + [
    "l’élève",
    "cyberharcèlement,",
    "classe.",
    "vraiment\u00a0?",
    "15\u00a0%",
    "12\u00a0h\u00a030",
    "«\u00a0fisha\u00a0»",
    "https://tube.example.org/w/un-identifiant",
    "x@y.fr",
    "14:30",
    "plateforme;",
    "voilà…",
]
LONG_WORD = "https://tube.reseau-canope.fr/videos/watch/0123456789"  # 53 characters

texts = st.lists(st.sampled_from([*VOCABULARY, LONG_WORD]), min_size=1, max_size=16).map(" ".join)
configs = st.builds(
    CaptionConfig,
    max_lines=st.integers(1, 3),
    max_line_chars=st.integers(20, 50),
    preferred_line_chars=st.integers(15, 50),
)


def forbidden_at_end(line: str) -> bool:
    """The line ends in a word of the reference lists (or its elided form, d’un -> un)."""
    word = line.rsplit(" ", 1)[-1].lower()
    return (
        word in FORBIDDEN_AFTER or word in TITLES or re.sub(r"^\w+’", "", word) in FORBIDDEN_AFTER
    )


def two_line_splits(words: list[str], width: int) -> list[tuple[str, str]]:
    """Every way to put the words on two lines that fit."""
    splits = [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]
    return [(a, b) for a, b in splits if len(a) <= width and len(b) <= width]


@settings(max_examples=200, deadline=None)
@given(texts, configs)
def test_lines_fit_and_keep_every_word_in_order(text: str, config: CaptionConfig) -> None:
    lines = break_lines(text, config)
    if lines is None:
        return
    assert 1 <= len(lines) <= config.max_lines
    assert all(len(line) <= config.max_line_chars for line in lines)
    assert " ".join(lines).split(" ") == text.split(" ")


@settings(max_examples=200, deadline=None)
@given(texts)
def test_none_only_when_no_two_line_layout_exists(text: str) -> None:
    words = text.split(" ")
    fits = len(text) <= CONFIG.max_line_chars or bool(two_line_splits(words, CONFIG.max_line_chars))
    assert (break_lines(text, CONFIG) is None) == (not fits)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_never_ends_a_line_in_a_forbidden_word_when_an_alternative_exists(text: str) -> None:
    lines = break_lines(text, CONFIG)
    if lines is None or len(lines) < 2:
        return
    if forbidden_at_end(lines[0]):
        alternatives = two_line_splits(text.split(" "), CONFIG.max_line_chars)
        assert all(forbidden_at_end(first) for first, _ in alternatives), lines


@pytest.mark.parametrize(
    "text",
    [
        "ou tout simplement de nouvelles idées en dehors de son établissement.",
        "On trouve en ligne de nombreuses ressources pour la classe.",
    ],
)
def test_an_adjective_before_its_noun_does_not_end_a_line(text):
    lines = break_lines(text, CaptionConfig())
    assert lines is not None and len(lines) == 2
    last_word = lines[0].split()[-1].lower()
    assert last_word not in {"nouvelles", "plusieurs", "nombreuses", "tout"}, lines
