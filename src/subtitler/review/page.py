"""The review pages: the batch's index and one page per video (player, QA timeline, cues).

Server-rendered HTML that works as a document on its own (every cue, its times and why it
is flagged are in the markup); the page's script (``static/review.js``) adds the player
controls, the keyboard and the saving. Keys are listed on the page, and each button names
its key in ``aria-keyshortcuts``; single-letter keys can be turned off (WCAG 2.1.4).
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import __version__
from ..html.clock import clock
from ..html.markup import text
from ..qa import MARGIN, PIXELS_PER_SECOND
from .session import ReviewCue, VideoView

# (action, key, label): the page's buttons, in the order they are shown.
ACTIONS = (
    ("previous", "p", "Précédent à vérifier"),
    ("next", "n", "Suivant à vérifier"),
    ("play", "l", "Lire le sous-titre"),
    ("set-start", "d", "Début = position"),
    ("set-end", "f", "Fin = position"),
    ("start-frame-back", "e", "Début −1 image"),
    ("start-frame-on", "r", "Début +1 image"),
    ("start-step-back", "E", "Début −200 ms"),
    ("start-step-on", "R", "Début +200 ms"),
    ("end-frame-back", "c", "Fin −1 image"),
    ("end-frame-on", "v", "Fin +1 image"),
    ("end-step-back", "C", "Fin −200 ms"),
    ("end-step-on", "V", "Fin +200 ms"),
    ("check", "x", "Marquer vérifié"),
    ("edit", "t", "Modifier le texte"),
    ("save", "s", "Enregistrer"),
    ("rebuild", "b", "Reconstruire"),
)


def _head(title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{text(title)}</title>
<meta name="generator" content="subtitler {__version__}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/review.css">
</head>
"""


def render_index(views: Sequence[VideoView]) -> str:
    items = []
    for view in views:
        flagged = sum(1 for cue in view.cues if cue.flagged)
        state = text(view.problem) if view.problem else f"{len(view.cues)} sous-titres, {flagged} à vérifier"
        items.append(f'<li><a href="/v/{text(view.slug)}/">{text(view.title)}</a> — {state}</li>')
    return f"""{_head("Relecture des sous-titres")}<body>
<main>
<h1>Relecture des sous-titres</h1>
<ul class="videos">
{chr(10).join(items)}
</ul>
</main>
</body>
</html>
"""


