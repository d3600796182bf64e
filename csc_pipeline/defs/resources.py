"""Resources: the pipeline settings and the build warehouse."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import Definitions, InitResourceContext, in_process_executor
from dagster_duckdb import DuckDBResource
from pydantic import Field, PrivateAttr

from csc_pipeline import lake_lock
from csc_pipeline.settings import DEFAULT_LOCK_TIMEOUT_SECONDS, Settings

OWNERS = ["team:csc-data"]


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


def definitions(settings: Settings) -> Definitions:
    return Definitions(
        resources={
            # The settings themselves (one type, csc_pipeline/settings.py, read from the CSC_* variables):
            # an asset takes them as ``settings: ResourceParam[Settings]``.
            "settings": settings,
            "duckdb": WarehouseDuckDB.from_settings(settings),
        },
        # Steps run one after another in one process: quick on 2 cores (no per-step process start)
        # and no two steps ever hold the DuckDB file at once.
        executor=in_process_executor,
    )
