"""`subtitler publish --site`: captions of self-hosted videos written into the site's public
folder, and captionFilePath filled in the transcript, on copies of the real corpus."""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from fake_peertube import FakePeerTube
from subtitler import __version__, incremental
from subtitler.errors import UsageError
from subtitler.layout import OutputLayout
from subtitler.pipeline import BuildOptions
from subtitler.results import Status, VideoResult
from subtitler.publish.captions import cues_from_vtt
from subtitler.publish.cli import add_publish_parser, run_publish
from subtitler.publish.compare import caption_figures
from subtitler.caption_path import caption_file_path, set_caption_file_path, without_caption_file_path
from subtitler.errors import FrontMatterError

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
STAMP = "20270115T080000Z"
CAPTION = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.500\nBonjour à tous.\n\n"
           "2\n00:00:03.600 --> 00:00:06.000\nAujourd’hui\u00a0:\nles mots de passe.\n")
HAND_MADE = ("Interagir_avec_une_visualisation.vtt", "Parametrer_une_datavisualisation.vtt", "Trier_des_donnees.vtt",
             "Un_pseudo_pourquoi_faire.vtt")
PDFS = ("icone-de-la-messagerie", "impact-environnemental", "quelle-adresse-mail-choisir")
NO_TEXT = "presentation-attestation-sensibilisation-sixieme"  # its Transcription section is empty: no build


def record_build(video_dir: Path, transcript: Path, caption: str = CAPTION) -> None:
    """What a successful build leaves: the caption and the manifest (hashes of both)."""
    name = f"{video_dir.name}.fr.vtt"
    video_dir.mkdir(parents=True, exist_ok=True)
    (video_dir / name).write_text(caption, encoding="utf-8")
    key = incremental.build_key(transcript, None, BuildOptions().fingerprint(), __version__, None)
    incremental.record(OutputLayout(video_dir.parent).video(video_dir.name), key, VideoResult(str(transcript), video_dir.name, Status.OK, outputs=(name,)))


class Catalogue:
    """Copies of sixieme/ and mednum/, their builds, and a site folder holding the hand-made
    captions where the real site has them (public/captions/mednum/)."""

    def __init__(self, root: Path, corpus: Path) -> None:
        self.root = root
        self.transcripts = root / "transcripts"
        self.out = root / "output"
        self.site = root / "public"
        self.originals: dict[Path, bytes] = {}
        for area in ("sixieme", "mednum"):
            shutil.copytree(corpus / area, self.transcripts / area)
        for path in sorted(self.transcripts.rglob("*.md")):
            self.originals[path] = path.read_bytes()
            if path.stem not in (*PDFS, NO_TEXT):
                record_build(self.out / path.stem, path)
        (self.site / "captions" / "mednum").mkdir(parents=True)
        for name in HAND_MADE:
            shutil.copy(corpus / "captions" / name, self.site / "captions" / "mednum" / name)
        self.env = {"XDG_CONFIG_HOME": str(root / "config"), "XDG_CACHE_HOME": str(root / "cache")}

    def run(self, *options: str, inputs: tuple[Path, ...] = ()) -> int:
        parser = argparse.ArgumentParser(prog="subtitler")
        add_publish_parser(parser.add_subparsers(dest="command"))
        paths = [str(p) for p in inputs] or [str(self.transcripts)]
        args = parser.parse_args(["publish", *paths, "-o", str(self.out), *options])
        return run_publish(args, env=self.env, clock=lambda: NOW)

    def transcript(self, slug: str) -> Path:
        return next(self.transcripts.rglob(f"{slug}.md"))

    def report(self) -> dict:
        return json.loads((self.out / "publish-report.json").read_text(encoding="utf-8"))

    def entry(self, slug: str) -> dict:
        return next(v for v in self.report()["videos"] if v["slug"] == slug)


@pytest.fixture
def catalogue(tmp_path, corpus_dir) -> Catalogue:
    return Catalogue(tmp_path, corpus_dir)


def _sixieme(catalogue: Catalogue) -> list[Path]:
    """The 6 sixieme transcripts with a text (the 7th has none, so nothing to build or publish)."""
    return sorted(p for p in (catalogue.transcripts / "sixieme").glob("*.md") if p.stem != NO_TEXT)


