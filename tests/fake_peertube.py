"""A fake PeerTube instance on 127.0.0.1, faithful to shared/reference/peertube-api.md and to
PeerTube's own server code (Chocobozzz/PeerTube, server/core/): controllers/api/videos/captions.ts
(GET list without authentication, PUT and DELETE behind ``authenticate``, the ``captionfile``
multer field), controllers/api/users/token.ts and the OAuth model (grants, 2FA header),
controllers/api/oauth-clients.ts (the exact Host check), and the video file code named below.

It is a real HTTP server (stdlib ``http.server`` in a thread), so the client is tested with its
real transport, timeouts and multipart encoding. What it models, because the publisher must
cope with it:

- ``GET /api/v1/oauth-clients/local`` answers only when the Host header equals the configured
  hostname exactly (case-sensitive), else 403 "Getting client tokens for host ... is forbidden.";
- ``POST /api/v1/users/token``: password and refresh_token grants; 400 ``invalid_client`` /
  ``invalid_grant``; 401 ``missing_two_factor`` without the ``x-peertube-otp`` header, 400
  ``invalid_two_factor`` with a wrong one; a refresh revokes the access token it replaces;
- access tokens expire (``access_lifetime``; :meth:`advance` moves the server's clock) and a
  protected route then answers 401 "Token is invalid";
- ``GET /api/v1/users/me``, ``GET /api/v1/videos/{id}`` (numeric id, UUID or short UUID);
- captions: ``GET`` the list (``fileUrl`` absolute, ``captionPath`` relative; older servers
  without ``fileUrl``), ``PUT`` (one caption per language, replaced, new file name, 204) and
  ``DELETE``; files served at ``/lazy-static/video-captions/<file>``;
- the upload as multer and the validator see it: a field other than ``captionfile`` is a 500;
  ``text/vtt`` is stored as is; ``text/plain``, ``application/x-subrip`` and an untyped part
  are SRT and converted (srt-to-vtt plus PeerTube's millisecond fixes), which mangles a VTT;
  ``application/octet-stream`` falls back to the file name's extension; over 20 MiB or another
  type is 400 with PeerTube's invalid-params message; an unknown language is 400;
- 403 "Cannot manage a video of another server." (remote video) and "Cannot manage a video of
  another user." (not the owner, not moderator or admin); 404 for an unknown video;
- errors as problem+json; the rate limiter's 429 as plain text with Retry-After; an nginx-like
  413 (HTML) above ``body_cap``; unknown API route: empty 400; unknown page: empty 404;
- injectable faults for the next N matching requests: any status (429 with Retry-After, 500,
  503...) and a delay before answering (to provoke client timeouts).

Video files, for the build's download of the smallest file with the audio (PeerTube's
server/core/models/video/formatter/video-api-format.ts, models/video/video-file.ts,
controllers/download.ts and initializers/constants.ts):

- ``GET /api/v1/videos/{id}`` lists web-video ``files`` and the HLS playlist's
  ``streamingPlaylists[0].files``, each sorted by resolution, highest first, with
  ``resolution: {id, label}`` ("Audio only" for 0), ``size``, ``fileUrl`` (the static file),
  ``fileDownloadUrl``, ``hasAudio`` and ``hasVideo`` (an instance that splits audio from
  video lists video files without audio), and ``downloadEnabled``;
- static files at ``/static/web-videos/<file>`` and
  ``/static/streaming-playlists/hls/<video uuid>/<file>``, download routes at
  ``/download/web-videos/<uuid>-<res>.<ext>`` and
  ``/download/streaming-playlists/hls/videos/<uuid>-<res>-fragmented.<ext>`` (an attachment;
  403 "Video download is disabled for this video" when downloads are off, as in PeerTube
  before 7); both answer ``Range`` requests as express's ``send`` does (206 with
  Content-Range, 416 with ``bytes */<size>``), typed by extension (``video/mp4``,
  ``audio/mp4``);
- ``object_storage``: the download routes redirect (302) to a pre-signed URL on another
  server, with the signature in the query string (``redirectVideoDownloadToObjectStorage``).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Self
from email import policy as email_policy
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

MAX_CAPTION_BYTES = 20 * 1024 * 1024
CAPTION_MIMETYPES = {"text/vtt": ".vtt", "application/x-subrip": ".srt", "text/plain": ".srt"}
# A few of PeerTube's caption languages; sign languages and zxx are refused for captions.
CAPTION_LANGUAGES = {"fr": "French", "en": "English", "de": "German", "es": "Spanish", "it": "Italian"}
ROLE_ADMIN, ROLE_MODERATOR, ROLE_USER = 0, 1, 2
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _captionfile_message(max_bytes: int) -> str:
    return (
        f"This caption file is not supported or too large. Please, make sure it is under {max_bytes} "
        "bytes and one of the following mimetypes: " + ", ".join([*CAPTION_MIMETYPES, "application/octet-stream"])
    )


@dataclass
class FakeUser:
    username: str
    password: str
    role: int = ROLE_USER
    otp: str | None = None  # the only code accepted in x-peertube-otp, when 2FA is on


@dataclass
class StoredCaption:
    filename: str
    automatically_generated: bool = False


@dataclass
class FakeVideo:
    numeric_id: int
    uuid: str
    short_uuid: str
    owner: str  # account name of the channel's owner
    is_local: bool = True
    origin_host: str | None = None  # for remote videos
    language: str | None = "fr"
    captions: dict[str, StoredCaption] = field(default_factory=dict)
    files: list[FakeFile] = field(default_factory=list)
    download_enabled: bool = True


@dataclass
class FakeFile:
    """One file of a video, web video or HLS (fragmented MP4), as VideoFileModel holds it."""

    id: int
    resolution: int  # 0: audio only
    data: bytes
    hls: bool
    has_audio: bool
    has_video: bool
    extname: str
    filename: str  # the static file's name


@dataclass
class Fault:
    status: int
    remaining: int
    path_prefix: str
    method: str | None
    retry_after: str | None
    delay: float


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Upload:
    """What a caption PUT carried, as the server received it."""

    video_id: str  # as the request path gave it
    language: str
    field_name: str
    filename: str | None
    content_type: str | None  # None: the part had no Content-Type header
    data: bytes


@dataclass
class _Reply:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def srt_to_vtt(text: str) -> str:
    """PeerTube's SRT conversion: npm srt-to-vtt, then its regexes for missing milliseconds.

    srt-to-vtt keeps every block (a VTT's own "WEBVTT" header becomes a stray block) and adds
    a "WEBVTT FILE" header; ",5" becomes ".005" (reference section 11.6).
    """
    blocks = [block.strip() for block in re.split(r"\r?\n\s*\r?\n", text.replace("\ufeff", "")) if block.strip()]
    out = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines()]
        converted = "\r\n".join(lines)
        converted = re.sub(r"(\d\d:\d\d:\d\d),(\d\d\d)", r"\1.\2", converted)
        converted = re.sub(r"(\d\d:\d\d:\d\d)(\s)", r"\1.000\2", converted)
        converted = re.sub(r"(\d\d:\d\d:\d\d),(\d)(\s)", r"\1.00\2\3", converted)
        converted = re.sub(r"(\d\d:\d\d:\d\d),(\d\d)(\s)", r"\1.0\2\3", converted)
        out.append(converted)
    return "WEBVTT FILE\r\n\r\n" + "".join(block + "\r\n\r\n" for block in out)


class _LocalServer:
    """An HTTP server on a free port of 127.0.0.1, served by a thread while in a ``with``."""

    def _serve(self, handler: type[BaseHTTPRequestHandler], **attributes: object) -> None:
        """Bind the server; ``attributes`` are set on it for ``handler`` to reach."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        for name, value in attributes.items():
            setattr(self._server, name, value)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakePeerTube(_LocalServer):
    """Start with ``with FakePeerTube() as fake:``; ``fake.base_url`` is ``http://localhost:<port>``."""

    def __init__(
        self,
        *,
        access_lifetime: float = 14399,
        refresh_lifetime: float = 1209600,
        body_cap: int | None = None,
        max_caption_bytes: int = MAX_CAPTION_BYTES,
        serve_file_url: bool = True,
        hostname: str | None = None,
        object_storage: FakeObjectStorage | None = None,
    ) -> None:
        self.access_lifetime = access_lifetime
        self.refresh_lifetime = refresh_lifetime
        self.body_cap = body_cap  # nginx client_max_body_size under /api/v1/videos
        self.max_caption_bytes = max_caption_bytes  # PeerTube's 20 MiB; smaller keeps tests fast
        self.serve_file_url = serve_file_url  # False: an older server with captionPath only
        self.object_storage = object_storage  # downloads redirect there when set
        self.client_id = secrets.token_hex(16)
        self.client_secret = secrets.token_hex(16)
        self.users: dict[str, FakeUser] = {}
        self.videos: list[FakeVideo] = []
        self.files: dict[str, bytes] = {}
        self.requests: list[RecordedRequest] = []
        self.uploads: list[Upload] = []
        self.issued_access_tokens: list[str] = []
        self.issued_refresh_tokens: list[str] = []
        self._access: dict[str, tuple[str, float]] = {}
        self._refresh: dict[str, tuple[str, str, float]] = {}
        self._faults: list[Fault] = []
        self._clock_offset = 0.0
        self._lock = threading.RLock()
        # handle_error: clients that timed out hang up
        self._serve(_Handler, fake=self, handle_error=lambda request, address: None)
        self.port = self._server.server_address[1]
        self.hostname = hostname or f"localhost:{self.port}"  # the instance's configured hostname
        self.base_url = f"http://localhost:{self.port}"

    # -- test set-up -----------------------------------------------------------------------

    def add_user(self, username: str, password: str, *, role: int = ROLE_USER, otp: str | None = None) -> FakeUser:
        user = self.users[username] = FakeUser(username, password, role, otp)
        return user

    def add_video(
        self, owner: str, *, local: bool = True, origin_host: str = "elsewhere.example", language: str | None = "fr"
    ) -> FakeVideo:
        video = FakeVideo(
            numeric_id=len(self.videos) + 1,
            uuid=str(uuid.uuid4()),
            short_uuid="".join(secrets.choice(_BASE58) for _ in range(22)),
            owner=owner,
            is_local=local,
            origin_host=None if local else origin_host,
            language=language,
        )
        self.videos.append(video)
        return video

    def embed_url(self, video: FakeVideo, form: str = "embed") -> str:
        paths = {"embed": f"/videos/embed/{video.uuid}", "w": f"/w/{video.short_uuid}", "watch": f"/videos/watch/{video.uuid}"}
        return self.base_url + paths[form]

    def add_file(
        self, video: FakeVideo, resolution: int, data: bytes, *, hls: bool = True,
        has_audio: bool = True, has_video: bool | None = None, extname: str = ".mp4",
    ) -> FakeFile:
        """Give ``video`` a file of ``resolution`` (0: audio only) holding ``data``."""
        number = sum(len(v.files) for v in self.videos) + 1
        suffix = f"-{resolution}-fragmented{extname}" if hls else f"-{resolution}{extname}"
        file = FakeFile(number, resolution, data, hls, has_audio, resolution != 0 if has_video is None else has_video,
                        extname, f"{uuid.uuid4()}{suffix}")
        video.files.append(file)
        if self.object_storage is not None:
            self.object_storage.objects[self._object_key(video, file)] = data
        return file

    def download_url(self, video: FakeVideo, file: FakeFile) -> str:
        """``fileDownloadUrl``: what a transcript's videoDownloadHref names."""
        if file.hls:
            return f"{self.base_url}/download/streaming-playlists/hls/videos/{video.uuid}-{file.resolution}-fragmented{file.extname}"
        return f"{self.base_url}/download/web-videos/{video.uuid}-{file.resolution}{file.extname}"

    def static_url(self, video: FakeVideo, file: FakeFile) -> str:
        """``fileUrl``: the static file the player streams (on object storage when there is one)."""
        if self.object_storage is not None:
            return f"{self.object_storage.base_url}/{self._object_key(video, file)}"
        if file.hls:
            return f"{self.base_url}/static/streaming-playlists/hls/{video.uuid}/{file.filename}"
        return f"{self.base_url}/static/web-videos/{file.filename}"

    @staticmethod
    def _object_key(video: FakeVideo, file: FakeFile) -> str:
        return f"hls/{video.uuid}/{file.filename}" if file.hls else f"web-videos/{file.filename}"

    def set_caption(self, video: FakeVideo, language: str, data: bytes, *, automatic: bool = False) -> None:
        """Put a caption on the server directly (as an earlier upload or Whisper would have)."""
        with self._lock:
            self._store_caption(video, language, data, automatic)

    def caption(self, video: FakeVideo, language: str) -> bytes | None:
        stored = video.captions.get(language)
        return self.files[stored.filename] if stored else None

    def inject(
        self,
        status: int,
        count: int = 1,
        *,
        path_prefix: str = "/",
        method: str | None = None,
        retry_after: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` (after ``delay`` seconds)."""
        with self._lock:
            self._faults.append(Fault(status, count, path_prefix, method, retry_after, delay))

    def advance(self, seconds: float) -> None:
        """Move the server's clock forward (token expiry) without waiting."""
        with self._lock:
            self._clock_offset += seconds

    def issue_tokens(self, username: str) -> dict:
        """A token pair for ``username``, as if obtained outside the publisher."""
        with self._lock:
            return json.loads(self._issue(username).body)

    def accepts_access_token(self, token: str) -> bool:
        with self._lock:
            entry = self._access.get(token)
            return entry is not None and entry[1] >= self._now()

    def requests_to(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and re.fullmatch(path_pattern, r.path)]

    # -- request handling ------------------------------------------------------------------

    def _now(self) -> float:
        return time.time() + self._clock_offset

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Reply:
        path = urlsplit(target).path
        with self._lock:
            self.requests.append(RecordedRequest(method, path, headers))
            fault = self._take_fault(method, path)
        if fault is not None:
            time.sleep(fault.delay)
            return self._fault_reply(fault)
        with self._lock:
            if self.body_cap is not None and path.startswith("/api/v1/videos") and len(body) > self.body_cap:
                html = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body></body></html>"
                return _Reply(413, html.encode(), "text/html")
            return self._route(method, path, headers, body)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and path.startswith(fault.path_prefix) and fault.method in (None, method):
                fault.remaining -= 1
                return fault
        return None

    @staticmethod
    def _fault_reply(fault: Fault) -> _Reply:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        if fault.status == 429:
            return _Reply(429, b"Too many requests, please try again later.", "text/plain; charset=utf-8", headers)
        reply = _problem(fault.status, f"Injected fault {fault.status}")
        reply.headers.update(headers)
        return reply

    def _route(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        if path.startswith("/lazy-static/video-captions/") and method == "GET":
            data = self.files.get(path.rsplit("/", 1)[1])
            return _Reply(200, data, "text/vtt; charset=utf-8") if data is not None else _Reply(404)
        if path.startswith(("/static/", "/download/")) and method == "GET":
            return self._video_file(path, headers)
        if not path.startswith("/api/"):
            return _Reply(404)
        if path == "/api/v1/oauth-clients/local" and method == "GET":
            return self._oauth_client(headers)
        if path == "/api/v1/users/token" and method == "POST":
            return self._token(headers, body)
        if path == "/api/v1/users/me" and method == "GET":
            user = self._authenticate(headers, required=True)
            return user if isinstance(user, _Reply) else _json(200, self._me_json(user))
        match = re.fullmatch(r"/api/v1/videos/([^/]+)(/captions(?:/([^/]+))?)?", path)
        if match is None:
            return _Reply(400)
        video_id, captions, language = match.groups()
        if captions is None and method == "GET":
            return self._get_video(video_id, headers)
        if language is None and captions and method == "GET":
            return self._list_captions(video_id, headers)
        if language is not None and method == "PUT":
            return self._put_caption(video_id, language, headers, body)
        if language is not None and method == "DELETE":
            return self._delete_caption(video_id, language, headers)
        return _Reply(400)

    def _oauth_client(self, headers: dict[str, str]) -> _Reply:
        host = headers.get("host", "")
        if host != self.hostname:
            return _problem(403, f"Getting client tokens for host {host} is forbidden.")
        return _json(200, {"client_id": self.client_id, "client_secret": self.client_secret})

    def _token(self, headers: dict[str, str], body: bytes) -> _Reply:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return _problem(400, "Invalid client: client is invalid", code="invalid_client")
        grant = form.get("grant_type")
        if grant == "password":
            user = self.users.get(form.get("username", ""))
            if user is None or user.password != form.get("password"):
                return _problem(400, "Invalid grant: user credentials are invalid", code="invalid_grant")
            if user.otp is not None:
                sent = headers.get("x-peertube-otp")
                if sent is None:
                    return _problem(401, "Missing two factor header", code="missing_two_factor")
                if sent != user.otp:
                    return _problem(400, "Invalid two factor header", code="invalid_two_factor")
            return self._issue(user.username)
        if grant == "refresh_token":
            entry = self._refresh.pop(form.get("refresh_token", ""), None)
            if entry is None or entry[2] < self._now():
                return _problem(400, "Invalid grant: refresh token is invalid", code="invalid_grant")
            username, old_access, _ = entry
            self._access.pop(old_access, None)  # the refresh revokes the token it replaces
            return self._issue(username)
        return _problem(400, "Unsupported grant type: grant_type is invalid", code="unsupported_grant_type")

    def _issue(self, username: str) -> _Reply:
        access, refresh = secrets.token_hex(20), secrets.token_hex(20)
        now = self._now()
        self._access[access] = (username, now + self.access_lifetime)
        self._refresh[refresh] = (username, access, now + self.refresh_lifetime)
        self.issued_access_tokens.append(access)
        self.issued_refresh_tokens.append(refresh)
        return _json(200, {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": int(self.access_lifetime),
            "refresh_token_expires_in": int(self.refresh_lifetime),
        })

    def _authenticate(self, headers: dict[str, str], *, required: bool) -> FakeUser | _Reply | None:
        authorization = headers.get("authorization")
        if authorization is None:
            if required:
                return _problem(401, "Unauthorized request: no authentication given", code="invalid_token")
            return None
        entry = self._access.get(authorization.removeprefix("Bearer "))
        if entry is None or entry[1] < self._now():
            return _problem(401, "Token is invalid", code="invalid_token")
        return self.users[entry[0]]

    def _me_json(self, user: FakeUser) -> dict:
        labels = {ROLE_ADMIN: "Administrator", ROLE_MODERATOR: "Moderator", ROLE_USER: "User"}
        return {
            "id": list(self.users).index(user.username) + 1,
            "username": user.username,
            "role": {"id": user.role, "label": labels[user.role]},
            "account": {"id": list(self.users).index(user.username) + 1, "name": user.username, "host": self.hostname},
        }

    def _video_for(self, video_id: str, headers: dict[str, str], *, required: bool) -> FakeVideo | _Reply:
        """The video a request names, after its authentication: PeerTube checks the token first."""
        user = self._authenticate(headers, required=required)
        if isinstance(user, _Reply):
            return user
        video = self._find_video(video_id)
        return _problem(404, "Video not found") if video is None else video

    def _find_video(self, video_id: str) -> FakeVideo | None:
        for video in self.videos:
            if video_id in (str(video.numeric_id), video.uuid, video.short_uuid):
                return video
        return None

    def _get_video(self, video_id: str, headers: dict[str, str]) -> _Reply:
        video = self._video_for(video_id, headers, required=False)
        if isinstance(video, _Reply):
            return video
        host = self.hostname if video.is_local else video.origin_host
        web = [f for f in video.files if not f.hls]
        hls = [f for f in video.files if f.hls]
        return _json(200, {
            "id": video.numeric_id,
            "uuid": video.uuid,
            "shortUUID": video.short_uuid,
            "name": f"Video {video.numeric_id}",
            "isLocal": video.is_local,
            "language": {"id": video.language, "label": CAPTION_LANGUAGES.get(video.language or "", "Unknown")},
            "account": {"name": video.owner, "host": host, "displayName": video.owner},
            "channel": {"name": f"{video.owner}_channel", "host": host, "displayName": f"{video.owner} channel"},
            "downloadEnabled": video.download_enabled,
            "files": [self._file_json(video, f) for f in _by_resolution_desc(web)],
            "streamingPlaylists": [{
                "id": 1,
                "type": 1,  # VideoStreamingPlaylistType.HLS
                "playlistUrl": f"{self.base_url}/static/streaming-playlists/hls/{video.uuid}/master.m3u8",
                "files": [self._file_json(video, f) for f in _by_resolution_desc(hls)],
            }] if hls else [],
        })

    def _file_json(self, video: FakeVideo, file: FakeFile) -> dict:
        """videoFilesModelToFormattedJSON: what the API says of one file."""
        return {
            "id": file.id,
            "resolution": {"id": file.resolution, "label": "Audio only" if file.resolution == 0 else f"{file.resolution}p"},
            "size": len(file.data),
            "fps": 0 if file.resolution == 0 else 25,
            "fileUrl": self.static_url(video, file),
            "fileDownloadUrl": self.download_url(video, file),
            "hasAudio": file.has_audio,
            "hasVideo": file.has_video,
            "storage": 1 if self.object_storage is not None else 0,
        }

    def _video_file(self, path: str, headers: dict[str, str]) -> _Reply:
        """A static file or a download route: the bytes, or a redirect to object storage."""
        for video in self.videos:
            for file in video.files:
                download = urlsplit(self.download_url(video, file)).path
                if path == download:
                    if not video.download_enabled:
                        return _problem(403, "Video download is disabled for this video")
                    if self.object_storage is not None:
                        signed = self.object_storage.presign(self._object_key(video, file))
                        return _Reply(302, b"", None, {"Location": signed})
                    name = f"Video {video.numeric_id}-{file.resolution}p{'-hls' if file.hls else ''}{file.extname}"
                    return _ranged(file.data, file.extname, headers, {"Content-Disposition": f'attachment; filename="{name}"'})
                if self.object_storage is None and path == urlsplit(self.static_url(video, file)).path:
                    return _ranged(file.data, file.extname, headers)
        return _Reply(404)

    def _list_captions(self, video_id: str, headers: dict[str, str]) -> _Reply:
        video = self._video_for(video_id, headers, required=False)
        if isinstance(video, _Reply):
            return video
        data = []
        for language, stored in video.captions.items():
            item = {
                "language": {"id": language, "label": CAPTION_LANGUAGES[language]},
                "automaticallyGenerated": stored.automatically_generated,
                "captionPath": f"/lazy-static/video-captions/{stored.filename}",
                "updatedAt": "2025-01-01T00:00:00.000Z",
            }
            if self.serve_file_url:
                item["fileUrl"] = self.base_url + item["captionPath"]
            data.append(item)
        return _json(200, {"total": len(data), "data": data})

    def _put_caption(self, video_id: str, language: str, headers: dict[str, str], body: bytes) -> _Reply:
        user = self._authenticate(headers, required=True)
        if isinstance(user, _Reply):
            return user
        parts = _multipart_files(headers.get("content-type", ""), body)
        for name, *_ in parts:
            if name != "captionfile":
                return _problem(500, "Unexpected field")
        if language not in CAPTION_LANGUAGES:
            return _invalid("captionLanguage", "params", language, "Should have a valid caption language")
        if not parts:
            return _invalid("captionfile", "body", None, _captionfile_message(self.max_caption_bytes))
        name, filename, content_type, data = parts[0]
        self.uploads.append(Upload(video_id, language, name, filename, content_type, data))
        extension = _multer_extension(content_type or "text/plain", filename or "")
        if extension is None or len(data) > self.max_caption_bytes:
            return _invalid("captionfile", "body", None, _captionfile_message(self.max_caption_bytes))
        video = self._find_video(video_id)
        if video is None:
            return _problem(404, "Video not found")
        if not video.is_local:
            return _problem(403, "Cannot manage a video of another server.")
        if user.role not in (ROLE_ADMIN, ROLE_MODERATOR) and user.username != video.owner:
            return _problem(403, "Cannot manage a video of another user.")
        if extension == ".srt":
            data = srt_to_vtt(data.decode("utf-8", errors="replace")).encode("utf-8")
        self._store_caption(video, language, data, automatic=False)
        return _Reply(204)

    def _delete_caption(self, video_id: str, language: str, headers: dict[str, str]) -> _Reply:
        video = self._video_for(video_id, headers, required=True)
        if isinstance(video, _Reply):
            return video
        stored = video.captions.pop(language, None)
        if stored is None:
            return _problem(404, "Video caption not found")
        self.files.pop(stored.filename, None)
        return _Reply(204)

    def _store_caption(self, video: FakeVideo, language: str, data: bytes, automatic: bool) -> None:
        previous = video.captions.get(language)
        if previous is not None:
            self.files.pop(previous.filename, None)
        filename = f"{uuid.uuid4()}-{language}.vtt"  # a new name on every replacement
        self.files[filename] = data
        video.captions[language] = StoredCaption(filename, automatic)


def _by_resolution_desc(files: list[FakeFile]) -> list[FakeFile]:
    return sorted(files, key=lambda f: f.resolution, reverse=True)


_STATIC_TYPES = {".mp4": "video/mp4", ".m4a": "audio/mp4", ".webm": "video/webm"}


def _ranged(data: bytes, extname: str, headers: dict[str, str], extra: dict[str, str] | None = None) -> _Reply:
    """A file as express's ``send`` serves it: the whole (200) or the asked range (206)."""
    content_type = _STATIC_TYPES.get(extname, "application/octet-stream")
    reply_headers = {"Accept-Ranges": "bytes", **(extra or {})}
    match = re.fullmatch(r"bytes=(\d+)-(\d*)", headers.get("range", ""))
    if match is None:
        return _Reply(200, data, content_type, reply_headers)
    start = int(match[1])
    end = min(int(match[2]) if match[2] else len(data) - 1, len(data) - 1)
    if start >= len(data):
        return _Reply(416, b"", None, {**reply_headers, "Content-Range": f"bytes */{len(data)}"})
    reply_headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    return _Reply(206, data[start : end + 1], content_type, reply_headers)


class FakeObjectStorage(_LocalServer):
    """An S3-like bucket on another port: objects by key, reached through pre-signed URLs
    whose signature (``X-Amz-Signature`` in the query) is checked. ``requests`` keeps the
    full targets, query included, so a test can see a signature was used."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.signature = secrets.token_hex(16)
        self.expired = False  # True: every signature is refused (403), as after X-Amz-Expires
        self._serve(_StorageHandler, storage=self)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def presign(self, key: str) -> str:
        return f"{self.base_url}/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={self.signature}"

    def handle(self, target: str, headers: dict[str, str]) -> _Reply:
        self.requests.append(target)
        parts = urlsplit(target)
        data = self.objects.get(unquote(parts.path).lstrip("/"))
        if data is None:
            return _Reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
        signature = parse_qs(parts.query).get("X-Amz-Signature", [""])[0]
        if parts.query and (self.expired or signature != self.signature):
            return _Reply(403, b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                          "application/xml")
        return _ranged(data, "." + parts.path.rsplit(".", 1)[-1], headers)


class _StorageHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        headers = {key.lower(): value for key, value in self.headers.items()}
        reply = self.server.storage.handle(self.path, headers)  # type: ignore[attr-defined]
        self.send_response(reply.status)
        if reply.content_type is not None:
            self.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


def _multer_extension(content_type: str, filename: str) -> str | None:
    """The temporary file's extension multer picks: from the type if known, else the name."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in CAPTION_MIMETYPES:
        return CAPTION_MIMETYPES[media_type]
    if media_type == "application/octet-stream":
        extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        return extension if extension in (".vtt", ".srt") else None
    return None


def _multipart_files(content_type: str, body: bytes) -> list[tuple[str, str | None, str | None, bytes]]:
    """(field name, file name, part Content-Type or None, bytes) of each part of a form."""
    if not content_type.lower().startswith("multipart/form-data"):
        return []
    message = BytesParser(policy=email_policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts.append((str(name), part.get_filename(), part.get("Content-Type"), part.get_payload(decode=True) or b""))
    return parts


def _json(status: int, payload: object) -> _Reply:
    return _Reply(status, json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8")


def _problem(status: int, detail: str, *, code: str | None = None, invalid_params: dict | None = None) -> _Reply:
    payload: dict[str, object] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if code is not None:
        payload["code"] = code
    if invalid_params is not None:
        payload["invalid-params"] = invalid_params
    return _Reply(status, json.dumps(payload).encode("utf-8"), "application/problem+json; charset=utf-8")


def _invalid(name: str, location: str, value: object, message: str) -> _Reply:
    entry = {"type": "field", "value": value, "msg": message, "path": name, "location": location}
    return _problem(400, f"Incorrect request parameters: {name}", invalid_params={name: entry})


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakePeerTube/1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        reply = self.server.fake.handle(self.command, self.path, headers, body)  # type: ignore[attr-defined]
        self.send_response(reply.status)
        if reply.content_type is not None:
            self.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body:
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve
