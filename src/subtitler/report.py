"""Batch report (``OUT/report.json``), the CLI summary table, and the per-video QA timeline (SVG)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .fsutil import atomic_write_text
from .model import Doubt, TimedCue, Transcript

if TYPE_CHECKING:
    from .pipeline import LeftOut, VideoResult
    from .timing import LocatedSpeech

# Timeline geometry: seconds are drawn this wide so a 5-minute video is readable and a
# 90-minute webinar stays a scrollable picture, not a bitmap-sized one.
PIXELS_PER_SECOND = 8.0
MIN_WIDTH = 800.0
MARGIN = 40.0


def write_report(results: Sequence[VideoResult], out_dir: Path, *, wall_seconds: float, jobs: int) -> Path:
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
    path = out_dir / "report.json"
    atomic_write_text(path, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return path


def not_spoken(transcript: Transcript) -> tuple[LeftOut, ...]:
    """The transcription's paragraphs that are not captioned, with the reason
    (``model.NotSpoken``: repeated title or "Transcription" line, header, speaker label)."""
    from .pipeline import LeftOut

    return tuple(
        LeftOut(block=index, reason=block.not_spoken.value, text=block.text.strip())
        for index, block in enumerate(transcript.blocks)
        if block.not_spoken is not None
    )


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


def render_timeline_svg(
    timed: Sequence[TimedCue], duration: float, located: LocatedSpeech
) -> str:
    """A QA picture: speech activity, each cue's interval, and the cues flagged for review.

    Flagged cues are hatched and marked with "!" so the doubt is not shown by colour alone.
    """
    width = max(MIN_WIDTH, duration * PIXELS_PER_SECOND) + 2 * MARGIN
    height = 150.0

    def x(seconds: float) -> float:
        return round(MARGIN + seconds * PIXELS_PER_SECOND, 2)

    from .timing.rules import FLAGS

    flagged = sum(1 for t in timed if is_flagged(t))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="qa-title qa-desc" '
        'font-family="sans-serif" font-size="11">',
        '<title id="qa-title">Contrôle qualité du minutage</title>',
        f'<desc id="qa-desc">{len(timed)} sous-titres sur {duration:.1f} s, minutage '
        f"{escape(located.method)}, {flagged} à vérifier. Rangée du haut : parole détectée ; "
        "puis musique sans voix ; rangée du bas : sous-titres (♪ : note de musique) ; "
        "hachuré avec « ! » : à vérifier, la raison dans l’infobulle.</desc>",
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde2e2"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#b00020" stroke-width="3"/></pattern></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        '<text x="4" y="30">parole</text><text x="4" y="50">musique</text><text x="4" y="80">cues</text>',
    ]
    for start, end in located.details.get("speech_segments", ()) or ():
        parts.append(
            f'<rect x="{x(start)}" y="18" width="{max(0.5, x(end) - x(start)):.2f}" height="18" '
            'fill="#4a6fa5"/>'
        )
    for start, end in located.music:
        parts.append(
            f'<g><title>musique sans voix {start:.1f}–{end:.1f} s</title>'
            f'<rect x="{x(start)}" y="40" width="{max(0.5, x(end) - x(start)):.2f}" height="12" '
            'fill="#8e44ad"/></g>'
        )
    for t in timed:
        doubtful = is_flagged(t)
        fill = 'url(#hatch)" stroke="#b00020' if doubtful else '#2e7d32" stroke="#1b5e20'
        label = " / ".join(t.cue.lines)
        reasons = review_reasons(t)
        flags = f" [{', '.join(t.flags)}]" if t.flags else ""
        if reasons:
            flags += " à vérifier : " + " ; ".join(FLAGS.get(r, r) for r in reasons)
        parts.append(
            f'<g><title>#{t.cue.index + 1} {t.start:.3f}–{t.end:.3f} s{escape(flags)}: '
            f"{escape(label)}</title>"
            f'<rect x="{x(t.start)}" y="60" width="{max(0.5, x(t.end) - x(t.start)):.2f}" '
            f'height="30" fill="{fill}"/>'
        )
        if doubtful:
            parts.append(f'<text x="{x(t.start) + 2}" y="105" fill="#b00020" font-weight="bold">!</text>')
        parts.append("</g>")
    step = 10 if duration <= 300 else 60
    tick = 0
    while tick <= duration:
        parts.append(
            f'<line x1="{x(tick)}" y1="120" x2="{x(tick)}" y2="126" stroke="#333"/>'
            f'<text x="{x(tick)}" y="140" text-anchor="middle">{int(tick) // 60}:{int(tick) % 60:02d}</text>'
        )
        tick += step
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


REVIEW_FLAGS = frozenset({"not-found", "low-confidence", "layout", *(doubt.value for doubt in Doubt)})
CHECKED_FLAG = "checked"  # an editor checked the cue as it is (subtitler.anchors)


def review_reasons(timed: TimedCue) -> tuple[str, ...]:
    """The cue's flags that call for review, in the order of ``timing.rules.FLAGS`` (none
    once an editor has checked the cue as it is)."""
    if CHECKED_FLAG in timed.flags:
        return ()
    return tuple(flag for flag in timed.flags if flag in REVIEW_FLAGS)


def is_flagged(timed: TimedCue) -> bool:
    """A cue to review: the timing rules found its text not heard, the locator doubts it, or
    it breaks the layout rules (a word longer than a line), and no editor has checked it as
    it is since."""
    return bool(review_reasons(timed))
