"""How far one editor's anchor carries: the worst cues of a case get an anchor each at the
truth, and we count how many *other* cues then come within 250 ms of their first word.

For each case (a benchmark case folder with ``<slug>.md``, ``<slug>.mp4`` and the ground
truth ``<slug>.truth.json`` written by ``generate.py`` / ``real_speech.py``):

1. build it with the real CLI (``--timing audio``) and score every cue start against the
   onset of its first word (``score.match_cues``: cues whose words were all spoken and whose
   first word has a known onset);
2. take the ``--worst`` cues by absolute start error and write ``<slug>.anchors.json`` with
   one start anchor each, at the true onset, named by its words as the review page does;
3. build again (incremental: only the anchors file changed) and score again.

Reported per case: the figures before and after (``score.score``), the anchored cues'
errors, and among the other scored cues: how many were more than 250 ms off and are now
within 250 ms ("fixed"), and how many were within and are not any more ("broken").

    python benchmarks/anchor_experiment.py [CASE ...] [--worst 5] [--out benchmarks/out]

A CASE is a case name (generated into ``OUT/cases/<name>`` when missing) or a case folder.
Results go to ``OUT/anchor_experiment.json`` and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from benchmarks import score as scoring  # noqa: E402
from benchmarks.generate import OUT, case_dir, generate  # noqa: E402

WITHIN = 0.250


def case_folder(case: str, out: Path) -> Path:
    folder = Path(case)
    if folder.is_dir():
        return folder
    folder = case_dir(out, case)
    if not any(folder.glob("*.truth.json")):
        generate(case, out)
    return folder


def build(work: Path, slug: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    run = subprocess.run(
        [sys.executable, "-m", "subtitler", "build", str(work / f"{slug}.md"), "--media", str(work),
         "--out", str(work / "out"), "--timing", "audio", "--jobs", "1", "--quiet", "--no-html"],
        env=env, capture_output=True, text=True, timeout=1800)
    if run.returncode != 0:
        raise RuntimeError(f"build of {slug} failed: {run.stderr.strip()}")
    return json.loads((work / "out" / "report.json").read_text(encoding="utf-8"))["videos"][0]


def speech_captions(work: Path, slug: str) -> list[scoring.Caption]:
    """The built file's speech cues, in order: their positions are the text cues' indices
    (sound cues such as "♪ Musique ♪" are added by the timing and have no text cue)."""
    captions = scoring.read_vtt(work / "out" / slug / f"{slug}.fr.vtt")
    return [c for c in captions if scoring.SOUND_MARK not in c.text]


def cue_errors(work: Path, slug: str, truth: list[scoring.TruthWord]) -> dict[int, float]:
    """Cue index -> start error (s), for the cues the scorer scores."""
    captions = speech_captions(work, slug)
    errors = {}
    for index, cue in enumerate(scoring.match_cues(captions, truth)):
        words = [truth[i] for i in cue.words]
        if words and all(w.spoken for w in words) and words[0].start is not None:
            errors[index] = cue.caption.start - words[0].start
    return errors


def run_case(folder: Path, worst: int, runs: Path) -> dict:
    from subtitler import anchors
    from subtitler.config import CaptionConfig
    from subtitler.cues import build_cues
    from subtitler.sentences import split_sentences
    from subtitler.timing.anchored import Edge
    from subtitler.transcript import load_transcript

    truth_path = next(folder.glob("*.truth.json"))
    slug = truth_path.name.removesuffix(".truth.json")
    work = runs / folder.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in (f"{slug}.md", f"{slug}.mp4"):
        shutil.copy(folder / name, work / name)
    truth = scoring.load_truth(truth_path)
    captions_path = work / "out" / slug / f"{slug}.fr.vtt"

    build(work, slug)
    before = scoring.score(scoring.read_vtt(captions_path), truth).as_dict()
    errors_before = cue_errors(work, slug, truth)
    chosen = sorted(errors_before, key=lambda k: -abs(errors_before[k]))[:worst]
    transcript = load_transcript(work / f"{slug}.md")
    cues = build_cues(split_sentences(transcript), CaptionConfig())
    index = anchors.WordIndex(cues)
    starts = [caption.start for caption in speech_captions(work, slug)]
    onsets = {k: starts[k] - errors_before[k] for k in chosen}  # the first word's true onset
    entries = anchors.AnchorFile(tuple(index.anchor(k, Edge.START, onsets[k]) for k in chosen))
    anchors.save(anchors.path_for(transcript.path, slug), entries)
    report = build(work, slug)
    after = scoring.score(scoring.read_vtt(captions_path), truth).as_dict()
    errors_after = cue_errors(work, slug, truth)
    others = [k for k in errors_before if k not in chosen and k in errors_after]
    fixed = [k for k in others if abs(errors_before[k]) > WITHIN >= abs(errors_after[k])]
    broken = [k for k in others if abs(errors_before[k]) <= WITHIN < abs(errors_after[k])]
    return {
        "case": folder.name,
        "anchors_applied": report.get("anchors_applied"),
        "anchored": {str(k): {"before_ms": round(errors_before[k] * 1000),
                              "after_ms": round(errors_after[k] * 1000) if k in errors_after else None}
                     for k in chosen},
        "others_scored": len(others),
        "others_off_before": sum(1 for k in others if abs(errors_before[k]) > WITHIN),
        "others_fixed": len(fixed),
        "others_broken": len(broken),
        "fixed_cues": fixed,
        "broken_cues": broken,
        "before": before,
        "after": after,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", default=["real-ej-fra"], metavar="CASE")
    parser.add_argument("--worst", type=int, default=5, help="cues anchored per case (default 5)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    results = [run_case(case_folder(case, args.out), args.worst, args.out / "anchor-runs") for case in args.cases]
    (args.out / "anchor_experiment.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print("| case | anchored | other cues off > 250 ms before | now within 250 ms | newly off | "
          "≤ 250 ms before → after | median ms before → after |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for r in results:
        print(f"| {r['case']} | {len(r['anchored'])} | {r['others_off_before']} of {r['others_scored']} | "
              f"{r['others_fixed']} | {r['others_broken']} | {r['before']['within_250']} % → "
              f"{r['after']['within_250']} % | {r['before']['median_ms']} → {r['after']['median_ms']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
