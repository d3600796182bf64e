"""The conformed layer: raw files parsed against their contracts, cached per file, then checked.

The flow per source family, in ``data_lake/conformed/<family>/``:
  conform_family - read + conform every file of the family's manifest (cached by sha256 and
                   contract fingerprint, so an unchanged file is not parsed again), write one
                   ``conformed.parquet`` and ``conformed.json``: the files it was built from and
                   the structural problems found (the check reads these, never the manifest again);
  check_family   - the blocking contract check: the contract's pandera schema, the LA reference
                   (identifiers resolved once, here) and release completeness; on success it writes
                   ``validated.parquet`` (the rows with their resolved LA codes) and a stamp naming
                   the conformed parquet it checked;
  read_validated - the loaded layer's side: refuses validated rows whose stamp is missing or stale.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from csc_pipeline.acquire import Provenance
from csc_pipeline import vintages
from csc_pipeline.atomic import OWNER_ONLY, atomic_write, write_json
from csc_pipeline.download import file_sha256
from csc_pipeline.catalog import Catalog
from csc_pipeline.contracts import YEAR_COLUMN, Contract, Problem, as_date, conform, load_contract, load_symbols, validate
from csc_pipeline.geography import LaResolver
from csc_pipeline.readers import ReadError, read_published
from csc_pipeline.settings import Settings


class NotValidated(RuntimeError):
    """Data that has not passed (or no longer matches) its blocking contract check."""


@dataclass(frozen=True)
class ConformResult:
    family: str
    contract: str
    parquet: Path
    rows: int
    files_parsed: int
    files_cached: int
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class CheckResult:
    family: str
    rows: int
    problems: tuple[Problem, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class FamilyPaths:
    """The files of one family in the conformed layer's folder."""

    conformed: Path
    summary: Path  # the files the conformed parquet was built from, and the structural problems found
    validated: Path  # the rows that passed the contract check, LA identifiers resolved
    stamp: Path  # which conformed parquet (sha256) and contract the validated rows passed
    file_cache: Path  # one conformed parquet per raw file and contract fingerprint


def family_paths(settings: Settings, family: str) -> FamilyPaths:
    folder = settings.conformed_dir / family
    return FamilyPaths(conformed=folder / "conformed.parquet", summary=folder / "conformed.json",
                       validated=folder / "validated.parquet", stamp=folder / "validated.json",
                       file_cache=folder / "files")


def _conform_file(record: Provenance, contract_name: str, label: str, cache_dir: Path, period: int | None
                  ) -> tuple[pl.DataFrame, list[Problem], bool]:
    contract = load_contract(contract_name)
    # The entry too: the same bytes obtained for another entry (an unchanged file re-issued as a new
    # release) are labelled with that entry, its release and period, not the first one's.
    key = f"{record.sha256}-{contract.fingerprint}-{record.entry_id}"
    cached_frame, cached_problems = cache_dir / f"{key}.parquet", cache_dir / f"{key}.problems.json"
    if cached_frame.is_file() and cached_problems.is_file():
        problems = [Problem(**p) for p in json.loads(cached_problems.read_text(encoding="utf-8"))]
        return pl.read_parquet(cached_frame), problems, True
    try:
        published = read_published(Path(record.raw_path), contract)
        frame, problems = conform(published.with_columns(pl.lit(label).alias("source_file")), contract, label,
                                  release=record.release, period=period)
    except ReadError as err:
        # Unreadable files become a problem of the family, reported by the blocking check.
        frame, problems = pl.DataFrame(), [Problem(label, str(err))]
    frame = frame.with_columns(
        pl.lit(record.entry_id).alias("source_entry"),
        pl.lit(record.release).alias("release"),
        pl.lit(period, dtype=pl.Int64).alias("period"),
        pl.lit(record.sha256).alias("source_sha256"),
    ) if frame.width else frame
    atomic_write(cached_frame, frame.write_parquet, mode=OWNER_ONLY)
    write_json(cached_problems, [asdict(p) for p in problems], mode=OWNER_ONLY)
    return frame, problems, False


def empty_frame(contract_name: str) -> pl.DataFrame:
    """A family with no files in this mode (e.g. demo-only sources in mirror mode): no rows, all columns."""
    contract = load_contract(contract_name)
    columns = {name: pl.String for name in contract.output_columns()}
    columns |= {"source_file": pl.String, "source_row": pl.Int64, "source_entry": pl.String,
                "release": pl.String, "period": pl.Int64, "source_sha256": pl.String}
    return pl.DataFrame(schema=columns)


