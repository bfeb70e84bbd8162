"""The phrases of a statement read off the parse: the whole source phrase and the words a cue reports.

PolNeAR-style annotation marks a statement's *source* as the full noun phrase that utters it (titles, appositions,
relative clauses) and its *content* as the reported words: the complement clause of the cue ("said *that ...*"),
the clause a closing "..., officials said" or "according to X" sources, the clause around a parenthetical
attribution ("The talks, Ruto added, would resume"), or what a naming verb names ("called *the plan reckless*").
The linker (:mod:`~classifier.extract.parse`) sets both on each :class:`RawStatement` it builds; the mention it
resolves to a speaker is not changed.
"""

from __future__ import annotations

from classifier.extract.cues import CUE, NAMING_VERBS
from classifier.extract.spans import RawStatement

_RELATIVE = {"which", "who", "that"}


def set_phrases(doc, statement: RawStatement, verb, others: list, source) -> None:
    """Set ``statement.source`` (the whole phrase that utters the cue) and ``statement.reported`` (the words the
    cue reports) from the parse, where it gives them; both stay unset where it does not.

    Args:
        doc: the parsed sentence, with ``user_data["offset"]`` its offset in the article.
        statement: the statement the linker built for one cue.
        verb: the cue's verb token, or None for "according to X".
        others: the other verbs of the sentence the same speaker utters ("condemned ..., saying ..."), whose
            clause is the words when the cue's own verb has none.
        source: the token whose phrase utters the cue (the subject, a relative pronoun, a passive's "by"), if
            the parse gave one.

    >>> found = StatementExtractor().extract("Jane Roe, a lawyer, said that talks failed.")  # doctest: +SKIP
    >>> found[0].source, found[0].reported  # doctest: +SKIP
    ((0, 18), [(25, 42)])
    """
    if verb is None:
        according = _token_at(doc, statement.cue[0] - doc.user_data["offset"]) if statement.cue else None
        to = _child(according, "prep") if according is not None and according.lower_ == "according" else None
        named = _child(to, "pobj") if to is not None else None
        if named is None:
            return
        # "according to X": X is the source, and the rest of the sentence is what X says
        statement.source = _extent(named)
        sourced = (_at(doc[according.left_edge.i]), _extent(according)[1])
        clause = _extent(next(iter(doc.sents)).root)
        statement.reported = [
            span for span in _trimmed(doc, [(clause[0], sourced[0]), (sourced[1], clause[1])]) if span
        ]
        return
    if source is not None:
        statement.source = _source_extent(source)
    clauses = [c for v in [verb, *others] for c in v.children if c.dep_ in ("ccomp", "xcomp")]
    complement = clauses[0] if clauses else None
    named = [c for c in verb.children if c.dep_ in ("dobj", "oprd")]
    if complement is not None:
        # "said their father could be unyielding, and that the son had struggled": every clause the verb reports
        more = [c for c in verb.children if c.dep_ == "conj" and any(m.dep_ == "mark" for m in c.children)]
        more += [c for c in complement.children if c.dep_ == "conj" and any(m.dep_ == "mark" for m in c.children)]
        spans = [_extent(complement), *(_extent(c) for c in more if c.i > complement.i)]
        start = spans[0][0]
        if complement.dep_ == "xcomp" and complement.head.i == verb.i:
            # "urged him to resign", "called on Sanders to do the same", "called for a prosecutor to ...": the
            # one asked is part of what is asked
            asked = [c for c in verb.children if c.dep_ in ("dobj", "dative") and c.i < complement.i]
            for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("on", "upon", "for")):
                asked += [c for c in prep.children if c.dep_ == "pobj" and c.i < complement.i]
            start = min([start, *(_extent(c)[0] for c in asked)])
        end = max(end for _, end in spans)
        aside = _next_cue(complement)
        if aside is not None:
            # the speaker's next cue ends these words and reports words of its own
            cut, words = aside
            end = min(end, cut)
            if words is not None:
                statement.also_reported.append(words)
        statement.reported = [(start, end)]
    elif verb.lower_ in NAMING_VERBS and named:
        # "called the plan reckless": what is named and what it is called
        statement.reported = [(_extent(named[0])[0], _extent(named[-1])[1])]
    if statement.reported:
        # "Clinton adds that she has released her returns and called on Sanders to do the same": the speaker's
        # other cues of the sentence report words of their own
        taken = statement.reported[0]
        for other in others:
            if other.i == verb.i:
                continue
            clause = next((c for c in other.children if c.dep_ in ("ccomp", "xcomp")), None)
            span = _extent(clause) if clause is not None else None
            if span is not None and (span[1] <= taken[0] or span[0] >= taken[1]):
                statement.also_reported.append(span)
    if verb.dep_ == "parataxis" and not statement.reported:
        # "The talks, Ruto added, would resume in May": the clause around the attribution
        clause, aside = _extent(verb.head), (_at(verb.left_edge), _extent(verb)[1])
        statement.reported = [s for s in _trimmed(doc, [(clause[0], aside[0]), (aside[1], clause[1])]) if s]


