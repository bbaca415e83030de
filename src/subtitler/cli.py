"""Command line: ``subtitler build`` and ``subtitler publish``. Thin: parse, call, print."""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# One BLAS thread per process: parallelism comes from --jobs; extra OpenBLAS threads on a
# busy core cost the aligner ~15 % (must be set before numpy is first imported).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def _reuse_freed_memory() -> None:
    """glibc maps fresh pages for every allocation over 128 KB and unmaps them when freed,
    so each numpy temporary of that size (a cue's synthetic audio, a block of spectra) is
    zero-filled page by page again: 1.1 of the 7 s that synthesis takes on the webinar.
    Up to 32 MB they now come from the heap, which keeps 128 MB of freed memory for reuse
    (peak memory unchanged). The synthesis processes inherit it through the environment;
    elsewhere than glibc nothing changes."""
    settings = {"MALLOC_MMAP_THRESHOLD_": (-3, 32 << 20), "MALLOC_TRIM_THRESHOLD_": (-1, 128 << 20)}
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    for variable, (option, value) in settings.items():
        if variable not in os.environ:  # else glibc has read the user's value already
            os.environ[variable] = str(value)
            mallopt(option, value)


_reuse_freed_memory()

from . import __version__  # noqa: E402
from .config import CaptionConfig  # noqa: E402
from .errors import SubtitlerError  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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


def _add_build_parser(commands: argparse._SubParsersAction) -> None:
    build = commands.add_parser(
        "build",
        help="transcripts -> WebVTT, SRT, plain text, HTML page and QA report",
        description="Build captions and transcript pages for every transcript given.",
    )
    build.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                       help="transcript files or folders (default: transcripts/)")
    build.add_argument("--media", type=Path, default=Path("media"), metavar="DIR",
                       help="folder of local videos, matched by slug or video id (default: media/)")
    build.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                       help="output folder (default: output/)")
    build.add_argument("--cache", type=Path, default=Path(".cache/media"), metavar="DIR",
                       help="where downloaded videos are kept (default: .cache/media/)")
    build.add_argument("--no-download", action="store_true",
                       help="never download videoDownloadHref; a video missing locally fails")
    build.add_argument("--timing", choices=("audio", "proportional"), default="audio",
                       help="align cues to the speech (default) or spread them proportionally")
    build.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="videos built in parallel processes (default: number of cores)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on a Dask distributed cluster (e.g. tcp://host:8786); "
                            "inputs and outputs must be on storage the workers share")
    build.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    build.add_argument("--no-html", action="store_true", help="do not write the HTML pages")
    build.add_argument("--lang", default=None, help="caption language when a transcript has none (default: fr)")
    build.add_argument("--max-line-chars", type=int, default=None, metavar="N",
                       help="characters per caption line (default: 42)")
    build.add_argument("--max-cps", type=float, default=None, metavar="CPS",
                       help="hard reading-speed limit in characters per second (default: 17)")
    build.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    build.add_argument("--debug", action="store_true", help="show tracebacks of failures")
    build.set_defaults(handler=run_build)


def _config_from(args: argparse.Namespace) -> CaptionConfig:
    overrides = {}
    if args.lang:
        overrides["lang"] = args.lang
    if args.max_line_chars:
        overrides["max_line_chars"] = args.max_line_chars
        overrides["preferred_line_chars"] = min(CaptionConfig().preferred_line_chars, args.max_line_chars)
    if args.max_cps:
        overrides["max_cps"] = args.max_cps
    return CaptionConfig(**overrides)


def run_build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .batch import collect_transcripts, run_batch
    from .pipeline import BuildOptions, remove_stale_temporaries
    from .report import summary_table, write_report

    if args.jobs < 1:
        raise SubtitlerError("--jobs must be at least 1")
    inputs = args.inputs or [Path("transcripts")]
    paths = collect_transcripts(inputs)
    if not paths:
        raise SubtitlerError("no transcript (.md) found in " + ", ".join(map(str, inputs)))
    if args.scheduler:  # workers share the storage, not this process's working directory
        paths = [path.resolve() for path in paths]
    options = BuildOptions(
        out_dir=args.out.resolve(),
        media_dir=args.media.resolve(),
        cache_dir=args.cache.resolve(),
        timing=args.timing,
        download=not args.no_download,
        html=not args.no_html,
        config=_config_from(args),
    )
    args.out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(args.out)
    bar = tqdm(total=len(paths), unit="video", disable=args.quiet or None, file=sys.stderr)

    def on_result(result) -> None:
        bar.update(1)
        if result.error:
            bar.write(f"error: {result.error}" if result.status == "failed" else f"note: {result.error}",
                      file=sys.stderr)
        for entry in result.orphaned_anchors:
            bar.write(f"warning: {result.transcript}: {entry}", file=sys.stderr)
        if args.debug and result.traceback:
            bar.write(result.traceback, file=sys.stderr)

    batch = run_batch(paths, options, jobs=args.jobs, force=args.force, debug=args.debug,
                      scheduler=args.scheduler, on_result=on_result)
    bar.close()
    write_report(batch.results, args.out, wall_seconds=batch.wall_seconds, jobs=args.jobs)
    if options.html:
        from .html import index_entries_from_results, write_index

        write_index(index_entries_from_results(batch.results, args.out), args.out)
    if not args.quiet:
        print(summary_table(batch.results))
        print(f"report: {args.out / 'report.json'}")
    return EXIT_FAILED if batch.failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except SubtitlerError as error:
        print(f"subtitler: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("subtitler: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
