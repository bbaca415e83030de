"""The page's stylesheet and script, shipped as package data and inlined into every page.

Inlining keeps each page a single self-contained file (the pipeline writes only
``index.html``), and the Content-Security-Policy allows exactly these bytes by their SHA-256
hash, so no other inline code and no third-party file can run or style the page.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Asset:
    content: str

    @property
    def csp_source(self) -> str:
        """The CSP source expression allowing this inline element: ``'sha256-...'``."""
        digest = hashlib.sha256(self.content.encode("utf-8")).digest()
        return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@cache
def asset(name: str) -> Asset:
    """A file of ``subtitler/html/static`` (``page.css``, ``transcript.js``)."""
    content = files(__package__).joinpath("static", name).read_text(encoding="utf-8")
    if "</script" in content.lower() or "</style" in content.lower():
        raise ValueError(f"asset {name} would close the element it is inlined in")
    return Asset(content)