def _differing_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b) if x != y]


# -- the front matter edit ----------------------------------------------------------------------------


def test_only_the_caption_file_path_line_changes_on_all_14_corpus_files(catalogue):
    """Byte for byte outside that line, whatever the file's quirks (the odd description:Hameçonnage
    line, empty values, key order): on the 11 videos the line is filled or replaced; the 3 PDF
    entries, with no video, are refused and left alone."""
    assert len(catalogue.originals) == 14
    for path, original in catalogue.originals.items():
        if path.stem in PDFS:
            with pytest.raises(FrontMatterError, match="no videoEmbedSrc line"):
                set_caption_file_path(original, "/captions/mednum/x.vtt")
            continue
        edited = set_caption_file_path(original, f"/captions/test/{path.stem}.vtt")
        [(old, new)] = _differing_lines(original, edited)
        assert old.startswith(b"captionFilePath:") and new == f"captionFilePath: /captions/test/{path.stem}.vtt\n".encode()
        assert without_caption_file_path(edited) == without_caption_file_path(original)
        assert caption_file_path(edited) == f"/captions/test/{path.stem}.vtt"


def test_a_missing_entry_is_added_right_after_video_embed_src_with_its_line_ending():
    data = ("---\r\ntitle: Titre\r\nvideoEmbedSrc: https://v.example/a.mp4\r\ndescription:Hameçonnage : x\r\n"
            "---\r\n\r\n## Transcription\r\n\r\nBonjour.\r\n").encode()
    edited = set_caption_file_path(data, "/captions/a/a.vtt")
    assert edited == data.replace(b"a.mp4\r\n", b"a.mp4\r\ncaptionFilePath: /captions/a/a.vtt\r\n")


def test_an_entry_continued_on_indented_lines_is_replaced_whole_and_odd_paths_are_quoted():
    data = b"\xef\xbb\xbf---\ntitle: T\nvideoEmbedSrc: https://v.example/a.mp4\ncaptionFilePath:\n  /old/path.vtt\npriority: 0\n---\nx\n"
    edited = set_caption_file_path(data, "/captions/a/été: 1 #2.vtt")
    assert edited == data.replace(b"captionFilePath:\n  /old/path.vtt\n",
                                  '"captionFilePath: "/captions/a/été: 1 #2.vtt"\n'.encode()[1:])
    front = yaml.safe_load(edited.decode("utf-8-sig").split("---")[1])
    assert front["captionFilePath"] == "/captions/a/été: 1 #2.vtt" and front["priority"] == 0


def test_setting_the_same_value_leaves_the_bytes_alone_and_two_entries_are_refused():
    data = b"---\ntitle: T\nvideoEmbedSrc: https://v.example/a.mp4\ncaptionFilePath: '/c/a.vtt'\n---\nx\n"
    assert set_caption_file_path(data, "/c/a.vtt") is data
    with pytest.raises(FrontMatterError, match="more than once"):
        set_caption_file_path(data.replace(b"---\nx", b"captionFilePath: /c/b.vtt\n---\nx"), "/c/c.vtt")


# -- publish --site on the real corpus ------------------------------------------------------------------


def test_the_sixieme_captions_are_written_where_the_site_serves_them_and_captionfilepath_filled(catalogue, capsys):
    assert catalogue.run("--site", str(catalogue.site)) == 1  # the transcript without text fails, the rest go on

    out, err = capsys.readouterr()
    for path in _sixieme(catalogue):
        stem = yaml.safe_load(catalogue.originals[path].split(b"---")[1])["videoEmbedSrc"].rsplit("/", 1)[1][:-4]
        target = catalogue.site / "captions" / "sixieme" / f"{stem}.vtt"
        assert target.read_text(encoding="utf-8") == CAPTION
        [(old, new)] = _differing_lines(catalogue.originals[path], path.read_bytes())
        assert (old, new) == (b"captionFilePath:\n", f"captionFilePath: /captions/sixieme/{stem}.vtt\n".encode())
        assert f"written      {path.stem}: 2 cues written to {target}; captionFilePath set to /captions/sixieme/" in out
        entry = catalogue.entry(path.stem)
        assert entry["target"] == "site" and entry["destination"] == str(target.resolve())
        assert entry["before"] is None and entry["after"]["by_subtitler"] is True
    for slug in PDFS:
        assert catalogue.entry(slug)["status"] == "skipped"
    no_text = catalogue.transcript(NO_TEXT)
    assert err == f"failed       {no_text}: no spoken text under the 'Transcription' heading\n"
    assert no_text.read_bytes() == catalogue.originals[no_text]
    assert "publish: 0 uploaded, 6 written, 0 unchanged, 4 kept, 3 skipped, 1 failed" in out


