"""A self-contained HTML report of ``diplostance score`` output: stance counts, who says what, stances over time,
the most confident statements, and what extraction found.

Counting (:func:`summarize`, a pure function over rows) is kept apart from drawing and writing
(:func:`render_html`), so every figure's numbers can be checked without reading an image; the page gives each
figure's numbers as a table too. The page loads nothing: figures are inline PNG data URIs drawn with matplotlib's
Agg backend, the style sheet is inline.
"""

from __future__ import annotations

import base64
import heapq
import html
import io
import re
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
    _require_matplotlib()
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
    path.write_text(render_html(data, title), encoding="utf-8")
    print(f"diplostance report: {data.statements} statement(s) from {data.articles} article(s) -> {path}"
          + (f"; {problems} problem(s) reported" if problems else ""), file=sys.stderr)  # fmt: skip
    return 1 if problems else 0


# Rendering: one function per section, each drawing its figure beside the table of the figure's numbers.


def render_html(data: ReportData, title: str = DEFAULT_TITLE) -> str:
    """The report as one self-contained HTML page (figures inline, nothing loaded from elsewhere); every string
    taken from the data is escaped.

    >>> rows = [{"article_id": "a", "statement_id": "a-1", "speaker": "<b>", "text": "x", "stances": [],
    ...          "stance_scores": {"calls_for_ceasefire": 0.1}}]
    >>> page = render_html(summarize(rows))  # doctest: +SKIP
    >>> "&lt;b&gt;" in page and "<b>" not in page  # doctest: +SKIP
    True
    """
    import matplotlib

    from classifier import __version__

    if not data.statements:
        raise ValueError("no statements to report")
    sources = f" from {', '.join(_e(s) for s in data.sources)}" if data.sources else ""
    intro = (
        f"<h1>{_e(title)}</h1><p>{data.statements} statement(s) in {data.articles} article(s){sources}. A statement "
        f"may carry several stances, so the stance counts can add up to more than the statements; <em>{NONE}</em> "
        'counts the statements with no stance.</p><nav><a href="#stances">Stances</a> · <a href="#speakers">'
        'Speakers</a> · <a href="#time">Over time</a> · <a href="#examples">Most confident statements</a> · '
        '<a href="#extraction">Extraction</a></nav>'
    )
    # Names and statements may hold "$": they are drawn as text, never parsed as TeX.
    with matplotlib.rc_context({"text.parse_math": False, "font.size": 10}):
        sections = [_stances(data), _speakers(data), _over_time(data), _examples(data), _extraction(data)]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{_e(title)}</title><style>{STYLE}</style></head>'
        f"<body><main>{intro}{''.join(sections)}</main><footer>diplostance {_e(__version__)}</footer></body></html>\n"
    )


def _stances(data: ReportData) -> str:
    columns, counts, n = [*data.stance_labels, NONE], data.stance_counts, data.statements
    colors = _colors(data.stance_labels)
    fig = _figure(7.5, 0.5 * len(columns) + 1.0)
    ax = fig.subplots()
    bars = ax.barh(columns[::-1], [counts[c] for c in columns[::-1]], color=[colors[c] for c in columns[::-1]])
    ax.bar_label(bars, padding=3)
    ax.set_xlabel("statements")
    ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)
    listed = ", ".join(f"{c} {counts[c]}" for c in columns)
    out = _section("stances", "Statements per stance")
    out += _img(_png(fig), f"Bar chart of statements per stance: {listed}. The table below gives the same numbers.")
    rows = [[c, counts[c], _pct(counts[c], n)] for c in columns]
    out += _table("stance-counts", "Statements per stance", ["stance", "statements", "share of statements"], rows)
    if data.sentiment_counts:
        rows = [[k, v, _pct(v, n)] for k, v in data.sentiment_counts.items()]
        out += _table("sentiment-counts", "Statements per sentiment", ["sentiment", "statements", "share"], rows)
    return out + "</section>"


def _speakers(data: ReportData) -> str:
    from matplotlib.colors import PowerNorm

    columns = [*data.stance_labels, NONE]
    matrix = [[row.counts[c] for c in columns] for row in data.actors]
    peak = max(max(row) for row in matrix) or 1
    fig = _figure(1.3 * len(columns) + 3.2, 0.42 * len(data.actors) + 1.6)
    ax = fig.subplots()
    # a square-root scale: one large cell (often "none") would otherwise wash out every stance column
    norm = PowerNorm(0.5, vmin=0, vmax=peak)
    ax.imshow(matrix, cmap="Blues", aspect="auto", norm=norm)
    ax.set_xticks(range(len(columns)), [c.replace("_", " ") for c in columns], rotation=25, ha="right")
    ax.set_yticks(range(len(data.actors)), [_short(row.name) for row in data.actors])
    ax.tick_params(length=0)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if norm(value) > 0.6 else "black")
    shown = len(data.actors)
    out = _section("speakers", "Who takes which stance")
    out += (
        f"<p>The {shown} most frequent of {data.speakers} speakers: the actor id where the speaker was resolved to "
        "one, else the speaker as named. Each cell counts the speaker's statements carrying the stance.</p>"
    )
    out += _img(_png(fig), f"Heat map of statements per stance for the {shown} most frequent speakers, the counts "
                "in the cells. The table below gives the same numbers.")  # fmt: skip
    rows = [[a.name, a.statements, *(a.counts[c] for c in columns)] for a in data.actors]
    heading = ["speaker", "statements", *columns]
    return out + _table("speaker-stances", "Statements per speaker and stance", heading, rows) + "</section>"


