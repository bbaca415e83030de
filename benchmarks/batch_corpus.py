"""Catalogue-scale benchmark: the whole corpus with synthetic narrations, built with --jobs 1 and 2.

Every corpus transcript that has speech is narrated by the alignment benchmark's generator
(voices rotating, short music intro, ordinary pauses; cached under
``benchmarks/out/corpus/``). Narrating all ~17 hours takes about an hour on 2 cores, so by
default each transcript is a *stand-in*: its front matter and its first paragraphs up to
``--words`` words (``--words 0`` narrates the whole corpus). Then the real CLI builds the catalogue once per ``--jobs`` value
into a fresh output folder, while a sampler adds up the resident memory of the whole process
tree every 100 ms. Printed: wall time, x real time, peak memory, statuses, and the accuracy of
the aligned cue starts over the whole corpus (scored against each narration's ground truth).

Then the caption rules: the independent checker (``benchmarks/caption_check.py``) reads every
caption file of the audio-timed build, of a build of the same stand-ins with
``--timing proportional``, and of the real recording's case (``real-ej-fra``, audio timing),
and prints the hard violations per rule and the reading-speed shares. The exit status is 1
when a build failed or the checker found a hard violation.

    python benchmarks/batch_corpus.py [--jobs 1 2] [--limit N] [--generate-only]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.caption_check import (
    Summary,
    check_file,
    markdown_header,
    markdown_row,
    summarise,
)
from benchmarks.generate import REAL_SPEECH_CASE, Case, generate, generate_case
from benchmarks.score import Caption, Score, TruthWord, load_truth, read_vtt, score

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "pix-tutos"
OUT = REPO / "benchmarks" / "out" / "corpus"
VOICES = ("fr+m3", "fr-be+f2", "fr+f1", "fr-ch+m2", "fr+m6", "fr+f4")


def stand_in(path: Path, words: int) -> Path:
    """The transcript cut after the paragraph that reaches ``words`` spoken words (credits
    dropped), written under OUT/stand-ins/; the whole file when ``words`` is 0."""
    if not words:
        return path
    front, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    kept, count, started = [], 0, False
    for paragraph in body.split("\n\n"):
        heading = paragraph.lstrip().startswith("#")
        if heading and "ranscription" in paragraph:
            started = True
        elif heading and started and "rédit" in paragraph:
            break  # the credits are not spoken
        kept.append(paragraph)
        count += len(paragraph.split()) if started and not heading else 0
        if count >= words:
            break
    target = OUT / "stand-ins" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(front + "\n---\n" + "\n\n".join(kept) + "\n", encoding="utf-8")
    return target


def corpus_cases(limit: int | None, words: int) -> list[Case]:
    """One case per corpus transcript with speech; voices rotate, webinars change voice per turn."""
    from subtitler.errors import TranscriptError
    from subtitler.transcript import load_transcript

    cases = []
    for path in sorted(CORPUS.glob("*/*.md")):
        try:
            load_transcript(path)
        except TranscriptError:
            continue
        source = stand_in(path, words)
        n = len(cases)
        voices = VOICES[n % len(VOICES):] + VOICES[: n % len(VOICES)]
        cases.append(Case(f"corpus-{path.stem}", str(source.relative_to(REPO.parent)), 1000 + n, voices,
                          intro=(0.5, 4.0), outro=(0.5, 2.0), audio_bitrate="32k"))
    return cases[:limit] if limit else cases


def generate_all(cases: Sequence[Case]) -> tuple[Path, Path, list[Path]]:
    """Narrate every case; lay out one transcripts/ and one media/ folder of links to them."""
    transcripts, media = OUT / "transcripts", OUT / "media"
    for folder in (transcripts, media):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    truths = []
    for number, case in enumerate(cases, 1):
        truth = generate_case(case, OUT)
        slug = truth.name.removesuffix(".truth.json")
        os.symlink(truth.with_name(f"{slug}.md"), transcripts / f"{slug}.md")
        os.symlink(truth.with_name(f"{slug}.mp4"), media / f"{slug}.mp4")
        truths.append(truth)
        print(f"\rnarrated {number}/{len(cases)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return transcripts, media, truths


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        child = int(entry.name)
        children.setdefault(int(fields["PPid"].strip()), []).append(child)
        rss[child] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total / 1024


def run_build(transcripts: Path, media: Path, jobs: int, timing: str = "audio") -> dict:
    out = OUT / (f"build-jobs{jobs}" if timing == "audio" else f"build-{timing}")
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "subtitler", "build", str(transcripts), "--media", str(media),
               "--out", str(out), "--jobs", str(jobs), "--no-download", "--quiet",
               "--timing", timing]
    peak = 0.0
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mb(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    media_seconds = report["summary"]["media_seconds"]
    return {"jobs": jobs, "out": out, "wall": wall, "media_seconds": media_seconds, "peak_mb": peak,
            "statuses": report["summary"]["statuses"], "exit": process.returncode,
            "errors": [line for line in stderr.splitlines() if line.startswith("error:")]}


def accuracy(out: Path, truths: Sequence[Path]) -> Score:
    """The alignment benchmark's score over every video, pooled: the videos are laid end to
    end (captions and truth shifted alike) and scored as one."""
    captions: list[Caption] = []
    words: list[TruthWord] = []
    offset = 0.0
    for truth_path in truths:
        slug = truth_path.name.removesuffix(".truth.json")
        vtt = out / slug / f"{slug}.fr.vtt"
        if not vtt.is_file():
            continue
        truth = load_truth(truth_path)
        shown = read_vtt(vtt)
        captions += [replace(c, start=c.start + offset, end=c.end + offset) for c in shown]
        words += [replace(w, start=None if w.start is None else w.start + offset,
                          end=None if w.end is None else w.end + offset) for w in truth]
        offset += max([c.end for c in shown] + [w.end or 0.0 for w in truth]) + 1000.0
    return score(captions, words)


def caption_rules(out: Path) -> Summary:
    """The independent checker's figures over every caption file of a build."""
    return summarise(check_file(path) for path in sorted(out.glob("*/*.fr.vtt")))


