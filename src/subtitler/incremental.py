"""Skip videos whose inputs did not change: a manifest of content hashes beside the outputs.

The manifest (``OUT/<slug>/.subtitler.json``) is written last, after every output, so a run
killed part-way leaves either the old manifest (inputs no longer match: rebuilt) or none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from .fsutil import atomic_write_text

if TYPE_CHECKING:
    from .pipeline import BuildOptions, VideoResult

MANIFEST = ".subtitler.json"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _media_fingerprint(media: Path | None, previous: dict | None) -> dict | None:
    """Hash the media, reusing the last hash when size and mtime are unchanged (videos are big)."""
    if media is None:
        return None
    stat = media.stat()
    known = (previous or {}).get("media")
    if known and known.get("size") == stat.st_size and known.get("mtime_ns") == stat.st_mtime_ns:
        return known
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": file_sha256(media)}


def read_manifest(video_dir: Path) -> dict | None:
    """The manifest of the last complete build of this video, if any (read once per build)."""
    path = video_dir / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build_key(
    transcript: Path,
    media: Path | None,
    options: BuildOptions,
    version: str,
    previous: dict | None,
    anchors: Path | None = None,
) -> dict:
    """Everything the outputs depend on: transcript, editor's anchors and media content,
    options, tool version."""
    return {
        "version": version,
        "transcript_sha256": file_sha256(transcript),
        "anchors_sha256": file_sha256(anchors) if anchors is not None and anchors.is_file() else None,
        "media": _media_fingerprint(media, (previous or {}).get("key")),
        "options": json.loads(json.dumps(options.fingerprint(), sort_keys=True, default=str)),
    }


def unchanged_result(previous: dict | None, key: dict, video_dir: Path) -> VideoResult | None:
    """The recorded result when the inputs match ``key`` and every output is still there."""
    from .pipeline import result_from_dict

    if not previous or previous.get("key") != key or "result" not in previous:
        return None
    result = result_from_dict(previous["result"])
    return result if all((video_dir / name).is_file() for name in result.outputs) else None


def record(video_dir: Path, key: dict, result: VideoResult) -> None:
    payload = {"key": key, "result": asdict(result)}
    atomic_write_text(video_dir / MANIFEST, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
