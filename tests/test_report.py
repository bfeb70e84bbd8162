"""The HTML report: its tables hold the numbers of the rows, the page is self-contained and escaped, and bad or
missing input is reported."""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from html.parser import HTMLParser

import pytest

from classifier.cli import main
from tests.conftest import STANCES

pytest.importorskip("matplotlib")

C, S, W, N = STANCES  # calls_for_ceasefire, supports_self_defense, demands_withdrawal, calls_for_negotiations
SCRIPT = "<script>alert(1)</script>"


def _row(article, number, speaker, actor, scores, polarity="asserted", kind="direct", behalf=None, text=None):
    """A score row; ``scores`` gives the stances it carries and their scores, the other labels score 0.1."""
    return {
        "article_id": article,
        "statement_id": f"{article}-{number}",
        "speaker": speaker,
        "speaker_mention": None,
        "on_behalf_of": behalf,
        "actor": None if actor is None else {"id": actor, "type": "state", "country": None, "org": None},
        "text": text or f"{speaker} spoke in {article} ({number}).",
        "start": 0,
        "end": 10,
        "kind": kind,
        "polarity": polarity,
        "cue": "said",
        "stances": list(scores),
        "stance_scores": {label: scores.get(label, 0.1) for label in STANCES},
        "sentiment": "neutral",
        "sentiment_scores": {"negative": 0.2, "neutral": 0.6, "positive": 0.2},
    }


# a1 and a2 in January, a3 and a4 in February; Moscow resolves to the actor Russia; r4 has no actor.
ROWS = [
    _row("a1", 1, "Russia", "Russia", {C: 0.91}, kind="indirect"),
    _row("a1", 2, "Moscow", "Russia", {C: 0.62, N: 0.80}),
    _row("a1", 3, "Israel", "Israel", {S: 0.88}),
    _row("a1", 4, "an unnamed official", None, {}, polarity="question", kind="indirect"),
    _row("a2", 1, "Israel", "Israel", {S: 0.95}),
    _row("a2", 2, "Antony Blinken", "United States", {N: 0.77}, kind="indirect", behalf="United States"),
    _row("a2", 3, "Qatar", "Qatar", {C: 0.85, N: 0.93}, polarity="conditional", kind="indirect"),
    _row("a2", 4, "Hamas", "Hamas", {W: 0.70}, text=SCRIPT),
    _row("a3", 1, "Russia", "Russia", {C: 0.55}, polarity="rejected", kind="indirect"),
    _row("a3", 2, "Israel", "Israel", {}),
    _row("a3", 3, "Qatar", "Qatar", {N: 0.60}, kind="mixed"),
    _row("a4", 1, "Israel", "Israel", {S: 0.72}),
    _row("a4", 2, "Matthew Miller", "United States", {C: 0.97}, behalf="State Department"),
    _row("a4", 3, "Russia", "Russia", {W: 0.81}, kind="indirect"),
    _row("a4", 4, "Hamas", "Hamas", {}, kind="indirect"),
]


class Tables(HTMLParser):
    """Every table of a page by id, as rows of cell texts (entities decoded); every img's src and alt, every
    href."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[tuple[str, str]] = []
        self.links: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("th", "td") and self._table:
            self._cell = []
        elif tag == "img":
            self.images.append((attrs["src"], attrs.get("alt") or ""))
        if "href" in attrs:
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _body(table: list[list[str]]) -> dict[str, list[str]]:
    """A table's rows after the heading, keyed by their first cell."""
    return {row[0]: row[1:] for row in table[1:]}


@pytest.fixture
def scored(tmp_path):
    """The rows as score output in two files, with a bad line; dates three ways: a1's rows carry ``date``, a2's
    ``article_date``, a3 and a4 come from a --dates file (which also gives a1 a date that its rows' own must beat)."""
    first, second = tmp_path / "part1.jsonl", tmp_path / "part2.jsonl"
    lines = [json.dumps({**r, "date": "2024-01-10"}) for r in ROWS[:4]]
    lines += [json.dumps({**r, "article_date": "2024-01-25T08:30:00Z"}) for r in ROWS[4:8]]
    first.write_text("\n".join(lines[:5] + ["{not json"] + lines[5:]) + "\n", encoding="utf-8")
    second.write_text("".join(json.dumps(r) + "\n" for r in ROWS[8:]), encoding="utf-8")
    dates = tmp_path / "dates.jsonl"
    dates.write_text("".join(json.dumps({"id": a, "date": d, "text": "..."}) + "\n" for a, d in
                             [("a1", "2024-03-01"), ("a3", "2024-02-05"), ("a4", "2024-02-20")]))  # fmt: skip
    return first, second, dates


