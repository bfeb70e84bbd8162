"""Rule-based statement extraction: direct quotes, reported speech and statements of bodies.

The extractor returns character spans into the article; attribution (who the speaker is) happens later in
:mod:`classifier.attribution`. Sentences without a speech or stance cue and an attributable subject (the
journalist's narration: history, casualty counts, dates) produce nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from classifier.mentions import Mention, find_mentions
from classifier.text import QUOTE_CHARS, Quote, find_quotes, paragraphs, sentences

# Speech and stance verbs, in the forms wire copy uses. Multi-word cues come first so they win.
CUE_VERBS = (
    "was quoted as saying|were quoted as saying|(?:was|were) quoted by [\\w .'-]{1,40}? as saying|"
    "told reporters|told a news conference|told journalists|quoted|"
    "called for|calls for|call for|called on|calls on|call on|appealed for|appealed to|"
    "said|says|say|told|tells|added|adds|stressed|stresses|emphasized|emphasised|emphasizes|emphasises|"
    "urged|urges|urge|demanded|demands|demand|supported|supports|support|backed|backs|warned|warns|"
    "insisted|insists|noted|notes|declared|declares|announced|announces|stated|states|reiterated|reiterates|"
    "reaffirmed|reaffirms|affirmed|affirms|pledged|pledges|vowed|vows|rejected|rejects|dismissed|dismisses|"
    "declined|declines|refused|refuses|welcomed|welcomes|welcome|condemned|condemns|condemn|accused|accuses|"
    "argued|argues|asserted|asserts|wrote|writes|tweeted|posted|expressed|expresses|voiced|repeated|repeats|"
    "repeat|maintained|maintains|claimed|claims|acknowledged|acknowledges|confirmed|confirms|denied|denies|"
    "proposed|proposes|suggested|suggests|offered|offers|pressed|presses|recalled|cautioned|predicted|"
    "threatened|threatens|promised|promises|appealed|appeals|praised|praises|criticized|criticised|"
    "criticizes|criticises|decried|deplored|denounced|denounces|lamented|regretted|hailed|hails|agreed|"
    "agrees|endorsed|endorses|encouraged|encourages|invited|invites|reminded|explained|replied|"
    "admitted|conceded|signalled|signaled|indicated|ruled out|rules out|objected|"
    "warn|insist|argue|claim|note|deny|admit|vow|promise|predict|stress|reiterate|mentioned|mentions|mention|"
    "testified|testifies|acknowledge|complained|complains|complain|explains|explain|suggest|remarked|"
    "contended|contends|maintain|declare|announce|asked|asks"
)
_CUE = re.compile(r"\b(?:" + CUE_VERBS + r")\b", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
# Polarity: does the speaker assert, reject, make conditional, or ask? Checked in this order.
_REJECTING = re.compile(
    r"\b(?:rejected|rejects|dismissed|dismisses|refused|refuses|declined|declines|ruled out|rules out|denied|"
    r"denies|objected|premature|not on the agenda|out of the question)\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(
    r"\b(?:only if|unless|provided that|providing that|on condition that|on the condition that|as long as|"
    r"so long as|only once|only after|only when)\b",
    re.IGNORECASE,
)
_QUESTIONED = re.compile(r"\b(?:asked (?:whether|if|about)|was asked|questioned whether)\b", re.IGNORECASE)

# Verbs that report someone else's words when they close a sentence (", officials said.").
REPORTING = {"said", "says", "say", "told", "added", "adds"}
# Verbs that can come before their subject ('"...," said Pompeo').
INVERTIBLE = REPORTING | {"wrote", "writes", "tweeted", "continued", "explained", "replied", "insisted", "noted"}
_LOCATIVE_PHRASE = re.compile(r"\s(?:in|at|from|near|outside)\s+(?:[A-Z][\w'.-]*\s*)+")
# "according to Israeli figures": a source for numbers, not somebody's statement.
_FIGURES = re.compile(
    r"\s*(?:[A-Z][\w-]*\s+)?(?:figures|estimates|data|statistics|tallies|tally|counts|numbers|records|reports)\b"
)
# "according to a statement from the U.N. humanitarian office OCHA"
_ACCORDING_GAP = re.compile(
    r"\s{0,2}(?:(?:a|an|the)\s+(?:joint\s+|written\s+)?(?:statement|communique)\s+(?:from|by|issued\s+by)\s+)?"
    r"(?:the\s+)?",
    re.IGNORECASE,
)
# "More than 14,000 Palestinians have been killed, according to health authorities": a count, not a statement.
_CASUALTIES = re.compile(r"\d[\d,.]*\b.*\b(?:killed|dead|died|wounded|injured|displaced|missing)\b", re.IGNORECASE)
_COORDINATION = re.compile(r"\s*,\s*|\s*,?\s+and\s+(?:the\s+)?")
# "MOSCOW, March 5 (Reuters) - ", "BAKU/YEREVAN, Sept 20 - ": a dateline opens the first paragraph of wire copy.
_DATELINE = re.compile(
    r"[A-Z][A-Z.'/ -]+,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?\s*(?:\([^()]{1,40}\)\s*)?[-\u2013\u2014]+\s*"
)
# Words allowed between a subject and its cue ("Turkey has also", "The ministry said in a statement").
FILLER = {
    "has", "have", "had", "also", "again", "repeatedly", "later", "earlier", "separately", "then", "jointly",
    "previously", "recently", "today", "yesterday", "tonight", "once", "more", "publicly", "privately",
    "would", "will", "did", "does", "do", "not", "only", "firmly", "strongly", "formally", "officially",
    "reportedly", "is", "was", "were", "are", "been", "on", "in", "at", "a", "an", "the", "statement",
    "tweet", "interview", "twitter", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "week", "last", "this", "late", "early", "news", "conference", "briefing", "speech",
    "televised", "address", "further", "swiftly", "quickly", "immediately", "however", "too",
    "explicitly", "openly", "sharply", "angrily", "bluntly", "flatly", "forcefully", "insistently",
    "unanimously", "overwhelmingly", "night", "morning", "afternoon", "evening", "weekend", "always", "never",
    "all", "both", "each", "itself", "himself", "herself", "themselves", "subsequently", "meanwhile",
    # "resolutions adopted in 1993 demand", "Resolution 2254, adopted in 2015, calls for"
    "adopted", "passed", "approved", "issued", "released", "signed", "by", "votes", "vote", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "year", "month", "days", "ago", "joint", "written",
}  # fmt: skip


@dataclass
class RawStatement:
    """A statement found in an article, before attribution.

    ``start``/``end`` span the sentence(s) holding the statement, attribution included; ``mention`` is the
    span naming the speaker (possibly a pronoun or a coordinated list); ``cue`` the speech verb, if any.
    """

    start: int
    end: int
    kind: str
    mention: Mention | None
    cue: tuple[int, int] | None
    quotes: list[Quote] = field(default_factory=list)
    paragraph: int = 0
    polarity: str = "asserted"


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int
    quotes: list[Quote]
    mentions: list[Mention]
    headline: bool = False


class StatementExtractor:
    """Finds the statements in an article as character spans.

    >>> found = StatementExtractor().extract('Turkey has supported the offensive, officials said.')
    >>> [s.mention.text for s in found]
    ['Turkey']
    """

    min_quote_words = 4  # shorter quoted fragments are scare quotes or titles unless a cue attributes them

    def sentences(self, text: str) -> list[Sentence]:
        result = []
        spans = paragraphs(text)
        for number, (p_start, p_end) in enumerate(spans):
            quotes = find_quotes(text, p_start, p_end)
            blocked = [(q.inner_start, q.inner_end) for q in quotes]
            dateline = _DATELINE.match(text, p_start, p_end)
            if dateline:
                blocked.append((p_start, dateline.end()))  # "MOSCOW, March 5 (Reuters) -" names no speaker
            headline = number == 0 and len(spans) > 1 and _is_headline(text[p_start:p_end])
            for s_start, s_end in sentences(text, p_start, p_end, quotes):
                inside = [q for q in quotes if q.start < s_end and s_start < q.end]
                mentions = find_mentions(text, s_start, s_end, blocked)
                result.append(Sentence(s_start, s_end, number, inside, mentions, headline))
        return result

    def extract(self, text: str, sentences: list[Sentence] | None = None) -> list[RawStatement]:
        """All statements in ``text``, in article order; pass ``sentences`` if you already split the text."""
        found: list[RawStatement] = []
        for sentence in self.sentences(text) if sentences is None else sentences:
            if sentence.headline:
                continue  # "Russia vows to scale back near Kyiv": the lede below reports the same statement
            statements = self._attributed(text, sentence) or self._colon_quote(text, sentence)
            if not statements:
                follow = self._continued_quote(text, sentence, found)
                statements = [follow] if follow else []
            found.extend(statements)
        return found

    def _attributed(self, text: str, sentence: Sentence) -> list[RawStatement]:
        quoted = [(q.inner_start, q.inner_end) for q in sentence.quotes]
        pairs: list[tuple[Mention, tuple[int, int]]] = []
        for cue in _CUE.finditer(text, sentence.start, sentence.end):
            if any(a <= cue.start() < b for a, b in quoted):
                continue
            if _not_speech(text, cue):
                continue
            if cue.group().lower() in ("asked", "asks") and (
                re.search(r"(?i)\b(?:was|were|been|being|is|are|be)\s+$", text[max(0, cue.start() - 8) : cue.start()])
                or cue.start() == sentence.start
                or re.search(r"[,;]\s*$", text[max(0, cue.start() - 3) : cue.start()])
            ):
                continue  # "Pompeo was asked", "Asked whether ...": the speaker is not the one asking
            mention = self._subject(text, sentence, cue.start(), cue.end())
            if mention is not None:
                pairs.append((mention, (cue.start(), cue.end())))
        for match in _ACCORDING.finditer(text, sentence.start, sentence.end) if not pairs else ():
            # With a cue of its own, the sentence's "according to X" only sources it.
            after = [
                m
                for m in sentence.mentions
                if m.kind != "pronoun" and _ACCORDING_GAP.fullmatch(text, match.end(), m.start)
            ]
            counted = _CASUALTIES.search(text, sentence.start, match.start())
            if after and not _FIGURES.match(text, match.end()) and not counted:
                pairs.append((after[0], (match.start(), match.end())))
        pairs = self._drop_reporters(text, pairs)
        statements, seen = [], set()
        for mention, cue in pairs:
            if (mention.start, mention.end) in seen:
                continue
            seen.add((mention.start, mention.end))
            statements.append(
                RawStatement(
                    sentence.start,
                    sentence.end,
                    self._kind(text, sentence, mention, cue),
                    mention,
                    cue,
                    sentence.quotes,
                    sentence.paragraph,
                    polarity(text[sentence.start : sentence.end]),
                )
            )
        return statements

    def _subject(self, text: str, sentence: Sentence, cue_start: int, cue_end: int) -> Mention | None:
        """The mention that utters the cue: before it ("Turkey has supported"), after it ("said Pompeo"), or
        the clause's subject for a coordinated verb ("Pompeo met them and stressed")."""
        before = [m for m in sentence.mentions if m.end <= cue_start]
        for mention in reversed(before):
            if mention.locative:
                continue  # "Residents in Khan Younis said": the place is not the speaker
            gap = _LOCATIVE_PHRASE.sub(" ", text[mention.end : cue_start])
            if _is_filler(gap):
                return mention
            if gap.lstrip().startswith(",") or re.match(r"['\u2019]s\s+[\w\s-]{1,40}?,", gap):
                # "Medinsky, who led the delegation, said"; "Cyril Ramaphosa, South Africa's president, said"
                return self._around_appositive(text, sentence, mention, before, cue_start)
            break
        after = [m for m in sentence.mentions if m.start >= cue_end]
        if (
            after
            and re.fullmatch(r"\s{1,3}", text[cue_end : after[0].start])
            and text[cue_start:cue_end].lower() in INVERTIBLE
            # '"...," said Pompeo' but not "Ruto said Kenya was ready": inversion follows a quote or a comma
            and re.search(r"[,\"\u201d\u00bb']\s*$", text[sentence.start : cue_start])
        ):
            return after[0]
        lead = text[max(sentence.start, cue_start - 5) : cue_start].lower()
        if re.search(r"\b(?:and|but)\s+$", lead) and before:
            clause_subject = self._clause_subject(text, sentence, cue_start)
            if clause_subject is not None:
                return clause_subject
        return None

    def _around_appositive(
        self, text: str, sentence: Sentence, mention: Mention, before: list[Mention], cue_start: int
    ) -> Mention | None:
        """``mention`` sits in a comma-delimited aside before the cue. The subject is the mention right before the
        opening comma ("Medinsky, who led the Russian delegation, said"), or, when a title or description opens
        the sentence, the named person in the aside ("The head of UNSMIL, Stephanie Williams, urged")."""
        comma = text.rfind(",", sentence.start, mention.start)
        if comma >= 0:
            for candidate in reversed([m for m in before if m.end <= comma]):
                if text[candidate.end : comma].strip() == "" and not candidate.locative:
                    gap = _LOCATIVE_PHRASE.sub(" ", text[candidate.end : cue_start])
                    return candidate if _is_filler(gap) else None
                break
        words = mention.name.split()
        person = mention.kind == "named" and len(words) >= 2 and not mention.is_organisation
        if (
            person
            and not set(w.lower() for w in words) & {"of", "for", "the"}
            and text[: mention.start].rstrip().endswith(",")
        ):
            return mention
        return None

    def _clause_subject(self, text: str, sentence: Sentence, cue_start: int) -> Mention | None:
        # The first mention of the sentence (after an opening adverbial phrase) that is itself followed by a verb.
        owner_end = None  # "Iran's foreign ministry spokesman Nasser Kanaani": the owner is not the subject
        for mention in sentence.mentions:
            if mention.start >= cue_start:
                return None
            if any(q.inner_start <= mention.start < q.inner_end for q in sentence.quotes):
                continue
            prefix = text[sentence.start : mention.start]
            opens = prefix.strip() == "" or prefix.rstrip().endswith(",")
            opens = opens or prefix.strip().lower() == "the"
            if not opens and owner_end is not None:
                opens = (
                    re.fullmatch(r"['\u2019]s\s+(?:[a-z][\w-]*\s+){0,3}", text[owner_end : mention.start]) is not None
                )
            if opens and text.startswith(("'s ", "\u2019s "), mention.end):
                owner_end = mention.end
                continue
            if opens:
                return self._last_conjunct(text, sentence, mention, cue_start)
        return None

    @staticmethod
    def _last_conjunct(text: str, sentence: Sentence, mention: Mention, limit: int) -> Mention:
        """The last name of a coordination that starts at ``mention`` ("France, Britain and Spain"): the
        attributor walks back from it, so the clause is one statement per conjunct, not two."""
        last = mention
        for following in sentence.mentions:
            if following.start < last.end or following.end > limit or following.kind != "named":
                continue
            gap = _COORDINATION.fullmatch(text, last.end, following.start)
            if not gap:
                break
            last = following
            if "and" in gap.group():
                return last  # a list ends at its "and"; commas alone are asides ("Janvier, Mladic said")
        return mention

    def _drop_reporters(self, text: str, pairs: list[tuple[Mention, tuple[int, int]]]):
        """Keep the speaker whose words are reported, not the one reporting them.

        "Ortagus said Pompeo had stressed ..." is Pompeo's statement; "..., officials said." after another
        speaker's cue in the same sentence only sources it.
        """
        # "Turkey said it backed Baku", "Guterres said he welcomed": a pronoun right after the cue that fits the
        # outer speaker is that speaker again, not an embedded one; the inner pair is dropped.
        pairs = [
            pair
            for pair in pairs
            if not any(self._same_speaker_pronoun(text, outer, pair[0]) for outer in pairs if outer is not pair)
        ]
        # "Saakashvili accused Russia ..., and he insisted": a later pronoun subject repeats the sentence's speaker.
        pairs = [
            pair
            for pair in pairs
            if not any(self._repeats(outer[0], pair[0]) for outer in pairs if outer[0].start < pair[0].start)
        ]
        kept = []
        for i, (mention, cue) in enumerate(pairs):
            verb = text[cue[0] : cue[1]].lower()
            others = [p for j, p in enumerate(pairs) if j != i and p[0].start != mention.start]
            embeds = any(_right_after(text, cue, other[0]) for other in others)
            sources = (
                verb in REPORTING
                and any(other[1][0] < mention.start for other in others)
                and mention.start > cue[0] - 60
            )
            if embeds or (sources and all(other[1][1] <= mention.start for other in others)):
                continue
            kept.append((mention, cue))
        # "Omar said the movement had no choice as long as Morocco denied ...": a subject inside an earlier cue's
        # complement is part of what is reported, unless a comma sets it off (", but Kyiv said", ", a charge X denies").
        return [
            (mention, cue)
            for mention, cue in kept
            if not any(
                other[1][1] <= mention.start
                and "," not in text[other[1][1] : mention.start]
                and other[0].start < other[1][0]
                for other in kept
            )
        ]

    @staticmethod
    def _repeats(earlier: Mention, pronoun: Mention) -> bool:
        if pronoun.kind != "pronoun" or earlier.kind == "pronoun":
            return False
        if pronoun.text.lower() in ("it", "they"):
            return True
        wanted = "m" if pronoun.text.lower() == "he" else "f"
        return earlier.kind == "named" and not earlier.is_organisation and earlier.gender in (None, wanted)

    @staticmethod
    def _same_speaker_pronoun(text: str, outer: tuple[Mention, tuple[int, int]], inner: Mention) -> bool:
        if inner.kind != "pronoun" or not _right_after(text, outer[1], inner):
            return False
        word, speaker = inner.text.lower(), outer[0]
        if word in ("it", "they"):
            return speaker.kind != "pronoun" or speaker.text.lower() == word
        wanted = "m" if word == "he" else "f"
        return speaker.gender in (None, wanted) and not speaker.is_organisation

    def _colon_quote(self, text: str, sentence: Sentence) -> list[RawStatement]:
        """'Foreign Minister Nasser Bourita summed up Rabat's view: "..."': a clause about its subject, a colon, then
        a quotation to the end of the sentence is the subject speaking, whatever the verb."""
        quote = next((q for q in sentence.quotes if q.start >= sentence.start), None)
        if quote is None or quote.words(text) < self.min_quote_words:
            return []
        lead = text[sentence.start : quote.start].rstrip()
        tail = text[quote.end : sentence.end].strip()
        if not lead.endswith(":") or len(lead.split()) > 25 or any(c in lead for c in QUOTE_CHARS):
            return []
        if len(tail.split()) > 3:
            return []
        colon = sentence.start + len(lead) - 1
        subject = self._clause_subject(text, sentence, colon)
        if subject is None or subject.locative:
            return []
        return [
            RawStatement(
                sentence.start,
                sentence.end,
                "direct",
                subject,
                (colon, colon + 1),
                sentence.quotes,
                sentence.paragraph,
                polarity(text[sentence.start : sentence.end]),
            )
        ]

    def _kind(self, text: str, sentence: Sentence, mention: Mention, cue: tuple[int, int]) -> str:
        quotes = [q for q in sentence.quotes if self._speech_quote(text, sentence, q)]
        if not quotes:
            return "indirect"
        outside = text[sentence.start : sentence.end]
        for q in sorted(sentence.quotes, key=lambda q: -q.start):
            outside = outside[: q.start - sentence.start] + outside[q.end - sentence.start :]
        quoted_words = sum(q.words(text) for q in quotes)
        outside_words = len(outside.split())
        # An attribution is a handful of words; more unquoted words than that means paraphrase around a quote.
        return "direct" if outside_words <= 12 or outside_words < quoted_words / 2 else "mixed"

    def _speech_quote(self, text: str, sentence: Sentence, quote: Quote) -> bool:
        """Long enough to be somebody's words, or placed like them (opening the sentence, after a colon or comma);
        a short quoted term inside a clause is a scare quote."""
        if quote.words(text) >= self.min_quote_words:
            return True
        before = text[sentence.start : quote.start].rstrip()
        return before == "" or before.endswith((":", ","))

    def _continued_quote(self, text: str, sentence: Sentence, found: list[RawStatement]) -> RawStatement | None:
        """A sentence that is all quotation, right after an attributed statement, continues that speaker."""
        body = text[sentence.start : sentence.end].strip()
        if not found or not sentence.quotes or body[:1] not in '"\u201c\u00ab':
            return None
        quoted = [(q.inner_start, q.inner_end) for q in sentence.quotes]
        cues = _CUE.finditer(text, sentence.start, sentence.end)
        if any(not any(a <= cue.start() < b for a, b in quoted) for cue in cues):
            return None  # attributed to somebody we could not name: do not hand it to the last speaker
        quote = sentence.quotes[0]
        if quote.words(text) < self.min_quote_words or found[-1].paragraph < sentence.paragraph - 1:
            return None
        previous = found[-1]
        return RawStatement(
            sentence.start,
            sentence.end,
            "direct",
            previous.mention,
            None,
            sentence.quotes,
            sentence.paragraph,
            polarity(text[sentence.start : sentence.end]),
        )