def conform_family(family: str, settings: Settings, catalog: Catalog, records: list[Provenance]) -> ConformResult:
    contracts = {e.contract for e in catalog.family(family)}
    if len(contracts) != 1:
        raise ValueError(f"family {family} mixes contracts {sorted(contracts)}; split it in the catalog")
    contract_name = contracts.pop()
    paths = family_paths(settings, family)
    frames, problems, cached = [], [], 0
    for record in records:
        entry = catalog.entry(record.entry_id)
        frame, file_problems, was_cached = _conform_file(
            record, contract_name, entry.mirror_path, paths.file_cache, entry.period
        )
        cached += was_cached
        problems += file_problems
        if frame.width:
            frames.append(frame)
    combined = pl.concat(frames, how="diagonal_relaxed") if frames else empty_frame(contract_name)
    # Rows checked earlier no longer describe this parquet: remove them before writing it.
    paths.stamp.unlink(missing_ok=True)
    paths.validated.unlink(missing_ok=True)
    atomic_write(paths.conformed, combined.write_parquet, mode=OWNER_ONLY)
    write_json(paths.summary, {"files": [asdict(r) for r in records], "structural_problems": [asdict(p) for p in problems]},
               mode=OWNER_ONLY)
    return ConformResult(family, contract_name, paths.conformed, combined.height, len(records) - cached, cached,
                         tuple(problems))


def year_ending_march(column: str) -> pl.Expr:
    """A date column -> the year ending 31 March that contains the date (2019-04-01 -> 2020)."""
    day = as_date(pl.col(column))
    return (day.dt.year() + (day.dt.month() >= 4).cast(pl.Int32)).cast(pl.Int64)


def _row_year(frame: pl.DataFrame, contract: Contract) -> pl.Expr:
    """The year a row's LA identifiers are read at: its own year (files with the year in their column
    names) or the catalog entry's period."""
    if YEAR_COLUMN in frame.columns and contract.year_patterns:
        return pl.coalesce(pl.col(YEAR_COLUMN).cast(pl.Int64, strict=False), pl.col("period"))
    return pl.col("period")


def resolve_la_identifiers(frame: pl.DataFrame, contract: Contract, resolver: LaResolver
                           ) -> tuple[pl.DataFrame, list[Problem]]:
    """Resolve the LA names and codes the contract declares against the LA reference.

    Adds the GSS code in force on 31 March of the year each identifier is read at, and returns one
    problem per identifier that names no known authority (suppression symbols are not codes):

    - ``la_code3_column`` (DfE 3-digit code) and/or ``la_name_column`` on LA-level rows, at the
      row's year -> ``la_code`` (the 3-digit code first, else the name); a row whose name, 3-digit
      code and GSS code (``la_code_column``) name different authorities is a problem; a name column
      may also hold GSS codes (exports that print a code where they have no name);
    - with ``la_name_dates``: the name once per non-empty date column, for the year ending 31 March
      that contains the date -> ``<date column>_la_code``, so one row can hold judgements of a
      county and, years later, of its successor under the same name;
    - ``la_code_columns``: GSS or DfE 3-digit codes for the entry's period -> ``<column>_la_code``.

    Each distinct (identifier, year) is resolved once (a long file repeats its authorities).
    """
    problems: list[Problem] = []
    symbols = set(load_symbols())

    def per_distinct(cells: pl.DataFrame, function) -> list[str | None]:
        """``function(key, year)`` for each row of (key, year) cells, called once per distinct pair."""
        pairs = cells.unique().drop_nulls("key")
        mapped = pairs.with_columns(pl.Series("out", [function(k, y) for k, y in pairs.iter_rows()], dtype=pl.String))
        return cells.join(mapped, on=["key", "year"], how="left", nulls_equal=True, maintain_order="left")["out"].to_list()

    def authorities(column: str, kind: str, years: pl.Expr, where: pl.Expr, label: str = "",
                    what: str | None = None) -> list[str | None]:
        value = pl.when(where).then(pl.col(column))
        if kind == "code":
            value = pl.when(value.is_in(list(symbols))).then(None).otherwise(value)
        cells = frame.select(value.alias("key"), years.cast(pl.Int64).alias("year"))
        # A name column may mix names and GSS codes (as some exports print them): resolve_area reads either.
        out = per_distinct(cells, resolver.resolve_area if kind == "name" else resolver.resolve_code)
        unresolved = cells.with_columns(frame["source_file"], frame["source_row"], pl.Series("out", out, dtype=pl.String))
        for value, year, file, line, _ in unresolved.filter(pl.col("key").is_not_null() & pl.col("out").is_null()).rows():
            when = f" in the year ending 31 March {year}" if year is not None else ""
            problems.append(Problem(file, f"{what or 'LA ' + kind} does not resolve to a known authority{when}{label}",
                                    column=column, row=line, value=value))
        return out

    def gss(found: list[str | None], years: pl.Expr) -> list[str | None]:
        cells = frame.select(pl.Series("key", found, dtype=pl.String), years.cast(pl.Int64).alias("year"))
        return per_distinct(cells, resolver.code_for)

    added = []
    name, code3, year, at_la = contract.la_name_column, contract.la_code3_column, _row_year(frame, contract), contract.at_la_level()
    for column in contract.la_name_dates:
        dated = year_ending_march(column)
        found = authorities(name, "name", dated, pl.col(column).is_not_null(), f" (the year of {column})")
        added.append(pl.Series(f"{column}_la_code", gss(found, dated), dtype=pl.String))
    if contract.la_name_dates:  # rows with no date are still checked, for the entry's period
        authorities(name, "name", year, pl.all_horizontal(pl.col(c).is_null() for c in contract.la_name_dates))
    elif name or code3:
        by_code3 = authorities(code3, "code", year, at_la, what="DfE 3-digit LA code") if code3 else [None] * frame.height
        by_name = authorities(name, "name", year, at_la) if name else [None] * frame.height
        by_gss = ([resolver.resolve_code(c) if c else None for c in frame.select(pl.when(at_la).then(pl.col(contract.la_code_column))).to_series()]
                  if contract.la_code_column else [None] * frame.height)
        for row, found in enumerate(zip(by_code3, by_name, by_gss)):
            if len({a for a in found if a}) > 1:
                cells = ", ".join(f"{c}={frame[c][row]!r} -> {a}" for c, a in zip((code3, name, contract.la_code_column), found) if a)
                problems.append(Problem(frame["source_file"][row], f"LA identifiers name different authorities ({cells})",
                                        row=frame["source_row"][row]))
        added.append(pl.Series("la_code", gss([c or n for c, n in zip(by_code3, by_name)], year), dtype=pl.String))
    for column in contract.la_code_columns:
        found = authorities(column, "code", pl.col("period"), pl.lit(True))
        added.append(pl.Series(f"{column}_la_code", gss(found, pl.col("period")), dtype=pl.String))
    problems.sort(key=lambda p: (p.file, p.row or 0))
    return frame.with_columns(added), problems


