"""Fine-tune the stance/sentiment model with the transformers ``Trainer`` and save it as one directory."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import yaml
from datasets import Dataset
from sklearn.metrics import f1_score
from transformers import PrinterCallback, Trainer, TrainerCallback, TrainingArguments, set_seed

from classifier.modeling import META_NAME, StanceModel, resolve_dtype
from training.card import data_summary, provenance, write_model_card
from training.config import Config
from training.data import Example, load_split
from training.distill import load_soft_targets, soft_columns
from training.evaluate import MIN_DEV_POSITIVES, annotated_mask, evaluate, stance_matrix, tune_thresholds

logger = logging.getLogger(__name__)


MIN_TRAIN_POSITIVES = 20  # below this, a label is warned about: the model may not learn it at all


SOFT_COLUMNS = ("soft_stance", "soft_sentiment", "soft_mask")  # a teacher's targets (training.distill)


class JointTrainer(Trainer):
    """Trainer whose loss is stance BCE plus weighted sentiment cross-entropy.

    The stance BCE is masked: a line counts only for the labels it was annotated for (``stance_mask``), and the
    loss is the mean over the cells that count.
    """

    def __init__(
        self,
        *args,
        sentiment_loss_weight: float = 1.0,
        pos_weight: torch.Tensor | None = None,
        label_smoothing: float = 0.0,
        label_set_head: torch.nn.Module | None = None,
        label_set_loss_weight: float = 0.0,
        sample_weights: np.ndarray | None = None,
        distill_weight: float = 0.0,
        distill_temperature: float = 1.0,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sentiment_loss_weight = sentiment_loss_weight
        self.pos_weight = pos_weight
        self.label_smoothing = label_smoothing
        # moved once to the training device; .to() keeps the parameter objects the optimiser already holds
        self.label_set_head = label_set_head.to(self.args.device) if label_set_head is not None else None
        self.label_set_loss_weight = label_set_loss_weight
        self.sample_weights = sample_weights
        self.distill_weight = distill_weight
        self.distill_temperature = distill_temperature

    def _get_train_sampler(self, train_dataset=None):
        if self.sample_weights is None:
            return super()._get_train_sampler(train_dataset)
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        return BalancedLengthSampler(self.sample_weights, dataset["length"], self.args.train_batch_size, self.args.seed)

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        stance_labels = inputs.pop("stance_labels")
        sentiment_labels = inputs.pop("sentiment_labels")
        mask = inputs.pop("stance_mask")
        label_set_targets = inputs.pop("label_set", None)
        soft = {key: inputs.pop(key, None) for key in SOFT_COLUMNS}
        outputs = model(**inputs)
        targets = stance_labels.to(outputs["stance_logits"].dtype)
        targets = targets * (1.0 - self.label_smoothing) + self.label_smoothing / 2
        cells = torch.nn.functional.binary_cross_entropy_with_logits(
            outputs["stance_logits"], targets, pos_weight=self.pos_weight, reduction="none"
        )
        mask = mask.to(cells.dtype)
        stance_loss = (cells * mask).sum() / mask.sum().clamp(min=1.0)
        sentiment_loss = torch.nn.functional.cross_entropy(
            outputs["sentiment_logits"], sentiment_labels, label_smoothing=self.label_smoothing
        )
        loss = stance_loss + self.sentiment_loss_weight * sentiment_loss
        if self.label_set_head is not None and label_set_targets is not None:
            # The head lives here, not in the model, so saved models never carry it. Under DDP each rank keeps
            # its own copy (never all-reduced); the encoder's gradients from this loss are still averaged.
            set_logits = self.label_set_head(outputs["pooled"])
            set_loss = torch.nn.functional.cross_entropy(
                set_logits, label_set_targets, ignore_index=-100, label_smoothing=self.label_smoothing
            )
            if (label_set_targets != -100).any():  # a batch of only rare sets has no target: its mean is nan
                loss = loss + self.label_set_loss_weight * set_loss
        if soft["soft_mask"] is not None and self.distill_weight > 0 and soft["soft_mask"].any():
            loss = loss + self.distill_weight * self.distill_loss(outputs, **soft)
        return (loss, outputs) if return_outputs else loss

    def distill_loss(self, outputs, soft_stance, soft_sentiment, soft_mask) -> torch.Tensor:
        """Cross-entropy of the student's tempered probabilities against the teacher's, over the lines the teacher
        scored (``soft_mask``), times T squared so that its gradients keep their size whatever the temperature."""
        temperature = self.distill_temperature
        stance_logits = outputs["stance_logits"].float() / temperature
        cells = torch.nn.functional.binary_cross_entropy_with_logits(stance_logits, soft_stance, reduction="none")
        lines = soft_mask.sum()
        stance = (cells.mean(dim=1) * soft_mask).sum() / lines
        log_probs = torch.nn.functional.log_softmax(outputs["sentiment_logits"].float() / temperature, dim=-1)
        sentiment = (-(soft_sentiment * log_probs).sum(dim=1) * soft_mask).sum() / lines
        return temperature**2 * (stance + self.sentiment_loss_weight * sentiment)


class PairCollator:
    """Pads tokenized pairs per batch and stacks the two label tensors."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, rows: list[dict]) -> dict[str, torch.Tensor]:
        skip = ("stance_labels", "sentiment_labels", "stance_mask", "length", "label_set") + SOFT_COLUMNS
        features = [{k: v for k, v in row.items() if k not in skip} for row in rows]
        batch = self.tokenizer.pad(features, padding=True, return_tensors="pt")
        batch["stance_labels"] = torch.tensor([row["stance_labels"] for row in rows], dtype=torch.float32)
        batch["sentiment_labels"] = torch.tensor([row["sentiment_labels"] for row in rows], dtype=torch.long)
        batch["stance_mask"] = torch.tensor([row["stance_mask"] for row in rows], dtype=torch.float32)
        if "label_set" in rows[0]:
            batch["label_set"] = torch.tensor([row["label_set"] for row in rows], dtype=torch.long)
        for key in SOFT_COLUMNS:
            if key in rows[0]:
                batch[key] = torch.tensor([row[key] for row in rows], dtype=torch.float32)
        return dict(batch)


