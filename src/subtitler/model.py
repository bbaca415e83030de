"""The domain model: plain, immutable dataclasses that flow one way through the pipeline.

Transcript -> Sentence -> Cue (text) -> TimedCue -> writers -> publisher.
They hold no behaviour beyond derived properties, pickle cleanly (process pools, Dask) and
compare by value (tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path


class InlineKind(str, Enum):
    TEXT = "text"
    STRONG = "strong"
    EMPHASIS = "em"
    LINK = "link"
    CODE = "code"
    LINE_BREAK = "break"


@dataclass(frozen=True)
class Inline:
    """A run of text inside a block, with the one markup that applies to it.

    Nesting is flattened: bold inside a link becomes a LINK run with ``strong=True``.
    """

    kind: InlineKind
    text: str
    href: str | None = None
    strong: bool = False
    emphasis: bool = False


class BlockKind(str, Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"


class NotSpoken(str, Enum):
    """Why a block of the transcription is not caption text (transcript.py decides)."""

    TRANSCRIPTION_LINE = "transcription-line"  # the word "Transcription" repeated under the heading
    VIDEO_TITLE = "video-title"  # a bold paragraph repeating the video's title
    HEADER = "header"  # what comes before that repeated title or word (an episode code: "EP102")
    SPEAKER_LABEL = "speaker-label"  # "Name, role." before a turn: it names who speaks next


class Section(str, Enum):
    """Where a block sits: only TRANSCRIPTION is spoken."""

    PREAMBLE = "preamble"
    TRANSCRIPTION = "transcription"
    CREDITS = "credits"
    OTHER = "other"


@dataclass(frozen=True)
class Block:
    """A heading, paragraph or list item of the transcript body, as the author wrote it."""

    kind: BlockKind
    inlines: tuple[Inline, ...]
    section: Section
    level: int = 0  # heading level, or list nesting depth (1 = top level)
    ordered: bool = False  # list item of a numbered list
    number: int | None = None  # its number in an ordered list
    speaker_turn: bool = False  # the paragraph starts with "\-": a new speaker speaks
    speaker: str | None = None  # who speaks from this turn on, when a label names them
    not_spoken: NotSpoken | None = None  # in the transcription, yet not caption text

    @property
    def text(self) -> str:
        """The plain text of the block (markup removed, line breaks as spaces)."""
        return "".join(" " if i.kind is InlineKind.LINE_BREAK else i.text for i in self.inlines)

    @property
    def spoken(self) -> bool:
        return (
            self.section is Section.TRANSCRIPTION
            and self.kind is not BlockKind.HEADING
            and self.not_spoken is None
        )


@dataclass(frozen=True)
class Transcript:
    """A loaded and validated transcript file."""

    path: Path
    slug: str
    title: str
    lang: str
    blocks: tuple[Block, ...]
    description: str | None = None
    area: str | None = None
    video_embed_src: str | None = None
    video_download_href: str | None = None
    metadata: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    warnings: tuple[str, ...] = ()

    @property
    def spoken_blocks(self) -> tuple[tuple[int, Block], ...]:
        """The (index in ``blocks``, block) pairs whose text is spoken, in order."""
        return tuple((i, b) for i, b in enumerate(self.blocks) if b.spoken)


@dataclass(frozen=True)
class Sentence:
    """One sentence of spoken text, tied back to the block it comes from.

    ``text`` is the exact slice of ``Block.text`` starting at ``offset`` (trimmed at both ends).
    """

    text: str
    block_index: int
    offset: int = 0  # index of the sentence's first character in ``Block.text``
    starts_turn: bool = False  # first sentence of a new speaker's turn
    speaker: str | None = None  # who says it, when a speaker label named them


class CueKind(str, Enum):
    SPEECH = "speech"  # words of the transcript
    MUSIC = "music"  # a sound note: music heard without a voice ("♪ Musique ♪")


@dataclass(frozen=True)
class Cue:
    """A caption as shown on screen, before it is timed.

    ``lines`` is the display text (French typography, dialogue dashes). ``text`` is the
    spoken text it shows, words in order with ordinary spaces, used by alignment and by the
    no-word-lost checks.
    """

    index: int  # 0-based position in the video's cue list
    lines: tuple[str, ...]
    text: str
    block_index: int  # block of the first word (HTML transcript anchors)
    sentence_index: int  # sentence of the first word
    block_offset: int = 0  # index of the first word's first character in ``Block.text``
    starts_turn: bool = False  # the cue begins a new speaker's turn
    ends_sentence: bool = True  # the cue's last word ends a sentence
    # Who says each turn the cue shows (one entry, or two for a dialogue cue), when speaker
    # labels named them; () when no speaker is known.
    voices: tuple[str | None, ...] = ()
    kind: CueKind = CueKind.SPEECH  # a sound note has no spoken text

    @property
    def display(self) -> str:
        return "\n".join(self.lines)

    @property
    def char_count(self) -> int:
        """Characters a viewer reads (no-break spaces count as one, newlines not counted)."""
        return sum(len(line) for line in self.lines)


class Flag(StrEnum):
    """What the caption timing rules (:mod:`subtitler.timing.rules`) and the layout say about a
    cue, and an editor's checked mark; the value is the cue's flag in the report."""

    NOT_FOUND = "not-found"
    LOW_CONFIDENCE = "low-confidence"
    LATE_START = "late-start"
    EARLY = "early"
    LATE_END = "late-end"
    LONG = "long"
    SHORT = "short"
    FAST = "fast"
    CSA = "csa"
    CLAMPED = "clamped"
    LAYOUT = "layout"
    CHECKED = "checked"  # an editor checked the cue as it is (subtitler.anchors)

    @property
    def description(self) -> str:
        return _FLAG_DESCRIPTIONS[self]

    @property
    def label(self) -> str:
        """What the French pages (QA timeline, review page) call it."""
        return _FRENCH_LABELS[self]


_FLAG_DESCRIPTIONS = {
    Flag.NOT_FOUND: "the locator did not hear the text; its time is interpolated",
    Flag.LOW_CONFIDENCE: "the locator's confidence is below config.min_confidence",
    Flag.LATE_START: "the cue starts after its first word is said (cues too crowded, or the "
    "cue before needed the time to last min_duration)",
    Flag.EARLY: "the cue appears more than max_early before its first word, to last min_duration",
    Flag.LATE_END: "the cue ends before its last word is said (the next cue starts, or the "
    "speech lasts longer than max_duration)",
    Flag.LONG: "the speech lasts longer than max_duration: the cue leaves before its last word",
    Flag.SHORT: "the cue lasts less than min_duration",
    Flag.FAST: "the cue must be read faster than max_cps",
    Flag.CSA: "the cue has more characters than the ARCOM table allows for its duration",
    Flag.CLAMPED: "the media ends before the speech does; the cue was moved to fit in the media",
    Flag.LAYOUT: "the cue has more than max_lines lines or a line over max_line_chars (a word "
    "longer than a line)",
    Flag.CHECKED: "an editor checked the cue as it is",
}


class Doubt(StrEnum):
    """A reason to review a cue's start that the audio alignment found (``align.doubts``);
    the value is the cue's flag in the report."""

    MUSIC_NEAR = "music-near"
    NO_VOICE = "no-voice"
    UNEVEN_PACE = "uneven-pace"
    NEIGHBOUR_PACE = "neighbour-pace"
    UNWRITTEN_SPEECH = "unwritten-speech"
    LOW_MATCH = "low-match"
    STRANDED_START = "stranded-start"
    AFTER_UNHEARD = "after-unheard"
    SHORT_OPENING = "short-opening"
    CARRIED_OVER = "carried-over"
    ELSEWHERE = "matches-elsewhere"
    INSIDE_VOICE = "inside-voice"

    @property
    def description(self) -> str:
        return _DOUBT_DESCRIPTIONS[self]

    @property
    def label(self) -> str:
        """What the French pages (QA timeline, review page) call it."""
        return _FRENCH_LABELS[self]


