"""Frames for the warehouse's ``ref`` and ``meta`` tables, built from project data (no Dagster)."""

from __future__ import annotations

from dataclasses import asdict

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


def reference_frames() -> dict[str, pl.DataFrame]:
    symbols = load_symbols()
    return {
        "ref.catalog_entries": catalog_frame(load_catalog()),
        "ref.local_authorities": load_local_authorities(),
        "ref.boundary_changes": load_boundary_changes(),
        "ref.symbol_status": pl.DataFrame({"symbol": list(symbols), "status": list(symbols.values())}),
        "ref.indicators": load_indicators(),
        "ref.combined_units": load_combined_units(),
        "ref.s251_outturn_lines": load_s251_outturn_lines(),
    }


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
