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
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from classifier.io import Article, InputError
from classifier.output import ResumableWriter, text_hash
from classifier.pipeline import ArticleScorer
from classifier.prefetch import BackgroundFinder


@dataclass
class RunSummary:
    """What a run did: articles scored, statements written, articles skipped as already done, bad inputs."""

    articles: int = 0
    statements: int = 0
    already_done: int = 0
    errors: int = 0
    seconds: float = 0.0
    without_statements: int = 0
    not_english: int = 0

    def __str__(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        text = (
            f"{self.articles} article(s), {self.statements} statement(s), {self.already_done} already done, "
            f"{self.errors} input(s) skipped, {self.seconds:.1f}s ({rate:.1f} articles/s)"
        )
        if self.without_statements:
            text += f"; {self.without_statements} article(s) had no statement"
        if self.not_english:
            text += f"; {self.not_english} did not look like English (diplostance reads English news)"
        return text


class ErrorLog:
    """Reports bad inputs on standard error and, when given a path, appends them to a JSONL errors file."""

    def __init__(self, path: str | Path | None = None, prefix: str = "diplostance score") -> None:
        self.prefix, self.count = prefix, 0
        self.path = None if path is None else Path(path)
        self._handle: IO[str] | None = None
        self._known: set[str] = set()

    def report(self, error: InputError, echo=print) -> None:
        self.count += 1
        echo(f"{self.prefix}: skipped {error}", file=sys.stderr)
        if self.path is not None and self._handle is None:  # opened on the first error: no empty file left behind
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._known = self._recorded()
            self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        record = dataclasses.asdict(error)
        if self._handle is not None and json.dumps(record, sort_keys=True) not in self._known:
            self._known.add(json.dumps(record, sort_keys=True))  # a resumed run does not list it twice
            self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._handle.flush()

    def _recorded(self) -> set[str]:
        """The errors an earlier run on the same output already wrote."""
        known = set()
        if self.path is not None and self.path.is_file():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    known.add(json.dumps(json.loads(line), sort_keys=True))
                except json.JSONDecodeError:
                    continue
        return known

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


MAX_CHARS = 1_000_000  # an article longer than this is reported and skipped, never left to stall the stream
CHANGED = (
    "article {!r} changed since it was scored into this output; its old rows are kept: pass --overwrite to score "
    "everything afresh, or use another --output"
)
# The commonest English words: real English prose of 40 words or more is rarely under a tenth of them.
_ENGLISH = frozenset(
    "the of and to in a is that for on was with as by it at from said be has have are were he his its an not "
    "but they this which will who had their would been or after also more".split()
)


def looks_english(text: str, minimum_words: int = 40) -> bool:
    """A cheap language check, no model: a text of ``minimum_words`` or more is English when at least a tenth of
    its words are among the commonest English words. Shorter texts pass (too little to judge).

    >>> looks_english("The minister said on Tuesday that the talks would resume in Doha. " * 4)
    True
    >>> looks_english("Le ministre a déclaré mardi que les pourparlers reprendraient à Doha la semaine prochaine. " * 4)
    False
    """
    words = [w.lower() for w in text.split()[:400]]
    if len(words) < minimum_words:
        return True
    return sum(w.strip(".,;:!?\"'()") in _ENGLISH for w in words) >= 0.1 * len(words)


def split_paragraphs(text: str, limit: int) -> list[tuple[int, str]]:
    r"""``text`` cut at paragraph breaks (blank lines, else line ends) into pieces of at most ``limit`` characters,
    with each piece's offset; a paragraph longer than ``limit`` is cut at the limit.

    >>> split_paragraphs("one two\n\nthree four\n\nfive", 12)
    [(0, 'one two\n\n'), (9, 'three four\n\n'), (21, 'five')]
    """
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            window = text[start:end]
            cut = max(window.rfind("\n\n"), window.rfind("\n"))
            end = start + cut + (2 if window[cut : cut + 2] == "\n\n" else 1) if cut > 0 else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _save_text(folder: Path, article_id: str, text: str) -> None:
    """Write an article's text as ``folder/ID.txt``; an id's slashes make subfolders, never a path outside."""
    parts = [part for part in article_id.replace("\\", "/").split("/") if part not in ("", ".", "..")]
    path = folder.joinpath(*parts[:-1], f"{parts[-1] if parts else 'article'}.txt")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _into_whole(row: dict, article_id: str, offset: int, number: int) -> None:
    """A row of one part of a split article, moved to the whole article's id and offsets."""
    row["article_id"] = article_id
    row["statement_id"] = f"{article_id}-p{number}-{row['statement_id'].rsplit('-', 1)[-1]}"
    row["start"] += offset
    row["end"] += offset
    if row.get("speaker_mention"):
        row["speaker_mention"] = {**row["speaker_mention"], "start": row["speaker_mention"]["start"] + offset,
                                  "end": row["speaker_mention"]["end"] + offset}  # fmt: skip


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
    max_chars: int | None = MAX_CHARS,
    split_long: bool = False,
    save_text: str | Path | None = None,
    finder: BackgroundFinder | None = None,
) -> RunSummary:
    """Score every article not already in ``writer.done`` and write it; bad records go to ``errors``.

    Args:
        progress: a progress bar on standard error; ``None`` shows it only when standard error is a terminal.
        total: the number of articles, when known, for the bar's ETA.
        max_chars: longer articles are reported and skipped (None: no limit), or with ``split_long`` scored in
            parts cut at paragraph breaks (:func:`split_paragraphs`); their rows keep the article's id and offsets
            into the whole text, and their statement ids carry the part (``ID-p2-5``).
        save_text: a folder to keep each scored article's text in (``ID.txt``, UTF-8, line ends as read): the text
            the offsets index, e.g. the main text extracted from an HTML page.
        finder: extract in this child process, one batch ahead of the model (:mod:`classifier.prefetch`); it must
            use the same extractor as ``scorer``. None: extract and label in turn, in this process.
    """
    from tqdm.auto import tqdm

    summary, started = RunSummary(), time.perf_counter()
    disable = None if progress is None else not progress  # tqdm: None means off unless stderr is a terminal
    bar = tqdm(total=total, unit=" articles", disable=disable, file=sys.stderr, dynamic_ncols=True)
    echo = bar.write if not bar.disable else print

    seen: set[str] = set()

    parts: dict[str, tuple[str, int, int]] = {}  # part id -> (article id, offset, part number)
    whole: dict[str, str] = {}  # the text of split articles, for --save-text

    def split(items: Iterable[Article | InputError]) -> Iterator[Article | InputError]:
        for item in items:
            if split_long and isinstance(item, Article) and max_chars is not None and len(item.text) > max_chars:
                if save_text is not None:
                    whole[item.id] = item.text
                for number, (offset, piece) in enumerate(split_paragraphs(item.text, max_chars), start=1):
                    part_id = f"{item.id}#part{number}"
                    parts[part_id] = (item.id, offset, number)
                    yield Article(part_id, piece, item.source, item.date)
            else:
                yield item

    def todo() -> Iterator[Article]:
        for item in split(articles):
            if isinstance(item, InputError):
                errors.report(item, echo)
                continue
            if item.id in seen:
                message = f"article id {item.id!r} appears twice in this run; the first one was scored"
                errors.report(InputError(item.source, None, "id", message), echo)
                continue
            seen.add(item.id)
            if max_chars is not None and len(item.text) > max_chars:
                message = (f"article {item.id!r} is {len(item.text):,} characters, over the limit of {max_chars:,}: "
                           "pass --split-long to score it in parts, or raise --max-chars")  # fmt: skip
                errors.report(InputError(item.source, None, "text", message), echo)
                continue
            if item.id in writer.done:
                if writer.done[item.id] not in (None, text_hash(item.text)):
                    errors.report(InputError(item.source, None, None, CHANGED.format(item.id)), echo)
                else:
                    summary.already_done += 1
                bar.update(1)
                continue
            if not looks_english(item.text):
                summary.not_english += 1
                echo(f"{errors.prefix}: warning: article {item.id!r} does not look like English", file=sys.stderr)
            yield item

    def finish(batch: list[Article], scored: list[str], rows: list[dict]) -> None:
        with_rows = {row["article_id"] for row in rows}
        dates = {article.id: article.date for article in batch if article.date}
        for row in rows:
            if row["article_id"] in dates:  # the input's date travels with each of its statements
                row["date"] = dates[row["article_id"]]
            if row["article_id"] in parts:
                _into_whole(row, *parts[row["article_id"]])
        texts = {article.id: article.text for article in batch}
        if save_text is not None:
            for scored_id in scored:
                article_id = parts[scored_id][0] if scored_id in parts else scored_id  # a part saves its article
                _save_text(Path(save_text), article_id, whole.get(article_id) or texts[scored_id])
        writer.write(scored, rows, [text_hash(texts[article_id]) for article_id in scored])
        summary.without_statements += sum(article_id not in with_rows for article_id in scored)
        summary.articles += len(scored)
        summary.statements += len(rows)
        bar.update(len(batch))
        bar.set_postfix(statements=summary.statements, refresh=False)

    batches = _batches(todo(), articles_per_batch)
    if finder is None:
        for batch in batches:
            finish(batch, *_score_batch(scorer, batch, errors, echo))
    else:
        # one batch ahead: the child finds the statements of the next batch while the model labels this one
        ahead = None
        for batch in batches:
            future = finder.submit([(article.id, article.text) for article in batch])
            if ahead is not None:
                finish(ahead[0], *_label_found(scorer, *ahead, errors, echo))
            ahead = (batch, future)
        if ahead is not None:
            finish(ahead[0], *_label_found(scorer, *ahead, errors, echo))
    bar.close()
    summary.errors, summary.seconds = errors.count, time.perf_counter() - started
    return summary