def test_the_report_tables_hold_the_numbers_of_the_rows(scored, tmp_path, capsys):
    first, second, dates = scored
    out = tmp_path / "out" / "report.html"
    code = main(["report", str(first), str(second), "--output", str(out), "--dates", str(dates), "--top-actors", "6",
                 "--examples", "2", "--title", "Weekly <brief> & notes"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1  # the bad line was reported and skipped, the report still written
    assert f"skipped {first}:6: invalid JSON" in err
    page = out.read_text(encoding="utf-8")
    tables = Tables(page).tables

    assert _body(tables["stance-counts"]) == {
        C: ["5", "33.3%"], S: ["3", "20.0%"], W: ["2", "13.3%"], N: ["4", "26.7%"], "none": ["3", "20.0%"]
    }  # fmt: skip
    # actor id when resolved (Moscow counts as Russia), the speaker otherwise; most statements first, then by name
    matrix = tables["speaker-stances"]
    assert matrix[0] == ["speaker", "statements", C, S, W, N, "none"]
    assert matrix[1:] == [
        ["Israel", "4", "0", "3", "0", "0", "1"],
        ["Russia", "4", "3", "0", "1", "1", "0"],
        ["Hamas", "2", "0", "0", "1", "0", "1"],
        ["Qatar", "2", "1", "0", "0", "2", "0"],
        ["United States", "2", "1", "0", "0", "1", "0"],
        ["an unnamed official", "1", "0", "0", "0", "0", "1"],
    ]
    # 41 days of dates: per month; January has 8 statements, February 7; no March (a1's own date wins)
    assert tables["stances-over-time"][0] == ["month", "statements", C, S, W, N, "none"]
    assert _body(tables["stances-over-time"]) == {
        "2024-01": ["8", "37.5%", "25.0%", "12.5%", "37.5%", "12.5%"],
        "2024-02": ["7", "28.6%", "14.3%", "14.3%", "14.3%", "28.6%"],
    }
    top = {label: [(row[0], row[1], row[2], row[3], row[4]) for row in tables[f"top-{label}"][1:]] for label in STANCES}
    assert top[C] == [("1", "0.970", "a4", "a4-2", "Matthew Miller"), ("2", "0.910", "a1", "a1-1", "Russia")]
    assert top[S] == [("1", "0.950", "a2", "a2-1", "Israel"), ("2", "0.880", "a1", "a1-3", "Israel")]
    assert top[W] == [("1", "0.810", "a4", "a4-3", "Russia"), ("2", "0.700", "a2", "a2-4", "Hamas")]
    assert top[N] == [("1", "0.930", "a2", "a2-3", "Qatar"), ("2", "0.800", "a1", "a1-2", "Moscow")]
    assert tables[f"top-{W}"][2][5] == SCRIPT  # decoded from the page, so it was written escaped
    assert _body(tables["extraction-summary"]) == {
        "articles": ["4"],
        "statements": ["15"],
        "statements per article: mean": ["3.75"],
        "statements per article: median": ["4"],
        "statements per article: max": ["4"],
        "statements with a resolved actor": ["93.3%"],
        "statements with on_behalf_of": ["13.3%"],
    }
    assert {k: v[0] for k, v in _body(tables["polarity-counts"]).items()} == {
        "asserted": "12", "question": "1", "conditional": "1", "rejected": "1"
    }  # fmt: skip
    assert {k: v[0] for k, v in _body(tables["kind-counts"]).items()} == {"indirect": "7", "direct": "7", "mixed": "1"}


def test_the_page_is_self_contained_and_escaped(scored, tmp_path, capsys):
    import matplotlib.image

    first, second, dates = scored
    out = tmp_path / "report.html"
    main(["report", str(first), str(second), "--output", str(out), "--dates", str(dates), "--title", "<b>Gaza</b>"])
    page = out.read_text(encoding="utf-8")
    parsed = Tables(page)
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Gaza</b>" not in page and "<title>&lt;b&gt;Gaza&lt;/b&gt;</title>" in page
    assert "http://" not in page and "https://" not in page and "url(" not in page and "@import" not in page
    assert all(link.startswith("#") for link in parsed.links) and parsed.links
    srcs = re.findall(r"""\bsrc\s*=\s*["']?([^"' >]+)""", page)
    assert len(srcs) == len(parsed.images) == 3  # stances, speakers, over time
    for src, alt in parsed.images:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        height, width = matplotlib.image.imread(io.BytesIO(png), format="png").shape[:2]
        assert width > 300 and height > 100
        assert len(alt) > 40
    assert "calls_for_ceasefire 5" in parsed.images[0][1]  # the alt text gives the counts


def test_rows_without_dates_get_a_sentence_instead_of_the_chart(tmp_path, capsys):
    source = tmp_path / "scored.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(source), "--output", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    parsed = Tables(page)
    assert "stances-over-time" not in parsed.tables and len(parsed.images) == 2
    assert "No chart over time: no statement has a date" in page and "--dates FILE.jsonl" in page
    assert _body(parsed.tables["stance-counts"])[C] == ["5", "33.3%"]


def test_an_unreadable_date_is_reported_and_the_statement_kept(tmp_path, capsys):
    source = tmp_path / "scored.jsonl"
    rows = [{**ROWS[0], "date": "2024-01-10"}, {**ROWS[1], "date": "10/01/2024"}]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(source), "--output", str(out)]) == 1
    assert f"warning: {source}:2: date: '10/01/2024' is not an ISO date" in capsys.readouterr().err
    tables = Tables(out.read_text(encoding="utf-8")).tables
    assert _body(tables["stance-counts"])[C] == ["2", "100.0%"]
    assert _body(tables["stances-over-time"]) == {"2024-01-10": ["1", "100.0%", "0.0%", "0.0%", "0.0%", "0.0%"]}


