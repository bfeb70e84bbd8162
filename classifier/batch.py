"""Scoring a stream of articles of any size: batches across articles, resumes, and reports bad records.

Memory stays bounded: articles are read lazily, scored ``articles_per_batch`` at a time (their statements
batched together by token length) and written before the next batch is read.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from classifier.io import Article, InputError
from classifier.output import ResumableWriter
from classifier.pipeline import ArticleScorer


@dataclass
class RunSummary:
    """What a run did: articles scored, statements written, articles skipped as already done, bad inputs."""

    articles: int = 0
    statements: int = 0
    already_done: int = 0
    errors: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        return (
            f"{self.articles} article(s), {self.statements} statement(s), {self.already_done} already done, "
            f"{self.errors} input(s) skipped, {self.seconds:.1f}s ({rate:.1f} articles/s)"
        )


class ErrorLog:
    """Reports bad inputs on standard error and, when given a path, appends them to a JSONL errors file."""

    def __init__(self, path: str | Path | None = None, prefix: str = "diplostance score") -> None:
        self.prefix, self.count = prefix, 0
        self._handle: IO[str] | None = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def report(self, error: InputError, echo=print) -> None:
        self.count += 1
        echo(f"{self.prefix}: skipped {error}", file=sys.stderr)
        if self._handle is not None:
            self._handle.write(json.dumps(dataclasses.asdict(error), ensure_ascii=False) + "\n")
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def score_stream(
    scorer: ArticleScorer,
    articles: Iterable[Article | InputError],
    writer: ResumableWriter,
    errors: ErrorLog,
    articles_per_batch: int = 64,
    progress: bool | None = None,
    total: int | None = None,
) -> RunSummary:
    """Score every article not already in ``writer.done`` and write it; bad records go to ``errors``.

    Args:
        progress: a progress bar on standard error; ``None`` shows it only when standard error is a terminal.
        total: the number of articles, when known, for the bar's ETA.
    """
    from tqdm.auto import tqdm

    summary, started = RunSummary(), time.perf_counter()
    disable = None if progress is None else not progress  # tqdm: None means off unless stderr is a terminal
    bar = tqdm(total=total, unit=" articles", disable=disable, file=sys.stderr, dynamic_ncols=True)
    echo = bar.write if not bar.disable else print

    def todo() -> Iterator[Article]:
        for item in articles:
            if isinstance(item, InputError):
                errors.report(item, echo)
            elif item.id in writer.done:
                summary.already_done += 1
                bar.update(1)
            else:
                yield item

    for batch in _batches(todo(), articles_per_batch):
        scored, rows = _score_batch(scorer, batch, errors, echo)
        writer.write(scored, rows)
        summary.articles += len(scored)
        summary.statements += len(rows)
        bar.update(len(batch))
        bar.set_postfix(statements=summary.statements, refresh=False)
    bar.close()
    summary.errors, summary.seconds = errors.count, time.perf_counter() - started
    return summary


def _score_batch(scorer: ArticleScorer, batch: list[Article], errors: ErrorLog, echo) -> tuple[list[str], list[dict]]:
    """All of a batch's rows; when the batch fails, each article alone, so one bad article costs only itself."""
    try:
        statements = scorer.score_many([(article.id, article.text) for article in batch])
        return [article.id for article in batch], [s.as_dict() for s in statements]
    except Exception:  # noqa: BLE001 - find the article that failed, below
        pass  # each article alone, next
    scored, rows = [], []
    for article in batch:
        try:
            rows += [s.as_dict() for s in scorer.score(article.text, article.id)]
            scored.append(article.id)
        except Exception as err:  # noqa: BLE001 - one unreadable article must not end a run over an archive
            errors.report(InputError(article.source, None, None, f"{type(err).__name__}: {err}"), echo)
    return scored, rows
