"""``csc refresh`` / ``csc backfill`` run as a person or a service manager runs them, on a copy of
the demo data lake: killed with SIGKILL at each kind of stage, the next refresh succeeds with no manual
step; SIGTERM stops one promptly; and the console of a whole refresh stays short and readable."""

from __future__ import annotations

import hashlib
import re
import shutil
import signal
import time
from pathlib import Path

import duckdb
import pytest
from cli_processes import CscProcess, csc_env

from csc_pipeline import lake_lock

# A partial refresh (one release and everything downstream of it) reaches every stage in one run.
BACKFILL = ["backfill", "children_looked_after_in_england_including_adoptions", "2025"]
# One kill per kind of step: file writes (obtain), a step holding the warehouse (load; harmonise and
# analyse hold it the same way) and the atomic publish copy (publish).
KILL_STAGES = ("obtain", "load", "publish")
STAGE_TIMEOUT = 900  # seconds; the machine may be shared


@pytest.fixture(scope="module")
def lake(demo_run, tmp_path_factory) -> Path:
    """A copy of the demo refresh's data lake (warm raw store, a published warehouse)."""
    copy = tmp_path_factory.mktemp("cli_refresh") / "lake"
    shutil.copytree(demo_run[0].data_lake, copy, symlinks=True)
    return copy


def _warehouse(lake: Path) -> Path:
    return lake / "warehouse" / "csc.duckdb"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _published_at(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT value FROM meta.about WHERE key = 'published_at'").fetchone()[0]


def _leftovers(lake: Path) -> list[Path]:
    return list(_warehouse(lake).parent.glob(".csc.duckdb.*"))


def _runs_in_progress(lake: Path) -> list[str]:
    from dagster import DagsterInstance

    from csc_pipeline.defs.runs import IN_PROGRESS

    with DagsterInstance.from_config(str(lake / "dagster_home")) as instance:
        return [run.run_id for run in instance.get_runs() if run.status in IN_PROGRESS]


def _kill_at(lake: Path, stage: str) -> bool:
    """SIGKILL a backfill's whole process group once it reaches ``stage``; for publish, once the
    temporary copy of the warehouse exists. Returns whether a temporary copy was left behind."""
    csc = CscProcess(BACKFILL, csc_env(lake))
    assert csc.wait_for_line(f" {stage} ", STAGE_TIMEOUT), f"the backfill ended before {stage}: {csc.finish(60)}"
    if stage == "publish":
        deadline = time.monotonic() + STAGE_TIMEOUT
        while not _leftovers(lake) and csc.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    csc.kill_group(signal.SIGKILL)
    returncode, _, _ = csc.finish(60)
    assert returncode == -signal.SIGKILL, f"the backfill had finished before the kill at {stage}"
    return bool(_leftovers(lake))


def test_a_refresh_killed_at_any_stage_does_not_stop_the_next_and_its_console_is_short(lake):
    warehouse = _warehouse(lake)
    before, published_before = _digest(warehouse), _published_at(warehouse)
    left_temp_copy = False
    for stage in KILL_STAGES:
        # Each backfill after the first starts on what the previous kill left: it has to get past
        # the warehouse steps to reach its own stage (a pool slot held by the dead run blocked them).
        left_temp_copy = _kill_at(lake, stage)
        assert _published_at(warehouse) == published_before  # complete, and (before publish) untouched
        if stage != "publish":
            assert _digest(warehouse) == before, f"killed at {stage}"

    started = time.monotonic()
    returncode, lines, err = CscProcess(["refresh"], csc_env(lake)).finish(timeout=3 * STAGE_TIMEOUT)
    print(f"refresh after the kills: {time.monotonic() - started:.0f} s, {len(lines)} console lines")
    assert returncode == 0, err[-3000:]
    assert _published_at(warehouse) > published_before
    assert _leftovers(lake) == [] and _runs_in_progress(lake) == []
    if left_temp_copy:
        assert any("removed" in line and ".publishing" in line for line in lines)
    # The console: one progress line for each run of the refresh, nothing of Dagster's event stream.
    # (How many runs depends on the run history the lake holds: a group it records as obtained with
    # the same files is not obtained again.)
    progress = [re.search(r" run +(\d+)/(\d+) ", line) for line in lines]
    [total] = {int(m.group(2)) for m in progress if m}
    assert sorted({int(m.group(1)) for m in progress if m}) == list(range(1, total + 1))
    assert len(lines) < 60, "\n".join(lines)
    assert not [line for line in lines + err.splitlines() if re.search(r"Traceback|Warning|DEBUG|STEP_START", line)]
    log = Path(next(line for line in lines if line.startswith("Log:")).split(maxsplit=1)[1])
    assert "STEP_SUCCESS" in log.read_text()


def test_sigterm_stops_a_refresh_promptly_and_cleanly(lake):
    warehouse = _warehouse(lake)
    before = _digest(warehouse)
    csc = CscProcess(BACKFILL, csc_env(lake))
    assert csc.wait_for_line(" harmonise ", STAGE_TIMEOUT)
    signalled = time.monotonic()
    csc.process.send_signal(signal.SIGTERM)  # to csc itself, as a service manager does
    returncode, _, err = csc.finish(timeout=60)
    stopped_in = time.monotonic() - signalled
    print(f"SIGTERM: stopped in {stopped_in:.1f} s")
    assert stopped_in < 20 and returncode == 130
    assert "stopped by a signal" in err and "was not changed" in err and "Traceback" not in err
    assert _digest(warehouse) == before
    assert _runs_in_progress(lake) == []
    with lake_lock.hold(lake, 1.0, pytest.fail) as removed:  # nothing left locked or half-written
        assert removed == []
