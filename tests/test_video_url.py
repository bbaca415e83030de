"""The one parser of video URLs: PeerTube forms, media files, ids, and what it refuses."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subtitler.video_url import (
    PeerTubeVideo,
    UrlForm,
    VideoIds,
    VideoUrlError,
    parse_video_url,
    short_to_uuid,
    uuid_to_short,
    video_ids,
)

UUID = "a44521d0-0fb8-4ade-8002-3385545c3318"
SHORT = "mhvXdrZT4jP5T8vBxuvm75"  # the npm short-uuid package's own example, as PeerTube uses it


def test_short_uuid_matches_peertube():
    assert uuid_to_short(UUID) == SHORT
    assert short_to_uuid(SHORT) == UUID
    assert short_to_uuid(uuid_to_short("00000000-0000-0000-0000-00000000002a")).endswith("2a")
    assert len(uuid_to_short("00000000-0000-0000-0000-000000000001")) == 22


@given(st.uuids())
def test_short_and_long_uuid_convert_both_ways(value: uuid.UUID):
    assert short_to_uuid(uuid_to_short(str(value))) == str(value)


@pytest.mark.parametrize("url, form, video_id", [
    (f"https://tube.example/videos/embed/{UUID}?title=0", UrlForm.EMBED, UUID),
    (f"https://tube.example/w/{SHORT}?start=3s", UrlForm.SHORT, SHORT),
    (f"https://tube.example/videos/watch/{UUID}/", UrlForm.WATCH, UUID),
    ("https://tube.example/videos/embed/42", UrlForm.EMBED, "42"),
    ("https://videos.example/tutos/Trier_des_donnees.MP4", UrlForm.MEDIA_FILE, None),
    ("https://videos.example/son.mp3?v=2", UrlForm.MEDIA_FILE, None),
    (f"https://tube.example/w/p/{SHORT}", UrlForm.OTHER, None),  # a playlist
    ("https://tube.example/videos/embed/", UrlForm.OTHER, None),
    ("https://www.example/watch?v=abc", UrlForm.OTHER, None),
])
def test_the_form_and_id_of_a_video_url(url, form, video_id):
    parsed = parse_video_url(url)
    assert (parsed.form, parsed.video_id) == (form, video_id)
    assert parsed.form.is_peertube == (video_id is not None)


def test_a_peertube_url_names_its_instance_and_video_and_no_other_url_does():
    video = parse_video_url(f"http://localhost:9000/w/{SHORT}?start=3").peertube_video
    assert video == PeerTubeVideo("http://localhost:9000", "localhost:9000", SHORT)
    assert parse_video_url(f"https://Tube.Example:443/videos/embed/{UUID}").peertube_video == PeerTubeVideo(
        "https://tube.example", "tube.example", UUID)
    for other in ("https://videos.example/a.mp4", f"https://tube.example/w/p/{SHORT}", "https://www.example/watch?v=1"):
        assert parse_video_url(other).peertube_video is None


def test_a_uuid_or_short_uuid_id_gives_the_videos_uuid():
    assert parse_video_url(f"https://t.example/w/{SHORT}").uuid == UUID
    assert parse_video_url(f"https://t.example/videos/embed/{UUID.upper()}").uuid == UUID
    assert parse_video_url("https://t.example/videos/embed/42").uuid is None


@pytest.mark.parametrize("url, origin, netloc", [
    ("https://Tube.Example/w/x", "https://tube.example", "tube.example"),
    ("https://tube.example:443/w/x", "https://tube.example", "tube.example"),  # as browsers say it
    ("https://tube.example:8443/w/x", "https://tube.example:8443", "tube.example:8443"),
    ("http://localhost:9000/w/x", "http://localhost:9000", "localhost:9000"),
    ("https://tube.example./w/x", "https://tube.example", "tube.example"),
    ("https://tübe.example/w/x", "https://xn--tbe-hoa.example", "xn--tbe-hoa.example"),
    ("https://192.0.2.7/v.mp4", "https://192.0.2.7", "192.0.2.7"),
])
def test_the_origin_is_rebuilt_from_the_parsed_parts(url, origin, netloc):
    parsed = parse_video_url(url)
    assert (parsed.origin, parsed.netloc) == (origin, netloc)


@pytest.mark.parametrize("url, loopback", [
    ("http://localhost/w/x", True), ("http://127.0.0.1:8000/w/x", True),
    ("http://127.8.0.1/w/x", True), ("https://tube.example/w/x", False),
])
def test_loopback_hosts(url, loopback):
    assert parse_video_url(url).is_loopback is loopback


@pytest.mark.parametrize("url, reason", [
    ("https://a.example;connect-src * ;media-src */videos/embed/abc", "space or a control"),
    ("https://a.example;connect-src:*/videos/embed/abc", "not a valid host name"),
    ("https://a.example\nb/videos/embed/abc", "space or a control"),
    ("https://a.example\\@b.example/", "backslash"),
    ("https://user:secret@tube.example/w/abc", "user name or password"),
    ("https://tube.example:0/w/abc", "port"),
    ("https://tube.example:65536/w/abc", "port"),
    ("https://tube.example:/w/abc", "port"),
    ("https://tube.example:8O/w/abc", "port"),
    ("https://[::1]:8080/w/abc", "IPv6"),
    ("https://-tube.example/w/abc", "not a valid host name"),
    ("https://tube..example/w/abc", "not a valid host name"),
    ("https://1.2.3.999/w/abc", "not a valid host name"),
    ("https:///w/abc", "no host"),
    ("ftp://tube.example/v.mp4", "not an http(s) URL"),
    ("javascript:alert(1)", "not an http(s) URL"),
    ("//tube.example/w/abc", "not an http(s) URL"),
    ("", "empty"),
])
def test_what_the_strict_parse_refuses_and_why(url, reason):
    with pytest.raises(VideoUrlError, match=re.escape(reason)) as raised:
        parse_video_url(url)
    assert "secret" not in str(raised.value)


def test_ids_named_by_an_embed_and_a_download_url_in_both_forms():
    ids = video_ids(f"https://tube.example/w/{SHORT}",
                    "https://tube.example/download/streaming-playlists/hls/videos/"
                    "0b7c2f43-2c1e-4d7a-9f0e-3c0a1d2e4f5a-1080-fragmented.mp4")
    assert ids.uuids == {UUID, "0b7c2f43-2c1e-4d7a-9f0e-3c0a1d2e4f5a"}
    assert ids.shorts == {SHORT, uuid_to_short("0b7c2f43-2c1e-4d7a-9f0e-3c0a1d2e4f5a")}
    assert ids.named_in(f"{UUID.upper()}.mp4") and ids.named_in(f"video-{SHORT}.webm")
    assert not ids.named_in("autre.mp4")


def test_urls_that_fail_the_parse_name_no_id():
    assert video_ids(None, "", f"https://u:p@tube.example/w/{SHORT}") == VideoIds()
