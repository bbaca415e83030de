"""Delivering captions: ``subtitler publish``.

auth (credentials bound to instances, token cache, OAuth), client (HTTP with retries and
readable errors), instance (the PeerTube operations), captions
(validate and compare cues), record (what was delivered last, copies of what was replaced),
site (self-hosted videos: the site's public folder, and the transcript's captionFilePath),
compare (two captions on the caption rules), outcome (what was done, for lines and report),
publisher (which video a transcript names, the per-video decision), cli (options, the run and publish-report.json).
"""
