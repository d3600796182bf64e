"""The Dagster UI as a person sees it: the asset graph page shows every layer group; ``csc ui``
starts it from the installed entry point and stops it, children included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from csc_pipeline.ui_check import LAYER_GROUPS, capture_ui, free_port, find_chromium

pytestmark = pytest.mark.integration  # the Dagster UI and csc ui, in processes of their own


@pytest.mark.skipif(find_chromium() is None, reason="Chromium not installed (.ci/run installs it: apt-get install chromium)")
def test_asset_graph_page_shows_the_layer_groups_and_is_saved(tmp_path):
    path = tmp_path / "ui_asset_graph.png"
    seen = capture_ui(path, tmp_path / "dagster_home")
    assert seen == list(LAYER_GROUPS)
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000  # a rendered page, not a blank


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _asset_keys(base: str, deadline: float) -> list:
    query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
    while True:
        try:
            request = urllib.request.Request(f"{base}/graphql", data=query, headers={"Content-Type": "application/json"})
            nodes = json.loads(urllib.request.urlopen(request, timeout=10).read())["data"]["assetNodes"]
            if nodes:
                return [node["assetKey"]["path"] for node in nodes]
        except (OSError, KeyError, TypeError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the UI did not serve the asset graph")
        time.sleep(1)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the UI's child processes")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_csc_ui_runs_without_the_venv_on_path_serves_the_asset_graph_and_stops_with_its_children(tmp_path, signum):
    csc = Path(sys.executable).with_name("csc")
    if not csc.exists():
        pytest.skip(f"the csc entry point is not installed beside {sys.executable}")
    venv_bin = str(csc.parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CSC_") and k not in ("DAGSTER_HOME", "VIRTUAL_ENV")},
           "PATH": path, "CSC_DATA_LAKE": str(tmp_path / "lake")}
    port = free_port()
    with (tmp_path / "ui.log").open("w+") as log:
        # As a shell starts a background job (`csc ui &`): SIGINT ignored until csc sets its own handler.
        ui = subprocess.Popen([str(csc), "ui", "--port", str(port)], env=env, cwd=tmp_path, stdout=log,
                              stderr=subprocess.STDOUT, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        try:
            keys = _asset_keys(f"http://127.0.0.1:{port}", time.monotonic() + 300)
            assert ["warehouse", "published"] in keys and len(keys) > 100
            children = _children(ui.pid)
            assert children, "dagster dev should run the webserver and the daemon as child processes"
            ui.send_signal(signum)
            assert ui.wait(timeout=60) == 130
            deadline = time.monotonic() + 30
            while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert not [pid for pid in children if _alive(pid)]
        finally:
            if ui.poll() is None:
                ui.kill()
                ui.wait()
        log.seek(0)
        output = log.read()
    assert "FileNotFoundError" not in output and "telemetry" not in output.lower(), output[-3000:]
