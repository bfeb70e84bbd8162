"""diplostance: who said what in conflict and diplomacy news, and what they want.

>>> from classifier import ArticleScorer, StanceModel  # doctest: +SKIP
>>> scorer = ArticleScorer.from_pretrained("models/default")  # doctest: +SKIP
>>> for s in scorer.score("Russia, France and the US have called for a ceasefire."):  # doctest: +SKIP
...     print(s.speaker, s.stances)
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "StanceModel": "classifier.modeling",
    "StancePrediction": "classifier.modeling",
    "ArticleScorer": "classifier.pipeline",
    "ScoredStatement": "classifier.pipeline",
    "StatementExtractor": "classifier.extract",
    "SpeakerAttributor": "classifier.extract",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Imported on first use, so `diplostance --help` does not pay for loading torch.
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
