"""Is model B better than model A? Paired significance tests on the same labelled statements.

Both models label the same statements, so their errors are paired: a hard statement is hard for both. The tests
keep that pairing, which makes them far more sensitive than comparing two separately bootstrapped scores:

- **Paired bootstrap** (Koehn 2004; Berg-Kirkpatrick et al. 2012): draw the statements with replacement, the same
  draw for both models, recompute each metric for each and take B - A; the 2.5th and 97.5th percentiles of those
  differences are the 95% interval.
- **Approximate randomization** (Noreen 1989; Riezler and Maxwell 2005): under "no difference" A's and B's
  predictions of a statement are exchangeable, so swap them per statement with probability 1/2 and count how often
  the shuffled difference is at least as large as the observed one; ``p = (count + 1) / (R + 1)``.

Every metric is computed as :func:`training.evaluate.compute_metrics` computes it on the same statements: F1
averaged over the labels the (resampled) gold data has, zero where a label has neither gold nor predicted
positives, lines not annotated for a label left out of it. Each metric is a function of sums of per-statement
counts (true positives, predicted and gold positives, exact matches), so a resample is one matrix product: a row
of multiplicities times the count matrix, and a swap adds ``swap @ (counts_B - counts_A)`` to A's sums.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classifier.predictor import StancePrediction
from training.data import Example
from training.evaluate import annotated_mask

CONFIDENCE = 0.95
_CELLS = 4_000_000  # resamples are drawn in blocks of about this many statement draws, so memory stays bounded


def metric_names(stance_labels: list[str]) -> list[str]:
    """The compared metrics, in report order.

    >>> metric_names(["calls_for_ceasefire"])
    ['stance_macro_f1', 'calls_for_ceasefire_f1', 'exact_set_accuracy', 'sentiment_macro_f1']
    """
    return ["stance_macro_f1", *[f"{label}_f1" for label in stance_labels], "exact_set_accuracy", "sentiment_macro_f1"]


def encode(
    stance_sets: list[list[str]], sentiments: list[str], stance_labels: list[str], sentiment_labels: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Stance names as an ``(n, L)`` 0/1 matrix and sentiments as indices into ``sentiment_labels`` (-1: unknown).

    >>> stances, sentiment = encode([["b"], []], ["neutral", "odd"], ["a", "b"], ["negative", "neutral"])
    >>> stances.tolist(), sentiment.tolist()
    ([[0, 1], [0, 0]], [1, -1])
    """
    index = {label: i for i, label in enumerate(stance_labels)}
    matrix = np.zeros((len(stance_sets), len(stance_labels)), dtype=np.int64)
    for row, stances in enumerate(stance_sets):
        for stance in stances:
            matrix[row, index[stance]] = 1
    where = {label: i for i, label in enumerate(sentiment_labels)}
    return matrix, np.array([where.get(s, -1) for s in sentiments], dtype=np.int64)


def _counts(gold: np.ndarray, gold_sentiment: np.ndarray, pred: np.ndarray, pred_sentiment: np.ndarray, n_sent: int):
    """Per-statement counts ``(n, 3L + 1 + 3S)``: stance TP, predicted, gold; exact match; sentiment TP, predicted,
    gold. Summed over any multiset of statements they give every metric of that multiset."""
    classes = np.arange(n_sent)
    gold_onehot = gold_sentiment[:, None] == classes
    pred_onehot = pred_sentiment[:, None] == classes
    exact = (gold == pred).all(axis=1, keepdims=True)
    parts = [gold & pred, pred, gold, exact, gold_onehot & pred_onehot, pred_onehot, gold_onehot]
    return np.concatenate([part.astype(np.float64) for part in parts], axis=1)


def _f1(tp: np.ndarray, predicted: np.ndarray, gold: np.ndarray) -> np.ndarray:
    denominator = predicted + gold
    return np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)


