"""Corpus checks behind ``diplostance data check``: schema, label names, duplicates, near-duplicates, leakage
across splits, and the distributions a corpus report needs, style profile included (``training.style``).

Near-duplicates are pairs whose character similarity (``difflib.SequenceMatcher.ratio``) is at least 0.9.
Comparing every pair with difflib would take minutes on a few thousand lines, so candidates come first from
character 4-gram TF-IDF cosine similarity (sparse, a second or two) and only those are confirmed with difflib.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from training.data import checked_records
from training.style import style_profile

NEAR_DUPLICATE = 0.9
CANDIDATE_COSINE = 0.6  # well below what two strings at difflib ratio 0.9 score, so no pair is missed in practice


@dataclass
class Line:
    path: str
    number: int
    record: dict

    @property
    def where(self) -> str:
        return f"{self.path}:{self.number}"


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def read_lines(paths: list[str], stances: list[str], sentiments: list[str], report: Report) -> list[Line]:
    lines = []
    for name in paths:
        path = Path(name)
        if not path.is_file():
            report.errors.append(f"{path}: no such file")
            continue
        for number, record, example, problems in checked_records(path, stances, sentiments):
            report.errors += problems
            if example is not None:
                lines.append(Line(str(path), number, record))
    return lines


def near_duplicate_pairs(texts: list[str], threshold: float = NEAR_DUPLICATE) -> list[tuple[int, int, float]]:
    """Index pairs ``(i, j, ratio)`` with ``i < j`` whose difflib ratio is >= ``threshold``; identical texts
    included."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return []
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(4, 4), lowercase=True).fit_transform(texts)
    similarity = (vectors @ vectors.T).tocoo()
    pairs = []
    for i, j, cosine in zip(similarity.row, similarity.col, similarity.data):
        if i < j and cosine >= CANDIDATE_COSINE:
            ratio = SequenceMatcher(None, texts[i], texts[j], autojunk=False).ratio()
            if ratio >= threshold:
                pairs.append((int(i), int(j), round(ratio, 4)))
    return sorted(pairs)


def check_corpus(paths: list[str], stances: list[str], sentiments: list[str], shared_conflicts: bool = False) -> Report:
    """Run every check over ``paths`` (treated as splits when there are several) and gather statistics.

    ``shared_conflicts`` accepts a conflict in several splits (a stratified split), reporting it as a warning."""
    report = Report()
    lines = read_lines(paths, stances, sentiments, report)
    ids: dict[str, Line] = {}
    for line in lines:
        first = ids.setdefault(line.record["id"], line)
        if first is not line:
            report.errors.append(f"{line.where}: id: duplicate {line.record['id']!r} (first at {first.where})")

    # A conflict belongs to one split only, or the test split no longer measures unseen conflicts.
    conflict_files: dict[str, set[str]] = {}
    for line in lines:
        conflict_files.setdefault(line.record["conflict"], set()).add(line.path)
    for conflict, files in sorted(conflict_files.items()):
        if len(files) > 1 and shared_conflicts:
            report.warnings.append(f"conflict {conflict!r} appears in several splits: {sorted(files)}")
        elif len(files) > 1:
            report.errors.append(
                f"conflict {conflict!r} appears in several splits: {sorted(files)}; with too few conflicts to split "
                "by, make a stratified split (`diplostance data split --by label`) and check it with --shared-conflicts"
            )

    texts = [line.record["text"] for line in lines]
    pairs = near_duplicate_pairs(texts)
    same_text_pairs = 0
    near = []
    for i, j, ratio in pairs:
        a, b = lines[i], lines[j]
        if a.record["text"] == b.record["text"] and a.record["speaker"] != b.record["speaker"]:
            same_text_pairs += 1  # one sentence, two speakers: one line each, by design
            if a.path != b.path:
                report.errors.append(f"{b.where}: text: same sentence as {a.where} in another split (leakage)")
            continue
        if a.record["text"] == b.record["text"]:
            report.errors.append(f"{b.where}: text: duplicate of {a.where} with the same speaker")
        elif a.path != b.path:
            report.errors.append(
                f"{b.where}: text: near-identical ({ratio:.2f}) to {a.where} in another split (leakage)"
            )
        else:
            report.warnings.append(f"{b.where}: text: near-duplicate ({ratio:.2f}) of {a.where}")
        near.append((i, j))
    n = len(lines)
    involved = {k for pair in near for k in pair}
    report.stats = {
        "files": paths,
        "statements": n,
        "conflicts": len(conflict_files),
        "distinct_speakers": len({line.record["speaker"] for line in lines}),
        "near_duplicate_pairs": len(near),
        "near_duplicate_pair_share": round(len(near) / max(1, n * (n - 1) / 2), 6),
        "near_duplicate_line_share": round(len(involved) / max(1, n), 4),
        "same_text_other_speaker_pairs": same_text_pairs,
        "no_stance_share": round(sum(not line.record["stances"] for line in lines) / max(1, n), 4),
        "multi_stance_share": round(sum(len(line.record["stances"]) > 1 for line in lines) / max(1, n), 4),
        "stances": dict(Counter(s for line in lines for s in line.record["stances"]).most_common()),
        "sentiments": dict(Counter(line.record["sentiment"] for line in lines).most_common()),
        "speaker_types": dict(Counter(line.record.get("speaker_type") or "unset" for line in lines).most_common()),
        "conflict_sizes": {c: sum(line.record["conflict"] == c for line in lines) for c in sorted(conflict_files)},
        "per_file": {p: sum(line.path == p for line in lines) for p in paths},
        "style": style_profile([line.record for line in lines]),
    }
    return report
