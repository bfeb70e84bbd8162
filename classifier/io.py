"""Reading inputs and writing outputs for the command line, with per-line error reports.

A bad line in a batch is reported (file, line, field) and skipped; the rest is still processed.
"""

from __future__ import annotations

import gzip
import itertools
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


MAX_SPEAKER = 300  # characters: a longer "speaker" is a field mix-up, not a name
ENCODING_HINT = "pass --encoding with the file's encoding (e.g. --encoding latin-1 or cp1252)"


def codec(encoding: str) -> str:
    """The codec to decode with: UTF-8 input may start with a byte-order mark, which is not part of the text.

    >>> codec("utf-8"), codec("UTF8"), codec("latin-1")
    ('utf-8-sig', 'utf-8-sig', 'iso8859-1')
    """
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}: use a Python codec name such as utf-8 or latin-1") from None
    return "utf-8-sig" if name == "utf-8" else name


def decoded_lines(handle: IO[bytes], source: str, encoding: str = "utf-8") -> Iterator[str | InputError]:
    """Lines of a binary stream decoded one by one, so one undecodable line is reported and the rest are read."""
    first = codec(encoding)
    rest = "utf-8" if first == "utf-8-sig" else first  # a byte-order mark can only open the file
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode(rest if number > 1 else first)
        except UnicodeDecodeError as err:
            yield InputError(source, number, None, f"not valid {encoding} ({err.reason} at byte {err.start}); "
                             + ENCODING_HINT)  # fmt: skip


def read_jsonl(
    path: Path, required: tuple[str, ...] = ("text",), encoding: str = "utf-8"
) -> Iterator[tuple[int, dict] | InputError]:
    """Yield ``(line_number, record)`` for good lines and :class:`InputError` for bad ones."""
    with path.open("rb") as handle:
        for item in _json_lines(decoded_lines(handle, str(path), encoding), str(path)):
            if isinstance(item, InputError):
                yield item
                continue
            _, number, record = item
            problem = _check_fields(record, required)
            if problem is not None:
                yield InputError(str(path), number, problem[0], problem[1])
            else:
                yield number, record


def _check_fields(record: dict, required: tuple[str, ...]) -> tuple[str, str] | None:
    for key in required:
        if key not in record:
            return key, "missing" + _field_hint(record, key, required)
        if not isinstance(record[key], str) or not record[key].strip():
            return key, "must be a non-empty string"
    for key in ("id", "speaker"):
        if record.get(key) is not None and not isinstance(record[key], (str, int)):
            return key, "must be a string"
    speaker = record.get("speaker")
    if isinstance(speaker, str) and len(speaker) > MAX_SPEAKER:
        return "speaker", f"is {len(speaker)} characters long, more than a name ({MAX_SPEAKER}): is it the text?"
    return None


def _field_hint(record: dict, missing: str, required: tuple[str, ...]) -> str:
    """For a missing text field: name the record's longest other string field of some length, the likely text
    ("body", "content")."""
    if missing != required[-1]:  # the text field comes last: ("text",) or (id_field, text_field)
        return ""
    strings = [
        (len(value), key)
        for key, value in record.items()
        if isinstance(value, str) and len(value.strip()) >= 20 and key not in (*required, "id")
    ]
    if not strings:
        return ""
    _, key = max(strings)
    return f"; the record has a string field {key!r}: use --text-field {key}"


@dataclass
class Article:
    """One article to score, with where it came from (``file`` or ``file:line``) for error reports."""

    id: str
    text: str
    source: str
    date: str | None = None  # the record's ``date`` field, when it has one (ISO 8601 is expected, not enforced)


ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".jsonl.gz", ".parquet")


