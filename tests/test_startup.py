"""The start-up speed tricks (subtitler.startup): each takes its fast path with the versions
installed (recorded in ``CHECKED_WITH``), and each falls back to the ordinary way when it
cannot apply. Most run in a fresh interpreter: they are about what a process imports first."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from importlib.metadata import version

import numpy as np
import pytest

from subtitler import startup


def python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=env if env is not None else os.environ.copy())


def test_the_versions_installed_are_recorded_with_the_tricks():
    """Not a pin: the other tests say whether each trick still works. A difference here says
    which versions to measure the tricks with again, and record."""
    installed = {"nltk": version("nltk"), "scipy": version("scipy")}
    recorded = {name: startup.CHECKED_WITH[name] for name in installed}
    assert installed == recorded, f"re-check the start-up tricks with {installed} and update CHECKED_WITH"


# --- one BLAS thread, and freed memory kept for reuse (glibc) -------------------------------------


def test_importing_the_cli_loads_no_numpy_so_main_can_prepare_the_process_first():
    done = python("import sys, subtitler.cli; print(sorted(m for m in sys.modules if m.startswith('numpy')))")
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc settings")
def test_the_cli_keeps_freed_memory_for_reuse_unless_told_otherwise():
    """Allocations up to 32 MB come from glibc's heap (numpy temporaries were zero-filled
    page by page again); the synthesis processes inherit it; a user's own setting wins."""
    code = ("import os\nfrom subtitler.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print(os.environ['MALLOC_MMAP_THRESHOLD_'], os.environ['MALLOC_TRIM_THRESHOLD_'],"
            " os.environ['OPENBLAS_NUM_THREADS'])")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "OPENBLAS_"))}
    ours = python(code, env)
    assert ours.stdout.split()[-3:] == [str(32 << 20), str(128 << 20), "1"], ours.stderr
    env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    theirs = python(code, env)
    assert theirs.stdout.split()[-3:] == ["65536", str(128 << 20), "1"]


def test_without_glibc_only_the_blas_threads_are_set(monkeypatch):
    def no_libc(name: object) -> None:  # as ctypes.CDLL fails where there is no such library
        raise OSError("no libc here")

    monkeypatch.setattr(os, "environ", {})
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    assert startup.prepare_process() is False
    assert os.environ == {name: "1" for name in startup.BLAS_THREADS}
    assert startup.trim_heap() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc")
def test_with_glibc_the_heap_is_trimmed():
    assert startup.trim_heap() is True


# --- Punkt without the rest of nltk -----------------------------------------------------------------


def test_loading_punkt_leaves_out_the_rest_of_nltk_and_scipy_stats():
    """Every run imports the segmenter: it must not pay for nltk's whole package (scipy.stats
    among it, 0.8 s), and an ``import nltk`` afterwards must still get the whole package."""
    code = (
        "import sys\n"
        "from subtitler.sentences import split_text\n"
        "assert split_text('M. Dupont arrive. Il parle.') == ['M. Dupont arrive.', 'Il parle.']\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('nltk', 'scipy.stats')))\n"
        "assert not loaded, loaded\n"
        "import nltk\n"
        "assert callable(nltk.download) and nltk.tokenize.punkt.PunktSentenceTokenizer\n"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr


def test_when_the_trick_fails_punkt_comes_from_the_ordinary_import():
    code = (
        "import sys\n"
        "from subtitler import startup\n"
        "def broken():\n    raise ImportError('a layout the trick does not know')\n"
        "startup._punkt_alone = broken\n"
        "from subtitler.sentences import split_text\n"
        "assert split_text('M. Dupont arrive. Il parle.') == ['M. Dupont arrive.', 'Il parle.']\n"
        "assert 'nltk' in sys.modules and callable(sys.modules['nltk'].download)\n"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr


def test_with_nltk_already_imported_punkt_is_the_ordinary_module():
    result = python("import nltk.tokenize.punkt as p\nfrom subtitler.startup import import_punkt\n"
                    "assert import_punkt() is p\n")
    assert result.returncode == 0, result.stderr


# --- scipy's pocketfft alone -------------------------------------------------------------------------


def test_the_fft_is_loaded_without_scipy_fft_and_matches_it(tmp_path):
    """``import scipy.fft`` costs 0.17 s and 29 MB per process; its pocketfft alone does the
    job, and the public function stands in where scipy lays it out otherwise."""
    from scipy.fft import rfft as scipy_rfft

    code = "import sys, subtitler.align.features; print(any(m.startswith('scipy') for m in sys.modules))"
    assert python(code).stdout.strip() == "False"
    frames = np.random.default_rng(0).standard_normal((50, 512)).astype(np.float32)
    expected = scipy_rfft(frames, axis=-1)
    for rfft in (startup.load_rfft(), startup.load_rfft(tmp_path)):  # tmp_path: no pocketfft in it
        spectrum = rfft(frames)
        assert spectrum.dtype == np.complex64 and np.array_equal(spectrum, expected)
