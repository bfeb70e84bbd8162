"""Article -> statements: the extraction steps wired together, in the order the data flows.

1. :mod:`~classifier.extract.segment`: paragraphs, quotations, sentences; :mod:`~classifier.extract.mentions`:
   the spans in each sentence that may name a speaker.
2. :mod:`~classifier.extract.cues`: speech and stance cues.
3. :mod:`~classifier.extract.parse`: each cue linked to its speaker on a dependency parse (subjects, passive
   agents, the owners of nominal statements, conjuncts), with :mod:`~classifier.extract.rules` for what the
   parse leaves unlinked, or alone when spaCy's English pipeline is not installed.
4. :mod:`~classifier.extract.polarity`: asserted, rejected, conditional or question.
5. :mod:`~classifier.extract.coref` (run by the pipeline after extraction): pronouns, descriptions and surnames
   resolved to earlier speakers.
"""

from __future__ import annotations

from classifier.extract.coref import Attribution, SpeakerAttributor
from classifier.extract.mentions import Mention
from classifier.extract.parse import ParseLinker, load_pipeline
from classifier.extract.polarity import polarity
from classifier.extract.rules import RuleLinker
from classifier.extract.segment import Sentence, split_article
from classifier.extract.spans import RawStatement

EXTRACTORS = ("parse", "rules")

__all__ = [
    "EXTRACTORS",
    "Attribution",
    "Mention",
    "RawStatement",
    "Sentence",
    "SpeakerAttributor",
    "StatementExtractor",
    "polarity",
]


class StatementExtractor:
    """Finds the statements in an article as character spans.

    ``linker="parse"`` (the default) links cues to speakers on spaCy's dependency parse and falls back to the
    rules, with a warning, when the English pipeline is not installed; ``linker="rules"`` uses the rules alone.

    >>> found = StatementExtractor().extract('Turkey has supported the offensive, officials said.')
    >>> [s.mention.text for s in found]
    ['Turkey']
    """

    def __init__(self, linker: str = "parse") -> None:
        if linker not in EXTRACTORS:
            raise ValueError(f"linker: unknown {linker!r}; choose one of {', '.join(EXTRACTORS)}")
        self.rules = RuleLinker()
        nlp = load_pipeline() if linker == "parse" else None
        self.parser = ParseLinker(nlp, self.rules) if nlp is not None else None
        self.linker = "parse" if self.parser is not None else "rules"

    def sentences(self, text: str) -> list[Sentence]:
        """The article's sentences with their quotations and candidate speaker mentions."""
        return split_article(text)

    def extract(self, text: str, sentences: list[Sentence] | None = None) -> list[RawStatement]:
        """All statements in ``text``, in article order; pass ``sentences`` if you already split the text."""
        sentences = self.sentences(text) if sentences is None else sentences
        if self.parser is not None:
            linked = self.parser.link_all(text, sentences)
        else:
            linked = [[] if s.headline else self.rules.link(text, s) for s in sentences]
        found: list[RawStatement] = []
        for sentence, statements in zip(sentences, linked):
            if sentence.headline:
                continue  # "Russia vows to scale back near Kyiv": the lede below reports the same statement
            statements = statements or self.rules.colon_quote(text, sentence)
            if not statements:
                follow = self.rules.continued_quote(text, sentence, found)
                statements = [follow] if follow else []
            found.extend(statements)
        return found
