"""Canonical actors: speakers resolved to a table of states, ministries, organisations and armed groups.

The table is data (``classifier/resources/actors.tsv``: id, type, country, org, aliases) so users can extend it or
pass their own. Metonyms are aliases ("Baku", "the Kremlin" -> their state). A person keeps their own name as
actor id, typed ``person``, with the country read from their title ("Turkish Foreign Minister" -> TUR).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

TYPES = {
    "government",
    "ministry",
    "person",
    "international_organisation",
    "regional_organisation",
    "armed_group",
    "other",
}


@dataclass(frozen=True)
class Actor:
    """A canonical actor: ``country`` is ISO 3166-1 alpha-3, ``org`` an organisation code, where known."""

    id: str
    type: str
    country: str | None = None
    org: str | None = None


# A possessive ending, singular or plural: "Rwanda's", "the Philippines'", "the United States\u2019".
POSSESSIVE = r"(?:['\u2019]s|(?<=s)['\u2019])"


def _key(name: str) -> str:
    name = re.sub(r"[’']s$", "", name.strip())
    # "U.N. human rights office" is the "UN human rights office" alias
    name = re.sub(r"\b[A-Za-z](?:\.[A-Za-z])+\b\.?", lambda m: m.group().replace(".", ""), name)
    return re.sub(r"^the\s+", "", name, flags=re.IGNORECASE).casefold()


# Titles of people who speak for someone else, and where the title names who ("spokesman for the Kremlin",
# "State Department spokeswoman", "Russia's deputy U.N. ambassador", "UN envoy").
# A state's organ named by the state's adjective: "Philippine Navy", "Uzbek Embassy in Moscow".
_STATE_BODY = re.compile(
    r"(?:the\s+)?(?P<state>[A-Z][\w.-]*)\s+(?:Navy|Army|Air Force|Coast Guard|Embassy|Department of [A-Z][\w ]+|"
    r"Ministry of [A-Z][\w ]+|(?:[A-Z][a-z]+\s+)?Ministry|Armed Forces|Defen[cs]e Forces|Military|Mission to the "
    r"United Nations)\b",
    re.IGNORECASE,
)
_AGENTS = (
    r"spokes(?:man|woman|person|people)|press secretary|envoy|ambassador|representative|official|negotiator|mediator|"
    r"coordinator|advis[eo]r|under-secretary-general"
)
_SPEAKS_FOR = re.compile(
    r"\b(?P<agent>" + _AGENTS + r")\s+(?P<prep>for|of|to)\s+"
    r"(?P<body>(?:the\s+)?[A-Z][\w.'\u2019-]*(?:\s+[\w.'\u2019-]+){0,5})"
)
# Where an envoy or ambassador is posted, which is not whom they serve: "envoy for the Horn of Africa",
# "ambassador to the United Nations".
_POSTED = r"envoys?|ambassadors?|representatives?|mediators?|coordinators?"  # titles that are sent somewhere
POSTING = re.compile(r"(?i)\b(?:" + _POSTED + r")\s+(?:for|to|in|on)\s.*$")
# Everything after a spokesperson's "for" or "of", when it is one name: checked against the table whole.
_AGENT_OF_NAME = re.compile(
    r"\b(?P<agent>" + _AGENTS + r")\s+(?:for|of)\s+(?:the\s+)?(?P<body>[A-Z][^,()]*?)\s*(?:\([A-Z]{2,}\))?$"
)
_POSTED_AGENT = re.compile(r"(?i)" + _POSTED)  # "envoy for Syria": where they are sent, not whom they serve
# "Brig Gen ... of U.S. Central Command", "commander of the UN mission": the body a titled officer serves
_SERVES = re.compile(r"\bof\s+(?:the\s+)?(?P<body>[A-Z][\w.'\u2019-]*(?:\s+[\w.'\u2019-]+){0,5})$")
_OFFICER = re.compile(
    r"(?i)\b(?:gen|general|brig|brigadier|col|colonel|maj|major|lt|lieutenant|capt|captain|adm|admiral|commander|"
    r"officer|" + _AGENTS + r")\b"
)
# A name of a state's whole government: "Iraq's government", "Mali's military authorities", "the junta".
_WHOLE_STATE = re.compile(r"(?i)\b(?:government|authorities|junta)$")
# An organisation's own deciding organ, which speaks for itself: "UN Security Council", "International Court of
# Justice", "AU Peace and Security Council".
_ORGAN = re.compile(r"(?i)\b(?:council|assembly|court|tribunal|bank|group|parliament|summit)\b")
# A spokesperson's title that names no body: "a spokesman", "The spokeswoman" (the body is the speaker itself).
_BARE_AGENT = re.compile(r"(?i)(?:(?:the|a|an)\s+)?(?:" + _AGENTS + r")")
_TITLED_BY = re.compile(
    r"(?i)(?:(?:the|a|an)\s+)?(?:(?:senior|top|deputy|acting|former)\s+)*(?P<body>(?!(?:the|a|an)\s).+?)(?:['\u2019]s)?\s+"
    r"(?:(?:deputy|chief|special|top|personal|senior|permanent|acting|"
    r"U\.?N\.?)\s+)*(?:" + _AGENTS + r")\b"
)

# The head of a body's arm, mission or delegation speaks for the body ("EU foreign policy chief", "the RPF's military
# commander", "head of the ICRC delegation"); a head of state or government, or a party's leader ("GNA chief",
# "TPLF chairman"), speaks in their own name, so only a domain word between the body and "chief" counts.
_DOMAIN_CHIEF = re.compile(
    r"(?P<body>[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*)*?)(?:['\u2019]s)?\s+(?:[a-z][\w-]*\s+){1,3}"
    r"(?:chief|head|commander)$"
)
_DELEGATION = re.compile(r"\s+(?:delegation|negotiating team|mission|team)\b")
_HEAD_OF = re.compile(
    r"\b(?:(?:[Hh]ead|[Cc]hief|[Cc]hairman|[Cc]hairwoman|[Cc]ommander)\s+of|"
    r"(?<=who\s)(?:(?P<leads>heads|leads|led|headed)|chairs))\s+(?:the\s+)?"
    r"(?P<body>[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|in|of|for|on))*)(?:\s+\((?P<short>[A-Z][\w.-]+)\))?"
)


class ActorTable:
    """Alias lookup over an actor table.

    >>> table = ActorTable.load()
    >>> table.resolve("the Kremlin").id, table.resolve("Baku").country
    ('Russia', 'AZE')
    >>> table.resolve("Mevlut Cavusoglu", role="Turkish Foreign Minister")
    Actor(id='Mevlut Cavusoglu', type='person', country='TUR', org=None)
    """

    def __init__(self, actors: list[tuple[Actor, list[str]]]) -> None:
        self.by_alias: dict[str, Actor] = {}
        # Demonyms ("Azerbaijani", "Azeri") come from government aliases of the form "<demonym> government".
        self.country_words: dict[str, str] = {}
        self.spelled: list[tuple[str, Actor]] = []
        self.by_country: dict[str, str] = {}  # ISO code -> the government's actor id
        for actor, aliases in actors:
            for alias in [actor.id, *aliases]:
                self.by_alias.setdefault(_key(alias), actor)
                self.spelled.append((alias, actor))
                if actor.type == "government" and actor.country:
                    self.by_country.setdefault(actor.country, actor.id)
                    match = re.fullmatch(r"(.+?) government", alias)
                    word = match.group(1) if match else alias
                    if " " not in word and len(word) > 2 or word in ("US", "UK", "UAE", "U.S.", "U.K."):
                        self.country_words.setdefault(word.casefold(), actor.country)

    def aliases(self) -> list[tuple[str, Actor]]:
        """Every ``(alias, actor)`` pair of the table, aliases in their original spelling."""
        return list(self.spelled)

    @classmethod
    def load(cls, path: str | Path | None = None) -> ActorTable:
        """Read a TSV actor table (the bundled one by default); bad rows raise ``ValueError`` with file:line."""
        if path is None:
            source = resources.files("classifier").joinpath("resources/actors.tsv")
            text, name = source.read_text(encoding="utf-8"), "classifier/resources/actors.tsv"
        else:
            text, name = Path(path).read_text(encoding="utf-8"), str(path)
        rows = list(csv.reader(text.splitlines(), delimiter="\t"))
        if not rows or rows[0] != ["id", "type", "country", "org", "aliases"]:
            raise ValueError(f"{name}:1: header must be: id, type, country, org, aliases (tab-separated)")
        actors = []
        for number, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) != 5:
                raise ValueError(f"{name}:{number}: expected 5 tab-separated fields, got {len(row)}")
            actor_id, kind, country, org, aliases = row
            if kind not in TYPES:
                raise ValueError(f"{name}:{number}: type: unknown {kind!r} (known: {sorted(TYPES)})")
            if country and not re.fullmatch(r"[A-Z]{3}", country):
                raise ValueError(f"{name}:{number}: country: expected an ISO 3166-1 alpha-3 code, got {country!r}")
            actors.append((Actor(actor_id, kind, country or None, org or None), [a for a in aliases.split("|") if a]))
        return cls(actors)

    def resolve(self, speaker: str, role: str = "", person: bool = False) -> Actor | None:
        """The actor for a resolved speaker name; ``role`` is the title read beside a person's name, ``person``
        says the attributor took the speaker for a person (a name with a title, or a full name)."""
        if not speaker:
            return None
        found = self.by_alias.get(_key(speaker))
        if found is not None:
            return found
        owner = re.match(r"(.+?)" + POSSESSIVE + r"\s", speaker)
        if owner and not role:
            # "Rwanda's foreign ministry" with no row of its own speaks for Rwanda
            return self.by_alias.get(_key(owner.group(1)))
        if role and role != speaker or person:
            return Actor(speaker, "person", self.country_of(role))
        return None

    def principal(self, speaker: str, role: str = "", actor: Actor | None = None) -> str | None:
        """The body or principal a speaker speaks for (``on_behalf_of``), or None when they speak for themselves.

        A spokesperson, envoy, ambassador, representative or official speaks for the body in their title
        ("State Department spokeswoman" -> State Department, "spokesman for the Kremlin" -> Kremlin, "Russia's
        deputy U.N. ambassador" -> Russia); a ministry, army or other body of a state speaks for the state.

        >>> table = ActorTable.load()
        >>> table.principal("Tammy Bruce", "State Department spokeswoman")
        'State Department'
        >>> table.principal("Azerbaijan's Defence Ministry"), table.principal("Russian Foreign Ministry")
        ('Azerbaijan', 'Russia')
        >>> table.principal("Kremlin") is None
        True
        """
        found = self._principal(speaker, role, actor)
        if found is None or _key(found) == _key(speaker):
            return None
        mine, theirs = actor or self.resolve(speaker), self.resolve(found)
        itself = self.by_alias.get(_key(speaker)) is theirs or _WHOLE_STATE.search(speaker) is not None
        # "a senior Turkish official" (speaker Turkey) and "Iraq's government" are the state itself, speaking for no
        # one else; "Azerbaijan's Defence Ministry" speaks for Azerbaijan
        return None if mine is not None and theirs is not None and mine.id == theirs.id and itself else found

    def _principal(self, speaker: str, role: str, actor: Actor | None) -> str | None:
        if role and role != speaker:
            whole = _AGENT_OF_NAME.search(role)
            known = self.resolve(whole.group("body")) if whole is not None else None
            if known is not None and known.type != "person" and not _POSTED_AGENT.fullmatch(whole.group("agent")):
                # "A spokesperson for the U.N. Office for the Coordination of Humanitarian Affairs": a name the table
                # knows whole, "of" and "for" inside it included
                return whole.group("body")
            served = _SERVES.search(POSTING.sub("", role)) if _OFFICER.search(role) else None
            if served and not re.fullmatch(r"(?i)state|defen[cs]e|foreign affairs", served.group("body")):
                return served.group("body")
            body = _SPEAKS_FOR.search(role) or _TITLED_BY.match(role)
            named = re.sub(r"^(?:the|a|an)\s+", "", body.group("body").strip(" ,"), flags=re.IGNORECASE) if body else ""
            posting = body is not None and "prep" in body.groupdict()
            if posting and self._posted_to(body.group("agent"), body.group("prep"), named):
                # "UN envoy for Syria", "Russia's ambassador to the UN": the body or state that sends them
                return self._sender(role[: body.start("agent")])
            if named and _key(named) != _key(speaker) and named[:1].isupper():
                if _key(named) not in self.by_alias and (country := self.country_of(named.split()[0])):
                    return self.by_country.get(country, named)  # "British Ambassador", "Israeli military spokesman"
                return named
            if body is None and (headed := self._headed_body(role)) is not None:
                return headed
            if body is None and not _BARE_AGENT.fullmatch(role):
                return None
            # "a Kremlin spokesman" was resolved to the Kremlin itself: what the body speaks for, if anything
        actor = actor or self.resolve(speaker)
        if actor is not None and actor.type in ("ministry", "other") and actor.country:
            return self.by_country.get(actor.country)  # a state's ministry, army or agency speaks for the state
        if actor is not None and actor.org and actor.type.endswith("organisation") and not _ORGAN.search(actor.id):
            parent = self.resolve(actor.org)
            if parent is not None and parent.id != actor.id:
                return parent.id  # an agency, office or mission speaks for its organisation ("UNHCR", "KFOR")
        state_body = _STATE_BODY.match(speaker) if actor is None or actor.type != "government" else None
        if state_body is not None and (country := self.country_of(state_body.group("state"))) in self.by_country:
            return self.by_country[country]  # "Philippine Navy", "the Uzbek Embassy in Moscow": the state
        owner = re.match(r"(.+?)" + POSSESSIVE + r"\s+\w", speaker)
        if owner is not None and owner.group(1) != speaker:
            found = self.by_alias.get(_key(owner.group(1)))
            if found is not None and found.type != "person":
                return found.id
        return None

    def _posted_to(self, agent: str, preposition: str, named: str) -> bool:
        """An ambassador or envoy "to" a body or state, or "for" a place ("envoy for Syria", "for Western
        Sahara"): where they are posted, not who sends them; a spokesperson "for" anyone speaks for them."""
        if preposition == "to":
            return True
        if preposition != "for" or not re.fullmatch(_POSTED, agent, re.IGNORECASE):
            return False
        actor = self.by_alias.get(_key(named))
        return actor is None or actor.type == "government"

    def _sender(self, before: str) -> str | None:
        """The body or state named before an envoy's title ("UN", "U.S.", "Russia's", "the Chinese"), if any."""
        words = re.sub(r"(?i)^(?:the|a|an)\s+", "", before.strip()).split()
        for n in range(len(words), 0, -1):
            for start in range(len(words) - n + 1):
                name = re.sub(POSSESSIVE + "$", "", " ".join(words[start : start + n]))
                actor = self.by_alias.get(_key(name))
                if actor is not None and actor.type != "person":
                    # the Secretary-General's envoy speaks for the UN: an organisation's office, for the organisation
                    return actor.org if actor.org and actor.type == "international_organisation" else actor.id
        country = self.country_of(" ".join(words))
        return self.by_country.get(country) if country else None

    def _headed_body(self, role: str) -> str | None:
        """The body whose arm, mission or delegation the role heads, when the table knows it or it names a state
        ("EU foreign policy chief" -> European Union, "head of the Ukrainian delegation" -> Ukraine)."""
        role = re.split(r"\n|(?<=[a-z])\.\s", role)[-1]  # a title read across a paragraph break keeps its last part
        found = _HEAD_OF.search(role) or _DOMAIN_CHIEF.search(role)
        if found is None:
            return None
        if found.groupdict().get("leads") and not _DELEGATION.match(role, found.end()):
            return None  # "who leads the G9 alliance": a leader speaks for themselves, a delegation's head does not
        names = [found.group("body")] + ([found.group("short")] if found.groupdict().get("short") else [])
        for name in names:
            actor = self.by_alias.get(_key(name))
            if actor is not None and actor.type != "person":
                return actor.id
        if re.search(r"(?i)\bchair", found.group()):
            return None  # "the chairman of the Tajik parliament" leads the state: the table must know the body
        if _DELEGATION.match(role, found.end()) and not self.country_of(found.group("body").split()[0]):
            return found.group("short") or found.group("body")  # "head of the LRA delegation": the body it is of
        country = self.country_of(found.group("body").split()[0])
        return self.by_country.get(country) if country else None

    def country_of(self, words: str) -> str | None:
        """The first country named or implied in ``words`` ("US Secretary of State" -> USA)."""
        for token in re.findall(r"[\w.'-]+", words):
            country = self.country_of_word(token)
            if country is not None:
                return country
        return None

    def country_of_word(self, word: str) -> str | None:
        """The country one word names, as a name, a possessive or a demonym ("Azerbaijan's", "Azerbaijani")."""
        return self.country_words.get(re.sub(POSSESSIVE + "$", "", word).casefold())
