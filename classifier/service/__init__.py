"""The HTTP service (:func:`create_app`), its page (``static/``) and the HTML report (:mod:`.report`).

``create_app`` and ``Limits`` load FastAPI on first use, so the report needs only its own dependencies.
"""

from __future__ import annotations

__all__ = ["Limits", "create_app"]


def __getattr__(name: str):
    if name in __all__:
        from classifier.service import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
