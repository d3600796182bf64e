"""The contract as a pandera (polars backend) schema: kinds, symbols, ranges, allowed values,
patterns, unique keys and the LA reference; every failure returned as a ``Problem`` with file, row,
column and value. Typing happens in the warehouse's staging SQL, after validation, so a failure can
always quote the published value.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from csc_pipeline.contracts.spec import YEAR_COLUMN, ColumnSpec, Contract, Problem, load_symbols


def as_number(name: str) -> pl.Expr:
    return pl.col(name).str.replace_all(",", "").cast(pl.Float64, strict=False)


def _number_or_symbol(symbols: list[str]) -> pa.Check:
    def check(data):
        col = pl.col(data.key)
        return data.lazyframe.select(col.is_null() | col.is_in(symbols) | as_number(data.key).is_not_null())
    return pa.Check(check, name="number_or_symbol", error=f"not a number or a known symbol {symbols}")


def _integer() -> pa.Check:
    def check(data):
        return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).str.contains(r"^-?\d+$"))
    return pa.Check(check, name="integer", error="not a whole number")


ISO_DATE = r"^\d{4}-\d{2}-\d{2}(T00:00:00(\.0+)?)?$"


def as_date(cell: pl.Expr) -> pl.Expr:
    """A date cell as spreadsheet readers render it ('2019-04-01' or '2019-04-01T00:00:00') -> Date."""
    return cell.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def _date() -> pa.Check:
    def check(data):
        col = pl.col(data.key)
        return data.lazyframe.select(col.is_null() | (col.str.contains(ISO_DATE) & as_date(col).is_not_null()))
    return pa.Check(check, name="date", error="not a date (YYYY-MM-DD, as a date cell)")


def _range(low: float | None, high: float | None) -> pa.Check:
    def check(data):
        value = as_number(data.key)
        ok = value.is_null()
        inside = pl.lit(True)
        if low is not None:
            inside = inside & (value >= low)
        if high is not None:
            inside = inside & (value <= high)
        return data.lazyframe.select(ok | inside)
    bounds = f">= {low}" if high is None else f"<= {high}" if low is None else f"between {low} and {high}"
    return pa.Check(check, name="range", error=f"out of range: must be {bounds}")


def _positive() -> pa.Check:
    def check(data):
        return data.lazyframe.select(pl.col(data.key).is_null() | (as_number(data.key) > 0).fill_null(True))
    return pa.Check(check, name="positive", error="not above zero: a denominator (population) must be positive")


def _matches(regex: str) -> pa.Check:
    def check(data):
        return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).str.contains(regex))
    return pa.Check(check, name="value_pattern", error=f"does not match the pattern {regex!r}")


def _column_checks(spec: ColumnSpec, symbols: list[str]) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if spec.value_pattern:
        checks.append(_matches(spec.value_pattern))
    if spec.kind == "number":
        checks.append(_number_or_symbol(symbols))
    if spec.kind == "integer":
        checks.append(_integer())
    if spec.kind == "date":
        checks.append(_date())
    if spec.kind in ("number", "integer") and (spec.min is not None or spec.max is not None):
        checks.append(_range(spec.min, spec.max))
    if spec.positive:
        checks.append(_positive())
    allowed = list(spec.allowed) or sorted(set(spec.value_map.values()))
    if allowed:
        checks.append(pa.Check.isin(allowed, error=f"not an allowed value {allowed}"))
    return checks


def _known_codes(contract: Contract, known_la_codes: frozenset[str]) -> pa.Check:
    code = contract.la_code_column

    def check(data):
        col = pl.col(code)
        return data.lazyframe.select(~contract.at_la_level() | col.is_null() | col.is_in(list(known_la_codes)))
    return pa.Check(check, name="known_la_code", error="LA code not in the LA reference")


def build_schema(contract: Contract, known_la_codes: frozenset[str] | None = None,
                 unique_within: tuple[str, ...] = ()) -> pa.DataFrameSchema:
    """The pandera (polars backend) schema for a conformed frame.

    ``unique_within`` adds columns to the key (e.g. ``source_entry`` when a frame holds several
    files, each of which must be unique on its own).
    """
    symbols = list(load_symbols())
    columns: dict[str, pa.Column] = {}
    for spec in contract.columns:
        checks = _column_checks(spec, symbols)
        if spec.name == contract.la_code_column and known_la_codes is not None:
            checks.append(_known_codes(contract, known_la_codes))
        columns[spec.name] = pa.Column(pl.String, checks=checks, nullable=not spec.not_null)
    for spec in contract.patterns:
        if spec.has_year:  # conformed to one column of the pattern's name (see conform)
            columns[spec.name] = pa.Column(pl.String, checks=_column_checks(spec, symbols), nullable=True)
        else:
            columns[spec.pattern] = pa.Column(pl.String, checks=_column_checks(spec, symbols), nullable=True, regex=True)
    if contract.year_patterns:
        columns[YEAR_COLUMN] = pa.Column(pl.String, checks=[_integer()], nullable=True)
    return pa.DataFrameSchema(
        columns,
        unique=[*contract.unique, *unique_within] if contract.unique else None,
        name=contract.name,
        strict=False,
        coerce=False,
    )


def validate(frame: pl.DataFrame, contract: Contract, known_la_codes: frozenset[str] | None = None) -> list[Problem]:
    """Run the contract's pandera schema; every failure is returned with file, row, column, value."""
    within = tuple(c for c in ("source_entry",) if c in frame.columns)
    schema = build_schema(contract, known_la_codes, unique_within=within)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return _problems_from_failures(err.failure_cases, frame, contract)
    return []


def _problems_from_failures(failures: pl.DataFrame, frame: pl.DataFrame, contract: Contract) -> list[Problem]:
    problems = []
    for case in failures.iter_rows(named=True):
        index = case.get("index")
        if index is None:
            problems.append(Problem("(whole table)", f"{case['check']}", column=case.get("column"), value=case.get("failure_case")))
            continue
        source = frame.row(int(index), named=True)
        column, value, message = case.get("column"), case.get("failure_case"), case["check"]
        if case["check"] == "multiple_fields_uniqueness":
            key = ", ".join(f"{c}={source[c]!r}" for c in contract.unique)
            column, value, message = None, None, f"duplicate key: another row has the same {key}"
        problems.append(Problem(
            file=source["source_file"], row=int(source["source_row"]), column=column, value=value, message=message,
        ))
    problems.sort(key=lambda p: (p.file, p.row or 0, p.column or ""))
    return problems
