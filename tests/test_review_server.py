"""The review server over real HTTP (uvicorn on 127.0.0.1, http.client, which sends paths and
headers exactly as given): what it refuses, what it serves, and a save-and-rebuild loop."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from media_helpers import make_mp4
from subtitler import anchors
from subtitler.config import CaptionConfig
from subtitler.pipeline import BuildOptions
from subtitler.review.server import create_app
from subtitler.review.session import ReviewSession

TOKEN = "test-token-0123456789"
TRANSCRIPT = """---
title: Atelier
description: Un essai.
---

# Transcription

Bonjour à **tous**. Nous allons parler de sécurité aujourd'hui.

Le mot de passe doit être long. Un mot de pase doit être unique.

Merci de votre attention et à bientôt.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("review")
    (root / "transcripts").mkdir()
    (root / "transcripts" / "atelier.md").write_text(TRANSCRIPT, encoding="utf-8")
    (root / "media").mkdir()
    make_mp4(root / "media" / "atelier.mp4", 30.0)
    (root / "secret.txt").write_text("not for the web", encoding="utf-8")
    options = BuildOptions(out_dir=root / "output", media_dir=root / "media", cache_dir=root / "cache",
                           timing="proportional", download=False, config=CaptionConfig())
    session = ReviewSession([root / "transcripts" / "atelier.md"], options)
    session.build_all(jobs=1)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(create_app(session, TOKEN), log_level="warning"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(100):
        if uv.started:
            break
        time.sleep(0.05)
    yield root, port
    uv.should_exit = True
    thread.join(5)


def request(port: int, method: str, path: str, body: dict | None = None, **headers: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": f"127.0.0.1:{port}", **{k.replace("_", "-"): v for k, v in headers.items()}}
    payload = json.dumps(body).encode() if body is not None else None
    if payload is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_a_hostile_host_header_is_refused_dns_rebinding(server):
    _, port = server
    status, _, _ = request(port, "GET", "/v/atelier/", Host="attacker.example")
    assert status == 400
    status, _, _ = request(port, "POST", "/v/atelier/rebuild", {}, Host=f"attacker.example:{port}",
                           X_Review_Token=TOKEN)
    assert status == 400
    assert request(port, "GET", "/v/atelier/", Host=f"localhost:{port}")[0] == 200


def test_a_write_without_the_runs_token_or_from_another_site_is_refused(server):
    root, port = server
    before = (root / "transcripts" / "atelier.md").read_bytes()
    change = {"changes": [{"cue": 0, "start": 1.0}]}
    assert request(port, "POST", "/v/atelier/save", change)[0] == 403
    assert request(port, "POST", "/v/atelier/save", change, X_Review_Token="guess")[0] == 403
    assert request(port, "POST", "/v/atelier/rebuild", {})[0] == 403
    assert request(port, "POST", "/v/atelier/save", change, X_Review_Token=TOKEN,
                   Origin="http://attacker.example")[0] == 403
    assert not (root / "transcripts" / "atelier.anchors.json").exists()
    assert (root / "transcripts" / "atelier.md").read_bytes() == before


@pytest.mark.parametrize("path", [
    "/v/atelier/out/../../secret.txt",
    "/v/atelier/out/%2e%2e/%2e%2e/secret.txt",
    "/v/atelier/out/..%2f..%2fsecret.txt",
    "/v/atelier/out/%2fetc%2fpasswd",
    "/v/atelier/out/../../transcripts/atelier.md",
    "/v/atelier/../../secret.txt",
    "/static/../review/session.py",
    "/v/nope/media",
])
def test_no_path_outside_the_output_media_and_asset_folders_is_served(server, path):
    _, port = server
    status, _, body = request(port, "GET", path)
    assert status == 404 and b"not for the web" not in body and b"import" not in body


def test_media_is_served_with_byte_ranges_so_the_player_can_seek(server):
    root, port = server
    size = (root / "media" / "atelier.mp4").stat().st_size
    status, headers, body = request(port, "GET", "/v/atelier/media", Range="bytes=100-199")
    assert status == 206 and len(body) == 100
    assert headers["content-range"] == f"bytes 100-199/{size}"
    assert body == (root / "media" / "atelier.mp4").read_bytes()[100:200]


def test_the_page_shows_every_cue_flagged_first_with_why_and_the_current_captions(server):
    _, port = server
    status, headers, body = request(port, "GET", "/v/atelier/")
    page = body.decode()
    assert status == 200 and "script-src 'self'" in headers["content-security-policy"]
    assert f'data-token="{TOKEN}"' in page
    assert 'kind="captions"' in page and "/v/atelier/out/atelier.fr.vtt?v=" in page
    assert page.count('data-flagged="true"') == 4  # proportional timing: every cue to review
    assert "À vérifier : alignement peu sûr" in page and "<svg" in page


def test_save_then_rebuild_puts_the_fix_in_the_anchors_file_the_transcript_and_the_captions(server):
    root, port = server
    source = root / "transcripts" / "atelier.md"
    status, _, body = request(port, "POST", "/v/atelier/save", {"changes": [
        {"cue": 2, "was": "Un mot de pase doit être unique.", "start": 16.789, "checked": True},
        {"cue": 3, "text": "Merci de votre attention et à très bientôt."},
        {"cue": 2, "text": "Un mot de passe doit être unique."},
    ]}, X_Review_Token=TOKEN)
    assert status == 200, body
    assert json.loads(body)["saved"] == {"anchors": 1, "checked": 1, "texts": 2}
    # the two words changed, every other byte kept
    assert source.read_text(encoding="utf-8") == TRANSCRIPT.replace("de pase", "de passe").replace(
        "et à bientôt", "et à très bientôt")
    entries = anchors.load(root / "transcripts" / "atelier.anchors.json")
    assert [(a.words, a.edge.value, a.time) for a in entries.anchors] == [("Un mot de", "start", 16.789)]
    status, _, body = request(port, "POST", "/v/atelier/rebuild", {}, X_Review_Token=TOKEN)
    assert status == 200 and json.loads(body)["status"] == "ok"
    vtt = (root / "output" / "atelier" / "atelier.fr.vtt").read_text(encoding="utf-8")
    assert "00:00:16.789 --> " in vtt and "très bientôt" in vtt and "mot de passe doit être unique" in vtt


def test_a_stale_page_cannot_overwrite_a_changed_cue(server):
    _, port = server
    status, _, body = request(port, "POST", "/v/atelier/save", {"changes": [
        {"cue": 0, "was": "Un texte que le serveur n'a pas.", "start": 2.0}]}, X_Review_Token=TOKEN)
    assert status == 409 and "reload" in json.loads(body)["error"]


def test_the_cli_builds_then_serves_on_127_0_0_1_and_says_where(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "transcripts").mkdir()
    (tmp_path / "transcripts" / "atelier.md").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "media").mkdir()
    make_mp4(tmp_path / "media" / "atelier.mp4", 30.0)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    process = subprocess.Popen(
        [sys.executable, "-m", "subtitler", "review", "--port", "0", "--no-browser", "--timing", "proportional",
         "--jobs", "1"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("review: http://127.0.0.1:"), process.stderr.read()
        port = int(line.split("127.0.0.1:")[1].split("/")[0])
        status, _, body = request(port, "GET", "/")
        assert status == 200 and "Atelier" in body.decode() and "4 sous-titres, 4 à vérifier" in body.decode()
        assert (tmp_path / "output" / "atelier" / "atelier.fr.vtt").is_file()
    finally:
        process.terminate()
        process.wait(10)
