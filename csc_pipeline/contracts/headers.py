"""Header conformance: a published frame's headers mapped to the contract's canonical columns.

Frames hold every cell as text, exactly as published, plus ``source_file`` and ``source_row``. Wide
files that carry the year in their column names ("CLA_Mar2013") use column patterns with a named
group ``year`` (four digits, or two for 20YY: "Referrals1213", "CINAt310313"): each published row
becomes one row per year, the year is checked against the catalog entry's period, and a header the
publisher mislabelled is corrected by a ``year_corrections`` entry of the contract (never in code),
which may also say which pattern's column a header is when the pattern cannot match it (a typo).
``ignore_columns`` lists published columns the project deliberately does not ingest.
"""

from __future__ import annotations

import difflib
import re

import polars as pl

from csc_pipeline.contracts.spec import HEADER_SUFFIX, SOURCE_COLUMNS, YEAR_COLUMN, ColumnSpec, Contract, Problem


def header_key(name: str) -> str:
    """Compare headers ignoring case, spacing and CamelCase vs snake_case."""
    name = name.strip().lstrip("\ufeff")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9+]+", "_", name.lower()).strip("_")


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
