"""Label Studio as the annotation tool of the retraining loop: its labeling config, tasks out, annotations in.

The loop: ``diplostance select`` writes tasks with the model's labels as predictions (the annotator corrects
rather than starts blank) -> annotators work in Label Studio -> its JSON export comes back through
:func:`import_export` as corpus rows. Every problem names the export file, the task and the field; a bad task is
reported and skipped, the others go on.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from classifier.predictor import StancePrediction
from training.data import check_record

__all__ = ["ImportResult", "labeling_config", "make_task", "import_export", "config_command", "import_command"]

STANCE, SENTIMENT, SPEAKER = "stance", "sentiment", "speaker"  # control names shared by config, tasks and import


def labeling_config(stances: list[str], sentiments: list[str], definitions: Mapping[str, str] | None = None) -> str:
    """The Label Studio labeling config for a model's own labels.

    The context sits above the statement in smaller grey type; the speaker is a one-line text box prefilled from
    the task, which the annotator corrects when the extractor named the wrong one. Stances are multiple choice,
    and no choice ticked means none of them; the sentiment is one required choice.

    >>> xml = labeling_config(["calls_for_ceasefire"], ["negative", "neutral"], {"calls_for_ceasefire": "halt"})
    >>> '<Choice value="calls_for_ceasefire" hint="halt" />' in xml
    True
    """
    definitions = definitions or {}
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="Context", size="6")
    context = ET.SubElement(view, "View", style="font-size: 85%; color: #666; margin-bottom: 0.5em")
    ET.SubElement(context, "Text", name="context", value="$context")
    ET.SubElement(view, "Header", value="Statement", size="5")
    ET.SubElement(view, "Text", name="text", value="$text")
    ET.SubElement(view, "Header", value="Speaker (correct it if wrong)", size="6")
    ET.SubElement(view, "TextArea", name=SPEAKER, toName="text", value="$speaker", editable="true",
                  maxSubmissions="1", rows="1")  # fmt: skip
    ET.SubElement(view, "Header", value="Stances (tick none if the statement takes none of them)", size="6")
    stance = ET.SubElement(view, "Choices", name=STANCE, toName="text", choice="multiple", showInline="false")
    for label in stances:
        attributes = {"value": label}
        if definitions.get(label):
            attributes["hint"] = definitions[label]
        ET.SubElement(stance, "Choice", attributes)
    ET.SubElement(view, "Header", value="Sentiment", size="6")
    sentiment = ET.SubElement(view, "Choices", name=SENTIMENT, toName="text", choice="single", required="true",
                              showInline="true")  # fmt: skip
    for label in sentiments:
        ET.SubElement(sentiment, "Choice", value=label)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def _choices(name: str, values: list[str]) -> dict:
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": list(values)}}


def make_task(
    statement: dict,
    prediction: StancePrediction | None,
    model_version: str,
    context: str,
    score: float | None = None,
) -> dict:
    """One Label Studio task for a statement: a ``diplostance score`` row or an unlabelled ``{id, text, speaker}``.

    Args:
        statement: the row; ``text`` is required, ``speaker``, ``article_id``, ``statement_id`` (else ``id``),
            ``start``/``end`` and ``conflict`` are carried when present.
        prediction: the model's labels, shown as a prediction to correct; None for a blank task.
        model_version: names the model in Label Studio's prediction list.
        context: the sentences around the statement (may be empty).
        score: the prediction's score (the selection's confidence); default the mean confidence of its labels.

    >>> task = make_task({"id": "s1", "text": "Talks now.", "speaker": "Russia"}, None, "m", "")
    >>> task["data"]["statement_id"], task["predictions"]
    ('s1', [])
    """
    data = {
        "text": statement["text"],
        "speaker": "" if statement.get("speaker") is None else str(statement["speaker"]),
        "article_id": statement.get("article_id"),
        "statement_id": statement.get("statement_id", statement.get("id")),
        "context": context,
    }
    for key in ("start", "end", "conflict"):
        if statement.get(key) is not None:
            data[key] = statement[key]
    task = {"data": {key: value for key, value in data.items() if value is not None}, "predictions": []}
    if prediction is not None:
        result = [_choices(STANCE, prediction.stances)] if prediction.stances else []
        result.append(_choices(SENTIMENT, [prediction.sentiment]))
        task["predictions"].append(
            {
                "model_version": model_version,
                "score": float(_confidence(prediction) if score is None else score),
                "result": result,
            }
        )
    return task


def _confidence(prediction: StancePrediction) -> float:
    """Mean confidence of the decisions: each stance's probability of the side it fell on, and the sentiment's."""
    sides = [max(p, 1.0 - p) for p in prediction.stance_scores.values()]
    sides.append(max(prediction.sentiment_scores.values(), default=0.0))
    return round(sum(sides) / len(sides), 4)


@dataclass
class ImportResult:
    """What a Label Studio export gave: corpus rows and everything that kept a task out of them."""

    examples: list[dict] = field(default_factory=list)  # corpus rows, each valid for training.data
    problems: list[str] = field(default_factory=list)  # EXPORT.json:task ID: field: message; the task is skipped
    skipped: int = 0  # tasks skipped for a problem
    cancelled: int = 0  # annotations the annotator skipped (was_cancelled)
    unannotated: int = 0  # tasks with no annotation that was not cancelled
    disagreements: list[str] = field(default_factory=list)  # tasks skipped because annotators differ
    multiply_annotated: int = 0  # tasks with two or more usable annotations: the base of ``agreement``
    agreement: dict[str, float] = field(default_factory=dict)  # per stance label, and "sentiment"

    def summary(self) -> str:
        agreement = ", ".join(f"{label} {share:.2f}" for label, share in self.agreement.items()) or "n/a"
        return (
            f"{len(self.examples)} imported, {self.skipped} skipped for problems, {self.cancelled} cancelled "
            f"annotation(s), {self.unannotated} unannotated task(s), {len(self.disagreements)} disagreement(s); "
            f"agreement on {self.multiply_annotated} multiply-annotated task(s): {agreement}"
        )


class _TaskProblem(ValueError):
    """A task that cannot be imported; the message is ``field: message``."""


def _labels(annotation: dict, stances: list[str], sentiments: list[str]) -> tuple[list[str], str, str | None]:
    """(stances, sentiment, corrected speaker or None) of one annotation."""
    chosen: dict[str, list[str]] = {}
    speaker = None
    results = annotation.get("result")
    if not isinstance(results, list):
        raise _TaskProblem("result: expected a list of results")
    for item in results:
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            raise _TaskProblem("result: an item without a value")
        name = item.get("from_name")
        if name in (STANCE, SENTIMENT):
            values = item["value"].get("choices")
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise _TaskProblem(f"{name}: choices must be a list of label names")
            chosen.setdefault(name, []).extend(values)
        elif name == SPEAKER:
            lines = [line.strip() for line in item["value"].get("text") or [] if isinstance(line, str)]
            speaker = " ".join(line for line in lines if line)
            if not speaker:
                raise _TaskProblem("speaker: the corrected speaker is empty")
        # other controls (a comment box added to the project) carry nothing the corpus holds
    for name, known in ((STANCE, stances), (SENTIMENT, sentiments)):
        unknown = [value for value in chosen.get(name, []) if value not in known]
        if unknown:
            raise _TaskProblem(f"{name}: unknown label(s) {unknown} (known: {known})")
    sentiment = chosen.get(SENTIMENT, [])
    if not sentiment:
        raise _TaskProblem("sentiment: missing (every statement needs one)")
    if len(sentiment) > 1:
        raise _TaskProblem(f"sentiment: {len(sentiment)} chosen ({sentiment}), one expected")
    picked = set(chosen.get(STANCE, []))
    return [label for label in stances if label in picked], sentiment[0], speaker


def import_export(
    path: str | Path, stances: list[str], sentiments: list[str], conflict: str | None = None
) -> ImportResult:
    """Read a Label Studio JSON export into corpus rows; nothing is written.

    A task is imported when its usable annotations (not cancelled) agree; annotators who differ are reported in
    ``disagreements`` and the task is skipped, as is a task with a problem (an unknown label, no sentiment, no
    conflict). ``agreement`` is, per label, the share of tasks with two or more usable annotations on which all
    annotators agree.

    Args:
        path: the export (Label Studio's "JSON" format: a list of tasks with ``annotations``).
        stances, sentiments: the label names the project's config offered.
        conflict: the conflict every row belongs to; else each task's ``data.conflict``.

    >>> import_export("export.json", ["calls_for_ceasefire"], ["negative", "neutral"], "x").examples  # doctest: +SKIP
    [{'id': 'a-1', 'text': ..., 'source': 'label-studio:7'}]
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Label Studio export not found: {path}")
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err.msg}, line {err.lineno})") from None
    if not isinstance(tasks, list) or any(isinstance(t, dict) and "annotations" not in t for t in tasks):
        raise ValueError(
            f"{path}: not a Label Studio JSON export (a list of tasks with annotations); export the project "
            "with the format 'JSON', not 'JSON-MIN' or CSV"
        )
    result = ImportResult()
    agree: dict[str, int] = {label: 0 for label in [*stances, SENTIMENT]}
    seen: dict[str, object] = {}
    for number, task in enumerate(tasks):
        task_id = task.get("id") if isinstance(task, dict) else None
        where = f"{path}:task {f'#{number + 1}' if task_id is None else task_id}"  # the export's own id when it has one
        try:
            row = _import_task(task, stances, sentiments, conflict, result, agree)
        except _TaskProblem as problem:
            result.problems.append(f"{where}: {problem}")
            result.skipped += 1
            continue
        if row is None:
            continue
        if isinstance(row, str):  # annotators differ
            result.disagreements.append(f"{where}: {row}")
            continue
        if row["id"] in seen:
            result.problems.append(f"{where}: id: duplicate {row['id']!r} (also task {seen[row['id']]})")
            result.skipped += 1
            continue
        seen[row["id"]] = task["id"]
        result.examples.append(row)
    if result.multiply_annotated:
        result.agreement = {label: round(n / result.multiply_annotated, 4) for label, n in agree.items()}
    return result


