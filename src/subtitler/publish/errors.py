"""Typed errors of the publisher, each a one-line message (no secret ever goes into one)."""

from __future__ import annotations

from ..errors import PublishError, UsageError


class UnsupportedVideoURL(PublishError):
    """The transcript's video is not a PeerTube video page: the transcript is skipped."""


class CaptionFileError(PublishError):
    """The local caption file cannot be uploaded (missing, invalid WebVTT, too large)."""


class CredentialsError(PublishError, UsageError):
    """Credentials or configuration that cannot be used (a config file others could read,
    credentials bound to no instance...): nothing is sent, and the CLI exits with status 2."""


class AuthError(PublishError):
    """The instance refused to log in (bad password, two-factor code, forbidden host...)."""


class NetworkError(PublishError):
    """The instance did not answer usefully after every retry (timeouts, connection errors)."""


class ApiError(PublishError):
    """The instance answered with an error status; the message carries its problem+json detail."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        detail: str | None = None,
        invalid_params: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = detail
        self.invalid_params = invalid_params


class SitePathError(PublishError):
    """captionFilePath would lead outside the site folder, or is not a caption file there."""
