"""Data contracts: the YAML files in ``schemas/`` turned into column conformance and pandera schemas.

A contract names each canonical column, the names other releases used for it (aliases), its kind
(text / integer / number), allowed values or value maps, ranges, and which symbols may stand in
for a number. A release that renames a column is handled by adding an alias to the contract.

Wide files that put the year in their column names (``Referrals1213``, ``CINAt310313``) name a
column by ``header_patterns``: regexes whose named groups ``year_start`` / ``year_end`` (two
digits) must agree with the year the file covers (``year_end`` = the year ending 31 March,
``year_start`` = the year before), so a column labelled with the wrong year fails instead of being
read silently. A publisher's known mislabelling is fixed by a ``header_corrections`` entry for that
release (published header -> the header it should have had, with the reason), never by code.
``required`` may be a year range (``{from: 2012, to: 2014}``) for columns a source only published
in some years; ``other_columns: ignore`` drops columns the contract does not name (for wide files
of which only some columns are used) instead of reporting them.

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
YEAR_GROUPS = frozenset({"year_start", "year_end"})


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
    header_patterns: tuple[str, ...] = ()  # regexes naming this column (may hold year_start / year_end groups)
    required_from: int | None = None  # with ``required``: only in files of these years (inclusive)
    required_to: int | None = None

    def required_in(self, year: int | None) -> bool:
        """Whether a file covering ``year`` must have the column (a year range with no year known: yes)."""
        if not self.required:
            return False
        if year is None:
            return True
        return (self.required_from is None or year >= self.required_from) and (
            self.required_to is None or year <= self.required_to
        )


@dataclass(frozen=True)
class HeaderCorrection:
    """A column the publisher labelled wrongly in one release, read under the header it should have had."""

    release: str
    header: str
    read_as: str
    reason: str


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
    la_code3_column: str | None = None  # DfE 3-digit LA codes, checked (at la_level) and resolved to GSS codes
    header_corrections: tuple[HeaderCorrection, ...] = ()
    other_columns: str = "report"  # or "ignore": drop columns the contract does not name
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
    required = spec.get("required", True)
    years: dict = {}
    if isinstance(required, dict):
        if set(required) - {"from", "to"} or not required:
            raise ContractError(f"column {name!r}: required takes true, false or {{from: year, to: year}}")
        years, required = required, True
    for pattern in spec.get("header_patterns", ()):
        try:
            groups = set(re.compile(pattern).groupindex)
        except re.error as err:
            raise ContractError(f"column {name!r}: bad header pattern {pattern!r} ({err})") from None
        if groups - YEAR_GROUPS:
            raise ContractError(f"column {name!r}: pattern groups must be among {sorted(YEAR_GROUPS)}")
    return ColumnSpec(
        name=name,
        kind=kind,
        required=bool(required),
        required_from=years.get("from"),
        required_to=years.get("to"),
        header_patterns=tuple(spec.get("header_patterns", ())),
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
        "la_code3_column", "header_corrections", "other_columns",
    }
    unknown = set(raw) - known
    if unknown:
        raise ContractError(f"{path}: unknown keys {sorted(unknown)}")
    columns = tuple(_column_spec(n, s or {}) for n, s in raw["columns"].items())
    patterns = tuple(_column_spec(n, s) for n, s in (raw.get("column_patterns") or {}).items())
    other_columns = raw.get("other_columns", "report")
    if other_columns not in ("report", "ignore"):
        raise ContractError(f"{path}: other_columns must be 'report' or 'ignore', not {other_columns!r}")
    corrections = []
    for item in raw.get("header_corrections") or ():
        if set(item) != {"release", "header", "read_as", "reason"}:
            raise ContractError(f"{path}: a header correction needs exactly release, header, read_as and reason")
        corrections.append(HeaderCorrection(str(item["release"]), item["header"], item["read_as"], item["reason"]))
    return Contract(
        name=raw["contract"],
        title=raw.get("title", ""),
        reader=raw["reader"],
        columns=columns,
        patterns=patterns,
        unique=tuple(raw.get("unique", ())),
        reader_options={k: raw[k] for k in ("header_first_cell", "sheet", "header_row") if k in raw},
        la_code_column=raw.get("la_code_column"),
        la_level=raw.get("la_level"),
        la_name_column=raw.get("la_name_column"),
        skip_values={k: tuple(v) for k, v in (raw.get("skip_values") or {}).items()},
        la_code3_column=raw.get("la_code3_column"),
        header_corrections=tuple(corrections),
        other_columns=other_columns,
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


def file_year(release: str | None, period: int | None) -> int | None:
    """The year ending 31 March a file covers: its catalog period, else a release named by a year."""
    if period is not None:
        return int(period)
    if release is not None and str(release).isdigit():
        return int(release)
    return None


def _year_in_header(match: re.Match, year: int) -> str | None:
    """A message when a header's year (two-digit ``year_start`` / ``year_end`` groups) is not ``year``."""
    for group, digits in match.groupdict().items():
        if digits is None:
            continue
        named = (int(digits) + (group == "year_start")) % 100  # the year ending 31 March it names
        if named != year % 100:
            return (f"the column name gives the year ending 31 March 20{named:02d} ({group} {digits!r}) but the "
                    f"file covers the year ending 31 March {year}")
    return None


