"""What ``subtitler publish`` needs to describe itself without loading the network layer
(httpx and the client take 0.19 s to import, which every ``build`` paid for the parser)."""

from __future__ import annotations

from dataclasses import dataclass

ENV_USERNAME = "SUBTITLER_PEERTUBE_USERNAME"
ENV_PASSWORD = "SUBTITLER_PEERTUBE_PASSWORD"
ENV_TOKEN = "SUBTITLER_PEERTUBE_TOKEN"
ENV_OTP = "SUBTITLER_PEERTUBE_OTP"
ENV_URL = "SUBTITLER_PEERTUBE_URL"


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying when the instance is busy, failing or slow."""

    max_attempts: int = 5  # per request, the first one included
    base_delay: float = 1.0  # seconds before the first retry after a 5xx or a timeout, doubled after
    max_delay: float = 30.0  # cap of one backoff step
    max_total_delay: float = 180.0  # sleeping budget of one request, Retry-After included
    timeout: float = 30.0  # seconds to connect, and between two bytes read or written

    def backoff(self, retry: int) -> float:
        """Delay before retry number ``retry`` (1-based) after a 5xx or a network failure."""
        return min(self.max_delay, self.base_delay * 2 ** (retry - 1))
