"""Running the pipeline in-process: a full refresh and the backfill of one release.

The release partitions of different groups cannot share a run, so a refresh is one run per
release group (all its releases, in one step each: ``BackfillPolicy.single_run``) whose files are
new or changed (a group obtained already, file for file, has none) followed by one run of
everything downstream (the ``csc_refresh`` job). ``csc refresh``, ``csc backfill`` and the
tests call these; in the UI the same runs are a backfill plus the automation conditions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dagster import (
    AssetKey,
    AssetSelection,
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
    Definitions,
    EventLogEntry,
    ExecuteInProcessResult,
    RunsFilter,
)

from csc_pipeline import acquire, build_inputs, run_health
from csc_pipeline.catalog import Catalog
from csc_pipeline.defs.ingest import release_partitions
from csc_pipeline.defs.jobs import group_source_keys
from csc_pipeline.settings import Settings

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
# The csc command's log file, on each run it starts (a failure alert points to it).
LOG_TAG = "csc/log"
IN_PROGRESS = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


@dataclass(frozen=True)
class PlannedRun:
    """One run of a refresh: its place in the sequence."""

    number: int  # 1-based
    total: int


# Called with every event of every run as it happens (the CLI's progress display).
Listener = Callable[[PlannedRun, EventLogEntry], None]


class UnknownRelease(ValueError):
    """A backfill names a release group or release that does not exist."""


@dataclass
class RefreshRuns:
    ingest: list[ExecuteInProcessResult]  # one per release group
    downstream: ExecuteInProcessResult | None  # None when an ingest run failed, or nothing changed
    # Nothing to rebuild: the published warehouse was built from these files, code and settings.
    unchanged: bool = False

    @property
    def success(self) -> bool:
        if self.unchanged:
            return all(r.success for r in self.ingest)
        return self.downstream is not None and self.downstream.success and all(r.success for r in self.ingest)

    @property
    def results(self) -> list[ExecuteInProcessResult]:
        return [*self.ingest, *([self.downstream] if self.downstream else [])]

    @property
    def all_events(self) -> list:
        return [event for result in self.results for event in result.all_events]

    def asset_materializations_for_node(self, node: str) -> list:
        return [m for result in self.results for m in result.asset_materializations_for_node(node)]


def register_releases(instance: DagsterInstance, catalog: Catalog, mode: str) -> dict[str, list[str]]:
    """Add the catalog's releases (in ``mode``) as release partitions; return group -> all its partitions."""
    partitions = {}
    for group in catalog.release_groups():
        name = release_partitions(group).name
        known = set(instance.get_dynamic_partitions(name))
        missing = [r for r in catalog.releases(group, mode) if r not in known]
        if missing:
            instance.add_dynamic_partitions(name, missing)
        partitions[group] = list(instance.get_dynamic_partitions(name))
    return partitions


def fail_dead_runs(instance: DagsterInstance) -> list[str]:
    """Mark failed every in-progress run whose process has gone (killed, crashed); return their ids.

    The pid is the one the in-process executor records when it starts a run's steps; a run killed
    before that (within its first second) has none and is left alone.
    """
    failed = []
    for run in instance.get_runs(filters=RunsFilter(statuses=IN_PROGRESS)):
        for record in instance.get_records_for_run(run.run_id, of_type=DagsterEventType.ENGINE_EVENT).records:
            pid = record.event_log_entry.dagster_event.engine_event_data.metadata.get("pid")
            if pid is None:
                continue
            if run_health.process_gone(int(pid.value), record.event_log_entry.timestamp):
                instance.report_run_failed(run, f"process {pid.value} ended without finishing the run "
                                                "(killed or crashed); marked failed by csc")
                failed.append(run.run_id)
            break
    return failed


def step_seconds(dagster_home: Path, since: datetime) -> tuple[int, float]:
    """(runs, their steps' durations summed) of the runs ``dagster_home``'s history records since ``since``."""
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs(filters=RunsFilter(created_after=since))
        stats = [s for run in runs for s in instance.get_run_step_stats(run.run_id)]
    return len(runs), sum(s.end_time - s.start_time for s in stats if s.start_time is not None and s.end_time is not None)


def _execute(job, instance: DagsterInstance, planned: PlannedRun, listener: Listener | None, **kwargs) -> ExecuteInProcessResult:
    run_id = str(uuid.uuid4())
    if listener is not None:
        instance.add_event_listener(run_id, lambda entry: listener(planned, entry))
    return job.execute_in_process(instance=instance, raise_on_error=False, run_id=run_id, **kwargs)


