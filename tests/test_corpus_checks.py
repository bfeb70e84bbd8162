import json

from classifier.cli import main
from training.checks import check_corpus, near_duplicate_pairs

from .conftest import ROWS, SENTIMENTS, STANCES, write_jsonl


def test_near_duplicates_are_found_and_distinct_texts_are_not():
    texts = [
        "Russia called for an immediate ceasefire in the region on Monday.",
        "Russia called for an immediate ceasefire in the region on Tuesday.",
        "The African Union demanded that all foreign troops leave the country.",
    ]
    pairs = near_duplicate_pairs(texts)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert pairs[0][2] >= 0.9


def test_clean_splits_pass_with_statistics(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", ROWS[:2])
    test = write_jsonl(tmp_path / "test.jsonl", ROWS[2:])
    report = check_corpus([str(train), str(test)], STANCES, SENTIMENTS)
    assert report.errors == []
    assert report.stats["statements"] == 4
    assert report.stats["stances"]["calls_for_ceasefire"] == 1
    assert report.stats["no_stance_share"] == 0.25


def test_leakage_duplicates_and_bad_labels_are_errors_with_locations(tmp_path):
    leaked = dict(ROWS[0], id="t-9", text=ROWS[0]["text"].replace("new talks", "new talk"), conflict="beta")
    train = write_jsonl(tmp_path / "train.jsonl", [ROWS[0], ROWS[1], dict(ROWS[1], id="t-5")])
    test = write_jsonl(tmp_path / "test.jsonl", [ROWS[2], ROWS[3], leaked, dict(ROWS[3], id="t-7", stances=["x"])])
    report = check_corpus([str(train), str(test)], STANCES, SENTIMENTS)
    errors = "\n".join(report.errors)
    assert f"{test}:4: stances: unknown label 'x'" in errors
    assert f"{train}:3: text: duplicate of {train}:2 with the same speaker" in errors
    assert f"{test}:3: text: near-identical" in errors and "(leakage)" in errors
    assert "conflict 'alpha' appears in several splits" not in errors  # leaked line is labelled 'beta'


def test_a_conflict_in_two_splits_is_an_error(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", [ROWS[0]])
    test = write_jsonl(tmp_path / "test.jsonl", [ROWS[1]])
    report = check_corpus([str(train), str(test)], STANCES, SENTIMENTS)
    assert any("conflict 'alpha' appears in several splits" in e for e in report.errors)


def test_same_sentence_two_speakers_is_allowed_within_a_split(tmp_path):
    other = dict(ROWS[0], id="t-8", speaker="France", stances=[])
    data = write_jsonl(tmp_path / "train.jsonl", [ROWS[0], other])
    report = check_corpus([str(data)], STANCES, SENTIMENTS)
    assert report.errors == [] and report.stats["same_text_other_speaker_pairs"] == 1


def test_cli_exit_codes(tmp_path, capsys):
    good = write_jsonl(tmp_path / "good.jsonl", ROWS)
    assert main(["data", "check", str(good)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["statements"] == 4
    bad = write_jsonl(tmp_path / "bad.jsonl", [dict(ROWS[0], sentiment="furious")])
    assert main(["data", "check", str(bad)]) == 1
    assert f"error: {bad}:1: sentiment: unknown label 'furious'" in capsys.readouterr().out
    assert main(["data", "check", str(tmp_path / "missing.jsonl")]) == 2  # cannot run at all


def test_bundled_corpus_is_clean_and_split_by_conflict():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [str(root / "data" / f"{split}.jsonl") for split in ("train", "dev", "test")]
    report = check_corpus(files, STANCES, SENTIMENTS)
    assert report.errors == []
    assert report.stats["statements"] >= 4000 and report.stats["conflicts"] >= 30
    assert report.stats["near_duplicate_line_share"] < 0.01
    assert report.stats["no_stance_share"] >= 1 / 3
