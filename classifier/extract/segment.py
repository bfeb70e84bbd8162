"""Segmentation, the first step: paragraphs, quotations, sentences, datelines and headlines.

Everything here returns ``(start, end)`` spans into the original string, never copies, so offsets survive to the
output unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.extract.mentions import Mention, find_mentions

OPENERS = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c"}
CLOSERS = {"\u201d", "\u00bb"}
QUOTE_CHARS = set(OPENERS) | CLOSERS
DOUBLED_OPENERS = ("''", "``")  # two characters standing for one double quotation mark

# Abbreviations after which a period does not end a sentence (compared lower-cased, without the period).
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "adm", "sgt", "sen", "rep",
    "gov", "pres", "st", "mt", "jr", "sr", "no", "vs", "etc", "inc", "corp", "co", "ltd", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.u", "a.m", "p.m",
    "approx", "dept", "est", "fig", "ft", "gov't", "hon", "rev", "messrs",
}  # fmt: skip


@dataclass(frozen=True)
class Quote:
    """A quotation: ``start``/``end`` span the marks, ``inner_start``/``inner_end`` the quoted words."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    closed: bool

    def words(self, text: str) -> int:
        return len(text[self.inner_start : self.inner_end].split())


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of blank-line separated paragraphs, trimmed of surrounding whitespace."""
    spans = []
    for match in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", text, flags=re.S):
        spans.append((match.start(), match.end()))
    return spans


def find_quotes(text: str, start: int = 0, end: int | None = None) -> list[Quote]:
    """Pair quotation marks inside ``text[start:end]`` (one paragraph).

    Straight marks toggle; curly and angle marks open and close explicitly. A mark left open runs to the end of
    the paragraph (``closed=False``), as in a quote that continues into the next paragraph. Stray closing marks
    are ignored; nothing here raises on unbalanced input.
    """
    end = len(text) if end is None else end
    quotes: list[Quote] = []
    open_at: int | None = None
    closer, width = "", 1
    i = start
    while i < end:
        char, pair = text[i], text[i : i + 2] if i + 2 <= end else ""
        if open_at is None:
            if pair in DOUBLED_OPENERS and _opens_doubled(text, i, end):
                open_at, closer, width = i, "''", 2
                i += 2
                continue
            if char in OPENERS and not _is_inch_mark(text, i):
                open_at, closer, width = i, OPENERS[char], 1
        elif closer == "''":
            if pair == "''":
                quotes.append(Quote(open_at, i + 2, open_at + 2, i, True))
                open_at = None
                i += 2
                continue
        elif char == closer or (char in CLOSERS and closer != '"') or _mixed_close(text, open_at, i, closer, end):
            quotes.append(Quote(open_at, i + 1, open_at + 1, i, True))
            open_at = None
        i += 1
    if open_at is not None and end - open_at > width:
        quotes.append(Quote(open_at, end, open_at + width, end, False))
    return quotes


def _mixed_close(text: str, open_at: int, i: int, closer: str, end: int) -> bool:
    """A quotation opened with one style of mark and closed with the other, as copy pasted together from two
    sources has: '"We will talk,” she said' (no curly quote opened inside it) or '“We will talk," she
    said' (a straight mark after the closing punctuation)."""
    if closer == '"' and text[i] == "\u201d":
        return "\u201c" not in text[open_at + 1 : i]
    if closer == "\u201d" and text[i] == '"':
        after = text[i + 1 : i + 2]
        return text[i - 1 : i] in (",", ".", "!", "?") and (i + 1 >= end or after.isspace())
    return False


def _opens_doubled(text: str, i: int, end: int) -> bool:
    # ''like this'' and ``like this'' (typewriter and Penn Treebank styles) open only before a word, after a space
    return (i == 0 or text[i - 1].isspace() or text[i - 1] in "([") and i + 2 < end and not text[i + 2].isspace()


def _is_inch_mark(text: str, i: int) -> bool:
    # 5'10" or 12" pipe: a straight mark right after a digit with no letter before it is a unit, not a quote.
    return text[i] == '"' and i > 0 and text[i - 1].isdigit() and (i + 1 >= len(text) or not text[i + 1].isalpha())