def read_articles(
    inputs: list[str],
    id_field: str = "id",
    text_field: str = "text",
    stdin: IO[str] | None = None,
    encoding: str = "utf-8",
) -> Iterator[Article | InputError]:
    """Stream articles from files, directories (searched recursively) and ``-`` (standard input).

    ``.txt`` is one article named after the file (its path below a directory input, without the suffix:
    ``a/x.txt`` -> ``a/x``); ``.html``/``.htm`` is one article, its main text extracted by
    trafilatura; ``.jsonl``, ``.jsonl.gz`` and ``.parquet`` hold one article per record with ``id_field`` and
    ``text_field``. Standard input is JSONL when its first character is ``{``, else one plain-text article named
    ``stdin``. Records are read one at a time (Parquet by row group), so memory does not grow with the input.
    Bad files and records come out as :class:`InputError` and the stream goes on. Text files are decoded with
    ``encoding`` (UTF-8 by default, a byte-order mark allowed); bytes that do not decode are an error for their
    file or line, never silently replaced.
    """
    codec(encoding)  # an unknown encoding is a usage error before anything is read
    for name in inputs:
        if name == "-":
            yield from _read_stdin(stdin or sys.stdin, id_field, text_field)
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(ARTICLE_SUFFIXES))
            if not files:
                yield InputError(str(path), None, None, f"directory holds no {', '.join(ARTICLE_SUFFIXES)} files")
            for file in files:
                # the id is the path below the input folder, so a/x.txt and b/x.txt stay two articles
                name = file.relative_to(path).with_name(file.name.split(".")[0]).as_posix()
                yield from _read_article_file(file, id_field, text_field, encoding, name)
        elif path.is_file():
            yield from _read_article_file(path, id_field, text_field, encoding, path.name.split(".")[0])
        else:
            yield InputError(str(path), None, None, "no such file or directory")


def count_articles(inputs: list[str]) -> int | None:
    """How many articles ``inputs`` hold, for a progress bar's ETA; None when it cannot be known beforehand
    (standard input). A quick pass: lines are counted, not parsed; Parquet row counts come from the footer."""
    total = 0
    for name in inputs:
        if name == "-":
            return None
        path = Path(name)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            lower = file.name.lower()
            try:
                if lower.endswith((".txt", ".html", ".htm")):
                    total += 1
                elif lower.endswith((".jsonl", ".jsonl.gz")):
                    opener = gzip.open if lower.endswith(".gz") else open
                    with opener(file, "rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                elif lower.endswith(".parquet"):
                    import pyarrow.parquet as pq

                    total += pq.ParquetFile(file).metadata.num_rows
            except (OSError, EOFError, ImportError):
                continue  # the reader reports it properly
    return total


def _read_article_file(
    path: Path, id_field: str, text_field: str, encoding: str, name_id: str
) -> Iterator[Article | InputError]:
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        try:
            with opener(path, "rb") as handle:
                lines = decoded_lines(handle, str(path), encoding)
                yield from _records_to_articles(_json_lines(lines, str(path)), id_field, text_field)
        except (OSError, EOFError) as err:  # a truncated or corrupt .gz: what was read so far stands
            yield InputError(str(path), None, None, f"cannot read further: {err}")
    elif name.endswith(".parquet"):
        yield from _read_parquet(path, id_field, text_field)
    elif name.endswith((".txt", ".html", ".htm")):
        try:
            data = path.read_bytes()
        except OSError as err:  # unreadable (permissions, a broken link, a vanished file): this file only
            yield InputError(str(path), None, None, f"cannot read: {err.strerror or err}")
            return
        if b"\x00" in data[:8192]:
            yield InputError(str(path), None, None, "not a text file (it holds NUL bytes): is it a binary document?")
            return
        try:
            text = data.decode(codec(encoding))
        except UnicodeDecodeError as err:
            yield InputError(str(path), None, None, f"not valid {encoding} ({err.reason} at byte {err.start}); "
                             + ENCODING_HINT)  # fmt: skip
            return
        if name.endswith(".txt"):
            yield Article(name_id, text, str(path))
            return
        main_text = html_to_text(text)
        if main_text:
            yield Article(name_id, main_text, str(path))
        else:
            yield InputError(str(path), None, None, "no main text found in the HTML")
    else:
        expected = ", ".join(ARTICLE_SUFFIXES)
        hint = ""
        if name.endswith((".pdf", ".docx", ".doc", ".odt", ".rtf")):
            hint = "; convert it to text first (e.g. `pdftotext FILE.pdf` or save the document as .txt or .html)"
        yield InputError(str(path), None, None, f"unsupported input type: expected {expected}, - or a directory{hint}")


def html_to_text(html: str) -> str | None:
    """The main text of a web page (boilerplate, menus and comments removed), or None when there is none."""
    try:
        import trafilatura
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            "reading .html needs trafilatura: pip install 'diplostance[io]'", name="trafilatura"
        ) from err
    return trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)


