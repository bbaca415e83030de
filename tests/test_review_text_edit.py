"""Text fixes from the review page land in the transcript's Markdown with the smallest change
(subtitler.review.text_edit): only the changed words, every other byte kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from subtitler.config import CaptionConfig
from subtitler.cues import build_cues
from subtitler.review.text_edit import TextEditError, edit_cue_text
from subtitler.sentences import split_sentences
from subtitler.transcript import load_transcript

SOURCE = """---
title: Essai
description: x
---

# Transcription

Bonjour à **tous**. Je suis [programeur au](https://ex.org) CNRC
et j'aime l'\\*alignement\\*.

\\- Le mot de passe doit être long. Le mot de passe doit être unique.
"""


def edit(tmp_path: Path, cue: int, new: str) -> str:
    path = tmp_path / "essai.md"
    path.write_text(SOURCE, encoding="utf-8")
    transcript = load_transcript(path)
    cues = build_cues(split_sentences(transcript), CaptionConfig())
    edit_cue_text(transcript, cues[cue], new)
    return path.read_text(encoding="utf-8")


REST = "Je suis programeur au CNRC et j'aime l'*alignement*."  # cue 0 after "Bonjour à tous."


def test_a_typo_inside_a_link_changes_that_word_only(tmp_path):
    edited = edit(tmp_path, 0, "Bonjour à tous. Je suis programmeur au CNRC et j'aime l'*alignement*.")
    assert edited == SOURCE.replace("[programeur au]", "[programmeur au]")


def test_a_word_inside_bold_changes_its_letters_and_keeps_the_bold(tmp_path):
    assert edit(tmp_path, 0, f"Bonjour à vous. {REST}") == SOURCE.replace("**tous**", "**vous**")


def test_the_second_of_two_identical_runs_is_the_one_edited(tmp_path):
    edited = edit(tmp_path, 2, "Le mot de passe doit être vraiment unique.")
    assert edited == SOURCE.replace("être unique.", "être vraiment unique.")


def test_words_removed_take_their_space_with_them(tmp_path):
    assert edit(tmp_path, 1, "Le passe doit être long.") == SOURCE.replace("Le mot de passe doit être long",
                                                                             "Le passe doit être long")


def test_an_edit_that_would_cut_through_markup_is_refused_with_the_reason(tmp_path):
    with pytest.raises(TextEditError, match="edit the transcript by hand"):
        edit(tmp_path, 0, "Bonjour à tous. Je suis un développeur CNRC et j'aime l'*alignement* fort.")
    assert (tmp_path / "essai.md").read_text(encoding="utf-8") == SOURCE  # nothing written


def test_a_cue_cannot_be_emptied(tmp_path):
    with pytest.raises(TextEditError, match="without words"):
        edit(tmp_path, 0, "   ")
