#!/bin/sh
# Create a virtual environment and install diplostance into it. The Makefile, CI and the Dockerfile all run
# this script, so the three install the same way.
#   sh scripts/install.sh [VENV_DIR] [EXTRAS] [editable|regular]
set -eu
venv="${1:-.venv}"
extras="${2:-train,dev}"
mode="${3:-editable}"
python3 -m venv "$venv"
# Pin the CPU build of torch: an unpinned torch pulls a multi-GB CUDA build.
# TORCH_INDEX_URL (optional) points pip at a CPU wheel index where the default one would give a CUDA build.
"$venv/bin/python" -m pip install --no-cache-dir ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0
if [ "$mode" = editable ]; then
    "$venv/bin/python" -m pip install --no-cache-dir -e ".[$extras]"
else
    "$venv/bin/python" -m pip install --no-cache-dir ".[$extras]"
fi
