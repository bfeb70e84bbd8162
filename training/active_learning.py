"""Simulate the retraining loop on the bundled corpus: does labelling what the model is unsure of pay?

The train split is the unlabelled pool and its gold labels are the oracle. A seed model is trained on a small
random sample; then each round picks a batch from the rest of the pool, by margin sampling or at random, adds it
to the labelled set and continues training from the previous round's model (``train.init_from``) on everything
labelled so far. Dev picks the epoch and the thresholds, as in every run; test is scored after every round.

    python -m training.active_learning --output docs/retraining.md --plot docs/img/active-learning.png

Writes the curve between the markers of ``--output`` and the figure to ``--plot``; about 15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
from pathlib import Path

from classifier.modeling import StanceModel
from training.config import Config, load_config
from training.data import Example, load_split
from training.markdown import replace_between
from training.select import select
from training.train import train

MARK = "<!-- active-learning -->"
STRATEGIES = ("margin", "random")


def _write(path: Path, examples: list[Example]) -> str:
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            record = {key: value for key, value in vars(example).items() if value is not None}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return str(path)


def _round_config(config: Config, train_file: str, epochs: float, init_from: str | None) -> Config:
    data = dataclasses.replace(config.data, train_file=train_file)
    options = dataclasses.replace(config.train, epochs=epochs, init_from=init_from)
    return dataclasses.replace(config, data=data, train=options)


def simulate(config: Config, workdir: Path, seed_size: int, batch: int, rounds: int, epochs: float,
             seed_epochs: float, seed: int = 0) -> dict:  # fmt: skip
    """Run the seed model and both strategies; return ``{"seed": point, strategy: [points]}`` where a point is
    ``{"labels", "stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1", "seconds"}``."""
    labels = config.labels
    pool = load_split(config.data.files("train"), labels.stances, labels.sentiments)
    order = list(range(len(pool)))
    random.Random(seed).shuffle(order)
    seed_ids = order[:seed_size]
    workdir.mkdir(parents=True, exist_ok=True)

    def point(n: int, metrics: dict, started: float) -> dict:
        found = {key: metrics["test"][key] for key in ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1")}
        return {"labels": n, **found, "seconds": round(time.perf_counter() - started, 1)}

    started = time.perf_counter()
    seed_file = _write(workdir / "seed.jsonl", [pool[i] for i in seed_ids])
    seed_dir = workdir / "seed-model"
    metrics = train(_round_config(config, seed_file, seed_epochs, None), seed_dir)
    results = {"seed": point(seed_size, metrics, started)}
    print(f"seed: {results['seed']}", flush=True)
    for strategy in STRATEGIES:
        labelled, model_dir, curve = list(seed_ids), seed_dir, []
        for number in range(1, rounds + 1):
            started = time.perf_counter()
            chosen = set(labelled)
            rest = [i for i in range(len(pool)) if i not in chosen]
            records = [{"text": pool[i].text, "speaker": pool[i].speaker, "index": i} for i in rest]
            model = StanceModel.from_pretrained(model_dir)
            picks = select(model, records, batch, strategy=strategy, seed=seed + number)
            labelled += [pick.record["index"] for pick in picks]
            train_file = _write(workdir / f"{strategy}-{number}.jsonl", [pool[i] for i in labelled])
            out = workdir / f"{strategy}-{number}"
            metrics = train(_round_config(config, train_file, epochs, str(model_dir)), out)
            model_dir = out
            curve.append(point(len(labelled), metrics, started))
            print(f"{strategy} round {number}: {curve[-1]}", flush=True)
        results[strategy] = curve
    return results


def labels_needed(results: dict) -> tuple[float, int | None]:
    """Random sampling's final test macro-F1, and the fewest labels with which margin sampling reached it."""
    target = results["random"][-1]["stance_macro_f1"]
    reached = [p["labels"] for p in results["margin"] if p["stance_macro_f1"] >= target]
    return target, (min(reached) if reached else None)


def render(results: dict, args: argparse.Namespace, plot: str | None) -> str:
    seed = results["seed"]
    lines = [
        f"Command: `python -m training.active_learning --seed-size {args.seed_size} --batch {args.batch} "
        f"--rounds {args.rounds} --epochs {args.epochs} --seed-epochs {args.seed_epochs}` (test split; the pool is "
        f"the {args.pool} statements of the train split; dev picks epochs and thresholds). "
        f"Seed model: {seed['labels']} random statements, test stance macro-F1 {seed['stance_macro_f1']:.3f}.",
        "",
        "| labels | margin: stance macro-F1 | random: stance macro-F1 | margin: exact set | random: exact set "
        "| margin: round (s) | random: round (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m, r in zip(results["margin"], results["random"]):
        lines.append(
            f"| {m['labels']} | {m['stance_macro_f1']:.3f} | {r['stance_macro_f1']:.3f} | "
            f"{m['exact_set_accuracy']:.3f} | {r['exact_set_accuracy']:.3f} | {m['seconds']:.0f} | {r['seconds']:.0f} |"
        )
    target, needed = labels_needed(results)
    most = results["random"][-1]["labels"]
    verdict = (
        f"Margin sampling reached random sampling's final {target:.3f} with {needed} labels instead of {most}."
        if needed is not None
        else f"Margin sampling did not reach random sampling's final {target:.3f} within {most} labels."
    )
    lines += ["", verdict]
    if plot:
        lines += ["", f"![test stance macro-F1 against labels, margin and random sampling]({plot})"]
    return "\n".join(lines)


def draw(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a server
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4), dpi=120)
    seed = results["seed"]
    for strategy, style in zip(STRATEGIES, ("o-", "s--")):
        points = [seed] + results[strategy]
        axis.plot([p["labels"] for p in points], [p["stance_macro_f1"] for p in points], style, label=strategy)
    axis.set_xlabel("labelled statements")
    axis.set_ylabel("test stance macro-F1")
    axis.set_title("Active learning on the bundled corpus")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="YAML config (default: the packaged training/configs/default.yaml)")
    parser.add_argument("--seed-size", type=int, default=200, help="random statements for the seed model")
    parser.add_argument("--batch", type=int, default=200, help="statements labelled per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=float, default=2.0, help="epochs per round (continuing the last model)")
    parser.add_argument("--seed-epochs", type=float, default=4.0, help="epochs of the seed model")
    parser.add_argument("--seed", type=int, default=0, help="seeds the seed sample and the random picks")
    parser.add_argument("--workdir", default="runs/active-learning", help="models and round files")
    parser.add_argument("--output", help="Markdown file with the active-learning markers (docs/retraining.md)")
    parser.add_argument("--plot", help="PNG to draw the curves into")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    args.pool = len(load_split(config.data.files("train"), config.labels.stances, config.labels.sentiments))
    results = simulate(config, Path(args.workdir), args.seed_size, args.batch, args.rounds, args.epochs,
                       args.seed_epochs, args.seed)  # fmt: skip
    Path(args.workdir, "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    plot_link = None
    if args.plot:
        draw(results, Path(args.plot))
        if args.output:
            plot_link = str(Path(args.plot).resolve().relative_to(Path(args.output).resolve().parent))
    table = render(results, args, plot_link)
    print(table)
    if args.output:
        replace_between(args.output, MARK, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
