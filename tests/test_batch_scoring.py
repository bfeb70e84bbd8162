"""Streaming inputs, the three output formats, resuming, errors files and a real kill -9 in the middle of a run."""

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from classifier.cli import main
from classifier.io import Article, InputError, read_articles
from classifier.output import ResumableWriter, flat_columns, flatten

from .conftest import SENTIMENTS, STANCES, write_jsonl
from .test_cli import ARTICLE, read_lines

HTML = (
    "<html><head><title>Talks</title></head><body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
    "<article><h1>Talks stall</h1><p>Russia, France and the United States have called for a ceasefire on "
    'Tuesday, according to diplomats at the meeting in Geneva.</p><p>"We will defend our land," Azerbaijani '
    "President Ilham Aliyev said in a televised address to the nation on Tuesday evening.</p></article>"
    "<footer>Copyright 2026. All rights reserved.</footer></body></html>"
)


def test_every_input_kind_streams_as_articles(tmp_path):
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "a.txt").write_text("Plain text.", encoding="utf-8")
    (tmp_path / "nested" / "deeper" / "page.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "nested" / "notes.md").write_text("ignored", encoding="utf-8")
    with gzip.open(tmp_path / "wire.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "g-1", "text": "Gzipped."}) + "\nnot json\n")
    pq.write_table(pa.table({"id": ["p-1", "p-2"], "text": ["First.", ""]}), tmp_path / "archive.parquet")
    items = list(
        read_articles([str(tmp_path / "nested"), str(tmp_path / "wire.jsonl.gz"), str(tmp_path / "archive.parquet")])
    )
    articles = [item for item in items if isinstance(item, Article)]
    errors = [str(item) for item in items if isinstance(item, InputError)]
    assert [a.id for a in articles] == ["a", "deeper/page", "g-1", "p-1"]  # the path below the input folder
    page = articles[1].text
    assert "Ilham Aliyev said" in page and "Copyright" not in page and "Home" not in page
    assert articles[2].source == f"{tmp_path / 'wire.jsonl.gz'}:1"
    assert errors == [
        f"{tmp_path / 'wire.jsonl.gz'}:2: invalid JSON (Expecting value)",
        f"{tmp_path / 'archive.parquet'}:2: text: must be a non-empty string",
    ]


def test_standard_input_is_jsonl_or_one_text_article():
    jsonl = io.StringIO('\n{"id": "s-1", "text": "One."}\n{"id": "s-2", "text": "Two."}\n')
    assert [a.id for a in read_articles(["-"], stdin=jsonl)] == ["s-1", "s-2"]
    (article,) = read_articles(["-"], stdin=io.StringIO("  Russia called for a ceasefire."))
    assert (article.id, article.text) == ("stdin", "  Russia called for a ceasefire.")
    (error,) = read_articles(["-"], stdin=io.StringIO(""))
    assert "standard input is empty" in str(error)


def test_parquet_without_the_text_column_is_named(tmp_path):
    pq.write_table(pa.table({"id": ["x"], "body": ["y"]}), tmp_path / "a.parquet")
    (error,) = read_articles([str(tmp_path / "a.parquet")])
    assert str(error) == f"{tmp_path / 'a.parquet'}: text: no such column"
    (article,) = read_articles([str(tmp_path / "a.parquet")], text_field="body")
    assert article.text == "y"


def test_csv_and_parquet_hold_the_same_rows_as_jsonl(model_dir, tmp_path):
    batch = write_jsonl(tmp_path / "batch.jsonl", [{"id": "a", "text": ARTICLE}, {"id": "b", "text": ARTICLE}])
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("jsonl", "csv", "parquet")}
    for path in outputs.values():
        assert main(["score", "--model", str(model_dir), str(batch), "--output", str(path)]) == 0
    expected = [flatten(row) for row in read_lines(outputs["jsonl"])]
    assert len(expected) == 8
    table = pq.read_table(outputs["parquet"])
    assert table.column_names == flat_columns(STANCES, SENTIMENTS)
    assert table.to_pylist() == expected
    import csv

    with outputs["csv"].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["statement_id"] for row in rows] == [row["statement_id"] for row in expected]
    assert [row["stances"] for row in rows] == [";".join(row["stances"]) for row in expected]
    assert [float(row["stance_calls_for_ceasefire"]) for row in rows] == [
        row["stance_calls_for_ceasefire"] for row in expected
    ]


