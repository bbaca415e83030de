"""Sound notes: a cue for music heard without a voice, between the speech cues.

French captions must say what is heard besides speech (caption-rules.md, CSA criterion 10),
music in magenta. A stretch of music of ``config.music_seconds`` or more (an intro, an
interlude, an outro: the audio locator reports where a sound is heard and no voice is) gets
a cue ``config.music_label`` in the room the speech cues leave: the minimum gap from them
and from the note before,
and no longer than ``config.max_duration``. A stretch where that room is under
``config.min_duration`` gets no note, nor one the speech cues cover for more than half (the
aligner heard words in it: a voice the detector was unsure of, not music alone).

A speech cue does not stay on screen into such a stretch for its reading time or its
linger: viewers would read words over the music. Its end is brought back to where the music
starts, less ``MUSIC_EDGE_SECONDS`` (the locator finds where music starts to about 0.2 s),
never before its words end (as far as the locator heard) nor under ``config.min_duration``,
and never an end an editor fixed.

A cue whose own speech has such a stretch inside it (two short sentences or dialogue turns
put in one cue, said on either side of an interlude) would show over the music whatever its
timing: :func:`sentences_apart_by_music` names the sentences to begin cues of their own, and
the cues are built again (``build_cues(..., apart=...)``) and aligned again.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import replace

from ..config import CaptionConfig
from ..model import Cue, CueKind, SpeechSpan, TimedCue
from .rules import _media_end_ms

MUSIC_EDGE_SECONDS = 0.3


def with_music_cues(
    timed: Sequence[TimedCue],
    music: Sequence[tuple[float, float]],
    media_duration: float,
    fps: float | None,
    config: CaptionConfig,
) -> list[TimedCue]:
    """``timed`` with a music cue in each long enough stretch of ``music``, all renumbered
    in time order (a cue's index is its position in the caption file)."""
    if not config.music_cues:
        return list(timed)
    gap = math.ceil(round(config.min_gap(fps) * 1000, 6)) / 1000
    media_end = _media_end_ms(media_duration) / 1000  # as the speech cues: never after the media
    notes: list[TimedCue] = []
    for start, end in sorted(music):
        if end - start < config.music_seconds or _spoken_over(start, end, timed) > (end - start) / 2:
            continue
        before = [t for t in timed if t.start < start + (end - start) / 2]
        after = [t for t in timed if t.start >= start + (end - start) / 2]
        first = max(start, before[-1].end + gap if before else 0.0, notes[-1].end + gap if notes else 0.0)
        last = min(end, after[0].start - gap if after else media_end, first + config.max_duration)
        first, last = _ms(first), _ms(last)
        if last - first < config.min_duration:
            continue
        following = after[0].cue if after else (before[-1].cue if before else None)
        note = Cue(
            index=0,
            lines=(config.music_label,),
            text="",
            block_index=following.block_index if following else 0,
            sentence_index=following.sentence_index if following else 0,
            block_offset=following.block_offset if following and after else 0,
            kind=CueKind.MUSIC,
        )
        notes.append(TimedCue(cue=note, start=first, end=last))
    ordered = sorted([*timed, *notes], key=lambda t: t.start)
    return [replace(t, cue=replace(t.cue, index=i)) for i, t in enumerate(ordered)]


def _spoken_over(start: float, end: float, timed: Sequence[TimedCue]) -> float:
    """Seconds of the stretch ``start``-``end`` that speech cues cover. Over half, words were
    heard there: a voice the detector was unsure of, not music alone."""
    return sum(max(0.0, min(end, t.end) - max(start, t.start)) for t in timed if t.cue.kind is CueKind.SPEECH)


def sentences_apart_by_music(
    cues: Sequence[Cue], spans: Sequence[SpeechSpan], music: Sequence[tuple[float, float]], config: CaptionConfig
) -> frozenset[int]:
    """The sentences that begin inside a cue whose speech holds a stretch of music of
    ``config.music_seconds`` or more (a cue's sentences run from its first word's sentence to
    the next cue's, that one included when the cue ends mid-sentence; none for the last cue,
    which has no next one to tell)."""
    apart: set[int] = set()
    for k, (cue, span) in enumerate(zip(cues, spans)):
        held = span.found and any(
            b - a >= config.music_seconds and span.start < a and b < span.end for a, b in music
        )
        if not held or cue.kind is not CueKind.SPEECH:
            continue
        following = cues[k + 1].sentence_index if k + 1 < len(cues) else cue.sentence_index
        last = following - 1 if cue.ends_sentence else following
        apart.update(range(cue.sentence_index + 1, last + 1))
    return frozenset(apart)


def clear_of_music(
    timed: Sequence[TimedCue],
    music: Sequence[tuple[float, float]],
    config: CaptionConfig,
    fixed_ends: Collection[int] = (),
) -> list[TimedCue]:
    """``timed`` with the speech cues that run into a stretch of music of
    ``config.music_seconds`` or more ending where it starts (see the module's doc);
    ``fixed_ends``: positions of cues whose end an editor fixed."""
    out = list(timed)
    for start, end in music:
        if end - start < config.music_seconds:
            continue
        clear = start - MUSIC_EDGE_SECONDS
        for i, t in enumerate(out):
            if i in fixed_ends or t.cue.kind is not CueKind.SPEECH or not (t.start < start and clear < t.end):
                continue
            words_end = t.speech.end if t.speech is not None and t.speech.found else t.start
            trimmed = _ms(max(clear, words_end, t.start + config.min_duration))
            if trimmed < t.end:
                out[i] = replace(t, end=trimmed)
    return out


def _ms(seconds: float) -> float:
    return round(seconds, 3)
