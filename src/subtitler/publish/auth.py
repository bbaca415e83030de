"""Credentials, the token cache, and OAuth logins to a PeerTube instance.

Credentials come from environment variables or a TOML file only others cannot read (never
from the command line, where ``ps`` and shell history would show them). Tokens are cached per
instance and user so a run does not log in again (the token route allows 15 calls per 5 min),
refreshed with the refresh_token grant when the instance says "Token is invalid", and a
password login is the fallback when the refresh token is refused (400 invalid_grant).
"""

from __future__ import annotations

import json
import logging
import os
import stat
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..fsutil import PRIVATE, atomic_write_text
from .client import ApiClient
from .errors import ApiError, AuthError, CredentialsError
from .redact import Redactor
from .settings import ENV_OTP, ENV_PASSWORD, ENV_TOKEN, ENV_URL, ENV_USERNAME

log = logging.getLogger("subtitler.publish")

_ENV_SECRETS = (ENV_USERNAME, ENV_PASSWORD, ENV_TOKEN, ENV_OTP)

_CREDENTIAL_KEYS = {"username", "password", "access_token"}
_TOP_LEVEL_KEYS = {"instances", "site"}
# A token this close to its expiry is refreshed before use rather than refused mid-run.
EXPIRY_MARGIN = 60.0
# Hosts where plain http never leaves the machine, so credentials may go over it (tests).
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class Credentials:
    """What one instance is logged in with; secrets stay out of ``repr``."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    otp: str | None = field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        return bool(self.access_token or (self.username and self.password))

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.password, self.access_token, self.otp) if s)


def default_config_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "subtitler" / "peertube.toml"


def default_token_cache_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "subtitler" / "peertube-tokens.json"


def instance_key(netloc: str, scheme: str = "https") -> str:
    """``host[:port]`` as credentials are filed: host in lower case, the scheme's default port
    left out (``Tube.example:443`` and ``tube.example`` are one instance). ValueError if bad."""
    parts = urlsplit(f"//{netloc}")
    host, port = parts.hostname, parts.port  # .port raises ValueError on a bad port
    if not host or parts.username is not None or parts.path or parts.query or parts.fragment:
        raise ValueError(f"{netloc!r} is not host[:port]")
    shown = f"[{host}]" if ":" in host else host
    return shown if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{shown}:{port}"


def is_loopback(host: str | None) -> bool:
    return host in _LOOPBACK or bool(host and host.startswith("127."))


def parse_instance_url(url: str, origin: str) -> str:
    """The :func:`instance_key` of an instance URL (``https://host[:port]``); ``origin`` names
    where the URL came from in errors. Plain http only on this machine: the credentials that
    go with it would cross the network unencrypted."""
    parts = urlsplit(url.strip())
    if parts.username is not None or parts.password is not None:
        raise CredentialsError(f"{origin}: the instance URL carries a user name or password; give it as https://host[:port]")
    problem = None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problem = "is not an https:// URL"
    elif parts.scheme == "http" and not is_loopback(parts.hostname):
        problem = "uses plain http, which would send the credentials unencrypted: use https"
    elif parts.path not in ("", "/") or parts.query or parts.fragment:
        problem = "must be the instance's address only (https://host[:port]), without a path or query"
    if problem is None:
        try:
            return instance_key(parts.netloc, parts.scheme)
        except ValueError:
            problem = "has an invalid host or port"
    shown = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else url.split("?")[0]
    raise CredentialsError(f"{origin}: {shown} {problem}")


class CredentialSource:
    """Credentials per instance: each set belongs to one named instance and goes nowhere else.

    Environment variables belong to the instance named by ``--instance`` or
    ``SUBTITLER_PEERTUBE_URL``; the config file holds one table per instance (and optionally
    the site folder)::

        site = "/srv/pix-tutos/public"
        [instances."tube.example.org"]
        username = "alice"
        password = "..."

    A host without credentials here is not configured: the publisher sends it nothing.
    """

    def __init__(
        self, env: Mapping[str, str], config_path: Path | None = None, instance_url: str | None = None
    ) -> None:
        self._env = env
        explicit = config_path is not None
        path = config_path if explicit else default_config_path(env)
        config: dict = {}
        if path.exists():
            config = _read_private_toml(path)
        elif explicit:
            raise CredentialsError("config file not found", path)
        self.config_path = path if path.exists() else None
        self.site = _site_folder(config, path)
        self._tables: dict[str, dict] = {}
        for name, table in config.get("instances", {}).items():
            try:
                self._tables[instance_key(name)] = table
            except ValueError:
                raise CredentialsError(f'[instances."{name}"]: the name must be host or host:port', path) from None
        if instance_url:
            self._bound = parse_instance_url(instance_url, "--instance")
        elif env.get(ENV_URL):
            self._bound = parse_instance_url(env[ENV_URL], ENV_URL)
        else:
            self._bound = None
        given = [name for name in _ENV_SECRETS if env.get(name)]
        if given and self._bound is None:
            raise CredentialsError(
                f"{', '.join(given)} set, but for which instance? Name it with {ENV_URL}=https://host "
                "or --instance (credentials go to that instance only)"
            )

    @property
    def instances(self) -> tuple[str, ...]:
        """Every configured instance (host[:port]), sorted."""
        return tuple(sorted({*self._tables, *([self._bound] if self._bound else [])}))

    def for_host(self, host: str, scheme: str = "https") -> Credentials | None:
        """The credentials of the instance at ``host`` (a URL's netloc), None if not configured."""
        try:
            key = instance_key(host, scheme)
        except ValueError:
            return None
        if key not in self.instances:
            return None
        values = dict(self._tables.get(key, {}))
        otp = None
        if key == self._bound:
            for name, env_name in (("username", ENV_USERNAME), ("password", ENV_PASSWORD), ("access_token", ENV_TOKEN)):
                if self._env.get(env_name):
                    values[name] = self._env[env_name]
            otp = self._env.get(ENV_OTP) or None
        return Credentials(otp=otp, **values)


def _site_folder(config: dict, path: Path) -> Path | None:
    """The config file's ``site`` (relative to the file's folder), or None."""
    site = config.get("site")
    if site is None:
        return None
    return (path.parent / Path(site).expanduser()).absolute()


def _read_private_toml(path: Path) -> dict:
    """The config file, refused when others may read it or it belongs to someone else."""
    info = path.stat()
    if info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise CredentialsError(
            f"holds secrets but other users may access it (mode {mode:04o}): run `chmod 600 {path}`", path
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise CredentialsError("holds secrets but belongs to another user", path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CredentialsError(f"not valid TOML: {error}", path) from None
    _check_config_keys(data, path)
    return data


def _check_config_keys(data: dict, path: Path) -> None:
    loose = sorted(_CREDENTIAL_KEYS & set(data))
    if loose:
        raise CredentialsError(
            f"{', '.join(loose)} at the top level would belong to no instance: move them under "
            '[instances."host[:port]"] (credentials go to that instance only)', path
        )
    unknown = set(data) - _TOP_LEVEL_KEYS
    instances = data.get("instances", {})
    if not isinstance(instances, dict) or not all(isinstance(t, dict) for t in instances.values()):
        raise CredentialsError('"instances" must hold one table per host: [instances."host"]', path)
    for table in instances.values():
        unknown |= set(table) - _CREDENTIAL_KEYS
    if unknown:
        raise CredentialsError(
            f"unknown key(s) {', '.join(sorted(unknown))}; expected site, and "
            f"{', '.join(sorted(_CREDENTIAL_KEYS))} under [instances.\"host\"]", path
        )
    if "site" in data and not isinstance(data["site"], str):
        raise CredentialsError("site must be a string (the site's public folder)", path)
    for table in instances.values():
        for key in _CREDENTIAL_KEYS & set(table):
            if not isinstance(table[key], str):
                raise CredentialsError(f"{key} must be a string", path)


@dataclass(frozen=True)
class Tokens:
    """An OAuth token pair with absolute expiry times (seconds since the epoch)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: float
    refresh_expires_at: float


class TokenCache:
    """Token pairs on disk, keyed by instance and user: a private file, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, key: str) -> Tokens | None:
        entry = self._load().get(key)
        try:
            return Tokens(**entry) if isinstance(entry, dict) else None
        except TypeError:
            return None

    def put(self, key: str, tokens: Tokens) -> None:
        entries = self._load()
        entries[key] = asdict(tokens)
        self._save(entries)

    def drop(self, key: str) -> None:
        entries = self._load()
        if entries.pop(key, None) is not None:
            self._save(entries)

    def _load(self) -> dict:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return {}
        if info.st_mode & 0o077:
            log.warning("%s: ignored, other users may access it; it will be rewritten private", self.path)
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            log.warning("%s: ignored, not a token cache", self.path)
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, entries: dict) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(entries, indent=2, sort_keys=True) + "\n", PRIVATE)


class Authenticator:
    """The Authorization header for one instance, logging in or refreshing when needed.

    A failed login is remembered: the other videos of the instance fail with the same message
    instead of spending the token route's small rate limit.
    """

    def __init__(
        self,
        api: ApiClient,
        host: str,
        credentials: Credentials,
        cache: TokenCache | None,
        redactor: Redactor,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api = api
        self._host = host
        self._credentials = credentials
        self._cache = cache
        self._redactor = redactor
        self._clock = clock
        self._cache_key = f"{api.base_url} {credentials.username}"
        self._given_token = credentials.access_token
        self._tokens: Tokens | None = None
        self._failure: AuthError | None = None
        parts = urlsplit(api.base_url)
        if parts.scheme != "https" and not is_loopback(parts.hostname):
            self._failure = AuthError(f"{host}: refusing to send credentials over plain http; use https in videoEmbedSrc")
        for secret in credentials.secrets():
            redactor.add(secret)

    @property
    def has_credentials(self) -> bool:
        """Credentials were given, or an earlier run cached tokens for this user."""
        if self._credentials.usable:
            return True
        return bool(self._credentials.username and self._cache and self._cache.get(self._cache_key))

    def header(self) -> dict[str, str]:
        """``{"Authorization": "Bearer ..."}`` with a token believed valid."""
        if self._failure is not None:
            raise self._failure
        try:
            return {"Authorization": f"Bearer {self._current_token()}"}
        except AuthError as error:
            self._failure = error
            raise

    def renew(self, rejected_header: Mapping[str, str]) -> None:
        """The instance answered 401 to ``rejected_header``: get another token (refresh first)."""
        if self._failure is not None:
            raise self._failure
        try:
            self._renew(rejected_header["Authorization"].removeprefix("Bearer "))
        except AuthError as error:
            self._failure = error
            raise

    def _current_token(self) -> str:
        if self._given_token:
            return self._given_token
        if self._tokens is None and self._cache is not None and self._credentials.username:
            self._tokens = self._cache.get(self._cache_key)
            if self._tokens is not None:
                self._redactor.add(self._tokens.access_token)
                self._redactor.add(self._tokens.refresh_token)
        now = self._clock()
        if self._tokens is not None and self._tokens.access_expires_at - EXPIRY_MARGIN > now:
            return self._tokens.access_token
        if self._tokens is not None and self._tokens.refresh_expires_at - EXPIRY_MARGIN > now:
            if self._refresh():
                return self._tokens.access_token
        return self._login()

    def _renew(self, rejected: str) -> None:
        if rejected == self._given_token:
            self._given_token = None
            if not (self._credentials.username and self._credentials.password):
                raise AuthError(
                    f"{self._host} refused the access token given in {ENV_TOKEN} or the config file "
                    "(expired or revoked?): give a new one, or a user name and password"
                )
            self._login()
        elif self._tokens is not None and rejected == self._tokens.access_token:
            if not self._refresh():
                self._login()

    def _refresh(self) -> bool:
        """True when the refresh grant gave a new pair; False when the refresh token is refused."""
        assert self._tokens is not None
        client_id, client_secret = self._oauth_client()
        form = {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "refresh_token",
            "refresh_token": self._tokens.refresh_token,
        }
        try:
            self._store(self._api.request("POST", "/api/v1/users/token", data=form).json())
        except ApiError as error:
            if error.status == 400 and error.code == "invalid_grant":
                log.info("%s: refresh token refused, logging in again", self._host)
                self._tokens = None
                if self._cache is not None:
                    self._cache.drop(self._cache_key)
                return False
            raise AuthError(f"{self._host}: token refresh failed: {error}") from None
        return True

    def _login(self) -> str:
        username, password = self._credentials.username, self._credentials.password
        if not (username and password):
            raise AuthError(
                f"no PeerTube credentials for {self._host}: set {ENV_USERNAME} and {ENV_PASSWORD} "
                f"(or {ENV_TOKEN}) in the environment, or write them in the config file"
            )
        client_id, client_secret = self._oauth_client()
        form = {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "password",
            "username": username,
            "password": password,
        }
        headers = {"x-peertube-otp": self._credentials.otp} if self._credentials.otp else None
        try:
            response = self._api.request("POST", "/api/v1/users/token", data=form, headers=headers)
        except ApiError as error:
            raise self._login_error(error) from None
        self._store(response.json())
        log.info("%s: logged in as %s", self._host, username)
        assert self._tokens is not None
        return self._tokens.access_token

    def _login_error(self, error: ApiError) -> AuthError:
        who = f"{self._credentials.username!r} on {self._host}"
        if error.code == "missing_two_factor":
            return AuthError(f"{who} has two-factor authentication: set {ENV_OTP} to a current code")
        if error.code == "invalid_two_factor":
            return AuthError(f"{who}: the two-factor code in {ENV_OTP} was refused (codes last 30 s)")
        if error.code == "invalid_grant":
            return AuthError(f"{who}: user name or password refused")
        if error.code == "invalid_client":
            return AuthError(f"{self._host} refused its own OAuth client (invalid_client): try again")
        return AuthError(f"login as {who} failed: {error}")

    def _oauth_client(self) -> tuple[str, str]:
        try:
            body = self._api.request("GET", "/api/v1/oauth-clients/local").json()
        except ApiError as error:
            if error.status == 403:
                raise AuthError(
                    f"{self._host} gives its OAuth client only to its own configured hostname "
                    f"({error.detail or error}): use the instance's public hostname in videoEmbedSrc"
                ) from None
            raise AuthError(f"{self._host}: cannot get the OAuth client: {error}") from None
        self._redactor.add(body.get("client_secret"))
        return body["client_id"], body["client_secret"]

    def _store(self, body: dict) -> None:
        now = self._clock()
        tokens = Tokens(
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
            access_expires_at=now + float(body["expires_in"]),
            refresh_expires_at=now + float(body["refresh_token_expires_in"]),
        )
        self._redactor.add(tokens.access_token)
        self._redactor.add(tokens.refresh_token)
        self._tokens = tokens
        if self._cache is not None:
            self._cache.put(self._cache_key, tokens)