def test_hand_made_captions_are_kept_and_compared_with_ours(catalogue, corpus_dir, capsys):
    assert catalogue.run("--site", str(catalogue.site)) == 1

    out = capsys.readouterr().out
    for path in (catalogue.transcripts / "mednum").glob("*.md"):
        assert path.read_bytes() == catalogue.originals[path]
    for name in HAND_MADE:
        assert (catalogue.site / "captions" / "mednum" / name).read_bytes() == (corpus_dir / "captions" / name).read_bytes()
    entry = catalogue.entry("trier-des-donnees")
    assert entry["status"] == "kept" and entry["after"] is None and entry["copy"] is None
    assert "is a caption subtitler did not write: kept (--replace-existing replaces it, keeping a copy)" in entry["message"]
    theirs = cues_from_vtt((corpus_dir / "captions" / "Trier_des_donnees.vtt").read_text(encoding="utf-8"))
    assert entry["comparison"]["theirs"] == caption_figures(theirs).as_dict()
    assert entry["comparison"]["theirs"]["empty_cues"] == 1  # the real file has a cue without text
    assert entry["comparison"]["ours"] == caption_figures(cues_from_vtt(CAPTION)).as_dict()
    assert entry["comparison"]["rules"]["max_line_chars"] == 42
    assert "kept         trier-des-donnees: " in out and "theirs: 43 cues, " in out


def test_replace_existing_replaces_hand_made_captions_keeping_a_copy(catalogue, corpus_dir):
    assert catalogue.run("--site", str(catalogue.site), "--replace-existing") == 1

    for slug, name in (("trier-des-donnees", "Trier_des_donnees.vtt"),
                       ("parametrer-une-dataviz", "Parametrer_une_datavisualisation.vtt")):
        assert (catalogue.site / "captions" / "mednum" / name).read_text(encoding="utf-8") == CAPTION
        copy = catalogue.out / slug / "published" / f"{STAMP}.site.fr.vtt"
        assert copy.read_bytes() == (corpus_dir / "captions" / name).read_bytes()
        entry = catalogue.entry(slug)
        assert entry["status"] == "written" and entry["copy"] == str(copy) and entry["before"]["by_subtitler"] is False
    assert catalogue.run("--site", str(catalogue.site)) == 1
    assert catalogue.report()["summary"] == {"failed": 1, "skipped": 3, "unchanged": 10}


def test_a_second_run_rewrites_nothing(catalogue, capsys):
    assert catalogue.run("--site", str(catalogue.site)) == 1
    files = [p for p in (*catalogue.site.rglob("*"), *catalogue.transcripts.rglob("*")) if p.is_file()]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    capsys.readouterr()

    assert catalogue.run("--site", str(catalogue.site)) == 1

    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
    assert sorted(p for p in catalogue.site.rglob("*") if p.is_file()) == sorted(p for p in files if catalogue.site in p.parents)
    assert "publish: 0 uploaded, 0 written, 6 unchanged, 4 kept, 3 skipped, 1 failed" in capsys.readouterr().out


def test_a_caption_edited_by_hand_after_subtitler_wrote_it_needs_force(catalogue, capsys):
    path = _sixieme(catalogue)[0]
    assert catalogue.run("--site", str(catalogue.site), inputs=(path,)) == 0
    target = catalogue.site / caption_file_path(path.read_bytes()).lstrip("/")
    edited = CAPTION.replace("Bonjour à tous.", "Bonjour à toutes et à tous.")
    target.write_text(edited, encoding="utf-8")

    assert catalogue.run("--site", str(catalogue.site), inputs=(path,)) == 0
    assert target.read_text(encoding="utf-8") == edited
    assert "is edited by hand since subtitler wrote it: kept (--force replaces it, keeping a copy)" in capsys.readouterr().out

    assert catalogue.run("--site", str(catalogue.site), "--force", inputs=(path,)) == 0
    assert target.read_text(encoding="utf-8") == CAPTION
    copy = catalogue.out / path.stem / "published" / f"{STAMP}.site.fr.vtt"
    assert copy.read_text(encoding="utf-8") == edited
    assert f"the file it replaced is kept in {copy}" in capsys.readouterr().out


