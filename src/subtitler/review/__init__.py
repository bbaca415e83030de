"""``subtitler review``: a local page per video to check flagged cues and fix them.

Fixes are written beside the transcript (timing in ``<slug>.anchors.json``, text in the
transcript itself) and the video is rebuilt from them, so they survive every later build.
"""
