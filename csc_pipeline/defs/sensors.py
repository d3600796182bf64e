"""The release sensor: new EES releases become release partitions and are processed once."""

from __future__ import annotations

from dagster import (
    DagsterEventType,
    DefaultSensorStatus,
    Definitions,
    ResourceParam,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from csc_pipeline import alerts, download, release_check
from csc_pipeline.catalog import Catalog
from csc_pipeline.defs.ingest import release_partitions
from csc_pipeline.defs.jobs import group_source_keys, release_job_name
from csc_pipeline.defs.runs import LOG_TAG, fail_dead_runs
from csc_pipeline.settings import Settings

# EES releases come out a few times a year; twice a day is prompt enough and polite to the publisher.
CHECK_INTERVAL_SECONDS = 12 * 60 * 60


def build_release_sensor(catalog: Catalog, jobs: dict):
    """``jobs``: ``release_jobs(catalog)``, built once for the whole Definitions."""
    @sensor(
        name="ees_release_sensor",
        jobs=[jobs[group] for group in release_check.ees_publications(catalog)],
        minimum_interval_seconds=CHECK_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.STOPPED,
        description="Live mode: reads each EES publication's latest release (slug and version id); a release "
                    "not processed yet is added as a release partition of its publication's source_files assets "
                    "and one run obtains it and rebuilds everything downstream. The cursor holds the version id "
                    "processed per publication, and the run key makes a release run at most once.",
    )
    def ees_release_sensor(context: SensorEvaluationContext, settings: ResourceParam[Settings]):
        if settings.source_mode != "live":
            return SensorResult(skip_reason=f"publishers are only checked in live mode (CSC_SOURCE_MODE={settings.source_mode})")
        cursor = release_check.parse_cursor(context.cursor)
        latest = release_check.latest_releases(catalog, download.RawStore(settings.raw_dir))
        new = release_check.unprocessed(latest, cursor)
        if not new:
            return SensorResult(skip_reason="no new release", cursor=release_check.advance(cursor, []))
        run_requests, partition_requests = [], []
        for release in new:
            sources = group_source_keys(catalog, release.group)
            if release.group not in cursor and release.release in context.instance.get_materialized_partitions(sources[0]):
                # First check (or a lost cursor): a release already obtained is adopted, not run again.
                continue
            partitions = release_partitions(release.group)
            if not context.instance.has_dynamic_partition(partitions.name, release.release):
                partition_requests.append(partitions.build_add_request([release.release]))
            run_requests.append(RunRequest(
                run_key=f"{release.group}:{release.version_id}",
                job_name=release_job_name(release.group),
                partition_key=release.release,
                tags={"csc/release_group": release.group, "csc/release_version_id": release.version_id},
            ))
            context.log.info(f"{release.publication}: release {release.release} ({release.version_id}) to process")
        return SensorResult(run_requests=run_requests, dynamic_partitions_requests=partition_requests,
                            cursor=release_check.advance(cursor, new))

    return ees_release_sensor


# A dead run holds the run queue's only place (max_concurrent_runs: 1) until it is marked failed.
DEAD_RUN_CHECK_SECONDS = 60


@sensor(
    name="dead_run_cleanup",
    minimum_interval_seconds=DEAD_RUN_CHECK_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Marks failed every started run whose process has gone (killed, crashed), so the run queue "
                "(one run at a time) does not wait on it for ever. `csc` does the same when it starts.",
)
def dead_run_sensor(context: SensorEvaluationContext) -> SkipReason:
    failed = fail_dead_runs(context.instance)
    return SkipReason(f"marked failed: {', '.join(failed)}" if failed else "no dead runs")


# Seconds between looks at the run history for failed runs: a person hears within a minute.
FAILURE_CHECK_SECONDS = 30


def run_failure(context: RunFailureSensorContext) -> alerts.RunFailure:
    """The facts of a failed run: its failed blocking checks (with the file, row, column and value
    table), its failed steps and where its log is."""
    run = context.dagster_run
    checks = []
    for record in context.instance.get_records_for_run(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity.value != "ERROR":
            continue
        cases = evaluation.metadata.get("failure_cases")
        message = "\n".join(part for part in (evaluation.description, cases.value if cases is not None else None) if part)
        checks.append(alerts.FailedCheck(evaluation.asset_key.to_user_string(), evaluation.check_name, message))
    steps = [f"{event.step_key}: {alerts.step_error_line(event.step_failure_data.error)}"
             for event in context.get_step_failure_events()]
    log = run.tags.get(LOG_TAG) or (f"the run's page in the Dagster UI (/runs/{run.run_id}); run history in "
                                    f"{context.instance.root_directory}")
    return alerts.RunFailure(run.run_id, run.job_name, log, checks, steps, context.failure_event.message or "")


def build_failure_alert_sensor(settings: Settings):
    channels = settings.alerts

    @run_failure_sensor(
        name="failure_alerts",
        monitor_all_code_locations=True,  # runs `csc refresh` executes in its own process too
        minimum_interval_seconds=FAILURE_CHECK_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Tells someone when a run fails: the failing checks (file, row, column, value), the failing "
                    "steps and the log path, to CSC_ALERT_WEBHOOK_URL and/or by e-mail (CSC_ALERT_SMTP_HOST, "
                    "CSC_ALERT_EMAIL_TO). Needs the daemon (`csc serve`).",
    )
    def failure_alerts(context: RunFailureSensorContext):
        if not channels.configured:
            context.log.info("no alert channel set (CSC_ALERT_WEBHOOK_URL, CSC_ALERT_SMTP_HOST): not sent")
            return
        failure = run_failure(context)
        used = alerts.send(failure, channels)  # an AlertError fails the tick, which the UI shows
        context.log.info(f"run {failure.run_id}: alert sent by {', '.join(used)}")

    return failure_alerts


def definitions(settings: Settings, catalog: Catalog, group_jobs: dict) -> Definitions:
    """The release sensor (launching ``group_jobs``, the release jobs), the dead-run sensor and the failure alerts."""
    return Definitions(sensors=[build_release_sensor(catalog, group_jobs), dead_run_sensor, build_failure_alert_sensor(settings)])
