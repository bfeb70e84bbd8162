"""An optional faster path: the model exported to ONNX (optionally int8-quantized) and run by ONNX Runtime.

``export_onnx`` writes ``model.onnx`` (and ``model.int8.onnx``) into the model directory; ``OnnxStanceModel``
loads either and predicts exactly like :class:`~classifier.modeling.StanceModel` (same tokenizer, windows,
length buckets and thresholds). Needs the ``onnx`` extra: ``pip install 'diplostance[onnx]'``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from classifier.modeling import META_NAME, StanceModel, file_hash, no_model_message
from classifier.predictor import BatchedPredictor

ONNX_NAME = "model.onnx"
INT8_NAME = "model.int8.onnx"
SOURCE_NAME = "onnx_source.json"  # the hash of the weights the ONNX files were exported from
WEIGHTS_NAME = "model.safetensors"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _require(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            f"the ONNX backend needs {err.name}: pip install 'diplostance[onnx]'", name=err.name
        ) from err


def export_onnx(model_dir: str | Path, int8: bool = False) -> list[Path]:
    """Export the model in ``model_dir`` to ``model.onnx`` there, and with ``int8`` also ``model.int8.onnx``
    (dynamic quantization: int8 weights, activations quantized on the fly). Returns the files written.

    >>> export_onnx("models/default", int8=True)  # doctest: +SKIP
    [PosixPath('models/default/model.onnx'), PosixPath('models/default/model.int8.onnx')]
    """
    import torch

    _require("onnx")
    model_dir = Path(model_dir)
    model = StanceModel.from_pretrained(model_dir)
    takes_types = "token_type_ids" in model.tokenizer.model_input_names

    class Probabilities(torch.nn.Module):
        """The model with its output activations, so ONNX Runtime returns probabilities."""

        def __init__(self, inner: StanceModel) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            output = self.inner(input_ids, attention_mask, token_type_ids)
            return torch.sigmoid(output["stance_logits"]), torch.softmax(output["sentiment_logits"], dim=-1)

    names = list(INPUTS if takes_types else INPUTS[:2])
    example = model.encode(["Russia called for a ceasefire."], ["Russia"])
    args = tuple(example[name] for name in names)
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    axes.update({"stance_probs": {0: "batch"}, "sentiment_probs": {0: "batch"}})
    path = model_dir / ONNX_NAME
    torch.onnx.export(
        Probabilities(model).eval(),
        args,
        str(path),
        input_names=names,
        output_names=["stance_probs", "sentiment_probs"],
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,  # the TorchScript exporter needs no extra packages and handles BERT's dynamic shapes
    )
    written = [path]
    # Which weights the export came from: loading it after the model was retrained is refused (a stale export).
    source = {"weights": file_hash(model_dir / WEIGHTS_NAME)}
    (model_dir / SOURCE_NAME).write_text(json.dumps(source) + "\n", encoding="utf-8")
    if int8:
        quantization = _require("onnxruntime.quantization")
        quantization.quantize_dynamic(str(path), str(model_dir / INT8_NAME), weight_type=quantization.QuantType.QInt8)
        written.append(model_dir / INT8_NAME)
    return written


def _check_fresh(path: Path, onnx_file: Path) -> None:
    """Refuse an export made from other weights than the directory's ``model.safetensors`` now holds."""
    again = f"run `diplostance export --onnx --model {path}` again (with --int8 if you use onnx-int8)"
    source = path / SOURCE_NAME
    if not source.is_file():
        raise ValueError(f"{onnx_file} has no record of the weights it was exported from ({SOURCE_NAME}): {again}")
    exported = json.loads(source.read_text(encoding="utf-8")).get("weights")
    if (path / WEIGHTS_NAME).is_file() and exported != file_hash(path / WEIGHTS_NAME):
        raise ValueError(f"{onnx_file} was exported from other weights than {path / WEIGHTS_NAME} (stale): {again}")


class OnnxStanceModel(BatchedPredictor):
    """A diplostance model directory run by ONNX Runtime instead of torch; ``predict`` is the same.

    >>> model = OnnxStanceModel.from_pretrained("models/default", int8=True)  # doctest: +SKIP
    >>> model.predict(["Pompeo urged both sides to halt the fighting."], ["Mike Pompeo"])[0].stances  # doctest: +SKIP
    ['calls_for_ceasefire']
    """

    def __init__(self, session, tokenizer, meta: dict) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self._set_labels(meta["stance_labels"], meta["sentiment_labels"], meta.get("thresholds"),
                         meta.get("max_length", 128))  # fmt: skip
        self.input_names = [item.name for item in session.get_inputs()]

    @classmethod
    def from_pretrained(cls, path: str | Path, int8: bool = False, threads: int | None = None) -> OnnxStanceModel:
        from transformers import AutoTokenizer

        ort = _require("onnxruntime")
        path = Path(path)
        onnx_file = path / (INT8_NAME if int8 else ONNX_NAME)
        if not (path / META_NAME).is_file():
            raise FileNotFoundError(no_model_message(path))
        if not onnx_file.is_file():
            flag = " --int8" if int8 else ""
            raise FileNotFoundError(
                f"{onnx_file} is missing: run `diplostance export --onnx{flag} --model {path}` first"
            )
        _check_fresh(path, onnx_file)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        meta = json.loads((path / META_NAME).read_text(encoding="utf-8"))
        return cls(session, AutoTokenizer.from_pretrained(path), meta)

    def _probabilities(self, batch: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        stance, sentiment = self.session.run(None, {name: batch[name] for name in self.input_names})
        return stance, sentiment


def load_model(path: str | Path, backend: str = "torch", threads: int | None = None):
    """A model for ``backend``: ``torch`` (the saved weights), ``onnx`` or ``onnx-int8`` (exported files).

    ``threads`` caps the ONNX Runtime session's threads (torch's are set with ``torch.set_num_threads``)."""
    if backend == "torch":
        return StanceModel.from_pretrained(path)
    if backend in ("onnx", "onnx-int8"):
        return OnnxStanceModel.from_pretrained(path, int8=backend == "onnx-int8", threads=threads)
    raise ValueError(f"unknown backend {backend!r}: choose torch, onnx or onnx-int8")
