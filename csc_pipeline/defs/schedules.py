"""The annual refresh: DfE publishes CLA and CIN each autumn; the schedule is the safety net."""

from __future__ import annotations

from dagster import ScheduleDefinition

from csc_pipeline.defs.jobs import refresh_job

# A schedule launches one job, and the release groups' partitions cannot share one, so the yearly
# safety net rebuilds everything downstream of the obtained releases; new releases come in through
# the release sensor (live) or `csc refresh` / `csc backfill`.
annual_refresh_schedule = ScheduleDefinition(
    name="annual_refresh",
    job=refresh_job,
    # 1 December 06:00: after the November CLA and October CIN releases.
    cron_schedule="0 6 1 12 *",
    execution_timezone="Europe/London",
    description="Annual safety net: validate, load, harmonise, analyse and publish again from every obtained release.",
)
