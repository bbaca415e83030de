"""The few PeerTube operations the publisher needs, on one instance, typed.

Protected calls send the Bearer token; a 401 from the route itself ("Token is invalid": the
access token expired or was revoked) renews the token once and retries once.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ..formats.vtt import VTT
from .auth import Authenticator
from .client import ApiClient
from .errors import ApiError

# PeerTube user roles (UserRole): administrators and moderators hold UPDATE_ANY_VIDEO.
ROLE_ADMINISTRATOR, ROLE_MODERATOR = 0, 1


@dataclass(frozen=True)
class VideoInfo:
    uuid: str
    name: str
    is_local: bool
    account_name: str  # owner account of the video's channel
    account_host: str
    channel_name: str
    language: str | None


@dataclass(frozen=True)
class Me:
    username: str
    account_name: str
    role: int

    @property
    def manages_any_video(self) -> bool:
        return self.role in (ROLE_ADMINISTRATOR, ROLE_MODERATOR)


@dataclass(frozen=True)
class RemoteCaption:
    language: str
    url: str  # absolute: fileUrl, or captionPath (older servers) joined to the instance
    automatically_generated: bool


class PeerTubeInstance:
    def __init__(self, api: ApiClient, auth: Authenticator) -> None:
        self.api = api
        self.auth = auth
        self._me: Me | None = None

    def video(self, video_id: str) -> VideoInfo:
        """The video (authenticated when credentials exist, so unlisted and private ones show)."""
        body = self._read(f"/api/v1/videos/{video_id}").json()
        account = body.get("account") or {}
        channel = body.get("channel") or {}
        return VideoInfo(
            uuid=str(body.get("uuid", video_id)),
            name=str(body.get("name", "")),
            is_local=bool(body.get("isLocal")),
            account_name=str(account.get("name", "")),
            account_host=str(account.get("host", "")),
            channel_name=str(channel.get("name", "")),
            language=(body.get("language") or {}).get("id"),
        )

    def me(self) -> Me:
        if self._me is None:
            body = self._protected("GET", "/api/v1/users/me").json()
            self._me = Me(
                username=str(body.get("username", "")),
                account_name=str((body.get("account") or {}).get("name", "")),
                role=int((body.get("role") or {}).get("id", -1)),
            )
        return self._me

    def captions(self, video_id: str) -> dict[str, RemoteCaption]:
        """The video's captions by language code (one per language on PeerTube)."""
        body = self._read(f"/api/v1/videos/{video_id}/captions").json()
        found: dict[str, RemoteCaption] = {}
        for item in body.get("data", []):
            language = (item.get("language") or {}).get("id")
            url = item.get("fileUrl") or (self.api.base_url + item["captionPath"] if item.get("captionPath") else None)
            if language and url:
                found[language] = RemoteCaption(language, url, bool(item.get("automaticallyGenerated")))
        return found

    def download(self, url: str) -> str:
        """A caption file's text; no Authorization header (it may live on another host)."""
        return self.api.request("GET", url).content.decode("utf-8", errors="replace")

    def put_caption(self, video_id: str, language: str, filename: str, data: bytes) -> None:
        """Add or replace the caption: multipart field ``captionfile``, typed text/vtt explicitly.

        Sent as text/plain (or untyped), PeerTube would treat the VTT as SRT and convert it.
        """
        files = {"captionfile": (filename, data, VTT.mime_type)}
        self._protected("PUT", f"/api/v1/videos/{video_id}/captions/{language}", files=files)

    def _read(self, path: str) -> httpx.Response:
        """GET a public route, authenticated when credentials exist (private videos need it)."""
        return self._protected("GET", path) if self.auth.has_credentials else self.api.request("GET", path)

    def _protected(self, method: str, path: str, **kwargs) -> httpx.Response:
        header = self.auth.header()
        try:
            return self.api.request(method, path, headers=header, **kwargs)
        except ApiError as error:
            if error.status != 401:
                raise
        self.auth.renew(header)
        return self.api.request(method, path, headers=self.auth.header(), **kwargs)
