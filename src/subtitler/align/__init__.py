"""Audio alignment: find where each cue's words are spoken in the media's audio track.

- :mod:`.espeak`: libespeak-ng through ctypes (audio plus word events), shared with the
  benchmark's generator;
- :mod:`.verbalize`: digits, symbols, URLs and e-mail addresses in French words, for the
  synthesiser only;
- :mod:`.features`: cepstra and energy every 10 ms, streamed;
- :mod:`.activity`: where someone speaks (energy), for the QA timeline;
- :mod:`.dtw`: capped-cost dynamic time warping, banded and batched;
- :mod:`.aligner`: the method (synthesise, coarse-to-fine DTW, boundaries at 10 ms, verdicts);
- :mod:`.locator`: the ``audio`` timing step registered with :mod:`subtitler.timing`.

Importing this package loads nothing heavy; the locator registers itself when
:func:`subtitler.timing.get_locator` first loads the built-in timing steps.
"""