def _macro(f1: np.ndarray, present: np.ndarray) -> np.ndarray:
    count = present.sum(axis=-1)
    return np.divide((f1 * present).sum(axis=-1), count, out=np.zeros(f1.shape[:-1]), where=count > 0)


def _metrics(totals: np.ndarray, n: int, n_stance: int, n_sent: int) -> np.ndarray:
    """Every metric from summed counts ``(..., K)``: ``(..., len(metric_names))``."""
    L, S = n_stance, n_sent
    tp, predicted, gold = totals[..., :L], totals[..., L : 2 * L], totals[..., 2 * L : 3 * L]
    stance_f1 = _f1(tp, predicted, gold)
    exact = totals[..., 3 * L] / n
    start = 3 * L + 1
    s_tp, s_pred, s_gold = (totals[..., start + i * S : start + (i + 1) * S] for i in range(3))
    sentiment = _macro(_f1(s_tp, s_pred, s_gold), s_gold > 0)
    return np.concatenate(
        [_macro(stance_f1, gold > 0)[..., None], stance_f1, exact[..., None], sentiment[..., None]], axis=-1
    )


def _multiplicities(rng: np.random.Generator, rows: int, n: int) -> np.ndarray:
    """``rows`` bootstrap draws of ``n`` statements, each as how often every statement was drawn."""
    draws = rng.integers(0, n, size=(rows, n)) + (np.arange(rows) * n)[:, None]
    return np.bincount(draws.ravel(), minlength=rows * n).reshape(rows, n).astype(np.float64)


