"""The release sensor: new EES releases become release partitions and are processed once."""

from __future__ import annotations

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from csc_pipeline import download, release_check
from csc_pipeline.catalog import Catalog
from csc_pipeline.defs.ingest import release_partitions
from csc_pipeline.defs.jobs import group_source_keys, release_job_name
from csc_pipeline.defs.resources import PipelineSettings
from csc_pipeline.defs.runs import fail_dead_runs

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
    def ees_release_sensor(context: SensorEvaluationContext, pipeline_settings: PipelineSettings):
        settings = pipeline_settings.settings()
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
