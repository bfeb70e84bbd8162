"""Check annotated articles (ID.txt + ID.json) against the format of data/articles/README.md.

    python scripts/check_articles.py data/articles/test [data/articles/dev ...]

Reports every problem with file and statement number and exits 1 if there is one. Needs only the standard
library, so annotators can run it before anything is installed.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

STANCES = {"calls_for_ceasefire", "supports_self_defense", "demands_withdrawal", "calls_for_negotiations"}
FIELDS = {
    "text": str,
    "speaker": str,
    "speaker_mention": (str, type(None)),
    "on_behalf_of": (str, type(None)),
    "actor": (str, type(None)),
    "stances": list,
    "sentiment": str,
    "kind": str,
    "polarity": str,
}
CHOICES = {
    "sentiment": {"negative", "neutral", "positive"},
    "kind": {"direct", "indirect", "mixed"},
    "polarity": {"asserted", "rejected", "conditional", "question"},
}


def actor_ids() -> set[str]:
    table = Path(__file__).resolve().parent.parent / "classifier" / "resources" / "actors.tsv"
    with table.open(encoding="utf-8") as handle:
        return {row["id"] for row in csv.DictReader(handle, delimiter="\t")}


def check(json_path: Path, known_actors: set[str]) -> list[str]:
    problems = []
    try:
        record = json.loads(json_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        return [f"{json_path}: not JSON: {error}"]
    text_path = json_path.with_suffix(".txt")
    if not text_path.is_file():
        return [f"{json_path}: no article text {text_path.name} beside it"]
    text = text_path.read_text(encoding="utf-8")
    for key in ("id", "conflict", "statements"):
        if key not in record:
            problems.append(f"{json_path}: missing key {key!r}")
    if record.get("id") != json_path.stem:
        problems.append(f"{json_path}: id {record.get('id')!r} is not the file name {json_path.stem!r}")
    cursor = 0
    for number, item in enumerate(record.get("statements", []), start=1):
        where = f"{json_path}: statement {number}"
        for key, kind in FIELDS.items():
            if key not in item:
                problems.append(f"{where}: missing field {key!r}")
            elif not isinstance(item[key], kind):
                problems.append(f"{where}: field {key!r} has the wrong type")
        extra = set(item) - set(FIELDS)
        if extra:
            problems.append(f"{where}: unknown fields {sorted(extra)}")
        for key, allowed in CHOICES.items():
            if key in item and item[key] not in allowed:
                problems.append(f"{where}: {key} {item[key]!r} not one of {sorted(allowed)}")
        for stance in item.get("stances", []):
            if stance not in STANCES:
                problems.append(f"{where}: unknown stance {stance!r}")
        needle = item.get("text", "")
        start = text.find(needle, cursor)
        if start < 0:
            start = text.find(needle)
            if start < 0 or start < cursor - len(needle) - 1000:
                problems.append(f"{where}: text not found in article order: {needle[:60]!r}")
                continue
        if needle != needle.strip():
            problems.append(f"{where}: text has leading or trailing whitespace")
        mention = item.get("speaker_mention")
        if mention and mention not in needle:
            problems.append(f"{where}: speaker_mention {mention!r} is not in the statement text")
        actor = item.get("actor")
        if actor and actor not in known_actors and " " not in actor and actor != item.get("speaker"):
            problems.append(f"{where}: actor {actor!r} is neither an id of actors.tsv nor a person's name")
        cursor = start
    return problems


def main(argv: list[str]) -> int:
    known = actor_ids()
    problems, count = [], 0
    for folder in argv or ["data/articles/test"]:
        for path in sorted(Path(folder).glob("*.json")):
            count += 1
            problems += check(path, known)
    print("\n".join(problems) if problems else f"{count} articles: no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
