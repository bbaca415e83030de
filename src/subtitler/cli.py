"""Command line: ``subtitler build`` and ``subtitler publish``. Thin: parse, call, print."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .cli_common import byte_size, collect_inputs, non_negative_int, positive_float, positive_int
from .config import CaptionConfig
from .errors import SubtitlerError, UsageError
from .startup import prepare_process
from .timing.methods import TimingMethod

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# media.fetched.DownloadLimits' defaults, written here so --help does not import the media stack.
DEFAULT_MAX_DOWNLOAD = "8G"
DEFAULT_DOWNLOAD_DEADLINE = 3600.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="subtitler",
        description="Timed, accessible French captions from known transcripts.",
    )
    parser.add_argument("--version", action="version", version=f"subtitler {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_build_parser(commands)
    from .publish.cli import add_publish_parser, run_publish

    add_publish_parser(commands)
    commands.choices["publish"].set_defaults(handler=run_publish)
    from .review.cli import add_review_parser

    add_review_parser(commands)
    return parser


def core_count() -> int:
    """Cores this process may run on (its CPU affinity, as the aligner counts them)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parallelism(jobs: int, cores: int) -> tuple[int, int]:
    """(videos built at once, aligner threads per video): their product never exceeds the
    cores, so --jobs is lowered to the core count and each video gets cores // jobs threads."""
    jobs = max(1, min(jobs, cores))
    return jobs, max(1, cores // jobs)


def _add_build_parser(commands: argparse._SubParsersAction) -> None:
    default = CaptionConfig()
    build = commands.add_parser(
        "build",
        help="transcripts -> WebVTT, SRT, plain text, HTML page and QA report",
        description="Build captions and transcript pages for every transcript given.",
    )
    build.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                       help="transcript files or folders (default: transcripts/)")
    build.add_argument("--media", type=Path, default=Path("media"), metavar="DIR",
                       help="folder of local videos, matched by slug or video id (default: media/)")
    build.add_argument("-o", "--out", type=Path, default=Path("output"), metavar="DIR",
                       help="output folder (default: output/)")
    build.add_argument("--cache", type=Path, default=Path(".cache/media"), metavar="DIR",
                       help="where downloaded videos are kept (default: .cache/media/)")
    build.add_argument("--no-download", action="store_true",
                       help="never download; a video missing locally fails")
    build.add_argument("--download-as-given", action="store_true",
                       help="download videoDownloadHref as given, not the smallest file with the audio "
                            "that the PeerTube instance lists")
    build.add_argument("--max-download-size", type=byte_size, default=byte_size(DEFAULT_MAX_DOWNLOAD),
                       metavar="SIZE", help=f"largest file downloaded, e.g. 500M (default: {DEFAULT_MAX_DOWNLOAD})")
    build.add_argument("--download-deadline", type=positive_float, default=DEFAULT_DOWNLOAD_DEADLINE,
                       metavar="SECONDS", help="longest time one download may take; an unfinished one "
                       f"resumes on the next run (default: {DEFAULT_DOWNLOAD_DEADLINE:g})")
    build.add_argument("--timing", choices=[method.value for method in TimingMethod], default=TimingMethod.AUDIO.value,
                       help="align cues to the speech (default) or spread them proportionally")
    build.add_argument("-j", "--jobs", type=positive_int, default=core_count(), metavar="N",
                       help="videos built in parallel processes, at most the number of cores "
                            "(default: the number of cores, here %(default)s)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on a Dask distributed cluster (e.g. tcp://host:8786); "
                            "inputs and outputs must be on storage the workers share")
    build.add_argument("-f", "--force", action="store_true", help="rebuild even when nothing changed")
    build.add_argument("--strict", action="store_true",
                       help="fail a video (exit 1) whose timing fell back to proportional, that has no "
                            "video, or with more flagged cues than --max-flagged")
    build.add_argument("--max-flagged", type=non_negative_int, default=0, metavar="N",
                       help="with --strict, most cues flagged for review a video may have (default: 0)")
    build.add_argument("--no-html", action="store_true", help="do not write the HTML pages")
    build.add_argument("--lang", default=default.lang,
                       help=f"caption language when a transcript has none (default: {default.lang})")
    build.add_argument("--max-line-chars", type=positive_int, default=default.max_line_chars, metavar="N",
                       help=f"characters per caption line (default: {default.max_line_chars})")
    build.add_argument("--max-cps", type=positive_float, default=default.max_cps, metavar="CPS",
                       help=f"hard reading-speed limit in characters per second (default: {default.max_cps:g})")
    build.add_argument("--no-music-cues", action="store_true",
                       help=f"no '{default.music_label}' cue for music heard without a voice for "
                            f"{default.music_seconds:g} s or more (default: such cues are written)")
    noise = build.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true",
                       help="no progress bar and no table (failures and fallbacks are still said)")
    noise.add_argument("-v", "--verbose", action="store_true",
                       help="also say every warning and download of each video")
    build.add_argument("--debug", action="store_true", help="show tracebacks of failures")
    build.set_defaults(handler=run_build)


