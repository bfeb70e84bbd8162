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

    Where the parse gave them, ``source`` is the whole noun phrase that utters the cue, titles, appositions and
    relative clauses included ("Jane Roe, a lawyer for the family,"; "who" in "X, who said ..."), and ``reported``
    the words the cue reports: its complement clause ("said *that the talks had failed*"), or the clause a closing
    "..., officials said" or "according to X" sources; ``also_reported`` the clauses the same speaker's other cues
    of the sentence report ("adds that ... and called on X to ..."). ``mention`` stays the span attribution
    resolves.
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
    source: tuple[int, int] | None = None
    reported: list[tuple[int, int]] = field(default_factory=list)
    also_reported: list[tuple[int, int]] = field(default_factory=list)  # the clauses of the speaker's other cues
