"""Atomic writes: complete files only, readable outputs, private secrets."""

from __future__ import annotations

import stat

import pytest

from subtitler.fsutil import PRIVATE, atomic_write_text


def test_an_output_is_written_whole_and_readable_by_others(tmp_path):
    path = tmp_path / "deep" / "a.vtt"
    atomic_write_text(path, "WEBVTT\n")
    assert path.read_text(encoding="utf-8") == "WEBVTT\n"
    assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044
    assert list(path.parent.iterdir()) == [path]


def test_a_secret_is_written_private(tmp_path):
    path = tmp_path / "tokens.json"
    atomic_write_text(path, "{}", PRIVATE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    atomic_write_text(path, "old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("subtitler.fsutil.os.fsync", disk_full)
    with pytest.raises(OSError):
        atomic_write_text(path, "new")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
