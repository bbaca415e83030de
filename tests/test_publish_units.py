"""The publisher's parts on their own: URLs, retry timing, error messages, secrets, captions."""

from __future__ import annotations

import email.utils
import json
import logging
import os
import re
import stat
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from subtitler.publish.auth import Credentials, CredentialSource, TokenCache, Tokens
from subtitler.publish.captions import CaptionCue, count_differences, cues_from_vtt, load_caption
from subtitler.publish.client import RetryPolicy, api_error, parse_retry_after
from subtitler.publish.errors import CaptionFileError, CredentialsError, UnsupportedVideoURL
from subtitler.publish.publisher import embedded_video
from subtitler.publish.redact import MASK, Redactor
from subtitler.video_url import PeerTubeVideo

UUID = "29a30c54-4094-4d0c-8727-cbcbede77360"


# -- embed URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"https://tube.reseau-canope.fr/videos/embed/{UUID}", PeerTubeVideo("https://tube.reseau-canope.fr", "tube.reseau-canope.fr", UUID)),
        (f"https://tube.example/videos/watch/{UUID}/", PeerTubeVideo("https://tube.example", "tube.example", UUID)),
        ("https://tube.example/w/2y84q2MQUMWPbiEcxNXMgC?start=3s", PeerTubeVideo("https://tube.example", "tube.example", "2y84q2MQUMWPbiEcxNXMgC")),
        ("http://localhost:9000/videos/embed/42", PeerTubeVideo("http://localhost:9000", "localhost:9000", "42")),
    ],
)
def test_peertube_video_urls_give_instance_and_id(url, expected):
    assert embedded_video(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://videos.pix.fr/tutos/sixieme/PIX_CNIL_parcours.mp4", "not a PeerTube video page"),
        ("https://tube.example/w/p/2y84q2MQUMWPbiEcxNXMgC", "not a PeerTube video page"),  # a playlist
        ("https://tube.example/videos/embed/", "not a PeerTube video page"),
        ("ftp://tube.example/videos/embed/42", "not an http(s) URL"),
        ("https://user:secret@tube.example/w/abc", "user name or password"),
        (None, "no videoEmbedSrc"),
        ("  ", "no videoEmbedSrc"),
    ],
)
def test_other_urls_are_unsupported_with_a_reason(url, reason):
    with pytest.raises(UnsupportedVideoURL, match=re.escape(reason)) as raised:
        embedded_video(url)
    assert "secret" not in str(raised.value)


# -- retry timing -----------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**6))
def test_retry_after_in_seconds(seconds):
    assert parse_retry_after(str(seconds), now=1e9) == seconds


def test_retry_after_as_an_http_date_is_the_time_left():
    now = 1_700_000_000.0
    assert parse_retry_after(email.utils.formatdate(now + 42, usegmt=True), now) == 42
    assert parse_retry_after(email.utils.formatdate(now - 5, usegmt=True), now) == 0


@pytest.mark.parametrize("value", [None, "", "soon", "-3", "1.5"])
def test_unusable_retry_after_is_none(value):
    assert parse_retry_after(value, now=0) is None


def test_backoff_doubles_up_to_its_cap():
    policy = RetryPolicy(base_delay=0.5, max_delay=3)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1, 2, 3, 3]


# -- error messages -----------------------------------------------------------------------------------


def _response(status: int, body: bytes, content_type: str | None) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return httpx.Response(status, headers=headers, content=body, request=httpx.Request("PUT", "http://x/api/v1/videos/1/captions/fr"))


