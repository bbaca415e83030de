"""The fake PeerTube server behaves as the reference says; the publisher's tests rely on it."""

from __future__ import annotations

import json

import httpx
import pytest

from fake_peertube import FakePeerTube, srt_to_vtt

VTT = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nÀ bientôt\u00a0!\n".encode()


@pytest.fixture
def fake():
    with FakePeerTube() as server:
        server.add_user("alice", "pw")
        yield server


@pytest.fixture
def http(fake):
    with httpx.Client(base_url=fake.base_url) as client:
        yield client


def login(fake, http, **headers) -> httpx.Response:
    form = {"client_id": fake.client_id, "client_secret": fake.client_secret, "grant_type": "password",
            "username": "alice", "password": "pw"}
    return http.post("/api/v1/users/token", data=form, headers=headers)


def bearer(fake, http) -> dict[str, str]:
    return {"Authorization": "Bearer " + login(fake, http).json()["access_token"]}


def put(http, headers, video, files, lang="fr") -> httpx.Response:
    return http.put(f"/api/v1/videos/{video.uuid}/captions/{lang}", headers=headers, files=files)


def test_oauth_client_needs_the_exact_configured_host(fake, http):
    assert http.get("/api/v1/oauth-clients/local").json() == {"client_id": fake.client_id, "client_secret": fake.client_secret}
    refused = http.get("/api/v1/oauth-clients/local", headers={"Host": fake.hostname.upper()})
    assert refused.status_code == 403
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.json()["detail"] == f"Getting client tokens for host {fake.hostname.upper()} is forbidden."


def test_token_errors(fake, http):
    bad_client = http.post("/api/v1/users/token", data={"client_id": "x", "client_secret": "y", "grant_type": "password"})
    assert (bad_client.status_code, bad_client.json()["code"]) == (400, "invalid_client")
    fake.users["alice"].password = "other"
    assert login(fake, http).json()["code"] == "invalid_grant"
    fake.users["alice"].password, fake.users["alice"].otp = "pw", "123456"
    missing = login(fake, http)
    assert (missing.status_code, missing.json()["code"]) == (401, "missing_two_factor")
    assert login(fake, http, **{"x-peertube-otp": "000000"}).json()["code"] == "invalid_two_factor"
    assert login(fake, http, **{"x-peertube-otp": "123456"}).status_code == 200


