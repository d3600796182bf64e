"""Resources: the pipeline settings (shown in the UI's resource config) and the build warehouse."""

from __future__ import annotations

from contextlib import contextmanager

from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

from csc_pipeline.settings import Settings

OWNERS = ["team:csc-data"]
WAREHOUSE_POOL = "csc_warehouse"


class PipelineSettings(ConfigurableResource):
    """Where data comes from and where output goes. Built from CSC_* environment variables."""

    source_mode: str = Field(description="demo (generated, synthetic) | mirror (a local copy) | live (publishers)")
    mirror_dir: str | None = Field(default=None, description="CSC_MIRROR_DIR: a directory laid out like shared/data/real")
    data_lake: str = Field(description="CSC_DATA_LAKE: root of raw files, staged data, warehouse and reports")
    analysis_config: str | None = Field(
        default=None,
        description="CSC_ANALYSIS_CONFIG: a YAML file laid over csc_pipeline/analysis/config.yaml "
                    "(analysis periods, indicator sets, exclusions, thresholds)",
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> "PipelineSettings":
        return cls(
            source_mode=settings.source_mode,
            mirror_dir=str(settings.mirror_dir) if settings.mirror_dir else None,
            data_lake=str(settings.data_lake),
            analysis_config=str(settings.analysis_config) if settings.analysis_config else None,
        )

    def settings(self) -> Settings:
        from pathlib import Path

        return Settings(
            source_mode=self.source_mode,
            mirror_dir=Path(self.mirror_dir) if self.mirror_dir else None,
            data_lake=Path(self.data_lake),
            analysis_config=Path(self.analysis_config) if self.analysis_config else None,
        )


@contextmanager
def build_connection(duckdb: DuckDBResource):
    """A connection to the build warehouse, creating its folder on first use."""
    from pathlib import Path

    Path(duckdb.database).parent.mkdir(parents=True, exist_ok=True)
    with duckdb.get_connection() as con:
        yield con
