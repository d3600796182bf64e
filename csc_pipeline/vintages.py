"""A release compared with the previous vintage of its family: LA values that vanished, values that jumped.

No Dagster here. A family's releases are ordered by the year they cover (``contracts.file_year``, then
the release label); each release is compared with the one before it, value by value: one value is a
non-blank cell of a value column (numbers, and coded values such as judgements) on an LA-level row,
keyed by the LA, the row's year and the contract's other ``unique`` columns.

- ``lost_values`` (blocking, run by the family's contract check): the previous release's values the
  release no longer publishes, for the years both cover (time series re-published every year), and
  for each year the release adds, the LAs and keys of the previous release's latest year (so a new
  year published for fewer authorities is caught, as is a file with one year per release). More than the
  contract's ``max_lost_share`` is a problem naming the files, years, indicators and LAs. Columns the
  contract lets that release omit (``required: false`` or outside ``required: {from, to}``) are not
  counted: the contract is where a publisher's withdrawal of an indicator is recorded.
- ``implausible_changes`` (quarantine): a value of a column with ``change: <kind>`` compared with the
  previous release's value for the same LA and key: a revision of the same year beyond the kind's
  limits, or a new year beyond ``year_on_year_max_ratio`` times the year before (real year-on-year
  moves are far larger than revisions; units changed are a factor of 100 or 1,000), sets the row
  aside with the reason (schemas/_plausibility.yaml).

Suppression symbols count as published values (a suppressed cell is not a lost one) but are never
compared as numbers.
"""

from __future__ import annotations

import polars as pl

from csc_pipeline.contracts import (
    QUARANTINE_COLUMNS,
    YEAR_COLUMN,
    Contract,
    Problem,
    as_number,
    file_year,
    load_plausibility,
    quarantine,
)

SHOWN = 6  # years, indicators and LAs named in a message before "…"
# Columns the values are read under, after ``values_long``.
KEY, INDICATOR, CELL = "_key", "_indicator", "_cell"


def la_column(frame: pl.DataFrame, contract: Contract) -> str | None:
    """The column identifying the authority: the resolved GSS code where LA names or DfE codes were
    resolved (``conformed.resolve_la_identifiers``), else the published GSS code; None: no LA key."""
    if "la_code" in frame.columns and (contract.la_name_column or contract.la_code3_column):
        return "la_code"
    return contract.la_code_column


def _year_column(frame: pl.DataFrame, contract: Contract) -> str:
    if contract.year_column and contract.year_column in frame.columns:
        return contract.year_column
    return YEAR_COLUMN if contract.year_patterns and YEAR_COLUMN in frame.columns else "period"


