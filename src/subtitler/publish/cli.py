"""``subtitler publish``: options, and the run that prints one line per video, a summary, and
``OUT/publish-report.json``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from .. import __version__
from ..cli_common import collect_inputs, positive_float, positive_int
from ..errors import SubtitlerError, UsageError
from ..fsutil import atomic_write_text
from ..layout import OutputLayout
from .outcome import Status, VideoOutcome
from .record import utc_stamp
from .redact import Redactor
from .settings import ENV_OTP, ENV_PASSWORD, ENV_TOKEN, ENV_URL, ENV_USERNAME, RetryPolicy


_CREDENTIALS_HELP = f"""\
credentials (never on the command line), each bound to one instance:
  {ENV_URL}  the instance the variables below belong to (or --instance URL)
  {ENV_USERNAME}, {ENV_PASSWORD}  account to log in with
  {ENV_TOKEN}  an access token instead of a password
  {ENV_OTP}  current two-factor code, when the account has 2FA
  or a TOML file (--config, default ~/.config/subtitler/peertube.toml, chmod 600) with
  username / password / access_token under [instances."host[:port]"].
Videos on any other instance are skipped: nothing is sent to them.
Tokens are cached in ~/.cache/subtitler/peertube-tokens.json (private) and refreshed.

self-hosted videos (videoEmbedSrc is a video file, not a PeerTube page) go to the site:
  --site DIR (or site = "DIR" in the config file) is the site's public folder; the caption is
  written to DIR/<captionFilePath>, by default /captions/<transcript folder>/<video file stem>.vtt,
  and captionFilePath is filled in the transcript (that line only)."""


def add_publish_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``publish`` subcommand and its options."""
    default = RetryPolicy()
    parser = subparsers.add_parser(
        "publish",
        help="deliver each video's caption: to its PeerTube instance, or to the site for self-hosted videos",
        description="Upload OUT/<slug>/<slug>.<lang>.vtt to the PeerTube video named by each "
                    "transcript's videoEmbedSrc, or write it into the site's public folder when the "
                    "video is a file on its own server; only when it changed, and only what the last "
                    "build made from the transcript as it is now.",
        epilog=_CREDENTIALS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                        help="transcript files or folders (default: transcripts/)")
    parser.add_argument("-o", "--out", type=Path, default=Path("output"), metavar="DIR",
                        help="where the built captions are (default: output/)")
    parser.add_argument("--instance", metavar="URL",
                        help=f"the PeerTube instance the environment's credentials belong to "
                             f"(default: {ENV_URL})")
    parser.add_argument("--site", type=Path, default=None, metavar="DIR",
                        help="the site's public folder, for self-hosted videos (default: site in the config file)")
    parser.add_argument("--replace-existing", action="store_true",
                        help="site: replace caption files subtitler did not write (a copy is kept)")
    parser.add_argument("--lang", default=None,
                        help="PeerTube caption language to upload as (default: each transcript's lang, "
                             "usually fr); the file is always OUT/<slug>/<slug>.<transcript lang>.vtt")
    parser.add_argument("-n", "--dry-run", action="store_true",
                        help="say what would change (how many cues), send and write nothing but the report")
    parser.add_argument("-f", "--force", action="store_true",
                        help="upload even when the caption is unchanged; site: replace a caption file edited "
                             "by hand since subtitler wrote it (a copy is kept)")
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="credentials file (default: ~/.config/subtitler/peertube.toml)")
    parser.add_argument("--timeout", type=positive_float, default=default.timeout, metavar="SECONDS",
                        help=f"network timeout per request (default: {default.timeout:g})")
    parser.add_argument("--attempts", type=positive_int, default=default.max_attempts, metavar="N",
                        help=f"tries per request on 429, 5xx or timeout (default: {default.max_attempts})")
    parser.add_argument("--max-wait", type=positive_float, default=default.max_total_delay, metavar="SECONDS",
                        help="longest total wait between the tries of one request "
                             f"(default: {default.max_total_delay:g})")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only failures")
    noise.add_argument("-v", "--verbose", action="store_true", help="also log logins and retries' details")


