"""Per video: decide whether its caption must go to PeerTube, and upload it when it must.

Every check that can be made before the upload is made (the URL names a PeerTube video, the
local caption is valid, the video exists and is local, the account may manage it), then the
current caption of that language is fetched and compared by cues: only a difference (or
``--force``) leads to a PUT. A video's failure is its outcome, never an exception, so one bad
video does not stop the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..errors import PublishError, SubtitlerError
from ..transcript import load_transcript
from .auth import Authenticator, CredentialSource, TokenCache
from .captions import NGINX_BODY_CAP, CaptionCue, count_differences, cues_from_vtt, load_caption
from .client import ApiClient, RetryPolicy
from .errors import ApiError, UnsupportedVideoURL
from .instance import PeerTubeInstance, VideoInfo
from .redact import Redactor
from .urls import VideoRef, parse_video_url

log = logging.getLogger("subtitler.publish")


class Status(str, Enum):
    UPLOADED = "uploaded"
    WOULD_UPLOAD = "would upload"  # --dry-run
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class VideoOutcome:
    transcript: Path
    slug: str | None
    status: Status
    message: str


@dataclass(frozen=True)
class PublishOptions:
    out_dir: Path = Path("output")
    lang: str | None = None  # PeerTube caption language; None: each transcript's own
    dry_run: bool = False
    force: bool = False
    policy: RetryPolicy = RetryPolicy()


class Publisher:
    """Publishes captions; one HTTP client and one login per instance, reused across videos."""

    def __init__(
        self,
        options: PublishOptions,
        credentials: CredentialSource,
        token_cache: TokenCache | None,
        redactor: Redactor,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.options = options
        self._credentials = credentials
        self._token_cache = token_cache
        self._redactor = redactor
        self._sleep = sleep
        self._clock = clock
        self._instances: dict[str, PeerTubeInstance] = {}

    def close(self) -> None:
        for instance in self._instances.values():
            instance.api.close()

    def publish(self, transcript_path: Path) -> VideoOutcome:
        try:
            transcript = load_transcript(transcript_path)
        except SubtitlerError as error:  # shown after the transcript's path: the bare message
            return VideoOutcome(transcript_path, None, Status.FAILED, error.message)
        slug = transcript.slug
        try:
            ref = parse_video_url(transcript.video_embed_src)
        except UnsupportedVideoURL as error:
            return VideoOutcome(transcript_path, slug, Status.SKIPPED, str(error))
        # The build names files by the transcript's language; PeerTube may want another code.
        caption_path = self.options.out_dir / slug / f"{slug}.{transcript.lang}.vtt"
        lang = self.options.lang or transcript.lang
        try:
            status, message = self._publish(ref, lang, caption_path)
        except PublishError as error:
            status, message = Status.FAILED, str(error)
        except Exception as error:  # an answer this client did not expect: still this video only
            status, message = Status.FAILED, f"{ref.host}: unexpected answer: {type(error).__name__}: {error}"
        return VideoOutcome(transcript_path, slug, status, message)

    def _publish(self, ref: VideoRef, lang: str, caption_path: Path) -> tuple[Status, str]:
        data, cues = load_caption(caption_path)
        if len(data) > NGINX_BODY_CAP:
            log.warning("%s: %d bytes; an instance behind PeerTube's recommended nginx refuses over 6 MB",
                        caption_path, len(data))
        instance = self._instance(ref)
        video = self._video(instance, ref)
        self._check_manageable(instance, ref, video)
        if video.language and video.language != lang:
            log.warning("%s/%s: the video's language is %r, not %r", ref.host, ref.video_id, video.language, lang)
        change = self._change(instance, ref, lang, cues)
        if change is None and not self.options.force:
            return Status.UNCHANGED, f"{lang} caption already up to date ({len(cues)} cues)"
        what = change or "unchanged, forced"
        if self.options.dry_run:
            return Status.WOULD_UPLOAD, f"{lang} caption to {ref.host} ({what})"
        self._upload(instance, ref, lang, caption_path.name, data)
        return Status.UPLOADED, f"{lang} caption to {ref.host} ({what}, {len(cues)} cues)"

    def _instance(self, ref: VideoRef) -> PeerTubeInstance:
        instance = self._instances.get(ref.base_url)
        if instance is None:
            api = ApiClient(ref.base_url, self.options.policy, sleep=self._sleep, wall_clock=self._clock)
            auth = Authenticator(
                api, ref.host, self._credentials.for_host(ref.host), self._token_cache, self._redactor,
                clock=self._clock,
            )
            instance = self._instances[ref.base_url] = PeerTubeInstance(api, auth)
        return instance

    def _video(self, instance: PeerTubeInstance, ref: VideoRef) -> VideoInfo:
        try:
            video = instance.video(ref.video_id)
        except ApiError as error:
            if error.status == 404:
                raise PublishError(f"video {ref.video_id} not found on {ref.host} (404): check videoEmbedSrc") from None
            raise
        if not video.is_local:
            raise PublishError(
                f"video {ref.video_id} is not local to {ref.host}: captions must be uploaded on its "
                f"origin instance ({video.account_host or 'unknown'})"
            )
        return video

    def _check_manageable(self, instance: PeerTubeInstance, ref: VideoRef, video: VideoInfo) -> None:
        """Warn early when the account is neither the channel's owner nor a moderator or admin.

        Not a refusal: on PeerTube 8 channel collaborators may manage captions too, so the
        PUT's 403 has the final word. In a dry run without credentials nothing can be checked.
        """
        if self.options.dry_run and not instance.auth.has_credentials:
            log.info("%s: no credentials, the account's rights are not checked", ref.host)
            return
        me = instance.me()
        owns = me.account_name == video.account_name and video.account_host in ("", ref.host)
        if not (owns or me.manages_any_video):
            log.warning(
                "%s/%s: account %r neither owns channel %r (owner %r) nor moderates; "
                "the upload will be refused unless it collaborates on the channel",
                ref.host, ref.video_id, me.account_name, video.channel_name, video.account_name,
            )

    def _change(
        self, instance: PeerTubeInstance, ref: VideoRef, lang: str, cues: tuple[CaptionCue, ...]
    ) -> str | None:
        """None when the instance already shows these cues; otherwise what the upload changes."""
        current = instance.captions(ref.video_id).get(lang)
        if current is None:
            return "new"
        text = instance.download(current.url)
        try:
            remote = cues_from_vtt(text)
        except (SubtitlerError, ValueError):
            return "changed: the current caption is not readable WebVTT"
        differing = count_differences(remote, cues)
        if differing == 0:
            return None
        kind = "automatic caption replaced" if current.automatically_generated else "changed"
        return f"{kind}: {differing} cue(s) differ"

    def _upload(self, instance: PeerTubeInstance, ref: VideoRef, lang: str, filename: str, data: bytes) -> None:
        try:
            instance.put_caption(ref.video_id, lang, filename, data)
        except ApiError as error:
            if error.status == 403:
                raise PublishError(
                    f"{ref.host} refused to let this account manage video {ref.video_id} "
                    f"({error.detail or error}): only the channel's owner, moderators and administrators "
                    "(and, on PeerTube 8, channel collaborators) may upload captions"
                ) from None
            if error.status == 413:
                raise PublishError(
                    f"{ref.host}: upload of {len(data)} bytes refused as too large (413, the web server's "
                    "body limit; PeerTube's recommended nginx allows 6 MB under /api/v1/videos)"
                ) from None
            raise