def test_refresh_revokes_the_replaced_access_token_and_expired_tokens_are_invalid(fake, http):
    first = login(fake, http).json()
    old = {"Authorization": "Bearer " + first["access_token"]}
    assert http.get("/api/v1/users/me", headers=old).json()["username"] == "alice"
    refreshed = http.post("/api/v1/users/token", data={
        "client_id": fake.client_id, "client_secret": fake.client_secret,
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).json()

    revoked = http.get("/api/v1/users/me", headers=old)
    assert (revoked.status_code, revoked.json()["detail"]) == (401, "Token is invalid")
    new = {"Authorization": "Bearer " + refreshed["access_token"]}
    assert http.get("/api/v1/users/me", headers=new).status_code == 200
    fake.advance(fake.access_lifetime + 1)
    assert http.get("/api/v1/users/me", headers=new).status_code == 401


def test_put_replaces_the_one_caption_of_a_language_under_a_new_file_name(fake, http):
    video = fake.add_video("alice")
    auth = bearer(fake, http)
    assert put(http, auth, video, {"captionfile": ("a.vtt", VTT, "text/vtt")}).status_code == 204
    [first] = http.get(f"/api/v1/videos/{video.short_uuid}/captions").json()["data"]

    assert put(http, auth, video, {"captionfile": ("a.vtt", VTT + b"\n", "text/vtt")}).status_code == 204

    listing = http.get(f"/api/v1/videos/{video.numeric_id}/captions").json()
    [second] = listing["data"]
    assert listing["total"] == 1 and second["language"] == {"id": "fr", "label": "French"}
    assert second["captionPath"] != first["captionPath"]
    assert second["fileUrl"] == fake.base_url + second["captionPath"]
    assert http.get(first["captionPath"]).status_code == 404
    assert http.get(second["fileUrl"]).content == VTT + b"\n"
    assert http.delete(f"/api/v1/videos/{video.uuid}/captions/fr", headers=auth).status_code == 204
    assert http.get(f"/api/v1/videos/{video.uuid}/captions").json() == {"total": 0, "data": []}


@pytest.mark.parametrize(
    ("filename", "content_type", "stored_as_sent"),
    [
        ("a.vtt", "text/vtt", True),
        ("a.vtt", "application/octet-stream", True),  # falls back to the name's extension
        ("a.vtt", "text/plain", False),  # taken for SRT
        ("a.vtt", "application/x-subrip", False),
        ("a.vtt", None, False),  # no type: text/plain, SRT
    ],
)
def test_the_part_type_decides_whether_the_server_converts_from_srt(fake, http, filename, content_type, stored_as_sent):
    video = fake.add_video("alice")
    part = (filename, VTT, content_type) if content_type else (filename, VTT)
    files = {"captionfile": part}
    request = http.build_request("PUT", f"/api/v1/videos/{video.uuid}/captions/fr", headers=bearer(fake, http), files=files)
    if content_type is None:  # httpx guesses a type from the name: remove the part's header
        body = b"".join(request.stream).replace(b"Content-Type: text/vtt\r\n", b"")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        request = http.build_request("PUT", request.url, headers=headers, content=body)

    assert http.send(request).status_code == 204

    stored = fake.caption(video, "fr")
    assert (stored == VTT) is stored_as_sent
    assert fake.uploads[-1].content_type == content_type
    if not stored_as_sent:
        assert stored.startswith(b"WEBVTT FILE\r\n\r\nWEBVTT\r\n\r\n1\r\n")


def test_srt_conversion_pads_short_milliseconds_on_the_left():
    srt = "1\n00:00:01,5 --> 00:00:02,25\nun\n\n2\n00:00:03 --> 00:00:04,000\ndeux\n"
    assert srt_to_vtt(srt) == (
        "WEBVTT FILE\r\n\r\n1\r\n00:00:01.005 --> 00:00:02.025\r\nun\r\n\r\n"
        "2\r\n00:00:03.000 --> 00:00:04.000\r\ndeux\r\n\r\n"
    )


@pytest.mark.parametrize(
    ("files", "lang", "status", "message"),
    [
        ({"file": ("a.vtt", VTT, "text/vtt")}, "fr", 500, "Unexpected field"),
        ({"captionfile": ("a.vtt", VTT, "text/vtt")}, "fsl", 400, "Should have a valid caption language"),
        ({"captionfile": ("a.vtt", VTT, "text/vtt")}, "zxx", 400, "Should have a valid caption language"),
        ({"captionfile": ("a.txt", VTT, "application/octet-stream")}, "fr", 400, "under 20971520 bytes"),
        ({"captionfile": ("a.vtt", VTT, "image/png")}, "fr", 400, "one of the following mimetypes"),
    ],
)
def test_upload_validation(fake, http, files, lang, status, message):
    video = fake.add_video("alice")
    response = put(http, bearer(fake, http), video, files, lang)
    assert response.status_code == status
    problem = response.json()
    assert message in (problem["detail"] + json.dumps(problem.get("invalid-params", {})))
    assert fake.caption(video, lang) is None


def test_caption_over_the_size_limit_is_refused_with_peertubes_message():
    with FakePeerTube(max_caption_bytes=len(VTT) - 1) as fake, httpx.Client(base_url=fake.base_url) as http:
        fake.add_user("alice", "pw")
        video = fake.add_video("alice")
        response = put(http, bearer(fake, http), video, {"captionfile": ("a.vtt", VTT, "text/vtt")})
    assert response.status_code == 400
    assert f"too large. Please, make sure it is under {len(VTT) - 1} bytes" in response.json()["invalid-params"]["captionfile"]["msg"]


def test_rights_remote_and_foreign_videos(fake, http):
    fake.add_user("bob", "bob-pw")
    auth = bearer(fake, http)
    files = {"captionfile": ("a.vtt", VTT, "text/vtt")}
    remote, foreign = fake.add_video("alice", local=False), fake.add_video("bob")
    assert put(http, auth, remote, files).json()["detail"] == "Cannot manage a video of another server."
    assert put(http, auth, foreign, files).json()["detail"] == "Cannot manage a video of another user."
    assert http.put("/api/v1/videos/unknown/captions/fr", headers=auth, files=files).status_code == 404
    assert put(http, {}, foreign, files).status_code == 401


def test_injected_429_is_plain_text_with_retry_after_then_service_resumes(fake, http):
    fake.inject(429, count=2, retry_after="3")
    for _ in range(2):
        limited = http.get("/api/v1/oauth-clients/local")
        assert (limited.status_code, limited.headers["Retry-After"], limited.text) == (
            429, "3", "Too many requests, please try again later.")
    assert http.get("/api/v1/oauth-clients/local").status_code == 200


def test_unknown_routes(http):
    assert (http.get("/api/v1/nothing/here").status_code, http.get("/api/v1/nothing/here").content) == (400, b"")
    assert (http.get("/nothing").status_code, http.get("/nothing").content) == (404, b"")


def test_nginx_body_cap_answers_413_in_html():
    with FakePeerTube(body_cap=10) as fake, httpx.Client(base_url=fake.base_url) as http:
        fake.add_user("alice", "pw")
        video = fake.add_video("alice")
        response = put(http, bearer(fake, http), video, {"captionfile": ("a.vtt", VTT, "text/vtt")})
    assert response.status_code == 413 and "<title>413 Request Entity Too Large</title>" in response.text
