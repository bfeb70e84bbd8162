"""``diplostance score --engine ray``: the local pipeline, unchanged, on Ray Data.

Articles are read from JSONL or Parquet by Ray, scored by a pool of actors that each load the model once
(``map_batches`` with a callable class), and written by Ray as a directory of Parquet, JSONL or CSV files with
the flat columns of :func:`classifier.output.flatten`. On a laptop this starts a local Ray; with ``RAY_ADDRESS``
set (or inside ``ray job submit``) it joins that cluster. Needs the ``ray`` extra.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from classifier.modeling import no_model_message
from classifier.output import arrow_schema, flatten

logger = logging.getLogger(__name__)

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")


class ScoreArticles:
    """A Ray Data actor: loads the model once, then turns batches of articles into flat statement rows."""

    def __init__(self, model_dir: str, backend: str, id_field: str, text_field: str, batch_size: int, threads: int):
        import torch

        from classifier.onnx_backend import load_model
        from classifier.pipeline import ArticleScorer

        # One actor per CPU slot: more threads than the actor's CPUs would fight the other actors for cores.
        torch.set_num_threads(threads)
        self.scorer = ArticleScorer(load_model(model_dir, backend, threads=threads), batch_size=batch_size)
        self.schema = arrow_schema(self.scorer.model.stance_labels, self.scorer.model.sentiment_labels)
        self.id_field, self.text_field = id_field, text_field

    def __call__(self, batch):
        import pyarrow as pa

        articles = []
        for record in batch.select([self.id_field, self.text_field]).to_pylist():
            article_id, text = record[self.id_field], record[self.text_field]
            if article_id is None or not isinstance(text, str) or not text.strip():
                logger.warning("skipped article %r: %s must be a non-empty string", article_id, self.text_field)
                continue
            articles.append((str(article_id), text))
        rows = [flatten(s.as_dict()) for s in self.scorer.score_many(articles)]
        return pa.Table.from_pylist(rows, schema=self.schema)


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
        },
        batch_size=articles_per_batch,
        batch_format="pyarrow",
        concurrency=workers,
        num_cpus=threads_per_worker,
    )
    path = output if "://" in output else str(Path(output).resolve())
    if fmt == "parquet":
        scored.write_parquet(path)
    elif fmt == "jsonl":
        scored.write_json(path)
    else:
        scored.write_csv(path)
    seconds = time.perf_counter() - started
    return f"{workers} worker(s), output in {output}, {seconds:.1f}s"
