"""PLOVER event export: the stance -> event mapping and `score --format plover`, resumed without duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.cli import main
from classifier.formats.plover import STANCE_EVENTS, events, events_jsonl, is_demand
from classifier.output import ResumableWriter, format_for

from .conftest import SENTIMENTS, STANCES

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "articles" / "ceasefire_talks.txt"


def scored(stances: list[str], **changes) -> dict:
    """A scored statement as the pipeline writes it."""
    row = {
        "article_id": "art",
        "statement_id": "art-4",
        "speaker": "Turkish Foreign Minister Mevlut Cavusoglu",
        "speaker_mention": {"text": "Cavusoglu", "start": 120, "end": 129},
        "on_behalf_of": "Turkey",
        "actor": {"id": "Mevlut Cavusoglu", "type": "person", "country": "TUR", "org": None},
        "text": "Cavusoglu called for a ceasefire and talks, and backed Azerbaijan's right to defend itself.",
        "start": 100,
        "end": 190,
        "kind": "indirect",
        "polarity": "asserted",
        "cue": "called for",
        "stances": stances,
        "stance_scores": dict(zip(STANCES, [0.91, 0.62, 0.43, 0.24])),
        "sentiment": "neutral",
        "sentiment_scores": {label: 1 / 3 for label in SENTIMENTS},
    }
    row.update(changes)
    return row


def test_one_event_per_stance_in_the_statements_order():
    found = events(scored(["calls_for_negotiations", "supports_self_defense", "calls_for_ceasefire"]))
    assert [e["id"] for e in found] == ["art-4-e1", "art-4-e2", "art-4-e3"]
    assert [(e["event"], e["mode"], e["cameo"], e["stance"]) for e in found] == [
        ("REQUEST", "meet", "026", "calls_for_negotiations"),
        ("SUPPORT", None, "052", "supports_self_defense"),
        ("REQUEST", "yield", "0256", "calls_for_ceasefire"),
    ]
    assert [e["score"] for e in found] == [0.24, 0.62, 0.91]
    first = found[0]
    assert first["actor"] == {"code": "TUR", "name": "Mevlut Cavusoglu", "text": "Cavusoglu"}
    assert first["event_text"].startswith("Cavusoglu called for a ceasefire")
    assert first["text_info"] == {"article_id": "art", "statement_id": "art-4", "start": 100, "end": 190,
                                  "speaker_start": 120, "speaker_end": 129, "cue": "called for",
                                  "polarity": "asserted"}  # fmt: skip
    assert first["date"] is None and first["context"] == []


def test_a_single_event_keeps_the_statement_id():
    (event,) = events(scored(["demands_withdrawal"]))
    assert (event["id"], event["event"], event["mode"], event["cameo"]) == ("art-4", "REQUEST", "yield", "0256")


def test_a_statement_without_a_stance_yields_no_event():
    assert events(scored([])) == []
    assert events_jsonl([scored([]), scored([], statement_id="art-5")]) == ""
    assert events(scored(["condemns_attack"])) == []  # a label of another model that the mapping does not know


@pytest.mark.parametrize(
    ("cue", "expected"),
    [("demanded", ["1056", "106", "052"]), ("insists", ["1056", "106", "052"]), ("urged", ["0256", "026", "052"]),
     ("ordered", ["1056", "106", "052"]), (None, ["0256", "026", "052"])],
)  # fmt: skip
def test_a_demanding_cue_makes_demand_codes_and_any_other_appeal_codes(cue, expected):
    found = events(scored(["calls_for_ceasefire", "calls_for_negotiations", "supports_self_defense"], cue=cue))
    assert [e["cameo"] for e in found] == expected
    assert [e["event"] for e in found] == ["REQUEST", "REQUEST", "SUPPORT"]  # appeal or demand, the same event


def test_a_demand_in_the_statements_text_counts_when_its_cue_is_another_verb():
    text = "Turkey has supported Azerbaijan's right to self-defense and demanded Armenia's withdrawal."
    found = events(scored(["supports_self_defense", "demands_withdrawal"], cue="supported", text=text))
    assert [e["cameo"] for e in found] == ["052", "1056"]
    noun = "Moscow said demands for a ceasefire were growing and urged talks."
    assert [e["cameo"] for e in events(scored(["calls_for_negotiations"], cue="said", text=noun))] == ["026"]


def test_every_model_label_is_mapped():
    assert set(STANCE_EVENTS) == set(STANCES)
    assert is_demand("Demands") and not is_demand("said") and not is_demand("according to")


def test_rejected_and_conditional_statements_carry_plovers_context():
    assert events(scored(["calls_for_ceasefire"], polarity="rejected"))[0]["context"] == ["negation"]
    assert events(scored(["calls_for_ceasefire"], polarity="conditional"))[0]["context"] == ["hypothetical"]
    assert events(scored(["calls_for_ceasefire"], polarity="question"))[0]["context"] == []


def test_actor_code_falls_back_from_country_to_organisation_to_id_and_date_is_kept():
    un = {"id": "UN Security Council", "type": "igo", "country": None, "org": "UN"}
    (event,) = events(scored(["calls_for_ceasefire"], actor=un, speaker_mention=None, date="2020-10-23"))
    assert event["actor"] == {"code": "UN", "name": "UN Security Council",
                              "text": "Turkish Foreign Minister Mevlut Cavusoglu"}  # fmt: skip
    assert event["text_info"]["speaker_start"] is None and event["date"] == "2020-10-23"
    (event,) = events(scored(["calls_for_ceasefire"], actor=None))
    assert event["actor"]["code"] is None and event["actor"]["name"] is None


def test_the_writer_journals_plover_output_like_jsonl_and_refuses_to_mix_it_with_rows(tmp_path):
    out = tmp_path / "events.jsonl"
    fingerprint = {"weights": "x"}
    with ResumableWriter(str(out), "plover", STANCES, SENTIMENTS, fingerprint=fingerprint) as writer:
        writer.write(["art", "quiet"], [scored(["calls_for_ceasefire", "demands_withdrawal"]), scored([])])
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [e["id"] for e in lines] == ["art-4-e1", "art-4-e2"]
    with ResumableWriter(str(out), "plover", STANCES, SENTIMENTS, fingerprint=fingerprint) as writer:
        assert set(writer.done) == {"art", "quiet"}  # an article without events is done too
    with pytest.raises(ValueError, match="written with a different format than this run's"):
        ResumableWriter(str(out), "jsonl", STANCES, SENTIMENTS, fingerprint=fingerprint)
    assert format_for(str(out), "plover") == "plover"


def test_the_writer_prints_plover_events_to_standard_output(capsys):
    with ResumableWriter("-", "plover", STANCES, SENTIMENTS) as writer:
        writer.write(["art"], [scored(["supports_self_defense"])])
        writer.write(["quiet"], [scored([])])
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["event"] == "SUPPORT"


def set_thresholds(model_dir: Path, thresholds: dict[str, float]) -> None:
    """0 gives a label to every statement, above 1 to none: the tiny model's own scores decide nothing."""
    meta_path = model_dir / "diplostance.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["thresholds"] = thresholds
    meta_path.write_text(json.dumps(meta), encoding="utf-8")


