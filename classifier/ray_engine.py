"""``diplostance score --engine ray``: the local pipeline, unchanged, on Ray Data.

Articles are read from JSONL or Parquet by Ray, scored by a pool of actors that each load the model once
(``map_batches`` with a callable class), and written by Ray as a directory of Parquet, JSONL or CSV files with
the flat columns of :func:`classifier.output.flatten`. On a laptop this starts a local Ray; with ``RAY_ADDRESS``
set (or inside ``ray job submit``) it joins that cluster. Needs the ``ray`` extra.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from classifier.modeling import no_model_message
from classifier.output import arrow_schema, flatten

logger = logging.getLogger(__name__)

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
ERROR_COLUMN = "_error"  # rows that report a skipped article instead of a statement; split off before writing


def _error_row(article_id, field: str | None, message: str) -> dict:
    return {"article_id": None if article_id is None else str(article_id), ERROR_COLUMN: json.dumps(
        {"source": "ray", "line": None, "field": field, "message": f"article {article_id!r}: {message}"})}  # fmt: skip


class ScoreArticles:
    """A Ray Data actor: loads the model once, then turns batches of articles into flat statement rows."""

    def __init__(
        self,
        model_dir: str,
        backend: str,
        id_field: str,
        text_field: str,
        batch_size: int,
        threads: int,
        dtype: str = "auto",
    ):
        import pyarrow as pa
        import torch

        from classifier.onnx_backend import load_model
        from classifier.pipeline import ArticleScorer

        # One actor per CPU slot: more threads than the actor's CPUs would fight the other actors for cores.
        torch.set_num_threads(threads)
        self.scorer = ArticleScorer(load_model(model_dir, backend, threads=threads, dtype=dtype), batch_size=batch_size)
        schema = arrow_schema(self.scorer.model.stance_labels, self.scorer.model.sentiment_labels)
        self.schema = schema.append(pa.field(ERROR_COLUMN, pa.string()))  # set on error rows only
        self.id_field, self.text_field = id_field, text_field

    def __call__(self, batch):
        import pyarrow as pa

        articles, errors = [], []
        for record in batch.select([self.id_field, self.text_field]).to_pylist():
            article_id, text = record[self.id_field], record[self.text_field]
            if article_id is None or not isinstance(text, str) or not text.strip():
                errors.append(_error_row(article_id, self.text_field, "must be a non-empty string"))
                continue
            articles.append((str(article_id), text))
        try:
            statements = self.scorer.score_many(articles)
        except Exception:  # noqa: BLE001 - find the article that fails, below, and keep the others
            statements = []
            for article_id, text in articles:
                try:
                    statements += self.scorer.score(text, article_id)
                except Exception as err:  # noqa: BLE001 - one bad article must not fail the job
                    errors.append(_error_row(article_id, None, f"{type(err).__name__}: {err}"))
        rows = [{**flatten(s.as_dict()), ERROR_COLUMN: None} for s in statements]
        return pa.Table.from_pylist(rows + errors, schema=self.schema)


def _list_uri(uri: str) -> list[Path]:
    from pyarrow import fs

    filesystem, root = fs.FileSystem.from_uri(uri)
    info = filesystem.get_file_info(root)
    if info.type == fs.FileType.NotFound:
        raise FileNotFoundError(f"no such file or directory: {uri}")
    if info.type == fs.FileType.File:
        return [Path(root)]
    found = filesystem.get_file_info(fs.FileSelector(root, recursive=True))
    return [Path(item.path) for item in found if item.type == fs.FileType.File]


def _read(inputs: list[str], id_field: str, text_field: str):
    import ray.data

    kinds = set()
    for name in inputs:
        if "://" in name:  # s3://, gs://, file://: listed through pyarrow's file systems, as Ray reads them
            files = _list_uri(name)
        else:
            path = Path(name)
            if not path.exists():
                raise FileNotFoundError(f"no such file or directory: {name}")
            files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        for file in files:
            if file.name.endswith(JSONL_SUFFIXES):
                kinds.add("jsonl")
            elif file.name.endswith(".parquet"):
                kinds.add("parquet")
            else:
                raise ValueError(f"{file}: the ray engine reads .jsonl, .jsonl.gz and .parquet; use --engine local")
    if len(kinds) != 1:
        raise ValueError("the ray engine needs inputs of one kind: all JSONL or all Parquet")
    if kinds == {"parquet"}:
        return ray.data.read_parquet(inputs, columns=[id_field, text_field])
    return ray.data.read_json(inputs, lines=True, file_extensions=["jsonl", "gz"])


@dataclass
class RaySummary:
    """What a Ray run did, for the closing line; ``errors`` counts the articles that were skipped."""

    text: str
    errors: int

    def __str__(self) -> str:
        return self.text


def score_with_ray(
    model_dir: str,
    inputs: list[str],
    output: str,
    fmt: str = "parquet",
    backend: str = "torch",
    workers: int | None = None,
    id_field: str = "id",
    text_field: str = "text",
    batch_size: int = 32,
    articles_per_batch: int = 64,
    threads_per_worker: int = 1,
    dtype: str = "auto",
) -> str:
    """Score ``inputs`` on Ray and write ``output`` (a directory); returns a one-line summary.

    >>> score_with_ray("models/default", ["archive/"], "scored/", fmt="parquet")  # doctest: +SKIP
    """
    try:
        import ray
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError("--engine ray needs Ray: pip install 'diplostance[ray]'", name="ray") from err
    if fmt not in ("parquet", "jsonl", "csv"):
        raise ValueError(f"the ray engine writes parquet, jsonl or csv, not {fmt}")
    if output in ("-", ""):
        raise ValueError("the ray engine writes a directory: give --output DIR")
    model_dir = str(Path(model_dir).resolve())
    if not (Path(model_dir) / "diplostance.json").is_file():
        raise FileNotFoundError(no_model_message(Path(model_dir)))
    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        local = {} if address else {"include_dashboard": False}  # a throwaway local Ray needs no dashboard
        ray.init(address=address, log_to_driver=False, **local)
    started = time.perf_counter()
    if workers is None:
        # One CPU stays free for the read and write tasks: actors holding every CPU would starve them forever.
        workers = max(1, int((ray.cluster_resources().get("CPU", 2) - 1) // threads_per_worker))
    dataset = _read(inputs, id_field, text_field)
    scored = dataset.map_batches(
        ScoreArticles,
        fn_constructor_kwargs={
            "model_dir": model_dir,
            "backend": backend,
            "id_field": id_field,
            "text_field": text_field,
            "batch_size": batch_size,
            "threads": threads_per_worker,
            "dtype": dtype,
        },
        batch_size=articles_per_batch,
        batch_format="pyarrow",
        concurrency=workers,
        num_cpus=threads_per_worker,
    )
    scored = scored.materialize()  # scored once; the statement rows and the error rows are split from it
    errors = [row[ERROR_COLUMN] for row in scored.filter(lambda row: row[ERROR_COLUMN] is not None).take_all()]
    rows = scored.filter(lambda row: row[ERROR_COLUMN] is None).drop_columns([ERROR_COLUMN])
    path = output if "://" in output else str(Path(output).resolve())
    if fmt == "parquet":
        rows.write_parquet(path)
    elif fmt == "jsonl":
        rows.write_json(path)
    else:
        rows.write_csv(path)
    errors_path = None
    if errors:
        errors_path = f"{output.rstrip('/')}.errors.jsonl"
        Path(errors_path).write_text("".join(line + "\n" for line in errors), encoding="utf-8")
    seconds = time.perf_counter() - started
    summary = f"{workers} worker(s), output in {output}, {len(errors)} article(s) skipped, {seconds:.1f}s"
    return RaySummary(summary + (f" (listed in {errors_path})" if errors_path else ""), len(errors))
