"""The page in a real browser: Debian's chromium, driven by Playwright, against the real service on a local port.

Screenshots go under each test's tmp_path and, when ``DIPLOSTANCE_SCREENSHOTS`` names a folder, there too (the
docs' images: ``DIPLOSTANCE_SCREENSHOTS=docs/img``). ``DIPLOSTANCE_PAGE_MODEL`` serves that model directory
instead of the tiny random one, so such screenshots show real labels.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import statistics
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = _chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no chromium at /usr/bin/chromium or on PATH (Debian: apt-get install chromium)"
    ),
]

ARTICLE = Path(__file__).parents[1] / "examples" / "articles" / "ceasefire_talks.txt"
KEY = "s3cret-key"


@contextmanager
def serving(app):
    """``app`` served by uvicorn in a thread on a free 127.0.0.1 port; yields its base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the service stopped while starting (its error is in the log above)")
        if time.monotonic() > deadline:
            raise TimeoutError("the service did not start within 180 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def varied_model(trained: Path, path: Path) -> Path:
    """The tiny model with thresholds set from its own scores on the article: as trained, it gives every statement
    the same stances, and filters over identical rows prove nothing. Now the statement it scores lowest on the
    first stance has none, about half have the first, some the second, and no statement has the others."""
    from classifier.pipeline import ArticleScorer

    shutil.copytree(trained, path)
    scorer = ArticleScorer.from_pretrained(path)
    rows = [s.as_dict() for s in scorer.score(ARTICLE.read_text(encoding="utf-8"))]
    first, second, *others = scorer.model.stance_labels
    lowest = min(rows, key=lambda row: row["stance_scores"][first])
    thresholds = dict.fromkeys(others, 1.01)
    thresholds[first] = statistics.median(row["stance_scores"][first] for row in rows)
    thresholds[second] = max(
        lowest["stance_scores"][second] + 1e-6, statistics.median(row["stance_scores"][second] for row in rows)
    )
    meta = json.loads((path / "diplostance.json").read_text(encoding="utf-8"))
    (path / "diplostance.json").write_text(json.dumps({**meta, "thresholds": thresholds}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served_model(request, tmp_path_factory) -> Path:
    chosen = os.environ.get("DIPLOSTANCE_PAGE_MODEL")
    if chosen:
        return Path(chosen)
    return varied_model(request.getfixturevalue("trained_model_dir"), tmp_path_factory.mktemp("page") / "model")


@pytest.fixture(scope="module")
def base_url(served_model):
    from classifier.service.app import create_app

    with serving(create_app(served_model)) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_url(served_model):
    from classifier.service.app import create_app

    with serving(create_app(served_model, api_key=KEY)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        # Chromium runs as root in CI containers, where its sandbox cannot start
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"the page raised: {errors}"


def screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 1000
    folder = os.environ.get("DIPLOSTANCE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(folder) / name)
    return path


def api_rows(base: str, text: str, article_id: str, key: str | None = None) -> list[dict]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(f"{base}/v1/score", json={"articles": [{"id": article_id, "text": text}]},
                          headers=headers, timeout=60)  # fmt: skip
    response.raise_for_status()
    return response.json()["statements"]


def score(page, text: str, article_id: str = "ceasefire") -> None:
    page.fill("#article-text", text)
    page.fill("#article-id", article_id)
    page.click("#score-button")
    expect(page.locator("#status")).to_contain_text("found")


def table_rows(page) -> list[dict]:
    return page.eval_on_selector_all(
        "#statements tbody tr",
        """rows => rows.map(r => ({id: r.dataset.statementId, speaker: r.dataset.speaker,
                                   stances: JSON.parse(r.dataset.stances)}))""",
    )


def marks(page) -> list[dict]:
    # A highlight's own text: its clone without the speaker labels (its own and those of nested highlights).
    return page.eval_on_selector_all(
        "#article-view mark.hl",
        """marks => marks.map(m => {
             const bare = m.cloneNode(true);
             bare.querySelectorAll('.hl-label, .visually-hidden').forEach(n => n.remove());
             return {start: +m.dataset.start, end: +m.dataset.end, ids: m.dataset.statementIds.split(' '),
                     text: bare.textContent, label: m.querySelector('.hl-label').textContent,
                     tabindex: m.getAttribute('tabindex'), title: m.title};
           })""",
    )


def test_highlights_and_table_show_the_api_rows(page, base_url, tmp_path):
    text = ARTICLE.read_text(encoding="utf-8")
    page.goto(base_url)
    info = httpx.get(f"{base_url}/v1/info").json()
    score(page, text)
    rows = api_rows(base_url, text, "ceasefire")
    assert rows, "the example article should yield statements"

    assert table_rows(page) == [
        {"id": r["statement_id"], "speaker": r["speaker"], "stances": r["stances"]} for r in rows
    ]
    shown = marks(page)
    by_id = {row["statement_id"]: row for row in rows}
    assert sorted(i for mark in shown for i in mark["ids"]) == sorted(by_id)
    for mark in shown:
        assert mark["text"] == text[mark["start"] : mark["end"]]
        assert mark["tabindex"] == "0"
        for statement_id in mark["ids"]:
            row = by_id[statement_id]
            assert (row["start"], row["end"]) == (mark["start"], mark["end"])
            assert row["speaker"] in mark["label"]
            assert "stance scores" in mark["title"]
    # nothing of the article is lost or doubled by the highlighting
    bare_view = page.eval_on_selector(
        "#article-view",
        """v => { const c = v.cloneNode(true);
                  c.querySelectorAll('.hl-label, .visually-hidden').forEach(n => n.remove());
                  return c.textContent; }""",
    )
    assert bare_view == text
    legend = page.locator("#legend li").all_inner_texts()
    assert legend[: len(info["stance_labels"])] == [label.replace("_", " ") for label in info["stance_labels"]]
    assert {"no stance", "several stances"} <= set(legend)

    # the keyboard opens a highlight's scores, Escape closes them and gives the focus back
    page.focus("#article-view mark.hl")
    page.keyboard.press("Enter")
    details = page.locator("#details")
    expect(details).to_be_visible()
    first = by_id[shown[0]["ids"][0]]
    expect(details).to_contain_text(first["speaker"])
    for label in [*first["stance_scores"], *first["sentiment_scores"]]:
        expect(details).to_contain_text(label.replace("_", " "))
    screenshot(page, tmp_path, "page.png")
    page.keyboard.press("Escape")
    expect(details).to_be_hidden()
    assert page.evaluate("document.activeElement.matches('#article-view mark.hl')")


def test_filters_sorting_and_downloads(page, base_url, tmp_path):
    from classifier.output import flat_columns

    text = ARTICLE.read_text(encoding="utf-8")
    page.goto(base_url)
    score(page, text)
    rows = api_rows(base_url, text, "ceasefire")
    info = httpx.get(f"{base_url}/v1/info").json()

    counts = {label: sum(label in r["stances"] for r in rows) for label in info["stance_labels"]}
    counts[":none"] = sum(not r["stances"] for r in rows)
    assert 0 < counts[":none"] < len(rows) and 0 < counts[info["stance_labels"][0]] < len(rows), "rows too alike"
    for value, expected in counts.items():
        page.select_option("#filter-stance", value)
        shown = table_rows(page)
        assert len(shown) == expected, value
        assert all((value in r["stances"]) if value != ":none" else not r["stances"] for r in shown)

    page.select_option("#filter-stance", "")
    speaker = max({r["speaker"] for r in rows}, key=lambda s: sum(r["speaker"] == s for r in rows))
    page.select_option("#filter-speaker", speaker)
    shown = table_rows(page)
    assert [r["id"] for r in shown] == [r["statement_id"] for r in rows if r["speaker"] == speaker]
    expect(page.locator("#table-count")).to_contain_text(f"{len(shown)} of {len(rows)}")

    # the downloads hold the filtered rows: JSONL exactly as the API gave them, CSV as `score --format csv`
    with page.expect_download() as caught:
        page.click("#download-jsonl")
    lines = Path(caught.value.path()).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [r for r in rows if r["speaker"] == speaker]
    with page.expect_download() as caught:
        page.click("#download-csv")
    assert caught.value.suggested_filename == "ceasefire-statements.csv"
    table = list(csv.DictReader(io.StringIO(Path(caught.value.path()).read_text(encoding="utf-8"))))
    assert list(table[0]) == flat_columns(info["stance_labels"], info["sentiment_labels"])
    assert [(r["statement_id"], r["stances"]) for r in table] == [
        (r["statement_id"], ";".join(r["stances"])) for r in rows if r["speaker"] == speaker
    ]

    page.select_option("#filter-speaker", "")
    page.click("#statements th button[data-sort='speaker']")
    header = page.locator("#statements th", has=page.locator("button[data-sort='speaker']"))
    expect(header).to_have_attribute("aria-sort", "ascending")
    ascending = [r["speaker"] for r in table_rows(page)]
    assert ascending == sorted(ascending, key=str.casefold)
    page.click("#statements th button[data-sort='speaker']")
    expect(header).to_have_attribute("aria-sort", "descending")
    assert [r["speaker"] for r in table_rows(page)] == sorted(ascending, key=str.casefold, reverse=True)
    assert page.locator("#statements th[aria-sort]").count() == 1


def test_csv_cells_cannot_run_as_formulas(page, base_url):
    page.goto(base_url)
    row = {"article_id": "a", "statement_id": "a-1", "speaker": '=HYPERLINK("x")', "speaker_mention": None,
           "on_behalf_of": "@team", "actor": None, "text": '-2 said "no",\nthen left', "start": 0, "end": 5,
           "kind": "direct", "polarity": "asserted", "cue": "+said", "stances": [], "sentiment": "neutral",
           "stance_scores": {"calls_for_ceasefire": -0.5}, "sentiment_scores": {"neutral": 1}}  # fmt: skip
    text = page.evaluate(
        "async row => (await import('/static/app.js')).toCsv([row], ['calls_for_ceasefire'], ['neutral'])", row
    )
    (cells,) = list(csv.DictReader(io.StringIO(text)))
    assert cells["speaker"] == '\'=HYPERLINK("x")'
    assert cells["on_behalf_of"] == "'@team"
    assert cells["text"] == '\'-2 said "no",\nthen left'
    assert cells["cue"] == "'+said"
    assert cells["stance_calls_for_ceasefire"] == "-0.5"  # numbers are left alone
    assert cells["actor_id"] == ""


def test_narrow_screen_has_no_horizontal_scroll(page, base_url, tmp_path):
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(base_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#article-text", ARTICLE.read_text(encoding="utf-8"))
    page.press("#article-text", "Control+Enter")
    expect(page.locator("#status")).to_contain_text("found")
    page.click("#article-view mark.hl")
    expect(page.locator("#details")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the table scrolls inside its own box instead
    assert page.evaluate("(w => w.scrollWidth > w.clientWidth)(document.querySelector('.table-wrap'))")
    screenshot(page, tmp_path, "page-360.png")


def test_errors_are_shown_with_the_apis_detail(page, base_url):
    page.goto(base_url)
    alert = page.get_by_role("alert")
    page.fill("#article-text", "   \n ")
    page.click("#score-button")
    expect(alert).to_contain_text("no text to score")

    limit = httpx.get(f"{base_url}/v1/info").json()["limits"]["max_chars"]
    page.eval_on_selector("#article-text", "(box, n) => { box.value = 'Russia said no. '.repeat(n); }", limit // 16 + 1)
    page.click("#score-button")
    expect(alert).to_contain_text("413")
    expect(alert).to_contain_text("over the limit")
    expect(page.locator("#results")).to_be_hidden()

    page.route("**/v1/score", lambda route: route.abort())
    page.fill("#article-text", "Russia called for a ceasefire.")
    page.click("#score-button")
    expect(alert).to_contain_text("could not be reached")
    expect(page.locator("#score-button")).to_be_enabled()


def test_api_key_is_asked_once_and_the_request_retried(page, keyed_url):
    text = ARTICLE.read_text(encoding="utf-8")
    assert httpx.post(f"{keyed_url}/v1/score", json={"articles": [{"text": text}]}).status_code == 401
    page.goto(keyed_url)
    key_box = page.get_by_label("API key")
    alert, button = page.get_by_role("alert"), page.locator("#score-button")
    expect(key_box).to_be_visible()  # /v1/info answered 401 when the page opened
    assert key_box.get_attribute("type") == "password"

    # a request waiting for the key fails with the API's detail when the prompt is cancelled; the prompt the page
    # opened with is cancelled first, so the one cancelled below is surely this request's own (a request still on
    # its way when the first prompt closes asks again: cancelling too early raced it on a loaded machine)
    page.click("#key-cancel")
    expect(key_box).to_be_hidden()
    page.fill("#article-text", text)
    button.click()
    expect(button).to_be_disabled()
    expect(key_box).to_be_visible()
    page.click("#key-cancel")
    expect(alert).to_contain_text("(401): missing or wrong API key")
    expect(button).to_be_enabled()
    expect(key_box).to_be_hidden()

    waiting = page.locator("#status")
    button.click()
    expect(waiting).to_have_text("Waiting for the API key…")
    key_box.fill("wrong")
    key_box.press("Enter")  # sent once more with the wrong key: refused, and asked again
    expect(alert).to_contain_text("wrong API key")
    expect(page.locator("#key-message")).to_contain_text("not accepted")

    button.click()
    expect(waiting).to_have_text("Waiting for the API key…")
    key_box.fill(KEY)
    key_box.press("Enter")  # the waiting requests go again, now with the key
    expect(page.locator("#status")).to_contain_text("found")
    expect(key_box).to_be_hidden()
    expect(alert).to_be_empty()
    assert len(table_rows(page)) == len(api_rows(keyed_url, text, "article", key=KEY))
    assert KEY not in page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")


def test_html_files_become_text_and_article_text_is_never_markup(page, base_url, tmp_path):
    page.goto(base_url)
    upload = tmp_path / "briefing.html"
    upload.write_text(
        "<html><head><title>t</title><style>p{color:red}</style></head><body><nav>Home</nav>"
        "<script>window.ran = 1</script><h1>Talks</h1><p>Russia called for an immediate ceasefire.</p>"
        "<p>Turkey said   Azerbaijan<br>has the right to defend itself.</p></body></html>",
        encoding="utf-8",
    )
    page.set_input_files("#article-file", str(upload))
    box = page.locator("#article-text")
    paragraphs = ["Home", "Talks", "Russia called for an immediate ceasefire.", "Turkey said Azerbaijan\nhas the right"]
    expect(box).to_have_value("\n\n".join(paragraphs) + " to defend itself.")
    expect(page.locator("#article-id")).to_have_value("briefing")
    dropped = page.evaluate_handle(
        """() => { const data = new DataTransfer();
                   data.items.add(new File(['Moscow urged calm.'], 'wire.txt', {type: 'text/plain'}));
                   return data; }"""
    )
    page.dispatch_event("#article-text", "drop", {"dataTransfer": dropped})
    expect(box).to_have_value("Moscow urged calm.")

    # markup in the article stays text; an emoji (two UTF-16 units, one Python character) moves no highlight
    hostile = (
        '🇷🇺 Russia said "<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>" on Monday.\n\n'
        "Turkey said Azerbaijan has every right to defend itself."
    )
    score(page, hostile, "x<b>")
    view = page.locator("#article-view")
    assert view.locator("img, script, b").count() == 0
    expect(view).to_contain_text('<img src=x onerror="window.pwned=1">')
    assert page.evaluate("window.pwned === undefined && window.ran === undefined")
    rows = api_rows(base_url, hostile, "x<b>")
    assert rows
    assert sorted((m["start"], m["text"]) for m in marks(page)) == sorted({(r["start"], r["text"]) for r in rows})


def test_report_of_the_rows_renders_its_figures(browser, base_url, tmp_path):
    report = pytest.importorskip("classifier.service.report")
    scored = tmp_path / "scored.jsonl"
    rows = api_rows(base_url, ARTICLE.read_text(encoding="utf-8"), "ceasefire")
    scored.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    output = tmp_path / "report.html"
    assert report.report_command([str(scored)], str(output)) == 0

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(output.as_uri())
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => ({src: i.src.slice(0, 22), ok: i.complete && i.naturalWidth > 0}))"
    )
    assert images, "the report should have figures"
    assert all(image == {"src": "data:image/png;base64,", "ok": True} for image in images), images
    screenshot(page, tmp_path, "report.png")
    context.close()