_DOUBT_DESCRIPTIONS = {
    Doubt.MUSIC_NEAR: "music or another sound without a voice just before the cue or under it",
    Doubt.NO_VOICE: "no voice is heard where the cue starts",
    Doubt.UNEVEN_PACE: "the cue's first words took far more or far less than their usual time",
    Doubt.NEIGHBOUR_PACE: "the words before the cue took far more or far less than their usual "
    "time: the boundary between them is unsure",
    Doubt.UNWRITTEN_SPEECH: "speech that the transcript does not have (or matched elsewhere) "
    "just before the cue",
    Doubt.LOW_MATCH: "its first words match the audio poorly",
    Doubt.STRANDED_START: "its first words run on from the speech before without a pause, then "
    "a long pause comes before the rest of their sentence: they may be the end of the sentence before",
    Doubt.AFTER_UNHEARD: "the sentence before it was not heard and its first words match the audio "
    "less well than usual: it may have taken that sentence's place",
    Doubt.SHORT_OPENING: "it opens with a sentence of a word or two and a voice no text explains comes "
    "just before: a short sentence said alone may have been taken for a hesitation",
    Doubt.CARRIED_OVER: "speech that the transcript does not have was heard inside the sentence before: "
    "that sentence's last words, and this cue with them, may have been pushed late",
    Doubt.ELSEWHERE: "its first words match the speech after another pause nearby (within 8 s) "
    "better than where they are: the cue may belong there",
    Doubt.INSIDE_VOICE: "its first sentence starts in the middle of a voice, with no pause before it: "
    "its first words may be the end of another sentence, or its own start be elsewhere",
}

