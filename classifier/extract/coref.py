"""Speaker attribution: from the mention next to a cue to the speaker's name.

Names lose their titles ("Secretary of State Mike Pompeo" -> "Mike Pompeo"); a surname alone, a pronoun or a
definite description ("the top US diplomat", "the minister") resolves to the nearest earlier named speaker that
fits it; a coordinated subject ("Russia, France and the US") becomes one speaker per conjunct.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from classifier.actors import POSSESSIVE, POSTING, ActorTable
from classifier.extract.cues import CUE, right_after
from classifier.extract.mentions import ORG_WORDS, Mention, split_title
from classifier.extract.segment import DATELINE, Sentence
from classifier.extract.spans import RawStatement

# A group of a body's officials speaking as the body: "ASEAN foreign ministers", "Philippine officials".
_GROUP_OF = re.compile(
    r"(?:(?:some|several|two|three|senior|top)\s+)*(?P<body>.+?)\s+(?:senior\s+|top\s+)?(?:foreign\s+ministers|"
    r"defen[cs]e\s+ministers|ministers|ambassadors|members|officials|envoys|representatives|diplomats|delegates|"
    r"leaders|heads\s+of\s+(?:state|government))",
    re.IGNORECASE,
)
_NAME_BEFORE = re.compile(r"(?P<body>\b(?:[A-Z][\w.\u2019'-]*\s+)*[A-Z][\w.\u2019'-]*)\s+$")
# Between a description and the name set off after it: "the U.N. special adviser on the prevention of genocide, "
_APPOSED_GAP = re.compile(r"(?:\s+(?:on|for|of|to|in)\s[^,.;]{0,60})?,\s*")
LOOKBACK = 20_000  # characters of the article before a statement whose names can be its speaker's antecedent
_ADDRESSING = re.compile(r"(?i)(?:tell|told|urg|ask|call|brief|inform|warn|press|assur|remind)")
_SPOKESPERSON_BEFORE = re.compile(r"(?i)\b(?:spokes(?:man|woman|person)|press secretary),?\s+$")
_SENTENCE_END = re.compile(r"[.!?]['\"\u201d\u2019]?\s+")
AGE_REACH = 300  # characters back to the last person speaking, whom an age continues
_OPENER_WORD = (
    r"(?:[A-Z][\w.\u2019'-]*|[a-z]+['\u2019]s|the|former|acting|interim|senior|top|special|deputy|vice|prime|foreign"
    r"|information|defen[cs]e|interior|security|national|minister|president|secretary|spokes(?:man|woman|person)"
    r"|leader|general|commander|envoy|ambassador|head|chief|adviser|advisor|of|for|army|opposition|rebel|affairs)"
)
# What may stand before a name that is still its sentence's subject: an opening conjunction or place, titles, and
# an apposition ("But Turkish President Recep Tayyip Erdogan, ...", "Eritrea's information minister, Yemane ...")
_SUBJECT_OPENER = re.compile(rf"(?:{_OPENER_WORD},?\s+){{0,7}}")


def opens_sentence(text: str, start: int) -> bool:
    """Whether the name at ``start`` is its sentence's subject, read off the words before it in the sentence."""
    window = text[max(0, start - 150) : start]
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    opening = max(ends[-1] if ends else -1, window.rfind("\n") + 1 if "\n" in window else -1)
    if opening < 0:
        opening = 0 if start <= 150 else -1
    return opening >= 0 and _SUBJECT_OPENER.fullmatch(window[opening:]) is not None


MAX_SPOKEN = 200  # earlier attributions a pronoun or description may continue (each check also limits distance)
# Which titles a description's head noun can refer back to.
ROLE_FITS = {
    "diplomat": (
        "secretary of state",
        "foreign minister",
        "foreign secretary",
        "ambassador",
        "envoy",
        "diplomat",
        "foreign policy chief",
    ),  # fmt: skip
    "minister": ("minister",),
    "secretary": ("secretary",),
    "secretary-general": ("secretary-general",),
    "president": ("president",),
    "premier": ("prime minister", "premier"),
    "envoy": ("envoy", "representative", "mediator"),
    "ambassador": ("ambassador",),
    "spokesman": ("spokesman", "spokesperson"),
    "spokeswoman": ("spokeswoman", "spokesperson"),
    "spokesperson": ("spokesman", "spokeswoman", "spokesperson"),
    "chancellor": ("chancellor",),
    "general": ("gen", "general", "commander", "marshal"),
    "commander": ("commander", "gen", "general"),
    "leader": ("leader", "president", "prime minister", "chief", "chairman", "head"),
    "mediator": ("mediator", "envoy"),
    "chief": ("chief", "head", "secretary-general", "director"),
    # "the High Commissioner" after "UN human rights chief Volker Turk" or "U.N. refugee chief Filippo Grandi"
    "commissioner": ("commissioner", "chief"),
}
# Adjectives of regions, not states: "a senior European diplomat" is not "European".
REGION_ADJECTIVES = {"european", "african", "asian", "arab", "gulf", "latin american", "nordic", "balkan"}
# Words that make a title another title: "the prime minister" is not the foreign minister named last.
TITLE_QUALIFIERS = {"prime", "foreign", "defence", "defense", "interior", "deputy", "vice", "finance", "army"}
# Heads of descriptions that refer back to an organisation ("the group said", "the ministry added").
ORG_HEADS = {
    "group", "movement", "organisation", "organization", "militia", "rebel", "council", "ministry", "government",
    "army", "military", "union", "league", "alliance", "bloc", "body", "agency", "mission", "committee",
    "administration", "kremlin", "command", "navy", "embassy", "delegation", "court",
}  # fmt: skip

# The body of "a senior government official", "an army officer": the state the story is about, or its army
UNNAMED_BODIES = {"government", "security", "army", "military"}
NON_STATE_HEADS = {"group", "movement", "organisation", "organization", "militia", "rebel", "alliance"}
# An armed group's or organisation's own organs speak as the group: "the ELN's central command said"
_OWN_ORGAN = re.compile(
    r"(?i)(?:the\s+)?(?P<owner>.+?)['\u2019]s?\s+(?:(?:central|high|general|supreme|top|military|political|armed)\s+)?"
    r"(?:command|leadership|wing|council|secretariat|politburo|headquarters|(?:information|press|media)\s+"
    r"(?:team|office|committee|service|unit))"
)


@dataclass
class Attribution:
    """Who uttered a statement: the resolved name and the mention in the article it was read from."""

    speaker: str
    mention: Mention | None
    role: str = ""
    person: bool = False
    # the leader an office speaks for ("Burundi's presidency" for President Ndayishimiye), where the text names them
    serves: str | None = None


# what unnamed sources are close to: "Sources close to the negotiations said"
_CLOSE_TO = re.compile(
    r"\s+close\s+to\s+(?:the\s+)?[\w'.-]+(?:\s+(?!said\b|say\b|told\b)[\w'.-]+){0,3}?(?=,|\s+(?:said|say|told)\b)"
)
# a medium's aside naming its source: "Al-Ahrar television, citing a source in the Presidential Council, said"
_CITING = re.compile(r",\s+citing\s+([^,]{3,90}),")
# the rest of a name that goes on with "of": "Group of Seven", "Organisation of Islamic Cooperation"
_OF_NAME = re.compile(r"\s+of\s+(?:the\s+)?[A-Z0-9][\w-]*(?:\s+[A-Z][\w-]*){0,3}")
# a spokesperson's "said", after an apposition or a day, or closing one: "Dujarric, the UN chief's spokesman, said on
# Monday", "The President's spokesman, Maj-Gen Rashid Qureshi, said"
_SAID_AFTER = re.compile(r"(?:,[^,.]{0,80},|,)?\s+(said|says)\b")
# A leader's own office, which relays the leader as a spokesperson does: "The Elysee said President Macron had urged"
_LEADERS_HOUSE = re.compile(
    r"(?i)(?:the\s+)?(?:elys[eé]e(?:\s+palace)?|kremlin|white\s+house|downing\s+street|presidency|chancellery|"
    r"(?:[\w.\u2019'-]+\s+){0,4}office)"
)
# Cue words that are as often nouns ("support for the coalition"): they do not make a relayed act a statement
_NOUN_CUES = {"support", "supports", "backs", "press", "claims", "demands", "offers", "reports", "promises"}
_SPOKESPERSON = re.compile(r"(?i)\bspokes(?:man|woman|person)\b|\bpress secretary\b")
# "Stephane Dujarric, spokesman for ...", "Billene Seyoum, the prime minister's press secretary,"
_SPOKESPERSON_APPOSITION = re.compile(
    r",\s+(?:a\s+|an\s+|the\s+)?[^,]{0,50}?\b(?:spokes(?:man|woman|person)|press secretary)\b", re.IGNORECASE
)


_AGENT_WORDS = r"spokes(?:man|woman|person)|press secretary|envoy|ambassador|representative|negotiator|mediator"
_ROLE_WORDS = (
    _AGENT_WORDS + r"|minister|secretary|president|chief|head|leader|commander|general|chairman|premier|official"
)


# Titles and relative clauses set after a name that say whom it serves: "Martin Ojul, head of the LRA delegation,",
# "Vladimir Medinsky, who led the Russian delegation,", "Lise Grande, the U.N. humanitarian coordinator for Yemen,".
_APPOSED_ROLE_WORDS = _ROLE_WORDS + r"|who\s+(?:heads|leads|led|headed|chairs)|coordinator|advis[eo]r"
# Any character but a comma or a full stop; the period of an abbreviation ("The U.N. envoy") is no full stop.
_NO_STOP = r"(?:[^,.]|(?<=[A-Z])\.)"


