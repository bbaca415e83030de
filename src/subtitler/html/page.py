"""The accessible page of one video: player, synced transcript, downloads, credits."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..errors import OutputError, TranscriptError
from ..fsutil import atomic_write_text
from ..formats import CAPTION_FORMATS, get_format
from ..formats.text import TEXT_MIME_TYPE
from ..layout import OutputLayout, VideoOutputs
from ..model import Block, BlockKind, CueKind, Section, TimedCue, Transcript
from ..qa import MIME_TYPE as QA_MIME_TYPE
from ..video_url import VideoUrlError, public_url
from .assets import asset
from .body import CueMark, inline_html, render_blocks
from .markup import document_head, safe_href, text
from .player import Player, PlayerKind, player_for

# Labels of caption tracks by language subtag; the PeerTube and <track> language comes from
# the transcript, the label is what the player's caption menu shows.
CAPTION_LABELS = {"fr": "Français", "en": "English", "de": "Deutsch", "es": "Español",
                  "it": "Italiano"}


@dataclass(frozen=True)
class VideoFiles:
    """The files written beside the page, by name relative to it (None: not written)."""

    captions: tuple[tuple[str, str], ...] = ()  # (format's extension, file name), in the formats' order
    txt: str | None = None
    qa_svg: str | None = None  # the QA timeline of the alignment

    @classmethod
    def of(cls, video: VideoOutputs, lang: str, *, captions: bool, qa_timeline: bool) -> VideoFiles:
        """The names the output layout gives the files of a video: a caption in every format
        when it has cues, the plain text, and the QA timeline when it was drawn."""
        return cls(
            captions=tuple((fmt.extension, video.caption(lang, fmt.extension)) for fmt in CAPTION_FORMATS)
            if captions else (),
            txt=video.text(lang),
            qa_svg=video.qa_timeline if qa_timeline else None,
        )

    def caption(self, extension: str) -> str | None:
        return dict(self.captions).get(extension)


def render_video_page(transcript: Transcript, timed_cues: Sequence[TimedCue],
                      files: VideoFiles) -> str:
    """The complete HTML of a video's page (one self-contained file)."""
    caption_lang = transcript.lang.split("-")[0].lower() or "fr"
    try:
        player = player_for(transcript.video_embed_src, caption_lang)
    except VideoUrlError as error:
        raise TranscriptError(f"videoEmbedSrc is not a usable video URL: {error}",
                              transcript.path) from None
    marks = _marks(transcript, timed_cues, player)
    sections = _by_section(transcript.blocks)
    css, js = asset("page.css"), asset("transcript.js")
    description = (transcript.description or "").strip() or \
        f"Transcription de la vidéo «\u00a0{transcript.title}\u00a0»."
    csp = _content_security_policy(player, css.csp_source, js.csp_source)
    area = f'<p class="area">{text(transcript.area)}</p>\n' if transcript.area else ""
    head = document_head(
        transcript.lang, csp, f"{transcript.title} — transcription", description, css.content
    )
    return f"""{head}<body>
<div class="skip-links">
<a class="skip-link" href="#transcription">Aller à la transcription</a>
<a class="skip-link" href="#contenu">Aller au contenu</a>
</div>
<header class="page-header">
<nav aria-label="Navigation du site"><a href="../index.html">Toutes les vidéos</a></nav>
{area}<h1>{text(transcript.title)}</h1>
<p class="description">{text(description)}</p>
</header>
<main id="contenu">
{_preamble(sections[Section.PREAMBLE])}<div class="layout">
<div class="media-column">
{_player_section(transcript, player, files, caption_lang)}
{_downloads_section(transcript, files)}
</div>
{_transcript_section(sections[Section.TRANSCRIPTION], marks, player, bool(timed_cues))}
</div>
{_other_section(sections[Section.OTHER])}</main>
<footer class="page-footer">
{_credits(sections[Section.CREDITS])}<p class="generator">Page produite par subtitler {__version__}.</p>
</footer>
<script>{js.content}</script>
</body>
</html>
"""