def test_rerun_skips_done_articles_and_errors_go_to_a_file(model_dir, tmp_path, capsys):
    first = write_jsonl(tmp_path / "first.jsonl", [{"id": "a", "text": ARTICLE}, {"id": "b", "text": ARTICLE}])
    out = tmp_path / "out.jsonl"
    assert main(["score", "--model", str(model_dir), str(first), "--output", str(out)]) == 0
    again = tmp_path / "again.jsonl"
    again.write_text(first.read_text() + '{"id": "c"}\n' + json.dumps({"id": "d", "text": ARTICLE}) + "\n")
    capsys.readouterr()
    assert main(["score", "--model", str(model_dir), str(again), "--output", str(out)]) == 1
    summary = capsys.readouterr().err
    assert "1 article(s), 4 statement(s), 2 already done, 1 input(s) skipped" in summary
    rows = read_lines(out)
    assert [row["article_id"] for row in rows] == ["a"] * 4 + ["b"] * 4 + ["d"] * 4
    (error,) = read_lines(tmp_path / "out.jsonl.errors.jsonl")
    assert error == {"source": str(again), "line": 3, "field": "text", "message": "missing"}


def test_an_output_from_elsewhere_is_not_appended_to(model_dir, tmp_path, capsys):
    batch = write_jsonl(tmp_path / "batch.jsonl", [{"id": "a", "text": ARTICLE}])
    out = tmp_path / "out.jsonl"
    out.write_text('{"written": "by hand"}\n')
    assert main(["score", "--model", str(model_dir), str(batch), "--output", str(out)]) == 2
    assert "has no progress journal" in capsys.readouterr().err
    assert main(["score", "--model", str(model_dir), str(batch), "--output", str(out), "--overwrite"]) == 0
    assert [row["article_id"] for row in read_lines(out)] == ["a"] * 4


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_batch_written_after_the_last_journal_entry_is_dropped_and_redone(tmp_path, fmt):
    row = {"article_id": "a", "statement_id": "a-1", "speaker": "Russia", "speaker_mention": None, "actor": None,
           "text": "t", "start": 0, "end": 1, "kind": "direct", "polarity": "asserted", "cue": None, "stances": [],
           "stance_scores": dict.fromkeys(STANCES, 0.1), "sentiment": "neutral",
           "sentiment_scores": dict.fromkeys(SENTIMENTS, 0.3)}  # fmt: skip
    path = tmp_path / f"out.{fmt}"
    with ResumableWriter(str(path), fmt, STANCES, SENTIMENTS) as writer:
        writer.write(["a"], [row])
        writer.write(["empty"], [])
    # What a kill -9 can leave: a batch on disk that the journal does not list, or half a line.
    if fmt == "parquet":
        (path / "part-00001.parquet").write_bytes(b"PAR1 half a file")
        (path / "part-00002.parquet.tmp").write_bytes(b"PAR1")
    else:
        with path.open("a", encoding="utf-8") as handle:
            handle.write('{"article_id": "b", "statement_id": "b-1", "spea')
    with ResumableWriter(str(path), fmt, STANCES, SENTIMENTS) as writer:
        assert set(writer.done) == {"a", "empty"}
        writer.write(["b"], [{**row, "article_id": "b", "statement_id": "b-1"}])
    if fmt == "parquet":
        assert sorted(p.name for p in path.glob("part-*")) == ["part-00000.parquet", "part-00001.parquet"]
        ids = pq.read_table(path).column("statement_id").to_pylist()
    elif fmt == "csv":
        lines = path.read_text().splitlines()
        assert lines[0].startswith("article_id,statement_id,speaker,")
        ids = [line.split(",")[1] for line in lines[1:]]
    else:
        ids = [row["statement_id"] for row in read_lines(path)]
    assert ids == ["a-1", "b-1"]


def test_kill_9_in_the_middle_of_a_run_loses_nothing_and_duplicates_nothing(model_dir, tmp_path):
    records = [{"id": f"art-{i}", "text": ARTICLE.replace("Russia", f"Country{i}")} for i in range(400)]
    batch = write_jsonl(tmp_path / "batch.jsonl", records)
    out = tmp_path / "out.jsonl"
    journal = tmp_path / "out.jsonl.progress"
    command = [sys.executable, "-m", "classifier.cli", "score", "--model", str(model_dir), str(batch),
               "--output", str(out), "--articles-per-batch", "2"]  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if journal.is_file() and journal.read_text().count("\n") >= 5:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed; give it more work"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    written_before = len(read_lines(out))
    assert 0 < written_before < 400 * 4
    subprocess.run(command, env=env, check=True, stderr=subprocess.DEVNULL, timeout=300)
    rows = read_lines(out)  # every line parses: none was left half-written
    ids = [row["statement_id"] for row in rows]
    assert len(ids) == len(set(ids)) == 400 * 4
    assert {row["article_id"] for row in rows} == {record["id"] for record in records}


