import pytest

from training.style import STYLE_TARGETS, _sentence_around, form_profile, label_profile, style_profile


def _line(text, stances=(), sentiment="neutral"):
    return {"text": text, "stances": list(stances), "sentiment": sentiment}


def test_form_measures_count_what_they_name():
    texts = [
        '"We will not negotiate under fire," the minister said on Tuesday after the cabinet met in the capital.',
        "Calm must return to the border, he added.",
        "The foreign ministry stressed in a statement that both sides should return to the talks in Doha soon.",
        "The envoy told reporters that the next round of talks would open in Geneva on Monday.",
    ]
    profile = form_profile(texts)
    assert profile["quote_first_share"] == 0.25
    assert profile["pronoun_attribution_share"] == 0.25  # "he added"; "the minister said" is not a pronoun
    assert profile["fragment_share"] == 0.25  # only the 8-word line is under 15 words
    assert profile["not_said_share"] == 0.75  # added, stressed, told
    assert sum(profile["length_histogram"].values()) == 4


def test_label_shape_and_plain_calls():
    records = [
        _line("The ministry urged an immediate truce and a return to talks.", ["calls_for_ceasefire",
              "calls_for_negotiations"], "negative"),
        _line("Paris urged both armies to hold their fire.", ["calls_for_ceasefire"], "neutral"),
        _line("Cairo welcomed the pause and urged both sides to respect it.", ["calls_for_ceasefire"], "positive"),
        _line("The talks were postponed, a diplomat said.", [], "neutral"),
    ]  # fmt: skip
    profile = label_profile(records)
    assert profile["multi_stance_share"] == 0.25
    assert profile["ceasefire_with_negotiations_share"] == round(1 / 3, 4)
    pair = profile["co_occurrence"]["calls_for_ceasefire+calls_for_negotiations"]
    assert pair["lines"] == 1 and pair["share_of_calls_for_negotiations"] == 1.0
    # "welcomed" is an evaluative word, so only the first two lines are plain calls; one of them is not neutral
    assert profile["plain_calls"] == 2
    assert profile["plain_call_not_neutral_share"] == 0.5


def test_every_target_is_reported_with_a_verdict():
    profile = style_profile([_line("Stop the shelling now, the envoy said.", ["calls_for_ceasefire"])])
    assert set(profile["against_targets"]) == set(STYLE_TARGETS)
    assert profile["against_targets"]["fragment_share"]["in_range"] is False  # 1.0 is far above the range
    assert profile["against_targets"]["plain_call_not_neutral_share"]["in_range"] is True


def test_reference_sentence_covers_the_whole_attribution():
    text = "The race tightened. Trump said the polls were rigged, and he added that he would win. Then it rained."
    start = text.index("Trump")
    end = text.index("win") + 3
    assert _sentence_around(text, start, end) == "Trump said the polls were rigged, and he added that he would win."


@pytest.mark.parametrize("name", sorted(STYLE_TARGETS))
def test_targets_are_ordered_ranges(name):
    low, high, source = STYLE_TARGETS[name]
    assert low <= high and source
