"""Loading and checking labelled statements (JSONL, one statement a line).

Every problem is reported as ``file:line: field: message`` so it can be fixed at the source.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("id", "text", "speaker", "stances", "sentiment", "conflict")
OPTIONAL = ("speaker_type", "source", "note", "annotated_labels")


class DataError(ValueError):
    """A labelled file has problems; ``problems`` lists each as ``file:line: field: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in labelled data:\n{shown}{more}")


@dataclass
class Example:
    """One labelled statement."""

    id: str
    text: str
    speaker: str
    stances: list[str]
    sentiment: str
    conflict: str
    speaker_type: str | None = None
    source: str | None = None
    note: str | None = None
    # The stance labels this line was annotated for; None: all of them. A label outside the list is unknown for
    # this line (neither present nor absent), so the loss and the metrics leave it out.
    annotated_labels: list[str] | None = None


def check_record(
    record: object, stance_labels: list[str], sentiment_labels: list[str]
) -> tuple[Example | None, list[str]]:
    """Validate one parsed JSON line; return the example (or None) and ``field: message`` problems."""
    if not isinstance(record, dict):
        return None, ["(line): expected a JSON object"]
    problems = [f"{key}: missing" for key in REQUIRED if key not in record]
    problems += [f"{key}: unknown field" for key in record if key not in REQUIRED + OPTIONAL]
    for key in ("id", "text", "speaker", "sentiment", "conflict"):
        if key in record and (not isinstance(record[key], str) or not record[key].strip()):
            problems.append(f"{key}: must be a non-empty string")
    stances = record.get("stances")
    if "stances" in record:
        if not isinstance(stances, list) or not all(isinstance(s, str) for s in stances):
            problems.append("stances: must be a list of label names")
        else:
            problems += [
                f"stances: unknown label {s!r} (known: {stance_labels})" for s in stances if s not in stance_labels
            ]
            if len(set(stances)) != len(stances):
                problems.append("stances: repeated label")
    sentiment = record.get("sentiment")
    if isinstance(sentiment, str) and sentiment.strip() and sentiment not in sentiment_labels:
        problems.append(f"sentiment: unknown label {sentiment!r} (known: {sentiment_labels})")
    for key in ("speaker_type", "source", "note"):
        if record.get(key) is not None and not isinstance(record[key], str):
            problems.append(f"{key}: must be a string")
    annotated = record.get("annotated_labels")
    if annotated is not None:
        if not isinstance(annotated, list) or not all(isinstance(s, str) for s in annotated):
            problems.append("annotated_labels: must be a list of stance label names")
        else:
            problems += [f"annotated_labels: unknown label {s!r}" for s in annotated if s not in stance_labels]
            if isinstance(stances, list):
                problems += [
                    f"stances: {s!r} is not in this line's annotated_labels" for s in stances if s not in annotated
                ]
    if problems:
        return None, problems
    return Example(**{key: record.get(key) for key in REQUIRED + OPTIONAL}), []


def checked_records(
    path: Path, stance_labels: list[str], sentiment_labels: list[str]
) -> Iterator[tuple[int, dict, Example | None, list[str]]]:
    """Each non-blank line of a labelled file as ``(line number, record, example or None, problems)``; every
    problem is already prefixed with ``file:line:``."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                yield number, {}, None, [f"{path}:{number}: (line): invalid JSON: {err.msg}"]
                continue
            example, found = check_record(record, stance_labels, sentiment_labels)
            yield number, record, example, [f"{path}:{number}: {problem}" for problem in found]


def load_examples(path: str | Path, stance_labels: list[str], sentiment_labels: list[str]) -> list[Example]:
    """Read a labelled JSONL file; raise :class:`DataError` naming every bad line and field.

    Training on a silently trimmed file would hide labelling mistakes, so any problem stops the load.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labelled data file not found: {path}")
    examples, problems, seen = [], [], {}
    for number, _, example, found in checked_records(path, stance_labels, sentiment_labels):
        problems += found
        if example is None:
            continue
        if example.id in seen:
            problems.append(f"{path}:{number}: id: duplicate {example.id!r} (first on line {seen[example.id]})")
            continue
        seen[example.id] = number
        examples.append(example)
    if problems:
        raise DataError(problems)
    if not examples:
        raise DataError([f"{path}: no statements found"])
    return examples


