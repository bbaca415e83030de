"""Split spoken text into sentences: nltk's Punkt with hand-built French parameters.

Nothing is trained or downloaded (no ``nltk.download``, no pickle from nltk_data): the
tokenizer is built from the abbreviation list below and a French PunktLanguageVars. Punkt
decides on periods (abbreviations, initials, numbers); French rules then merge some of its
sentences back together, all in one place (``_continues``):

- a sentence never starts with a lowercase letter: "… dont", "? dit-il", "etc. et" continue
  the sentence (so an ellipsis or "etc." ends a sentence only before a capital);
- nor with punctuation that closes or continues one: "Clermont-Ferrand. : « Plutôt …" is one
  sentence (a colon after a period is a typing slip, not a new sentence);
- punctuation left alone after a boundary ("?!", "!!") stays with the sentence it ends;
- a lone list number ("2." in "… le menu. 2. Cliquez") starts the next sentence;
- sentences are separated by whitespace: no boundary inside "...(" or "fin.»".

Guarantee: a sentence's text is its span of the source with each whitespace run made one
space; spans start and end on non-space characters and are separated by whitespace only. So
joining a text's sentences with single spaces gives exactly ``" ".join(text.split())``.
"""

from __future__ import annotations

import re
from functools import cache

from .model import Sentence, Transcript
from .startup import import_punkt

_punkt = import_punkt()
PunktLanguageVars = _punkt.PunktLanguageVars
PunktParameters = _punkt.PunktParameters
PunktSentenceTokenizer = _punkt.PunktSentenceTokenizer

FRENCH_ABBREVIATIONS: tuple[str, ...] = (
    # people
    "M.",
    "MM.",
    "Mr.",
    "Mme.",
    "Mmes.",
    "Mlle.",
    "Mlles.",
    "Dr.",
    "Pr.",
    "Me.",
    "Mgr.",
    "St.",
    "Ste.",
    # references
    "cf.",
    "p.",
    "pp.",
    "ex.",
    "éd.",
    "éds.",
    "coll.",
    "art.",
    "vol.",
    "chap.",
    "fig.",
    "réf.",
    "op.",
    "cit.",
    "ibid.",
    "trad.",
    "dir.",
    # everyday
    "env.",
    "c.-à-d.",
    "av.",
    "apr.",
    "vs.",
    "tél.",
    # months
    "janv.",
    "févr.",
    "avr.",
    "juil.",
    "oct.",
    "nov.",
    "déc.",
)
"""Abbreviations written with a final period that do not end a sentence, even before a
capital ("M. Dupont", "p. ex. Paris", "av. J.-C."). Left out on purpose: "etc." and "J.-C.",
which usually end one (the lowercase rule keeps "etc. et" together), and "sept." (seven).
Initials ("J. Dupont") need no entry: Punkt keeps a single capital letter before a capital."""

_CONTINUING_PUNCTUATION = ",;:!?)]»…"
_ENUMERATOR = re.compile(r"\(?(?:\d{1,3}|[a-zA-Z])[.)]")


class FrenchLanguageVars(PunktLanguageVars):
    """Punkt's language variables for French punctuation.

    The ellipsis (… or ...) is a sentence end like "?" and "!"; guillemets and curly quotes
    are punctuation, never part of a word; only closing quotes and brackets are pulled back
    onto the sentence they close (an opening « belongs to the next one).
    """

    sent_end_chars = (".", "?", "!", "…", "...")
    _re_non_word_chars = r"(?:[)\";}\]\*:@\'\({\[\u2018\u2019\u201c\u201d\xab\xbb?!…])"
    re_boundary_realignment = re.compile(
        r"[\"')\]}\u2019\u201d\xbb]+?(?:\s+|(?=--)|$)", re.MULTILINE
    )

    def period_context_re(self) -> re.Pattern[str]:
        """Punkt's candidate-boundary pattern, compiled by the standard ``re``.

        Recent nltk runs it through its ReDoS guard, which stops a scan after 5 s of wall
        clock: a long paragraph on a busy machine would fail half-way. The pattern is fixed
        and linear, so the guard buys nothing here.
        """
        fields = {"NonWord": self._re_non_word_chars, "SentEndChars": self._re_sent_end_chars}
        return re.compile(self._period_context_fmt % fields, re.UNICODE | re.VERBOSE)


def split_sentences(transcript: Transcript) -> list[Sentence]:
    """The spoken blocks' sentences, in order, each tied to its block and offset in it.

    Each text is the exact slice ``block.text[offset:offset + len(text)]`` (inner whitespace as
    written), so positions inside a sentence are positions in the block.
    """
    sentences: list[Sentence] = []
    speaker: str | None = None  # a turn's speaker speaks until the next turn
    for block_index, block in transcript.spoken_blocks:
        text = block.text
        if block.speaker_turn:
            speaker = block.speaker
        for position, (start, end) in enumerate(sentence_spans(text, transcript.lang)):
            sentences.append(
                Sentence(
                    text=text[start:end],
                    block_index=block_index,
                    offset=start,
                    starts_turn=block.speaker_turn and position == 0,
                    speaker=speaker,
                )
            )
    return sentences


def split_text(text: str, lang: str = "fr") -> list[str]:
    """The sentences of ``text``, whitespace runs made single spaces."""
    return [_normalise(text[start:end]) for start, end in sentence_spans(text, lang)]


def sentence_spans(text: str, lang: str = "fr") -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``: ordered, not overlapping, each starting and
    ending on a non-space character, together covering every non-space character."""
    spans: list[tuple[int, int]] = []
    for start, end in _tokenizer(_primary(lang)).span_tokenize(text):
        start, end = _trimmed(text, start, end)
        if start == end:
            continue
        if spans and _continues(text, spans[-1], (start, end)):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _continues(text: str, previous: tuple[int, int], following: tuple[int, int]) -> bool:
    """True when the ``following`` span is no sentence of its own but the rest of ``previous``."""
    first_alnum = next((c for c in text[following[0] : following[1]] if c.isalnum()), None)
    return (
        previous[1] == following[0]
        or text[following[0]] in _CONTINUING_PUNCTUATION
        or first_alnum is None
        or first_alnum.islower()
        or _ENUMERATOR.fullmatch(text[previous[0] : previous[1]]) is not None
    )


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _primary(lang: str) -> str:
    return lang.partition("-")[0].lower()


@cache
def _tokenizer(primary_lang: str) -> PunktSentenceTokenizer:
    """A Punkt tokenizer from hand-built parameters: the language's abbreviations, nothing
    learnt. Languages other than French get the French punctuation rules and no abbreviations."""
    params = PunktParameters()
    if primary_lang == "fr":
        params.abbrev_types = {word[:-1].lower() for word in FRENCH_ABBREVIATIONS}
    return PunktSentenceTokenizer(params, lang_vars=FrenchLanguageVars())
