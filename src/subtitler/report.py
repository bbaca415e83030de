"""Batch report (``OUT/report.json``) and what the terminal shows of a batch: the summary
table and the cues to review."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .fsutil import atomic_write_text
from .layout import OutputLayout
from .results import VideoResult


def write_report(results: Sequence[VideoResult], layout: OutputLayout, *, wall_seconds: float, jobs: int) -> Path:
    """Write OUT/report.json: a summary and every video's result, in input order."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    payload = {
        "tool": "subtitler",
        "version": __version__,
        "jobs": jobs,
        "wall_seconds": round(wall_seconds, 3),
        "summary": {
            "videos": len(results),
            "statuses": dict(sorted(counts.items())),
            "failed": sum(1 for r in results if not r.succeeded),
            "cues": sum(r.cues.count for r in results),
            "warnings": sum(len(r.warnings) for r in results),
            "not_spoken": _not_spoken_counts(results),
            "media_seconds": round(sum(r.media_duration or 0.0 for r in results), 3),
        },
        "videos": [asdict(r) for r in results],
    }
    path = layout.report
    atomic_write_text(path, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return path


def _not_spoken_counts(results: Sequence[VideoResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        for entry in result.not_spoken:
            counts[entry.reason] = counts.get(entry.reason, 0) + 1
    return dict(sorted(counts.items()))


def summary_table(results: Sequence[VideoResult]) -> str:
    """A plain-text table for the terminal: one row per video, then the totals."""
    header = ("status", "video", "cues", "cps p90", "timing", "conf", "flag", "warn", "s")
    rows = [header]
    for r in results:
        rows.append(
            (
                r.status,
                (r.slug or Path(r.transcript).name)[:44],
                str(r.cues.count) if r.cues.count else "-",
                f"{r.cues.cps_p90:.1f}" if r.cues.count else "-",
                r.timing_method or "-",
                f"{r.confidence_mean:.2f}" if r.confidence_mean is not None else "-",
                str(len(r.flagged_cues)) if r.flagged_cues else "-",
                str(len(r.warnings)) if r.warnings else "-",
                f"{r.seconds:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    done = sum(1 for r in results if r.succeeded)
    failed = len(results) - done
    lines.append("")
    lines.append(
        f"{len(results)} video(s): {done} done, {failed} failed; "
        f"{sum(r.cues.count for r in results)} cues; {sum(len(r.warnings) for r in results)} warnings"
    )
    return "\n".join(lines)


REVIEW_LINES_PER_VIDEO = 10


def review_lines(results: Sequence[VideoResult]) -> list[str]:
    """For the terminal: each flagged cue with its reasons, a few per video (the report has
    them all)."""
    lines: list[str] = []
    for r in results:
        if not r.flagged_cues:
            continue
        lines.append(f"to review in {r.slug or Path(r.transcript).name}:")
        for cue, reasons in list(zip(r.flagged_cues, r.flag_reasons))[:REVIEW_LINES_PER_VIDEO]:
            lines.append(f"  cue {cue + 1}: {', '.join(reasons)}")
        if len(r.flagged_cues) > REVIEW_LINES_PER_VIDEO:
            lines.append(f"  ... {len(r.flagged_cues) - REVIEW_LINES_PER_VIDEO} more in report.json")
    return lines
