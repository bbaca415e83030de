"""Load a transcript file (YAML front matter + Markdown body) into a validated Transcript.

The body is parsed by markdown-it-py in strict CommonMark mode with raw HTML turned off, so
``<script>`` in a transcript stays literal text that every writer escapes. Problems that make
the file unusable raise TranscriptError (one line, the path carried by the error); problems
that only lose a nicety (a missing description, an unknown key) become ``warnings``.

Some paragraphs of the transcription are not speech, and are kept for the HTML and text
transcripts but not captioned (``Block.not_spoken``, see :func:`_mark_not_spoken`): the word
"Transcription" repeated under the heading, a bold paragraph repeating the video's title, what
comes before them (an episode code), and speaker labels ("Mélinée Chanard, Réseau Canopé."
before a ``\\-`` turn), which instead name the speaker of the turn they open.
"""

from __future__ import annotations

import difflib
import re
import stat
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import frontmatter
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .errors import NothingToCaption, TranscriptError
from .model import Block, BlockKind, Inline, InlineKind, NotSpoken, Section, Transcript

MAX_TRANSCRIPT_BYTES = 5_000_000
"""Largest transcript file accepted, in bytes.

The longest real transcript (a 90-minute webinar, ~13 000 words) is under 90 kB, so 5 MB
leaves a wide margin while a wrong input (a video, a log, a dump) is refused from its size
alone, before it is read or parsed.
"""

KNOWN_KEYS = (
    "title",
    "description",
    "area",
    "videoEmbedSrc",
    "videoDownloadHref",
    "captionFilePath",
    "fileType",
    "priority",
    "lang",
    "pdfFilePath",
)
"""Front matter keys of the source format (1024pix/pix-tutos); any other key is warned about."""

_TURN_MARK = "\\-"
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_TRANSCRIPTION_HEADING = re.compile(r"transcriptions?|transcript")
_CREDITS_HEADING = re.compile(r"credits?")
_TRANSLITERATION = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
_MARKDOWN = MarkdownIt("commonmark", {"html": False})

# Speaker labels (see _mark_not_spoken). A title card is a quoted title at the start of a label
# ('"Les questions-réponses" Benjamin Thily, médiateur numérique.'); a name is one to five
# words, capitalised but for particles; a role label names a kind of speaker.
_TITLE_CARD = re.compile(r'^[\s]*["«“][^"»”]*["»”]\s*')
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w’'.-]*|de|du|des|d’|d'|van|von|da|di|le|la)"
_NAME = re.compile(rf"(?:Avec\s+)?(?P<name>[A-ZÀ-ÖØ-Þ][\w’'.-]*(?:\s+{_NAME_WORD}){{0,4}})")
_ROLE_ONLY = re.compile(
    r"(?:(?:un|une|le|la|l’)\s+)?(?:voix off|narrat(?:eur|rice)|présentat(?:eur|rice)|"
    r"enseignante?|professeure?|élève|lycéen(?:ne)?|collégien(?:ne)?|journaliste|intervenante?)"
    r"\b[^?!]{0,60}",
    re.IGNORECASE,
)
# What follows a name's comma when the paragraph is someone spoken to, not a label.
_VOCATIVE = re.compile(
    r"(?:bonjour|bonsoir|merci|peut-être|oui|non|à vous|allez-y|vas-y|je vous en prie|"
    r"s’il vous plaît|s'il vous plaît)\b",
    re.IGNORECASE,
)
# A role says who someone is: a personal pronoun or a discourse word makes it a sentence.
_SPOKEN_WORD = re.compile(
    r"(?:^|[\s'’])(?:je|j|tu|il|elle|on|nous|vous|ils|elles|c|ça|alors|donc|voilà|bon)"
    r"(?=[\s,.'’]|$)",
    re.IGNORECASE,
)
LABEL_MAX_WORDS = 30
# A name or a role holds no number: two number words or digits make it an address, a date or
# a figure someone says ("Rue du Leubuhl, soixante-sept, six cent cinquante ...").
_NUMBER_WORD = re.compile(
    r"\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
    r"vingts?|trente|quarante|cinquante|soixante|cents?|mille|\d+)\b",
    re.IGNORECASE,
)


