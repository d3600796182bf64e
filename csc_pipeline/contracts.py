"""Data contracts: the YAML files in ``schemas/`` turned into column conformance and pandera schemas.

A contract names each canonical column, the names other releases used for it (aliases), its kind
(text / integer / number), allowed values or value maps, ranges, and which symbols may stand in
for a number. A release that renames a column is handled by adding an alias to the contract.

Frames handled here hold every cell as text, exactly as published, plus ``source_file`` and
``source_row``; typing happens in the warehouse's staging SQL, after validation, so a failure can
always quote the published value.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandera.polars as pa
import polars as pl
import yaml

from csc_pipeline.settings import PROJECT_ROOT

SCHEMAS_DIR = PROJECT_ROOT / "schemas"
SOURCE_COLUMNS = ("source_file", "source_row")


class ContractError(ValueError):
    """A contract file itself is malformed."""


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str = "text"
    required: bool = True  # the column must be present in the file
    not_null: bool = False  # every row must have a value
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    value_map: dict[str, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    pattern: str | None = None  # for pattern columns: a regex matched against headers


@dataclass(frozen=True)
class Contract:
    name: str
    title: str
    reader: str
    columns: tuple[ColumnSpec, ...]
    patterns: tuple[ColumnSpec, ...] = ()
    unique: tuple[str, ...] = ()
    reader_options: dict = field(default_factory=dict)
    la_code_column: str | None = None
    la_level: dict | None = None
    la_name_column: str | None = None
    skip_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Rows are kept only where every listed column matches its regex (e.g. authorities, not the
    # class totals, notes or repeated header rows of a workbook that lists every kind of body).
    keep_rows: dict[str, str] = field(default_factory=dict)
    # Headers matching one of these regexes are published columns the pipeline does not use: they
    # are dropped without a problem (e.g. the adult social care and public health columns of RO3).
    ignore_columns: tuple[str, ...] = ()
    fingerprint: str = ""

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Problem:
    """One reason a file fails its contract, located as precisely as the failure allows."""

    file: str
    message: str
    column: str | None = None
    row: int | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"


def header_key(name: str) -> str:
    """Compare headers ignoring case, spacing and CamelCase vs snake_case."""
    name = name.strip().lstrip("\ufeff")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9+]+", "_", name.lower()).strip("_")


def _column_spec(name: str, spec: dict) -> ColumnSpec:
    kind = spec.get("kind", "text")
    if kind not in ("text", "integer", "number"):
        raise ContractError(f"column {name!r}: unknown kind {kind!r}")
    return ColumnSpec(
        name=name,
        kind=kind,
        required=bool(spec.get("required", True)),
        not_null=bool(spec.get("not_null", False)),
        aliases=tuple(spec.get("aliases", ())),
        allowed=tuple(spec.get("allowed", ())),
        value_map=dict(spec.get("value_map", {})),
        min=spec.get("min"),
        max=spec.get("max"),
        pattern=spec.get("pattern"),
    )


@cache
def load_contract(name: str, schemas_dir: Path = SCHEMAS_DIR) -> Contract:
    path = schemas_dir / f"{name}.yaml"
    if not path.is_file():
        raise ContractError(f"no contract {name!r}: expected {path}")
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    known = {
        "contract", "title", "reader", "columns", "column_patterns", "unique", "la_code_column",
        "la_level", "la_name_column", "skip_values", "header_first_cell", "sheet", "header_row",
        "keep_rows", "ignore_columns", "group_row_pattern",
    }
    unknown = set(raw) - known
    if unknown:
        raise ContractError(f"{path}: unknown keys {sorted(unknown)}")
    columns = tuple(_column_spec(n, s or {}) for n, s in raw["columns"].items())
    patterns = tuple(_column_spec(n, s) for n, s in (raw.get("column_patterns") or {}).items())
    return Contract(
        name=raw["contract"],
        title=raw.get("title", ""),
        reader=raw["reader"],
        columns=columns,
        patterns=patterns,
        unique=tuple(raw.get("unique", ())),
        reader_options={k: raw[k] for k in ("header_first_cell", "sheet", "header_row", "group_row_pattern") if k in raw},
        la_code_column=raw.get("la_code_column"),
        la_level=raw.get("la_level"),
        la_name_column=raw.get("la_name_column"),
        skip_values={k: tuple(v) for k, v in (raw.get("skip_values") or {}).items()},
        keep_rows={str(k): str(v) for k, v in (raw.get("keep_rows") or {}).items()},
        ignore_columns=tuple(raw.get("ignore_columns") or ()),
        fingerprint=hashlib.sha256(text.encode()).hexdigest()[:16],
    )


@cache
def load_symbols(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, str]:
    """Symbol -> status (suppressed / not_applicable / missing)."""
    raw = yaml.safe_load((schemas_dir / "_symbols.yaml").read_text(encoding="utf-8"))
    return {str(k): v for k, v in raw["symbols"].items()}


def _nearest(name: str, candidates: list[str]) -> str | None:
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    return match[0] if match else None


def conform(frame: pl.DataFrame, contract: Contract, file_label: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Rename published headers to canonical names and report structural problems.

    Never raises on bad content: a missing required column is added empty (so validation also
    flags its rows) and reported, an unexpected column is reported with the nearest known name.
    """
    lookup: dict[str, str] = {}
    for spec in contract.columns:
        for alias in (spec.name, *spec.aliases):
            lookup[header_key(alias)] = spec.name
    pattern_res = [re.compile(p.pattern) for p in contract.patterns]
    ignore_res = [re.compile(p) for p in contract.ignore_columns]

    problems: list[Problem] = []
    renames: dict[str, str] = {}
    for header in frame.columns:
        if header in SOURCE_COLUMNS:
            continue
        canonical = lookup.get(header_key(header))
        if canonical is not None:
            if canonical in renames.values():
                problems.append(Problem(file_label, f"two columns map to {canonical!r}", column=header))
                continue
            renames[header] = canonical
        elif any(r.match(header.strip()) for r in pattern_res):
            renames[header] = header.strip()
        elif any(r.search(header.strip()) for r in ignore_res):
            continue
        else:
            nearest = _nearest(header_key(header), list(lookup))
            hint = f"; nearest known column: {lookup[nearest]!r} (alias {nearest!r})" if nearest else ""
            problems.append(Problem(
                file_label,
                f"unexpected column{hint}. If a release renamed a column, add the alias to "
                f"schemas/{contract.name}.yaml",
                column=header,
            ))

    out = frame.select([pl.col(h).alias(c) for h, c in renames.items()] + [pl.col(c) for c in SOURCE_COLUMNS])
    for spec in contract.columns:
        if spec.name not in out.columns:
            if spec.required:
                known = ", ".join(repr(a) for a in (spec.name, *spec.aliases))
                nearest = _nearest(header_key(spec.name), [header_key(h) for h in frame.columns])
                hint = f"; nearest header in the file: {nearest!r}" if nearest else ""
                problems.append(Problem(
                    file_label, f"required column missing (known names: {known}){hint}", column=spec.name
                ))
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(spec.name))

    cleaned = []
    for name in out.columns:
        if name in SOURCE_COLUMNS:
            continue
        col = pl.col(name).cast(pl.String).str.strip_chars()
        cleaned.append(pl.when(col == "").then(None).otherwise(col).alias(name))
    out = out.with_columns(cleaned)

    for spec in contract.columns:
        if spec.value_map:
            out = out.with_columns(pl.col(spec.name).replace(spec.value_map).alias(spec.name))
    for name, regex in contract.keep_rows.items():
        out = out.filter(pl.col(name).str.contains(regex).fill_null(False))
    for name, values in contract.skip_values.items():
        out = out.filter(~pl.col(name).is_in(list(values)) | pl.col(name).is_null())
    ordered = [c.name for c in contract.columns] + [c for c in out.columns if c not in {s.name for s in contract.columns}]
    return out.select(ordered), problems


