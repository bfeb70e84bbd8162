"""The HTTP API: ``create_app`` builds a FastAPI app around one :class:`~classifier.pipeline.ArticleScorer`.

Routes: ``GET /health``, ``GET /v1/info``, ``POST /v1/score`` (articles -> statement rows, as ``diplostance
score`` writes them), ``POST /v1/predict`` (statements -> labels, as ``diplostance predict``), and the page at
``/`` with its files under ``/static``. The model loads once, in the app's lifespan; the statements of
concurrent requests reach it together (:mod:`classifier.service.batching`). ``docs/service.md`` has the
details: limits, status codes, keys and the container.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import logging
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles

from classifier.batch import MAX_CHARS
from classifier.service.batching import MicroBatcher
from classifier.service.schemas import (
    Error,
    Health,
    Info,
    PredictRequest,
    PredictResponse,
    ScoreRequest,
    ScoreResponse,
)

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
FAILED = "scoring failed on the server; the error is in its log"


@dataclass(frozen=True)
class Limits:
    """What one request may ask for, and how requests are batched for the model.

    ``max_chars`` is the batch path's article limit (``diplostance score --max-chars``), so an article the
    service refuses is one ``score`` would skip too.
    """

    max_body_bytes: int = 2_000_000
    max_articles: int = 64
    max_statements: int = 512
    max_chars: int = MAX_CHARS
    batch_statements: int = 32
    batch_wait_ms: float = 10.0

    def __post_init__(self) -> None:
        for name, value in dataclasses.asdict(self).items():
            if value < (0 if name == "batch_wait_ms" else 1):
                flag = "--" + name.replace("_", "-")
                raise ValueError(f"{flag} must be {'0 or more' if name == 'batch_wait_ms' else 'at least 1'}")


def create_app(
    model_dir: str | Path,
    backend: str = "torch",
    api_key: str | None = None,
    cors_origin: str | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen, so one shared default is safe
    extractor: str | Path = "parse",
    load_in_background: bool = False,
    on_load_error: Callable[[BaseException], None] | None = None,
    dtype: str = "auto",
) -> FastAPI:
    """The service for the model in ``model_dir``; serve it with uvicorn, or test it with ``TestClient``.

    Args:
        backend: ``torch``, ``onnx`` or ``onnx-int8`` (:func:`classifier.onnx_backend.load_model`).
        api_key: when set, every ``/v1/`` route needs ``Authorization: Bearer API_KEY``.
        cors_origin: the one origin (``https://host[:port]``) whose pages may call the API; none by default.
        extractor: ``parse``, ``rules`` or a tagger directory (:func:`classifier.pipeline.make_extractor`).
        load_in_background: answer at once (``/health`` says 503 ``loading`` until the model is ready) rather
            than finish loading before the first request; ``diplostance serve`` does this.
        on_load_error: called when a background load fails (the command line stops the server with it).
        dtype: the torch backend's precision, ``fp32``, ``bf16`` or ``auto`` (bf16 where the CPU has it; see
            :func:`classifier.modeling.resolve_dtype`); ``/v1/info`` reports the one in use.

    >>> from fastapi.testclient import TestClient
    >>> with TestClient(create_app("models/default")) as client:  # doctest: +SKIP
    ...     client.post("/v1/predict", json={"statements": [{"text": "We urge a ceasefire."}]}).json()
    {'predictions': [{'id': None, 'text': 'We urge a ceasefire.', 'speaker': None, 'stances': [...], ...}]}
    """
    model_dir = Path(model_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.ready, app.state.load_error, app.state.batcher, app.state.loading = False, None, None, None
        # One thread parses: spaCy makes no promise for concurrent calls on one pipeline, and the GIL would hold a
        # second parsing thread back anyway; the model runs meanwhile, in the batcher's thread.
        app.state.extraction = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diplostance-extract")
        load = _load(app, model_dir, backend, dtype, extractor, limits, load_in_background, on_load_error)
        try:
            if load_in_background:
                app.state.loading = asyncio.create_task(load)  # kept on the state: the loop holds tasks only weakly
            else:
                await load
            yield
        finally:
            if app.state.loading is not None and not app.state.loading.done():
                app.state.loading.cancel()
            if app.state.batcher is not None:
                await app.state.batcher.close()
            app.state.extraction.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="diplostance",
        summary="Statements in conflict and diplomacy news: who said what, their stances and sentiment.",
        version=_version(),
        lifespan=lifespan,
    )
    app.state.ready, app.state.load_error, app.state.batcher, app.state.loading = False, None, None, None
    app.state.settings = {"model": model_dir.resolve().name, "backend": backend, "extractor": str(extractor)}
    app.state.limits = limits

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        # loc names the field; the submitted value is left out, since it may be a whole article
        detail = [{key: error[key] for key in ("loc", "msg", "type") if key in error} for error in err.errors()]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.get("/health", response_model=Health, responses={503: {"model": Health}}, tags=["service"])
    async def health(request: Request):
        """200 ``ok`` once the model is loaded; 503 ``loading`` before (or ``failed``: see the server's log)."""
        if request.app.state.ready:
            return {"status": "ok"}
        return JSONResponse({"status": "failed" if request.app.state.load_error else "loading"}, status_code=503)

    app.include_router(_api_router(api_key))

    @app.get("/", include_in_schema=False)
    async def page():
        if not (STATIC / "index.html").is_file():
            raise HTTPException(404, "the page is not installed; the API is under /v1/ (see /docs)")
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    # Starlette runs the middleware added last first: CORS answers preflights before the guard asks for a key.
    app.add_middleware(_Guard, api_key=api_key, max_body_bytes=limits.max_body_bytes)
    if cors_origin:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=[_check_origin(cors_origin)], allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)  # fmt: skip
    return app


