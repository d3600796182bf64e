"""The contract's soft (plausibility) bounds: validated rows outside them are set aside, with the
reason, into the quarantine table instead of being loaded."""

from __future__ import annotations

import polars as pl

from csc_pipeline.contracts.checks import as_number
from csc_pipeline.contracts.spec import Contract


QUARANTINE_COLUMNS = {"source_file": pl.String, "source_row": pl.Int64, "column": pl.String,
                      "value": pl.String, "reason": pl.String}


def _soft_rules(contract: Contract):
    """(column, failing-row expression, reason) for every soft bound in the contract."""
    for spec in contract.columns:
        value = as_number(spec.name)
        if spec.quarantine_min is not None:
            yield spec.name, value < spec.quarantine_min, f"below the plausible minimum {spec.quarantine_min}"
        if spec.quarantine_max is not None:
            yield spec.name, value > spec.quarantine_max, f"above the plausible maximum {spec.quarantine_max}"


def quarantine(frame: pl.DataFrame, contract: Contract) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split validated rows into (kept, quarantined); quarantined rows carry column, value, reason."""
    numbered = frame.with_row_index("_row")
    flagged = [
        numbered.filter(failing.fill_null(False)).select(
            "_row", "source_file", "source_row", pl.lit(column).alias("column"),
            pl.col(column).alias("value"), pl.lit(f"{reason} (schemas/{contract.name}.yaml)").alias("reason"),
        )
        for column, failing, reason in _soft_rules(contract)
        if column in frame.columns
    ]
    if not flagged:
        return frame, pl.DataFrame(schema=QUARANTINE_COLUMNS)
    rows = pl.concat(flagged)
    kept = numbered.filter(~pl.col("_row").is_in(rows["_row"].implode())).drop("_row")
    return kept, rows.drop("_row").sort("source_file", "source_row")
