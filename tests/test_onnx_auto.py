"""``--backend auto``: the fastest fresh export is picked and recorded; the int8 export's settings;
``diplostance train --export``."""

import json
import logging

import numpy as np
import pytest

from classifier.cli import main
from classifier.modeling import StanceModel, file_hash

from .conftest import write_jsonl

pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")

from classifier.onnx_backend import (  # noqa: E402
    INT8_NAME,
    ONNX_NAME,
    SOURCE_NAME,
    export_onnx,
    load_model,
    pick_backend,
    stale_reason,
)


def retrain(model_dir) -> None:
    """New weights in the directory, as after another training run; the exports are left as they were."""
    import torch

    model = StanceModel.from_pretrained(model_dir)
    with torch.no_grad():
        next(model.parameters()).add_(0.01)
    model.save_pretrained(model_dir)


def test_auto_picks_the_fastest_export_made_from_these_weights(model_dir, caplog):
    caplog.set_level(logging.INFO, logger="classifier.onnx_backend")
    assert pick_backend(model_dir) == "torch"  # nothing exported yet
    assert f"{model_dir / INT8_NAME} is missing" in caplog.text
    assert load_model(model_dir, "auto").backend == "torch"

    export_onnx(model_dir)
    assert load_model(model_dir, "auto").backend == "onnx"

    export_onnx(model_dir, int8=True)
    caplog.clear()
    model = load_model(model_dir, "auto")
    assert model.backend == "onnx-int8"
    assert f"backend auto: onnx-int8 ({model_dir / INT8_NAME})" in caplog.text

    retrain(model_dir)  # both exports are now stale: auto falls back to the weights, never to an old export
    caplog.clear()
    assert load_model(model_dir, "auto").backend == "torch"
    assert "was exported from other weights" in caplog.text


def test_an_int8_file_left_from_older_weights_is_passed_over(model_dir, tmp_path, capsys):
    export_onnx(model_dir, int8=True)
    retrain(model_dir)
    export_onnx(model_dir)  # fp32 only: model.int8.onnx is still there, from the weights before
    assert stale_reason(model_dir, ONNX_NAME) is None
    assert "(stale)" in stale_reason(model_dir, INT8_NAME)
    assert pick_backend(model_dir) == "onnx"
    statements = write_jsonl(tmp_path / "in.jsonl", [{"text": "Russia urged a truce."}])
    assert main(["predict", "--model", str(model_dir), "--input", str(statements), "--backend", "onnx-int8"]) == 2
    assert f"run `diplostance export --onnx --int8 --model {model_dir}` again" in capsys.readouterr().err
    # an fp32 export of the same weights keeps an int8 file made from them
    export_onnx(model_dir, int8=True)
    export_onnx(model_dir)
    assert pick_backend(model_dir) == "onnx-int8"


def test_a_record_from_before_per_file_hashes_still_counts(model_dir):
    export_onnx(model_dir, int8=True)
    record = json.loads((model_dir / SOURCE_NAME).read_text())
    (model_dir / SOURCE_NAME).write_text(json.dumps({"weights": record["weights"]}))  # the older format
    assert pick_backend(model_dir) == "onnx-int8"
    (model_dir / SOURCE_NAME).unlink()
    assert "has no record of the weights" in stale_reason(model_dir, INT8_NAME)
    assert pick_backend(model_dir) == "torch"


def test_auto_needs_a_model_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_model(tmp_path / "nowhere", "auto")
    with pytest.raises(ValueError, match="unknown backend 'tensorrt': choose auto, torch, onnx, onnx-int8"):
        load_model(tmp_path, "tensorrt")


