"""A statement as the extraction steps hand it on: character spans, before attribution names the speaker."""

from __future__ import annotations

from dataclasses import dataclass, field

from classifier.extract.mentions import Mention
from classifier.extract.segment import Quote


@dataclass
class RawStatement:
    """A statement found in an article, before attribution.

    ``start``/``end`` span the sentence(s) holding the statement, attribution included; ``mention`` is the
    span naming the speaker (possibly a pronoun or a coordinated list); ``cue`` the speech verb, if any.
    ``speakers`` lists every conjunct of a coordinated subject when the parse found them ("Russia, France and the
    US"); empty, attribution walks the coordination back from ``mention`` itself.
    """

    start: int
    end: int
    kind: str
    mention: Mention | None
    cue: tuple[int, int] | None
    quotes: list[Quote] = field(default_factory=list)
    paragraph: int = 0
    polarity: str = "asserted"
    speakers: list[Mention] = field(default_factory=list)
