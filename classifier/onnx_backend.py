"""An optional faster path: the model exported to ONNX (optionally int8-quantized) and run by ONNX Runtime.

``export_onnx`` writes ``model.onnx`` (and ``model.int8.onnx``) into the model directory; ``OnnxStanceModel``
loads either and predicts exactly like :class:`~classifier.modeling.StanceModel` (same tokenizer, windows,
length buckets and thresholds). ``load_model(path, "auto")`` picks the fastest of the three backends whose files
are present and were exported from the directory's weights. Needs the ``onnx`` extra:
``pip install 'diplostance[onnx]'``.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

import numpy as np

from classifier.modeling import META_NAME, StanceModel, file_hash, no_model_message
from classifier.predictor import BatchedPredictor

logger = logging.getLogger(__name__)

ONNX_NAME = "model.onnx"
INT8_NAME = "model.int8.onnx"
SOURCE_NAME = "onnx_source.json"  # the hash of the weights the ONNX files were exported from, and which files
WEIGHTS_NAME = "model.safetensors"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
# One scale per output column of each weight matrix: with one scale per matrix the int8 model lost 0.010 test
# stance macro-F1 on the v3.1 model, per column it moved by +0.0006 (docs/performance.md). Only the encoder's
# weight MatMuls are quantized: int8 embeddings (Gather) and heads save memory but no time, and cost precision.
INT8_SETTINGS = {"per_channel": True, "weight_type": "QInt8", "nodes": "the encoder's MatMuls with a weight matrix"}


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
    (dynamic quantization: int8 weights with a scale per output column, activations quantized on the fly).
    Returns the files written.

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
    if int8:
        _quantize(path, model_dir / INT8_NAME)
        written.append(model_dir / INT8_NAME)
    # Which weights each file came from: loading one after the model was retrained is refused (a stale export).
    # An int8 file from an earlier export of the same weights stays valid; one from other weights does not.
    weights = file_hash(model_dir / WEIGHTS_NAME)
    earlier = _read_source(model_dir)
    files = {name: _settings_of(name) for name in (ONNX_NAME, INT8_NAME) if model_dir / name in written}
    if earlier.get("weights") == weights:
        files = {**earlier.get("files", {}), **files}
    source = {"weights": weights, "files": files}
    (model_dir / SOURCE_NAME).write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
    return written


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantization of ``source`` into ``target`` with :data:`INT8_SETTINGS`."""
    onnx = _require("onnx")
    quantization = _require("onnxruntime.quantization")
    graph = onnx.load(str(source), load_external_data=False).graph
    weights = {item.name for item in graph.initializer}
    # Named from the graph itself: ONNX Runtime would also turn the heads' Gemm into MatMuls and quantize them.
    nodes = [node.name for node in graph.node if node.op_type == "MatMul" and node.input[1] in weights]
    quantization.quantize_dynamic(
        str(source),
        str(target),
        weight_type=getattr(quantization.QuantType, INT8_SETTINGS["weight_type"]),
        per_channel=INT8_SETTINGS["per_channel"],
        op_types_to_quantize=["MatMul"],
        nodes_to_quantize=nodes,
    )


def _settings_of(name: str) -> dict:
    """How the export ``name`` was made, as recorded in ``onnx_source.json``."""
    return {"quantization": {**INT8_SETTINGS, "method": "dynamic"}} if name == INT8_NAME else {}


def _read_source(path: Path) -> dict:
    source = path / SOURCE_NAME
    if not source.is_file():
        return {}
    try:
        record = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    return record if isinstance(record, dict) else {}


def stale_reason(path: str | Path, name: str) -> str | None:
    """Why the export ``name`` (``model.onnx`` or ``model.int8.onnx``) in the model directory ``path`` cannot be
    used, or None when it is present and was exported from the directory's ``model.safetensors``.

    >>> stale_reason("models/default", "model.int8.onnx")  # doctest: +SKIP
    'models/default/model.int8.onnx is missing'
    """
    path = Path(path)
    if not (path / name).is_file():
        return f"{path / name} is missing"
    record = _read_source(path)
    if "weights" not in record:
        return f"{path / name} has no record of the weights it was exported from ({SOURCE_NAME})"
    if (path / WEIGHTS_NAME).is_file() and record["weights"] != file_hash(path / WEIGHTS_NAME):
        return f"{path / name} was exported from other weights than {path / WEIGHTS_NAME} (stale)"
    # Records written before "files" existed name only the weights; the file is taken to come from them.
    if "files" in record and name not in record["files"]:
        return f"{path / name} was exported from other weights than {path / WEIGHTS_NAME} (stale)"
    return None