def write_video_page(transcript: Transcript, timed_cues: Sequence[TimedCue], files: VideoFiles,
                     layout: OutputLayout) -> Path:
    """Write ``OUT/<slug>/index.html`` atomically; return its path."""
    video = layout.video(transcript.slug)
    path = video.path(video.page)
    atomic_write_text(path, render_video_page(transcript, timed_cues, files))
    return path


def _marks(transcript: Transcript, timed_cues: Sequence[TimedCue],
           player: Player | None) -> dict[int, list[CueMark]]:
    """The time controls of each block; none without a player (they would lead nowhere)."""
    for number, timed in enumerate(timed_cues):
        index = timed.cue.block_index
        if not 0 <= index < len(transcript.blocks):
            raise OutputError(f"cue {number} points to block {index}, which the transcript "
                              f"does not have ({len(transcript.blocks)} blocks)", transcript.path)
    seekable = player is not None and player.seekable
    last_speech: dict[int, float] = {}  # block -> start of its last speech cue
    for timed in timed_cues:
        if timed.cue.kind is CueKind.SPEECH:
            index = timed.cue.block_index
            last_speech[index] = max(timed.start, last_speech.get(index, timed.start))
    marks: dict[int, list[CueMark]] = {}
    for number, timed in enumerate(timed_cues):
        sound = _sound_words(timed)
        if not seekable and sound is None:
            continue
        index, offset = timed.cue.block_index, timed.cue.block_offset
        if sound is not None and timed.start > last_speech.get(index, math.inf):
            offset = len(transcript.blocks[index].text)  # heard after all of the block's speech
        marks.setdefault(index, []).append(
            CueMark(number, offset, timed.start, player.url_at(timed.start) if seekable and player else "", sound))
    for block_marks in marks.values():
        block_marks.sort(key=lambda m: (m.offset, m.start))
    return marks


def _sound_words(timed: TimedCue) -> str | None:
    """The words of a sound note ("Musique" of "♪ Musique ♪"); None for speech."""
    if timed.cue.kind is CueKind.SPEECH:
        return None
    return " ".join(timed.cue.display.replace("♪", " ").split())


def _by_section(blocks: Sequence[Block]) -> dict[Section, list[tuple[int, Block]]]:
    grouped: dict[Section, list[tuple[int, Block]]] = {section: [] for section in Section}
    for index, block in enumerate(blocks):
        grouped[block.section].append((index, block))
    return grouped


def _split_title(blocks: list[tuple[int, Block]], default: str) -> tuple[str, list[tuple[int, Block]]]:
    """The section's own heading (as the author worded it) and the blocks under it."""
    if blocks and blocks[0][1].kind is BlockKind.HEADING:
        return inline_html(blocks[0][1]), blocks[1:]
    return text(default), blocks


def _content_security_policy(player: Player | None, style_source: str, script_source: str) -> str:
    """Only this page's own inline style and script, and the video's host for the video."""
    directives = ["default-src 'none'", f"script-src {script_source}",
                  f"style-src {style_source}", "img-src data:"]
    if player is not None and player.kind is PlayerKind.PEERTUBE:
        directives.append(f"frame-src {player.origin}")
    elif player is not None and player.kind is PlayerKind.FILE:
        directives.append(f"media-src 'self' {player.origin}")
    directives += ["base-uri 'none'", "form-action 'none'"]
    return "; ".join(directives)


def _preamble(blocks: list[tuple[int, Block]]) -> str:
    return f'<div class="preamble">\n{render_blocks(blocks, top_level=2)}\n</div>\n' if blocks else ""


