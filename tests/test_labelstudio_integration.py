"""The retraining loop against a real Label Studio: our config is accepted, our tasks import, its export reads back.

Label Studio lives in its own virtualenv (its pins must not touch ours), made once in a cache folder and reused:
``$DIPLOSTANCE_TEST_CACHE/label-studio-venv`` (default ``~/.cache/diplostance-test``). The first run installs it
(several minutes) and then starts Label Studio once on an empty data folder, which runs its database migrations
(a minute), and keeps that folder as a template: each test starts on a copy of it in seconds. The test is skipped
only when the install fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from classifier.cli import main
from tests.conftest import SENTIMENTS, STANCES
from training.data import load_examples
from training.labelstudio import import_export

pytestmark = pytest.mark.integration

CACHE = Path(os.environ.get("DIPLOSTANCE_TEST_CACHE", Path.home() / ".cache" / "diplostance-test"))
VENV = CACHE / "label-studio-venv"
INSTALLED = VENV / ".diplostance-installed"  # written after a complete install, so a broken one is redone
TEMPLATE = VENV / "diplostance-data-template"  # a migrated data folder with our user; inside the venv, so a
# reinstall makes a new one
STARTUP_SECONDS = 300  # a fresh data folder runs every database migration first
ARTICLE = ("Shelling hit Stepanakert overnight.\nRussia called for an immediate ceasefire. Turkey said Azerbaijan has "
           "every right to defend itself.\n\n\U0001f54a\ufe0f The council demanded that the forces withdraw. Talks "
           "are due next week.")  # fmt: skip
STATEMENTS = [
    ("Russia", "Russia called for an immediate ceasefire."),
    ("Turkey", "Turkey said Azerbaijan has every right to defend itself."),
    ("UN Security Council", "\U0001f54a\ufe0f The council demanded that the forces withdraw."),
]


def _label_studio() -> Path:
    """The ``label-studio`` executable of the cached virtualenv, installed when missing."""
    executable = VENV / "bin" / "label-studio"
    if INSTALLED.is_file() and executable.is_file():
        return executable
    CACHE.mkdir(parents=True, exist_ok=True)
    steps = {
        f"python -m venv {VENV}": [sys.executable, "-m", "venv", str(VENV)],
        # sentry-sdk 3 dropped an option Label Studio 1.23 passes at start-up ("Unknown option 'send_default_pii'")
        "pip install label-studio": [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                                     "--disable-pip-version-check", "label-studio", "sentry-sdk<3"],
    }  # fmt: skip
    for name, step in steps.items():
        done = subprocess.run(step, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            pytest.skip(f"label-studio could not be installed: `{name}` failed: {done.stderr.strip()[-800:]}")
    INSTALLED.write_text("ok\n", encoding="utf-8")
    return executable


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _template(executable: Path) -> tuple[Path, dict]:
    """The migrated data folder and the credentials of its user, made on first use."""
    credentials_file = TEMPLATE / "diplostance-credentials.json"
    if not credentials_file.is_file():
        building = TEMPLATE.with_name(f"{TEMPLATE.name}.{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        credentials = {"user": "annotator@example.com", "password": secrets.token_urlsafe(12),
                       "token": secrets.token_hex(20)}  # fmt: skip
        server = Server(executable, building / "data", credentials)
        try:
            server.wait()
        finally:
            server.stop()
        (building / credentials_file.name).write_text(json.dumps(credentials), encoding="utf-8")
        try:
            building.rename(TEMPLATE)
        except OSError:  # another run made it meanwhile
            shutil.rmtree(building, ignore_errors=True)
    return TEMPLATE / "data", json.loads(credentials_file.read_text(encoding="utf-8"))


class Server:
    """A Label Studio on localhost with a known API token (legacy token auth, enabled for this run)."""

    def __init__(self, executable: Path, data_dir: Path, credentials: dict) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = credentials["token"]
        user, password = credentials["user"], credentials["password"]
        env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir), "LABEL_STUDIO_USERNAME": user,
               "LABEL_STUDIO_PASSWORD": password, "LABEL_STUDIO_USER_TOKEN": self.token,
               "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true", "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
               "LABEL_STUDIO_COLLECT_ANALYTICS": "false"}  # fmt: skip
        self.log = data_dir.parent / "label-studio.log"
        command = [str(executable), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(self.port),
                   "--username", user, "--password", password, "--user-token", self.token,
                   "--enable-legacy-api-token"]  # fmt: skip
        with self.log.open("w") as log:
            # its own session, so stopping it stops whatever it started
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip

    def wait(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"label-studio exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        pytest.fail(f"label-studio did not answer within {STARTUP_SECONDS} s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)

    def api(self, method: str, path: str, body: object = None):
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            pytest.fail(f"{method} {path}: HTTP {err.code}: {err.read().decode('utf-8', 'replace')[:1500]}")


@pytest.fixture
def label_studio(tmp_path):
    executable = _label_studio()
    template, credentials = _template(executable)
    shutil.copytree(template, tmp_path / "label-studio" / "data")
    server = Server(executable, tmp_path / "label-studio" / "data", credentials)
    try:
        server.wait()
        yield server
    finally:
        server.stop()
    assert server.process.returncode is not None


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    rows = []
    for number, (speaker, text) in enumerate(STATEMENTS, start=1):
        start = ARTICLE.index(text)
        rows.append({"article_id": "a1", "statement_id": f"a1-{number}", "speaker": speaker, "text": text,
                     "start": start, "end": start + len(text)})  # fmt: skip
    scored = tmp_path / "scored.jsonl"
    scored.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return scored, texts


def test_label_studio_accepts_the_config_and_tasks_and_its_export_reads_back(label_studio, model_dir, tmp_path,
                                                                             capsys):  # fmt: skip
    scored, texts = _inputs(tmp_path)
    tasks_file = tmp_path / "tasks.json"
    assert main(["select", "--model", str(model_dir), str(scored), "--n", "3", "--texts", str(texts),
                 "--output", str(tasks_file)]) == 0  # fmt: skip
    assert main(["labels", "config", "--model", str(model_dir)]) == 0
    config = capsys.readouterr().out
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))

    project = label_studio.api("POST", "/api/projects", {"title": "diplostance test", "label_config": config})
    parsed = project["parsed_label_config"]
    assert parsed["stance"]["labels"] == STANCES and parsed["sentiment"]["labels"] == SENTIMENTS
    assert parsed["speaker"]["type"] == "TextArea"
    imported = label_studio.api("POST", f"/api/projects/{project['id']}/import", tasks)
    assert (imported["task_count"], imported["prediction_count"]) == (3, 3)

    listed = label_studio.api("GET", f"/api/tasks?project={project['id']}&page_size=100")
    stored = {task["data"]["statement_id"]: task for task in (listed["tasks"] if "tasks" in listed else listed)}
    assert stored["a1-3"]["data"]["text"] == STATEMENTS[2][1]  # the emoji went through the database unchanged
    label_studio.api("POST", f"/api/tasks/{stored['a1-3']['id']}/annotations", {"result": [
        {"from_name": "stance", "to_name": "text", "type": "choices",
         "value": {"choices": ["demands_withdrawal", "calls_for_negotiations"]}},
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["negative"]}},
        {"from_name": "speaker", "to_name": "text", "type": "textarea", "value": {"text": ["UN Security Council "
                                                                                          "members"]}},
    ], "was_cancelled": False})  # fmt: skip
    label_studio.api("POST", f"/api/tasks/{stored['a1-1']['id']}/annotations", {"result": [], "was_cancelled": True})

    export = label_studio.api("GET", f"/api/projects/{project['id']}/export?exportType=JSON&download_all_tasks=true")
    export_file = tmp_path / "export.json"
    export_file.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    result = import_export(export_file, STANCES, SENTIMENTS, conflict="nagorno-karabakh")
    assert result.problems == [] and result.disagreements == []
    assert result.cancelled == 1
    [row] = result.examples
    assert row == {"id": "a1-3", "text": STATEMENTS[2][1], "speaker": "UN Security Council members",
                   "stances": ["demands_withdrawal", "calls_for_negotiations"], "sentiment": "negative",
                   "conflict": "nagorno-karabakh", "source": f"label-studio:{stored['a1-3']['id']}"}  # fmt: skip
    [exported] = [task for task in export if task["id"] == stored["a1-3"]["id"]]
    assert ARTICLE[exported["data"]["start"] : exported["data"]["end"]] == row["text"]
    assert exported["data"]["context"].endswith("Talks are due next week.")

    labelled = tmp_path / "new.jsonl"
    assert main(["labels", "import", str(export_file), "--output", str(labelled), "--conflict", "nk"]) == 0
    assert [e.speaker for e in load_examples(labelled, STANCES, SENTIMENTS)] == ["UN Security Council members"]
