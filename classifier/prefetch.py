"""Extraction one batch ahead, in a child process, so the parse of the next articles overlaps the model's work.

``diplostance score`` spends its time in two places: finding the statements (sentence splitting and spaCy's
parse, single-threaded Python and Cython) and labelling them (the encoder, on every core). Run one after the other,
an article costs the sum of the two. :class:`BackgroundFinder` runs :meth:`ArticleScorer.find
<classifier.pipeline.ArticleScorer.find>` for batch k+1 in a separate process while the model labels batch k, so a
batch costs closer to the larger of the two. A process, not a thread: the parse holds the GIL, which would stall
the model's Python between operators.

The child imports the extraction code only (spaCy, not torch), with one thread for its numerical libraries.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

_FINDER = None  # the child's ArticleScorer (no model): built once by _start, used by every _find


def _start(extractor: str) -> None:
    # before numpy or spaCy load in this fresh process: one thread, the parent's model has the cores
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    global _FINDER
    from classifier.pipeline import ArticleScorer, make_extractor

    _FINDER = ArticleScorer(model=None, extractor=make_extractor(extractor))


def _find(articles: list[tuple[str, str]]) -> list[list[dict] | str]:
    """Each article's statements (``find``), or the error that stopped it as ``"Type: message"``."""
    results: list[list[dict] | str] = []
    for article_id, text in articles:
        try:
            results.append(_FINDER.find(text, article_id))
        except Exception as err:  # noqa: BLE001 - reported by the parent with the article's source, then skipped
            results.append(f"{type(err).__name__}: {err}")
    return results


class BackgroundFinder:
    """A child process that finds statements in batches of articles while the caller does something else.

    ``extractor`` is what :func:`~classifier.pipeline.make_extractor` takes (``parse``, ``rules`` or a tagger
    directory); the child uses the default speaker attributor and actor table, as the CLI's scorer does.

    >>> with BackgroundFinder("parse") as finder:  # doctest: +SKIP
    ...     future = finder.submit([("a1", "Russia called for a ceasefire, the ministry said.")])
    ...     [row["speaker"] for row in future.result()[0]]
    ['Russia']
    """

    def __init__(self, extractor: str | Path = "parse") -> None:
        # spawn, not fork: a forked copy of a process that has started torch's thread pool can deadlock
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_start, initargs=(str(extractor),))

    def submit(self, articles: list[tuple[str, str]]) -> Future:
        """Start finding the statements of ``(article_id, text)`` pairs; the future holds one entry per article:
        its statement dicts, or an error message."""
        return self._pool.submit(_find, list(articles))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BackgroundFinder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
