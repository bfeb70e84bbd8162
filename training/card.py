"""The model card and the provenance record written into every saved model directory.

``README.md`` is a Hugging Face model card: YAML metadata (labels, thresholds and a ``model-index`` with the dev and
test scores) above a body that says what the model does, what it was trained on and how well it did.
``provenance.json`` holds the same facts for machines: data file hashes and counts, library versions and the date.
Nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from training.data import Example

CARD_NAME = "README.md"
PROVENANCE_NAME = "provenance.json"
SPLITS = ("train", "dev", "test")
# Distribution names, looked up in the installed metadata (cheaper than importing torch just for a version).
LIBRARIES = ("torch", "transformers", "tokenizers", "datasets", "scikit-learn", "spacy")
# "owner/name": the only backbone form that is surely a Hub id; a bare name may be an installed weights package.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def _file_facts(path: str | Path) -> dict[str, Any]:
    """SHA-256 (full hex) and the number of non-blank lines, in one pass over the bytes."""
    digest, lines = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for line in handle:
            digest.update(line)
            lines += bool(line.strip())
    return {"path": str(path), "sha256": digest.hexdigest(), "lines": lines}


def data_summary(
    files: dict[str, list[str | Path]], examples: dict[str, list[Example]], stance_labels: list[str]
) -> dict[str, dict[str, Any]]:
    """Per split: each file's path, SHA-256 and line count, and the statement counts per label and conflict.

    ``stances`` counts the statements that carry each label (a statement with two labels counts twice) and, under
    ``"none"``, those with no stance.

    >>> from training.data import Example
    >>> ex = Example("a", "Stop the shelling.", "UN", ["calls_for_ceasefire"], "negative", "alpha")
    >>> data_summary({}, {"dev": [ex]}, ["calls_for_ceasefire"])["dev"]["stances"]
    {'calls_for_ceasefire': 1, 'none': 0}
    """
    summary = {}
    # a split with neither files nor statements (no test set) is left out, not listed as empty
    for split in [s for s in SPLITS if files.get(s) or examples.get(s)]:
        rows = examples.get(split, [])
        stances = Counter(label for row in rows for label in row.stances)
        summary[split] = {
            "files": [_file_facts(path) for path in files.get(split, [])],
            "statements": len(rows),
            "stances": {label: stances[label] for label in stance_labels} | {"none": sum(not r.stances for r in rows)},
            "sentiments": dict(sorted(Counter(r.sentiment for r in rows).items())),
            "conflicts": dict(sorted(Counter(r.conflict for r in rows).items())),
            # lines labelled for some stances only: their other labels are unknown, not absent
            "partially_annotated": sum(r.annotated_labels is not None for r in rows),
        }
    return summary


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def provenance(config_dict: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """Where a model came from: date (UTC), code and library versions, platform, data, label definitions.

    ``init_from`` is there only when the config's ``train.init_from`` names a model it started from.

    >>> record = provenance({"labels": {"stances": ["x"]}, "train": {}}, {})
    >>> sorted(record)
    ['created', 'data', 'diplostance', 'label_definitions', 'libraries', 'platform', 'python']
    """
    libraries = {name: _version(name) for name in LIBRARIES}
    record = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "diplostance": _version("diplostance") or "unknown",
        "python": platform.python_version(),
        "libraries": {name: version for name, version in libraries.items() if version},
        "platform": platform.platform(),
        "data": summary,
        "label_definitions": dict((config_dict.get("labels") or {}).get("definitions") or {}),
    }
    init_from = (config_dict.get("train") or {}).get("init_from")
    if init_from:
        record["init_from"] = str(init_from)
    return record


def _cell(value: Any) -> str:
    """A value made safe for one Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]


def _hub_id(backbone: str) -> str | None:
    """The backbone as a Hub id for ``base_model``, or None for a local path or a weights package."""
    return backbone if _HUB_ID.match(backbone) and not Path(backbone).exists() else None


def _thresholds(output_dir: Path, metrics: dict[str, Any]) -> dict[str, float]:
    if metrics.get("thresholds"):
        return dict(metrics["thresholds"])
    meta = output_dir / "diplostance.json"  # what the model itself will apply
    return dict(json.loads(meta.read_text(encoding="utf-8")).get("thresholds") or {}) if meta.is_file() else {}


def _eval_results(metrics: dict[str, Any], summary: dict[str, Any]) -> list[EvalResult]:
    """One ``model-index`` entry per scored split; its dataset name is the split and its file names."""
    results = []
    for split in ("dev", "test"):
        scores = metrics.get(split)
        if not scores:
            continue
        names = ", ".join(Path(f["path"]).name for f in summary.get(split, {}).get("files", []))
        where = {
            "task_type": "text-classification",
            "task_name": "Stance (multi-label) and sentiment classification",
            "dataset_type": "json",
            "dataset_name": f"{split} ({names})" if names else split,
            "dataset_split": split,
        }
        for key, metric_type, name, config in (
            ("stance_macro_f1", "f1", "stance macro-F1", "macro"),
            ("exact_set_accuracy", "accuracy", "stance exact-set accuracy", None),
            ("sentiment_macro_f1", "f1", "sentiment macro-F1", "macro"),
        ):
            if key in scores:
                value = scores[key]
                results.append(
                    EvalResult(
                        **where, metric_type=metric_type, metric_name=name, metric_config=config, metric_value=value
                    )
                )
    return results


