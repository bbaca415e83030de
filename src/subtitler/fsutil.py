"""Crash-safe file writing: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PUBLIC = 0o644  # outputs are served by web servers and read by other users
PRIVATE = 0o600  # secrets (token caches)


def atomic_write_bytes(path: Path, data: bytes, mode: int = PUBLIC) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over.

    ``mode`` is applied before the rename (mkstemp creates 0600 files), limited by the umask.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode & ~_umask())
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, mode: int = PUBLIC) -> None:
    """UTF-8 (no BOM), LF line ends, written atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def remove_temporaries(folder: Path) -> None:
    """Delete the temporary files a killed run left in ``folder`` (only its own writes go there)."""
    if folder.is_dir():
        for leftover in folder.glob(".*.part"):
            leftover.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
