"""The ONNX Runtime backend: export, load, and the same predictions as torch through predict and score."""

import json

import numpy as np
import pytest

from classifier.cli import main
from classifier.modeling import StanceModel

from .test_cli import ARTICLE, read_lines

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def test_export_writes_models_that_predict_like_torch(model_dir, capsys):
    assert main(["export", "--onnx", "--int8", "--model", str(model_dir)]) == 0
    assert capsys.readouterr().out.split() == [str(model_dir / "model.onnx"), str(model_dir / "model.int8.onnx")]
    from classifier.onnx_backend import OnnxStanceModel

    texts = ["Russia urged a truce.", "Turkey backed the offensive and said talks were pointless. " * 30]
    speakers = ["Russia", None]
    torch_model = StanceModel.from_pretrained(model_dir)
    expected = torch_model.predict_proba(texts, speakers)
    onnx_model = OnnxStanceModel.from_pretrained(model_dir)
    got = onnx_model.predict_proba(texts, speakers)
    np.testing.assert_allclose(got[0], expected[0], atol=1e-4)
    np.testing.assert_allclose(got[1], expected[1], atol=1e-4)
    assert onnx_model.thresholds == torch_model.thresholds
    # labels travel with the probabilities: the same names, in the same order, as torch
    for torch_result, onnx_result in zip(torch_model.predict(texts, speakers), onnx_model.predict(texts, speakers)):
        assert onnx_result.sentiment == torch_result.sentiment
        assert list(onnx_result.sentiment_scores) == list(torch_result.sentiment_scores)
        for label, score in torch_result.sentiment_scores.items():
            assert onnx_result.sentiment_scores[label] == pytest.approx(score, abs=1e-3)
    quantized = OnnxStanceModel.from_pretrained(model_dir, int8=True).predict_proba(texts, speakers)
    np.testing.assert_allclose(quantized[0], expected[0], atol=0.1)  # int8 weights: close, not equal


def test_score_with_the_onnx_backend_gives_the_torch_rows(model_dir, tmp_path):
    article = tmp_path / "story.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["export", "--onnx", "--model", str(model_dir)]) == 0
    outputs = {}
    for backend in ("torch", "onnx"):
        out = tmp_path / f"{backend}.jsonl"
        # fp32 on both sides: torch's default precision is bf16 where the CPU has it, and ONNX's export is fp32
        command = ["score", "--model", str(model_dir), str(article), "--output", str(out), "--backend", backend]
        assert main([*command, "--dtype", "fp32"]) == 0
        outputs[backend] = read_lines(out)
    for torch_row, onnx_row in zip(outputs["torch"], outputs["onnx"], strict=True):
        assert onnx_row["stances"] == torch_row["stances"] and onnx_row["speaker"] == torch_row["speaker"]
        for label, score in torch_row["stance_scores"].items():
            assert onnx_row["stance_scores"][label] == pytest.approx(score, abs=1e-3)
        assert onnx_row["sentiment"] == torch_row["sentiment"]
        for label, score in torch_row["sentiment_scores"].items():
            assert onnx_row["sentiment_scores"][label] == pytest.approx(score, abs=1e-3)


def test_a_missing_export_names_the_command_to_run(model_dir, tmp_path, capsys):
    statements = tmp_path / "in.jsonl"
    statements.write_text(json.dumps({"text": "Russia urged a truce."}) + "\n")
    assert main(["predict", "--model", str(model_dir), "--input", str(statements), "--backend", "onnx-int8"]) == 2
    assert f"run `diplostance export --onnx --int8 --model {model_dir}` first" in capsys.readouterr().err


def test_an_export_from_other_weights_is_refused(model_dir, tmp_path, capsys):
    import torch

    assert main(["export", "--onnx", "--model", str(model_dir)]) == 0
    retrained = StanceModel.from_pretrained(model_dir)
    with torch.no_grad():
        next(retrained.parameters()).add_(0.01)  # the model is retrained; the export is not redone
    retrained.save_pretrained(model_dir)
    statements = tmp_path / "in.jsonl"
    statements.write_text(json.dumps({"text": "Russia urged a truce."}) + "\n")
    assert main(["predict", "--model", str(model_dir), "--input", str(statements), "--backend", "onnx"]) == 2
    assert "was exported from other weights" in capsys.readouterr().err
    assert main(["export", "--onnx", "--model", str(model_dir)]) == 0
    assert main(["predict", "--model", str(model_dir), "--input", str(statements), "--backend", "onnx"]) == 0
