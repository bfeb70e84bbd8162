"""A self-contained HTML report of ``diplostance score`` output: stance counts, who says what, stances over time,
the most confident statements, and what extraction found.

Counting (:func:`summarize`, a pure function over rows) lives here, drawing and writing in
:mod:`classifier.service.report_html`, so every figure's numbers can be checked without reading an image; the
page gives each figure's numbers as a table too. The page loads nothing: figures are inline PNG data URIs drawn
with matplotlib's Agg backend, the style sheet is inline.
"""

from __future__ import annotations

import heapq
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from classifier.io import InputError, read_jsonl

NONE = "none"  # the column of statements without a stance
DEFAULT_TITLE = "diplostance report"
DAILY_SPAN = 31  # days: dates within a month are charted per day, longer spans per month
INSTALL_HINT = "pip install 'diplostance[serve]'"


@dataclass
class TopStatement:
    """One of the most confident statements of a stance."""

    score: float | None
    article_id: str
    statement_id: str
    speaker: str
    text: str


@dataclass
class ActorRow:
    """One speaker of the speaker-by-stance matrix: the actor id when resolved, else the speaker as named."""

    name: str
    statements: int
    counts: dict[str, int]  # every stance label and ``none`` -> statements


@dataclass
class Timeline:
    """Statements per period (a day ``YYYY-MM-DD`` or a month ``YYYY-MM``), and how many carry each stance."""

    unit: str
    periods: list[str]
    totals: list[int]
    counts: dict[str, list[int]]  # every stance label and ``none`` -> statements per period

    def shares(self, label: str) -> list[float | None]:
        """The share of each period's statements that carry ``label``; None for a period without statements."""
        return [n / total if total else None for n, total in zip(self.counts[label], self.totals)]


@dataclass
class ReportData:
    """Everything the report shows, as numbers."""

    statements: int
    articles: int
    stance_labels: list[str]
    stance_counts: dict[str, int]  # every stance label, then ``none``
    sentiment_counts: dict[str, int]
    actors: list[ActorRow]  # the most frequent, most first
    speakers: int  # distinct actors and unresolved speakers
    timeline: Timeline | None
    dated: int  # statements with a date
    top: dict[str, list[TopStatement]]  # stance label -> its most confident statements, most first
    per_article: dict[str, float]  # mean, median, max statements per article (articles with none are not seen)
    with_actor: int
    with_on_behalf_of: int
    polarity_counts: dict[str, int]
    kind_counts: dict[str, int]
    sources: list[str] = field(default_factory=list)