def render_review_page(view: VideoView, token: str, qa_svg: str | None, version: str) -> str:
    """The review page of one video; ``version`` changes whenever the captions do (so the
    browser loads the new track after a rebuild)."""
    flagged = [cue for cue in view.cues if cue.flagged]
    ordered = flagged + [cue for cue in view.cues if not cue.flagged]
    frame = 1 / view.fps if view.fps else 1 / 25
    keys = "\n".join(f"<li><kbd>{text(key)}</kbd> {text(label)}</li>" for _, key, label in ACTIONS)
    buttons = "\n".join(
        f'<button type="button" data-action="{action}" aria-keyshortcuts="{_shortcut(key)}">'
        f'{text(label)} <kbd aria-hidden="true">{text(key)}</kbd></button>' for action, key, label in ACTIONS)
    player = _player(view, version)
    timeline = ""
    if qa_svg:
        timeline = (f'<section aria-labelledby="titre-frise">\n<h2 id="titre-frise">Frise de contrôle</h2>\n'
                    f'<p>Un clic sur la frise place la lecture à cet instant et choisit le sous-titre qui s’y trouve.</p>\n'
                    f'<div class="timeline" tabindex="0" role="group" aria-label="Frise de contrôle, défilante" '
                    f'data-margin="{MARGIN}" data-scale="{PIXELS_PER_SECOND}">{qa_svg}</div>\n</section>')
    problem = f'<p class="problem" role="alert">{text(view.problem)}</p>\n' if view.problem else ""
    return f"""{_head(f"Relecture : {view.title}")}<body data-token="{text(token)}" data-slug="{text(view.slug)}" data-frame="{frame:.6f}">
<header>
<nav aria-label="Relecture"><a href="/">Toutes les vidéos</a></nav>
<h1>Relecture : {text(view.title)}</h1>
<p>{len(view.cues)} sous-titres, <strong>{len(flagged)} à vérifier</strong>. Les corrections de minutage vont dans
<code>{text(view.anchors_file.name)}</code>, celles du texte dans <code>{text(view.transcript.name)}</code>.</p>
</header>
<main>
{problem}<div class="layout">
<div class="work">
{player}
<section class="editor" aria-labelledby="titre-choisi">
<h2 id="titre-choisi">Sous-titre choisi</h2>
<p id="current" aria-live="polite">Aucun sous-titre choisi.</p>
<div class="times">
<p>Position de lecture : <output id="position">00:00:00.000</output></p>
<p>Début : <output id="start-value">–</output> · Fin : <output id="end-value">–</output></p>
</div>
<div class="actions">
{buttons}
</div>
<p class="text-field"><label for="cue-text">Texte du sous-titre</label>
<textarea id="cue-text" rows="3" disabled></textarea></p>
<p id="status" role="status"></p>
<p class="option"><input type="checkbox" id="letter-keys" checked> <label for="letter-keys">Raccourcis d’une seule touche</label></p>
<details>
<summary>Raccourcis clavier</summary>
<ul class="keys">
{keys}
</ul>
</details>
</section>
</div>
<section class="cues" aria-labelledby="titre-liste">
<h2 id="titre-liste">Sous-titres, à vérifier d’abord</h2>
<ol class="cue-list">
{chr(10).join(_cue_item(cue) for cue in ordered)}
</ol>
</section>
</div>
{timeline}
</main>
<script src="/static/review.js"></script>
</body>
</html>
"""


def _shortcut(key: str) -> str:
    return f"Shift+{key}" if key.isupper() else key


def _player(view: VideoView, version: str) -> str:
    if view.media is None:
        return '<section aria-labelledby="titre-video"><h2 id="titre-video">Vidéo</h2>\n<p>La vidéo est introuvable.</p></section>'
    track = ""
    if view.vtt is not None:
        track = (f'<track kind="captions" srclang="{text(view.lang)}" label="Sous-titres actuels" '
                 f'src="/v/{text(view.slug)}/out/{text(view.vtt.name)}?v={text(version)}" default>')
    return (f'<section aria-labelledby="titre-video"><h2 id="titre-video">Vidéo</h2>\n'
            f'<video controls preload="auto" src="/v/{text(view.slug)}/media">{track}</video>\n</section>')


def _cue_item(cue: ReviewCue) -> str:
    state = []
    if cue.flagged:
        state.append("À vérifier : " + ", ".join(f.label for f in cue.flags))
    if cue.checked:
        state.append("vérifié")
    if cue.anchored_start is not None:
        state.append("début ancré")
    if cue.anchored_end is not None:
        state.append("fin ancrée")
    flags = f'<span class="state">{text(" ; ".join(state))}</span>' if state else ""
    return (f'<li id="cue-{cue.index}" data-index="{cue.index}" data-start="{cue.start:.3f}" data-end="{cue.end:.3f}" '
            f'data-flagged="{str(cue.flagged).lower()}" data-checked="{str(cue.checked).lower()}" data-text="{text(cue.text)}">'
            f'<button type="button" class="pick">n<sup>o</sup> {cue.index + 1}, '
            f'<span class="time">{_stamp(cue.start)} → {_stamp(cue.end)}</span></button> '
            f'<span class="display">{text(cue.display)}</span> {flags}</li>')


def _stamp(seconds: float) -> str:
    whole, milliseconds = divmod(round(seconds * 1000), 1000)
    return f"{clock(whole)}.{milliseconds:03d}"
