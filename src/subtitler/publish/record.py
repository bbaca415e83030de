"""What subtitler delivered last for each video, and copies of what it replaced.

The log (``OUT/<slug>/.published.json``) holds, per destination, the hash of the caption this
tool last put there. A caption found there with another hash was changed by someone else
(edited by hand on PeerTube, a hand-made file on the site): it is copied to
``OUT/<slug>/published/`` before being replaced, so no work is lost.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..fsutil import atomic_write_bytes, atomic_write_text
from ..layout import VideoOutputs


def utc_stamp(seconds: float) -> str:
    """``2026-12-01T10:15:00Z``: the time of a delivery, in reports."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class DeliveryLog:
    """The hashes of what was last delivered from one video's output folder, by destination."""

    def __init__(self, video: VideoOutputs) -> None:
        self.video = video
        self.path = video.delivery_log

    def get(self, destination: str) -> str | None:
        entry = self._load().get(destination)
        return entry.get("sha256") if isinstance(entry, dict) else None

    def put(self, destination: str, sha256: str, when: str) -> None:
        entries = self._load()
        if entries.get(destination, {}).get("sha256") == sha256:
            return
        entries[destination] = {"sha256": sha256, "time": when}
        atomic_write_text(self.path, json.dumps(entries, ensure_ascii=False, indent=1, sort_keys=True) + "\n")

    def keep_copy(self, data: bytes, seconds: float, lang: str, *, site: bool = False) -> Path:
        """Save ``data``, the caption of ``lang`` found at the destination, where the output
        layout keeps such copies (a new name if that one is taken)."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))
        number = 1
        while (path := self.video.kept_copy(stamp, lang, site=site, number=number)).exists():
            number += 1
        atomic_write_bytes(path, data)
        return path

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
