"""Data contracts: the YAML files in ``schemas/`` and what the pipeline does with them, one job a module.

- ``spec``: a contract file read into a ``Contract`` (columns, aliases, kinds, allowed values,
  ranges, LA identifier columns, reader options), and the ``Problem`` a failure is reported as;
- ``headers``: a published frame's headers conformed to the canonical columns (aliases, year
  patterns, ignored columns, row filters);
- ``checks``: the pandera schema a conformed frame is validated with;
- ``soft_bounds``: rows outside the contract's plausibility bounds, set aside into quarantine.

LA identifiers are checked against the LA reference: ``la_code_column`` (GSS codes, checked in the
schema), ``la_name_column`` (names, resolved for the entry's period, or for the year of each date
in ``la_name_dates`` when one row carries judgements of several years) and ``la_code_columns`` (GSS
or DfE 3-digit codes, resolved for the entry's period); see ``conformed.resolve_la_identifiers``.

The names below are the package's public interface; callers import them from here.
"""

from csc_pipeline.contracts.checks import as_date, as_number, build_schema, validate
from csc_pipeline.contracts.headers import conform, file_year, header_key, header_lookup, pattern_for
from csc_pipeline.contracts.soft_bounds import QUARANTINE_COLUMNS, quarantine
from csc_pipeline.contracts.spec import (
    HEADER_SUFFIX,
    KINDS,
    READER_OPTIONS,
    REPEATED_HEADER_STYLES,
    SCHEMAS_DIR,
    SOURCE_COLUMNS,
    YEAR_COLUMN,
    ColumnSpec,
    Contract,
    ContractError,
    Problem,
    YearCorrection,
    load_contract,
    load_plausibility,
    load_symbols,
)

__all__ = [
    "HEADER_SUFFIX", "KINDS", "QUARANTINE_COLUMNS", "READER_OPTIONS", "REPEATED_HEADER_STYLES", "SCHEMAS_DIR",
    "SOURCE_COLUMNS", "YEAR_COLUMN", "ColumnSpec", "Contract", "ContractError", "Problem", "YearCorrection",
    "as_date", "as_number", "build_schema", "conform", "file_year", "header_key", "header_lookup", "load_contract",
    "load_plausibility", "load_symbols", "pattern_for", "quarantine", "validate",
]
