"""Label Studio: the labeling config, tasks for it, and reading its JSON export back as corpus rows."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from classifier.cli import main
from classifier.predictor import StancePrediction
from tests.conftest import SENTIMENTS, STANCES
from training.data import check_record, load_examples
from training.labelstudio import import_export, labeling_config, make_task

EMOJI_TEXT = "\U0001f54a\ufe0f Russia called for an immediate ceasefire and talks in Geneva."


def _choices(name: str, values: list[str]) -> dict:
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": values}, "origin": "manual"}


def _speaker(name: str) -> dict:
    return {"from_name": "speaker", "to_name": "text", "type": "textarea", "value": {"text": [name]}}


def _annotation(number: int, result: list[dict], cancelled: bool = False) -> dict:
    # The fields Label Studio 1.23 writes into a JSON export, so the reader meets the real shape.
    return {"id": number, "completed_by": 1, "result": result, "was_cancelled": cancelled, "ground_truth": False,
            "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-01-05T10:00:00Z", "lead_time": 12.5,
            "prediction": {}, "result_count": len(result), "task": number // 10, "project": 1}  # fmt: skip


def _task(task_id: int, data: dict, annotations: list[dict]) -> dict:
    cancelled = sum(a["was_cancelled"] for a in annotations)
    return {"id": task_id, "annotations": annotations, "drafts": [], "predictions": [task_id], "data": data,
            "meta": {}, "created_at": "2026-01-05T09:00:00Z", "inner_id": task_id,
            "total_annotations": len(annotations), "cancelled_annotations": cancelled, "project": 1}  # fmt: skip


def _data(text: str, speaker: str, statement_id: str | None = None, **more) -> dict:
    data = {
        "text": text,
        "speaker": speaker,
        "article_id": "a1",
        "context": f"Earlier. {text} Later.",
        "pick": "uncertain",
    }
    if statement_id:
        data["statement_id"] = statement_id
    return {**data, **more}


@pytest.fixture
def export(tmp_path):
    """An export with one of everything: a corrected speaker after an emoji, a cancelled annotation, two
    annotators who differ, two who agree, an unknown label, a missing sentiment, a task nobody labelled."""
    tasks = [
        _task(11, _data(EMOJI_TEXT, "Moscow", "a1-1", start=40, end=40 + len(EMOJI_TEXT)), [
            _annotation(111, [_choices("stance", ["calls_for_ceasefire", "calls_for_negotiations"]),
                              _choices("sentiment", ["neutral"]), _speaker("Sergey Lavrov")]),
        ]),
        _task(12, _data("Turkey said Azerbaijan may defend itself.", "Turkey", "a1-2"), [
            _annotation(121, [], cancelled=True),
            _annotation(122, [_choices("stance", ["supports_self_defense"]), _choices("sentiment", ["neutral"])]),
        ]),
        _task(13, _data("The EU urged restraint and talks.", "the EU", "a1-3"), [
            _annotation(131, [_choices("stance", ["calls_for_ceasefire", "calls_for_negotiations"]),
                              _choices("sentiment", ["neutral"])]),
            _annotation(132, [_choices("stance", ["calls_for_negotiations"]), _choices("sentiment", ["neutral"])]),
        ]),
        _task(14, _data("Armenia demanded peace now.", "Armenia", "a1-4"), [
            _annotation(141, [_choices("stance", ["calls_for_peace"]), _choices("sentiment", ["positive"])]),
        ]),
        _task(15, _data("The council condemned the shelling.", "UN Security Council", conflict="nagorno-karabakh"), [
            _annotation(151, [_choices("sentiment", ["negative"])]),
            _annotation(152, [_choices("sentiment", ["negative"])]),
        ]),
        _task(16, _data("Iran offered to mediate.", "Iran", "a1-6"), [
            _annotation(161, [_choices("stance", ["calls_for_negotiations"])]),
        ]),
        _task(17, _data("Nobody said anything.", "someone", "a1-7"), [_annotation(171, [], cancelled=True)]),
    ]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def test_labeling_config_is_xml_listing_every_label_with_its_definition():
    definitions = {"calls_for_ceasefire": 'asks that the fighting stop ("truce", <halt> & pause)'}
    root = ET.fromstring(labeling_config(STANCES, SENTIMENTS, definitions))
    controls = {element.get("name"): element for element in root.iter() if element.get("toName")}
    stance, sentiment, speaker = controls["stance"], controls["sentiment"], controls["speaker"]
    assert stance.get("choice") == "multiple" and stance.get("required") is None  # none ticked = none of them
    assert [c.get("value") for c in stance] == STANCES
    assert stance[0].get("hint") == definitions["calls_for_ceasefire"]  # escaped in XML, intact once parsed
    assert stance[1].get("hint") is None
    assert sentiment.get("choice") == "single" and sentiment.get("required") == "true"
    assert [c.get("value") for c in sentiment] == SENTIMENTS
    assert (speaker.tag, speaker.get("value"), speaker.get("maxSubmissions")) == ("TextArea", "$speaker", "1")
    texts = {element.get("name"): element.get("value") for element in root.iter("Text")}
    assert texts == {"text": "$text", "context": "$context"}
    # the context is shown before the statement
    order = [element.get("name") for element in root.iter("Text")]
    assert order == ["context", "text"]


def test_make_task_carries_offsets_and_the_prediction_to_correct():
    row = {"article_id": "a1", "statement_id": "a1-3", "speaker": "Russia", "text": EMOJI_TEXT, "start": 10,
           "end": 10 + len(EMOJI_TEXT), "stance_scores": {}, "kind": "direct"}  # fmt: skip
    stance_scores = {s: 0.9 if s == "calls_for_ceasefire" else 0.1 for s in STANCES}
    sentiment_scores = {"negative": 0.2, "neutral": 0.7, "positive": 0.1}
    prediction = StancePrediction(["calls_for_ceasefire"], stance_scores, "neutral", sentiment_scores)
    task = make_task(row, prediction, "tiny@abc", "Before. " + EMOJI_TEXT)
    assert task["data"] == {"text": EMOJI_TEXT, "speaker": "Russia", "article_id": "a1", "statement_id": "a1-3",
                            "context": "Before. " + EMOJI_TEXT, "start": 10, "end": 10 + len(EMOJI_TEXT)}  # fmt: skip
    [predicted] = task["predictions"]
    assert predicted["model_version"] == "tiny@abc"
    assert predicted["score"] == pytest.approx((0.9 * 4 + 0.7) / 5)  # mean confidence when no score is given
    assert predicted["result"] == [
        {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["calls_for_ceasefire"]}},
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
    ]
    # no stance predicted: no stance result, so nothing is ticked
    none = StancePrediction(
        [], {s: 0.1 for s in STANCES}, "negative", {"negative": 0.8, "neutral": 0.1, "positive": 0.1}
    )
    task = make_task({"id": 7, "text": "They shelled it."}, none, "m", "", score=0.25)
    assert task["data"] == {"text": "They shelled it.", "speaker": "", "statement_id": 7, "context": ""}
    assert [r["from_name"] for r in task["predictions"][0]["result"]] == ["sentiment"]
    assert task["predictions"][0]["score"] == 0.25


def test_import_reads_agreed_tasks_and_reports_the_rest(export):
    result = import_export(export, STANCES, SENTIMENTS, conflict="nagorno-karabakh")
    by_source = {row["source"]: row for row in result.examples}
    assert sorted(by_source) == ["label-studio:11", "label-studio:12", "label-studio:15"]
    first = by_source["label-studio:11"]
    assert first == {"id": "a1-1", "text": EMOJI_TEXT, "speaker": "Sergey Lavrov",
                     "stances": ["calls_for_ceasefire", "calls_for_negotiations"], "sentiment": "neutral",
                     "conflict": "nagorno-karabakh", "source": "label-studio:11"}  # fmt: skip
    assert first["text"].startswith("\U0001f54a\ufe0f ")  # the emoji is kept, byte for byte
    assert by_source["label-studio:12"]["speaker"] == "Turkey"  # not corrected: the task's speaker
    assert by_source["label-studio:15"]["id"] == "ls-15" and by_source["label-studio:15"]["stances"] == []
    assert result.problems == [
        f"{export}:task 14: stance: unknown label(s) ['calls_for_peace'] (known: " + str(STANCES) + ")",
        f"{export}:task 16: sentiment: missing (every statement needs one)",
    ]
    assert result.skipped == 2
    assert result.cancelled == 2 and result.unannotated == 1
    [disagreement] = result.disagreements
    assert disagreement.startswith(f"{export}:task 13: annotators differ: stances ['calls_for_ceasefire', ")
    # tasks 13 and 15 have two annotations each: they differ on calls_for_ceasefire only
    assert result.multiply_annotated == 2
    assert result.agreement == {"calls_for_ceasefire": 0.5, "supports_self_defense": 1.0, "demands_withdrawal": 1.0,
                                "calls_for_negotiations": 1.0, "sentiment": 1.0}  # fmt: skip
    for row in result.examples:
        assert check_record(row, STANCES, SENTIMENTS)[1] == []


def test_import_takes_the_conflict_from_the_task_or_reports_it_missing(export):
    result = import_export(export, STANCES, SENTIMENTS)
    assert [row["conflict"] for row in result.examples] == ["nagorno-karabakh"]  # task 15 names it
    assert f"{export}:task 11: conflict: missing; give the conflict with --conflict NAME" in "\n".join(result.problems)


def test_import_rejects_what_is_not_a_json_export(tmp_path):
    path = tmp_path / "min.json"
    path.write_text(json.dumps([{"id": 1, "text": "x", "sentiment": "neutral"}]), encoding="utf-8")  # JSON-MIN
    with pytest.raises(ValueError, match="min.json: not a Label Studio JSON export.*not 'JSON-MIN'"):
        import_export(path, STANCES, SENTIMENTS)
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(ValueError, match="min.json: not valid JSON"):
        import_export(path, STANCES, SENTIMENTS)
    with pytest.raises(FileNotFoundError, match="Label Studio export not found"):
        import_export(tmp_path / "none.json", STANCES, SENTIMENTS)


def test_import_reports_a_task_without_data_and_a_repeated_statement(tmp_path):
    good = [_choices("sentiment", ["neutral"])]
    tasks = [_task(1, _data("A said B.", "A", "s-1"), [_annotation(11, good)]),
             _task(2, _data("A said B again.", "A", "s-1"), [_annotation(21, good)]),
             {"id": 3, "annotations": []},
             _task(4, _data("C said D.", "C", "s-4"), [_annotation(41, [*good, _speaker("  ")])]),
             _task(5, _data("Someone said E.", "", "s-5"), [_annotation(51, good)])]  # fmt: skip
    path = tmp_path / "e.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    result = import_export(path, STANCES, SENTIMENTS, "c")
    assert [row["id"] for row in result.examples] == ["s-1"]
    assert result.problems == [
        f"{path}:task 2: id: duplicate 's-1' (also task 1)",
        f"{path}:task 3: data: missing (not a Label Studio task)",
        f"{path}:task 4: speaker: the corrected speaker is empty",
        f"{path}:task 5: speaker: empty; the annotator must type who made the statement into the speaker box",
    ]


def test_labels_config_command_prints_the_models_labels(model_dir, tmp_path, capsys):
    assert main(["labels", "config", "--model", str(model_dir)]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert [c.get("value") for c in root.iter("Choice")] == STANCES + SENTIMENTS
    config = tmp_path / "labels.yaml"
    config.write_text("labels:\n  stances: [truce, talks]\n  sentiments: [bad, good]\n", encoding="utf-8")
    assert main(["labels", "config", "--config", str(config)]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert [c.get("value") for c in root.iter("Choice")] == ["truce", "talks", "bad", "good"]
    assert main(["labels", "config", "--model", str(tmp_path / "nothing")]) == 2
    assert "nothing does not exist" in capsys.readouterr().err


def test_labels_import_command_writes_jsonl_and_refuses_to_overwrite(export, tmp_path, capsys):
    out = tmp_path / "new.jsonl"
    assert main(["labels", "import", str(export), "--output", str(out), "--conflict", "nk"]) == 1  # 2 tasks skipped
    err = capsys.readouterr().err
    assert f"skipped {export}:task 14: stance: unknown label(s)" in err
    assert f"skipped {export}:task 13: annotators differ" in err
    assert "3 imported, 2 skipped for problems, 2 cancelled annotation(s)" in err
    assert "1 disagreement(s); agreement on 2 multiply-annotated task(s): calls_for_ceasefire 0.50" in err
    examples = load_examples(out, STANCES, SENTIMENTS)
    assert [e.text for e in examples][0] == EMOJI_TEXT
    assert main(["labels", "import", str(export), "--output", str(out)]) == 2
    assert "new.jsonl exists; pass --overwrite" in capsys.readouterr().err
    assert main(["labels", "import", str(export), "--output", str(out), "--conflict", "x", "--overwrite"]) == 1
    assert {e.conflict for e in load_examples(out, STANCES, SENTIMENTS)} == {"x"}