def _ingest_run(defs: Definitions, instance: DagsterInstance, keys: list[AssetKey], releases: list[str],
                downstream: bool, planned: PlannedRun, listener: Listener | None, tags: dict[str, str]) -> ExecuteInProcessResult:
    job = defs.resolve_implicit_global_asset_job_def()
    selection = AssetSelection.assets(*keys)
    if downstream:
        selection = selection.downstream()
    if len(releases) > 1:
        tags = {**tags, RANGE_START: releases[0], RANGE_END: releases[-1]}
    return _execute(
        job, instance, planned, listener, tags=tags,
        partition_key=releases[0] if len(releases) == 1 else None,
        asset_selection=sorted(selection.resolve(defs.resolve_asset_graph()), key=lambda k: k.to_user_string()),
    )


def _obtained_already(instance: DagsterInstance, catalog: Catalog, settings: Settings, keys: list[AssetKey], releases: list[str]) -> bool:
    """Every release partition of ``keys`` is materialized and its files are the ones the source has now."""
    return all(
        set(releases) <= instance.get_materialized_partitions(key)
        and all(acquire.release_unchanged(key.path[-1], release, settings, catalog) for release in releases)
        for key in keys
    )


def refresh(defs: Definitions, catalog: Catalog, instance: DagsterInstance, mode: str,
            families: list[str] | None = None, listener: Listener | None = None,
            tags: dict[str, str] | None = None, force: bool = False) -> RefreshRuns:
    """Every release of every group (or of ``families``' groups, and only those families) that is not
    obtained already with the same files, then the rest - unless (a whole refresh, not ``force``d)
    the published warehouse was built from exactly these files, code and settings. ``tags`` go on
    every run."""
    tags = tags or {}
    partitions = register_releases(instance, catalog, mode)
    wanted = set(families or catalog.families())
    groups = {group: ([k for k in group_source_keys(catalog, group) if k.path[-1] in wanted], releases)
              for group, releases in partitions.items()}
    groups = {group: (keys, releases) for group, (keys, releases) in groups.items() if keys and releases}
    settings = defs.resources["settings"]
    # A group whose every release is obtained already, file for file, is not obtained again: its run
    # would only restate the same files (in mirror and demo mode the files are hashed to know).
    groups = {group: (keys, releases) for group, (keys, releases) in groups.items()
              if not _obtained_already(instance, catalog, settings, keys, releases)}
    total = len(groups) + 1
    ingest = []
    for number, (group, (keys, releases)) in enumerate(groups.items(), start=1):
        planned = PlannedRun(number, total)
        result = _ingest_run(defs, instance, keys, releases, False, planned, listener, tags)
        ingest.append(result)
        if not result.success:
            return RefreshRuns(ingest, None)
    if families is None and not force and build_inputs.published_from(settings) == build_inputs.build_fingerprint(settings):
        return RefreshRuns(ingest, None, unchanged=True)
    selection = None
    if families is not None:
        sources = AssetSelection.assets(*(AssetKey(["source_files", f]) for f in families))
        selection = sorted((sources.downstream() - sources).resolve(defs.resolve_asset_graph()), key=lambda k: k.to_user_string())
    planned = PlannedRun(total, total)
    downstream = _execute(defs.resolve_job_def("csc_refresh"), instance, planned, listener, asset_selection=selection, tags=tags)
    return RefreshRuns(ingest, downstream)


def backfill(defs: Definitions, catalog: Catalog, instance: DagsterInstance, mode: str, group: str,
             release: str, listener: Listener | None = None, tags: dict[str, str] | None = None) -> ExecuteInProcessResult:
    """One release of one group, and everything downstream of it, in one run."""
    groups = catalog.release_groups()
    if group not in groups:
        raise UnknownRelease(f"no release group {group!r}; groups: {', '.join(sorted(groups))}")
    partitions = register_releases(instance, catalog, mode)[group]
    if release not in partitions:
        raise UnknownRelease(f"{group} has no release {release!r} in {mode} mode; releases: {', '.join(partitions) or 'none'}")
    planned = PlannedRun(1, 1)
    return _ingest_run(defs, instance, group_source_keys(catalog, group), [release], True, planned, listener, tags or {})
