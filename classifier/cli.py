"""The ``diplostance`` command line: train, predict, score, evaluate, eval-extraction, data check."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from pathlib import Path

EXIT_SKIPPED = 1  # finished, but some input lines or files were reported and skipped
EXIT_BAD_INPUT = 2  # nothing usable: a missing model or input, a bad config, labelled data with errors


def main(argv: list[str] | None = None) -> int:
    # Nothing is ever downloaded: weights come from an installed package or a local path.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.handler(args)
    except ModuleNotFoundError as err:
        if args.command in ("train", "evaluate", "data"):
            print(
                f"diplostance {args.command}: error: {err.name} is not installed; "
                "install the training extra: pip install 'diplostance[train]'",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        raise
    except (FileNotFoundError, ValueError) as err:
        print(f"diplostance {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diplostance",
        description="Find the statements in conflict and diplomacy news: who said what, their stances and sentiment.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="fine-tune a model from a YAML config and save it")
    train.add_argument("--config", default="configs/default.yaml", help="YAML config (default: %(default)s)")
    train.add_argument("--output-dir", required=True, help="directory to save the trained model into")
    train.set_defaults(handler=run_train)

    predict = commands.add_parser(
        "predict", help="label statements: JSONL lines with text (and optional id, speaker) in, labels added out"
    )
    predict.add_argument("--model", required=True, help="trained model directory")
    predict.add_argument("--input", required=True, help="JSONL file, one statement a line")
    predict.add_argument("--output", default="-", help="JSONL output file, or - for stdout (default)")
    predict.add_argument("--batch-size", type=int, default=32)
    predict.set_defaults(handler=run_predict)

    score = commands.add_parser("score", help="extract, attribute and label every statement in articles")
    score.add_argument("--model", required=True, help="trained model directory")
    score.add_argument("inputs", nargs="+", metavar="INPUT", help=".txt article, directory of them, or .jsonl")
    score.add_argument("--output", default="-", help="output file, or - for stdout (default)")
    score.add_argument("--format", choices=["jsonl", "table"], default="jsonl", help="default: %(default)s")
    score.add_argument("--batch-size", type=int, default=32)
    score.set_defaults(handler=run_score)

    evaluate = commands.add_parser("evaluate", help="print JSON metrics of a model on a labelled JSONL file")
    evaluate.add_argument("--model", required=True, help="trained model directory")
    evaluate.add_argument("--data", required=True, help="labelled JSONL (the corpus format)")
    evaluate.add_argument("--output", default="-", help="JSON output file, or - for stdout (default)")
    evaluate.add_argument(
        "--baselines",
        action="store_true",
        help="also fit and score the keyword, TF-IDF + logistic regression and zero-shot baselines on the same "
        "data; they train on the model's own train/dev files (its training_config.yaml) unless --train/--dev say so",
    )
    evaluate.add_argument("--train", help="training file for the baselines (default: the model's)")
    evaluate.add_argument("--dev", help="dev file for the baselines' tuning (default: the model's)")
    evaluate.set_defaults(handler=run_evaluate)

    extraction = commands.add_parser(
        "eval-extraction",
        help="measure statement extraction and speaker attribution on PolNeAR (brat standoff)",
        description="Content and source precision/recall/F1, exact and >= 50%% token overlap, for all attributions "
        "and for the speech-cue subset of a PolNeAR split. PolNeAR is not bundled: point --polnear at your copy.",
    )
    extraction.add_argument("--polnear", help="PolNeAR root (holds metadata.tsv and split folders)")
    extraction.add_argument(
        "--articles",
        help="folder of annotated articles (ID.txt + ID.json), e.g. data/articles: statement P/R/F1 "
        "and speaker, actor and polarity accuracy",
    )
    extraction.add_argument("--split", default="test", choices=["train", "dev", "test"], help="default: test")
    extraction.add_argument("--output", default="-", help="JSON output file, or - for stdout (default)")
    extraction.set_defaults(handler=run_eval_extraction)

    data = commands.add_parser("data", help="corpus tools")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    check = data_commands.add_parser(
        "check",
        help="validate labelled JSONL files: schema, labels, duplicates, near-duplicates, leakage across splits",
        description="Validate labelled JSONL files. Several files are treated as splits: a conflict may appear "
        "in one only, and near-identical text across them is reported as leakage. Prints file:line problems, "
        "then the corpus statistics as JSON; exits 1 when there is an error.",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="labelled JSONL file(s), e.g. data/*.jsonl")
    check.add_argument(
        "--config", default="configs/default.yaml", help="label names come from here (default: %(default)s)"
    )
    check.add_argument("--max-warnings", type=int, default=50, help="near-duplicate warnings to print (default: 50)")
    check.set_defaults(handler=run_data_check)
    return parser


def run_train(args: argparse.Namespace) -> int:
    from training.config import load_config  # training code is loaded only for this command
    from training.train import train

    metrics = train(load_config(args.config), args.output_dir)
    summary = {"output_dir": args.output_dir, "train_seconds": metrics["train_seconds"]}
    for split in ("dev", "test"):
        if split in metrics:
            summary[split] = {
                k: metrics[split][k] for k in ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1")
            }
    print(json.dumps(summary, indent=2))
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from classifier.io import InputError, open_output, read_jsonl, write_jsonl
    from classifier.modeling import StanceModel

    path = Path(args.input)
    if not path.is_file():
        raise FileNotFoundError(f"input file not found: {path}")
    model = StanceModel.from_pretrained(args.model)
    errors, written = 0, 0
    with open_output(args.output) as handle:
        batch: list[dict] = []

        def flush() -> None:
            nonlocal written
            predictions = model.predict(
                [r["text"] for r in batch], [_speaker(r) for r in batch], batch_size=args.batch_size
            )
            for record, prediction in zip(batch, predictions):
                write_jsonl(handle, {**record, **dataclasses.asdict(prediction)})
            written += len(batch)
            batch.clear()

        for item in read_jsonl(path):
            if isinstance(item, InputError):
                errors += 1
                print(f"diplostance predict: skipped {item}", file=sys.stderr)
                continue
            batch.append(item[1])
            if len(batch) >= 256:
                flush()
        if batch:
            flush()
    print(f"diplostance predict: {written} statement(s) labelled, {errors} line(s) skipped", file=sys.stderr)
    return _exit_code(errors, written)


def _exit_code(errors: int, done: int) -> int:
    if not errors:
        return 0
    return EXIT_SKIPPED if done else EXIT_BAD_INPUT


def _speaker(record: dict) -> str | None:
    speaker = record.get("speaker")
    return None if speaker is None else str(speaker)


def run_score(args: argparse.Namespace) -> int:
    from classifier.io import InputError, format_table, open_output, read_articles, write_jsonl
    from classifier.pipeline import ArticleScorer

    scorer = ArticleScorer.from_pretrained(args.model)
    scorer.batch_size = args.batch_size
    errors, articles, statements = 0, 0, 0
    with open_output(args.output) as handle:
        for item in read_articles(args.inputs):
            if isinstance(item, InputError):
                errors += 1
                print(f"diplostance score: skipped {item}", file=sys.stderr)
                continue
            article_id, text, source = item
            try:
                rows = [dataclasses.asdict(s) for s in scorer.score(text, article_id)]
            except Exception as err:  # one unreadable article must not end a run over an archive
                errors += 1
                print(f"diplostance score: skipped {source}: {type(err).__name__}: {err}", file=sys.stderr)
                continue
            articles += 1
            statements += len(rows)
            if args.format == "table":
                handle.write(f"== {article_id}: {len(rows)} statement(s)\n{format_table(rows)}\n\n")
            else:
                for row in rows:
                    write_jsonl(handle, row)
    print(
        f"diplostance score: {articles} article(s), {statements} statement(s), {errors} input(s) skipped",
        file=sys.stderr,
    )
    return _exit_code(errors, articles)


def run_evaluate(args: argparse.Namespace) -> int:
    from classifier.io import open_output
    from classifier.modeling import StanceModel
    from training.data import load_examples
    from training.evaluate import compute_metrics, evaluate

    model = StanceModel.from_pretrained(args.model)
    examples = load_examples(args.data, model.stance_labels, model.sentiment_labels)
    metrics = evaluate(model, examples)
    if args.baselines:
        from training.baselines import fit_baselines
        from training.config import load_config

        trained_with = load_config(Path(args.model) / "training_config.yaml")
        train_file = args.train or trained_with.data.train_file
        dev_file = args.dev or trained_with.data.dev_file
        labels = (model.stance_labels, model.sentiment_labels)
        train = load_examples(train_file, *labels)
        dev = load_examples(dev_file, *labels)
        results = {"model": metrics}
        for baseline in fit_baselines(train, dev, *labels, backbone=trained_with.model.backbone):
            predictions = baseline.predict([e.text for e in examples], [e.speaker for e in examples])
            results[baseline.name] = compute_metrics(examples, predictions, *labels)
        metrics = results
    with open_output(args.output) as handle:
        handle.write(json.dumps(metrics, indent=2) + "\n")
    return 0


def run_eval_extraction(args: argparse.Namespace) -> int:
    from classifier.io import open_output
    from training.extraction_eval import evaluate_articles, evaluate_polnear

    if not args.polnear and not args.articles:
        raise ValueError("give --polnear PATH, --articles DIR, or both")
    report = {}
    if args.polnear:
        report["polnear"] = evaluate_polnear(args.polnear, args.split)
    if args.articles:
        report["articles"] = evaluate_articles(args.articles)
    with open_output(args.output) as handle:
        handle.write(json.dumps(report, indent=2) + "\n")
    return 0


def run_data_check(args: argparse.Namespace) -> int:
    from training.checks import check_corpus
    from training.config import load_config

    labels = load_config(args.config).labels
    report = check_corpus(args.files, labels.stances, labels.sentiments)
    for error in report.errors:
        print(f"error: {error}")
    for warning in report.warnings[: args.max_warnings]:
        print(f"warning: {warning}")
    if len(report.warnings) > args.max_warnings:
        print(f"warning: ... and {len(report.warnings) - args.max_warnings} more")
    print(json.dumps(report.stats, indent=2))
    print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
