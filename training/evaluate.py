"""Metrics for the stance and sentiment heads, computed through the model's public ``predict``."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score, fbeta_score, precision_recall_fscore_support

from classifier.modeling import StanceModel, StancePrediction
from training.data import Example


def stance_matrix(stance_sets: list[list[str]], labels: list[str]) -> np.ndarray:
    """Binary indicator matrix ``(n, len(labels))`` for lists of stance names."""
    matrix = np.zeros((len(stance_sets), len(labels)), dtype=int)
    index = {label: i for i, label in enumerate(labels)}
    for row, stances in enumerate(stance_sets):
        for stance in stances:
            matrix[row, index[stance]] = 1
    return matrix


def annotated_mask(examples: list[Example], labels: list[str]) -> np.ndarray:
    """``(n, len(labels))``: 1 where a line was annotated for the label (every label unless it says otherwise)."""
    mask = np.ones((len(examples), len(labels)), dtype=int)
    for row, example in enumerate(examples):
        if example.annotated_labels is not None:
            mask[row] = [label in example.annotated_labels for label in labels]
    return mask


def compute_metrics(
    gold: list[Example], predicted: list[StancePrediction], stance_labels: list[str], sentiment_labels: list[str]
) -> dict:
    """Per-label precision/recall/F1, stance macro-F1, exact-set accuracy, sentiment macro-F1 and accuracy.

    >>> from classifier.modeling import StancePrediction
    >>> ex = Example("a", "t", "s", ["calls_for_ceasefire"], "neutral", "c")
    >>> pred = StancePrediction(["calls_for_ceasefire"], {}, "neutral", {})
    >>> compute_metrics([ex], [pred], ["calls_for_ceasefire"], ["neutral", "negative"])["exact_set_accuracy"]
    1.0
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold statements but {len(predicted)} predictions")
    y_true = stance_matrix([g.stances for g in gold], stance_labels)
    y_pred = stance_matrix([p.stances for p in predicted], stance_labels)
    # A label a line was not annotated for is unknown there: counting the prediction as right leaves it out of
    # both the label's F1 (a true negative does not enter F1) and the exact-set comparison.
    unknown = annotated_mask(gold, stance_labels) == 0
    y_pred[unknown] = y_true[unknown]
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    per_label = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(stance_labels)
    }
    sentiment_true = [g.sentiment for g in gold]
    sentiment_pred = [p.sentiment for p in predicted]
    # Averages run over the labels the gold data has: a label nobody annotated here would count as F1 0 and
    # pull the average down for nothing (a 5-label model on 4-label data). Absent labels are listed instead.
    present = support > 0
    sentiments_present = [label for label in sentiment_labels if label in set(sentiment_true)]
    return {
        "n": len(gold),
        "stance": per_label,
        "stance_macro_f1": round(float(np.mean(f1[present])), 4) if present.any() else 0.0,
        "labels_absent_from_gold": [label for label, here in zip(stance_labels, present) if not here],
        "exact_set_accuracy": round(float(np.mean((y_true == y_pred).all(axis=1))), 4),
        "sentiment_macro_f1": round(
            float(
                f1_score(sentiment_true, sentiment_pred, labels=sentiments_present, average="macro", zero_division=0)
            ),
            4,
        ),
        "sentiment_accuracy": round(float(np.mean([t == p for t, p in zip(sentiment_true, sentiment_pred)])), 4),
    }


def evaluate(model: StanceModel, examples: list[Example], batch_size: int = 32) -> dict:
    """Score ``examples`` with ``model.predict`` (what users run) and compute :func:`compute_metrics`."""
    predictions = model.predict([e.text for e in examples], [e.speaker for e in examples], batch_size=batch_size)
    return compute_metrics(examples, predictions, model.stance_labels, model.sentiment_labels)


MIN_DEV_POSITIVES = 5  # fewer positives on dev than this and a tuned threshold is noise: keep 0.5


def tune_thresholds(
    probs: np.ndarray, gold: np.ndarray, labels: list[str], mask: np.ndarray | None = None, beta: float = 1.0
) -> dict[str, float]:
    """Pick, per label, the threshold that maximises dev F-beta (F1 by default; ``beta`` < 1 favours precision);
    0.5 where dev has fewer than ``MIN_DEV_POSITIVES`` positives. ``mask`` (1 = annotated) leaves out lines not
    annotated for a label.

    Ties go to the threshold closest to 0.5, so a flat curve does not push a label to an extreme.

    >>> gold = np.array([[1], [0], [1]])
    >>> tune_thresholds(np.array([[0.9], [0.1], [0.8]]), gold, ["x"])  # two positives: not enough to tune
    {'x': 0.5}
    >>> probs = np.array([[0.95], [0.9], [0.85], [0.8], [0.7], [0.6], [0.45], [0.4], [0.3], [0.2]])
    >>> gold = np.array([[1], [1], [1], [1], [0], [1], [0], [1], [1], [0]])
    >>> tune_thresholds(probs, gold, ["x"]), tune_thresholds(probs, gold, ["x"], beta=0.5)  # F1, then precision
    ({'x': 0.3}, {'x': 0.75})
    """
    grid = np.round(np.arange(0.05, 0.96, 0.05), 2)
    thresholds = {}
    for i, label in enumerate(labels):
        rows = mask[:, i] == 1 if mask is not None else np.ones(len(gold), dtype=bool)
        if gold[rows, i].sum() < MIN_DEV_POSITIVES:
            thresholds[label] = 0.5
            continue
        scores = [
            fbeta_score(gold[rows, i], (probs[rows, i] >= t).astype(int), beta=beta, zero_division=0) for t in grid
        ]
        best = max(scores)
        candidates = [t for t, s in zip(grid, scores) if s >= best - 1e-9]
        thresholds[label] = float(min(candidates, key=lambda t: abs(t - 0.5)))
    return thresholds