def _next_cue(clause) -> tuple[int, tuple[int, int] | None] | None:
    """Where the journalist's words begin at the end of a reported ``clause``: the speaker's next cue set off by a
    comma or "and", a participle ("said he doubted it, arguing that ...", "..., citing the border") or a verb in
    another tense ("said he would order a review and warned against hackers"), whose words are an attribution of
    their own; or a contrast with a subject of its own ("..., although he again refused to ..."). A verb in the
    clause's own tense is the reported subject's ("said he posed a threat and refused to drop the gun"). Returns
    where the reported words end and the next cue's words (None for a contrast), or None."""
    doc = clause.doc
    for token in clause.subtree:
        if token.i <= clause.i or token.left_edge.i == 0:
            continue
        before = doc[token.left_edge.i - 1]
        words: tuple[int, int] | None = None
        if _contrast(token) and before.text == ",":
            pass
        elif token.tag_.startswith("VB") and (CUE.fullmatch(token.text) or token.lower_ in _ASIDE_PARTICIPLES):
            if any(a <= _at(token) < b for a, b in doc.user_data["quoted"]):
                continue  # '"show up and say the right things"': quoted words, not a cue
            participle = token.dep_ == "advcl" and token.tag_ == "VBG" and before.text == ","
            switched = token.dep_ == "conj" and token.head.i == clause.i and _tense(token) != _tense(clause)
            if not (participle or (switched and (before.text == "," or before.dep_ == "cc"))):
                continue
            words = _words(token)
        else:
            continue
        while before.i > clause.left_edge.i and (before.is_punct or before.dep_ == "cc"):
            before = doc[before.i - 1]
        return _at(before) + len(before), words
    return None


_ASIDE_PARTICIPLES = {"citing"}  # not a cue of its own, but the speaker's reason, not the reported words


def _contrast(token) -> bool:
    """An adverbial clause of contrast with a subject of its own ("although he refused", "while critics say")."""
    marks = {c.lower_ for c in token.children if c.dep_ == "mark"}
    return token.dep_ == "advcl" and bool(marks & _CONTRASTS) and _child(token, "nsubj") is not None


_CONTRASTS = {"although", "though", "while", "whereas"}


def _words(verb) -> tuple[int, int] | None:
    """What a cue verb reports: its complement clause, else what it warns against or asks for ("warned against
    hackers"), from there to the end of its phrase."""
    after = [c for c in verb.children if c.i > verb.i]
    words = [c for c in after if c.dep_ in ("ccomp", "xcomp")]
    if not words:
        prep = [c for c in after if c.dep_ == "prep" and c.lower_ in _CUE_PREPOSITIONS]
        words = [g for c in prep[:1] for g in c.children if g.dep_ == "pobj"]
    if words:
        return _extent(words[0])[0], _extent(verb)[1]
    return None


_CUE_PREPOSITIONS = {"against", "about", "for", "on", "of"}


def _tense(verb) -> str:
    """A verb's finite form: its own tag, or its first auxiliary's ("would order" is MD, "had said" VBD)."""
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < verb.i]
    return (aux[0] if aux else verb).tag_


def _extent(token) -> tuple[int, int]:
    """The article span of ``token``'s whole phrase (its subtree), without punctuation at either edge."""
    doc = token.doc
    left, right = token.left_edge.i, token.right_edge.i
    while left < right and doc[left].is_punct:
        left += 1
    while right > left and doc[right].is_punct:
        right -= 1
    return _at(doc[left]), _at(doc[right]) + len(doc[right])


def _source_extent(token) -> tuple[int, int]:
    """The phrase that names a speaker: the subject's subtree less a leading focus adverb ("Even Rendell") and
    less what follows a clause that is an attribution of its own ("Borges, who predicted X, said": the relative
    clause reports X) or a participle aside ("Archer, wearing a T-shirt, said")."""
    doc = token.doc
    start, end = _extent(token)
    for child in token.rights:
        spoken = any(CUE.fullmatch(t.text) for t in child.subtree)
        if (child.dep_ == "relcl" and spoken) or (child.dep_ == "acl" and child.tag_ == "VBG"):
            edge = child.left_edge.i
            while edge > token.i + 1 and (doc[edge - 1].is_punct or doc[edge - 1].lower_ in _RELATIVE):
                edge -= 1
            end = min(end, _at(doc[edge - 1]) + len(doc[edge - 1]))
            break
    first = doc[token.left_edge.i]
    if first.dep_ in ("advmod", "cc", "preconj") and first.i < token.i:
        start = _at(doc[first.i + 1])
    return start, end


def _trimmed(doc, spans: list[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """Each span less the spaces and punctuation at its edges (None when nothing is left)."""
    text = doc.text
    offset = doc.user_data["offset"]
    out = []
    for start, end in spans:
        a, b = start - offset, end - offset
        while a < b and not (text[a].isalnum() or text[a] in "\"'\u201c\u201d"):
            a += 1
        while b > a and not (text[b - 1].isalnum() or text[b - 1] in "\"'\u201c\u201d"):
            b -= 1
        out.append((a + offset, b + offset) if b > a else None)
    return out


def _at(token) -> int:
    """The token's offset in the article (the linker stores where the parsed text starts)."""
    return token.doc.user_data["offset"] + token.idx


def _child(token, dep: str):
    return next((c for c in token.children if c.dep_ == dep), None)


def _token_at(doc, char: int):
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None
