"""The `csc serve` schedule-and-alert test with the run history in PostgreSQL (CSC_DAGSTER_PG_URL), in
a file of its own: pytest-xdist gives a worker a file at a time, so it runs beside the SQLite one."""

from __future__ import annotations

import pytest

# The fixtures are imported to be used here: pytest finds them by name in this module.
from test_serve import TEST_PG_URL, postgres_run_storage, receivers, serve_schedule_and_alert  # noqa: F401


# Skipped before the session's demo refresh is built for it.
@pytest.mark.skipif(not TEST_PG_URL, reason="no PostgreSQL server for the run history: set CSC_TEST_PG_URL (.ci/run starts one)")
def test_serve_with_the_run_history_in_postgresql_runs_the_schedule_once_and_a_failed_run_alerts(
        demo_run, receivers, postgres_run_storage, tmp_path, monkeypatch):
    serve_schedule_and_alert(demo_run, receivers, postgres_run_storage, tmp_path, monkeypatch)
