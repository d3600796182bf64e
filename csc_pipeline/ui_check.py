"""See the Dagster UI as a person does: start the webserver on localhost, open the asset graph in
headless Chromium, check the layer groups are drawn, and save a screenshot.

Plain Python (Playwright driving the system's Chromium); used by ``csc screenshot`` and the tests.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path


# What Dagster's commands load: the package's definitions module (workspace.yaml says the same for a
# checkout; an installed package has no workspace file).
DEFINITIONS_TARGET = ("-m", "csc_pipeline.definitions", "-a", "defs")
LAYER_GROUPS = ("source_files", "conformed", "loaded", "reference", "staging", "intermediate", "marts", "analysis", "publish")
# Chromium flags for a closed network: no background services, no first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


class UiCheckError(RuntimeError):
    """The UI did not come up, or did not show what it should."""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_webserver(dagster_home: Path, timeout: float = 120.0):
    """``dagster-webserver`` on 127.0.0.1 for the project's workspace; yields its base URL."""
    port = free_port()
    env = dict(os.environ, DAGSTER_HOME=str(dagster_home))
    dagster_home.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "dagster_webserver", *DEFINITIONS_TARGET, "-h", "127.0.0.1", "-p", str(port)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(f"{base}/server_info", timeout=2).read()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise UiCheckError(f"dagster-webserver did not start:\n{log.read().decode()[-2000:]}") from None
                    time.sleep(0.5)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def screenshot_asset_graph(base_url: str, path: Path, chromium: str, timeout_ms: int = 180_000) -> list[str]:
    """Open the global asset lineage, wait for the layer groups, save a PNG; return the groups seen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1800, "height": 1100})
            page.goto(f"{base_url}/asset-groups", timeout=timeout_ms)
            page.get_by_text("Global asset lineage").wait_for(timeout=timeout_ms)
            skip = page.get_by_role("button", name="Skip")  # the first-visit community dialog
            try:
                skip.click(timeout=5_000)
            except Exception:  # noqa: BLE001 - not shown on every version/visit
                pass
            # The groups appear once the code location has loaded, which takes a while on a busy machine.
            page.get_by_text(LAYER_GROUPS[0], exact=True).first.wait_for(timeout=timeout_ms)
            seen = [g for g in LAYER_GROUPS if page.get_by_text(g, exact=True).first.is_visible()]
            page.wait_for_timeout(1_500)  # let the graph finish its layout animation
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path))
        finally:
            browser.close()
    return seen


def capture_ui(path: Path, dagster_home: Path) -> list[str]:
    if importlib.util.find_spec("playwright") is None:
        raise UiCheckError("the screenshot needs playwright, installed with the test extras: "
                           ".venv/bin/pip install -e '.[test]'")
    chromium = find_chromium()
    if chromium is None:
        raise UiCheckError("no Chromium found (apt-get install chromium)")
    with running_webserver(dagster_home) as base:
        seen = screenshot_asset_graph(base, path, chromium)
    missing = [g for g in LAYER_GROUPS if g not in seen]
    if missing:
        raise UiCheckError(f"asset graph page did not show the groups {missing}")
    return seen
