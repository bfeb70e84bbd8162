"""Finding who could be speaking: named mentions, pronouns and descriptions, with titles separated from names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.actors import POSSESSIVE, ActorTable

# Lower-case role words allowed inside a named mention ("State Department spokeswoman Morgan Ortagus").
ROLE_WORDS = {
    "spokesman", "spokeswoman", "spokesperson", "spokespeople", "minister", "ministers", "ministry", "envoy",
    "envoys", "ambassador", "official", "officials", "president", "secretary", "chief", "commander", "leader",
    "leaders", "representative", "negotiator", "negotiators", "diplomat", "diplomats", "general", "resolution",
    "resolutions", "statement", "government", "forces", "army", "military", "mission", "delegation", "premier",
    "chancellor", "head", "chairman", "chairperson", "chair", "rebels", "militia", "authorities",
}  # fmt: skip
# Title words: everything up to the last of these in a mention is the role, the rest the name.
TITLE_WORDS = ROLE_WORDS | {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "adm", "sen", "rep", "gov", "pres", "sheikh", "king", "fm",
    "pm",
    "queen", "emir", "prince", "pope", "cardinal", "archbishop", "mayor", "senator", "governor", "deputy", "vice",
    "foreign", "defense", "defence", "interior", "prime", "state", "secretary-general", "under-secretary-general",
    "high", "special", "field", "marshal", "colonel", "major", "lieutenant", "admiral", "brigadier", "captain",
    "affairs", "department", "coordinator", "rapporteur", "commissioner", "adviser", "advisor", "aide",
    "counsellor", "councillor", "speaker", "attorney", "justice", "judge", "director", "director-general",
    "senators", "presidents", "ambassadors", "generals",  # "Senators Joseph Biden, Richard Lugar and ..."
}  # fmt: skip
# Bodies an officer serves that do not make a name an organisation alone ("of the UN peacekeeping force"); the
# ones that do ("of U.S. Central Command") are in ORG_WORDS.
SERVICE_WORDS = {"force", "operation"}
# Title words that are also surnames, when they end a name: "Prime Minister John Major".
RANK_SURNAMES = {"major", "speaker", "justice", "marshal", "king", "judge", "bishop", "general"}
CONNECTORS = {
    "of", "for", "the", "de", "del", "da", "di", "bin", "al", "van", "von", "la", "le", "du", "on", "dos", "das", "do",
}  # fmt: skip
# Capitalised words that start sentences or name times, not speakers.
STOP_CAPITALS = {
    "the", "a", "an", "in", "on", "at", "by", "for", "with", "from", "to", "but", "and", "or", "if", "as",
    "after", "before", "earlier", "later", "meanwhile", "however", "asked", "speaking", "while", "when",
    "since", "although", "though", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i",
    "you", "his", "her", "their", "its", "our", "my", "there", "here", "both", "all", "some", "many",
    "several", "no", "not", "yet", "still", "also", "then", "during", "despite", "under", "over", "amid",
    "according", "what", "who", "why", "how", "where", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "talk", "talks", "fighting", "one", "two", "three", "each", "such", "so",
    "outside", "inside", "instead", "now", "today", "tonight", "yesterday", "last", "next", "once", "even",
    "only", "just", "about", "around", "against", "between", "among", "through", "without", "within", "until",
    "nearly", "almost", "more", "most", "other", "another", "any", "every", "do", "does", "did", "would",
    "will", "should", "could", "can", "must", "might", "let", "please", "thank", "thanks", "yes",
    "officials", "reports", "witnesses", "residents", "analysts", "observers", "critics", "sources", "aid",
}  # fmt: skip
ORG_WORDS = {
    "council", "ministry", "union", "nations", "department", "group", "army", "forces", "party", "front",
    "organization", "organisation", "committee", "court", "government", "republic", "states", "kingdom",
    "movement", "league", "alliance", "agency", "office", "mission", "assembly", "parliament", "brigade",
    "brigades", "house", "kremlin", "coalition", "federation", "commission", "cross", "crescent", "watch",
    "international", "bank", "fund", "programme", "program", "secretariat", "authority", "administration",
    "officials", "resolutions", "resolution", "spokespeople", "delegation", "authorities", "ecowas", "igad",
    "military", "junta", "presidency", "cabinet", "embassy", "forum",
    # bodies a description can refer back to (as coref.ORG_HEADS): "U.S. Africa Command" ... "The command said"
    "command", "navy", "militia", "bloc", "corps", "guard", "guards", "police", "service",
    # news organisations, which are told things and quoted from, never a "he" or "she": "The Associated Press"
    "press", "presse", "radio", "television", "news", "times", "post", "journal", "tribune", "jazeera",
}  # fmt: skip
# Common nouns that open an "X and Y <Body>" name; a state or person before "and" starts a list instead.
NAME_NOUNS = {
    "peace", "security", "justice", "development", "cooperation", "co-operation", "reconciliation", "truth",
    "relief", "works", "trade", "human", "hostages", "families", "research", "reform", "defence", "defense",
    "science", "culture", "health", "democracy", "freedom", "liberation", "unity", "progress", "stability",
    "citizenship", "immigration", "affairs",
}  # fmt: skip
FEMALE = {"spokeswoman", "mrs", "ms", "queen", "madam", "chairwoman", "congresswoman"}
MALE = {"spokesman", "mr", "king", "emir", "prince", "sheikh", "chairman", "congressman", "pope", "cardinal"}

# Heads of definite descriptions that can refer back to a named speaker ("the top US diplomat").
DESCRIPTION_HEADS = (
    "diplomat|minister|secretary|president|envoy|ambassador|spokesman|spokeswoman|spokesperson|premier|"
    "chancellor|leader|general|commander|mediator|negotiator|king|emir|prince|chief|ministry|council|"
    "government|group|movement|organisation|organization|agency|bloc|alliance|body|mission|army|military|"
    "rebels|militia|committee|union|league|administration|kremlin|foreign office|state department|senator|"
    "lawmaker|congressman|congresswoman|nominee|candidate|commission|campaign|source|official|spokesman|governor|"
    "mayor|economist|analyst|expert|professor|researcher|lawyer|attorney|judge|court|company|newspaper|network|"
    "agency|activist|organizer|organiser|strategist|adviser|advisor|aide|chairman|chairwoman|chair|director|"
    "president-elect|prosecutor|ambassador|envoy|panel|party|coalition|group|secretary-general"
)
_DESCRIPTION = re.compile(
    r"\b(?:the|a|an|one)\s+(?:[A-Za-z][\w.'-]*\s+){0,3}?(?:" + DESCRIPTION_HEADS + r")s?\b(?!-)"
    # "the 65-year-old", "the 55-year-old former warlord", "the 60-year-old Argentine diplomat", "the 67-year-old
    # coup leader"
    r"|\bthe\s+\d{2,3}-year-old(?:\s+former)?(?:\s+[A-Z][a-z]+)?(?:\s+[a-z]+)?\s+(?:" + DESCRIPTION_HEADS + r")\b"
    r"|\bthe\s+\d{2,3}-year-old(?:\s+former\s+[a-z]+)?",
    re.IGNORECASE,
)
# Unnamed groups of people who speak in wire copy ("Residents in Khan Younis said", "diplomats said").
GROUP_NOUNS = (
    "residents|witnesses|officials|diplomats|analysts|medics|doctors|sources|observers|experts|aid workers|"
    "rescuers|survivors|villagers|activists|protesters|lawmakers|mediators|negotiators|monitors|father|mother|"
    "reporter|reporters|journalist|journalists|correspondent|"
    "resident|witness|man|woman"
)
_GROUP = re.compile(
    r"\b(?:(?:the|a|an|one|some|several|two|three|many)\s+)?(?:(?!(?:and|or|but|nor)\s)[a-z][\w-]*\s+)?(?:"
    + GROUP_NOUNS
    + r")\b",
    re.IGNORECASE,
)
# "Richard Neal of U.S. Central Command": the body a named person serves, after the name.
_BODY_AFTER_NAME = re.compile(r"\s+(?:of|from|at)\s")
_LOCATIVE = re.compile(r"\b(?:in|at|from|near|outside|across|throughout|into|to|toward|towards)\s+$", re.IGNORECASE)
# A quoted nickname inside a name, and the marks around it: 'Jimmy "Barbecue" Cherizier'.
_NICKNAME_OPEN = re.compile(r"\s+[\"\u201c]")
_NICKNAME_CLOSE = re.compile(r"[\"\u201d]\s+[A-Z\u00c0-\u024f]")
_NICKNAME = re.compile(r"\s+[\"\u201c][A-Z][\w.'-]*[\"\u201d]\s+")
# Arabic and other name particles written in lower case: "al-Ansari", "el-Sisi", "bin Zayed".
_PARTICLE_NAME = re.compile(r"(?:al|el|ad|as|ash|at|az|ibn|abu)-[A-Z\u00c0-\u024f]")
# The body a state owns, after its name or demonym ("Rwanda's foreign ministry", "Syrian foreign ministry").
BODY_HEADS = (
    "ministry|government|military|army|authorities|armed forces|presidency|cabinet|foreign office|embassy|"
    "defence ministry|defense ministry|interior ministry|junta|security forces|office|agency"
)
_BODY = re.compile(
    r"\.?" + POSSESSIVE + r"?\s+(?:(?:(?!(?:said|says|say|told|the|a|an|and|or|of|to|has|have|had|was|were|is|are|will|"
    r"would)\b)[a-z][\w-]*|Foreign|Defen[cs]e|Interior|Information)\s+){0,2}?(?:"
    + BODY_HEADS
    + r"|Ministry|Government|Army|Armed Forces|Presidency|Cabinet)\b(?:\s+(?:authorities|government|forces|junta)\b)?"
)
_DEMONYM = re.compile(r"(?:an|ese|ish|i|ch|ic|U\.?S|U\.?N|UK|EU)$")
# "Iran's foreign ministry spokesman Nasser Kanaani": the body is the person's title, not the speaker.
_ROLE_AFTER = re.compile(r"\s+(?:spokes\w+|official|officials|minister|adviser|advisor|envoy|source|sources|chief)\b")
_PRONOUN = re.compile(r"\b(?:he|she|they|it)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f'’.-]*[\w\u00c0-\u024f.]|[A-Za-z\u00c0-\u024f]")


@dataclass
class Mention:
    """A span of the article that may name a speaker.

    ``kind`` is ``named``, ``pronoun`` or ``description``; ``name`` is the speaker's name with titles removed
    (empty when the mention is a title alone), ``role`` the title or role words.
    """

    start: int
    end: int
    text: str
    kind: str
    name: str = ""
    role: str = ""
    locative: bool = False  # right after "in", "at", "from" ...: a place, not a speaker

    @property
    def gender(self) -> str | None:
        words = {w.lower().rstrip(".") for w in self.role.split()} | {self.text.lower()}
        if words & FEMALE or self.text.lower() == "she":
            return "f"
        if words & MALE or self.text.lower() == "he":
            return "m"
        return None

    @property
    def is_organisation(self) -> bool:
        if self.name and self.role and self.name != self.text:
            at = self.text.find(self.name)
            if self.text.endswith(self.name) or (at >= 0 and _BODY_AFTER_NAME.match(self.text, at + len(self.name))):
                # a title then a name: "United Nations Secretary-General Antonio Guterres", or a name then the
                # body: "Brig. Gen. Richard Neal of U.S. Central Command"
                return False
        words = {w.lower().strip(".") for w in re.split(r"[\s-]+", self.text)}  # "Movement-in-Opposition"
        return bool(words & ORG_WORDS) or (self.text.isupper() and len(self.text) > 1)


def split_title(text: str) -> tuple[str, str]:
    """Separate role words from the name: ``"Secretary of State Mike Pompeo" -> ("Mike Pompeo", "Secretary of
    State")``. Names of organisations come back whole.

    >>> split_title("Turkish Foreign Minister Mevlut Cavusoglu")
    ('Mevlut Cavusoglu', 'Turkish Foreign Minister')
    >>> split_title("President Hassan Sheikh Mohamud")
    ('Hassan Sheikh Mohamud', 'President')
    >>> split_title("UN Security Council resolutions")
    ('UN Security Council', 'resolutions')
    """
    if re.search(r"['\u2019]s\s+(?:" + "|".join(_OFFICES) + r")$", text):
        return text, ""  # "Israeli Prime Minister's Office": a body, named after its head's title
    words = text.split()
    lowered = [w.lower().strip(".,") for w in words]
    last_title = -1
    for i, word in enumerate(lowered):
        if word == "sheikh" and 0 < i < len(words) - 1 and last_title < i - 1:
            continue  # a name's middle, after a given name: "President Hassan Sheikh Mohamud"
        joining = word in CONNECTORS or (word == "to" and lowered[i - 1] in _ACCREDITED)
        if word in TITLE_WORDS or (joining and 0 < i < len(words) - 1 and last_title == i - 1):
            last_title = i
    # "of State" after "Secretary": a capitalised word right after a connector inside a title belongs to it, and
    # so does a body's whole name ("Ambassador to the United Nations Linda Thomas-Greenfield")
    while last_title >= 1 and (lowered[last_title] in CONNECTORS or lowered[last_title] == "to"):
        if last_title + 1 >= len(words):
            break
        last_title += _body_words(words[last_title + 1 :])
    surname = last_title == len(words) - 1 and words[-1][:1].isupper() and lowered[-1] in RANK_SURNAMES
    if surname and last_title >= 1 and lowered[last_title - 1] not in TITLE_WORDS | CONNECTORS:
        last_title -= 2  # a rank as a surname: "Prime Minister John Major", "Justice Minister Ali Speaker"
        while last_title >= 0 and lowered[last_title] not in TITLE_WORDS:
            last_title -= 1
    name_words = words[last_title + 1 :]
    if last_title >= 0 and name_words and name_words[0][0].isupper():
        name, role = " ".join(name_words), " ".join(words[: last_title + 1])
        # "Brig Gen Richard Neal of U.S. Central Command": the body is part of the title, not of the name
        body = re.match(r"(.+?\S\s+\S+?)\s+(of\s+(?:the\s+)?\S.*)$", name)
        if body and set(w.lower().strip(".,") for w in body.group(2).split()) & (ORG_WORDS | SERVICE_WORDS):
            return body.group(1), f"{role} {body.group(2)}"
        return name, role
    if set(lowered) & ORG_WORDS:
        # An organisation: drop trailing lower-case body words ("resolutions", "officials") only.
        cut = len(words)
        while cut > 1 and words[cut - 1].islower() and lowered[cut - 1] in ROLE_WORDS:
            cut -= 1
        if cut == 1 and len(words) > 1 and _DEMONYM.search(words[0]):
            return text, ""  # "Ugandan military", "Israeli forces": the body, not the demonym alone
        return " ".join(words[:cut]), " ".join(words[cut:])
    if last_title >= 0 and not name_words:
        return "", text
    return text, ""


def find_mentions(text: str, start: int, end: int, blocked: list[tuple[int, int]]) -> list[Mention]:
    """Named mentions, pronouns and definite or indefinite descriptions in ``text[start:end]``.

    Spans inside ``blocked`` (quoted words) are skipped: "we" in a quotation is not the attribution.
    """
    mentions = _with_bodies(text, _named(text, start, end), end)
    taken = [(m.start, m.end) for m in mentions]
    for match in _DESCRIPTION.finditer(text, start, end):
        # "The top EU diplomat", "the former Kenyan leader": a title with no name is a description, all of it
        inside = [m for m in mentions if m.start < match.end() and match.start() < m.end]
        if all(not m.name and match.start() <= m.start and m.end <= match.end() for m in inside):
            mentions = [m for m in mentions if m not in inside]
            mentions.append(Mention(match.start(), match.end(), match.group(), "description", role=match.group()))
    taken = [(m.start, m.end) for m in mentions]
    for match in _GROUP.finditer(text, start, end):
        taken = [(m.start, m.end) for m in mentions]
        if not any(a < match.end() and match.start() < b for a, b in taken):
            mentions.append(Mention(match.start(), match.end(), match.group(), "description", role=match.group()))
    for match in _PRONOUN.finditer(text, start, end):
        mentions.append(Mention(match.start(), match.end(), match.group(), "pronoun"))
    kept = [m for m in mentions if not any(a <= m.start < b for a, b in blocked)]
    for mention in kept:
        # "in Kabul" is a place; "a letter from President George Bush" is not
        titled = mention.kind == "named" and bool(mention.role) and not mention.is_organisation
        mention.locative = not titled and _LOCATIVE.search(text, max(0, mention.start - 12), mention.start) is not None
    return sorted(kept, key=lambda m: m.start)


def _with_bodies(text: str, mentions: list[Mention], end: int) -> list[Mention]:
    """Join a state to the body it owns: "Saudi Arabia's foreign ministry", "The Syrian foreign ministry",
    "Mali's military authorities" are one speaker, an organisation, not the state alone."""
    result: list[Mention] = []
    skip_until = -1
    for mention in mentions:
        if mention.start < skip_until:
            continue
        match = _BODY.match(text, mention.end, end) if mention.kind == "named" and not mention.role else None
        owner = match is not None and (match.group().lstrip(".")[:1] in "'\u2019" or _names_state(mention.text))
        if match and owner and not _ROLE_AFTER.match(text, match.end(), end):
            surface = text[mention.start : match.end()]
            result.append(Mention(mention.start, match.end(), surface, "named", name=surface))
            skip_until = match.end()
            continue
        result.append(mention)
    return result


def _named(text: str, start: int, end: int) -> list[Mention]:
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]
    mentions, run = [], []

    def close() -> None:
        while run and (run[-1][2].lower() in CONNECTORS or run[-1][2].lower().rstrip(".") in STOP_CAPITALS):
            run.pop()  # "in northern Mali on Sunday.": the name ends before the day
        while run and (run[0][2].lower() in CONNECTORS or run[0][2].lower() in STOP_CAPITALS):
            run.pop(0)
        if run and any(t[2][0].isupper() for t in run):
            span_start, span_end = run[0][0], run[-1][1]
            surface = text[span_start:span_end].rstrip(".")
            span_end = span_start + len(surface)
            name, role = split_title(_NICKNAME.sub(" ", surface))
            kind = "named" if name else "description"
            mentions.append(Mention(span_start, span_end, surface, kind, name=name, role=role))
        run.clear()

    for i, (a, b, word) in enumerate(tokens):
        gap = text[run[-1][1] : a] if run else " "
        if run and _NICKNAME_OPEN.fullmatch(gap) and _NICKNAME_CLOSE.match(text, b) and word[:1].isupper():
            continue  # 'Jimmy "Barbecue" Cherizier': a nickname inside a name does not end it
        # "Kurdistan Workers' Party", "Sudan Doctors' Trade Union": a plural possessive inside a name
        plural_possessive = gap in ("' ", "\u2019 ") and run and run[-1][2].endswith("s") and word[:1].isupper()
        contiguous = run and (gap.strip() in ("", "-") or _NICKNAME.fullmatch(gap) or plural_possessive)
        lowered = word.lower()
        # "Tigray People's Liberation Front": a possessive inside a name does not end it
        possessive = word.endswith(("'s", "’s")) and lowered not in ("people's", "people’s")
        if possessive and lowered[:-2] in TITLE_WORDS and i + 1 < len(tokens) and tokens[i + 1][2] in _OFFICES:
            possessive = False  # "the Israeli Prime Minister's Office": the office is the speaker, not "Office"
        if possessive:
            word, b = word[:-2], b - 2
        capital = (word[:1].isupper() and lowered not in STOP_CAPITALS) or bool(_PARTICLE_NAME.match(word))
        accredited = run and lowered == "to" and run[-1][2].lower() in _ACCREDITED
        # "UN special envoy", "U.S. deputy ambassador": a lower-case title word before the role word
        following = tokens[i + 1][2].lower() if i + 1 < len(tokens) else ""
        titled = run and lowered in ("special", "deputy") and following in _ENVOYS
        # ... before a name, AP style; "the US special envoy for ..." is a description
        titled = titled and not text[max(0, run[0][0] - 4) : run[0][0]].lower().endswith("the ")
        joins = capital or (run and lowered in ROLE_WORDS) or (run and lowered in CONNECTORS) or accredited or titled
        if lowered == "and" and run and i + 1 < len(tokens) and tokens[i + 1][2][:1].isupper():
            # "Peace and Security Council", "Hostages and Missing Families Forum", "Bosnia and Herzegovina",
            # "Ministry of Foreign Affairs and International Cooperation": one name, not two speakers
            joins = _joined_by_and(text, run, tokens[i + 1][2])
        if run and not contiguous:
            close()
        if joins and not (not run and lowered in CONNECTORS):
            run.append((a, b, word))
        else:
            close()
        if word.endswith(".") and not _keeps_period(word):
            close()
        if possessive or text[b : b + 1] in ',;:"()':
            close()
    close()
    return mentions


def _joined_by_and(text: str, run: list[tuple[int, int, str]], following: str) -> bool:
    """Whether "and" continues the capitalised name ``run`` rather than starting a list: a name the actor table
    spells with "and" ("Trinidad and Tobago"), or a common noun of a body's name before it ("Peace and Security
    Council", "Citizenship and Immigration Services", "Department of Peace Operations and Humanitarian Affairs")
    with no state or known actor after it ("the Ministry of Defence and Britain")."""
    joined, known = _and_names()
    # only as far as the longest such name reaches: the rest of the article is not read at every "and"
    rest = text[run[0][0] : run[0][0] + len(joined[0]) + 1].casefold() if joined else ""
    if any(rest.startswith(name) and not rest[len(name) : len(name) + 1].isalnum() for name in joined):
        return True
    last = run[-1][2].lower()
    words = [word.lower() for _, _, word in run]
    of_body = any(word in ORG_WORDS and later in ("of", "for") for word, later in zip(words, words[1:]))
    return (last in NAME_NOUNS or of_body) and re.sub(POSSESSIVE + "$", "", following).casefold() not in known


def _names_state(name: str) -> bool:
    """A state's name or demonym: "Syrian", "Swiss", "Philippine", "U.S." (the actor table's words)."""
    return bool(_DEMONYM.search(name)) or _table().country_of_word(name.split()[-1]) is not None


def _and_names() -> tuple[list[str], set[str]]:
    """The actor table's names spelled with "and", and every single word that names a state or a known actor."""
    if "and" not in _TABLE:
        table = _table()
        aliases = [alias for alias, _ in table.aliases()]
        joined = sorted({a.casefold() for a in aliases if " and " in a}, key=len, reverse=True)
        _TABLE["and"] = joined, {a.casefold() for a in aliases if " " not in a} | set(table.country_words)
    return _TABLE["and"]


