"""Audio alignment: find where each cue's words are spoken in the media's audio track.

- :mod:`.espeak`: libespeak-ng through ctypes (audio plus word events), shared with the
  benchmark's generator;
- :mod:`.verbalize`: digits, symbols, URLs and e-mail addresses in French words, for the
  synthesiser only;
- :mod:`.features`: cepstra and energy every 10 ms, streamed;
- :mod:`.activity`: where someone speaks (energy), for the QA timeline;
- :mod:`.dtw`: capped-cost dynamic time warping, banded and batched;
- :mod:`.settings`: the aligner's tuning;
- :mod:`.aligner`: the method (synthesise, coarse-to-fine DTW, boundaries at 10 ms, verdicts).

The ``audio`` timing method (:mod:`subtitler.timing.audio`) decodes the media and calls
:func:`.aligner.align`; nothing here imports the timing package. Importing this package
loads nothing heavy.
"""
