"""Sentences into caption cues: what a cue holds, how it looks, and that no word is lost."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from french_words import CORE_WORDS
from subtitler.config import CaptionConfig
from subtitler.cues import build_cues, layout_warnings
from subtitler.model import Cue, Sentence
from subtitler.speaking_time import estimate_speaking_time

CONFIG = CaptionConfig()
NBSP = "\u00a0"


def sentences_in_blocks(*blocks: Sequence[str], turns: Sequence[int] = ()) -> list[Sentence]:
    """Sentences of blocks whose text is their sentences joined by spaces; blocks listed in
    ``turns`` start a speaker's turn."""
    return [
        Sentence(
            text,
            block,
            offset=len(" ".join(texts[:i]) + " ") if i else 0,
            starts_turn=block in turns and i == 0,
        )
        for block, texts in enumerate(blocks)
        for i, text in enumerate(texts)
    ]


def block_texts(sentences: Sequence[Sentence]) -> dict[int, str]:
    texts: dict[int, list[str]] = {}
    for sentence in sentences:
        texts.setdefault(sentence.block_index, []).append(sentence.text)
    return {block: " ".join(parts) for block, parts in texts.items()}


def core(text: str) -> str:
    """What a viewer reads, spacing and the apostrophe's shape aside."""
    return "".join(text.split()).replace("’", "'")


def dashed_lines(cues: list[Cue], sentences: Sequence[Sentence], position: int) -> range:
    """Indices of the lines of ``cues[position]`` that must start with the dialogue dash."""
    cue = cues[position]
    if position + 1 < len(cues):
        following = cues[position + 1].sentence_index
        last = following - 1 if cue.ends_sentence else following
    else:
        last = len(sentences) - 1
    covered = range(cue.sentence_index + 1, last + 1)
    if any(sentences[i].starts_turn for i in covered):
        return range(len(cue.lines))  # end of a turn and start of the next: a dash per line
    return range(1) if cue.starts_turn else range(0)


def check_cues(
    cues: list[Cue],
    sentences: Sequence[Sentence],
    config: CaptionConfig,
    blocks: dict[int, str] | None = None,
) -> None:
    """Every invariant of ``build_cues``'s result (blocks: check ``block_offset`` against them)."""
    spoken = " ".join(s.text for s in sentences).split()
    assert " ".join(c.text for c in cues).split() == spoken  # no word lost, added or moved
    assert [c.index for c in cues] == list(range(len(cues)))
    overlong = {w.split(":")[0] for w in layout_warnings(cues, config)}
    for position, cue in enumerate(cues):
        assert cue.text == " ".join(cue.text.split())
        assert 1 <= len(cue.lines) <= config.max_lines
        if f"cue {cue.index + 1}" not in overlong:
            assert all(len(line) <= config.max_line_chars for line in cue.lines)
        starts_sentence = position == 0 or cues[position - 1].ends_sentence
        assert cue.starts_turn == (sentences[cue.sentence_index].starts_turn and starts_sentence)
        assert sentences[cue.sentence_index].block_index == cue.block_index
        shown = []
        for number, line in enumerate(cue.lines):
            if number in dashed_lines(cues, sentences, position):
                assert line.startswith("- ")
                line = line[2:]
            shown.append(line)
        assert core(" ".join(shown)) == core(cue.text)  # same characters: no ellipsis, no dash
        if blocks is not None:
            assert blocks[cue.block_index].startswith(cue.text.split()[0], cue.block_offset)


# --- what a cue holds ---------------------------------------------------------------------


def test_a_short_sentence_is_one_cue_with_display_typography_and_spoken_text() -> None:
    sentences = sentences_in_blocks(["Qu'appelle-t-on cyberharcèlement?"])
    assert build_cues(sentences, CONFIG) == [
        Cue(
            index=0,
            lines=(f"Qu’appelle-t-on cyberharcèlement{NBSP}?",),
            text="Qu'appelle-t-on cyberharcèlement?",
            block_index=0,
            sentence_index=0,
            block_offset=0,
            starts_turn=False,
            ends_sentence=True,
        )
    ]