def test_progress_bar_counts_articles_against_the_total(model_dir, tmp_path, capsys):
    from classifier.io import count_articles

    batch = write_jsonl(tmp_path / "batch.jsonl", [{"id": "a", "text": ARTICLE}, {"id": "b", "text": ARTICLE}])
    (tmp_path / "one.txt").write_text(ARTICLE, encoding="utf-8")
    assert count_articles([str(batch), str(tmp_path / "one.txt")]) == 3
    assert count_articles(["-"]) is None
    out = tmp_path / "out.jsonl"
    assert main(["score", "--model", str(model_dir), str(batch), "--output", str(out), "--progress"]) == 0
    assert "2/2" in capsys.readouterr().err
    assert main(["score", "--model", str(model_dir), str(batch), "--output", str(out), "--no-progress"]) == 0
    assert "2/2" not in capsys.readouterr().err


def test_same_name_in_two_folders_is_two_articles_and_a_repeated_id_is_an_error(model_dir, tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "x.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "a" / "x.html").write_text(HTML, encoding="utf-8")  # a/x again, as a web page
    out = tmp_path / "out.jsonl"
    assert main(["score", "--model", str(model_dir), str(tmp_path / "in"), "--output", str(out)]) == 1
    assert {row["article_id"] for row in read_lines(out)} == {"a/x", "b/x"}
    err = capsys.readouterr().err
    assert "article id 'a/x' appears twice in this run" in err


def test_journal_survives_a_torn_line_a_deleted_output_and_a_second_writer(tmp_path, capsys):
    row = {"article_id": "a", "statement_id": "a-1", "speaker": "Russia", "speaker_mention": None, "actor": None,
           "text": "t", "start": 0, "end": 1, "kind": "direct", "polarity": "asserted", "cue": "said",
           "stances": [], "stance_scores": {s: 0.1 for s in STANCES}, "sentiment": "neutral",
           "sentiment_scores": {s: 0.3 for s in SENTIMENTS}}  # fmt: skip
    path = tmp_path / "out.jsonl"
    with ResumableWriter(str(path), "jsonl", STANCES, SENTIMENTS, fingerprint={"weights": "w1"}) as writer:
        writer.write(["a"], [row], ["h"])
        with pytest.raises(ValueError, match="another run .* is writing"):
            ResumableWriter(str(path), "jsonl", STANCES, SENTIMENTS)
    journal = tmp_path / "out.jsonl.progress"
    with journal.open("a", encoding="utf-8") as handle:
        handle.write('{"articles": ["b"], "by')  # power cut mid-write
    for article in ("c", "d"):  # two resumed runs: each entry must be seen by the next
        with ResumableWriter(str(path), "jsonl", STANCES, SENTIMENTS, fingerprint={"weights": "w1"}) as writer:
            writer.write([article], [{**row, "article_id": article}], ["h"])
    with ResumableWriter(str(path), "jsonl", STANCES, SENTIMENTS, fingerprint={"weights": "w1"}) as writer:
        assert set(writer.done) == {"a", "c", "d"}
    assert [r["article_id"] for r in read_lines(path)] == ["a", "c", "d"]
    assert "cut a torn last entry" in capsys.readouterr().err
    with pytest.raises(ValueError, match="different weights"):
        ResumableWriter(str(path), "jsonl", STANCES, SENTIMENTS, fingerprint={"weights": "w2"})
    path.unlink()  # output deleted, journal kept
    with ResumableWriter(str(path), "jsonl", STANCES, SENTIMENTS, fingerprint={"weights": "w1"}) as writer:
        assert writer.done == {}
        writer.write(["e"], [{**row, "article_id": "e"}], ["h"])
    assert "\x00" not in path.read_text(encoding="utf-8")
    assert [r["article_id"] for r in read_lines(path)] == ["e"]
    assert "starting afresh" in capsys.readouterr().err


def test_errors_are_not_listed_again_when_a_run_resumes(model_dir, tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": "x"}) + "\n" + json.dumps({"id": "y", "text": ARTICLE}) + "\n")
    out = tmp_path / "out.jsonl"
    for _ in range(3):
        assert main(["score", "--model", str(model_dir), str(batch), "--output", str(out)]) == 1
    assert len(read_lines(tmp_path / "out.jsonl.errors.jsonl")) == 1


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_batch_whose_data_write_fails_is_not_listed_as_done(tmp_path, monkeypatch, fmt):
    row = {"article_id": "a", "statement_id": "a-1", "speaker": "Russia", "speaker_mention": None, "actor": None,
           "text": "t", "start": 0, "end": 1, "kind": "direct", "polarity": "asserted", "cue": "said",
           "stances": [], "stance_scores": {s: 0.1 for s in STANCES}, "sentiment": "neutral",
           "sentiment_scores": {s: 0.3 for s in SENTIMENTS}}  # fmt: skip
    path = tmp_path / ("out" if fmt == "parquet" else "out.jsonl")
    with ResumableWriter(str(path), fmt, STANCES, SENTIMENTS) as writer:
        writer.write(["a"], [row])

        def disk_full(*args, **kwargs):
            raise OSError("No space left on device")

        monkeypatch.setattr(writer, "_write_part" if fmt == "parquet" else "_write_bytes", disk_full)
        with pytest.raises(OSError):
            writer.write(["b"], [{**row, "article_id": "b", "statement_id": "b-1"}])
    monkeypatch.undo()
    with ResumableWriter(str(path), fmt, STANCES, SENTIMENTS) as writer:
        assert set(writer.done) == {"a"}  # the journal is written after the data, never before


def test_truncated_gzip_empty_folder_and_empty_page_are_reported_and_the_rest_read(tmp_path):
    whole = gzip.compress(
        "".join(json.dumps({"id": f"g-{i}", "text": "A statement."}) + "\n" for i in range(200)).encode()
    )
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])  # a download cut short
    (tmp_path / "empty").mkdir()
    (tmp_path / "blank.html").write_text("<html><head><title>x</title></head><body></body></html>", encoding="utf-8")
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.4\x00\x00binary")  # a document renamed .txt
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")  # a broken link: an entry that cannot be read
    names = ["cut.jsonl.gz", "empty", "blank.html", "scan.txt", "gone.txt"]
    items = list(read_articles([str(tmp_path / name) for name in names]))
    errors = [str(item) for item in items if isinstance(item, InputError)]
    assert any(item.id == "g-0" for item in items if isinstance(item, Article))  # what was read stands
    assert any("cut.jsonl.gz" in e and "cannot read further" in e for e in errors)
    assert any("holds no" in e for e in errors) and any("no main text" in e for e in errors)
    assert any("scan.txt: not a text file" in e for e in errors)
    assert any("gone.txt" in e for e in errors)


