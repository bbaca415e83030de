"""Golden run: every file subtitler writes, from fixed inputs, to compare two versions of the code.

A redesign that must not change behaviour is checked by running this before and after and
diffing the two runs (the diff must be empty)::

    python benchmarks/golden.py prepare /tmp/golden/inputs     # once: stand-ins, cases, transcripts
    python benchmarks/golden.py run /tmp/golden/inputs /tmp/golden/before
    ... change the code ...
    python benchmarks/golden.py run /tmp/golden/inputs /tmp/golden/after
    python benchmarks/golden.py diff /tmp/golden/before /tmp/golden/after

What a run does, all through the command line (so it runs against any version of the code):

- ``corpus``: the real corpus (``../shared/corpus/pix-tutos``) with ``--timing proportional``
  against silent stand-ins as long as each text takes to say (as tests/test_corpus_rules.py
  makes them), pages included; then the same build again (every video unchanged);
- ``cases/<case>``: every short benchmark case (``benchmarks/out/cases``, copied by
  ``prepare``) with ``--timing audio --jobs 1``, and a few option variants (``--no-music-cues``,
  ``--strict``, other caption limits, ``--no-html``);
- ``review``: ``subtitler review`` on real-ej-fra: the index and the page over HTTP, a save
  (an anchor, a checked mark, a text edit), a rebuild, the page again;
- ``download``: a build whose media comes from a fake PeerTube (tests/fake_peertube.py, on a
  fixed port with fixed video ids): the smallest file with audio, then ``--download-as-given``;
- ``peertube``: ``publish --dry-run``, ``publish`` and ``publish`` again to the fake PeerTube
  (a new caption, one made by hand, one automatic);
- ``site``: ``publish --site`` on copies of sixieme/ and mednum/ and of a site folder holding
  the hand-made captions: dry run, run, run again, ``--replace-existing``.

``diff`` compares every file of two runs, after removing only what legitimately varies: wall
times (``seconds``, ``wall_seconds``, ``align_seconds``, ``time``), file mtimes
(``mtime_ns``), the run's own folder in paths, the review token and track version, the
time stamps of published copies, and the order of the lines a parallel build prints. It prints the files that differ and exits 1, or says how many
files are identical.
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SUBTITLER_SHARED", ROOT.parent / "shared"))  # the real corpus
CORPUS = SHARED / "corpus" / "pix-tutos"
CASES = ("bundled-sample", "clean-voice-a", "clean-voice-b", "dropped-sentences", "fillers", "long-pauses",
         "music-bed", "music-intro-outro", "noise-10db", "noise-20db", "real-cv-music-bed", "real-cv-phone",
         "real-cv-read", "real-cv-short-pauses", "real-cv-untidy", "real-ej-fra", "tempo", "webinar-60min")
WORDS_PER_SECOND = 2.6  # the stand-ins' length, as tests/test_corpus_rules.py
LEAD_IN_AND_TAIL = 2.0
FAKE_PORT = 28716  # the fake PeerTube's port: it is part of the transcripts' URLs
PASSWORD = "correct-horse-battery-staple-42"
VIDEO_UUIDS = ("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f1", "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d",
               "2b3c4d5e-6f70-4b1c-8d2e-3f4a5b6c7d8e", "3c4d5e6f-7081-4c2d-9e3f-4a5b6c7d8e9f")
PEERTUBE_SLUGS = ("agir-face-au-cyberharcelement", "le-cyberharcelement", "le-droit-a-l-image-des-eleves")
VARYING_KEYS = {"seconds", "wall_seconds", "align_seconds", "mtime_ns", "time"}
SKIPPED_NAMES = {".lock"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="make the inputs (stand-in media, copies of the cases)")
    prepare.add_argument("inputs", type=Path)
    prepare.add_argument("--cases", type=Path, default=ROOT / "benchmarks" / "out" / "cases",
                         help="the benchmark's generated cases (copied, never generated here)")
    run = commands.add_parser("run", help="build, review and publish everything into OUT")
    run.add_argument("inputs", type=Path)
    run.add_argument("out", type=Path)
    run.add_argument("--only", nargs="*", help="parts to run (corpus, cases, review, download, peertube, site)")
    compare = commands.add_parser("diff", help="compare two runs; exit 1 when they differ")
    compare.add_argument("a", type=Path)
    compare.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "prepare":
        return prepare_inputs(args.inputs.resolve(), args.cases)
    if args.command == "run":
        return run_all(args.inputs.resolve(), args.out.resolve(), args.only)
    return diff_runs(args.a.resolve(), args.b.resolve())


# --- inputs ------------------------------------------------------------------------------------


def prepare_inputs(inputs: Path, cases: Path) -> int:
    """Stand-in media for the corpus, copies of the benchmark cases: made once, used by every run."""
    sys.path.insert(0, str(ROOT / "tests"))
    from media_helpers import make_silent_audio

    from subtitler.errors import SubtitlerError
    from subtitler.transcript import load_transcript

    media = inputs / "corpus-media"
    media.mkdir(parents=True, exist_ok=True)
    for path in sorted(CORPUS.glob("*/*.md")):
        try:
            transcript = load_transcript(path)
        except SubtitlerError:
            continue
        words = sum(len(block.text.split()) for _, block in transcript.spoken_blocks)
        if words and not (media / f"{transcript.slug}.m4a").is_file():
            make_silent_audio(media / f"{transcript.slug}.m4a", words / WORDS_PER_SECOND + LEAD_IN_AND_TAIL)
    for case in CASES:
        target = inputs / "cases" / case
        if not target.is_dir():
            shutil.copytree(cases / case, target, ignore=shutil.ignore_patterns("*.truth.json"))
    print(f"inputs ready in {inputs}")
    return 0


# --- a run ---------------------------------------------------------------------------------------


def subtitler(*args: str | Path, log: Path, env: dict[str, str] | None = None, check_rc: bool = False) -> int:
    """Run the CLI; its exit status, stdout and stderr go to ``log`` (compared too)."""
    done = subprocess.run([sys.executable, "-m", "subtitler", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"exit {done.returncode}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}", encoding="utf-8")
    if check_rc and done.returncode != 0:
        raise SystemExit(f"{log}: exit {done.returncode}\n{done.stderr}")
    return done.returncode


def run_all(inputs: Path, out: Path, only: list[str] | None) -> int:
    parts = {"corpus": run_corpus, "cases": run_cases, "review": run_review, "download": run_download,
             "peertube": run_peertube, "site": run_site}
    out.mkdir(parents=True, exist_ok=True)
    for name, part in parts.items():
        if only and name not in only:
            continue
        began = time.perf_counter()
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        part(inputs, target)
        print(f"{name}: {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return 0


def run_corpus(inputs: Path, out: Path) -> None:
    build = ("build", CORPUS, "--media", inputs / "corpus-media", "--out", out / "output", "--timing",
             "proportional", "--no-download", "--quiet", "--jobs", "2")
    subtitler(*build, log=out / "build.log")
    shutil.copy(out / "output" / "report.json", out / "report-first.json")
    subtitler(*build, log=out / "rebuild.log")


def run_cases(inputs: Path, out: Path) -> None:
    for case in CASES:
        folder = inputs / "cases" / case
        [transcript] = folder.glob("*.md")
        subtitler("build", transcript, "--media", folder, "--out", out / case, "--timing", "audio", "--jobs", "1",
                  "--no-download", "--quiet", log=out / f"{case}.log")
    variants = {
        "music-intro-outro-no-music": ("music-intro-outro", "--no-music-cues"),
        "real-ej-fra-strict": ("real-ej-fra", "--strict", "--max-flagged", "1"),
        "real-cv-untidy-limits": ("real-cv-untidy", "--max-line-chars", "30", "--max-cps", "15", "--no-html"),
        "fillers-proportional": ("fillers", "--timing", "proportional"),
    }
    for name, (case, *options) in variants.items():
        folder = inputs / "cases" / case
        [transcript] = folder.glob("*.md")
        timing = () if "--timing" in options else ("--timing", "audio")
        subtitler("build", transcript, "--media", folder, "--out", out / name, *timing, "--jobs", "1",
                  "--no-download", "--quiet", *options, log=out / f"{name}.log")


def run_review(inputs: Path, out: Path) -> None:
    """real-ej-fra (its music cue: the page says the captions are older than the transcript)
    and dropped-sentences (saved and rebuilt from the page)."""
    import httpx

    transcripts, media = out / "transcripts", out / "media"
    transcripts.mkdir(parents=True)
    media.mkdir()
    for case in ("real-ej-fra", "dropped-sentences"):
        for path in (inputs / "cases" / case).iterdir():
            shutil.copy(path, transcripts if path.suffix == ".md" else media)
    process = subprocess.Popen(
        [sys.executable, "-m", "subtitler", "review", transcripts, "--media", media, "-o", out / "output",
         "--port", "0", "--no-browser", "--timing", "audio", "--jobs", "1", "--no-download"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    http_dir = out / "http"
    http_dir.mkdir()
    slug = "agir-face-au-cyberharcelement"
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if match is None:
            raise SystemExit(f"review did not start: {line}{process.stderr.read()}")  # type: ignore[union-attr]
        with httpx.Client(base_url=match[0], timeout=120) as client:
            def get(path: str, name: str) -> str:
                response = client.get(path)
                (http_dir / name).write_text(f"{response.status_code}\n{response.text}", encoding="utf-8")
                return response.text

            get("/", "index.html")
            get("/v/real-ej-fra/", "real-ej-fra.html")
            page = get(f"/v/{slug}/", "page-1.html")
            get(f"/v/{slug}/out/{slug}.fr.vtt", "captions-1.vtt")
            get(f"/v/{slug}/out/{slug}.qa.svg", "qa-1.svg")
            token = re.search(r'data-token="([^"]+)"', page)[1]  # type: ignore[index]
            items = re.findall(r'data-index="(\d+)" data-start="([\d.]+)" data-end="([\d.]+)".*?data-text="([^"]*)"',
                               page)
            cues = {int(k): (float(a), float(b), html.unescape(t)) for k, a, b, t in items}
            words = cues[2][2].split()
            edited = " ".join(words[:-1] + [words[-1].upper()])
            changes = [{"cue": 1, "start": round(cues[1][0] + 0.12, 3)}, {"cue": 0, "checked": True},
                       {"cue": 2, "text": edited, "was": cues[2][2]}]
            headers = {"X-Review-Token": token}
            saved = client.post(f"/v/{slug}/save", json={"changes": changes}, headers=headers)
            (http_dir / "save.json").write_text(f"{saved.status_code}\n{saved.text}", encoding="utf-8")
            rebuilt = client.post(f"/v/{slug}/rebuild", headers=headers)
            (http_dir / "rebuild.json").write_text(f"{rebuilt.status_code}\n{rebuilt.text}", encoding="utf-8")
            get(f"/v/{slug}/", "page-2.html")
            get(f"/v/{slug}/out/{slug}.fr.vtt", "captions-2.vtt")
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
        (out / "review.log").write_text(stderr, encoding="utf-8")


class _FakeInstance:
    """tests/fake_peertube.FakePeerTube on a fixed port, with fixed video ids (both are in the
    transcripts' URLs, hence in the outputs)."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        sys.path.insert(0, str(ROOT / "tests"))
        import fake_peertube
        from http.server import ThreadingHTTPServer

        class FixedPort(ThreadingHTTPServer):
            allow_reuse_address = True

            def __init__(self, address, handler):  # type: ignore[no-untyped-def]
                super().__init__(("127.0.0.1", FAKE_PORT), handler)

        fake_peertube.ThreadingHTTPServer = FixedPort  # type: ignore[misc]
        self.fake = fake_peertube.FakePeerTube().__enter__()
        self.fake.add_user("alice", PASSWORD)
        self.count = 0
        return self

    def video(self):  # type: ignore[no-untyped-def]
        video = self.fake.add_video("alice")
        video.uuid = VIDEO_UUIDS[self.count]
        video.short_uuid = f"golden{self.count}".ljust(22, "x")
        self.count += 1
        return video

    def __exit__(self, *exc_info: object) -> None:
        self.fake.__exit__(*exc_info)


def _with_embed(source: Path, target: Path, embed: str, download: str | None = None) -> None:
    """A copy of a transcript whose videoEmbedSrc (and videoDownloadHref) name the fake's video."""
    text = source.read_text(encoding="utf-8")
    for key, value in (("videoEmbedSrc", embed), ("videoDownloadHref", download)):
        if value is None:
            continue
        text, found = re.subn(rf"(?m)^{key}:.*$", f"{key}: {value}", text, count=1)
        if not found:
            text = text.replace("---\n", f"---\n{key}: {value}\n", 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def run_download(inputs: Path, out: Path) -> None:
    case = inputs / "cases" / "real-cv-read"
    data = (case / "real-cv-read.mp4").read_bytes()
    with _FakeInstance() as instance:
        fake = instance.fake
        video = instance.video()
        for resolution, extname in ((720, ".mp4"), (0, ".m4a")):
            file = fake.add_file(video, resolution, data, extname=extname)
            file.filename = f"{video.uuid}-{resolution}-fragmented{extname}"  # not a random name
        big = video.files[0]
        transcript = out / "transcripts" / "real-cv-read.md"
        _with_embed(case / "real-cv-read.md", transcript, fake.embed_url(video), fake.download_url(video, big))
        empty = out / "no-media"
        empty.mkdir()
        for name, options in (("smallest", ()), ("smallest-again", ()), ("as-given", ("--download-as-given",))):
            cache = out / ("cache-as-given" if options else "cache")
            subtitler("build", transcript, "--media", empty, "--cache", cache, "--out", out / name, "--timing",
                      "audio", "--jobs", "1", "--quiet", "--force", *options, log=out / f"{name}.log")
        (out / "requests.txt").write_text(
            "".join(f"{r.method} {r.path}\n" for r in fake.requests), encoding="utf-8")


def run_peertube(inputs: Path, out: Path) -> None:
    with _FakeInstance() as instance:
        fake = instance.fake
        transcripts = out / "transcripts"
        media = out / "media"
        media.mkdir(parents=True)
        videos = []
        for slug in PEERTUBE_SLUGS:
            video = instance.video()
            videos.append(video)
            _with_embed(CORPUS / "edu" / f"{slug}.md", transcripts / f"{slug}.md", fake.embed_url(video))
            shutil.copy(inputs / "corpus-media" / f"{slug}.m4a", media)
        hand_made = (CORPUS / "captions" / "Trier_des_donnees.vtt").read_bytes()
        fake.set_caption(videos[1], "fr", hand_made)
        fake.set_caption(videos[2], "fr", hand_made, automatic=True)
        subtitler("build", transcripts, "--media", media, "--out", out / "output", "--timing", "proportional",
                  "--jobs", "1", "--quiet", "--no-download", log=out / "build.log")
        env = {"XDG_CONFIG_HOME": str(out / "env" / "config"), "XDG_CACHE_HOME": str(out / "env" / "cache"),
               "SUBTITLER_PEERTUBE_URL": fake.base_url, "SUBTITLER_PEERTUBE_USERNAME": "alice",
               "SUBTITLER_PEERTUBE_PASSWORD": PASSWORD}
        for name, options in (("dry-run", ("--dry-run",)), ("publish", ()), ("again", ())):
            subtitler("publish", transcripts, "--out", out / "output", *options, log=out / f"{name}.log", env=env)
            shutil.copy(out / "output" / "publish-report.json", out / f"{name}-report.json")
        for number, video in enumerate(videos):
            caption = fake.caption(video, "fr")
            (out / f"on-peertube-{number}.vtt").write_bytes(caption or b"")
        (out / "requests.txt").write_text(
            "".join(f"{r.method} {re.sub(r'/video-captions/.*', '/video-captions/<FILE>', r.path)}\n"
                    for r in fake.requests), encoding="utf-8")  # the fake names caption files at random
        shutil.rmtree(out / "env")  # the token cache: random tokens


def run_site(inputs: Path, out: Path) -> None:
    transcripts = out / "transcripts"
    for area in ("sixieme", "mednum"):
        shutil.copytree(CORPUS / area, transcripts / area)
    site = out / "public"
    (site / "captions" / "mednum").mkdir(parents=True)
    for caption in sorted((CORPUS / "captions").glob("*.vtt")):
        shutil.copy(caption, site / "captions" / "mednum")
    subtitler("build", transcripts, "--media", inputs / "corpus-media", "--out", out / "output", "--timing",
              "proportional", "--jobs", "1", "--quiet", "--no-download", log=out / "build.log")
    env = {"XDG_CONFIG_HOME": str(out / "env"), "XDG_CACHE_HOME": str(out / "env")}
    for name, options in (("dry-run", ("--dry-run",)), ("publish", ()), ("again", ()),
                          ("replace", ("--replace-existing",))):
        subtitler("publish", transcripts, "--out", out / "output", "--site", site, *options,
                  log=out / f"{name}.log", env=env)
        shutil.copy(out / "output" / "publish-report.json", out / f"{name}-report.json")


# --- comparing -----------------------------------------------------------------------------------


def diff_runs(a: Path, b: Path) -> int:
    files_a = _files(a)
    files_b = _files(b)
    problems = []
    for name in sorted(set(files_a) | set(files_b)):
        if name not in files_a or name not in files_b:
            problems.append(f"only in {a if name in files_a else b}: {name}")
            continue
        left, right = _normalised(a / files_a[name], a), _normalised(b / files_b[name], b)
        if left != right:
            if isinstance(left, str) and isinstance(right, str):
                lines = list(difflib.unified_diff(left.splitlines(), right.splitlines(), f"a/{name}", f"b/{name}",
                                                  lineterm="", n=1))
                problems.append("\n".join(lines[:40]))
            else:
                problems.append(f"differ: {name}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} difference(s) over {len(set(files_a) | set(files_b))} files", file=sys.stderr)
        return 1
    print(f"identical: {len(files_a)} files")
    return 0


def _files(root: Path) -> dict[str, Path]:
    """Every file of a run by its normalised name (published copies carry their time)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in SKIPPED_NAMES and not path.name.endswith(".part"):
            name = _stamps(str(path.relative_to(root)))
            found[name] = path
    return {name: path.relative_to(root) for name, path in found.items()}


def _stamps(text: str) -> str:
    text = re.sub(r"\d{8}T\d{6}Z", "<STAMP>", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<TIME>", text)


def _normalised(path: Path, root: Path) -> str | bytes:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    text = _stamps(text.replace(str(root), "<RUN>"))
    if path.suffix == ".json":
        try:
            return json.dumps(_without_varying(json.loads(text)), ensure_ascii=False, indent=1, sort_keys=True)
        except ValueError:
            pass
    if path.suffix == ".log" and "--- stderr\n" in text:  # --jobs 2 says results as they come
        head, stderr = text.split("--- stderr\n", 1)
        text = head + "--- stderr\n" + "\n".join(sorted(stderr.splitlines()))
    text = re.sub(r'data-token="[^"]*"', 'data-token="<TOKEN>"', text)
    text = re.sub(r"\?v=\d+", "?v=<VERSION>", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<PORT>", text)
    return re.sub(r'"seconds": ?[\d.]+', '"seconds": <S>', text)


def _without_varying(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_varying(v) for k, v in value.items() if k not in VARYING_KEYS}
    if isinstance(value, list):
        return [_without_varying(v) for v in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
