"""What the command line tells a newcomer: hints in errors, encodings, stale output, silent zeros, help texts."""

import argparse
import json

import pytest

from classifier.cli import build_parser, main

from .test_cli import ARTICLE, read_lines


def test_every_option_of_every_command_has_help():
    def walk(parser, name):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    assert sub.description, f"`{name} {sub_name}` has no description"
                    yield from walk(sub, f"{name} {sub_name}")
            elif not isinstance(action, argparse._HelpAction):
                yield name, action

    missing = [f"{name} {action.option_strings or action.dest}" for name, action in walk(build_parser(), "diplostance")
               if not action.help]  # fmt: skip
    assert missing == []


def test_help_prints_percent_signs_once(capsys):
    with pytest.raises(SystemExit):
        main(["eval-extraction", "--help"])
    out = capsys.readouterr().out
    assert "50%" in out and "50%%" not in out


def test_missing_model_says_how_to_make_one(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["score", "--model", str(tmp_path / "nowhere"), str(article)]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "make demo" in err and "diplostance train --output-dir" in err


def test_predict_points_articles_to_score(model_dir, tmp_path, capsys):
    article = tmp_path / "story.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["predict", "--model", str(model_dir), "--input", str(article)]) == 2
    assert "diplostance score --model" in capsys.readouterr().err
    long = tmp_path / "long.jsonl"
    long.write_text(json.dumps({"text": ARTICLE * 20}) + "\n", encoding="utf-8")
    assert (
        main(["predict", "--model", str(model_dir), "--input", str(long), "--output", str(tmp_path / "o.jsonl")]) == 0
    )
    assert "an article rather than a statement" in capsys.readouterr().err


def test_a_jsonl_without_text_suggests_the_field_to_use(model_dir, tmp_path, capsys):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": "x", "body": ARTICLE}) + "\n", encoding="utf-8")
    assert main(["score", "--model", str(model_dir), str(batch), "--output", str(tmp_path / "o.jsonl")]) == 2
    assert "use --text-field body" in capsys.readouterr().err


def test_pdf_and_docx_are_named_with_how_to_convert(model_dir, tmp_path, capsys):
    document = tmp_path / "report.pdf"
    document.write_bytes(b"%PDF-1.4")
    assert main(["score", "--model", str(model_dir), str(document), "--output", str(tmp_path / "o.jsonl")]) == 2
    assert "pdftotext" in capsys.readouterr().err


def test_latin1_is_an_error_that_names_encoding_and_works_with_it(model_dir, tmp_path, capsys):
    article = tmp_path / "cafe.txt"
    text = ARTICLE.replace("Ilham Aliyev", "Ilham Aliyev, in Baku's café,")
    article.write_bytes(text.encode("latin-1"))
    out = tmp_path / "o.jsonl"
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "not valid utf-8" in err and "--encoding latin-1" in err
    code = main(["score", "--model", str(model_dir), str(article), "--output", str(out), "--encoding", "latin-1"])
    assert code == 0
    rows = read_lines(out)
    assert any("café" in row["text"] for row in rows)
    assert all(text[row["start"] : row["end"]] == row["text"] for row in rows)


def test_a_byte_order_mark_is_not_part_of_the_text(model_dir, tmp_path):
    article = tmp_path / "bom.txt"
    article.write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    out = tmp_path / "o.jsonl"
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out)]) == 0
    assert all(ARTICLE[row["start"] : row["end"]] == row["text"] for row in read_lines(out))


def test_an_edited_article_is_not_left_with_stale_rows(model_dir, tmp_path, capsys):
    article = tmp_path / "story.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out)]) == 0
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out)]) == 0
    assert "1 already done" in capsys.readouterr().err
    article.write_text(ARTICLE.replace("Russia, France", "Russia, Italy"), encoding="utf-8")
    # the only input is refused, so nothing was usable: exit 2
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "article 'story' changed since it was scored" in err and "--overwrite" in err
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out), "--overwrite"]) == 0
    assert any("Italy" in row["text"] for row in read_lines(out))