def _titles(heads: str) -> tuple[re.Pattern, re.Pattern]:
    """A title with one of ``heads`` set after a name by commas, and one set before it."""
    after = re.compile(r",\s+(?P<title>(?:a\s+|an\s+|the\s+)?[^,]{0,60}?\b(?:" + heads + r")\b[^,]{0,50}),")
    before = re.compile(
        r"(?P<title>(?:[Tt]he|[Aa]n?|[A-Z][\w.\u2019'-]*['\u2019]s)\s+"
        + _NO_STOP
        + r"{0,60}?\b(?:"
        + heads
        + r")"
        + _NO_STOP
        + r"{0,80}),\s+$"  # "A spokesperson for the U.N. Office for the Coordination of Humanitarian Affairs, "
    )
    return after, before


_TITLE_AFTER, _TITLE_BEFORE = _titles(_AGENT_WORDS)
# A title in lower case right before a name, AP style, with the state that owns it: "Kenya's former president
# Uhuru Kenyatta", "the U.N. human rights chief Volker Turk".
_TITLE_LOWER_BEFORE = re.compile(
    r"(?P<title>(?:(?:[A-Z][\w.\u2019'-]*(?:['\u2019]s)?|the|The)\s+){0,3}(?:[a-z][\w-]*\s+){0,3}?(?:"
    + _ROLE_WORDS
    + r"|admiral|commissioner|director|chairwoman|mediator|king|queen|emir|prince)s?),?\s+$"
)  # "the rebel commander, Rodrigo Londono": a comma may stand between the title and the name
# Heads of definite descriptions of a person ("the former admiral replied", "the envoy said"): when no title seen
# in the article fits, the person who spoke just before is meant.
PERSON_HEADS = {
    *ROLE_FITS, "admiral", "commissioner", "director", "official", "veteran", "politician", "lawmaker", "senator",
    "prosecutor", "judge", "king", "queen", "emir", "prince", "monarch", "cleric", "archbishop", "negotiator",
    "chairman", "chairwoman", "colonel", "officer", "warlord", "strongman", "ruler", "head", "aide", "adviser",
    "advisor", "minister", "coordinator", "rapporteur", "chair", "premier", "governor", "mayor",
}  # fmt: skip


_ARMED_DESCRIPTION = re.compile(
    r"(?i)(?:the|that|this)\s+(?:(?:[\w.-]+-(?:backed|aligned|allied|led)\s+)?(?:rebel|armed|militant|insurgent|separatist|"
    r"jihadist|islamist|guerrilla)\s+(?:group|organi[sz]ation|movement|militia)|[\w.-]+-(?:backed|aligned|allied|"
    r"led)\s+(?:group|organi[sz]ation|movement|militia|rebels|insurgents|fighters)|rebels|insurgents|(?:rebel\s+)?faction)"
)
# Members of a body named after them: "Deputies of the opposition New Democracy party", "officials from the AU".
_MEMBERS = re.compile(
    r"(?i)(?:the\s+|some\s+|several\s+)?(?:deputies|members|lawmakers|legislators|officials|leaders|ministers|heads|"
    r"representatives|envoys|diplomats|delegates)"
)
# Officials placed in a capital, which the actor table knows: "officials in Kinshasa".
_SEATED_IN = re.compile(r"\s+in\s+(?P<place>[A-Z][\w\u2019'-]*(?:\s+[A-Z][\w\u2019'-]*)?)\b")
_MEMBERS_OF = re.compile(
    r"\s+(?:of\s+(?:state|government)(?:\s+and\s+government)?\s+)?(?:of|from)\s+(?:the\s+)?(?:(?:[a-z][\w-]*)\s+){0,2}"
)  # "The heads of state of the East African Community"
# The press at a briefing, whose questions a later "he said" answers rather than continues.
_REPORTERS = re.compile(r"(?i)(?:the\s+)?(?:reporters?|journalists?|correspondents?)")
# A state's body named with no owner: "the government", "the energy ministry", "the presidency".
_BARE_STATE_BODY = re.compile(
    r"(?i)the\s+(?:(?:[a-z]+\s+)?(?:government|ministry|presidency|cabinet)|authorities|government\s+delegation)"
)
_LEADER_OFFICE = re.compile(
    r"(?i)the\s+(?:(?P<prime>prime\s+minister)|president)['\u2019]s\s+(?:press\s+)?office|the\s+presidency"
)
# An office or government owned by a person: "his office", "Hadi's office", "Prime Minister Abiy Ahmed's government".
_OWNED_OFFICE = re.compile(
    r"(?:[Hh]is|[Hh]er|(?:(?:(?P<state>[A-Z][\w.-]*)\s+)?(?P<title>Prime\s+Minister|President)\s+)?"
    r"(?P<owner>(?:[A-Z][\w.-]*\s+){0,3}[A-Z][\w.-]*)['\u2019]s)\s+(?P<noun>(?:press\s+)?office|government|administration|"
    r"cabinet)"
)  # "Ethiopian Prime Minister Abiy Ahmed's office": the state word before the title says whose


def _office_name(state: str, title: str) -> str:
    """The name a leader's office speaks under: "Ethiopia's Prime Minister's Office", "Burundi's presidency"."""
    return f"{state}'s Prime Minister's Office" if title == "prime minister" else f"{state}'s presidency"


_BARE_MILITARY = re.compile(r"(?i)the\s+(?:military|army|armed\s+forces|junta|defen[cs]e\s+forces)")
# A paragraph that opens with a person's full name speaking: "\n\nNajib Mikati told reporters".
_NEXT_SPEAKER = re.compile(
    r"\s*\n\s*(?P<name>[A-Z][\w\u2019'-]+(?:\s+(?:al-|bin\s+|de\s+)?[A-Z][\w\u2019'-]+){1,5})"
    r"(?:,\s+[^,\n]{1,80},)?\s+"  # "Abbas Araghchi, speaking in Istanbul, said"
    r"(?:(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+|also\s+|later\s+)?(?P<cue>\w+)"
)
# ... or with a quotation its speaker's full name closes: '\n\n"No-one has the right ...," Hassan Sheikh Mohamud told'.
_NEXT_QUOTED = re.compile(
    r"\s*\n\s*[\"\u201c][^\"\u201c\u201d\n]{1,800}[\"\u201d]\s*"
    r"(?P<name>[A-Z][\w\u2019'-]+(?:\s+(?:al-|bin\s+|de\s+)?[A-Z][\w\u2019'-]+){1,5})\s+(?P<cue>\w+)"
)
# Two speakers named together before, as one description: "the two leaders", "both sides".
_PAIR = re.compile(r"(?i)(?:the\s+two|both(?:\s+the)?)\s+(?:[a-z]+\s+)?(?P<noun>[a-z]+s|men|women)")
_PEOPLE = {"leaders", "presidents", "ministers", "men", "women", "premiers", "envoys", "officials", "diplomats"}
# A spokesperson's or officer's title whose body is only referred to: "A spokesman", "Its director general", "The
# group's spokesman".
_ANAPHORIC_AGENT = re.compile(
    r"(?i)(?:a|an|its|their|the\s+(?:group|ministry|movement|army|military|council|agency|organi[sz]ation|mission|"
    r"front|opposition|alliance|coalition|party)['\u2019]s|the\s+(?:rebels|guerrillas|insurgents|militants)['\u2019])"
    r"\s+(?:(?-i:[a-z]+)\s+){0,2}?(?:spokes(?:man|woman|person)|director[- ]general|chief|head|representative|envoy|"
    r"ambassador|negotiator|commander)(?:\s+and\s+spokes(?:man|woman))?(?:\s+in\s+[A-Z][\w-]*)?"
)
# One capitalised word that can be a surname ("Guterres", "al-Sisi", "Ould-Cheikh"), not an acronym.
_SURNAME = re.compile(r"(?:(?:al|el)-)?[A-Z][a-z\u00e0-\u024f'\u2019]+(?:-[A-Z][a-z\u00e0-\u024f]+)?")
# A spokesperson or negotiator of an unnamed government or army: "Government spokesman", "the government's chief
# negotiator", "Army spokesman".
_UNNAMED_STATE_AGENT = re.compile(
    r"(?i)(?:(?:the|an?)\s+)?(?P<body>government|army|military|junta)(?:['\u2019]s)?\s+(?:[a-z]+\s+)?"
    r"(?:spokes(?:man|woman|person)|negotiator|representative|envoy)"
)
# A title whose owner is a body referred back to: "Its foreign ministry spokesman", "Their chief negotiator".
_OWNED_BY_IT = re.compile(
    r"(?i)(?:its|their)\s+(?=(?:[a-z]+\s+)?(?:ministry|office|department|army|military|mission|delegation)\b)"
)
# A military rank or a courtesy title before a name, which says nothing of whom its bearer speaks for.
_MILITARY_RANK = (
    r"lt|col|gen|maj|brig|adm|capt|sgt|cmdr|lieutenant|colonel|general|major|brigadier|admiral|captain|sergeant|"
    r"commander"
)
_RANK = re.compile(r"(?i)(?:(?:dr|mr|mrs|ms|rear|vice|" + _MILITARY_RANK + r")\.?(?:\s+|-|$))+")
# A military rank closing a title before the name: "Army spokesman Maj.", "Junta spokesman Major General".
_RANK_AFTER = re.compile(r"(?i)(?:\s+(?:" + _MILITARY_RANK + r")\.?)+$")
# The state owning an unnamed official: "Russia's deputy U.N. ambassador", "Britain's envoy".
_STATE_OWNER = re.compile(
    r"(?P<owner>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,2})" + POSSESSIVE + r"\s+(?:[a-z][\w-]*\s+){0,2}$"
)
# A state's title with no name: "Somalia's president", "Ethiopia's prime minister".
_OWNED_TITLE = re.compile(
    r"(?P<owner>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?)" + POSSESSIVE + r"\s+(?P<title>(?:[a-z]+\s+){0,2}[a-z]+)"
)
# Heads of descriptions that propose something: the state their adjective names speaks ("the Egyptian proposal").
PROPOSAL_HEADS = {"proposal", "plan", "initiative", "draft"}
# Heads of descriptions that are statements: their issuer speaks ("the statement read", "the appeal added").
STATEMENT_HEADS = {"statement", "communique", "communiqué", "appeal", "verbale", "letter", "declaration", "message"}
_NAME_WORD = r"(?:[A-Z][\w.\u2019'-]*|of|for|the|and|in|on|de|du|des|la|le|d[\u2019']\w+)"
ACRONYM_DEFINED = re.compile(
    r"(?P<name>[A-Z][\w.\u2019'-]*(?:\s+" + _NAME_WORD + r"){1,9})\s+\((?P<acronym>[A-Z][A-Za-z-]{1,9})\)"
)


