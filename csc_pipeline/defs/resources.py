"""Resources: the pipeline settings (shown in the UI's resource config) and the build warehouse."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, Definitions, InitResourceContext, in_process_executor
from dagster_duckdb import DuckDBResource
from pydantic import Field, PrivateAttr

from csc_pipeline import lake_lock
from csc_pipeline.settings import DEFAULT_LOCK_TIMEOUT_SECONDS, Settings

OWNERS = ["team:csc-data"]


class PipelineSettings(ConfigurableResource):
    """Where data comes from and where output goes. Built from CSC_* environment variables."""

    source_mode: str = Field(description="demo (generated, synthetic) | mirror (a local copy) | live (publishers)")
    mirror_dir: str | None = Field(default=None, description="CSC_MIRROR_DIR: a directory laid out like shared/data/real")
    data_lake: str = Field(description="CSC_DATA_LAKE: root of raw files, conformed data, warehouse and reports")
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
        return Settings(
            source_mode=self.source_mode,
            mirror_dir=Path(self.mirror_dir) if self.mirror_dir else None,
            data_lake=Path(self.data_lake),
            analysis_config=Path(self.analysis_config) if self.analysis_config else None,
        )


class WarehouseDuckDB(DuckDBResource):
    """The build warehouse, held by one run at a time: a run that uses it holds the data lake's lock
    (``csc_pipeline.lake_lock``) from its first warehouse step to its end. The kernel releases the
    lock when the run's process dies, so a killed run cannot block the next one (a Dagster pool
    slot would stay claimed); a run that has to wait says so in its log and gives up after
    ``lock_timeout_seconds``.

    The database is opened once per run and each step gets a cursor of its own (a connection with
    its own transactions and temporary views): opening the file (its catalog of a few hundred
    tables) and closing it (a checkpoint) for each of a run's ~150 warehouse steps took ~10 s of a
    full refresh."""

    data_lake: str = Field(description="CSC_DATA_LAKE: the data lake whose lock (.csc.lock) the run holds")
    lock_timeout_seconds: float = Field(
        default=DEFAULT_LOCK_TIMEOUT_SECONDS,
        description="CSC_LOCK_TIMEOUT: seconds to wait for another run holding the data lake's lock",
    )
    _database: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    @classmethod
    def from_settings(cls, settings: Settings) -> "WarehouseDuckDB":
        return cls(database=str(settings.build_warehouse_path), data_lake=str(settings.data_lake),
                   lock_timeout_seconds=settings.lock_timeout)

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext):
        with lake_lock.hold(Path(self.data_lake), self.lock_timeout_seconds, context.log.warning) as removed:
            for leftover in removed:
                context.log.warning(f"removed {leftover}, left behind by a killed run")
            try:
                yield self
            finally:
                if self._database is not None:
                    self._database.close()
                    self._database = None

    @contextmanager
    def get_connection(self):
        """A cursor of the run's connection to the build warehouse (opened, and its folder created, on first use)."""
        if self._database is None:
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)
            self._database = duckdb.connect(self.database, config=self.connection_config)
        cursor = self._database.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


@contextmanager
def build_connection(duckdb: DuckDBResource):
    """A connection to the build warehouse (``WarehouseDuckDB`` creates its folder on first use)."""
    with duckdb.get_connection() as con:
        yield con


def definitions(settings: Settings) -> Definitions:
    return Definitions(
        resources={
            "pipeline_settings": PipelineSettings.from_settings(settings),
            "duckdb": WarehouseDuckDB.from_settings(settings),
        },
        # Steps run one after another in one process: quick on 2 cores (no per-step process start)
        # and no two steps ever hold the DuckDB file at once.
        executor=in_process_executor,
    )