def load_split(files, stance_labels: list[str], sentiment_labels: list[str]) -> list[Example]:
    """Read every file of a split (``DataConfig.files(split)``) into one list; ids must be unique across files.

    A file's ``annotated_labels`` from the config applies to each of its lines that does not name its own.
    """
    examples, problems, seen = [], [], {}
    for entry in files:
        try:
            loaded = load_examples(entry.path, stance_labels, sentiment_labels)
        except DataError as err:
            problems += err.problems
            continue
        for example in loaded:
            if example.annotated_labels is None and entry.annotated_labels is not None:
                wrong = [s for s in example.stances if s not in entry.annotated_labels]
                if wrong:
                    problems.append(f"{entry.path}: id {example.id!r}: stances: {wrong} outside the file's "
                                    f"annotated_labels {entry.annotated_labels}")  # fmt: skip
                example.annotated_labels = list(entry.annotated_labels)
            if example.id in seen:
                problems.append(f"{entry.path}: id: {example.id!r} also in {seen[example.id]}")
                continue
            seen[example.id] = entry.path
            examples.append(example)
    if problems:
        raise DataError(problems)
    return examples


def article_records(
    directories: list[str | Path],
    stance_labels: list[str],
    sentiment_labels: list[str],
    exclude_conflicts: set[str] | frozenset[str] = frozenset(),
    exclude_articles: tuple[str, ...] = (),
) -> list[dict]:
    """The statements of annotated articles (``ID.json`` beside ``ID.txt``, as in ``data/articles``) as labelled
    lines for training: id ``<article>-<n>``, the statement's text, speaker, stances and sentiment, and the article's
    conflict. Articles of a conflict in ``exclude_conflicts`` are left out (those of a dev or test split, so that
    no conflict leaks across splits), and so are those whose file name (without ``.json``) matches a glob pattern
    of ``exclude_articles`` ("art-h-*"). Raises :class:`DataError` naming the file, statement and field of every
    problem.

    >>> rows = article_records(["data/articles/dev"], ["calls_for_ceasefire", "supports_self_defense",
    ...     "demands_withdrawal", "calls_for_negotiations"], ["negative", "neutral", "positive"])
    >>> rows[0]["id"], sorted(rows[0])
    ('art-a-01-000', ['conflict', 'id', 'sentiment', 'source', 'speaker', 'stances', 'text'])
    """
    rows, problems = [], []
    for directory in map(Path, directories):
        if not directory.is_dir():
            raise FileNotFoundError(f"annotated article folder not found: {directory}")
        for path in sorted(directory.glob("*.json")):
            if any(fnmatch.fnmatchcase(path.stem, pattern) for pattern in exclude_articles):
                continue
            try:
                article = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as err:
                problems.append(f"{path}: invalid JSON: {err.msg} (line {err.lineno})")
                continue
            if not isinstance(article, dict) or not isinstance(article.get("statements"), list):
                problems.append(f"{path}: statements: expected an object with a list of statements")
                continue
            conflict = article.get("conflict") or path.stem
            if conflict in exclude_conflicts:
                continue
            for number, statement in enumerate(article["statements"]):
                if not isinstance(statement, dict):
                    problems.append(f"{path}: statements[{number}]: expected a JSON object")
                    continue
                record = {
                    "id": f"{article.get('id', path.stem)}-{number:03d}",
                    **{key: statement.get(key) for key in ("text", "speaker", "stances", "sentiment")},
                    "conflict": conflict,
                    "source": f"article {path.name}",
                }
                _, found = check_record(record, stance_labels, sentiment_labels)
                problems += [f"{path}: statements[{number}].{problem}" for problem in found]
                if not found:
                    rows.append(record)
    if problems:
        raise DataError(problems)
    return rows
