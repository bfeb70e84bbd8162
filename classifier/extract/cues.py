"""The cue lexicon: speech and stance verbs, "according to", and the words allowed between a subject and its cue.

A cue is where a statement is attributed. Finding one is the first step of linking a sentence to a speaker, by the
parse (:mod:`classifier.extract.parse`) or by the rules (:mod:`classifier.extract.rules`).
"""

from __future__ import annotations

import re

from classifier.extract.mentions import Mention

CUE_VERBS = (
    "was quoted as saying|were quoted as saying|(?:was|were) quoted by [\\w .'-]{1,40}? as saying|"
    "told reporters|told a news conference|told journalists|quoted|"
    "called for|calls for|call for|called on|calls on|call on|appealed for|appealed to|"
    # "called earlier this month for", "called again on": a time word between the verb and its preposition
    "call(?:ed|s)(?:,?\\s+(?:again|also|repeatedly|earlier|later|once more|last|this|on|next|week|month|year|"
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)){1,4},?\\s+(?:for|on)|"
    "cast doubt on|casts doubt on|pushed for|pushes for|"
    "said|says|say|told|tells|(?<=to )tell|added|adds|stressed|stresses|emphasized|emphasised|emphasizes|emphasises|"
    "urged|urges|urge|demanded|demands|demand|supported|supports|support|backed|backs|warned|warns|"
    "insisted|insists|noted|notes|declared|declares|announced|announces|stated|states|reiterated|reiterates|"
    "reaffirmed|reaffirms|affirmed|affirms|pledged|pledges|vowed|vows|rejected|rejects|dismissed|dismisses|"
    "declined|declines|refused|refuses|welcomed|welcomes|welcome|condemned|condemns|condemn|accused|accuses|"
    "argued|argues|asserted|asserts|wrote|writes|tweeted|posted|expressed|expresses|voiced|repeated|repeats|"
    "repeat|maintained|maintains|claimed|claims|acknowledged|acknowledges|confirmed|confirms|denied|denies|"
    "proposed|proposes|suggested|suggests|offered|offers|pressed|presses|press|recalled|cautioned|predicted|"
    "threatened|threatens|promised|promises|appealed|appeals|praised|praises|criticized|criticised|"
    "criticizes|criticises|decried|deplored|denounced|denounces|lamented|regretted|hailed|hails|agreed(?=\\s+(?:that|with)\\b)|"
    "agrees(?=\\s+(?:that|with)\\b)|endorsed|endorses|encouraged|encourages|invited|invites|reminded|explained|replied|"
    "admitted|conceded|termed|terms|described|describes|answered|answers|responded|responds|signalled|signaled|"
    "assured|assures|blamed|blames|"
    # participles: "..., calling for restraint", "sent a message, welcoming the deal and urging talks"
    "urging|calling for|calling on|welcoming|demanding|insisting|stressing|appealing for|appealing to|pledging|"
    "vowing|condemning|reported|reports|"
    "saying|telling|adding|noting|arguing|warning|claiming|explaining|acknowledging|suggesting|declaring|"
    "announcing|asserting|accusing|reiterating|emphasizing|emphasising|predicting|promising|"
    "stating|tweeting|writing|admitting|admits|predicts|remarking|mentioning|repeating|"
    "indicated|ruled out|rules out|objected|"
    "warn|insist|argue|claim|note|deny|admit|vow|promise|predict|stress|reiterate|mentioned|mentions|mention|"
    "testified|testifies|acknowledge|complained|complains|complain|explains|explain|suggest|remarked|"
    "contended|contends|maintain|declare|announce|asked|asks"
)
CUE = re.compile(r"\b(?:" + CUE_VERBS + r")\b", re.IGNORECASE)
# Verbs that say something when they name it ("called the plan reckless", "branded the strikes a crime").
NAMING_VERBS = {"call", "calls", "called", "calling", "dubbed", "branded", "labeled", "labelled"}
ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
# Verbs that report someone else's words when they close a sentence (", officials said.").
REPORTING = {"said", "says", "say", "told", "added", "adds"}
# Verbs that can come before their subject ('"...," said Pompeo').
INVERTIBLE = REPORTING | {"wrote", "writes", "tweeted", "continued", "explained", "replied", "insisted", "noted"}
LOCATIVE_PHRASE = re.compile(r"\s(?:in|at|from|near|outside)\s+(?:[A-Z][\w'.-]*\s*)+")
# "according to Israeli figures": a source for numbers, not somebody's statement.
FIGURES = re.compile(
    r"\s*(?:[A-Z][\w-]*\s+)?(?:state(?:-run)?\s+)?(?:figures|estimates|data|statistics|tallies|tally|counts|numbers|"
    r"records|reports|media|newspapers?|television|radio)\b"
)  # ... or facts reported: "voted against the deal, according to Israeli media"
# "according to a statement from the U.N. humanitarian office OCHA"
ACCORDING_GAP = re.compile(
    r"\s{0,2}(?:(?:a|an|the)\s+(?:joint\s+|written\s+)?(?:statement|communique)\s+(?:from|by|issued\s+by)\s+)?"
    r"(?:the\s+)?",
    re.IGNORECASE,
)
# "More than 14,000 Palestinians have been killed, according to health authorities": a count, not a statement.
_NUMBER_WORDS = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|"
    r"million|billion)"
)  # "More than a million Rwandans have fled, according to the UN": a figure
CASUALTIES = re.compile(
    r"(?:\d[\d,.]*|\b" + _NUMBER_WORDS + r")\b.*\b(?:killed|dead|died|wounded|injured|displaced|missing)\b"
    r"|\b(?:killed|wounded|injured|displaced|uprooted|detained)\s+(?:\w+\s+){0,3}?\d[\d,.]*",
    re.IGNORECASE,
)
# A number in the words "according to" sources: digits or a number word ("Hundreds of civilians").
COUNT = re.compile(
    r"\d|\b(?:hundreds|thousands|millions|dozens|scores|tens of thousands|" + _NUMBER_WORDS + r")\b", re.IGNORECASE
)
COORDINATION = re.compile(r"\s*,\s*(?:the\s+)?|\s*,?\s+and\s+(?:the\s+)?")  # "Norway, the Netherlands and Britain"
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


