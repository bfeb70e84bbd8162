"""Writing scored statements: JSONL, CSV or Parquet, resumable, and never a half-written line or file.

Each batch of articles is written, flushed and synced, and only then recorded in a progress journal beside the
output (``OUTPUT.progress``; ``_progress.jsonl`` inside a Parquet directory). A rerun with the same output reads
the journal, skips the articles it lists and cuts off anything written after its last entry, which is at most
the batch that was in flight when the run was killed. Articles without statements are recorded too, so they
are not scored again.

JSONL rows keep the nested fields (``actor``, ``speaker_mention``, score dictionaries). CSV and Parquet rows
are flat (:func:`flatten`): one column per field and per label score, so a spreadsheet or a dataframe reads
them as they are. Parquet output is a directory of ``part-NNNNN.parquet`` files, each written under a
temporary name and renamed into place. PLOVER output (``plover``) holds events instead of rows, one JSON line per
stance of a statement (:mod:`classifier.formats.plover`), and is written and resumed like JSONL.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sys
from pathlib import Path
from typing import IO

FORMATS = ("jsonl", "csv", "parquet", "plover")
MENTION_FIELDS = ("text", "start", "end")
ACTOR_FIELDS = ("id", "type", "country", "org")


def _warn(message: str) -> None:
    print(f"diplostance: warning: {message}", file=sys.stderr)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def run_fingerprint(model_dir: str | Path, model, backend: str, extractor: str) -> dict:
    """What decides the rows of a run: the weights, labels and thresholds, backend (and the torch backend's
    precision), extractor and version.

    The backend recorded is the one ``model`` runs on (its ``backend`` attribute, set by
    :func:`~classifier.onnx_backend.load_model`), so a run asked for ``auto`` names what it got."""
    from importlib.metadata import PackageNotFoundError, version

    from classifier.modeling import file_hash
    from classifier.onnx_backend import INT8_NAME, ONNX_NAME

    backend = getattr(model, "backend", None) or backend
    if backend == "auto":
        raise ValueError("run_fingerprint needs the backend the model runs on, not auto: load it with load_model")
    weights = {"torch": "model.safetensors", "onnx": ONNX_NAME, "onnx-int8": INT8_NAME}[backend]
    try:
        package = version("diplostance")
    except PackageNotFoundError:
        package = "unknown"
    return {
        "weights": file_hash(Path(model_dir) / weights),
        "labels": [*model.stance_labels, *model.sentiment_labels],
        "thresholds": {k: round(float(v), 6) for k, v in model.thresholds.items()},
        "backend": backend,
        **({"dtype": getattr(model, "dtype_name", "fp32")} if backend == "torch" else {}),
        "extractor": extractor,
        "version": package,
    }


def spreadsheet_safe(value):
    """A CSV cell that a spreadsheet will not run as a formula: text starting with ``= + - @`` (or a tab or
    carriage return) gets a leading apostrophe, as OWASP advises against CSV injection. Numbers are left alone.

    >>> spreadsheet_safe("=SUM(A1)"), spreadsheet_safe("-2 said"), spreadsheet_safe(-0.5)
    ("'=SUM(A1)", "'-2 said", -0.5)
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def text_hash(text: str) -> str:
    """A short fingerprint of an article's text, kept in the journal to notice an article edited since.

    >>> text_hash("Moscow urged calm.") == text_hash("Moscow urged calm."), text_hash("a") == text_hash("b")
    (True, False)
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def format_for(output: str | None, requested: str | None = None) -> str:
    """The output format: ``requested`` if given, else from the output's suffix, else JSONL.

    >>> format_for("scored.parquet"), format_for("scored.csv"), format_for("-"), format_for("x.csv", "jsonl")
    ('parquet', 'csv', 'jsonl', 'jsonl')
    """
    if requested:
        return requested
    for name in FORMATS:
        if output and output.lower().endswith("." + name):
            return name
    return "jsonl"


def flat_columns(stance_labels: list[str], sentiment_labels: list[str]) -> list[str]:
    """Column names of a flat row, in order."""
    return [
        "article_id",
        "statement_id",
        "speaker",
        *[f"speaker_mention_{key}" for key in MENTION_FIELDS],
        "on_behalf_of",
        *[f"actor_{key}" for key in ACTOR_FIELDS],
        "text",
        "start",
        "end",
        "kind",
        "polarity",
        "cue",
        "stances",
        *[f"stance_{label}" for label in stance_labels],
        "sentiment",
        *[f"sentiment_{label}" for label in sentiment_labels],
        "date",
    ]


def flatten(row: dict) -> dict:
    """A scored statement (nested, as in JSONL) as one flat row; ``stances`` stays a list.

    >>> flat = flatten({"article_id": "a", "statement_id": "a-1", "speaker": "Russia", "speaker_mention": None,
    ...     "actor": {"id": "RUS", "type": "government", "country": "RUS", "org": None}, "text": "...",
    ...     "start": 0, "end": 3, "kind": "indirect", "polarity": "asserted", "cue": "said", "stances": [],
    ...     "stance_scores": {"calls_for_ceasefire": 0.1}, "sentiment": "neutral",
    ...     "sentiment_scores": {"neutral": 0.9}})
    >>> flat["actor_country"], flat["speaker_mention_text"], flat["stance_calls_for_ceasefire"]
    ('RUS', None, 0.1)
    """
    mention, actor = row.get("speaker_mention") or {}, row.get("actor") or {}
    flat = {key: row[key] for key in ("article_id", "statement_id", "speaker")}
    flat.update({f"speaker_mention_{key}": mention.get(key) for key in MENTION_FIELDS})
    flat["on_behalf_of"] = row.get("on_behalf_of")
    flat.update({f"actor_{key}": actor.get(key) for key in ACTOR_FIELDS})
    flat.update({key: row[key] for key in ("text", "start", "end", "kind", "polarity", "cue", "stances")})
    flat.update({f"stance_{label}": score for label, score in row["stance_scores"].items()})
    flat["sentiment"] = row["sentiment"]
    flat.update({f"sentiment_{label}": score for label, score in row["sentiment_scores"].items()})
    flat["date"] = row.get("date")
    return flat


def arrow_schema(stance_labels: list[str], sentiment_labels: list[str]):
    """The Parquet schema of flat rows: fixed, so every part file of a run has the same columns and types."""
    import pyarrow as pa

    types = {"speaker_mention_start": pa.int64(), "speaker_mention_end": pa.int64(), "start": pa.int64()}
    types.update({"end": pa.int64(), "stances": pa.list_(pa.string())})
    for label in stance_labels:
        types[f"stance_{label}"] = pa.float64()
    for label in sentiment_labels:
        types[f"sentiment_{label}"] = pa.float64()
    return pa.schema([(name, types.get(name, pa.string())) for name in flat_columns(stance_labels, sentiment_labels)])


class ResumableWriter:
    """Writes batches of scored articles to a file or directory and keeps the progress journal.

    Args:
        output: the output path, or ``-`` for standard output (no journal, nothing to resume).
        fmt: ``jsonl``, ``csv``, ``parquet`` or ``plover`` (PLOVER events as JSON lines, written and resumed like
            JSONL: :mod:`classifier.formats.plover`).
        stance_labels, sentiment_labels: the model's labels, which fix the flat columns.
        overwrite: start afresh, deleting an earlier output and its journal.
        fingerprint: what produced the rows (:func:`run_fingerprint`); recorded in a new journal, and resuming an
            output written with another one is refused.

    ``done`` maps each article id already written by an earlier run to a hash of the text it was scored from
    (:func:`text_hash`; None in journals written before hashes were kept), so a changed article is noticed.
    """

    def __init__(
        self,
        output: str,
        fmt: str,
        stance_labels: list[str],
        sentiment_labels: list[str],
        overwrite: bool = False,
        fingerprint: dict | None = None,
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r}: choose one of {', '.join(FORMATS)}")
        self.fmt, self.stdout = fmt, output in ("-", "")
        if self.stdout and fmt == "parquet":
            raise ValueError("Parquet cannot go to standard output: give --output DIR")
        self.columns = flat_columns(stance_labels, sentiment_labels)
        self.labels = (stance_labels, sentiment_labels)
        self.done: dict[str, str | None] = {}
        # Events and rows must not share a file: a PLOVER journal records its format, so resuming it as rows (or
        # rows as events) is refused. Other formats leave it out, so journals written before it still resume.
        if fingerprint is not None and fmt == "plover":
            fingerprint = {**fingerprint, "format": fmt}
        self.fingerprint = fingerprint
        self.lock_path: Path | None = None
        self.path = Path(output)
        self._handle: IO | None = None
        self._journal: IO | None = None
        self._part = 0
        if self.stdout:
            return
        self.journal_path = self.path / "_progress.jsonl" if fmt == "parquet" else Path(f"{output}.progress")
        if overwrite:
            self._remove_earlier()
        self._open()

    def _remove_earlier(self) -> None:
        if self.fmt == "parquet" and self.path.is_dir():
            for part in self.path.glob("part-*.parquet*"):
                part.unlink()
        elif self.path.is_file():
            self.path.unlink()
        self.journal_path.unlink(missing_ok=True)

    def _read_journal(self) -> tuple[dict | None, list[dict]]:
        """The journal's header (the fingerprint) and its batch entries. A torn last line, the entry being written
        when a run died, is cut off the file, so entries appended later are not hidden behind it."""
        if not self.journal_path.is_file():
            return None, []
        data = self.journal_path.read_bytes()
        header, entries, good = None, [], 0
        for line in data.splitlines(keepends=True):
            try:
                if not line.endswith(b"\n"):
                    raise ValueError("no line end")
                entry = json.loads(line)
            except ValueError:
                break  # its batch is redone
            good += len(line)
            if "fingerprint" in entry:
                header = entry
            else:
                entries.append(entry)
        if good < len(data):
            _warn(f"{self.journal_path}: cut a torn last entry ({len(data) - good} bytes); its batch is redone")
            with self.journal_path.open("r+b") as handle:
                handle.truncate(good)
        return header, entries

    def _output_lost(self, entries: list[dict]) -> bool:
        """Whether the output the journal describes is gone or shorter than recorded (deleted or truncated)."""
        if not entries:
            return False
        if self.fmt == "parquet":
            return any(e.get("part") and not (self.path / e["part"]).is_file() for e in entries)
        size = self.path.stat().st_size if self.path.is_file() else 0
        return size < entries[-1]["bytes"]

    def _lock(self) -> None:
        """One run per output: a second run on the same output stops instead of interleaving its rows."""
        self.lock_path = self.journal_path.with_name(self.journal_path.name.replace("progress", "lock"))
        for _ in range(2):
            try:
                descriptor = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                try:
                    pid = int(self.lock_path.read_text(encoding="utf-8").strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and _alive(pid):
                    raise ValueError(
                        f"another run (process {pid}) is writing {self.path}: wait for it to finish, or delete "
                        f"{self.lock_path} if no such run is going on"
                    ) from None
                _warn(f"{self.lock_path}: left by a run that is no longer going on (process {pid}); taking it over")
                self.lock_path.unlink(missing_ok=True)
                continue
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(str(os.getpid()))
            return

    def _open(self) -> None:
        if self.fmt == "parquet":
            exists = self.path.is_dir() and any(self.path.iterdir())
        else:
            exists = self.path.is_file() and self.path.stat().st_size > 0
        (self.path if self.fmt == "parquet" else self.path.parent).mkdir(parents=True, exist_ok=True)
        self._lock()
        header, entries = self._read_journal()
        if exists and not self.journal_path.is_file():
            self.close()
            raise ValueError(
                f"{self.path} exists but has no progress journal ({self.journal_path.name}), so it was not written "
                "by a resumable run; remove it, choose another --output, or pass --overwrite"
            )
        if self._output_lost(entries):
            _warn(f"{self.path} is missing or shorter than its journal records: starting afresh")
            self._remove_earlier()
            header, entries = None, []
        if header is not None and self.fingerprint is not None and header["fingerprint"] != self.fingerprint:
            changed = sorted(k for k in {**header["fingerprint"], **self.fingerprint}
                             if header["fingerprint"].get(k) != self.fingerprint.get(k))  # fmt: skip
            self.close()
            raise ValueError(
                f"{self.path} was written with a different {', '.join(changed)} than this run's: pass --overwrite "
                "to score everything afresh, or choose another --output"
            )
        for entry in entries:
            hashes = entry.get("hashes") or [None] * len(entry["articles"])
            self.done.update(zip(entry["articles"], hashes))
        fresh = not self.journal_path.is_file() or self.journal_path.stat().st_size == 0
        self._journal = open(self.journal_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        if fresh and self.fingerprint is not None:
            self._append({"fingerprint": self.fingerprint})
        if self.fmt == "parquet":
            kept = {entry["part"] for entry in entries if entry.get("part")}
            for part in self.path.glob("part-*.parquet*"):
                if part.name not in kept:  # written after the last journal entry: its articles are redone
                    part.unlink()
            self._part = 1 + max((int(name[5:10]) for name in kept), default=-1)
        else:
            size = entries[-1]["bytes"] if entries else 0
            self._handle = open(self.path, "a+b")  # noqa: SIM115 - closed in close()
            self._handle.truncate(size)  # drops anything written after the last recorded batch
            self._handle.seek(size)
            if size == 0 and self.fmt == "csv":
                self._write_bytes(self._csv_text([], header=True))
                self._record([], bytes=self._handle.tell())

    def write(self, article_ids: list[str], rows: list[dict], hashes: list[str] | None = None) -> None:
        """Write the rows of a batch of articles, then record the articles (and their texts' hashes) as done."""
        hashes = hashes or [None] * len(article_ids)
        if self.stdout:
            text = self._text(rows, header=not self._part)
            self._part += 1
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        if self.fmt == "parquet":
            name = self._write_part(rows) if rows else None
            self._record(article_ids, hashes, part=name)
        else:
            text = self._text(rows, header=False)
            self._write_bytes(text)
            self._record(article_ids, hashes, bytes=self._handle.tell())
        self.done.update(zip(article_ids, hashes))

    def _text(self, rows: list[dict], header: bool) -> str:
        if self.fmt == "plover":
            from classifier.formats.plover import events_jsonl

            return events_jsonl(rows)
        return self._jsonl_text(rows) if self.fmt == "jsonl" else self._csv_text(rows, header=header)

    def _jsonl_text(self, rows: list[dict]) -> str:
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)

    def _csv_text(self, rows: list[dict], header: bool) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, lineterminator="\n")
        if header:
            writer.writeheader()
        for row in rows:
            flat = flatten(row)
            flat["stances"] = ";".join(flat["stances"])
            writer.writerow({key: spreadsheet_safe(value) for key, value in flat.items()})
        return buffer.getvalue()

    def _write_bytes(self, text: str) -> None:
        self._handle.write(text.encode("utf-8"))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def _write_part(self, rows: list[dict]) -> str:
        import pyarrow as pa
        import pyarrow.parquet as pq

        name = f"part-{self._part:05d}.parquet"
        self._part += 1
        table = pa.Table.from_pylist([flatten(row) for row in rows], schema=arrow_schema(*self.labels))
        scratch = self.path / f"{name}.tmp"
        pq.write_table(table, scratch)
        with open(scratch, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(scratch, self.path / name)
        return name

    def _record(self, article_ids: list[str], hashes: list[str | None] | None = None, **position) -> None:
        self._append({"articles": article_ids, "hashes": hashes or [None] * len(article_ids), **position})

    def _append(self, entry: dict) -> None:
        self._journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())

    def close(self) -> None:
        for handle in (self._handle, self._journal):
            if handle is not None:
                handle.close()
        self._handle = self._journal = None
        if getattr(self, "lock_path", None) is not None:
            self.lock_path.unlink(missing_ok=True)
            self.lock_path = None

    def __enter__(self) -> ResumableWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
