import json

import pytest

from training.data import DataError, load_examples

from .conftest import ROWS, SENTIMENTS, STANCES, write_jsonl


def test_loads_rows(tmp_path):
    examples = load_examples(write_jsonl(tmp_path / "d.jsonl", ROWS), STANCES, SENTIMENTS)
    assert [e.id for e in examples] == ["t-1", "t-2", "t-3", "t-4"]
    assert examples[2].stances == []


def test_every_problem_is_reported_with_file_line_and_field(tmp_path):
    bad = dict(ROWS[0], stances=["calls_for_peace"])
    no_speaker = {k: v for k, v in ROWS[1].items() if k != "speaker"}
    path = tmp_path / "d.jsonl"
    path.write_text(
        json.dumps(ROWS[2])
        + "\n"
        + json.dumps(bad)
        + "\n"
        + "{not json\n"
        + json.dumps(no_speaker)
        + "\n"
        + json.dumps(dict(ROWS[3], sentiment="angry"))
        + "\n"
        + json.dumps(ROWS[2])
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_examples(path, STANCES, SENTIMENTS)
    problems = info.value.problems
    assert f"{path}:2: stances: unknown label 'calls_for_peace'" in problems[0]
    assert f"{path}:3: (line): invalid JSON" in problems[1]
    assert f"{path}:4: speaker: missing" == problems[2]
    assert any(p.startswith(f"{path}:5: sentiment: unknown label 'angry'") for p in problems)
    assert f"{path}:6: id: duplicate 't-3' (first on line 1)" in problems


def test_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="no statements found"):
        load_examples(path, STANCES, SENTIMENTS)
