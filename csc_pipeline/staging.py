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
from csc_pipeline.contracts import Problem, conform, load_contract, validate
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
    columns = {c.name: pl.String for c in contract.columns}
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
                    resolve_name=None, resolve_code=None) -> tuple[list[Problem], int]:
    """All problems of the family's conformed data; stamps the parquet when there are none.

    ``resolve_name`` / ``resolve_code`` (value, year) -> authority or None check the contract's
    ``la_name_column`` / ``la_code3_column`` (the latter on rows at the contract's ``la_level``).
    """
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
        if contract.la_name_column and resolve_name is not None:
            for row in frame.select(contract.la_name_column, "source_file", "source_row", "period").iter_rows():
                name, file, line, period = row
                if name is not None and resolve_name(name, period) is None:
                    problems.append(Problem(file, "LA name does not resolve to a known authority",
                                            column=contract.la_name_column, row=line, value=name))
        if contract.la_code3_column and resolve_code is not None:
            problems += _unresolved_codes3(frame, contract, resolve_code)
    elif read_manifest(settings, family) and not problems:
        problems.append(Problem(family, "files were ingested but yielded no rows"))
    stamp = Path(f"{parquet}.validated")
    if problems:
        stamp.unlink(missing_ok=True)
    else:
        write_json_atomic(stamp, {"sha256": _sha256(parquet), "contract": contract.fingerprint})
    return problems, frame.height


def _unresolved_codes3(frame: pl.DataFrame, contract, resolve_code) -> list[Problem]:
    column, level = contract.la_code3_column, contract.la_level
    rows = frame if level is None else frame.filter(pl.col(level["column"]) == level["value"])
    return [
        Problem(file, "DfE 3-digit LA code does not resolve to an authority in that year", column=column, row=line, value=code)
        for code, file, line, period in rows.select(column, "source_file", "source_row", "period").iter_rows()
        if code is None or resolve_code(code, period) is None
    ]


def load_validated(family: str, settings: Settings) -> pl.DataFrame:
    parquet = family_dir(settings, family) / "conformed.parquet"
    stamp = Path(f"{parquet}.validated")
    if not stamp.is_file() or json.loads(stamp.read_text())["sha256"] != _sha256(parquet):
        raise NotValidated(
            f"{family}: {parquet} has not passed its blocking contract check; re-run the staged asset "
            "and its check, and fix the failures they report"
        )
    return pl.read_parquet(parquet)