def _right_after(text: str, cue: tuple[int, int], mention: Mention) -> bool:
    """``mention`` opens the clause the cue introduces ("said (that) Pompeo ...", "said on Thursday they ...")."""
    if mention.start < cue[1]:
        return False
    gap = re.sub(r"(?i)\s*\bthat\s*$", " ", text[cue[1] : mention.start])
    words = gap.lower().split()
    return re.fullmatch(r"[\w\s'-]*", gap) is not None and len(words) <= 5 and all(w in FILLER for w in words)


def _not_speech(text: str, cue: re.Match) -> bool:
    """A cue word used as something other than the subject speaking: passive ("if Turkish Cypriots were
    threatened", "forces accused of killing"), a noun ("Shan and Rakhine states"), or a diplomatic act
    ("recalled its ambassadors", "declared independence")."""
    word = cue.group().lower()
    before = text[max(0, cue.start() - 20) : cue.start()]
    after = text[cue.end() : cue.end() + 60]
    if " " not in word and re.search(r"(?i)\b(?:was|were|been|being|is|are|be)\s+(?:\w+ly\s+)?$", before):
        return word not in ("asked", "asks")  # "was asked" is handled with questions
    if re.match(r"\s+(?:of|by)\b", after) and word.endswith("ed"):
        return True
    if word in ("states", "state"):
        return not re.match(r"(?:,\s*|\s+)that\b", after)
    if word in ("recalled", "recalls"):
        return re.match(r"\s+(?:\S+\s+){0,3}?(?:ambassador|envoy|diplomat|embassy|staff|troops)", after) is not None
    if word in ("declared", "declares"):
        return (
            re.match(r"\s+(?:(?:a|an|the)\s+)?(?:independence|state of|emergency|martial law|war\b)", after) is not None
        )
    return False