def _player_section(transcript: Transcript, player: Player | None, files: VideoFiles,
                    caption_lang: str) -> str:
    if player is None:
        kind = str(transcript.metadata.get("fileType", "")).strip().upper()
        what = "est un document PDF : elle n’a pas de vidéo" if kind == "PDF" \
            else "n’a pas de vidéo"
        body = f'<p class="no-video">Cette ressource {what}.</p>'
    elif player.kind is PlayerKind.PEERTUBE:
        body = (
            f'<div class="frame"><iframe src="{text(player.src)}" '
            f'title="Lecteur vidéo : {text(transcript.title)}" allow="fullscreen" allowfullscreen '
            f'data-origin="{text(player.origin)}" data-scope="{text(player.scope)}"></iframe></div>\n'
            f'<p class="watch-link"><a href="{text(player.watch_url)}">'
            f'Voir la vidéo sur {text(player.host)}</a></p>'
        )
    elif player.kind is PlayerKind.LINK:
        body = (f'<p class="watch-link"><a href="{text(player.watch_url)}">'
                f'Voir la vidéo sur {text(player.host)}</a></p>')
    else:
        track = ""
        vtt = files.caption("vtt")
        if vtt:
            label = CAPTION_LABELS.get(caption_lang, caption_lang)
            track = (f'<track kind="captions" srclang="{text(caption_lang)}" '
                     f'label="{text(label)}" src="{text(vtt)}" default>')
        body = (
            f'<video controls preload="metadata" src="{text(player.src)}" data-sync>{track}'
            f'<p>Votre navigateur ne peut pas lire cette vidéo : '
            f'<a href="{text(player.src)}">ouvrir le fichier vidéo</a>.</p></video>'
        )
    return (f'<section class="player" aria-labelledby="titre-video">\n'
            f'<h2 id="titre-video">Vidéo</h2>\n{body}\n</section>')


def _downloads_section(transcript: Transcript, files: VideoFiles) -> str:
    captions = [(get_format(extension), name) for extension, name in files.captions]
    links = [(name, fmt.mime_type, f"Sous-titres {fmt.name} (.{fmt.extension})") for fmt, name in captions]
    links += [(files.txt, TEXT_MIME_TYPE, "Transcription en texte brut (.txt)"),
              (files.qa_svg, QA_MIME_TYPE, "Frise de contrôle de la synchronisation (.svg)")]
    items = [f'<li><a href="{text(name)}" type="{mime}" download>{label}</a></li>'
             for name, mime, label in links if name]
    video = safe_href(transcript.video_download_href)
    if video and urlsplit(video).scheme in {"http", "https"}:
        # no user name, password or query string (signed links carry their credentials there)
        items.append(f'<li><a href="{text(public_url(video))}">Fichier vidéo (.mp4)</a></li>')
    body = f"<ul>\n{chr(10).join(items)}\n</ul>" if items else "<p>Aucun fichier à télécharger.</p>"
    return (f'<section class="downloads" aria-labelledby="titre-telechargements">\n'
            f'<h2 id="titre-telechargements">Téléchargements</h2>\n{body}\n</section>')


def _transcript_section(blocks: list[tuple[int, Block]], marks: dict[int, list[CueMark]],
                        player: Player | None, timed: bool) -> str:
    title, body_blocks = _split_title(blocks, "Transcription")
    if not body_blocks:
        body = "<p>Cette ressource n’a pas de transcription.</p>"
    else:
        body = render_blocks(body_blocks, top_level=3, marks=marks)
    note = ""
    if marks:
        # The script reveals what only it makes true: the marked passage and auto-scroll.
        note = ('<p class="sync-help">Chaque horaire est un lien vers la vidéo à cet instant.'
                '<span class="sync-option" hidden> Pendant la lecture, le passage en cours est '
                'souligné.</span></p>\n'
                '<p class="sync-option" hidden><input type="checkbox" id="auto-scroll"> '
                '<label for="auto-scroll">Faire défiler la transcription avec la vidéo</label> '
                '<span class="reduced-motion-note" hidden>(indisponible : votre système demande '
                'de réduire les animations)</span></p>\n')
    elif player is not None and not timed:
        note = ('<p class="sync-help">La transcription n’est pas encore synchronisée avec '
                'la vidéo.</p>\n')
    return (f'<section class="transcript" id="transcription" aria-labelledby="titre-transcription">\n'
            f'<h2 id="titre-transcription">{title}</h2>\n{note}'
            f'<div class="transcript-text">\n{body}\n</div>\n</section>')


def _other_section(blocks: list[tuple[int, Block]]) -> str:
    return f'<div class="more">\n{render_blocks(blocks, top_level=2)}\n</div>\n' if blocks else ""


def _credits(blocks: list[tuple[int, Block]]) -> str:
    if not blocks:
        return ""
    title, rest = _split_title(blocks, "Crédits")
    return (f'<div class="credits">\n<h2>{title}</h2>\n'
            f'{render_blocks(rest, top_level=3)}\n</div>\n')