def _import_task(
    task: object, stances: list[str], sentiments: list[str], conflict: str | None, result: ImportResult, agree: dict
) -> dict | str | None:
    """The corpus row of one task; a string when annotators differ, None when nobody annotated it."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise _TaskProblem("data: missing (not a Label Studio task)")
    if not isinstance(task.get("annotations"), list):
        raise _TaskProblem("annotations: expected a list")
    data = task["data"]
    usable = []
    for annotation in task["annotations"]:
        if not isinstance(annotation, dict):
            raise _TaskProblem("annotations: expected objects")
        if annotation.get("was_cancelled"):
            result.cancelled += 1
            continue
        labels, sentiment, speaker = _labels(annotation, stances, sentiments)
        default_speaker = data.get("speaker")
        speaker = speaker or (default_speaker.strip() if isinstance(default_speaker, str) else default_speaker)
        usable.append((tuple(labels), sentiment, speaker))
    if not usable:
        result.unannotated += 1
        return None
    if len(usable) > 1:
        result.multiply_annotated += 1
        for label in stances:
            agree[label] += len({label in labels for labels, _, _ in usable}) == 1
        agree[SENTIMENT] += len({sentiment for _, sentiment, _ in usable}) == 1
        if len(set(usable)) > 1:
            described = [
                f"stances {list(labels)}, sentiment {sentiment}, speaker {who!r}" for labels, sentiment, who in usable
            ]
            return "annotators differ: " + " | ".join(described)
    labels, sentiment, speaker = usable[0]
    task_id = task.get("id")
    row = {
        "id": str(data.get("statement_id") or f"ls-{task_id}"),
        "text": data.get("text"),
        "speaker": speaker,
        "stances": list(labels),
        "sentiment": sentiment,
        "conflict": conflict or data.get("conflict"),
        "source": f"label-studio:{task_id}",
    }
    if not isinstance(speaker, str) or not speaker.strip():
        raise _TaskProblem("speaker: empty; the annotator must type who made the statement into the speaker box")
    if not row["conflict"]:
        raise _TaskProblem("conflict: missing; give the conflict with --conflict NAME or as the task's data.conflict")
    _, problems = check_record(row, stances, sentiments)
    if problems:
        raise _TaskProblem("; ".join(problems))
    return row


def _labels_from(model: str | None, config: str | None) -> tuple[list[str], list[str], dict | None]:
    """Stance and sentiment names (and stance definitions when a config has them) of a model or a config."""
    from training.config import load_config

    if model and config:
        raise ValueError("give --model or --config, not both")
    if model:
        meta_file = Path(model) / "diplostance.json"
        if not meta_file.is_file():
            from classifier.modeling import no_model_message

            raise FileNotFoundError(no_model_message(Path(model)))
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        trained_with = Path(model) / "training_config.yaml"
        definitions = None
        if trained_with.is_file():
            try:
                definitions = getattr(load_config(trained_with).labels, "definitions", None)
            except ValueError:  # written by another version: the definitions are hints, the labels come from meta
                definitions = None
        return list(meta["stance_labels"]), list(meta["sentiment_labels"]), definitions
    labels = load_config(config).labels
    return list(labels.stances), list(labels.sentiments), getattr(labels, "definitions", None)


def config_command(model: str | None = None, config: str | None = None) -> str:
    """``diplostance labels config``: the labeling config XML for a model's labels or a config's."""
    return labeling_config(*_labels_from(model, config))


def import_command(
    export: str,
    output: str,
    conflict: str | None = None,
    model: str | None = None,
    config: str | None = None,
    overwrite: bool = False,
) -> int:
    """``diplostance labels import``: write the export's rows as JSONL; exit 1 when a task was skipped."""
    stances, sentiments, _ = _labels_from(model, config)
    out = Path(output)
    if out.exists() and not overwrite:
        raise ValueError(f"{out} exists; pass --overwrite to replace it, or choose another --output")
    result = import_export(export, stances, sentiments, conflict)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for row in result.examples:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    for problem in result.problems:
        print(f"diplostance labels import: skipped {problem}", file=sys.stderr)
    for disagreement in result.disagreements:
        print(f"diplostance labels import: skipped {disagreement}", file=sys.stderr)
    print(f"diplostance labels import: {result.summary()}; wrote {out}", file=sys.stderr)
    return 1 if result.skipped else 0
