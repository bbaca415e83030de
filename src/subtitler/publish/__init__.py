"""Publishing captions to PeerTube: ``subtitler publish``.

urls (which instance and video), auth (credentials, token cache, OAuth), client (HTTP with
retries and readable errors), instance (the PeerTube operations), captions (validate and
compare cues), publisher (the per-video decision), cli (options and the run).
"""
