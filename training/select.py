"""Active-learning selection: which statements an annotator should label next.

The model's probabilities are recomputed for every candidate (a ``diplostance score`` row and a bare
``{id, text, speaker}`` line are treated alike), and the statements it is least sure of come first. A share of
the picks can be drawn uniformly at random instead, so the newly labelled pool still says something about the
model on ordinary statements, not only on hard ones.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.predictor import StancePrediction

__all__ = ["Selected", "select", "uncertainty", "statement_context", "selected_tasks", "select_command"]

STRATEGIES = ("margin", "entropy", "random")
DIVERSITY_POOL = 5  # diversity clusters the DIVERSITY_POOL * N most uncertain statements into N groups


@dataclass
class Selected:
    """One statement picked for labelling."""

    record: dict  # the input row as read
    prediction: StancePrediction  # the model's labels, shown to the annotator to correct
    uncertainty: float  # 0 (sure) to 1 (as unsure as it can be), by the strategy's measure (margin for random)
    pick: str  # "uncertain" or "random"


def uncertainty(
    stance: np.ndarray, sentiment: np.ndarray, thresholds: list[float], strategy: str = "margin"
) -> np.ndarray:
    """Each statement's uncertainty in [0, 1] from its stance ``(n, L)`` and sentiment ``(n, S)`` probabilities.

    ``margin``: one minus the smallest of (a) each stance's distance to its threshold, scaled by the room on
    that side of it, and (b) the sentiment's top-1 minus top-2 probability. ``entropy``: the binary entropies of
    the stances plus the sentiment entropy, divided by their largest possible value.

    >>> uncertainty(np.array([[0.5], [0.99]]), np.array([[0.9, 0.1], [0.99, 0.01]]), [0.5]).round(2).tolist()
    [1.0, 0.02]
    """
    stance = np.clip(np.asarray(stance, dtype=float), 0.0, 1.0)
    sentiment = np.clip(np.asarray(sentiment, dtype=float), 0.0, 1.0)
    if strategy == "entropy":
        eps = 1e-12
        binary = -(stance * np.log(stance + eps) + (1 - stance) * np.log(1 - stance + eps))
        multi = -(sentiment * np.log(sentiment + eps)).sum(axis=1)
        most = stance.shape[1] * math.log(2) + math.log(sentiment.shape[1])
        return np.clip((binary.sum(axis=1) + multi) / most, 0.0, 1.0)
    limits = np.asarray(thresholds, dtype=float)[None, :]
    # A threshold of 0.3 leaves 0.7 of room above and 0.3 below: both ends scale to a distance of 1.
    room = np.where(stance >= limits, 1.0 - limits, limits)
    stance_margin = (np.abs(stance - limits) / np.maximum(room, 1e-12)).min(axis=1, initial=1.0)
    top = np.sort(sentiment, axis=1)
    sentiment_margin = top[:, -1] - top[:, -2]
    return np.clip(1.0 - np.minimum(stance_margin, sentiment_margin), 0.0, 1.0)


def select(
    model,
    records: list[dict],
    n: int,
    strategy: str = "margin",
    random_share: float = 0.0,
    diversity: bool = False,
    seed: int = 0,
    batch_size: int = 32,
) -> list[Selected]:
    """Pick ``n`` statements to label: the most uncertain first, then the random share.

    Args:
        model: a loaded model (``predict_proba``, ``thresholds``; ``embed`` for ``diversity``).
        records: rows with ``text`` and optionally ``speaker``.
        n: how many to pick (all of them when there are fewer).
        strategy: ``margin``, ``entropy`` or ``random`` (all picks random).
        random_share: this fraction of ``n`` is drawn uniformly from the statements not picked as uncertain.
        diversity: cluster the 5N most uncertain on the model's embeddings into N groups (seeded k-means) and
            take the most uncertain of each group, so the picks are not N variants of one sentence.
        seed: seeds the random share and k-means.

    >>> [s.pick for s in select(model, rows, 3, random_share=0.34)]  # doctest: +SKIP
    ['uncertain', 'uncertain', 'random']
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {list(STRATEGIES)}, got {strategy!r}")
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}")
    if not 0.0 <= float(random_share) <= 1.0:
        raise ValueError(f"random share must be between 0 and 1, got {random_share!r}")
    if not records:
        return []
    texts = [record["text"] for record in records]
    speakers = [None if record.get("speaker") is None else str(record["speaker"]) for record in records]
    stance, sentiment = model.predict_proba(texts, speakers, batch_size=batch_size)
    thresholds = [model.thresholds[label] for label in model.stance_labels]
    scores = uncertainty(stance, sentiment, thresholds, "margin" if strategy == "random" else strategy)
    n = min(n, len(records))
    n_random = n if strategy == "random" else int(round(n * float(random_share)))
    n_uncertain = n - n_random
    # Most uncertain first; equal scores keep input order, so a rerun picks the same statements.
    ranked = np.argsort(-scores, kind="stable")
    if diversity and n_uncertain > 1:
        uncertain = _diverse(model, texts, speakers, ranked, scores, n_uncertain, seed, batch_size)
    else:
        uncertain = ranked[:n_uncertain].tolist()
    rest = np.setdiff1d(np.arange(len(records)), uncertain)
    rng = np.random.default_rng(seed)
    randoms = rng.choice(rest, size=min(n_random, len(rest)), replace=False).tolist() if n_random else []
    picks = [(index, "uncertain") for index in uncertain] + [(index, "random") for index in randoms]
    return [
        Selected(records[i], _prediction(model, stance[i], sentiment[i]), float(scores[i]), pick) for i, pick in picks
    ]


