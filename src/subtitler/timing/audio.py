"""The ``audio`` timing method: decode the media's audio track and align every cue with it
(:mod:`subtitler.align`), then say which starts are in doubt (:mod:`subtitler.align.doubts`)
and act on three of those doubts: a stranded start moves to the rest of its sentence, and the
stretch around a sentence judged not said, or around a sentence that starts inside a voice,
is looked at again."""

from __future__ import annotations

import gc
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..align.aligner import Alignment, align
from ..align.doubts import Placement, cue_evidence
from ..align.features import HOP_SECONDS
from ..align.settings import AlignSettings
from ..align.verbalize import verbalize
from ..config import CaptionConfig
from ..errors import AlignmentError, MediaError
from ..media.decode import iter_audio_chunks
from ..model import Cue, Doubt, MediaInfo, SpeechSpan
from ..startup import trim_heap
from .locator import LocatedSpeech, TimeRange

SAMPLE_RATE = 16000
DOUBTED_CONFIDENCE = 0.4  # a cue with a reason to doubt its start is below config.min_confidence
RESTART_REACH = 1.5  # seconds a restarted cue's start may walk back over the voice (see _restarted)
SECOND_LOOKS = 20  # most stretches aligned again in one run (each decodes and synthesises again)
MOVED_SECONDS = 0.1  # a second look that puts a cue this close to where it was changes nothing
CHUNK_SECONDS = 30.0


class AudioLocator:
    """Decode the audio (16 kHz mono, streamed), align the verbalised cue texts with it."""

    def __init__(self, settings: AlignSettings = AlignSettings()) -> None:
        self.settings = settings

    def __call__(
        self, cues: Sequence[Cue], media: MediaInfo, config: CaptionConfig, within: TimeRange | None = None
    ) -> LocatedSpeech:
        if not media.has_audio:
            raise AlignmentError("the media has no audio stream", media.path)
        within = within or TimeRange(0.0, media.duration)
        spans, aligned = self._located(cues, media, within)
        spans = self._looked_again(cues, media, within, spans)
        not_found = [k for k, span in enumerate(spans) if not span.found]
        warnings = []
        if not_found:
            warnings.append(
                f"{len(not_found)} cue(s) not heard in the audio (text not spoken?): "
                + ", ".join(f"#{cues[k].index + 1}" for k in not_found[:20])
                + (" ..." if len(not_found) > 20 else "")
            )
        shift = within.start  # the segments and music are in the range's own time
        return LocatedSpeech(
            spans=spans,
            method="audio",
            warnings=tuple(warnings),
            music=tuple((a + shift, b + shift) for a, b in aligned.music),
            speech=tuple((a + shift, b + shift) for a, b in aligned.speech),
        )

    def _located(
        self, cues: Sequence[Cue], media: MediaInfo, within: TimeRange
    ) -> tuple[tuple[SpeechSpan, ...], Alignment]:
        """Each cue's span (in the media's time, with its doubts) and the alignment."""
        _give_back_freed_memory()
        pieces, owners, opens, sentences = _pieces(cues)
        try:
            aligned = align(pieces, _chunks(media, within), SAMPLE_RATE, self.settings,
                            duration_hint=within.duration, sentence_starts=opens)
        except MediaError as error:
            raise AlignmentError(f"cannot read the audio: {error.message}", media.path) from None
        except AlignmentError as error:
            raise AlignmentError(error.message, media.path) from None
        spans = _judged(_cue_spans(aligned.spans, owners, len(cues)), aligned, owners, opens, sentences)
        shift = within.start
        return tuple(replace(s, start=s.start + shift, end=s.end + shift) for s in spans) if shift else spans, aligned

    def _looked_again(
        self, cues: Sequence[Cue], media: MediaInfo, within: TimeRange, spans: tuple[SpeechSpan, ...]
    ) -> tuple[SpeechSpan, ...]:
        """A second look at the stretch around two kinds of doubted cue, aligned on its own
        (the whole-file alignment prices a path shifted by a sentence about like the right
        one; a short stretch, with its own voice detection and levels, often does not):

        - ``after-unheard``: a sentence judged not said, followed by one matching less well
          than usual: its neighbour may have taken its audio because that neighbour was read
          fast. The stretch runs from the heard cue before to the next sentence after; its
          answer is kept when it hears the sentence and leaves no more cues in doubt
          (real-cv-edited: 1.7 and 5.8 s early, both within 100 ms after).
        - ``inside-voice``: a sentence starting where a voice runs on, with no pause before
          it: it took the end of a sentence cut short, or the reverse. The stretch runs from
          the cue before to the end of the sentence after; its answer is kept only when it
          moves the cue and no cue of the stretch is in doubt any more (a second look that
          finds the same place must not clear the doubt). Real-speech seeds with short
          pauses between speakers: 5 cues 0.3-1.7 s off put within 250 ms, none worse.
        """
        out = list(spans)
        looks = 0
        for k in range(1, len(out)):
            doubts = out[k].doubts
            if Doubt.AFTER_UNHEARD in doubts and not out[k - 1].found and out[k].found:
                first, stop, keep = k - 1, k + 1, _keeps_sentence
            elif Doubt.INSIDE_VOICE in doubts and out[k].found:
                first, stop, keep = k - 1, k + 2, _moves_clear
            else:
                continue
            if looks == SECOND_LOOKS:  # a transcript far from the audio: its doubts say so already
                break
            looks += 1
            stop = min(stop, len(cues))
            while stop < len(cues) and not cues[stop - 1].ends_sentence:
                stop += 1
            start = out[first - 1].end if first > 0 else within.start
            end = out[stop].start if stop < len(cues) else within.end
            try:
                again, _ = self._located(cues[first:stop], media, TimeRange(start, end))
            except AlignmentError:  # too short a stretch to align: the first answer stands
                continue
            if keep(out[first:stop], again, k - first):
                out[first:stop] = again
        return tuple(out)


