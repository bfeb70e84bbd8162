"""What the HTTP API accepts and returns, as pydantic models, so ``/openapi.json`` and ``/docs`` describe every field.

Rows mirror the command line's: a ``/v1/score`` row is a ``diplostance score`` JSONL row
(:class:`classifier.pipeline.ScoredStatement`), a ``/v1/predict`` row a ``diplostance predict`` one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StrictStr


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("text is empty: give the text to label")
    return text


Text = Annotated[StrictStr, AfterValidator(_not_blank)]


class ArticleIn(BaseModel):
    """One article to score."""

    id: StrictStr | None = Field(
        None, description="the article's id: rows carry it as article_id (default: article-N, N its place from 1)"
    )
    text: Text = Field(description="the article's text; offsets in the rows index it")
    date: StrictStr | None = Field(None, description="publication date, accepted for the caller's records; not used")


class ScoreRequest(BaseModel):
    """Articles to extract statements from and label."""

    articles: list[ArticleIn] = Field(min_length=1, description="one or more articles (at most the server's limit)")


class Mention(BaseModel):
    """The words in the article the speaker was read from."""

    text: str
    start: int = Field(description="character offset of the mention in the article")
    end: int = Field(description="character offset just past the mention")


class ActorRef(BaseModel):
    """The speaker's entry in the bundled actor table."""

    id: str
    type: str
    country: str | None = Field(None, description="ISO 3166-1 alpha-3")
    org: str | None = Field(None, description="organisation code")


class ScoreRow(BaseModel):
    """One statement, exactly as a ``diplostance score`` JSONL row."""

    article_id: str
    statement_id: str = Field(description="ARTICLE-N: the N-th statement found in the article")
    speaker: str = Field(description="who is named as saying it")
    speaker_mention: Mention | None
    on_behalf_of: str | None = Field(description="the body a spokesperson, envoy or ministry speaks for")
    actor: ActorRef | None
    text: str = Field(description="the statement")
    start: int = Field(description="character offset of the statement in the article")
    end: int = Field(description="character offset just past the statement")
    kind: str = Field(description="direct (a quotation), indirect (reported speech) or mixed")
    polarity: str = Field(description="asserted, rejected, conditional or question")
    cue: str | None = Field(description="the words the statement was attributed by, e.g. 'said'")
    stances: list[str] = Field(description="the stances whose score reaches the model's threshold")
    stance_scores: dict[str, float] = Field(description="every stance's probability")
    sentiment: str = Field(description="the most likely sentiment")
    sentiment_scores: dict[str, float] = Field(description="every sentiment's probability")


class ScoreResponse(BaseModel):
    statements: list[ScoreRow] = Field(description="the statements of every article, in article order")


class StatementIn(BaseModel):
    """One statement to label, its speaker already known."""

    id: StrictStr | None = Field(None, description="echoed in the prediction")
    text: Text = Field(description="the statement")
    speaker: StrictStr | None = Field(None, description="who said it; the model reads it beside the text")


class PredictRequest(BaseModel):
    statements: list[StatementIn] = Field(min_length=1, description="one or more statements")


class PredictionRow(BaseModel):
    """One statement with its labels, as a ``diplostance predict`` JSONL row."""

    id: str | None
    text: str
    speaker: str | None
    stances: list[str] = Field(description="the stances whose score reaches the model's threshold")
    stance_scores: dict[str, float] = Field(description="every stance's probability")
    sentiment: str = Field(description="the most likely sentiment")
    sentiment_scores: dict[str, float] = Field(description="every sentiment's probability")


class PredictResponse(BaseModel):
    predictions: list[PredictionRow] = Field(description="one per statement, in input order")


class LimitsOut(BaseModel):
    max_body_bytes: int
    max_articles: int
    max_statements: int
    max_chars: int
    batch_statements: int
    batch_wait_ms: float


class Metrics(BaseModel):
    test: dict[str, Any] | None = Field(None, description="the model's figures on its test split (metrics.json)")
    dev: dict[str, Any] | None = Field(None, description="the model's figures on its dev split (metrics.json)")


class Info(BaseModel):
    """The model behind the service and the limits it enforces."""

    model: str = Field(description="the model directory's name")
    backend: str
    dtype: str | None = Field(description="the torch backend's precision, fp32 or bf16; null for ONNX models")
    extractor: str
    version: str = Field(description="the diplostance package version")
    stance_labels: list[str]
    sentiment_labels: list[str]
    thresholds: dict[str, float] = Field(description="the score a stance needs to be given")
    metrics: Metrics | None = Field(description="from the model's metrics.json, or null when it has none")
    limits: LimitsOut


class Health(BaseModel):
    status: Literal["ok", "loading", "failed"]


class Error(BaseModel):
    """Every error: a message, or for 422 the list of fields that failed (``loc`` names each)."""

    detail: str | list[dict[str, Any]]