def test_int8_weights_have_a_scale_per_output_column_and_embeddings_stay_fp32(model_dir):
    export_onnx(model_dir, int8=True)
    graph = onnx.load(str(model_dir / INT8_NAME)).graph
    initializers = {item.name: item for item in graph.initializer}
    integer = [node for node in graph.node if node.op_type == "MatMulInteger"]
    # the tiny BERT: 2 layers x (query, key, value, attention output, intermediate, output) weight matrices
    assert len(integer) == 12
    for node in integer:
        weight = initializers[node.input[1]]
        assert weight.data_type == onnx.TensorProto.INT8
        scale = initializers[node.input[1].removesuffix("_quantized") + "_scale"]
        assert list(scale.dims) == [weight.dims[1]]  # one scale per output column
    heads = {node.op_type for node in graph.node if "_head/" in node.name}
    assert heads and "MatMulInteger" not in heads  # the heads stay fp32 (ONNX Runtime splits each Gemm in two)
    gathers = [node for node in graph.node if node.op_type == "Gather" and node.input[0] in initializers]
    assert gathers and all(initializers[node.input[0]].data_type == onnx.TensorProto.FLOAT for node in gathers)
    record = json.loads((model_dir / SOURCE_NAME).read_text())
    assert record["files"][INT8_NAME]["quantization"]["per_channel"] is True
    assert record["files"][ONNX_NAME] == {}


def test_score_records_the_backend_auto_picked(model_dir, tmp_path):
    from .test_cli import ARTICLE

    article = tmp_path / "story.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    export_onnx(model_dir, int8=True)
    out = tmp_path / "rows.jsonl"
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out)]) == 0
    journal = [json.loads(line) for line in (tmp_path / "rows.jsonl.progress").read_text().splitlines()]
    fingerprint = next(entry["fingerprint"] for entry in journal if "fingerprint" in entry)
    assert fingerprint["backend"] == "onnx-int8" and "dtype" not in fingerprint
    assert fingerprint["weights"] == file_hash(model_dir / INT8_NAME)
    # asking for torch by name after an auto run changes what produced the rows: the journal says so
    assert main(["score", "--model", str(model_dir), str(article), "--output", str(out), "--backend", "torch"]) == 2


def test_evaluate_says_which_backend_it_measured(model_dir, tmp_path, capsys):
    from .conftest import ROWS

    data = write_jsonl(tmp_path / "test.jsonl", ROWS)
    export_onnx(model_dir, int8=True)
    assert main(["evaluate", "--model", str(model_dir), "--data", str(data), "--no-baseline"]) == 0
    judged = json.loads(capsys.readouterr().out)
    assert judged["backend"] == "torch" and judged["dtype"] == "fp32"  # evaluate judges the saved weights
    assert main(["evaluate", "--model", str(model_dir), "--data", str(data), "--no-baseline", "--backend", "auto"]) == 0
    quantized = json.loads(capsys.readouterr().out)
    assert quantized["backend"] == "onnx-int8" and "dtype" not in quantized
    assert quantized["n"] == judged["n"] == len(ROWS)


@pytest.mark.slow
def test_train_exports_right_after_saving(tiny_backbone, corpus_dir, tmp_path, capsys):
    import yaml

    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump({
        "model": {"backbone": str(tiny_backbone), "max_length": 64},
        "data": {name: str(corpus_dir / f"{split}.jsonl") for name, split in
                 (("train_file", "train"), ("dev_file", "dev"), ("test_file", "test"))},
        "train": {"epochs": 1, "batch_size": 4},
    }))  # fmt: skip
    out = tmp_path / "m"
    args = ["train", "--config", str(config), "--output-dir", str(out), "--export", "onnx-int8"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["exported"] == [str(out / ONNX_NAME), str(out / INT8_NAME)]
    assert pick_backend(out) == "onnx-int8"
    texts, speakers = ["Russia urged a truce."], ["Russia"]
    expected = StanceModel.from_pretrained(out).predict_proba(texts, speakers)[0]
    np.testing.assert_allclose(load_model(out, "onnx").predict_proba(texts, speakers)[0], expected, atol=1e-4)


def test_train_refuses_an_unknown_export_before_training(tmp_path):
    from training.config import config_from_dict
    from training.train import train

    config = config_from_dict({"data": {"train_file": str(tmp_path / "never-read.jsonl")}})
    with pytest.raises(ValueError, match="export 'tflite': choose onnx or onnx-int8"):
        train(config, tmp_path / "m", export="tflite")
    assert not (tmp_path / "m").exists()