def _as_number(name: str) -> pl.Expr:
    return pl.col(name).str.replace_all(",", "").cast(pl.Float64, strict=False)


def _number_or_symbol(symbols: list[str]) -> pa.Check:
    def check(data):
        col = pl.col(data.key)
        return data.lazyframe.select(col.is_null() | col.is_in(symbols) | _as_number(data.key).is_not_null())
    return pa.Check(check, name="number_or_symbol", error=f"not a number or a known symbol {symbols}")


def _integer() -> pa.Check:
    def check(data):
        return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).str.contains(r"^-?\d+$"))
    return pa.Check(check, name="integer", error="not a whole number")


def _range(low: float | None, high: float | None) -> pa.Check:
    def check(data):
        value = _as_number(data.key)
        ok = value.is_null()
        inside = pl.lit(True)
        if low is not None:
            inside = inside & (value >= low)
        if high is not None:
            inside = inside & (value <= high)
        return data.lazyframe.select(ok | inside)
    bounds = f">= {low}" if high is None else f"<= {high}" if low is None else f"between {low} and {high}"
    return pa.Check(check, name="range", error=f"out of range: must be {bounds}")


def _column_checks(spec: ColumnSpec, symbols: list[str]) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if spec.kind == "number":
        checks.append(_number_or_symbol(symbols))
    if spec.kind == "integer":
        checks.append(_integer())
    if spec.kind in ("number", "integer") and (spec.min is not None or spec.max is not None):
        checks.append(_range(spec.min, spec.max))
    allowed = list(spec.allowed) or sorted(set(spec.value_map.values()))
    if allowed:
        checks.append(pa.Check.isin(allowed, error=f"not an allowed value {allowed}"))
    return checks


def _known_codes(contract: Contract, known_la_codes: frozenset[str]) -> pa.Check:
    code, level = contract.la_code_column, contract.la_level

    def check(data):
        at_level = pl.lit(True) if level is None else pl.col(level["column"]) == level["value"]
        col = pl.col(code)
        return data.lazyframe.select(~at_level | col.is_null() | col.is_in(list(known_la_codes)))
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
        columns[spec.pattern] = pa.Column(pl.String, checks=_column_checks(spec, symbols), nullable=True, regex=True)
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