def _config_from(args: argparse.Namespace) -> CaptionConfig:
    preferred = min(CaptionConfig().preferred_line_chars, args.max_line_chars)
    return CaptionConfig(
        lang=args.lang, max_line_chars=args.max_line_chars, preferred_line_chars=preferred, max_cps=args.max_cps,
        music_cues=not args.no_music_cues,
    )


def run_build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .batch import run_batch
    from .media.fetched import DownloadLimits
    from .fsutil import remove_temporaries
    from .layout import OutputLayout
    from .pipeline import BuildOptions
    from .report import review_lines, summary_table, write_report

    paths = collect_inputs(args.inputs)
    if args.scheduler:  # workers share the storage, not this process's working directory
        paths = [path.resolve() for path in paths]
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise SubtitlerError("--scheduler needs Dask's distributed package: pip install 'subtitler[cluster]'") from None
        jobs, threads = args.jobs, 1  # each worker's share of its machine is unknown here: one
    else:
        jobs, threads = parallelism(args.jobs, core_count())
        if jobs < args.jobs:
            print(f"note: --jobs {args.jobs} lowered to {jobs}, the number of cores", file=sys.stderr)
    options = BuildOptions(
        out_dir=args.out.resolve(),
        media_dir=args.media.resolve(),
        cache_dir=args.cache.resolve(),
        timing=TimingMethod(args.timing),
        download=not args.no_download,
        html=not args.no_html,
        config=_config_from(args),
        download_limits=DownloadLimits(max_bytes=args.max_download_size, deadline=args.download_deadline),
        download_as_given=args.download_as_given,
        strict=args.strict,
        max_flagged=args.max_flagged,
        align_threads=threads,
    )
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SubtitlerError(f"cannot create the output folder: {error.strerror}", args.out) from None
    layout = OutputLayout(args.out)
    remove_temporaries(layout.root)
    bar = tqdm(total=len(paths), unit="video", disable=args.quiet or None, file=sys.stderr)

    def on_result(result) -> None:
        bar.update(1)
        if result.error:
            named = result.error if result.error.startswith(result.transcript) else f"{result.transcript}: {result.error}"
            bar.write(f"error: {named}" if result.status == "failed" else f"note: {named}", file=sys.stderr)
        if result.timing_fallback and result.status != "failed":
            bar.write(f"warning: {result.transcript}: {result.timing_fallback} (provisional: the next "
                      "run tries the audio again)", file=sys.stderr)
        if args.verbose:
            for warning in result.warnings:
                if warning != result.timing_fallback:
                    bar.write(f"warning: {result.transcript}: {warning}", file=sys.stderr)
            if result.downloaded_bytes:
                bar.write(f"download: {result.transcript}: {result.downloaded_bytes} bytes from {result.media_source}",
                          file=sys.stderr)
        for entry in result.orphaned_anchors:
            bar.write(f"warning: {result.transcript}: {entry}", file=sys.stderr)
        if args.debug and result.traceback:
            bar.write(result.traceback, file=sys.stderr)

    batch = run_batch(paths, options, jobs=jobs, force=args.force, debug=args.debug,
                      scheduler=args.scheduler, on_result=on_result)
    bar.close()
    try:
        write_report(batch.results, layout, wall_seconds=batch.wall_seconds, jobs=jobs)
        if options.html:
            from .html import index_entries_from_results, write_index

            write_index(index_entries_from_results(batch.results, layout), layout)
    except OSError as error:
        raise SubtitlerError(f"cannot write the report or index: {error.strerror}", error.filename) from None
    if not args.quiet:
        print(summary_table(batch.results))
        flagged = review_lines(batch.results)
        if flagged:
            print("\n".join(flagged))
        print(f"report: {layout.report}")
    return EXIT_FAILED if batch.failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command: 0 when all went well, 1 when a video failed or the run could not finish
    (one line on stderr, never a traceback unless --debug), 2 for a usage error."""
    prepare_process()  # before anything imports numpy
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"subtitler: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SubtitlerError as error:
        print(f"subtitler: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("subtitler: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # OSError from the disk, a lost cluster, a bug: one line, exit 1
        if getattr(args, "debug", False):
            traceback.print_exc()
        detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        where = f" ({error.filename})" if isinstance(error, OSError) and error.filename else ""
        print(f"subtitler: error: {type(error).__name__}: {' '.join(detail.split())}{where}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
