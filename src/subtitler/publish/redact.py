"""A last line of defence: secrets are never put in messages, and are masked if one slips in."""

from __future__ import annotations

import logging

MASK = "[redacted]"


class Redactor:
    """Masks every known secret (password, tokens, client secret, OTP) in a text.

    It also works as a :mod:`logging` filter, so records of the publisher's logger are masked
    before any handler formats them.
    """

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, secret: str | None) -> None:
        if secret:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self(record.getMessage())
        record.args = ()
        return True
