"""Speaker attribution: from the mention next to a cue to the speaker's name.

Names lose their titles ("Secretary of State Mike Pompeo" -> "Mike Pompeo"); a surname alone, a pronoun or a
definite description ("the top US diplomat", "the minister") resolves to the nearest earlier named speaker that
fits it; a coordinated subject ("Russia, France and the US") becomes one speaker per conjunct.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.extraction import RawStatement, Sentence
from classifier.mentions import Mention

# Which titles a description's head noun can refer back to.
ROLE_FITS = {
    "diplomat": ("secretary of state", "foreign minister", "foreign secretary", "ambassador", "envoy", "diplomat"),
    "minister": ("minister",),
    "secretary": ("secretary",),
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
}
# Heads of descriptions that refer back to an organisation ("the group said", "the ministry added").
ORG_HEADS = {
    "group", "movement", "organisation", "organization", "militia", "rebel", "council", "ministry", "government",
    "army", "military", "union", "league", "alliance", "bloc", "body", "agency", "mission", "committee",
    "administration", "kremlin",
}  # fmt: skip


@dataclass
class Attribution:
    """Who uttered a statement: the resolved name and the mention in the article it was read from."""

    speaker: str
    mention: Mention | None
    role: str = ""
    person: bool = False


class SpeakerAttributor:
    """Resolves each raw statement's mention against the named speakers seen earlier in the article.

    >>> from classifier.extraction import StatementExtractor
    >>> text = "Foreign Minister Sergei Lavrov met envoys. The minister urged restraint."
    >>> extractor = StatementExtractor()
    >>> statements = extractor.extract(text)
    >>> [a.speaker for a in SpeakerAttributor().attribute(text, statements, extractor.sentences(text))[0][1]]
    ['Sergei Lavrov']
    """

    def attribute(
        self, text: str, statements: list[RawStatement], sentences: list[Sentence]
    ) -> list[tuple[RawStatement, list[Attribution]]]:
        named = [m for s in sentences for m in s.mentions if m.kind == "named" and not m.locative]
        results: list[tuple[RawStatement, list[Attribution]]] = []
        spoken: list[Attribution] = []  # every attribution so far, in article order
        for statement in statements:
            mention = statement.mention
            if mention is None:
                resolved = [Attribution("unknown", None)]
            else:
                conjuncts = self._conjuncts(text, mention, named)
                resolved = [self._with_role(self._resolve(text, m, named, spoken), named) for m in conjuncts]
            spoken.extend(resolved)
            results.append((statement, resolved))
        return results

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
            group.insert(0, candidate)
            current = candidate
        return group

    def _resolve(self, text: str, mention: Mention, named: list[Mention], spoken: list[Attribution]) -> Attribution:
        before = [m for m in named if m.end <= mention.start and m.name]
        if mention.kind == "named" and mention.name:
            words = mention.name.split()
            if len(words) == 1:
                # A surname alone refers to the fuller name used earlier ("Pompeo" -> "Mike Pompeo").
                for earlier in reversed(before):
                    if len(earlier.name.split()) > 1 and earlier.name.split()[-1] == words[0]:
                        return Attribution(earlier.name, mention, earlier.role)
            return Attribution(mention.name, mention, mention.role)
        if mention.kind == "pronoun":
            referent = self._pronoun_referent(mention, before)
            if referent is not None:
                return Attribution(self._full_name(referent, before), mention, referent.role)
            return Attribution(mention.text, mention)
        referent = self._description_referent(mention, before)
        if referent is not None:
            return Attribution(self._full_name(referent, before), mention, referent.role)
        head = mention.text.lower().split()[-1].rstrip("s") if mention.text.split() else ""
        if head in ORG_HEADS and mention.text.lower().startswith("the "):
            # "the group said": the organisation that spoke last.
            for earlier in reversed(spoken):
                if earlier.mention is not None and earlier.mention.start < mention.start and not earlier.person:
                    if earlier.speaker != "unknown" and earlier.mention.kind in ("named", "pronoun"):
                        return Attribution(earlier.speaker, mention, earlier.role)
        bare = re.sub(r"(?i)^(?:the|a|an)\s+", "", mention.text)
        return Attribution(bare, mention, bare)

    def _full_name(self, referent: Mention, before: list[Mention]) -> str:
        words = referent.name.split()
        if len(words) == 1:
            for earlier in before:
                if len(earlier.name.split()) > 1 and earlier.name.split()[-1] == words[0]:
                    return earlier.name
        return referent.name

    def _pronoun_referent(self, pronoun: Mention, before: list[Mention]) -> Mention | None:
        word = pronoun.text.lower()
        for candidate in reversed(before):
            if word in ("he", "she"):
                if candidate.is_organisation or not self._is_person(candidate, before):
                    continue
                gender = candidate.gender or self._gender_from_earlier(candidate, before)
                if gender is not None and gender != ("m" if word == "he" else "f"):
                    continue
                return candidate
            if word in ("it", "they") and (candidate.is_organisation or len(candidate.name.split()) == 1):
                return candidate
        return None

    def _description_referent(self, description: Mention, before: list[Mention]) -> Mention | None:
        if re.match(r"(?i)(?:a|an)\s", description.text):
            return None  # an indefinite description introduces someone new
        head = description.text.lower().split()[-1].rstrip("s") if description.text.split() else ""
        fits = ROLE_FITS.get(head)
        for candidate in reversed(before):
            role = candidate.role.lower()
            if fits is None:
                # An organisation noun ("the ministry", "the council") refers to the last organisation named.
                if candidate.is_organisation and head in candidate.text.lower():
                    return candidate
                continue
            if any(fit in role for fit in fits) or any(
                fit in self._role_from_earlier(candidate, before) for fit in fits
            ):
                return candidate
        return None

    def _is_person(self, candidate: Mention, before: list[Mention]) -> bool:
        if candidate.role and not candidate.is_organisation:
            return True
        return len(candidate.name.split()) >= 2 or bool(self._role_from_earlier(candidate, before))

    def _role_from_earlier(self, candidate: Mention, before: list[Mention]) -> str:
        surname = candidate.name.split()[-1] if candidate.name else ""
        for earlier in before:
            if earlier.role and earlier.name.split()[-1:] == [surname]:
                return earlier.role.lower()
        return ""

    def _gender_from_earlier(self, candidate: Mention, before: list[Mention]) -> str | None:
        surname = candidate.name.split()[-1] if candidate.name else ""
        for earlier in before:
            if earlier.name.split()[-1:] == [surname] and earlier.gender:
                return earlier.gender
        return None