_FRENCH_LABELS: dict[Flag | Doubt, str] = {
    Flag.NOT_FOUND: "texte non entendu dans l’audio",
    Flag.LOW_CONFIDENCE: "alignement peu sûr",
    Flag.LATE_START: "commence après son premier mot",
    Flag.EARLY: "apparaît bien avant son premier mot",
    Flag.LATE_END: "finit avant son dernier mot",
    Flag.LONG: "plus long que la durée maximale",
    Flag.SHORT: "plus court que la durée minimale",
    Flag.FAST: "vitesse de lecture trop élevée",
    Flag.CSA: "trop de caractères pour sa durée (ARCOM)",
    Flag.CLAMPED: "déplacé pour tenir dans la vidéo",
    Flag.LAYOUT: "ligne trop longue ou trop de lignes",
    Flag.CHECKED: "vérifié",
    Doubt.MUSIC_NEAR: "musique ou son sans voix juste avant ou pendant",
    Doubt.NO_VOICE: "aucune voix au début du sous-titre",
    Doubt.UNEVEN_PACE: "ses premiers mots ont pris bien plus ou bien moins que leur temps habituel",
    Doubt.NEIGHBOUR_PACE: "les mots d’avant ont pris bien plus ou bien moins que leur temps : "
    "la limite entre eux est incertaine",
    Doubt.UNWRITTEN_SPEECH: "parole absente de la transcription juste avant",
    Doubt.LOW_MATCH: "ses premiers mots correspondent mal à l’audio",
    Doubt.STRANDED_START: "ses premiers mots suivent la phrase d’avant sans pause, puis une longue pause : "
    "ils sont peut-être la fin de la phrase d’avant",
    Doubt.AFTER_UNHEARD: "la phrase d’avant n’a pas été entendue et ses premiers mots correspondent moins "
    "bien à l’audio : il a pu prendre sa place",
    Doubt.SHORT_OPENING: "commence par une phrase d’un ou deux mots précédée d’une voix non transcrite : "
    "cette phrase a pu être prise pour une hésitation",
    Doubt.CARRIED_OVER: "parole absente de la transcription au milieu de la phrase d’avant : sa fin, "
    "et ce sous-titre avec elle, ont pu être décalées",
    Doubt.ELSEWHERE: "ses premiers mots ressemblent davantage à la parole entendue après une autre "
    "pause proche (à moins de 8 s) : le sous-titre est peut-être à sa place là-bas",
    Doubt.INSIDE_VOICE: "sa première phrase commence au milieu d’une voix, sans pause avant : ses premiers "
    "mots sont peut-être la fin d’une autre phrase",
}

CueFlag = Flag | Doubt
"""A flag of a timed cue: from the timing rules and layout, or a doubt of the alignment."""

_CALL_FOR_REVIEW = frozenset({Flag.NOT_FOUND, Flag.LOW_CONFIDENCE, Flag.LAYOUT, *Doubt})


def parse_flag(value: str) -> CueFlag:
    """The flag a report or manifest names (``ValueError`` for a name no flag has)."""
    try:
        return Flag(value)
    except ValueError:
        return Doubt(value)


@dataclass(frozen=True)
class SpeechSpan:
    """Where a cue's words were found in the audio, as a timing step reports it."""

    start: float
    end: float
    confidence: float = 1.0  # 0..1
    found: bool = True  # False: the text was not heard; start/end are interpolated
    doubts: tuple[Doubt, ...] = ()  # reasons to review the start (align.doubts)


@dataclass(frozen=True)
class TimedCue:
    """A cue with its on-screen interval, after the timing rules were applied."""

    cue: Cue
    start: float
    end: float
    speech: SpeechSpan | None = None  # what the timing step found, for reports
    flags: tuple[CueFlag, ...] = ()  # rule adjustments, doubts and checked mark, for the QA report

    @property
    def duration(self) -> float:
        """Seconds on screen, to the millisecond the writers use (no float residue)."""
        return round(self.end - self.start, 3)

    @property
    def cps(self) -> float:
        return self.cue.char_count / self.duration if self.duration > 0 else float("inf")

    @property
    def review_reasons(self) -> tuple[CueFlag, ...]:
        """The flags that call for review, in order: the text not heard, a doubted start, a
        low confidence, a word longer than a line; none once an editor checked the cue as it is."""
        if Flag.CHECKED in self.flags:
            return ()
        return tuple(flag for flag in self.flags if flag in _CALL_FOR_REVIEW)

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)


@dataclass(frozen=True)
class MediaInfo:
    """What ffprobe says about a media file."""

    path: Path
    duration: float
    has_audio: bool
    has_video: bool
    fps: float | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