def _over_time(data: ReportData) -> str:
    out, timeline = _section("time", "Stances over time"), data.timeline
    if timeline is None:
        return out + (
            "<p>No chart over time: no statement has a date. <code>diplostance score</code> copies the <code>date"
            "</code> of JSONL and Parquet article records into its rows; for articles without one, give the report "
            "their dates with <code>--dates FILE.jsonl</code> (records with <code>id</code> and <code>date</code>)."
            "</p></section>"
        )
    columns, colors = [*data.stance_labels, NONE], _colors(data.stance_labels)
    periods, unit = timeline.periods, timeline.unit
    fig = _figure(max(7.5, min(14.0, 0.3 * len(periods) + 3)), 4.2)
    ax = fig.subplots()
    for label in columns:
        shares = [float("nan") if s is None else 100 * s for s in timeline.shares(label)]
        ax.plot(range(len(periods)), shares, marker="o", markersize=4, color=colors[label], label=label)
    step = max(1, len(periods) // 12)
    ax.set_xticks(range(0, len(periods), step), periods[::step], rotation=30, ha="right")
    ax.set_ylabel("share of the period's statements (%)")
    ax.set_ylim(0, 100)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    undated = data.statements - data.dated
    left_out = f" {undated} statement(s) without a date are left out." if undated else ""
    span = f"{periods[0]} to {periods[-1]}"
    out += f"<p>The share of each {unit}'s statements that carry each stance, {_e(span)}.{left_out}</p>"
    out += _img(_png(fig), f"Line chart of each stance's share of the statements per {unit}, {span}. The table "
                "below gives the same numbers.")  # fmt: skip
    rows = [[p, total, *(_pct(timeline.counts[c][i], total) for c in columns)]
            for i, (p, total) in enumerate(zip(periods, timeline.totals))]  # fmt: skip
    heading = [unit, "statements", *columns]
    return out + _table("stances-over-time", f"Share of statements per {unit} and stance", heading, rows) + "</section>"


def _examples(data: ReportData) -> str:
    out = _section("examples", "Most confident statements")
    out += "<p>For each stance, the statements carrying it with the highest score for it.</p>"
    for label in data.stance_labels:
        out += f"<h3>{_e(label)}</h3>"
        top = data.top[label]
        if not top:
            out += "<p>No statement carries this stance.</p>"
            continue
        rows = [[rank, "–" if t.score is None else f"{t.score:.3f}", t.article_id, t.statement_id, t.speaker, t.text]
                for rank, t in enumerate(top, 1)]  # fmt: skip
        heading = ["rank", "score", "article", "statement", "speaker", "text"]
        out += _table(f"top-{_slug(label)}", f"Most confident {label} statements", heading, rows, numeric=1)
    return out + "</section>"


def _extraction(data: ReportData) -> str:
    n, per = data.statements, data.per_article
    rows = [
        ["articles", data.articles],
        ["statements", n],
        ["statements per article: mean", f"{per['mean']:.2f}"],
        ["statements per article: median", f"{per['median']:g}"],
        ["statements per article: max", per["max"]],
        ["statements with a resolved actor", _pct(data.with_actor, n)],
        ["statements with on_behalf_of", _pct(data.with_on_behalf_of, n)],
    ]
    out = _section("extraction", "Extraction")
    out += "<p>Articles where no statement was found write no row, so they are not counted here.</p>"
    out += _table("extraction-summary", "What extraction found", ["figure", "value"], rows)
    for key, counter in (("polarity", data.polarity_counts), ("kind", data.kind_counts)):
        if counter:
            rows = [[k, v, _pct(v, n)] for k, v in counter.items()]
            out += _table(f"{key}-counts", f"Statements per {key}", [key, "statements", "share"], rows)
    return out + "</section>"


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            f"the report draws its figures with matplotlib, which is not installed: {INSTALL_HINT}", name="matplotlib"
        ) from err


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # drawn by Agg, whatever backend pyplot would pick
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _colors(labels: list[str]) -> dict[str, str]:
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22"]
    return {label: palette[i % len(palette)] for i, label in enumerate(labels)} | {NONE: "#9a9a9a"}


def _short(name: str, limit: int = 38) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _section(anchor: str, heading: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(heading)}</h2>'


def _img(uri: str, alt: str) -> str:
    return f'<figure><img src="{uri}" alt="{_e(alt)}"></figure>'


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", label)


def _table(table_id: str, caption: str, head: list[str], rows: list[list[object]], numeric: int = 99) -> str:
    """An HTML table; the first cell of each row is its header, the next ``numeric`` cells align right."""
    out = [f'<table id="{_e(table_id)}"><caption>{_e(caption)}</caption><thead><tr>']
    out += [f'<th scope="col">{_e(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = [f'<th scope="row">{_e(row[0])}</th>']
        cells += [('<td class="num">' if i <= numeric else "<td>") + f"{_e(v)}</td>" for i, v in enumerate(row[1:], 1)]
        out.append(f"<tr>{''.join(cells)}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff;margin:0}
main{max-width:1100px;margin:0 auto;padding:1rem 1.5rem}footer{max-width:1100px;margin:2rem auto;padding:0 1.5rem;
color:#666;font-size:.85rem}h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;margin-top:2.2rem}
nav a{color:#0a58ca}figure{margin:1rem 0}img{max-width:100%;height:auto}
table{border-collapse:collapse;margin:.8rem 0 1.4rem;font-size:.9rem}caption{text-align:left;font-weight:600;
padding:.3rem 0}th,td{border:1px solid #d0d0d0;padding:.25rem .55rem;vertical-align:top;text-align:left}
thead th{background:#f2f4f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
section#examples td:last-child{max-width:48rem}section#examples td:nth-of-type(-n+3){white-space:nowrap}
code{background:#f2f4f7;padding:0 .2rem}
@media print{nav{display:none}h2{break-after:avoid}table,figure{break-inside:avoid}}
"""
