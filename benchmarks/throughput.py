"""Throughput of ``predict`` and ``score`` on this machine, against its FLOP bound and a plain Hugging Face loop.

Run with ``make bench`` (or ``python benchmarks/throughput.py --model models/default``). Everything is measured
in one process on the same inputs and printed as a table; ``--output`` also writes the figures as JSON.

Inputs are the corpus's own statements (``data/*.jsonl``, in file order: a realistic mix of lengths) and
articles built from the annotated articles in ``data/articles`` (whole paragraphs, joined until an article
reaches the target word count).

- FLOP bound: the best fp32 matmul rate measured here, on the encoder's three matmul shapes (the fastest of
  them), divided by the encoder's FLOPs per statement at the measured token lengths (projections, feed-forward
  and attention of every layer). No fp32 implementation of this model can beat it on this machine. The bf16
  path (``--dtype bf16``) is measured against the same bound taken with bf16 matmuls, in the same run.
- Plain loop: the usual per-batch loop (tokenizer with padding and truncation, model forward) at arrival order.
- ONNX: ``model.onnx`` and ``model.int8.onnx`` exported into a scratch copy of the model, with the stance
  macro-F1 of each backend on ``data/test.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from classifier.extract import StatementExtractor
from classifier.modeling import StanceModel, bf16_supported
from classifier.pipeline import ArticleScorer, make_extractor

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def load_statements(limit: int) -> tuple[list[str], list[str]]:
    rows = []
    for split in ("test", "dev", "train"):
        with (ROOT / "data" / f"{split}.jsonl").open(encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    rows = rows[:limit]
    return [row["text"] for row in rows], [row["speaker"] for row in rows]


def build_articles(count: int, words: int) -> list[tuple[str, str]]:
    """``count`` articles of at least ``words`` words, from whole paragraphs of the annotated articles."""
    sources = sorted((ROOT / "data" / "articles" / "dev").glob("*.txt"))
    paragraphs = [[p for p in s.read_text(encoding="utf-8").split("\n\n") if p.strip()] for s in sources]
    articles = []
    for index in range(count):
        chosen, total, source = [], 0, index
        while total < words:
            for paragraph in paragraphs[source % len(paragraphs)]:
                chosen.append(paragraph)
                total += len(paragraph.split())
                if total >= words:
                    break
            source += 1
        articles.append((f"bench-{index}", "\n\n".join(chosen)))
    return articles


def matmul_flops(hidden: int, ffn: int, rows: int = 2048, repeats: int = 20, dtype=torch.float32) -> float:
    """Best measured FLOP/s for a (rows x hidden) @ (hidden x ffn) matmul in ``dtype``, the encoder's largest
    shape, and the shapes of its other matmuls (ffn x hidden, hidden x hidden): the fastest of the three."""
    return max(_matmul_flops(rows, k, n, repeats, dtype) for k, n in ((hidden, ffn), (ffn, hidden), (hidden, hidden)))


def _matmul_flops(rows: int, hidden: int, ffn: int, repeats: int, dtype) -> float:
    a, b = torch.randn(rows, hidden, dtype=dtype), torch.randn(hidden, ffn, dtype=dtype)
    for _ in range(3):
        torch.mm(a, b)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(10):
            torch.mm(a, b)
        best = min(best, (time.perf_counter() - started) / 10)
    return 2 * rows * hidden * ffn / best


def encoder_flops(tokens: int, config) -> float:
    """Forward FLOPs of a BERT encoder for one sequence of ``tokens`` tokens (multiply-add = 2 FLOPs)."""
    h, f, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    projections = 2 * tokens * 4 * h * h  # query, key, value, output
    feed_forward = 2 * tokens * 2 * h * f
    attention = 2 * 2 * tokens * tokens * h  # scores and weighted sum
    return layers * (projections + feed_forward + attention)


def timed(function, repeats: int = 2) -> float:
    """Median wall time of ``repeats`` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def plain_loop(model: StanceModel, texts: list[str], speakers: list[str], batch_size: int) -> None:
    """The reference: batches in arrival order, padded to the longest in each, as most scripts do it."""
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = model.tokenizer(
                speakers[start : start + batch_size],
                texts[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=model.max_length,
                return_tensors="pt",
            )
            output = model(**batch)
            torch.sigmoid(output["stance_logits"]).numpy()
            torch.softmax(output["sentiment_logits"], dim=-1).numpy()


def stance_macro_f1(model, path: Path) -> float:
    """Stance macro-F1 through the model's public ``predict``, as ``diplostance evaluate`` computes it."""
    from training.data import load_examples
    from training.evaluate import evaluate

    return evaluate(model, load_examples(path, model.stance_labels, model.sentiment_labels))["stance_macro_f1"]


def score_rate(scorer: ArticleScorer, articles: list[tuple[str, str]], per_batch: int = 64) -> tuple[float, int]:
    """Articles/s through ``score_many`` in batches of ``per_batch`` articles, as ``diplostance score`` runs."""

    def run():
        return sum(len(scorer.score_many(articles[i : i + per_batch])) for i in range(0, len(articles), per_batch))

    statements = run()
    return len(articles) / timed(run, repeats=1), statements


def stream_rate(scorer: ArticleScorer, articles: list[tuple[str, str]], finder=None, per_batch: int = 64) -> dict:
    """Articles/s and peak RSS of the ``diplostance score`` loop (read, score, write, journal) over ``articles``;
    with ``finder`` (a started :class:`~classifier.prefetch.BackgroundFinder`), extraction runs one batch ahead."""
    from classifier.batch import ErrorLog, score_stream
    from classifier.io import Article
    from classifier.output import ResumableWriter

    with tempfile.TemporaryDirectory(prefix="diplostance-bench-") as scratch:
        output = str(Path(scratch) / "scored.jsonl")
        labels = (scorer.model.stance_labels, scorer.model.sentiment_labels)
        with ResumableWriter(output, "jsonl", *labels) as writer:
            stream = (Article(article_id, text, "bench") for article_id, text in articles)
            summary = score_stream(scorer, stream, writer, ErrorLog(None), per_batch, progress=False, finder=finder)
    return {"articles": summary.articles, "statements": summary.statements,
            "articles_per_s": round(summary.articles / summary.seconds, 2),
            "peak_rss_mib_so_far": round(peak_rss_mib(), 1)}  # fmt: skip


def overlap_rates(models: dict, articles: list[tuple[str, str]], found: list[dict], per_batch: int) -> dict:
    """For each model: articles/s of the model alone (labelling statements already found), and of the ``score``
    loop with extraction and labelling one after the other and overlapped (``--overlap on``)."""
    from classifier.prefetch import BackgroundFinder

    figures = {}
    with BackgroundFinder("parse") as finder:
        finder.submit(articles[:2]).result()  # started and warm: the child's start-up is not counted
        for name, model in models.items():
            scorer = ArticleScorer(model, batch_size=32)
            label_seconds = timed(lambda s=scorer: s.label(found), repeats=1)
            sequential = stream_rate(scorer, articles, per_batch=per_batch)["articles_per_s"]
            overlapped = stream_rate(scorer, articles, finder, per_batch)["articles_per_s"]
            figures[name] = {"model_only_articles_per_s": round(len(articles) / label_seconds, 2),
                             "sequential_articles_per_s": sequential, "overlapped_articles_per_s": overlapped,
                             "overlap_speedup": round(overlapped / sequential, 2)}  # fmt: skip
    return figures


def ray_rate(model_dir: str, articles: list[tuple[str, str]], backend: str = "torch") -> dict:
    """Articles/s of ``score --engine ray`` with one single-threaded worker on a local Ray (model load included,
    Ray start-up excluded)."""
    import ray

    from classifier.ray_engine import score_with_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with tempfile.TemporaryDirectory(prefix="diplostance-bench-") as scratch:
            if backend != "torch":
                from classifier.onnx_backend import export_onnx

                copy = Path(scratch) / "model"
                shutil.copytree(model_dir, copy, ignore=shutil.ignore_patterns("*.onnx"))
                export_onnx(copy, int8=backend == "onnx-int8")
                model_dir = str(copy)
            source = Path(scratch) / "articles.jsonl"
            source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in articles), encoding="utf-8")
            started = time.perf_counter()
            score_with_ray(model_dir, [str(source)], str(Path(scratch) / "out"), "parquet", backend, workers=1)
            seconds = time.perf_counter() - started
    finally:
        ray.shutdown()
    return {"backend": backend, "workers": 1, "threads_per_worker": 1, "articles": len(articles),
            "articles_per_s_per_worker": round(len(articles) / seconds, 2)}  # fmt: skip


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="models/default", help="trained model directory")
    parser.add_argument("--statements", type=int, default=1024, help="statements for predict (default: 1024)")
    parser.add_argument("--articles", type=int, default=128, help="articles for score (default: 128)")
    parser.add_argument("--words", type=int, default=700, help="words per article (default: 700)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[250, 700, 2000], help="article lengths to compare")
    parser.add_argument("--counts", type=int, nargs="*", default=[50, 150, 450], help="article counts to stream")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--articles-per-batch", type=int, default=16, help="score's batches for the overlap figures")
    parser.add_argument("--ray", type=int, default=0, metavar="N", help="also time one Ray worker on N articles")
    parser.add_argument("--ray-backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--no-onnx", action="store_true", help="skip the ONNX Runtime backend")
    parser.add_argument("--tagger", metavar="DIR", help="also time score with this trained tagger as the extractor")
    parser.add_argument("--output", help="also write the figures here as JSON")
    args = parser.parse_args(argv)

    figures: dict = {"machine": {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads()}}
    model = StanceModel.from_pretrained(args.model)
    texts, speakers = load_statements(args.statements)
    lengths = [len(ids) for ids in model.encode(texts, speakers, padding=False)["input_ids"]]
    figures["statements"] = {"n": len(texts), "mean_tokens": round(float(np.mean(lengths)), 1),
                             "max_tokens": int(max(lengths))}  # fmt: skip

    # 1. The bound: measured matmul rate over the model's FLOPs at these token lengths (fp32, and bf16 where the
    # CPU multiplies bf16 natively).
    config = model.encoder.config
    flops_per_second = matmul_flops(config.hidden_size, config.intermediate_size)
    total_flops = sum(encoder_flops(n, config) for n in lengths)
    bound = len(texts) / (total_flops / flops_per_second)
    figures["flop_bound"] = {"matmul_gflops": round(flops_per_second / 1e9, 1),
                             "corpus_gflop_per_statement": round(total_flops / len(texts) / 1e9, 3),
                             "corpus_statements_per_s": round(bound, 1)}  # fmt: skip
    bf16 = StanceModel.from_pretrained(args.model, dtype="bf16") if bf16_supported() else None
    bf16_flops = matmul_flops(config.hidden_size, config.intermediate_size, dtype=torch.bfloat16) if bf16 else None
    if bf16_flops:
        figures["flop_bound"]["bf16_matmul_gflops"] = round(bf16_flops / 1e9, 1)

    # 2. predict (length-bucketed) against the plain loop, same statements, same batch size, on two length
    # mixes: the corpus's statements, and the statements extraction finds in the benchmark articles (what
    # `score` feeds the model: single sentences beside multi-sentence quotes).
    articles = build_articles(args.articles, args.words)
    scorer = ArticleScorer(model, batch_size=args.batch_size)
    found = [item for article_id, text in articles[:48] for item in scorer.find(text, article_id)]
    mixes = {"corpus": (texts, speakers), "articles": ([f["text"] for f in found], [f["speaker"] for f in found])}
    figures["predict"] = {}
    for mix, (mix_texts, mix_speakers) in mixes.items():
        mix_lengths = [len(ids) for ids in model.encode(mix_texts, mix_speakers, padding=False)["input_ids"]]
        mix_bound = len(mix_texts) / (sum(encoder_flops(n, config) for n in mix_lengths) / flops_per_second)
        rate = len(mix_texts) / timed(lambda t=mix_texts, s=mix_speakers: model.predict(t, s, args.batch_size))
        plain = len(mix_texts) / timed(lambda t=mix_texts, s=mix_speakers: plain_loop(model, t, s, args.batch_size))
        figures["predict"][mix] = {"statements": len(mix_texts), "mean_tokens": round(float(np.mean(mix_lengths)), 1),
                                   "sd_tokens": round(float(np.std(mix_lengths)), 1),
                                   "flop_bound_statements_per_s": round(mix_bound, 1),
                                   "torch_fp32_statements_per_s": round(rate, 1),
                                   "plain_loop_statements_per_s": round(plain, 1),
                                   "ratio_to_flop_bound": round(rate / mix_bound, 3),
                                   "speedup_over_plain_loop": round(rate / plain, 2)}  # fmt: skip
        if bf16 is not None:
            bf16_bound = mix_bound * bf16_flops / flops_per_second
            bf16_rate = len(mix_texts) / timed(lambda t=mix_texts, s=mix_speakers: bf16.predict(t, s, args.batch_size))
            figures["predict"][mix] |= {"bf16_flop_bound_statements_per_s": round(bf16_bound, 1),
                                        "torch_bf16_statements_per_s": round(bf16_rate, 1),
                                        "bf16_ratio_to_bf16_flop_bound": round(bf16_rate / bf16_bound, 3),
                                        "bf16_speedup_over_fp32": round(bf16_rate / rate, 2)}  # fmt: skip
    predict_rate = figures["predict"]["corpus"]["torch_fp32_statements_per_s"]

    # 3. score: extraction + attribution + model, on ~700-word articles, with the parse-based extractor (the
    # default) and with the rules alone; extraction alone for each, so the parser's own cost shows.
    rules = ArticleScorer(model, StatementExtractor("rules"), batch_size=args.batch_size)
    extract_rate = len(articles) / timed(lambda: [scorer.find(text, i) for i, text in articles], repeats=1)
    rules_extract_rate = len(articles) / timed(lambda: [rules.find(text, i) for i, text in articles], repeats=1)
    score_articles_per_s, statements = score_rate(scorer, articles)
    rules_articles_per_s, _ = score_rate(rules, articles)
    figures["score"] = {"articles": len(articles),
                        "mean_words": round(float(np.mean([len(t.split()) for _, t in articles])), 1),
                        "statements_per_article": round(statements / len(articles), 1),
                        "torch_fp32_articles_per_s": round(score_articles_per_s, 2),
                        "rules_torch_fp32_articles_per_s": round(rules_articles_per_s, 2),
                        "parse_vs_rules_articles_per_s": round(score_articles_per_s / rules_articles_per_s, 3),
                        "extraction_only_articles_per_s": round(extract_rate, 1),
                        "rules_extraction_only_articles_per_s": round(rules_extract_rate, 1),
                        "parser_ms_per_article": round(1000 / extract_rate - 1000 / rules_extract_rate, 1)}  # fmt: skip
    if args.tagger:
        # the optional trained tagger in the parse extractor's place (docs/extraction.md, "Ablation and cost")
        tagged = ArticleScorer(model, make_extractor(args.tagger), batch_size=args.batch_size)
        tagger_extract_rate = len(articles) / timed(lambda: [tagged.find(text, i) for i, text in articles], repeats=1)
        figures["score"] |= {"tagger_extraction_only_articles_per_s": round(tagger_extract_rate, 1),
                             "tagger_torch_fp32_articles_per_s": round(score_rate(tagged, articles)[0], 2)}  # fmt: skip

    # 4. How cost grows with article length.
    figures["by_length"] = []
    for words in args.sizes:
        sized = build_articles(max(16, args.articles * 700 // max(words, 1) // 2), words)
        rate_sized, found = score_rate(scorer, sized)
        figures["by_length"].append({"words": round(float(np.mean([len(t.split()) for _, t in sized])), 1),
                                     "articles": len(sized), "statements_per_article": round(found / len(sized), 1),
                                     "articles_per_s": round(rate_sized, 2),
                                     "ms_per_1000_words": round(1e6 / rate_sized / words, 1)})  # fmt: skip

    # 5. Memory with the number of articles: the streaming command path, written to a scratch JSONL file.
    figures["by_count"] = []
    for count in args.counts:
        figures["by_count"].append(stream_rate(scorer, build_articles(count, args.words)))

    # 6. ONNX Runtime, fp32 and int8, with the stance macro-F1 of each backend on the test split.
    if not args.no_onnx:
        from classifier.onnx_backend import OnnxStanceModel, export_onnx

        test_file = ROOT / "data" / "test.jsonl"
        onnx_figures = {"torch_fp32_test_stance_macro_f1": round(stance_macro_f1(model, test_file), 4)}
        with tempfile.TemporaryDirectory(prefix="diplostance-bench-") as scratch:
            copy = Path(scratch) / "model"
            shutil.copytree(args.model, copy, ignore=shutil.ignore_patterns("*.onnx"))
            export_onnx(copy, int8=True)
            for name, int8 in (("onnx_fp32", False), ("onnx_int8", True)):
                backend = OnnxStanceModel.from_pretrained(copy, int8=int8)
                backend_rate = len(texts) / timed(lambda b=backend: b.predict(texts, speakers, args.batch_size))
                backend_scorer = ArticleScorer(backend, batch_size=args.batch_size)
                onnx_figures[name] = {
                    "statements_per_s": round(backend_rate, 1),
                    "speedup_over_torch_fp32": round(backend_rate / predict_rate, 2),
                    "articles_per_s": round(score_rate(backend_scorer, articles)[0], 2),
                    "test_stance_macro_f1": round(stance_macro_f1(backend, test_file), 4),
                }
            # 6b. score at its fastest: each backend with extraction one batch ahead (``--overlap``), against the
            # same loop without overlap and against the model alone.
            every = [item for article_id, text in articles for item in scorer.find(text, article_id)]
            backends = {"torch_fp32": model, "onnx_int8": OnnxStanceModel.from_pretrained(copy, int8=True)}
            if bf16 is not None:
                backends["torch_bf16"] = bf16
            figures["score_overlap"] = overlap_rates(backends, articles, every, args.articles_per_batch)
            figures["score_overlap"]["extraction_only_articles_per_s"] = figures["score"][
                "extraction_only_articles_per_s"
            ]
        figures["onnx"] = onnx_figures
        if bf16 is not None:
            onnx_figures["torch_bf16_test_stance_macro_f1"] = round(stance_macro_f1(bf16, test_file), 4)
    # 7. One Ray worker (one CPU, one thread), for sizing a cluster: see docs/scaling.md.
    if args.ray:
        figures["ray"] = ray_rate(args.model, build_articles(args.ray, args.words), args.ray_backend)
    figures["peak_rss_mib"] = round(peak_rss_mib(), 1)
    report(figures)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def report(figures: dict) -> None:
    """Print the figures as an aligned two-column table."""

    def rows(prefix: str, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from rows(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield from rows(f"{prefix}[{index}]", inner)
        else:
            yield prefix, value

    lines = list(rows("", figures))
    width = max(len(name) for name, _ in lines)
    for name, value in lines:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
