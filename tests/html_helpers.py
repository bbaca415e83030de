"""Helpers for the HTML page tests: a strict little DOM, the sample transcript, fake timings."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

from subtitler.model import Cue, TimedCue, Transcript

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> list[Node]:
        return [n for n in self.iter()
                if (tag is None or n.tag == tag)
                and (class_ is None or class_ in (n.attrs.get("class") or "").split())
                and all(n.attrs.get(k) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag} class={class_} {attrs}>"
        return found[0]

    def text(self, skip: frozenset[str] | set[str] = frozenset()) -> str:
        """Text content, ``<br>`` as a space (as ``Block.text`` has it).

        Elements whose tag or a class is in ``skip`` are left out; a skipped time control
        (class ``seek``) takes the space that separates it from the words with it.
        """
        parts, eat_space = [], False
        for child in self.children:
            if isinstance(child, str):
                parts.append(child[1:] if eat_space and child.startswith(" ") else child)
                eat_space = False
                continue
            classes = set((child.attrs.get("class") or "").split())
            eat_space = False
            if skip & (classes | {child.tag}):
                eat_space = "seek" in classes
            else:
                parts.append(" " if child.tag == "br" else child.text(skip))
        return "".join(parts)

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _StrictTreeBuilder(HTMLParser):
    """Builds a tree and fails on any unbalanced or misnested tag (our pages close every tag)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self._stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self._stack[-1])
        self._stack[-1].children.append(node)
        if tag not in VOID:
            self._stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        assert tag not in VOID, f"end tag for void element <{tag}>"
        assert self._stack[-1].tag == tag, f"</{tag}> closes <{self._stack[-1].tag}>"
        self._stack.pop()

    def handle_data(self, data):
        self._stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _StrictTreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder._stack == [builder.root], f"unclosed: {[n.tag for n in builder._stack[1:]]}"
    return builder.root


def sample_transcript(video_embed_src: str | None = None) -> Transcript:
    """The rich sample (headings, lists, links, turns, a <script>), its video URL replaced."""
    from subtitler.transcript import load_transcript

    transcript = load_transcript(FIXTURES / "sample.md")
    return replace(transcript, video_embed_src=video_embed_src) if video_embed_src else transcript


def fake_timed_cues(transcript: Transcript, first: float = 1.5, step: float = 4.0) -> list[TimedCue]:
    """The transcript's real cues (sentence splitter + cue builder), evenly timed."""
    from subtitler.config import CaptionConfig
    from subtitler.cues import build_cues
    from subtitler.sentences import split_sentences

    cues = build_cues(split_sentences(transcript), CaptionConfig())
    return timed(cues, first, step)


def timed(cues: Sequence[Cue], first: float = 1.5, step: float = 4.0) -> list[TimedCue]:
    return [TimedCue(cue, first + step * n, first + step * n + step - 0.5) for n, cue in enumerate(cues)]


def sentence_timed_cues(transcript: Transcript, step: float = 4.0) -> list[TimedCue]:
    """One cue per sentence, evenly timed: cheap cues for rendering the whole corpus."""
    from subtitler.sentences import split_sentences

    cues = [Cue(n, (s.text,), s.text, s.block_index, n, block_offset=s.offset)
            for n, s in enumerate(split_sentences(transcript))]
    return timed(cues, 1.5, step)


def with_sound_notes(cues: Sequence[Cue]) -> list[TimedCue]:
    """The cues evenly timed around real-looking music: an intro, an interlude after the third
    cue and an outro, with the sound cues ``timing.sounds.with_music_cues`` gives them."""
    from subtitler.config import CaptionConfig
    from subtitler.timing.sounds import with_music_cues

    speech = timed(cues[:3], 8.0) + timed(cues[3:], 28.0)
    end = speech[-1].end
    music = [(0.0, 7.5), (speech[2].end + 0.5, speech[3].start - 0.5), (end + 0.5, end + 6.0)]
    return with_music_cues(speech, music, end + 6.5, 25.0, CaptionConfig())
