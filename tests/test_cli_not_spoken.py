"""`subtitler build` end to end on a webinar-like transcript: what is not speech is left out
and reported, speaker labels name the speakers, over-long lines are warned about."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from media_helpers import make_silent_audio
from test_cli_build import NODE_PARSER, REPO, run_cli

URL = "https://tube.reseau-canope.fr/videos/watch/0123456789abcdef-0123"  # 63 characters
TRANSCRIPT = f"""---
title: Le travail en équipe un levier pour enseigner avec le numérique
description: Un webinaire.
videoEmbedSrc: https://tube.exemple.org/videos/embed/abc
---

## Transcription

EP102

**Le travail en équipe : un levier pour enseigner avec le numérique**

Transcription

Mélinée Chanard, Réseau Canopé.

\\-Bonjour à toutes et à tous, et bienvenue dans ce webinaire consacré au travail en équipe.

François Miquet, bonjour.

François Miquet, enseignant d'arts plastiques et formateur.

\\-Bonjour.

Mélinée Chanard, Réseau Canopé.

Vous êtes enseignant d'arts plastiques au collège et vous êtes également formateur.

La vidéo est en ligne à l'adresse {URL} pour tous.

## Crédits

Réseau Canopé
"""
SLUG = "webinaire"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("webinar")
    (root / "transcripts").mkdir()
    (root / "transcripts" / f"{SLUG}.md").write_text(TRANSCRIPT, encoding="utf-8")
    (root / "media").mkdir()
    make_silent_audio(root / "media" / f"{SLUG}.m4a", 40.0)
    result = run_cli("build", "--timing", "proportional", "--jobs", "1", "--no-html", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "output"


def video(out: Path) -> dict:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report["videos"][0] | {"summary": report["summary"]}


def test_header_lines_and_speaker_labels_are_reported_as_left_out(built: Path) -> None:
    entry = video(built)
    assert [(e["reason"], e["text"]) for e in entry["not_spoken"]] == [
        ("header", "EP102"),
        ("video-title", "Le travail en équipe : un levier pour enseigner avec le numérique"),
        ("transcription-line", "Transcription"),
        ("speaker-label", "Mélinée Chanard, Réseau Canopé."),
        ("speaker-label", "François Miquet, enseignant d'arts plastiques et formateur."),
        ("speaker-label", "Mélinée Chanard, Réseau Canopé."),
    ]
    assert entry["summary"]["not_spoken"] == {
        "header": 1, "speaker-label": 3, "transcription-line": 1, "video-title": 1}


def test_left_out_lines_are_not_captioned_and_labels_name_the_speakers(built: Path) -> None:
    vtt = (built / SLUG / f"{SLUG}.fr.vtt").read_text(encoding="utf-8")
    for left_out in ("EP102", "Transcription", "Réseau Canopé", "enseignant d’arts plastiques et"):
        assert left_out not in vtt
    assert "<v Mélinée Chanard>- Bonjour à toutes" in vtt
    # "Bonjour." is too short alone: it shares a dialogue cue with the greeting before it.
    assert "<v Mélinée Chanard>- François Miquet, bonjour.</v>\n<v François Miquet>- Bonjour.</v>" in vtt
    # The label before a paragraph without "\\-" still changes the speaker.
    assert "<v Mélinée Chanard>- Vous êtes enseignant" in vtt
    srt = (built / SLUG / f"{SLUG}.fr.srt").read_text(encoding="utf-8")
    assert "<v" not in srt and "- Vous êtes enseignant" in srt


def test_a_line_over_the_limit_is_a_warning_and_flags_its_cue(built: Path) -> None:
    entry = video(built)
    warning = next(w for w in entry["warnings"] if URL in w)
    number = int(warning.split(":")[0].removeprefix("cue "))
    assert warning == (f"cue {number}: a line of {len(URL)} characters (max 42), "
                       f"a word too long to break: {URL}")
    assert number - 1 in entry["flagged_cues"]
    svg = (built / SLUG / f"{SLUG}.qa.svg").read_text(encoding="utf-8")
    assert f"#{number} " in svg and "layout" in svg


def test_voice_spans_are_valid_webvtt(built: Path) -> None:
    """The W3C parser (npm webvtt-parser) reads the voice spans without an error."""
    if shutil.which("node") is None or not (REPO / "node_modules" / "webvtt-parser").is_dir():
        pytest.skip("node or node_modules/webvtt-parser is absent (run `make test-tools`)")
    run = subprocess.run(["node", str(NODE_PARSER), str(built / SLUG / f"{SLUG}.fr.vtt")],
                         capture_output=True, text=True, check=True)
    parsed = json.loads(run.stdout)
    assert parsed["errors"] == []
    assert any(c["text"] == "- François Miquet, bonjour.\n- Bonjour." for c in parsed["cues"])