def test_dry_run_says_what_would_be_written_where_and_writes_nothing(catalogue, capsys):
    site_before = sorted(catalogue.site.rglob("*"))

    assert catalogue.run("--site", str(catalogue.site), "-n") == 1

    assert sorted(catalogue.site.rglob("*")) == site_before
    assert all(path.read_bytes() == data for path, data in catalogue.originals.items())
    assert not list(catalogue.out.rglob(".published.json"))
    out = capsys.readouterr().out
    target = (catalogue.site / "captions" / "sixieme" / "PIX_Mot_de_passe_v05_20231109.vtt").resolve()
    assert (f"would write  connaitre-les-recommandations-pour-le-choix-d-un-mot-de-passe-robuste: {target}: 2 cues "
            "would be written; captionFilePath would be set to /captions/sixieme/PIX_Mot_de_passe_v05_20231109.vtt") in out
    assert "publish (dry run): 0 would upload, 6 would write, 0 unchanged, 4 kept, 3 skipped, 1 failed" in out


def test_a_transcript_changed_since_its_build_is_neither_delivered_nor_edited(catalogue, capsys):
    path = _sixieme(catalogue)[0]
    changed = path.read_bytes().replace(b"## Transcription", b"## Transcription\n\nUne phrase de plus.")
    path.write_bytes(changed)

    assert catalogue.run("--site", str(catalogue.site), inputs=(path,)) == 1

    assert path.read_bytes() == changed
    assert not (catalogue.site / "captions" / "sixieme").exists()
    assert "the transcript changed since its last successful build: rebuild first" in capsys.readouterr().err


def test_a_front_matter_that_cannot_take_the_entry_refuses_the_delivery_before_writing_anything(catalogue, capsys):
    path = _sixieme(catalogue)[0]
    lines = [line for line in path.read_bytes().splitlines(keepends=True) if not line.startswith(b"captionFilePath")]
    embed = next(k for k, line in enumerate(lines) if line.startswith(b"videoEmbedSrc"))
    twice = b"".join([*lines[: embed + 1], b"captionFilePath:\n", b"captionFilePath:\n", *lines[embed + 1 :]])
    path.write_bytes(twice)
    record_build(catalogue.out / path.stem, path)

    assert catalogue.run("--site", str(catalogue.site), inputs=(path,)) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert "captionFilePath appears more than once in the front matter" in line
    assert path.read_bytes() == twice
    assert not (catalogue.site / "captions" / "sixieme").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/captions/../../outside.vtt", "would leave the site folder"),
        ("../outside.vtt", "must be a path from the site's root"),
        ("//evil.example/captions/x.vtt", "is a URL or a path elsewhere"),
        ("https://evil.example/x.vtt", "is a URL or a path elsewhere"),
        ("C:/captions/x.vtt", "is a URL or a path elsewhere"),
        ("/captions/x.html", "is not a .vtt file"),
        ("/captions\\..\\..\\x.vtt", "backslash"),
    ],
)
def test_a_caption_file_path_leaving_the_site_folder_is_refused(catalogue, value, message, capsys):
    path = catalogue.transcript("trier-des-donnees")
    path.write_bytes(set_caption_file_path(path.read_bytes(), value))
    record_build(catalogue.out / path.stem, path)

    assert catalogue.run("--site", str(catalogue.site), inputs=(path,)) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("failed       trier-des-donnees: captionFilePath ") and message in line
    assert sorted(p.name for p in catalogue.root.iterdir()) == ["output", "public", "transcripts"]


def test_a_symbolic_link_out_of_the_site_folder_is_refused(catalogue, capsys):
    outside = catalogue.root / "elsewhere"
    outside.mkdir()
    (catalogue.site / "captions" / "sixieme").symlink_to(outside, target_is_directory=True)

    assert catalogue.run("--site", str(catalogue.site), inputs=(_sixieme(catalogue)[0],)) == 1

    assert "leads outside the site folder through a symbolic link" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


