"""``score --engine ray`` on a local 2-CPU Ray instance gives exactly what the local engine gives."""

import json

import pytest

from classifier.cli import main

from .conftest import write_jsonl
from .test_cli import ARTICLE

ray = pytest.importorskip("ray")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=200 * 1024**2)
    yield
    ray.shutdown()


def rows_by_id(table) -> list[dict]:
    return sorted(table.to_pylist(), key=lambda row: row["statement_id"])


def test_ray_engine_output_equals_the_local_engine(local_ray, model_dir, tmp_path):
    records = [{"id": f"wire-{i}", "text": ARTICLE.replace("Russia", ["Russia", "China", "Egypt"][i % 3])}
               for i in range(9)]  # fmt: skip
    records.append({"id": "no-statements", "text": "Fighting began on Sept. 27."})
    (tmp_path / "archive").mkdir()
    batch = write_jsonl(tmp_path / "archive" / "batch.jsonl", records)
    local, on_ray = tmp_path / "local.parquet", tmp_path / "ray-out"
    assert main(["score", "--model", str(model_dir), str(batch), "--output", str(local)]) == 0
    # a URI, as on a cluster's object store (s3://, gs://); file:// goes through the same pyarrow file system
    command = ["score", "--engine", "ray", "--model", str(model_dir), batch.parent.as_uri(), "--output", str(on_ray)]
    assert main([*command, "--format", "parquet", "--articles-per-batch", "3"]) == 0
    expected, got = rows_by_id(pq.read_table(local)), rows_by_id(pq.read_table(on_ray))
    assert len(expected) == 9 * 4
    assert got == expected


def test_ray_engine_writes_jsonl_and_rejects_inputs_it_cannot_read(local_ray, model_dir, tmp_path, capsys):
    batch = write_jsonl(tmp_path / "batch.jsonl", [{"id": "a", "text": ARTICLE}])
    out = tmp_path / "ray-jsonl"
    assert main(["score", "--engine", "ray", "--model", str(model_dir), str(batch), "--output", str(out),
                 "--format", "jsonl"]) == 0  # fmt: skip
    lines = [json.loads(line) for path in sorted(out.iterdir()) for line in path.read_text().splitlines()]
    assert [row["statement_id"] for row in lines] == ["a-1", "a-2", "a-3", "a-4"]
    text = tmp_path / "story.txt"
    text.write_text(ARTICLE)
    assert main(["score", "--engine", "ray", "--model", str(model_dir), str(text), "--output", str(out)]) == 2
    assert "the ray engine reads .jsonl, .jsonl.gz and .parquet" in capsys.readouterr().err


def test_ray_engine_reports_skipped_articles_and_exits_1(local_ray, model_dir, tmp_path, capsys):
    rows = [{"id": "a", "text": ARTICLE}, {"id": "empty", "text": "   "}, {"id": "b", "text": ARTICLE}]
    batch = write_jsonl(tmp_path / "batch.jsonl", rows)
    out = tmp_path / "ray-out"
    code = main(["score", "--engine", "ray", "--model", str(model_dir), str(batch), "--output", str(out),
                 "--format", "jsonl"])  # fmt: skip
    assert code == 1
    lines = [json.loads(line) for path in sorted(out.iterdir()) for line in path.read_text().splitlines()]
    assert {row["article_id"] for row in lines} == {"a", "b"} and "_error" not in lines[0]
    (error,) = [json.loads(line) for line in (tmp_path / "ray-out.errors.jsonl").read_text().splitlines()]
    assert error["field"] == "text" and "'empty'" in error["message"]
    assert "1 article(s) skipped" in capsys.readouterr().err
