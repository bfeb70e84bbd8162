"""Active-learning selection: uncertainty order, the random share, diversity, context, and the CLI round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifier.cli import main
from classifier.modeling import StanceModel
from tests.conftest import SENTIMENTS, STANCES
from training.data import load_examples
from training.select import select, statement_context, uncertainty

SURE_SENTIMENT = [0.96, 0.02, 0.02]


@pytest.fixture(scope="module")
def tiny(trained_model_dir):
    return StanceModel.from_pretrained(trained_model_dir)


@pytest.fixture
def controlled(tiny, monkeypatch):
    """The tiny model with the probabilities each test sets: ``controlled[text] = (stance probs, sentiment)``."""
    table: dict[str, tuple[list[float], list[float]]] = {}

    def predict_proba(texts, speakers=None, batch_size=32):
        return np.array([table[t][0] for t in texts]), np.array([table[t][1] for t in texts])

    monkeypatch.setattr(tiny, "predict_proba", predict_proba)
    monkeypatch.setattr(tiny, "thresholds", {label: 0.5 for label in STANCES})
    tiny.table = table
    yield tiny
    del tiny.table


def _rows(table, probabilities: dict[str, tuple[list[float], list[float]]]) -> list[dict]:
    table.update(probabilities)
    return [{"id": f"s{i}", "text": text, "speaker": "Russia"} for i, text in enumerate(probabilities)]


def test_margin_puts_the_statement_nearest_a_threshold_first(controlled):
    controlled.thresholds["demands_withdrawal"] = 0.8  # 0.7 is 0.1/0.8 below it: scaled by the room below
    rows = _rows(controlled.table, {
        "sure": ([0.02, 0.98, 0.01, 0.03], SURE_SENTIMENT),
        "near a threshold": ([0.02, 0.55, 0.01, 0.03], SURE_SENTIMENT),
        "below a high threshold": ([0.02, 0.98, 0.70, 0.03], SURE_SENTIMENT),
        "torn on sentiment": ([0.02, 0.98, 0.01, 0.03], [0.45, 0.40, 0.15]),
    })  # fmt: skip
    picked = select(controlled, rows, 4, "margin")
    assert [s.record["text"] for s in picked] == ["torn on sentiment", "near a threshold", "below a high threshold",
                                                  "sure"]  # fmt: skip
    assert picked[0].uncertainty == pytest.approx(0.95)
    assert picked[1].uncertainty == pytest.approx(1 - 0.05 / 0.5)
    assert picked[2].uncertainty == pytest.approx(1 - 0.1 / 0.8)
    assert picked[0].prediction.stances == ["supports_self_defense"] and picked[0].prediction.sentiment == "negative"
    assert {s.pick for s in picked} == {"uncertain"}
    assert [s.record["text"] for s in select(controlled, rows, 2)] == ["torn on sentiment", "near a threshold"]


def test_entropy_puts_the_most_spread_probabilities_first(controlled):
    rows = _rows(controlled.table, {
        "sure": ([0.01, 0.99, 0.01, 0.01], SURE_SENTIMENT),
        "all half": ([0.5, 0.5, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]),
        "some doubt": ([0.3, 0.7, 0.01, 0.01], [0.6, 0.3, 0.1]),
    })  # fmt: skip
    picked = select(controlled, rows, 3, "entropy")
    assert [s.record["text"] for s in picked] == ["all half", "some doubt", "sure"]
    assert picked[0].uncertainty == pytest.approx(1.0)
    # margin would rank differently: one stance right on its threshold outweighs the rest
    assert uncertainty(np.array([[0.5, 0.99]]), np.array([[0.98, 0.01, 0.01]]), [0.5, 0.5])[0] == 1.0


def test_random_share_draws_from_the_rest_and_is_seeded(controlled):
    probabilities = {f"statement {i}": ([i / 100, 0.01, 0.01, 0.01], SURE_SENTIMENT) for i in range(50)}
    rows = _rows(controlled.table, probabilities)  # statement 49 is nearest 0.5: the most uncertain
    picked = select(controlled, rows, 10, random_share=0.3, seed=1)
    uncertain = [s.record["text"] for s in picked if s.pick == "uncertain"]
    randoms = [s.record["text"] for s in picked if s.pick == "random"]
    assert uncertain == [f"statement {i}" for i in range(49, 42, -1)]
    assert len(randoms) == 3 and not set(randoms) & set(uncertain)
    assert [s.pick for s in picked] == ["uncertain"] * 7 + ["random"] * 3
    again = [s.record["text"] for s in select(controlled, rows, 10, random_share=0.3, seed=1)]
    assert again == uncertain + randoms
    other = [s.record["text"] for s in select(controlled, rows, 10, random_share=0.3, seed=2) if s.pick == "random"]
    assert other != randoms
    everything = select(controlled, rows, 10, "random", seed=1)
    assert {s.pick for s in everything} == {"random"} and len({s.record["id"] for s in everything}) == 10
    assert len(select(controlled, rows, 500)) == 50  # no more than there are
    # ten of ten, three of them random: the random ones must be the three not picked as uncertain
    assert sorted(s.record["id"] for s in select(controlled, rows[:10], 10, random_share=0.3)) == sorted(
        row["id"] for row in rows[:10]
    )
    with pytest.raises(ValueError, match="random share must be between 0 and 1, got 1.5"):
        select(controlled, rows, 10, random_share=1.5)
    with pytest.raises(ValueError, match="strategy must be one of"):
        select(controlled, rows, 10, strategy="least-confident")


def test_diversity_takes_the_most_uncertain_of_each_cluster(controlled, monkeypatch):
    groups = {"alpha": 0, "beta": 1, "gamma": 2}
    probabilities = {}
    for name, offset in groups.items():
        for i in range(5):
            # every alpha statement is more uncertain than any beta, every beta more than any gamma
            probabilities[f"{name} {i}"] = ([0.5 - 0.1 * offset - 0.01 * i, 0.01, 0.01, 0.01], SURE_SENTIMENT)
    rows = _rows(controlled.table, probabilities)

    def embed(texts, speakers=None, batch_size=32):
        centres = np.eye(3) * 10
        return np.array([centres[groups[t.split()[0]]] + 0.01 * int(t.split()[1]) for t in texts])

    monkeypatch.setattr(controlled, "embed", embed)
    assert [s.record["text"] for s in select(controlled, rows, 3)] == ["alpha 0", "alpha 1", "alpha 2"]
    assert [s.record["text"] for s in select(controlled, rows, 3, diversity=True)] == ["alpha 0", "beta 0", "gamma 0"]


def test_embed_is_the_mean_pooled_encoder_output(tiny):
    texts = ["Russia called for a ceasefire.", "Turkey backed Azerbaijan's right to defend itself, officials said."]
    vectors = tiny.embed(texts, ["Russia", "Turkey"], batch_size=1)
    assert vectors.shape == (2, tiny.encoder.config.hidden_size) and vectors.dtype == np.float32
    # padding in a shared batch does not change a statement's vector
    np.testing.assert_allclose(tiny.embed(texts, ["Russia", "Turkey"], batch_size=2), vectors, atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1])
    # what the stance head reads: its logits from these vectors are the model's own probabilities
    import torch

    stance = torch.sigmoid(tiny.stance_head(torch.from_numpy(vectors))).detach().numpy()
    np.testing.assert_allclose(stance, tiny.predict_proba(texts, ["Russia", "Turkey"])[0], atol=1e-5)
    assert tiny.embed([], []).shape == (0, tiny.encoder.config.hidden_size)


def test_statement_context_is_the_sentences_around():
    article = "Talks stalled on Monday. Russia called for a ceasefire. Turkey disagreed. Fighting went on."
    start = article.index("Russia")
    end = article.index("Turkey") - 1
    assert (
        statement_context(article, start, end)
        == "Talks stalled on Monday. Russia called for a ceasefire. Turkey disagreed."
    )
    assert statement_context(article, 0, 24) == "Talks stalled on Monday. Russia called for a ceasefire."


def _score_rows(article_id: str, article: str, statements: list[tuple[str, str]]) -> list[dict]:
    rows = []
    for number, (speaker, text) in enumerate(statements, start=1):
        start = article.index(text)
        rows.append({"article_id": article_id, "statement_id": f"{article_id}-{number}", "speaker": speaker,
                     "text": text, "start": start, "end": start + len(text), "stances": [], "sentiment": "neutral",
                     "stance_scores": {s: 0.1 for s in STANCES}, "sentiment_scores": {}})  # fmt: skip
    return rows


def test_select_then_annotate_then_import_round_trip(model_dir, tmp_path, capsys):
    article = ("Shelling hit Stepanakert overnight.\r\nRussia called for an immediate ceasefire. Turkey said "
               "Azerbaijan has every right to defend itself.\r\n\r\n\U0001f54a\ufe0f The council demanded that the "
               "forces withdraw. Talks are due next week.")  # fmt: skip
    texts = tmp_path / "texts"
    (texts / "feeds").mkdir(parents=True)
    (texts / "feeds" / "a1.txt").write_bytes(article.encode("utf-8"))  # \r\n kept: offsets count it
    rows = _score_rows("feeds/a1", article, [
        ("Russia", "Russia called for an immediate ceasefire."),
        ("Turkey", "Turkey said Azerbaijan has every right to defend itself."),
        ("UN Security Council", "\U0001f54a\ufe0f The council demanded that the forces withdraw."),
    ])  # fmt: skip
    scored = tmp_path / "scored.jsonl"
    bare = tmp_path / "statements.jsonl"
    scored.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    bare.write_text('{"id": "b-1", "text": "Iran offered to mediate."}\n{"id": "b-2", "speaker": "x"}\n', "utf-8")
    tasks_file = tmp_path / "out" / "tasks.json"
    code = main(["select", "--model", str(model_dir), str(scored), str(bare), "--n", "4", "--texts", str(texts),
                 "--random-share", "0.25", "--output", str(tasks_file)])  # fmt: skip
    assert code == 1  # one bad line, reported and skipped
    err = capsys.readouterr().err
    assert f"skipped {bare}:2: text: missing" in err
    assert "4 task(s) from 4 statement(s) (3 uncertain, 1 random)" in err
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    assert [t["data"]["pick"] for t in tasks] == ["uncertain", "uncertain", "uncertain", "random"]
    scores = [t["predictions"][0]["score"] for t in tasks[:3]]
    assert scores == sorted(scores)  # least confident first
    by_text = {t["data"]["text"]: t for t in tasks}
    for task in tasks:
        [prediction] = task["predictions"]
        assert 0.0 <= prediction["score"] <= 1.0 and prediction["model_version"].startswith("model@")
        assert {r["from_name"] for r in prediction["result"]} <= {"stance", "sentiment"}
        for result in prediction["result"]:
            assert set(result["value"]["choices"]) <= set(STANCES if result["from_name"] == "stance" else SENTIMENTS)
    emoji = by_text["\U0001f54a\ufe0f The council demanded that the forces withdraw."]["data"]
    assert article[emoji["start"] : emoji["end"]] == emoji["text"]
    assert emoji["context"].startswith("Turkey said") and emoji["context"].endswith("next week.")
    assert (emoji["article_id"], emoji["statement_id"]) == ("feeds/a1", "feeds/a1-3")
    russia = by_text["Russia called for an immediate ceasefire."]["data"]
    assert russia["context"] == article[: article.index("\r\n\r\n")]  # over the \r\n: offsets count the \r
    assert by_text["Iran offered to mediate."]["data"]["context"] == ""
    assert by_text["Iran offered to mediate."]["data"]["statement_id"] == "b-1"

    # An annotator at work: accepts one prediction, corrects another's speaker, skips the third.
    for number, task in enumerate(tasks, start=1):
        task["id"] = 100 + number
        result = [dict(r) for r in task["predictions"][0]["result"]]
        task["annotations"] = [{"id": number, "result": result, "was_cancelled": number == 3}]
    for task, speaker in ((tasks[1], "Recep Tayyip Erdogan"), (by_text["Iran offered to mediate."], "Iran")):
        task["annotations"][0]["result"].append(
            {"from_name": "speaker", "to_name": "text", "type": "textarea", "value": {"text": [speaker]}}
        )
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    labelled = tmp_path / "new.jsonl"
    code = main(["labels", "import", str(export), "--output", str(labelled), "--conflict", "nk", "--model",
                 str(model_dir)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    examples = load_examples(labelled, STANCES, SENTIMENTS)
    assert [e.text for e in examples] == [t["data"]["text"] for t in tasks if t["id"] != 103]
    assert examples[1].speaker == "Recep Tayyip Erdogan" and "Iran" in {e.speaker for e in examples}
    assert [e.source for e in examples] == ["label-studio:101", "label-studio:102", "label-studio:104"]
    assert examples[0].id == str(tasks[0]["data"]["statement_id"])
