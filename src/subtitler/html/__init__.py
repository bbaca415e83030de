"""Accessible HTML pages: one per video (player + synced transcript) and an index of all.

The pages are plain HTML with their CSS and a small script inlined (no framework, no build
step, no request to anyone but the video's host). Without JavaScript every time control is a
link to the video at that instant; with it, the control seeks the embedded player and the
passage being played is marked with ``aria-current``.
"""

from .index import IndexEntry, index_entries_from_results, render_index, write_index
from .page import VideoFiles, render_video_page, write_video_page

__all__ = [
    "IndexEntry",
    "VideoFiles",
    "index_entries_from_results",
    "render_index",
    "render_video_page",
    "write_index",
    "write_video_page",
]