def _year(column: str) -> pl.Expr:
    """A year cell as the year ending 31 March: 2024 -> 2024; a financial year 202324, 2023/24 or
    2023-24 (also "2023/24 (p)", provisional) -> 2024. Anything else is no year (not compared)."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    four = text.str.slice(0, 4).cast(pl.Int64, strict=False)
    return (pl.when(text.str.contains(r"^\d{4}([/-]\d{2}\b|\d{2}$)")).then(four + 1)
            .when(text.str.contains(r"^\d{4}$")).then(four)).alias(YEAR_COLUMN)


def _value_columns(contract: Contract, exclude: set[str]) -> list[str]:
    coded = [c.name for c in contract.columns
             if (c.kind in ("number", "integer") or c.allowed or c.value_map) and c.name not in exclude]
    return coded + [p.name for p in contract.year_patterns]


def values_long(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame | None:
    """One row per published value at LA level: release, order, year, key, indicator, cell, file, row.

    None when the contract gives no way to tell authorities apart (nothing to compare).
    """
    la = la_column(frame, contract)
    if la is None or la not in frame.columns or "release" not in frame.columns:
        return None
    year = _year_column(frame, contract)
    level = contract.la_level["column"] if contract.la_level else None
    identifiers = {la, year, level, contract.la_code_column, contract.la_name_column, contract.la_code3_column}
    others = [c for c in contract.unique if c not in identifiers and c in frame.columns]
    values = [c for c in _value_columns(contract, identifiers | set(others)) if c in frame.columns]
    if not values:
        return None
    rows = frame.filter(contract.at_la_level() & pl.col(la).is_not_null()).select(
        "release", "period", "source_file", "source_row", _year(year),
        pl.concat_str([pl.col(la), *[pl.col(c).fill_null("") for c in others]], separator=" | ").alias(KEY),
        *[pl.col(c).cast(pl.String) for c in values],
    )
    return rows.unpivot(index=["release", "period", "source_file", "source_row", YEAR_COLUMN, KEY],
                        on=values, variable_name=INDICATOR, value_name=CELL).drop_nulls(CELL)


def release_order(releases: dict[str, int | None]) -> list[str]:
    """Releases (label -> catalog period) oldest first: by the year covered, then by label."""
    return sorted(releases, key=lambda r: (file_year(r, releases[r]) or 0, r))


def _pairs(releases: dict[str, int | None]) -> list[tuple[str, str]]:
    ordered = release_order(releases)
    return list(zip(ordered, ordered[1:]))


def _expected(before: pl.DataFrame, years_now: set[int]) -> tuple[pl.DataFrame, str]:
    """The previous release's values a release should publish again, and how they were chosen: the
    years both cover (from the release's first year on), and for each later year the release adds,
    the previous release's latest year again (the same LAs and keys, a year on). A release without
    rows is expected to carry the latest year forward."""
    latest = before[YEAR_COLUMN].max()
    if latest is None:  # no year to tell releases apart: the same keys
        return before, "the same keys"
    first = min(years_now, default=latest + 1)
    same = before.filter(pl.col(YEAR_COLUMN).is_between(first, latest))
    later = sorted(y for y in years_now if y > latest) or ([] if years_now else [latest + 1])
    carried = [before.filter(pl.col(YEAR_COLUMN) == latest).with_columns(pl.lit(y, dtype=pl.Int64).alias(YEAR_COLUMN))
               for y in later]
    parts = ["the years both releases cover"] if same.height else []
    parts += [f"its latest year ({latest}) carried to {', '.join(map(str, later))}"] if later else []
    return pl.concat([same, *carried]), " and ".join(parts)


def _published_in(contract: Contract, year: int | None) -> list[str]:
    """The value columns a release of ``year`` must publish: a column the contract lets a release
    omit (``required: false``, or outside its ``required: {from, to}`` years) is not missed."""
    return [s.name for s in (*contract.columns, *contract.year_patterns)
            if (s.required if s.required_years is None else s.required_in(year))]


def _counts(frame: pl.DataFrame, column: str) -> str:
    counted = frame.group_by(column).len().sort("len", column, descending=[True, False])
    shown = [f"{value} ({n:,})" for value, n in counted.head(SHOWN).iter_rows()]
    return ", ".join(shown) + (f", … ({counted.height - SHOWN} more)" if counted.height > SHOWN else "")


def lost_values(frame: pl.DataFrame, contract: Contract, releases: dict[str, int | None],
                files: dict[str, list[str]]) -> list[Problem]:
    """A problem for each release that stopped publishing more than ``contract.max_lost_share`` of
    the previous release's LA values of any one year. ``releases``: every release obtained (label -> catalog period),
    including one whose files yielded no rows; ``files``: release -> its file labels."""
    long = values_long(frame, contract)
    if long is None:
        return []
    problems = []
    for previous, release in _pairs(releases):
        before, now = long.filter(pl.col("release") == previous), long.filter(pl.col("release") == release)
        expected, how = _expected(before, set(now[YEAR_COLUMN].drop_nulls()))
        published = _published_in(contract, file_year(release, releases[release]))
        expected = expected.filter(pl.col(INDICATOR).is_in(published))
        lost = expected.join(now, on=[KEY, INDICATOR, YEAR_COLUMN], how="anti", nulls_equal=True)
        # Judged year by year, so a year published for far fewer LAs is not hidden among full ones.
        shares = (expected.group_by(YEAR_COLUMN).len("expected")
                  .join(lost.group_by(YEAR_COLUMN).len("lost"), on=YEAR_COLUMN, nulls_equal=True)
                  .filter(pl.col("lost") > contract.max_lost_share * pl.col("expected")).sort(YEAR_COLUMN))
        if shares.is_empty():
            continue
        worst = ", ".join(f"{y}: {n:,} of {e:,}" for y, e, n in shares.head(SHOWN).iter_rows())
        lost = lost.with_columns(pl.col(KEY).str.split(" | ").list.first().alias("la"))
        problems.append(Problem(
            ", ".join(files.get(release) or [f"release {release}"]),
            f"release {release} no longer publishes {lost.height:,} of the {expected.height:,} LA values "
            f"release {previous} had for {how}; more than {contract.max_lost_share:.0%} of a year's values "
            f"went in {worst}. Years: {_counts(lost, YEAR_COLUMN)}. Indicators: "
            f"{_counts(lost, INDICATOR)}. LAs ({lost['la'].n_unique():,}): {_counts(lost, 'la')}. If the "
            f"publisher withdrew them on purpose, set completeness in schemas/{contract.name}.yaml",
        ))
    return problems


def implausible_changes(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Rows (source_file, source_row, column, value, reason) whose ``change`` column moved beyond its
    kind's limits from the previous release's value: the same year where that release published the
    year (a suppressed cell then means nothing to compare), else the year before."""
    kinds = {s.name: s.change for s in (*contract.columns, *contract.patterns) if s.change}
    long = values_long(frame, contract) if kinds else None
    if long is None:
        return pl.DataFrame(schema=QUARANTINE_COLUMNS)
    limits, year_on_year = load_plausibility()["change"], float(load_plausibility()["year_on_year_max_ratio"])
    long = long.filter(pl.col(INDICATOR).is_in(list(kinds))).with_columns(
        as_number(CELL).alias("_number"), pl.col(INDICATOR).replace_strict(kinds).alias("_kind"),
    ).drop_nulls(YEAR_COLUMN)
    releases = dict(frame.select("release", "period").unique("release").iter_rows())
    flagged = []
    for previous, release in _pairs(releases):
        before = long.filter(pl.col("release") == previous).select(
            KEY, INDICATOR, YEAR_COLUMN, pl.col(YEAR_COLUMN).alias("_year_before"), pl.col("_number").alias("_before"),
        ).unique([KEY, INDICATOR, YEAR_COLUMN]).sort(YEAR_COLUMN)
        now = long.filter(pl.col("release") == release).drop_nulls("_number").sort(YEAR_COLUMN)
        # A year the previous release published (as a number or a symbol) is compared with that cell
        # only; a year it did not publish, with its year before. Symbols are never compared.
        paired = now.join_asof(before, on=YEAR_COLUMN, by=[KEY, INDICATOR], strategy="backward",
                               check_sortedness=False).filter(
            pl.col("_year_before") >= pl.col(YEAR_COLUMN) - 1
        ).drop_nulls("_before")
        high, low = pl.max_horizontal("_number", "_before"), pl.min_horizontal("_number", "_before")
        revised = pl.col("_year_before") == pl.col(YEAR_COLUMN)
        for kind, limit in limits.items():
            min_change = float(limit["min_change"])
            for same_year, ratio_limit in ((True, float(limit["max_ratio"])), (False, year_on_year)):
                # A zero (a service not provided, a count of none) has no ratio to judge a change by.
                jumped = paired.filter((pl.col("_kind") == kind) & (revised == same_year) & ((high - low) > min_change)
                                       & (low > 0) & (high > ratio_limit * low))
                what = "revised" if same_year else "changed from the year before"
                flagged.append(jumped.select(
                    "source_file", "source_row", pl.col(INDICATOR).alias("column"), pl.col(CELL).alias("value"),
                    pl.format(f"{what}: {{}} (release {previous}, year {{}}) to {{}} (year {{}}), more than "
                              f"{ratio_limit:g} times and by more than {min_change:g}: implausible for a {kind} "
                              f"(schemas/_plausibility.yaml, schemas/{contract.name}.yaml)",
                              "_before", "_year_before", CELL, YEAR_COLUMN).alias("reason"),
                ))
    return pl.concat(flagged).cast(QUARANTINE_COLUMNS) if flagged else pl.DataFrame(schema=QUARANTINE_COLUMNS)


def set_aside(frame: pl.DataFrame, contract: Contract) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept, quarantined): the contract's soft bounds (``contracts.quarantine``) and the implausible
    changes from the previous vintage; a row is quarantined once per column and reason it breaks."""
    kept, bounded = quarantine(frame, contract)
    jumped = implausible_changes(kept, contract)
    if jumped.is_empty():
        return kept, bounded
    rows = jumped.select("source_file", "source_row").unique()
    kept = kept.join(rows, on=["source_file", "source_row"], how="anti")
    return kept, pl.concat([bounded, jumped]).sort("source_file", "source_row")
