"""Contract files (``schemas/<name>.yaml``) read into ``Contract`` values, and the ``Problem`` a
file's failure is reported as.

A contract names each canonical column, the names other releases used for it (aliases), its kind
(text / integer / number / date), allowed values or value maps, ranges, and which symbols may stand
in for a number. ``required: {from: Y1, to: Y2}`` says a column (or a year pattern) is published,
and so required, in the files of those years only. A malformed contract is a ``ContractError``
naming the file and the key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from csc_pipeline.settings import package_folder


SCHEMAS_DIR = package_folder("schemas")
SOURCE_COLUMNS = ("source_file", "source_row")
# Wide files with the year in their column names ("CLA_Mar2013", "numbers 2008") are turned into
# one row per year: the year goes to this column, each year pattern to a column of its own name,
# and the published header to "<pattern>_header".
YEAR_COLUMN = "year"
HEADER_SUFFIX = "_header"
KINDS = ("text", "integer", "number", "date")
# Reader options a contract may set (see readers.py): the sheet (a name, or a list of the names
# releases used), the header row by number or by its first cell, header rows to join and names for
# blank headers, whether several tables stand one below another on the sheet, and whether repeated
# header names are numbered; for grouped headers, the pattern of the row holding the group labels;
# columns taken from labelled title lines above the header (title_fields).
READER_OPTIONS = ("header_first_cell", "sheet", "header_row", "header_rows", "header_names", "stacked_tables",
                  "repeated_headers", "group_row_pattern", "title_fields")
REPEATED_HEADER_STYLES = ("number", "bracket")


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
    # A denominator (a population): every number must be above zero, as a rate divides by it.
    positive: bool = False
    pattern: str | None = None  # for pattern columns: a regex matched against headers
    value_pattern: str | None = None  # every non-blank value must match this regex
    # Soft bounds: a value outside them is plausible enough not to block the source but is set
    # aside in the quarantine table with the reason, instead of being loaded.
    quarantine_min: float | None = None
    quarantine_max: float | None = None
    # The kind of indicator the column holds (a key of schemas/_plausibility.yaml ``change``: count,
    # rate, percentage, population, spend): a value that moves implausibly far from the previous
    # vintage's value for the same LA is quarantined (see vintages.py).
    change: str | None = None
    # Year patterns (a named group "year" in the pattern): the year the file covers is the entry's
    # period + period_offset. When set, a header year that disagrees is a problem (unless corrected
    # by a year_corrections entry) and a header without a year takes that year.
    period_offset: int | None = None
    # ``required: {from, to}``: the column (or year pattern) must be present in files of these years
    # only. None: ``required`` alone decides (year patterns are then never required individually).
    required_years: tuple[int | None, int | None] | None = None

    @property
    def has_year(self) -> bool:
        return self.pattern is not None and "year" in re.compile(self.pattern).groupindex

    def required_in(self, year: int | None) -> bool:
        """Whether a file covering ``year`` must have the column (an unknown year: as if in range)."""
        if self.required_years is None:
            return self.required and self.pattern is None
        first, last = self.required_years
        return year is None or ((first is None or year >= first) and (last is None or year <= last))


@dataclass(frozen=True)
class YearCorrection:
    """A header whose year the publisher got wrong, corrected for one release (documented in the contract)."""

    release: str
    header: str
    year: int
    reason: str
    column: str | None = None  # the year pattern the header is, where the pattern cannot match it


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
    la_code3_column: str | None = None
    la_name_dates: tuple[str, ...] = ()
    la_code_columns: tuple[str, ...] = ()
    skip_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Rows are kept only where every listed column matches its regex (e.g. authorities, not the
    # class totals, notes or repeated header rows of a workbook that lists every kind of body).
    keep_rows: dict[str, str] = field(default_factory=dict)
    # Rows are dropped where a listed column matches its regex (e.g. Scottish and Northern Irish
    # codes in a UK-wide export); the regex counterpart of skip_values.
    skip_matching: dict[str, str] = field(default_factory=dict)
    # A row repeated with every published cell identical (a publishing slip) is kept once; rows
    # that share the unique key but differ still fail.
    drop_identical_duplicates: bool = False
    ignore_columns: tuple[str, ...] = ()
    year_corrections: tuple[YearCorrection, ...] = ()
    # The column holding each row's year, for comparing a release with the previous vintage
    # (default: time_period where the contract has it, else the year of the year patterns, else
    # the catalog entry's period).
    year_column: str | None = None
    # Largest share of the previous vintage's LA values a release may stop publishing (default in
    # schemas/_plausibility.yaml; a contract overrides it with ``completeness: {max_lost_share, reason}``).
    max_lost_share: float = 0.0
    fingerprint: str = ""

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    def column_pattern(self, name: str) -> ColumnSpec:
        return next(p for p in self.patterns if p.name == name)

    @property
    def year_patterns(self) -> tuple[ColumnSpec, ...]:
        return tuple(p for p in self.patterns if p.has_year)

    def output_columns(self) -> list[str]:
        """Canonical columns of a conformed frame (before source and lineage columns)."""
        names = [c.name for c in self.columns]
        if self.year_patterns:
            names.append(YEAR_COLUMN)
            for p in self.year_patterns:
                names += [p.name, p.name + HEADER_SUFFIX]
        return names

    def at_la_level(self) -> pl.Expr:
        """True on rows that are local authorities (all rows when the contract sets no la_level).

        ``la_level: {column, value}`` or ``{column, values: [...]}``; a null in ``values`` matches a
        blank cell (e.g. a row the publisher left without a level). ``{column, not_values: [...]}``:
        every row whose level is none of these (e.g. all but England and the regions).
        ``{column, not_matching: regex}``: every row whose cell does not match (e.g. all but lower-tier
        district codes, kept in the table to be aggregated to their county).
        """
        if self.la_level is None:
            return pl.lit(True)
        column = pl.col(self.la_level["column"])
        if "not_values" in self.la_level:
            return (~column.is_in([str(v) for v in self.la_level["not_values"]])).fill_null(True)
        if "not_matching" in self.la_level:
            return (~column.str.contains(str(self.la_level["not_matching"]))).fill_null(True)
        values = self.la_level.get("values", [self.la_level.get("value")])
        named = [v for v in values if v is not None]
        matched = column.is_in(named)
        if None in values:
            matched = matched | column.is_null()
        return matched.fill_null(False)


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


def _column_spec(name: str, spec: dict) -> ColumnSpec:
    kind = spec.get("kind", "text")
    if kind not in KINDS:
        raise ContractError(f"column {name!r}: unknown kind {kind!r}")
    pattern = spec.get("pattern")
    try:
        groups = re.compile(pattern).groupindex if pattern is not None else {}
    except re.error as err:
        raise ContractError(f"column pattern {name!r}: bad regex ({err})") from None
    if spec.get("period_offset") is not None and "year" not in groups:
        raise ContractError(f"column {name!r}: period_offset needs a pattern with a (?P<year>...) group")
    required, years = spec.get("required", True), None
    if isinstance(required, dict):
        if not required or set(required) - {"from", "to"}:
            raise ContractError(f"column {name!r}: required takes true, false or {{from: year, to: year}}")
        required, years = True, (required.get("from"), required.get("to"))
    return ColumnSpec(
        name=name,
        kind=kind,
        required=bool(required),
        required_years=years,
        not_null=bool(spec.get("not_null", False)),
        aliases=tuple(spec.get("aliases", ())),
        allowed=tuple(spec.get("allowed", ())),
        value_map=dict(spec.get("value_map", {})),
        min=spec.get("min"),
        max=spec.get("max"),
        positive=bool(spec.get("positive", False)),
        change=spec.get("change"),
        pattern=pattern,
        value_pattern=spec.get("value_pattern"),
        period_offset=spec.get("period_offset"),
        quarantine_min=(spec.get("quarantine") or {}).get("min"),
        quarantine_max=(spec.get("quarantine") or {}).get("max"),
    )


def _year_corrections(raw: list) -> tuple[YearCorrection, ...]:
    corrections = []
    for item in raw or ():
        missing = [k for k in ("release", "header", "year", "reason") if not item.get(k)]
        if missing:
            raise ContractError(f"year_corrections entry {item}: missing {missing}")
        corrections.append(YearCorrection(str(item["release"]), str(item["header"]), int(item["year"]), item["reason"],
                                          item.get("column")))
    return tuple(corrections)



@cache
def load_contract(name: str, schemas_dir: Path = SCHEMAS_DIR) -> Contract:
    path = schemas_dir / f"{name}.yaml"
    if not path.is_file():
        raise ContractError(f"no contract {name!r}: expected {path}")
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    known = {
        "contract", "title", "reader", "columns", "column_patterns", "unique", "la_code_column",
        "la_level", "la_name_column", "la_code3_column", "la_name_dates", "la_code_columns", "skip_values",
        "keep_rows", "skip_matching", "drop_identical_duplicates", "ignore_columns", "year_corrections",
        "year_column", "completeness", *READER_OPTIONS,
    }
    unknown = set(raw) - known
    if unknown:
        raise ContractError(f"{path}: unknown keys {sorted(unknown)}")
    columns = tuple(_column_spec(n, s or {}) for n, s in raw["columns"].items())
    names = {c.name for c in columns}
    for key in ("la_name_dates", "la_code_columns"):
        if undeclared := [c for c in raw.get(key, ()) if c not in names]:
            raise ContractError(f"{path}: {key} names undeclared columns {undeclared}")
    if raw.get("la_name_dates") and not raw.get("la_name_column"):
        raise ContractError(f"{path}: la_name_dates needs la_name_column")
    if raw.get("repeated_headers", "number") not in REPEATED_HEADER_STYLES:
        raise ContractError(f"{path}: repeated_headers must be one of {list(REPEATED_HEADER_STYLES)}")
    patterns = tuple(_column_spec(n, s) for n, s in (raw.get("column_patterns") or {}).items())
    la_level = raw.get("la_level")
    if la_level is not None and ("column" not in la_level
                                 or sum(k in la_level for k in ("value", "values", "not_values", "not_matching")) != 1):
        raise ContractError(f"{path}: la_level needs a column and one of value, values, not_values or not_matching")
    keep_rows = {str(k): str(v) for k, v in (raw.get("keep_rows") or {}).items()}
    skip_matching = {str(k): str(v) for k, v in (raw.get("skip_matching") or {}).items()}
    for spec in (*columns, *patterns):
        _compile(path, f"column {spec.name!r}", spec.value_pattern)
    for key, filters in (("keep_rows", keep_rows), ("skip_matching", skip_matching)):
        for name, regex in filters.items():
            _compile(path, f"{key} {name!r}", regex)
    corrections = _year_corrections(raw.get("year_corrections"))
    unknown_patterns = sorted({c.column for c in corrections if c.column} - {p.name for p in patterns if p.has_year})
    if unknown_patterns:
        raise ContractError(f"{path}: year_corrections name columns that are no year pattern: {unknown_patterns}")
    if any(p.has_year for p in patterns) and YEAR_COLUMN in {c.name for c in columns}:
        raise ContractError(f"{path}: a column named {YEAR_COLUMN!r} clashes with the year of the year patterns")
    for regex in raw.get("ignore_columns") or ():
        _compile(path, "ignore_columns", regex)
    plausibility = load_plausibility()  # project-wide thresholds, whichever folder the contract is in
    if unknown_kinds := sorted({s.change for s in (*columns, *patterns) if s.change} - set(plausibility["change"])):
        raise ContractError(f"{path}: change kinds {unknown_kinds} are not in schemas/_plausibility.yaml "
                            f"({sorted(plausibility['change'])})")
    completeness = raw.get("completeness") or {}
    if set(completeness) - {"max_lost_share", "reason"} or ("max_lost_share" in completeness and not completeness.get("reason")):
        raise ContractError(f"{path}: completeness takes max_lost_share (0 to 1) and the reason for it")
    if raw.get("year_column") is not None and raw["year_column"] not in names | {YEAR_COLUMN}:
        raise ContractError(f"{path}: year_column {raw['year_column']!r} is not a column")
    return Contract(
        name=raw["contract"],
        title=raw.get("title", ""),
        reader=raw["reader"],
        columns=columns,
        patterns=patterns,
        unique=tuple(raw.get("unique", ())),
        reader_options={k: raw[k] for k in READER_OPTIONS if k in raw},
        la_code_column=raw.get("la_code_column"),
        la_level=la_level,
        la_name_column=raw.get("la_name_column"),
        la_code3_column=raw.get("la_code3_column"),
        la_name_dates=tuple(raw.get("la_name_dates", ())),
        la_code_columns=tuple(raw.get("la_code_columns", ())),
        skip_values={k: tuple(v) for k, v in (raw.get("skip_values") or {}).items()},
        keep_rows=keep_rows,
        skip_matching=skip_matching,
        drop_identical_duplicates=bool(raw.get("drop_identical_duplicates", False)),
        ignore_columns=tuple(raw.get("ignore_columns") or ()),
        year_corrections=corrections,
        year_column=raw.get("year_column") or ("time_period" if "time_period" in names else None),
        max_lost_share=float(completeness.get("max_lost_share", plausibility["completeness"]["max_lost_share"])),
        fingerprint=hashlib.sha256(text.encode()).hexdigest()[:16],
    )


def _compile(path: Path, where: str, regex: str | None) -> None:
    """A ContractError naming the contract and the key (``where``) when ``regex`` is not a regex."""
    if regex is None:
        return
    try:
        re.compile(regex)
    except re.error as err:
        raise ContractError(f"{path}: {where}: bad regular expression {regex!r} ({err})") from None


@cache
def load_plausibility(schemas_dir: Path = SCHEMAS_DIR) -> dict:
    """The release-level thresholds: ``completeness`` defaults and ``change`` limits per indicator kind."""
    return yaml.safe_load((schemas_dir / "_plausibility.yaml").read_text(encoding="utf-8"))


@cache
def load_symbols(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, str]:
    """Symbol -> status (suppressed / not_applicable / missing)."""
    raw = yaml.safe_load((schemas_dir / "_symbols.yaml").read_text(encoding="utf-8"))
    return {str(k): v for k, v in raw["symbols"].items()}
