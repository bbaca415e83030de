"""The timing methods ``--timing`` names: a plain mapping, nothing registered on import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from subtitler.cli import build_parser
from subtitler.timing.audio import AudioLocator
from subtitler.timing.methods import METHODS, TimingMethod, locator_for
from subtitler.timing.proportional import ProportionalLocator


def test_each_method_has_its_locator_and_the_audio_one_gets_the_build_s_threads():
    assert list(METHODS) == [TimingMethod.AUDIO, TimingMethod.PROPORTIONAL]
    audio = locator_for(TimingMethod.AUDIO, 3)
    assert isinstance(audio, AudioLocator) and audio.settings.threads == 3
    assert isinstance(locator_for("proportional", 3), ProportionalLocator)


def test_an_unknown_method_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown timing method 'loud' \(known: audio, proportional\)"):
        locator_for("loud")


def test_the_cli_offers_exactly_the_methods():
    build = build_parser()._subparsers._group_actions[0].choices["build"]  # noqa: SLF001
    [timing] = [action for action in build._actions if action.dest == "timing"]  # noqa: SLF001
    assert timing.choices == ["audio", "proportional"] and timing.default == "audio"


def test_choosing_proportional_timing_loads_no_aligner():
    code = ("import sys; from subtitler.timing.methods import locator_for; locator_for('proportional'); "
            "print(sorted(m for m in sys.modules if m.startswith(('subtitler.align.aligner', 'numpy'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