def _api_router(api_key: str | None) -> APIRouter:
    # The guard middleware checks the key; HTTPBearer here only declares it, for /docs and /openapi.json.
    declared = [Depends(HTTPBearer(auto_error=False, description="--api-key"))] if api_key else []
    errors = {status: {"model": Error} for status in ([401] if api_key else []) + [413, 500, 503]}
    router = APIRouter(prefix="/v1", dependencies=[*declared, Depends(_ready)], tags=["v1"], responses=errors)

    @router.get("/info", response_model=Info)
    async def info(request: Request):
        """The model (labels, thresholds, test and dev figures), the package version and the limits."""
        state = request.app.state
        model = state.scorer.model
        return {
            **state.settings,
            "version": _version(),
            "stance_labels": model.stance_labels,
            "sentiment_labels": model.sentiment_labels,
            "thresholds": model.thresholds,
            "metrics": state.metrics,
            "limits": dataclasses.asdict(state.limits),
        }

    @router.post("/score", response_model=ScoreResponse, responses={422: {"model": Error}})
    async def score(body: ScoreRequest, request: Request):
        """Find the statements in each article, with speakers, offsets, stances and sentiment."""
        state = request.app.state
        limits: Limits = state.limits
        if len(body.articles) > limits.max_articles:
            raise HTTPException(413, f"articles: {len(body.articles)} articles, over the limit of "
                                     f"{limits.max_articles} a request (--max-articles)")  # fmt: skip
        articles, seen = [], set()
        for number, article in enumerate(body.articles):
            _check_length(f"articles[{number}].text", article.text, limits.max_chars)
            article_id = article.id if article.id is not None else f"article-{number + 1}"
            if article_id in seen:
                raise HTTPException(422, [{"loc": ["body", "articles", number, "id"], "type": "value_error",
                                           "msg": f"article id {article_id!r} appears twice"}])  # fmt: skip
            seen.add(article_id)
            articles.append((article_id, article.text))
        scorer = state.scorer
        started = time.perf_counter()
        try:
            find = lambda: [s for a_id, text in articles for s in scorer.find(text, a_id)]  # noqa: E731
            found = await asyncio.get_running_loop().run_in_executor(state.extraction, find)
            predictions = await state.batcher.submit([s["text"] for s in found], [s["speaker"] for s in found])
            rows = [statement.as_dict() for statement in scorer.label(found, predictions)]
        except Exception as err:  # noqa: BLE001 - no input may take the worker down
            _log_failure("/v1/score", err)
            raise HTTPException(500, FAILED) from None
        logger.info("scored %d article(s), %d statement(s) in %.0f ms", len(articles), len(rows),
                    (time.perf_counter() - started) * 1000)  # fmt: skip
        return {"statements": rows}

    @router.post("/predict", response_model=PredictResponse, responses={422: {"model": Error}})
    async def predict(body: PredictRequest, request: Request):
        """Label statements whose speaker is known: stances and sentiment for each."""
        state = request.app.state
        limits: Limits = state.limits
        if len(body.statements) > limits.max_statements:
            raise HTTPException(413, f"statements: {len(body.statements)} statements, over the limit of "
                                     f"{limits.max_statements} a request (--max-statements)")  # fmt: skip
        for number, statement in enumerate(body.statements):
            _check_length(f"statements[{number}].text", statement.text, limits.max_chars)
        try:
            predictions = await state.batcher.submit([s.text for s in body.statements],
                                                     [s.speaker for s in body.statements])  # fmt: skip
        except Exception as err:  # noqa: BLE001 - no input may take the worker down
            _log_failure("/v1/predict", err)
            raise HTTPException(500, FAILED) from None
        # vars(), not dataclasses.asdict: asdict deep-copies every score dict, a third of a millisecond a row
        rows = [{"id": statement.id, "text": statement.text, "speaker": statement.speaker, **vars(prediction)}
                for statement, prediction in zip(body.statements, predictions)]  # fmt: skip
        return {"predictions": rows}

    return router