def test_problem_json_gives_detail_code_and_invalid_params_without_the_values_sent():
    body = {
        "type": "about:blank", "title": "Bad Request", "status": 400, "detail": "Incorrect request parameters: captionfile",
        "code": "some_code",
        "invalid-params": {"captionfile": {"type": "field", "value": "SENT-VALUE", "msg": "This caption file is not supported", "path": "captionfile", "location": "body"}},
    }
    error = api_error("PUT", "/api/v1/videos/1/captions/fr?x=1", _response(400, json.dumps(body).encode(), "application/problem+json; charset=utf-8"))

    assert str(error) == ("PUT /api/v1/videos/1/captions/fr: 400 Bad Request: Incorrect request parameters: "
                          "captionfile (captionfile: This caption file is not supported)")
    assert (error.status, error.code, error.invalid_params) == (400, "some_code", ("captionfile: This caption file is not supported",))
    assert "SENT-VALUE" not in str(error)


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        (413, b"<html><head><title>413 Request Entity Too Large</title></head></html>", "text/html", "413 Request Entity Too Large"),
        (429, b"Too many requests, please try again later.", "text/plain", "429 Too Many Requests: Too many requests, please try again later."),
        (502, b"", None, "502 Bad Gateway"),
        (500, b"{not json\nmore", "application/json", "500 Internal Server Error: {not json"),
    ],
)
def test_error_bodies_that_are_not_problem_json_still_read_well(status, body, content_type, expected):
    assert str(api_error("GET", "/api/v1/videos/1", _response(status, body, content_type))) == f"GET /api/v1/videos/1: {expected}"


# -- secrets ------------------------------------------------------------------------------------------


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=9), st.text(), st.text())
def test_redactor_leaves_no_trace_of_a_secret(secret, before, after):
    redactor = Redactor()
    redactor.add(secret)
    assert secret not in redactor(before + secret + after + secret)


def test_redactor_as_a_logging_filter_masks_arguments():
    redactor = Redactor()
    redactor.add("hunter2-hunter2")
    record = logging.LogRecord("subtitler.publish", logging.INFO, __file__, 1, "token %s", ("hunter2-hunter2",), None)
    redactor.filter(record)
    assert record.getMessage() == f"token {MASK}"


def test_credentials_and_tokens_keep_secrets_out_of_repr():
    credentials = Credentials(username="alice", password="pw-secret", access_token="tok-secret", otp="123456")
    tokens = Tokens(access_token="acc-secret", refresh_token="ref-secret", access_expires_at=1, refresh_expires_at=2)
    shown = repr(credentials) + repr(tokens)
    assert "alice" in shown
    for secret in ("pw-secret", "tok-secret", "123456", "acc-secret", "ref-secret"):
        assert secret not in shown


# -- credentials sources --------------------------------------------------------------------------------


def _config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "peertube.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_environment_credentials_belong_to_the_named_instance_only(tmp_path):
    path = _config(tmp_path, '[instances."Tube.example"]\nusername = "per-host"\npassword = "file-pw"\n'
                             '[instances."other.example:8443"]\nusername = "other"\npassword = "other-pw"\n')
    env = {"SUBTITLER_PEERTUBE_URL": "https://tube.example:443/", "SUBTITLER_PEERTUBE_PASSWORD": "env-pw",
           "SUBTITLER_PEERTUBE_OTP": "123456"}
    source = CredentialSource(env, path)

    assert source.instances == ("other.example:8443", "tube.example")
    assert source.for_host("tube.example") == Credentials("per-host", "env-pw", None, "123456")
    assert source.for_host("TUBE.example:443") == source.for_host("tube.example")
    assert source.for_host("other.example:8443") == Credentials("other", "other-pw")  # no env secret, no OTP
    assert source.for_host("other.example") is None  # another port is another instance
    assert source.for_host("tube.example:8443") is None


def test_the_instance_option_wins_over_the_environments_url():
    env = {"SUBTITLER_PEERTUBE_URL": "https://a.example", "SUBTITLER_PEERTUBE_TOKEN": "tok"}
    source = CredentialSource(env, None, "https://b.example")

    assert source.for_host("b.example") == Credentials(access_token="tok")
    assert source.for_host("a.example") is None


def test_default_config_file_is_optional(tmp_path):
    source = CredentialSource({"XDG_CONFIG_HOME": str(tmp_path)})
    assert source.config_path is None and source.instances == () and source.for_host("tube.example") is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://tube.example", "uses plain http"),
        ("https://alice:pw@tube.example", "carries a user name or password"),
        ("https://tube.example/videos/embed/x", "without a path or query"),
        ("https://tube.example:99999", "invalid host or port"),
        ("ftp://tube.example", "is not an https:// URL"),
    ],
)
def test_unusable_instance_urls_are_refused(url, message):
    with pytest.raises(CredentialsError, match=message) as caught:
        CredentialSource({}, None, url)
    assert "pw" not in str(caught.value)