def _diverse(model, texts, speakers, ranked, scores, n, seed, batch_size) -> list[int]:
    """The most uncertain statement of each of ``n`` k-means clusters of the ``5n`` most uncertain."""
    from sklearn.cluster import KMeans

    if not hasattr(model, "embed"):
        raise ValueError("diversity needs the model's embeddings: load the torch model (StanceModel)")
    pool = ranked[: DIVERSITY_POOL * n]
    if len(pool) <= n:
        return pool.tolist()
    vectors = model.embed([texts[i] for i in pool], [speakers[i] for i in pool], batch_size=batch_size)
    clusters = KMeans(n_clusters=n, random_state=seed, n_init=10).fit_predict(vectors)
    picked = []
    for cluster in range(n):
        members = pool[clusters == cluster]  # already in uncertainty order
        if len(members):
            picked.append(int(members[0]))
    # Identical statements can leave a cluster empty; fill up with the next most uncertain.
    picked += [int(i) for i in pool if int(i) not in picked][: n - len(picked)]
    return sorted(picked, key=lambda i: (-scores[i], i))


def _prediction(model, stance_row: np.ndarray, sentiment_row: np.ndarray) -> StancePrediction:
    """The labels ``predict`` would give for these probabilities (decided on the rounded scores, as there)."""
    stance_scores = {label: round(float(p), 4) for label, p in zip(model.stance_labels, stance_row)}
    return StancePrediction(
        stances=[label for label in model.stance_labels if stance_scores[label] >= model.thresholds[label]],
        stance_scores=stance_scores,
        sentiment=model.sentiment_labels[int(np.argmax(sentiment_row))],
        sentiment_scores={label: round(float(p), 4) for label, p in zip(model.sentiment_labels, sentiment_row)},
    )


def statement_context(article: str, start: int, end: int, around: int = 1) -> str:
    """The sentences around ``article[start:end]``: ``around`` before it, the statement's own, ``around`` after.

    >>> statement_context("One. Two said this. Three. Four.", 5, 19)
    'One. Two said this. Three.'
    """
    from classifier.extract.segment import split_article

    sentences = split_article(article)
    inside = [i for i, s in enumerate(sentences) if s.start < end and start < s.end]
    if not inside:
        return article[max(0, start - 300) : end + 300].strip()
    first = sentences[max(0, inside[0] - around)]
    last = sentences[min(len(sentences) - 1, inside[-1] + around)]
    return article[min(first.start, start) : max(last.end, end)]


def _article_text(record: dict, texts: Path | None) -> str | None:
    if isinstance(record.get("article_text"), str):
        return record["article_text"]
    if texts is None or record.get("article_id") is None:
        return None
    # The layout ``diplostance score --save-text`` writes: an id's slashes are subfolders.
    parts = [part for part in str(record["article_id"]).replace("\\", "/").split("/") if part not in ("", ".", "..")]
    path = texts.joinpath(*parts[:-1], f"{parts[-1] if parts else 'article'}.txt")
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as handle:  # offsets count every character, \r included
        return handle.read()


def context_for(record: dict, texts: str | Path | None = None) -> str:
    """The context of a selected row: from its ``article_text``, else ``texts/ARTICLE_ID.txt``, else empty."""
    start, end = record.get("start"), record.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return ""
    article = _article_text(record, Path(texts) if texts is not None else None)
    if article is None or article[start:end] != record["text"]:  # offsets into another text would mislead
        return ""
    return statement_context(article, start, end)


def selected_tasks(selected: list[Selected], model_version: str, texts: str | Path | None = None) -> list[dict]:
    """Label Studio tasks for the picks, each marked ``data.pick`` (uncertain or random)."""
    from training.labelstudio import make_task

    tasks = []
    for item in selected:
        task = make_task(item.record, item.prediction, model_version, context_for(item.record, texts),
                         score=round(1.0 - item.uncertainty, 4))  # fmt: skip
        task["data"]["pick"] = item.pick
        tasks.append(task)
    return tasks


def select_command(
    model_dir: str,
    inputs: list[str],
    n: int,
    output: str,
    strategy: str = "margin",
    random_share: float = 0.0,
    diversity: bool = False,
    texts: str | None = None,
    seed: int = 0,
    batch_size: int = 32,
) -> int:
    """``diplostance select``: write Label Studio tasks for the N statements to label next; exit 1 when input
    lines were skipped."""
    from classifier.io import InputError, read_jsonl
    from classifier.modeling import WEIGHTS_NAME, StanceModel, file_hash

    missing = [name for name in inputs if not Path(name).is_file()]
    if missing:
        raise FileNotFoundError(f"input file not found: {', '.join(missing)}")
    if texts is not None and not Path(texts).is_dir():
        raise FileNotFoundError(f"--texts folder not found: {texts}")
    model = StanceModel.from_pretrained(model_dir)
    records, errors = [], 0
    for name in inputs:
        for item in read_jsonl(Path(name)):
            if isinstance(item, InputError):
                errors += 1
                print(f"diplostance select: skipped {item}", file=sys.stderr)
            else:
                records.append(item[1])
    if not records:
        raise ValueError(f"no statements to select from in {', '.join(inputs)}")
    selected = select(model, records, n, strategy, random_share, diversity, seed, batch_size)
    version = f"{Path(model_dir).resolve().name}@{file_hash(Path(model_dir) / WEIGHTS_NAME)}"
    tasks = selected_tasks(selected, version, texts)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(json.dumps(tasks, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    randoms = sum(item.pick == "random" for item in selected)
    print(f"diplostance select: {len(tasks)} task(s) from {len(records)} statement(s) ({len(tasks) - randoms} "
          f"uncertain, {randoms} random) written to {output}; {errors} line(s) skipped", file=sys.stderr)  # fmt: skip
    return 1 if errors else 0
