"""Paired comparison of two models: bootstrap intervals, approximate randomization, the `compare` command."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from classifier.cli import main
from classifier.predictor import StancePrediction
from training.compare import compare, compare_arrays, compare_predictions, encode, metric_names
from training.data import Example
from training.evaluate import compute_metrics

STANCES = ["calls_for_ceasefire", "supports_self_defense", "demands_withdrawal", "calls_for_negotiations"]
SENTIMENTS = ["negative", "neutral", "positive"]


def synthetic(n: int, error_a: float, error_b: float, seed: int = 1):
    """Gold labels and two systems that flip each gold cell with the given rates."""
    rng = np.random.default_rng(seed)
    gold = (rng.random((n, len(STANCES))) < 0.3).astype(int)
    gold_sentiment = rng.integers(0, len(SENTIMENTS), n)

    def noisy(rate: float):
        stances = np.where(rng.random(gold.shape) < rate, 1 - gold, gold)
        sentiment = np.where(rng.random(n) < rate, (gold_sentiment + 1) % len(SENTIMENTS), gold_sentiment)
        return stances, sentiment

    return gold, gold_sentiment, noisy(error_a), noisy(error_b)


def as_objects(gold, gold_sentiment, stances, sentiment):
    examples = [
        Example(f"s-{i}", "text", "speaker", [STANCES[j] for j in np.flatnonzero(row)], SENTIMENTS[s], "c")
        for i, (row, s) in enumerate(zip(gold, gold_sentiment))
    ]
    predictions = [
        StancePrediction([STANCES[j] for j in np.flatnonzero(row)], {}, SENTIMENTS[s], {})
        for row, s in zip(stances, sentiment)
    ]
    return examples, predictions


def test_identical_systems_differ_by_nothing():
    gold, gold_sentiment, (a, a_sentiment), _ = synthetic(200, 0.2, 0.2)
    report = compare_arrays(gold, gold_sentiment, a, a_sentiment, a, a_sentiment, STANCES, SENTIMENTS, 300, 0)
    assert list(report["metrics"]) == metric_names(STANCES)
    for name, figures in report["metrics"].items():
        assert figures["a"] == figures["b"], name
        assert figures["b_minus_a"] == 0.0
        assert figures["ci_low"] == figures["ci_high"] == 0.0
        assert figures["p_value"] == 1.0


def test_a_clearly_better_system_gets_an_interval_above_zero_and_a_small_p():
    gold, gold_sentiment, (a, a_sentiment), (b, b_sentiment) = synthetic(400, 0.25, 0.05)
    report = compare_arrays(gold, gold_sentiment, a, a_sentiment, b, b_sentiment, STANCES, SENTIMENTS, 500, 0)
    for name in ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1", "calls_for_ceasefire_f1"):
        figures = report["metrics"][name]
        assert figures["b"] > figures["a"], name
        assert 0 < figures["ci_low"] <= figures["b_minus_a"] <= figures["ci_high"], name
        assert figures["p_value"] < 0.01, name
    # Swapping the systems mirrors the interval and keeps the p-value.
    swapped = compare_arrays(gold, gold_sentiment, b, b_sentiment, a, a_sentiment, STANCES, SENTIMENTS, 500, 0)
    assert swapped["metrics"]["stance_macro_f1"]["ci_high"] < 0
    assert swapped["metrics"]["stance_macro_f1"]["p_value"] < 0.01


def test_a_small_difference_on_few_statements_is_not_significant():
    gold, gold_sentiment, (a, a_sentiment), (b, b_sentiment) = synthetic(30, 0.2, 0.18, seed=3)
    report = compare_arrays(gold, gold_sentiment, a, a_sentiment, b, b_sentiment, STANCES, SENTIMENTS, 500, 0)
    figures = report["metrics"]["stance_macro_f1"]
    assert figures["ci_low"] < 0 < figures["ci_high"]
    assert figures["p_value"] > 0.05


def test_the_same_seed_gives_the_same_report_and_another_seed_another():
    gold, gold_sentiment, (a, a_sentiment), (b, b_sentiment) = synthetic(100, 0.2, 0.1)
    args = (gold, gold_sentiment, a, a_sentiment, b, b_sentiment, STANCES, SENTIMENTS, 200)
    assert compare_arrays(*args, seed=7) == compare_arrays(*args, seed=7)
    assert compare_arrays(*args, seed=7)["metrics"] != compare_arrays(*args, seed=8)["metrics"]


def test_observed_figures_are_those_of_compute_metrics():
    gold, gold_sentiment, (a, a_sentiment), (b, b_sentiment) = synthetic(150, 0.2, 0.1)
    examples, predictions_a = as_objects(gold, gold_sentiment, a, a_sentiment)
    _, predictions_b = as_objects(gold, gold_sentiment, b, b_sentiment)
    report = compare_predictions(examples, predictions_a, predictions_b, STANCES, SENTIMENTS, 50, 0)
    for system, predictions in (("a", predictions_a), ("b", predictions_b)):
        metrics = compute_metrics(examples, predictions, STANCES, SENTIMENTS)
        for name in ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1"):
            assert report["metrics"][name][system] == metrics[name]
        for label in STANCES:
            assert report["metrics"][f"{label}_f1"][system] == metrics["stance"][label]["f1"]


def test_resampled_figures_are_compute_metrics_on_the_resampled_statements():
    """A slow reference: the same draws, each scored by compute_metrics; the vectorised version must agree."""
    n, resamples, seed = 40, 30, 5
    gold, gold_sentiment, (a, a_sentiment), (b, b_sentiment) = synthetic(n, 0.3, 0.15, seed=2)
    gold[:, 3] = 0
    gold[0, 3] = 1  # a label with one positive: absent from many resamples, so their macro average drops it
    examples, predictions_a = as_objects(gold, gold_sentiment, a, a_sentiment)
    _, predictions_b = as_objects(gold, gold_sentiment, b, b_sentiment)
    report = compare_predictions(examples, predictions_a, predictions_b, STANCES, SENTIMENTS, resamples, seed)

    bootstrap_rng, swap_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    draws, swaps = bootstrap_rng.integers(0, n, size=(resamples, n)), swap_rng.random((resamples, n)) < 0.5
    names = ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1")

    def figures(gold_rows, rows_a, rows_b):
        first = compute_metrics(gold_rows, rows_a, STANCES, SENTIMENTS)
        second = compute_metrics(gold_rows, rows_b, STANCES, SENTIMENTS)
        return np.array([second[k] - first[k] for k in names])

    bootstrap = np.array([figures([examples[i] for i in d], [predictions_a[i] for i in d],
                                  [predictions_b[i] for i in d]) for d in draws])  # fmt: skip
    observed = figures(examples, predictions_a, predictions_b)
    shuffled = np.array([
        figures(examples, [pb if s else pa for pa, pb, s in zip(predictions_a, predictions_b, swap)],
                [pa if s else pb for pa, pb, s in zip(predictions_a, predictions_b, swap)])
        for swap in swaps
    ])  # fmt: skip
    low, high = np.percentile(bootstrap, [2.5, 97.5], axis=0)
    p_values = ((np.abs(shuffled) >= np.abs(observed) - 1e-9).sum(axis=0) + 1) / (resamples + 1)
    for i, name in enumerate(names):
        # compute_metrics rounds each figure to 4 places before the difference; the tolerance allows for that
        assert report["metrics"][name]["ci_low"] == pytest.approx(low[i], abs=2e-4), name
        assert report["metrics"][name]["ci_high"] == pytest.approx(high[i], abs=2e-4), name
        assert report["metrics"][name]["p_value"] == pytest.approx(p_values[i], abs=1e-4), name


def test_lines_not_annotated_for_a_label_do_not_count_against_either_system():
    gold, gold_sentiment, _, _ = synthetic(60, 0, 0)
    gold[:, 1] = 0
    wrong = gold.copy()
    wrong[:, 1] = 1  # A says supports_self_defense everywhere, where nobody annotated it
    annotated = np.ones_like(gold)
    annotated[:, 1] = 0
    report = compare_arrays(gold, gold_sentiment, wrong, gold_sentiment, gold, gold_sentiment, STANCES, SENTIMENTS,
                            100, 0, annotated=annotated)  # fmt: skip
    assert all(figures["b_minus_a"] == 0 for figures in report["metrics"].values())
    unmasked = compare_arrays(gold, gold_sentiment, wrong, gold_sentiment, gold, gold_sentiment, STANCES, SENTIMENTS,
                              100, 0)  # fmt: skip
    assert unmasked["metrics"]["exact_set_accuracy"]["b_minus_a"] == 1.0


def test_annotated_labels_of_examples_are_honoured_as_compute_metrics_honours_them():
    gold, gold_sentiment, (a, a_sentiment), (b, b_sentiment) = synthetic(80, 0.2, 0.1)
    examples, predictions_a = as_objects(gold, gold_sentiment, a, a_sentiment)
    _, predictions_b = as_objects(gold, gold_sentiment, b, b_sentiment)
    for example in examples[::2]:  # every other line was annotated for two labels only
        example.stances = [s for s in example.stances if s in STANCES[:2]]
        example.annotated_labels = STANCES[:2]
    report = compare_predictions(examples, predictions_a, predictions_b, STANCES, SENTIMENTS, 20, 0)
    for system, predictions in (("a", predictions_a), ("b", predictions_b)):
        metrics = compute_metrics(examples, predictions, STANCES, SENTIMENTS)
        assert report["metrics"]["exact_set_accuracy"][system] == metrics["exact_set_accuracy"]
        assert report["metrics"]["demands_withdrawal_f1"][system] == metrics["stance"]["demands_withdrawal"]["f1"]


def test_labels_absent_from_gold_are_listed_and_left_out_of_the_macro_average():
    gold, gold_sentiment, (a, a_sentiment), _ = synthetic(50, 0.1, 0.1)
    gold[:, 2] = 0
    a[:, 2] = 0
    report = compare_arrays(gold, gold_sentiment, a, a_sentiment, a, a_sentiment, STANCES, SENTIMENTS, 20, 0)
    assert report["labels_absent_from_gold"] == ["demands_withdrawal"]
    present = [report["metrics"][f"{label}_f1"]["a"] for label in STANCES if label != "demands_withdrawal"]
    assert report["metrics"]["stance_macro_f1"]["a"] == pytest.approx(np.mean(present), abs=1e-4)


def test_unknown_predicted_sentiment_never_matches():
    stances, sentiment = encode([["calls_for_ceasefire"]], ["sarcastic"], STANCES, SENTIMENTS)
    assert stances.tolist() == [[1, 0, 0, 0]] and sentiment.tolist() == [-1]


def test_bad_arguments_are_refused():
    gold, gold_sentiment, (a, a_sentiment), _ = synthetic(10, 0.1, 0.1)
    with pytest.raises(ValueError, match="resamples must be at least 1"):
        compare_arrays(gold, gold_sentiment, a, a_sentiment, a, a_sentiment, STANCES, SENTIMENTS, 0)
    with pytest.raises(ValueError, match="the same statements"):
        compare_arrays(gold, gold_sentiment, a[:5], a_sentiment, a, a_sentiment, STANCES, SENTIMENTS, 10)


class FakeModel:
    def __init__(self, stance_labels, sentiment_labels=SENTIMENTS):
        self.stance_labels, self.sentiment_labels = stance_labels, sentiment_labels

    def predict(self, texts, speakers=None, batch_size=32):
        return [StancePrediction([], {}, "neutral", {}) for _ in texts]


def test_models_with_other_labels_are_refused_with_the_difference_named():
    examples = [Example("1", "t", "s", [], "neutral", "c")]
    other = FakeModel([*STANCES[:3], "condemns_attack"])
    with pytest.raises(ValueError, match=r"only in model A: \['calls_for_negotiations'\], only in model B: "
                                         r"\['condemns_attack'\]"):  # fmt: skip
        compare(FakeModel(STANCES), other, examples)
    with pytest.raises(ValueError, match=r"sentiment labels only in model A: \[\], only in model B: \['mixed'\]"):
        compare(FakeModel(STANCES), FakeModel(STANCES, [*SENTIMENTS, "mixed"]), examples)
    # the same labels in another order are the same labels
    reordered = compare(FakeModel(STANCES), FakeModel(STANCES[::-1]), examples, resamples=10)
    assert reordered["metrics"]["exact_set_accuracy"]["b_minus_a"] == 0


def test_two_thousand_resamples_of_a_thousand_statements_take_seconds():
    gold, gold_sentiment, (a, a_sentiment), (b, b_sentiment) = synthetic(1000, 0.2, 0.15)
    started = time.perf_counter()
    compare_arrays(gold, gold_sentiment, a, a_sentiment, b, b_sentiment, STANCES, SENTIMENTS, 2000, 0)
    assert time.perf_counter() - started < 15  # about 0.2 s; a loop over resamples in Python takes minutes


def test_compare_command_on_a_model_against_itself(trained_model_dir, corpus_dir, tmp_path, capsys):
    data = str(corpus_dir / "test.jsonl")
    args = ["compare", "--model-a", str(trained_model_dir), "--model-b", str(trained_model_dir), "--data", data]
    assert main([*args, "--resamples", "50"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 4 and report["resamples"] == 50 and report["model_a"] == str(trained_model_dir)
    assert set(report["metrics"]) == set(metric_names(STANCES))
    for figures in report["metrics"].values():
        assert figures["b_minus_a"] == 0 and figures["ci_low"] == figures["ci_high"] == 0
        assert figures["p_value"] == 1.0

    out = tmp_path / "compare.txt"
    assert main([*args, "--resamples", "20", "--format", "table", "--output", str(out)]) == 0
    table = out.read_text(encoding="utf-8")
    assert "4 statements, 20 resamples, seed 0" in table
    assert table.splitlines()[4].split()[:2] == ["metric", "A"]
    assert any(line.startswith("stance_macro_f1 ") for line in table.splitlines())

    assert main([*args, "--resamples", "0"]) == 2
    assert "resamples must be at least 1" in capsys.readouterr().err
