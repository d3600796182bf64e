"""The annual refresh: DfE publishes CLA and CIN each autumn; the schedule is the safety net."""

from __future__ import annotations

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

refresh_job = define_asset_job(
    name="csc_refresh",
    selection=AssetSelection.all(),
    description="Obtain, validate, load, harmonise, analyse and publish everything.",
)

annual_refresh_schedule = ScheduleDefinition(
    name="annual_refresh",
    job=refresh_job,
    # 1 December 06:00: after the November CLA and October CIN releases.
    cron_schedule="0 6 1 12 *",
    execution_timezone="Europe/London",
    description="Annual refresh after the autumn DfE releases (a safety net for the release sensor).",
)
