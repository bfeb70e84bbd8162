from training.baselines import KeywordBaseline, TfidfBaseline, ZeroShotBaseline
from training.data import Example

from .conftest import ROWS, SENTIMENTS, STANCES


def examples():
    return [Example(**row) for row in ROWS]


def test_keyword_rules_find_cues_and_respect_refusals():
    baseline = KeywordBaseline(STANCES, SENTIMENTS)
    found, refused, welcomed = baseline.predict(
        [
            "Moscow urged an immediate ceasefire and a return to talks.",
            "Ankara rejected calls for a ceasefire as premature.",
            "The envoy welcomed the truce and praised both sides.",
        ]
    )
    assert found.stances == ["calls_for_ceasefire", "calls_for_negotiations"]
    assert refused.stances == []
    assert welcomed.sentiment == "positive"


def test_tfidf_fits_its_training_rows():
    data = examples()
    baseline = TfidfBaseline(STANCES, SENTIMENTS).fit(data, data)
    predictions = baseline.predict([e.text for e in data], [e.speaker for e in data])
    assert [p.stances for p in predictions] == [e.stances for e in data]
    assert set(predictions[0].stance_scores) == set(STANCES)


def test_zero_shot_scores_every_label():
    data = examples()
    baseline = ZeroShotBaseline(STANCES, SENTIMENTS).fit(data, data)
    (prediction,) = baseline.predict(["The council demanded an immediate truce."])
    assert set(prediction.stance_scores) == set(STANCES)
    assert prediction.sentiment in SENTIMENTS
