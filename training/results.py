"""Regenerate ``docs/results.md``: the default model over several seeds, beside the baselines.

    python -m training.results --config training/configs/default.yaml --seeds 42 43 44 --output docs/results.md

(``make results``). Trains one model per seed (minutes each on a CPU), evaluates each on the test split, fits
the baselines on the same train/dev files, and writes per-label figures, confusion tables, the ten worst errors
and the seed-to-seed spread. The hand-written "what was tried" block between the ``<!-- experiments -->``
markers of an existing output file is kept as it is, and so is the learning curve between the
``<!-- learning-curve -->`` markers (written by ``python -m training.learning_curve``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
from pathlib import Path

import numpy as np

from classifier.modeling import StanceModel
from training.baselines import fit_baselines
from training.config import load_config
from training.data import load_split
from training.evaluate import compute_metrics, stance_matrix
from training.style import PRONOUN_ATTRIBUTION, quote_first, words
from training.train import train


def _matches(pattern: str):
    compiled = re.compile(pattern, re.IGNORECASE)
    return lambda text: compiled.search(text) is not None


# Constructions the corpus v3 issue found errors in, each as a test on a statement's text.
CONSTRUCTIONS = {
    "negated or refused": _matches(
        r"\b(?:not|never|no longer|n't|refus\w*|reject\w*|rul\w+ out|out of the question|declin\w*)\b"
    ),
    "another party's position reported": _matches(
        r"\b(?:said|says|told|noted)\b[^.]*\b(?:had|has|have) (?:called|urged|demanded|proposed|asked|appealed)"
    ),
    "conditional": _matches(r"\b(?:only if|unless|provided that|as long as|on condition|if)\b"),
    "quote-first": lambda text: quote_first(text),
    "pronoun attribution": lambda text: PRONOUN_ATTRIBUTION.search(text) is not None,
    "fragment (under 15 words)": lambda text: words(text) < 15,
    "several sentences": _matches(r"[.!?][\"\u201d\u2019']?\s+[\"\u201c\u2018]?[A-Z].*[.!?]"),
}

MARK = "<!-- experiments -->"
CURVE = "<!-- learning-curve -->"  # the block that ``training.learning_curve`` writes, kept as it is
HEADLINE = ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1", "sentiment_accuracy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="YAML config (default: the packaged training/configs/default.yaml)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("--output", default="docs/results.md")
    parser.add_argument("--models-dir", default="runs/results", help="where the per-seed models are saved")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    labels = (config.labels.stances, config.labels.sentiments)
    test = load_split(config.data.files("test"), *labels)
    runs = []
    for seed in args.seeds:
        seeded = dataclasses.replace(config, train=dataclasses.replace(config.train, seed=seed))
        out = Path(args.models_dir) / f"seed-{seed}"
        metrics = train(seeded, out)
        runs.append({"seed": seed, "dir": out, "metrics": metrics})
        print(f"seed {seed}: " + json.dumps({k: metrics["test"][k] for k in HEADLINE}), flush=True)

    first = StanceModel.from_pretrained(runs[0]["dir"])
    texts, speakers = [e.text for e in test], [e.speaker for e in test]
    predictions = first.predict(texts, speakers)
    stance_probs, _ = first.predict_proba(texts, speakers)
    untuned = StanceModel.from_pretrained(runs[0]["dir"])
    untuned.thresholds = {label: 0.5 for label in labels[0]}
    untuned_metrics = compute_metrics(test, untuned.predict(texts, speakers), *labels)

    train_examples = load_split(config.data.files("train"), *labels)
    dev_examples = load_split(config.data.files("dev"), *labels)
    baselines = {}
    for baseline in fit_baselines(train_examples, dev_examples, *labels, backbone=config.model.backbone):
        baselines[baseline.name] = compute_metrics(test, baseline.predict(texts, speakers), *labels)

    previous = Path(args.output).read_text(encoding="utf-8") if Path(args.output).is_file() else ""
    kept = re.search(re.escape(MARK) + r"(.*?)" + re.escape(MARK), previous, flags=re.S)
    experiments = kept.group(1).strip() if kept else "_Not written yet._"
    kept = re.search(re.escape(CURVE) + r"(.*?)" + re.escape(CURVE), previous, flags=re.S)
    curve = kept.group(1).strip() if kept else "_Not measured yet: `python -m training.learning_curve`._"
    text = render(args, config, runs, test, predictions, stance_probs, untuned_metrics, baselines, experiments, curve)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def _mean_sd(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f}"


def render(args, config, runs, test, predictions, stance_probs, untuned, baselines, experiments, curve) -> str:
    stances, sentiments = config.labels.stances, config.labels.sentiments
    tests = [run["metrics"]["test"] for run in runs]
    seeds = ", ".join(str(run["seed"]) for run in runs)
    times = [run["metrics"]["train_seconds"] for run in runs]
    lines = [
        "# Results",
        "",
        "Generated by `make results` (`python -m training.results "
        + (f"--config {args.config} " if args.config else "")
        + f"--seeds {' '.join(map(str, args.seeds))}`); do not edit by hand except the "
        "blocks between the experiments and learning-curve markers.",
        "",
        f"Test split: {len(test)} statements from conflicts never seen in training "
        f"({', '.join(sorted({e.conflict for e in test}))}). "
        f"Training: {runs[0]['metrics']['train_examples']} statements; CPU, 2 cores.",
        "",
        "## Model and baselines",
        "",
        f"Fine-tuned model: mean ± standard deviation over seeds {seeds}. Baselines are deterministic.",
        "",
        "| system | stance macro-F1 | exact-set accuracy | sentiment macro-F1 | sentiment accuracy |",
        "| --- | --- | --- | --- | --- |",
        "| fine-tuned "
        + config.model.backbone
        + " | "
        + " | ".join(_mean_sd([t[k] for t in tests]) for k in HEADLINE)
        + " |",
    ]
    for name, metrics in baselines.items():
        lines.append(f"| {name} | " + " | ".join(f"{metrics[k]:.3f}" for k in HEADLINE) + " |")
    lines += [
        f"| fine-tuned, thresholds 0.5 (seed {runs[0]['seed']}) | "
        + " | ".join(f"{untuned[k]:.3f}" for k in HEADLINE)
        + " |",
        "",
        f"Training time per seed: {', '.join(f'{t:.0f} s' for t in times)} (mean {statistics.mean(times):.0f} s); "
        f"{config.train.epochs} epochs, precision {runs[0]['metrics'].get('precision', config.train.precision)}.",
        "",
        "Dev stance macro-F1 after each epoch (mean over seeds; the best epoch is kept): "
        + ", ".join(
            f"{statistics.mean(by_epoch):.3f}"
            for by_epoch in zip(*(run["metrics"]["dev_macro_f1_by_epoch"] or [] for run in runs))
        )
        + ".",
        "",
        "## Per label (mean ± sd over seeds)",
        "",
        "| stance | support | precision | recall | F1 | best baseline F1 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label in stances:
        best = max(baselines.items(), key=lambda item: item[1]["stance"][label]["f1"])
        lines.append(
            f"| {label} | {tests[0]['stance'][label]['support']} | "
            + " | ".join(_mean_sd([t["stance"][label][k] for t in tests]) for k in ("precision", "recall", "f1"))
            + f" | {best[1]['stance'][label]['f1']:.3f} ({best[0]}) |"
        )
    lines += [
        "",
        f"## By construction (seed {runs[0]['seed']})",
        "",
        "Test statements grouped by the constructions where stance errors concentrate, found by the patterns in "
        "`training.results.CONSTRUCTIONS` (a statement can be in several groups). False positives are stance "
        "labels predicted but not in the gold set; misses the reverse.",
        "",
        "| construction | statements | exact-set accuracy | false-positive labels | missed labels |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, test_of in [("all", lambda text: True), *CONSTRUCTIONS.items()]:
        chosen = [(e, p) for e, p in zip(test, predictions) if test_of(e.text)]
        if not chosen:
            continue
        exact = sum(set(e.stances) == set(p.stances) for e, p in chosen) / len(chosen)
        false_pos = sum(len(set(p.stances) - set(e.stances)) for e, p in chosen)
        missed = sum(len(set(e.stances) - set(p.stances)) for e, p in chosen)
        lines.append(f"| {name} | {len(chosen)} | {exact:.3f} | {false_pos} | {missed} |")
    lines += [
        "",
        f"## Confusion tables (seed {runs[0]['seed']})",
        "",
        "| stance | TP | FP | FN | TN |",
        "| --- | --- | --- | --- | --- |",
    ]
    gold = stance_matrix([e.stances for e in test], stances)
    pred = stance_matrix([p.stances for p in predictions], stances)
    for i, label in enumerate(stances):
        tp = int(((gold[:, i] == 1) & (pred[:, i] == 1)).sum())
        fp = int(((gold[:, i] == 0) & (pred[:, i] == 1)).sum())
        fn = int(((gold[:, i] == 1) & (pred[:, i] == 0)).sum())
        lines.append(f"| {label} | {tp} | {fp} | {fn} | {len(test) - tp - fp - fn} |")
    lines += [
        "",
        "Sentiment (rows gold, columns predicted):",
        "",
        "| gold \\ predicted | " + " | ".join(sentiments) + " |",
    ]
    lines.append("| --- |" + " --- |" * len(sentiments))
    for g in sentiments:
        counts = [sum(e.sentiment == g and p.sentiment == q for e, p in zip(test, predictions)) for q in sentiments]
        lines.append(f"| {g} | " + " | ".join(map(str, counts)) + " |")
    # Worst errors: the statements whose stance probabilities are furthest from the gold set.
    distance = np.abs(stance_probs - gold).sum(axis=1)
    wrong = [i for i in np.argsort(-distance) if set(predictions[i].stances) != set(test[i].stances)][:10]
    lines += [
        "",
        f"## Ten worst stance errors (seed {runs[0]['seed']})",
        "",
        "| id | speaker | gold | predicted | text |",
        "| --- | --- | --- | --- | --- |",
    ]
    for i in wrong:
        example = test[i]
        text = example.text.replace("|", "/")
        lines.append(
            f"| {example.id} | {example.speaker} | {', '.join(example.stances) or '-'} | "
            f"{', '.join(predictions[i].stances) or '-'} | {text} |"
        )
    lines += ["", "## What was tried", "", MARK, experiments, MARK, ""]
    lines += ["## How much data: learning curve", "", CURVE, curve, CURVE, ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
