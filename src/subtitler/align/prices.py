"""What matching costs: distances in units of chance, the price of calling an audio frame a
pause (its distance from the room tone around it, changed by the voice detector), and music
(sound without a voice).
"""

from __future__ import annotations

import numpy as np

from . import activity
from .features import HOP_SECONDS
from .layout import SPEECH, Layout
from .levels import LOCAL_SECONDS, LOCAL_SPAN, Levels
from .settings import AlignSettings

QUIET_PERCENT = 15.0  # the quietest share of frames that stands for room tone


def chance_distance(real: np.ndarray, synthetic: Layout, sample: int = 4096) -> float:
    """Mean distance between unrelated real and synthetic frames: the unit of every price."""
    rng = np.random.default_rng(0)
    a = real[rng.integers(0, len(real), sample)]
    speech = np.flatnonzero(synthetic.kinds == SPEECH)
    b = synthetic.features[speech[rng.integers(0, len(speech), 256)]]
    return max(float(np.median(_distances(a, b).mean(axis=1))), 1e-3)


def pause_distance(features: np.ndarray, log_energy: np.ndarray, speech: np.ndarray) -> np.ndarray:
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


def voice_prices(
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


def likely_voice(voice: np.ndarray, log_energy: np.ndarray, levels: Levels, settings: AlignSettings) -> np.ndarray:
    """The voice probability to price with: where the detector is unsure (``unsure_voice``
    or more), never sure within ``likely_voice_clear``, while the sound is as loud as speech
    and rises and falls like syllables, it is taken as ``likely_voice``. Silero hears some
    home-microphone voices at 0.2-0.7 (one Common Voice speaker, whose sentence then lost its
    text to the sentence before it); the music it is unsure of (a voice-like lead) does not
    rise and fall that way, and music that does (drums) it hears as no voice at all. Near a
    sure voice an unsure frame is its onset or its end, which the detector already places."""
    unsure = (voice >= settings.unsure_voice) & (voice < settings.likely_voice)
    unsure &= log_energy > levels.speech - settings.likely_voice_below_db / activity.DB_PER_NEPER
    unsure &= _running(voice, round(settings.likely_voice_clear / HOP_SECONDS), np.max) < settings.onset_sure
    unsure &= levels.depth >= settings.likely_voice_depth_db
    return np.where(unsure, np.float32(settings.likely_voice), voice).astype(voice.dtype)


def music_frames(voice: np.ndarray, log_energy: np.ndarray, levels: Levels, settings: AlignSettings) -> np.ndarray:
    """Frames of sound without a voice: no voice within ``voice_near`` (or none the detector is
    sure of, where the level stays within ``music_steady_db`` over every second around: a
    voice-like lead that it hears at 0.3-0.85, which syllables never are) and, over the second
    around, most frames within ``music_below_db`` of typical speech and ``music_above_db``
    over the noise floor (quieter is room tone; steady noise sits on the floor), in runs of
    ``music_seconds`` or more. Music, applause or a jingle: what French captions indicate."""
    near = _running(voice, round(settings.voice_near / HOP_SECONDS), np.max)
    steady = levels.depth < settings.music_steady_db
    steady = _running(steady.astype(np.float32), round(0.5 / HOP_SECONDS), np.min) > 0.5
    unvoiced = (near < 0.5) | ((near < settings.onset_sure) & steady)
    loud = log_energy > np.maximum(
        levels.speech - settings.music_below_db / activity.DB_PER_NEPER,
        levels.floor + settings.music_above_db / activity.DB_PER_NEPER,
    )
    sounding = _running(loud.astype(np.float32), round(0.5 / HOP_SECONDS), np.mean) > 0.6
    music = activity.fill_runs(unvoiced & sounding, False, round(0.5 / HOP_SECONDS))
    music = activity.fill_runs(music, True, round(settings.music_seconds / HOP_SECONDS), edges=True)
    # Its fade-in and fade-out belong to it: sound without a voice, however soft, right up to
    # the music (real-cv-phone: an interlude fading in over 0.6 s was found 2.9 s long).
    soft = unvoiced & (log_energy > levels.floor + settings.music_above_db / activity.DB_PER_NEPER)
    return _grown(music, soft)


def _grown(core: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """``core`` grown over the runs of ``allowed`` frames that touch it."""
    out = np.zeros(len(core), bool)
    for a, b in activity.runs(core | allowed):
        if core[a:b].any():
            out[a:b] = True
    return out


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
