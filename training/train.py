"""Fine-tune the stance/sentiment model with the transformers ``Trainer`` and save it as one directory."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import yaml
from datasets import Dataset
from sklearn.metrics import f1_score
from transformers import PrinterCallback, Trainer, TrainerCallback, TrainingArguments, set_seed

from classifier.modeling import StanceModel
from training.config import Config
from training.data import Example, load_examples
from training.evaluate import evaluate, stance_matrix, tune_thresholds

logger = logging.getLogger(__name__)


class JointTrainer(Trainer):
    """Trainer whose loss is stance BCE plus weighted sentiment cross-entropy."""

    def __init__(
        self,
        *args,
        sentiment_loss_weight: float = 1.0,
        pos_weight: torch.Tensor | None = None,
        label_smoothing: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sentiment_loss_weight = sentiment_loss_weight
        self.pos_weight = pos_weight
        self.label_smoothing = label_smoothing

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        stance_labels = inputs.pop("stance_labels")
        sentiment_labels = inputs.pop("sentiment_labels")
        outputs = model(**inputs)
        targets = stance_labels.to(outputs["stance_logits"].dtype)
        targets = targets * (1.0 - self.label_smoothing) + self.label_smoothing / 2
        stance_loss = torch.nn.functional.binary_cross_entropy_with_logits(
            outputs["stance_logits"], targets, pos_weight=self.pos_weight
        )
        sentiment_loss = torch.nn.functional.cross_entropy(
            outputs["sentiment_logits"], sentiment_labels, label_smoothing=self.label_smoothing
        )
        loss = stance_loss + self.sentiment_loss_weight * sentiment_loss
        return (loss, outputs) if return_outputs else loss


class PairCollator:
    """Pads tokenized pairs per batch and stacks the two label tensors."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, rows: list[dict]) -> dict[str, torch.Tensor]:
        skip = ("stance_labels", "sentiment_labels", "length")
        features = [{k: v for k, v in row.items() if k not in skip} for row in rows]
        batch = self.tokenizer.pad(features, padding=True, return_tensors="pt")
        batch["stance_labels"] = torch.tensor([row["stance_labels"] for row in rows], dtype=torch.float32)
        batch["sentiment_labels"] = torch.tensor([row["sentiment_labels"] for row in rows], dtype=torch.long)
        return dict(batch)


def build_dataset(model: StanceModel, examples: list[Example]) -> Dataset:
    """Tokenize examples (unpadded) with their label targets."""
    encoded = model.encode([e.text for e in examples], [e.speaker for e in examples], padding=False)
    columns = {key: list(values) for key, values in encoded.items()}
    columns["length"] = [len(ids) for ids in encoded["input_ids"]]
    columns["stance_labels"] = stance_matrix([e.stances for e in examples], model.stance_labels).tolist()
    columns["sentiment_labels"] = [model.sentiment_labels.index(e.sentiment) for e in examples]
    return Dataset.from_dict(columns)