def _keeps_sentence(first: Sequence[SpeechSpan], again: Sequence[SpeechSpan], doubted: int) -> bool:
    """After ``after-unheard``: the second look hears the sentence judged not said and
    leaves no more cues in doubt."""
    return again[0].found and _in_doubt(again) <= _in_doubt(first)


def _moves_clear(first: Sequence[SpeechSpan], again: Sequence[SpeechSpan], doubted: int) -> bool:
    """After ``inside-voice``: the second look moves the doubted cue and leaves no cue of
    the stretch in doubt."""
    moved = abs(again[doubted].start - first[doubted].start) > MOVED_SECONDS
    return moved and _in_doubt(again) == 0


def _give_back_freed_memory() -> None:
    """Return the memory an earlier alignment freed to the system before the next one starts
    its synthesis process, where the C library can (:func:`~subtitler.startup.trim_heap`).
    Freed, it stays the process's until then, so a video aligned again (a second look, cues
    split by music) added the new synthesis process to the first alignment's peak: the
    76-minute webinar with 20 second looks went from 270 to 370 MB, and stays at 270 MB with it."""
    gc.collect()  # arrays held in reference cycles are freed too
    trim_heap()


def _in_doubt(spans: Sequence[SpeechSpan]) -> int:
    return sum(1 for span in spans if not span.found or span.doubts)


PAUSE_AFTER = re.compile(r"(?<=[.!?…;:,])\s+")
SENTENCE_END = ".!?…"


def _pieces(cues: Sequence[Cue]) -> tuple[list[str], list[int], list[bool], list[bool]]:
    """The verbalised text of every cue, cut where a speaker may pause (after punctuation);
    the cue each piece belongs to; whether it opens a cue or a sentence; whether it opens a
    sentence. Between pieces, as between cues, the aligner allows a pause (and before a
    sentence, a filler): real speakers pause at commas and between the sentences of one cue,
    and a cue matched as one piece across a 5 s pause lost its first sentence."""
    pieces: list[str] = []
    owners: list[int] = []
    opens: list[bool] = []
    sentences: list[bool] = []
    ended = True  # the text before ends a sentence
    for index, cue in enumerate(cues):
        parts = PAUSE_AFTER.split(cue.text.strip()) or [""]
        for number, part in enumerate(parts):
            pieces.append(verbalize(part))
            owners.append(index)
            opens.append(number == 0 or ended)
            sentences.append(ended)
            ended = part.rstrip()[-1:] in SENTENCE_END
    return pieces, owners, opens, sentences


def _cue_spans(spans: Sequence[SpeechSpan], owners: Sequence[int], count: int) -> tuple[SpeechSpan, ...]:
    """One span per cue from its pieces': from the first heard piece's start to the last
    heard piece's end (all pieces when none was heard); the first heard piece's confidence."""
    grouped: list[list[SpeechSpan]] = [[] for _ in range(count)]
    for span, owner in zip(spans, owners):
        grouped[owner].append(span)
    out = []
    for parts in grouped:
        heard = [p for p in parts if p.found] or parts
        out.append(SpeechSpan(heard[0].start, heard[-1].end, heard[0].confidence, found=any(p.found for p in parts)))
    return tuple(out)


