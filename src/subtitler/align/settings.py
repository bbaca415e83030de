"""The aligner's settings: one frozen dataclass, pickled to the synthesis process too."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlignSettings:
    """Tuning of the aligner, measured on the benchmark in ``benchmarks/``."""

    voice: str = "fr"
    rate: int = 175  # espeak-ng words per minute, close to read French speech (230: worse)
    filler: str = "euh"  # said between phrases without being written
    gap: float = 0.8  # price of one skipped frame, in chance units
    pause_gap: float = 0.6  # most a pause column pays to absorb one audio frame
    stretch: float = 0.15  # extra price of holding one synthetic speech frame one more frame
    level_weight: float = 6.0  # loudness (0..1.5) against unit-variance cepstra
    fine_factor: int = 16  # frames per cell of the last banded level (160 ms)
    top_cells: int = 24_000_000  # largest full DTW (one byte per cell)
    band_rows: int = 4  # rows of neighbouring path a band row also covers
    band_columns: int = 16  # columns added each side of the projected path...
    coarse_band_columns: int = 48  # ...above the last level (from 2.56 s cells, the path can be 10 s off)
    edge_seconds: float = 1.2  # synthetic speech each side of a boundary (0.8: worse on ej-fra)
    window_cells: int = 1_000_000  # cells of fine windows solved together
    min_found_ratio: float = 0.45  # of the file's usual real/synthetic duration ratio
    doubtful_ratio: float = 0.65  # under this share, a text must match as well as the others...
    doubtful_mismatch: float = 0.08  # ...within this much of their median distance
    drop_ratio: float = 0.3  # under this share, the text was surely not said
    tail_db: float = 8.0  # a cue's end moves on while the audio stays this far above the floor
    tail_seconds: float = 0.25  # ...by at most this much
    good_distance: float = 0.1  # above the file's median distance still matches fully (confidence 1)
    voice_near: float = 0.15  # a frame is near a voice if the detector hears one this close
    voice_core: float = 0.10  # ...and inside one if it hears it all this far around
    voice_around: float = 1.0  # the share of voice this far around relieves a pause's price
    unvoiced_price: float = 1.0  # added to a speech frame's distance far from any voice
    voiced_pause_price: float = 0.6  # added to a pause's price inside a voice
    inner_pause_price: float = 0.3  # added to a pause's price when it falls inside a cue's text
    filler_hold: float = 0.65  # most one frame of speech that is not written costs (held by the filler)
    music_below_db: float = 18.0  # sound this close to typical speech, without a voice, is music
    music_above_db: float = 10.0  # ...and this far above the noise floor
    music_seconds: float = 1.0  # shortest stretch of music reported (CaptionConfig.music_seconds: cued)
    music_steady_db: float = 6.0  # a level this steady over a second, no voice sure, is music too (syllables: 12-40 dB)
    onset_run: float = 0.1  # a voice onset begins a run of speech this long...
    onset_sure: float = 0.9  # ...where the detector is at least this sure once
    onset_walk: float = 0.10  # ...walked back up to this long while the sound is over the floor by
    onset_above_floor_db: float = 12.0  # ...this much, and within this much of speech:
    onset_below_speech_db: float = 35.0
    onset_reach: float = 0.3  # a piece's start in silence this close before a voice moves onto it
    onset_late_reach: float = 0.8  # ...inside a voice this long after its onset moves back to it
    dip_below_speech_db: float = 20.0  # a start this far below typical speech is in a quiet stretch...
    dip_floor_db: float = 8.0  # ...and a pause if that stretch falls this close to the floor
    drop_share: float = 0.7  # ...a share of skipping it word by word, up to:
    drop_price: float = 150.0  # of passing over a whole piece of text (not said), in frames' prices
    unvoiced_pause_share: float = 0.25  # of a pause's price far from any voice (music, noise)
    likely_voice: float = 0.75  # an unsure voice priced as this sure where the sound rises and falls...
    unsure_voice: float = 0.15  # ...(the detector hears at least this)...
    likely_voice_depth_db: float = 12.0  # ...by this much over the second around...
    likely_voice_below_db: float = 12.0  # ...within this much of typical speech...
    likely_voice_clear: float = 0.3  # ...and nowhere this close is the detector sure (onset_sure)
    threads: int = 0  # threads solving the fine windows; 0: one per core (the build passes its share)
