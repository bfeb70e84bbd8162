import json

import pytest

from classifier.cli import main

from .conftest import ROWS, STANCES, write_jsonl

ARTICLE = (
    "Russia, France and the United States have called for a ceasefire.\n\n"
    "Fighting began on Sept. 27 and has killed hundreds.\n\n"
    '"We will defend our land," Azerbaijani President Ilham Aliyev said.'
)


def read_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_predict_adds_labels_and_keeps_the_input(model_dir, tmp_path):
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"id": "a", "text": "Russia urged a truce.", "speaker": "Russia", "x": 1}]
    )
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--model", str(model_dir), "--input", str(source), "--output", str(out)]) == 0
    (row,) = read_lines(out)
    assert row["id"] == "a" and row["x"] == 1 and row["speaker"] == "Russia"
    assert set(row["stance_scores"]) == set(STANCES)
    assert isinstance(row["stances"], list) and row["sentiment"] in row["sentiment_scores"]


def test_predict_skips_a_bad_line_and_scores_the_rest(model_dir, tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "Russia urged a truce."}\n{"id": "b"}\nnot json\n{"text": "Talks resumed."}\n', encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    # finished, every good line written, and exit status 1 to say that lines were skipped
    assert main(["predict", "--model", str(model_dir), "--input", str(source), "--output", str(out)]) == 1
    assert [r["text"] for r in read_lines(out)] == ["Russia urged a truce.", "Talks resumed."]
    err = capsys.readouterr().err
    assert f"{source}:2: text: missing" in err
    assert f"{source}:3: invalid JSON" in err
    assert "2 statement(s) labelled, 2 line(s) skipped" in err


def test_predict_to_stdout(model_dir, tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "Talks resumed."}])
    assert main(["predict", "--model", str(model_dir), "--input", str(source)]) == 0
    assert json.loads(capsys.readouterr().out.strip())["text"] == "Talks resumed."


def test_score_contract_on_txt_directory_and_jsonl(model_dir, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "story.txt").write_text(ARTICLE, encoding="utf-8")
    batch = write_jsonl(tmp_path / "batch.jsonl", [{"id": "wire-7", "text": ARTICLE}])
    out = tmp_path / "scored.jsonl"
    assert main(["score", "--model", str(model_dir), str(articles), str(batch), "--output", str(out)]) == 0
    rows = read_lines(out)
    fields = {
        "article_id", "statement_id", "speaker", "speaker_mention", "on_behalf_of", "actor", "text", "start", "end",
        "kind", "polarity", "cue", "stances", "stance_scores", "sentiment", "sentiment_scores",
    }  # fmt: skip
    assert all(set(row) == fields for row in rows)
    story = [row for row in rows if row["article_id"] == "story"]
    assert [row["speaker"] for row in story] == ["Russia", "France", "United States", "Ilham Aliyev"]
    assert [row["kind"] for row in story] == ["indirect", "indirect", "indirect", "direct"]
    for row in story:
        assert ARTICLE[row["start"] : row["end"]] == row["text"]
    assert {row["article_id"] for row in rows} == {"story", "wire-7"}
    assert story[0]["statement_id"] == "story-1"


def test_score_table(model_dir, tmp_path, capsys):
    article = tmp_path / "story.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["score", "--model", str(model_dir), str(article), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "== story: 4 statement(s)" in out
    assert out.splitlines()[1].split() == ["speaker", "stances", "sentiment", "polarity", "kind", "statement"]
    assert "Ilham Aliyev" in out
    assert "..." not in out  # statements wrap, they are not cut
    narrow = main(["score", "--model", str(model_dir), str(article), "--format", "table", "--width", "30"])
    assert narrow == 0
    lines = capsys.readouterr().out.splitlines()
    statement_column = lines[1].index("statement")
    assert all(len(line) - statement_column <= 30 for line in lines[3:] if line.strip() and not line.startswith("=="))


def test_score_reports_bad_inputs_and_goes_on(model_dir, tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "x"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = main(
        ["score", "--model", str(model_dir), str(tmp_path / "missing.txt"), str(batch), str(good), "--output", str(out)]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'missing.txt'}: no such file or directory" in err
    assert f"{batch}:1: text: missing" in err
    assert len(read_lines(out)) == 4


def test_evaluate_prints_the_metrics(model_dir, tmp_path, capsys):
    data = write_jsonl(tmp_path / "test.jsonl", ROWS)
    assert main(["evaluate", "--model", str(model_dir), "--data", str(data)]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["n"] == len(ROWS)
    for key in ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1", "sentiment_accuracy"):
        assert key in metrics
    assert set(metrics["stance"]["calls_for_ceasefire"]) == {"precision", "recall", "f1", "support"}


def test_errors_name_the_problem_and_exit_non_zero(model_dir, tmp_path, capsys):
    assert main(["predict", "--model", str(model_dir), "--input", str(tmp_path / "none.jsonl")]) == 2
    assert "input file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(dict(ROWS[0], stances=["peace"])) + "\n", encoding="utf-8")
    assert main(["evaluate", "--model", str(model_dir), "--data", str(bad)]) == 2
    assert f"{bad}:1: stances: unknown label 'peace'" in capsys.readouterr().err
    assert main(["train", "--config", str(tmp_path / "nope.yaml"), "--output-dir", str(tmp_path / "m")]) == 2


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("train", "predict", "score", "evaluate"):
        assert command in out


def test_python_api_is_importable_from_the_package():
    import classifier

    assert classifier.StanceModel.__name__ == "StanceModel"
    assert classifier.ArticleScorer.__name__ == "ArticleScorer"
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        classifier.Nope  # noqa: B018


def test_evaluate_with_baselines_scores_all_systems_on_the_same_data(model_dir, tmp_path, capsys):
    data = write_jsonl(tmp_path / "test.jsonl", ROWS)
    assert main(["evaluate", "--model", str(model_dir), "--data", str(data), "--baselines"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert set(results) == {"model", "keyword rules", "tf-idf + logistic regression", "zero-shot embedding similarity"}
    assert all(metrics["n"] == len(ROWS) for metrics in results.values())


def test_score_skips_an_article_that_fails_and_keeps_the_rest(model_dir, tmp_path, capsys, monkeypatch):
    from classifier.pipeline import ArticleScorer

    original = ArticleScorer.find

    def flaky(self, text, article_id="article"):
        if article_id == "bad":
            raise RuntimeError("simulated failure")
        return original(self, text, article_id)

    monkeypatch.setattr(ArticleScorer, "find", flaky)
    batch = write_jsonl(tmp_path / "batch.jsonl", [{"id": "bad", "text": ARTICLE}, {"id": "good", "text": ARTICLE}])
    out = tmp_path / "out.jsonl"
    assert main(["score", "--model", str(model_dir), str(batch), "--output", str(out)]) == 1
    assert {row["article_id"] for row in read_lines(out)} == {"good"}
    assert f"skipped {batch}:1: RuntimeError: simulated failure" in capsys.readouterr().err
