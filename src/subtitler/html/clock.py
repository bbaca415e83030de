"""Times as a reader sees them ("01:23") and as a screen reader says them ("1 min 23 s")."""

from __future__ import annotations


def _parts(seconds: float) -> tuple[int, int, int]:
    whole = max(0, int(seconds))
    return whole // 3600, whole // 60 % 60, whole % 60


def clock(seconds: float) -> str:
    """``MM:SS`` under an hour, ``H:MM:SS`` from an hour on (whole seconds, truncated)."""
    hours, minutes, secs = _parts(seconds)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def spoken_duration(seconds: float) -> str:
    """French units a screen reader reads well: ``1 h 2 min 3 s``; zero parts are left out."""
    hours, minutes, secs = _parts(seconds)
    words = [f"{n} {unit}" for n, unit in ((hours, "h"), (minutes, "min"), (secs, "s")) if n]
    return " ".join(words) or "0 s"
