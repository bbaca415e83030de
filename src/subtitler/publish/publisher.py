"""Per video: decide where its caption goes (PeerTube, or the site for a self-hosted video),
and deliver it when it must.

Nothing is sent before every local check passed: the video's instance is one the credentials
belong to, the caption is what the last successful build made from the transcript as it is
now (manifest hashes), and it is valid WebVTT. Then the checks PeerTube can answer (the
video exists, is local, the account may manage it), and the current caption of that language
is fetched and compared by cues: only a difference (or ``--force``) leads to a PUT. A
current caption this tool did not upload is copied to ``OUT/<slug>/published/`` first.
A video that is a plain media file on the programme's own server goes to the site's public
folder instead (:mod:`.site`). A video's failure is its outcome, never an exception, so one
bad video does not stop the others.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import incremental
from ..errors import NothingToCaption, PublishError, SubtitlerError
from ..formats.vtt import VTT
from ..layout import OutputLayout, VideoOutputs
from ..model import Transcript
from ..transcript import load_transcript, slug_for
from ..video_url import PeerTubeVideo, VideoUrlError, parse_video_url
from .auth import Authenticator, CredentialSource, TokenCache, instance_key
from .captions import NGINX_BODY_CAP, CaptionCue, count_differences, cues_from_vtt, cues_sha256, load_caption
from .client import ApiClient, RetryPolicy
from .errors import ApiError, UnsupportedVideoURL
from .instance import PeerTubeInstance, RemoteCaption, VideoInfo
from .outcome import CaptionState, Status, Target, VideoOutcome
from .record import DeliveryLog, utc_stamp
from .redact import Redactor
from .site import deliver, is_site_video

log = logging.getLogger("subtitler.publish")


@dataclass(frozen=True)
class PublishOptions:
    out_dir: Path = Path("output")
    lang: str | None = None  # PeerTube caption language; None: each transcript's own
    dry_run: bool = False
    force: bool = False  # PeerTube: upload an unchanged caption; site: replace a file edited by hand
    policy: RetryPolicy = RetryPolicy()
    site: Path | None = None  # the site's public folder, for self-hosted videos
    replace_existing: bool = False  # site: replace a caption file subtitler did not write


@dataclass
class _Delivery:
    """The parts of an outcome gathered while one caption is delivered."""

    target: Target
    destination: str
    before: CaptionState | None = None
    after: CaptionState | None = None
    copy: Path | None = None
    notes: list[str] = field(default_factory=list)


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
        self._layout = OutputLayout(options.out_dir)

    def close(self) -> None:
        for instance in self._instances.values():
            instance.api.close()

    def publish(self, transcript_path: Path) -> VideoOutcome:
        started = utc_stamp(self._clock())
        try:
            transcript = load_transcript(transcript_path)
        except NothingToCaption as error:  # a PDF entry of the catalogue
            return VideoOutcome(transcript_path, slug_for(transcript_path), Status.SKIPPED, error.message, time=started)
        except SubtitlerError as error:  # shown after the transcript's path: the bare message
            return VideoOutcome(transcript_path, None, Status.FAILED, error.message, time=started)
        slug = transcript.slug
        try:
            ref = embedded_video(transcript.video_embed_src)
        except UnsupportedVideoURL as error:
            if is_site_video(transcript.video_embed_src):
                return self._site(transcript, started)
            return VideoOutcome(transcript_path, slug, Status.SKIPPED, str(error), time=started)
        delivery = _Delivery(Target.PEERTUBE, f"{ref.base_url}/videos/watch/{ref.video_id}")
        lang = self.options.lang or transcript.lang
        try:
            status, message = self._publish(ref, lang, transcript, delivery)
        except PublishError as error:
            status, message = Status.FAILED, str(error)
        except Exception as error:  # an answer this client did not expect: still this video only
            status, message = Status.FAILED, f"{ref.host}: unexpected answer: {type(error).__name__}: {error}"
        if delivery.notes:
            message += "; " + "; ".join(delivery.notes)
        return VideoOutcome(
            transcript_path, slug, status, message, delivery.target, delivery.destination,
            delivery.before, delivery.after, delivery.copy, started,
        )

    def _site(self, transcript: Transcript, started: str) -> VideoOutcome:
        """A self-hosted video: its caption goes to the site's public folder."""
        path, slug = transcript.path, transcript.slug
        if self.options.site is None:
            return VideoOutcome(path, slug, Status.SKIPPED, "a video file on its own server, not on PeerTube: "
                                "give --site DIR (the site's public folder) to deliver its caption", time=started)
        try:
            video, caption_path = self._built_caption(transcript)
            data, cues = load_caption(caption_path)
            now = self._clock()
            result = deliver(
                transcript, data, cues, self.options.site, video, dry_run=self.options.dry_run,
                force=self.options.force, replace_existing=self.options.replace_existing,
                when=utc_stamp(now), seconds=now,
            )
        except PublishError as error:
            return VideoOutcome(path, slug, Status.FAILED, str(error), Target.SITE, time=started)
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            return VideoOutcome(path, slug, Status.FAILED, f"cannot write: {error.strerror}{where}", Target.SITE,
                                time=started)
        return VideoOutcome(path, slug, result.status, result.message, Target.SITE, str(result.destination),
                            result.before, result.after, result.copy, started, result.comparison)

    def _publish(self, ref: PeerTubeVideo, lang: str, transcript, delivery: _Delivery) -> tuple[Status, str]:
        scheme = ref.base_url.split("://", 1)[0]
        credentials = self._credentials.for_host(ref.host, scheme)
        if credentials is None:
            configured = ", ".join(self._credentials.instances) or "none"
            return Status.SKIPPED, (
                f"{ref.host} is not a configured PeerTube instance (configured: {configured}): "
                "nothing sent to it"
            )
        outputs, caption_path = self._built_caption(transcript)
        data, cues = load_caption(caption_path)
        if len(data) > NGINX_BODY_CAP:
            log.warning("%s: %d bytes; an instance behind PeerTube's recommended nginx refuses over 6 MB",
                        caption_path, len(data))
        instance = self._instance(ref, credentials)
        video = self._video(instance, ref)
        self._check_manageable(instance, ref, video)
        if video.language and video.language != lang:
            log.warning("%s/%s: the video's language is %r, not %r", ref.host, ref.video_id, video.language, lang)

        record = DeliveryLog(outputs)
        key = f"peertube:{instance_key(ref.host, scheme)}/{video.uuid}/{lang}"
        current = instance.captions(ref.video_id).get(lang)
        remote_text, remote_cues = self._remote(instance, current)
        if current is not None:
            delivery.before = _state(remote_text, remote_cues, record.get(key), current.automatically_generated)
        differing = None if remote_cues is None else count_differences(remote_cues, cues)
        when = utc_stamp(self._clock())
        if differing == 0 and not self.options.force:
            if not self.options.dry_run:
                record.put(key, cues_sha256(cues), when)
            delivery.after = _state(remote_text, remote_cues, cues_sha256(cues), delivery.before.automatic)
            return Status.UNCHANGED, f"{lang} caption already up to date ({len(cues)} cues)"
        what = _change(current, remote_cues, differing, len(cues))
        replaced_foreign = delivery.before is not None and differing != 0 and not delivery.before.by_subtitler
        if self.options.dry_run:
            if replaced_foreign:
                delivery.notes.append("the current caption was not uploaded by subtitler: a copy would be kept")
            return Status.WOULD_UPLOAD, f"{lang} caption to {ref.host} ({what})"
        if replaced_foreign:
            delivery.copy = record.keep_copy(remote_text.encode("utf-8"), self._clock(), lang)
            delivery.notes.append(f"the caption it replaced (not uploaded by subtitler) is kept in {delivery.copy}")
        self._upload(instance, ref, lang, caption_path.name, data)
        return self._check_upload(instance, ref, lang, cues, record, key, delivery, what)

    def _built_caption(self, transcript: Transcript) -> tuple[VideoOutputs, Path]:
        """The WebVTT caption the last successful build made from the transcript as it is now:
        named by the output layout, and taken only when the build's manifest records it with
        the hash it has (PublishError otherwise). The build names files by the transcript's
        language; PeerTube may be given another code."""
        video = self._layout.video(transcript.slug)
        name = video.caption(transcript.lang, VTT.extension)
        stale = incremental.unpublishable(video, transcript.path, name)
        if stale is not None:
            raise PublishError(f"{stale}: rebuild first")
        return video, video.path(name)

    def _remote(
        self, instance: PeerTubeInstance, current: RemoteCaption | None
    ) -> tuple[str, tuple[CaptionCue, ...] | None]:
        """The current caption's text and cues (None when there is none or it is unreadable)."""
        if current is None:
            return "", None
        text = instance.download(current.url)
        try:
            return text, cues_from_vtt(text)
        except (SubtitlerError, ValueError):
            return text, None

    def _check_upload(
        self, instance: PeerTubeInstance, ref: PeerTubeVideo, lang: str, cues: tuple[CaptionCue, ...],
        record: DeliveryLog, key: str, delivery: _Delivery, what: str,
    ) -> tuple[Status, str]:
        """Read the caption back: the report says what the instance shows now."""
        current = instance.captions(ref.video_id).get(lang)
        text, shown = self._remote(instance, current)
        if current is None or shown is None:
            raise PublishError(f"{ref.host} accepted the {lang} caption but does not show it back")
        delivery.after = _state(text, shown, cues_sha256(shown), current.automatically_generated)
        record.put(key, delivery.after.sha256, utc_stamp(self._clock()))
        differing = count_differences(shown, cues)
        if differing:
            raise PublishError(
                f"{ref.host} shows {differing} cue(s) different from those uploaded (converted on the server?)"
            )
        return Status.UPLOADED, f"{lang} caption to {ref.host} ({what}, {len(cues)} cues)"

    def _instance(self, ref: PeerTubeVideo, credentials) -> PeerTubeInstance:
        instance = self._instances.get(ref.base_url)
        if instance is None:
            api = ApiClient(ref.base_url, self.options.policy, sleep=self._sleep, wall_clock=self._clock)
            auth = Authenticator(api, ref.host, credentials, self._token_cache, self._redactor, clock=self._clock)
            instance = self._instances[ref.base_url] = PeerTubeInstance(api, auth)
        return instance

    def _video(self, instance: PeerTubeInstance, ref: PeerTubeVideo) -> VideoInfo:
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

    def _check_manageable(self, instance: PeerTubeInstance, ref: PeerTubeVideo, video: VideoInfo) -> None:
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

    def _upload(self, instance: PeerTubeInstance, ref: PeerTubeVideo, lang: str, filename: str, data: bytes) -> None:
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


