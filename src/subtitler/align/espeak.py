"""Speech synthesis with libespeak-ng (shipped by the ``espeakng-loader`` wheel), via ctypes.

The aligner synthesises the known transcript and compares it with the real audio; the
benchmark synthesises test narrations. Both need the audio *and* where each word lies in it,
which espeak-ng reports as word events. libespeak-ng keeps global state (one voice, one
callback), so every call goes through one process-wide lock and the library is initialised
once per process.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AlignmentError

NATIVE_SAMPLE_RATE = 22050

# speak_lib.h constants.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_END = 5
_EVENT_MSG_TERMINATED = 6
_PARAM_RATE = 1
_PARAM_PITCH = 3
_EE_OK = 0


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    """``espeak_EVENT``; ctypes applies the platform's alignment (40 bytes on 64-bit)."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class WordEvent:
    """One word as espeak-ng spoke it: where it is in the text and in the audio."""

    text_start: int  # index of the word's first character in the synthesised text
    text_length: int  # characters of the word, as espeak-ng counted them
    start: float  # seconds from the start of the audio
    end: float  # seconds: the next word's start, or the end of sound, trailing silence removed


@dataclass(frozen=True)
class Synthesis:
    samples: np.ndarray  # float32 mono, -1..1
    sample_rate: int
    words: tuple[WordEvent, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


class _Engine:
    """The one libespeak-ng instance of the process."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lock = threading.Lock()
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.data_path = Path(espeakng_loader.get_data_path())
        lib = self.lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 200, str(self.data_path).encode(), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise AlignmentError(f"libespeak-ng failed to initialise (data at {self.data_path})")
        self.sample_rate = rate
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[int, int, int, int]] = []
        self._callback = _CALLBACK(self._on_synth)  # kept referenced: the C side holds it
        lib.espeak_SetSynthCallback(self._callback)
        self._voice: str | None = None

    def _on_synth(self, wav, count, events) -> int:  # type: ignore[no-untyped-def]
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            event = events[i]
            self._events.append(
                (event.type, event.text_position, event.length, event.audio_position)
            )
            i += 1
        return 0

    def synthesize(self, text: str, voice: str, rate: int, pitch: int) -> tuple[np.ndarray, list]:
        with self.lock:
            if voice != self._voice:
                if self.lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                    raise AlignmentError(f"espeak-ng has no voice {voice!r}")
                self._voice = voice
            self.lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
            self.lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
            self._chunks, self._events = [], []
            data = text.encode("utf-8") + b"\0"
            buffer = ctypes.create_string_buffer(data, len(data))
            status = self.lib.espeak_Synth(
                buffer, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            if status != _EE_OK:
                raise AlignmentError(f"espeak-ng synthesis failed (status {status})")
            chunks, events = self._chunks, self._events
            self._chunks, self._events = [], []
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return samples, events

    def reset(self, voice: str, rate: int, pitch: int) -> None:
        """Seed espeak-ng's noise generator (else seeded from the clock) and start from a
        fixed utterance (it carries a residue of each synthesis into the next)."""
        with self.lock:
            self.lib.espeak_ng_SetRandSeed(0)
        self.synthesize(_RESET_PHRASE, voice, rate, pitch)

    def voices(self) -> list[tuple[str, str]]:
        """(identifier, languages) of every voice the data defines."""
        with self.lock:
            listed = self.lib.espeak_ListVoices(None)
            found = []
            i = 0
            while listed[i]:
                voice = listed[i].contents
                languages = voice.languages or b""
                found.append((voice.identifier.decode(), languages[1:].split(b"\0")[0].decode()))
                i += 1
        return found


_engine: _Engine | None = None
_engine_lock = threading.Lock()


_RESET_PHRASE = "Bonjour."


def _get_engine() -> _Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Engine()
        return _engine


def synthesize(
    text: str,
    *,
    voice: str = "fr",
    rate: int = 175,
    pitch: int = 50,
    sample_rate_out: int | None = None,
) -> Synthesis:
    """Speak ``text`` and return its audio with one :class:`WordEvent` per spoken word.

    ``voice`` is a language name, optionally with a variant (``"fr+m3"``, ``"fr-be+f2"``);
    ``rate`` is in words per minute (80-450), ``pitch`` 0-100. Word times come from
    espeak-ng's word events; a word's end is the next word's start (or the end of the audio)
    with the silence before it removed.
    """
    engine = _get_engine()
    pcm, events = engine.synthesize(text, voice, rate, pitch)
    samples = _to_float(pcm)
    sample_rate = engine.sample_rate
    words = _word_events(text, events, samples, sample_rate)
    if sample_rate_out is not None and sample_rate_out != sample_rate:
        samples = _resample(samples, sample_rate, sample_rate_out)
        sample_rate = sample_rate_out
    return Synthesis(samples=samples, sample_rate=sample_rate, words=words)


def speak(text: str, *, voice: str = "fr", rate: int = 175, pitch: int = 50) -> np.ndarray:
    """The audio of ``text`` alone (float32, ``NATIVE_SAMPLE_RATE``): what the aligner needs,
    without the word events :func:`synthesize` works out."""
    pcm, _events = _get_engine().synthesize(text, voice, rate, pitch)
    return _to_float(pcm)


def _to_float(pcm: np.ndarray) -> np.ndarray:
    return pcm.astype(np.float32) / np.float32(32768.0)


def reset(*, voice: str = "fr", rate: int = 175, pitch: int = 50) -> None:
    """Make a fresh process's syntheses reproducible: the same calls after ``reset`` give the
    same samples. Earlier syntheses in the same process still leave traces: see
    :mod:`subtitler.align.synthesis` for the per-video process that rules them out."""
    _get_engine().reset(voice, rate, pitch)


def list_voices(lang_prefix: str = "fr") -> list[str]:
    """Voice names starting with ``lang_prefix``, as ``voice=`` takes them.

    For French: ``["fr", "fr-be", "fr-ch"]``; any of them takes a variant: ``"fr-be+f2"``.
    """
    names = {
        identifier.rsplit("/", 1)[-1].lower()
        for identifier, _language in _get_engine().voices()
        if identifier.rsplit("/", 1)[-1].lower().startswith(lang_prefix.lower())
    }
    return sorted(names)


def list_variants() -> list[str]:
    """Voice variants (``"m3"``, ``"f2"``, ``"klatt"``...) to append as ``voice+variant``."""
    variants = _get_engine().data_path / "voices" / "!v"
    return sorted(path.name for path in variants.iterdir() if path.is_file())


def _word_events(
    text: str, events: list[tuple[int, int, int, int]], samples: np.ndarray, sample_rate: int
) -> tuple[WordEvent, ...]:
    """Turn raw WORD events into :class:`WordEvent` with character indices into ``text``.

    espeak-ng counts text positions in characters from 1 (it decodes UTF-8 itself).
    """
    total = len(samples) / sample_rate
    starts = [
        (position - 1, length, audio_ms / 1000.0)
        for kind, position, length, audio_ms in events
        if kind == _EVENT_WORD
    ]
    ends = [s for _, _, s in starts[1:]] + [total]
    active = _active_samples(samples, sample_rate)
    words = []
    for (position, length, start), end in zip(starts, ends):
        words.append(
            WordEvent(
                text_start=max(0, min(position, len(text))),
                text_length=length,
                start=start,
                end=_trim_silence(active, sample_rate, start, end),
            )
        )
    return tuple(words)


def _active_samples(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per 5 ms frame: is there sound (espeak's silence is digital zero, or nearly)."""
    hop = sample_rate // 200
    frames = len(samples) // hop
    if frames == 0:
        return np.zeros(0, bool)
    peak = np.abs(samples[: frames * hop]).reshape(frames, hop).max(axis=1)
    return peak > 1e-3


def _trim_silence(active: np.ndarray, sample_rate: int, start: float, end: float) -> float:
    first, last = int(start * 200), min(int(end * 200), len(active))
    sounding = np.flatnonzero(active[first:last])
    if len(sounding) == 0:
        return end
    return min(end, (first + int(sounding[-1]) + 1) / 200.0)


def _resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    factor = gcd(rate_in, rate_out)
    return resample_poly(samples, rate_out // factor, rate_in // factor).astype(np.float32)