def build_dataset(
    model: StanceModel,
    examples: list[Example],
    label_sets: list[tuple[str, ...]] | None = None,
    soft: dict[str, list] | None = None,
) -> Dataset:
    """Tokenize examples (unpadded) with their label targets; with ``label_sets``, also the index of each line's
    stance set among them (-100, no target, for a set not listed or a line not annotated for every label); with
    ``soft``, a teacher's targets (:func:`training.distill.soft_columns`)."""
    encoded = model.encode([e.text for e in examples], [e.speaker for e in examples], padding=False)
    columns = {key: list(values) for key, values in encoded.items()}
    columns["length"] = [len(ids) for ids in encoded["input_ids"]]
    columns["stance_labels"] = stance_matrix([e.stances for e in examples], model.stance_labels).tolist()
    columns["sentiment_labels"] = [model.sentiment_labels.index(e.sentiment) for e in examples]
    columns["stance_mask"] = annotated_mask(examples, model.stance_labels).tolist()
    if label_sets is not None:
        columns["label_set"] = [label_set_index(e, label_sets, model.stance_labels) for e in examples]
    columns.update(soft or {})
    return Dataset.from_dict(columns)


MIN_LABEL_SET_LINES = 5  # a stance set with fewer train lines gets no class of its own in the label-set loss


def stance_set(example: Example, stances: list[str]) -> tuple[str, ...]:
    """The example's stance labels as a set in label order: ``()`` for none."""
    return tuple(label for label in stances if label in example.stances)


def frequent_label_sets(examples: list[Example], stances: list[str]) -> list[tuple[str, ...]]:
    """The stance sets with at least ``MIN_LABEL_SET_LINES`` fully annotated train lines, most frequent first.

    >>> from training.data import Example
    >>> line = Example("a", "text", "speaker", ["x"], "neutral", "conflict")
    >>> import dataclasses
    >>> lines = [line] * 5 + [dataclasses.replace(line, stances=[])] * 6
    >>> frequent_label_sets(lines, ["x", "y"])
    [(), ('x',)]
    """
    full = annotated_mask(examples, stances).all(1)
    counts = Counter(stance_set(e, stances) for e, keep in zip(examples, full) if keep)
    return [labels for labels, count in counts.most_common() if count >= MIN_LABEL_SET_LINES]