_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019\u00bb)\]]*\s+(?=(?:''|``|[\"'\u201c\u2018\u00ab(\[])?[A-Z0-9])")


def sentences(text: str, start: int, end: int, quotes: list[Quote]) -> list[tuple[int, int]]:
    """Sentence spans inside one paragraph; never split inside a quotation or after an abbreviation."""
    spans, begin = [], start
    for match in _BOUNDARY.finditer(text, start, end):
        cut = match.start()
        punct_end = cut + len(match.group().rstrip())
        # Inside a quotation unless this boundary consumes the quotation's closing mark.
        if any(q.inner_start <= cut < q.inner_end and punct_end < q.end for q in quotes):
            continue
        token = re.search(r"([\w.']+)$", text[begin : cut + 1].rstrip("."))
        word = token.group(1).lower() if token else ""
        if (
            word.rstrip(".") in ABBREVIATIONS
            or re.fullmatch(r"[a-z]", word)
            or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word)
        ):
            continue
        stop = len(text[: match.end()].rstrip())
        spans.append((begin, stop))
        begin = match.end()
    if begin < end:
        spans.append((begin, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


# "MOSCOW, March 5 (Reuters) - ", "BAKU/YEREVAN, Sept 20 - ", "ZVECAN, Kosovo, May 30 (AP) —", "ISLAMABAD, July 17: ":
# a dateline opens the first paragraph of wire copy.
_DATE = r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})(?:,\s+\d{4})?"
_AGENCY = r"\([^()]{1,40}\)"
_REGION = r",\s+[A-Z][\w.\u2019'-]*(?:\s[A-Z][\w.\u2019'-]*)?"
DATELINE = re.compile(
    # an upper-case place, with a region, date or agency if any; or a place in title case with a region or a date
    r"(?:[A-Z][A-Z.\u2019'/ -]+(?:" + _REGION + r")?(?:,\s+" + _DATE + r")?\s*(?:" + _AGENCY + r"\s*)?"
    r"|[A-Z][\w.\u2019'-]+(?:\s[A-Z][\w.\u2019'-]+)?(?:(?:" + _REGION + r")(?:,\s+" + _DATE + r")?|,\s+" + _DATE + r")"
    r"\s*(?:" + _AGENCY + r"\s*)?"
    # a place in title case with the agency alone, as Spanish wires write it: "Bogota (EFE).- "
    r"|[A-Z][\w\u2019'-]+(?:\s[A-Z][\w\u2019'-]+)?\s*" + _AGENCY + r"\.?)"
    # a dash, or a colon as South Asian papers write it ("ISLAMABAD, July 17: ", "NEW DELHI: ")
    r"(?:[-\u2013\u2014]+|(?<=[\w)]):)\s*"
)


def is_headline(paragraph: str) -> bool:
    # A first line of a few words with no closing punctuation ("Russia vows to scale back near Kyiv")
    return (
        "\n" not in paragraph and len(paragraph.split()) <= 20 and paragraph.rstrip()[-1:] not in ".!?\"'\u201d\u00bb"
    )


@dataclass
class Sentence:
    """One sentence: its span, its paragraph, the quotations in it and the mentions outside them."""

    start: int
    end: int
    paragraph: int
    quotes: list[Quote]
    mentions: list[Mention]
    headline: bool = False


def split_article(text: str) -> list[Sentence]:
    """The sentences of ``text``, each with its quotations and the mentions that may name a speaker."""
    result = []
    spans = paragraphs(text)
    for number, (p_start, p_end) in enumerate(spans):
        quotes = find_quotes(text, p_start, p_end)
        blocked = [(q.inner_start, q.inner_end) for q in quotes]
        dateline = DATELINE.match(text, p_start, p_end)
        if dateline:
            blocked.append((p_start, dateline.end()))  # "MOSCOW, March 5 (Reuters) -" names no speaker
        headline = number == 0 and len(spans) > 1 and is_headline(text[p_start:p_end])
        for s_start, s_end in sentences(text, p_start, p_end, quotes):
            inside = [q for q in quotes if q.start < s_end and s_start < q.end]
            mentions = find_mentions(text, s_start, s_end, blocked)
            result.append(Sentence(s_start, s_end, number, inside, mentions, headline))
    return result