def test_the_site_folder_can_come_from_the_config_file(catalogue):
    config = catalogue.root / "config" / "subtitler" / "peertube.toml"
    config.parent.mkdir(parents=True)
    config.write_text('site = "../../public"\n', encoding="utf-8")
    os.chmod(config, 0o600)

    assert catalogue.run(inputs=(_sixieme(catalogue)[0],)) == 0

    assert len(list((catalogue.site / "captions" / "sixieme").glob("*.vtt"))) == 1


def test_a_missing_site_folder_is_a_usage_error(catalogue):
    with pytest.raises(UsageError, match="the site folder does not exist"):
        catalogue.run("--site", str(catalogue.root / "nope"))


def test_one_command_delivers_peertube_and_site_videos(catalogue):
    with FakePeerTube() as fake:
        fake.add_user("alice", "pw")
        video = fake.add_video("alice")
        peertube = catalogue.transcripts / "edu" / "sur-peertube.md"
        peertube.parent.mkdir()
        peertube.write_text(f"---\ntitle: T\nvideoEmbedSrc: {fake.embed_url(video)}\n---\n\n## Transcription\n\nBonjour.\n",
                            encoding="utf-8")
        record_build(catalogue.out / "sur-peertube", peertube)
        catalogue.env.update(SUBTITLER_PEERTUBE_URL=fake.base_url, SUBTITLER_PEERTUBE_USERNAME="alice",
                             SUBTITLER_PEERTUBE_PASSWORD="pw")

        assert catalogue.run("--site", str(catalogue.site)) == 1

        assert fake.caption(video, "fr") == CAPTION.encode()
    assert catalogue.report()["summary"] == {"failed": 1, "kept": 4, "skipped": 3, "uploaded": 1, "written": 6}


def test_publishing_does_not_make_the_real_build_stale(tmp_path, corpus_dir, monkeypatch, capsys):
    """A real build, then publish fills captionFilePath: the next build and publish change nothing."""
    from media_helpers import make_mp4
    from subtitler.cli import main

    slug = "connaitre-les-recommandations-pour-le-choix-d-un-mot-de-passe-robuste"
    (tmp_path / "transcripts" / "sixieme").mkdir(parents=True)
    transcript = tmp_path / "transcripts" / "sixieme" / f"{slug}.md"
    shutil.copy(corpus_dir / "sixieme" / f"{slug}.md", transcript)
    (tmp_path / "media").mkdir()
    make_mp4(tmp_path / "media" / f"{slug}.mp4", 120.0, size="32x32")
    (tmp_path / "public").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in [k for k in os.environ if k.startswith("SUBTITLER_")]:
        monkeypatch.delenv(name)

    assert main(["build", "--timing", "proportional", "-q"]) == 0
    assert main(["publish", "--site", "public", "-q"]) == 0
    assert caption_file_path(transcript.read_bytes()) == "/captions/sixieme/PIX_Mot_de_passe_v05_20231109.vtt"
    built = (tmp_path / "output" / slug / f"{slug}.fr.vtt").read_bytes()
    assert (tmp_path / "public" / "captions" / "sixieme" / "PIX_Mot_de_passe_v05_20231109.vtt").read_bytes() == built
    capsys.readouterr()

    assert main(["build", "--timing", "proportional"]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main(["publish", "--site", "public"]) == 0
    assert "publish: 0 uploaded, 0 written, 1 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(("url", "site"), [
    ("https://videos.pix.fr/tutos/sixieme/PIX_CNIL_parcours.mp4", True),
    ("https://videos.pix.fr/a/b.ogv", True),  # the transcript page plays it: so is it delivered
    ("https://videos.pix.fr/a/b.webm?x=1", True),
    ("https://tube.example/w/9c9de5e8-0a1e-484a-b099-e80766180a6d", False),
    ("https://videos.pix.fr/a/page.html", False),
    ("https://user:pw@videos.pix.fr/a/b.mp4", False),  # refused by the strict parse
    ("ftp://videos.pix.fr/a/b.mp4", False),
    ("", False),
])
def test_a_site_video_is_what_the_transcript_page_plays_itself(url, site):
    from subtitler.publish.site import is_site_video

    assert is_site_video(url) is site
