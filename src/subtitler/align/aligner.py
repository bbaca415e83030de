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
- *Voice and channel*: cepstral mean/variance normalisation and a loudness scale taken
  from the speech around each point (a webinar changes speaker and microphone), and
  distances in units of chance (the mean distance between unrelated real and synthetic
  frames), so one gap price fits every recording.
- *Word edges*: a cue ends where its last word has died away in the audio (the synthetic
  voice stops abruptly, the path tends to end early).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import AlignmentError
from ..model import SpeechSpan
from . import activity
from .dtw import ColumnCosts, Path, banded_path, corner_paths
from .settings import AlignSettings
from .synthesis import NO_FRAMES, SynthesisProcess
from .voice import VoiceDetector, per_frame
from .voice import release as release_voice_model
from .features import (
    CEPSTRA,
    CEPSTRUM_WEIGHTS,
    HOP_SECONDS,
    FeatureExtractor,
    Features,
    normalise_locally,
)

SPEECH, PAUSE, FILLER = 0, 1, 2
LEVEL_RANGE_DB = 40.0  # loudness 0..1 spans this many decibels below typical speech
LOCAL_SECONDS = 10.0  # room tone is estimated per block of this length...
LOCAL_SPAN = 1  # ...from the block and this many blocks each side
QUIET_PERCENT = 15.0  # the quietest share of frames that stands for room tone
FULL_GAPS_UP_TO = 16  # coarser levels reduce each gap to one pause column
_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class PieceFit:
    """How a piece of text fitted the audio, for judging the cue it starts or ends."""

    relative: float  # time it got over its usual time (1: the speaker's own pace)
    mismatch: float  # mean distance along the path above the file's median, chance units


@dataclass(frozen=True)
class Alignment:
    spans: tuple[SpeechSpan, ...]
    speech: tuple[tuple[float, float], ...]  # speech activity segments (seconds)
    duration: float  # seconds of audio read
    music: tuple[tuple[float, float], ...] = ()  # sound without a voice, 3 s or more (seconds)
    fits: tuple[PieceFit, ...] = ()  # one per text (an unspoken text: relative 0)
    voice: np.ndarray | None = field(default=None, compare=False)  # voice probability per frame


@dataclass(frozen=True)
class _Real:
    """The audio, frame by frame: features, and the price of calling each frame a pause."""

    features: np.ndarray  # (frames, dims)
    pause: np.ndarray  # (frames,) price of a pause column: room-tone distance and voice, chance units
    unvoiced: np.ndarray  # (frames,) added to speech columns' distance: no voice near
    hold: np.ndarray  # (frames,) most a hold may cost: a pause inside a cue's text

    def pooled(self, factor: int) -> _Real:
        rows = _pool(np.stack([self.pause, self.unvoiced, self.hold], axis=1), factor)
        return _Real(_pool(self.features, factor), rows[:, 0], rows[:, 1], rows[:, 2])

    def __len__(self) -> int:
        return len(self.pause)


@dataclass
class _Layout:
    """Columns of one pyramid level, as segments: between two cues (and at both ends) a
    pause, a filler ("euh") and a pause, all optional; then the cue's own frames."""

    factor: int
    segment_starts: np.ndarray  # (segments,) first column of each segment
    segment_lengths: np.ndarray  # (segments,)
    kinds: np.ndarray  # (columns,) SPEECH, PAUSE or FILLER
    features: np.ndarray  # (columns, dims); pause columns are priced per audio frame
    fillers: np.ndarray  # (gaps,) bool: the gap may hold a filler (between sentences)

    @property
    def columns(self) -> int:
        return len(self.kinds)

    @property
    def starts(self) -> np.ndarray:
        """First column of each cue."""
        return self.segment_starts[3::4]

    @property
    def lengths(self) -> np.ndarray:
        return self.segment_lengths[3::4]

    def costs(self, settings: AlignSettings) -> ColumnCosts:
        pause = self.kinds == PAUSE
        speech = self.kinds == SPEECH
        # A piece may be passed over whole (a sentence written but not said, a speaker's name):
        # from the last column before it to the first column after it, at one price.
        # The price is a share of skipping it word by word, up to drop_price.
        jump = np.zeros(self.columns, np.int64)
        jump_cost = np.full(self.columns, np.inf, np.float32)
        after = self.segment_starts[4::4]
        inside = after < self.columns
        jump[after[inside]] = (self.lengths + 1)[inside]
        if self.factor <= settings.fine_factor:  # coarser cells cannot tell a sentence is missing
            jump_cost[after[inside]] = np.minimum(
                settings.drop_share * settings.gap * self.lengths[inside], settings.drop_price / self.factor
            )
        return ColumnCosts(
            optional=~speech,
            hold_cap=np.select([pause, self.kinds == FILLER], [np.inf, settings.filler_hold], settings.gap).astype(
                np.float32
            ),
            hold_extra=np.where(pause, 0.0, settings.stretch).astype(np.float32),
            gap=settings.gap,
            jump=jump,
            jump_cost=jump_cost,
        )


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
        features, log_energy, voice = _read_features(audio, sample_rate, duration_hint)
        release_voice_model()
        *synthetic, filler_frames = synthesis.result()
    duration = len(log_energy) * HOP_SECONDS
    if len(log_energy) < 10:
        raise AlignmentError("the audio is too short to align")
    speech = _voiced(voice, log_energy)
    levels = _Levels.of(log_energy, speech)
    normalise_locally(features[:, :CEPSTRA], speech, out=features[:, :CEPSTRA])
    features[:, :CEPSTRA] *= CEPSTRUM_WEIGHTS
    features[:, CEPSTRA] = settings.level_weight * levels.loudness(log_energy)

    spoken = [k for k, frames in enumerate(synthetic) if len(frames)]
    if not spoken:
        raise AlignmentError("no cue has words to align")
    cue_frames = [synthetic[k] for k in spoken]
    pace = _pace(speech, cue_frames)
    cue_frames = [_paced(frames, pace) for frames in cue_frames]
    del synthetic
    opens = np.ones(len(texts), bool) if sentence_starts is None else np.asarray(sentence_starts, bool)
    fine = _synthetic_layout(cue_frames, filler_frames, np.append(opens[spoken], True), levels, settings)
    # Every distance is measured in units of chance: divide both sequences by it once.
    scale = _chance_distance(features, fine)
    pause = _pause_distance(features, log_energy, speech) / scale
    features /= scale
    fine.features /= scale
    real = _Real(features, *_voice_prices(pause, voice, settings))
    pieces = [fine.features[s : s + n] for s, n in zip(fine.starts, fine.lengths)]
    filler_start, filler_length = fine.segment_starts[1], fine.segment_lengths[1]
    filler = fine.features[filler_start : filler_start + filler_length]
    onsets = _Onsets(voice, log_energy, levels, settings)
    spans, fits = _locate(real, fine, pieces, filler, log_energy, onsets, settings)
    every_fit = [PieceFit(0.0, 0.0)] * len(texts)
    for k, fit in zip(spoken, fits):
        every_fit[k] = fit
    return Alignment(
        spans=_place_unspoken(len(texts), spoken, spans, duration),
        speech=tuple(activity.segments(speech)),
        duration=duration,
        music=tuple(activity.segments(_music(voice, log_energy, levels, settings))),
        fits=tuple(every_fit),
        voice=voice,
    )


