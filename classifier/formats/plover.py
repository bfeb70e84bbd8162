"""PLOVER event records: one JSON event per stance of a scored statement, for event-data pipelines.

PLOVER (the Open Event Data Alliance's successor to CAMEO) codes *who did what*: a source actor, an event type
with an optional ``mode`` and ``context``, and the text it came from. A stance is a verbal act, so each maps to a
verbal PLOVER type: calls for a ceasefire, a withdrawal or talks are ``REQUEST`` events (mode ``yield`` or
``meet``), support for a party's self-defence is a ``SUPPORT`` event. The CAMEO code is kept beside it, an appeal
(``02x``) or, when the statement demands ("demanded", "insists"), a demand (``10x``). docs/output.md gives the
mapping and the codebooks' definitions.

Statements without a stance yield no event. A rejected or conditional statement still yields its events, marked
with PLOVER's ``negation`` or ``hypothetical`` context, so a user can drop them as the codebook suggests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class EventCode:
    """How one stance label is coded: PLOVER event type and mode, CAMEO appeal and demand codes."""

    event: str
    mode: str | None
    appeal: str
    demand: str


# CAMEO 1.1b3: 0256 appeal for de-escalation of military engagement, 1056 demand it (ceasefires and withdrawals
# both fall under it); 026 appeal to others to meet or negotiate, 106 demand meeting, negotiation; 052 defend
# verbally, which has no demand form.
STANCE_EVENTS = {
    "calls_for_ceasefire": EventCode("REQUEST", "yield", "0256", "1056"),
    "demands_withdrawal": EventCode("REQUEST", "yield", "0256", "1056"),
    "calls_for_negotiations": EventCode("REQUEST", "meet", "026", "106"),
    "supports_self_defense": EventCode("SUPPORT", None, "052", "052"),
}

# Cue verbs that make a call a demand rather than an appeal (CAMEO 10 against 02). A statement attributed by one
# cue may hold a second verb ("has supported X's right to self-defense and demanded Y's withdrawal"), so the past
# tense of the two unambiguous ones counts in its text too; "demands" and "orders" there are as often nouns.
_DEMAND_CUE = re.compile(r"\b(?:demand|insist|order|requir)\w*", re.IGNORECASE)
_DEMAND_TEXT = re.compile(r"\b(?:demanded|insisted)\b", re.IGNORECASE)
_CONTEXT = {"rejected": "negation", "conditional": "hypothetical"}


def is_demand(cue: str | None, text: str = "") -> bool:
    """Whether a statement demands rather than appeals: its cue verb is a form of demand, insist, order or require,
    or its text says "demanded" or "insisted".

    >>> is_demand("demanded"), is_demand("insists"), is_demand("urged"), is_demand(None)
    (True, True, False, False)
    >>> is_demand("supported", "Turkey has supported Baku and demanded a withdrawal.")
    True
    """
    return (bool(cue) and _DEMAND_CUE.search(cue) is not None) or _DEMAND_TEXT.search(text) is not None


def _actor(row: dict) -> dict:
    actor, mention = row.get("actor") or {}, row.get("speaker_mention") or {}
    code = actor.get("country") or actor.get("org") or actor.get("id")
    return {"code": code, "name": actor.get("id"), "text": mention.get("text") or row.get("speaker")}


def events(row: dict) -> list[dict]:
    """The PLOVER events of one scored statement (a row as :class:`classifier.pipeline.ScoredStatement` writes
    it), one per stance the mapping knows, in the row's stance order; none for a statement without a stance.

    The event ``id`` is the statement id, with ``-e1``, ``-e2`` ... added when the statement yields several.

    >>> row = {"article_id": "a", "statement_id": "a-3", "speaker": "Turkey", "speaker_mention": None,
    ...     "actor": {"id": "Turkey", "type": "government", "country": "TUR", "org": None},
    ...     "text": "Turkey demanded a ceasefire.", "start": 0, "end": 28, "polarity": "asserted",
    ...     "cue": "demanded", "stances": ["calls_for_ceasefire"], "stance_scores": {"calls_for_ceasefire": 0.9}}
    >>> [(e["id"], e["event"], e["mode"], e["cameo"], e["actor"]["code"]) for e in events(row)]
    [('a-3', 'REQUEST', 'yield', '1056', 'TUR')]
    """
    coded = [label for label in row.get("stances") or [] if label in STANCE_EVENTS]
    demand = is_demand(row.get("cue"), row.get("text") or "")
    mention = row.get("speaker_mention") or {}
    context = [_CONTEXT[row["polarity"]]] if row.get("polarity") in _CONTEXT else []
    found = []
    for number, label in enumerate(coded, start=1):
        code = STANCE_EVENTS[label]
        found.append(
            {
                "id": row["statement_id"] if len(coded) == 1 else f"{row['statement_id']}-e{number}",
                "date": row.get("date"),
                "actor": _actor(row),
                "event": code.event,
                "mode": code.mode,
                "context": context,
                "cameo": code.demand if demand else code.appeal,
                "stance": label,
                "score": (row.get("stance_scores") or {}).get(label),
                "event_text": row["text"],
                "text_info": {
                    "article_id": row["article_id"],
                    "statement_id": row["statement_id"],
                    "start": row["start"],
                    "end": row["end"],
                    "speaker_start": mention.get("start"),
                    "speaker_end": mention.get("end"),
                    "cue": row.get("cue"),
                    "polarity": row.get("polarity"),
                },
            }
        )
    return found


def events_jsonl(rows: list[dict]) -> str:
    """The events of ``rows`` as JSON lines (empty when no row has a stance)."""
    return "".join(json.dumps(event, ensure_ascii=False) + "\n" for row in rows for event in events(row))
