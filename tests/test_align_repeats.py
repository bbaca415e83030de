"""Speech said twice (``align.repeats``), on real Common Voice speakers and the ej-fra take.

The second saying is the same clip played slower (ffmpeg's ``atempo``, which keeps the voice's
pitch and formants), so it is not a copy of the first: a speaker saying a sentence again is
never as fast the second time."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from benchmarks.onsets import speech_extent
from real_audio import COMMON_VOICE, RATE, common_voice, common_voice_clips, ej_fra_take, room_tone
from subtitler.align.activity import segments
from subtitler.align.aligner import align
from subtitler.align.features import compute_features
from subtitler.align.repeats import said_again, written_twice
from subtitler.align.voice import VoiceDetector, per_frame
from subtitler.media.ffmpeg import ffmpeg_paths


def marked(samples: np.ndarray) -> list[tuple[float, float]]:
    """What ``said_again`` marks in a recording, as (start, end) seconds."""
    features = compute_features(samples, RATE)
    detector = VoiceDetector(RATE)
    detector.push(samples)
    voice = per_frame(detector.finish(), len(features))
    return segments(said_again(features.cepstra, voice))


def slower(clip: str, tempo: float) -> np.ndarray:
    ffmpeg, _ = ffmpeg_paths()
    run = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(COMMON_VOICE / "clips" / clip), "-af", f"atempo={tempo}",
         "-ac", "1", "-ar", str(RATE), "-f", "f32le", "pipe:1"],
        capture_output=True, check=True,
    )
    return np.frombuffer(run.stdout, np.float32)


def voice_onset(samples: np.ndarray) -> int:
    """The first sample of a clip loud enough to be its voice (clips open on silence)."""
    return int(np.flatnonzero(np.abs(samples) > 0.05 * np.abs(samples).max())[0])


def laid_out(*parts: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Parts joined by 0.7 s of room tone; with where each part starts (seconds)."""
    pause = room_tone(0.7) * 0.5
    audio, starts = [pause], []
    for part in parts:
        starts.append(sum(len(a) for a in audio) / RATE)
        audio += [part.astype(np.float32), pause]
    return np.concatenate(audio), starts


@pytest.fixture(scope="module")
def clips() -> list[str]:
    return [name for name, _ in common_voice_clips()]


@pytest.fixture(scope="module", params=[(20, 21, 22, 23), (30, 31, 32, 33)])
def sentence_said_twice(request):  # type: ignore[no-untyped-def]
    """Four real speakers' sentences, the second said again more slowly: the audio, the four
    sentences, and where the voice of each saying starts (the repeat third), found as the
    benchmark's truth is (``benchmarks/onsets.py``). The second set's repeated sentence has
    pauses inside: each of its parts matches its part of the first saying too."""
    table = common_voice_clips()
    chosen = [table[k] for k in request.param]
    first, again = common_voice(chosen[1][0]), slower(chosen[1][0], 0.9)
    parts = [common_voice(chosen[0][0]), first, again, common_voice(chosen[2][0]), common_voice(chosen[3][0])]
    audio, starts = laid_out(*parts)
    onsets = [start + speech_extent(part, RATE).onset for start, part in zip(starts, parts)]
    return audio, [text for _, text in chosen], onsets


def starts_of(texts: list[str], audio: np.ndarray) -> list[float]:
    step = RATE
    spans = align(texts, (audio[i : i + step] for i in range(0, len(audio), step)), RATE).spans
    return [span.start for span in spans]


@pytest.mark.parametrize("tempo", [0.9, 1.1])
def test_a_sentence_said_again_at_another_pace_is_marked_where_it_is_said_the_second_time(clips, tempo):
    first, other, after = clips[0], clips[1], clips[2]
    again = slower(first, tempo)
    audio, starts = laid_out(common_voice(other), common_voice(first), again, common_voice(after))
    second_start, second_end = starts[2], starts[2] + len(again) / RATE
    found = marked(audio)
    assert found, "the second saying was not found"
    assert all(second_start <= a and b <= second_end + 0.3 for a, b in found)
    said = second_end - (second_start + voice_onset(again) / RATE)
    assert sum(b - a for a, b in found) >= 0.6 * said