def run_publish(
    args: argparse.Namespace,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> int:
    """Publish every transcript's caption; 1 when any video failed, else 0.

    Problems that stop the whole run before any request (no transcript, nothing configured, a
    config file others may read, a malformed one) raise UsageError (exit 2).

    ``env`` (default: the process environment), ``sleep`` and ``clock`` exist so tests need
    neither real credentials in the environment nor real waits.
    """
    from .auth import CredentialSource, TokenCache, default_token_cache_path  # the network layer: only here
    from .publisher import Publisher, PublishOptions

    env = os.environ if env is None else env
    paths = collect_inputs(args.inputs)
    credentials = CredentialSource(env, args.config, args.instance)
    site = args.site or credentials.site
    if not credentials.instances and site is None:
        raise UsageError(
            f"nowhere to publish: name the PeerTube instance with {ENV_URL}=https://host (or --instance), "
            'or give its credentials in the config file under [instances."host"], or give the site\'s '
            "public folder with --site DIR"
        )
    if site is not None and not site.is_dir():
        raise UsageError("the site folder does not exist", site)
    options = PublishOptions(
        out_dir=args.out,
        lang=args.lang,
        dry_run=args.dry_run,
        force=args.force,
        policy=RetryPolicy(max_attempts=args.attempts, max_total_delay=args.max_wait, timeout=args.timeout),
        site=site,
        replace_existing=args.replace_existing,
    )
    redactor = Redactor()
    handler = _log_handler(logging.INFO if args.verbose else logging.ERROR if args.quiet else logging.WARNING)
    logger = logging.getLogger("subtitler.publish")
    logger.addHandler(handler)
    logger.addFilter(redactor)  # masks records before any handler, the caller's included
    previous_level = logger.level
    if args.verbose:
        logger.setLevel(logging.INFO)
    publisher = Publisher(options, credentials, TokenCache(default_token_cache_path(env)), redactor,
                          sleep=sleep, clock=clock)
    started = utc_stamp(clock())
    outcomes: list[VideoOutcome] = []
    try:
        for path in paths:
            outcome = publisher.publish(path)
            outcomes.append(outcome)
            name = outcome.slug or str(outcome.transcript)
            failed = outcome.status is Status.FAILED
            if failed or not args.quiet:
                print(redactor(f"{outcome.status.value:<12} {name}: {outcome.message}"),
                      file=sys.stderr if failed else sys.stdout, flush=True)
    finally:
        publisher.close()
        logger.removeHandler(handler)
        logger.removeFilter(redactor)
        logger.setLevel(previous_level)
    counts = Counter(outcome.status for outcome in outcomes)
    report = write_publish_report(outcomes, OutputLayout(args.out), started=started, finished=utc_stamp(clock()),
                                  dry_run=args.dry_run, redactor=redactor)
    if not args.quiet:
        print(_summary(counts, args.dry_run))
        print(f"report: {report}")
    return 1 if counts[Status.FAILED] else 0


def write_publish_report(
    outcomes: Sequence[VideoOutcome], layout: OutputLayout, *, started: str, finished: str, dry_run: bool,
    redactor: Redactor,
) -> Path:
    """``OUT/publish-report.json``: per video what was done, why, the destination's caption
    before and after, where a replaced caption was kept, and when."""
    counts = Counter(outcome.status.value for outcome in outcomes)
    payload = {
        "tool": "subtitler",
        "version": __version__,
        "started": started,
        "finished": finished,
        "dry_run": dry_run,
        "summary": dict(sorted(counts.items())),
        "videos": [_entry(outcome) for outcome in outcomes],
    }
    path = layout.publish_report
    try:
        atomic_write_text(path, redactor(json.dumps(payload, ensure_ascii=False, indent=1)) + "\n")
    except OSError as error:
        raise SubtitlerError(f"cannot write the publish report: {error.strerror}", path) from None
    return path


def _entry(outcome: VideoOutcome) -> dict:
    entry = asdict(outcome)
    entry["transcript"] = str(outcome.transcript)
    entry["status"] = outcome.status.value
    entry["target"] = outcome.target.value if outcome.target else None
    entry["copy"] = str(outcome.copy) if outcome.copy else None
    return entry


def _summary(counts: Counter[Status], dry_run: bool) -> str:
    shown = [Status.WOULD_UPLOAD, Status.WOULD_WRITE] if dry_run else [Status.UPLOADED, Status.WRITTEN]
    shown += [Status.UNCHANGED, Status.KEPT, Status.SKIPPED, Status.FAILED]
    return "publish" + (" (dry run)" if dry_run else "") + ": " + ", ".join(
        f"{counts[status]} {status.value}" for status in shown
    )


def _log_handler(level: int) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    return handler
