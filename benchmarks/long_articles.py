"""Time extraction and attribution on one long generated article at several sizes, to show the cost grows
linearly with the article's length (the target: 400 KB at most 2.3 times 200 KB, and under 10 s).

    python benchmarks/long_articles.py [--extractor parse|rules]

The article repeats a real-length annotated dev article (data/articles/dev/art-a-01.txt) to each size. No model:
this times the steps before it, which are the ones whose cost could grow faster than the text.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from classifier.pipeline import ArticleScorer, make_extractor

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extractor", default="parse", help="parse (default) or rules")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 200_000, 400_000], help="characters")
    args = parser.parse_args()
    unit = (ROOT / "data" / "articles" / "dev" / "art-a-01.txt").read_text(encoding="utf-8") + "\n\n"
    scorer = ArticleScorer(model=None, extractor=make_extractor(args.extractor))
    scorer.find(unit, "warm-up")
    seconds = {}
    for size in args.sizes:
        text = (unit * (size // len(unit) + 1))[:size]
        started = time.perf_counter()
        found = len(scorer.find(text, "long"))
        seconds[size] = time.perf_counter() - started
        print(f"{size / 1000:.0f} KB: {found} statements in {seconds[size]:.2f} s")
    for small, large in zip(args.sizes, args.sizes[1:]):
        print(f"{large / 1000:.0f} KB / {small / 1000:.0f} KB: {seconds[large] / seconds[small]:.2f} times as long")
