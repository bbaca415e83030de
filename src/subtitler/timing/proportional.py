"""Proportional timing: spread the cues over the media by how long their text takes to say.

It is the fallback when there is no usable audio (no audio stream, alignment failed, or
``--timing proportional``). It hears nothing, so it only knows the media's length: it assumes
speech fills ``[config.proportional_lead_in, duration - config.proportional_tail]`` at an
even pace and gives each cue a share of that window proportional to its estimated speaking
time (syllables, plus pauses at punctuation).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..align.verbalize import verbalize
from ..config import CaptionConfig
from ..model import Cue, MediaInfo, SpeechSpan
from .locator import LocatedSpeech, TimeRange

# Every span gets this confidence: below CaptionConfig.min_confidence (0.5), so the report flags
# every cue for review, which is right. On the corpus's 4 hand-timed caption files (media length
# taken as the last cue's end + 1 s, the most favourable case) cue starts are off by 1.1-4.4 s
# (median per file) and up to 8 s: intros and pauses between sections are not in the text.
PROPORTIONAL_CONFIDENCE = 0.3

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


@dataclass(frozen=True)
class ProportionalLocator:
    """A :class:`~subtitler.timing.SpeechLocator` that uses the text and the media length only."""

    def __call__(
        self,
        cues: Sequence[Cue],
        media: MediaInfo,
        config: CaptionConfig,
        within: TimeRange | None = None,
    ) -> LocatedSpeech:
        start, end = _speech_window(media.duration, config, within)
        speech = [estimate_syllables(cue.text) / config.speech_rate for cue in cues]
        pauses = [estimate_pauses(cue.text) for cue in cues]
        # The last cue's trailing pause would only push speech away from the window's end.
        if pauses:
            pauses[-1] = 0.0
        needed = sum(speech) + sum(pauses)
        scale = (end - start) / needed if needed > 0 else 0.0
        spans = []
        position = start
        for talk, pause in zip(speech, pauses):
            spans.append(
                SpeechSpan(
                    start=position,
                    end=position + talk * scale,
                    confidence=PROPORTIONAL_CONFIDENCE,
                )
            )
            position += (talk + pause) * scale
        warnings = ["proportional timing: cue times are estimated from the text, not heard"]
        if needed > 0 and not 0.5 <= scale <= 2.0:
            warnings.append(
                f"the text needs about {needed:.0f} s to be spoken but the speech window is "
                f"{end - start:.0f} s long: proportional times are unreliable"
            )
        return LocatedSpeech(
            spans=tuple(spans),
            method="proportional",
            warnings=tuple(warnings),
        )


def _speech_window(
    duration: float, config: CaptionConfig, within: TimeRange | None = None
) -> tuple[float, float]:
    """Where speech is assumed to be: the media (or the range ``within``) minus a lead-in
    and a tail where it meets the media's ends, if room is left."""
    low, high = (0.0, duration) if within is None else (within.start, within.end)
    start = low + (config.proportional_lead_in if low <= 0 else 0.0)
    end = high - (config.proportional_tail if high >= duration else 0.0)
    if end - start < (high - low) / 2:
        return low, max(high, low)
    return start, end

