"""Selecting LA values from the panel for the analyses, and the coverage every output table carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

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


COUNT_ONCE_RULE = (
    "on current boundaries, authorities whose values in one calculation are all back-cast by apportionment from the "
    "same single predecessor (Cumberland and Westmorland and Furness from Cumbria before 2024) are one observation: "
    "that predecessor, with its as-published values"
)


def _sources_in_force(authority: str, as_at: date, feeding: dict[str, list[tuple[str, date]]]) -> set[str]:
    """The authorities in force at ``as_at`` whose areas make up ``authority`` (chains followed: Bedfordshire 2009)."""
    earlier = [predecessor for predecessor, event in feeding.get(authority, []) if event > as_at]
    if not earlier:
        return {authority}
    return set().union(*(_sources_in_force(p, as_at, feeding) for p in earlier))


def shared_backcasts(panel: pl.DataFrame, weights: pl.DataFrame | None) -> pl.DataFrame:
    """Current-boundary LA-years whose values are apportioned from one predecessor shared with another current authority.

    ``weights``: ``mart.apportionment_weights`` (predecessor, successor, event_date). Returns la_code,
    year, indicator, predecessor (its authority_id) for the panel's ``apportioned`` rows of such
    authorities: their values are the predecessor's cut by population share, so rates are identical.
    """
    schema = {"la_code": pl.String, "year": pl.Int64, "indicator": pl.String, "predecessor": pl.String}
    if weights is None or weights.is_empty():
        return pl.DataFrame(schema=schema)
    feeding: dict[str, list[tuple[str, date]]] = {}
    for predecessor, successor, event in weights.select("predecessor", "successor", "event_date").iter_rows():
        feeding.setdefault(successor, []).append((predecessor, event))
    apportioned = panel.filter((pl.col("geography") == "current") & (pl.col("harmonisation") == "apportioned"))
    links = []
    for authority, year in apportioned.select("authority_id", pl.col("year").cast(pl.Int64)).unique().iter_rows():
        sources = _sources_in_force(authority, date(year, 3, 31), feeding)
        if len(sources) == 1 and authority not in sources:
            links.append((authority, year, sources.pop()))
    links = pl.DataFrame(links, schema={"authority_id": pl.String, "year": pl.Int64, "predecessor": pl.String}, orient="row")
    # one predecessor feeding a single current authority (Dorset county -> Dorset unitary) is no duplicate
    links = links.filter(pl.len().over("year", "predecessor") >= 2)
    return (apportioned.with_columns(pl.col("year").cast(pl.Int64)).join(links, on=["authority_id", "year"])
            .select(*schema))


class ApportionedSets:
    """COUNT_ONCE_RULE over one panel: what the rule reads from the whole panel (the shared back-casts, the
    predecessors' as-published rows and names) is derived once, for every ``count_once`` call on it."""

    def __init__(self, panel: pl.DataFrame, weights: pl.DataFrame | None) -> None:
        self.panel = panel
        self.links = shared_backcasts(panel, weights)

    @cached_property
    def published(self) -> pl.DataFrame:
        return self.panel.filter(pl.col("geography") == "as_published").with_columns(pl.col("year").cast(pl.Int64).alias("_year"))

    @cached_property
    def names(self) -> pl.DataFrame:
        # the predecessor's code and name in its last year (deterministic, so reruns give the same coverage text)
        return self.published.sort("_year").select("authority_id", "la_code", "la_name").unique("authority_id", keep="last")

    def count_once(self, values: pl.DataFrame, unit: tuple[str, ...] = ("indicator", "year")) -> tuple[pl.DataFrame, dict[str, str]]:
        """Apply COUNT_ONCE_RULE to ``values`` (``select_values`` output on the current geography).

        ``unit``: the columns that delimit one cross-sectional calculation: (indicator, year) for a
        correlation or a funnel of one year; (indicator,) for a change over a period, so that a set is
        collapsed only when every year of its members' series is the shared back-cast (successors with
        their own later values stay separate authorities). Returns the values with each collapsed set's
        rows replaced by the predecessor's as-published rows of the same indicators and years, and
        {successor la_code: reason} for the coverage columns.
        """
        if self.links.is_empty() or values.is_empty():
            return values, {}
        unit = list(unit)
        tagged = values.with_columns(pl.col("year").cast(pl.Int64).alias("_year")).join(
            self.links.rename({"year": "_year"}), on=["la_code", "_year", "indicator"], how="left")
        members = (tagged.group_by([*unit, "la_code"])
                   .agg(pl.col("predecessor").first(), pl.col("predecessor").is_null().any().alias("_own"),
                        pl.col("predecessor").n_unique().alias("_sources"))
                   .filter(~pl.col("_own") & (pl.col("_sources") == 1))
                   .filter(pl.len().over([*unit, "predecessor"]) >= 2))
        if members.is_empty():
            return values, {}
        collapsed = tagged.join(members.select(*unit, "la_code", "predecessor"), on=[*unit, "la_code"], how="semi")
        wanted = collapsed.select("predecessor", "_year", "indicator").unique()
        replacement = select_values(
            self.published.join(wanted.rename({"predecessor": "authority_id"}), on=["authority_id", "_year", "indicator"], how="semi"),
            "as_published", (), values["indicator"].unique().to_list(),
        )
        reasons = {
            code: f"counted once as {p_code} {p_name}: back-cast by apportionment from it"
            for code, p_code, p_name in members.join(self.names, left_on="predecessor", right_on="authority_id")
            .select("la_code", "la_code_right", "la_name").unique().iter_rows()
        }
        kept = tagged.join(members.select(*unit, "la_code"), on=[*unit, "la_code"], how="anti").drop("_year", "predecessor")
        return pl.concat([kept, replacement.cast(dict(kept.schema))]).sort("la_code", "indicator", "year"), reasons


def count_apportioned_sets_once(
    values: pl.DataFrame, panel: pl.DataFrame, weights: pl.DataFrame | None, unit: tuple[str, ...] = ("indicator", "year"),
) -> tuple[pl.DataFrame, dict[str, str]]:
    """``ApportionedSets(panel, weights).count_once(values, unit)``, for a single calculation on ``panel``."""
    return ApportionedSets(panel, weights).count_once(values, unit)


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
