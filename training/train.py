"""Fine-tune the stance/sentiment model with the transformers ``Trainer`` and save it as one directory."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import yaml
from datasets import Dataset
from transformers import Trainer, TrainingArguments, set_seed

from classifier.modeling import StanceModel
from training.config import Config
from training.data import Example, load_examples
from training.evaluate import evaluate, stance_matrix, tune_thresholds

logger = logging.getLogger(__name__)


class JointTrainer(Trainer):
    """Trainer whose loss is stance BCE plus weighted sentiment cross-entropy."""

    def __init__(self, *args, sentiment_loss_weight: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sentiment_loss_weight = sentiment_loss_weight

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        stance_labels = inputs.pop("stance_labels")
        sentiment_labels = inputs.pop("sentiment_labels")
        outputs = model(**inputs)
        stance_loss = torch.nn.functional.binary_cross_entropy_with_logits(
            outputs["stance_logits"], stance_labels.to(outputs["stance_logits"].dtype)
        )
        sentiment_loss = torch.nn.functional.cross_entropy(outputs["sentiment_logits"], sentiment_labels)
        loss = stance_loss + self.sentiment_loss_weight * sentiment_loss
        return (loss, outputs) if return_outputs else loss


class PairCollator:
    """Pads tokenized pairs per batch and stacks the two label tensors."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, rows: list[dict]) -> dict[str, torch.Tensor]:
        features = [{k: v for k, v in row.items() if k not in ("stance_labels", "sentiment_labels")} for row in rows]
        batch = self.tokenizer.pad(features, padding=True, return_tensors="pt")
        batch["stance_labels"] = torch.tensor([row["stance_labels"] for row in rows], dtype=torch.float32)
        batch["sentiment_labels"] = torch.tensor([row["sentiment_labels"] for row in rows], dtype=torch.long)
        return dict(batch)


def build_dataset(model: StanceModel, examples: list[Example]) -> Dataset:
    """Tokenize examples (unpadded) with their label targets."""
    encoded = model.encode([e.text for e in examples], [e.speaker for e in examples], padding=False)
    columns = {key: list(values) for key, values in encoded.items()}
    columns["stance_labels"] = stance_matrix([e.stances for e in examples], model.stance_labels).tolist()
    columns["sentiment_labels"] = [model.sentiment_labels.index(e.sentiment) for e in examples]
    return Dataset.from_dict(columns)


def train(config: Config, output_dir: str | Path) -> dict:
    """Train, tune thresholds on dev, evaluate on test and save everything into ``output_dir``.

    Returns the metrics that are also written to ``output_dir/metrics.json``.

    >>> from training.config import load_config
    >>> train(load_config("configs/default.yaml"), "models/default")  # doctest: +SKIP
    """
    output_dir = Path(output_dir)
    started = time.perf_counter()
    labels, options = config.labels, config.train

    # 1. Seed everything, so the head initialisation and data order repeat.
    set_seed(options.seed)

    # 2. Data: train, dev (threshold tuning) and an optional held-out test split.
    train_examples = load_examples(config.data.train_file, labels.stances, labels.sentiments)
    dev_examples = load_examples(config.data.dev_file, labels.stances, labels.sentiments)
    test_examples = (
        load_examples(config.data.test_file, labels.stances, labels.sentiments) if config.data.test_file else []
    )

    # 3. Model: pretrained encoder, fresh heads.
    model = StanceModel.from_backbone(
        config.model.backbone, labels.stances, labels.sentiments, config.model.max_length, config.model.dropout
    )
    train_dataset = build_dataset(model, train_examples)

    # 4. Optimiser: the new heads learn faster than the pretrained encoder.
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    encoder_params = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": options.learning_rate},
            {"params": head_params, "lr": options.head_learning_rate},
        ],
        weight_decay=options.weight_decay,
    )

    # 5. Arguments and trainer. Checkpoints are not kept: the final model is saved below, with its thresholds.
    with tempfile.TemporaryDirectory(prefix="diplostance-trainer-") as scratch:
        arguments = TrainingArguments(
            output_dir=scratch,
            num_train_epochs=float(options.epochs),
            per_device_train_batch_size=options.batch_size,
            learning_rate=options.learning_rate,
            warmup_steps=float(options.warmup_ratio),  # a float below 1 is a ratio of all steps
            lr_scheduler_type="linear",
            seed=options.seed,
            save_strategy="no",
            eval_strategy="no",
            logging_steps=20,
            report_to="none",
            remove_unused_columns=False,
            use_cpu=not torch.cuda.is_available(),
            disable_tqdm=True,
        )
        trainer = JointTrainer(
            model=model,
            args=arguments,
            train_dataset=train_dataset,
            data_collator=PairCollator(model.tokenizer),
            optimizers=(optimizer, None),
            sentiment_loss_weight=options.sentiment_loss_weight,
        )
        # 6. Train.
        trainer.train()
    model.eval()
    train_seconds = time.perf_counter() - started

    # 7. Thresholds tuned per stance label on dev.
    if options.tune_thresholds:
        dev_probs, _ = model.predict_proba([e.text for e in dev_examples], [e.speaker for e in dev_examples])
        gold = stance_matrix([e.stances for e in dev_examples], labels.stances)
        model.thresholds = tune_thresholds(dev_probs, gold, labels.stances)

    # 8. Evaluate through the public predict.
    metrics = {
        "train_examples": len(train_examples),
        "train_seconds": round(train_seconds, 1),
        "thresholds": model.thresholds,
        "dev": evaluate(model, dev_examples),
    }
    if test_examples:
        metrics["test"] = evaluate(model, test_examples)

    # 9. Save: weights, tokenizer, labels and thresholds, the resolved config and the metrics.
    model.save_pretrained(output_dir)
    with (output_dir / "training_config.yaml").open("w", encoding="utf-8") as handle:
        yaml.safe_dump(config.to_dict(), handle, sort_keys=False)
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    logger.info("saved model to %s (%.1fs)", output_dir, train_seconds)
    return metrics


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else 0.0