def load_transcript(path: Path, default_lang: str = "fr") -> Transcript:
    """Read, parse and validate one transcript file (``lang`` from its front matter, else
    ``default_lang``)."""
    path = Path(path)
    slug = slug_for(path)
    metadata, body = _front_matter(_read_text(path), path)
    title = _text_field(metadata, "title", path)
    if title is None:
        problem = "empty" if "title" in metadata else "missing"
        raise TranscriptError(f"{problem} 'title' in the front matter", path)
    lang = _language(metadata, path, default_lang)
    description = _text_field(metadata, "description", path)
    area = _text_field(metadata, "area", path)
    embed_src = _url_field(metadata, "videoEmbedSrc", path)
    download_href = _url_field(metadata, "videoDownloadHref", path)
    blocks, section_warnings = _sectioned_blocks(_parse_body(body))
    blocks = _mark_not_spoken(blocks, title)
    if not any(block.spoken for block in blocks):
        file_type = str(metadata.get("fileType") or "").strip()
        if file_type and file_type.upper() != "VIDEO":
            raise NothingToCaption(
                f"a {_shorten(file_type, 20)} document, not a video: nothing to caption", path
            )
        raise TranscriptError(_no_transcription_message(blocks), path)
    warnings = [_key_warning(key) for key in metadata if key not in KNOWN_KEYS]
    warnings += _description_warnings(metadata, description)
    if embed_src is None and download_href is None:
        warnings.append("no video URL (videoEmbedSrc or videoDownloadHref) in the front matter")
    return Transcript(
        path=path,
        slug=slug,
        title=title,
        lang=lang,
        blocks=tuple(blocks),
        description=description,
        area=area,
        video_embed_src=embed_src,
        video_download_href=download_href,
        metadata=dict(metadata),
        warnings=tuple(warnings + section_warnings),
    )


