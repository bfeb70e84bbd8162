"""Knowledge distillation: a larger trained model's probabilities as soft targets for a smaller one.

A teacher (a diplostance model on a larger backbone, trained on the same train files) scores every train line
once; its stance and sentiment probabilities are written to a JSONL file keyed by speaker and text. Training with
``train.soft_targets`` naming that file adds, for each line the file knows, a loss that pulls the student's
probabilities towards the teacher's (``train.distill_weight``, softened by ``train.distill_temperature``); the
hard labels still count, and lines the file does not know (a user's own data, say) train on them alone. The
teacher runs once, not in every training run, so the student keeps its training budget.

    python -m training.distill --teacher runs/mpnet_teacher --output data/experiments/mpnet-soft-targets.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from training.config import Config, load_config
from training.data import Example, load_split

EPSILON = 1e-4  # probabilities are clipped to [EPSILON, 1 - EPSILON] before their logits are taken


def target_key(speaker: str, text: str) -> str:
    """The key a soft target is stored and looked up under: the same speaker and text give the same key.

    >>> target_key("Russia", "We call for a ceasefire.") == target_key("Russia", "We call for a ceasefire.")
    True
    """
    return hashlib.sha1(f"{speaker}\x1f{text}".encode()).hexdigest()[:20]


def write_soft_targets(
    teacher_dir: str | Path, examples: list[Example], output: str | Path, dtype: str = "fp32"
) -> int:
    """Score ``examples`` with the teacher and write one JSON line of probabilities per distinct line.

    Returns the number of lines written. A line that appears twice (same speaker and text) is written once.
    """
    from classifier.modeling import StanceModel

    teacher = StanceModel.from_pretrained(teacher_dir, dtype=dtype)
    seen: dict[str, Example] = {}
    for example in examples:
        seen.setdefault(target_key(example.speaker, example.text), example)
    rows = list(seen.values())
    stance_probs, sentiment_probs = teacher.predict_proba([e.text for e in rows], [e.speaker for e in rows])
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as handle:
        for example, stances, sentiments in zip(rows, stance_probs, sentiment_probs):
            record = {
                "key": target_key(example.speaker, example.text),
                "id": example.id,
                "stances": {label: round(float(p), 4) for label, p in zip(teacher.stance_labels, stances)},
                "sentiment": {label: round(float(p), 4) for label, p in zip(teacher.sentiment_labels, sentiments)},
            }
            handle.write(json.dumps(record) + "\n")
    return len(rows)


def load_soft_targets(
    paths: list[str], stances: list[str], sentiments: list[str]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read soft-target files into ``key -> (stance probabilities, sentiment probabilities)``, in label order.

    Raises ValueError naming the file and line when a line is not JSON or lacks one of the labels.
    """
    targets: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    stance = np.array([record["stances"][label] for label in stances], dtype=np.float32)
                    sentiment = np.array([record["sentiment"][label] for label in sentiments], dtype=np.float32)
                    key = record["key"]
                except (json.JSONDecodeError, KeyError, TypeError) as err:
                    problem = f"missing {err}" if isinstance(err, KeyError) else str(err)
                    raise ValueError(f"{path}, line {number}: not a soft target ({problem})") from None
                targets[key] = (stance, sentiment)
    return targets


def soft_columns(
    examples: list[Example],
    targets: dict[str, tuple[np.ndarray, np.ndarray]],
    stances: list[str],
    sentiments: list[str],
    temperature: float = 1.0,
) -> dict[str, list]:
    """Per-example soft targets at ``temperature`` and a flag saying whether the teacher knew the line.

    A stance probability p becomes sigmoid(logit(p) / T) and the sentiment distribution softmax(log p / T); a line
    without a target gets zeros and flag 0, so its soft loss is left out.

    >>> ex = Example("a", "Talks now.", "X", ["calls_for_negotiations"], "neutral", "c")
    >>> key = target_key("X", "Talks now.")
    >>> cols = soft_columns([ex], {key: (np.array([0.9]), np.array([0.1, 0.8, 0.1]))}, ["n"], ["-", "0", "+"])
    >>> cols["soft_mask"], round(cols["soft_stance"][0][0], 2)
    ([1.0], 0.9)
    """
    stance_rows, sentiment_rows, flags = [], [], []
    for example in examples:
        found = targets.get(target_key(example.speaker, example.text))
        if found is None:
            stance_rows.append([0.0] * len(stances))
            sentiment_rows.append([0.0] * len(sentiments))
            flags.append(0.0)
            continue
        stance, sentiment = (np.clip(values, EPSILON, 1 - EPSILON) for values in found)
        logits = np.log(stance / (1 - stance)) / temperature
        log_probs = np.log(sentiment) / temperature
        softened = np.exp(log_probs - log_probs.max())
        stance_rows.append((1 / (1 + np.exp(-logits))).tolist())
        sentiment_rows.append((softened / softened.sum()).tolist())
        flags.append(1.0)
    return {"soft_stance": stance_rows, "soft_sentiment": sentiment_rows, "soft_mask": flags}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a teacher model's soft targets for the train files.")
    parser.add_argument("--teacher", required=True, help="a trained diplostance model directory")
    parser.add_argument(
        "--config", default=None, help="training config whose train files are scored (default: packaged)"
    )
    parser.add_argument("--output", required=True, help="the JSONL file to write")
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "bf16", "auto"])
    args = parser.parse_args(argv)
    config: Config = load_config(args.config)
    examples = load_split(config.data.files("train"), config.labels.stances, config.labels.sentiments)
    count = write_soft_targets(args.teacher, examples, args.output, dtype=args.dtype)
    print(f"wrote {count} soft targets from {args.teacher} to {args.output}")


if __name__ == "__main__":
    main()