def _labels_section(config_dict: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    labels = config_dict.get("labels") or {}
    definitions = labels.get("definitions") or {}
    # without definitions (an older config) the column would be empty: leave it out
    column = ["definition"] if definitions else []

    def described(label: str) -> list[str]:
        return [definitions.get(label, "")] if definitions else []

    stances = [[f"`{label}`", thresholds.get(label, 0.5), *described(label)] for label in labels["stances"]]
    sentiments = [[f"`{label}`", *described(label)] for label in labels.get("sentiments", [])]
    train = config_dict.get("train") or {}
    beta = float(train.get("threshold_beta", 1.0))
    score = "F1" if beta == 1.0 else f"F-beta with beta {beta:g}, which weighs precision more"
    tuned = train.get("tune_thresholds", True)
    how = f"tuned per label on the dev split (the value that maximised that label's dev {score})" if tuned else "fixed"
    return [
        "## Labels",
        "",
        "Stances (multi-label: a statement may carry none, one or several). A stance is predicted when its "
        f"probability reaches the label's threshold; the thresholds were {how}.",
        "",
        *_table(["stance", "threshold", *column], stances),
        "",
        "Sentiment (exactly one per statement, the most probable):",
        "",
        *_table(["sentiment", *column], sentiments),
        "",
    ]


def _data_section(summary: dict[str, Any], stance_labels: list[str]) -> list[str]:
    splits = [s for s in SPLITS if s in summary]
    if not splits:
        return []
    column = ["", *splits]
    counts = [["statements", *(summary[s]["statements"] for s in splits)]]
    counts += [[f"`{label}`", *(summary[s]["stances"].get(label, 0) for s in splits)] for label in stance_labels]
    counts += [["no stance", *(summary[s]["stances"].get("none", 0) for s in splits)]]
    if any(summary[s].get("partially_annotated") for s in splits):
        counts += [["annotated for some stances only", *(summary[s].get("partially_annotated", 0) for s in splits)]]
    sentiments = sorted({name for s in splits for name in summary[s]["sentiments"]})
    counts += [[f"sentiment `{name}`", *(summary[s]["sentiments"].get(name, 0) for s in splits)] for name in sentiments]
    conflicts = sorted({name for s in splits for name in summary[s]["conflicts"]})
    by_conflict = [[name, *(summary[s]["conflicts"].get(name, 0) for s in splits)] for name in conflicts]
    files = [[s, f"`{f['path']}`", f["lines"], f"`{f['sha256']}`"] for s in splits for f in summary[s]["files"]]
    return [
        "## Training data",
        "",
        "Statements per split and label:",
        "",
        *_table(column, counts),
        "",
        "Statements per conflict:",
        "",
        *_table(["conflict", *splits], by_conflict),
        "",
        "Files (non-blank lines, SHA-256 of each file):",
        "",
        *_table(["split", "file", "lines", "sha256"], files),
        "",
    ]


def _metrics_section(metrics: dict[str, Any], stance_labels: list[str], train: dict[str, Any]) -> list[str]:
    lines = ["## Evaluation", ""]
    tuned = (("thresholds", "tune_thresholds"), ("epoch", "select_best_epoch"))
    chosen = [what for what, key in tuned if train.get(key)]
    if metrics.get("dev") and chosen:
        lines += [
            f"The dev split chose the {' and the '.join(chosen)}, so its scores flatter the model; the test split "
            "took no part in training or tuning and is the fairer estimate.",
            "",
        ]
    for split in [s for s in ("dev", "test") if metrics.get(s)]:
        scores = metrics[split]
        lines += [f"### {split} ({scores.get('n', '?')} statements)", ""]
        baseline = (metrics.get("baseline_tfidf") or {}).get(split) or {}
        names = (
            ("stance_macro_f1", "stance macro-F1"),
            ("exact_set_accuracy", "stance exact-set accuracy"),
            ("sentiment_macro_f1", "sentiment macro-F1"),
            ("sentiment_accuracy", "sentiment accuracy"),
        )
        rows = [
            [name, scores[key], *([baseline.get(key, "")] if baseline else [])] for key, name in names if key in scores
        ]
        lines += [*_table(["metric", "model", *(["TF-IDF baseline"] if baseline else [])], rows), ""]
        per_label = scores.get("stance") or {}
        rows = [
            [f"`{label}`", *(per_label[label].get(k) for k in ("precision", "recall", "f1", "support"))]
            for label in stance_labels
            if label in per_label
        ]
        lines += [*_table(["stance", "precision", "recall", "F1", "support"], rows), ""]
        absent = scores.get("labels_absent_from_gold") or []
        if absent:
            listed = ", ".join(f"`{label}`" for label in absent)
            lines += [f"No gold statement in this split carries {listed}; the macro averages leave them out.", ""]
    if metrics.get("warnings"):
        lines += ["Warnings given at training time:", "", *(f"- {warning}" for warning in metrics["warnings"]), ""]
    return lines


def _body(name: str, config_dict: dict[str, Any], metrics: dict[str, Any], record: dict[str, Any], thresholds):
    stance_labels = config_dict["labels"]["stances"]
    model = config_dict.get("model") or {}
    train = config_dict.get("train") or {}
    start = f" It continued training from the model in `{record['init_from']}`." if record.get("init_from") else ""
    libraries = [[lib, version] for lib, version in record.get("libraries", {}).items()]
    return [
        f"# {name}",
        "",
        "A diplostance model: given a statement from conflict or diplomacy news and the name of its speaker, it "
        "says which of the stance labels below the speaker takes (none, one or several) and the sentiment of the "
        "statement. The speaker is read as the "
        "first part of a sentence pair, so one sentence can be judged differently for two speakers. It is a "
        f"`{model.get('backbone', '?')}` encoder fine-tuned with a sigmoid stance head and a softmax sentiment "
        f"head.{start}",
        "",
        *_labels_section(config_dict, thresholds),
        *_data_section(record.get("data") or {}, stance_labels),
        "## Hyperparameters",
        "",
        *_table(["setting", "value"], [[f"model.{k}", v] for k, v in model.items()]),
        *_table(["setting", "value"], [[f"train.{k}", v] for k, v in train.items()])[2:],
        "",
        *_metrics_section(metrics, stance_labels, train),
        "## Intended use",
        "",
        "Scoring statements that diplostance's extractor (or a person) has found in English news about wars, "
        "ceasefires and diplomacy, to count and compare who calls for what across many articles. Aggregates over "
        "many statements are more trustworthy than any single prediction.",
        "",
        "## Out-of-scope use",
        "",
        "Judging one person or government from a single prediction; moderation, sanctions or any decision about "
        "people; text that is not English news (social media, transcripts, other languages); stances outside the "
        "label set above.",
        "",
        "## Limitations",
        "",
        "- Trained on English news-style statements only; other registers and languages are untested.",
        "- On whole articles, mistakes of the statement extractor and speaker attribution (a wrong speaker, a cut "
        "statement) pass straight into the labels; the scores above assume correctly extracted statements.",
        "- The bundled corpus was written for this project, not sampled from real wire copy, so scores on real "
        "reporting may be lower.",
        "- The thresholds were tuned on the dev split; a different source or label balance may need new ones.",
        "",
        "## How to use",
        "",
        "```python",
        "from classifier.modeling import StanceModel",
        "",
        'model = StanceModel.from_pretrained("path/to/this/directory")',
        'model.predict(["Both sides must halt the fighting now."], ["UN Secretary-General"])',
        "```",
        "",
        "On articles (extraction, speakers and labels): `diplostance score --model path/to/this/directory "
        "article.txt`.",
        "",
        "## Provenance",
        "",
        f"Saved on {record.get('created', '?')} with diplostance {record.get('diplostance', 'unknown')}, "
        f"Python {record.get('python', '?')} on {record.get('platform', '?')}. All details, with the data file "
        "hashes, are in `provenance.json`.",
        "",
        *(_table(["library", "version"], libraries) if libraries else []),
        "",
    ]


def write_model_card(
    output_dir: str | Path, config_dict: dict[str, Any], metrics: dict[str, Any], provenance: dict[str, Any]
) -> Path:
    """Write ``README.md`` (a Hugging Face model card) and ``provenance.json`` into ``output_dir``.

    Returns the card's path. Works offline: the card is built from its parts, never from a downloaded template.

    >>> write_model_card("models/default", config.to_dict(), metrics, record)  # doctest: +SKIP
    PosixPath('models/default/README.md')
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    labels = config_dict["labels"]
    thresholds = _thresholds(output_dir, metrics)
    name = output_dir.resolve().name
    backbone = str((config_dict.get("model") or {}).get("backbone", ""))
    data = ModelCardData(
        language="en",
        license="apache-2.0",
        library_name="diplostance",
        pipeline_tag="text-classification",
        tags=["diplostance", "stance-detection", "sentiment-analysis", "multi-label", "news"],
        base_model=_hub_id(backbone),
        model_name=name,
        eval_results=_eval_results(metrics, provenance.get("data") or {}),
        stance_labels=list(labels["stances"]),
        sentiment_labels=list(labels.get("sentiments", [])),
        thresholds=thresholds,
    )
    body = "\n".join(_body(name, config_dict, metrics, provenance, thresholds))
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n\n{body}")
    path = output_dir / CARD_NAME
    card.save(path)
    (output_dir / PROVENANCE_NAME).write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    return path