def compare_arrays(
    gold_stances: np.ndarray,
    gold_sentiment: np.ndarray,
    a_stances: np.ndarray,
    a_sentiment: np.ndarray,
    b_stances: np.ndarray,
    b_sentiment: np.ndarray,
    stance_labels: list[str],
    sentiment_labels: list[str],
    resamples: int = 2000,
    seed: int = 0,
    annotated: np.ndarray | None = None,
) -> dict:
    """Compare two systems' predictions of the same statements, given as arrays (:func:`encode`).

    Args:
        gold_stances, a_stances, b_stances: ``(n, L)`` 0/1 stance matrices in ``stance_labels`` order.
        gold_sentiment, a_sentiment, b_sentiment: ``(n,)`` indices into ``sentiment_labels``.
        resamples: bootstrap draws, and as many random swaps.
        seed: the same seed gives the same intervals and p-values.
        annotated: ``(n, L)``, 0 where a line was not annotated for a label (both predictions count as right).

    Returns:
        ``{"n", "resamples", "seed", "confidence", "labels_absent_from_gold", "metrics"}``; ``metrics`` maps each
        of :func:`metric_names` to ``{"a", "b", "b_minus_a", "ci_low", "ci_high", "p_value"}``.

    >>> gold = np.array([[1], [0], [1], [0]]); sentiment = np.array([0, 1, 0, 1])
    >>> a = np.array([[1], [1], [0], [0]]); b = gold.copy()
    >>> report = compare_arrays(gold, sentiment, a, sentiment, b, sentiment, ["x"], ["neg", "neu"], 200)
    >>> report["metrics"]["x_f1"]["a"], report["metrics"]["x_f1"]["b"], report["metrics"]["x_f1"]["b_minus_a"]
    (0.5, 1.0, 0.5)
    """
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    n = len(gold_stances)
    shapes = {len(x) for x in (gold_sentiment, a_stances, a_sentiment, b_stances, b_sentiment)}
    if n == 0 or shapes != {n}:
        raise ValueError(f"gold and both systems must cover the same statements (at least one): {n} gold, {shapes}")
    gold = np.asarray(gold_stances, dtype=bool)
    a, b = np.asarray(a_stances, dtype=bool).copy(), np.asarray(b_stances, dtype=bool).copy()
    if annotated is not None:
        unknown = np.asarray(annotated) == 0
        a[unknown], b[unknown] = gold[unknown], gold[unknown]
    shape = (len(stance_labels), len(sentiment_labels))
    counts_a = _counts(gold, np.asarray(gold_sentiment), a, np.asarray(a_sentiment), shape[1])
    counts_b = _counts(gold, np.asarray(gold_sentiment), b, np.asarray(b_sentiment), shape[1])
    observed_a, observed_b = _metrics(counts_a.sum(0), n, *shape), _metrics(counts_b.sum(0), n, *shape)
    observed = observed_b - observed_a

    bootstrap_rng, swap_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    block = max(1, _CELLS // n)
    differences, at_least = [], np.zeros_like(observed)
    change = counts_b - counts_a
    for start in range(0, resamples, block):
        rows = min(block, resamples - start)
        weights = _multiplicities(bootstrap_rng, rows, n)
        differences.append(_metrics(weights @ counts_b, n, *shape) - _metrics(weights @ counts_a, n, *shape))
        swapped = (swap_rng.random((rows, n)) < 0.5).astype(np.float64) @ change
        shuffled = _metrics(counts_b.sum(0) - swapped, n, *shape) - _metrics(counts_a.sum(0) + swapped, n, *shape)
        # A tolerance, so a shuffle that ties the observed difference is not lost to rounding in the sums.
        at_least += (np.abs(shuffled) >= np.abs(observed) - 1e-12).sum(axis=0)
    differences = np.concatenate(differences)
    tail = 100 * (1 - CONFIDENCE) / 2
    low, high = np.percentile(differences, [tail, 100 - tail], axis=0)
    p_values = (at_least + 1) / (resamples + 1)

    metrics = {}
    for i, name in enumerate(metric_names(stance_labels)):
        metrics[name] = {
            "a": round(float(observed_a[i]), 4),
            "b": round(float(observed_b[i]), 4),
            "b_minus_a": round(float(observed[i]), 4),
            "ci_low": round(float(low[i]), 4),
            "ci_high": round(float(high[i]), 4),
            "p_value": round(float(p_values[i]), 6),  # never 0: at least 1 / (resamples + 1)
        }
    absent = [label for label, here in zip(stance_labels, gold.any(axis=0)) if not here]
    return {"n": n, "resamples": resamples, "seed": seed, "confidence": CONFIDENCE,
            "labels_absent_from_gold": absent, "metrics": metrics}  # fmt: skip


def compare_predictions(
    examples: list[Example],
    predictions_a: list[StancePrediction],
    predictions_b: list[StancePrediction],
    stance_labels: list[str],
    sentiment_labels: list[str],
    resamples: int = 2000,
    seed: int = 0,
) -> dict:
    """:func:`compare_arrays` on labelled examples and two lists of predictions of them, in the same order."""
    if not len(examples) == len(predictions_a) == len(predictions_b):
        raise ValueError(f"{len(examples)} statements but {len(predictions_a)} and {len(predictions_b)} predictions")
    labels = (stance_labels, sentiment_labels)
    gold = encode([e.stances for e in examples], [e.sentiment for e in examples], *labels)
    a = encode([p.stances for p in predictions_a], [p.sentiment for p in predictions_a], *labels)
    b = encode([p.stances for p in predictions_b], [p.sentiment for p in predictions_b], *labels)
    annotated = annotated_mask(examples, stance_labels)
    return compare_arrays(*gold, *a, *b, stance_labels, sentiment_labels, resamples, seed, annotated)


def check_same_labels(model_a, model_b) -> None:
    """Raise ``ValueError`` naming the labels one model has and the other lacks (order does not matter)."""
    problems = []
    for kind in ("stance", "sentiment"):
        a, b = getattr(model_a, f"{kind}_labels"), getattr(model_b, f"{kind}_labels")
        only_a, only_b = [x for x in a if x not in b], [x for x in b if x not in a]
        if only_a or only_b:
            problems.append(f"{kind} labels only in model A: {only_a}, only in model B: {only_b}")
    if problems:
        raise ValueError("the models do not have the same labels, so their predictions cannot be compared: "
                         + "; ".join(problems))  # fmt: skip


def compare(model_a, model_b, examples: list[Example], resamples: int = 2000, seed: int = 0) -> dict:
    """Label ``examples`` with both models' public ``predict`` and compare them (:func:`compare_arrays`).

    >>> report = compare(StanceModel.from_pretrained("models/a"), StanceModel.from_pretrained("models/b"),
    ...                  load_examples("data/test.jsonl", labels, sentiments))  # doctest: +SKIP
    >>> report["metrics"]["stance_macro_f1"]  # doctest: +SKIP
    {'a': 0.71, 'b': 0.74, 'b_minus_a': 0.03, 'ci_low': 0.008, 'ci_high': 0.052, 'p_value': 0.012}
    """
    check_same_labels(model_a, model_b)
    texts, speakers = [e.text for e in examples], [e.speaker for e in examples]
    predictions_a, predictions_b = model_a.predict(texts, speakers), model_b.predict(texts, speakers)
    return compare_predictions(examples, predictions_a, predictions_b, list(model_a.stance_labels),
                               list(model_a.sentiment_labels), resamples, seed)  # fmt: skip


def compare_files(
    model_a: str | Path, model_b: str | Path, data: str | Path, resamples: int = 2000, seed: int = 0
) -> dict:
    """:func:`compare` of two saved model directories on a labelled JSONL file (read with model A's labels)."""
    from classifier.modeling import StanceModel
    from training.data import load_examples

    first, second = StanceModel.from_pretrained(model_a), StanceModel.from_pretrained(model_b)
    check_same_labels(first, second)
    examples = load_examples(data, first.stance_labels, first.sentiment_labels)
    return {"model_a": str(model_a), "model_b": str(model_b), "data": str(data),
            **compare(first, second, examples, resamples, seed)}  # fmt: skip


def format_table(report: dict) -> str:
    """A report of :func:`compare_arrays` as an aligned plain-text table.

    >>> print(format_table({"n": 3, "resamples": 10, "seed": 0, "confidence": 0.95, "metrics": {"x_f1": {"a": 0.5,
    ...     "b": 0.75, "b_minus_a": 0.25, "ci_low": -0.1, "ci_high": 0.6, "p_value": 0.4545}}}))
    3 statements, 10 resamples, seed 0; B-A with its 95% paired bootstrap interval and randomization p-value
    metric       A       B     B-A  95% interval            p
    ------  ------  ------  ------  -----------------  ------
    x_f1    0.5000  0.7500  0.2500  [-0.1000, 0.6000]  0.4545
    """
    header = ["metric", "A", "B", "B-A", f"{round(100 * report['confidence'])}% interval", "p"]
    rows = [
        [name, f"{m['a']:.4f}", f"{m['b']:.4f}", f"{m['b_minus_a']:.4f}",
         f"[{m['ci_low']:.4f}, {m['ci_high']:.4f}]", f"{m['p_value']:.4f}"]
        for name, m in report["metrics"].items()
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in (0, 4) else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    lines = []
    if "model_a" in report:
        lines.append(f"A: {report['model_a']}\nB: {report['model_b']}\ndata: {report['data']}")
    share = round(100 * report["confidence"])
    lines.append(f"{report['n']} statements, {report['resamples']} resamples, seed {report['seed']}; B-A with its "
                 f"{share}% paired bootstrap interval and randomization p-value")  # fmt: skip
    lines += [line(header), "  ".join("-" * w for w in widths), *map(line, rows)]
    if report.get("labels_absent_from_gold"):
        lines.append(f"not in the gold data (left out of the macro averages): {report['labels_absent_from_gold']}")
    return "\n".join(text.rstrip() for text in lines)