def label_set_index(example: Example, label_sets: list[tuple[str, ...]], stances: list[str]) -> int:
    """The index of the example's stance set in ``label_sets``; -100 (ignored) when it is not there or when the
    line was not annotated for every stance (its set is then unknown)."""
    if not annotated_mask([example], stances).all():
        return -100
    labels = stance_set(example, stances)
    return label_sets.index(labels) if labels in label_sets else -100


def balanced_weights(examples: list[Example], stances: list[str]) -> np.ndarray:
    """A sampling weight per line: the inverse train frequency of its rarest stance label, "none" counting as a
    label, so that each label (and a line with none) is drawn about equally often."""
    sets = [stance_set(e, stances) or ("none",) for e in examples]
    counts = Counter(label for labels in sets for label in labels)
    return np.array([max(1.0 / counts[label] for label in labels) for labels in sets])


class BalancedLengthSampler(torch.utils.data.Sampler):
    """Draws as many lines as train has, with replacement and in proportion to ``weights``; then sorts each run
    of 50 batches by length, as the length-grouped sampler does, so batches stay short on padding.

    A new draw every epoch, repeatable from the seed.
    """

    def __init__(self, weights: np.ndarray, lengths: list[int], batch_size: int, seed: int) -> None:
        self.weights = torch.as_tensor(weights, dtype=torch.double)
        self.lengths, self.batch_size, self.seed, self.epoch = list(lengths), batch_size, seed, 0

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        self.epoch += 1
        drawn = torch.multinomial(self.weights, len(self.lengths), replacement=True, generator=generator).tolist()
        run = 50 * self.batch_size
        for start in range(0, len(drawn), run):
            yield from sorted(drawn[start : start + run], key=lambda index: -self.lengths[index])


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
        self.mask = annotated_mask(dev, model.stance_labels)
        self.best_score, self.best_state, self.history = -1.0, None, []

    def on_epoch_end(self, args, state, control, **kwargs):
        probs, _ = self.model.predict_proba([e.text for e in self.dev], [e.speaker for e in self.dev])
        thresholds = tune_thresholds(probs, self.gold, self.model.stance_labels, self.mask)
        predicted = np.stack([probs[:, i] >= thresholds[label] for i, label in enumerate(self.model.stance_labels)], 1)
        predicted = np.where(self.mask == 1, predicted.astype(int), self.gold)  # unannotated cells do not count
        present = self.gold.sum(0) > 0
        scores = f1_score(self.gold, predicted, average=None, zero_division=0)
        score = float(np.mean(scores[present])) if present.any() else 0.0
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


def continue_from(
    path: str | Path, stances: list[str], sentiments: list[str], max_length: int, dropout: float
) -> StanceModel:
    """A model for ``stances``/``sentiments`` that starts from a saved diplostance model: its encoder and tokenizer,
    and the head row of every label the two share; a label the saved model lacks gets a fresh row."""
    if not (Path(path) / META_NAME).is_file():
        raise ValueError(f"--init-from {path}: not a diplostance model directory ({META_NAME} is missing)")
    earlier = StanceModel.from_pretrained(path)
    model = StanceModel(earlier.encoder, earlier.tokenizer, stances, sentiments, max_length=max_length, dropout=dropout)
    with torch.no_grad():
        for head, old_head, new_labels, old_labels in (
            (model.stance_head, earlier.stance_head, stances, earlier.stance_labels),
            (model.sentiment_head, earlier.sentiment_head, sentiments, earlier.sentiment_labels),
        ):
            for row, label in enumerate(new_labels):
                if label in old_labels:
                    head.weight[row] = old_head.weight[old_labels.index(label)]
                    head.bias[row] = old_head.bias[old_labels.index(label)]
    new = [label for label in stances + sentiments if label not in earlier.stance_labels + earlier.sentiment_labels]
    logger.info("continuing from %s%s", path, f"; new label(s) {new} start from fresh head rows" if new else "")
    return model