def _is_headline(paragraph: str) -> bool:
    # A first line of a few words with no closing punctuation ("Russia vows to scale back near Kyiv")
    return (
        "\n" not in paragraph and len(paragraph.split()) <= 20 and paragraph.rstrip()[-1:] not in ".!?\"'\u201d\u00bb"
    )


def polarity(statement: str) -> str:
    """``rejected``, ``conditional``, ``question`` or ``asserted``, from the wording of the statement.

    >>> polarity("Ankara rejected calls for a ceasefire as premature.")
    'rejected'
    >>> polarity("Yerevan would accept a truce only if monitors were deployed.")
    'conditional'
    >>> polarity("Asked whether the US would mediate, the spokesman said talks were under way.")
    'question'
    """
    if _REJECTING.search(statement):
        return "rejected"
    if _CONDITIONAL.search(statement):
        return "conditional"
    quoted_question = re.search(r"\?[\"\u201d\u00bb]", statement) is not None
    if _QUESTIONED.search(statement) or quoted_question or statement.rstrip().rstrip("\"\u201d\u00bb'").endswith("?"):
        return "question"
    return "asserted"


def _is_filler(gap: str) -> bool:
    if gap.startswith(("'s", "\u2019s")):
        return False
    # "The Government of National Accord (GNA) said": an acronym in brackets is part of the name.
    gap = re.sub(r"^\s*\([A-Z][\w.-]{0,12}\)", " ", gap)
    if any(mark in gap for mark in '"\u201c\u201d\u00ab\u00bb;:()'):
        return False
    # An appositive between commas is allowed: "Pompeo, who arrived on Monday, said".
    gap = re.sub(r",[^,]{1,100},", " ", gap)
    words = re.findall(r"[\w'-]+", gap.lower())
    return len(words) <= 8 and all(w in FILLER or w.isdigit() for w in words) and "," not in gap