def parse_date(value: object) -> date | None:
    """The day of an ISO date or date-time string (``2024-03-05``, ``2024-03-05T14:00:00Z``); None for no value.

    >>> parse_date("2024-03-05T14:00:00Z"), parse_date(None)
    (datetime.date(2024, 3, 5), None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if len(text) >= 10 and (len(text) == 10 or text[10] in "T "):
            return date.fromisoformat(text[:10])
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD, optionally followed by a time)")


def summarize(rows: Iterable[dict], top_actors: int = 15, examples: int = 5) -> ReportData:
    """Count ``diplostance score`` rows for the report, in one pass (rows are not kept, only the counts and the
    ``examples`` best statements of each stance). A row's date is its ``date`` or ``article_date``.

    >>> rows = [{"article_id": "a", "statement_id": "a-1", "speaker": "Russia", "actor": None, "text": "...",
    ...          "stances": ["calls_for_ceasefire"], "stance_scores": {"calls_for_ceasefire": 0.9}}]
    >>> data = summarize(rows)
    >>> data.stance_counts, data.actors[0].name, data.top["calls_for_ceasefire"][0].score
    ({'calls_for_ceasefire': 1, 'none': 0}, 'Russia', 0.9)
    """
    labels: list[str] = []
    stances, sentiments, polarities, kinds = Counter(), Counter(), Counter(), Counter()
    per_article: Counter[str] = Counter()
    by_actor: dict[str, Counter] = {}
    by_day: dict[date, Counter] = {}
    best: dict[str, list] = {}
    statements = with_actor = with_behalf = 0
    for number, row in enumerate(rows):
        statements += 1
        for label in [*(row.get("stance_scores") or {}), *row["stances"]]:
            if label not in labels:
                labels.append(label)
        carried = list(dict.fromkeys(row["stances"])) or [NONE]
        stances.update(carried)
        per_article[str(row["article_id"])] += 1
        actor = row.get("actor")
        with_actor += actor is not None
        with_behalf += row.get("on_behalf_of") is not None
        name = str(actor["id"]) if actor and actor.get("id") else str(row.get("speaker") or "(no speaker)")
        by_actor.setdefault(name, Counter()).update([*carried, "_total"])
        for key, counter in (("sentiment", sentiments), ("polarity", polarities), ("kind", kinds)):
            if row.get(key) is not None:
                counter[str(row[key])] += 1
        day = parse_date(row.get("date") or row.get("article_date"))
        if day is not None:
            by_day.setdefault(day, Counter()).update([*carried, "_total"])
        for label in row["stances"]:
            score = (row.get("stance_scores") or {}).get(label)
            item = (float("-inf") if score is None else score, -number, _top(row, score))
            heap = best.setdefault(label, [])
            if examples > 0:
                (heapq.heappush if len(heap) < examples else heapq.heappushpop)(heap, item)
    ranked = sorted(by_actor.items(), key=lambda kv: (-kv[1]["_total"], kv[0]))[:top_actors]
    counts = per_article.values()
    return ReportData(
        statements=statements,
        articles=len(per_article),
        stance_labels=labels,
        stance_counts={label: stances[label] for label in [*labels, NONE]},
        sentiment_counts=dict(sentiments.most_common()),
        actors=[ActorRow(name, c["_total"], {label: c[label] for label in [*labels, NONE]}) for name, c in ranked],
        speakers=len(by_actor),
        timeline=_timeline(by_day, labels) if by_day else None,
        dated=sum(c["_total"] for c in by_day.values()),
        top={label: [item[2] for item in sorted(best.get(label, []), reverse=True)] for label in labels},
        per_article={"mean": statistics.fmean(counts), "median": statistics.median(counts), "max": max(counts)}
        if counts
        else {},
        with_actor=with_actor,
        with_on_behalf_of=with_behalf,
        polarity_counts=dict(polarities.most_common()),
        kind_counts=dict(kinds.most_common()),
    )


def _top(row: dict, score: float | None) -> TopStatement:
    speaker = str(row.get("speaker") or "")
    return TopStatement(score, str(row["article_id"]), str(row.get("statement_id", "")), speaker, str(row["text"]))


def _timeline(by_day: dict[date, Counter], labels: list[str]) -> Timeline:
    first, last = min(by_day), max(by_day)
    if (last - first).days <= DAILY_SPAN:
        unit = "day"
        periods = [date.fromordinal(n).isoformat() for n in range(first.toordinal(), last.toordinal() + 1)]
        key = date.isoformat
    else:
        unit = "month"
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        periods = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months]

        def key(day: date) -> str:
            return f"{day.year:04d}-{day.month:02d}"

    grouped: dict[str, Counter] = {period: Counter() for period in periods}
    for day, counter in by_day.items():
        grouped[key(day)].update(counter)
    return Timeline(
        unit,
        periods,
        [grouped[p]["_total"] for p in periods],
        {label: [grouped[p][label] for p in periods] for label in [*labels, NONE]},
    )


# Reading


def read_dates(path: str | Path) -> Iterator[tuple[str, date] | InputError]:
    """``(article id, date)`` pairs from a JSONL file of ``{"id" (or "article_id"), "date"}`` records, such as
    the articles JSONL that was scored; bad lines come out as :class:`InputError`."""
    for item in read_jsonl(Path(path), required=()):
        if isinstance(item, InputError):
            yield item
            continue
        number, record = item
        key = "id" if "id" in record else "article_id"
        if record.get(key) is None:
            yield InputError(str(path), number, "id", "missing (give each record an id and a date)")
            continue
        try:
            day = parse_date(record.get("date"))
        except ValueError as err:
            yield InputError(str(path), number, "date", str(err))
            continue
        if day is None:
            yield InputError(str(path), number, "date", "missing")
        else:
            yield str(record[key]), day


def read_rows(paths: Iterable[str | Path], dates: dict[str, date] | None = None) -> Iterator[dict | InputError]:
    """Stream ``diplostance score`` JSONL rows from ``paths``; a bad line comes out as an :class:`InputError` and
    is skipped. Each row's ``date`` is set: its own ``date`` or ``article_date``, else its article's date in
    ``dates``, else None. An unreadable date is reported (an :class:`InputError` with field ``date``) and the
    row follows without one."""
    for path in paths:
        for item in read_jsonl(Path(path), required=()):
            if isinstance(item, InputError):
                yield item
                continue
            number, row = item
            problem = _check_row(row)
            if problem is not None:
                yield InputError(str(path), number, *problem)
                continue
            value = row.get("date") or row.get("article_date")
            try:
                row["date"] = parse_date(value) if value else (dates or {}).get(str(row["article_id"]))
            except ValueError as err:
                yield InputError(str(path), number, "date", f"{err}; the statement is counted without a date")
                row["date"] = None
            yield row


def _check_row(row: dict) -> tuple[str, str] | None:
    if "article_id" not in row:
        hint = " (a `predict` row has none: the report reads `diplostance score` output)" if "id" in row else ""
        return "article_id", "missing" + hint
    for key in ("statement_id", "text"):
        if not isinstance(row.get(key), (str, int)) or row[key] == "":
            return key, "missing" if key not in row else "must be a non-empty string"
    if not isinstance(row.get("stances"), list) or not all(isinstance(s, str) for s in row["stances"]):
        return "stances", "must be a list of label names"
    scores = row.get("stance_scores", {})
    if not isinstance(scores, dict) or not all(isinstance(v, (int, float)) for v in scores.values()):
        return "stance_scores", "must be an object of label: probability"
    actor = row.get("actor")
    if actor is not None and not isinstance(actor, dict):
        return "actor", "must be an object with an id, or null"
    return None


def report_command(
    inputs: list[str],
    output: str,
    top_actors: int = 15,
    examples: int = 5,
    title: str = DEFAULT_TITLE,
    dates: str | None = None,
) -> int:
    """``diplostance report``: read, count, draw and write; bad lines are reported on standard error and skipped.

    Returns 0, or 1 when something was reported and skipped. Raises ``ValueError`` when no statement is left to
    report on (nothing is written then) and ``FileNotFoundError`` for a missing input.
    """
    from classifier.service.report_html import require_matplotlib

    require_matplotlib()
    if top_actors < 1 or examples < 1:
        raise ValueError("--top-actors and --examples must be at least 1")
    for name in [*inputs, *([dates] if dates else [])]:
        path = Path(name)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        if path.name.lower().endswith((".csv", ".parquet", ".txt", ".html")):
            raise ValueError(f"{path}: the report reads JSONL, as `diplostance score --output FILE.jsonl` writes it")
    problems = 0

    def say(error: InputError, what: str = "skipped") -> None:
        nonlocal problems
        problems += 1
        print(f"diplostance report: {what} {error}", file=sys.stderr)

    mapping: dict[str, date] = {}
    for item in read_dates(dates) if dates else ():
        if isinstance(item, InputError):
            say(item)
        else:
            mapping[item[0]] = item[1]
    not_in_dates: set[str] = set()

    def good_rows() -> Iterator[dict]:
        for item in read_rows(inputs, mapping):
            if isinstance(item, InputError):
                # a bad date loses the statement its place in time only; any other problem, the statement
                say(item, "warning:" if item.field == "date" else "skipped")
                continue
            if dates and item["date"] is None:
                not_in_dates.add(str(item["article_id"]))
            yield item

    data = summarize(good_rows(), top_actors, examples)
    if not_in_dates:
        listed = ", ".join(sorted(not_in_dates)[:3]) + (", ..." if len(not_in_dates) > 3 else "")
        print(f"diplostance report: warning: {len(not_in_dates)} article(s) have no date in {dates} ({listed}): "
              "their statements are left out of the chart over time", file=sys.stderr)  # fmt: skip
    if not data.statements:
        skipped = f" ({problems} line(s) skipped)" if problems else ""
        raise ValueError(f"no statements in {', '.join(inputs)}{skipped}: nothing to report (`diplostance score` "
                         "writes no row for an article where it found no statement)")  # fmt: skip
    data.sources = [str(name) for name in inputs]
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    from classifier.service.report_html import render_html  # the drawing half: matplotlib loads only here

    path.write_text(render_html(data, title), encoding="utf-8")
    print(f"diplostance report: {data.statements} statement(s) from {data.articles} article(s) -> {path}"
          + (f"; {problems} problem(s) reported" if problems else ""), file=sys.stderr)  # fmt: skip
    return 1 if problems else 0
