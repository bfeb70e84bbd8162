"""Batched prediction shared by every backend (torch, ONNX Runtime): windows, length buckets, thresholds.

A backend supplies the tokenizer, the label lists, the thresholds, the window size and one method,
``_probabilities``, that turns a padded batch of token ids into stance and sentiment probabilities.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np


@dataclass
class StancePrediction:
    """What the model says about one statement."""

    stances: list[str]
    stance_scores: dict[str, float]
    sentiment: str
    sentiment_scores: dict[str, float]


class BatchedPredictor:
    """``predict`` and ``predict_proba`` over any backend, batching statements of similar token length.

    Statements are tokenized once, sorted by length and cut into batches, so a batch pads to the length of its
    own longest statement rather than to the longest of whatever happened to arrive next to it. Results come
    back in input order.
    """

    tokenizer: object
    stance_labels: list[str]
    sentiment_labels: list[str]
    thresholds: dict[str, float]
    max_length: int

    def _set_labels(
        self,
        stance_labels: list[str],
        sentiment_labels: list[str],
        thresholds: dict[str, float] | None,
        max_length: int,
    ) -> None:
        """Label names, a threshold per stance (0.5 unless saved otherwise) and the window size, for any backend."""
        self.stance_labels = list(stance_labels)
        self.sentiment_labels = list(sentiment_labels)
        self.thresholds = {label: 0.5 for label in self.stance_labels}
        self.thresholds.update(thresholds or {})
        self.max_length = int(max_length)

    def _probabilities(self, batch: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Stance (sigmoid) and sentiment (softmax) probabilities for one padded batch of int64 arrays."""
        raise NotImplementedError

    def _inference_context(self) -> contextlib.AbstractContextManager:
        """Entered once around all the batches of a call (the torch backend's bf16 autocast; nothing here)."""
        return contextlib.nullcontext()

    def windows(self, text: str, speaker: str | None = None) -> dict[str, list[list[int]]]:
        """Token windows of a (speaker, text) pair too long for the encoder: the tokenizer's own overflow
        (``return_overflowing_tokens`` with a stride of half a window), so every window holds the speaker and
        overlapping runs of the text's own tokens; nothing is re-tokenized from text slices, nothing is cut off."""
        budget = self.max_length - len(self.tokenizer(speaker or "", add_special_tokens=False)["input_ids"]) - 3
        if budget < 8:  # a speaker that leaves no room: one truncated window
            encoded = self.tokenizer(speaker or "", text, truncation="longest_first", max_length=self.max_length)
            return {key: [values] for key, values in encoded.items()}
        encoded = self.tokenizer(
            speaker or "",
            text,
            truncation="only_second",
            max_length=self.max_length,
            stride=budget // 2,
            return_overflowing_tokens=True,
        )
        return {key: values for key, values in encoded.items() if key != "overflow_to_sample_mapping"}

    def encode(self, texts: list[str], speakers: list[str | None] | None = None, padding: bool = True):
        """Tokenize (speaker, text) pairs; only the text is truncated, never the speaker."""
        speakers = self._check_speakers(texts, speakers)
        return self.tokenizer(
            [speaker or "" for speaker in speakers],
            texts,
            padding=padding,
            truncation="only_second",
            max_length=self.max_length,
            return_tensors="pt" if padding else None,
        )

    def _check_speakers(self, texts: list[str], speakers: list[str | None] | None) -> list[str | None]:
        speakers = speakers if speakers is not None else [None] * len(texts)
        if len(speakers) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(speakers)} speakers")
        return list(speakers)

    def _pieces(self, texts: list[str], speakers: list[str | None]) -> tuple[list[int], dict[str, list[list[int]]]]:
        """Token ids of every piece to run, and the statement each piece belongs to. A statement that fits is
        tokenized once; a longer one is cut into windows and those are tokenized instead."""
        firsts = [speaker or "" for speaker in speakers]
        # No truncation here: a statement's full length decides whether it needs windows.
        whole = self.tokenizer(firsts, texts, truncation=False, verbose=False)
        owners, columns = [], {key: [] for key in whole}
        for index, ids in enumerate(whole["input_ids"]):
            if len(ids) <= self.max_length:
                owners.append(index)
                for key in columns:
                    columns[key].append(whole[key][index])
                continue
            encoded = self.windows(texts[index], speakers[index])
            owners += [index] * len(encoded["input_ids"])
            for key in columns:
                columns[key] += encoded[key]
        return owners, columns

    def _pad(self, columns: dict[str, list[list[int]]], rows: list[int]) -> dict[str, np.ndarray]:
        width = max(len(columns["input_ids"][row]) for row in rows)
        pad_id = self.tokenizer.pad_token_id or 0
        batch = {}
        for key, values in columns.items():
            filler = pad_id if key == "input_ids" else 0
            array = np.full((len(rows), width), filler, dtype=np.int64)
            for position, row in enumerate(rows):
                array[position, : len(values[row])] = values[row]
            batch[key] = array
        return batch

    def predict_proba(
        self, texts: list[str], speakers: list[str | None] | None = None, batch_size: int = 32
    ) -> tuple[np.ndarray, np.ndarray]:
        """Stance probabilities ``(n, n_stances)`` and sentiment probabilities ``(n, n_sentiments)``.

        A statement longer than the encoder's window is read in overlapping pieces and nothing is cut off: a
        stance's probability is its highest over the pieces (it may be stated anywhere), the sentiment
        probabilities their mean.
        """
        speakers = self._check_speakers(texts, speakers)
        stance = np.zeros((len(texts), len(self.stance_labels)))
        sentiment = np.zeros((len(texts), len(self.sentiment_labels)))
        if not texts:
            return stance, sentiment
        owners, columns = self._pieces(texts, speakers)
        lengths = np.array([len(ids) for ids in columns["input_ids"]])
        order = np.argsort(-lengths, kind="stable")
        piece_stance = np.zeros((len(owners), len(self.stance_labels)))
        piece_sentiment = np.zeros((len(owners), len(self.sentiment_labels)))
        with self._inference_context():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size].tolist()
                piece_stance[rows], piece_sentiment[rows] = self._probabilities(self._pad(columns, rows))
        if len(owners) == len(texts):  # no statement needed windows
            return piece_stance, piece_sentiment
        owners = np.array(owners)
        stance[:] = -np.inf
        np.maximum.at(stance, owners, piece_stance)
        np.add.at(sentiment, owners, piece_sentiment)
        return stance, sentiment / np.bincount(owners, minlength=len(texts))[:, None]

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
                    # decided on the rounded score that is written, so a row never shows a score above its
                    # threshold without the label (0.49996 is written as 0.5)
                    stances=[label for label in self.stance_labels if stance_scores[label] >= self.thresholds[label]],
                    stance_scores=stance_scores,
                    sentiment=self.sentiment_labels[int(np.argmax(sentiment_row))],
                    sentiment_scores=sentiment_scores,
                )
            )
        return results
