"""Selecting LA values from the panel for the analyses, and the coverage every output table carries."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

# methods.md's LA-type groups; London boroughs (and combined London units) by region first
LA_TYPE_GROUPS = {
    "london_borough": "London",
    "metropolitan_district": "metropolitan",
    "unitary_authority": "unitary",
    "shire_county": "shire county",
    "welsh_unitary_authority": "Welsh unitary",
}

COVERAGE_COLUMNS = {
    "n_las": "Number of LAs whose values entered this row's calculation.",
    "years_used": "Years (ending 31 March) of the panel values used, e.g. '2015-2017', '2015, 2019' or '2006-2010, 2013-2025'.",
    "las_excluded": "LAs left out of this row's calculation and why ('code (reason)', '; '-separated); empty if none.",
}


def la_group(la_type: str | None, region: str | None) -> str:
    if region == "London":
        return "London"
    return LA_TYPE_GROUPS.get(la_type or "", "other")


def la_group_expr() -> pl.Expr:
    return (
        pl.when(pl.col("region") == "London")
        .then(pl.lit("London"))
        .otherwise(pl.col("la_type").replace_strict(LA_TYPE_GROUPS, default="other"))
        .alias("la_group")
    )


def select_values(
    panel: pl.DataFrame,
    geography: str,
    exclude_la_codes: tuple[str, ...],
    indicators: tuple[str, ...] | list[str],
    years: tuple[int, int] | None = None,
    nation: str | None = None,
) -> pl.DataFrame:
    """Published (non-null) values of ``indicators`` on ``geography``, configured exclusions removed.

    Columns: la_code, la_name, nation, region, la_type, la_group, year, indicator, value.
    ``years`` is an inclusive (first, last) range.
    """
    rows = panel.filter(
        (pl.col("geography") == geography)
        & pl.col("indicator").is_in(list(indicators))
        & pl.col("value").is_not_null()
        & (pl.col("status") == "published")
        & ~pl.col("la_code").is_in(list(exclude_la_codes))
    )
    if years is not None:
        rows = rows.filter(pl.col("year").is_between(years[0], years[1]))
    if nation is not None:
        rows = rows.filter(pl.col("nation") == nation)
    return rows.select(
        "la_code", "la_name", "nation", "region", "la_type", la_group_expr(), "year", "indicator", pl.col("value").cast(pl.Float64)
    )


def configured_exclusions(panel: pl.DataFrame, geography: str, exclude_la_codes: tuple[str, ...], nation: str | None = None) -> dict[str, str]:
    """The configured exclusions present in the panel (so coverage lists only LAs that were really dropped)."""
    rows = panel.filter((pl.col("geography") == geography) & pl.col("la_code").is_in(list(exclude_la_codes)))
    if nation is not None:
        rows = rows.filter(pl.col("nation") == nation)
    return {code: "excluded by configuration" for code in sorted(rows["la_code"].unique().to_list())}


def match_edition(measure: pl.DataFrame, year: int) -> pl.DataFrame:
    """Per LA, the value of the latest edition at or before ``year``, else the earliest edition.

    ``measure``: la_code, year, value (one indicator). Returns la_code, edition, value.
    """
    ranked = measure.with_columns(
        pl.when(pl.col("year") <= year).then(year - pl.col("year")).otherwise(pl.col("year") - year + 10_000).alias("_distance")
    )
    return ranked.sort("la_code", "_distance").group_by("la_code", maintain_order=True).first().select(
        "la_code", pl.col("year").alias("edition"), "value"
    )


def format_years(years) -> str:
    """Runs of consecutive years as first-last: {2006, ..., 2010, 2013, ..., 2025} -> '2006-2010, 2013-2025'."""
    runs: list[list[int]] = []
    for year in sorted(set(int(y) for y in years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


@dataclass
class Coverage:
    """The inputs behind one output row or group of rows: LAs used, years used, LAs dropped and why."""

    la_codes: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    excluded: dict[str, str] = field(default_factory=dict)

    def exclude(self, la_code: str, reason: str) -> None:
        self.la_codes.discard(la_code)
        self.excluded.setdefault(la_code, reason)

    def copy(self) -> Coverage:
        return Coverage(set(self.la_codes), set(self.years), dict(self.excluded))

    def values(self) -> dict[str, object]:
        return {
            "n_las": len(self.la_codes),
            "years_used": format_years(self.years),
            "las_excluded": "; ".join(f"{code} ({reason})" for code, reason in sorted(self.excluded.items())),
        }
