"""Distillation: a teacher's probabilities written once, read back as soft targets, and a loss that follows them."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
import torch
import yaml

from tests.conftest import ROWS, SENTIMENTS, STANCES, write_jsonl
from training.config import config_from_dict
from training.data import load_examples
from training.distill import load_soft_targets, soft_columns, target_key, write_soft_targets
from training.train import JointTrainer


def test_teacher_targets_round_trip_and_skip_repeated_lines(trained_model_dir, tmp_path):
    examples = load_examples(
        write_jsonl(tmp_path / "train.jsonl", ROWS + [{**ROWS[0], "id": "t-1b"}]), STANCES, SENTIMENTS
    )
    output = tmp_path / "soft" / "targets.jsonl"
    assert write_soft_targets(trained_model_dir, examples, output) == len(ROWS)  # t-1b repeats t-1's line
    targets = load_soft_targets([str(output)], STANCES, SENTIMENTS)
    stance, sentiment = targets[target_key(ROWS[1]["speaker"], ROWS[1]["text"])]
    assert stance.shape == (len(STANCES),) and 0 < stance.min() and stance.max() < 1
    assert sentiment.sum() == pytest.approx(1.0, abs=1e-3)


def test_a_bad_soft_target_line_names_the_file_and_line(tmp_path):
    path = tmp_path / "targets.jsonl"
    good = {"key": "k", "stances": dict.fromkeys(STANCES, 0.5), "sentiment": dict.fromkeys(SENTIMENTS, 1 / 3)}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "stances": {}}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"targets.jsonl, line 2: not a soft target \(missing 'calls_for_ceasefire'\)"):
        load_soft_targets([str(path)], STANCES, SENTIMENTS)


def test_temperature_softens_and_unknown_lines_are_flagged(tmp_path):
    examples = load_examples(write_jsonl(tmp_path / "train.jsonl", ROWS[:2]), STANCES, SENTIMENTS)
    known = {
        target_key(examples[0].speaker, examples[0].text): (np.array([0.9, 0.1, 0.1, 0.1]), np.array([0.8, 0.1, 0.1]))
    }
    plain = soft_columns(examples, known, STANCES, SENTIMENTS)
    warm = soft_columns(examples, known, STANCES, SENTIMENTS, temperature=2.0)
    assert plain["soft_mask"] == [1.0, 0.0] and plain["soft_stance"][1] == [0.0] * len(STANCES)
    assert plain["soft_stance"][0][0] == pytest.approx(0.9)
    assert 0.5 < warm["soft_stance"][0][0] < 0.9  # closer to even, same side
    assert 1 / 3 < warm["soft_sentiment"][0][0] < 0.8


def test_the_distill_loss_is_lowest_where_the_student_agrees_with_the_teacher_and_skips_unknown_lines():
    trainer = JointTrainer.__new__(JointTrainer)  # only the loss is under test: no model, no arguments
    trainer.distill_temperature, trainer.sentiment_loss_weight = 1.0, 1.0
    teacher = {
        "soft_stance": torch.tensor([[0.9, 0.1], [0.5, 0.5]]),
        "soft_sentiment": torch.tensor([[0.1, 0.8, 0.1], [1 / 3, 1 / 3, 1 / 3]]),
        "soft_mask": torch.tensor([1.0, 0.0]),
    }

    def loss(stance_logits, sentiment_logits):
        outputs = {"stance_logits": torch.tensor(stance_logits), "sentiment_logits": torch.tensor(sentiment_logits)}
        return float(trainer.distill_loss(outputs, **teacher))

    agree = loss([[2.2, -2.2], [0.0, 0.0]], [[0.0, 2.1, 0.0], [0.0, 0.0, 0.0]])
    disagree = loss([[-2.2, 2.2], [0.0, 0.0]], [[2.1, 0.0, 0.0], [0.0, 0.0, 0.0]])
    unknown_line_moved = loss([[2.2, -2.2], [9.0, -9.0]], [[0.0, 2.1, 0.0], [9.0, 0.0, 0.0]])
    assert agree < disagree
    assert unknown_line_moved == pytest.approx(agree)  # the second line has no target: it never counts


def test_training_with_soft_targets_runs_and_records_them(
    trained_model_dir, tiny_backbone, corpus_dir, tmp_path, caplog
):
    from training.train import train

    caplog.set_level(logging.INFO, logger="training.train")
    examples = load_examples(corpus_dir / "train.jsonl", STANCES, SENTIMENTS)
    soft = tmp_path / "targets.jsonl"
    write_soft_targets(trained_model_dir, examples[:2], soft)
    config = config_from_dict(
        {
            "model": {"backbone": str(tiny_backbone), "max_length": 64},
            "data": {
                key: str(corpus_dir / f"{split}.jsonl")
                for key, split in (("train_file", "train"), ("dev_file", "dev"), ("test_file", "test"))
            },  # fmt: skip
            "train": {"epochs": 1, "batch_size": 4, "soft_targets": str(soft), "distill_temperature": 2.0},
        }
    )
    train(config, tmp_path / "student")
    assert f"soft targets for 2 of {len(ROWS)} train lines" in caplog.text
    saved = yaml.safe_load((tmp_path / "student" / "training_config.yaml").read_text(encoding="utf-8"))
    assert saved["train"]["soft_targets"] == str(soft) and saved["train"]["distill_temperature"] == 2.0


@pytest.mark.parametrize(
    ("train", "message"),
    [
        ({"soft_targets": []}, "train.soft_targets must be a JSONL path or a list of them"),
        ({"distill_weight": -0.5}, "train.distill_weight must be >= 0"),
        ({"distill_temperature": 0}, "train.distill_temperature must be > 0"),
    ],
)
def test_distillation_settings_are_checked(train, message):
    with pytest.raises(ValueError, match=message):
        config_from_dict({"train": train})
