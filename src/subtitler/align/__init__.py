"""Audio alignment: find where each cue's words are spoken in the media's audio track.

:func:`.aligner.align` runs the steps in order, each in a module of its own:

- :mod:`.synthesis` (a child process, with :mod:`.espeak` and :mod:`.verbalize`): the texts
  spoken by espeak-ng, as features;
- :mod:`.reading`: the audio's features, log energy and voice probabilities (:mod:`.features`,
  :mod:`.voice`), one chunk at a time;
- :mod:`.levels` and :mod:`.prices`: loudness scale and noise floor; distances in units of
  chance, the price of a pause, voice prices, music;
- :mod:`.layout`: the synthetic side as columns (texts, optional pauses and fillers), pooled
  for the coarse levels; :mod:`.problem`: what every step below needs;
- :mod:`.pyramid`: the coarse levels (:mod:`.dtw`, its loops in ``_dtw.c``);
- :mod:`.windows`: the boundaries at 10 ms;
- :mod:`.verdict`: which texts were heard, the second pass without those not said;
- :mod:`.edges`: starts onto voice onsets, ends where the last word dies away;
- :mod:`.doubts`: why a cue's start may be wrong (read by the audio timing method);
- :mod:`.activity`: where someone speaks (energy), for the QA timeline;
- :mod:`.settings`: the aligner's tuning.

The ``audio`` timing method (:mod:`subtitler.timing.audio`) decodes the media and calls
:func:`.aligner.align`; nothing here imports the timing package. Importing this package
loads nothing heavy.
"""