def right_after(text: str, cue: tuple[int, int], mention: Mention) -> bool:
    """``mention`` opens the clause the cue introduces ("said (that) Pompeo ...", "said on Thursday they ...")."""
    if mention.start < cue[1]:
        return False
    gap = re.sub(r"(?i)\s*\bthat\s*$", " ", text[cue[1] : mention.start])
    words = gap.lower().split()
    return re.fullmatch(r"[\w\s'-]*", gap) is not None and len(words) <= 5 and all(w in FILLER for w in words)


def not_speech(text: str, cue: re.Match) -> bool:
    """A cue word used as something other than the subject speaking: passive ("if Turkish Cypriots were
    threatened", "forces accused of killing"), a noun ("Shan and Rakhine states"), or a diplomatic act
    ("recalled its ambassadors", "declared independence")."""
    word = cue.group().lower()
    before = text[max(0, cue.start() - 20) : cue.start()]
    after = text[cue.end() : cue.end() + 60]
    passive = re.search(r"(?i)\b(?:was|were|been|being|is|are|be)\s+(?:\w+ly\s+)?$", before)
    if " " not in word and passive and not word.endswith("ing"):  # "is warning voters that" is the subject speaking
        return word not in ("asked", "asks")  # "was asked" is handled with questions
    if re.match(r"\s+(?:of|by)\b", after) and word.endswith("ed"):
        return True
    if word in ("states", "state"):
        return not re.match(r"(?:,\s*|\s+)that\b", after)
    if word in ("press", "pressed", "presses"):
        return re.match(r"\s+(?:on|ahead|forward|home)\b", after) is not None  # "press on with the offensive"
    if word in ("recalled", "recalls"):
        return re.match(r"\s+(?:\S+\s+){0,3}?(?:ambassador|envoy|diplomat|embassy|staff|troops)", after) is not None
    if word in ("declared", "declares"):
        return (
            re.match(r"\s+(?:(?:a|an|the)\s+)?(?:independence|state of|emergency|martial law|war\b)", after) is not None
        )
    return False


def is_filler(gap: str) -> bool:
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
