"""Where every output lives: the one place that names the files and folders under ``OUT``.

::

    OUT/
      index.html                 every video, by area (html.index)
      report.json                the batch report (report)
      publish-report.json        what ``subtitler publish`` did (publish.cli)
      <slug>/
        <slug>.<lang>.<ext>      a caption file per format (formats)
        <slug>.<lang>.txt        the plain-text transcript
        <slug>.qa.svg            the QA timeline (qa)
        index.html               the video's page (html.page)
        .subtitler.json          the manifest: what the build made, from what (incremental)
        .published.json          what publish delivered last, by destination (publish.record)
        published/               captions found at a destination and replaced, kept

The build, the pages, the publisher and the review all ask this module for names; the
publisher then takes a file only when the manifest records it with its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .errors import OutputError

PAGE = "index.html"
REPORT = "report.json"
PUBLISH_REPORT = "publish-report.json"
MANIFEST = ".subtitler.json"
DELIVERY_LOG = ".published.json"
COPIES = "published"


@dataclass(frozen=True)
class VideoOutputs:
    """One video's output folder and the names of the files in it."""

    folder: Path
    slug: str

    def caption(self, lang: str, extension: str) -> str:
        """The caption file of one language and format (``extension`` as the format's)."""
        return f"{self.slug}.{lang}.{extension}"

    def text(self, lang: str) -> str:
        """The plain-text transcript."""
        return f"{self.slug}.{lang}.txt"

    @property
    def qa_timeline(self) -> str:
        return f"{self.slug}.qa.svg"

    @property
    def page(self) -> str:
        return PAGE

    @property
    def manifest(self) -> Path:
        return self.folder / MANIFEST

    @property
    def delivery_log(self) -> Path:
        return self.folder / DELIVERY_LOG

    @property
    def copies(self) -> Path:
        return self.folder / COPIES

    def kept_copy(self, stamp: str, lang: str, *, site: bool = False, number: int = 1) -> Path:
        """Where a caption found at a destination and replaced is kept:
        ``published/<stamp>.<lang>.vtt`` from PeerTube, ``published/<stamp>.site.<lang>.vtt``
        from the site; ``<stamp>-<number>`` when an earlier copy has that name."""
        stem = stamp if number == 1 else f"{stamp}-{number}"
        return self.copies / f"{stem}.{'site.' if site else ''}{lang}.vtt"

    def path(self, name: str) -> Path:
        return self.folder / name


@dataclass(frozen=True)
class OutputLayout:
    """The output folder ``root`` (``--out``)."""

    root: Path

    @property
    def index(self) -> Path:
        return self.root / PAGE

    @property
    def report(self) -> Path:
        return self.root / REPORT

    @property
    def publish_report(self) -> Path:
        return self.root / PUBLISH_REPORT

    def video(self, slug: str) -> VideoOutputs:
        """The outputs of video ``slug``, in ``root/<slug>``; OutputError for a slug that would
        lead anywhere else (every file of a video is written inside its folder)."""
        root = self.root.resolve()
        if not slug or (root / slug).resolve().parent != root:
            raise OutputError(f"slug {slug!r} would write outside the output folder {self.root}")
        return VideoOutputs(self.root / slug, slug)

    def page(self, slug: str) -> Path:
        """Where video ``slug``'s page is (for links: nothing is checked, nothing written)."""
        return self.root / slug / PAGE

    @staticmethod
    def page_href(slug: str) -> str:
        """The link from the index to video ``slug``'s page."""
        return f"{quote(slug)}/{PAGE}"
