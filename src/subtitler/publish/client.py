"""HTTP to one PeerTube instance: explicit timeouts, bounded retries, errors made readable.

Retried: 429 (after its Retry-After, seconds or an HTTP date), 5xx and network failures (after
an exponential backoff). Both are bounded by a number of attempts and a total waiting budget,
so a run always ends. Error bodies may be problem+json (RFC 7807, with ``invalid-params``),
plain text (the rate limiter's 429) or HTML (nginx's 413): all become one readable line.
Authorization headers are passed per request, never stored on the client, so a download from
another host (object storage, CDN) never carries the token.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import httpx

from .. import __version__
from .errors import ApiError, NetworkError
from .settings import RetryPolicy

log = logging.getLogger("subtitler.publish")

Sleep = Callable[[float], None]


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        return None
    return max(0.0, when.timestamp() - now)


class ApiClient:
    """Requests to one instance, retried by a :class:`RetryPolicy`; error statuses raise ApiError."""

    def __init__(
        self,
        base_url: str,
        policy: RetryPolicy = RetryPolicy(),
        *,
        sleep: Sleep = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url
        self.policy = policy
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._http = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(policy.timeout),
            headers={"User-Agent": f"subtitler/{__version__}"},
        )

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response:
        """Send a request, retrying what is worth retrying; a final error status raises ApiError."""
        policy = self.policy
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            try:
                response = self._http.request(method, url, headers=headers, data=data, files=files)
            except httpx.TimeoutException:
                problem, delay = f"no answer within {policy.timeout:g} s", policy.backoff(attempt)
            except httpx.TransportError as error:
                problem, delay = f"connection failed ({type(error).__name__})", policy.backoff(attempt)
            else:
                if response.status_code != 429 and response.status_code < 500:
                    if response.status_code >= 400:
                        raise api_error(method, url, response)
                    return response
                problem = f"{response.status_code} {response.reason_phrase}"
                asked = parse_retry_after(response.headers.get("Retry-After"), self._wall_clock())
                delay = asked if asked is not None else policy.backoff(attempt)
            if attempt >= policy.max_attempts or waited + delay > policy.max_total_delay:
                give_up = (
                    f"gave up after {attempt} attempt(s)"
                    if attempt >= policy.max_attempts
                    else f"the next wait ({delay:g} s) would exceed the {policy.max_total_delay:g} s budget"
                )
                if response is None:
                    raise NetworkError(f"{method} {_path(url)}: {problem}; {give_up}")
                raise api_error(method, url, response, suffix=f"; {give_up}")
            log.warning(
                "%s %s: %s; retrying in %g s (attempt %d of %d)",
                method, _path(url), problem, delay, attempt + 1, policy.max_attempts,
            )
            self._sleep(delay)
            waited += delay


def api_error(method: str, url: str, response: httpx.Response, suffix: str = "") -> ApiError:
    """One readable line from an error response, whatever its body (JSON, text, HTML, nothing)."""
    status = response.status_code
    code, title, detail, params = _problem(response)
    title = title or response.reason_phrase
    message = f"{method} {_path(url)}: {status} {title}"
    if detail and detail.lower().removeprefix(f"{status} ") != title.lower():
        message += f": {detail}"
    if params:
        message += " (" + "; ".join(params) + ")"
    return ApiError(message + suffix, status=status, code=code, detail=detail, invalid_params=params)


def _problem(response: httpx.Response) -> tuple[str | None, str | None, str | None, tuple[str, ...]]:
    """(code, title, detail, invalid-params lines) of an error body; values sent are left out."""
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media_type in ("application/problem+json", "application/json"):
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            params = body.get("invalid-params")
            lines = tuple(
                f"{name}: {entry.get('msg')}" for name, entry in params.items() if isinstance(entry, dict)
            ) if isinstance(params, dict) else ()
            return (
                _text(body.get("code")), _text(body.get("title")), _text(body.get("detail") or body.get("error")), lines
            )
    text = response.text.strip()
    if media_type == "text/html":
        title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        return None, None, (" ".join(title[1].split()) if title else None), ()
    return None, None, (text.splitlines()[0][:200] if text else None), ()


def _text(value: object) -> str | None:
    return str(value) if value else None


def _path(url: str) -> str:
    """The path of a URL, for messages (queries are never shown)."""
    return urlsplit(url).path or url
