"""``OUT/index.html``: every video of a run, grouped by area, with its status in words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..fsutil import atomic_write_text
from ..layout import OutputLayout
from ..results import Status, VideoResult
from .assets import asset
from .clock import spoken_duration
from .markup import document_head, text

OTHER_AREA = "Autres"

# Status words (never colour alone) and the symbol shown beside them, by build status.
STATUS_LABELS = {
    Status.OK: ("Prêt", "✓"),
    Status.SKIPPED: ("Ignoré", "–"),
    Status.FAILED: ("Échec", "✗"),
}


@dataclass(frozen=True)
class IndexEntry:
    """One video as the index lists it."""

    slug: str
    title: str
    area: str | None
    status: Status | str  # others than ok, skipped and failed are shown as they are
    message: str | None = None  # why it failed or was skipped
    page_href: str | None = None  # its page, relative to the index; None when not written
    cue_count: int = 0
    duration: float | None = None  # media duration in seconds


def index_entries_from_results(results: Iterable[VideoResult], layout: OutputLayout) -> list[IndexEntry]:
    """Index entries for a batch's results; a video links to its page when the page exists.

    Messages name the transcript by its file name: the index may be published, the folders
    of the machine that built it are nobody's business. A video this run found unchanged is
    listed as "ok": the index shows the catalogue, not what this run happened to rebuild.
    """
    entries = []
    for result in results:
        source = Path(result.transcript)
        slug = result.slug or source.stem
        page = layout.page(slug)
        entries.append(IndexEntry(
            slug=slug,
            title=result.title or slug,
            area=result.area,
            status=Status.OK if result.status is Status.UNCHANGED else result.status,
            message=result.error.replace(str(source), source.name) if result.error else None,
            page_href=layout.page_href(slug) if page.is_file() else None,
            cue_count=result.cues.count,
            duration=result.media_duration,
        ))
    return entries


def render_index(entries: Sequence[IndexEntry]) -> str:
    """The complete HTML of the index page."""
    css = asset("page.css")
    groups = _by_area(entries)
    csp = f"default-src 'none'; style-src {css.csp_source}; img-src data:; base-uri 'none'; " \
          "form-action 'none'"
    nav = "\n".join(f'<li><a href="#{_area_id(n)}">{text(area)}</a> ({len(items)})</li>'
                    for n, (area, items) in enumerate(groups))
    sections = "\n".join(_area_section(n, area, items) for n, (area, items) in enumerate(groups))
    head = document_head(
        "fr", csp, "Vidéos sous-titrées — transcriptions et sous-titres",
        "Les transcriptions synchronisées et les sous-titres des vidéos, par domaine.", css.content,
    )
    return f"""{head}<body class="index-page">
<div class="skip-links"><a class="skip-link" href="#contenu">Aller au contenu</a></div>
<header class="page-header">
<h1>Vidéos sous-titrées</h1>
<p class="description">{text(_summary(entries))}</p>
</header>
<main id="contenu">
<nav aria-label="Domaines" class="areas"><h2>Domaines</h2>
<ul>
{nav}
</ul>
</nav>
{sections}
</main>
<footer class="page-footer">
<p class="generator">Page produite par subtitler {__version__}.</p>
</footer>
</body>
</html>
"""


def write_index(entries: Sequence[IndexEntry], layout: OutputLayout) -> Path:
    """Write ``OUT/index.html`` atomically; return its path."""
    path = layout.index
    atomic_write_text(path, render_index(entries))
    return path


def _by_area(entries: Sequence[IndexEntry]) -> list[tuple[str, list[IndexEntry]]]:
    """Areas in natural order ("Domaine 2" before "Domaine 10"), "Autres" last; titles sorted."""
    groups: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.area or "").strip() or OTHER_AREA, []).append(entry)
    areas = sorted(groups, key=lambda a: (a == OTHER_AREA, _natural_key(a)))
    return [(area, sorted(groups[area], key=lambda e: _natural_key(e.title))) for area in areas]


def _natural_key(value: str) -> tuple:
    folded = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", plain))


def _area_id(number: int) -> str:
    return f"domaine-{number + 1}"


def _summary(entries: Sequence[IndexEntry]) -> str:
    counts: dict[str, int] = {}
    for entry in entries:
        label = _status_label(entry.status)[0]
        counts[label] = counts.get(label, 0) + 1
    noun = "vidéo" if len(entries) == 1 else "vidéos"
    details = " ; ".join(f"{label} : {count}" for label, count in counts.items())
    return f"{len(entries)} {noun}." + (f" {details}." if details else "")


def _status_label(status: Status | str) -> tuple[str, str]:
    return STATUS_LABELS.get(status, (status, "•"))


def _area_section(number: int, area: str, entries: list[IndexEntry]) -> str:
    items = "\n".join(_entry_item(entry) for entry in entries)
    return (f'<section class="area-group" aria-labelledby="{_area_id(number)}">\n'
            f'<h2 id="{_area_id(number)}">{text(area)}</h2>\n'
            f'<ul class="videos">\n{items}\n</ul>\n</section>')


def _entry_item(entry: IndexEntry) -> str:
    label, symbol = _status_label(entry.status)
    href = entry.page_href if entry.page_href and \
        urlsplit(entry.page_href).scheme in {"", "http", "https"} else None
    title = f'<a href="{text(href)}">{text(entry.title)}</a>' if href else text(entry.title)
    facts = []
    if entry.duration:
        facts.append(f"durée {spoken_duration(entry.duration)}")
    if entry.cue_count:
        facts.append(f"{entry.cue_count} sous-titre{'s' if entry.cue_count > 1 else ''}")
    facts_html = f'<p class="facts">{text(", ".join(facts))}</p>' if facts else ""
    message = f'<p class="message">{text(entry.message)}</p>' if entry.message else ""
    status_class = re.sub(r"[^a-z0-9-]", "", entry.status.lower()) or "unknown"
    return (f'<li class="video status-{status_class}">\n<h3>{title}</h3>\n'
            f'<p class="status"><span class="status-symbol" aria-hidden="true">{symbol}</span> '
            f'Statut : {text(label)}</p>\n{facts_html}{message}</li>')
