"""Parse raw files against their contracts, cache the result per file, validate, and hand over.

The flow per source family:
  conform_family  - read + conform every raw file in the family manifest (cached by sha256 and
                    contract fingerprint, so an unchanged file is not parsed again), write one
                    ``conformed.parquet`` plus the structural problems found;
  validate_family - run the contract's pandera schema and the LA reference checks; on success,
                    stamp the parquet's hash so the warehouse loads only validated data;
  load_validated  - the warehouse side: refuses a parquet whose stamp is missing or stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from csc_pipeline.acquire import Provenance, read_manifest, write_json_atomic
from csc_pipeline.catalog import Catalog
from csc_pipeline.contracts import YEAR_COLUMN, Contract, Problem, conform, load_contract, validate
from csc_pipeline.geography import LaResolver
from csc_pipeline.readers import ReadError, read_published
from csc_pipeline.settings import Settings

LINEAGE_COLUMNS = ("source_entry", "release", "period", "source_sha256")


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


def family_dir(settings: Settings, family: str) -> Path:
    return settings.staged_dir / family


def _write_parquet_atomic(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.write_parquet(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _conform_file(record: Provenance, contract_name: str, label: str, cache_dir: Path, period: int | None
                  ) -> tuple[pl.DataFrame, list[Problem], bool]:
    contract = load_contract(contract_name)
    key = f"{record.sha256}-{contract.fingerprint}"
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
    _write_parquet_atomic(frame, cached_frame)
    write_json_atomic(cached_problems, [asdict(p) for p in problems])
    return frame, problems, False


def _empty_frame(contract_name: str) -> pl.DataFrame:
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
    out_dir = family_dir(settings, family)
    frames, problems, cached = [], [], 0
    for record in records:
        entry = catalog.entry(record.entry_id)
        frame, file_problems, was_cached = _conform_file(
            record, contract_name, entry.mirror_path, out_dir / "files", entry.period
        )
        cached += was_cached
        problems += file_problems
        if frame.width:
            frames.append(frame)
    combined = pl.concat(frames, how="diagonal_relaxed") if frames else _empty_frame(contract_name)
    parquet = out_dir / "conformed.parquet"
    _write_parquet_atomic(combined, parquet)
    write_json_atomic(out_dir / "structural_problems.json", [asdict(p) for p in problems])
    Path(f"{parquet}.validated").unlink(missing_ok=True)
    return ConformResult(family, contract_name, parquet, combined.height, len(records) - cached, cached, tuple(problems))


def validate_family(family: str, settings: Settings, catalog: Catalog, known_la_codes: frozenset[str],
                    resolver: LaResolver | None = None) -> tuple[list[Problem], int]:
    """All problems of the family's conformed data; stamps the parquet when there are none."""
    out_dir = family_dir(settings, family)
    parquet = out_dir / "conformed.parquet"
    if not parquet.is_file():
        raise NotValidated(f"{family}: no conformed data at {parquet}; materialise the family's staged asset first")
    frame = pl.read_parquet(parquet)
    problems = [Problem(**p) for p in json.loads((out_dir / "structural_problems.json").read_text(encoding="utf-8"))]
    contract_name = catalog.family(family)[0].contract
    contract = load_contract(contract_name)
    if frame.height:
        problems += validate(frame, contract, known_la_codes)
        if resolver is not None:
            problems += la_identity_problems(frame, contract, resolver)
    elif read_manifest(settings, family) and not problems:
        problems.append(Problem(family, "files were ingested but yielded no rows"))
    stamp = Path(f"{parquet}.validated")
    if problems:
        stamp.unlink(missing_ok=True)
    else:
        write_json_atomic(stamp, {"sha256": _sha256(parquet), "contract": contract.fingerprint})
    return problems, frame.height


def _la_rows(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """LA-level rows with the year their LA identifiers are read at: the row's year (files with the
    year in their column names) or the catalog entry's period."""
    year = pl.col("period")
    if YEAR_COLUMN in frame.columns and contract.year_patterns:
        year = pl.coalesce(pl.col(YEAR_COLUMN).cast(pl.Int64, strict=False), year)
    return frame.with_row_index("_row").filter(contract.at_la_level()).with_columns(year.alias("_year"))


def _cell(row: dict, column: str | None) -> str | None:
    return row.get(column) if column else None


def la_identity_problems(frame: pl.DataFrame, contract: Contract, resolver: LaResolver) -> list[Problem]:
    """LA names (``la_name_column``) and DfE 3-digit codes (``la_code3_column``) must resolve to an
    authority in the LA reference at the row's year, and a row's name, 3-digit code and GSS code
    (``la_code_column``) must all name the same authority."""
    if not (contract.la_name_column or contract.la_code3_column):
        return []
    problems = []
    for row in _la_rows(frame, contract).iter_rows(named=True):
        found: dict[str, str | None] = {}
        for column, resolve, what in (
            (contract.la_code3_column, resolver.resolve_code, "DfE 3-digit LA code"),
            (contract.la_name_column, resolver.resolve_name, "LA name"),
        ):
            value = _cell(row, column)
            if value is None:
                continue
            found[column] = resolve(value, row["_year"])
            if found[column] is None:
                problems.append(Problem(row["source_file"], f"{what} does not resolve to a known authority",
                                        column=column, row=row["source_row"], value=value))
        gss = _cell(row, contract.la_code_column)
        if gss is not None and resolver.resolve_code(gss) is not None:
            found[contract.la_code_column] = resolver.resolve_code(gss)
        authorities = {a for a in found.values() if a is not None}
        if len(authorities) > 1:
            cells = ", ".join(f"{c}={row[c]!r} -> {a}" for c, a in found.items())
            problems.append(Problem(row["source_file"], f"LA identifiers name different authorities ({cells})",
                                    row=row["source_row"]))
    return problems


def with_la_codes(frame: pl.DataFrame, contract: Contract, resolver: LaResolver) -> pl.DataFrame:
    """Files that identify LAs by name or DfE 3-digit code get ``la_code``: the GSS code in force at
    the row's year (3-digit code first, else the name)."""
    codes: list[str | None] = [None] * frame.height
    for row in _la_rows(frame, contract).iter_rows(named=True):
        authority = None
        if (code3 := _cell(row, contract.la_code3_column)) is not None:
            authority = resolver.resolve_code(code3, row["_year"])
        if authority is None and (name := _cell(row, contract.la_name_column)) is not None:
            authority = resolver.resolve_name(name, row["_year"])
        codes[row["_row"]] = resolver.code_for(authority, row["_year"]) if authority else None
    return frame.with_columns(pl.Series("la_code", codes, dtype=pl.String))


def load_validated(family: str, settings: Settings) -> pl.DataFrame:
    parquet = family_dir(settings, family) / "conformed.parquet"
    stamp = Path(f"{parquet}.validated")
    if not stamp.is_file() or json.loads(stamp.read_text())["sha256"] != _sha256(parquet):
        raise NotValidated(
            f"{family}: {parquet} has not passed its blocking contract check; re-run the staged asset "
            "and its check, and fix the failures they report"
        )
    return pl.read_parquet(parquet)