def real_speech_build() -> dict:
    """The real recording's case (music intro, pauses) built alone with audio timing."""
    truth = generate(REAL_SPEECH_CASE)
    slug = truth.name.removesuffix(".truth.json")
    folder = OUT / "real-speech"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "transcripts").mkdir(parents=True)
    os.symlink(truth.with_name(f"{slug}.md"), folder / "transcripts" / f"{slug}.md")
    return run_build(folder / "transcripts", truth.parent, 1, timing="audio") | {"label": "real"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--limit", type=int, help="only the first N transcripts")
    parser.add_argument("--words", type=int, default=250,
                        help="stand-in length in spoken words per transcript (0: whole transcripts)")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    transcripts, media, truths = generate_all(corpus_cases(args.limit, args.words))
    print(f"generated {len(truths)} narrations in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.generate_only:
        return 0
    rows = [run_build(transcripts, media, jobs) for jobs in args.jobs]
    hours = rows[0]["media_seconds"] / 3600
    print(f"\n{len(truths)} videos, {hours:.2f} h of media\n")
    print("| --jobs | wall time | x real time | peak memory (process tree) | statuses |")
    print("|--:|--:|--:|--:|---|")
    for row in rows:
        print(f"| {row['jobs']} | {row['wall']:.0f} s | {row['media_seconds'] / row['wall']:.0f}x | "
              f"{row['peak_mb']:.0f} MB | {', '.join(f'{k} {v}' for k, v in row['statuses'].items())} |")
    for row in rows:
        for error in row["errors"]:
            print(error)
    pooled = accuracy(rows[0]["out"], truths)
    print(f"\ncue start error over the corpus ({pooled.cues} cues): median {pooled.median_ms} ms, "
          f"p90 {pooled.p90_ms} ms, {pooled.within_250} % within 250 ms, {pooled.early_120} % more "
          f"than 120 ms early, {pooled.cut_100} % gone > 100 ms before their last word, "
          f"{pooled.coverage} % of spoken time covered")
    proportional = run_build(transcripts, media, max(args.jobs), timing="proportional")
    real = real_speech_build()
    checked = [
        ("narrated stand-ins, audio timing", caption_rules(rows[0]["out"])),
        ("narrated stand-ins, proportional timing", caption_rules(proportional["out"])),
        ("real recording ej-fra, audio timing", caption_rules(real["out"])),
    ]
    print(f"\ncaption rules (benchmarks/caption_check.py):\n{markdown_header()}")
    for label, summary in checked:
        print(markdown_row(label, summary))
    builds_ok = all(row["exit"] == 0 for row in [*rows, proportional, real])
    return 0 if builds_ok and not any(summary.hard for _, summary in checked) else 1


if __name__ == "__main__":
    sys.exit(main())
