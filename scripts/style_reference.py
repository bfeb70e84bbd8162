"""Print the form profile of real reporting (PolNeAR speech attributions), the source of the form targets in
``training.style.STYLE_TARGETS`` and ``docs/corpus.md``.

    python scripts/style_reference.py ../shared/data/polnear --split dev
"""

from __future__ import annotations

import argparse
import json

from training.style import reference_profile

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("polnear", help="PolNeAR root (with metadata.tsv and one folder per split)")
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    print(json.dumps(reference_profile(args.polnear, args.split), indent=2))