async def _ready(request: Request) -> None:
    state = request.app.state
    if not state.ready:
        message = "the model failed to load; see the server's log" if state.load_error else "the model is loading"
        raise HTTPException(503, message, headers={"Retry-After": "5"})


async def _load(
    app: FastAPI, model_dir: Path, backend: str, dtype: str, extractor, limits: Limits, background: bool, on_error
) -> None:
    from classifier import onnx_backend
    from classifier.pipeline import ArticleScorer, make_extractor

    started = time.perf_counter()
    try:
        model = await asyncio.to_thread(onnx_backend.load_model, model_dir, backend, dtype=dtype)
        app.state.settings["backend"] = getattr(model, "backend", backend)  # what "auto" picked
        scorer = ArticleScorer(model, await asyncio.to_thread(make_extractor, extractor))
        # one small article through every stage, so the first client does not wait for lazy loading
        await asyncio.to_thread(scorer.score, "The minister said a ceasefire was needed.", "warm-up")
        metrics_path = model_dir / "metrics.json"
        metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else None
    except Exception as err:
        app.state.load_error = f"{type(err).__name__}: {err}"
        if not background:  # loading before the first request: the app does not start
            raise
        if on_error is not None:  # its owner reports it
            on_error(err)
        else:
            logger.error("the model in %s failed to load: %s", model_dir, app.state.load_error)
        return
    app.state.scorer = scorer
    app.state.settings["dtype"] = getattr(model, "dtype_name", None)  # torch's resolved precision; ONNX has none
    app.state.metrics = None if metrics is None else {split: metrics.get(split) for split in ("test", "dev")}
    app.state.batcher = MicroBatcher(
        lambda texts, speakers: model.predict(texts, speakers, batch_size=scorer.batch_size),
        max_statements=limits.batch_statements,
        max_wait=limits.batch_wait_ms / 1000,
    )
    app.state.batcher.start()
    app.state.ready = True
    logger.info("model %s (%s) loaded in %.1f s", model_dir, backend, time.perf_counter() - started)


def _check_length(field: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise HTTPException(413, f"{field}: {len(text):,} characters, over the limit of {limit:,} (--max-chars)")


def _log_failure(where: str, err: BaseException) -> None:
    """The exception's type and traceback, not its message: messages can quote the article."""
    frames = "".join(traceback.format_tb(err.__traceback__))
    logger.error("%s failed: %s (message withheld: it may quote the input)\n%s", where, type(err).__name__, frames)
    logger.debug("%s failed", where, exc_info=err)


def _check_origin(origin: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(origin)
    if origin != "*" and (parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/")):
        raise ValueError(f"--cors-origin: {origin!r} is not an origin; give scheme and host, e.g. https://example.org")
    return origin.rstrip("/")


def _version() -> str:
    from classifier import __version__

    return __version__


class _Guard:
    """ASGI middleware: the bearer key on ``/v1/`` routes (401), then the body size (413) before it is parsed,
    and a JSON 500 for anything the app raises.

    The body is read here, counted as it arrives whether or not a Content-Length came with it, and handed to
    the app only when it fits; a declared length over the limit is refused before a byte is read. An exception is
    logged by type and traceback only: the server would log its message, which can quote the request.
    """

    def __init__(self, app, api_key: str | None, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes
        self.key = None if api_key is None else api_key.encode("utf-8")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])  # the last of a repeated header wins, as nothing here repeats
        if self.key is not None and scope["path"].startswith("/v1/") and not self._authorized(headers):
            response = JSONResponse({"detail": "missing or wrong API key: send the header Authorization: Bearer KEY"},
                                    status_code=401, headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
            return await response(scope, receive, send)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            return await self._too_large(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body_bytes:
                return await self._too_large(scope, receive, send)
            if not message.get("more_body", False):
                break
        body, replayed, responding = b"".join(chunks), False, False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def sending(message) -> None:
            nonlocal responding
            responding = responding or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, replay, sending)
        except Exception as err:  # noqa: BLE001 - logged here without its message, never by the server with it
            _log_failure(scope["path"], err)
            if not responding:
                await JSONResponse({"detail": "internal error; the server's log has the details"},
                                   status_code=500)(scope, receive, send)  # fmt: skip

    def _authorized(self, headers: dict[bytes, bytes]) -> bool:
        scheme, _, given = headers.get(b"authorization", b"").partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self.key)

    async def _too_large(self, scope, receive, send) -> None:
        detail = f"the request body is over the limit of {self.max_body_bytes:,} bytes (--max-body-bytes)"
        await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
