"""Apply an audit file (one change per line: id, field, old, new, rule, why) to corpus splits, in place.

    python scripts/apply_audit.py data/audits/taxonomy-v3.jsonl data/train.jsonl data/dev.jsonl data/test.jsonl
    python scripts/apply_audit.py data/audits/articles-taxonomy-v3.jsonl --articles data/articles

With ``--articles``, each change names an annotated article (``file``, relative to that folder) and the ``index``
of a statement in it instead of an ``id``.

Every change must find its line and its ``old`` value, or nothing is written: an audit made against another
version of the corpus is refused rather than half applied. Prints the number of changes per rule and field.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audit", help="JSONL of changes")
    parser.add_argument("splits", nargs="*", help="corpus JSONL files to change in place")
    parser.add_argument("--articles", help="folder of annotated articles (for changes with file and index)")
    args = parser.parse_args(argv)
    changes = [json.loads(line) for line in Path(args.audit).read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.articles:
        return apply_to_articles(Path(args.audit), Path(args.articles), changes)
    files = {
        path: [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()] for path in args.splits
    }
    where = {record["id"]: record for records in files.values() for record in records}

    def locate(change: dict) -> tuple[dict | None, str]:
        record = where.get(change["id"])
        if record is None:
            return None, f"id {change['id']!r} is in none of the splits"
        return record, f"{change['id']} {change['field']} is {record[change['field']]!r}, not {change['old']!r}"

    if not _apply(args.audit, changes, locate):
        return 1
    for path, records in files.items():
        Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return _summary(changes)


def apply_to_articles(audit: Path, root: Path, changes: list[dict]) -> int:
    articles = {change["file"]: json.loads((root / change["file"]).read_text(encoding="utf-8")) for change in changes}

    def locate(change: dict) -> tuple[dict | None, str]:
        statements = articles[change["file"]]["statements"]
        statement = statements[change["index"]] if change["index"] < len(statements) else None
        return statement, f"{change['file']} #{change['index']} {change['field']} does not hold {change['old']!r}"

    if not _apply(audit, changes, locate):
        return 1
    for name, article in articles.items():
        (root / name).write_text(json.dumps(article, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return _summary(changes)


def _apply(audit, changes: list[dict], locate) -> bool:
    """Set each change's field to its new value where the located record holds the old one; report every change
    that does not match (``locate`` gives the record, or None, and the message for a mismatch). True when all
    matched; nothing is written otherwise."""
    problems = []
    for number, change in enumerate(changes, start=1):
        record, mismatch = locate(change)
        if record is None or record[change["field"]] != change["old"]:
            problems.append(f"{audit}:{number}: {mismatch}")
        else:
            record[change["field"]] = change["new"]
    if problems:
        print("\n".join(problems), file=sys.stderr)
    return not problems


def _summary(changes: list[dict]) -> int:
    counts = Counter((change["rule"], change["field"]) for change in changes)
    for (rule, field), count in sorted(counts.items()):
        print(f"{rule} {field}: {count}")
    print(f"{len(changes)} change(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
