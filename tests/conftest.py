"""Shared fixtures: where the real published files are, and throwaway settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csc_pipeline.settings import Settings

REAL_DIR = Path(os.environ.get("CSC_REAL_DATA_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real")


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not (REAL_DIR / "MANIFEST.csv").is_file():
        pytest.skip(f"real published files not found at {REAL_DIR} (set CSC_REAL_DATA_DIR); CI has them")
    return REAL_DIR


@pytest.fixture
def demo_settings(tmp_path: Path) -> Settings:
    return Settings(source_mode="demo", data_lake=tmp_path / "lake")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """One full demo refresh shared by the tests that only read its warehouse."""
    from pipeline_runs import failed_checks, run_refresh

    settings = Settings(source_mode="demo", data_lake=tmp_path_factory.mktemp("demo_lake"))
    result = run_refresh(settings)
    assert result.success and not failed_checks(result), failed_checks(result)
    return settings, result


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


@pytest.fixture(scope="session")
def shared_mirror_settings(real_dir, tmp_path_factory) -> Settings:
    """Mirror-mode settings over the real files, one data lake for the whole session."""
    return Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("shared_mirror_lake"))
