"""Retraining on one's own data: several files per split, partial annotation, continuing from a model, small data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import ROWS, SENTIMENTS, STANCES, write_jsonl
from training.config import config_from_dict, load_config
from training.data import DataError, Example, load_examples, load_split
from training.evaluate import compute_metrics

NEW = STANCES + ["calls_for_humanitarian_access"]
AID_ROWS = [
    {"id": "n-1", "text": "The agency urged both armies to let aid convoys through to the besieged city.",
     "speaker": "WFP", "stances": ["calls_for_humanitarian_access"], "sentiment": "neutral", "conflict": "gamma"},
    {"id": "n-2", "text": "The minister said the talks would resume next week in Jeddah.", "speaker": "the minister",
     "stances": ["calls_for_negotiations"], "sentiment": "neutral", "conflict": "gamma"},
]  # fmt: skip


def test_a_split_can_be_several_files_each_annotated_for_some_labels(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "mine.yaml").write_text(
        "labels:\n  stances: [" + ", ".join(NEW) + "]\n"
        "data:\n  train_file:\n    - path: ../old.jsonl\n      annotated_labels: [" + ", ".join(STANCES) + "]\n"
        "    - ../new.jsonl\n  dev_file: ../new.jsonl\n  test_file: null\n",
        encoding="utf-8",
    )
    write_jsonl(tmp_path / "old.jsonl", ROWS)
    write_jsonl(tmp_path / "new.jsonl", AID_ROWS)
    config = load_config(tmp_path / "conf" / "mine.yaml")
    files = config.data.files("train")
    assert [f.path for f in files] == [str(tmp_path / "old.jsonl"), str(tmp_path / "new.jsonl")]
    assert config.data.files("test") == []
    examples = load_split(files, config.labels.stances, config.labels.sentiments)
    assert [e.annotated_labels for e in examples[:4]] == [STANCES] * 4
    assert examples[4].annotated_labels is None  # the new file was annotated for every label


def test_annotated_labels_that_the_config_does_not_know_are_refused():
    with pytest.raises(ValueError, match=r"annotated_labels \['truce'\] are not in labels.stances"):
        config_from_dict({"data": {"train_file": [{"path": "a.jsonl", "annotated_labels": ["truce"]}]}})
    with pytest.raises(ValueError, match=r"data.train_file\[0\]: unknown key\(s\) \['labels'\]"):
        config_from_dict({"data": {"train_file": [{"path": "a.jsonl", "labels": ["x"]}]}})


def test_an_id_in_two_files_of_a_split_is_an_error(tmp_path):
    from training.config import DataFile

    write_jsonl(tmp_path / "a.jsonl", ROWS[:2])
    write_jsonl(tmp_path / "b.jsonl", ROWS[1:3])
    with pytest.raises(DataError, match=r"b.jsonl: id: 't-2' also in .*a.jsonl"):
        load_split([DataFile(str(tmp_path / "a.jsonl")), DataFile(str(tmp_path / "b.jsonl"))], STANCES, SENTIMENTS)


def test_a_line_may_name_its_annotated_labels_and_must_keep_to_them(tmp_path):
    from training.config import DataFile

    good = {**ROWS[1], "annotated_labels": ["supports_self_defense"]}
    bad = {**ROWS[0], "annotated_labels": ["calls_for_ceasefire"]}  # also labelled calls_for_negotiations
    write_jsonl(tmp_path / "a.jsonl", [good, bad])
    with pytest.raises(DataError, match=r"a.jsonl:2: stances: 'calls_for_negotiations' is not in this line's annot"):
        load_split([DataFile(str(tmp_path / "a.jsonl"))], STANCES, SENTIMENTS)
    write_jsonl(tmp_path / "a.jsonl", [good])
    assert load_split([DataFile(str(tmp_path / "a.jsonl"))], STANCES, SENTIMENTS)[0].annotated_labels == [
        "supports_self_defense"
    ]


def test_metrics_leave_out_labels_a_line_was_not_annotated_for():
    from classifier.modeling import StancePrediction

    gold = [
        Example("a", "t", "s", ["x"], "neutral", "c", annotated_labels=["x"]),
        Example("b", "t", "s", ["y"], "neutral", "c"),
    ]
    # The model says y on line a, which was never annotated for y: neither a false positive nor an exact-set miss.
    predicted = [StancePrediction(["x", "y"], {}, "neutral", {}), StancePrediction(["y"], {}, "neutral", {})]
    metrics = compute_metrics(gold, predicted, ["x", "y", "z"], ["neutral", "negative"])
    assert metrics["stance"]["y"]["precision"] == 1.0
    assert metrics["exact_set_accuracy"] == 1.0
    assert metrics["labels_absent_from_gold"] == ["z"]
    assert metrics["stance_macro_f1"] == 1.0  # z is reported as absent, not averaged in at 0


def test_the_stance_loss_ignores_cells_outside_a_lines_annotation():
    from training.train import JointTrainer

    logits = torch.tensor([[2.0, -1.0], [0.5, 0.3]])

    def loss(labels, mask):
        trainer = JointTrainer.__new__(JointTrainer)  # only compute_loss is used: no Trainer set-up needed
        trainer.sentiment_loss_weight, trainer.pos_weight, trainer.label_smoothing = 1.0, None, 0.0
        trainer.label_set_head, trainer.label_set_loss_weight = None, 0.0

        def model(**_):
            return {"stance_logits": logits, "sentiment_logits": torch.zeros(2, 3)}

        inputs = {
            "stance_labels": torch.tensor(labels, dtype=torch.float32),
            "sentiment_labels": torch.tensor([0, 1]),
            "stance_mask": torch.tensor(mask, dtype=torch.float32),
        }
        return float(trainer.compute_loss(model, inputs))

    masked = [[1, 1], [0, 1]]
    # The unannotated cell (line 2, label 0) may say anything: the loss does not move.
    assert loss([[1, 0], [0, 1]], masked) == pytest.approx(loss([[1, 0], [1, 1]], masked))
    assert loss([[1, 0], [0, 1]], [[1, 1], [1, 1]]) != pytest.approx(loss([[1, 0], [1, 1]], [[1, 1], [1, 1]]))


def test_a_model_directory_as_backbone_is_an_error_that_points_to_init_from(trained_model_dir):
    from classifier.modeling import StanceModel

    with pytest.raises(ValueError, match="is a diplostance model directory.*--init-from"):
        StanceModel.from_backbone(str(trained_model_dir), STANCES, SENTIMENTS)


def test_a_backbone_that_leaves_weights_random_is_an_error(tiny_backbone, tmp_path):
    import shutil

    broken = tmp_path / "deeper"
    shutil.copytree(tiny_backbone, broken)
    config = json.loads((broken / "config.json").read_text())
    config["num_hidden_layers"] = 3  # the checkpoint has two: layer 2 would start random
    (broken / "config.json").write_text(json.dumps(config))
    from classifier.modeling import StanceModel

    with pytest.raises(ValueError, match=r"encoder weight\(s\) are not in the checkpoint.*encoder.layer.2"):
        StanceModel.from_backbone(str(broken), STANCES, SENTIMENTS)


def test_continuing_keeps_the_encoder_and_shared_head_rows_and_adds_a_fresh_row(trained_model_dir):
    from classifier.modeling import StanceModel
    from training.train import continue_from

    earlier = StanceModel.from_pretrained(trained_model_dir)
    model = continue_from(trained_model_dir, ["calls_for_humanitarian_access"] + STANCES[::-1], SENTIMENTS, 64, 0.1)
    for row, label in enumerate(["calls_for_humanitarian_access"] + STANCES[::-1]):
        if label in STANCES:
            old = earlier.stance_labels.index(label)
            assert torch.equal(model.stance_head.weight[row], earlier.stance_head.weight[old])
            assert torch.equal(model.stance_head.bias[row], earlier.stance_head.bias[old])
    assert not any(torch.equal(model.stance_head.weight[0], earlier.stance_head.weight[i]) for i in range(4))
    assert torch.equal(model.sentiment_head.weight, earlier.sentiment_head.weight)
    for name, tensor in earlier.encoder.state_dict().items():
        assert torch.equal(model.encoder.state_dict()[name], tensor)
    with pytest.raises(ValueError, match="--init-from .*not a diplostance model directory"):
        continue_from(trained_model_dir.parent, STANCES, SENTIMENTS, 64, 0.1)


def test_train_init_from_adds_a_label_and_warns_about_small_data(trained_model_dir, tmp_path, capsys):
    from classifier.cli import main
    from classifier.modeling import StanceModel

    write_jsonl(tmp_path / "old.jsonl", ROWS)
    write_jsonl(tmp_path / "new.jsonl", AID_ROWS)
    (tmp_path / "round.yaml").write_text(
        "labels:\n  stances: [" + ", ".join(NEW) + "]\n"
        "  definitions:\n    calls_for_humanitarian_access: asks that aid reach civilians\n"
        "data:\n  train_file:\n    - {path: old.jsonl, annotated_labels: [" + ", ".join(STANCES) + "]}\n"
        "    - new.jsonl\n  dev_file: new.jsonl\n  test_file: null\n"
        "model: {max_length: 64}\ntrain: {epochs: 1, batch_size: 2}\n",
        encoding="utf-8",
    )
    out = tmp_path / "round-1"
    code = main(["train", "--config", str(tmp_path / "round.yaml"), "--init-from", str(trained_model_dir),
                 "--output-dir", str(out)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0
    summary = json.loads(captured.out)  # the summary is all there is on stdout
    assert "baseline_tfidf" in summary and "dev" in summary["baseline_tfidf"]
    assert any("'calls_for_humanitarian_access' has 1 example(s) in train (fewer than 20)" in w
               for w in summary["warnings"])  # fmt: skip
    assert "threshold stays at 0.5" in captured.err
    model = StanceModel.from_pretrained(out)
    assert model.stance_labels == NEW
    assert model.thresholds["calls_for_humanitarian_access"] == 0.5
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "asks that aid reach civilians" in card
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert record["init_from"] == str(trained_model_dir)
    assert record["data"]["train"]["partially_annotated"] == len(ROWS)


def test_data_split_is_stratified_when_conflicts_are_too_few(tmp_path, capsys):
    from classifier.cli import main

    rows = [
        {"id": f"s-{i}", "text": f"Statement number {i} about the war.", "speaker": "X",
         "stances": ["calls_for_ceasefire"] if i % 4 == 0 else [], "sentiment": "neutral", "conflict": "alpha"}
        for i in range(40)
    ]  # fmt: skip
    write_jsonl(tmp_path / "mine.jsonl", rows)
    assert main(["data", "split", str(tmp_path / "mine.jsonl"), "--output-dir", str(tmp_path / "out")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["method"] == "label"
    assert [summary[s]["statements"] for s in ("train", "dev", "test")] == [28, 6, 6]
    # ten ceasefire lines: each split gets its share, so a threshold can be tuned and a score measured
    ceasefire = [summary[s]["stances"]["calls_for_ceasefire"] for s in ("train", "dev", "test")]
    assert ceasefire[0] == 7 and sorted(ceasefire[1:]) == [1, 2]
    ids = [
        json.loads(line)["id"] for s in ("train", "dev", "test") for line in (tmp_path / "out" / f"{s}.jsonl").open()
    ]
    assert sorted(ids) == sorted(r["id"] for r in rows)  # nothing lost, nothing twice
    assert main(["data", "split", str(tmp_path / "mine.jsonl"), "--output-dir", str(tmp_path / "out")]) == 2
    assert "already exist; pass --overwrite" in capsys.readouterr().err
    # the split files pass the corpus check once shared conflicts are allowed
    files = [str(tmp_path / "out" / f"{s}.jsonl") for s in ("train", "dev", "test")]
    assert main(["data", "check", *files]) == 1
    assert "data split --by label" in capsys.readouterr().out
    assert main(["data", "check", "--shared-conflicts", *files]) == 0


def test_data_split_by_conflict_keeps_each_conflict_in_one_split():
    from training.split import split_examples

    examples = [Example(f"{c}-{i}", "t", "s", [], "neutral", c) for c, n in (("a", 30), ("b", 6), ("c", 5), ("d", 4))
                for i in range(n)]  # fmt: skip
    splits, method = split_examples(examples, by="auto")
    assert method == "conflict"
    homes = {c: {s for s, rows in splits.items() for e in rows if e.conflict == c} for c in "abcd"}
    assert all(len(h) == 1 for h in homes.values())
    assert homes["a"] == {"train"} and all(splits[s] for s in ("train", "dev", "test"))
    with pytest.raises(ValueError, match="needs at least 3 conflicts, the data has 1"):
        split_examples(examples[:30], by="conflict")


def test_small_data_warnings_name_the_label_and_the_split():
    from training.train import small_data_warnings

    train = [Example(str(i), "t", "s", ["x"] if i < 25 else ["y"], "neutral", "c") for i in range(30)]
    dev = [Example(str(i), "t", "s", ["x"] if i < 5 else [], "neutral", "c") for i in range(8)]
    assert small_data_warnings(train, dev, ["x", "y"]) == [
        "label 'y' has 5 example(s) in train (fewer than 20)",
        "label 'y' has 0 example(s) in dev (fewer than 5); its threshold stays at 0.5",
    ]


def test_evaluate_reports_the_tfidf_baseline_beside_the_model(trained_model_dir, corpus_dir, capsys):
    from classifier.cli import main

    assert main(["evaluate", "--model", str(trained_model_dir), "--data", str(corpus_dir / "test.jsonl")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["baseline_tfidf"]) == {"stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1"}
    assert np.isfinite(report["stance_macro_f1"])


def test_the_packaged_config_defines_every_label():
    labels = load_config().labels
    assert set(labels.definitions) == set(labels.stances) | set(labels.sentiments)
    assert all(len(text.split()) >= 5 for text in labels.definitions.values())
    train = [Path(entry.path) for entry in load_config().data.files("train")]
    assert [path.parent.name + "/" + path.name for path in train] == ["data/train.jsonl", "articles/train.jsonl"]


def test_the_bundled_article_lines_are_what_from_articles_makes_of_the_dev_articles(tmp_path, capsys):
    """data/articles/train.jsonl is generated: it must match the dev articles as they are now."""
    from classifier.cli import main

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "lines.jsonl"
    data = root / "data"
    args = ["data", "from-articles", str(data / "articles" / "dev"), "--output", str(out), "--exclude-conflicts-of"]
    assert main([*args, str(data / "dev.jsonl"), str(data / "test.jsonl"), "--exclude-articles", "art-h-*"]) == 0
    capsys.readouterr()
    assert out.read_text(encoding="utf-8") == (data / "articles" / "train.jsonl").read_text(encoding="utf-8"), (
        "data/articles/train.jsonl is stale: regenerate it with the command in data/articles/README.md"
    )


def test_the_whole_loop_select_annotate_import_train_init_from_compare(trained_model_dir, tmp_path, capsys):
    """select -> an annotator's export -> labels import -> train --init-from -> compare, on the tiny model."""
    from classifier.cli import main

    pool = tmp_path / "pool.jsonl"
    statements = [
        ("Russia", "Moscow urged both sides to stop the shelling at once."),
        ("Turkey", "Ankara said Baku had every right to defend its territory."),
        ("France", "Paris called for the talks in Geneva to resume."),
        ("UN Security Council", "The council demanded that foreign forces leave the region."),
        ("Iran", "Tehran said it was following events closely."),
    ]
    pool.write_text("".join(json.dumps({"id": f"p-{i}", "speaker": s, "text": t}) + "\n"
                            for i, (s, t) in enumerate(statements)), encoding="utf-8")  # fmt: skip
    tasks_file = tmp_path / "tasks.json"
    assert main(["select", "--model", str(trained_model_dir), str(pool), "--n", "4", "--output", str(tasks_file)]) == 0
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    assert len(tasks) == 4
    answers = [
        ["calls_for_ceasefire"],
        ["supports_self_defense"],
        ["calls_for_negotiations"],
        ["demands_withdrawal"],
        [],
    ]
    gold = {text: labels for (_, text), labels in zip(statements, answers)}
    # The annotator corrects the model's suggestion in each task: Label Studio's export shape.
    export = []
    for number, task in enumerate(tasks, start=1):
        result = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}}]
        if gold[task["data"]["text"]]:
            result.append({"from_name": "stance", "to_name": "text", "type": "choices",
                           "value": {"choices": gold[task["data"]["text"]]}})  # fmt: skip
        export.append({"id": number, "data": task["data"], "annotations": [{"id": number, "result": result,
                                                                            "was_cancelled": False}]})  # fmt: skip
    (tmp_path / "export.json").write_text(json.dumps(export), encoding="utf-8")
    new = tmp_path / "new.jsonl"
    assert main(["labels", "import", str(tmp_path / "export.json"), "--conflict", "delta", "--output", str(new)]) == 0
    imported = [json.loads(line) for line in new.open(encoding="utf-8")]
    assert {r["text"]: r["stances"] for r in imported} == {t["data"]["text"]: gold[t["data"]["text"]] for t in tasks}

    write_jsonl(tmp_path / "old.jsonl", ROWS)
    (tmp_path / "round.yaml").write_text(
        "data:\n  train_file: [old.jsonl, new.jsonl]\n  dev_file: old.jsonl\n  test_file: null\n"
        "model: {max_length: 64}\ntrain: {epochs: 1, batch_size: 2}\n",
        encoding="utf-8",
    )
    out = tmp_path / "round-1"
    assert main(["train", "--config", str(tmp_path / "round.yaml"), "--init-from", str(trained_model_dir),
                 "--output-dir", str(out)]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["output_dir"] == str(out)
    code = main(["compare", "--model-a", str(trained_model_dir), "--model-b", str(out), "--data", str(new),
                 "--resamples", "200"])  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 4
    row = report["metrics"]["stance_macro_f1"]
    assert row["b_minus_a"] == pytest.approx(row["b"] - row["a"], abs=1e-3)
    assert row["ci_low"] <= row["b_minus_a"] <= row["ci_high"] and 0 < row["p_value"] <= 1


def test_data_from_articles_writes_training_lines_and_names_bad_statements(tmp_path, capsys):
    from classifier.cli import main

    articles = tmp_path / "articles"
    articles.mkdir()
    statement = {"text": "Kenya urged both armies to stop shelling the town.", "speaker": "Kenya",
                 "stances": ["calls_for_ceasefire"], "sentiment": "neutral"}  # fmt: skip
    for name, conflict in (("a-1", "alpha"), ("a-2", "omega")):
        (articles / f"{name}.txt").write_text(statement["text"], encoding="utf-8")
        article = {"id": name, "conflict": conflict, "statements": [statement, dict(statement, stances=[])]}
        (articles / f"{name}.json").write_text(json.dumps(article), encoding="utf-8")
    write_jsonl(tmp_path / "dev.jsonl", [dict(ROWS[0], conflict="omega")])
    out = tmp_path / "lines.jsonl"
    args = ["data", "from-articles", str(articles), "--output", str(out), "--exclude-conflicts-of"]
    assert main([*args, str(tmp_path / "dev.jsonl")]) == 0
    assert json.loads(capsys.readouterr().out)["excluded_conflicts"] == ["omega"]
    lines = [json.loads(line) for line in out.open()]
    assert [(r["id"], r["conflict"], r["stances"]) for r in lines] == [
        ("a-1-000", "alpha", ["calls_for_ceasefire"]),
        ("a-1-001", "alpha", []),
    ]
    assert len(load_examples(out, STANCES, SENTIMENTS)) == 2  # the lines load as labelled data
    assert main([*args, str(tmp_path / "dev.jsonl")]) == 2  # an existing output is not replaced silently
    assert "pass --overwrite" in capsys.readouterr().err
    # articles left out by name
    assert main(["data", "from-articles", str(articles), "--output", str(out), "--overwrite", "--exclude-articles",
                 "a-1*"]) == 0  # fmt: skip
    capsys.readouterr()
    assert [json.loads(line)["id"] for line in out.open()] == ["a-2-000", "a-2-001"]
    article["statements"][1]["sentiment"] = "furious"
    (articles / "a-2.json").write_text(json.dumps(article), encoding="utf-8")
    assert main(["data", "from-articles", str(articles), "--output", str(out), "--overwrite"]) == 2
    assert "a-2.json: statements[1].sentiment: unknown label 'furious'" in capsys.readouterr().err