def slugify(text: str) -> str:
    """Lowercase ASCII letters, digits and single hyphens: accents transliterated, the rest
    turned into hyphens ("L'École numérique" -> "l-ecole-numerique"). May be empty."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATION))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def slug_for(path: Path) -> str:
    """The slug of a transcript file: its stem, slugified; refused when nothing is left."""
    slug = slugify(Path(path).stem)
    if not slug:
        raise TranscriptError(
            f"file name {Path(path).stem!r} gives an empty slug: use letters or digits in it", path
        )
    return slug


# --- reading and front matter -------------------------------------------------------------


def _read_text(path: Path) -> str:
    """The file as text, refused when it is missing, too large, binary or not UTF-8."""
    try:
        info = path.stat()
    except OSError as error:
        raise TranscriptError(f"cannot read the file: {error.strerror}", path) from None
    if not stat.S_ISREG(info.st_mode):
        raise TranscriptError("not a regular file", path)
    if info.st_size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(_too_large_message(info.st_size), path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_TRANSCRIPT_BYTES + 1)
    except OSError as error:
        raise TranscriptError(f"cannot read the file: {error.strerror}", path) from None
    if len(raw) > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(_too_large_message(len(raw)), path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise TranscriptError(
            f"not UTF-8 text: byte 0x{raw[error.start]:02x} at offset {error.start} (line {line})"
            " cannot be decoded; save the file as UTF-8",
            path,
        ) from None
    if "\x00" in text:
        raise TranscriptError(
            f"not a Markdown transcript: NUL byte at offset {text.index(chr(0))} (binary file?)",
            path,
        )
    return text.removeprefix("\ufeff")


def _too_large_message(size: int) -> str:
    return (
        f"file is {size / 1e6:.1f} MB, over the {MAX_TRANSCRIPT_BYTES / 1e6:g} MB limit"
        " for a transcript"
    )


def _front_matter(text: str, path: Path) -> tuple[dict[str, object], str]:
    """The YAML front matter as a mapping, and the Markdown body after it."""
    handler = frontmatter.YAMLHandler()
    opening = handler.FM_BOUNDARY.match(text)
    if opening is None:
        raise TranscriptError("no YAML front matter (the file must start with a '---' line)", path)
    try:
        source, body = handler.split(text)
    except ValueError:
        raise TranscriptError("front matter is not closed: no second '---' line", path) from None
    try:
        metadata = handler.load(source)
    except yaml.YAMLError as error:
        raise TranscriptError(
            _yaml_message(error, text.count("\n", 0, opening.end())), path
        ) from None
    if metadata is None:
        return {}, body
    if not isinstance(metadata, dict):
        raise TranscriptError(
            f"front matter is {_kind_of(metadata)}, not a mapping of 'key: value' lines", path
        )
    return {str(key): value for key, value in metadata.items()}, body


def _yaml_message(error: yaml.YAMLError, lines_before: int) -> str:
    """One line naming the YAML problem and its line in the file (not in the front matter),
    with what the parser was reading and where that started when YAML says so."""

    def where(mark: yaml.error.Mark | None) -> str:
        return f" at line {lines_before + mark.line + 1}" if mark is not None else ""

    problem = getattr(error, "problem", None) or str(error)
    message = "broken YAML front matter" + where(getattr(error, "problem_mark", None))
    message += ": " + str(problem)
    context = getattr(error, "context", None)
    context_mark = getattr(error, "context_mark", None)
    if context and context_mark is not None:
        message += f" ({context}, started{where(context_mark)})"
    return " ".join(message.split())


def _kind_of(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "text"
    return f"a {type(value).__name__}"


def _text_field(metadata: dict[str, object], key: str, path: Path) -> str | None:
    """A scalar front matter value as stripped text; None when absent or blank."""
    value = metadata.get(key)
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        raise TranscriptError(f"'{key}' must be text, not {_kind_of(value)}", path)
    text = str(value).strip()
    return text or None


def _url_field(metadata: dict[str, object], key: str, path: Path) -> str | None:
    """A URL the HTML page embeds or the pipeline downloads: only http(s) is accepted."""
    url = _text_field(metadata, key, path)
    if url is not None and not re.match(r"https?://[^\s/]", url, re.IGNORECASE):
        raise TranscriptError(f"'{key}' is not an http(s) URL: {_shorten(url)!r}", path)
    return url


def _language(metadata: dict[str, object], path: Path, default: str) -> str:
    """The ``lang`` tag (else ``default``), primary subtag lowercased; refused unless BCP-47-like."""
    lang = _text_field(metadata, "lang", path) or default
    if not _LANG_TAG.fullmatch(lang):
        raise TranscriptError(
            f"'lang' must be a language tag such as 'fr' or 'fr-CA', not {_shorten(lang)!r}", path
        )
    primary, _, rest = lang.partition("-")
    return primary.lower() + ("-" + rest if rest else "")


def _description_warnings(metadata: dict[str, object], description: str | None) -> list[str]:
    """A warning when the description is blank or absent, unless a garbled key explains it."""
    if description is not None or any(key.startswith("description:") for key in metadata):
        return []
    if "description" in metadata:
        return ["empty 'description' in the front matter"]
    return ["no 'description' in the front matter"]


def _key_warning(key: str) -> str:
    """Why a key is unknown, with the likely fix when it can be guessed."""
    name, colon, value = key.partition(":")
    if colon and name in KNOWN_KEYS:
        return (
            f"front matter key {_shorten(key)!r} is missing a space after '{name}:'"
            f" (write '{name}: {_shorten(value.strip(), 20)}'), so '{name}' is missing"
        )
    close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown front matter key {_shorten(key)!r}{hint}; it is ignored"


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Markdown body -------------------------------------------------------------------------


@dataclass
class _ListState:
    ordered: bool
    next_number: int


@dataclass
class _ItemState:
    number: int | None
    ordered: bool
    first_paragraph_done: bool = False


def _parse_body(body: str) -> list[Block]:
    """The body's headings, paragraphs and list items, in order, all in the PREAMBLE section
    (sections are assigned afterwards). Blocks without text are dropped."""
    tokens = _MARKDOWN.parse(body)
    blocks: list[Block] = []
    lists: list[_ListState] = []
    items: list[_ItemState] = []
    for index, token in enumerate(tokens):
        if token.type == "bullet_list_open":
            lists.append(_ListState(ordered=False, next_number=0))
        elif token.type == "ordered_list_open":
            lists.append(_ListState(ordered=True, next_number=int(token.attrs.get("start", 1))))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            state = lists[-1]
            items.append(_ItemState(state.next_number if state.ordered else None, state.ordered))
            state.next_number += 1
        elif token.type == "list_item_close":
            items.pop()
        elif token.type == "heading_open":
            inlines = _inlines(tokens[index + 1])
            blocks.append(
                Block(BlockKind.HEADING, inlines, Section.PREAMBLE, level=int(token.tag[1:]))
            )
        elif token.type == "paragraph_open":
            blocks.append(_paragraph(tokens[index + 1], lists, items))
        elif token.type in ("code_block", "fence"):
            code = Inline(InlineKind.CODE, token.content.strip("\n"))
            blocks.append(Block(BlockKind.PARAGRAPH, (code,), Section.PREAMBLE))
    return [block for block in blocks if block.text.strip()]


def _paragraph(inline: Token, lists: list[_ListState], items: list[_ItemState]) -> Block:
    """A paragraph, or a list item when it is the first paragraph of one; a leading ``\\-``
    in the source marks a speaker turn and is removed."""
    turn = inline.content.startswith(_TURN_MARK)
    inlines = _inlines(inline)
    if turn:
        inlines = _drop_turn_mark(inlines)
    if items and not items[-1].first_paragraph_done:
        item = items[-1]
        item.first_paragraph_done = True
        return Block(
            BlockKind.LIST_ITEM,
            inlines,
            Section.PREAMBLE,
            level=len(lists),
            ordered=item.ordered,
            number=item.number,
            speaker_turn=turn,
        )
    return Block(BlockKind.PARAGRAPH, inlines, Section.PREAMBLE, speaker_turn=turn)


def _inlines(inline: Token) -> tuple[Inline, ...]:
    """Flatten an inline token's children into runs; adjacent runs that look alike merge."""
    runs: list[Inline] = []
    strong = emphasis = 0
    href: str | None = None
    for child in inline.children or ():
        kind = InlineKind.LINK if href is not None else InlineKind.TEXT
        if child.type == "strong_open":
            strong += 1
        elif child.type == "strong_close":
            strong -= 1
        elif child.type == "em_open":
            emphasis += 1
        elif child.type == "em_close":
            emphasis -= 1
        elif child.type == "link_open":
            href = str(child.attrs["href"])
        elif child.type == "link_close":
            href = None
        elif child.type == "hardbreak":
            runs.append(Inline(InlineKind.LINE_BREAK, "\n"))
        elif child.type in ("text", "softbreak", "image", "code_inline"):
            text = " " if child.type == "softbreak" else child.content
            if child.type == "code_inline" and href is None:
                kind = InlineKind.CODE
            _append_run(runs, Inline(kind, text, href, strong > 0, emphasis > 0))
    return tuple(runs)


