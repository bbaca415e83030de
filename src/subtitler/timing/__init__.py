"""Timing: find where each cue is spoken, then apply the caption timing rules.

- :mod:`.locator`: what a timing step answers (:class:`~.locator.LocatedSpeech`), and the
  :class:`~.locator.SpeechLocator` protocol;
- :mod:`.methods`: the ``--timing`` methods by name, a plain mapping;
- :mod:`.proportional`: spread by estimated speaking time (no audio heard);
- :mod:`.audio`: decode the audio and align the cues with it (:mod:`subtitler.align`);
- :mod:`.anchored`: the editor's anchors cut the media and the cues into pieces located alone;
- :mod:`.rules`: the caption timing rules (spans to on-screen intervals);
- :mod:`.sounds`: music cues in the room the speech cues leave.
"""
