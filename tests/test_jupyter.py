"""Papermill and JupyterLab the way the README gives them: the generated notebooks/*.ipynb runs
under the papermill CLI of .venv with `-p` parameters, and `make lab` serves the notebooks on
127.0.0.1 (as root, which CI is) until it is shut down through its API, leaving no process
behind. The content of the report is tested elsewhere; these tests check the mechanics."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from analysis.paths import PROCESSED_DIR

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "district_report.ipynb"

pytestmark = pytest.mark.skipif(
    not (PROCESSED_DIR / "data_version.json").exists(),
    reason="data/processed is not built (run `make data`)",
)


@pytest.fixture(scope="module")
def generated_notebook() -> Path:
    """notebooks/*.ipynb as the set-up step leaves them (regenerated if a .py is newer)."""
    subprocess.run(["make", "--no-print-directory", "notebooks"], cwd=ROOT, check=True)
    return NOTEBOOK


def test_notebooks_are_regenerated_when_their_source_changes():
    plan = subprocess.run(
        [
            "make",
            "--dry-run",
            "--no-print-directory",
            "-W",
            "notebooks/district_report.py",
            "notebooks",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "jupytext" in plan and "notebooks/district_report.py" in plan


def test_generated_notebook_has_the_parameters_cell_and_a_kernel_of_the_venv(generated_notebook):
    nb = nbformat.read(generated_notebook, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "district =" in tagged[0].source
    kernel = nb.metadata.kernelspec.name
    specs = json.loads(
        subprocess.run(
            [BIN / "jupyter", "kernelspec", "list", "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["kernelspecs"]
    assert kernel in specs
    argv0 = specs[kernel]["spec"]["argv"][0]
    assert Path(argv0).parent.resolve() == BIN.resolve()


def test_papermill_cli_runs_the_district_notebook_with_parameters(generated_notebook, tmp_path):
    out = tmp_path / "out.ipynb"
    command = [
        BIN / "papermill",
        "notebooks/district_report.ipynb",
        out,
        "-p",
        "district",
        "Kota Surabaya",
        "-p",
        "lang",
        "en",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    executed = nbformat.read(out, as_version=4)
    assert executed.metadata.papermill.parameters == {"district": "Kota Surabaya", "lang": "en"}
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "Kota Surabaya" in injected[0].source
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "a code cell did not run"
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = " ".join(str(o.get("data", {})) + str(o.get("text", "")) for o in outputs)
    assert "Surabaya" in shown


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lines(stream, sink: queue.Queue) -> None:
    for line in stream:
        sink.put(line)


def _listening(port: int, proc: subprocess.Popen, deadline: float) -> bool:
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _get(url: str, token: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method)
    if token:
        request.add_header("Authorization", f"token {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_make_lab_serves_the_notebooks_on_localhost_and_shuts_down_cleanly(tmp_path):
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        url = re.compile(rf"http://127\.0\.0\.1:{port}/\S*\?token=(\w+)")
        token, deadline = None, time.monotonic() + 180
        while token is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
            found = url.search(seen[-1])
            token = found.group(1) if found else None
        assert token, "no URL with token printed:\n" + "".join(seen[-30:])
        # the server prints its URL just before it binds the port (in its event loop)
        assert _listening(port, proc, deadline), "server did not listen:\n" + "".join(seen[-30:])

        base = f"http://127.0.0.1:{port}"
        status, _ = _get(f"{base}/api/contents/notebooks/district_report.py")
        assert status == 403  # the token is required
        status, body = _get(f"{base}/api/contents/notebooks/district_report.py", token)
        assert status == 200
        model = json.loads(body)
        assert model["type"] == "notebook"  # the .py opens as a notebook (jupytext)
        tags = [c["metadata"].get("tags", []) for c in model["content"]["cells"]]
        assert ["parameters"] in tags

        status, _ = _get(f"{base}/api/shutdown", token, method="POST")
        assert status == 200
        assert proc.wait(timeout=60) == 0
        with pytest.raises(ProcessLookupError):  # nothing left in the server's process group
            os.killpg(proc.pid, 0)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