def _append_run(runs: list[Inline], run: Inline) -> None:
    previous = runs[-1] if runs else None
    if (
        previous is not None
        and previous.kind is run.kind is not InlineKind.LINE_BREAK
        and (previous.href, previous.strong, previous.emphasis)
        == (run.href, run.strong, run.emphasis)
    ):
        runs[-1] = Inline(run.kind, previous.text + run.text, run.href, run.strong, run.emphasis)
    elif run.text:
        runs.append(run)


def _drop_turn_mark(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Remove the speaker-turn dash (and the spaces after it) from the first run."""
    first, rest = inlines[0], inlines[1:]
    text = first.text.removeprefix("-").lstrip()
    if not text:
        return rest
    return (Inline(first.kind, text, first.href, first.strong, first.emphasis),) + rest


# --- sections ------------------------------------------------------------------------------


def _sectioned_blocks(blocks: list[Block]) -> tuple[list[Block], list[str]]:
    """Give each block its section, from the transcription and credits headings.

    Before the transcription heading: PREAMBLE. After it, every heading but a credits one stays
    in the transcription. After the credits heading, a heading of the same or a higher rank
    starts OTHER. A file without a transcription heading takes its body before the credits as
    the transcription, with a warning (a real webinar transcript lacks the heading).
    """
    roles = [_heading_role(block) for block in blocks]
    warnings: list[str] = []
    if Section.TRANSCRIPTION in roles:
        section = Section.PREAMBLE
    else:
        section = Section.TRANSCRIPTION
        if any(block.kind is not BlockKind.HEADING for block in blocks):
            warnings.append(
                "no 'Transcription' heading: the body before the credits is taken as the"
                " transcription"
            )
    credits_level = 0
    result: list[Block] = []
    for block, role in zip(blocks, roles, strict=True):
        if role is not None:
            section = role
            credits_level = block.level
        elif (
            block.kind is BlockKind.HEADING
            and section is Section.CREDITS
            and block.level <= credits_level
        ):
            section = Section.OTHER
        result.append(replace(block, section=section))
    return result, warnings


def _mark_not_spoken(blocks: list[Block], title: str) -> list[Block]:
    """Mark the transcription's paragraphs that are not speech, and the turns labels open.

    Decided from the corpus (pix-tutos, 106 files):

    - The webinar transcripts repeat, at the top of their transcription, the video's title in
      bold and the word "Transcription", sometimes after an episode code ("EP102"): those and
      what precedes them are the page's header (VIDEO_TITLE, TRANSCRIPTION_LINE, HEADER).
    - They put "Name, role." before most ``\\-`` turns: the same label stands before every
      turn of a speaker (73 times "Mélinée Chanard, Réseau Canopé." in one file) with the
      speaker's job title, sometimes after quoted title cards ('"Les questions-réponses"'): the
      on-screen name banner, not speech (SPEAKER_LABEL). A label is a paragraph right before a
      turn that reads "Name[, role].", "X, puis Y." or a kind of speaker ("Une lycéenne.",
      "Voix off."), or a paragraph that repeats such a label; a greeting or a call ("Dorie,
      peut-être.", "François Miquet, bonjour.") is speech. A paragraph of title cards alone counts as a
      label when it opens or closes the transcription or stands before a label or turn (unless
      it ends like a quoted sentence, '"Comètes."'), and so do untitled lines with no final
      punctuation before a first label at the very top ("… – Extrait").
    - The block after a label opens a turn (it gets the dash even when the author left out the
      ``\\-``) and its speaker is the name the label gives.
    """
    spoken = [i for i, b in enumerate(blocks) if b.spoken and b.kind is not BlockKind.HEADING]
    reasons: dict[int, NotSpoken] = {}
    title_keys = _title_keys(title)
    for position, i in enumerate(spoken):
        key = slugify(blocks[i].text)
        if key == "transcription" and position < 4:
            reasons[i] = NotSpoken.TRANSCRIPTION_LINE
            for j in spoken[:position]:
                reasons.setdefault(j, NotSpoken.HEADER)
        elif key in title_keys and _all_bold(blocks[i]):
            reasons[i] = NotSpoken.VIDEO_TITLE
    spoken = [i for i in spoken if i not in reasons]
    opens_turn = {i for i in spoken if blocks[i].speaker_turn}
    before_turn = [
        i for i, j in zip(spoken, spoken[1:]) if j in opens_turn and i not in opens_turn
    ]
    texts = [blocks[i].text.strip() for i in spoken]
    repeated = {  # a label seen before a turn, written again elsewhere
        text for text in (blocks[i].text.strip() for i in before_turn)
        if texts.count(text) > 1 and _looks_like_label(text)
    }
    labels: set[int] = set()
    leading_cards = next((k for k, i in enumerate(spoken) if not _is_title_card(blocks[i].text)),
                         len(spoken))
    for position in range(len(spoken) - 1, -1, -1):  # backwards: a card before a label
        i = spoken[position]
        text = blocks[i].text.strip()
        following = spoken[position + 1] if position + 1 < len(spoken) else None
        leads_turn = following is not None and (following in opens_turn or following in labels)
        if i in opens_turn or blocks[i].kind is not BlockKind.PARAGRAPH:
            continue
        last = position == len(spoken) - 1
        if (
            text in repeated
            or (leads_turn and _looks_like_label(text))
            or (
                _is_title_card(text, closing=last)
                and (leads_turn or last or position < leading_cards)
            )
        ):
            labels.add(i)
    first_label = next((k for k, i in enumerate(spoken) if i in labels), None)
    if first_label is not None and first_label < 3:
        for i in spoken[:first_label]:
            if not blocks[i].text.rstrip().endswith((".", "!", "?", "…", ":")):
                reasons[i] = NotSpoken.HEADER
    speakers: dict[int, str | None] = {}
    for position, i in enumerate(spoken):
        if i in labels:
            reasons[i] = NotSpoken.SPEAKER_LABEL
            following = spoken[position + 1] if position + 1 < len(spoken) else None
            if following is not None and following not in labels:  # a card: the label after
                speakers[following] = _speaker_name(blocks[i].text)  # it names the speaker
    result = []
    for i, block in enumerate(blocks):
        if i in reasons:
            block = replace(block, not_spoken=reasons[i])
        elif i in speakers:
            block = replace(block, speaker_turn=True, speaker=speakers[i])
        result.append(block)
    return result


def _title_keys(title: str) -> set[str]:
    """The video's title as slugs, with and without an "(extrait webinaire)" tail."""
    key = slugify(title)
    return {key, re.sub(r"-extrait(?:-webinaire)?$", "", key)}


def _all_bold(block: Block) -> bool:
    return all(run.strong or not run.text.strip() for run in block.inlines)


def _without_title_cards(text: str) -> str:
    """The text after its leading quoted title cards."""
    while (card := _TITLE_CARD.match(text)) is not None and card.end() < len(text):
        text = text[card.end():]
    return text


def _card_end(text: str) -> str:
    """The text without its closing quotes, to see how the quoted words end."""
    return text.rstrip("\"»” \u00a0")


def _is_title_card(text: str, closing: bool = False) -> bool:
    """A paragraph of quoted titles only, that does not read as a quoted sentence: not one
    question ('"Comment faites-vous ?"'), no final period ('"Comètes."') unless it ``closing``
    the transcription ('"Extrait du webinaire …."')."""
    text = text.strip()
    rest = _without_title_cards(text)
    if _TITLE_CARD.fullmatch(rest) is None:
        return False
    end = _card_end(text)
    if end.endswith("?") and rest == text:
        return False
    return closing or not end.endswith(".")


def _looks_like_label(text: str) -> bool:
    """The paragraph reads as a speaker label (see ``_mark_not_spoken``)."""
    rest = _without_title_cards(text.strip())
    if not rest.endswith(".") or len(rest.split()) > LABEL_MAX_WORDS:
        return False
    rest = rest[:-1].strip()
    if _ROLE_ONLY.fullmatch(rest) or ", puis " in rest:
        return True
    name = _NAME.match(rest)
    if name is None or _SPOKEN_WORD.search(rest) or len(_NUMBER_WORD.findall(rest)) >= 2:
        return False
    if "'" in name.group("name").split()[0] or "’" in name.group("name").split()[0]:
        return False  # "L’enseignant, en récupérant ...": an elided article starts a sentence
    after = rest[name.end():]
    if not after:  # a name alone: a first and a last name
        return len(name.group("name").split()) >= 2
    return after.startswith(", ") and not _VOCATIVE.match(after[2:]) and not any(
        mark in after for mark in "?!:;"
    )


def _speaker_name(label: str) -> str | None:
    """Who a label names: the first name in it ("Ozlem Gundag" of "Ozlem Gundag, puis …"),
    the kind of speaker ("Une lycéenne"), or the name in a title card ('"André Tricot,
    professeur …"'); None for title cards that name nobody."""
    rest = _without_title_cards(label.strip())
    if _TITLE_CARD.fullmatch(rest):
        card = rest.strip().strip("\"«»“” \u00a0")
        return _speaker_name(card + ".") if _looks_like_label(card + ".") else None
    rest = rest.rstrip(".").strip()
    name = _NAME.match(rest)
    if name is not None and not _ROLE_ONLY.fullmatch(rest):
        return name.group("name").strip()
    return rest.split(",")[0].strip() or None


def _heading_role(block: Block) -> Section | None:
    """TRANSCRIPTION or CREDITS for the headings that open those sections, else None."""
    if block.kind is not BlockKind.HEADING:
        return None
    name = slugify(block.text).replace("-", "")
    if _TRANSCRIPTION_HEADING.fullmatch(name):
        return Section.TRANSCRIPTION
    if _CREDITS_HEADING.fullmatch(name):
        return Section.CREDITS
    return None


def _no_transcription_message(blocks: list[Block]) -> str:
    if any(_heading_role(block) is Section.TRANSCRIPTION for block in blocks):
        return "no spoken text under the 'Transcription' heading"
    return "no transcription: no 'Transcription' heading and no text to take as one"