def test_articles_without_statements_and_not_in_english_are_counted(model_dir, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("The weather was mild on Tuesday.", encoding="utf-8")
    (folder / "french.txt").write_text(
        "Le ministre des affaires étrangères a déclaré mardi que les pourparlers de paix reprendraient "
        "à Doha la semaine prochaine, selon un communiqué publié par son cabinet après une réunion "
        "avec les médiateurs qataris et égyptiens dans la capitale, où les délégations sont arrivées lundi.",
        encoding="utf-8",
    )
    (folder / "story.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["score", "--model", str(model_dir), str(folder), "--output", str(out)]) == 0
    err = capsys.readouterr().err
    assert "2 article(s) had no statement" in err
    assert "article 'french' does not look like English" in err
    assert not (tmp_path / "o.jsonl.errors.jsonl").exists()  # no empty errors file left behind


def test_train_prints_only_its_summary_on_stdout(tiny_backbone, corpus_dir, tmp_path, capsys, monkeypatch):
    import yaml

    config = tmp_path / "configs" / "tiny.yaml"
    config.parent.mkdir()
    corpus = {name: f"../corpus/{name}.jsonl" for name in ("train", "dev")}
    (tmp_path / "corpus").symlink_to(corpus_dir)
    config.write_text(yaml.safe_dump({
        "model": {"backbone": str(tiny_backbone), "max_length": 64},
        "data": {"train_file": corpus["train"], "dev_file": corpus["dev"], "test_file": None},
        "train": {"epochs": 1, "batch_size": 4},
    }))  # fmt: skip
    monkeypatch.chdir(tmp_path / "configs")  # data paths are relative to the config, wherever we run from
    assert main(["train", "--config", "tiny.yaml", "--output-dir", str(tmp_path / "m")]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # nothing but the summary on stdout
    assert summary["output_dir"] == str(tmp_path / "m") and "dev" in summary
    assert f"saved the model to {tmp_path / 'm'}" in captured.err


def test_data_check_works_from_any_directory_without_a_config(tmp_path, monkeypatch, capsys):
    from .conftest import ROWS, write_jsonl

    write_jsonl(tmp_path / "mine.jsonl", ROWS)
    monkeypatch.chdir(tmp_path)
    assert main(["data", "check", "mine.jsonl"]) == 0
    assert "style: fragment_share" in capsys.readouterr().err


def test_an_article_over_the_size_limit_is_reported_and_the_rest_scored(model_dir, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "huge.txt").write_text(ARTICLE * 40, encoding="utf-8")
    (folder / "story.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code = main(["score", "--model", str(model_dir), str(folder), "--output", str(out), "--max-chars", "2000"])
    assert code == 1
    err = capsys.readouterr().err
    assert "article 'huge' is" in err and "raise --max-chars" in err
    assert {row["article_id"] for row in read_lines(out)} == {"story"}


def test_attribution_looks_back_a_bounded_window(monkeypatch):
    """A description resolves to a person named earlier, but not to one named more than LOOKBACK characters
    before: the window that keeps attribution linear in the article's length."""
    from classifier.extract import StatementExtractor, coref
    from classifier.pipeline import ArticleScorer

    monkeypatch.setattr(coref, "LOOKBACK", 400)
    opening = "Foreign Minister Sergei Lavrov arrived in Geneva on Monday for the talks.\n\n"
    later = "\n\nThe minister said Moscow wanted the talks to resume."
    scorer = ArticleScorer(model=None, extractor=StatementExtractor(linker="rules"))
    near = scorer.find(opening + later, "near")
    assert [row["speaker"] for row in near] == ["Sergei Lavrov"]
    filler = "The weather in Geneva stayed mild all week and the lake was calm. " * 10
    far = scorer.find(opening + filler + later, "far")
    assert [row["speaker"] for row in far] != ["Sergei Lavrov"]


def test_predict_skips_records_that_cannot_be_labelled_and_keeps_the_rest(model_dir, tmp_path, capsys):
    lines = [
        {"id": "ok-1", "text": "Moscow urged both sides to stop firing.", "speaker": "Russia"},
        {"id": "long-speaker", "text": "Talks should resume.", "speaker": "x" * 2000},
        {"id": "number", "text": 12345},
        {"id": "empty", "text": ""},
        {"id": "ok-2", "text": "Paris called for talks."},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--model", str(model_dir), "--input", str(source), "--output", str(out)]) == 1
    assert [row["id"] for row in read_lines(out)] == ["ok-1", "ok-2"]
    err = capsys.readouterr().err
    assert f"{source}:2: speaker: is 2000 characters long" in err
    assert f"{source}:3: text: must be a non-empty string" in err and f"{source}:4: text" in err


def test_csv_cells_cannot_run_as_spreadsheet_formulas(model_dir, tmp_path):
    import csv

    article = tmp_path / "story.txt"
    article.write_text(
        '=HYPERLINK("http://evil") and the shelling must stop, the minister said on Monday.\n\n' + ARTICLE
    )
    out = tmp_path / "o.csv"
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out)]) == 0
    with out.open(encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not any(cell[:1] in "=+@" and cell for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)  # the statement is there, escaped


def test_split_long_scores_an_article_in_parts_with_offsets_into_the_whole(model_dir, tmp_path):
    long = "\n\n".join([ARTICLE] * 6)
    (tmp_path / "long.txt").write_text(long, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code = main(["score", "--model", str(model_dir), str(tmp_path / "long.txt"), "--output", str(out),
                 "--max-chars", "700", "--split-long"])  # fmt: skip
    assert code == 0
    rows = read_lines(out)
    assert {row["article_id"] for row in rows} == {"long"}
    assert len(rows) == 6 * 4 and len({row["statement_id"] for row in rows}) == len(rows)
    assert all(long[row["start"] : row["end"]] == row["text"] for row in rows)
    assert rows[-1]["start"] > 700  # offsets index the whole article, not the part
