#!/bin/sh
# Create a virtual environment and install diplostance into it. The Makefile, CI and the Dockerfile all run
# this script, so the three install the same way.
#   sh scripts/install.sh [VENV_DIR] [EXTRAS] [editable|regular]
set -eu
venv="${1:-.venv}"
extras="${2:-train,dev}"
mode="${3:-editable}"
python3 -m venv "$venv"
# The CPU build of torch: on Linux the default index gives the multi-GB CUDA build, so the PyTorch CPU wheel index
# is tried first. Where it cannot be reached (an offline mirror, a proxy that only serves PyPI), the default index
# is used. TORCH_INDEX_URL chooses the index yourself (empty: the default index only).
cpu_index="https://download.pytorch.org/whl/cpu"
if [ "${TORCH_INDEX_URL+set}" = set ]; then
    "$venv/bin/python" -m pip install --no-cache-dir ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0
elif "$venv/bin/python" -m pip install --no-cache-dir --timeout 10 --retries 0 --index-url "$cpu_index" \
        torch==2.13.0 >/dev/null 2>&1; then
    echo "install.sh: torch installed with --index-url $cpu_index (plus any find-links in your pip config)"
else
    echo "install.sh: the PyTorch CPU index is not reachable; torch from the default index"
    "$venv/bin/python" -m pip install --no-cache-dir torch==2.13.0
fi
"$venv/bin/python" -c "import torch; print('install.sh: torch', torch.__version__, '(CUDA build)' if torch.version.cuda else '(CPU build)')"
if [ "$mode" = editable ]; then
    "$venv/bin/python" -m pip install --no-cache-dir -e ".[$extras]"
else
    "$venv/bin/python" -m pip install --no-cache-dir ".[$extras]"
fi
