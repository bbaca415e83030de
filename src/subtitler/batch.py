"""Run the per-video step over a catalogue: any concurrent.futures-style executor will do.

Locally that is a process pool (``--jobs``); on a cluster, a Dask distributed client's
executor (``--scheduler``), with inputs and outputs on shared storage.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import SubtitlerError
from .pipeline import BuildOptions, VideoJob, build_video
from .results import Status, VideoResult

@dataclass(frozen=True)
class BatchResult:
    results: tuple[VideoResult, ...]
    wall_seconds: float
    jobs: int

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.succeeded)


def slug_errors(paths: Sequence[Path]) -> dict[Path, str]:
    """Transcripts without a usable slug, or that would write to the same OUT/<slug>/.

    Duplicates all fail, each naming the others.

    Failing every one (not "the first wins") keeps the result independent of input order.
    """
    from .transcript import slug_for

    by_slug: dict[str, list[Path]] = {}
    errors: dict[Path, str] = {}
    for path in paths:
        try:
            by_slug.setdefault(slug_for(path), []).append(path)
        except SubtitlerError as error:  # no usable slug: that file fails, the rest go on
            errors[path] = str(error)
    for slug, group in by_slug.items():
        if len(group) > 1:
            for path in group:
                others = ", ".join(str(p) for p in group if p != path)
                errors[path] = f"{path}: duplicate slug {slug!r}, also used by {others}"
    return errors


def run_batch(
    paths: Sequence[Path],
    options: BuildOptions,
    *,
    jobs: int = 1,
    force: bool = False,
    debug: bool = False,
    scheduler: str | None = None,
    on_result: Callable[[VideoResult], None] | None = None,
) -> BatchResult:
    """Build every transcript; results come back in input order whatever the parallelism."""
    started = time.perf_counter()
    duplicates = slug_errors(paths)
    results: dict[Path, VideoResult] = {
        path: VideoResult(transcript=str(path), slug=None, status=Status.FAILED, error=message)
        for path, message in duplicates.items()
    }
    for result in results.values():
        if on_result:
            on_result(result)
    todo = [VideoJob(path, options, force=force, debug=debug) for path in paths if path not in results]
    with _executor(jobs, scheduler, len(todo)) as executor:
        if executor is None:
            for job in todo:
                results[job.transcript_path] = build_video(job)
                if on_result:
                    on_result(results[job.transcript_path])
        else:
            futures = {executor.submit(build_video, job): job for job in todo}
            for future in as_completed(futures):
                job = futures[future]
                results[job.transcript_path] = _result_of(future, job)
                if on_result:
                    on_result(results[job.transcript_path])
    ordered = tuple(results[path] for path in paths)
    return BatchResult(ordered, time.perf_counter() - started, jobs)


def _result_of(future, job: VideoJob) -> VideoResult:
    """A worker that died (killed, out of memory) fails its video only."""
    try:
        return future.result()
    except Exception as error:  # BrokenProcessPool, a lost Dask worker...
        return VideoResult(
            transcript=str(job.transcript_path),
            slug=None,
            status=Status.FAILED,
            error=f"{job.transcript_path}: worker failed: {type(error).__name__}: {error}",
        )


@contextlib.contextmanager
def _executor(jobs: int, scheduler: str | None, tasks: int) -> Iterator[Executor | None]:
    if scheduler:
        from distributed import Client

        with Client(scheduler, timeout="30s") as client:
            yield client.get_executor(pure=False)
        return
    if jobs <= 1 or tasks <= 1:
        yield None  # in-process: simplest to debug, no pickling
        return
    with ProcessPoolExecutor(max_workers=min(jobs, tasks)) as pool:
        yield pool
