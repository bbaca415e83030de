"""Start-up speed tricks, all here; each falls back to the ordinary way when it cannot apply.

- :func:`prepare_process`, the first thing ``main()`` does: one BLAS thread per process (the
  parallelism comes from ``--jobs``; extra OpenBLAS threads on a busy core cost the aligner
  ~15 %), and glibc told to reuse freed memory up to 32 MB (every numpy temporary over
  128 KB was mapped and zero-filled page by page again: 1.1 of the 7 s the synthesis takes on
  the 82-minute webinar); the synthesis processes inherit both through the environment.
  Elsewhere than glibc the memory setting is left alone.
- :func:`import_punkt`: nltk's Punkt without nltk's package ``__init__``, which imports
  scipy.stats and every tokenizer (0.8 s and 50 MB of every run); else the ordinary import.
- :func:`load_rfft`: scipy's pocketfft alone (``import scipy.fft`` also imports scipy.special
  and scipy's array-API layer: 0.17 s and 29 MB in each of the three processes aligning a
  video); else the public ``scipy.fft.rfft``.
- :func:`trim_heap`: ``malloc_trim``, the heap's free pages back to the system (after the voice
  detector's model is released); elsewhere nothing.

:data:`CHECKED_WITH` records the versions they were measured and checked with; the tests
(``tests/test_startup.py``) check that each takes its fast path with the versions installed
and that each fallback works, so an upgrade that breaks a trick shows there and costs only time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import importlib.util
import os
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported after prepare_process() only
    import numpy as np

CHECKED_WITH = {"python": "3.11.7", "glibc": "2.36", "nltk": "3.10.4", "scipy": "1.17.1"}

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# glibc's mallopt options and the environment variables glibc reads at start-up for them.
MALLOC_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": (-3, 32 << 20), "MALLOC_TRIM_THRESHOLD_": (-1, 128 << 20)}


def prepare_process() -> bool:
    """One BLAS thread, and freed memory kept for reuse; True when glibc took the memory
    settings. Must run before numpy is first imported (``subtitler.cli`` imports none)."""
    for variable in BLAS_THREADS:
        os.environ.setdefault(variable, "1")
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    for variable, (option, value) in MALLOC_SETTINGS.items():
        if variable not in os.environ:  # else glibc has read the user's value already
            os.environ[variable] = str(value)
            mallopt(option, value)
    return True


def import_punkt() -> types.ModuleType:
    """``nltk.tokenize.punkt``, alone when nltk is not imported yet, else (or when its layout
    defeats the trick) the ordinary import."""
    if "nltk" not in sys.modules:
        try:
            return _punkt_alone()
        except Exception:  # noqa: BLE001 - any failure: the ordinary import below
            pass
    return importlib.import_module("nltk.tokenize.punkt")


def _punkt_alone() -> types.ModuleType:
    """``nltk`` and ``nltk.tokenize`` stood in for by bare package modules while Punkt loads;
    then every ``nltk`` module is dropped from ``sys.modules``, so an ``import nltk`` elsewhere
    afterwards gets the whole, ordinary package."""
    for name in ("nltk", "nltk.tokenize"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            raise ImportError(f"{name} is not installed")
        package = types.ModuleType(name)
        package.__path__ = list(spec.submodule_search_locations)
        package.__spec__ = spec
        sys.modules[name] = package
    try:
        return importlib.import_module("nltk.tokenize.punkt")
    finally:
        for name in [name for name in sys.modules if name == "nltk" or name.startswith("nltk.")]:
            del sys.modules[name]


def load_rfft(scipy_folder: Path | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """A real FFT along the last axis, single precision kept: scipy's pocketfft loaded alone
    from ``scipy_folder`` (the installed scipy's by default), else ``scipy.fft.rfft`` (numpy's
    own rfft is 12x slower on the aligner's frames)."""
    try:
        if scipy_folder is None:
            spec = importlib.util.find_spec("scipy")
            scipy_folder = Path(spec.origin).parent  # type: ignore[union-attr, arg-type]
        library = next((scipy_folder / "fft" / "_pocketfft").glob("pypocketfft.*"))
        spec = importlib.util.spec_from_file_location("scipy.fft._pocketfft.pypocketfft", library)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        r2c = module.r2c
        return lambda frames: r2c(frames, (frames.ndim - 1,), True, 0, None, 1)
    except (ImportError, OSError, AttributeError, StopIteration):
        from scipy.fft import rfft

        return lambda frames: rfft(frames, axis=-1)


def trim_heap() -> bool:
    """``malloc_trim``: the free pages the heap keeps for reuse go back to the system; False
    where there is no glibc (nothing happens)."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return False
    return True