def _label_found(
    scorer: ArticleScorer, batch: list[Article], future: Future, errors: ErrorLog, echo
) -> tuple[list[str], list[dict]]:
    """The rows of a batch whose statements a :class:`BackgroundFinder` found. An article the child could not read
    is reported and skipped; if the child itself died, the batch is scored here instead."""
    try:
        results = future.result()
    except BrokenProcessPool:
        echo(
            f"{errors.prefix}: warning: the extraction process stopped; scoring this batch in-process", file=sys.stderr
        )
        return _score_batch(scorer, batch, errors, echo)
    scored, found = [], []
    for article, result in zip(batch, results):
        if isinstance(result, str):
            errors.report(InputError(article.source, None, None, result), echo)
            continue
        scored.append(article.id)
        found.append(result)
    try:
        return scored, [s.as_dict() for s in scorer.label([item for items in found for item in items])]
    except Exception:  # noqa: BLE001 - find the article that failed, below
        pass
    kept, rows = [], []
    for article_id, items in zip(scored, found):
        try:
            rows += [s.as_dict() for s in scorer.label(items)]
            kept.append(article_id)
        except Exception as err:  # noqa: BLE001 - as in _score_batch: one bad article costs only itself
            article = next(a for a in batch if a.id == article_id)
            errors.report(InputError(article.source, None, None, f"{type(err).__name__}: {err}"), echo)
    return kept, rows


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
