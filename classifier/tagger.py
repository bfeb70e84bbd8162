"""An optional trained extractor: a token tagger for attribution sources, cues and contents.

The rule extractor (:mod:`classifier.extract`) stays the default; it needs nothing but this package. A tagger
is trained by the user on attribution-annotated news (``diplostance train-tagger``, code in ``training/tagger.py``)
and then replaces the rules in ``score`` and ``eval-extraction`` with ``--extractor DIR``.

The model labels word pieces ``B-``/``I-`` ``SOURCE``, ``CUE`` and ``CONTENT`` (or ``O``) over overlapping
windows of the article. Decoding joins the pieces into character spans; a content that resumes after an attribution
(``"We want talks," the envoy said, "and a truce."``) starts with ``I-CONTENT`` and joins the content before it.
Each content becomes one statement, spoken by the nearest source of its paragraph, so that the rule-based
:class:`~classifier.extract.coref.SpeakerAttributor` can resolve pronouns and surnames on top.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer

from classifier.extract import RawStatement, Sentence, StatementExtractor, polarity
from classifier.extract.mentions import STOP_CAPITALS, Mention, split_title

ROLES = ("SOURCE", "CUE", "CONTENT")
LABELS = ["O"] + [f"{prefix}-{role}" for role in ROLES for prefix in ("B", "I")]
SETTINGS_NAME = "tagger.json"
_PRONOUN = re.compile(r"(?i)he|she|they|it")


@dataclass
class TaggedSpan:
    """One source, cue or content, as character spans into the article (a content may be discontinuous)."""

    role: str
    pieces: list[tuple[int, int]]

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


@dataclass
class TaggedStatement(RawStatement):
    """A :class:`RawStatement` that also knows the words it reports (``content``), as the tagger marked them."""

    content: list[tuple[int, int]] = field(default_factory=list)


def windows(n_tokens: int, size: int, stride: int) -> list[tuple[int, int]]:
    """``(start, end)`` token ranges of at most ``size`` tokens, each starting ``stride`` after the last.

    >>> windows(10, 4, 3)
    [(0, 4), (3, 7), (6, 10)]
    """
    if n_tokens <= size:
        return [(0, n_tokens)] if n_tokens else []
    starts = list(range(0, n_tokens - size, stride)) + [n_tokens - size]
    return [(s, s + size) for s in dict.fromkeys(starts)]


def with_special_tokens(tokenizer, ids: list[int]) -> list[int]:
    """``[CLS] ids [SEP]`` (or the tokenizer's begin and end tokens): one window as the encoder expects it."""
    first = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    last = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    return [first, *ids, last]


class TaggerExtractor:
    """Finds statements with a fine-tuned token-classification model instead of rules.

    Same interface as :class:`~classifier.extract.StatementExtractor` (``sentences`` and ``extract``), so it
    drops into :class:`~classifier.pipeline.ArticleScorer`.

    >>> tagger = TaggerExtractor.from_pretrained("models/tagger")  # doctest: +SKIP
    >>> [(s.content, s.mention.text) for s in tagger.extract('"We want talks," the envoy said.')]  # doctest: +SKIP
    [([(1, 15)], 'the envoy')]
    """

    def __init__(
        self, model, tokenizer, window: int = 256, stride: int = 192, fill_gap: int = 0, batch_size: int = 16
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        limit = int(getattr(model.config, "max_position_embeddings", window))
        self.window = min(int(window), limit) - 2  # room for [CLS] and [SEP]
        self.stride = min(int(stride), self.window)
        self.fill_gap = fill_gap  # see fill_content; chosen on dev by train-tagger
        self.batch_size = batch_size
        self.labels = [model.config.id2label[i] for i in range(len(model.config.id2label))]
        self.rules = StatementExtractor(linker="rules")  # sentences and mentions, for attribution on top

    @classmethod
    def from_pretrained(cls, path: str | Path) -> TaggerExtractor:
        """Load a tagger saved by ``diplostance train-tagger`` (or :meth:`save_pretrained`)."""
        path = Path(path)
        settings_file = path / SETTINGS_NAME
        if not settings_file.is_file():
            raise FileNotFoundError(f"{path} is not a diplostance tagger directory: {SETTINGS_NAME} is missing")
        settings = json.loads(settings_file.read_text(encoding="utf-8"))
        model = AutoModelForTokenClassification.from_pretrained(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        return cls(
            model, tokenizer, settings.get("window", 256), settings.get("stride", 192), settings.get("fill_gap", 0)
        )

    def save_pretrained(self, path: str | Path, extra: dict | None = None) -> None:
        """Write weights, config (with the label names), tokenizer and ``tagger.json`` (window settings)."""
        path = Path(path)
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        settings = {"labels": self.labels, "window": self.window + 2, "stride": self.stride,
                    "fill_gap": self.fill_gap, **(extra or {})}  # fmt: skip
        (path / SETTINGS_NAME).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    def sentences(self, text: str) -> list[Sentence]:
        return self.rules.sentences(text)

    @torch.inference_mode()
    def tag(self, text: str) -> list[TaggedSpan]:
        """Sources, cues and contents of ``text`` in article order."""
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        offsets = encoded["offset_mapping"]
        ids = encoded["input_ids"]
        if not ids:
            return []
        spans = windows(len(ids), self.window, self.stride)
        logits = torch.zeros(len(ids), len(self.labels))
        counts = torch.zeros(len(ids), 1)
        device = next(self.model.parameters()).device
        for first in range(0, len(spans), self.batch_size):
            chunk = spans[first : first + self.batch_size]
            rows = [with_special_tokens(self.tokenizer, ids[a:b]) for a, b in chunk]
            batch = self.tokenizer.pad({"input_ids": rows}, padding=True, return_tensors="pt").to(device)
            output = self.model(**batch).logits.float().cpu()
            for row, (a, b) in enumerate(chunk):
                logits[a:b] += output[row, 1 : 1 + b - a]  # windows overlap: average their opinions
                counts[a:b] += 1
        predicted = (logits / counts).argmax(-1).tolist()
        return decode(fill_content([self.labels[i] for i in predicted], self.fill_gap), offsets)

    def extract(self, text: str, sentences: list[Sentence] | None = None) -> list[RawStatement]:
        """One statement per tagged content, with its nearest source and cue in the same paragraph."""
        sentences = self.sentences(text) if sentences is None else sentences
        if not sentences:
            return []
        tagged = self.tag(text)
        by_role = {role: [s for s in tagged if s.role == role] for role in ROLES}
        found: list[RawStatement] = []
        for content in by_role["CONTENT"]:
            first = _sentence_at(sentences, content.start)
            last = _sentence_at(sentences, content.end - 1)
            source = _nearest(content, by_role["SOURCE"], sentences, first.paragraph)
            cue = _nearest(source or content, by_role["CUE"], sentences, first.paragraph)
            start, end = first.start, last.end
            for extra in (source, cue):
                if extra is not None:
                    start = min(start, _sentence_at(sentences, extra.start).start)
                    end = max(end, _sentence_at(sentences, extra.end - 1).end)
            quotes = [q for s in sentences if start <= s.start < end for q in s.quotes]
            found.append(
                TaggedStatement(
                    start,
                    end,
                    _kind(text, content, quotes),
                    None if source is None else _mention(text, source, sentences),
                    None if cue is None else (cue.start, cue.end),
                    quotes,
                    first.paragraph,
                    polarity(text[start:end]),
                    content=content.pieces,
                )
            )
        return found


def fill_content(labels: list[str], gap: int) -> list[str]:
    """Close holes of at most ``gap`` ``O`` tokens inside a content: the model often drops a word or two of a
    long clause, which would split one content into several.

    >>> fill_content(["B-CONTENT", "O", "I-CONTENT", "O", "O", "B-SOURCE"], 1)
    ['B-CONTENT', 'I-CONTENT', 'I-CONTENT', 'O', 'O', 'B-SOURCE']
    """
    labels = list(labels)
    last_content = None  # index of the last content token seen
    for i, label in enumerate(labels):
        if label.endswith("CONTENT"):
            if label == "I-CONTENT" and last_content is not None and 1 < i - last_content <= gap + 1:
                labels[last_content + 1 : i] = ["I-CONTENT"] * (i - last_content - 1)
            last_content = i
        elif label != "O":
            last_content = None
    return labels


def decode(labels: list[str], offsets: list[tuple[int, int]], max_gap: int = 0) -> list[TaggedSpan]:
    """Character spans from per-token BIO labels. ``I-`` after a token of another role starts a new span, except
    ``I-CONTENT`` right after a source or cue (with at most ``max_gap`` other tokens between; more resumed
    too often on PolNeAR dev), which resumes the last content: the second half of a quotation split by its
    attribution.

    >>> labels = ["B-CONTENT", "I-CONTENT", "B-SOURCE", "B-CUE", "I-CONTENT"]
    >>> decode(labels, [(0, 2), (3, 5), (6, 8), (9, 12), (13, 15)])  # doctest: +NORMALIZE_WHITESPACE
    [TaggedSpan(role='CONTENT', pieces=[(0, 5), (13, 15)]), TaggedSpan(role='SOURCE', pieces=[(6, 8)]),
     TaggedSpan(role='CUE', pieces=[(9, 12)])]
    """
    spans: list[TaggedSpan] = []
    current: TaggedSpan | None = None
    last_content: TaggedSpan | None = None
    attribution_between, others_between = False, 0  # what lies between the last content and this token
    for label, (a, b) in zip(labels, offsets):
        if a >= b:
            continue
        prefix, _, role = label.partition("-")
        if prefix == "O":
            current = None
            others_between += 1
            continue
        resumes = attribution_between and others_between <= max_gap and last_content is not None
        if prefix == "I" and current is not None and current.role == role:
            current.pieces[-1] = (current.pieces[-1][0], b)
        elif prefix == "I" and role == "CONTENT" and resumes:
            last_content.pieces.append((a, b))
            current = last_content
        else:
            current = TaggedSpan(role, [(a, b)])
            spans.append(current)
        if role == "CONTENT":
            last_content, attribution_between, others_between = current, False, 0
        else:
            attribution_between = True
    return sorted(spans, key=lambda s: s.start)


def _sentence_at(sentences: list[Sentence], offset: int) -> Sentence:
    """The sentence holding ``offset``, else the last one starting before it (offsets between sentences)."""
    before = [s for s in sentences if s.start <= offset]
    return before[-1] if before else sentences[0]


def _nearest(anchor: TaggedSpan, candidates: list[TaggedSpan], sentences, paragraph: int) -> TaggedSpan | None:
    """The candidate of the anchor's paragraph closest to it; one inside a split content counts as distance 0."""
    best, best_distance = None, None
    for candidate in candidates:
        if _sentence_at(sentences, candidate.start).paragraph != paragraph:
            continue
        if anchor.start <= candidate.start and candidate.end <= anchor.end:
            distance = 0
        else:
            distance = max(anchor.start - candidate.end, candidate.start - anchor.end, 0)
        if best_distance is None or distance < best_distance:
            best, best_distance = candidate, distance
    return best


def _mention(text: str, source: TaggedSpan, sentences: list[Sentence]) -> Mention:
    """The source as a :class:`Mention` the attributor can resolve: a pronoun, a name (titles split off) or a
    description ("a senior campaign official")."""
    start, end = source.start, source.end
    surface = text[start:end]
    if _PRONOUN.fullmatch(surface):
        return Mention(start, end, surface, "pronoun")
    capitals = [w for w in re.findall(r"[\w'.-]+", surface) if w[:1].isupper() and w.lower() not in STOP_CAPITALS]
    if capitals:
        name, role = split_title(surface)
        if name:
            return Mention(start, end, surface, "named", name=name, role=role)
    return Mention(start, end, surface, "description", role=surface)


def _kind(text: str, content: TaggedSpan, quotes) -> str:
    """``direct`` when quotation marks hold most of the content, ``mixed`` when some of it, else ``indirect``."""
    total = sum(len(text[a:b].split()) for a, b in content.pieces)
    quoted = sum(
        len(text[max(a, q.inner_start) : min(b, q.inner_end)].split())
        for a, b in content.pieces
        for q in quotes
        if q.inner_start < b and a < q.inner_end
    )
    if total and quoted >= 0.8 * total:
        return "direct"
    return "mixed" if quoted >= 4 else "indirect"