def test_plain_http_instance_on_this_machine_is_allowed():
    assert CredentialSource({}, None, "http://127.0.0.1:9000").instances == ("127.0.0.1:9000",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[instances."h"]\npassword = 1234\n', "password must be a string"),
        ('instances = "x"\n', "one table per host"),
        ('[instances."h"]\ntoken = "x"\n', "unknown key"),
        ('username = "a\n', "not valid TOML"),
        ('access_token = "a"\n', "at the top level would belong to no instance"),
        ('[instances."h:port"]\nusername = "a"\n', "the name must be host or host:port"),
        ('site = 3\n', "site must be a string"),
    ],
)
def test_malformed_config_files_are_refused(tmp_path, text, message):
    with pytest.raises(CredentialsError, match=message):
        CredentialSource({}, _config(tmp_path, text))


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="chown needs root")
def test_config_file_of_another_user_is_refused(tmp_path):
    path = _config(tmp_path, 'username = "a"\n')
    os.chown(path, 4242, -1)
    with pytest.raises(CredentialsError, match="belongs to another user"):
        CredentialSource({}, path)


def test_token_cache_readable_by_others_is_ignored_then_rewritten_private(tmp_path, caplog):
    path = tmp_path / "cache" / "tokens.json"
    cache = TokenCache(path)
    tokens = Tokens("acc", "ref", 10.0, 20.0)
    cache.put("https://tube.example alice", tokens)
    assert cache.get("https://tube.example alice") == tokens
    os.chmod(path, 0o644)

    assert cache.get("https://tube.example alice") is None
    assert "other users may access it" in caplog.text
    cache.put("https://tube.example bob", tokens)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_token_cache_that_is_not_json_is_ignored(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text("{oops")
    os.chmod(path, 0o600)
    assert TokenCache(path).get("any") is None


# -- captions: validation and comparison -----------------------------------------------------------------

cues_strategy = st.lists(
    st.builds(CaptionCue, st.integers(0, 10**7), st.integers(0, 10**7), st.sampled_from(["a", "b", "c\nd"])),
    max_size=12,
)


@given(cues_strategy, cues_strategy)
def test_difference_count_is_zero_only_for_equal_lists_and_bounded(a, b):
    a, b = tuple(a), tuple(b)
    differing = count_differences(a, b)
    assert (differing == 0) == (a == b)
    assert abs(len(a) - len(b)) <= differing <= max(len(a), len(b))


def test_one_cue_inserted_counts_one_not_every_later_cue():
    cues = tuple(CaptionCue(i * 1000, i * 1000 + 900, str(i)) for i in range(10))
    inserted = cues[:3] + (CaptionCue(3500, 3600, "new"),) + cues[3:]
    assert count_differences(cues, inserted) == 1


def test_cue_text_spacing_is_normalised_but_line_breaks_and_no_break_spaces_are_kept():
    [cue] = cues_from_vtt("WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n  Bonjour   à\ttous\u00a0!  \r\n\r\n")
    assert cue == CaptionCue(1000, 2000, "Bonjour à tous\u00a0!")
    [two_lines] = cues_from_vtt("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nune\ndeux\n")
    assert two_lines.text == "une\ndeux"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:01.000\nzero\n", "cue 1 ends before it starts"),
        (b"WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nsrt commas\n", "1 cue timing line(s) are not valid WebVTT"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<b></b>\n", "cue 1 has no text"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\xe9t\xe9\n", "not UTF-8"),
    ],
)
def test_local_caption_validation(tmp_path, content, message):
    path = tmp_path / "a.fr.vtt"
    path.write_bytes(content)
    with pytest.raises(CaptionFileError, match=re.escape(message)):
        load_caption(path)


def test_valid_local_caption_gives_its_bytes_and_cues(tmp_path):
    path = tmp_path / "a.fr.vtt"
    path.write_bytes(b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500 line:0\nD\xc3\xa9but &amp; fin\n")
    assert load_caption(path) == (path.read_bytes(), (CaptionCue(1000, 2500, "Début & fin"),))
