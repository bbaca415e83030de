"""Skip videos whose inputs did not change: a manifest of content hashes beside the outputs.

The manifest (``OUT/<slug>/.subtitler.json``) is written last, after every output, so a run
killed part-way leaves either the old manifest (inputs no longer match: rebuilt) or none.
It also says what the publisher may trust: the transcript the outputs were built from, each
output's hash, and whether the result is provisional (audio timing fell back to proportional:
the next run tries the audio again, and nothing provisional is published).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from .caption_path import without_caption_file_path
from .fsutil import atomic_write_text
from .layout import VideoOutputs
from .results import VideoResult, result_from_dict


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def transcript_sha256(path: Path) -> str:
    """The hash of the transcript as the build depends on it: every byte but the front matter's
    ``captionFilePath`` entry, which ``subtitler publish --site`` fills (nothing built reads it),
    so publishing neither triggers a rebuild nor makes its own build look stale."""
    return hashlib.sha256(without_caption_file_path(path.read_bytes())).hexdigest()


def _media_fingerprint(media: Path | None, previous: dict | None) -> dict | None:
    """Hash the media, reusing the last hash when size and mtime are unchanged (videos are big)."""
    if media is None:
        return None
    stat = media.stat()
    known = (previous or {}).get("media")
    if known and known.get("size") == stat.st_size and known.get("mtime_ns") == stat.st_mtime_ns:
        return known
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": file_sha256(media)}


def read_manifest(video: VideoOutputs) -> dict | None:
    """The manifest of the last complete build of this video, if any (read once per build)."""
    path = video.manifest
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build_key(
    transcript: Path,
    media: Path | None,
    options: dict[str, object],
    version: str,
    previous: dict | None,
    anchors: Path | None = None,
) -> dict:
    """Everything the outputs depend on: transcript, editor's anchors and media content, the
    options that change outputs (``BuildOptions.fingerprint()``), tool version."""
    return {
        "version": version,
        "transcript_sha256": transcript_sha256(transcript),
        "anchors_sha256": file_sha256(anchors) if anchors is not None and anchors.is_file() else None,
        "media": _media_fingerprint(media, (previous or {}).get("key")),
        "options": json.loads(json.dumps(options, sort_keys=True, default=str)),
    }


def unchanged_result(previous: dict | None, key: dict, video: VideoOutputs) -> VideoResult | None:
    """The recorded result when the inputs match ``key``, every output is still there and the
    result is not provisional (a fallback is retried). A recorded result this version cannot
    read is no result: the video is built again."""
    if not previous or previous.get("key") != key or "result" not in previous or previous.get("provisional"):
        return None
    result = recorded_result(previous)
    if result is None:
        return None
    return result if all(video.path(name).is_file() for name in result.outputs) else None


def recorded_result(manifest: dict | None) -> VideoResult | None:
    """The result a manifest records; None when it has none this version can read."""
    if not manifest or "result" not in manifest:
        return None
    try:
        return result_from_dict(manifest["result"])
    except (ValueError, TypeError, KeyError):
        return None


def record(video: VideoOutputs, key: dict, result: VideoResult) -> None:
    """Write the manifest of a finished build: its key, result, outputs' hashes, provisional."""
    payload = {
        "key": key,
        "provisional": result.timing_fallback is not None,
        "output_sha256": {name: file_sha256(video.path(name)) for name in result.outputs},
        "result": asdict(result),
    }
    atomic_write_text(video.manifest, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")


def unpublishable(video: VideoOutputs, transcript: Path, output: str) -> str | None:
    """Why ``output`` (a file name in the video's folder) is not what the last successful
    build made from the transcript as it is now; None when the manifest records it with the
    hash it has, so it may be published."""
    manifest = read_manifest(video)
    if manifest is None or "result" not in manifest:
        return "no finished build of this transcript in the output folder"
    if manifest.get("key", {}).get("transcript_sha256") != transcript_sha256(transcript):
        return "the transcript changed since its last successful build"
    if manifest.get("provisional"):
        return ("its last build fell back to proportional timing (provisional; build it with "
                "--timing proportional to publish proportional timing)")
    if "output_sha256" not in manifest:
        return "its last build was recorded by an older subtitler, without the outputs' hashes"
    recorded = manifest["output_sha256"].get(output)
    if recorded is None:
        return f"the last build made no {output}"
    path = video.path(output)
    if not path.is_file():
        return f"{output} is missing from the output folder"
    if file_sha256(path) != recorded:
        return f"{output} is not the file the last build wrote (changed since)"
    return None
