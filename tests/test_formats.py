"""Caption writers (WebVTT, SRT), the WebVTT reader, and the plain-text transcript.

Every file written is read back by independent parsers: webvtt-py and the W3C validator's
npm webvtt-parser for WebVTT, the ``srt`` library for SRT.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.formats import CAPTION_FORMATS, format_names, get_format
from subtitler.formats.srt import write_srt
from subtitler.formats.text import write_plain_transcript
from subtitler.formats.common import display_lines
from subtitler.formats.readback import check_read_back
from subtitler.formats.vtt import parse_vtt_cues, write_vtt
from subtitler.model import (
    Block,
    BlockKind,
    Cue,
    Inline,
    InlineKind,
    Section,
    TimedCue,
    Transcript,
)

REPO = Path(__file__).resolve().parents[1]
NODE_PARSER = REPO / "tests" / "js" / "parse_vtt.js"

TRICKY_TEXTS = [
    ("<script>alert(1)</script>",),
    ("a < b & c > d",),
    ("-->", "x --> y"),
    ("Bonjour\u00a0! «\u00a0Oui\u00a0»",),
    ("👍🏽 🇫🇷 emoji", "ligne 2"),
    ("&amp; &lt; &#60; &nbsp;", "<i>pas en italique</i>"),
    ("NOTE ceci n'est pas un commentaire", "WEBVTT"),
    ("00:00:01.000 --> 00:00:02.000",),
    ("- Bonjour.", "- Salut."),
    ("1",),
]


def timed_cue(index: int, lines: tuple[str, ...], start: float, end: float) -> TimedCue:
    text = " ".join(lines)
    cue = Cue(index=index, lines=lines, text=text, block_index=0, sentence_index=index)
    return TimedCue(cue=cue, start=start, end=end)


def tricky_cues() -> list[TimedCue]:
    return [timed_cue(i, lines, 1.5 * i, 1.5 * i + 1.25) for i, lines in enumerate(TRICKY_TEXTS)]


def vtt_text(lines: tuple[str, ...]) -> str:
    return "\n".join(lines)


def read_with_webvtt_py(text: str) -> list[tuple[int, int, str]]:
    """webvtt-py strips tags but leaves character references: decode the three we write."""
    decoded = []
    for caption in webvtt.from_string(text).captions:
        plain = caption.text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        decoded.append((caption.start_time.in_milliseconds(), caption.end_time.in_milliseconds(), plain))
    return decoded


# --- WebVTT ----------------------------------------------------------------------------------


def test_vtt_layout():
    cues = [timed_cue(0, ("Bonjour,", "et bienvenue."), 0.44, 4.96), timed_cue(1, ("Fin",), 3725.5, 3727.0)]
    assert write_vtt(cues) == (
        "WEBVTT\n"
        "\n"
        "1\n"
        "00:00:00.440 --> 00:00:04.960\n"
        "Bonjour,\n"
        "et bienvenue.\n"
        "\n"
        "2\n"
        "01:02:05.500 --> 01:02:07.000\n"
        "Fin\n"
    )


def test_vtt_names_the_speakers_with_voice_spans():
    one = timed_cue(0, ("- Bonjour à tous,", "et bienvenue."), 1.0, 3.0)
    one = replace(one, cue=replace(one.cue, voices=("Mélinée Chanard",)))
    two = timed_cue(1, ("- Merci.", "- Bonjour."), 3.5, 5.0)
    two = replace(two, cue=replace(two.cue, voices=("A & B", None)))
    text = write_vtt([one, two])
    assert "<v Mélinée Chanard>- Bonjour à tous,\net bienvenue.\n" in text
    assert "<v A &amp; B>- Merci.</v>\n- Bonjour.\n" in text
    assert parse_vtt_cues(text)[0][2] == "- Bonjour à tous,\net bienvenue."
    assert "<v" not in get_format("srt").write([one, two])


def test_vtt_escapes_markup_characters():
    [cue] = [timed_cue(0, ("a < b & c > d", "-->"), 1.0, 2.0)]
    body = write_vtt([cue]).split("\n", 4)[4]
    assert body == "a &lt; b &amp; c &gt; d\n--&gt;\n"


def test_vtt_has_no_bom_crlf_or_blank_line_inside_a_cue():
    cue = timed_cue(0, ("one", "", "   ", "two\r\nthree", "four\u2028five"), 1.0, 2.0)
    text = write_vtt([cue])
    assert text.startswith("WEBVTT\n\n") and text.endswith("\n") and "\r" not in text
    assert text.split("\n\n")[1] == "1\n00:00:01.000 --> 00:00:02.000\none\ntwo\nthree\nfour\nfive\n"


def test_vtt_hours_are_always_written_even_past_99():
    cue = timed_cue(0, ("x",), 360_000.0, 360_001.0)
    assert "100:00:00.000 --> 100:00:01.000" in write_vtt([cue])


def test_a_cue_without_text_or_with_a_bad_interval_is_refused():
    with pytest.raises(ValueError, match="cue 1 has no text"):
        write_vtt([timed_cue(0, ("  ", ""), 1.0, 2.0)])
    with pytest.raises(ValueError, match="cue 1 has an invalid interval"):
        write_vtt([timed_cue(0, ("x",), 2.0, 2.0)])
    with pytest.raises(ValueError, match="invalid interval"):
        write_srt([timed_cue(0, ("x",), -1.0, 2.0)])


def test_tricky_text_reads_back_with_webvtt_py_and_our_parser():
    cues = tricky_cues()
    text = write_vtt(cues)
    expected = [(round(c.start * 1000), round(c.end * 1000), vtt_text(c.cue.lines)) for c in cues]
    assert parse_vtt_cues(text) == expected
    assert read_with_webvtt_py(text) == expected


def test_tricky_text_passes_the_w3c_parser_without_errors(tmp_path):
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "webvtt-parser").is_dir():
        pytest.skip("node or node_modules/webvtt-parser is missing")
    cues = tricky_cues()
    path = tmp_path / "tricky.vtt"
    path.write_text(write_vtt(cues), encoding="utf-8")
    run = subprocess.run([node, str(NODE_PARSER), str(path)], capture_output=True, text=True, check=True)
    parsed = json.loads(run.stdout)
    assert parsed["errors"] == []
    assert [(c["startTime"], c["endTime"], c["text"]) for c in parsed["cues"]] == [
        (c.start, c.end, vtt_text(c.cue.lines)) for c in cues
    ]


line_text = st.text(
    st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30
).filter(lambda s: any(part.strip() for part in s.splitlines()))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(line_text, min_size=1, max_size=3), min_size=1, max_size=5))
def test_any_text_round_trips_through_vtt(texts):
    cues = [timed_cue(i, tuple(lines), i * 2.0, i * 2.0 + 1.5) for i, lines in enumerate(texts)]
    text = write_vtt(cues)
    expected = [(i * 2000, i * 2000 + 1500, "\n".join(display_lines(c))) for i, c in enumerate(cues)]
    assert parse_vtt_cues(text) == expected
    assert read_with_webvtt_py(text) == expected


@settings(max_examples=5, deadline=None)
@given(st.lists(st.lists(line_text, min_size=1, max_size=3), min_size=50, max_size=150))
def test_any_text_passes_the_w3c_parser(tmp_path_factory, texts):
    """Few runs (node starts each time), many cues per run."""
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "webvtt-parser").is_dir():
        pytest.skip("node or node_modules/webvtt-parser is missing")
    cues = [timed_cue(i, tuple(lines), i * 2.0, i * 2.0 + 1.5) for i, lines in enumerate(texts)]
    path = tmp_path_factory.mktemp("vtt") / "random.vtt"
    path.write_text(write_vtt(cues), encoding="utf-8")
    run = subprocess.run([node, str(NODE_PARSER), str(path)], capture_output=True, text=True, check=True)
    parsed = json.loads(run.stdout)
    assert parsed["errors"] == []
    assert [c["text"] for c in parsed["cues"]] == ["\n".join(display_lines(c)) for c in cues]


def test_parse_vtt_follows_the_w3c_rules_for_files_we_did_not_write():
    text = (
        "\ufeffWEBVTT - PeerTube\r\n"
        "Kind: captions\r\n"
        "\r\n"
        "STYLE\r\n"
        "::cue { color: yellow }\r\n"
        "\r\n"
        "NOTE a comment\r\n"
        "spanning lines\r\n"
        "\r\n"
        "00:01.000 --> 00:02.500 line:0 align:start\r\n"
        "<v Marie><i>Bonjour</i> &amp; <c.yellow>bienvenue</c>&nbsp;!</v>\r\n"
        "\r\n"
        "intro\r\n"
        "00:00:03.000-->00:00:04.000\r\n"
        "deux\r\n"
        "lignes <00:00:03.500>ici\r\n"
        "\r\n"
        "bad\r\n"
        "00:00:05,000 --> 00:00:06.000\r\n"
        "skipped: comma in the timestamp\r\n"
        "\r\n"
        "00:00:07.000 --> 00:00:08.000\n"
        "cue text ends at the next timing line\n"
        "00:00:09.000 --> 00:00:10.000\n"
        "last\n"
    )
    assert parse_vtt_cues(text) == [
        (1000, 2500, "Bonjour & bienvenue\u00a0!"),
        (3000, 4000, "deux\nlignes ici"),
        (7000, 8000, "cue text ends at the next timing line"),
        (9000, 10000, "last"),
    ]


def test_parse_vtt_refuses_what_is_not_webvtt():
    with pytest.raises(ValueError, match="not a WebVTT file"):
        parse_vtt_cues("1\n00:00:01,000 --> 00:00:02,000\nSRT\n")
    with pytest.raises(ValueError, match="not a WebVTT file"):
        parse_vtt_cues("WEBVTTX\n")


def test_parse_vtt_reads_the_hand_made_corpus_captions(shared_dir):
    folder = shared_dir / "corpus" / "pix-tutos" / "captions"
    files = sorted(folder.glob("*.vtt"))
    if not files:
        pytest.skip(f"no captions in {folder}")
    for path in files:
        text = path.read_text(encoding="utf-8")
        ours = parse_vtt_cues(text)
        theirs = read_with_webvtt_py(text)
        assert [(s, e) for s, e, _ in ours] == [(s, e) for s, e, _ in theirs]
        assert len(ours) > 10


# --- SRT -------------------------------------------------------------------------------------


def test_srt_layout_is_what_the_srt_library_composes():
    cues = [timed_cue(0, ("Bonjour,", "et bienvenue."), 0.44, 4.96), timed_cue(1, ("a < b",), 3725.5, 3727.0)]
    text = write_srt(cues)
    assert text == (
        "1\n00:00:00,440 --> 00:00:04,960\nBonjour,\net bienvenue.\n\n"
        "2\n01:02:05,500 --> 01:02:07,000\na < b\n\n"
    )
    composed = srt.compose(
        [
            srt.Subtitle(i + 1, timedelta(seconds=c.start), timedelta(seconds=c.end), vtt_text(c.cue.lines))
            for i, c in enumerate(cues)
        ]
    )
    assert text == composed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(line_text, min_size=1, max_size=3), min_size=1, max_size=5))
def test_any_text_round_trips_through_srt(texts):
    cues = [timed_cue(i, tuple(lines), i * 2.0, i * 2.0 + 1.5) for i, lines in enumerate(texts)]
    parsed = list(srt.parse(write_srt(cues)))
    assert [(s.index, s.start, s.end, s.content) for s in parsed] == [
        (i + 1, timedelta(seconds=i * 2.0), timedelta(seconds=i * 2.0 + 1.5), "\n".join(display_lines(c)))
        for i, c in enumerate(cues)
    ]


def test_tricky_text_round_trips_through_srt_unescaped():
    cues = tricky_cues()
    parsed = list(srt.parse(write_srt(cues)))
    assert [s.content for s in parsed] == [vtt_text(c.cue.lines) for c in cues]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.lists(line_text, min_size=1, max_size=3),
                          st.integers(0, 10**8), st.integers(1, 7000)), min_size=1, max_size=8))
def test_every_caption_file_written_reads_back_with_webvtt_py_at_its_times(drafts):
    """The check a build runs before writing: it passes on whatever the writers write."""
    cues = [timed_cue(i, tuple(lines), start / 1000, (start + length) / 1000)
            for i, (lines, start, length) in enumerate(drafts)]
    for fmt in CAPTION_FORMATS:
        check_read_back(fmt, fmt.write(cues), cues)


def test_a_caption_file_webvtt_py_reads_differently_is_refused_naming_what_differs():
    cues = [timed_cue(0, ("Un",), 1.0, 2.0), timed_cue(1, ("Deux",), 3.0, 4.0)]
    vtt, srt_format = get_format("vtt"), get_format("srt")
    dropped = write_vtt(cues).replace(" --> ", " -> ", 1)  # webvtt-py skips that cue
    with pytest.raises(ValueError, match="reads 1 cues in the WebVTT file, not the 2 written"):
        check_read_back(vtt, dropped, cues)
    swallowed = write_vtt(cues).replace("\n\n2\n", "\n2\n")  # cue 2 inside cue 1
    with pytest.raises(ValueError, match="webvtt-py cannot read it: Invalid cue block"):
        check_read_back(vtt, swallowed, cues)
    moved = write_srt(cues).replace("00:00:03,000", "00:00:03,500")
    with pytest.raises(ValueError, match=r"reads cue 2 of the SubRip file at \(3500, 4000\) ms, not \(3000, 4000\)"):
        check_read_back(srt_format, moved, cues)
    with pytest.raises(ValueError, match="webvtt-py cannot read it"):
        check_read_back(vtt, "WEBVT\n\n" + write_vtt(cues).split("\n\n", 1)[1], cues)


def test_the_formats_written_their_order_and_mime_types():
    assert [fmt.extension for fmt in CAPTION_FORMATS] == ["vtt", "srt"] and format_names() == ["srt", "vtt"]
    assert get_format("vtt").mime_type == "text/vtt" and get_format("vtt").write is write_vtt
    assert get_format("srt").mime_type == "application/x-subrip" and get_format("srt").write is write_srt
    assert (get_format("vtt").name, get_format("srt").name) == ("WebVTT", "SubRip")
    with pytest.raises(KeyError):
        get_format("ass")


def test_srt_borrows_nothing_from_the_webvtt_module():
    import ast

    from subtitler.formats import srt as srt_module

    tree = ast.parse(Path(srt_module.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "vtt" not in imported and "common" in imported


# --- plain-text transcript -------------------------------------------------------------------


def block(kind, *inlines, section=Section.TRANSCRIPTION, **fields) -> Block:
    runs = tuple(Inline(InlineKind.TEXT, i) if isinstance(i, str) else i for i in inlines)
    return Block(kind, runs, section, **fields)


def test_plain_transcript():
    transcript = Transcript(
        path=Path("t.md"),
        slug="t",
        title="Trier des données",
        lang="fr",
        blocks=(
            block(BlockKind.HEADING, "Transcription", level=2),
            block(BlockKind.PARAGRAPH, "Bonjour.", Inline(InlineKind.LINE_BREAK, "\n"), "Suite."),
            block(BlockKind.LIST_ITEM, "premier", level=1),
            block(BlockKind.LIST_ITEM, "imbriqué", level=2),
            block(BlockKind.LIST_ITEM, "un", level=1, ordered=True, number=1),
            block(BlockKind.PARAGRAPH, "Salut, dit-elle.", speaker_turn=True),
            block(BlockKind.HEADING, "Crédits", section=Section.CREDITS, level=2),
            block(
                BlockKind.PARAGRAPH,
                "Voir ",
                Inline(InlineKind.LINK, "le site", href="https://pix.fr"),
                Inline(InlineKind.LINK, " Pix", href="https://pix.fr", strong=True),
                " ou ",
                Inline(InlineKind.LINK, "contact@pix.fr", href="mailto:contact@pix.fr"),
                section=Section.CREDITS,
            ),
            block(BlockKind.PARAGRAPH, "Avant tout.", section=Section.PREAMBLE),
        ),
    )
    assert write_plain_transcript(transcript) == (
        "Trier des données\n"
        "\n"
        "Avant tout.\n"
        "\n"
        "Transcription\n"
        "\n"
        "Bonjour.\n"
        "Suite.\n"
        "\n"
        "- premier\n"
        "  - imbriqué\n"
        "1. un\n"
        "\n"
        "- Salut, dit-elle.\n"
        "\n"
        "Crédits\n"
        "\n"
        "Voir le site Pix (https://pix.fr) ou contact@pix.fr\n"
    )


def test_plain_transcripts_of_the_corpus(corpus_transcripts):
    written = 0
    for transcript in corpus_transcripts:
        text = write_plain_transcript(transcript)
        assert text.startswith(transcript.title.strip() + "\n\n")
        assert text.endswith("\n") and not text.endswith("\n\n\n") and "\r" not in text
        words = text
        for block_ in transcript.blocks:
            for run in block_.inlines:
                words = words.replace(f" ({run.href})", "") if run.href else words
        words = " ".join(words.split())
        for _, spoken in transcript.spoken_blocks:
            assert " ".join(spoken.text.split()) in words
        written += 1
    assert written > 90
