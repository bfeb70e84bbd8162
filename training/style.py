"""The style profile of a corpus: how its statements are written and how their labels combine.

A model trained on one house style reads another badly, so ``diplostance data check`` reports these figures
beside the label counts, and ``docs/corpus.md`` compares them with real reporting:

- form, measured on the text alone: words per statement, quote-first statements, pronoun attributions
  ("he added"), fragments under 15 words, attributions with a verb other than "said";
- labels: statements with several stances, how often two stances go together, and the sentiment of plain calls
  (a stance with no evaluative word, which the annotation guide says is neutral).

The form measures are plain text tests, so they apply unchanged to real reporting: ``reference_profile`` runs
them on the sentences around PolNeAR's speech attributions, which is where the form targets come from.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from itertools import combinations
from pathlib import Path

QUOTES = "\"“”‘'«"
FRAGMENT_WORDS = 15
_WORD = re.compile(r"[\w'’-]+")
_VERB = (
    r"said|says|added|adds|told|tells|wrote|writes|stressed|noted|warned|insisted|argued|explained|continued|"
    r"asked|replied|urged|declared|reiterated|insisted|acknowledged|posted|tweeted|went on"
)
PRONOUN_ATTRIBUTION = re.compile(
    rf"\b(?:he|she|they)\s+(?:\w+ly\s+)?(?:{_VERB})\b|\b(?:{_VERB})\s+(?:he|she|they)\b", re.IGNORECASE
)
SAID = re.compile(r"\b(?:said|says|say|saying)\b", re.IGNORECASE)
# Words that give a statement its tone. A stance with none of them is a "plain call", neutral by the guide.
EVALUATIVE = re.compile(
    r"\b(?:condemn\w*|denounc\w*|deplor\w*|outrag\w*|barbar\w*|atroci\w*|massacre\w*|crime\w*|criminal\w*|"
    r"aggress\w*|terror\w*|brutal\w*|accus\w*|blam\w*|threat\w*|warn\w*|alarm\w*|concern\w*|worr\w*|fear\w*|"
    r"grave\w*|appall\w*|shock\w*|horr\w*|tragic\w*|tragedy|griev\w*|mourn\w*|condolence\w*|regret\w*|"
    r"unacceptable|violat\w*|illegal\w*|reckless\w*|provocat\w*|invasion|invad\w*|occupier\w*|kill\w*|"
    r"slaughter\w*|genocid\w*|catastroph\w*|disast\w*|dire|suffer\w*|destroy\w*|destruct\w*|"
    r"welcom\w*|prais\w*|commend\w*|applaud\w*|thank\w*|grateful|hope\w*|hopeful\w*|optimis\w*|encourag\w*|"
    r"positive|constructive|progress|breakthrough|historic|glad|pleased|delighted|appreciat\w*|salut\w*|"
    r"congratulat\w*|victor\w*|chance|opportunit\w*|believ\w*|hail\w*|pray\w*|bless\w*|bloodshed|blood|"
    r"reject\w*|sabotag\w*|hostil\w*|enem\w*|last man|pay the price|price|dearly|wip\w+ out|driven out|"
    r"bluntly|shame\w*|disgrace\w*|indiscriminat\w*|innocent\w*|civilians|victims?|dead|death\w*|famine|"
    r"starv\w*|ruin\w*|rubble|hope|promising|relie\w*|grat\w*|courag\w*|wisdom|wise|stability|bloodbath|"
    r"worst|act of war|overrun|hit back|strik\w*|struck|losses|abus\w*|hypocri\w*|dismiss\w*|defian\w*|"
    r"every inch|whatever it takes|at any cost|to the last|"
    # found missing in the v3.2 audit: accusation, threat and optimism in words of their own
    r"assault\w*|sham|stunt|evil|puppet\w*|doomed|betray\w*|nightmare\w*|repress\w*|ethnic cleansing|"
    r"disproportionate\w*|unjustifi\w*|no justification|meaningless|troubl\w*|disappoint\w*|strangl\w*|trapped|"
    r"darkest|red line|mercenar\w*|putsch\w*|coup|whatever the cost|with everything we have|last bullet|"
    r"heartened|happy|proud|credible|momentum|within reach|first step|important step|good basis)\b",
    re.IGNORECASE,
)

# Where real reporting stands, with the source of each range. Form ranges: ``reference_profile`` on PolNeAR's
# dev split (1,111 speech attributions in real US political news, 2016; ``scripts/style_reference.py``),
# widened because conflict reporting is not election reporting. Label ranges: a reading of real conflict wire
# copy (the corpus v3 issue): under one in ten statements carries several stances, about a fifth of ceasefire
# calls also ask for talks, and a plain call is neutral by the annotation guide (a few slip past the evaluative
# word list, hence 0.10).
STYLE_TARGETS: dict[str, tuple[float, float, str]] = {
    "median_words": (20, 32, "PolNeAR dev: 28"),
    "quote_first_share": (0.18, 0.35, "PolNeAR dev: 0.27"),
    "pronoun_attribution_share": (0.12, 0.30, "PolNeAR dev: 0.26"),
    "fragment_share": (0.06, 0.18, "PolNeAR dev: 0.13"),
    "not_said_share": (0.25, 0.50, "PolNeAR dev: 0.36"),
    "multi_stance_share": (0.0, 0.10, "real conflict wire copy"),
    "ceasefire_with_negotiations_share": (0.0, 0.25, "real conflict wire copy"),
    "plain_call_not_neutral_share": (0.0, 0.10, "annotation guide: a plain call is neutral"),
}


def words(text: str) -> int:
    return len(_WORD.findall(text))


def quote_first(text: str) -> bool:
    return text.lstrip()[:1] in QUOTES


def form_profile(texts: list[str]) -> dict:
    """Form measures of ``texts`` (one statement each, attribution included)."""
    n = max(1, len(texts))
    lengths = sorted(words(text) for text in texts) or [0]
    deciles = statistics.quantiles(lengths, n=10) if len(lengths) > 1 else [lengths[0]] * 9
    return {
        "statements": len(texts),
        "median_words": statistics.median(lengths),
        "p10_words": round(deciles[0], 1),
        "p90_words": round(deciles[-1], 1),
        "quote_first_share": round(sum(map(quote_first, texts)) / n, 4),
        "pronoun_attribution_share": round(sum(bool(PRONOUN_ATTRIBUTION.search(t)) for t in texts) / n, 4),
        "fragment_share": round(sum(words(t) < FRAGMENT_WORDS for t in texts) / n, 4),
        "not_said_share": round(sum(not SAID.search(t) for t in texts) / n, 4),
        "length_histogram": _histogram(lengths),
    }


def _histogram(lengths: list[int]) -> dict[str, int]:
    edges = [(0, 14), (15, 24), (25, 34), (35, 49), (50, 74), (75, 10**6)]
    return {
        (f"{low}-{high}" if high < 10**6 else f"{low}+"): sum(low <= n <= high for n in lengths) for low, high in edges
    }


def label_profile(records: list[dict]) -> dict:
    """Label-shape measures: several stances per line, co-occurrence, sentiment of plain calls."""
    n = max(1, len(records))
    with_label = Counter(s for r in records for s in r["stances"])
    pairs = Counter(pair for r in records for pair in combinations(sorted(r["stances"]), 2))
    co_occurrence = {
        f"{a}+{b}": {
            "lines": count,
            f"share_of_{a}": round(count / with_label[a], 4),
            f"share_of_{b}": round(count / with_label[b], 4),
        }
        for (a, b), count in sorted(pairs.items())
    }
    plain = [r for r in records if r["stances"] and not EVALUATIVE.search(r["text"])]
    ceasefire, negotiations = "calls_for_ceasefire", "calls_for_negotiations"
    both = pairs.get(tuple(sorted((ceasefire, negotiations))), 0)
    return {
        "multi_stance_share": round(sum(len(r["stances"]) > 1 for r in records) / n, 4),
        "ceasefire_with_negotiations_share": round(both / with_label[ceasefire], 4) if with_label[ceasefire] else 0.0,
        "co_occurrence": co_occurrence,
        "plain_calls": len(plain),
        "plain_call_sentiments": dict(Counter(r["sentiment"] for r in plain).most_common()),
        "plain_call_not_neutral_share": round(sum(r["sentiment"] != "neutral" for r in plain) / max(1, len(plain)), 4),
    }


def style_profile(records: list[dict]) -> dict:
    """Form and label measures of a labelled corpus, each with the target range where one is set.

    >>> profile = style_profile([{"text": '"Stop firing," he said.', "stances": ["calls_for_ceasefire"],
    ...                           "sentiment": "neutral"}])
    >>> profile["quote_first_share"], profile["fragment_share"], profile["plain_call_not_neutral_share"]
    (1.0, 1.0, 0.0)
    """
    profile = form_profile([r["text"] for r in records]) | label_profile(records)
    profile["against_targets"] = {
        name: {
            "value": profile[name],
            "target": [low, high],
            "source": source,
            "in_range": low <= profile[name] <= high,
        }
        for name, (low, high, source) in STYLE_TARGETS.items()
    }
    return profile


_SENTENCE_END = re.compile(r"[.!?][\"”’']?\s+(?=[\"“‘A-Z])|\n")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence(s) covering ``[start, end)``: from the sentence end before ``start`` to the one after ``end``."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start + 1):  # + 1: the lookahead must see the first letter
        left = match.end()
    following = _SENTENCE_END.search(text, end)
    right = following.start() + 1 if following else len(text)
    return text[left:right].strip()


def reference_profile(polnear_root: str | Path, split: str = "dev") -> dict:
    """Form measures of real reporting: the sentences around each PolNeAR speech attribution with a source.

    Each attribution becomes one statement text, the sentence or sentences covering its source, cue and
    content, so the same text tests as for the corpus apply.
    """
    from training.extraction_eval import polnear_articles

    texts = []
    for _, text, attributions in polnear_articles(Path(polnear_root), split):
        for attribution in attributions:
            if not (attribution.speech and attribution.source):
                continue
            spans = attribution.source + attribution.cue + attribution.content
            texts.append(_sentence_around(text, min(a for a, _ in spans), max(b for _, b in spans)))
    return form_profile(texts)