def check_family(family: str, settings: Settings, catalog: Catalog, resolver: LaResolver) -> CheckResult:
    """All problems of the family's conformed data; with none, its validated rows (LA identifiers
    resolved) are written for the loaded layer, stamped with the conformed parquet they came from."""
    paths = family_paths(settings, family)
    if not paths.conformed.is_file() or not paths.summary.is_file():
        raise NotValidated(f"{family}: no conformed data at {paths.conformed}; materialise the family's conformed asset first")
    paths.stamp.unlink(missing_ok=True)
    paths.validated.unlink(missing_ok=True)
    frame = pl.read_parquet(paths.conformed)
    summary = json.loads(paths.summary.read_text(encoding="utf-8"))
    records = [Provenance(**r) for r in summary["files"]]
    problems = [Problem(**p) for p in summary["structural_problems"]]
    contract = load_contract(catalog.family(family)[0].contract)
    problems += _files_without_rows(frame, catalog, records, {p.file for p in problems})
    # Files that name LAs (or give 3-digit codes) get the GSS code in force in the year concerned,
    # which is also what a value is compared on with the previous vintage.
    resolved, unresolved = resolve_la_identifiers(frame, contract, resolver)
    if frame.height:
        invalid = validate(frame, contract, resolver.known_codes()) + unresolved
        if not invalid:  # vintages are compared only on data that meets the contract
            problems += release_completeness(resolved, contract, catalog, records)
        problems += invalid
    if not problems:
        atomic_write(paths.validated, resolved.write_parquet, mode=OWNER_ONLY)
        write_json(paths.stamp, {"conformed_sha256": file_sha256(paths.conformed), "contract": contract.fingerprint},
                   mode=OWNER_ONLY)
    return CheckResult(family, frame.height, tuple(problems))


def _files_without_rows(frame: pl.DataFrame, catalog: Catalog, records: list[Provenance],
                        reported: set[str]) -> list[Problem]:
    """A problem for every obtained file that yielded no data rows (a header alone, or only notes),
    unless the file already has a problem: an empty release must not pass as "no change"."""
    with_rows = set(frame["source_entry"].unique()) if "source_entry" in frame.columns else set()
    labels = {r.entry_id: catalog.entry(r.entry_id).mirror_path for r in records}
    return [Problem(label, "no data rows: the file has a header but no rows the contract can read (a release "
                           "cannot be published empty)")
            for entry_id, label in labels.items() if entry_id not in with_rows and label not in reported]


def release_completeness(frame: pl.DataFrame, contract: Contract, catalog: Catalog,
                         records: list[Provenance]) -> list[Problem]:
    """``vintages.lost_values`` over every release obtained (even one whose files yielded no rows)."""
    releases = {r.release: catalog.entry(r.entry_id).period for r in records}
    files: dict[str, list[str]] = {}
    for r in records:
        files.setdefault(r.release, []).append(catalog.entry(r.entry_id).mirror_path)
    return vintages.lost_values(frame, contract, releases, files)


def read_validated(family: str, settings: Settings) -> pl.DataFrame:
    """The rows that passed the family's contract check, with their LA identifiers resolved."""
    paths = family_paths(settings, family)
    if (not paths.stamp.is_file() or not paths.validated.is_file() or not paths.conformed.is_file()
            or json.loads(paths.stamp.read_text())["conformed_sha256"] != file_sha256(paths.conformed)):
        raise NotValidated(
            f"{family}: {paths.conformed} has not passed its blocking contract check; re-run the conformed asset "
            "and its check, and fix the failures they report"
        )
    return pl.read_parquet(paths.validated)
