"""Frames for the warehouse's ``ref`` and ``meta`` tables, built from project data (no Dagster)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import polars as pl

from csc_pipeline.acquire import Provenance
from csc_pipeline.catalog import Catalog, load_catalog
from csc_pipeline.contracts import load_symbols
from csc_pipeline.geography import REFERENCE_DIR, load_boundary_changes, load_combined_units, load_local_authorities

INDICATOR_COLUMNS = ("indicator", "definition", "unit", "polarity", "numerator", "denominator", "kind")


def load_indicators() -> pl.DataFrame:
    """The indicator dictionary: one CSV per source family in reference/indicators/."""
    frames = []
    for path in sorted((REFERENCE_DIR / "indicators").glob("*.csv")):
        frame = pl.read_csv(path, infer_schema=False)
        if tuple(frame.columns) != INDICATOR_COLUMNS:
            raise ValueError(f"{path}: columns must be {INDICATOR_COLUMNS}, not {tuple(frame.columns)}")
        frames.append(frame.with_columns(pl.lit(path.stem).alias("defined_in")))
    indicators = pl.concat(frames)
    dupes = indicators.filter(pl.col("indicator").is_duplicated())["indicator"].unique().to_list()
    if dupes:
        raise ValueError(f"indicators defined twice in reference/indicators/: {sorted(dupes)}")
    return indicators


S251_LINE_COLUMNS = ("scheme", "period", "line", "published_label", "concept")


def load_s251_outturn_lines() -> pl.DataFrame:
    """Which published Section 251 line is which spending concept, per year (line numbers and
    labels change every year): reference/s251_outturn_lines.csv."""
    frame = pl.read_csv(REFERENCE_DIR / "s251_outturn_lines.csv", infer_schema=False)
    if tuple(frame.columns) != S251_LINE_COLUMNS:
        raise ValueError(f"s251_outturn_lines.csv: columns must be {S251_LINE_COLUMNS}, not {tuple(frame.columns)}")
    dupes = frame.filter(pl.struct("scheme", "period", "concept").is_duplicated())
    if dupes.height:
        raise ValueError(f"s251_outturn_lines.csv: a concept is mapped twice in a period:\n{dupes}")
    return frame


def catalog_frame(catalog: Catalog) -> pl.DataFrame:
    return pl.DataFrame(
        [(e.id, e.family, e.publisher, e.dataset, e.release, e.period, e.precedence, e.licence) for e in catalog.entries],
        schema={"entry_id": pl.String, "family": pl.String, "publisher": pl.String, "dataset": pl.String,
                "release": pl.String, "period": pl.Int64, "precedence": pl.Int64, "licence": pl.String},
        orient="row",
    )


@dataclass(frozen=True)
class ReferenceTable:
    """A ``ref`` table: the project file it comes from (its kind), what it holds, how it is built."""

    table: str
    source_kind: str
    description: str
    build: Callable[[], pl.DataFrame]


def _symbol_status() -> pl.DataFrame:
    symbols = load_symbols()
    return pl.DataFrame({"symbol": list(symbols), "status": list(symbols.values())})


# The one list of reference tables: each is an asset of the ``reference`` group.
REFERENCE_TABLES = {t.table: t for t in (
    ReferenceTable("ref.catalog_entries", "yaml", "The source catalog's entries (csc_pipeline/catalog/*.yaml): publisher, dataset, release and precedence.",
                   lambda: catalog_frame(load_catalog())),
    ReferenceTable("ref.local_authorities", "csv", "The project's LA reference (csc_pipeline/reference/local_authorities.csv) in the warehouse.",
                   load_local_authorities),
    ReferenceTable("ref.boundary_changes", "csv", "Boundary and code changes since 2005, one row per predecessor -> successor link (csc_pipeline/reference/boundary_changes.csv).",
                   load_boundary_changes),
    ReferenceTable("ref.symbol_status", "yaml", "Suppression and special-value symbols and the status each means (schemas/_symbols.yaml).",
                   _symbol_status),
    ReferenceTable("ref.indicators", "csv", "Indicator definitions, units, polarity and numerator/denominator (csc_pipeline/reference/indicators/*.csv).",
                   load_indicators),
    ReferenceTable("ref.combined_units", "csv", "Combined reporting units (e.g. Kingston upon Thames / Richmond upon Thames) and their member LAs (csc_pipeline/reference/combined_units.csv).",
                   load_combined_units),
    ReferenceTable("ref.s251_outturn_lines", "csv", "Section 251 outturn lines per year and the spending concept each is (csc_pipeline/reference/s251_outturn_lines.csv).",
                   load_s251_outturn_lines),
)}


def reference_frames() -> dict[str, pl.DataFrame]:
    """Every reference table's frame (for tests and tools that build the ``ref`` schema at once)."""
    return {table: ref.build() for table, ref in REFERENCE_TABLES.items()}


def provenance_frame(records: list[Provenance], catalog: Catalog) -> pl.DataFrame:
    schema = {
        "entry_id": pl.String, "family": pl.String, "release": pl.String, "mode": pl.String,
        "source": pl.String, "fetched_at": pl.String, "sha256": pl.String, "bytes": pl.Int64,
        "raw_path": pl.String, "synthetic": pl.Boolean, "publisher": pl.String, "dataset": pl.String,
        "licence": pl.String, "contract": pl.String,
    }
    rows = []
    for record in records:
        entry = catalog.entry(record.entry_id)
        rows.append(asdict(record) | {
            "publisher": entry.publisher, "dataset": entry.dataset, "licence": entry.licence, "contract": entry.contract,
        })
    frame = pl.DataFrame(rows, schema=schema)
    return frame.with_columns(pl.col("fetched_at").str.to_datetime(time_zone="UTC"))
