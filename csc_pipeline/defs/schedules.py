"""The annual refresh: DfE publishes CLA and CIN each autumn; the schedule is the safety net."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, Definitions, ScheduleDefinition

from csc_pipeline.defs.jobs import refresh_job
from csc_pipeline.settings import Settings


def build_refresh_schedule(settings: Settings) -> ScheduleDefinition:
    """A schedule launches one job, and the release groups' partitions cannot share one, so the
    yearly safety net rebuilds everything downstream of the obtained releases; new releases come in
    through the release sensor (live) or `csc refresh` / `csc backfill`. It is on from the start:
    `csc serve` is how a data team asks for the refresh to run itself (the UI can pause it)."""
    return ScheduleDefinition(
        name="annual_refresh",
        job=refresh_job,
        cron_schedule=settings.refresh_cron,
        execution_timezone="Europe/London",
        default_status=DefaultScheduleStatus.RUNNING,
        description="Annual safety net (CSC_REFRESH_CRON, default 1 December 06:00): validate, load, harmonise, "
                    "analyse and publish again from every obtained release.",
    )


def definitions(settings: Settings) -> Definitions:
    return Definitions(schedules=[build_refresh_schedule(settings)])
