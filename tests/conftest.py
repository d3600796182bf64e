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
def shared_demo_settings(tmp_path_factory) -> Settings:
    """Demo-mode settings over one generated demo set for the whole session (generated on first use)."""
    return Settings(source_mode="demo", data_lake=tmp_path_factory.mktemp("shared_demo_lake"))


@pytest.fixture(scope="session")
def shared_mirror_settings(real_dir, tmp_path_factory) -> Settings:
    """Mirror-mode settings over the real files, one data lake for the whole session."""
    return Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("shared_mirror_lake"))