def embedded_video(url: str | None) -> PeerTubeVideo:
    """The PeerTube video a transcript's ``videoEmbedSrc`` names (as :mod:`subtitler.video_url`
    parses it), or UnsupportedVideoURL saying why it names none."""
    if not url or not url.strip():
        raise UnsupportedVideoURL("no videoEmbedSrc: the transcript names no video")
    try:
        parsed = parse_video_url(url)
    except VideoUrlError as error:
        raise UnsupportedVideoURL(f"videoEmbedSrc: {error}") from None
    if parsed.peertube_video is None:
        raise UnsupportedVideoURL(
            f"videoEmbedSrc {parsed.origin}{parsed.path} is not a PeerTube video page "
            "(/videos/embed/<id>, /w/<id> or /videos/watch/<id>)"
        )
    return parsed.peertube_video


def _state(text: str, cues: tuple[CaptionCue, ...] | None, ours: str | None, automatic: bool) -> CaptionState:
    digest = cues_sha256(cues) if cues is not None else hashlib.sha256(text.encode("utf-8")).hexdigest()
    return CaptionState(len(cues) if cues is not None else 0, digest, digest == ours, automatic)


def _change(current: RemoteCaption | None, remote: tuple[CaptionCue, ...] | None, differing: int | None,
            total: int) -> str:
    """What the upload changes, in words."""
    if current is None:
        return "new"
    if remote is None:
        return "changed: the current caption is not readable WebVTT"
    if differing == 0:
        return "unchanged, forced"
    kind = "automatic caption replaced" if current.automatically_generated else "changed"
    return f"{kind}: {differing} of {total} cue(s) differ"
