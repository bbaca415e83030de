"""How long a text takes to say: syllables from French spelling, plus pauses at punctuation.

The cue builder sizes cues with it, proportional timing spreads cues by it, and the build
refuses a media file too short for its text (:func:`media_too_short`). Numbers, symbols and
addresses count as the aligner's synthesiser says them (:mod:`subtitler.align.verbalize`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .align.verbalize import verbalize
from .config import CaptionConfig
from .model import MediaInfo

# Pauses a reader makes at punctuation, in seconds. Read French speech pauses ~0.1-0.2 s at a
# comma and ~0.3-0.5 s between sentences; these values make the estimate match the corpus's
# hand-timed captions and ej-fra together with CaptionConfig.speech_rate (see config.py).
CLAUSE_PAUSE = 0.15  # , ; : ( ) – —
SENTENCE_PAUSE = 0.4  # . ! ? …

_VOWELS = "aeiouyàâäéèêëîïôöùûüÿœæ"
_VOWEL_GROUP = re.compile(f"[{_VOWELS}]+")
# An elided word ("l'", "qu'", "jusqu'") is a token of its own, ending with its apostrophe.
_TOKEN = re.compile(r"[^\W\d_]+['’](?=[^\W\d_])|[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$|[»”\"')\]])")
_CLAUSE_MARK = re.compile(r"[,;:()–—]")


def count_syllables(word: str) -> int:
    """Syllables of one French word, from its spelling.

    Vowel groups, minus a mute final ``e``/``es``; an all-capital word with no vowel or of
    at most three letters is spelled out (CNRC, PDF, TA); an elided word ending with its
    apostrophe joins the next word (l', qu' are silent; jusqu' has one syllable).
    """
    if word[-1] in "'’":
        return len(_VOWEL_GROUP.findall(re.sub("qu$", "", word[:-1].lower())))
    if word.isupper() and (len(word) <= 3 or not _VOWEL_GROUP.search(word.lower())):
        return len(word)
    lower = word.lower()
    groups = len(_VOWEL_GROUP.findall(lower))
    if groups > 1 and re.search(r"[^aeiouyéèêë]es?$", lower):
        groups -= 1
    return max(groups, 1)


def estimate_syllables(text: str) -> float:
    """Syllables needed to read ``text`` aloud: numbers, dates, times, units, symbols, URLs
    and e-mail addresses as the aligner's French verbaliser spells them out ("1984" is
    mille-neuf-cent-quatre-vingt-quatre, 8 syllables for 4 characters)."""
    return float(sum(count_syllables(token) for token in _TOKEN.findall(verbalize(text))))


@lru_cache(maxsize=1 << 16)
def word_speaking_time(word: str, rate: float) -> float:
    """Seconds to say one word and the pause its punctuation asks for (cached: the cue
    builder asks about every word of every candidate cue)."""
    return estimate_syllables(word) / rate + estimate_pauses(word)


def estimate_pauses(text: str) -> float:
    """Seconds of pause a reader makes at the punctuation of ``text``."""
    sentences = len(_SENTENCE_END.findall(text))
    clauses = len(_CLAUSE_MARK.findall(text))
    return sentences * SENTENCE_PAUSE + clauses * CLAUSE_PAUSE


def estimate_speaking_time(text: str, config: CaptionConfig | None = None) -> float:
    """Seconds an average French speaker needs to read ``text`` aloud, pauses included."""
    rate = (config or CaptionConfig()).speech_rate
    return estimate_syllables(text) / rate + estimate_pauses(text)


def media_too_short(media: MediaInfo, text: str, config: CaptionConfig | None = None) -> str | None:
    """Why the media cannot hold ``text`` (the spoken text), or None when it can.

    The media is too short when it lasts less than the estimated speaking time divided by
    ``config.too_short_factor`` (2: nobody reads twice as fast as an average speaker), which
    catches a wrong or truncated file rather than a fast speaker.
    """
    config = config or CaptionConfig()
    needed = estimate_speaking_time(text, config)
    if media.duration < needed / config.too_short_factor:
        return (
            f"media is {media.duration:.0f} s long but the text needs about {needed:.0f} s "
            "to be spoken: wrong or truncated media?"
        )
    return None
