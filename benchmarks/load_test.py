"""Load test of ``diplostance serve``: a fixed number of requests from concurrent clients, against the same work
done in one process.

    python benchmarks/load_test.py --model models/default               # 1,000 requests from 8 clients per route
    python benchmarks/load_test.py --route predict --requests 200       # a shorter run of one route

It starts the service as a subprocess on a free 127.0.0.1 port, waits for ``/health``, and sends:

- ``score``: one article per ``/v1/score`` request, cycling through ``examples/articles/*.txt`` and
  ``data/articles/*/*.txt``; then the same distinct articles through an in-process ``ArticleScorer``, batched as
  ``diplostance score`` batches them (``score_many`` over 64 articles), for comparison.
- ``predict``: ``--statements-per-request`` statements of ``data/test.jsonl`` per ``/v1/predict`` request, from
  ``--clients`` clients and again from one client (what micro-batching buys), and the same statements through
  ``model.predict`` in one process, just before and just after the clients' run, so that the ratio of the two
  rates (``predict_ratio``) compares figures of one machine state even where other jobs share the cores.

The service and the in-process model run with the same ``--backend`` and ``--dtype``. Prints one JSON object: per
run the errors (target 0), p50/p95 latency, requests/s and statements/s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_articles() -> list[tuple[str, str]]:
    paths = sorted((ROOT / "examples" / "articles").glob("*.txt"))
    paths += sorted((ROOT / "data" / "articles").glob("*/*.txt"))  # the annotated articles, where present
    if not paths:
        raise SystemExit("load_test: no articles in examples/articles or data/articles")
    return [(f"{path.parent.name}/{path.stem}", path.read_text(encoding="utf-8")) for path in paths]


def load_statements() -> list[dict]:
    with (ROOT / "data" / "test.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [{"id": row["id"], "text": row["text"], "speaker": row.get("speaker")} for row in rows]


def start_server(args: argparse.Namespace, port: int, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "classifier.cli", "serve", "--model", args.model, "--port", str(port),
               "--backend", args.backend, "--dtype", args.dtype, "--extractor", args.extractor, "--batch-statements",
               str(args.batch_statements), "--batch-wait-ms", str(args.batch_wait_ms)]  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("DIPLOSTANCE_API_KEY", None)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_ready(server: subprocess.Popen, base: str, log_path: Path, timeout: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise SystemExit(f"load_test: the service exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"load_test: the service was not ready after {timeout:.0f} s")


async def drive(base: str, route: str, bodies: list[dict], clients: int, count) -> dict:
    """Send every body once, ``clients`` at a time; ``count(response_json)`` is the statements a response holds."""
    latencies, statements, errors, failures = [], 0, 0, {}
    queue = iter(range(len(bodies)))

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal statements, errors
        for index in queue:  # one shared iterator: each body goes out once, whichever client is free
            sent = time.perf_counter()
            try:
                response = await http.post(route, json=bodies[index])
                ok = response.status_code == 200
                reason = str(response.status_code)
            except httpx.HTTPError as err:
                ok, reason = False, type(err).__name__
            latencies.append(time.perf_counter() - sent)
            if ok:
                statements += count(response.json())
            else:
                errors += 1
                failures[reason] = failures.get(reason, 0) + 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(bodies),
        "clients": clients,
        "errors": errors,
        "error_kinds": failures,
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
        "p95_ms": round(1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1),
        "requests_per_s": round(len(bodies) / seconds, 2),
        "statements_per_s": round(statements / seconds, 1),
        "statements": statements,
        "seconds": round(seconds, 1),
    }


def in_process_score(args: argparse.Namespace, articles: list[tuple[str, str]]) -> dict:
    from classifier.onnx_backend import load_model
    from classifier.pipeline import ArticleScorer, make_extractor

    scorer = ArticleScorer(load_model(args.model, args.backend, dtype=args.dtype), make_extractor(args.extractor))
    scorer.score("The minister said a ceasefire was needed.", "warm-up")
    started, statements = time.perf_counter(), 0
    for start in range(0, len(articles), 64):  # score's --articles-per-batch default
        statements += len(scorer.score_many(articles[start : start + 64]))
    seconds = time.perf_counter() - started
    return {
        "articles": len(articles),
        "statements": statements,
        "seconds": round(seconds, 1),
        "articles_per_s": round(len(articles) / seconds, 2),
        "statements_per_s": round(statements / seconds, 1),
    }


def in_process_predict(model, statements: list[dict], chunk: int | None = None) -> dict:
    """``model.predict`` on all ``statements`` in one call, or in calls of ``chunk`` in the order they were sent:
    the most a micro-batch can hold when every client waits for its answer before sending again."""
    chunk = chunk or len(statements)
    started = time.perf_counter()
    for start in range(0, len(statements), chunk):
        part = statements[start : start + chunk]
        model.predict([s["text"] for s in part], [s["speaker"] for s in part], batch_size=32)
    seconds = time.perf_counter() - started
    return {"statements": len(statements), "seconds": round(seconds, 1),
            "statements_per_s": round(len(statements) / seconds, 1)}  # fmt: skip


def warm_model(args: argparse.Namespace):
    from classifier.onnx_backend import load_model

    model = load_model(args.model, args.backend, dtype=args.dtype)
    model.predict(["warm-up"], [None])
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/default", help="model directory (default: models/default)")
    parser.add_argument("--route", choices=["score", "predict", "both"], default="both", help="default: both")
    parser.add_argument("--requests", type=int, default=1000, help="requests per run (default: 1000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default: 8)")
    parser.add_argument("--statements-per-request", type=int, default=1, help="predict: statements a request")
    parser.add_argument("--backend", default="torch", help="torch (default), onnx or onnx-int8")
    parser.add_argument(
        "--dtype",
        default="auto",
        choices=["auto", "fp32", "bf16"],
        help="the torch backend's precision, for the service and in process alike (default: auto)",
    )
    parser.add_argument("--no-one-client", action="store_true", help="predict: skip the run from one client")
    parser.add_argument("--extractor", default="parse", help="parse (default) or rules")
    parser.add_argument("--batch-statements", type=int, default=32, help="the service's (default: 32)")
    parser.add_argument("--batch-wait-ms", type=float, default=10.0, help="the service's (default: 10)")
    parser.add_argument("--no-in-process", action="store_true", help="skip the in-process comparison")
    parser.add_argument("--output", help="also write the JSON here")
    args = parser.parse_args()
    from classifier.modeling import resolve_dtype

    report = {
        "date": datetime.date.today().isoformat(),
        "model": args.model,
        "backend": args.backend,
        "dtype": resolve_dtype(args.dtype) if args.backend == "torch" else None,
        "extractor": args.extractor,
        "batch_statements": args.batch_statements,
        "batch_wait_ms": args.batch_wait_ms,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
    }
    articles, statements = load_articles(), load_statements()
    cycled = [articles[i % len(articles)] for i in range(args.requests)]
    score_bodies = [{"articles": [{"id": f"{name}#{i}", "text": text}]} for i, (name, text) in enumerate(cycled)]
    size = args.statements_per_request
    predict_bodies = [{"statements": [statements[(i * size + j) % len(statements)] for j in range(size)]}
                      for i in range(args.requests)]  # fmt: skip

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as log:
        server = start_server(args, port, log)
    try:
        report["startup_seconds"] = round(wait_until_ready(server, base, Path(log.name)), 1)
        if args.route in ("score", "both"):
            report["score"] = asyncio.run(drive(base, "/v1/score", score_bodies, args.clients,
                                                lambda body: len(body["statements"])))  # fmt: skip
            report["score"]["articles_per_s"] = report["score"]["requests_per_s"]
        if args.route in ("predict", "both"):
            count = lambda body: len(body["predictions"])  # noqa: E731
            sent = [statement for body in predict_bodies for statement in body["statements"]]
            model = None if args.no_in_process else warm_model(args)
            before = None if model is None else in_process_predict(model, sent)  # the server idles meanwhile
            service = asyncio.run(drive(base, "/v1/predict", predict_bodies, args.clients, count))
            report[f"predict_{args.clients}_clients"] = service
            if model is not None:
                after = in_process_predict(model, sent)
                rates = {"before": before["statements_per_s"], "after": after["statements_per_s"]}
                rate = (rates["before"] + rates["after"]) / 2
                report["predict_in_process"] = {**after, "statements_per_s": round(rate, 1), **rates}
                report["predict_ratio"] = round(service["statements_per_s"] / rate, 3)
                chunk = args.clients * args.statements_per_request
                report[f"predict_in_process_calls_of_{chunk}"] = in_process_predict(model, sent, chunk)
                del model
            if not args.no_one_client:
                report["predict_1_client"] = asyncio.run(drive(base, "/v1/predict", predict_bodies, 1, count))
    finally:
        server.terminate()
        server.wait(timeout=30)
        Path(log.name).unlink(missing_ok=True)
    if args.route in ("score", "both") and not args.no_in_process:
        distinct = articles[: min(len(articles), args.requests)]
        report["score_in_process"] = in_process_score(args, distinct)
    report["load_average_after"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