def _read_features(
    chunks: Iterable[np.ndarray], sample_rate: int, duration_hint: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cepstra (with a spare column for loudness), log energy and voice probability of the
    whole stream, one chunk in memory at a time (two while the voice detector, in a thread
    of its own beside the features, takes the last one).

    Frames go straight into arrays sized from ``duration_hint``; what does not fit (no hint,
    or a longer stream than probed) is kept aside and added at the end."""
    capacity = round((duration_hint or 0.0) / HOP_SECONDS) + 100
    features = np.empty((capacity, CEPSTRA + 1), np.float32)
    log_energy = np.empty(capacity, np.float32)
    overflow: list[Features] = []
    extractor = FeatureExtractor(sample_rate)
    detector = _VoiceThread(sample_rate)
    count = 0
    iterator = iter(chunks)
    try:
        for part in _frames_of(iterator, extractor, detector):
            stored = min(len(part), max(0, capacity - count))
            features[count : count + stored, :CEPSTRA] = part.cepstra[:stored]
            log_energy[count : count + stored] = part.log_energy[:stored]
            if stored < len(part):
                overflow.append(Features(part.cepstra[stored:], part.log_energy[stored:]))
            count += len(part)
    finally:
        windows = detector.finish()
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # stops the decoder when reading failed
    if overflow:
        extra = count - capacity
        features = np.concatenate([features, np.zeros((extra, CEPSTRA + 1), np.float32)])
        log_energy = np.concatenate([log_energy, np.zeros(extra, np.float32)])
        features[capacity:count, :CEPSTRA] = np.concatenate([p.cepstra for p in overflow])
        log_energy[capacity:count] = np.concatenate([p.log_energy for p in overflow])
    return features[:count], log_energy[:count], per_frame(windows, count)


def _frames_of(
    chunks: Iterator[np.ndarray], extractor: FeatureExtractor, detector: _VoiceThread
) -> Iterator[Features]:
    """The frames each chunk completes, then the last ones, as they come; every chunk is
    also handed to the voice detector."""
    for chunk in chunks:
        detector.push(chunk)
        yield extractor.push(chunk)
    yield extractor.finish()


class _VoiceThread:
    """The voice detector, run by a thread of its own on the chunks it is handed (its model
    releases the interpreter's lock, so on two cores it runs beside the features)."""

    def __init__(self, sample_rate: int) -> None:
        self._detector = VoiceDetector(sample_rate)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def push(self, chunk: np.ndarray) -> None:
        self._queue.put(chunk)

    def finish(self) -> np.ndarray:
        """Every window's probability (after the thread has taken the last chunk)."""
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self._detector.finish()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    self._detector.push(chunk)
                except BaseException as error:  # noqa: BLE001 - raised by finish() in the caller
                    self._failure = error


def _locate(
    real: _Real,
    fine: _Layout,
    pieces: Sequence[np.ndarray],
    filler: np.ndarray,
    log_energy: np.ndarray,
    onsets: _Onsets,
    settings: AlignSettings,
) -> tuple[list[SpeechSpan], list[PieceFit]]:
    """Coarse-to-fine path, boundaries at 10 ms, verdicts, second pass, spans and fits."""
    path, layout = _coarse_to_fine(real, fine, filler, settings)
    cues = len(pieces)
    windows = [_window(g - 1, g, real, fine, path, layout, settings) for g in range(cues + 1)]
    starts, ends = np.zeros(cues, np.int64), np.zeros(cues, np.int64)
    _solve_windows(windows, real, fine, settings, starts, ends)
    pooled = real.pooled(layout.factor)
    verdict, usual = _judge(starts, ends, pieces, path, layout, pooled)
    passed_over = _jumped(path, layout) & (verdict.relative < settings.doubtful_ratio)
    verdict = replace(verdict, relative=np.where(passed_over, 0.0, verdict.relative))
    found = verdict.found(settings)
    confidence = verdict.confidence(settings)
    if not found.all():
        starts, ends, found, confidence = _second_pass(
            verdict, usual, starts, ends, pieces, real, fine, path, layout, settings
        )
    final, _ = _judge(starts, ends, pieces, path, layout, pooled, usual)
    mismatch = final.distance - float(np.median(final.distance))
    starts = onsets.snap(starts, ends, found)
    ends = _extend_to_offsets(starts, ends, found, log_energy, settings)
    starts, ends = _place_unheard(starts, ends, found, len(real))
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


# --- the two sequences --------------------------------------------------------------------

def _put_fillers(layout: _Layout, filler: np.ndarray) -> None:
    """Write the filler's features into the gaps that hold one."""
    for gap in np.flatnonzero(layout.segment_lengths[1::4]):
        start = layout.segment_starts[4 * gap + 1]
        layout.features[start : start + len(filler)] = filler


def _synthetic_layout(
    cues: list[Features], filler: Features, fillers: np.ndarray, levels: _Levels, settings: AlignSettings
) -> _Layout:
    """The full-resolution layout of the synthetic speech, normalised as one voice.

    Built in place, cue by cue (each cue's raw features are dropped from ``cues`` once
    copied), so the synthetic speech is held once, not three times."""
    everything = [*cues, filler]
    count = sum(len(p) for p in everything)
    sums = sum(p.cepstra.sum(0, dtype=np.float64) for p in everything)
    squares = sum((p.cepstra.astype(np.float64) ** 2).sum(0) for p in everything)
    mean = sums / count
    std = np.sqrt(np.maximum(squares / count - mean**2, 0.0)) + 1e-6
    energy_median = float(np.median(np.concatenate([p.log_energy for p in everything])))

    def normalised(part: Features) -> np.ndarray:
        loudness = levels.synthetic_loudness(part.log_energy, energy_median)
        cepstra = (part.cepstra - mean) / std * CEPSTRUM_WEIGHTS
        return np.hstack([cepstra, settings.level_weight * loudness[:, None]]).astype(np.float32)

    filler_features = normalised(filler)
    lengths = [len(c) for c in cues]
    layout = _empty_layout(lengths, 1, len(filler_features), CEPSTRA + 1, fillers)
    _put_fillers(layout, filler_features)
    for k in range(len(cues)):
        start = layout.starts[k]
        layout.features[start : start + lengths[k]] = normalised(cues[k])
        cues[k] = NO_FRAMES
    return layout


@dataclass(frozen=True)
class _Levels:
    """The audio's loudness scale, per frame: the noise floor and the typical speech level
    around it (log energy). Local, like the cepstral normalisation, because a webinar's
    speakers and microphones differ in level; typical speech is the median of the frames
    the detector calls speech, so a loud jingle does not set the scale of the voice."""

    floor: np.ndarray  # (frames,)
    speech: np.ndarray  # (frames,)
    synthetic_floor: float  # where the synthetic voice's quiet frames are floored, vs. its median

    @classmethod
    def of(cls, log_energy: np.ndarray, speech: np.ndarray, block: int = 1000, span: int = 3) -> _Levels:
        frames = len(log_energy)
        overall = float(np.median(log_energy[speech] if speech.sum() >= 50 else log_energy))
        floors, levels = np.empty(frames, np.float32), np.empty(frames, np.float32)
        for start in range(0, frames, block):
            lo, hi = max(0, start - span * block), min(frames, start + (span + 1) * block)
            voiced = log_energy[lo:hi][speech[lo:hi]]
            typical = float(np.median(voiced)) if len(voiced) >= 100 else overall
            lowest = typical - 50.0 / activity.DB_PER_NEPER
            floor = max(float(np.percentile(log_energy[lo:hi], 5)), lowest)
            floors[start : start + block] = floor
            levels[start : start + block] = max(typical, floor + 1.0)
        return cls(floors, levels, float(np.median(floors - levels)))

    def loudness(self, log_energy: np.ndarray) -> np.ndarray:
        """1 at typical speech, 0 at ``LEVEL_RANGE_DB`` below it, floored at the noise floor:
        in a noisy file the pauses sit close to the speech, so loudness weighs less there."""
        return _loudness(np.maximum(log_energy, self.floor) - self.speech)

    def synthetic_loudness(self, log_energy: np.ndarray, median: float) -> np.ndarray:
        """The same scale for the synthetic voice, as if spoken at typical level in this file."""
        return _loudness(np.maximum(log_energy - median, self.synthetic_floor))


def _loudness(relative: np.ndarray) -> np.ndarray:
    return np.clip(1.0 + relative / (LEVEL_RANGE_DB / activity.DB_PER_NEPER), 0.0, 1.5)


def _chance_distance(real: np.ndarray, synthetic: _Layout, sample: int = 4096) -> float:
    """Mean distance between unrelated real and synthetic frames: the unit of every price."""
    rng = np.random.default_rng(0)
    a = real[rng.integers(0, len(real), sample)]
    speech = np.flatnonzero(synthetic.kinds == SPEECH)
    b = synthetic.features[speech[rng.integers(0, len(speech), 256)]]
    return max(float(np.median(_distances(a, b).mean(axis=1))), 1e-3)


def _pause_distance(features: np.ndarray, log_energy: np.ndarray, speech: np.ndarray) -> np.ndarray:
    """How far each frame is from silence: the nearest of the local room tone (the quietest
    frames within ~30 s) and a few file-wide silences (digital silence, the detector's
    non-speech). An edited video mixes those, and its room tone changes with the speaker."""
    frames = len(log_energy)
    block = round(LOCAL_SECONDS / HOP_SECONDS)
    blocks = -(-frames // block)
    templates = []
    for b in range(blocks):
        lo, hi = max(0, (b - LOCAL_SPAN) * block), min(frames, (b + LOCAL_SPAN + 1) * block)
        energy = log_energy[lo:hi]
        quiet = energy <= np.percentile(energy, QUIET_PERCENT)
        templates.append(np.median(features[lo:hi][quiet], axis=0))
    local = np.stack(templates)
    lowest = log_energy <= np.percentile(log_energy, 10)
    shared = [np.median(features[group], axis=0) for group in (lowest, ~speech) if group.sum() >= 10]
    distance = np.empty(frames, np.float32)
    for b in range(blocks):
        rows = slice(b * block, min(frames, (b + 1) * block))
        candidates = np.stack([local[b], *shared])
        distance[rows] = _distances(features[rows], candidates).min(axis=1)
    return distance


def _music(voice: np.ndarray, log_energy: np.ndarray, levels: _Levels, settings: AlignSettings) -> np.ndarray:
    """Frames of sound without a voice: no voice within ``voice_near`` and, over the second
    around, most frames within ``music_below_db`` of typical speech and ``music_above_db``
    over the noise floor (quieter is room tone; steady noise sits on the floor), in runs of
    ``music_seconds`` or more. Music, applause or a jingle: what French captions indicate."""
    unvoiced = _running(voice, round(settings.voice_near / HOP_SECONDS), np.max) < 0.5
    loud = log_energy > np.maximum(
        levels.speech - settings.music_below_db / activity.DB_PER_NEPER,
        levels.floor + settings.music_above_db / activity.DB_PER_NEPER,
    )
    sounding = _running(loud.astype(np.float32), round(0.5 / HOP_SECONDS), np.mean) > 0.6
    music = activity.fill_runs(unvoiced & sounding, False, round(0.5 / HOP_SECONDS))
    return activity.fill_runs(music, True, round(settings.music_seconds / HOP_SECONDS), edges=True)


def _pace(speech: np.ndarray, pieces: Sequence[Features]) -> float:
    """How much longer the speaker takes than the synthetic voice: voiced time over synthetic
    time (within 0.7-1.6). Pieces are stretched by it, so the warping's price for going
    faster or slower measures a departure from the speaker's own pace, not from espeak-ng's
    (home readers took 1.3 times as long: every cue paid for it)."""
    synthetic = sum(len(p) for p in pieces)
    return float(np.clip(speech.sum() / max(synthetic, 1), 0.7, 1.6))


def _paced(frames: Features, pace: float) -> Features:
    """The frames resampled to ``pace`` times as many (nearest frame)."""
    count = max(1, round(len(frames) * pace))
    index = np.minimum((np.arange(count) / pace).astype(np.int64), len(frames) - 1)
    return Features(frames.cepstra[index], frames.log_energy[index])


def _voiced(voice: np.ndarray, log_energy: np.ndarray) -> np.ndarray:
    """Frames that hold a voice, for the statistics of the voice (normalisation, loudness,
    room tone): the detector's; the energy detector's where it heard almost no voice."""
    voiced = voice >= 0.5
    return voiced if voiced.sum() >= 100 else activity.speech_frames(log_energy)


def _voice_prices(
    pause: np.ndarray, voice: np.ndarray, settings: AlignSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a voice detector changes in the prices (chance units): a pause column costs
    little far from any voice (music, noise: ``unvoiced_pause_share`` of its room-tone price)
    and more inside one; a speech column costs more far from any voice. "Near" and "inside"
    widen and narrow the detector's answer (it lags a voice's onset by up to ~150 ms)."""
    near = _running(voice, round(settings.voice_near / HOP_SECONDS), np.max)
    core = _running(voice, round(settings.voice_core / HOP_SECONDS), np.min)
    around = _running(voice, round(settings.voice_around / HOP_SECONDS), np.mean)
    share = settings.unvoiced_pause_share
    capped = np.minimum(pause, settings.pause_gap)
    priced = capped * (share + (1.0 - share) * around) + settings.voiced_pause_price * core
    unvoiced = settings.unvoiced_price * (1.0 - near)
    hold = priced + settings.inner_pause_price
    return priced.astype(np.float32), unvoiced.astype(np.float32), hold.astype(np.float32)


def _running(values: np.ndarray, half: int, reduce) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``reduce`` (max or min) over ``half`` frames each side of every frame."""
    if half <= 0 or len(values) == 0:
        return values.astype(np.float32)
    padded = np.pad(values.astype(np.float32), half, mode="edge")
    return reduce(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """RMS difference per dimension between every row of ``a`` and every row of ``b``."""
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    return np.sqrt(np.maximum(squared, 0.0) / a.shape[1])


def _empty_layout(
    lengths: Sequence[int], factor: int, filler: int, dims: int, fillers: np.ndarray, *, full_gaps: bool = True
) -> _Layout:
    """Segments pause, filler, pause, cue, ..., pause, filler, pause; features zero. The
    filler segment is empty in gaps where ``fillers`` says no filler is said (inside a
    sentence). Without ``full_gaps`` (coarse levels) a gap is one pause column: the filler
    and second pause segments are empty, so gaps do not outnumber the few columns of each cue."""
    second = 1 if full_gaps else 0
    segments: list[tuple[int, int]] = []
    for length, with_filler in zip([*lengths, None], fillers):
        segments += [(PAUSE, 1), (FILLER, filler if full_gaps and with_filler else 0), (PAUSE, second)]
        if length is not None:
            segments.append((SPEECH, length))
    sizes = np.array([size for _, size in segments], np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    kinds = np.repeat(np.array([kind for kind, _ in segments], np.int8), sizes)
    return _Layout(factor, starts, sizes, kinds, np.zeros((int(sizes.sum()), dims), np.float32), fillers)


def _layout(fine: _Layout, factor: int, filler: np.ndarray) -> _Layout:
    """The layout of a coarser level: every cue of ``fine`` pooled by ``factor``; the filler
    too, up to ``FULL_GAPS_UP_TO``, above which each gap is a single pause column."""
    full_gaps = factor <= FULL_GAPS_UP_TO
    pooled_filler = _pool(filler, factor) if full_gaps else filler[:0]
    groups = -(-fine.lengths // factor)
    layout = _empty_layout(groups, factor, len(pooled_filler), filler.shape[1], fine.fillers, full_gaps=full_gaps)
    _put_fillers(layout, pooled_filler)
    cue = np.repeat(np.arange(len(groups)), groups)
    within = np.arange(int(groups.sum())) - np.repeat(np.cumsum(groups) - groups, groups)
    layout.features[layout.starts[cue] + within] = _pool_cues(fine, factor, groups, cue, within)
    return layout


def _pool_cues(
    fine: _Layout, factor: int, groups: np.ndarray, cue: np.ndarray, within: np.ndarray
) -> np.ndarray:
    """Every cue's frames pooled by ``factor`` (the last run of each may be shorter), in one
    pass: group ``g`` is run ``within[g]`` of cue ``cue[g]``. Each cue's end is a boundary
    too (its gap follows), and the sums that start there are dropped."""
    offsets = np.cumsum(groups + 1) - (groups + 1)
    firsts = offsets[cue] + within
    index = np.empty(int(groups.sum()) + len(groups), np.int64)
    index[firsts] = fine.starts[cue] + within * factor
    index[offsets + groups] = fine.starts + fine.lengths
    sums = np.add.reduceat(fine.features, index, axis=0)[firsts]
    sizes = np.minimum(factor, fine.lengths[cue] - within * factor).astype(np.float32)
    return sums / sizes[:, None]


def _pool(frames: np.ndarray, factor: int) -> np.ndarray:
    """Mean of each run of ``factor`` frames (the last run may be shorter)."""
    if factor == 1:
        return frames
    starts = np.arange(0, len(frames), factor)
    sizes = np.diff(np.append(starts, len(frames))).astype(np.float32)
    return np.add.reduceat(frames, starts, axis=0) / sizes[:, None]


# --- coarse to fine -----------------------------------------------------------------------


def _coarse_to_fine(
    real: _Real, fine: _Layout, filler: np.ndarray, settings: AlignSettings
) -> tuple[Path, _Layout]:
    """The path at ``settings.fine_factor`` resolution, through coarser levels."""
    factor = settings.fine_factor
    while True:
        layout = _layout(fine, factor, filler)
        if -(-len(real) // factor) * layout.columns <= settings.top_cells:
            break
        factor *= 4
    path: Path | None = None
    previous: _Layout | None = None
    while True:
        pooled = real.pooled(factor)
        if path is None or previous is None:
            lo, width = np.zeros(len(pooled), np.int64), layout.columns
        else:
            lo, width = _project(path, previous, layout, len(pooled), settings)
        path = banded_path(_band_distance(pooled, layout), lo, width, layout.costs(settings), pooled.hold)
        if factor == settings.fine_factor:
            return path, layout
        previous = layout
        factor //= 4
        layout = _layout(fine, factor, filler)


def _band_distance(real: _Real, layout: _Layout):  # type: ignore[no-untyped-def]
    """Distance function of one level for :func:`banded_path`."""
    synthetic = layout.features
    synthetic_norms = (synthetic * synthetic).sum(axis=1)
    real_norms = (real.features * real.features).sum(axis=1)
    dims = synthetic.shape[1]
    pause = layout.kinds == PAUSE

    def distance(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        if np.all(columns[:, 0] == columns[0, 0]):  # the same columns for every row: one product
            cross = real.features[rows] @ synthetic[columns[0]].T
        else:
            cross = (synthetic[columns] @ real.features[rows][:, :, None])[..., 0]
        squared = real_norms[rows][:, None] + synthetic_norms[columns] - 2.0 * cross
        d = np.sqrt(np.maximum(squared, 0.0) / dims) + real.unvoiced[rows][:, None]
        return np.where(pause[columns], real.pause[rows][:, None], d)

    return distance


def _project(
    path: Path, coarse: _Layout, fine: _Layout, rows: int, settings: AlignSettings
) -> tuple[np.ndarray, int]:
    """The band of the finer level: the coarse path's cells, widened."""
    ratio = coarse.factor // fine.factor
    first, last = path.row_span(-(-rows // ratio))
    lo_map, hi_map = _column_map(coarse, fine, ratio)
    coarse_row = np.minimum(np.arange(rows) // ratio, len(first) - 1)
    lo = lo_map[first[coarse_row]]
    hi = hi_map[last[coarse_row]]
    # Both bounds are non-decreasing (a monotonic path's row span through monotonic column
    # maps), so widening each row to ``reach`` rows either side takes the bound of the row
    # ``reach`` above (lowest) or below (highest).
    reach = settings.band_rows * ratio
    index = np.arange(rows)
    lo = lo[np.maximum(index - reach, 0)] - settings.band_columns
    hi = hi[np.minimum(index + reach, rows - 1)] + settings.band_columns
    lo = np.clip(lo, 0, fine.columns - 1)
    hi = np.clip(hi, 0, fine.columns - 1)
    lo[0] = 0
    hi[-1] = fine.columns - 1
    lo = np.maximum.accumulate(lo)
    hi = np.maximum.accumulate(hi)
    return lo, int((hi - lo).max()) + 1


def _column_map(coarse: _Layout, fine: _Layout, ratio: int) -> tuple[np.ndarray, np.ndarray]:
    """For each coarse column, the first and last fine column it stands for: a cue's columns
    map in proportion, a gap's columns map to the whole gap."""
    lo = np.empty(coarse.columns, np.int64)
    hi = np.empty(coarse.columns, np.int64)
    segments = len(coarse.segment_starts)
    for first in range(0, segments, 4):
        gap_start = coarse.segment_starts[first]
        gap_columns = slice(gap_start, gap_start + coarse.segment_lengths[first : first + 3].sum())
        lo[gap_columns] = fine.segment_starts[first]
        hi[gap_columns] = fine.segment_starts[first] + fine.segment_lengths[first : first + 3].sum() - 1
        if first + 3 < segments:
            start_c, length_c = coarse.segment_starts[first + 3], coarse.segment_lengths[first + 3]
            start_f, length_f = fine.segment_starts[first + 3], fine.segment_lengths[first + 3]
            t = np.arange(length_c)
            lo[start_c + t] = start_f + np.minimum(t * ratio, length_f - 1)
            hi[start_c + t] = start_f + np.minimum((t + 1) * ratio - 1, length_f - 1)
    return lo, hi


def _row_at(path: Path, layout: _Layout, cue: int, frame: int) -> float:
    """Real frame (10 ms units) where the path reaches ``frame`` of ``cue`` (interpolated)."""
    f = layout.factor
    column = layout.starts[cue] + frame // f
    entry, exit_ = path.entry[column], path.exit[column] + 1
    within = (frame % f + 0.5) / f
    return (entry + (exit_ - entry) * within) * f


# --- boundaries at full resolution ----------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """A fine alignment problem: audio rows ``row_a..row_b`` against ``columns`` (increasing),
    corner to corner; the path's entry into column ``starts[k]`` (a position in ``columns``)
    is where cue ``starts_of[k]`` starts, its exit from ``ends[k]`` where ``ends_of[k]`` ends."""

    row_a: int
    row_b: int
    columns: np.ndarray
    starts_of: tuple[int, ...]
    starts: tuple[int, ...]
    ends_of: tuple[int, ...]
    ends: tuple[int, ...]


def _window(
    before: int,
    after: int,
    real: _Real,
    fine: _Layout,
    path: Path,
    layout: _Layout,
    settings: AlignSettings,
    middle: Sequence[int] = (),
) -> _Window:
    """The window from inside cue ``before`` to inside cue ``after``: the end of ``before``
    (none when it is -1, the start of the file), the pause-filler-pause columns after it,
    the whole of each ``middle`` cue with the gap after it, then the start of ``after``
    (none when it is the cue count, the end of the file). Other cues between are left out."""
    cues = len(fine.starts)
    edge = round(settings.edge_seconds / HOP_SECONDS)
    parts: list[np.ndarray] = []
    starts_of: list[int] = []
    starts: list[int] = []
    ends_of: list[int] = []
    ends: list[int] = []
    width = 0

    def add(columns: np.ndarray) -> None:
        nonlocal width
        parts.append(columns)
        width += len(columns)

    row_a, row_b = 0, len(real) - 1
    if before >= 0:
        n = int(fine.lengths[before])
        frame = n - min(edge, max(1, n // 2))
        row_a = int(_row_at(path, layout, before, frame))
        add(np.arange(fine.starts[before] + frame, fine.starts[before] + n))
        ends_of.append(before)
        ends.append(width - 1)
    add(_gap_columns(fine, before + 1))
    for cue in middle:
        starts_of.append(cue)
        starts.append(width)
        add(np.arange(fine.starts[cue], fine.starts[cue] + fine.lengths[cue]))
        ends_of.append(cue)
        ends.append(width - 1)
        add(_gap_columns(fine, cue + 1))
    if after < cues:
        frame = min(edge, max(1, (int(fine.lengths[after]) + 1) // 2)) - 1
        row_b = int(_row_at(path, layout, after, frame))
        starts_of.append(after)
        starts.append(width)
        add(np.arange(fine.starts[after], fine.starts[after] + frame + 1))
    row_a = min(max(row_a, 0), len(real) - 1)
    row_b = min(max(row_b, row_a + 1), len(real) - 1)
    row_a = min(row_a, row_b)
    return _Window(
        row_a, row_b, np.concatenate(parts), tuple(starts_of), tuple(starts), tuple(ends_of), tuple(ends)
    )


def _gap_columns(layout: _Layout, gap: int) -> np.ndarray:
    """The pause, filler and pause columns before cue ``gap`` (or after the last cue)."""
    start = int(layout.segment_starts[4 * gap])
    end = int(layout.segment_starts[4 * gap + 3]) if gap < len(layout.starts) else layout.columns
    return np.arange(start, end)


def _solve_windows(
    windows: Sequence[_Window],
    real: _Real,
    fine: _Layout,
    settings: AlignSettings,
    starts: np.ndarray,
    ends: np.ndarray,
) -> None:
    """Align every window, batched by size, writing the cue starts and ends they give.

    Batches are independent and their BLAS products and C loops release the GIL, so they
    are solved by a thread per core (``settings.threads`` when the build gives a share),
    sharing ``window_cells`` (memory stays the same). The batches depend on the core count
    only, never on ``settings.threads``, so the result does not depend on ``--jobs``."""
    cells = max(1, settings.window_cells // _THREADS)
    order = sorted(range(len(windows)), key=lambda w: windows[w].row_b - windows[w].row_a)
    batches: list[list[_Window]] = [[]]
    rows_max = cols_max = 0
    for index in order:
        window = windows[index]
        if batches[-1] and rows_max * cols_max * len(batches[-1]) >= cells:
            batches.append([])
            rows_max = cols_max = 0
        batches[-1].append(window)
        rows_max = max(rows_max, window.row_b - window.row_a + 1)
        cols_max = max(cols_max, len(window.columns))
    with ThreadPoolExecutor(max_workers=settings.threads or _THREADS) as pool:
        solved = pool.map(lambda batch: _window_paths(batch, real, fine, settings), batches)
        for batch, paths in zip(batches, solved):
            for window, path in zip(batch, paths):
                for cue, first in zip(window.starts_of, window.starts):
                    starts[cue] = window.row_a + path.entry[first]
                for cue, last in zip(window.ends_of, window.ends):
                    ends[cue] = window.row_a + path.exit[last] + 1


def _window_paths(
    windows: Sequence[_Window], real: _Real, fine: _Layout, settings: AlignSettings
) -> list[Path]:
    row_counts = np.array([w.row_b - w.row_a + 1 for w in windows])
    col_counts = np.array([len(w.columns) for w in windows])
    rows, cols = int(row_counts.max()), int(col_counts.max())
    firsts = np.array([w.row_a for w in windows])
    row_index = np.minimum(firsts[:, None] + np.arange(rows), len(real) - 1)
    col_index = np.stack([np.pad(w.columns, (0, cols - len(w.columns)), mode="edge") for w in windows])
    a = real.features[row_index]  # (windows, rows, dims)
    b = fine.features[col_index]  # (windows, cols, dims)
    cross = a @ b.transpose(0, 2, 1)  # batched BLAS: 15x faster than einsum here
    squared = (a * a).sum(2)[:, :, None] + (b * b).sum(2)[:, None, :] - 2.0 * cross
    d = np.sqrt(np.maximum(squared, 0.0) / a.shape[2]) + real.unvoiced[row_index][:, :, None]
    d = np.where(fine.kinds[col_index][:, None, :] == PAUSE, real.pause[row_index][:, :, None], d)
    return corner_paths(d, row_counts, col_counts, fine.costs(settings).take(col_index), real.hold[row_index])


# --- judging and second pass ----------------------------------------------------------------


@dataclass(frozen=True)
class _Verdict:
    """How each cue fared: the share of its usual time it got, and how well it matched."""

    relative: np.ndarray  # real duration / synthetic duration, over the file's median ratio
    distance: np.ndarray  # mean distance of its frames along the path, chance units

    def found(self, settings: AlignSettings) -> np.ndarray:
        """Heard: it got enough of its usual time and matched better than chance; a text
        that got little time (under ``doubtful_ratio``) must also match about as well as the
        texts around it (an unsaid sentence squeezed into a neighbour's audio matches worse;
        a speaker whose voice is far from the synthetic one matches worse all along)."""
        squeezed = self.relative < settings.doubtful_ratio
        worse = self.distance > _local_median(self.distance, NEIGHBOURS) + settings.doubtful_mismatch
        return (self.relative >= settings.min_found_ratio) & (self.distance < 1.0) & ~(squeezed & worse)

    def confidence(self, settings: AlignSettings) -> np.ndarray:
        """1 for a cue matching as well as the file's others (within ``good_distance`` of
        their median: a real voice matches the synthetic one less well than another
        synthetic voice does, all through the file) with at least 0.7 of its usual time; 0
        at chance, or with no time."""
        good = min(float(np.median(self.distance)) + settings.good_distance, 0.99)
        match = np.clip((1.0 - self.distance) / (1.0 - good), 0.0, 1.0)
        return match * np.clip(self.relative / 0.7, 0.0, 1.0)


def _judge(
    starts: np.ndarray,
    ends: np.ndarray,
    pieces: Sequence[np.ndarray],
    path: Path,
    layout: _Layout,
    pooled: _Real,
    usual: float | None = None,
) -> tuple[_Verdict, float]:
    """The verdict on every cue, and the file's usual real/synthetic duration ratio;
    ``pooled`` is the audio at the resolution of ``layout``."""
    synthetic_frames = np.array([len(p) for p in pieces], np.float64)
    ratios = (ends - starts) / np.maximum(synthetic_frames, 1.0)
    if usual is None:
        usual = max(float(np.median(ratios)), 1e-3)
    distances = np.empty(len(pieces))
    for k in range(len(pieces)):
        cols = layout.starts[k] + np.arange(layout.lengths[k])
        middle = (path.entry[cols] + path.exit[cols]) // 2
        diffs = pooled.features[middle] - layout.features[cols]
        distances[k] = float(np.sqrt((diffs**2).mean(axis=1)).mean())
    return _Verdict(ratios / usual, distances), usual


NEIGHBOURS = 8  # pieces each side that set what matching "as well as the others" means


def _local_median(values: np.ndarray, half: int) -> np.ndarray:
    """The median of each value's neighbourhood (``half`` each side)."""
    if len(values) == 0:
        return values
    padded = np.pad(values, half, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)


def _jumped(path: Path, layout: _Layout) -> np.ndarray:
    """Pieces the path jumped over whole (text not said). The boundary windows, each seeing
    one end of a piece, may still squeeze such a piece into a neighbour's audio; when they
    gave it little time too, it counts as having had none, and the second pass aligns its
    neighbours without it (when they found it its usual time, they are trusted)."""
    if path.jumped is None:
        return np.zeros(len(layout.starts), bool)
    return np.array([bool(path.jumped[s]) if n else False for s, n in zip(layout.starts, layout.lengths)])


def _second_pass(
    verdict: _Verdict,
    usual: float,
    starts: np.ndarray,
    ends: np.ndarray,
    pieces: Sequence[np.ndarray],
    real: _Real,
    fine: _Layout,
    path: Path,
    layout: _Layout,
    settings: AlignSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Align again around cues that were not heard, without the text that surely was not
    said (it got under ``drop_ratio`` of its usual time): a dropped sentence squeezes its
    neighbours in the first pass. Doubtful cues stay in and are judged again. Cues left
    out sit in the gap between their neighbours (start = previous end, end = next start).
    Returns starts, ends, which cues were heard and their confidence."""
    cues = len(pieces)
    doubtful = ~verdict.found(settings)
    dropped = doubtful & (verdict.relative < settings.drop_ratio)
    groups = []
    k = 0
    while k < cues:
        if not doubtful[k]:
            k += 1
            continue
        first = k
        while k < cues and doubtful[k]:
            k += 1
        groups.append((first - 1, k))
    first_starts, first_ends = starts, ends
    for _ in range(3):  # a kept cue found unheard is dropped in turn
        starts, ends = first_starts.copy(), first_ends.copy()
        windows = [
            _window(before, after, real, fine, path, layout, settings,
                    middle=[c for c in range(before + 1, after) if not dropped[c]])
            for before, after in groups
        ]  # fmt: skip
        _solve_windows(windows, real, fine, settings, starts, ends)
        again, _ = _judge(starts, ends, pieces, path, layout, real.pooled(layout.factor), usual)
        newly = doubtful & ~dropped & ~again.found(settings)
        if not newly.any():
            break
        dropped |= newly
    heard = ~dropped & (~doubtful | again.found(settings))
    confidence = np.where(doubtful, again.confidence(settings), verdict.confidence(settings))
    return starts, ends, heard, np.where(heard, confidence, np.minimum(confidence, 0.2))


class _Onsets:
    """Where a voice begins: a run of the detector's speech (``onset_run`` or longer) after
    a pause, its start walked back while the audio stays over the noise floor of the second
    before it (the detector hears a soft first consonant late). A cue's start near one is
    moved onto it."""

    def __init__(self, voice: np.ndarray, log_energy: np.ndarray, levels: _Levels, settings: AlignSettings):
        run = round(settings.onset_run / HOP_SECONDS)
        speech = activity.fill_runs(voice >= 0.5, True, run, edges=True)
        for a, b in np.flatnonzero(np.diff(np.concatenate([[0], speech, [0]]).astype(np.int8))).reshape(-1, 2):
            if voice[a:b].max() < settings.onset_sure:
                speech[a:b] = False  # a breath, a click: the detector is never sure of it
        edges = np.flatnonzero(np.diff(np.concatenate([[0], speech.astype(np.int8)])) == 1)
        walk = round(settings.onset_walk / HOP_SECONDS)
        starts = edges.copy()
        thresholds = np.empty(len(edges), np.float32)
        for k, edge in enumerate(edges):
            # the floor right before this voice (a recording's own room tone, not the file's)
            floor = float(np.percentile(log_energy[max(0, edge - 100) : edge + 1], 20))
            thresholds[k] = max(
                floor + settings.onset_above_floor_db / activity.DB_PER_NEPER,
                float(levels.speech[edge]) - settings.onset_below_speech_db / activity.DB_PER_NEPER,
            )
            first = edge
            while first > 0 and edge - first < walk and log_energy[first - 1] > thresholds[k]:
                first -= 1
            starts[k] = first
        self.runs = edges  # where the detector's voice runs begin
        self.starts = starts  # the same, walked back to the sound's rise
        self.thresholds = thresholds  # over this log energy, the sound has risen
        self.log_energy = log_energy
        self.speech = speech
        self.reach = round(settings.onset_reach / HOP_SECONDS)
        self.late_reach = round(settings.onset_late_reach / HOP_SECONDS)

    def snap(self, starts: np.ndarray, ends: np.ndarray, found: np.ndarray) -> np.ndarray:
        """Heard pieces' starts moved onto a voice onset (never before the previous piece's
        end or after the piece's own): a start in silence or music up to ``onset_reach``
        before a voice moves to it; a start inside a voice that began after a pause, up to
        ``onset_late_reach`` after it, with no text before it there, moves back to it (the
        path gave the piece's first words to the pause or filler before it)."""
        out = starts.copy()
        for k in np.flatnonzero(found):
            start = int(starts[k])
            previous = int(ends[k - 1]) if k > 0 else 0
            onset = self._onset_after(start) if not self.speech[min(start, len(self.speech) - 1)] else None
            if onset is None:
                onset = self._onset_before(start, previous)
            if onset is not None and previous <= onset < ends[k]:
                out[k] = onset
        return out

    def _onset_after(self, start: int) -> int | None:
        """Where the sound rises into the next voice onset, when the start lies in silence
        (or music) within reach before it: the detector hears a voice late, so a start in
        a consonant already sounding stays."""
        i = int(np.searchsorted(self.runs, start))
        if i >= len(self.runs) or self.runs[i] > start + self.reach:
            return None
        rising = self.log_energy[start : self.runs[i] + 1] > self.thresholds[i]
        if rising[0]:
            return None
        quiet = np.flatnonzero(~rising)
        return start + int(quiet[-1]) + 1

    def _onset_before(self, start: int, previous: int) -> int | None:
        """The onset of the voice the start lies in, when it began after a pause, within
        ``late_reach``, and after the previous piece's end."""
        i = int(np.searchsorted(self.runs, start, side="right")) - 1
        if i < 0 or start - self.runs[i] > self.late_reach or self.runs[i] < previous:
            return None
        if not self.speech[self.runs[i] : start + 1].all():
            return None  # a pause between: the voice before is not this piece's
        return max(previous, int(self.starts[i]))


def _extend_to_offsets(
    starts: np.ndarray,
    ends: np.ndarray,
    found: np.ndarray,
    log_energy: np.ndarray,
    settings: AlignSettings,
) -> np.ndarray:
    """Move each heard cue's end on to where its last word has died away.

    The decaying tail of a word (a release, a breath of the final vowel) looks more like the
    pause than like the synthetic voice, which stops abruptly, so the path ends early. While
    the audio stays ``tail_db`` above the local floor, the word is still sounding.
    """
    threshold = _local_floor(log_energy) + settings.tail_db / activity.DB_PER_NEPER
    sounding = log_energy > threshold
    reach = round(settings.tail_seconds / HOP_SECONDS)
    ends = ends.copy()
    for k in np.flatnonzero(found):
        limit = min(len(sounding), ends[k] + reach)
        following = starts[k + 1 :][found[k + 1 :]]
        if len(following):
            limit = min(limit, int(following[0]))
        ahead = sounding[ends[k] : limit]
        ends[k] += len(ahead) if ahead.all() else int(np.argmin(ahead))
    return ends


def _place_unheard(
    starts: np.ndarray, ends: np.ndarray, heard: np.ndarray, frames: int
) -> tuple[np.ndarray, np.ndarray]:
    """Put each cue that was not heard in the gap between the heard cues around it (from
    the previous one's end to the next one's start), never on top of them."""
    starts, ends = starts.copy(), ends.copy()
    previous_end = 0
    for k in range(len(heard)):
        if heard[k]:
            previous_end = ends[k]
            continue
        following = starts[k + 1 :][heard[k + 1 :]]
        starts[k] = previous_end
        ends[k] = max(previous_end, int(following[0]) if len(following) else frames)
    return starts, ends


def _local_floor(log_energy: np.ndarray) -> np.ndarray:
    """The noise floor around each frame: the 10th percentile of its ~30 s neighbourhood."""
    frames = len(log_energy)
    block = round(LOCAL_SECONDS / HOP_SECONDS)
    floor = np.empty(frames, np.float32)
    for start in range(0, frames, block):
        lo, hi = max(0, start - LOCAL_SPAN * block), min(frames, start + (LOCAL_SPAN + 1) * block)
        floor[start : start + block] = np.percentile(log_energy[lo:hi], 10)
    return floor


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
