"""Nothing a killed process leaves behind blocks the next refresh: the data lake's lock dies with its
holder, leftover temporary files are removed, and runs whose process has gone are marked failed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from cli_processes import lock_holder

from csc_pipeline import lake_lock, run_health

KILLED_WRITE = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from csc_pipeline.atomic import atomic_path
    with atomic_path(Path(sys.argv[1]), suffix=".publishing") as tmp:
        tmp.write_bytes(b"half a database")
        os.kill(os.getpid(), signal.SIGKILL)
""")


def test_a_waiting_refresh_says_whom_it_waits_for_and_gives_up_after_the_timeout(tmp_path):
    holder = lock_holder(tmp_path)
    try:
        notes = []
        started = time.monotonic()
        with pytest.raises(lake_lock.LakeBusy, match=f"gave up after 1 s waiting for process {holder.pid}"):
            with lake_lock.hold(tmp_path, 1.0, notes.append):
                pass
        assert 1.0 <= time.monotonic() - started < 5
        assert len(notes) == 1 and f"waiting for process {holder.pid}" in notes[0]
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_holder_is_free_at_once_and_its_leftover_temp_files_are_removed(tmp_path):
    holder = lock_holder(tmp_path)
    # What a publish killed half-way leaves: the temporary copy beside the published warehouse.
    leftover_dir = tmp_path / "warehouse"
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(leftover_dir / "csc.duckdb")])
    assert killed.returncode == -signal.SIGKILL
    [kept] = [p for p in leftover_dir.iterdir() if p.name.endswith(".publishing")]
    unrelated = leftover_dir / ".notes.txt"
    unrelated.write_text("not ours")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    notes = []
    started = time.monotonic()
    with lake_lock.hold(tmp_path, 30.0, notes.append) as removed:
        assert time.monotonic() - started < 2 and notes == []
        assert removed == [kept] and not kept.exists() and unrelated.exists()
        assert (tmp_path / lake_lock.LOCK_NAME).read_text().strip() == str(os.getpid())
        with lake_lock.hold(tmp_path, 1.0, notes.append) as again:  # the same process again: re-entrant
            assert again == []
    assert notes == []


def test_a_process_that_ended_or_whose_pid_was_reused_is_gone(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert run_health.process_gone(child.pid, time.time())
    assert not run_health.process_gone(os.getpid(), time.time())
    started = run_health.process_started_at(os.getpid())
    if started is None:
        pytest.skip("no /proc here: a reused pid cannot be told from the recorder")
    assert abs(started - time.time()) < 24 * 3600 * 365
    # This process started long after a (made-up) moment an hour ago when some run recorded its pid.
    assert run_health.process_gone(os.getpid(), started - 3600)


KILLED_RUN = textwrap.dedent("""
    import os, signal
    from dagster import DagsterInstance, job, op

    @op
    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    @job
    def killed():
        die()

    killed.execute_in_process(instance=DagsterInstance.get())
""")


def test_a_run_whose_process_was_killed_is_marked_failed_and_a_live_one_is_not(tmp_path):
    from dagster import DagsterInstance, DagsterRunStatus, job, op

    from csc_pipeline.defs.runs import fail_dead_runs

    env = dict(os.environ, DAGSTER_HOME=str(tmp_path))
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    killed = subprocess.run([sys.executable, "-c", KILLED_RUN], env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        [dead] = instance.get_runs()
        assert dead.status == DagsterRunStatus.STARTED  # what the killed process left

        @op
        def clean_up(context) -> list:
            return fail_dead_runs(context.instance)  # from inside a live run

        @job
        def live():
            clean_up()

        result = live.execute_in_process(instance=instance)
        assert result.output_for_node("clean_up") == [dead.run_id]
        assert instance.get_run_by_id(dead.run_id).status == DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(result.run_id).status == DagsterRunStatus.SUCCESS
        assert fail_dead_runs(instance) == []
