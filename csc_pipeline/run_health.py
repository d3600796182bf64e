"""Is the process that ran a run still there? Plain functions behind ``runs.fail_dead_runs``.

A run whose process was killed (``kill -9``, out of memory, a reboot) stays "started" in Dagster's
run history for ever, and the run queue counts it as running. Every run records the pid of the
process executing its steps, so a run can be recognised as dead: no process has that pid any more,
or the one that has it started after the run recorded it (the pid was reused).
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
# /proc/stat's boot time is whole seconds: a process started within this of a pid being recorded
# may be the recorder itself.
START_TIME_TOLERANCE_SECONDS = 2.0


def process_started_at(pid: int, proc: Path = PROC) -> float | None:
    """When process ``pid`` started (seconds since the epoch), or None where /proc cannot tell."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
        boot = next(float(line.split()[1]) for line in (proc / "stat").read_text().splitlines() if line.startswith("btime "))
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    # Field 22 (start time, in clock ticks after boot) counted after the command name, which may hold spaces.
    ticks = int(stat.rsplit(")", 1)[1].split()[19])
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def process_gone(pid: int, recorded_at: float, proc: Path = PROC) -> bool:
    """True when the process that recorded ``pid`` at ``recorded_at`` (epoch seconds) has ended."""
    if pid <= 0 or not pid_exists(pid):
        return True
    started = process_started_at(pid, proc)
    return started is not None and started > recorded_at + START_TIME_TOLERANCE_SECONDS