def _table():
    """The bundled actor table, loaded once, when a name first needs it."""
    if "table" not in _TABLE:
        _TABLE["table"] = ActorTable.load()
    return _TABLE["table"]


_TABLE: dict = {}


def _body_words(words: list[str]) -> int:
    """How many of ``words`` name a body the actor table knows, two words or more ("United Nations Security
    Council"), leaving a name after them; else 1."""
    aliases = _multiword_aliases()
    for n in range(min(5, len(words) - 1), 1, -1):
        if " ".join(words[:n]).casefold() in aliases:
            return n
    return 1


def _multiword_aliases() -> set[str]:
    if "multiword" not in _TABLE:
        _TABLE["multiword"] = {alias.casefold() for alias, _ in _table().aliases() if " " in alias}
    return _TABLE["multiword"]


_ENVOYS = {"envoy", "ambassador", "representative", "coordinator", "rapporteur", "adviser", "advisor"}
# Titles accredited to a body or state: "Ambassador to the United Nations", "envoy to Sudan".
_ACCREDITED = {"ambassador", "ambassadors", "envoy", "envoys", "representative", "delegate"}
_OFFICES = {"Office", "Bureau", "Palace", "Residence", "Secretariat", "Chancellery", "Cabinet"}


def _keeps_period(word: str) -> bool:
    # "Gen." and "U.S." keep a mention going; "Azerbaijan." ends one.
    bare = word.rstrip(".").lower()
    return bare in TITLE_WORDS or len(bare) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare))