def test_score_writes_plover_events_and_a_rerun_adds_none(model_dir, tmp_path, capsys):
    set_thresholds(model_dir, {"calls_for_ceasefire": 0.0, "supports_self_defense": 1.01, "demands_withdrawal": 1.01,
                               "calls_for_negotiations": 0.0})  # fmt: skip
    rows_out, events_out = tmp_path / "rows.jsonl", tmp_path / "events.jsonl"
    assert main(["score", "--model", str(model_dir), str(EXAMPLE), "--output", str(rows_out)]) == 0
    command = ["score", "--model", str(model_dir), str(EXAMPLE), "--format", "plover", "--output", str(events_out)]
    assert main(command) == 0
    rows = [json.loads(line) for line in rows_out.read_text(encoding="utf-8").splitlines()]
    written = events_out.read_text(encoding="utf-8")
    found = [json.loads(line) for line in written.splitlines()]
    assert len(rows) > 3 and len(found) == 2 * len(rows)  # two stances on every statement, two events each
    assert [e["id"] for e in found[:2]] == [f"{rows[0]['statement_id']}-e1", f"{rows[0]['statement_id']}-e2"]
    assert {(e["event"], e["mode"]) for e in found} == {("REQUEST", "yield"), ("REQUEST", "meet")}
    by_statement = {row["statement_id"]: row for row in rows}
    for event in found:
        row = by_statement[event["text_info"]["statement_id"]]
        assert event["event_text"] == row["text"] == EXAMPLE.read_text(encoding="utf-8")[row["start"] : row["end"]]
        assert event["score"] == row["stance_scores"][event["stance"]]
    capsys.readouterr()

    assert main(command) == 0  # resumed: the article is done, nothing is appended
    assert events_out.read_text(encoding="utf-8") == written
    assert "1 already done" in capsys.readouterr().err

    assert main(["score", "--model", str(model_dir), str(EXAMPLE), "--format", "plover"]) == 0  # standard output
    assert capsys.readouterr().out == written


