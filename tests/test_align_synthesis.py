"""The synthetic side of the alignment is the same for a video whatever ran before it."""

from __future__ import annotations

import numpy as np

from subtitler.align.settings import AlignSettings
from subtitler.align.espeak import synthesize
from subtitler.align.synthesis import SynthesisProcess, synthetic_frames

TEXTS = [
    "Les forums permettent de débattre, de discuter et de partager des connaissances.",
    "…",
    "Il faut parfois adhérer à l’association pour participer aux échanges.",
]


def _frames(texts):
    with SynthesisProcess(texts, AlignSettings()) as synthesis:
        return synthesis.result()


def test_frames_come_back_one_per_text_and_empty_for_unspeakable_text():
    frames = _frames(TEXTS)
    assert len(frames) == 3
    assert len(frames[0].cepstra) > 100 and len(frames[1].cepstra) == 0
    assert frames[0].cepstra.dtype == np.float32


def test_the_same_texts_give_identical_frames_whatever_this_process_synthesised():
    first = _frames(TEXTS)
    synthesize("Une tout autre phrase, chuchotée : pssst, chut !", voice="fr+f2", rate=210)
    synthetic_frames("Encore une autre, dans ce processus-ci.", AlignSettings())
    again = _frames(TEXTS)
    for a, b in zip(first, again):
        assert np.array_equal(a.cepstra, b.cepstra) and np.array_equal(a.log_energy, b.log_energy)


def test_a_failing_synthesis_is_an_alignment_error_with_its_reason():
    import pytest

    from subtitler.errors import AlignmentError

    with pytest.raises(AlignmentError, match="no voice 'xx-nowhere'"):
        with SynthesisProcess(["Bonjour."], AlignSettings(voice="xx-nowhere")) as synthesis:
            synthesis.result()
