"""Reading inputs and writing outputs for the command line, with per-line error reports.

A bad line in a batch is reported (file, line, field) and skipped; the rest is still processed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass
class InputError:
    """A record that could not be used, located precisely enough to fix it."""

    source: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def read_jsonl(path: Path, required: tuple[str, ...] = ("text",)) -> Iterator[tuple[int, dict] | InputError]:
    """Yield ``(line_number, record)`` for good lines and :class:`InputError` for bad ones."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                yield InputError(str(path), number, None, f"invalid JSON ({err.msg})")
                continue
            if not isinstance(record, dict):
                yield InputError(str(path), number, None, "expected a JSON object")
                continue
            problem = _check_fields(record, required)
            if problem is not None:
                yield InputError(str(path), number, problem[0], problem[1])
                continue
            yield number, record


def _check_fields(record: dict, required: tuple[str, ...]) -> tuple[str, str] | None:
    for key in required:
        if key not in record:
            return key, "missing"
        if not isinstance(record[key], str) or not record[key].strip():
            return key, "must be a non-empty string"
    for key in ("id", "speaker"):
        if record.get(key) is not None and not isinstance(record[key], (str, int)):
            return key, "must be a string"
    return None


def read_articles(inputs: list[str]) -> Iterator[tuple[str, str, str] | InputError]:
    """Yield ``(article_id, text, source)`` from ``.txt`` files, directories of them, or ``.jsonl`` files of
    ``{"id", "text"}`` articles; bad inputs come out as :class:`InputError`."""
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix in (".txt", ".jsonl"))
            if not files:
                yield InputError(str(path), None, None, "directory holds no .txt or .jsonl articles")
            for file in files:
                yield from _read_article_file(file)
        elif path.is_file():
            yield from _read_article_file(path)
        else:
            yield InputError(str(path), None, None, "no such file or directory")


def _read_article_file(path: Path) -> Iterator[tuple[str, str, str] | InputError]:
    if path.suffix == ".jsonl":
        for item in read_jsonl(path, required=("id", "text")):
            if isinstance(item, InputError):
                yield item
            else:
                number, record = item
                yield str(record["id"]), record["text"], f"{path}:{number}"
    elif path.suffix == ".txt":
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            yield InputError(str(path), None, None, f"not UTF-8 text ({err.reason} at byte {err.start})")
            return
        yield path.stem, text, str(path)
    else:
        yield InputError(str(path), None, None, "unsupported input type: expected .txt, .jsonl or a directory")


@contextmanager
def open_output(name: str | None) -> Iterator[IO[str]]:
    """``None`` or ``-`` is standard output; anything else a file, its folder created if needed."""
    if name in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        yield handle


def write_jsonl(handle: IO[str], record: dict) -> None:
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def format_table(rows: list[dict], width: int = 60) -> str:
    """A plain-text table of scored statements for reading in a terminal."""
    headers = ["speaker", "stances", "sentiment", "kind", "statement"]
    lines = []
    for row in rows:
        statement = " ".join(row["text"].split())
        if len(statement) > width:
            statement = statement[: width - 3] + "..."
        lines.append([row["speaker"], ", ".join(row["stances"]) or "-", row["sentiment"], row["kind"], statement])
    sizes = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(sizes[i]) for i, h in enumerate(headers)).rstrip()]
    out.append("  ".join("-" * size for size in sizes))
    out += ["  ".join(cell.ljust(sizes[i]) for i, cell in enumerate(line)).rstrip() for line in lines]
    return "\n".join(out)
