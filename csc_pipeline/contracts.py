"""Data contracts: the YAML files in ``schemas/`` turned into column conformance and pandera schemas.

A contract names each canonical column, the names other releases used for it (aliases), its kind
(text / integer / number / date), allowed values or value maps, ranges, and which symbols may stand
in for a number. A release that renames a column is handled by adding an alias to the contract.

LA identifiers are checked against the LA reference: ``la_code_column`` (GSS codes, checked in the
schema), ``la_name_column`` (names, resolved for the entry's period, or for the year of each date
in ``la_name_dates`` when one row carries judgements of several years) and ``la_code_columns`` (GSS
or DfE 3-digit codes, resolved for the entry's period); see ``conformed.resolve_la_identifiers``.

Frames handled here hold every cell as text, exactly as published, plus ``source_file`` and
``source_row``; typing happens in the warehouse's staging SQL, after validation, so a failure can
always quote the published value.

Wide files that carry the year in their column names ("CLA_Mar2013") use column patterns with a
named group ``year`` (four digits, or two for 20YY: "Referrals1213", "CINAt310313"): each published
row becomes one row per year, the year is checked against the catalog entry's period, and a header
the publisher mislabelled is corrected by a ``year_corrections`` entry of the contract (never in
code), which may also say which pattern's column a header is when the pattern cannot match it (a
typo). ``ignore_columns`` lists published columns the project deliberately does not ingest.
``required: {from: Y1, to: Y2}`` says a column (or a year pattern) is published, and so required,
in the files of those years only (the file's year: its catalog period, else a release named by a
year), e.g. rate columns a release dropped.
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


def header_key(name: str) -> str:
    """Compare headers ignoring case, spacing and CamelCase vs snake_case."""
    name = name.strip().lstrip("\ufeff")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9+]+", "_", name.lower()).strip("_")


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


def _nearest(name: str, candidates: list[str]) -> str | None:
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    return match[0] if match else None


def header_lookup(contract: Contract) -> dict[str, str]:
    """``header_key`` of every canonical name and alias -> the canonical column name."""
    return {header_key(alias): spec.name for spec in contract.columns for alias in (spec.name, *spec.aliases)}


def conform(frame: pl.DataFrame, contract: Contract, file_label: str, *, release: str | None = None,
            period: int | None = None) -> tuple[pl.DataFrame, list[Problem]]:
    """Rename published headers to canonical names and report structural problems.

    Never raises on bad content: a missing required column is added empty (so validation also
    flags its rows) and reported, an unexpected column is reported with the nearest known name.
    Headers matching ``ignore_columns`` are published columns the project does not ingest.
    Year patterns turn each published row into one row per year found in the headers (see
    ``YEAR_COLUMN``); ``release`` and ``period`` (the catalog entry's) let the contract correct a
    mislabelled header year and check header years against the year the file covers.
    """
    lookup = header_lookup(contract)
    ignored = [re.compile(r) for r in contract.ignore_columns]
    year = file_year(release, period)

    problems: list[Problem] = []
    renames: dict[str, str] = {}
    year_headers: dict[tuple[str, int], str] = {}  # (year pattern, year) -> published header
    year_matched = False
    for header in frame.columns:
        if header in SOURCE_COLUMNS:
            continue
        canonical = lookup.get(header_key(header))
        matched = pattern_for(header, contract, release)
        if canonical is not None:
            if canonical in renames.values():
                problems.append(Problem(file_label, f"two columns map to {canonical!r}", column=header))
                continue
            renames[header] = canonical
        elif matched is not None and matched[0].has_year:
            spec, match = matched
            year_matched = True
            year, problem = _header_year(spec, match, header.strip(), contract, file_label, release, period)
            if problem is not None:
                problems.append(problem)
            elif (spec.name, year) in year_headers:
                problems.append(Problem(file_label, f"two columns map to {spec.name!r} for year {year}", column=header))
            else:
                year_headers[(spec.name, year)] = header
        elif matched is not None:
            renames[header] = header.strip()
        elif not any(r.match(header.strip()) for r in ignored):
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
            if spec.required_in(year):
                known = ", ".join(repr(a) for a in (spec.name, *spec.aliases))
                nearest = _nearest(header_key(spec.name), [header_key(h) for h in frame.columns])
                hint = f"; nearest header in the file: {nearest!r}" if nearest else ""
                problems.append(Problem(
                    file_label, f"required column missing (known names: {known}){hint}", column=spec.name
                ))
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(spec.name))
    if contract.year_patterns:
        if not year_matched:
            names = ", ".join(f"{p.name} ({p.pattern})" for p in contract.year_patterns)
            problems.append(Problem(file_label, f"no column matches a year pattern: {names}"))
        found = {name for name, _ in year_headers}
        for spec in contract.year_patterns:
            if spec.required_years is not None and spec.required_in(year) and spec.name not in found:
                problems.append(Problem(file_label, f"required column missing: no header matches {spec.pattern!r} "
                                        f"(published {_years_text(spec.required_years)})", column=spec.name))
        out = _one_row_per_year(out, frame, contract, year_headers)

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
    # Row filters by regex: keep_rows keeps matching rows (a blank cell never matches), skip_matching
    # drops them (a blank cell is kept).
    for filters, keep in ((contract.keep_rows, True), (contract.skip_matching, False)):
        for name, regex in filters.items():
            out = out.filter(pl.col(name).str.contains(regex).fill_null(False) == keep)
    if contract.drop_identical_duplicates:
        cells = [c for c in out.columns if c not in SOURCE_COLUMNS]
        out = out.unique(subset=cells, keep="first", maintain_order=True)
    canonical_names = contract.output_columns()
    return out.select(canonical_names + [c for c in out.columns if c not in set(canonical_names)]), problems


def pattern_for(header: str, contract: Contract, release: str | None = None) -> tuple[ColumnSpec, re.Match | None] | None:
    """The column pattern a published header belongs to, and its match: a year correction of
    ``release`` that names the pattern (match None), else the first pattern that matches."""
    header = header.strip()
    for correction in contract.year_corrections:
        if correction.column and correction.release == release and correction.header == header:
            return contract.column_pattern(correction.column), None
    return next(((p, m) for p in contract.patterns if (m := re.match(p.pattern, header))), None)


def file_year(release: str | None, period: int | None) -> int | None:
    """The year ending 31 March a file covers: its catalog period, else a release named by a year."""
    if period is not None:
        return int(period)
    return int(release) if release is not None and str(release).isdigit() else None


def _years_text(years: tuple[int | None, int | None]) -> str:
    first, last = years
    return f"{first or '...'}-{last or '...'}"


def _header_year(spec: ColumnSpec, match: re.Match, header: str, contract: Contract, file_label: str,
                 release: str | None, period: int | None) -> tuple[int | None, Problem | None]:
    """The year a year-pattern header stands for: as labelled, as corrected, or the entry's period."""
    expected = None if spec.period_offset is None or period is None else period + spec.period_offset
    correction = next((c for c in contract.year_corrections if c.release == release and c.header == header), None)
    if correction is not None:
        year = correction.year
    elif match.group("year") is not None:
        year = int(match.group("year"))
        year += 2000 if len(match.group("year")) == 2 else 0  # "1213", "310313": two-digit years are 20YY
    elif expected is not None:
        return expected, None  # the header carries no year (e.g. "CLA_cease"): the file's own year
    else:
        return None, Problem(file_label, "the header has no year and the catalog entry no period to take it from",
                             column=header)
    if expected is not None and year != expected:
        return None, Problem(
            file_label,
            f"the header says year {year} but this file covers year {expected} (catalog period {period}"
            f"{spec.period_offset:+d}). If the publisher mislabelled the column, add a year_corrections entry "
            f"to schemas/{contract.name}.yaml",
            column=header,
        )
    return year, None


def _one_row_per_year(out: pl.DataFrame, published: pl.DataFrame, contract: Contract,
                      year_headers: dict[tuple[str, int], str]) -> pl.DataFrame:
    """Each published row once per year found in the headers, with each year pattern's cell of that
    year and the header it came from (null where the file has no such column for that year)."""
    years = sorted({year for _, year in year_headers}) or [None]
    parts = []
    for year in years:
        cells = [pl.lit(None if year is None else str(year), dtype=pl.String).alias(YEAR_COLUMN)]
        for spec in contract.year_patterns:
            header = year_headers.get((spec.name, year))
            cells.append(published[header].alias(spec.name) if header else pl.lit(None, dtype=pl.String).alias(spec.name))
            cells.append(pl.lit(header, dtype=pl.String).alias(spec.name + HEADER_SUFFIX))
        parts.append(out.with_columns(cells))
    return pl.concat(parts).sort("source_row", YEAR_COLUMN, maintain_order=True)


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