def test_a_long_sentence_is_cut_after_its_clause_punctuation() -> None:
    sentences = sentences_in_blocks(
        [
            "Voici une phrase d'introduction.",
            "Derrière son écran, on surfe d'un site à l’autre, on partage des photos avec "
            "ses amis, on échange sur des réseaux sociaux...",
        ]
    )
    cues = build_cues(sentences, CONFIG)
    assert [c.lines for c in cues[1:]] == [
        ("Derrière son écran,", "on surfe d’un site à l’autre,"),
        ("on partage des photos avec ses amis,", "on échange sur des réseaux sociaux..."),
    ]
    intro = len("Voici une phrase d'introduction. ")
    assert [(c.sentence_index, c.block_offset, c.ends_sentence) for c in cues[1:]] == [
        (1, intro, False),
        (1, intro + len("Derrière son écran, on surfe d'un site à l’autre, "), True),
    ]
    check_cues(cues, sentences, CONFIG, block_texts(sentences))


def test_pieces_of_a_long_sentence_are_balanced_without_an_orphan() -> None:
    sentence = (
        "Les élèves de la classe utilisent chaque jour des outils numériques pour "
        "préparer leurs exposés en groupe le mardi."
    )  # filling cues greedily: 84 + 30
    cues = build_cues(sentences_in_blocks([sentence]), CONFIG)
    lengths = [len(c.text) for c in cues]
    assert len(cues) == 2
    assert min(lengths) >= len(sentence) / 3


def test_consecutive_short_sentences_of_a_block_share_a_cue() -> None:
    cues = build_cues(sentences_in_blocks(["Bonjour.", "Je m'appelle Éric Joanis."]), CONFIG)
    assert [c.lines for c in cues] == [("Bonjour. Je m’appelle Éric Joanis.",)]


def test_a_tiny_sentence_joins_a_longer_one_on_two_lines() -> None:
    cues = build_cues(
        sentences_in_blocks(
            ["Voilà.", "Nous allons maintenant parler de la sécurité des comptes."]
        ),
        CONFIG,
    )
    assert len(cues) == 1 and len(cues[0].lines) == 2


def test_sentences_of_ordinary_length_keep_a_cue_each() -> None:
    cues = build_cues(
        sentences_in_blocks(["Le numérique change la classe.", "Les élèves s’en emparent vite."]),
        CONFIG,
    )
    assert len(cues) == 2


def test_sentences_long_enough_to_stand_alone_never_merge_across_blocks() -> None:
    config = CaptionConfig(min_cue_chars=5, min_cue_speech=0.2)  # "Bonjour." is long enough
    cues = build_cues(sentences_in_blocks(["Bonjour."], ["Je m'appelle Éric Joanis."]), config)
    assert [c.block_index for c in cues] == [0, 1]


def test_a_piece_of_a_split_sentence_takes_no_other_sentence() -> None:
    long = (
        "Les enseignants qui utilisent régulièrement les outils numériques en classe "
        "constatent que leurs élèves participent davantage."
    )
    cues = build_cues(sentences_in_blocks([long, "Ils lèvent la main plus souvent."]), CONFIG)
    assert cues[-1].text == "Ils lèvent la main plus souvent."


# --- fragments: joined, never alone, never dropped ---------------------------------------------


def test_a_one_word_paragraph_joins_the_cue_after_it() -> None:
    sentences = sentences_in_blocks(["Bonjour."], ["Je m'appelle Éric Joanis."])
    cues = build_cues(sentences, CONFIG)
    assert [c.lines for c in cues] == [("Bonjour. Je m’appelle Éric Joanis.",)]
    check_cues(cues, sentences, CONFIG, block_texts(sentences))


def test_a_lone_conjunction_joins_the_list_item_after_it() -> None:
    # mettre-a-disposition-et-partager-des-ressources-a-des-pairs-2nd-degre: "Et" alone
    # between two list items was a cue of 0.12 s.
    sentences = sentences_in_blocks(
        ["déposer ses documents dans l’espace de stockage de l’établissement"],
        ["Et"],
        ["partager le lien avec ses collègues de la discipline."],
    )
    cues = build_cues(sentences, CONFIG)
    assert not any(c.text == "Et" for c in cues)
    assert next(c for c in cues if "Et" in c.text.split()).text.startswith("Et partager")
    check_cues(cues, sentences, CONFIG, block_texts(sentences))


def test_a_question_mark_left_alone_closes_the_cue_before_it() -> None:
    # le-numerique-pour-developper-les-competences-psychosociales-des-eleves: "?" alone.
    sentences = sentences_in_blocks(
        ["Sont-ils capables de comprendre la commande scolaire, etc."],
        ["?"],
        ["Un peu plus tard, combien sont capables de rédiger correctement un CV ?"],
    )
    cues = build_cues(sentences, CONFIG)
    assert any(line.endswith(f"etc.{NBSP}?") for c in cues for line in c.lines)
    assert not any(c.text == "?" for c in cues)
    check_cues(cues, sentences, CONFIG, block_texts(sentences))


