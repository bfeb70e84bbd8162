"""Where ``predict``'s time goes: a per-operator table from ``torch.profiler``, plus the time outside the model.

Run with ``python benchmarks/profile_predict.py --model models/default [--dtype fp32|bf16]``. It predicts the same
statements as ``benchmarks/throughput.py`` (the corpus mix) once to warm up, then once under the profiler, and
prints:

- the split of wall time between tokenizing, padding and sorting (Python and the tokenizer) and the model's forward
  passes;
- the operators that take the most self CPU time inside the forward passes, with their share, as a Markdown
  table (``--markdown`` writes only that, for docs/performance.md).

The profiler adds overhead of its own to every operator call, so read the shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import time

import torch
from throughput import load_statements  # benchmarks/ is on the path when a script here runs
from torch.profiler import ProfilerActivity, profile

from classifier.modeling import StanceModel


def time_split(model: StanceModel, texts: list[str], speakers: list[str], batch_size: int) -> dict:
    """Wall seconds of one ``predict_proba``: all of it, and the part spent inside the model's batches."""
    inner = model._probabilities
    spent = [0.0]

    def timed_probabilities(batch):
        started = time.perf_counter()
        result = inner(batch)
        spent[0] += time.perf_counter() - started
        return result

    model._probabilities = timed_probabilities
    try:
        started = time.perf_counter()
        model.predict_proba(texts, speakers, batch_size)
        total = time.perf_counter() - started
    finally:
        del model._probabilities  # back to the class's method
    return {
        "total_s": round(total, 3),
        "model_s": round(spent[0], 3),
        "outside_model_share": round(1 - spent[0] / total, 3),
    }


def operator_table(model: StanceModel, texts: list[str], speakers: list[str], batch_size: int, rows: int) -> str:
    """The ``rows`` operators with the most self CPU time during one ``predict_proba``, as Markdown."""
    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        model.predict_proba(texts, speakers, batch_size)
    events = [event for event in profiler.key_averages() if event.self_cpu_time_total > 0]
    total = sum(event.self_cpu_time_total for event in events)
    events.sort(key=lambda event: event.self_cpu_time_total, reverse=True)
    lines = ["| operator | calls | self CPU ms | share |", "| --- | --- | --- | --- |"]
    for event in events[:rows]:
        share = event.self_cpu_time_total / total
        lines.append(f"| `{event.key}` | {event.count} | {event.self_cpu_time_total / 1000:.1f} | {share:.3f} |")
    rest = sum(event.self_cpu_time_total for event in events[rows:])
    lines.append(f"| everything else ({len(events) - rows} operators) | | {rest / 1000:.1f} | {rest / total:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="models/default", help="trained model directory")
    parser.add_argument("--statements", type=int, default=1024, help="statements to predict (default: 1024)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "bf16"])
    parser.add_argument("--rows", type=int, default=15, help="operators to list (default: 15)")
    parser.add_argument("--markdown", action="store_true", help="print only the operator table")
    args = parser.parse_args(argv)

    model = StanceModel.from_pretrained(args.model, dtype=args.dtype)
    texts, speakers = load_statements(args.statements)
    model.predict_proba(texts, speakers, args.batch_size)  # warm-up: allocator, oneDNN kernels, autocast
    split = time_split(model, texts, speakers, args.batch_size)
    table = operator_table(model, texts, speakers, args.batch_size, args.rows)
    if not args.markdown:
        print(f"{len(texts)} statements, batch size {args.batch_size}, {args.dtype}, {torch.get_num_threads()} threads")
        print(f"wall {split['total_s']} s, of which model forward passes {split['model_s']} s; "
              f"outside the model (tokenize, sort, pad, gather): {split['outside_model_share']:.1%}")  # fmt: skip
    print(table)


if __name__ == "__main__":
    main()