def small_data_warnings(train: list[Example], dev: list[Example], stances: list[str]) -> list[str]:
    """A warning per label with too few positives to learn (train) or to tune a threshold on (dev)."""
    warnings = []
    for split, examples, floor in (("train", train, MIN_TRAIN_POSITIVES), ("dev", dev, MIN_DEV_POSITIVES)):
        counts = stance_matrix([e.stances for e in examples], stances).sum(0)
        for label, count in zip(stances, counts):
            if count < floor:
                keep = "; its threshold stays at 0.5" if split == "dev" else ""
                warnings.append(f"label {label!r} has {count} example(s) in {split} (fewer than {floor}){keep}")
    return warnings


def tfidf_figures(train: list[Example], dev: list[Example], test: list[Example], labels) -> dict:
    """Dev (and test) figures of the TF-IDF + logistic regression baseline fitted on the same files."""
    from training.baselines import TfidfBaseline
    from training.evaluate import compute_metrics

    baseline = TfidfBaseline(labels.stances, labels.sentiments).fit(train, dev)
    keys = ("stance_macro_f1", "exact_set_accuracy", "sentiment_macro_f1")
    figures = {}
    for split, examples in (("dev", dev), ("test", test)):
        if examples:
            predicted = baseline.predict([e.text for e in examples], [e.speaker for e in examples])
            found = compute_metrics(examples, predicted, labels.stances, labels.sentiments)
            figures[split] = {key: found[key] for key in keys}
    return figures


def ddp_backend() -> str | None:
    """``gloo`` when launched as several CPU processes (nccl needs GPUs), else None: the Trainer's own choice.

    A single process must get None: given any backend, accelerate expects a process group and fails without one.
    torchrun and accelerate launch both set ``WORLD_SIZE``.
    """
    launched = int(os.environ.get("WORLD_SIZE", "1")) > 1
    return "gloo" if launched and not torch.cuda.is_available() else None


def check_export(export: str | None) -> None:
    """Refuse an unknown export target, or one whose packages are missing, before training rather than after."""
    if export is None:
        return
    if export not in ("onnx", "onnx-int8"):
        raise ValueError(f"export {export!r}: choose onnx or onnx-int8")
    import importlib.util

    # A ValueError, not ModuleNotFoundError: the command line answers the latter with the training extra's hint.
    missing = [module for module in ("onnx", "onnxruntime") if importlib.util.find_spec(module) is None]
    if missing:
        raise ValueError(f"--export {export} needs {' and '.join(missing)}: pip install 'diplostance[onnx]' (or "
                         "train without --export)")  # fmt: skip


