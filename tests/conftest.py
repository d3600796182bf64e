"""Shared fixtures: where the real published files are, and throwaway settings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from csc_pipeline.settings import Settings

# Fixtures that run the pipeline end to end (a refresh, the installed package): a test that uses one,
# directly or through another fixture, is an integration test (`pytest -m "not integration"` leaves
# them out). Tests that start the CLI or the UI in processes of their own carry the mark themselves.
END_TO_END_FIXTURES = {"demo_run", "mirror_settings", "installed"}


def pytest_collection_modifyitems(items):
    for item in items:
        if END_TO_END_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


REAL_DIR = Path(os.environ.get("CSC_REAL_DATA_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real")


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not (REAL_DIR / "MANIFEST.csv").is_file():
        pytest.skip(f"real published files not found at {REAL_DIR} (set CSC_REAL_DATA_DIR); CI has them")
    return REAL_DIR


@pytest.fixture(scope="session")
def demo_run(shared_demo_settings, tmp_path_factory):
    """One full demo refresh shared by the tests that only read its warehouse (a test that changes its
    data lake takes ``demo_run_copy``)."""
    from pipeline_runs import copy_demo_source, failed_checks, run_refresh

    settings = copy_demo_source(shared_demo_settings, tmp_path_factory.mktemp("demo_lake"))
    result = run_refresh(settings)
    assert result.success and not failed_checks(result), failed_checks(result)
    return settings, result


@pytest.fixture
def demo_run_copy(demo_run, tmp_path) -> Settings:
    """Demo settings over a copy of the shared demo refresh's data lake (raw store, build and published
    warehouses, manifests), for a test that changes files or reruns the pipeline."""
    lake = tmp_path / "lake"
    shutil.copytree(demo_run[0].data_lake, lake, symlinks=True)
    return Settings(source_mode="demo", data_lake=lake)


@pytest.fixture
def demo_warehouse(demo_run):
    import duckdb

    con = duckdb.connect(str(demo_run[0].warehouse_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def shared_demo_settings(tmp_path_factory) -> Settings:
    """Demo-mode settings over one generated demo set for the whole session (generated on first use)."""
    return Settings(source_mode="demo", data_lake=tmp_path_factory.mktemp("shared_demo_lake"))


@pytest.fixture
def demo_source_copy(shared_demo_settings, tmp_path) -> Settings:
    """Demo settings over a fresh data lake that starts with the session's demo set and nothing else."""
    from pipeline_runs import copy_demo_source

    return copy_demo_source(shared_demo_settings, tmp_path / "lake")


@pytest.fixture(scope="session")
def shared_mirror_settings(real_dir, tmp_path_factory) -> Settings:
    """Mirror-mode settings over the real files, one data lake for the whole session."""
    return Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("shared_mirror_lake"))
