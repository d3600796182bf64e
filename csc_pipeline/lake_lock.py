"""One writer at a time per data lake, with a lock that dies with its holder.

Every ``csc refresh`` / ``csc backfill``, and every Dagster run that writes the build warehouse
(the ``duckdb`` resource takes it, so runs the daemon launches too), holds an advisory ``flock`` on
``<data lake>/.csc.lock``. Unlike a slot in a Dagster pool, which lives in the run database and
stays claimed when its process is killed, the kernel drops the lock the moment its holder exits,
however it exits: nothing a crash leaves behind can block the next refresh. The holder writes its
pid into the file so that a refresh left waiting can say what it waits for; a wait is bounded
(``CSC_LOCK_TIMEOUT``). Whoever takes the lock first removes the temporary files a killed writer
left behind, since no writer can be running then.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from csc_pipeline.atomic import leftover_temp_files

LOCK_NAME = ".csc.lock"
POLL_SECONDS = 0.5

# Lock files this process holds -> how many nested holders share it (the CLI holds the lock for a
# whole refresh, and each run's duckdb resource takes it again inside the same process).
_held: dict[Path, int] = {}


class LakeBusy(RuntimeError):
    """Another process kept the data lake's lock for longer than the timeout."""


def _holder(fd: int) -> str:
    pid = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return f"process {pid}" if pid.isdigit() else "another process"


def _acquire(fd: int, path: Path, timeout: float, on_wait: Callable[[str], None]) -> None:
    deadline = time.monotonic() + timeout
    waiting = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LakeBusy(f"gave up after {timeout:.0f} s waiting for {_holder(fd)}, which holds {path} "
                               "(another refresh of this data lake; CSC_LOCK_TIMEOUT sets the wait)") from None
            if not waiting:
                on_wait(f"waiting for {_holder(fd)} to release {path} (another refresh of this data lake); "
                        f"giving up after {timeout:.0f} s")
                waiting = True
            time.sleep(POLL_SECONDS)


@contextmanager
def hold(data_lake: Path, timeout: float, on_wait: Callable[[str], None]) -> Iterator[list[Path]]:
    """Hold the data lake's lock for the block (re-entrant within a process); yields the leftover
    temporary files removed on taking it."""
    path = data_lake / LOCK_NAME
    if path in _held:
        _held[path] += 1
        try:
            yield []
        finally:
            _held[path] -= 1
        return
    data_lake.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout, on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        removed = leftover_temp_files(data_lake)
        for leftover in removed:
            leftover.unlink(missing_ok=True)
        _held[path] = 1
        try:
            yield removed
        finally:
            del _held[path]
    finally:
        os.close(fd)  # releases the flock
