"""Cross-checks: one published figure against another way of getting it (no Dagster here).

A cross-check verifies a table the pipeline built; it is not an analysis, so it writes no table. Its
comparison is a query in ``sql/checks/<name>.sql`` returning one row per LA, year and indicator with
the two values and ``agrees`` (TRUE, FALSE, or NULL when either value is missing). The Dagster layer
runs each as a non-blocking (WARN) asset check on ``table``; tests call ``compare`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from csc_pipeline.settings import package_folder

CHECKS_DIR = package_folder("sql") / "checks"
# What a disagreement is reported by, besides the two values.
IDENTIFYING_COLUMNS = ("la_code", "la_name", "year", "indicator")


@dataclass(frozen=True)
class CrossCheck:
    name: str  # the asset check's name; the query is sql/checks/<query>.sql
    query: str
    table: str  # the table the check verifies (it runs after that table is built)
    reads: tuple[str, ...]  # the other tables the query reads
    values: tuple[str, str]  # the two columns compared
    description: str
    # Why the two usually differ when they do: a disagreement is a figure to look at, not by itself
    # an error (the console prints this with the count).
    usual_cause: str

    @property
    def path(self) -> Path:
        return CHECKS_DIR / f"{self.query}.sql"


CROSS_CHECKS = (
    CrossCheck(
        name="cla_rate_matches_count_and_population",
        query="cla_rate_crosscheck",
        table="mart.la_indicator_panel",
        reads=("intermediate.int_indicator_values_latest",),
        values=("published", "computed"),
        description="Warning: each published LA rate of children looked after at 31 March is within the publisher's "
                    "rounding (0.5) of the rate recomputed from the count and the 0-17 population.",
        usual_cause="the rate was published over the population estimate of its time; the panel's population is "
                    "the latest estimate (re-based after Census 2021, or rounded in older files)",
    ),
    CrossCheck(
        name="lait_matches_the_panel",
        query="lait_crosscheck",
        table="mart.lait_long",
        reads=("mart.la_indicator_panel",),
        values=("lait_value", "panel_value"),
        description="Warning: LAIT's children looked after counts (equal) and rates (within 0.5) agree with the "
                    "figures the panel holds as published, LA by LA and year.",
        usual_cause="LAIT republishes whole series on later revisions and re-based populations, while the panel "
                    "keeps each figure as its own release published it",
    ),
)


def compare(con: duckdb.DuckDBPyConnection, check: CrossCheck) -> pl.DataFrame:
    """Every compared row of the check, agreeing or not."""
    try:
        query = check.path.read_text(encoding="utf-8")
    except OSError as error:
        raise FileNotFoundError(f"{check.path}: cannot read the query of cross-check {check.name}: {error}") from error
    return con.sql(query).pl()


def disagreements(compared: pl.DataFrame, check: CrossCheck) -> pl.DataFrame:
    """The rows whose two values disagree: LA, year, indicator and the two values."""
    return compared.filter(pl.col("agrees").not_()).select(*IDENTIFYING_COLUMNS, *check.values)


def cross_check(name: str) -> CrossCheck:
    for check in CROSS_CHECKS:
        if check.name == name:
            return check
    raise KeyError(f"no cross-check {name!r}; known: {', '.join(c.name for c in CROSS_CHECKS)}")