def _check_fresh(path: Path, onnx_file: Path) -> None:
    """Refuse an export made from other weights than the directory's ``model.safetensors`` now holds."""
    reason = stale_reason(path, onnx_file.name)
    if reason is not None:
        flag = " --int8" if onnx_file.name == INT8_NAME else " (with --int8 if you use onnx-int8)"
        raise ValueError(f"{reason}: run `diplostance export --onnx{flag} --model {path}` again")


def pick_backend(path: str | Path) -> str:
    """The fastest backend the model directory ``path`` can run now: ``onnx-int8`` if ``model.int8.onnx`` is
    there and was exported from the directory's weights, else ``onnx`` on the same terms, else ``torch``. The ONNX
    files count only where onnxruntime is installed. Says on the log (INFO) what was picked and why.

    >>> pick_backend("models/default")  # doctest: +SKIP
    'onnx-int8'
    """
    path = Path(path)
    passed_over = []
    if importlib.util.find_spec("onnxruntime") is None:
        passed_over.append("onnxruntime is not installed")
    else:
        for backend, name in (("onnx-int8", INT8_NAME), ("onnx", ONNX_NAME)):
            reason = stale_reason(path, name)
            if reason is None:
                logger.info("backend auto: %s (%s)%s", backend, path / name, _skipped(passed_over))
                return backend
            passed_over.append(reason)
    logger.info("backend auto: torch (%s)%s", path / WEIGHTS_NAME, _skipped(passed_over))
    return "torch"


def _skipped(reasons: list[str]) -> str:
    return "; passed over: " + "; ".join(reasons) if reasons else ""


class OnnxStanceModel(BatchedPredictor):
    """A diplostance model directory run by ONNX Runtime instead of torch; ``predict`` is the same.

    >>> model = OnnxStanceModel.from_pretrained("models/default", int8=True)  # doctest: +SKIP
    >>> model.predict(["Pompeo urged both sides to halt the fighting."], ["Mike Pompeo"])[0].stances  # doctest: +SKIP
    ['calls_for_ceasefire']
    """

    def __init__(self, session, tokenizer, meta: dict, backend: str = "onnx") -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.backend = backend  # "onnx" or "onnx-int8": what a run's fingerprint records
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
        return cls(session, AutoTokenizer.from_pretrained(path), meta, "onnx-int8" if int8 else "onnx")

    def _probabilities(self, batch: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        stance, sentiment = self.session.run(None, {name: batch[name] for name in self.input_names})
        return stance, sentiment


def load_model(path: str | Path, backend: str = "torch", threads: int | None = None, dtype: str = "fp32"):
    """A model for ``backend``: ``torch`` (the saved weights), ``onnx`` or ``onnx-int8`` (exported files), or
    ``auto``: the fastest of them that is present and fresh (:func:`pick_backend`). The model's ``backend``
    attribute names the backend it runs on.

    ``threads`` caps the ONNX Runtime session's threads (torch's are set with ``torch.set_num_threads``);
    ``dtype`` (``fp32``, ``bf16`` or ``auto``) is the torch backend's precision, and the ONNX files keep their own.

    >>> load_model("models/default", "auto").backend  # doctest: +SKIP
    'onnx-int8'
    """
    if backend == "auto":
        if not (Path(path) / META_NAME).is_file():
            raise FileNotFoundError(no_model_message(Path(path)))
        backend = pick_backend(path)
    if backend == "torch":
        model = StanceModel.from_pretrained(path, dtype=dtype)
        model.backend = "torch"
        return model
    if backend in ("onnx", "onnx-int8"):
        return OnnxStanceModel.from_pretrained(path, int8=backend == "onnx-int8", threads=threads)
    raise ValueError(f"unknown backend {backend!r}: choose {', '.join(BACKENDS)}")
