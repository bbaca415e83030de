"""``subtitler publish``: options, and the run that prints one line per video and a summary."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from ..errors import SubtitlerError
from .auth import ENV_OTP, ENV_PASSWORD, ENV_TOKEN, ENV_USERNAME, CredentialSource, TokenCache, default_token_cache_path
from .client import RetryPolicy
from .publisher import Publisher, PublishOptions, Status
from .redact import Redactor

_CREDENTIALS_HELP = f"""\
credentials (never on the command line):
  {ENV_USERNAME}, {ENV_PASSWORD}  account to log in with
  {ENV_TOKEN}  an access token instead of a password
  {ENV_OTP}  current two-factor code, when the account has 2FA
  or a TOML file (--config, default ~/.config/subtitler/peertube.toml, chmod 600) with
  username / password / access_token, optionally per host under [instances."host"].
Tokens are cached in ~/.cache/subtitler/peertube-tokens.json (private) and refreshed."""


def add_publish_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``publish`` subcommand and its options."""
    default = RetryPolicy()
    parser = subparsers.add_parser(
        "publish",
        help="upload each video's caption to its PeerTube instance, when it changed",
        description="Upload OUT/<slug>/<slug>.<lang>.vtt to the PeerTube video named by each "
                    "transcript's videoEmbedSrc, only when its cues differ from the current caption.",
        epilog=_CREDENTIALS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                        help="transcript files or folders (default: transcripts/)")
    parser.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                        help="where the built captions are (default: output/)")
    parser.add_argument("--lang", default=None,
                        help="PeerTube caption language to upload as (default: each transcript's lang, "
                             "usually fr); the file is always OUT/<slug>/<slug>.<transcript lang>.vtt")
    parser.add_argument("--dry-run", action="store_true", help="say what would change, upload nothing")
    parser.add_argument("--force", action="store_true", help="upload even when the caption is unchanged")
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="credentials file (default: ~/.config/subtitler/peertube.toml)")
    parser.add_argument("--timeout", type=_positive, default=default.timeout, metavar="SECONDS",
                        help=f"network timeout per request (default: {default.timeout:g})")
    parser.add_argument("--attempts", type=_at_least_one, default=default.max_attempts, metavar="N",
                        help=f"tries per request on 429, 5xx or timeout (default: {default.max_attempts})")
    parser.add_argument("--max-wait", type=_positive, default=default.max_total_delay, metavar="SECONDS",
                        help="longest total wait between the tries of one request "
                             f"(default: {default.max_total_delay:g})")
    parser.add_argument("--verbose", action="store_true", help="also log logins and retries' details")


def run_publish(
    args: argparse.Namespace,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Publish every transcript's caption; 1 when any video failed, else 0.

    Problems that stop the whole run before any request (no transcript, a config file others
    may read, a malformed one) raise SubtitlerError, which the main CLI reports (exit 2).

    ``env`` (default: the process environment) and ``sleep`` exist so tests need neither real
    credentials in the environment nor real waits.
    """
    from ..batch import collect_transcripts

    env = os.environ if env is None else env
    inputs = args.inputs or [Path("transcripts")]
    paths = collect_transcripts(inputs)
    if not paths:
        raise SubtitlerError("no transcript (.md) found in " + ", ".join(map(str, inputs)))
    credentials = CredentialSource(env, args.config)
    options = PublishOptions(
        out_dir=args.out,
        lang=args.lang,
        dry_run=args.dry_run,
        force=args.force,
        policy=RetryPolicy(max_attempts=args.attempts, max_total_delay=args.max_wait, timeout=args.timeout),
    )
    redactor = Redactor()
    handler = _log_handler(logging.INFO if args.verbose else logging.WARNING)
    logger = logging.getLogger("subtitler.publish")
    logger.addHandler(handler)
    logger.addFilter(redactor)  # masks records before any handler, the caller's included
    previous_level = logger.level
    if args.verbose:
        logger.setLevel(logging.INFO)
    publisher = Publisher(options, credentials, TokenCache(default_token_cache_path(env)), redactor, sleep=sleep)
    counts: Counter[Status] = Counter()
    try:
        for path in paths:
            outcome = publisher.publish(path)
            counts[outcome.status] += 1
            name = outcome.slug or str(outcome.transcript)
            stream = sys.stderr if outcome.status is Status.FAILED else sys.stdout
            print(redactor(f"{outcome.status.value:<12} {name}: {outcome.message}"), file=stream, flush=True)
    finally:
        publisher.close()
        logger.removeHandler(handler)
        logger.removeFilter(redactor)
        logger.setLevel(previous_level)
    print(_summary(counts, args.dry_run))
    return 1 if counts[Status.FAILED] else 0


def _summary(counts: Counter[Status], dry_run: bool) -> str:
    shown = [Status.WOULD_UPLOAD] if dry_run else [Status.UPLOADED]
    shown += [Status.UNCHANGED, Status.SKIPPED, Status.FAILED]
    return "publish" + (" (dry run)" if dry_run else "") + ": " + ", ".join(
        f"{counts[status]} {status.value}" for status in shown
    )


def _log_handler(level: int) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    return handler


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