def test_an_article_missing_from_the_dates_file_is_named(tmp_path, capsys):
    source, dates = tmp_path / "scored.jsonl", tmp_path / "dates.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    dates.write_text(json.dumps({"id": "a1", "date": "2024-01-10"}) + "\n{broken\n", encoding="utf-8")
    assert main(["report", str(source), "--output", str(tmp_path / "r.html"), "--dates", str(dates)]) == 1
    err = capsys.readouterr().err
    assert f"skipped {dates}:2: invalid JSON" in err
    assert f"3 article(s) have no date in {dates} (a2, a3, a4)" in err


def test_empty_input_is_an_error_and_writes_nothing(tmp_path, capsys):
    source = tmp_path / "empty.jsonl"
    source.write_text("", encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(source), "--output", str(out)]) == 2
    assert f"diplostance report: error: no statements in {source}: nothing to report" in capsys.readouterr().err
    assert not out.exists()


def test_predict_rows_are_named_as_the_wrong_input(tmp_path, capsys):
    source = tmp_path / "predicted.jsonl"
    source.write_text(json.dumps({"id": "s1", "text": "Talks resumed.", "stances": []}) + "\n", encoding="utf-8")
    assert main(["report", str(source), "--output", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert f"skipped {source}:1: article_id: missing (a `predict` row has none" in err
    assert "no statements in" in err and "(1 line(s) skipped)" in err


def test_without_matplotlib_the_error_names_the_extra(tmp_path, capsys, monkeypatch):
    source = tmp_path / "scored.jsonl"
    source.write_text(json.dumps(ROWS[0]) + "\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails as if not installed
    assert main(["report", str(source), "--output", str(tmp_path / "r.html")]) == 2
    assert "pip install 'diplostance[serve]'" in capsys.readouterr().err


def test_summarize_counts_days_keeps_the_top_actors_and_gaps():
    from classifier.service.report import summarize

    rows = [{**ROWS[0], "date": "2024-03-01"}, {**ROWS[2], "date": "2024-03-03"}, {**ROWS[4], "date": "2024-03-03"}]
    data = summarize(rows, top_actors=1, examples=1)
    assert [(a.name, a.statements) for a in data.actors] == [("Israel", 2)] and data.speakers == 2
    timeline = data.timeline
    assert timeline.unit == "day" and timeline.periods == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert timeline.totals == [1, 0, 2]
    assert timeline.shares(S) == [0.0, None, 1.0]  # a day without statements has no share, not 0
    assert [t.statement_id for t in data.top[S]] == ["a2-1"] and data.top[W] == []