def train(config: Config, output_dir: str | Path, export: str | None = None) -> dict:
    """Train, tune thresholds on dev, evaluate on test and save everything into ``output_dir``.

    Returns the metrics that are also written to ``output_dir/metrics.json``. With ``export`` (``onnx`` or
    ``onnx-int8``) the saved model is then exported for ONNX Runtime as ``diplostance export`` does, and the
    returned metrics list the files written under ``exported``.

    The same call runs one process per device under ``torchrun`` or ``accelerate launch`` (docs/scaling.md):
    DDP keeps every rank's weights equal, and only rank 0 scores dev, tunes thresholds, evaluates and writes
    ``output_dir``. The other ranks write nothing and return only ``train_examples`` and ``train_seconds``.

    >>> from training.config import load_config
    >>> train(load_config("training/configs/default.yaml"), "models/default")  # doctest: +SKIP
    """
    output_dir = Path(output_dir)
    started = time.perf_counter()
    labels, options = config.labels, config.train
    check_export(export)

    # 1. Seed everything, so the head initialisation and data order repeat.
    set_seed(options.seed)

    # 2. Data: train, dev (threshold tuning) and an optional held-out test split.
    train_examples, dev_examples, test_examples = (
        load_split(config.data.files(split), labels.stances, labels.sentiments) for split in ("train", "dev", "test")
    )
    warnings = small_data_warnings(train_examples, dev_examples, labels.stances)
    for warning in warnings:
        logger.warning(warning)

    # 3. Model: a pretrained encoder with fresh heads, or an earlier diplostance model to continue from.
    if options.init_from:
        model = continue_from(options.init_from, labels.stances, labels.sentiments, config.model.max_length,
                              config.model.dropout)  # fmt: skip
    else:
        model = StanceModel.from_backbone(
            config.model.backbone, labels.stances, labels.sentiments, config.model.max_length, config.model.dropout
        )
    label_sets = frequent_label_sets(train_examples, labels.stances) if options.label_set_loss_weight > 0 else None
    soft = None
    if options.soft_targets:
        files = options.soft_target_files()
        targets = load_soft_targets(files, labels.stances, labels.sentiments)
        soft = soft_columns(train_examples, targets, labels.stances, labels.sentiments, options.distill_temperature)
        known = int(sum(soft["soft_mask"]))
        logger.info("soft targets for %d of %d train lines (%s)", known, len(train_examples), ", ".join(files))
        if not known:
            logger.warning("train.soft_targets: none of the %d train lines is in %s", len(train_examples), files)
    train_dataset = build_dataset(model, train_examples, label_sets, soft)
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
    # The auxiliary label-set head (train.label_set_loss_weight) trains beside the model and is not saved.
    label_set_head = torch.nn.Linear(model.encoder.config.hidden_size, len(label_sets)) if label_sets else None
    if label_set_head is not None:
        trainable += list(label_set_head.named_parameters())
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
            bf16=resolve_dtype(options.precision) == "bf16",
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
            label_set_head=label_set_head,
            label_set_loss_weight=float(options.label_set_loss_weight),
            sample_weights=balanced_weights(train_examples, labels.stances) if options.balanced_sampling else None,
            distill_weight=float(options.distill_weight) if soft else 0.0,
            distill_temperature=float(options.distill_temperature),
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
        mask = annotated_mask(dev_examples, labels.stances)
        model.thresholds = tune_thresholds(dev_probs, gold, labels.stances, mask, beta=float(options.threshold_beta))

    # 8. Evaluate through the public predict, beside the TF-IDF baseline fitted on the same files: on small data
    # a linear model can win, and then the fine-tuned one should not be used.
    metrics = {
        "train_examples": len(train_examples),
        "train_seconds": round(train_seconds, 1),
        "precision": resolve_dtype(options.precision),
        "thresholds": model.thresholds,
        "dev_macro_f1_by_epoch": best.history if best else None,
        **({"label_set_classes": [list(labels) for labels in label_sets]} if label_sets else {}),
        "dev": evaluate(model, dev_examples),
    }
    if test_examples:
        metrics["test"] = evaluate(model, test_examples)
    metrics["baseline_tfidf"] = tfidf_figures(train_examples, dev_examples, test_examples, labels)
    model_dev, baseline_dev = metrics["dev"]["stance_macro_f1"], metrics["baseline_tfidf"]["dev"]["stance_macro_f1"]
    if baseline_dev > model_dev:
        warnings.append(
            f"the TF-IDF baseline beats the model on dev (stance macro-F1 {baseline_dev} against {model_dev}): "
            "more labelled data, more epochs or --init-from an existing model may help"
        )
        logger.warning(warnings[-1])
    metrics["warnings"] = warnings

    # 9. Save: weights, tokenizer, labels and thresholds, the resolved config and the metrics.
    model.save_pretrained(output_dir)
    with (output_dir / "training_config.yaml").open("w", encoding="utf-8") as handle:
        yaml.safe_dump(config.to_dict(), handle, sort_keys=False)
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    # 10. The model card (README.md) and provenance.json: data hashes and counts, library versions, the date.
    config_dict = config.to_dict()
    summary = data_summary(
        {split: [entry.path for entry in config.data.files(split)] for split in ("train", "dev", "test")},
        {"train": train_examples, "dev": dev_examples, "test": test_examples},
        labels.stances,
    )
    write_model_card(output_dir, config_dict, metrics, provenance(config_dict, summary))
    logger.info("saved model to %s (%.1fs)", output_dir, train_seconds)

    # 11. Optionally the ONNX export, from the files just saved, so predict and score find it (--backend auto).
    if export is not None:
        from classifier.onnx_backend import export_onnx

        metrics["exported"] = [str(path) for path in export_onnx(output_dir, int8=export == "onnx-int8")]
        logger.info("exported %s", ", ".join(metrics["exported"]))
    return metrics
