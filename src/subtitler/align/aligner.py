"""Find where each cue's text is spoken: synthesise it, then warp it onto the real audio.

The method is aeneas's (TTS + cepstra + DTW), changed where aeneas is known to fail:

- *Pauses*: between two cues (and at both ends) the synthetic sequence has optional pause
  columns, priced by how much each audio frame sounds like the silence *around it* (a local
  noise-floor template), so intros, music, long pauses and outros are absorbed there
  instead of stretching the neighbouring words (aeneas drifts after long silences), even
  when the room tone changes within the file. An optional "euh" sits between the pauses.
- *Text not said, words not written*: gap moves cost at most ``gap`` per frame (chance
  level), so a dropped sentence or a filler is skipped at a fixed price instead of being
  smeared over its neighbours or squeezed into a zero-length cue. A cue that got far less
  time than its text needs is reported as not found, and its neighbours' boundaries are
  aligned again without it.
- *Cost linear in length*: a coarse-to-fine pyramid. The coarsest level is small enough for
  a full DTW; each finer level searches a band around the path above it; at full resolution
  (10 ms) only short windows around cue boundaries are aligned, all windows at once.
- *Said twice*: a sentence repeated or a start broken off and said again is found by
  comparing the audio with itself (:mod:`.repeats`), and the saying the transcript does
  not hold is priced like music, so the next sentence's text cannot take it.
- *Voice and channel*: cepstral mean/variance normalisation and a loudness scale taken
  from the speech around each point (a webinar changes speaker and microphone), and
  distances in units of chance (the mean distance between unrelated real and synthetic
  frames), so one gap price fits every recording.
- *Word edges*: a cue ends where its last word has died away in the audio (the synthetic
  voice stops abruptly, the path tends to end early).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import AlignmentError
from ..model import SpeechSpan
from . import activity
from .edges import Onsets, extend_to_offsets
from .elsewhere import elsewhere_ratios
from .features import CEPSTRA, CEPSTRUM_WEIGHTS, HOP_SECONDS, normalise_locally
from .layout import paced, speaker_pace, synthetic_layout
from .levels import Levels, voiced
from .prices import chance_distance, likely_voice, music_frames, pause_distance, voice_prices
from .problem import Problem, Real
from .pyramid import coarse_to_fine
from .reading import read_features
from .repeats import said_again, written_twice
from .settings import AlignSettings
from .synthesis import SynthesisProcess
from .verdict import judge, jumped, place_unheard, second_pass
from .voice import release as release_voice_model
from .windows import boundary_window, solve_windows


@dataclass(frozen=True)
class PieceFit:
    """How a piece of text fitted the audio, for judging the cue it starts or ends."""

    relative: float  # time it got over its usual time (1: the speaker's own pace)
    mismatch: float  # mean distance along the path above the file's median, chance units
    elsewhere: float = 1.0  # its match at the best other voice onset nearby over its match here


@dataclass(frozen=True)
class Alignment:
    spans: tuple[SpeechSpan, ...]
    speech: tuple[tuple[float, float], ...]  # speech activity segments (seconds)
    duration: float  # seconds of audio read
    music: tuple[tuple[float, float], ...] = ()  # sound without a voice, 3 s or more (seconds)
    fits: tuple[PieceFit, ...] = ()  # one per text (an unspoken text: relative 0)
    voice: np.ndarray | None = field(default=None, compare=False)  # voice probability per frame


def align(
    texts: Sequence[str],
    audio: Iterable[np.ndarray],
    sample_rate: int,
    settings: AlignSettings = AlignSettings(),
    duration_hint: float | None = None,
    sentence_starts: Sequence[bool] | None = None,
) -> Alignment:
    """Spans of ``texts`` (one per cue, French words in order) in the audio, given as chunks
    of mono samples.

    ``duration_hint`` (the probed duration) lets the features be stored without a copy.
    ``sentence_starts`` says which texts begin a sentence (default: all): a filler ("euh")
    may be said before those only, not between the pieces of one sentence."""
    with SynthesisProcess([*texts, settings.filler], settings) as synthesis:  # beside decoding
        features, log_energy, voice = read_features(audio, sample_rate, duration_hint)
        release_voice_model()
        *synthetic, filler_frames = synthesis.result()
    duration = len(log_energy) * HOP_SECONDS
    if len(log_energy) < 10:
        raise AlignmentError("the audio is too short to align")
    speech = voiced(voice, log_energy)
    levels = Levels.of(log_energy, speech)
    normalise_locally(features[:, :CEPSTRA], speech, out=features[:, :CEPSTRA])
    features[:, :CEPSTRA] *= CEPSTRUM_WEIGHTS
    features[:, CEPSTRA] = settings.level_weight * levels.loudness(log_energy)

    spoken = [k for k, frames in enumerate(synthetic) if len(frames)]
    if not spoken:
        raise AlignmentError("no cue has words to align")
    cue_frames = [synthetic[k] for k in spoken]
    pace = speaker_pace(speech, cue_frames)
    cue_frames = [paced(frames, pace) for frames in cue_frames]
    del synthetic
    opens = np.ones(len(texts), bool) if sentence_starts is None else np.asarray(sentence_starts, bool)
    fine = synthetic_layout(cue_frames, filler_frames, np.append(opens[spoken], True), levels, settings)
    # Every distance is measured in units of chance: divide both sequences by it once.
    scale = chance_distance(features, fine)
    pause = pause_distance(features, log_energy, speech) / scale
    features /= scale
    fine.features /= scale
    # Speech said a second time holds no text (unless the transcript says it twice too):
    # priced as text in music is.
    priced_voice = likely_voice(voice, log_energy, levels, settings)
    if not written_twice(texts):
        priced_voice = np.where(said_again(features, voice), 0.0, priced_voice)
    real = Real(features, *voice_prices(pause, priced_voice, settings))
    pieces = [fine.features[s : s + n] for s, n in zip(fine.starts, fine.lengths)]
    filler_start, filler_length = fine.segment_starts[1], fine.segment_lengths[1]
    filler = fine.features[filler_start : filler_start + filler_length]
    onsets = Onsets(voice, log_energy, levels, settings)
    spans, fits = _locate(Problem(real, fine, pieces, filler, log_energy, settings), onsets)
    compared = [bool(opens[k]) and span.found for k, span in zip(spoken, spans)]
    ratios = elsewhere_ratios(features, voice, pieces, spans, compared)
    fits = [replace(fit, elsewhere=round(float(ratio), 3)) for fit, ratio in zip(fits, ratios)]
    every_fit = [PieceFit(0.0, 0.0)] * len(texts)
    for k, fit in zip(spoken, fits):
        every_fit[k] = fit
    return Alignment(
        spans=_place_unspoken(len(texts), spoken, spans, duration),
        speech=tuple(activity.segments(speech)),
        duration=duration,
        music=tuple(activity.segments(music_frames(voice, log_energy, levels, settings))),
        fits=tuple(every_fit),
        voice=voice,
    )


def _locate(problem: Problem, onsets: Onsets) -> tuple[list[SpeechSpan], list[PieceFit]]:
    """Coarse-to-fine path, boundaries at 10 ms, verdicts, second pass, spans and fits."""
    real, pieces, settings = problem.real, problem.pieces, problem.settings
    coarse = coarse_to_fine(problem)
    cues = len(pieces)
    windows = [boundary_window(problem, coarse, g - 1, g) for g in range(cues + 1)]
    starts, ends = np.zeros(cues, np.int64), np.zeros(cues, np.int64)
    solve_windows(problem, windows, starts, ends)
    pooled = real.pooled(coarse.layout.factor)
    verdict, usual = judge(problem, coarse, pooled, starts, ends)
    passed_over = jumped(coarse.path, coarse.layout) & (verdict.relative < settings.doubtful_ratio)
    verdict = replace(verdict, relative=np.where(passed_over, 0.0, verdict.relative))
    found = verdict.found(settings)
    confidence = verdict.confidence(settings)
    if not found.all():
        starts, ends, found, confidence = second_pass(problem, coarse, verdict, usual, starts, ends)
    final, _ = judge(problem, coarse, pooled, starts, ends, usual)
    mismatch = final.distance - float(np.median(final.distance))
    starts = onsets.snap(starts, ends, found)
    ends = extend_to_offsets(starts, ends, found, problem.log_energy, settings)
    starts, ends = place_unheard(starts, ends, found, len(real))
    spans = [
        SpeechSpan(
            start=round(float(starts[k] * HOP_SECONDS), 3),
            end=round(float(max(ends[k], starts[k] + 1) * HOP_SECONDS), 3),
            confidence=round(float(confidence[k]), 3),
            found=bool(found[k]),
        )
        for k in range(len(pieces))
    ]
    fits = [PieceFit(round(float(final.relative[k]), 3), round(float(mismatch[k]), 3)) for k in range(len(pieces))]
    return spans, fits


def _place_unspoken(
    count: int, spoken: Sequence[int], spans: Sequence[SpeechSpan], duration: float
) -> tuple[SpeechSpan, ...]:
    """All cues' spans: cues with no speakable words sit in the gap after the previous cue."""
    out: list[SpeechSpan | None] = [None] * count
    for k, span in zip(spoken, spans):
        out[k] = span
    previous_end = 0.0
    for k in range(count):
        span = out[k]
        if span is None:
            following = next((s.start for s in out[k + 1 :] if s is not None), duration)
            out[k] = SpeechSpan(previous_end, max(previous_end, following), 0.0, found=False)
        else:
            previous_end = span.end
    return tuple(s for s in out if s is not None)
