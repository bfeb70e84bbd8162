"""``diplostance train`` under torchrun: two CPU processes on the gloo backend train one model, saved once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from classifier.modeling import StanceModel


def test_two_cpu_processes_train_and_rank_0_saves_one_model(tiny_backbone, corpus_dir, tmp_path):
    epochs = 2
    config = {
        "model": {"backbone": str(tiny_backbone), "max_length": 64},
        "data": {split: str(corpus_dir / f"{split[:-5]}.jsonl") for split in ("train_file", "dev_file", "test_file")},
        "train": {"epochs": epochs, "batch_size": 2},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    # The scratch directories of both ranks (and torchrun's logs) land in tmp_path too, so a stray save would show.
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "TMPDIR": str(tmp_path / "tmp")}
    command = [
        *(sys.executable, "-m", "torch.distributed.run"),
        # --standalone binds its rendezvous to port 0: the OS picks a free port, so parallel runs cannot collide.
        *("--standalone", "--nproc_per_node", "2"),
        *("-m", "classifier.cli", "--verbose", "train", "--config", "config.yaml", "--output-dir", "model"),
    ]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]

    for rank in (0, 1):
        assert f"rank {rank} of 2 (gloo): training on cpu" in run.stderr
        assert f"rank {rank} of 2: training finished" in run.stderr
    assert run.stderr.count("saved model to model") == 1

    output = tmp_path / "model"
    assert {"diplostance.json", "model.safetensors", "metrics.json", "training_config.yaml"} <= {
        path.name for path in output.iterdir()
    }
    assert [path.parent for path in tmp_path.rglob("model.safetensors")] == [output]
    assert [path.parent for path in tmp_path.rglob("diplostance.json")] == [output]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["config.yaml", "model", "tmp"]

    # Rank 0 scored dev after every epoch, tuned thresholds and evaluated, as a single process does.
    metrics = json.loads((output / "metrics.json").read_text())
    assert len(metrics["dev_macro_f1_by_epoch"]) == epochs
    assert 0.0 <= metrics["test"]["stance_macro_f1"] <= 1.0
    model = StanceModel.from_pretrained(output)
    (prediction,) = model.predict(["Russia called for a ceasefire."], speakers=["Russia"])
    assert prediction.sentiment in model.sentiment_labels