def test_a_start_broken_off_and_said_again_marks_the_broken_off_words(clips):
    sentence = common_voice(clips[4])
    broken_off = sentence[: voice_onset(sentence) + round(0.5 * RATE)]
    again = slower(clips[4], 0.95)
    audio, starts = laid_out(common_voice(clips[5]), broken_off, again, common_voice(clips[6]))
    said_again_at = starts[2] + voice_onset(again) / RATE
    found = marked(audio)
    assert found
    assert all(starts[1] <= a and b <= said_again_at + 0.05 for a, b in found)  # up to the sentence said whole


@pytest.mark.parametrize("first", [8, 40])
def test_a_start_broken_off_right_after_the_sentence_before_is_found_too(clips, first):
    """No pause the voice detector hears between the sentence before and the broken-off words
    (of 13 such runs built from the clips, 7 are found; none before pauses were not needed)."""
    before, sentence = common_voice(clips[first]), common_voice(clips[first + 1])
    said_up_to = round(speech_extent(before, RATE).offset * RATE)
    onset = voice_onset(sentence)
    run_on = np.concatenate([before[:said_up_to], sentence[onset : onset + round(0.5 * RATE)]])
    again = slower(clips[first + 1], 0.95)
    again = again[voice_onset(again) - round(0.1 * RATE) :]  # said again after a short pause
    audio, starts = laid_out(common_voice(clips[first + 2]), run_on, again, common_voice(clips[first + 3]))
    broken_off_at = starts[1] + said_up_to / RATE
    said_again_at = starts[2] + voice_onset(again) / RATE
    found = marked(audio)
    assert found
    assert all(broken_off_at - 0.15 <= a and b <= said_again_at + 0.15 for a, b in found)


@pytest.mark.parametrize(("first", "shared"), [(8, 0.6), (36, 2.0), (44, 2.0)])
def test_two_sentences_opening_on_the_same_words_are_not_a_repeat(clips, first, shared):
    """("Cliquez sur le bouton Partager. Cliquez sur le bouton Envoyer.") Up to 2 s of the
    same opening, then more than 1.5 s of other words: compared over 2 s only, the last
    two were taken for a repeat."""
    a, b = common_voice(clips[first]), common_voice(clips[first + 1])
    cut_a, cut_b = voice_onset(a) + round(shared * RATE), voice_onset(b) + round(shared * RATE)
    same_opening = np.concatenate([a[:cut_a], b[cut_b:]])  # A's first words, then B's
    audio, _ = laid_out(common_voice(clips[first + 2]), same_opening, a, common_voice(clips[first + 3]))
    assert marked(audio) == []


def test_sentences_by_many_speakers_are_never_marked(clips):
    audio, _ = laid_out(*(common_voice(clip) for clip in clips[12:28]))
    assert marked(audio) == []


def test_one_speakers_whole_take_is_never_marked():
    assert marked(ej_fra_take()) == []


def test_the_sentence_after_a_repeat_starts_on_its_own_words_not_on_the_repeat(sentence_said_twice):
    audio, sentences, onsets = sentence_said_twice
    starts = starts_of(sentences, audio)
    assert abs(starts[1] - onsets[1]) <= 0.25  # the repeated sentence, on its first saying
    assert abs(starts[2] - onsets[3]) <= 0.25  # the next one, after the second saying
    assert abs(starts[3] - onsets[4]) <= 0.25


def test_a_repeat_the_transcript_also_holds_keeps_both_sayings(sentence_said_twice):
    audio, sentences, onsets = sentence_said_twice
    starts = starts_of([sentences[0], sentences[1], sentences[1], *sentences[2:]], audio)
    assert [abs(start - onset) <= 0.25 for start, onset in zip(starts, onsets)] == [True] * 5


@pytest.mark.parametrize(
    ("texts", "twice"),
    [
        (["Oui.", "Oui."], True),
        (["Cliquez ici.", "Puis ici.", "Cliquez ici !"], True),  # punctuation and case aside
        (["Cliquez ici.", "Puis là.", "Et encore.", "Cliquez ici."], False),  # too far apart
        (["Oui.", "", "Non."], False),
    ],
)
def test_a_transcript_says_something_twice_only_when_one_sentence_follows_itself_closely(texts, twice):
    assert written_twice(texts) is twice
