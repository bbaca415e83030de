"""The whole review loop in headless Chromium, on the real ej-fra recording: open the page, go to
the first flagged cue, play it, set its start at the playing position, save, rebuild; then the
WebVTT file, the anchors file and the reloaded page (its list and its caption track) agree;
then every other key (p, nudges, f, x, t and Esc) and a click on the QA timeline. The page passes axe-core (WCAG 2.2 A/AA) and the Nu Html Checker."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from subtitler import anchors
from subtitler.config import CaptionConfig
from subtitler.formats.vtt import parse_vtt_cues
from subtitler.pipeline import BuildOptions
from subtitler.review.server import create_app
from subtitler.review.session import ReviewSession

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / "node_modules"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOT = REPO / "output" / "screenshots" / "review-page.png"
sys.path.insert(0, str(REPO))


@pytest.fixture(scope="module")
def loop(shared_dir, tmp_path_factory) -> dict:
    chromium, node = shutil.which("chromium"), shutil.which("node")
    if chromium is None or node is None or not (NODE_MODULES / "playwright-core").is_dir():
        pytest.skip("chromium, node or node_modules/playwright-core is missing")
    from real_audio import ej_fra_blocks

    folder = shared_dir / "corpus" / "real-speech" / "ej-fra"
    root = tmp_path_factory.mktemp("review-loop")
    (root / "transcripts").mkdir()
    (root / "media").mkdir()
    shutil.copy(folder / "ej-fra.m4a", root / "media" / "ej-fra.m4a")
    (root / "transcripts" / "ej-fra.md").write_text(
        transcript_markdown(ej_fra_blocks()), encoding="utf-8")
    # Proportional timing flags every cue for review: the loop is the same whatever flagged it.
    options = BuildOptions(out_dir=root / "output", media_dir=root / "media", cache_dir=root / "cache",
                           timing="proportional", download=False, config=CaptionConfig())
    session = ReviewSession([root / "transcripts" / "ej-fra.md"], options)
    session.build_all(jobs=1)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(session), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        url = f"http://127.0.0.1:{port}/v/ej-fra/"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/v/ej-fra/")
        (root / "page.html").write_bytes(connection.getresponse().read())
        config = {"chromium": chromium, "axe": str(NODE_MODULES / "axe-core" / "axe.min.js"), "url": url,
                  "target": 1.234, "screenshot": str(SCREENSHOT)}
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
        run = subprocess.run([node, str(REPO / "tests" / "browser" / "review_loop.mjs"), str(root / "config.json")],
                             capture_output=True, text=True, timeout=240, cwd=REPO)
    finally:
        server.should_exit = True
        thread.join(5)
    if run.returncode != 0:
        pytest.fail(f"the browser run failed:\n{run.stderr[-3000:]}")
    result = json.loads(run.stdout)
    if "failure" in result:
        pytest.fail(result["failure"])
    result["root"] = str(root)
    return result


def test_the_editor_reaches_the_first_flagged_cue_and_plays_it_from_a_second_before(loop):
    assert loop["chosen"] == loop["firstFlagged"] == 0
    assert loop["focused"] == "0"
    assert loop["playedFrom"] == pytest.approx(max(0.0, loop["cueBefore"]["start"] - 1), abs=0.3)
    assert loop["stoppedAt"] >= loop["cueBefore"]["end"] - 0.05  # stopped at the cue's end
    assert loop["stoppedAt"] < loop["cueBefore"]["end"] + 0.5


def test_set_start_save_and_rebuild_make_the_vtt_the_anchors_file_and_the_page_agree(loop):
    root = Path(loop["root"])
    start = loop["pending"]["start"]
    assert start == pytest.approx(1.234, abs=0.001) and "Enregistré" in loop["savedStatus"]
    entries = anchors.load(root / "transcripts" / "ej-fra.anchors.json")
    assert [(a.edge.value, a.time) for a in entries.anchors] == [("start", start)]
    assert entries.anchors[0].words.startswith("Bonjour.")
    vtt = parse_vtt_cues((root / "output" / "ej-fra" / "ej-fra.fr.vtt").read_text(encoding="utf-8"))
    assert vtt[0][0] == round(start * 1000)
    after = loop["after"]
    assert after["start"] == start and after["trackStart"] == pytest.approx(start, abs=0.0005)
    assert after["trackCount"] == after["items"] == len(vtt)
    assert "début ancré" in after["state"] and after["current"] == "true"  # back on the same cue
    assert loop["rebuildSeconds"] < 20  # incremental: one video, a few seconds
    assert loop["errors"] == []


def test_every_other_key_does_what_the_page_says(loop):
    """p, the nudges (a frame, 200 ms), f, x, t with typing and Esc, and a timeline click."""
    keys = loop["keys"]
    first, second, back = keys["steps"]
    assert second > first and back == first  # n, n, then p comes back
    start, end, frame = keys["cue"]["start"], keys["cue"]["end"], keys["frame"]
    assert keys["afterFrameOn"] == pytest.approx(start + frame, abs=0.0015)
    assert keys["afterStepBack"] == pytest.approx(start + frame - 0.2, abs=0.0015)
    assert keys["afterEndFrameOn"] == pytest.approx(end + frame, abs=0.0015)
    assert keys["afterSetEnd"] == pytest.approx(keys["position"], abs=0.0015)
    assert keys["checked"] is (keys["cue"]["checked"] != "true")
    assert keys["editing"] == "cue-text" and keys["text"].endswith(" nxp")
    assert keys["typedChosen"] == back and keys["checkedAfterTyping"] == keys["checked"]  # typed, not acted on
    assert keys["backTo"] == str(back)  # Esc: back to the cue in the list
    clicked = keys["clicked"]
    assert clicked["chosen"] == clicked["expected"] and clicked["position"] == pytest.approx(clicked["t"], abs=0.1)


def test_axe_finds_no_wcag_22_a_or_aa_violation_on_the_review_page(loop):
    assert loop["axeLight"] == [] and loop["axeDark"] == [] and loop["axeAfter"] == []


def test_the_nu_html_checker_finds_no_error_in_the_review_page(loop):
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.skip("java or vnu.jar is missing")
    page = Path(loop["root"]) / "page.html"
    run = subprocess.run([java, "-Xss16m", "-jar", str(VNU), "--errors-only", "--format", "json", str(page)],
                         capture_output=True, text=True, timeout=120)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    assert [f"{m.get('lastLine')}: {m['message']}" for m in messages] == []


def transcript_markdown(blocks) -> str:  # type: ignore[no-untyped-def]
    """ej-fra's text as a transcript, one paragraph per hand-cut block."""
    body = "\n\n".join(block.text for block in blocks)
    return ("---\ntitle: Éric Joanis se présente (enregistrement réel)\n"
            "description: Enregistrement réel (ReadAlongs/OpenSamples, CC BY 4.0).\n"
            f"---\n\n# Transcription\n\n{body}\n")
