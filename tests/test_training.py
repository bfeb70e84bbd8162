import json

import numpy as np
import yaml

from classifier.modeling import StancePrediction
from training.config import config_from_dict
from training.data import Example
from training.evaluate import compute_metrics, tune_thresholds

from .conftest import ROWS, SENTIMENTS, STANCES, write_jsonl


def test_training_writes_config_and_test_metrics(trained_model_dir):
    metrics = json.loads((trained_model_dir / "metrics.json").read_text())
    for split in ("dev", "test"):
        for key in ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1", "sentiment_accuracy"):
            assert 0.0 <= metrics[split][key] <= 1.0
        assert set(metrics[split]["stance"]) == set(STANCES)
    assert metrics["train_seconds"] > 0
    saved = yaml.safe_load((trained_model_dir / "training_config.yaml").read_text())
    assert config_from_dict(saved).train.epochs == 1


def _ex(stances, sentiment="neutral"):
    return Example("i", "t", "s", stances, sentiment, "c")


def _pred(stances, sentiment="neutral"):
    return StancePrediction(stances, {}, sentiment, {})


def test_metrics_by_hand():
    gold = [_ex(["calls_for_ceasefire"]), _ex(["calls_for_ceasefire", "demands_withdrawal"]), _ex([], "negative")]
    pred = [_pred(["calls_for_ceasefire"]), _pred(["calls_for_ceasefire"]), _pred(["demands_withdrawal"])]
    metrics = compute_metrics(gold, pred, STANCES, SENTIMENTS)
    assert metrics["stance"]["calls_for_ceasefire"]["f1"] == 1.0
    # withdrawal: 1 false positive, 1 false negative
    assert metrics["stance"]["demands_withdrawal"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert metrics["exact_set_accuracy"] == round(1 / 3, 4)
    # macro over the labels present in gold (ceasefire 1.0, withdrawal 0.0); micro-F1 would be 2/3
    assert metrics["stance_macro_f1"] == 0.5
    assert metrics["labels_absent_from_gold"] == ["supports_self_defense", "calls_for_negotiations"]
    # sentiment: neutral F1 2/2.5 = 0.8 (2 right, 1 predicted wrongly as neutral), negative 0.0; positive absent
    assert metrics["sentiment_macro_f1"] == 0.4
    assert metrics["sentiment_accuracy"] == round(2 / 3, 4)


def test_thresholds_move_to_what_dev_supports():
    # Label a: five dev positives scored 0.2-0.3 and five negatives below 0.1, so the best cut lies between.
    probs = np.array([[p, 0.9] for p in (0.3, 0.28, 0.26, 0.24, 0.22, 0.08, 0.06, 0.05, 0.04, 0.02)])
    gold = np.array([[1, 0]] * 5 + [[0, 0]] * 5)
    thresholds = tune_thresholds(probs, gold, ["a", "b"])
    assert 0.1 <= thresholds["a"] <= 0.2
    assert thresholds["b"] == 0.5  # no dev positive: keep the neutral default


def test_a_beta_below_one_moves_the_threshold_up_to_where_fewer_labels_are_wrong():
    # Eight positives and two negatives: F1 takes every positive down to 0.3 at the cost of both negatives; F0.5
    # stops above the first negative.
    probs = np.array([[p] for p in (0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.45, 0.4, 0.3, 0.2)])
    gold = np.array([[1], [1], [1], [1], [0], [1], [0], [1], [1], [0]])
    assert tune_thresholds(probs, gold, ["a"])["a"] == 0.3
    assert tune_thresholds(probs, gold, ["a"], beta=0.5)["a"] == 0.75


def test_a_handful_of_dev_positives_keeps_the_threshold_at_half():
    probs = np.array([[0.3], [0.25], [0.1], [0.05]])
    assert tune_thresholds(probs, np.array([[1], [1], [0], [0]]), ["a"]) == {"a": 0.5}


def test_threshold_tuning_ignores_lines_not_annotated_for_the_label():
    # Five positives at 0.22-0.3, two negatives below 0.1, and five lines scored 0.21 that were never annotated
    # for this label: counted as negatives they would push the threshold above them.
    probs = np.array([[p] for p in (0.3, 0.28, 0.26, 0.24, 0.22, 0.08, 0.06)] + [[0.21]] * 5)
    gold = np.array([[1]] * 5 + [[0]] * 7)
    mask = np.array([[1]] * 7 + [[0]] * 5)
    assert tune_thresholds(probs, gold, ["a"], mask)["a"] == 0.2
    assert tune_thresholds(probs, gold, ["a"])["a"] == 0.25


def test_training_options_frozen_embeddings_and_class_weights(tiny_backbone, corpus_dir, tmp_path):
    import torch
    from transformers import AutoModel

    from classifier.modeling import StanceModel
    from training.train import train

    config = config_from_dict(
        {
            "model": {"backbone": str(tiny_backbone), "max_length": 64},
            "data": {
                "train_file": str(corpus_dir / "train.jsonl"),
                "dev_file": str(corpus_dir / "dev.jsonl"),
                "test_file": None,
            },
            "train": {"epochs": 2, "batch_size": 2, "freeze_embeddings": True, "class_weights": True,
                      "group_by_length": False},
        }
    )  # fmt: skip
    metrics = train(config, tmp_path / "m")
    assert "test" not in metrics  # no test file configured
    assert len(metrics["dev_macro_f1_by_epoch"]) == 2
    trained = StanceModel.from_pretrained(tmp_path / "m").encoder.get_input_embeddings().weight
    original = AutoModel.from_pretrained(tiny_backbone).get_input_embeddings().weight
    assert torch.equal(trained, original)


def test_frozen_lower_layers_keep_their_weights_and_the_rest_learn(tiny_backbone, corpus_dir, tmp_path):
    import torch
    from transformers import AutoModel

    from classifier.modeling import StanceModel
    from training.train import train

    config = config_from_dict(
        {
            "model": {"backbone": str(tiny_backbone), "max_length": 64},
            "data": {"train_file": str(corpus_dir / "train.jsonl"), "dev_file": str(corpus_dir / "dev.jsonl"),
                     "test_file": None},
            "train": {"epochs": 1, "batch_size": 2, "freeze_layers": 1, "label_smoothing": 0.1,
                      "select_best_epoch": False},
        }
    )  # fmt: skip
    train(config, tmp_path / "m")
    trained = StanceModel.from_pretrained(tmp_path / "m").encoder.encoder.layer
    original = AutoModel.from_pretrained(tiny_backbone).encoder.layer
    lowest = zip(trained[0].parameters(), original[0].parameters())
    assert all(torch.equal(a, b) for a, b in lowest)
    top = zip(trained[-1].parameters(), original[-1].parameters())
    assert not all(torch.equal(a, b) for a, b in top)


def test_label_smoothing_and_frozen_layers_are_checked():
    import pytest

    with pytest.raises(ValueError, match="train.label_smoothing must be in"):
        config_from_dict({"train": {"label_smoothing": 0.7}})
    with pytest.raises(ValueError, match="train.freeze_layers must be a whole number"):
        config_from_dict({"train": {"freeze_layers": -1}})


def test_label_set_loss_and_balanced_sampling_train_and_save_a_plain_model(tiny_backbone, corpus_dir, tmp_path):
    from classifier.modeling import StanceModel
    from training.train import train

    copies = [dict(row, id=f"{row['id']}-{copy}") for row in ROWS for copy in range(5)]
    config = config_from_dict(
        {
            "model": {"backbone": str(tiny_backbone), "max_length": 64},
            "data": {"train_file": str(write_jsonl(tmp_path / "train.jsonl", copies)),
                     "dev_file": str(corpus_dir / "dev.jsonl"), "test_file": None},
            "train": {"epochs": 1, "batch_size": 4, "label_set_loss_weight": 1.0, "balanced_sampling": True},
        }
    )  # fmt: skip
    metrics = train(config, tmp_path / "m")
    assert len(metrics["label_set_classes"]) == len(ROWS)  # every set has five lines: each is a class
    # The auxiliary head is not part of the saved model: it loads as any other and predicts label strings.
    saved = yaml.safe_load((tmp_path / "m" / "training_config.yaml").read_text())
    assert saved["train"]["label_set_loss_weight"] == 1.0 and saved["train"]["balanced_sampling"] is True
    model = StanceModel.from_pretrained(tmp_path / "m")
    assert not [name for name in model.state_dict() if "label_set" in name]
    assert model.predict(["Both sides must stop firing now."], ["Tester"])[0].sentiment in model.sentiment_labels


def test_label_sets_keep_the_frequent_ones_and_ignore_partial_lines():
    from training.train import frequent_label_sets, label_set_index

    stances = ["calls_for_ceasefire", "calls_for_negotiations"]
    both = Example("1", "t", "s", stances, "neutral", "c")
    one = Example("2", "t", "s", ["calls_for_ceasefire"], "neutral", "c")
    partial = Example("3", "t", "s", ["calls_for_ceasefire"], "neutral", "c", annotated_labels=["calls_for_ceasefire"])
    sets = frequent_label_sets([one] * 5 + [both] * 4 + [partial] * 9, stances)
    assert sets == [("calls_for_ceasefire",)]  # four lines of the pair are too few; partial lines never count
    assert label_set_index(one, sets, stances) == 0
    assert label_set_index(both, sets, stances) == -100
    assert label_set_index(partial, sets, stances) == -100


def test_balanced_sampler_draws_rare_labels_as_often_as_common_ones():
    from training.train import BalancedLengthSampler, balanced_weights

    common = Example("1", "t", "s", [], "neutral", "c")
    rare = Example("2", "t", "s", ["calls_for_ceasefire"], "neutral", "c")
    examples = [common] * 90 + [rare] * 10
    weights = balanced_weights(examples, ["calls_for_ceasefire"])
    sampler = BalancedLengthSampler(weights, [5] * 100, batch_size=4, seed=0)
    drawn = [list(sampler) for _ in range(20)]
    share = sum(index >= 90 for epoch in drawn for index in epoch) / 2000
    assert 0.4 < share < 0.6
    assert drawn[0] != drawn[1]  # a new draw every epoch
    assert list(BalancedLengthSampler(weights, [5] * 100, 4, seed=0)) == drawn[0]  # repeatable from the seed


def test_label_set_loss_weight_is_checked():
    import pytest

    with pytest.raises(ValueError, match="train.label_set_loss_weight must be >= 0"):
        config_from_dict({"train": {"label_set_loss_weight": -1}})
    with pytest.raises(ValueError, match="train.balanced_sampling must be true or false"):
        config_from_dict({"train": {"balanced_sampling": "yes"}})