def test_score_writes_no_event_when_no_statement_has_a_stance(model_dir, tmp_path):
    set_thresholds(model_dir, {label: 1.01 for label in STANCES})
    out = tmp_path / "events.jsonl"
    assert main(["score", "--model", str(model_dir), str(EXAMPLE), "--format", "plover", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == ""
    journal = [json.loads(line) for line in Path(f"{out}.progress").read_text(encoding="utf-8").splitlines()]
    assert journal[-1]["articles"] == ["ceasefire_talks"]  # scored and recorded, so a rerun skips it


def test_an_articles_date_reaches_its_rows_csv_and_events(model_dir, tmp_path):
    import csv

    articles = tmp_path / "in.jsonl"
    records = [{"id": "dated", "text": EXAMPLE.read_text(encoding="utf-8"), "date": "2020-10-30"},
               {"id": "undated", "text": EXAMPLE.read_text(encoding="utf-8")}]  # fmt: skip
    articles.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    rows_out, csv_out, events_out = tmp_path / "rows.jsonl", tmp_path / "rows.csv", tmp_path / "events.jsonl"
    for out in (rows_out, csv_out, events_out):
        extra = ["--format", "plover"] if out is events_out else []
        assert main(["score", "--model", str(model_dir), str(articles), "--output", str(out), *extra]) == 0
    rows = [json.loads(line) for line in rows_out.open(encoding="utf-8")]
    assert {row.get("date") for row in rows if row["article_id"] == "dated"} == {"2020-10-30"}
    assert all("date" not in row for row in rows if row["article_id"] == "undated")
    flat = list(csv.DictReader(csv_out.open(encoding="utf-8")))
    assert {row["date"] for row in flat if row["article_id"] == "dated"} == {"2020-10-30"}
    events = [json.loads(line) for line in events_out.open(encoding="utf-8")]
    dated = [e["date"] for e in events if e["text_info"]["article_id"] == "dated"]
    assert dated and set(dated) == {"2020-10-30"}


def test_a_date_that_is_not_a_string_is_reported_with_its_line(model_dir, tmp_path, capsys):
    articles = tmp_path / "in.jsonl"
    articles.write_text(json.dumps({"id": "a", "text": "Russia urged a ceasefire.", "date": 20201030}) + "\n")
    assert main(["score", "--model", str(model_dir), str(articles), "--output", str(tmp_path / "o.jsonl")]) == 2
    assert "in.jsonl:1: date: must be a string" in capsys.readouterr().err
