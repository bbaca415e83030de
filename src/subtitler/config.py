"""One configuration object, passed down explicitly (no globals).

Every number of the caption rules (``shared/reference/caption-rules.md`` section 10) is a
field here so a programme with other conventions changes one value, not the code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaptionConfig:
    """Caption layout, reading-speed and timing rules (defaults: French, web, SDH)."""

    lang: str = "fr"
    # Layout: CSA / Netflix / BBC agree on 2 lines; Netflix FR 42 chars hard, BBC ~37 preferred.
    max_lines: int = 2
    max_line_chars: int = 42
    preferred_line_chars: int = 37
    # Bottom-heavy bias when two lines are unequal (Subtitle Edit uses 5 %).
    bottom_heavy_bias: float = 0.05
    # Cues shorter than this are avoided unless the sentence itself is that short: at the
    # ~15 chars/s of spoken French they would flash for under a second (ARCOM: ~1 s minimum).
    min_cue_chars: int = 15
    # Spoken length of a cue, in seconds at speech_rate (numbers spelled out): a fragment said
    # faster than min_cue_speech shares a cue with a neighbour (it would be on screen under
    # min_duration, 20 % margin for fast speakers); a cue that takes longer than
    # max_cue_speech is split (the corpus's cues take 4 s at most but for 11; 5 s leaves 40 %
    # for slower speakers before max_duration).
    min_cue_speech: float = 1.2
    max_cue_speech: float = 5.0
    # Reading speed in characters per second: target 15, hard limit 17 (SDH adult 20).
    target_cps: float = 15.0
    max_cps: float = 17.0
    # ARCOM table (characters readable in 1, 2, 3, 4 s), +20 % tolerance: a warning only.
    csa_table: tuple[tuple[float, int], ...] = ((1.0, 12), (2.0, 20), (3.0, 36), (4.0, 60))
    csa_tolerance: float = 1.2
    # Cue duration bounds in seconds.
    min_duration: float = 1.0
    max_duration: float = 7.0
    # Minimum gap between cues, in frames of the media (Netflix: 2 frames at any rate).
    min_gap_frames: int = 2
    # Frame rate used when the media has none (audio only) or is not probed.
    default_fps: float = 25.0
    # In-time: a cue may appear at most this early before its first word, and only to reach
    # min_duration ("never before its speech by more than a couple of frames"; Netflix: 3).
    max_early: float = 0.08
    # In sync: a cue within this of its first word is on time (Netflix, BBC: 3 frames). To
    # lend a short neighbour time, a cue may appear this much later, a short cue this early.
    in_time: float = 0.12
    # Out-time: a cue may stay up this long after its last word (Netflix 12 frames).
    max_linger: float = 0.5
    # Cues whose alignment confidence is below this are flagged in the report.
    min_confidence: float = 0.5
    # Sound information (caption-rules.md, CSA criterion 10: mandatory; music in magenta):
    # music heard without a voice for this long or more gets its own cue between the
    # speech cues, with this text. Off: no sound cues.
    music_cues: bool = True
    music_seconds: float = 3.0
    music_label: str = "♪ Musique ♪"
    # Speaking-time estimate (proportional timing, media-too-short check), in syllables per
    # second of read French, pauses at punctuation counted apart (timing/proportional.py).
    # Measured: 5.0-5.5 on the corpus's 4 hand-timed caption files (5.3 overall), 5.6 on ej-fra.
    speech_rate: float = 5.3
    # Proportional timing assumes speech starts this long after the media starts and stops this
    # long before it ends (the corpus's hand-timed captions start 0.4-6 s in).
    proportional_lead_in: float = 1.0
    proportional_tail: float = 1.0
    # The media is too short for its text when shorter than the estimated speaking time divided
    # by this: nobody reads twice as fast as the estimate.
    too_short_factor: float = 2.0

    def min_gap(self, fps: float | None) -> float:
        """Smallest allowed gap between two cues, in seconds, for a media frame rate."""
        rate = fps if fps and fps > 0 else self.default_fps
        return self.min_gap_frames / rate

    def csa_max_chars(self, duration: float) -> float:
        """Characters the ARCOM table allows for ``duration`` seconds, tolerance included.

        The table is interpolated linearly between its points and extrapolated from the
        last slope, as the reference suggests.
        """
        points = self.csa_table
        if duration <= points[0][0]:
            chars = points[0][1] * duration / points[0][0]
        else:
            chars = None
            for (t0, c0), (t1, c1) in zip(points, points[1:]):
                if duration <= t1:
                    chars = c0 + (c1 - c0) * (duration - t0) / (t1 - t0)
                    break
            if chars is None:
                (t0, c0), (t1, c1) = points[-2], points[-1]
                chars = c1 + (c1 - c0) * (duration - t1) / (t1 - t0)
        return chars * self.csa_tolerance
