"""Polarity: does the speaker assert, reject, make conditional, or ask?"""

from __future__ import annotations

import re

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