def _judged(spans: Sequence[SpeechSpan], aligned: Alignment, owners: Sequence[int],
            opens: Sequence[bool] | None = None, sentences: Sequence[bool] | None = None) -> tuple[SpeechSpan, ...]:
    """The cue spans with the reasons to doubt their starts (:mod:`.doubts`); a doubted
    cue's confidence is at most ``DOUBTED_CONFIDENCE``. ``opens``: which pieces begin a cue
    or a sentence, ``sentences``: which begin a sentence (None: each one)."""
    first: dict[int, int] = {}
    for piece, owner in enumerate(owners):
        first.setdefault(owner, piece)
    pieces = [first[k] for k in range(len(spans))]
    fits, places = aligned.fits, aligned.spans

    def opening(p: int) -> bool:
        return sentences is None or sentences[p]

    def whole_sentence(p: int) -> bool:
        return opening(p) and (p + 1 == len(places) or opening(p + 1))

    def usual(p: int) -> float | None:
        """Piece ``p``'s usual time (what espeak-ng took to say it), where it was heard."""
        heard = places[p].found and fits[p].relative > 0
        return (places[p].end - places[p].start) / fits[p].relative if heard else None

    def pause_after(p: int) -> float | None:
        """From piece ``p`` to the rest of its sentence (None: the sentence ends with it)."""
        more = opens is not None and p + 1 < len(places) and not opens[p + 1] and places[p + 1].found
        return places[p + 1].start - places[p].end if more else None

    voice = aligned.voice if aligned.voice is not None else np.zeros(0, np.float32)
    evidence = cue_evidence(
        [
            Placement(
                span=span, relative=fits[p].relative, mismatch=fits[p].mismatch,
                previous_relative=fits[p - 1].relative if p > 0 and places[p - 1].found else None,
                previous_end=places[p - 1].end if p > 0 else None,
                previous_heard=p == 0 or places[p - 1].found,
                pause_after=pause_after(p),
                opening_seconds=usual(p) if whole_sentence(p) else None,
                opens=opening(p),
                elsewhere=fits[p].elsewhere,
            )
            for span, p in zip(spans, pieces)
        ],
        voice,
        aligned.music,
    )
    doubted = [e.doubts() if e is not None else () for e in evidence]
    return tuple(
        replace(span, doubts=tuple(reasons),
                start=_restarted(places, p, voice) if Doubt.STRANDED_START in reasons else span.start,
                confidence=min(span.confidence, DOUBTED_CONFIDENCE) if reasons else span.confidence)
        for span, reasons, p in zip(spans, doubted, pieces)
    )


def _restarted(places: Sequence[SpeechSpan], first: int, voice: np.ndarray) -> float:
    """Where a cue whose first piece is stranded starts: with the rest of its sentence, at
    the onset of the voice it is in. Its first words were matched on the end of the
    sentence before, then a long pause comes: the whole sentence is said after the pause
    (real-cv-read, loosely written: "Pour survivre," put on the end of "…de la nWo." was
    shown 4.1 s early; in 3,000 right cues of the benchmarks no start was stranded). It
    keeps its doubt, for the editor to check."""
    rest = places[first + 1].start
    frame = round(rest / HOP_SECONDS)
    earliest = max(round((rest - RESTART_REACH) / HOP_SECONDS), round(places[first].end / HOP_SECONDS) + 1, 0)
    while frame - 1 >= earliest and frame - 1 < len(voice) and voice[frame - 1] >= 0.5:
        frame -= 1
    return min(rest, frame * HOP_SECONDS)


def _chunks(media: MediaInfo, within: TimeRange):  # type: ignore[no-untyped-def]
    """The audio (of the range ``within`` only, when it is not the whole media), decoded by
    one ffmpeg, ``CHUNK_SECONDS`` at a time. (Two decoders, one per half, saved 2 s of a
    webinar on two cores but held 35 MB more at the peak.)"""
    if within.start <= 0 and within.end >= media.duration:
        return iter_audio_chunks(media.path, SAMPLE_RATE, CHUNK_SECONDS)
    return iter_audio_chunks(media.path, SAMPLE_RATE, CHUNK_SECONDS, within.start, within.duration)

