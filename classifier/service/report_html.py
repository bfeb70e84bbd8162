"""The drawing half of ``diplostance report``: :class:`~classifier.service.report.ReportData` as one HTML page.

One function per section, each drawing its figure (matplotlib, Agg backend, inline PNG) beside a table of the
figure's numbers; every string from the data is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import re

from classifier.service.report import DEFAULT_TITLE, INSTALL_HINT, NONE, ReportData

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


def require_matplotlib() -> None:
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
