"""The QA timeline of one video (``OUT/<slug>/<slug>.qa.svg``): speech heard, music, each
cue's interval, and the cues to review, drawn to scale."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .model import TimedCue
from .timing.locator import LocatedSpeech

# Seconds are drawn this wide so a 5-minute video is readable and a 90-minute webinar stays a
# scrollable picture, not a bitmap-sized one (the review page maps clicks back with them).
PIXELS_PER_SECOND = 8.0
MIN_WIDTH = 800.0
MARGIN = 40.0
MIME_TYPE = "image/svg+xml"


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

    flagged = sum(1 for t in timed if t.needs_review)
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
    for start, end in located.speech:
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
        doubtful = t.needs_review
        fill = 'url(#hatch)" stroke="#b00020' if doubtful else '#2e7d32" stroke="#1b5e20'
        label = " / ".join(t.cue.lines)
        reasons = t.review_reasons
        flags = f" [{', '.join(t.flags)}]" if t.flags else ""
        if reasons:
            flags += " à vérifier : " + " ; ".join(r.label for r in reasons)
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