def test_a_short_closing_sentence_joins_the_cue_before_it() -> None:
    long = (
        "Les enseignants qui utilisent régulièrement les outils numériques en classe "
        "constatent que leurs élèves participent davantage."
    )
    cues = build_cues(sentences_in_blocks([long, "Voilà."], ["Passons à la suite du programme."]), CONFIG)
    assert cues[-2].text.endswith("davantage. Voilà.") and cues[-2].text != "Voilà."


def test_a_sentence_opener_shares_a_cue_with_what_follows() -> None:
    opener = sentences_in_blocks(
        ["Alors :", "les élèves ouvrent leur espace numérique de travail et déposent leur devoir "
         "dans le dossier de la classe avant la date limite fixée."]
    )
    cues = build_cues(opener, CONFIG)
    assert cues[0].text.startswith("Alors : les élèves")
    check_cues(cues, opener, CONFIG, block_texts(opener))


def test_no_piece_of_a_long_sentence_is_said_in_under_a_second() -> None:
    # une-breve-histoire-d-internet: "Au fil des années 1980," was a cue of its own.
    sentence = (
        "Au fil des années 1980, de nombreux réseaux universitaires et militaires se "
        "connectent entre eux grâce au protocole TCP/IP."
    )
    cues = build_cues(sentences_in_blocks([sentence]), CONFIG)
    assert len(cues) == 2
    assert all(estimate_speaking_time(c.text) >= CONFIG.min_cue_speech for c in cues)


def test_a_cue_is_split_by_how_long_it_takes_to_say_not_by_its_length() -> None:
    # une-breve-histoire-d-internet, cue 37: 80 characters fit one cue, but the numbers take
    # 7 s to say: the cue was on screen for 9.3 s.
    sentence = "De 1 000 ordinateurs en 1984, on passe à 100 000 en 1989 et 1 million en 1992."
    cues = build_cues(sentences_in_blocks([sentence]), CONFIG)
    assert estimate_speaking_time(sentence) > CONFIG.max_cue_speech
    assert [c.text for c in cues] == [
        "De 1 000 ordinateurs en 1984,",
        "on passe à 100 000 en 1989 et 1 million en 1992.",
    ]


# --- dialogue ------------------------------------------------------------------------------


def test_a_new_turn_starts_with_a_dash_and_its_continuation_has_none() -> None:
    long = (
        "Les élèves de la classe utilisent chaque jour des outils numériques pour "
        "préparer leurs exposés en groupe le mardi."
    )
    sentences = sentences_in_blocks(
        [long, "Et ils apprennent aussi à coopérer entre eux."], turns=[0]
    )
    cues = build_cues(sentences, CONFIG)
    assert len(cues) == 3
    assert cues[0].lines[0].startswith("- Les élèves") and cues[0].starts_turn
    assert not any(line.startswith("-") for c in cues[1:] for line in c.lines)
    assert not cues[1].starts_turn
    check_cues(cues, sentences, CONFIG, block_texts(sentences))


def test_a_quick_exchange_shares_a_cue_with_a_dash_on_each_line() -> None:
    sentences = sentences_in_blocks(
        ["Bonjour."], ["Bonjour, merci d'être avec nous."], turns=[0, 1]
    )
    cues = build_cues(sentences, CONFIG)
    assert [c.lines for c in cues] == [("- Bonjour.", "- Bonjour, merci d’être avec nous.")]
    assert cues[0].starts_turn and cues[0].text == "Bonjour. Bonjour, merci d'être avec nous."
    check_cues(cues, sentences, CONFIG)


def test_a_short_turn_shares_a_cue_with_the_one_line_end_of_the_turn_before() -> None:
    # Split by its spoken length, the sentence ends with a one-line piece.
    long = "On passe de 1 000 ordinateurs en 1984 à 100 000 en 1989, puis 1 million en 1992."
    sentences = sentences_in_blocks(
        [long], ["Oui."], ["Nous allons voir comment ils s’y prennent en classe."], turns=[0, 1, 2]
    )
    cues = build_cues(sentences, CONFIG)
    assert cues[1].lines == ("- puis 1 million en 1992.", "- Oui.")
    check_cues(cues, sentences, CONFIG, block_texts(sentences))