def test_crlf_articles_keep_their_line_ends_so_offsets_hold(model_dir, tmp_path):
    text = ARTICLE.replace("\n", "\r\n")
    (tmp_path / "dos.txt").write_bytes(text.encode("utf-8"))
    out = tmp_path / "out.jsonl"
    assert main(["score", "--model", str(model_dir), str(tmp_path / "dos.txt"), "--output", str(out)]) == 0
    rows = read_lines(out)
    assert rows and all(text[row["start"] : row["end"]] == row["text"] for row in rows)


def test_save_text_keeps_the_extracted_html_text_the_offsets_index(model_dir, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.html").write_text(HTML, encoding="utf-8")
    out, texts = tmp_path / "out.jsonl", tmp_path / "texts"
    assert main(["score", "--model", str(model_dir), str(tmp_path / "in"), "--output", str(out),
                 "--save-text", str(texts)]) == 0  # fmt: skip
    text = (texts / "page.txt").read_text(encoding="utf-8")
    rows = read_lines(out)
    assert rows and all(text[row["start"] : row["end"]] == row["text"] for row in rows)
    assert "Copyright" not in text


def test_extracting_one_batch_ahead_in_a_child_writes_the_same_rows_and_reports_bad_articles(model_dir, tmp_path):
    batch = tmp_path / "batch.jsonl"
    articles = [
        {"id": f"a-{i}", "text": ARTICLE.replace("Russia", name)} for i, name in enumerate(["Russia", "Iran"] * 3)
    ]
    write_jsonl(batch, articles + [{"id": "bad", "text": ""}])
    rows = {}
    for overlap in ("off", "on"):
        out = tmp_path / f"{overlap}.jsonl"
        code = main(["score", "--model", str(model_dir), str(batch), "--output", str(out), "--articles-per-batch", "2",
                     "--overlap", overlap])  # fmt: skip
        assert code == 1  # the empty article is reported and skipped, the rest scored
        rows[overlap] = read_lines(out)
        assert '"line": 7' in (tmp_path / f"{overlap}.jsonl.errors.jsonl").read_text(encoding="utf-8")
    assert len(rows["on"]) == len(rows["off"]) >= 6 * 3
    assert rows["on"] == rows["off"]  # same statements, speakers, offsets and scores, in the same order


def test_a_failing_article_in_the_child_is_reported_and_the_batch_goes_on(model_dir, tmp_path, monkeypatch, capsys):
    from concurrent.futures import Future

    from classifier.batch import ErrorLog, _label_found
    from classifier.pipeline import ArticleScorer

    scorer = ArticleScorer.from_pretrained(model_dir)
    batch = [Article("good", ARTICLE, "in.jsonl:1"), Article("broken", "x", "in.jsonl:2")]
    future = Future()
    future.set_result([scorer.find(ARTICLE, "good"), "ValueError: no sentences"])
    errors = ErrorLog(None)
    scored, rows = _label_found(scorer, batch, future, errors, print)
    assert scored == ["good"] and {row["article_id"] for row in rows} == {"good"}
    assert errors.count == 1 and "in.jsonl:2: ValueError: no sentences" in capsys.readouterr().err
