"""``csc`` as a person or a service manager runs it: a subprocess in a process group of its own,
its console read line by line while it runs."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# A process that holds the data lake's lock (argv[1]) until it is killed; prints "held" once it does.
HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from csc_pipeline import lake_lock
    with lake_lock.hold(Path(sys.argv[1]), 5, print):
        print("held", flush=True)
        time.sleep(600)
""")


def lock_holder(lake: Path) -> subprocess.Popen:
    """A child process holding ``lake``'s lock until it is killed."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lake)], stdout=subprocess.PIPE, text=True)
    with holder.stdout:
        assert holder.stdout.readline().strip() == "held"
    return holder


class CscProcess:
    """``python -m csc_pipeline.cli ARGS`` with ``env``; stdout lines are collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "csc_pipeline.cli", *args], cwd=PROJECT_ROOT, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, needle: str, timeout: float) -> str | None:
        """The first new stdout line containing ``needle``; None if the process ended first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"no line with {needle!r} within {timeout} s; seen: {self.lines[-5:]}") from None
            if line is None:
                self._queue.put(None)
                return None
            self.lines.append(line)
            if needle in line:
                return line

    def kill_group(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)

    def finish(self, timeout: float) -> tuple[int, list[str], str]:
        """(exit code, all stdout lines, stderr) once the process has ended."""
        returncode = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        while (line := self._queue.get_nowait() if not self._queue.empty() else None) is not None:
            self.lines.append(line)
        return returncode, self.lines, self.process.stderr.read()


def csc_env(lake: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSC_") and k != "DAGSTER_HOME"}
    return {**env, "CSC_DATA_LAKE": str(lake), **extra}
