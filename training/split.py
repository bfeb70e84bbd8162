"""Cut labelled statements into train, dev and test files (``diplostance data split``).

With enough conflicts, whole conflicts go to one split each, so test measures conflicts the model never saw.
With one or two conflicts that is impossible, and the split is stratified instead: every combination of stance
labels and sentiment is shared out in the requested proportions, so a rare label still reaches dev and test.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from training.data import Example, load_split

SPLITS = ("train", "dev", "test")
MIN_CONFLICTS = 3  # one conflict per split at the very least


def _assign(groups: list[list[int]], shares: dict[str, float], total: int) -> dict[str, list[int]]:
    """Give each group (largest first) to the split furthest below its target size."""
    target = {split: shares[split] * total for split in SPLITS}
    taken: dict[str, list[int]] = {split: [] for split in SPLITS}
    for group in sorted(groups, key=len, reverse=True):
        split = max(SPLITS, key=lambda s: (target[s] - len(taken[s])) / max(target[s], 1e-9))
        taken[split] += group
    return taken


def split_examples(
    examples: list[Example], dev: float = 0.15, test: float = 0.15, by: str = "auto", seed: int = 0
) -> tuple[dict[str, list[Example]], str]:
    """Share ``examples`` out into train/dev/test; returns the splits and the method used.

    ``by`` is ``conflict`` (whole conflicts per split), ``label`` (stratified by label combination) or ``auto``
    (conflicts when there are at least three, labels otherwise).

    >>> rows = [Example(str(i), "t", "s", ["a"] if i % 2 else [], "neutral", "c") for i in range(20)]
    >>> splits, method = split_examples(rows)
    >>> method, [len(splits[s]) for s in ("train", "dev", "test")]
    ('label', [14, 3, 3])
    """
    if not 0 < dev < 1 or not 0 < test < 1 or dev + test >= 1:
        raise ValueError(f"--dev {dev} and --test {test} must be shares between 0 and 1 that leave some for train")
    if by not in ("auto", "conflict", "label"):
        raise ValueError(f"--by must be auto, conflict or label, got {by!r}")
    shares = {"train": 1 - dev - test, "dev": dev, "test": test}
    conflicts = sorted({e.conflict for e in examples})
    if by == "auto":
        by = "conflict" if len(conflicts) >= MIN_CONFLICTS else "label"
    if by == "conflict" and len(conflicts) < MIN_CONFLICTS:
        raise ValueError(
            f"--by conflict needs at least {MIN_CONFLICTS} conflicts, the data has {len(conflicts)} "
            f"({', '.join(conflicts)}); use --by label for a stratified split"
        )
    rng = random.Random(seed)
    if by == "conflict":
        rng.shuffle(conflicts)  # ties in size are broken by the seed, not by name
        groups = [[i for i, e in enumerate(examples) if e.conflict == c] for c in conflicts]
        taken = _assign(groups, shares, len(examples))
    else:
        strata: dict[tuple, list[int]] = defaultdict(list)
        for i, example in enumerate(examples):
            strata[(tuple(sorted(example.stances)), example.sentiment)].append(i)
        taken = {split: [] for split in SPLITS}
        # Walk each stratum in a seeded order, giving every line to the split most behind its share *within the
        # stratum*, so each label combination is divided in the requested proportions; ties go to the split most
        # behind overall, so the remainders of small strata even out across the whole file.
        done = 0
        for key in sorted(strata):
            members = strata[key]
            rng.shuffle(members)
            count = Counter()
            for position, index in enumerate(members, start=1):
                done += 1
                split = max(
                    SPLITS,
                    key=lambda s: (round(shares[s] * position - count[s], 9), shares[s] * done - len(taken[s])),
                )
                count[split] += 1
                taken[split].append(index)
    return {split: [examples[i] for i in sorted(taken[split])] for split in SPLITS}, by


def write_splits(
    files: list[str],
    output_dir: str | Path,
    stance_labels: list[str],
    sentiment_labels: list[str],
    dev: float = 0.15,
    test: float = 0.15,
    by: str = "auto",
    seed: int = 0,
    overwrite: bool = False,
) -> dict:
    """Read labelled files, split them and write ``train.jsonl``, ``dev.jsonl`` and ``test.jsonl``; return a
    summary (method, and per split the statement count and label counts)."""
    from training.config import DataFile

    examples = load_split([DataFile(path) for path in files], stance_labels, sentiment_labels)
    splits, method = split_examples(examples, dev, test, by, seed)
    output_dir = Path(output_dir)
    targets = {split: output_dir / f"{split}.jsonl" for split in SPLITS}
    existing = [str(path) for path in targets.values() if path.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{', '.join(existing)} already exist; pass --overwrite to replace them")
    output_dir.mkdir(parents=True, exist_ok=True)
    summary = {"method": method, "seed": seed}
    for split, rows in splits.items():
        with targets[split].open("w", encoding="utf-8") as handle:
            for example in rows:
                record = {key: value for key, value in vars(example).items() if value is not None}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        summary[split] = {
            "file": str(targets[split]),
            "statements": len(rows),
            "stances": dict(Counter(s for e in rows for s in e.stances)),
            "conflicts": sorted({e.conflict for e in rows}),
        }
    return summary
