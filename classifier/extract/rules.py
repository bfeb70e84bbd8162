"""Linking by rules: the string patterns that found speakers before the parser, kept for ``--extractor rules``.

The parse-based linker (:mod:`classifier.extract.parse`) falls back to these for a cue it cannot link, and they
are used alone when spaCy's English pipeline is not installed. Sentences without a speech or stance cue and an
attributable subject (the journalist's narration: history, casualty counts, dates) produce nothing.
"""

from __future__ import annotations

import re

from classifier.extract.cues import (
    ACCORDING,
    ACCORDING_GAP,
    CASUALTIES,
    COORDINATION,
    COUNT,
    CUE,
    FIGURES,
    INVERTIBLE,
    LOCATIVE_PHRASE,
    REPORTING,
    is_filler,
    not_speech,
    right_after,
)
from classifier.extract.mentions import Mention
from classifier.extract.polarity import polarity
from classifier.extract.segment import DOUBLED_OPENERS, QUOTE_CHARS, Quote, Sentence
from classifier.extract.spans import RawStatement


class RuleLinker:
    """Links the cues of a sentence to their speakers by string patterns around the cue.

    >>> from classifier.extract.segment import split_article
    >>> text = 'Turkey has supported the offensive, officials said.'
    >>> [s.mention.text for s in RuleLinker().link(text, split_article(text)[0])]
    ['Turkey']
    """

    min_quote_words = 4  # shorter quoted fragments are scare quotes or titles unless a cue attributes them

    def link(self, text: str, sentence: Sentence) -> list[RawStatement]:
        """The statements of one sentence: each cue with the mention that utters it."""
        return self.statements(text, sentence, self.drop_reporters(text, self.pairs(text, sentence)))

    def pairs(self, text: str, sentence: Sentence) -> list[tuple[Mention, tuple[int, int]]]:
        """Every cue of the sentence that has a subject, as ``(mention, cue span)``, before reporters are dropped."""
        quoted = [(q.inner_start, q.inner_end) for q in sentence.quotes]
        pairs: list[tuple[Mention, tuple[int, int]]] = []
        for cue in CUE.finditer(text, sentence.start, sentence.end):
            if any(a <= cue.start() < b for a, b in quoted):
                continue
            if self.not_spoken(text, sentence, cue):
                continue
            mention = self.subject(text, sentence, cue.start(), cue.end())
            if mention is not None:
                pairs.append((mention, (cue.start(), cue.end())))
        pairs.extend(self.according(text, sentence) if not pairs else [])
        return pairs

    @staticmethod
    def not_spoken(text: str, sentence: Sentence, cue: re.Match) -> bool:
        """The cue word is not its subject speaking: a passive, a noun, an act, or someone being asked."""
        if not_speech(text, cue):
            return True
        # "Pompeo was asked", "Asked whether ...": the speaker is not the one asking
        return cue.group().lower() in ("asked", "asks") and bool(
            re.search(r"(?i)\b(?:was|were|been|being|is|are|be)\s+$", text[max(0, cue.start() - 8) : cue.start()])
            or cue.start() == sentence.start
            or re.search(r"[,;]\s*$", text[max(0, cue.start() - 3) : cue.start()])
        )

    def according(self, text: str, sentence: Sentence) -> list[tuple[Mention, tuple[int, int]]]:
        """``according to X``, where X is a speaker rather than the source of a figure."""
        pairs = []
        for match in ACCORDING.finditer(text, sentence.start, sentence.end):
            # With a cue of its own, the sentence's "according to X" only sources it.
            after = [
                m
                for m in sentence.mentions
                if m.kind != "pronoun" and ACCORDING_GAP.fullmatch(text, match.end(), m.start)
            ]
            # "More than 300,000 people have fled, according to the UN": a number sourced, not a statement
            counted = CASUALTIES.search(text, sentence.start, match.start()) or COUNT.search(
                text, sentence.start, match.start()
            )
            if after and not FIGURES.match(text, match.end()) and not counted:
                pairs.append((after[0], (match.start(), match.end())))
        return pairs

    def statements(
        self,
        text: str,
        sentence: Sentence,
        pairs: list[tuple[Mention, tuple[int, int]]],
        speakers: dict[int, list[Mention]] | None = None,
    ) -> list[RawStatement]:
        """One statement per distinct speaker mention of the sentence; ``speakers`` maps a mention's start to the
        conjuncts of its coordinated subject, where the parse found them."""
        statements, seen = [], set()
        for mention, cue in pairs:
            if (mention.start, mention.end) in seen:
                continue
            seen.add((mention.start, mention.end))
            statements.append(
                RawStatement(
                    sentence.start,
                    sentence.end,
                    self.kind(text, sentence, mention, cue),
                    mention,
                    cue,
                    sentence.quotes,
                    sentence.paragraph,
                    polarity(text[sentence.start : sentence.end]),
                    (speakers or {}).get(mention.start, []),
                )
            )
        return statements

    def subject(self, text: str, sentence: Sentence, cue_start: int, cue_end: int) -> Mention | None:
        """The mention that utters the cue: before it ("Turkey has supported"), after it ("said Pompeo"), or
        the clause's subject for a coordinated verb ("Pompeo met them and stressed")."""
        before = [m for m in sentence.mentions if m.end <= cue_start]
        for mention in reversed(before):
            if mention.locative:
                continue  # "Residents in Khan Younis said": the place is not the speaker
            gap = LOCATIVE_PHRASE.sub(" ", text[mention.end : cue_start])
            if is_filler(gap):
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
            clause_subject = self.clause_subject(text, sentence, cue_start)
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
                    gap = LOCATIVE_PHRASE.sub(" ", text[candidate.end : cue_start])
                    return candidate if is_filler(gap) else None
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

    def clause_subject(self, text: str, sentence: Sentence, cue_start: int) -> Mention | None:
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
                return self.last_conjunct(text, sentence, mention, cue_start)
        return None

    @staticmethod
    def last_conjunct(text: str, sentence: Sentence, mention: Mention, limit: int) -> Mention:
        """The last name of a coordination that starts at ``mention`` ("France, Britain and Spain"): the
        attributor walks back from it, so the clause is one statement per conjunct, not two."""
        last = mention
        for following in sentence.mentions:
            if following.start < last.end or following.end > limit or following.kind != "named":
                continue
            gap = COORDINATION.fullmatch(text, last.end, following.start)
            if not gap:
                break
            last = following
            if "and" in gap.group():
                return last  # a list ends at its "and"; commas alone are asides ("Janvier, Mladic said")
        return mention

    def drop_reporters(self, text: str, pairs: list[tuple[Mention, tuple[int, int]]]):
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
        pairs = self.drop_repeats(pairs)
        kept = []
        for i, (mention, cue) in enumerate(pairs):
            verb = text[cue[0] : cue[1]].lower()
            others = [p for j, p in enumerate(pairs) if j != i and p[0].start != mention.start]
            embeds = any(right_after(text, cue, other[0]) for other in others)
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

    def drop_repeats(self, pairs: list[tuple[Mention, tuple[int, int]]]) -> list[tuple[Mention, tuple[int, int]]]:
        """A later pronoun subject repeats the sentence's speaker ("Saakashvili accused ..., and he insisted")."""
        return [
            pair
            for pair in pairs
            if not any(self.repeats(outer[0], pair[0]) for outer in pairs if outer[0].start < pair[0].start)
        ]

    @staticmethod
    def repeats(earlier: Mention, pronoun: Mention) -> bool:
        if pronoun.kind != "pronoun" or earlier.kind == "pronoun":
            return False
        if pronoun.text.lower() in ("it", "they"):
            return True
        wanted = "m" if pronoun.text.lower() == "he" else "f"
        return earlier.kind == "named" and not earlier.is_organisation and earlier.gender in (None, wanted)

    @staticmethod
    def _same_speaker_pronoun(text: str, outer: tuple[Mention, tuple[int, int]], inner: Mention) -> bool:
        if inner.kind != "pronoun" or not right_after(text, outer[1], inner):
            return False
        word, speaker = inner.text.lower(), outer[0]
        if word in ("it", "they"):
            return speaker.kind != "pronoun" or speaker.text.lower() == word
        wanted = "m" if word == "he" else "f"
        return speaker.gender in (None, wanted) and not speaker.is_organisation

    def colon_quote(self, text: str, sentence: Sentence) -> list[RawStatement]:
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
        subject = self.clause_subject(text, sentence, colon)
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

    def kind(self, text: str, sentence: Sentence, mention: Mention, cue: tuple[int, int]) -> str:
        quotes = [q for q in sentence.quotes if self._speech_quote(text, sentence, q)]
        if not quotes:
            return "indirect"
        outside = text[sentence.start : sentence.end]
        for q in sorted(sentence.quotes, key=lambda q: -q.start):
            outside = outside[: q.start - sentence.start] + outside[q.end - sentence.start :]
        quoted_words = sum(q.words(text) for q in quotes)
        outside_words = len(outside.split())
        # An attribution is a handful of words; more unquoted words than that means paraphrase around a quote.
        if outside_words <= 12 or outside_words < quoted_words / 2:
            return "direct"
        return "direct" if self._quote_then_described_speaker(text, sentence, quotes[0], mention, cue) else "mixed"

    @staticmethod
    def _quote_then_described_speaker(text: str, sentence: Sentence, quote: Quote, mention, cue) -> bool:
        """'"We will not sign," said Amy Rao, the chief executive of a data firm and a prominent donor.': the
        words outside the quotation are the attribution and the speaker's description, however long."""
        if text[sentence.start : quote.start].strip() or cue[0] < quote.end or mention is None:
            return False
        before = text[quote.end : mention.end]
        after = text[mention.end : sentence.end]
        if len(before.split()) > 6 or not re.match(r"\s*,\s+(?:a|an|the|who|whose|[A-Z])", after):
            return False
        return not any(c in after for c in QUOTE_CHARS) and not re.search(r"\b(?:that|\w+ing)\b", after[:40])

    def _speech_quote(self, text: str, sentence: Sentence, quote: Quote) -> bool:
        """Long enough to be somebody's words, or placed like them (opening the sentence, after a colon or comma);
        a short quoted term inside a clause is a scare quote."""
        if quote.words(text) >= self.min_quote_words:
            return True
        before = text[sentence.start : quote.start].rstrip()
        return before == "" or before.endswith((":", ","))

    def continued_quote(self, text: str, sentence: Sentence, found: list[RawStatement]) -> RawStatement | None:
        """A sentence that is all quotation, right after an attributed statement, continues that speaker."""
        body = text[sentence.start : sentence.end].strip()
        if not found or not sentence.quotes or not (body[:1] in '"\u201c\u00ab' or body.startswith(DOUBLED_OPENERS)):
            return None
        quoted = [(q.inner_start, q.inner_end) for q in sentence.quotes]
        cues = CUE.finditer(text, sentence.start, sentence.end)
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