def test_or_else_with_the_one_line_start_of_the_turn_after() -> None:
    long = ("Les élèves de la classe utilisent chaque jour des outils numériques pour "
            "préparer leurs exposés en groupe")  # no sentence end: the next turn interrupts
    sentences = sentences_in_blocks([long], ["Oui."], ["Et ensuite ?"], turns=[0, 1, 2])
    cues = build_cues(sentences, CONFIG)
    assert cues[-1].lines == ("- Oui.", f"- Et ensuite{NBSP}?")
    check_cues(cues, sentences, CONFIG, block_texts(sentences))


def test_a_sentence_kept_apart_shares_no_cue_with_what_comes_before() -> None:
    """The audio timing found music between them (``timing.sounds.sentences_apart_by_music``):
    a short turn is not paired with it, short sentences of one turn are not joined."""
    turns = sentences_in_blocks(["Firefox."], ["Je suis sûr que nous aimerons."], turns=[0, 1])
    assert [c.lines for c in build_cues(turns, CONFIG)] == [("- Firefox.", "- Je suis sûr que nous aimerons.")]
    apart = build_cues(turns, CONFIG, apart={1})
    assert [c.lines for c in apart] == [("- Firefox.",), ("- Je suis sûr que nous aimerons.",)]
    assert [c.sentence_index for c in apart] == [0, 1]
    check_cues(apart, turns, CONFIG, block_texts(turns))
    one_turn = sentences_in_blocks(["Bonjour.", "Je m'appelle Éric Joanis."])
    assert [c.lines for c in build_cues(one_turn, CONFIG, apart={1})] == [("Bonjour.",), ("Je m’appelle Éric Joanis.",)]


def test_voices_name_the_speakers_of_each_turn_a_cue_shows() -> None:
    sentences = [
        replace(s, speaker=name)
        for s, name in zip(
            sentences_in_blocks(["Bonjour."], ["Bonjour, merci d'être avec nous."],
                                ["Nous parlerons aujourd'hui du travail en équipe."],
                                turns=[0, 1]),
            ["Mélinée Chanard", "François Miquet", "François Miquet"],
        )
    ]
    cues = build_cues(sentences, CONFIG)
    assert [c.voices for c in cues] == [("Mélinée Chanard", "François Miquet"), ("François Miquet",)]
    assert [c.voices for c in build_cues(sentences_in_blocks(["Bonjour."]), CONFIG)] == [()]


def test_turns_of_ordinary_length_keep_their_own_cues() -> None:
    sentences = sentences_in_blocks(
        ["Le numérique change la classe."], ["Les élèves s’en emparent vite."], turns=[0, 1]
    )
    assert [c.lines for c in build_cues(sentences, CONFIG)] == [
        ("- Le numérique change la classe.",),
        ("- Les élèves s’en emparent vite.",),
    ]


def test_the_dash_counts_in_the_line_length() -> None:
    text = "Les classes travaillent souvent en groupe"  # 41 characters: one line without the dash
    assert build_cues(sentences_in_blocks([text]), CONFIG)[0].lines == (text,)
    turn = build_cues(sentences_in_blocks([text], turns=[0]), CONFIG)[0]
    assert len(turn.lines) == 2 and all(len(line) <= CONFIG.max_line_chars for line in turn.lines)


# --- words longer than a line, odd inputs ---------------------------------------------------

URL = "https://tube.reseau-canope.fr/videos/watch/0123456789abcdef"  # 59 characters


def test_a_word_longer_than_a_line_is_never_cut_and_is_reported() -> None:
    sentences = sentences_in_blocks([f"Voir {URL} pour la suite."])
    cues = build_cues(sentences, CONFIG)
    url_cue = next(c for c in cues if URL in c.text)
    assert URL in url_cue.lines
    assert layout_warnings(cues, CONFIG) == [
        f"cue {url_cue.index + 1}: a line of 59 characters (max 42), "
        f"a word too long to break: {URL}"
    ]
    check_cues(cues, sentences, CONFIG, block_texts(sentences))


def test_layout_warnings_is_empty_for_ordinary_text() -> None:
    cues = build_cues(sentences_in_blocks(["Bonjour.", "Je m'appelle Éric Joanis."]), CONFIG)
    assert layout_warnings(cues, CONFIG) == []


def test_a_sentence_without_words_gives_no_cue() -> None:
    sentences = [Sentence("   ", 0), Sentence("Bonjour.", 0, 4)]
    assert [c.text for c in build_cues(sentences, CONFIG)] == ["Bonjour."]