class ProgressBar(TrainerCallback):
    """A progress bar on standard error with the epoch, the latest loss and the time left; standard output stays
    free for the summary that ``diplostance train`` prints at the end."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.bar = enabled, None

    def on_train_begin(self, args, state, control, **kwargs):
        if self.enabled and state.is_world_process_zero:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=state.max_steps, unit="step", file=sys.stderr, dynamic_ncols=True)

    def on_step_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.update(state.global_step - self.bar.n)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.bar is not None and logs and "loss" in logs:
            self.bar.set_postfix(epoch=f"{state.epoch:.2f}", loss=f"{logs['loss']:.4f}", refresh=False)

    def on_train_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class BestOnDev(TrainerCallback):
    """After each epoch, score dev with thresholds tuned on it; keep the weights of the best epoch in memory.

    ``model`` is the plain model, never the trainer's DDP wrapper: scoring through the wrapper would start a
    collective (the buffer broadcast) that ranks without this callback never join.
    """

    def __init__(self, model: StanceModel, dev: list[Example]) -> None:
        self.model, self.dev = model, dev
        self.gold = stance_matrix([e.stances for e in dev], model.stance_labels)
        self.best_score, self.best_state, self.history = -1.0, None, []

    def on_epoch_end(self, args, state, control, **kwargs):
        probs, _ = self.model.predict_proba([e.text for e in self.dev], [e.speaker for e in self.dev])
        thresholds = tune_thresholds(probs, self.gold, self.model.stance_labels)
        predicted = np.stack([probs[:, i] >= thresholds[label] for i, label in enumerate(self.model.stance_labels)], 1)
        score = float(f1_score(self.gold, predicted.astype(int), average="macro", zero_division=0))
        self.history.append(round(score, 4))
        if score > self.best_score:
            self.best_score = score
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        self.model.train()
        return control


def freeze_lower_layers(model: StanceModel, count: int) -> None:
    """Stop gradients in the lowest ``count`` transformer layers (BERT-style ``encoder.layer`` stacks)."""
    layers = getattr(getattr(model.encoder, "encoder", None), "layer", None)
    if layers is None:
        raise ValueError(
            f"train.freeze_layers: {type(model.encoder).__name__} has no encoder.layer stack; set freeze_layers: 0"
        )
    if count > len(layers):
        raise ValueError(f"train.freeze_layers is {count} but the backbone has only {len(layers)} layers")
    for layer in layers[:count]:
        layer.requires_grad_(False)


def ddp_backend() -> str | None:
    """``gloo`` when launched as several CPU processes (nccl needs GPUs), else None: the Trainer's own choice.

    A single process must get None: given any backend, accelerate expects a process group and fails without one.
    torchrun and accelerate launch both set ``WORLD_SIZE``.
    """
    launched = int(os.environ.get("WORLD_SIZE", "1")) > 1
    return "gloo" if launched and not torch.cuda.is_available() else None


def train(config: Config, output_dir: str | Path) -> dict:
    """Train, tune thresholds on dev, evaluate on test and save everything into ``output_dir``.

    Returns the metrics that are also written to ``output_dir/metrics.json``.

    The same call runs one process per device under ``torchrun`` or ``accelerate launch`` (docs/scaling.md):
    DDP keeps every rank's weights equal, and only rank 0 scores dev, tunes thresholds, evaluates and writes
    ``output_dir``. The other ranks write nothing and return only ``train_examples`` and ``train_seconds``.

    >>> from training.config import load_config
    >>> train(load_config("training/configs/default.yaml"), "models/default")  # doctest: +SKIP
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
    if options.freeze_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    if options.freeze_layers:
        freeze_lower_layers(model, options.freeze_layers)
    pos_weight = None
    if options.class_weights:
        positives = stance_matrix([e.stances for e in train_examples], labels.stances).sum(0)
        ratio = (len(train_examples) - positives) / np.maximum(positives, 1)
        pos_weight = torch.tensor(np.clip(ratio, 1.0, 10.0), dtype=torch.float32)

    # 4. Optimiser: the new heads learn faster than the pretrained encoder.
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    head_params = [p for n, p in trainable if not n.startswith("encoder.")]
    encoder_params = [p for n, p in trainable if n.startswith("encoder.")]
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
            ddp_backend=ddp_backend(),
            # Mean pooling leaves the encoder's pooler without gradients; DDP must expect that.
            ddp_find_unused_parameters=True,
            disable_tqdm=True,
            train_sampling_strategy="group_by_length" if options.group_by_length else "random",
        )
        rank, world_size = arguments.process_index, arguments.world_size
        main_process = rank == 0
        backend = f" ({torch.distributed.get_backend()})" if world_size > 1 else ""
        logger.info("rank %d of %d%s: training on %s", rank, world_size, backend, arguments.device)
        # The ranks' weights are equal, so dev is scored once, by the rank that saves; the others wait for it at
        # their next collective (the end-of-epoch loss gather or the next gradient all-reduce).
        best = BestOnDev(model, dev_examples) if options.select_best_epoch and main_process else None
        callbacks = [ProgressBar(sys.stderr.isatty())] + ([best] if best else [])
        trainer = JointTrainer(
            model=model,
            args=arguments,
            train_dataset=train_dataset,
            data_collator=PairCollator(model.tokenizer),
            optimizers=(optimizer, None),
            sentiment_loss_weight=options.sentiment_loss_weight,
            pos_weight=pos_weight,
            label_smoothing=float(options.label_smoothing),
            callbacks=callbacks,
        )
        trainer.remove_callback(PrinterCallback)  # logs go to the logger and the bar, never to standard output
        # 6. Train, then go back to the epoch that did best on dev.
        trainer.train()
    train_seconds = time.perf_counter() - started
    logger.info("rank %d of %d: training finished (%.1fs)", rank, world_size, train_seconds)
    if not main_process:
        return {"train_examples": len(train_examples), "train_seconds": round(train_seconds, 1)}
    if best is not None and best.best_state is not None:
        model.load_state_dict(best.best_state)
    model.eval()

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
        "dev_macro_f1_by_epoch": best.history if best else None,
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
