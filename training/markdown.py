"""Generated tables inside hand-written Markdown: the text between two copies of a marker comment is replaced."""

from __future__ import annotations

import re
from pathlib import Path


def replace_between(path: str | Path, marker: str, body: str) -> bool:
    """Put ``body`` between the two ``marker`` lines of ``path``; False (nothing written) when the file or the
    markers are missing.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.md").write_text("# A\\n<!-- t -->\\nold\\n<!-- t -->\\nkept\\n")
    >>> replace_between(folder / "a.md", "<!-- t -->", "new"), (folder / "a.md").read_text()
    (True, '# A\\n<!-- t -->\\nnew\\n<!-- t -->\\nkept\\n')
    """
    path = Path(path)
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    if text.count(marker) < 2:
        return False
    pattern = re.escape(marker) + r".*?" + re.escape(marker)
    path.write_text(re.sub(pattern, lambda _: f"{marker}\n{body}\n{marker}", text, count=1, flags=re.S), "utf-8")
    return True
