"""subtitler: timed, accessible French captions from known transcripts."""

__version__ = "0.1.0"
