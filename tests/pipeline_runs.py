"""Run the whole Dagster job in-process for tests, on throwaway settings."""

from __future__ import annotations

from dagster import DagsterInstance, ExecuteInProcessResult

from csc_pipeline.definitions import build_definitions
from csc_pipeline.settings import Settings


def run_refresh(settings: Settings) -> ExecuteInProcessResult:
    job = build_definitions(settings).resolve_job_def("csc_refresh")
    return job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)


def failed_checks(result: ExecuteInProcessResult) -> dict[str, str]:
    """check name -> its failure table (markdown) for every failed check of the run."""
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": str(e.metadata["failure_cases"].value)
        if "failure_cases" in e.metadata else (e.description or "")
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }
