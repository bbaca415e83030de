"""The HTML pages, read as HTML: structure, accessibility hooks, time links, escaping, index."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from html_helpers import fake_timed_cues, parse, sample_transcript, timed
from subtitler.layout import OutputLayout
from subtitler.errors import OutputError, TranscriptError
from subtitler.formats import CAPTION_FORMATS
from subtitler.html import (
    IndexEntry,
    VideoFiles,
    index_entries_from_results,
    render_index,
    render_video_page,
    write_index,
    write_video_page,
)
from subtitler.html.assets import asset
from subtitler.html.clock import clock, spoken_duration
from subtitler.html.markup import safe_href
from subtitler.html.player import PlayerKind, player_for
from subtitler.model import Block, BlockKind, Cue, Inline, InlineKind, Section, Transcript
from subtitler.video_url import VideoUrlError, uuid_to_short

FILES = VideoFiles(captions=(("vtt", "sample.fr.vtt"), ("srt", "sample.fr.srt")), txt="sample.fr.txt")
EMBED = "https://tube.example.org/videos/embed/3f1c2a9e-5b7d-4e21-9c4a-2d8e6f0b1a77"
MP4 = "https://videos.example.org/tutos/Trier_des_donnees.mp4"
UUID = "3f1c2a9e-5b7d-4e21-9c4a-2d8e6f0b1a77"
SHORT = uuid_to_short(UUID)


def text_run(value: str, **flags) -> Inline:
    return Inline(InlineKind.TEXT, value, **flags)


def make_transcript(*blocks: Block, embed: str | None = EMBED, **fields) -> Transcript:
    return Transcript(path=Path("t.md"), slug="t", title=fields.pop("title", "Titre"), lang="fr",
                      blocks=blocks, video_embed_src=embed, **fields)


def paragraph(*inlines: Inline, section: Section = Section.TRANSCRIPTION, **flags) -> Block:
    return Block(BlockKind.PARAGRAPH, inlines, section, **flags)


def cue_at(block_index: int, offset: int, text: str = "mot", index: int = 0) -> Cue:
    return Cue(index, (text,), text, block_index, 0, block_offset=offset)


@pytest.fixture(scope="module")
def sample():
    transcript = sample_transcript()
    cues = fake_timed_cues(transcript)
    return transcript, cues, parse(render_video_page(transcript, cues, FILES))


# --- document structure -------------------------------------------------------------------


def test_page_language_title_and_description_come_from_the_front_matter(sample):
    transcript, _, doc = sample
    assert doc.find("html").attrs["lang"] == "fr"
    assert doc.find("title").text() == "Protéger ses mots de passe <en pratique> — transcription"
    assert doc.find("meta", name="description").attrs["content"] == transcript.description


def test_page_has_one_h1_landmarks_and_skip_links_to_existing_targets(sample):
    _, _, doc = sample
    assert [h.text() for h in doc.find_all("h1")] == ["Protéger ses mots de passe <en pratique>"]
    for landmark in ("header", "main", "footer", "nav"):
        assert len(doc.find_all(landmark)) >= 1, landmark
    ids = {n.attrs["id"] for n in doc.iter() if n.attrs.get("id")}
    skips = doc.find_all("a", class_="skip-link")
    assert skips and all(a.attrs["href"][1:] in ids for a in skips)


def test_heading_levels_never_skip_and_follow_the_authors_outline(sample):
    _, _, doc = sample
    levels = [int(n.tag[1]) for n in doc.iter() if re.fullmatch(r"h[1-6]", n.tag)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    section = doc.find("section", id="transcription")
    assert section.find("h2").text() == "Transcription"
    assert section.find("h3").text() == "Les règles de base"


def test_author_heading_levels_are_ranked_under_the_section_heading_without_gaps():
    def heading(value, level):
        return Block(BlockKind.HEADING, (text_run(value),), Section.TRANSCRIPTION, level=level)

    transcript = make_transcript(heading("Transcription", 2), heading("Partie", 1),
                                 paragraph(text_run("Texte.")), heading("Détail", 3))
    section = parse(render_video_page(transcript, [], FILES)).find("section", id="transcription")
    assert [(n.tag, n.text()) for n in section.iter() if n.tag[0] == "h" and n.tag[1:].isdigit()] \
        == [("h2", "Transcription"), ("h3", "Partie"), ("h4", "Détail")]


def test_colour_schemes_print_style_and_viewport_are_declared():
    css = asset("page.css").content
    assert "@media (prefers-color-scheme: dark)" in css
    assert "@media print" in css
    assert ":focus-visible" in css
    assert "@media (forced-colors: active)" in css
    page = render_video_page(make_transcript(paragraph(text_run("Bonjour."))), [], FILES)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


# --- the video ----------------------------------------------------------------------------


def test_peertube_embed_turns_the_api_and_french_captions_on_and_keeps_its_parameters(sample):
    _, _, doc = sample
    frame = doc.find("iframe")
    query = parse_qs(urlsplit(frame.attrs["src"]).query)
    assert query == {"title": ["0"], "warningTitle": ["0"], "api": ["1"], "subtitle": ["fr"]}
    assert frame.attrs["title"].startswith("Lecteur vidéo : Protéger ses mots de passe")
    assert doc.find_all("video") == []


def test_a_direct_mp4_plays_in_a_video_element_with_the_generated_captions():
    page = parse(render_video_page(make_transcript(paragraph(text_run("Bonjour.")), embed=MP4),
                                   [], FILES))
    video = page.find("video")
    assert "controls" in video.attrs and video.attrs["src"] == MP4
    track = video.find("track")
    assert track.attrs == {"kind": "captions", "srclang": "fr", "label": "Français",
                           "src": "sample.fr.vtt", "default": None}
    assert page.find_all("iframe") == []


def test_without_a_video_the_page_says_so_and_has_no_player_and_no_time_controls():
    transcript = make_transcript(paragraph(text_run("Bonjour.")), embed=None,
                                 metadata={"fileType": "PDF"})
    doc = parse(render_video_page(transcript, timed([cue_at(0, 0)]), FILES))
    assert doc.find_all("iframe") == [] and doc.find_all("video") == []
    assert "document PDF" in doc.find("p", class_="no-video").text()
    assert doc.find_all("a", class_="seek") == []


@pytest.mark.parametrize("src", [
    f"https://tube.example.org/videos/embed/{UUID}?title=0",
    f"https://tube.example.org/w/{SHORT}",
    f"https://tube.example.org/videos/watch/{UUID}/",
    f"https://TUBE.example.org:443/w/{UUID}?start=3s",
])
def test_every_peertube_url_form_gets_the_embed_with_its_api_on(src):
    doc = parse(render_video_page(make_transcript(paragraph(text_run("Bonjour.")), embed=src),
                                  timed([cue_at(0, 0)], first=83.4), FILES))
    frame = doc.find("iframe")
    parts = urlsplit(frame.attrs["src"])
    video_id = urlsplit(src).path.rstrip("/").rsplit("/", 1)[1]
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "tube.example.org",
                                                       f"/videos/embed/{video_id}")
    assert parse_qs(parts.query)["api"] == ["1"] and parse_qs(parts.query)["subtitle"] == ["fr"]
    assert frame.attrs["data-origin"] == "https://tube.example.org"
    assert doc.find_all("video") == []
    assert doc.find("a", class_="seek").attrs["href"] == \
        f"https://tube.example.org/w/{video_id}?start=83"


def test_a_page_that_is_neither_peertube_nor_a_media_file_is_linked_without_time_controls():
    src = "https://tube.example.org/w/p/2y84q2MQUMWPbiEcxNXMgC"  # a playlist
    doc = parse(render_video_page(make_transcript(paragraph(text_run("Bonjour.")), embed=src),
                                  timed([cue_at(0, 0)]), FILES))
    assert doc.find_all("iframe") == [] and doc.find_all("video") == []
    assert doc.find("p", class_="watch-link").find("a").attrs["href"] == src
    assert doc.find_all("a", class_="seek") == []
    policy = doc.find("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"]
    assert "frame-src" not in policy and "media-src" not in policy


@pytest.mark.parametrize("src, reason", [
    ("https://a.example;connect-src * ;media-src */videos/embed/abc", "space"),
    ("https://a.example;connect-src:*/videos/embed/abc", "not a valid host name"),
    ("https://a.example:443;connect-src/videos/embed/abc", "port"),
    ("https://user:secret@tube.example.org/videos/embed/abc", "user name or password"),
    ("http://tube.example.org/videos/embed/abc", "plain http"),
    ("javascript:alert(1)", "not an http(s) URL"),
    ("/videos/embed/abc", "not an http(s) URL"),
    ("ftp://h.example/v.mp4", "not an http(s) URL"),
    ("https://[::1]/videos/embed/abc", "IPv6"),
    ("https://tube.example.org/videos/embed/abc?scope=a::b", "scope"),
])
def test_a_video_url_that_fails_the_strict_parse_is_one_error_naming_the_transcript(src, reason):
    transcript = make_transcript(paragraph(text_run("Bonjour.")), embed=src)
    with pytest.raises(TranscriptError) as raised:
        render_video_page(transcript, timed([cue_at(0, 0)]), FILES)
    message = str(raised.value)
    assert message.startswith("t.md: videoEmbedSrc") and reason in message
    assert "\n" not in message and "secret" not in message


def test_plain_http_is_embedded_only_from_this_machine():
    player = player_for(f"http://127.0.0.1:8000/videos/embed/{UUID}", "fr")
    assert player.kind is PlayerKind.PEERTUBE and player.origin == "http://127.0.0.1:8000"


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("aZ1-.;*: @[]%'\"<>\t"), min_size=1, max_size=20),
       st.sampled_from(["/videos/embed/abc", "/w/abc", "/v.mp4", "/page", ""]))
def test_whatever_the_host_part_the_page_gets_a_bare_origin_or_an_error(authority, path):
    try:
        player = player_for(f"https://{authority}{path}", "fr")
    except VideoUrlError:
        return
    assert re.fullmatch(r"https://[a-z0-9.-]+(:[0-9]{1,5})?", player.origin), player.origin


def test_the_content_security_policy_allows_only_the_page_itself_and_the_video_host(sample):
    _, _, doc = sample
    policy = doc.find("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["frame-src"] == "https://tube.example.org"
    assert directives["script-src"] == asset("transcript.js").csp_source
    assert directives["style-src"] == asset("page.css").csp_source
    scripts = doc.find_all("script")
    assert len(scripts) == 1 and "src" not in scripts[0].attrs
    assert scripts[0].text() == asset("transcript.js").content
    assert all("style" not in n.attrs for n in doc.iter())  # inline styles would be blocked


# --- the transcript and its time controls -------------------------------------------------


def test_every_cue_gets_one_time_control_in_order_linking_to_the_watch_page(sample):
    _, cues, doc = sample
    controls = doc.find("section", id="transcription").find_all("a", class_="seek")
    assert len(controls) == len(cues)
    starts = [float(a.attrs["data-start"]) for a in controls]
    assert starts == sorted(starts) == [pytest.approx(c.start) for c in cues]
    for control, cue in zip(controls, cues):
        assert control.attrs["href"] == \
            f"https://tube.example.org/w/3f1c2a9e-5b7d-4e21-9c4a-2d8e6f0b1a77?start={int(cue.start)}"


def test_a_time_control_shows_the_clock_is_named_with_it_and_described_in_words():
    cues = timed([cue_at(0, 0)], first=83.4)
    doc = parse(render_video_page(make_transcript(paragraph(text_run("Bonjour."))), cues, FILES))
    control = doc.find("a", class_="seek")
    assert control.text() == "01:23"
    assert control.attrs["aria-label"] == "Aller à 01:23"  # contains what is shown (WCAG 2.5.3)
    assert control.attrs["title"] == "1 min 23 s après le début de la vidéo"


def test_mp4_time_links_use_a_media_fragment():
    cues = timed([cue_at(0, 0)], first=83.4)
    doc = parse(render_video_page(make_transcript(paragraph(text_run("Bonjour.")), embed=MP4),
                                  cues, FILES))
    assert doc.find("a", class_="seek").attrs["href"] == f"{MP4}#t=83"


def test_each_block_reads_exactly_as_written_once_the_controls_are_taken_out(sample):
    transcript, _, doc = sample
    body = doc.find("div", class_="transcript-text")
    skip = {"seek", "turn-mark", "visually-hidden", "ul", "ol"}
    rendered = [n.text(skip) for n in body.iter() if n.tag in {"p", "li", "h3"}]
    assert rendered == [b.text for b in transcript.blocks[1:] if b.section is Section.TRANSCRIPTION]


def test_a_cue_starting_inside_bold_text_splits_the_bold_run_around_its_control():
    block = paragraph(text_run("Voici "), text_run("un mot important", strong=True), text_run("."))
    cues = timed([cue_at(0, 0, index=0), cue_at(0, 9, index=1)])
    doc = parse(render_video_page(make_transcript(block), cues, FILES))
    spans = doc.find_all("span", class_="cue")
    assert [s.find("strong").text() for s in spans] == ["un ", "mot important"]
    assert spans[1].children[0].attrs["class"] == "seek"


def test_a_cue_starting_inside_a_link_gets_its_control_before_the_link_not_inside_it():
    link = Inline(InlineKind.LINK, "le site officiel", href="https://example.org/")
    block = paragraph(text_run("Lisez "), link, text_run(" demain."))
    cues = timed([cue_at(0, 0, index=0), cue_at(0, 9, index=1)])
    doc = parse(render_video_page(make_transcript(block), cues, FILES))
    assert all(not any(a.tag == "a" for a in control.ancestors())
               for control in doc.find_all("a", class_="seek"))
    assert [a.text() for a in doc.find_all("a", href="https://example.org/")] == ["le site officiel"]


def test_a_cue_running_on_into_the_next_block_marks_its_words_there_too():
    blocks = (paragraph(text_run("Premier bloc")), paragraph(text_run("suite. Autre phrase.")))
    cues = timed([cue_at(0, 0, index=0), cue_at(1, 7, index=1)])
    doc = parse(render_video_page(make_transcript(*blocks), cues, FILES))
    second = doc.find("div", class_="transcript-text").find_all("p")[1]
    parts = second.find_all("span", class_="cue")
    assert [p.attrs["data-cue"] for p in parts] == ["0", "1"]
    assert parts[0].find_all("a") == [] and parts[0].text() == "suite. "


def test_a_cue_pointing_outside_the_transcript_is_a_typed_error():
    with pytest.raises(OutputError, match="block 5"):
        render_video_page(make_transcript(paragraph(text_run("Bonjour."))), timed([cue_at(5, 0)]),
                          FILES)


def test_lists_keep_their_nesting_kind_and_numbering():
    def item(value, level=1, ordered=False, number=None):
        return Block(BlockKind.LIST_ITEM, (text_run(value),), Section.TRANSCRIPTION, level=level,
                     ordered=ordered, number=number)

    transcript = make_transcript(
        item("a"), item("a.1", level=2), item("b"), paragraph(text_run("entre")),
        item("trois", ordered=True, number=3), item("quatre", ordered=True, number=4))
    doc = parse(render_video_page(transcript, [], FILES))
    body = doc.find("div", class_="transcript-text")
    items = [child for child in body.find("ul").children if not isinstance(child, str)]
    assert [li.text(skip={"ul"}) for li in items] == ["a", "b"]
    assert [li.text() for li in items[0].find("ul").find_all("li")] == ["a.1"]
    ordered = body.find("ol")
    assert ordered.attrs["start"] == "3" and len(ordered.find_all("li")) == 2


def test_speaker_turns_are_marked_visibly_and_in_words(sample):
    _, _, doc = sample
    turns = doc.find_all("p", class_="turn")
    assert len(turns) == 2
    for turn in turns:
        assert turn.find("span", class_="turn-mark").attrs["aria-hidden"] == "true"
        assert turn.find("span", class_="visually-hidden").text().startswith("Nouvelle prise de parole")


def test_transcript_markup_is_escaped_and_unsafe_links_become_text(sample):
    _, _, doc = sample
    assert len(doc.find_all("script")) == 1  # ours only
    body = doc.find("div", class_="transcript-text")
    assert '<script>alert("support")</script>' in body.text()
    hrefs = [a.attrs["href"] for a in body.find_all("a") if "seek" not in (a.attrs.get("class") or "")]
    assert hrefs == ["https://www.cnil.fr/fr/mots-de-passe-des-recommandations-de-securite-minimales-"
                     "pour-les-entreprises-et-les-particuliers", "mailto:securite@example.org"]


@pytest.mark.parametrize("href, expected", [
    ("https://example.org/a b", "https://example.org/a%20b"),
    ("mailto:a@example.org", "mailto:a@example.org"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,x", None),
    ("/relative/path", None),
    ("http:no-host", None),
])
def test_only_absolute_web_and_mail_links_are_kept(href, expected):
    assert safe_href(href) == expected


def test_an_unsafe_link_inside_the_transcript_is_rendered_as_its_text():
    block = paragraph(Inline(InlineKind.LINK, "cliquez", href="javascript:alert(1)"))
    doc = parse(render_video_page(make_transcript(block), [], FILES))
    body = doc.find("div", class_="transcript-text")
    assert body.find_all("a") == [] and body.text().strip() == "cliquez"


def test_control_characters_html_forbids_are_replaced():
    page = render_video_page(make_transcript(paragraph(text_run("a\x0bb\x85c"))), [], FILES)
    assert "a\ufffdb\ufffdc" in page


# --- downloads and credits ----------------------------------------------------------------


def test_downloads_link_the_caption_and_text_files_and_the_qa_timeline_only_when_given(sample):
    transcript, cues, doc = sample

    def downloads(page):
        return [a.attrs["href"] for a in page.find("section", class_="downloads").find_all("a")]

    assert downloads(doc) == ["sample.fr.vtt", "sample.fr.srt", "sample.fr.txt",
                              transcript.video_download_href]
    with_qa = parse(render_video_page(transcript, cues, replace(FILES, qa_svg="sample.qa.svg")))
    assert downloads(with_qa)[3] == "sample.qa.svg"
    untimed = parse(render_video_page(transcript, [], VideoFiles(txt="sample.fr.txt")))
    assert downloads(untimed) == ["sample.fr.txt", transcript.video_download_href]


def test_every_caption_format_a_build_writes_is_offered_typed_as_the_formats_say(sample, tmp_path):
    transcript, cues, _ = sample
    files = VideoFiles.of(OutputLayout(tmp_path).video("sample"), "fr", captions=True, qa_timeline=True)
    links = parse(render_video_page(transcript, cues, files)).find("section", class_="downloads").find_all("a")
    typed = [(a.attrs["href"], a.attrs.get("type"), a.text()) for a in links][:len(CAPTION_FORMATS) + 2]
    assert typed == [
        *((f"sample.fr.{fmt.extension}", fmt.mime_type, f"Sous-titres {fmt.name} (.{fmt.extension})")
          for fmt in CAPTION_FORMATS),
        ("sample.fr.txt", "text/plain", "Transcription en texte brut (.txt)"),
        ("sample.qa.svg", "image/svg+xml", "Frise de contrôle de la synchronisation (.svg)"),
    ]


def test_credits_and_licence_are_in_the_footer(sample):
    _, _, doc = sample
    footer = doc.find("footer")
    assert footer.find("h2").text() == "Crédits"
    licence = footer.find("a", href="https://creativecommons.org/licenses/by-nc-nd/4.0/deed.fr")
    assert licence.text() == "CC BY-NC-ND 4.0"
    assert "Crédits" not in doc.find("main").text()


def test_write_video_page_writes_slug_index_html(tmp_path):
    transcript = make_transcript(paragraph(text_run("Bonjour.")))
    path = write_video_page(transcript, [], FILES, OutputLayout(tmp_path))
    assert path == tmp_path / "t" / "index.html"
    assert path.read_text(encoding="utf-8") == render_video_page(transcript, [], FILES)


@pytest.mark.parametrize("slug", ["../evil", "", "a/b"])
def test_write_video_page_refuses_a_slug_that_leaves_the_output_folder(tmp_path, slug):
    transcript = replace(make_transcript(paragraph(text_run("Bonjour."))), slug=slug)
    with pytest.raises(OutputError, match="outside"):
        write_video_page(transcript, [], FILES, OutputLayout(tmp_path))


# --- times and URLs -----------------------------------------------------------------------


@pytest.mark.parametrize("seconds, shown, spoken", [
    (0, "00:00", "0 s"), (5.9, "00:05", "5 s"), (60, "01:00", "1 min"), (83.4, "01:23", "1 min 23 s"),
    (3723, "1:02:03", "1 h 2 min 3 s"), (3600, "1:00:00", "1 h"),
])
def test_times_are_shown_as_a_clock_and_spoken_in_french_units(seconds, shown, spoken):
    assert clock(seconds) == shown
    assert spoken_duration(seconds) == spoken


def test_embed_with_its_own_scope_is_driven_in_that_scope():
    player = player_for("https://h.example/videos/embed/abc?scope=mine&api=0", "fr")
    assert player.kind is PlayerKind.PEERTUBE and player.scope == "mine"
    assert parse_qs(urlsplit(player.src).query) == {"scope": ["mine"], "api": ["1"], "subtitle": ["fr"]}
    assert player.url_at(83.9) == "https://h.example/w/abc?start=83"


def test_no_video_url_means_no_player():
    assert player_for(None, "fr") is None and player_for("  ", "fr") is None


# --- properties ---------------------------------------------------------------------------

_words = st.text(alphabet=st.sampled_from("abcé <>&\"'"), min_size=1, max_size=12)
_runs = st.lists(st.tuples(_words, st.sampled_from(["text", "strong", "em", "link"])),
                 min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(_runs, st.data())
def test_any_split_keeps_the_text_the_order_and_one_control_per_cue(runs, data):
    inlines = tuple(
        Inline(InlineKind.LINK, value, href="https://example.org/") if kind == "link"
        else text_run(value, strong=kind == "strong", emphasis=kind == "em")
        for value, kind in runs)
    block = paragraph(*inlines)
    offsets = sorted(data.draw(st.lists(st.integers(0, len(block.text)), min_size=1, max_size=5)))
    cues = timed([cue_at(0, o, index=n) for n, o in enumerate(offsets)])
    doc = parse(render_video_page(make_transcript(block), cues, FILES))  # parse() checks nesting
    body = doc.find("div", class_="transcript-text")
    assert body.find("p").text(skip={"seek"}) == block.text
    controls = body.find_all("a", class_="seek")
    assert [float(c.attrs["data-start"]) for c in controls] == [pytest.approx(c.start) for c in cues]
    assert all(not any(a.tag == "a" for a in c.ancestors()) for c in controls)


# --- index --------------------------------------------------------------------------------


def entry(slug, area, status="ok", **fields) -> IndexEntry:
    return IndexEntry(slug=slug, title=fields.pop("title", slug.title()), area=area, status=status,
                      page_href=fields.pop("page_href", f"{slug}/index.html"), **fields)


def test_index_groups_videos_by_area_in_natural_order_with_others_last():
    doc = parse(render_index([
        entry("z", None), entry("b", "Domaine 10"), entry("a", "Domaine 2"),
        entry("c", "Webinaires"), entry("d", "Domaine 2", title="Avant"),
    ]))
    groups = doc.find_all("section", class_="area-group")
    assert [g.find("h2").text() for g in groups] == ["Domaine 2", "Domaine 10", "Webinaires", "Autres"]
    assert [h.text() for h in groups[0].find_all("h3")] == ["A", "Avant"]
    nav = doc.find("nav")
    targets = [f"#{group.find('h2').attrs['id']}" for group in groups]
    assert [a.attrs["href"] for a in nav.find_all("a")] == targets


def test_index_states_each_status_in_words_and_links_only_written_pages():
    doc = parse(render_index([
        entry("ok", "D", cue_count=12, duration=200),
        entry("ko", "D", status="failed", message="t.md: no spoken text", page_href=None),
        entry("pdf", "D", status="skipped", message="no video"),
    ]))
    items = {li.find("h3").text(): li for li in doc.find_all("li", class_="video")}
    assert items["Ok"].find("p", class_="status").text().endswith("Statut : Prêt")
    assert items["Ok"].find("p", class_="facts").text() == "durée 3 min 20 s, 12 sous-titres"
    assert items["Ko"].find("p", class_="status").text().endswith("Statut : Échec")
    assert items["Ko"].find_all("a") == []
    assert items["Ko"].find("p", class_="message").text() == "t.md: no spoken text"
    assert items["Pdf"].find("p", class_="status").text().endswith("Statut : Ignoré")
    assert "3 vidéos." in doc.find("header").text()


def test_index_escapes_titles_and_messages():
    page = render_index([entry("x", "<b>", title="<script>x</script>", message="<i>")])
    doc = parse(page)
    assert doc.find_all("script") == [] and doc.find_all("b") == [] and doc.find_all("i") == []
    assert doc.find("h3").text() == "<script>x</script>"


def test_index_entries_from_results_link_pages_that_exist(tmp_path):
    (tmp_path / "fait").mkdir()
    (tmp_path / "fait" / "index.html").write_text("x")
    results = [
        SimpleNamespace(transcript="in/fait.md", slug="fait", title="Fait", area="D", status="ok",
                        error=None, cues=SimpleNamespace(count=3), media_duration=12.5),
        SimpleNamespace(transcript="/srv/in/rate.md", slug=None, title=None, area=None,
                        status="failed", error="/srv/in/rate.md: bad YAML",
                        cues=SimpleNamespace(count=0), media_duration=None),
    ]
    entries = index_entries_from_results(results, OutputLayout(tmp_path))
    assert entries == [
        IndexEntry("fait", "Fait", "D", "ok", None, "fait/index.html", 3, 12.5),
        IndexEntry("rate", "rate", None, "failed", "rate.md: bad YAML", None, 0, None),
    ]
    path = write_index(entries, OutputLayout(tmp_path))
    assert path == tmp_path / "index.html" and "Fait" in path.read_text(encoding="utf-8")


def test_the_index_lists_an_unchanged_video_exactly_as_a_rebuilt_one(tmp_path):
    from subtitler.html import index_entries_from_results
    from subtitler.results import Status, VideoResult

    rebuilt = VideoResult(transcript="a.md", slug="a", status=Status.OK, title="A")
    unchanged = VideoResult(transcript="a.md", slug="a", status=Status.UNCHANGED, title="A")
    assert index_entries_from_results([rebuilt], OutputLayout(tmp_path)) == index_entries_from_results([unchanged], OutputLayout(tmp_path))
