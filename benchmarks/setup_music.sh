#!/usr/bin/env bash
# Fetch the real recorded music of the real-speech benchmark cases from Debian's game-data
# packages (apt-get download + dpkg -x: nothing is installed) into benchmarks/out/music/.
# The benchmark runs this itself when the music is missing. See benchmarks/music.py.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
cd "$HERE/.."
"$PYTHON" benchmarks/music.py
