"""Property test: on arbitrary Unicode text the extractor never raises and every offset slices the article."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.pipeline import ArticleScorer

find = ArticleScorer(model=None).find

# Text built from news-like pieces mixed with arbitrary characters, so that cues, quotes and names really occur.
pieces = st.sampled_from(
    [
        " said ", " told reporters ", " called for ", '"', "\u201c", "\u201d", "\u00ab", "\u00bb", "'", ". ", ", ",
        "\n\n", " he ", " She ", " the minister ", "Russia", " and ", "Secretary of State Mike Pompeo",
        " according to ", "Gen.", "U.S.", " urged ", ":", "?", " ceasefire", "Asked whether",
    ]
)  # fmt: skip
articles = st.lists(st.one_of(pieces, st.text(max_size=12)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles)
def test_extractor_never_raises_and_offsets_hold(text):
    assert_offsets_hold(text, find(text))


def assert_offsets_hold(text: str, found: list[dict]) -> None:
    """Every statement and speaker mention slices ``text`` to exactly what it reports."""
    for statement in found:
        assert 0 <= statement["start"] < statement["end"] <= len(text)
        assert text[statement["start"] : statement["end"]] == statement["text"]
        mention = statement["speaker_mention"]
        if mention is not None:
            assert text[mention["start"] : mention["end"]] == mention["text"]
        assert statement["kind"] in ("direct", "indirect", "mixed")
