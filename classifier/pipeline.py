"""The article pipeline: extractor -> attributor -> stance/sentiment model."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from classifier.actors import ActorTable
from classifier.extract import EXTRACTORS, RawStatement, Sentence, SpeakerAttributor, StatementExtractor
from classifier.predictor import BatchedPredictor, StancePrediction


class Extractor(Protocol):
    """What the pipeline needs of an extractor: the rules (:class:`StatementExtractor`, the default) or a trained
    tagger (:class:`classifier.tagger.TaggerExtractor`)."""

    def sentences(self, text: str) -> list[Sentence]: ...

    def extract(self, text: str, sentences: list[Sentence] | None = None) -> list[RawStatement]: ...


def make_extractor(spec: str | Path = "parse") -> Extractor:
    """``parse`` (spaCy's dependency parse, with the rules as fallback), ``rules`` (string patterns alone, the
    fastest) or the directory of a tagger trained with ``diplostance train-tagger``."""
    if str(spec) in EXTRACTORS:
        return StatementExtractor(linker=str(spec))
    if not Path(spec).is_dir():
        raise ValueError(f"--extractor: {spec!r} is neither {' nor '.join(EXTRACTORS)} nor a tagger directory")
    from classifier.tagger import TaggerExtractor  # torch and transformers: loaded only for a tagger

    return TaggerExtractor.from_pretrained(spec)


@dataclass
class ScoredStatement:
    """One statement of an article, with its speaker, offsets and the model's labels."""

    article_id: str
    statement_id: str
    speaker: str
    speaker_mention: dict | None
    on_behalf_of: str | None
    actor: dict | None
    text: str
    start: int
    end: int
    kind: str
    polarity: str
    cue: str | None
    stances: list[str]
    stance_scores: dict[str, float]
    sentiment: str
    sentiment_scores: dict[str, float]

    def as_dict(self) -> dict:
        """The statement as one output row. Shallow: every nested dict and list is this statement's own, so the
        deep copy of ``dataclasses.asdict`` (100 times slower, per statement of a million articles) buys nothing."""
        return dict(vars(self))


@dataclass
class ArticleScorer:
    """Scores every statement of an article.

    >>> scorer = ArticleScorer.from_pretrained("models/default")  # doctest: +SKIP
    >>> [(s.speaker, s.stances) for s in scorer.score("Russia called for a ceasefire.")]  # doctest: +SKIP
    [('Russia', ['calls_for_ceasefire'])]
    """

    model: BatchedPredictor  # a StanceModel, or an OnnxStanceModel for the ONNX Runtime backend
    extractor: Extractor = field(default_factory=StatementExtractor)
    attributor: SpeakerAttributor = field(default_factory=SpeakerAttributor)
    actors: ActorTable = field(default_factory=ActorTable.load)
    batch_size: int = 32

    @classmethod
    def from_pretrained(cls, path: str | Path, extractor: str | Path = "parse") -> ArticleScorer:
        """The stance model in ``path``; ``extractor`` is ``parse`` (default), ``rules`` or a tagger directory."""
        from classifier.modeling import StanceModel  # torch: not needed by extraction alone (classifier.prefetch)

        return cls(StanceModel.from_pretrained(path), extractor=make_extractor(extractor))

    def find(self, text: str, article_id: str = "article") -> list[dict]:
        """Statements with speakers and offsets, before the model labels them."""
        sentences = self.extractor.sentences(text)
        raw = self.extractor.extract(text, sentences)
        found = []
        for statement, attributions in self.attributor.attribute(text, raw, sentences):
            for attribution in attributions:
                mention = attribution.mention
                actor = self.actors.resolve(attribution.speaker, attribution.role, attribution.person)
                found.append(
                    {
                        "article_id": article_id,
                        "statement_id": f"{article_id}-{len(found) + 1}",
                        "speaker": attribution.speaker,
                        "speaker_mention": None
                        if mention is None
                        else {"text": text[mention.start : mention.end], "start": mention.start, "end": mention.end},
                        "on_behalf_of": attribution.serves
                        or self.actors.principal(attribution.speaker, attribution.role, actor),
                        "actor": None if actor is None else dataclasses.asdict(actor),
                        "text": text[statement.start : statement.end],
                        "start": statement.start,
                        "end": statement.end,
                        "kind": statement.kind,
                        "polarity": statement.polarity,
                        "cue": None if statement.cue is None else text[statement.cue[0] : statement.cue[1]],
                    }
                )
        return found

    def score(self, text: str, article_id: str = "article") -> list[ScoredStatement]:
        """Extract, attribute and label every statement in ``text``."""
        return self.score_many([(article_id, text)])

    def score_many(self, articles: list[tuple[str, str]]) -> list[ScoredStatement]:
        """Like :meth:`score` for several ``(article_id, text)`` pairs, batching the model across articles."""
        return self.label([item for article_id, text in articles for item in self.find(text, article_id)])

    def label(self, found: list[dict], predictions: list[StancePrediction] | None = None) -> list[ScoredStatement]:
        """The statements of :meth:`find` (of one article or many) with the model's labels.

        ``predictions`` are the model's for ``found``, in order, when the caller ran it itself (the HTTP service
        batches the model across requests); without them the model runs here, in batches of ``batch_size``.

        >>> scorer = ArticleScorer.from_pretrained("models/default")  # doctest: +SKIP
        >>> [s.stances for s in scorer.label(scorer.find("Russia called for a ceasefire."))]  # doctest: +SKIP
        [['calls_for_ceasefire']]
        """
        if predictions is None:
            texts, speakers = [item["text"] for item in found], [item["speaker"] for item in found]
            predictions = self.model.predict(texts, speakers, batch_size=self.batch_size)
        if len(predictions) != len(found):
            raise ValueError(f"{len(predictions)} prediction(s) for {len(found)} statement(s)")
        return [
            ScoredStatement(
                **item,
                stances=prediction.stances,
                stance_scores=prediction.stance_scores,
                sentiment=prediction.sentiment,
                sentiment_scores=prediction.sentiment_scores,
            )
            for item, prediction in zip(found, predictions)
        ]