def _json_lines(lines, source: str) -> Iterator[tuple[str, int, dict] | InputError]:
    for number, line in enumerate(lines, start=1):
        if isinstance(line, InputError):  # a line that did not decode
            yield line
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield InputError(source, number, None, f"invalid JSON ({err.msg})")
            continue
        if not isinstance(record, dict):
            yield InputError(source, number, None, "expected a JSON object")
            continue
        yield source, number, record


def _records_to_articles(records, id_field: str, text_field: str) -> Iterator[Article | InputError]:
    for item in records:
        if isinstance(item, InputError):
            yield item
            continue
        source, number, record = item
        problem = _check_fields(record, (id_field, text_field))
        date = record.get("date")
        if hasattr(date, "isoformat"):  # a Parquet date or timestamp column
            date = date.isoformat()
        if problem is None and date is not None and not isinstance(date, str):
            problem = ("date", f'must be a string such as "2024-05-01", got {type(date).__name__}')
        if problem is not None:
            yield InputError(source, number, problem[0], problem[1])
        else:
            yield Article(str(record[id_field]), record[text_field], f"{source}:{number}", date or None)


def _read_parquet(path: Path, id_field: str, text_field: str) -> Iterator[Article | InputError]:
    try:
        import pyarrow.parquet as pq
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            "reading .parquet needs pyarrow: pip install 'diplostance[io]'", name="pyarrow"
        ) from err
    try:
        parquet = pq.ParquetFile(path)
        missing = [f for f in (id_field, text_field) if f not in parquet.schema_arrow.names]
        if missing:
            yield InputError(str(path), None, missing[0], "no such column")
            return
        number = 0
        for batch in parquet.iter_batches(batch_size=512, columns=[id_field, text_field]):
            for record in batch.to_pylist():
                number += 1
                yield from _records_to_articles([(str(path), number, record)], id_field, text_field)
    except (OSError, ValueError) as err:  # not Parquet, cut short, or bad data in a row group: keep what was read
        yield InputError(str(path), None, None, f"cannot read as Parquet: {err}")


def _read_stdin(handle: IO[str], id_field: str, text_field: str) -> Iterator[Article | InputError]:
    head = handle.read(1)
    while head.isspace():
        head += handle.read(1)
    if head.endswith("{"):
        lines = itertools.chain([head + handle.readline()], handle)
        yield from _records_to_articles(_json_lines(lines, "<stdin>"), id_field, text_field)
    elif head.strip():
        yield Article("stdin", head + handle.read(), "<stdin>")
    else:
        yield InputError("<stdin>", None, None, "standard input is empty")


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


def format_table(rows: list[dict], width: int = 100) -> str:
    """A plain-text table of scored statements for reading in a terminal; statements wrap at ``width``
    characters onto continuation lines, nothing is cut off.

    >>> print(format_table([{"speaker": "Russia", "stances": ["calls_for_ceasefire"], "sentiment": "neutral",
    ...     "polarity": "asserted", "kind": "indirect", "text": "Moscow urged both sides to stop firing."}], width=20))
    speaker  stances              sentiment  polarity  kind      statement
    -------  -------------------  ---------  --------  --------  -----------------
    Russia   calls_for_ceasefire  neutral    asserted  indirect  Moscow urged both
                                                                 sides to stop
                                                                 firing.
    """
    import textwrap

    headers = ["speaker", "stances", "sentiment", "polarity", "kind", "statement"]
    lines = []
    for row in rows:
        wrapped = textwrap.wrap(" ".join(row["text"].split()), max(10, width)) or [""]
        cells = [row["speaker"], ", ".join(row["stances"]) or "-", row["sentiment"], row.get("polarity") or "-",
                 row["kind"]]  # fmt: skip
        lines.append((cells, wrapped))
    sizes = [max([len(h)] + [len(cells[i]) for cells, _ in lines]) for i, h in enumerate(headers[:-1])]
    sizes.append(max([len(headers[-1])] + [len(part) for _, wrapped in lines for part in wrapped]))
    out = ["  ".join(h.ljust(sizes[i]) for i, h in enumerate(headers)).rstrip()]
    out.append("  ".join("-" * size for size in sizes))
    for cells, wrapped in lines:
        out.append("  ".join(c.ljust(sizes[i]) for i, c in enumerate([*cells, wrapped[0]])).rstrip())
        indent = sum(sizes[:-1]) + 2 * (len(sizes) - 1)
        out += [" " * indent + part for part in wrapped[1:]]
    return "\n".join(out)
