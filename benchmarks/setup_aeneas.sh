#!/usr/bin/env bash
# Install aeneas-ng (the open-source TTS + DTW aligner the issue compares against) in its own
# virtualenv, benchmarks/out/aeneas-venv, so its AGPL code and old build never touch the
# project's environment. Its build needs espeak-ng's headers (cew extension) and, on Linux,
# Festival's libraries (the cfw extension is built unconditionally): Debian packages.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV="$HERE/out/aeneas-venv"
PYTHON=${PYTHON:-python3}

PACKAGES="espeak-ng libespeak-ng-dev festival-dev libestools-dev"
if ! dpkg -s $PACKAGES >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
fi
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip setuptools wheel
"$VENV/bin/python" -m pip install -q numpy
"$VENV/bin/python" -m pip install -q aeneas-ng
"$VENV/bin/python" -c "import aeneas, aeneas.globalfunctions as gf; print('aeneas', aeneas.__version__)"
