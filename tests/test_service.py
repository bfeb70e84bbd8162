"""The HTTP service: routes, limits, keys, CORS, micro-batching and failures, on the tiny trained model."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

import classifier  # noqa: E402
from classifier import onnx_backend  # noqa: E402
from classifier.cli import main  # noqa: E402
from classifier.pipeline import ArticleScorer, ScoredStatement, make_extractor  # noqa: E402
from classifier.service.app import Limits, create_app  # noqa: E402
from classifier.service.batching import MicroBatcher  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "examples" / "articles" / "ceasefire_talks.txt").read_text(encoding="utf-8")
STATEMENTS = [
    {"id": "s-1", "text": "Russia called for an immediate ceasefire and new talks.", "speaker": "Russia"},
    {"id": "s-2", "text": "Turkey said Azerbaijan has every right to defend itself.", "speaker": "Turkey"},
    {"id": "s-3", "text": "The council demanded that occupying forces pull out.", "speaker": "UN Security Council"},
]
KEY = "s3cret-key"
BOOM = "EXPLODE"  # a statement holding this makes the spied model raise


class Spy:
    """The real model, counting its ``predict`` calls; it raises on statements holding ``BOOM``."""

    def __init__(self, model) -> None:
        self.model, self.calls = model, 0

    def __getattr__(self, name):
        return getattr(self.model, name)

    def predict(self, texts, speakers=None, batch_size=32):
        self.calls += 1
        if any(BOOM in text for text in texts):
            raise RuntimeError(f"cannot label {texts[0]!r}")  # quotes the input, as real messages may
        return self.model.predict(texts, speakers, batch_size=batch_size)


def wait_until_ready(client, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while client.get("/health").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="module")
def spied():
    """Every model the service loads in this module is wrapped in a :class:`Spy`; the list holds them."""
    loaded, real = [], onnx_backend.load_model

    def load(path, backend="torch", threads=None, dtype="fp32"):
        loaded.append(Spy(real(path, backend, dtype=dtype)))
        return loaded[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(onnx_backend, "load_model", load)
        yield loaded


@pytest.fixture(scope="module")
def client(trained_model_dir, spied):
    """The default service: the parse extractor, no key, no CORS."""
    with TestClient(create_app(trained_model_dir)) as client:
        client.spy = spied[-1]
        yield client


@pytest.fixture(scope="module")
def guarded(trained_model_dir, spied):
    """A service with a key, a CORS origin and small limits."""
    limits = Limits(max_body_bytes=5_000, max_articles=2, max_statements=2, max_chars=300)
    app = create_app(trained_model_dir, api_key=KEY, cors_origin="https://news.example.org", limits=limits,
                     extractor="rules")  # fmt: skip
    with TestClient(app, headers={"Authorization": f"Bearer {KEY}"}) as client:
        yield client


def test_info_describes_the_model_and_limits(client, trained_model_dir):
    from classifier.modeling import StanceModel, resolve_dtype

    model = StanceModel.from_pretrained(trained_model_dir)
    info = client.get("/v1/info").json()
    assert info["model"] == trained_model_dir.name
    assert info["backend"] == "torch" and info["extractor"] == "parse"
    assert info["dtype"] == resolve_dtype("auto") == client.spy.dtype_name  # the service's default precision
    assert info["version"] == classifier.__version__
    assert info["stance_labels"] == model.stance_labels and info["sentiment_labels"] == model.sentiment_labels
    assert info["thresholds"] == pytest.approx(model.thresholds)
    saved = json.loads((trained_model_dir / "metrics.json").read_text(encoding="utf-8"))
    assert info["metrics"] == {"test": saved["test"], "dev": saved["dev"]}
    assert info["limits"] == dataclasses.asdict(Limits())


def test_score_gives_the_rows_of_the_score_command(client, trained_model_dir):
    # the service's default precision (auto), so the scores match to the last digit
    scorer = ArticleScorer(onnx_backend.load_model(trained_model_dir, dtype="auto"), make_extractor("parse"))
    expected = [statement.as_dict() for statement in scorer.score(ARTICLE, "talks")]
    assert expected  # the example article has statements to compare
    response = client.post("/v1/score", json={"articles": [{"id": "talks", "text": ARTICLE, "date": "2020-10-10"}]})
    assert response.status_code == 200
    assert response.json() == {"statements": expected}


def test_score_names_articles_without_an_id_by_place(client):
    text = "Russia called for a ceasefire, the Kremlin said."
    rows = client.post("/v1/score", json={"articles": [{"id": "first", "text": text}, {"text": text}]}).json()
    assert [row["article_id"] for row in rows["statements"]] == ["first", "article-2"]


def test_predict_gives_the_rows_of_the_predict_command(client, tmp_path, trained_model_dir):
    source = tmp_path / "statements.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in STATEMENTS), encoding="utf-8")
    output = tmp_path / "labelled.jsonl"
    assert main(["predict", "--model", str(trained_model_dir), "--input", str(source), "--output", str(output)]) == 0
    expected = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    response = client.post("/v1/predict", json={"statements": STATEMENTS})
    assert response.status_code == 200
    assert response.json() == {"predictions": expected}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"articles": [{"id": "a"}]}, ["body", "articles", 0, "text"]),
        ({"articles": [{"id": "a", "text": ""}]}, ["body", "articles", 0, "text"]),
        ({"articles": [{"id": "a", "text": " \n "}]}, ["body", "articles", 0, "text"]),
        ({"articles": [{"id": "a", "text": 42}]}, ["body", "articles", 0, "text"]),
        ({"articles": [{"id": 7, "text": "Russia called for a truce."}]}, ["body", "articles", 0, "id"]),
        ({"articles": "Russia called for a truce."}, ["body", "articles"]),
        ({"articles": []}, ["body", "articles"]),
        ({}, ["body", "articles"]),
    ],
)
def test_bad_score_requests_are_422_naming_the_field(client, body, loc):
    response = client.post("/v1/score", json=body)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]


def test_bad_predict_requests_are_422_naming_the_field(client):
    response = client.post("/v1/predict", json={"statements": [{"text": "fine"}, {"text": "", "speaker": "x"}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "statements", 1, "text"]
    assert "empty" in response.json()["detail"][0]["msg"]
    response = client.post("/v1/predict", json={"statements": [{"text": "fine", "speaker": ["a", "b"]}]})
    assert response.json()["detail"][0]["loc"] == ["body", "statements", 0, "speaker"]


def test_duplicate_article_ids_are_422(client):
    articles = [{"id": "a", "text": "Russia urged calm."}, {"id": "a", "text": "France urged calm."}]
    response = client.post("/v1/score", json={"articles": articles})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "articles", 1, "id"]


def test_body_over_the_limit_is_413_declared_or_streamed(guarded):
    body = json.dumps({"statements": [{"text": "x" * 6_000}]}).encode()
    declared = guarded.post("/v1/predict", content=body, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and "--max-body-bytes" in declared.json()["detail"]
    # no Content-Length: the body arrives in chunks and is counted as it comes
    streamed = guarded.post("/v1/predict", content=iter([body[:3_000], body[3_000:]]),
                            headers={"Content-Type": "application/json"})  # fmt: skip
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    ("route", "body", "names"),
    [
        ("/v1/score", {"articles": [{"text": "Calm, he said."}] * 3}, "--max-articles"),
        ("/v1/predict", {"statements": [{"text": "Calm."}] * 3}, "--max-statements"),
        ("/v1/score", {"articles": [{"text": "Calm. " * 60}]}, "articles[0].text"),
        ("/v1/predict", {"statements": [{"text": "Calm. " * 60}]}, "statements[0].text"),
    ],
)
def test_requests_over_a_limit_are_413(guarded, route, body, names):
    response = guarded.post(route, json=body)
    assert response.status_code == 413
    assert names in response.json()["detail"]


def test_within_the_limits_the_guarded_service_answers(guarded):
    response = guarded.post("/v1/score", json={"articles": [{"text": "Russia called for a ceasefire, Lavrov said."}]})
    assert response.status_code == 200 and response.json()["statements"]


def test_v1_routes_need_the_key(guarded):
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
        response = guarded.get("/v1/info", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in response.json()["detail"]
    # refused before the body is read: a request without the key learns nothing about limits or validation
    assert guarded.post("/v1/score", json={}, headers={"Authorization": ""}).status_code == 401
    assert guarded.get("/v1/info").status_code == 200
    assert guarded.get("/v1/info", headers={"Authorization": f"bearer {KEY}"}).status_code == 200
    assert guarded.get("/health", headers={"Authorization": ""}).json() == {"status": "ok"}
    assert guarded.get("/", headers={"Authorization": ""}).status_code in (200, 404)  # open, page or not


def test_no_cors_headers_by_default(client):
    response = client.get("/v1/info", headers={"Origin": "https://news.example.org"})
    assert response.status_code == 200
    assert not any(name.startswith("access-control-") for name in response.headers)
    preflight = client.options("/v1/score", headers={"Origin": "https://news.example.org",
                                                     "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_origin_lets_that_origin_only(guarded):
    origin = "https://news.example.org"
    response = guarded.get("/v1/info", headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    # the browser's preflight carries no key: it is answered before the key is asked for
    preflight = guarded.options("/v1/score", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "authorization",
                                                      "Authorization": ""})  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    other = guarded.get("/v1/info", headers={"Origin": "https://elsewhere.example.com"})
    assert "access-control-allow-origin" not in other.headers


def test_bad_cors_origin_is_refused(trained_model_dir):
    with pytest.raises(ValueError, match="--cors-origin: 'news.example.org' is not an origin"):
        create_app(trained_model_dir, cors_origin="news.example.org")


def test_a_model_failure_is_a_500_and_the_next_request_works(client, caplog):
    with caplog.at_level(logging.INFO, logger="classifier.service"):
        response = client.post("/v1/predict", json={"statements": [{"text": f"{BOOM} secret article words"}]})
        assert response.status_code == 500
        assert response.json() == {"detail": "scoring failed on the server; the error is in its log"}
        failed = client.post("/v1/score", json={"articles": [{"text": f'"{BOOM} secret words," Lavrov said.'}]})
        assert failed.status_code == 500
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text  # the type is logged, never the text
    again = client.post("/v1/predict", json={"statements": STATEMENTS[:1]})
    assert again.status_code == 200 and len(again.json()["predictions"]) == 1


def test_an_unexpected_error_is_a_json_500_logged_without_its_message(client, caplog, monkeypatch):
    monkeypatch.setattr(client.app.state, "metrics", "secret words, not metrics")  # fails response validation
    with caplog.at_level(logging.INFO):
        response = client.get("/v1/info")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; the server's log has the details"}
    assert "ResponseValidationError" in caplog.text and "secret" not in caplog.text


def test_concurrent_requests_share_model_calls(trained_model_dir, spied):
    """Eight requests at once (four of each route): fewer model calls than requests, each gets its own rows."""
    app = create_app(trained_model_dir, extractor="rules", limits=Limits(batch_statements=1_000, batch_wait_ms=300))
    articles = {f"art-{n}": f"{speaker} called for a ceasefire in the region, the ministry said on day {n}."
                for n, speaker in enumerate(["Russia", "France", "Qatar", "Egypt"])}  # fmt: skip

    async def run():
        async with app.router.lifespan_context(app):
            spy = spied[-1]
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
                before = spy.calls
                requests = [http.post("/v1/score", json={"articles": [{"id": key, "text": text}]})
                            for key, text in articles.items()]  # fmt: skip
                requests += [http.post("/v1/predict", json={"statements": [row]}) for row in STATEMENTS]
                requests.append(http.post("/v1/predict", json={"statements": STATEMENTS[::-1]}))
                responses = await asyncio.gather(*requests)
                return responses, spy.calls - before, spy.model

    responses, calls, model = asyncio.run(run())
    assert [response.status_code for response in responses] == [200] * 8
    assert calls < len(responses)
    for (key, text), response in zip(articles.items(), responses[:4]):
        rows = response.json()["statements"]
        assert rows and {row["article_id"] for row in rows} == {key}
        assert all(text[row["start"] : row["end"]] == row["text"] for row in rows)
    for rows, statements in zip(responses[4:], [[s] for s in STATEMENTS] + [STATEMENTS[::-1]]):
        predictions = rows.json()["predictions"]
        assert [p["id"] for p in predictions] == [s["id"] for s in statements]
        alone = model.predict([s["text"] for s in statements], [s["speaker"] for s in statements])
        for prediction, expected in zip(predictions, alone):
            assert prediction["stance_scores"] == pytest.approx(expected.stance_scores, abs=2e-4)


def test_health_is_503_until_the_model_is_loaded(trained_model_dir, monkeypatch):
    release, real = threading.Event(), onnx_backend.load_model

    def slow(path, backend="torch", threads=None, dtype="fp32"):
        release.wait(timeout=60)
        return real(path, backend, dtype=dtype)

    monkeypatch.setattr(onnx_backend, "load_model", slow)
    with TestClient(create_app(trained_model_dir, extractor="rules", load_in_background=True)) as client:
        assert client.get("/health").status_code == 503
        assert client.get("/health").json() == {"status": "loading"}
        waiting = client.post("/v1/predict", json={"statements": STATEMENTS[:1]})
        assert waiting.status_code == 503 and waiting.json()["detail"] == "the model is loading"
        release.set()
        wait_until_ready(client)
        assert client.get("/health").json() == {"status": "ok"}
        assert client.post("/v1/predict", json={"statements": STATEMENTS[:1]}).status_code == 200


def test_a_failed_background_load_is_reported(trained_model_dir, monkeypatch):
    def broken(path, backend="torch", threads=None, dtype="fp32"):
        raise FileNotFoundError(f"{path}/model.onnx is missing")

    monkeypatch.setattr(onnx_backend, "load_model", broken)
    failures = []
    app = create_app(trained_model_dir, load_in_background=True, on_load_error=failures.append)
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        while not failures and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client.get("/health").json() == {"status": "failed"}
        assert "failed to load" in client.get("/v1/info").json()["detail"]
    assert isinstance(failures[0], FileNotFoundError)


def test_openapi_describes_routes_and_row_fields(client):
    schema = client.get("/openapi.json").json()
    assert {"/health", "/v1/info", "/v1/score", "/v1/predict"} <= set(schema["paths"])
    components = schema["components"]["schemas"]
    assert list(components["ScoreRow"]["properties"]) == [f.name for f in dataclasses.fields(ScoredStatement)]
    assert set(components["PredictionRow"]["properties"]) == {"id", "text", "speaker", "stances", "stance_scores",
                                                              "sentiment", "sentiment_scores"}  # fmt: skip
    assert "413" in schema["paths"]["/v1/score"]["post"]["responses"]


def test_serve_command_wires_the_options_into_the_app(trained_model_dir, monkeypatch, capsys):
    import uvicorn

    served = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server: served.append(server.config))
    monkeypatch.delenv("DIPLOSTANCE_API_KEY", raising=False)
    assert main(["serve", "--model", str(trained_model_dir), "--max-articles", "3", "--batch-wait-ms", "0"]) == 0
    config = served[-1]
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.app.state.limits == Limits(max_articles=3, batch_wait_ms=0)
    err = capsys.readouterr().err
    assert "listening on http://127.0.0.1:8000" in err and "no API key" in err and "warning" not in err

    monkeypatch.setenv("DIPLOSTANCE_API_KEY", KEY)
    serve = ["serve", "--model", str(trained_model_dir), "--host", "0.0.0.0", "--port", "9000", "--dtype", "fp32"]
    assert main(serve) == 0
    assert "API key required" in capsys.readouterr().err
    with TestClient(served[-1].app) as client:  # the key from the environment guards /v1/
        assert client.get("/v1/info").status_code == 401
        wait_until_ready(client)  # serve loads the model in the background
        info = client.get("/v1/info", headers={"Authorization": f"Bearer {KEY}"})
        assert info.status_code == 200 and info.json()["dtype"] == "fp32"

    monkeypatch.delenv("DIPLOSTANCE_API_KEY")
    assert main(["serve", "--model", str(trained_model_dir), "--host", "0.0.0.0"]) == 0
    assert "warning: no API key on 0.0.0.0" in capsys.readouterr().err


def test_serve_command_errors(trained_model_dir, tmp_path, monkeypatch, capsys):
    assert main(["serve", "--model", str(tmp_path / "nowhere")]) == 2
    assert "does not exist; make one with `make demo`" in capsys.readouterr().err
    assert main(["serve", "--model", str(trained_model_dir), "--max-body-bytes", "0"]) == 2
    assert "--max-body-bytes must be at least 1" in capsys.readouterr().err
    # a model that cannot load stops the real server, with the reason and status 2
    assert main(["serve", "--model", str(trained_model_dir), "--port", "0", "--backend", "onnx"]) == 2
    # no model.onnx here; where onnxruntime itself is missing (the floor check installs no onnx extra), that is why
    assert re.search(r"failed to load: (FileNotFoundError|ModuleNotFoundError)", capsys.readouterr().err)
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the serve extra were not installed
    assert main(["serve", "--model", str(trained_model_dir)]) == 2
    assert "uvicorn is not installed; install the serve extra: pip install 'diplostance[serve]'" in (
        capsys.readouterr().err
    )


def test_limits_are_checked():
    with pytest.raises(ValueError, match="--max-articles must be at least 1"):
        Limits(max_articles=0)


def test_micro_batcher_flushes_when_full_and_isolates_a_failure():
    def upper(texts, speakers):
        if "bad" in texts:
            raise ValueError("bad input")
        return [text.upper() for text in texts]

    async def run():
        batcher = MicroBatcher(upper, max_statements=2, max_wait=30.0)
        batcher.start()
        started = time.monotonic()
        full = await batcher.submit(["a", "b"])  # full at once: no waiting out the 30 s
        waited = time.monotonic() - started
        good, bad = await asyncio.gather(batcher.submit(["c"]), batcher.submit(["bad"]), return_exceptions=True)
        await batcher.close()
        return full, waited, good, bad, batcher.calls

    full, waited, good, bad, calls = asyncio.run(run())
    assert full == ["A", "B"] and waited < 5
    assert good == ["C"] and isinstance(bad, ValueError)
    assert calls == 4  # [a, b]; then [c, bad] together, which failed, then each alone


def test_micro_batcher_stops_waiting_once_every_client_it_serves_is_back():
    """Three clients that each wait for their answer before sending again: once the batcher has seen them all
    waiting at once, every batch holds all three and goes to the model at once, not after max_wait (30 s)."""
    sizes = []

    def record(texts, speakers):
        sizes.append(len(texts))
        return [text.upper() for text in texts]

    async def run():
        batcher = MicroBatcher(record, max_statements=100, max_wait=30.0)
        batcher.start()

        async def client(number: int) -> list:
            return [await batcher.submit([f"c{number}-r{round}"]) for round in range(4)]

        started = time.monotonic()
        answers = await asyncio.wait_for(asyncio.gather(*(client(n) for n in range(3))), timeout=20)
        waited = time.monotonic() - started
        await batcher.close()
        return answers, waited

    answers, waited = asyncio.run(run())
    assert answers[1] == [["C1-R0"], ["C1-R1"], ["C1-R2"], ["C1-R3"]]
    assert sizes == [3, 3, 3, 3] and waited < 10
