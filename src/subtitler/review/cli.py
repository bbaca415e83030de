"""``subtitler review [INPUT ...] [-o OUT] [--port N]``: build, then serve the review pages."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..timing.methods import TimingMethod


def add_review_parser(commands: argparse._SubParsersAction) -> None:
    review = commands.add_parser(
        "review",
        help="check and fix the captions in the browser (local server on 127.0.0.1)",
        description="Build the videos (incrementally), then serve a review page per video on "
                    "127.0.0.1: fixes go to <slug>.anchors.json and the transcript.",
    )
    review.add_argument("inputs", nargs="*", type=Path, metavar="INPUT",
                        help="transcript files or folders (default: transcripts/)")
    review.add_argument("-o", "--out", type=Path, default=Path("output"), metavar="DIR",
                        help="output folder (default: output/)")
    review.add_argument("--port", type=int, default=8017, metavar="N",
                        help="port on 127.0.0.1 (default: 8017; 0: any free port)")
    review.add_argument("--media", type=Path, default=Path("media"), metavar="DIR",
                        help="folder of local videos (default: media/)")
    review.add_argument("--cache", type=Path, default=Path(".cache/media"), metavar="DIR",
                        help="where downloaded videos are kept (default: .cache/media/)")
    review.add_argument("--no-download", action="store_true", help="never download videoDownloadHref")
    review.add_argument("--timing", choices=[method.value for method in TimingMethod], default=TimingMethod.AUDIO.value,
                        help="timing method of the builds (default: audio)")
    review.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="videos built in parallel for the first build (default: number of cores)")
    review.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    review.set_defaults(handler=run_review)


def run_review(args: argparse.Namespace) -> int:
    from ..cli_common import collect_transcripts
    from ..config import CaptionConfig
    from ..errors import SubtitlerError
    from ..pipeline import BuildOptions
    from .server import create_app, serve
    from .session import ReviewSession

    if not 0 <= args.port <= 65535:
        raise SubtitlerError("--port must be between 0 and 65535")
    inputs = args.inputs or [Path("transcripts")]
    paths = collect_transcripts(inputs)
    if not paths:
        raise SubtitlerError("no transcript (.md) found in " + ", ".join(map(str, inputs)))
    options = BuildOptions(out_dir=args.out.resolve(), media_dir=args.media.resolve(),
                           cache_dir=args.cache.resolve(), timing=TimingMethod(args.timing),
                           download=not args.no_download, config=CaptionConfig())
    args.out.mkdir(parents=True, exist_ok=True)
    session = ReviewSession(paths, options)
    print(f"building {len(paths)} video(s)...", file=sys.stderr)
    for result in session.build_all(max(1, args.jobs)):
        if result.error:
            print(f"{'error' if result.status == 'failed' else 'note'}: {result.error}", file=sys.stderr)
        for entry in result.orphaned_anchors:
            print(f"warning: {result.transcript}: {entry}", file=sys.stderr)

    def ready(url: str) -> None:
        print(f"review: {url}  (Ctrl+C to stop)", flush=True)
        if not args.no_browser:
            import webbrowser

            webbrowser.open(url)

    serve(create_app(session), args.port, on_ready=ready)
    return 0
