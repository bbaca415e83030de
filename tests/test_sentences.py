"""French sentence segmentation: named cases, the whitespace guarantee, offline operation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.model import Block, BlockKind, Inline, InlineKind, Section, Transcript
from subtitler.sentences import (
    FRENCH_ABBREVIATIONS,
    FrenchLanguageVars,
    sentence_spans,
    split_sentences,
    split_text,
)
from subtitler.transcript import load_transcript

CASES = {
    "plain": ("Bonjour. Je m'appelle Angela.", ["Bonjour.", "Je m'appelle Angela."]),
    "monsieur-madame": (
        "M. Dupont est là. Mme Durand aussi.",
        ["M. Dupont est là.", "Mme Durand aussi."],
    ),
    "mademoiselle-docteur": (
        "Mlle. Martin et le Dr. Petit arrivent. Mgr. Léon aussi.",
        ["Mlle. Martin et le Dr. Petit arrivent.", "Mgr. Léon aussi."],
    ),
    "page-and-for-example": (
        "Voir p. 12. Puis p. ex. Paris.",
        ["Voir p. 12.", "Puis p. ex. Paris."],
    ),
    "pages-chapter-volume": (
        "Lisez pp. 3-5, chap. 2, vol. 1 et art. 3. Fin.",
        ["Lisez pp. 3-5, chap. 2, vol. 1 et art. 3.", "Fin."],
    ),
    "cf-before-capital": (
        "Cf. Chapitre 2. Voir aussi env. 30 élèves.",
        ["Cf. Chapitre 2.", "Voir aussi env. 30 élèves."],
    ),
    "numero": ("Le n° 5 est pris. Le n°6 aussi.", ["Le n° 5 est pris.", "Le n°6 aussi."]),
    "before-christ": ("Vers 300 av. J.-C. Puis rien.", ["Vers 300 av. J.-C.", "Puis rien."]),
    "saint-sainte": (
        "Il vit à St. Denis et Ste. Anne. Voilà.",
        ["Il vit à St. Denis et Ste. Anne.", "Voilà."],
    ),
    "editor-collection": (
        "Paru chez Nathan, éd. Hachette, coll. Repères. Lu.",
        ["Paru chez Nathan, éd. Hachette, coll. Repères.", "Lu."],
    ),
    "month": (
        "Du 3 janv. 2024 au 5 févr. 2025. Rien.",
        ["Du 3 janv. 2024 au 5 févr. 2025.", "Rien."],
    ),
    "that-is": ("Voir c.-à-d. le menu. Fin.", ["Voir c.-à-d. le menu.", "Fin."]),
    "etc-before-capital": (
        "Des pommes, etc. Ensuite des poires.",
        ["Des pommes, etc.", "Ensuite des poires."],
    ),
    "etc-before-lowercase": (
        "Des pommes, etc. et des poires.",
        ["Des pommes, etc. et des poires."],
    ),
    "decimal-comma": ("Il reste 1,5 litre. Bien.", ["Il reste 1,5 litre.", "Bien."]),
    "decimal-point": ("Il pèse 3.5 kg. Bien.", ["Il pèse 3.5 kg.", "Bien."]),
    "time": (
        "Rendez-vous à 14 h 30 ou à 14h30. Merci.",
        ["Rendez-vous à 14 h 30 ou à 14h30.", "Merci."],
    ),
    "ellipsis-then-capital": (
        "Mail… Les clients de messagerie.",
        ["Mail…", "Les clients de messagerie."],
    ),
    "ellipsis-then-lowercase": ("une femme… dont le vrai nom.", ["une femme… dont le vrai nom."]),
    "dots-then-capital": ("Alors... On continue.", ["Alors...", "On continue."]),
    "dots-then-lowercase": ("Alors... on continue.", ["Alors... on continue."]),
    "ellipsis-in-quotes": ("« Tri par… », puis valider.", ["« Tri par… », puis valider."]),
    "closing-guillemet-stays": (
        "Il a crié : « Au secours ! » Puis il est parti.",
        ["Il a crié : « Au secours ! »", "Puis il est parti."],
    ),
    "guillemets-then-lowercase": ("« Bravo ! » dit-il. Oui.", ["« Bravo ! » dit-il.", "Oui."]),
    "opening-guillemet-starts-next": (
        "C'est fini. « Vraiment ? » Oui.",
        ["C'est fini.", "« Vraiment ? »", "Oui."],
    ),
    "period-inside-guillemets": ("Il dit « Stop. » Fin.", ["Il dit « Stop. »", "Fin."]),
    "curly-quotes": ("Il dit “non.” Puis il part.", ["Il dit “non.”", "Puis il part."]),
    "parenthesis": ("(Rires.) On reprend.", ["(Rires.)", "On reprend."]),
    "interrobang": ("Vraiment ?! Oui !! Non ?!? Si!", ["Vraiment ?!", "Oui !!", "Non ?!?", "Si!"]),
    "question-then-lowercase": ("Pourquoi ? parce que.", ["Pourquoi ? parce que."]),
    "question-no-space": ("Pourquoi? Parce que.", ["Pourquoi?", "Parce que."]),
    "url": (
        "Allez sur https://www.exemple.fr/a.b?c=d. Ensuite, validez.",
        ["Allez sur https://www.exemple.fr/a.b?c=d.", "Ensuite, validez."],
    ),
    "url-with-question-mark-and-bang": (
        "Voir https://x.fr/?a=1!b. Fin.",
        ["Voir https://x.fr/?a=1!b.", "Fin."],
    ),
    "domains": (
        "Allez sur pix.fr et eduscol.education.fr. Ensuite, lisez.",
        ["Allez sur pix.fr et eduscol.education.fr.", "Ensuite, lisez."],
    ),
    "email": (
        "Écrivez à prenom.nom@ac-lyon.fr. Merci.",
        ["Écrivez à prenom.nom@ac-lyon.fr.", "Merci."],
    ),
    "law-1901": (
        "Une association loi 1901. Elle agit.",
        ["Une association loi 1901.", "Elle agit."],
    ),
    "step-number-ends-sentence": (
        "Passez à l'étape 2. Puis cliquez.",
        ["Passez à l'étape 2.", "Puis cliquez."],
    ),
    "step-number-then-lowercase": (
        "Voir l'étape 2. puis cliquez.",
        ["Voir l'étape 2. puis cliquez."],
    ),
    "inline-list-number": (
        "Ouvrez le menu. 2. Cliquez sur OK.",
        ["Ouvrez le menu.", "2. Cliquez sur OK."],
    ),
    "numbered-steps-in-a-paragraph": (
        "1. Ouvrez le menu. 2. Cliquez.",
        ["1. Ouvrez le menu.", "2. Cliquez."],
    ),
    "initials": (
        "J. Dupont et J.-P. Sartre arrivent. Ils parlent.",
        ["J. Dupont et J.-P. Sartre arrivent.", "Ils parlent."],
    ),
    "initial-then-lowercase": ("Jean F. de la Tour. Oui.", ["Jean F. de la Tour.", "Oui."]),
    "acronym-then-capital": (
        "Je prends la S.N.C.F. Elle roule.",
        ["Je prends la S.N.C.F.", "Elle roule."],
    ),
    "acronym-then-lowercase": (
        "La S.N.C.F. propose des trains.",
        ["La S.N.C.F. propose des trains."],
    ),
    "no-space-after-period": ("Fin.Début.", ["Fin.Début."]),
    "no-space-after-ellipsis": ("Alors...(rires) Oui.", ["Alors...(rires) Oui."]),
    "no-final-punctuation": ("Bonjour. Un titre sans point", ["Bonjour.", "Un titre sans point"]),
    "punctuation-only": ('?"', ['?"']),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_split_text(text, expected):
    assert split_text(text) == expected


def test_whitespace_is_collapsed_inside_a_sentence():
    assert split_text("  Bonjour\n  à\u00a0tous !\t\tOui.  ") == ["Bonjour à tous !", "Oui."]


@pytest.mark.parametrize("text", ["", "   ", "\n\t\u00a0"])
def test_blank_text_has_no_sentence(text):
    assert split_text(text) == []


def test_abbreviations_are_listed_once_with_their_period():
    assert len(set(FRENCH_ABBREVIATIONS)) == len(FRENCH_ABBREVIATIONS)
    assert all(word.endswith(".") for word in FRENCH_ABBREVIATIONS)
    assert "etc." not in FRENCH_ABBREVIATIONS


def test_every_listed_abbreviation_holds_before_a_capital():
    for word in FRENCH_ABBREVIATIONS:
        text = f"Voir {word} Martin ici. Fin."
        assert split_text(text) == [f"Voir {word} Martin ici.", "Fin."], word


def test_other_languages_get_the_punctuation_rules_without_french_abbreviations():
    assert split_text("Voir Mme. Smith. Bye.", lang="en") == ["Voir Mme.", "Smith.", "Bye."]
    assert split_text("Voir Mme. Smith. Bye.", lang="fr-CA") == ["Voir Mme. Smith.", "Bye."]


def test_works_offline_without_nltk_data():
    """A fresh machine has no nltk_data: building the tokenizer must not download or load any."""
    code = (
        "import nltk, nltk.data\n"
        "def refuse(*a, **k): raise AssertionError('nltk tried to fetch data')\n"
        "nltk.download = nltk.data.load = nltk.data.find = refuse\n"
        "from subtitler.sentences import split_text\n"
        "assert split_text('M. Dupont arrive. Il parle.') == ['M. Dupont arrive.', 'Il parle.']\n"
    )
    env = {"NLTK_DATA": "/nonexistent", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr



def test_boundary_scan_has_no_wall_clock_limit():
    """nltk's ReDoS guard stops a regex scan after 5 s: a long paragraph on a busy machine
    would raise TimeoutError half-way. The candidate scan uses the standard ``re`` instead."""
    assert isinstance(FrenchLanguageVars().period_context_re(), re.Pattern)


# --- the whitespace guarantee, as properties -------------------------------------------------

WORDS = st.sampled_from(
    "Bonjour il élève Écran M. Mme p. ex. etc. J. S.N.C.F. 2. 1,5 3.5 14h30 pix.fr a@b.fr"
    ' https://x.fr/a.b?c=d ... … ? ! ?! . « » “ ” " ( ) , : — fin. Oui. non…'.split()
)
SPACES = st.sampled_from([" ", "  ", "\n", " \t", "\u00a0", "\u202f", ""])
TEXTS = st.lists(st.tuples(WORDS, SPACES), max_size=40).map(
    lambda parts: "".join(w + s for w, s in parts)
)
NO_DEADLINE = settings(deadline=None)  # the suite shares 2 busy cores: speed is no property here
ANY_TEXT = st.one_of(TEXTS, st.text(alphabet="aZé .?!…«»\"'()\n\u00a0-0123", max_size=60))


@NO_DEADLINE
@given(ANY_TEXT)
def test_sentences_join_back_to_the_text_with_collapsed_whitespace(text):
    assert " ".join(split_text(text)) == " ".join(text.split())


@NO_DEADLINE
@given(ANY_TEXT)
def test_no_sentence_is_empty_or_has_stray_whitespace(text):
    for sentence in split_text(text):
        assert sentence and sentence == " ".join(sentence.split())


@NO_DEADLINE
@given(ANY_TEXT)
def test_spans_are_ordered_and_point_at_their_sentence(text):
    spans = sentence_spans(text)
    sentences = split_text(text)
    assert len(spans) == len(sentences)
    previous_end = 0
    for (start, end), sentence in zip(spans, sentences, strict=True):
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert text[previous_end:start].strip() == ""
        assert previous_end == 0 or start > previous_end  # whitespace between sentences
        assert " ".join(text[start:end].split()) == sentence
        previous_end = end
    assert text[previous_end:].strip() == ""


def paragraph(text: str, turn: bool) -> Block:
    return Block(
        BlockKind.PARAGRAPH,
        (Inline(InlineKind.TEXT, text),),
        Section.TRANSCRIPTION,
        speaker_turn=turn,
    )


@NO_DEADLINE
@given(st.lists(st.tuples(TEXTS, st.booleans()), max_size=6))
def test_split_sentences_offsets_point_into_their_block(paragraphs):
    blocks = tuple(paragraph(text, turn) for text, turn in paragraphs)
    transcript = Transcript(path=Path("t.md"), slug="t", title="T", lang="fr", blocks=blocks)
    sentences = split_sentences(transcript)
    for index, block in enumerate(blocks):
        own = [s for s in sentences if s.block_index == index]
        assert " ".join(" ".join(s.text.split()) for s in own) == " ".join(block.text.split())
        assert [s.offset for s in own] == sorted({s.offset for s in own})
        for position, sentence in enumerate(own):
            assert block.text[sentence.offset : sentence.offset + len(sentence.text)] == sentence.text
            assert not block.text[sentence.offset].isspace()
            assert sentence.starts_turn == (block.speaker_turn and position == 0)


# --- split_sentences on transcripts ----------------------------------------------------------


def test_split_sentences_of_a_transcript(fixtures_dir):
    transcript = load_transcript(fixtures_dir / "transcripts" / "webinar.md")
    got = [(s.block_index, s.offset, s.starts_turn, s.text) for s in split_sentences(transcript)]
    assert got == [
        (1, 0, True, "Bonjour à toutes et à tous."),
        (1, 28, False, "M. Dupont, vous êtes là ?"),
        (2, 0, True, "Oui, bonjour."),
        (2, 14, False, "Je suis ravi d'être parmi vous… vraiment."),
        (3, 0, False, "Comme je le disais, la loi 1901 encadre les associations."),
        (3, 58, False, "Rendez-vous sur eduscol.education.fr !"),
    ]


def test_headings_preamble_and_credits_are_not_split(fixtures_dir):
    transcript = load_transcript(fixtures_dir / "transcripts" / "structure.md")
    texts = [s.text for s in split_sentences(transcript)]
    assert "Première partie" not in texts and "Transcription" not in texts
    assert not any("Canopé" in t or "introduction" in t or "hors transcription" in t for t in texts)
    assert "Ouvrez le menu." in texts
    assert "Une autre personne parle." in texts and "Avec un saut de ligne." in texts


def test_corpus_sentences_keep_every_word(corpus_transcripts):
    checked = 0
    for transcript in corpus_transcripts:
        path = transcript.path
        sentences = split_sentences(transcript)
        for index, block in transcript.spoken_blocks:
            own = [" ".join(s.text.split()) for s in sentences if s.block_index == index]
            assert " ".join(own) == " ".join(block.text.split()), (path, index)
            for s in sentences:
                if s.block_index == index:
                    assert block.text[s.offset : s.offset + len(s.text)] == s.text
        checked += len(sentences)
    assert checked > 8000  # speaker labels and title lines are not spoken (transcript.py)
