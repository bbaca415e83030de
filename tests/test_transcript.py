"""Loading transcripts: structure kept from the Markdown, sections, front matter, validation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subtitler.errors import TranscriptError
from subtitler.model import BlockKind, Inline, InlineKind, NotSpoken, Section
from subtitler.sentences import split_sentences
from subtitler.transcript import MAX_TRANSCRIPT_BYTES, load_transcript, slug_for, slugify

HEADER = "---\ntitle: Titre\nvideoEmbedSrc: https://tube.exemple.org/videos/embed/x\n---\n\n"


@pytest.fixture(scope="module")
def structure(fixtures_dir: Path):
    return load_transcript(fixtures_dir / "transcripts" / "structure.md")


@pytest.fixture(scope="module")
def quirks(fixtures_dir: Path):
    return load_transcript(fixtures_dir / "transcripts" / "quirks.md")


def write(tmp_path: Path, content: str | bytes, name: str = "video.md") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def block_with(transcript, text: str):
    return next(block for block in transcript.blocks if block.text.startswith(text))


# --- structure ----------------------------------------------------------------------------


def test_front_matter_values_become_fields(structure):
    assert structure.slug == "structure"
    assert structure.title == "Un tutoriel complet"
    assert structure.description == "Une description."
    assert structure.area == "Domaine 1"
    assert structure.video_embed_src == "https://tube.exemple.org/videos/embed/abc"
    assert structure.video_download_href == "https://tube.exemple.org/download/abc.mp4"
    assert structure.lang == "fr"
    assert structure.metadata["area"] == "Domaine 1"
    assert structure.warnings == ()


def test_headings_keep_their_level(structure):
    headings = [(b.level, b.text) for b in structure.blocks if b.kind is BlockKind.HEADING]
    assert headings == [
        (1, "Un tutoriel complet"),
        (2, "Transcription"),
        (3, "Première partie"),
        (2, "Crédits"),
        (2, "Annexe"),
    ]


def test_sections_follow_the_transcription_and_credits_headings(structure):
    sections = [(b.section, b.text[:20]) for b in structure.blocks]
    assert sections[0] == (Section.PREAMBLE, "Un tutoriel complet")
    assert sections[1] == (Section.PREAMBLE, "Texte d'introduction")
    assert block_with(structure, "Première partie").section is Section.TRANSCRIPTION
    assert block_with(structure, "Production").section is Section.CREDITS
    assert block_with(structure, "Annexe").section is Section.OTHER
    assert block_with(structure, "Un texte hors").section is Section.OTHER


def test_only_transcription_text_is_spoken(structure):
    spoken = [block.text for _, block in structure.spoken_blocks]
    assert spoken[0].startswith("Bonjour, je suis Marie")
    assert spoken[-1] == '<script>alert("x")</script> reste du texte.'
    assert "Première partie" not in spoken
    assert not any("Réseau Canopé" in text for text in spoken)


def test_bold_emphasis_and_links_are_flattened_runs(structure):
    inlines = block_with(structure, "Bonjour, je suis").inlines
    assert Inline(InlineKind.TEXT, "Marie", strong=True) in inlines
    assert Inline(InlineKind.TEXT, "un lien", emphasis=True) in inlines
    assert Inline(InlineKind.LINK, "vers Pix", href="https://pix.fr") in inlines


def test_a_bold_link_is_a_link_run_marked_strong(structure):
    inlines = block_with(structure, "Cliquez sur").inlines
    assert (
        Inline(InlineKind.LINK, "Paramètres", href="https://exemple.fr/parametres", strong=True)
        in inlines
    )


def test_autolinks_to_mail_and_web_addresses(structure):
    inlines = block_with(structure, "Bonjour, je suis").inlines
    assert Inline(InlineKind.LINK, "contact@pix.fr", href="mailto:contact@pix.fr") in inlines
    assert Inline(InlineKind.LINK, "https://pix.fr/aide", href="https://pix.fr/aide") in inlines


def test_soft_line_break_is_a_space(structure):
    assert "(https://pix.fr)" not in block_with(structure, "Bonjour").text
    assert "vers Pix. Écrivez à contact@pix.fr" in block_with(structure, "Bonjour").text


def test_hard_line_break_is_kept(structure):
    block = block_with(structure, "Une autre personne parle.")
    assert [run.kind for run in block.inlines] == [
        InlineKind.TEXT,
        InlineKind.LINE_BREAK,
        InlineKind.TEXT,
    ]
    assert block.text == "Une autre personne parle. Avec un saut de ligne."


def test_escaped_dash_marks_a_speaker_turn_and_is_removed(structure):
    block = block_with(structure, "Une autre personne parle.")
    assert block.speaker_turn
    assert not block_with(structure, "Bonjour, je suis").speaker_turn


def test_ordered_list_items_carry_their_number(structure):
    first = block_with(structure, "Ouvrez le menu.")
    second = block_with(structure, "Cliquez sur")
    assert (first.kind, first.ordered, first.number, first.level) == (
        BlockKind.LIST_ITEM,
        True,
        3,
        1,
    )
    assert (second.ordered, second.number) == (True, 4)


def test_nested_list_items_carry_their_depth(structure):
    nested = block_with(structure, "Une sous-puce.")
    top = block_with(structure, "Une puce.")
    assert (nested.kind, nested.level, nested.ordered, nested.number) == (
        BlockKind.LIST_ITEM,
        2,
        False,
        None,
    )
    assert top.level == 1


def test_raw_html_stays_text(structure):
    block = block_with(structure, "<script>")
    assert block.inlines == (
        Inline(InlineKind.TEXT, '<script>alert("x")</script> reste du texte.'),
    )


def test_speaker_turn_with_a_space_after_the_dash(tmp_path):
    transcript = load_transcript(
        write(tmp_path, HEADER + "# Transcription\n\n\\- **Marie** : bonjour.\n")
    )
    block = transcript.spoken_blocks[0][1]
    assert block.speaker_turn
    assert block.inlines[0] == Inline(InlineKind.TEXT, "Marie", strong=True)


def test_a_dash_in_the_middle_is_no_turn(tmp_path):
    transcript = load_transcript(write(tmp_path, HEADER + "# Transcription\n\nUn \\- tiret.\n"))
    assert not transcript.spoken_blocks[0][1].speaker_turn
    assert transcript.spoken_blocks[0][1].text == "Un - tiret."


def test_lines_starting_with_a_space_and_heading_variants(quirks):
    assert quirks.blocks[0].text == "TRANSCRIPTION :"
    assert quirks.blocks[0].section is Section.TRANSCRIPTION
    assert quirks.blocks[1].text == "Une ligne qui commence par une espace. Et sa suite."
    assert quirks.blocks[2].text == "Crédit"
    assert quirks.blocks[3].section is Section.CREDITS


@pytest.mark.parametrize(
    "heading",
    ["# Transcription", "## transcription", "### TRANSCRIPTION :", "## Transcriptión"],
    ids=["h1", "lowercase", "uppercase-colon", "stray-accent"],
)
def test_transcription_heading_variants(tmp_path, heading):
    transcript = load_transcript(write(tmp_path, HEADER + f"{heading}\n\nBonjour.\n"))
    assert [b.text for _, b in transcript.spoken_blocks] == ["Bonjour."]


@pytest.mark.parametrize("heading", ["## Crédits", "# Crédit", "## Credits", "## CRÉDITS"])
def test_credits_heading_variants(tmp_path, heading):
    transcript = load_transcript(
        write(tmp_path, HEADER + f"## Transcription\n\nBonjour.\n\n{heading}\n\nEquipe.\n")
    )
    assert transcript.blocks[-1].section is Section.CREDITS


def test_a_subheading_of_the_credits_stays_in_the_credits(tmp_path):
    source = (
        HEADER + "## Transcription\n\nBonjour.\n\n## Crédits\n\n### Son\n\nA.\n\n# Autre\n\nB.\n"
    )
    sections = [b.section for b in load_transcript(write(tmp_path, source)).blocks]
    assert sections[-4:] == [Section.CREDITS, Section.CREDITS, Section.OTHER, Section.OTHER]


def test_no_transcription_heading_takes_the_body_before_the_credits(tmp_path):
    source = HEADER + "Bonjour à tous.\n\n\\-Bonjour.\n\n## Crédits\n\n- Équipe\n"
    transcript = load_transcript(write(tmp_path, source))
    assert [b.text for _, b in transcript.spoken_blocks] == ["Bonjour à tous.", "Bonjour."]
    assert transcript.blocks[-1].section is Section.CREDITS
    assert any("no 'Transcription' heading" in w for w in transcript.warnings)


def test_indented_code_block_is_kept_as_code(tmp_path):
    transcript = load_transcript(write(tmp_path, HEADER + "# Transcription\n\n    du code\n"))
    assert transcript.spoken_blocks[0][1].inlines == (Inline(InlineKind.CODE, "du code"),)


def test_windows_line_ends_and_byte_order_mark(tmp_path):
    source = "\ufeff" + (HEADER + "## Transcription\n\nBonjour.\n").replace("\n", "\r\n")
    transcript = load_transcript(write(tmp_path, source))
    assert transcript.title == "Titre"
    assert [b.text for _, b in transcript.spoken_blocks] == ["Bonjour."]


# --- slug and language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("les-lieux-d-echange", "les-lieux-d-echange"),
        ("L'École Numérique", "l-ecole-numerique"),
        ("Cœur_et_âme  2024", "coeur-et-ame-2024"),
        ("--déjà--vu--", "deja-vu"),
        ("œuvres.v2", "oeuvres-v2"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_slug_comes_from_the_file_stem(tmp_path):
    transcript = load_transcript(
        write(tmp_path, HEADER + "# Transcription\n\nA.\n", name="Mon Tuto À Moi.md")
    )
    assert transcript.slug == "mon-tuto-a-moi"


def test_a_name_without_letters_or_digits_is_refused(tmp_path):
    path = write(tmp_path, HEADER + "# Transcription\n\nA.\n", name="«—».md")
    with pytest.raises(TranscriptError, match="empty slug"):
        load_transcript(path)
    with pytest.raises(TranscriptError, match="empty slug"):
        slug_for(path)


@pytest.mark.parametrize(
    ("written", "lang"),
    [(None, "fr"), ("fr", "fr"), ("FR-ca", "fr-ca"), ("en", "en"), ("gsw", "gsw")],
)
def test_language_tag(tmp_path, written, lang):
    line = f"lang: {written}\n" if written else ""
    source = f"---\ntitle: T\n{line}---\n\n# Transcription\n\nA.\n"
    assert load_transcript(write(tmp_path, source)).lang == lang


# --- warnings -------------------------------------------------------------------------------


def test_key_missing_the_space_after_its_colon_suggests_the_fix(quirks):
    assert quirks.description is None
    message = next(w for w in quirks.warnings if "description:" in w)
    assert "missing a space after 'description:'" in message
    assert not any("no 'description'" in w for w in quirks.warnings)


def test_unknown_key_suggests_a_close_known_key(quirks):
    assert (
        "unknown front matter key 'tilte' (did you mean 'title'?); it is ignored" in quirks.warnings
    )


def test_empty_caption_path_and_priority_are_known_keys(quirks):
    assert not any("captionFilePath" in w or "priority" in w for w in quirks.warnings)


def test_no_video_url_is_a_warning(quirks):
    assert any(w.startswith("no video URL") for w in quirks.warnings)


def test_empty_description_is_a_warning(fixtures_dir):
    transcript = load_transcript(fixtures_dir / "transcripts" / "webinar.md")
    assert transcript.description is None
    assert transcript.warnings == ("empty 'description' in the front matter",)


def test_missing_description_is_a_warning(tmp_path):
    transcript = load_transcript(write(tmp_path, HEADER + "# Transcription\n\nA.\n"))
    assert transcript.warnings == ("no 'description' in the front matter",)


def test_warnings_are_one_line_each(quirks):
    assert quirks.warnings and all("\n" not in w for w in quirks.warnings)


# --- errors ---------------------------------------------------------------------------------

TRANSCRIPTION = "# Transcription\n\nBonjour.\n"

INVALID = {
    "not-utf8": (
        b"---\ntitle: Caf\xe9\n---\n\n# Transcription\n\nA.\n",
        r"not UTF-8 text: byte 0xe9 at offset 14 \(line 2\)",
    ),
    "binary-png": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        r"not UTF-8 text: byte 0x89 at offset 0",
    ),
    "nul-bytes": (b"---\x00\x00\x00", r"not a Markdown transcript: NUL byte at offset 3"),
    "no-front-matter": ("# Transcription\n\nBonjour.\n", r"no YAML front matter"),
    "toml-front-matter": ('+++\ntitle = "T"\n+++\n', r"no YAML front matter"),
    "unclosed-front-matter": ("---\ntitle: T\n\n# Transcription\n", r"front matter is not closed"),
    "broken-yaml": (
        "---\ntitle: T\ndescription: a: b\n---\n" + TRANSCRIPTION,
        r"broken YAML front matter at line 3: mapping values are not allowed",
    ),
    "broken-yaml-quote": (
        '---\ntitle: T\n\n\narea: "open\n---\n' + TRANSCRIPTION,
        r"broken YAML front matter at line 6: found unexpected end of stream"
        r" \(while scanning a quoted scalar, started at line 5\)",
    ),
    "front-matter-list": (
        "---\n- title\n- b\n---\n" + TRANSCRIPTION,
        r"front matter is a list, not a mapping",
    ),
    "front-matter-text": (
        "---\njuste du texte\n---\n" + TRANSCRIPTION,
        r"front matter is text, not a mapping",
    ),
    "missing-title": (
        "---\ndescription: D\n---\n" + TRANSCRIPTION,
        r"missing 'title' in the front matter",
    ),
    "empty-front-matter": ("---\n---\n" + TRANSCRIPTION, r"missing 'title' in the front matter"),
    "empty-title": ("---\ntitle:   \n---\n" + TRANSCRIPTION, r"empty 'title' in the front matter"),
    "title-is-a-list": (
        "---\ntitle: [a, b]\n---\n" + TRANSCRIPTION,
        r"'title' must be text, not a list",
    ),
    "bad-lang": (
        "---\ntitle: T\nlang: français\n---\n" + TRANSCRIPTION,
        r"'lang' must be a language tag",
    ),
    "script-video-url": (
        "---\ntitle: T\nvideoEmbedSrc: javascript:alert(1)\n---\n" + TRANSCRIPTION,
        r"'videoEmbedSrc' is not an http\(s\) URL: 'javascript:alert\(1\)'",
    ),
    "empty-body": ("---\ntitle: T\n---\n", r"no transcription: no 'Transcription' heading"),
    "pdf-document": ("---\ntitle: T\nfileType: PDF\n---\n", r"a PDF document, not a video: nothing to caption"),
    "only-credits": ("---\ntitle: T\n---\n\n## Crédits\n\nÉquipe.\n", r"no transcription"),
    "empty-transcription": (
        "---\ntitle: T\n---\n\n## Transcription\n\n## Crédits\n\nÉquipe.\n",
        r"no spoken text under the 'Transcription' heading",
    ),
    "only-headings-in-transcription": (
        "---\ntitle: T\n---\n\n## Transcription\n\n### Partie 1\n",
        r"no spoken text under the 'Transcription' heading",
    ),
}


@pytest.mark.parametrize(("content", "expected"), INVALID.values(), ids=INVALID.keys())
def test_invalid_file_is_refused_with_a_one_line_message(tmp_path, content, expected):
    path = write(tmp_path, content)
    with pytest.raises(TranscriptError, match=expected) as caught:
        load_transcript(path)
    assert caught.value.path == path
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_a_huge_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:
        handle.truncate(20_000_000)  # sparse: its size is known instantly, its content never read
    started = time.perf_counter()
    with pytest.raises(TranscriptError, match=r"file is 20.0 MB, over the 5 MB limit"):
        load_transcript(path)
    assert time.perf_counter() - started < 0.5
    assert MAX_TRANSCRIPT_BYTES == 5_000_000


@pytest.mark.parametrize(
    "make", [lambda p: p / "absent.md", lambda p: p], ids=["missing", "directory"]
)
def test_missing_file_or_directory_is_refused(tmp_path, make):
    path = make(tmp_path)
    with pytest.raises(TranscriptError, match=r"cannot read the file|not a regular file") as caught:
        load_transcript(path)
    assert caught.value.path == path


# --- the real corpus ------------------------------------------------------------------------

# Files of the corpus that have nothing to caption: three PDF fiches (front matter only) and
# two videos whose "## Transcription" section is empty.
REFUSED = {
    "icone-de-la-messagerie",
    "impact-environnemental",
    "quelle-adresse-mail-choisir",
    "outils-numeriques-en-etablissement-connaitre-son-environnement-de-travail",
    "presentation-attestation-sensibilisation-sixieme",
}


def test_corpus_loads_without_crashing(corpus_files):
    loaded, refused = [], {}
    for path in corpus_files:
        try:
            loaded.append(load_transcript(path))
        except TranscriptError as error:
            refused[path.stem] = error.message
    blocks = sum(len(t.blocks) for t in loaded)
    spoken = sum(len(t.spoken_blocks) for t in loaded)
    sentences = sum(len(split_sentences(t)) for t in loaded)
    warnings = sum(len(t.warnings) for t in loaded)
    print(
        f"files={len(corpus_files)} loaded={len(loaded)} refused={len(refused)} blocks={blocks}"
        f" spoken_blocks={spoken} sentences={sentences} warnings={warnings}"
    )
    assert len(corpus_files) == 106
    assert set(refused) == REFUSED
    assert all(
        m.startswith(("no transcription", "no spoken text", "a PDF document")) for m in refused.values()
    )
    assert len({t.slug for t in loaded}) == len(loaded)
    assert blocks > 8000 and sentences > 8000  # 830 speaker labels and title lines are not spoken
    assert warnings == 6


def test_corpus_quirks(corpus_dir):
    garbled = load_transcript(
        corpus_dir
        / "sixieme"
        / "identifier-des-situations-d-arnaque-par-manipulation-psychologique.md"
    )
    assert any("missing a space after 'description:'" in w for w in garbled.warnings)
    no_heading = load_transcript(
        corpus_dir / "edu" / "le-developpement-des-competences-numeriques-des-eleves.md"
    )
    label = next(b for b in no_heading.blocks if b.section is Section.TRANSCRIPTION)
    assert (label.text, label.not_spoken) == ("Mélinée Chanard.", NotSpoken.SPEAKER_LABEL)
    first = no_heading.spoken_blocks[0][1]
    assert first.speaker_turn and first.speaker == "Mélinée Chanard"
    assert no_heading.blocks[-1].section is Section.CREDITS
    mail = load_transcript(
        corpus_dir / "edu" / "communiquer-par-voie-numerique-aupres-de-la-communaute-educative.md"
    )
    assert any(
        run.href == "mailto:dpd@ac-lyon.fr"
        for _, block in mail.spoken_blocks
        for run in block.inlines
    )


# --- any input: a Transcript or a one-line TranscriptError, never a crash ---------------------

MARKDOWN_PIECES = st.sampled_from(
    [
        "# ",
        "## Transcription\n",
        "## Crédits\n",
        "---\n",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "   ",
        "    ",
        "\\-",
        "**",
        "*",
        "_",
        "[",
        "](",
        ")",
        "<",
        ">",
        "https://pix.fr",
        "a@b.fr",
        "`",
        "> ",
        "title: ",
        ":",
        "Bonjour",
        "é",
        "\t",
        "\r\n",
        "\x00",
        "\ufeff",
        "&amp;",
    ]
)
FILES = st.lists(MARKDOWN_PIECES, max_size=30).map("".join)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200, deadline=None
)
@given(source=st.one_of(FILES, FILES.map(lambda body: HEADER + body)))
def test_any_file_loads_or_is_refused_in_one_line(tmp_path, source):
    path = write(tmp_path, source)
    try:
        transcript = load_transcript(path)
    except TranscriptError as error:
        assert error.path == path and "\n" not in str(error)
        return
    assert any(block.spoken for block in transcript.blocks)
    assert all(block.text.strip() for block in transcript.blocks)
    assert all("\n" not in warning for warning in transcript.warnings)


def test_a_document_that_is_not_a_video_is_nothing_to_caption(tmp_path):
    from subtitler.errors import NothingToCaption

    path = tmp_path / "fiche.md"
    path.write_text("---\ntitle: Une fiche\nfileType: PDF\n---\n", encoding="utf-8")
    with pytest.raises(NothingToCaption):
        load_transcript(path)


def test_lang_defaults_to_the_configured_language(tmp_path):
    path = tmp_path / "video.md"
    path.write_text("---\ntitle: T\n---\n# Transcription\n\nHello there.\n", encoding="utf-8")
    assert load_transcript(path).lang == "fr"
    assert load_transcript(path, "en").lang == "en"
    path.write_text("---\ntitle: T\nlang: fr-CA\n---\n# Transcription\n\nBonjour.\n", encoding="utf-8")
    assert load_transcript(path, "en").lang == "fr-CA"


# --- lines that are not speech (decided from the corpus, see transcript._mark_not_spoken) ----


def body(tmp_path, text: str, title: str = "Titre"):
    source = HEADER.replace("title: Titre", f"title: {title}") + "## Transcription\n\n" + text
    return load_transcript(write(tmp_path, source))


def reasons(transcript) -> list[tuple[str, str | None]]:
    return [(b.text, b.not_spoken and b.not_spoken.value) for b in transcript.blocks
            if b.section is Section.TRANSCRIPTION and b.kind is not BlockKind.HEADING]


def test_the_webinar_header_is_not_spoken(tmp_path):
    transcript = body(tmp_path, "EP102\n\n**Le travail en équipe : un levier**\n\nTranscription\n\n"
                      "Bonjour à tous.\n", title="Le travail en équipe un levier")
    assert reasons(transcript) == [
        ("EP102", "header"),
        ("Le travail en équipe : un levier", "video-title"),
        ("Transcription", "transcription-line"),
        ("Bonjour à tous.", None),
    ]


def test_the_title_is_left_out_only_in_bold(tmp_path):
    transcript = body(tmp_path, "Le droit d'auteur\n\n**Le droit d'auteur**\n\nSuite.\n",
                      title="Le droit d'auteur")
    assert [r for _, r in reasons(transcript)] == [None, "video-title", None]


def test_speaker_labels_name_the_turn_they_open(tmp_path):
    transcript = body(tmp_path, "Mélinée Chanard, Réseau Canopé.\n\n\\-Bonjour à tous.\n\n"
                      "Suite du même tour.\n\n"
                      '"Les questions-réponses" Benjamin Thily, médiateur numérique.\n\n'
                      "\\-Première question.\n\nOzlem Gundag, puis Cécile Le Chevalier.\n\n"
                      "\\-Oui.\n\nUne lycéenne.\n\n\\-Moi aussi.\n")
    spoken = [(b.text, b.speaker_turn, b.speaker) for _, b in transcript.spoken_blocks]
    assert spoken == [
        ("Bonjour à tous.", True, "Mélinée Chanard"),
        ("Suite du même tour.", False, None),
        ("Première question.", True, "Benjamin Thily"),
        ("Oui.", True, "Ozlem Gundag"),
        ("Moi aussi.", True, "Une lycéenne"),
    ]
    sentences = split_sentences(transcript)
    assert [s.speaker for s in sentences] == [
        "Mélinée Chanard", "Mélinée Chanard", "Benjamin Thily", "Ozlem Gundag", "Une lycéenne"]


def test_a_repeated_label_opens_a_turn_the_author_did_not_mark(tmp_path):
    transcript = body(tmp_path, "Béatrice Lamboy, conseillère scientifique.\n\n\\-Oui.\n\n"
                      "Et vous ?\n\nBéatrice Lamboy, conseillère scientifique.\n\n"
                      "C'est important.\n")
    last = transcript.spoken_blocks[-1][1]
    assert (last.text, last.speaker_turn, last.speaker) == (
        "C'est important.", True, "Béatrice Lamboy")


@pytest.mark.parametrize(
    "speech",
    [
        "Dorie, peut-être.",  # a call
        "François Miquet, bonjour.",  # a greeting
        "Une communauté.",  # an answer, not a kind of speaker
        '"Comètes."',  # a quoted word read aloud
        '"Comment faites-vous ?"',  # a question that may be read aloud
        "Alors, pour commencer, je vous propose une immersion.",
        "Voilà.",
        "Rue du Leubuhl, soixante-sept, six cent cinquante Dambach-la-Ville.",  # an address
        "L'enseignant, en récupérant ces données-là, peut proposer un réajustement.",
    ],
)
def test_speech_before_a_turn_stays_speech(tmp_path, speech):
    transcript = body(tmp_path, f"Intro.\n\n{speech}\n\n\\-Réponse.\n")
    assert speech.strip() in [b.text for _, b in transcript.spoken_blocks]