def _header_lookup(contract: Contract) -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    lookup: dict[str, str] = {}
    for spec in contract.columns:
        for alias in (spec.name, *spec.aliases):
            lookup[header_key(alias)] = spec.name
    named = [(re.compile(p), spec.name) for spec in contract.columns for p in spec.header_patterns]
    return lookup, named


def match_headers(headers: list[str], contract: Contract, file_label: str, *, release: str | None = None,
                  period: int | None = None) -> tuple[dict[str, str], list[Problem]]:
    """Published header -> canonical column (or the header itself for a pattern column), and the
    problems found: a year in a column name that is not the file's, two headers for one column,
    unexpected columns (unless the contract ignores other columns). See ``conform``."""
    year = file_year(release, period)
    lookup, named = _header_lookup(contract)
    pattern_res = [re.compile(p.pattern) for p in contract.patterns]
    corrections = {c.header: c.read_as for c in contract.header_corrections if release is not None and c.release == str(release)}

    problems: list[Problem] = []
    renames: dict[str, str] = {}
    for header in headers:
        if header in SOURCE_COLUMNS:
            continue
        read_as = corrections.get(header.strip(), header.strip())
        canonical = lookup.get(header_key(read_as))
        for regex, name in named if canonical is None else ():
            match = regex.fullmatch(read_as)
            if match:
                canonical = name
                wrong_year = _year_in_header(match, year) if year is not None else None
                if wrong_year:
                    problems.append(Problem(
                        file_label,
                        f"{wrong_year}. If the publisher mislabelled the column, add a header correction "
                        f"to schemas/{contract.name}.yaml",
                        column=header,
                    ))
                break
        if canonical is not None:
            if canonical in renames.values():
                problems.append(Problem(file_label, f"two columns map to {canonical!r}", column=header))
                continue
            renames[header] = canonical
        elif any(r.match(header.strip()) for r in pattern_res):
            renames[header] = header.strip()
        elif contract.other_columns != "ignore":
            nearest = _nearest(header_key(header), list(lookup))
            hint = f"; nearest known column: {lookup[nearest]!r} (alias {nearest!r})" if nearest else ""
            problems.append(Problem(
                file_label,
                f"unexpected column{hint}. If a release renamed a column, add the alias to "
                f"schemas/{contract.name}.yaml",
                column=header,
            ))
    return renames, problems


def conform(frame: pl.DataFrame, contract: Contract, file_label: str, *, release: str | None = None,
            period: int | None = None) -> tuple[pl.DataFrame, list[Problem]]:
    """Rename published headers to canonical names and report structural problems.

    Never raises on bad content: a missing required column is added empty (so validation also
    flags its rows) and reported, an unexpected column is reported with the nearest known name.
    ``release`` selects the contract's header corrections; ``release`` / ``period`` give the year
    the file covers, against which year-range requirements and years in column names are checked.
    """
    year = file_year(release, period)
    renames, problems = match_headers(frame.columns, contract, file_label, release=release, period=period)
    out = frame.select([pl.col(h).alias(c) for h, c in renames.items()] + [pl.col(c) for c in SOURCE_COLUMNS])
    for spec in contract.columns:
        if spec.name not in out.columns:
            if spec.required_in(year):
                known = ", ".join(repr(a) for a in (spec.name, *spec.aliases, *spec.header_patterns))
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