def test_one_line_captions() -> None:
    config = CaptionConfig(max_lines=1)
    sentences = sentences_in_blocks(
        ["Bonjour."],
        ["Derrière son écran, on surfe d'un site à l’autre, on partage des photos avec ses amis."],
        turns=[0, 1],
    )
    cues = build_cues(sentences, config)
    assert all(len(c.lines) == 1 for c in cues)
    check_cues(cues, sentences, config)


# --- properties -----------------------------------------------------------------------------

VOCABULARY = CORE_WORDS + [
    "intergouvernementalisations",
    URL,
    "https://pix.fr",
    "x@y.fr",
    "14:30",
    "15",
    "%",
    "3",
    "km",
    "12",
    "h",
    "30",
    "n°",
    "10",
    "000",
    "€",
    ",",
    ";",
    ":",
    "?",
    "!",
    "...",
    "…",
    "«",
    "»",
    "(",
    ")",
    "voilà,",
    "classe.",
    "vraiment?",
    "«fisha»",
]
sentence_texts = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=30).map(
    lambda words: " ".join(words) + "."
)
blocks = st.lists(st.lists(sentence_texts, min_size=1, max_size=4), min_size=1, max_size=4)
configs = st.builds(
    CaptionConfig,
    max_lines=st.integers(1, 3),
    max_line_chars=st.integers(25, 50),
    preferred_line_chars=st.integers(20, 45),
)


@settings(max_examples=150, deadline=None)
@given(blocks, st.sets(st.integers(0, 3)), configs, st.sets(st.integers(0, 12)))
def test_no_word_is_lost_and_every_cue_fits(
    texts: list[list[str]], turns: set[int], config: CaptionConfig, apart: set[int]
) -> None:
    """Also with sentences kept apart: each of those begins a cue."""
    sentences = sentences_in_blocks(*texts, turns=sorted(turns))
    cues = build_cues(sentences, config)
    check_cues(cues, sentences, config, block_texts(sentences))
    kept_apart = build_cues(sentences, config, apart)
    check_cues(kept_apart, sentences, config, block_texts(sentences))
    starts = {c.sentence_index for k, c in enumerate(kept_apart) if k == 0 or kept_apart[k - 1].ends_sentence}
    assert {i for i in apart if i < len(sentences) and sentences[i].text.split()} <= starts


# --- the real corpus ------------------------------------------------------------------------


@pytest.mark.slow
def test_corpus(corpus_files: list[Path], corpus_transcripts: list) -> None:
    """Every corpus transcript: invariants hold; statistics are printed (pytest -s)."""
    from subtitler.sentences import split_sentences

    unusable = len(corpus_files) - len(corpus_transcripts)  # PDF tutorials, no transcription
    started, cpu_started = time.perf_counter(), time.process_time()
    cues_per_file: list[list[Cue]] = []
    warnings: list[str] = []
    for transcript in corpus_transcripts:
        path = transcript.path
        sentences = split_sentences(transcript)
        cues = build_cues(sentences, CONFIG)
        check_cues(cues, sentences, CONFIG)
        for cue in cues:  # block_offset points at the cue's first word in its block
            block = transcript.blocks[cue.block_index].text
            assert block.startswith(cue.text.split()[0], cue.block_offset), (path, cue)
        warnings += [f"{path.name}: {w}" for w in layout_warnings(cues, CONFIG)]
        cues_per_file.append(cues)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started

    cues = [c for file_cues in cues_per_file for c in file_cues]
    chars = [c.char_count for c in cues]
    lines = [line for c in cues for line in c.lines]
    deciles = statistics.quantiles(chars, n=10)
    print(
        f"\ncorpus: {len(cues_per_file)} transcripts ({unusable} without spoken text), "
        f"{len(cues)} cues in {elapsed:.1f} s ({cpu:.1f} s of CPU)\n"
        f"characters per cue: min {min(chars)}, deciles {[round(d) for d in deciles]}, "
        f"max {max(chars)}, mean {statistics.mean(chars):.1f}\n"
        f"cues under {CONFIG.min_cue_chars} characters: "
        f"{sum(n < CONFIG.min_cue_chars for n in chars)}\n"
        f"two-line cues: {sum(len(c.lines) == 2 for c in cues) / len(cues):.1%}\n"
        f"lines over {CONFIG.preferred_line_chars} characters: "
        f"{sum(len(line) > CONFIG.preferred_line_chars for line in lines)} of {len(lines)}\n"
        f"layout warnings: {len(warnings)}"
    )
    for warning in warnings:
        print(" ", warning)
    assert cues_per_file
    assert cpu < 15  # CPU time: the wall clock also counts whatever else the machine runs
