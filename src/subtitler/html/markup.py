"""Escaping: every piece of transcript text reaches the page through these functions.

The transcript is untrusted input as far as the page is concerned: a ``<script>`` in it must
show as text, a ``javascript:`` link must not become a link, and control characters that HTML
forbids are replaced so the page stays valid.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

from .. import __version__

# Code points HTML does not allow in a document: C0 controls other than whitespace, DEL, C1
# controls and the Unicode noncharacters (HTML Standard, "Preprocessing the input stream").
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)

SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def text(value: str) -> str:
    """``value`` as HTML text or attribute content: escaped, forbidden characters replaced."""
    return html.escape(_FORBIDDEN.sub("\ufffd", value), quote=True)


def safe_href(href: str | None) -> str | None:
    """``href`` if it is an absolute http(s) or mailto URL, else None (rendered as text).

    Characters a URL may not contain (spaces, quotes, non-ASCII) are percent-encoded, so an
    author's slightly malformed link still works and still validates.
    """
    if not href:
        return None
    href = href.strip()
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_LINK_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return quote(href, safe=_URL_SAFE)


def document_head(lang: str, csp: str, title: str, description: str, style: str) -> str:
    """The start of every page up to ``</head>``: the same policy, viewport, colour schemes
    and inlined style on the index and the video pages."""
    return f"""<!DOCTYPE html>
<html lang="{text(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{text(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{text(title)}</title>
<meta name="description" content="{text(description)}">
<meta name="generator" content="subtitler {__version__}">
<link rel="icon" href="data:,">
<style>{style}</style>
</head>
"""
