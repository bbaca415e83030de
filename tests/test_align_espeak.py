"""espeak-ng through ctypes: audio plus one timed event per spoken word."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from subtitler.align.espeak import NATIVE_SAMPLE_RATE, list_variants, list_voices, synthesize
from subtitler.errors import AlignmentError

TEXT = "Bonjour. Je suis programmeur au sein de l'équipe, depuis douze ans."


def test_synthesis_is_audible_mono_float_at_native_rate():
    result = synthesize(TEXT)
    assert result.sample_rate == NATIVE_SAMPLE_RATE
    assert result.samples.dtype == np.float32 and result.samples.ndim == 1
    assert 2.0 < result.duration < 8.0
    assert np.sqrt(np.mean(result.samples**2)) > 0.01
    assert np.abs(result.samples).max() <= 1.0


def test_one_word_event_per_word_in_order_with_text_positions():
    result = synthesize(TEXT)
    words = [TEXT[w.text_start : w.text_start + w.text_length] for w in result.words]
    assert words[:4] == ["Bonjour", "Je", "suis", "programmeur"]
    assert words[-3:] == ["depuis", "douze", "ans"]
    starts = [w.start for w in result.words]
    assert starts == sorted(starts) and starts[0] >= 0.0
    for word in result.words:
        assert word.start < word.end <= result.duration + 1e-6


def test_word_event_starts_where_the_sound_starts():
    """A word after a sentence pause starts within 30 ms of the audio's energy onset."""
    result = synthesize("Bonjour. Maintenant.")
    second = result.words[1]
    hop = result.sample_rate // 1000
    envelope = np.abs(result.samples[: len(result.samples) // hop * hop]).reshape(-1, hop).max(1)
    before = int((second.start - 0.1) * 1000)
    onset = before + int(np.argmax(envelope[before:] > 0.02))
    assert abs(onset / 1000 - second.start) < 0.03


def test_slower_rate_gives_longer_audio():
    assert synthesize(TEXT, rate=120).duration > synthesize(TEXT, rate=250).duration * 1.5


def test_resampling_on_request():
    result = synthesize("Un essai.", sample_rate_out=16000)
    native = synthesize("Un essai.")
    assert result.sample_rate == 16000
    assert abs(len(result.samples) / 16000 - native.duration) < 0.01


def test_french_voices_and_variants_are_bundled():
    assert {"fr", "fr-be", "fr-ch"} <= set(list_voices("fr"))
    variants = list_variants()
    assert {"m3", "f2", "klatt"} <= set(variants)
    assert len(synthesize("Bonjour.", voice="fr-be+f2", pitch=70).words) == 1


def test_unknown_voice_is_a_typed_error():
    with pytest.raises(AlignmentError):
        synthesize("Bonjour.", voice="xx-nowhere")


def test_concurrent_calls_do_not_mix_their_output():
    """Each thread gets its own whole utterance (espeak-ng's noise sources make the samples
    differ a little from call to call, so compare durations and word times)."""
    expected = synthesize(TEXT)
    results = []

    def work() -> None:
        results.append(synthesize(TEXT))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    for result in results:
        assert abs(result.duration - expected.duration) < 0.05
        assert [w.text_start for w in result.words] == [w.text_start for w in expected.words]
        assert all(abs(a.start - b.start) < 0.02 for a, b in zip(result.words, expected.words))



def test_speak_gives_the_same_audio_as_synthesize_without_the_word_events():
    """Each in a fresh process: syntheses leave traces on the next ones."""
    import subprocess
    import sys

    code = (
        "import hashlib, sys; from subtitler.align import espeak; espeak.reset();"
        f"samples = espeak.{{}}({TEXT!r}){{}};"
        "sys.stdout.write(str(samples.dtype) + hashlib.sha1(samples.tobytes()).hexdigest())"
    )
    outputs = [
        subprocess.run([sys.executable, "-c", code.format(call, tail)], capture_output=True, text=True).stdout
        for call, tail in (("speak", ""), ("synthesize", ".samples"))
    ]
    assert outputs[0].startswith("float32") and outputs[0] == outputs[1]