def defined_name(match: re.Match) -> str:
    """The full name of an ``ACRONYM_DEFINED`` match."""
    # the name ends its sentence's run of capitals: "since November. The UN Operation in ..." -> "UN Operation in ..."
    name = re.split(r"(?<=[a-z]{2})\.\s+", match.group("name"))[-1]
    return re.sub(r"^(?:The|A|An)\s+", "", name)


class SpeakerAttributor:
    """Resolves each raw statement's mention against the named speakers seen earlier in the article.

    >>> from classifier.extract import StatementExtractor
    >>> text = "Foreign Minister Sergei Lavrov met envoys. The minister urged restraint."
    >>> extractor = StatementExtractor()
    >>> statements = extractor.extract(text)
    >>> [a.speaker for a in SpeakerAttributor().attribute(text, statements, extractor.sentences(text))[0][1]]
    ['Sergei Lavrov']
    """

    def __init__(self, places: set[str] | None = None) -> None:
        # Names that are states or capitals, never a person relaying or being relayed ("said Kenya was ready").
        self.table = ActorTable.load()
        self.places = _default_places(self.table) if places is None else places
        self._with_roles: dict[str, list[Mention]] = {}
        # country code -> the table's name for that state's armed forces ("MMR" -> "Tatmadaw")
        self._militaries: dict[str, str] = {}
        for alias, actor in self.table.aliases():
            if actor.type == "other" and actor.country and re.search(r"(?i)\b(?:military|army|armed forces)\b", alias):
                self._militaries.setdefault(actor.country, actor.id)

    def attribute(
        self, text: str, statements: list[RawStatement], sentences: list[Sentence]
    ) -> list[tuple[RawStatement, list[Attribution]]]:
        named = [m for s in sentences for m in s.mentions if m.kind == "named" and not m.locative]
        # "Liberians United for Reconciliation and Democracy (LURD)": the acronym names the same speaker later
        self._acronyms = {m.group("acronym"): defined_name(m) for m in ACRONYM_DEFINED.finditer(text)}
        for mention in named:
            # "The European Union's foreign policy chief, Josep Borrell,": the title later descriptions refer to
            if not mention.role or _RANK.fullmatch(mention.role):
                # "Israel's military spokesman, Lt. Col. Nadav Shoshani,": the rank alone is not the title
                apposed = self._apposed_title(text, mention, _APPOSED_ROLE_WORDS)
                mention.role = apposed or mention.role
            owner = _STATE_OWNER.search(text, max(0, mention.start - 40), mention.start)
            if mention.role and owner is not None and self.table.country_of(mention.role) is None:
                if self.table.country_of(owner.group("owner")) is not None:  # "Ghana's President Kofi Mensah"
                    mention.role = f"{owner.group('owner')}'s {mention.role}"
            if not mention.role and not mention.is_organisation and len(mention.name.split()) > 1:
                title = _TITLE_LOWER_BEFORE.search(text, max(0, mention.start - 70), mention.start)
                mention.role = re.sub(r"^[Tt]he\s+", "", title.group("title")) if title is not None else ""
        self._with_roles = {}  # surname -> mentions with a role, in article order, for _role_from_earlier
        for mention in named:
            if mention.role and mention.name:
                self._with_roles.setdefault(mention.name.split()[-1], []).append(mention)
        results: list[tuple[RawStatement, list[Attribution]]] = []
        spoken: list[Attribution] = []  # every attribution so far, in article order
        groups: list[list[Attribution]] = []  # the statements with several speakers, for a later "they"
        starts = [m.start for m in named]
        for statement in statements:
            mention = statement.mention
            if mention is None:
                resolved = [Attribution("unknown", None)]
            else:
                # Only the names of the last LOOKBACK characters are candidates: an article's references reach
                # back a few paragraphs, and a bounded window keeps a book-length input linear in its length.
                window = bisect.bisect_left(starts, mention.start - LOOKBACK)
                named_here = named[window : bisect.bisect_right(starts, statement.end)]
                spoken_here = spoken[-MAX_SPOKEN:]
                relayed = self._relayed(text, statement, mention, sentences, named_here)
                if relayed is not None:
                    conjuncts = [relayed]
                elif statement.speakers:
                    # the parse found the coordinated subject; the list pattern can add what it left out
                    listed = [
                        m
                        for m in self._conjuncts(text, statement.speakers[-1], named_here)
                        if not any(m.start < s.end and s.start < m.end for s in statement.speakers)
                        or m in statement.speakers
                    ]
                    chosen = {m.start: m for m in [*statement.speakers, *listed]}
                    conjuncts = [chosen[start] for start in sorted(chosen)]
                else:
                    conjuncts = self._conjuncts(text, mention, named_here)
                resolved = [
                    self._with_role(self._resolve(text, m, named_here, spoken_here), named_here) for m in conjuncts
                ]
            for attribution in resolved:
                attribution.role = attribution.role or self._apposed_title(text, attribution.mention)
                titled = attribution.mention is not None and attribution.mention.kind == "named"
                titled = titled and attribution.person and not attribution.serves
                if (
                    titled
                    and _OWNED_BY_IT.match(attribution.role)
                    and (body := self._last_body(spoken, attribution.mention)) is not None
                ):
                    # "Its foreign ministry spokesman, Majed al-Ansari,": the ministry of the body that spoke last
                    attribution.role = _OWNED_BY_IT.sub(f"{body}'s ", attribution.role)
                elif titled and _ANAPHORIC_AGENT.fullmatch(attribution.role):
                    # "A spokesman, Randhir Jaiswal,", "Its director general, ...": for the body that spoke last, or
                    # else the body named last ("Raul Reyes, the guerrillas' chief negotiator,")
                    attribution.serves = self._last_body(spoken, attribution.mention) or self._last_named_body(
                        attribution.role, attribution.mention, named_here
                    )
                elif titled and (unnamed := _UNNAMED_STATE_AGENT.fullmatch(_RANK_AFTER.sub("", attribution.role))):
                    # "Government spokesman Lambert Mende", "Army spokesman Felix Kulayigye": for the state the story
                    # is about, or its armed forces, as "the government" and "the army" are
                    before = [m for m in named_here if m.end <= attribution.mention.start and m.name]
                    state = self._home_state(text, attribution.mention, before)
                    if state is not None and unnamed.group("body").lower() != "government":
                        state = self._armed_forces(state, fallback=state)
                    attribution.serves = state
            if mention is not None and mention.text.lower() == "they" and len(resolved) == 1:
                # "They also appealed to Washington": all of the group that spoke last, if it was one
                group = next((g for g in reversed(groups) if resolved[0].speaker in [a.speaker for a in g]), None)
                if group is not None:
                    resolved = [Attribution(a.speaker, mention, a.role, a.person) for a in group]
            pair = _PAIR.fullmatch(mention.text) if mention is not None else None
            if pair is not None and len(resolved) == 1:
                # "The two leaders pledged ...", "Both sides": the two named together last
                two = self._last_pair(text, mention, named, pair.group("noun").lower() in _PEOPLE)
                if two:
                    resolved = [Attribution(m.name, mention, m.role, person=not m.is_organisation) for m in two]
            if len(resolved) > 1:
                groups.append(resolved)
            spoken.extend(resolved)
            results.append((statement, resolved))
        return results

    @staticmethod
    def _last_body(spoken: list[Attribution], mention: Mention | None) -> str | None:
        """The body (not a person) that spoke last, within a paragraph or so of ``mention``."""
        for earlier in reversed(spoken):
            if mention is None or earlier.mention is None or mention.start - earlier.mention.start > 600:
                return None
            if not earlier.person and earlier.speaker not in ("reporter", "unknown"):
                return earlier.speaker
        return None

    def _last_named_body(self, role: str, mention: Mention, named: list[Mention]) -> str | None:
        """The organisation named last within a few paragraphs before ``mention`` (an armed group, where the title
        says "the rebels'" or "the guerrillas'"), for a title that only refers to it."""
        armed = re.search(r"(?i)\b(?:rebels|guerrillas|insurgents|militants)['\u2019]", role) is not None
        for earlier in reversed([m for m in named if m.end <= mention.start and mention.start - m.start < 1500]):
            if earlier.locative or not earlier.name or earlier.name in self.places:
                continue
            if self._is_armed_group(earlier) or (not armed and earlier.is_organisation):
                return self._acronyms.get(earlier.name, earlier.name)
        return None

    def _last_pair(self, text: str, mention: Mention, named: list[Mention], people: bool) -> list[Mention]:
        """The two people (or states) named together last before ``mention``, joined by "and" in one sentence
        ("Chad's Idriss Deby and Sudan's Omar al-Bashir"), within a few paragraphs; empty when there is none."""
        before = [m for m in named if m.end <= mention.start and mention.start - m.start < 2000]
        kind = [m for m in before if self._is_person(m, before) == people and not m.locative]
        for first, second in reversed(list(zip(kind, kind[1:]))):
            between = text[first.end : second.start]
            if len(between) <= 80 and re.search(r"\band\b", between) and not re.search(r"[.;\n]", between):
                return [first, second] if first.name != second.name else []
        return []

    def _relayed(
        self, text: str, statement: RawStatement, mention: Mention, sentences: list[Sentence], named: list[Mention]
    ) -> Mention | None:
        """A spokesperson relaying a person: "Dujarric, spokesman for Guterres, said Guterres hoped ...",
        "spokeswoman Tammy Bruce said Secretary of State Marco Rubio had spoken ..." are the principal's words.
        What a spokesperson says of a body ("said the group would ...") stays the spokesperson's."""
        # "his spokesman Stephane Dujarric", "The White House press secretary, Karine Jean-Pierre,"
        titled = _SPOKESPERSON_BEFORE.search(text, max(0, mention.start - 40), mention.start)
        house = _LEADERS_HOUSE.fullmatch(mention.text) is not None
        if statement.cue is None or not (
            _SPOKESPERSON.search(mention.text) or _SPOKESPERSON_APPOSITION.match(text, mention.end) or titled or house
        ):
            return None
        sentence = next((s for s in sentences if s.start <= statement.cue[0] < s.end), None)
        if sentence is None:
            return None
        # "Dujarric said Guterres was troubled and had urged ...": the statement's cue is "urged", the relay "said"
        said = _SAID_AFTER.match(text, mention.end)
        cue = (said.start(1), said.end(1)) if said is not None and said.start(1) < statement.cue[0] else statement.cue
        # "told The Associated Press", "urged Kenya to ...": after such a cue the name is whom it addresses
        addressed = _ADDRESSING.match(text, cue[0])
        # the name right after the cue first ("The President's spokesman, X, said Gen Musharraf had ..."), then
        # a principal opening the sentence ("Annan was concerned ..., his spokesman said in New York")
        after = next((m for m in sentence.mentions if not addressed and right_after(text, cue, m)), None)
        if after is not None and (after.locative or after.is_organisation or after.kind == "pronoun"):
            after = None
        inner = after or self._opening_principal(text, sentence, mention, statement.cue)
        if inner is None or inner.kind == "pronoun" or inner.is_organisation or inner.locative:
            return None
        if text.startswith(("'s", "\u2019s"), inner.end):
            return None  # "welcomed Sisi's remarks": an object, not a relayed speaker
        if house and not any(
            cue.group().lower() not in _NOUN_CUES for cue in CUE.finditer(text, inner.end, sentence.end)
        ):
            return None  # "Downing Street said Wilson had called a meeting": the office reports an act of his
        before = [m for m in named if m.end <= inner.start and m.name]
        if inner.kind == "named":
            person = len(inner.name.split()) > 1 or self._fuller_name(inner.name, before) is not None
            return inner if person and inner.name not in self.places else None
        return inner if self._description_referent(inner, before) is not None else None

    @staticmethod
    def _opening_principal(text: str, sentence: Sentence, mention: Mention, cue: tuple[int, int]) -> Mention | None:
        """The person opening a sentence that a spokesperson's closing attribution sources: "Ban had urged both
        sides to stop, his spokesman Martin Nesirky said", "The secretary-general is alarmed ..., his spokesman
        said"."""
        head = text[sentence.start : mention.start]
        comma = head.rfind(",")
        if comma < 0 or len(head[comma + 1 :].split()) > 3 or cue[0] < mention.start:
            return None
        body = sentence.start + len(head) - len(head.lstrip(" \"'\u201c"))
        first = next((m for m in sentence.mentions if m.start < sentence.start + comma), None)
        return first if first is not None and first.start == body else None

    def _unknown_organisation(self, mention: Mention) -> bool:
        """A named organisation the actor table does not know (a movement, a faction), not a place."""
        return (
            mention.is_organisation
            and bool(mention.name)
            and not mention.locative
            and self.table.resolve(mention.name) is None
        )

    def _is_body(self, name: str) -> bool:
        actor = self.table.resolve(name)
        return actor is not None and actor.type != "person"

    def _is_armed_group(self, mention: Mention) -> bool:
        return self._armed_group_named(mention.name)

    def _armed_group_named(self, name: str) -> bool:
        actor = self.table.resolve(name)
        return actor is not None and actor.type == "armed_group"

    @staticmethod
    def _issuer(text: str, mention: Mention, spoken: list[Attribution]) -> Attribution | None:
        """Who issued "the statement", "the appeal", "the note verbale": the last speaker whose sentence named that
        kind of statement ("Paris called for a halt in an appeal ... the appeal added"), else the last body that
        spoke, within a few paragraphs."""
        noun = mention.text.lower().split()[-1]
        earlier = [
            a
            for a in spoken
            if a.mention is not None
            and a.mention.start < mention.start
            and mention.start - a.mention.start < 2000
            and a.speaker not in ("reporter", "unknown")
            and not (a.mention.kind == "description" and a.mention.text.lower().split()[-1] in STATEMENT_HEADS)
        ]  # "A statement from the presidency said ... The statement added": the presidency, a description too
        for attribution in reversed(earlier):
            start = text.rfind("\n", 0, attribution.mention.start) + 1
            stop = text.find("\n", attribution.mention.end)
            if noun in text[start : stop if stop >= 0 else len(text)].lower():
                return attribution
        return next((a for a in reversed(earlier) if not a.person), None)

    @staticmethod
    def _apposed_title(text: str, mention: Mention | None, heads: str = "") -> str:
        """A title set beside a name by commas: "Stephane Dujarric, spokesman for the secretary-general," or
        "The Houthis' chief negotiator, Mohammed Abdulsalam,"."""
        if mention is None or mention.kind != "named":
            return ""
        after_pattern, before_pattern = (_TITLE_AFTER, _TITLE_BEFORE) if not heads else _titles(heads)
        after = after_pattern.match(text, mention.end)
        if after is not None:
            return after.group("title")
        before = before_pattern.search(text, max(0, mention.start - 150), mention.start)
        return before.group("title") if before is not None and text[mention.end : mention.end + 1] == "," else ""

    def _role_country(self, role: str) -> str | None:
        """The state a person's title says they belong to, less the posting of an envoy or ambassador: the UN
        "envoy for Syria" is no Syrian, "Russia's ambassador to the UN" is Russian."""
        return self.table.country_of(POSTING.sub("", role))

    def _with_role(self, attribution: Attribution, named: list[Mention]) -> Attribution:
        """Give a resolved person the title they were introduced with, wherever in the article that was."""
        same = [m for m in named if m.name == attribution.speaker]
        if not attribution.role or attribution.role == attribution.speaker:
            attribution.role = next((m.role for m in same if m.role), attribution.role)
        attribution.person = any(not m.is_organisation and (m.role or len(m.name.split()) > 1) for m in same)
        return attribution

    def _conjuncts(self, text: str, mention: Mention, named: list[Mention]) -> list[Mention]:
        """``mention`` plus the named mentions coordinated with it ("Russia, France and the US")."""
        if mention.kind != "named":
            return [mention]
        group = [mention]
        earlier = sorted((m for m in named if m.end <= mention.start), key=lambda m: -m.start)
        current = mention
        for candidate in earlier:
            gap = text[candidate.end : current.start]
            if not re.fullmatch(r"(?:\s*,\s*|\s*,?\s+and\s+)(?:the\s+)?", gap):
                break
            if current is mention and "and" not in gap:
                break  # a list ends with "and": "General Bernard Janvier, Mladic said" is an aside, not a list
            group.insert(0, candidate)
            current = candidate
        return group

    def _resolve(self, text: str, mention: Mention, named: list[Mention], spoken: list[Attribution]) -> Attribution:
        before = [m for m in named if m.end <= mention.start and m.name]
        leader = self._leader_owning_office(mention, before)
        if leader is not None:
            # "his office said", "Hadi's office said": the office of a president or prime minister named earlier;
            # "Prime Minister Abiy Ahmed's government" is the state
            title, leader_state, person = leader
            state = leader_state or self._home_state(text, mention, before)
            if state is not None and not mention.text.endswith("office"):
                return Attribution(state, mention, mention.text)
            if state is not None:
                return Attribution(_office_name(state, title), mention, serves=person)
        aside = _CITING.match(text, mention.end)
        cited = next((m for m in named if aside is not None and aside.start(1) <= m.start < aside.end(1)), None)
        if cited is not None and cited.name:
            # "Al-Ahrar television, citing a source in the Presidential Council, said": the source cited speaks
            return self._resolve(text, cited, named, spoken)
        body = self._body_of_spokesperson(text, mention, named)
        if body in UNNAMED_BODIES:
            state = self._home_state(text, mention, before)
            if state is not None and body in ("army", "military"):
                return Attribution(self._armed_forces(state, fallback=state), mention)
            body = state
        if body is not None:
            if self.table.resolve(body) is None and self._state_of_adjective(body) is None:
                # "a senior Burundian security official": the state the adjective names, not its security services
                body = re.sub(r"(?:\s+[a-z][\w-]*)+$", "", body)
            return Attribution(self._state_of_adjective(body) or body, mention, mention.text)
        members = _MEMBERS_OF.match(text, mention.end) if _MEMBERS.fullmatch(mention.text) else None
        owner = next((m for m in named if members is not None and m.start == members.end() and m.name), None)
        if owner is not None:
            # "Deputies of the conservative New Democracy party accused him": the body they belong to
            return Attribution(self._acronyms.get(owner.name, owner.name), mention, mention.text)
        seat = _SEATED_IN.match(text, mention.end) if _MEMBERS.fullmatch(mention.text) else None
        capital = self.table.resolve(seat.group("place")) if seat is not None else None
        if capital is not None and capital.type == "government":
            return Attribution(capital.id, mention, mention.text)  # "Officials in Kinshasa said": the state
        if re.fullmatch(
            r"(?i)(?:a|an)\s+spokes(?:man|woman|person)(?:\s+for\s+the\s+\w+)?", self._with_for(text, mention)
        ):
            # "A spokesman said", "a spokesman for the movement said": the body that spoke last
            last = next((a for a in reversed(spoken) if not a.person and a.mention is not None), None)
            if (
                last is not None
                and last.speaker not in ("reporter", "unknown")
                and mention.start - last.mention.start < 1500
            ):
                return Attribution(last.speaker, mention, mention.text)
        if mention.kind == "named" and mention.name:
            words = mention.name.split()
            if len(words) == 1:
                # A surname alone refers to the fuller name used earlier ("Pompeo" -> "Mike Pompeo"), and so does
                # a name used the local way ("Abiy" -> "Abiy Ahmed", "Wang" -> "Wang Wenbin", "Sisi" -> "al-Sisi").
                fuller = self._fuller_name(words[0], before)
                if fuller is not None:
                    return Attribution(fuller.name, mention, fuller.role)
            if re.fullmatch(r"(?:Security Council |UN |U\.N\. )?[Rr]esolutions?", mention.name):
                # "Resolution 1701 calls for": numbered resolutions are the Security Council's
                return Attribution("UN Security Council", mention, mention.role)
            longer = _OF_NAME.match(text, mention.end)
            actor = self.table.resolve(mention.name + longer.group()) if longer is not None else None
            if actor is not None:
                return Attribution(actor.id, mention, mention.role)  # "the Group" of "the Group of Seven"
            defined = ACRONYM_DEFINED.match(text, mention.start)
            if defined is not None:
                # "The UN Operation in Cote d'Ivoire (UNOCI) said": the whole name, not the words before "in"
                return Attribution(defined_name(defined), mention, mention.role)
            if mention.name in self._acronyms:
                return Attribution(self._acronyms[mention.name], mention, mention.role)  # "LURD said" later on
            body = self._group_speaker(text, mention, before)
            if body is not None:
                return Attribution(body, mention, mention.role)
            state = self._state_of_adjective(mention.name)
            if state is not None:
                return Attribution(state, mention, mention.role)  # "The Philippine government said"
            return Attribution(mention.name, mention, mention.role)
        if mention.kind == "pronoun":
            last = self._last_person_speaker(text, mention, spoken, before)
            if last is not None:
                return Attribution(last.speaker, mention, last.role, person=True, serves=last.serves)
            body = self._last_body_speaker(text, mention, spoken, before)
            if body is not None:  # an office keeps the leader it serves: "Abiy Ahmed's office said ... It added"
                return Attribution(body.speaker, mention, body.role, serves=body.serves)
            referent = self._pronoun_referent(text, mention, before)
            if referent is not None:
                return Attribution(self._full_name(referent, before), mention, referent.role)
            return Attribution(mention.text, mention)
        if re.fullmatch(r"(?i)(?:(?:the|a|that|this|its|their)\s+)?(?:[\w-]+\s+)?resolutions?", mention.text):
            return Attribution("UN Security Council", mention, mention.text)  # "The resolution, adopted unanimously,"
        organ = _OWN_ORGAN.fullmatch(mention.text)
        if organ is not None and _BARE_MILITARY.fullmatch("the " + re.sub(r"(?i)^the\s+", "", organ.group("owner"))):
            # "the junta's information team said": the armed forces of the state the story is about
            state = self._home_state(text, mention, before)
            if state is not None:
                return Attribution(self._armed_forces(state), mention)
        actor = self.table.resolve(organ.group("owner")) if organ is not None else None
        if actor is not None and actor.type in ("armed_group", "international_organisation", "regional_organisation"):
            return Attribution(actor.id, mention, mention.text)
        if _ARMED_DESCRIPTION.fullmatch(mention.text):
            # "the rebel organization": the armed group named last
            group = next((m for m in reversed(before) if self._is_armed_group(m)), None)
            # a movement the table does not know: the last organisation named that is no state's body
            group = group or next((m for m in reversed(before) if self._unknown_organisation(m)), None)
            if group is not None:
                return Attribution(group.name, mention, group.role)
        head = mention.text.lower().split()[-1].rstrip("s") if mention.text.split() else ""
        owner = _STATE_OWNER.search(text, max(0, mention.start - 60), mention.start)
        if owner is not None and head in PERSON_HEADS and not self._apposed_name(text, mention, named):
            # "Russia's deputy U.N. ambassador said", no name given: the state speaks through its official
            actor = self.table.resolve(owner.group("owner"))
            if actor is not None and actor.type == "government":
                return Attribution(actor.id, mention, text[owner.start() : mention.end])
        apposed = next((m for m in named if m.name and _APPOSED_GAP.fullmatch(text[mention.end : m.start])
                        and re.match(r"\s*,", text[m.end : m.end + 3])), None)  # fmt: skip
        if apposed is not None and not apposed.is_organisation and len(apposed.name.split()) > 1:
            # "the U.N. special adviser on the prevention of genocide, Adama Dieng, described ...": the name
            return Attribution(apposed.name, apposed, mention.text, person=True)
        body = self._group_speaker(text, mention, before)
        if body is not None:
            return Attribution(body, mention, mention.text)
        introduced = self._introduced(mention, spoken)
        if introduced is not None:
            return introduced
        office = re.match(r"\s+of\s+(?:state|government)\b", text[mention.end : mention.end + 20])
        if office is not None and re.fullmatch(r"(?i)the\s+head", mention.text):
            # "the head of state said": the parser's mention stops at "head"
            titled = Mention(mention.start, mention.end + office.end(), mention.text + office.group(), "description")
            referent = self._description_referent(titled, before)
        else:
            referent = self._description_referent(mention, before)
        if referent is not None:
            return Attribution(self._full_name(referent, before), mention, referent.role)
        if head in STATEMENT_HEADS | PROPOSAL_HEADS:
            # "The Egyptian proposal called for", "the Iranian statement said": the state the adjective names
            state = next(filter(None, map(self._state_of_adjective, mention.text.split()[1:-1])), None)
            if state is not None:
                return Attribution(state, mention, mention.text)
        if head in STATEMENT_HEADS:
            issuer = self._issuer(text, mention, spoken)
            if issuer is not None:
                return Attribution(issuer.speaker, mention, issuer.role, person=issuer.person, serves=issuer.serves)
            # "Model sent only a junior delegation. A statement released on Sunday said": no one spoke yet, so the
            # body named last, in this paragraph or the one before, issued it
            paragraphs = text.rfind("\n\n", 0, text.rfind("\n\n", 0, mention.start)) + 1
            body = next((m for m in reversed(before) if m.start >= paragraphs and m.name and not m.locative
                         and (m.is_organisation or self._is_body(m.name))), None)  # fmt: skip
            if body is not None:
                return Attribution(body.name, mention, mention.text)
        if re.fullmatch(r"(?i)the\s+(?:draft|text)", mention.text) and re.search(
            r"(?i)\bresolution\b", text[max(0, mention.start - 600) : mention.start]
        ):
            return Attribution("UN Security Council", mention, mention.text)  # "The text says": the resolution's
        owned = re.fullmatch(r"(?i)(?:his|her)\s+(?:government|administration|cabinet)", mention.text)
        titled = [m for m in before if not m.is_organisation and m.role and self.table.country_of(m.role)]
        country = self.table.country_of(titled[-1].role) if owned and titled else None
        if country is not None and country in self.table.by_country:
            return Attribution(self.table.by_country[country], mention, mention.text)  # "Hashimoto ... his government"
        office = _LEADER_OFFICE.fullmatch(mention.text)
        if office is not None:
            # "the prime minister's office said": the office speaks, as a body of the state whose leader it serves
            prime = office.group("prime") is not None
            title = "prime minister" if prime else "president"
            state = self._capital_after(text, mention)  # "the presidency in Bujumbura"
            state = state or self._state_of_leader(title, before)
            state = state or self._home_state(text, mention, before)
            if state is not None:
                return Attribution(
                    _office_name(state, title), mention, serves=self._leader_of(text, mention, title, state, before)
                )
        bare_body = _BARE_STATE_BODY.fullmatch(mention.text)
        state = (self._capital_after(text, mention) or self._home_state(text, mention, before)) if bare_body else None
        if state is not None:
            return Attribution(state, mention, mention.text)
        state = self._home_state(text, mention, before) if _BARE_MILITARY.fullmatch(mention.text) else None
        if state is not None:
            return Attribution(self._armed_forces(state), mention)  # "The military said"
        titled_name = self._titled_name(text, mention)
        if titled_name is not None:
            return Attribution(titled_name, mention, mention.text, person=True)
        person = self._described_person(text, mention, head, spoken, before)
        if person is not None:
            return person
        stateless = head in NON_STATE_HEADS
        modified = stateless and re.fullmatch(r"(?i)the\s+(?:[a-z][\w-]*\s+){1,2}\S+", mention.text)
        modified = modified and not re.search(r"(?i)\b(?:rebel|armed|insurgent|militant)", mention.text)
        if head in ORG_HEADS and (re.fullmatch(r"(?i)the\s+\S+", mention.text) or modified):
            # "the group said", "the independence movement said": the organisation that spoke last; a "group" or
            # "movement" is not a state
            for earlier in reversed(spoken):
                if earlier.mention is not None and earlier.mention.start < mention.start and not earlier.person:
                    actor = self.table.resolve(earlier.speaker) if stateless else None
                    if actor is not None and actor.type in ("government", "ministry"):
                        continue
                    kinds = ("named", "pronoun", "description") if stateless else ("named", "pronoun")
                    if earlier.speaker != "unknown" and earlier.mention.kind in kinds:
                        return Attribution(earlier.speaker, mention, earlier.role)
            if stateless:
                # no organisation has spoken yet: the armed group or movement named last ("the Houthi movement
                # dropped its boycott ... The group had refused")
                for m in reversed(before):
                    if m.locative:
                        continue
                    # "the Iran-allied Houthi": the table knows the group by its last word
                    armed = next((n for n in (m.name, m.name.split()[-1]) if self._armed_group_named(n)), None)
                    if armed is not None:
                        return Attribution(self.table.resolve(armed).id, mention, m.role)
                    if self._unknown_organisation(m):
                        return Attribution(m.name, mention, m.role)
        # "Several protesters told reporters" is the protesters; "Many in the hall said" keeps its quantity
        bare = re.sub(
            r"(?i)^(?:the|a|an)\s+|^(?:some|several|many|a few|two|three|dozens of|hundreds of)\s+(?!(?:in|of|at)\b)",
            "",
            mention.text,
        )
        if re.match(r"(?i)(?:\w+\s+)?(?:reporter|journalist|correspondent)\b", bare):
            return Attribution("reporter", mention, bare)  # whoever asks at a briefing is "reporter"
        close = _CLOSE_TO.match(text, mention.end) if re.fullmatch(r"(?i)(?:\w+\s+)?sources?", bare) else None
        if close is not None:
            bare = f"{bare[:1].lower()}{bare[1:]}{close.group()}"  # "sources close to the negotiations"
        return Attribution(bare, mention, bare)

    def _described_person(
        self, text: str, mention: Mention, head: str, spoken: list[Attribution], before: list[Mention]
    ) -> Attribution | None:
        """The person a definite description continues when no title in the article fits it: within a few
        paragraphs for a person's title or age ("the former admiral replied", "the 65-year-old said"), within the
        last one or two sentences for any other description of one ("The former human rights lawyer said")."""
        bare = re.sub(r"(?i)^the\s+", "", mention.text)
        if bare == mention.text:
            return None
        aged = re.match(r"\d+-year-old\b", bare) is not None
        if aged and self._last_person(text, mention, spoken, before, reach=AGE_REACH) is None:
            # nobody spoke just before: the age is the story's main figure's
            salient = self._salient_person(mention, before)
            if salient is not None:
                return Attribution(salient, mention, mention.text, person=True)
        titled = head in PERSON_HEADS or aged
        other = head not in ORG_HEADS | STATEMENT_HEADS and not _REPORTERS.fullmatch(bare) and not bare.endswith("s")
        if not (titled or other):
            return None
        subject = self._previous_subject(text, mention, spoken, before)
        if subject is not None:
            # "Olusegun Obasanjo, the AU's envoy, has been shuttling for weeks. The former Nigerian president said":
            # the person the sentence before is about, not whoever spoke last
            return Attribution(self._full_name(subject, before), mention, subject.role, person=True)
        return self._last_person(text, mention, spoken, before, reach=1500 if titled else 600)

    def _previous_subject(
        self, text: str, mention: Mention, spoken: list[Attribution], before: list[Mention]
    ) -> Mention | None:
        """The person opening the narration sentence right before ``mention``'s, in its paragraph, whose title or
        state does not rule out the description (a sentence with a statement leaves it to the last speaker)."""
        paragraph = text.rfind("\n", 0, mention.start) + 1
        ends = [m.end() for m in _SENTENCE_END.finditer(text, paragraph, mention.start)]
        if not ends or text[ends[-1] : mention.start].strip():
            return None  # the description must open its own sentence, which must not be the paragraph's first
        start = ends[-2] if len(ends) > 1 else paragraph
        if any(a.mention is not None and start <= a.mention.start < ends[-1] for a in spoken):
            return None
        country = self.table.country_of(" ".join(mention.text.split()[1:-1]))
        for candidate in before:
            if not start <= candidate.start < ends[-1] or not opens_sentence(text, candidate.start):
                continue
            if candidate.is_organisation or candidate.name in self.places or not self._is_person(candidate, before):
                return None
            theirs = self._role_country(candidate.role or self._role_from_earlier(candidate, before))
            return None if country is not None and theirs is not None and theirs != country else candidate
        return None

    def _salient_person(self, mention: Mention, before: list[Mention]) -> str | None:
        """The person named most often in the last few paragraphs (the latest on a tie), whom an age describes:
        wire copy gives the age of the story's main figure ("the 64-year-old said"), not of whoever spoke last;
        a nationality in the description rules out people of other states ("the 67-year-old Peruvian
        diplomat")."""
        country = self.table.country_of(" ".join(mention.text.split()[2:]))
        counts: dict[str, list[int]] = {}
        titled: dict[str, bool] = {}
        for candidate in before:
            if mention.start - candidate.start > 3000 or candidate.is_organisation or candidate.name in self.places:
                continue
            if not self._is_person(candidate, before):
                continue
            actor = self.table.resolve(candidate.name)
            if actor is not None and actor.type != "person":
                continue  # "the Gulf Clan drug cartel": a body the table knows, whatever its words look like
            theirs = self._role_country(candidate.role or self._role_from_earlier(candidate, before))
            if country is not None and theirs is not None and theirs != country:
                continue
            name = self._full_name(candidate, before)
            counts.setdefault(name, []).append(candidate.start)
            titled.setdefault(name, False)
            titled[name] |= bool(candidate.role)
        if not counts:
            return None
        # on a tie, a name given with a title ("President Gustavo Petro") over any other capitalised words
        return max(counts, key=lambda name: (len(counts[name]), titled[name], counts[name][-1]))

    @staticmethod
    def _introduced(mention: Mention, spoken: list[Attribution]) -> Attribution | None:
        """Who "the diplomat" continues when an unnamed one was introduced just before: "a senior European
        diplomat, who asked not to be named, told Al Jazeera ... '...,' the diplomat said"."""
        words = mention.text.lower().split()
        if len(words) != 2 or words[0] != "the":
            return None
        for earlier in reversed(spoken):
            if earlier.mention is None or earlier.mention.start >= mention.start:
                continue
            if mention.start - earlier.mention.start > 1200:
                return None
            said = earlier.mention.text.lower().split()
            if said[:1] in (["a"], ["an"]) and said[-1] == words[1]:
                return Attribution(earlier.speaker, mention, earlier.role, person=earlier.person)
        return None

    def _titled_name(self, text: str, mention: Mention) -> str | None:
        """The name that "Somalia's president" has where the article gives it with the title, before or after
        ("Somalia's president has said ... President Hassan Sheikh Mohamud told parliament"); None when no such
        name is near or it is given with another state's name."""
        owned = _OWNED_TITLE.fullmatch(mention.text)
        if owned is None or owned.group("title").split()[-1] not in PERSON_HEADS:
            return None
        country = self.table.country_of(owned.group("owner"))
        title = " ".join(word.capitalize() for word in owned.group("title").split())
        pattern = re.compile(re.escape(title) + r"\s+((?:[A-Z][\w\u2019'-]*\s+){0,3}[A-Z][\w\u2019'-]*)")
        found = [m for m in pattern.finditer(text, max(0, mention.start - 1500), mention.end + 1500)]
        found.sort(key=lambda m: (m.start() > mention.start, abs(m.start() - mention.start)))  # nearest before first
        # another state's "president" in the article: only a name given with this state's name will do
        owners = re.findall(r"([A-Z][\w.-]*)['\u2019]s\s+" + re.escape(owned.group("title")), text)
        alone = {self.table.country_of(owner) for owner in owners} == {country}
        for match in found:
            if match.start() < mention.end and match.end() > mention.start:
                continue
            near = text[max(0, match.start() - 30) : match.start()].split()
            states = {self.table.country_of(word.strip(",.")) for word in near} - {None}
            if country is None or states - {country} or not (states or alone):
                continue
            return re.sub(r"['\u2019]s$", "", match.group(1))
        return self._named_next(text, mention)

    @staticmethod
    def _named_next(text: str, mention: Mention) -> str | None:
        """The lede's "Lebanon's caretaker prime minister urged ..." is the person whose full name opens the next
        paragraph as its speaker ("Najib Mikati told reporters ..."), the way wire copy names its subject."""
        paragraph_end = text.find("\n", mention.end)
        lede = DATELINE.match(text, text.rfind("\n", 0, mention.start) + 1)
        if paragraph_end < 0 or not (opens_sentence(text, mention.start) or (lede and lede.end() == mention.start)):
            return None
        following = _NEXT_SPEAKER.match(text, paragraph_end) or _NEXT_QUOTED.match(text, paragraph_end)
        if following is None or not CUE.match(following.group("cue")):
            return None
        return split_title(following.group("name"))[0] or None  # "Sheikh Mohammed bin Abdulrahman Al Thani"

    def _state_of_adjective(self, name: str) -> str | None:
        """The state a lone adjective left of a body's name stands for ("Philippine", "Greek"), or None for a name."""
        if len(name.split()) != 1 or self.table.resolve(name) is not None:
            return None
        country = self.table.country_of(name)
        return self.table.by_country.get(country) if country is not None else None

    @staticmethod
    def _apposed_name(text: str, mention: Mention, named: list[Mention]) -> bool:
        """A name set off after the description: "Russia's envoy, Vassily Nebenzia, said"."""
        return any(m.name and _APPOSED_GAP.fullmatch(text[mention.end : m.start]) for m in named)

    def _home_state(self, text: str, mention: Mention, before: list[Mention]) -> str | None:
        """The state a bare "the government" or "the energy ministry" belongs to: the one the article has named
        most so far (by name, capital or adjective), if it was named in the last few paragraphs."""
        counts: dict[str, int] = {}
        last: dict[str, int] = {}
        for earlier in before:
            actor = self.table.resolve(earlier.name)
            state = actor.id if actor is not None and actor.type == "government" else None
            if state is None and len(earlier.name.split()) == 1:
                country = self.table.country_of(earlier.name)
                state = self.table.by_country.get(country) if country is not None else None
            if state is not None:
                counts[state] = counts.get(state, 0) + 1
                last[state] = earlier.start
        if not counts:
            return None
        best = max(counts, key=lambda state: (counts[state], last[state]))
        return best if mention.start - last[best] < 3000 else None

    def _armed_forces(self, state: str, fallback: str | None = None) -> str:
        """The actor table's name for a state's armed forces ("Myanmar" -> "Tatmadaw"), else ``fallback`` or
        "<state> military"."""
        actor = self.table.resolve(state)
        return self._militaries.get(actor.country if actor else None, fallback or f"{state} military")

    def _capital_after(self, text: str, mention: Mention) -> str | None:
        """The state whose capital (or name) follows the mention: "the presidency in Bujumbura" -> Burundi."""
        place = re.match(r"\s+in\s+(?P<place>[A-Z][\w-]+)\b", text[mention.end : mention.end + 40])
        actor = self.table.resolve(place.group("place")) if place is not None else None
        return actor.id if actor is not None and actor.type == "government" else None

    def _leader_of(self, text: str, mention: Mention, title: str, state: str, before: list[Mention]) -> str | None:
        """The full name of the last person named with ``title`` ("president", "prime minister") whose title names
        ``state`` or no state at all: whom "the presidency" or "the prime minister's office" speaks for."""
        untitled: list[str] = []  # "President Evariste Ndayishimiye": the state is not in the title
        for person in reversed(before):
            role = (person.role or "").lower()
            if person.is_organisation or not person.name or title not in role or "vice" in role or "former" in role:
                continue
            country = self.table.country_of(person.role)
            if country is not None and self.table.by_country.get(country) == state:
                return self._full_name(person, before)
            if country is None:
                untitled.append(self._full_name(person, before))
        # of several, the one the article names most, then first: its story's leader, not a neighbour's
        return max(
            untitled,
            key=lambda name: (text.count(name.split()[-1], 0, mention.start), -text.find(name.split()[-1])),
            default=None,
        )

    def _leader_owning_office(self, mention: Mention, before: list[Mention]) -> tuple[str, str | None, str] | None:
        """For "his office" or "<name>'s office": the title ("president" or "prime minister") of the leader it
        belongs to, their state where the title names one, and their full name; None when the owner is no such
        leader."""
        owned = _OWNED_OFFICE.fullmatch(mention.text)
        if owned is None:
            return None
        owner = owned.group("owner")
        people = [m for m in reversed(before) if not m.is_organisation and m.role and m.name]
        if owner is not None:
            surname = owner.split()[-1]
            people = [m for m in people if m.name.split()[-1] == surname]
            if owned.group("title"):  # "Prime Minister Benjamin Netanyahu's office": the title is in the mention
                title = " ".join(filter(None, (owned.group("state"), owned.group("title"))))
                people = [Mention(mention.start, mention.end, mention.text, "named", owner, title)]
        for person in people[:1]:
            role = person.role.lower()
            title = "prime minister" if "prime minister" in role else "president" if "president" in role else None
            if title is None or "vice" in role or "former" in role:
                return None
            country = self.table.country_of(person.role)
            return title, self.table.by_country.get(country) if country else None, self._full_name(person, before)
        return None

    def _state_of_leader(self, title: str, before: list[Mention]) -> str | None:
        """The state of the last person named with ``title`` and a state ("Ethiopia's Prime Minister Abiy"), if any."""
        for earlier in reversed(before):
            role = (earlier.role or "").lower()
            if title in role and (title != "president" or "vice" not in role):
                country = self.table.country_of(earlier.role)
                if country is not None and country in self.table.by_country:
                    return self.table.by_country[country]
        return None

    def _group_speaker(self, text: str, mention: Mention, before: list[Mention]) -> str | None:
        """The body a group of its officials speaks for, or None: "ASEAN foreign ministers said" (ASEAN), and
        "U.N. officials said" where the mention is only "officials" (the United Nations)."""
        words = re.sub(r"(?i)^(?:the|a|an)\s+", "", mention.name or mention.text)
        group = _GROUP_OF.fullmatch(words)
        if group is not None and group.group("body")[:1].isupper():
            return self._group_body(group.group("body"), before)
        owner = _NAME_BEFORE.search(text, max(0, mention.start - 80), mention.start)
        if group is None and owner is not None and _GROUP_OF.fullmatch("X " + words):
            return self._group_body(owner.group("body"), before)
        return None

    def _group_body(self, body: str, before: list[Mention]) -> str | None:
        """The body a group of its officials speaks for: a known actor ("NATO", "U.N." -> United Nations), a
        country adjective ("Philippine" -> Philippines), or an organisation named earlier ("Council" -> the UN
        Security Council)."""
        actor = self.table.resolve(body)
        if actor is not None and actor.type != "person":
            return actor.id
        country = self.table.country_of(body) if len(body.split()) == 1 else None
        if country is not None and country in self.table.by_country:
            return self.table.by_country[country]
        head = body.split()[-1].lower()
        earlier = next((m for m in reversed(before) if m.is_organisation and head in m.name.lower().split()), None)
        return earlier.name if earlier is not None else None

    @staticmethod
    def _with_for(text: str, mention: Mention) -> str:
        """The mention with a following "for the <noun>" ("A spokesman for the movement")."""
        after = re.match(r"\s+for\s+the\s+[a-z]+\b", text[mention.end : mention.end + 40])
        return mention.text + (after.group() if after else "")

    @staticmethod
    def _body_of_spokesperson(text: str, mention: Mention, named: list[Mention]) -> str | None:
        """An unnamed spokesperson speaks for their body: "An LNA spokesman" -> "LNA", "an Israeli military
        spokesman" -> "Israeli military", "a spokesman for the Kremlin" -> "Kremlin"."""
        words = mention.text.split()
        indefinite = re.search(r"(?i)\b(?:a|an|one)\s+$", text[max(0, mention.start - 4) : mention.start])
        if not words or not re.fullmatch(r"(?i)spokes\w+|adviser|advisor|official|officer|source|diplomat", words[-1]):
            return None
        if not (indefinite or words[0].lower() in ("a", "an", "one")):
            return None
        # "a senior French diplomat": the capitalised words name the body, "senior" and "top" do not
        body = " ".join(w for w in words[:-1] if w.lower() not in ("a", "an", "one", "senior", "top", "western"))
        if body.lower() in REGION_ADJECTIVES:
            return None  # "a senior European diplomat" speaks for no one body: the description is the speaker
        if body and body[0].isupper():
            return body
        if body.lower() in UNNAMED_BODIES:
            return body.lower()  # "a senior government official": the caller finds whose government
        if body.lower() == "administration":
            return "United States"  # "a senior administration official": wire copy's phrase for Washington
        # "a spokesman for the Kremlin", "an official in Prime Minister Benjamin Netanyahu's office"
        after = re.match(r"\s+(?:for|in|at|with|within)\s+(?:the\s+)?", text[mention.end : mention.end + 14])
        if after:
            start = mention.end + after.end()
            owner = next((m for m in named if m.start == start), None)
            person = owner is not None and bool(owner.role) and not owner.is_organisation
            if owner is not None and not (person and not after.group().strip().startswith("for")):
                return owner.name  # for a person or a body; in a body, not "in Prime Minister Netanyahu's office"
        return None

    @staticmethod
    def _fuller_name(word: str, before: list[Mention]) -> Mention | None:
        def bare(name_word: str) -> str:
            return re.sub(r"^(?:al|el|ad|as|ash|at|az)-", "", name_word, flags=re.IGNORECASE).casefold()

        people = [m for m in reversed(before) if len(m.name.split()) > 1 and not m.is_organisation]
        for last_only in (True, False):
            for earlier in people:
                parts = earlier.name.split()
                if bare(word) in [bare(p) for p in (parts[-1:] if last_only else parts)]:
                    return earlier
        return None

    def _full_name(self, referent: Mention, before: list[Mention]) -> str:
        words = referent.name.split()
        fuller = self._fuller_name(words[0], before) if len(words) == 1 else None
        return fuller.name if fuller is not None else referent.name

    def _last_person_speaker(
        self, text: str, pronoun: Mention, spoken: list[Attribution], before: list[Mention]
    ) -> Attribution | None:
        """'"...," he said' usually continues the person who spoke last, unless another person was named since
        (as the subject of a new sentence) -- a plain recency rule picks places and objects ("South Africa")."""
        word = pronoun.text.lower()
        if word not in ("he", "she"):
            return None
        wanted = "m" if word == "he" else "f"
        questioned = False
        for earlier in reversed(spoken):
            if earlier.mention is None or earlier.mention.start >= pronoun.start:
                continue
            if _REPORTERS.fullmatch(earlier.speaker):
                asked = self._asked(text, earlier.mention, before) if earlier.speaker == "reporter" else None
                if asked is not None:
                    return asked  # '"...?" a reporter asked Misri. "...," he said': the answer is Misri's
                questioned = True
                continue  # '"...?" another reporter asked. "...," he said': whoever was answering them
            if not (earlier.person or self._surname_alone(earlier)) or pronoun.start - earlier.mention.start > 1500:
                return None
            briefer = next(
                (
                    m
                    for m in reversed(before)
                    if questioned
                    and earlier.mention.start - 200 <= m.start < pronoun.start
                    and _SPOKESPERSON.search(m.role or "")
                    and m.gender == wanted
                    and m.name != earlier.speaker
                ),
                None,
            )
            if briefer is not None:
                # "Spokeswoman Heather Nauert said Tillerson had ... '...?' a reporter asked. '...,' she said": the
                # spokeswoman relaying him answers the question
                return Attribution(briefer.name, pronoun, briefer.role, person=True)
            if any(
                earlier.mention.end <= m.start
                and m.name != earlier.speaker
                and self._is_person(m, before)
                and not m.is_organisation
                and m.name not in self.places
                and opens_sentence(text, m.start)
                and not re.match(r"\s+and\s", text[m.end : m.end + 6])  # "X and Y skipped it. He said": neither
                for m in before
            ):
                return None  # a person named as a sentence's subject since: recency decides
            gender = earlier.mention.gender
            named = [m for m in before if m.name == earlier.speaker]
            gender = next((m.gender for m in named if m.gender), None) or (
                None if earlier.mention.kind == "pronoun" and earlier.mention.text.lower() == word else gender
            )
            if earlier.mention.kind == "pronoun" and earlier.mention.text.lower() in ("he", "she"):
                gender = "m" if earlier.mention.text.lower() == "he" else "f"
            return earlier if gender in (None, wanted) else None
        return None

    def _last_person(
        self, text: str, description: Mention, spoken: list[Attribution], before: list[Mention], reach: int
    ) -> Attribution | None:
        """The person a definite description that no title fits continues: the one a reporter asked just before
        ('"...?" a reporter asked Kirby. "No," the former admiral replied'), else the person who spoke last
        within a few paragraphs ("Hillary Clinton urged ... The top U.S. diplomat said"), unless a title or state
        in the description rules them out ("the former Kenyan leader" is not Rwanda's president)."""
        country = self.table.country_of(" ".join(description.text.split()[1:-1]))
        for earlier in reversed(spoken):
            if earlier.mention is None or earlier.mention.start >= description.start:
                continue
            if description.start - earlier.mention.start > reach:
                return None
            if earlier.speaker == "reporter":
                asked = self._asked(text, earlier.mention, before)
                if asked is not None:
                    return Attribution(asked.speaker, description, asked.role, person=True)
                continue
            if not (earlier.person or self._surname_alone(earlier)):
                continue
            theirs = self._role_country(earlier.role) if earlier.role else None
            if country is not None and theirs is not None and theirs != country:
                return None
            return Attribution(earlier.speaker, description, earlier.role, person=True, serves=earlier.serves)
        return None

    def _surname_alone(self, attribution: Attribution) -> bool:
        """A speaker named by one capitalised word that is no place, body or actor the table knows: wire copy names
        its best-known people by surname alone ("Guterres told the council", "Lavrov, speaking in Antalya, said")."""
        mention, name = attribution.mention, attribution.speaker
        if mention is None or mention.kind != "named" or mention.is_organisation or name in self.places:
            return False
        if not _SURNAME.fullmatch(name) or name.lower() in ORG_WORDS:
            return False
        return self.table.resolve(name) is None

    def _last_body_speaker(
        self, text: str, pronoun: Mention, spoken: list[Attribution], before: list[Mention]
    ) -> Attribution | None:
        """ "It said" / "they added" usually continue the body that spoke last, unless another organisation or state
        has been named as a sentence's subject since (then the nearest name decides, as before)."""
        if pronoun.text.lower() not in ("it", "they"):
            return None
        for earlier in reversed(spoken):
            if earlier.mention is None or earlier.mention.start >= pronoun.start:
                continue
            if earlier.person or earlier.speaker in ("reporter", "unknown") or earlier.mention.kind == "pronoun":
                return None
            if pronoun.start - earlier.mention.start > 1500:
                return None
            since = [
                m
                for m in before
                if earlier.mention.end <= m.start and m.is_organisation and opens_sentence(text, m.start)
            ]
            return None if since else earlier
        return None

    def _asked(self, text: str, reporter: Mention, before: list[Mention]) -> Attribution | None:
        gap = re.match(r"\s+asked\s+", text[reporter.end : reporter.end + 12])
        if gap is None:
            return None
        person = next((m for m in before if m.start == reporter.end + gap.end()), None)
        if person is None or person.is_organisation:
            return None
        fuller = self._fuller_name(person.name, before) if len(person.name.split()) == 1 else None
        target = fuller or person
        return Attribution(target.name, person, target.role, person=True)

    def _pronoun_referent(self, text: str, pronoun: Mention, before: list[Mention]) -> Mention | None:
        """The nearest earlier mention a pronoun fits; for "he"/"she", the subject of that mention's sentence
        where the subject fits too ("Serraj flew to Istanbul, where he met Erdogan. He said ..." is Serraj)."""
        word = pronoun.text.lower()
        for candidate in reversed(before):
            if word in ("he", "she"):
                if not self._fits_person_pronoun(text, word, candidate, before):
                    continue
                # the start of the candidate's sentence, looked for inside its paragraph only
                paragraph = text.rfind("\n", 0, candidate.start) + 1
                ends = [m.end() for m in _SENTENCE_END.finditer(text, paragraph, candidate.start)]
                opening = ends[-1] if ends else paragraph
                subject = next((m for m in before if opening <= m.start < candidate.start), None)
                if (
                    subject is not None
                    and not text[opening : subject.start].strip()
                    and self._fits_person_pronoun(text, word, subject, before)
                ):
                    return subject
                return candidate
            if word in ("it", "they") and (candidate.is_organisation or len(candidate.name.split()) == 1):
                return candidate
        return None

    def _fits_person_pronoun(self, text: str, word: str, candidate: Mention, before: list[Mention]) -> bool:
        if candidate.is_organisation or not self._is_person(candidate, before):
            return False
        if candidate.name in self.places or text.startswith(("'s", "\u2019s"), candidate.end):
            return False  # "South Africa's president": neither the state nor an owner is "he"
        gender = candidate.gender or self._gender_from_earlier(candidate, before)
        return gender is None or gender == ("m" if word == "he" else "f")

    def _description_referent(self, description: Mention, before: list[Mention]) -> Mention | None:
        if re.match(r"(?i)(?:a|an)\s", description.text):
            return None  # an indefinite description introduces someone new
        words = re.sub(r"(?i)\bsecretary\s+general\b", "secretary-general", description.text)
        # "the head of state said" is the president, "the head of government" the prime minister
        words = re.sub(r"(?i)\bhead of state\b", "president", words)
        words = re.sub(r"(?i)\bhead of government\b", "premier", words).lower().split()
        last = words[-1] if words else ""  # "the secretary general" is not a general
        head = last.rstrip("s")
        fits = ROLE_FITS.get(head)
        plural = last != head and not last.endswith("ss") and not description.text.lower().startswith("the ")
        if fits is not None and plural:
            return None  # "diplomats said": several people, none of them the envoy named before
        # "the prime minister" is not the foreign minister: a title word before the head must be in the role too
        qualifier = words[-2] if len(words) >= 2 and words[-2] in TITLE_QUALIFIERS else None
        armed = fits is not None and any(w in ("rebel", "guerrilla", "insurgent", "militia") for w in words[:-1])
        if armed and head == "leader":
            fits = (*fits, "commander")  # "the rebel leader" after "the rebel commander, Rodrigo Londono"
        # "the top U.S. diplomat" is not the Chinese foreign minister named last
        country = self.table.country_of(" ".join(description.text.split()[1:-1]))
        for candidate in reversed(before):
            role = candidate.role.lower()
            theirs = self._role_country(candidate.role or self._role_from_earlier(candidate, before))
            if country is not None and theirs is not None and theirs != country:
                continue
            if fits is None:
                # An organisation noun ("the ministry", "the council") refers to the last organisation named; one
                # with an owner of its own ("The ICC prosecutor's office") only to an organisation it names.
                owners = [w for w in description.text.split()[1:] if w[:1].isupper()]
                named_owner = all(re.sub(r"['\u2019]s$", "", w) in candidate.text for w in owners)
                if candidate.is_organisation and head in candidate.text.lower() and named_owner:
                    return candidate
                continue
            roles = [role, self._role_from_earlier(candidate, before)]
            if qualifier is not None and not any(qualifier in r for r in roles):
                continue
            if armed and not any(self._names_armed_group(r) for r in roles):
                continue  # "the rebel leader" is not the president who spoke last
            if any(fit in r for fit in fits for r in roles):
                return candidate
        return None

    def _names_armed_group(self, role: str) -> bool:
        """A role held in an armed group: "FARC leader", "rebel commander", "M23 spokesman"."""
        if re.search(r"\b(?:rebel|guerrilla|insurgent|militia)", role):
            return True
        return any(self._armed_group_named(word) for word in role.split())

    def _is_person(self, candidate: Mention, before: list[Mention]) -> bool:
        if candidate.role and not candidate.is_organisation:
            return True
        words = candidate.name.split()
        if len(words) == 1 and self._fuller_name(words[0], before) is not None:
            return True  # "Serraj" after "Prime Minister Fayez al-Serraj"
        return len(words) >= 2 or bool(self._role_from_earlier(candidate, before))

    def _role_from_earlier(self, candidate: Mention, before: list[Mention]) -> str:
        """The role of the first mention in ``before`` with a role and the candidate's surname."""
        surname = candidate.name.split()[-1] if candidate.name else ""
        if not before:
            return ""
        for earlier in self._with_roles.get(surname, ()):  # in article order, so the first one inside wins
            if earlier.start >= before[0].start and earlier.end <= before[-1].end:
                return earlier.role.lower()
        return ""

    def _gender_from_earlier(self, candidate: Mention, before: list[Mention]) -> str | None:
        surname = candidate.name.split()[-1] if candidate.name else ""
        for earlier in before:
            if earlier.name.split()[-1:] == [surname] and earlier.gender:
                return earlier.gender
        return None


def _default_places(table: ActorTable) -> set[str]:
    return {alias for alias, actor in table.aliases() if actor.type == "government"}
