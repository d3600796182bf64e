"""Average rate and average yearly change of a rate per LA over a period, by region, with associations.

methods.md section 4: average change = mean of the year-on-year differences over consecutive
available years (so (r_b - r_a) / (b - a) when no year is missing); direction increase / no change /
decrease by the sign of the average change of the rates at the publisher's own precision (a
tolerance band on the unrounded rates is a sensitivity variant); regional summaries with London
split into Inner and Outer London; Spearman, Mann-Whitney U and Kruskal-Wallis associations with
factors, each over the years it is published within the period.

Every table carries the choices it was computed with: ``geography`` and ``authorities_rule`` (the
authorities in operation at the period's end as published, or today's authorities with an
apportioned set counted once), ``rate_basis`` (the panel's rate, or the rate over the latest
population vintage from ``mart.la_rate_variants``) and, for directions, ``direction_rule`` and
``rate_precision``.

Over 500 lines: one family's statistics (LA changes, regional summaries and associations share its
periods, geographies and rate bases); its tables are change_in_rate_tables.py, its chart charts/change_in_rate.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import polars as pl
from scipy import stats

from csc_pipeline.analysis.family_config import parse_settings, require
from csc_pipeline.analysis.ofsted_grades import grades_by_authority
from csc_pipeline.analysis.change_in_rate_tables import (
    AT_THE_TIME,
    LATEST_POPULATION,
    RATE_BASES,
    ASSOCIATION_COLUMNS,
    ASSOCIATION_DESCRIPTION,
    ASSOCIATION_SCHEMA,
    BASIS_DIFFERENCE_COLUMNS,
    BASIS_DIFFERENCE_DESCRIPTION,
    BY_REGION_COLUMNS,
    BY_REGION_DESCRIPTION,
    CHANGE_COLUMNS,
    CHANGE_DESCRIPTION,
    CHANGE_SCHEMA,
    CHOICE_KEYS,
    COVERAGE_DESCRIPTION,
    COVERAGE_SCHEMA,
    FACTOR_BY_REGION_COLUMNS,
    FACTOR_BY_REGION_DESCRIPTION,
    FACTOR_COLUMNS,
    FACTOR_DESCRIPTION,
    FACTOR_SCHEMA,
    STATUS_COLUMNS,
)
from csc_pipeline.analysis.panel_frames import (
    COUNT_ONCE_RULE, COVERAGE_COLUMNS, ApportionedSets, format_years, select_values,
)
from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput, AnalysisTable, ChartRequest, FamilySpec

INCREASE, NO_CHANGE, DECREASE = "increase", "no change", "decrease"
GEOGRAPHIES = ("as_published", "current")
AUTHORITIES_RULES = {
    "as_published": "authorities in operation at the end of the period, as published",
    "current": f"today's authorities; {COUNT_ONCE_RULE}",
}
PUBLISHED_PRECISION = "sign at published precision"
GRADE_CODING = "1=Outstanding, 2=Good, 3=Requires improvement (or Adequate), 4=Inadequate: a higher grade is a worse judgement"
OK, BELOW_MINIMUM, GROUP_EMPTY, SKIPPED, CONSTANT = "ok", "n below minimum", "group empty", "skipped", "constant input"


@dataclass(frozen=True)
class DirectionSettings:
    published_decimals: int  # LA rates are published as whole numbers per 10,000
    decimals_by_indicator: dict  # indicator -> decimals where it differs
    tolerances: tuple  # sensitivity variants: |average change of the unrounded rates| below this is no change

    def __post_init__(self) -> None:
        decimals = [self.published_decimals, *self.decimals_by_indicator.values()]
        require(all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in decimals),
                "change_in_rate.direction", "decimals are whole numbers >= 0")
        require(all(isinstance(t, (int, float)) and t > 0 for t in self.tolerances),
                "change_in_rate.direction.tolerances", "each tolerance is a number > 0 (the default rule is the sign)")

    def rules(self, indicator: str) -> list[tuple[str, int | None, float]]:
        """(direction_rule, rate_precision, tolerance): the default first, then the tolerance variants."""
        decimals = self.decimals_by_indicator.get(indicator, self.published_decimals)
        return [(PUBLISHED_PRECISION, decimals, 0.0),
                *[(f"tolerance {t:g} on unrounded rates", None, float(t)) for t in self.tolerances]]


@dataclass(frozen=True)
class ChangeInRateSettings:
    geography: str  # methods.md: the authorities of the period's end, as published (the headline)
    variant_geographies: tuple  # also computed, as sensitivity variants
    rate_bases: tuple
    exclude_la_codes: tuple
    indicators: tuple
    # Fixed periods per nation, [first, last] inclusive; plus the latest `latest_years` years of each.
    periods: dict
    latest_years: int
    direction: DirectionSettings
    min_las: int  # a regional summary or association over fewer LAs is labelled 'n below minimum'
    continuous_factors: tuple
    # factor -> [first, last]: the factor's own years (within each period); absent: the years it is published in the period
    factor_periods: dict
    # A binary factor (e.g. funded by the DfE Innovation Programme): the LA codes that have it.
    binary_factor_name: str
    binary_factor_la_codes: tuple
    top_bottom: int
    box_plot_indicators: tuple

    def __post_init__(self) -> None:
        for key, geography in (("geography", self.geography), *(("variant_geographies", g) for g in self.variant_geographies)):
            require(geography in GEOGRAPHIES, f"change_in_rate.{key}", f"expected one of {GEOGRAPHIES}, got {geography!r}")
        require(set(self.rate_bases) <= set(RATE_BASES) and AT_THE_TIME in self.rate_bases, "change_in_rate.rate_bases",
                f"expected {AT_THE_TIME!r} and optionally {LATEST_POPULATION!r}, got {list(self.rate_bases)!r}")
        require(self.latest_years >= 0, "change_in_rate.latest_years", "must be >= 0 (0: no latest-years period)")
        require(self.min_las >= 3, "change_in_rate.min_las", "must be >= 3 (the tests need three LAs)")
        for nation, periods in self.periods.items():
            for period in periods:
                require(len(period) == 2 and period[0] < period[1], f"change_in_rate.periods.{nation}",
                        f"each period is [first_year, last_year] with first < last, got {period!r}")
        for factor, period in self.factor_periods.items():
            require(isinstance(period, (list, tuple)) and len(period) == 2 and period[0] <= period[1],
                    f"change_in_rate.factor_periods.{factor}", f"expected [first_year, last_year], got {period!r}")

    @property
    def geographies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.geography, *self.variant_geographies)))


def parse_config(config: dict | None) -> ChangeInRateSettings:
    return parse_settings(ChangeInRateSettings, config, "change_in_rate")


def average_change(years: list[int], values: list[float]) -> float | None:
    """Mean of the differences between values of consecutive years (a missing year breaks a pair)."""
    by_year = dict(zip(years, values))
    diffs = [by_year[y + 1] - by_year[y] for y in sorted(by_year) if y + 1 in by_year]
    return sum(diffs) / len(diffs) if diffs else None


def round_half_up(value: float, decimals: int) -> float:
    """The publisher's rounding (0.5 goes up), not Python's round-half-to-even."""
    scale = 10 ** decimals
    return math.floor(value * scale + 0.5) / scale


def direction(avg_change: float | None, tolerance: float = 0.0) -> str | None:
    """no change when |avg_change| is below ``tolerance`` or zero (rounded to 9 decimals: float noise is no change)."""
    if avg_change is None:
        return None
    if abs(avg_change) < tolerance or round(avg_change, 9) == 0:
        return NO_CHANGE
    return INCREASE if avg_change > 0 else DECREASE


def la_changes(values: pl.DataFrame, rules: list[tuple[str, int | None, float]] | None) -> pl.DataFrame:
    """One row per LA and indicator (and direction rule): n_years, years_used, avg_rate, avg_change (, direction).

    ``values``: la_code, indicator, year, value (+ any LA attribute columns, kept). ``rules``:
    (direction_rule, rate_precision, tolerance): the direction is that of the average change of the
    rates rounded to ``rate_precision`` decimals (unrounded when None), no change within ``tolerance``;
    None (a factor): no direction columns.
    """
    keys = [c for c in values.columns if c not in ("year", "value")]
    # sorted by every key: joins upstream do not keep row order, and the regional means and SDs must not depend on it
    grouped = values.sort([*keys, "year"], nulls_last=True).group_by(keys, maintain_order=True).agg("year", "value")
    rows = []
    for row in grouped.iter_rows(named=True):
        change = average_change(row["year"], row["value"])
        measures = {**{k: row[k] for k in keys}, "n_years": len(row["year"]), "years_used": format_years(row["year"]),
                    "avg_rate": sum(row["value"]) / len(row["value"]), "avg_change": change}
        if rules is None:
            rows.append(measures)
        for rule, precision, tolerance in rules or ():
            rounded = change if precision is None else average_change(row["year"], [round_half_up(v, precision) for v in row["value"]])
            rows.append({**measures, "direction_rule": rule, "rate_precision": precision,
                         "avg_change_at_precision": rounded, "direction": direction(rounded, tolerance)})
    schema = {**{k: values.schema[k] for k in keys}, "n_years": pl.Int64, "years_used": pl.String, "avg_rate": pl.Float64,
              "avg_change": pl.Float64}
    if rules is not None:
        schema |= {"direction_rule": pl.String, "rate_precision": pl.Int64, "avg_change_at_precision": pl.Float64, "direction": pl.String}
    return pl.DataFrame(rows, schema=schema)


def summary_region() -> pl.Expr:
    """methods.md's regions, with London split into Inner and Outer London."""
    return pl.coalesce(pl.col("london_subregion"), pl.col("region")).alias("region")


def region_summaries(changes: pl.DataFrame, keys: list[str], measures: tuple[str, ...] = ("avg_rate", "avg_change"),
                     min_las: int = 3, regions: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per ``keys`` + region (and 'All'), per measure: n, min, max, mean, sd, direction shares (when ``changes`` has
    a direction), and status / note: 'n below minimum' under ``min_las`` LAs, 'group empty' for a region of
    ``regions`` (region + key columns it is expected under, e.g. nation) without any LA value.
    """
    nation_wide = changes.with_columns(pl.lit("All").alias("region"))
    both = pl.concat([changes, nation_wide])
    shares = ([(pl.col("direction") == d).mean().mul(100).alias(f"percent_{d.replace(' ', '_')}") for d in (INCREASE, NO_CHANGE, DECREASE)]
              if "direction" in changes.columns else [])
    out = []
    for measure in measures:
        summary = (
            both.filter(pl.col(measure).is_not_null())
            .group_by([*keys, "region"], maintain_order=True)
            .agg(
                pl.lit(measure).alias("measure"),
                pl.len().cast(pl.Int64).alias("n"),
                pl.col(measure).min().alias("min"),
                pl.col(measure).max().alias("max"),
                pl.col(measure).mean().alias("mean"),
                pl.col(measure).std().alias("sd"),
                *shares,
            )
        )
        if regions is not None:
            groups = both.select(keys).unique()
            shared = [c for c in regions.columns if c != "region"]
            expected = groups.join(regions, on=shared) if shared else groups.join(regions, how="cross")
            empty = (expected
                     .join(summary.select(*keys, "region"), on=[*keys, "region"], how="anti", nulls_equal=True)
                     .with_columns(pl.lit(measure).alias("measure"), pl.lit(0, pl.Int64).alias("n")))
            summary = pl.concat([summary, empty], how="diagonal_relaxed")
        out.append(summary)
    return pl.concat(out, how="diagonal_relaxed").with_columns(
        pl.when(pl.col("n") == 0).then(pl.lit(GROUP_EMPTY)).when(pl.col("n") < min_las).then(pl.lit(BELOW_MINIMUM))
        .otherwise(pl.lit(OK)).alias("status"),
        pl.when(pl.col("n") == 0).then(pl.lit("no LA of this region has a value: nothing to summarise"))
        .when(pl.col("n") < min_las).then(pl.format("only {} LA(s), fewer than the minimum {}: not a finding", pl.col("n"), pl.lit(min_las)))
        .alias("note"),
    ).sort([*keys, "measure", "region"])


def spearman(x: list[float], y: list[float]) -> tuple[float | None, float | None, int]:
    """rho, p, n; rho and p are None with fewer than 3 pairs or a constant side (no correlation is defined)."""
    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None, None, len(x)
    result = stats.spearmanr(x, y)
    return float(result.statistic), float(result.pvalue), len(x)


def grade_tests(values: list[float], grades: list[int]) -> list[tuple[str, float | None, float | None, int]]:
    """An LA measure against the ordinal Ofsted grade: Spearman rho, and Kruskal-Wallis H across the grade groups.

    Returns (test, statistic, p, n) for spearman, and for kruskal_wallis when at least two grades occur.
    """
    rho, p, n = spearman(values, grades)
    tests = [("spearman", rho, p, n)]
    groups: dict[int, list[float]] = {}
    for value, grade in zip(values, grades):
        groups.setdefault(grade, []).append(value)
    if len(groups) >= 2:
        test = stats.kruskal(*groups.values())
        tests.append(("kruskal_wallis", float(test.statistic), float(test.pvalue), len(values)))
    return tests


@dataclass(frozen=True)
class Factor:
    """One continuous factor's LA averages and changes over its own period (within the study period)."""

    name: str
    first: int
    last: int
    changes: pl.DataFrame  # la_code, ..., avg_rate, avg_change (la_changes of the factor's values)


def associations(changes: pl.DataFrame, factors: list[Factor], binary: set[str], binary_name: str,
                 grades: pl.DataFrame | None, min_las: int) -> list[dict]:
    """Tests of each LA measure (avg_rate, avg_change) against each factor; all LAs and excluding London.

    ``changes``: one row per LA (one direction rule). ``grades``: la_code, grade (in force at the period's end).
    """
    rows = []
    # each factor measure's values by LA code, looked up in the LAs' order (an inner join, without a polars join per test)
    factor_values = {(factor.name, factor_measure): _values_by_code(factor.changes, factor_measure)
                     for factor in factors for factor_measure in ("avg_rate", "avg_change")}
    for variant, subset in (("all LAs", changes), ("excluding London", changes.filter(pl.col("region_name") != "London"))):
        for measure in ("avg_rate", "avg_change"):
            measured = subset.filter(pl.col(measure).is_not_null())
            codes, values = measured["la_code"].to_list(), measured[measure].to_list()
            for factor in factors:
                for factor_measure in ("avg_rate", "avg_change"):
                    by_code = factor_values[factor.name, factor_measure]
                    pairs = [(value, other) for code, value in zip(codes, values) for other in by_code.get(code, ())]
                    rho, p, n = spearman([a for a, _ in pairs], [b for _, b in pairs])
                    rows.append(_association(variant, measure, f"{factor.name} ({factor_measure.replace('avg_rate', 'avg_value')})",
                                             "spearman", rho, p, n, min_las, factor.first, factor.last))
            if binary:
                has = measured.filter(pl.col("la_code").is_in(list(binary)))[measure].to_list()
                lacks = measured.filter(~pl.col("la_code").is_in(list(binary)))[measure].to_list()
                if has and lacks:
                    test = stats.mannwhitneyu(has, lacks, alternative="two-sided")
                    rows.append(_association(variant, measure, binary_name, "mann_whitney_u", float(test.statistic),
                                             float(test.pvalue), len(has) + len(lacks), min_las))
                else:
                    rows.append(_association(variant, measure, binary_name, "mann_whitney_u", None, None, len(has) + len(lacks),
                                             min_las, note="one of the two groups is empty", status=GROUP_EMPTY))
            if grades is not None:
                joined = measured.join(grades, on="la_code")
                for test, statistic, p, n in grade_tests(joined[measure].to_list(), joined["grade"].to_list()):
                    rows.append(_association(variant, measure, "ofsted_overall_grade", test, statistic, p, n, min_las,
                                             grade_coding=GRADE_CODING))
    return rows


def _values_by_code(frame: pl.DataFrame, column: str) -> dict[str, list[float]]:
    """la_code -> the non-null values of ``column`` in its rows, in frame order."""
    by_code: dict[str, list[float]] = {}
    for code, value in frame.select("la_code", column).drop_nulls(column).iter_rows():
        by_code.setdefault(code, []).append(value)
    return by_code


def _association(variant, measure, factor, test, statistic, p, n, min_las, factor_first=None, factor_last=None,
                 grade_coding=None, status=None, note=None) -> dict:
    if status is None and n < min_las:
        status, note = BELOW_MINIMUM, f"only {n} LA(s), fewer than the minimum {min_las}: not a finding"
    elif status is None and statistic is None:
        status, note = CONSTANT, "the measure or the factor takes one value across the LAs: no statistic is defined"
    elif status is None:
        status = OK
    return {"variant": variant, "measure": measure, "factor": factor, "factor_period_start": factor_first,
            "factor_period_end": factor_last, "grade_coding": grade_coding, "test": test, "statistic": statistic,
            "p_value": p, "n": n, "status": status, "note": note}


def _periods(settings: ChangeInRateSettings, panel_years: dict[str, int]) -> list[tuple[str, int, int]]:
    periods = []
    for nation, fixed in settings.periods.items():
        for first, last in fixed:
            periods.append((nation, int(first), int(last)))
        if settings.latest_years and nation in panel_years:
            latest = panel_years[nation]
            periods.append((nation, latest - settings.latest_years + 1, latest))
    return list(dict.fromkeys(periods))


def rate_basis_panel(panel: pl.DataFrame, rate_variants: pl.DataFrame | None, basis: str) -> pl.DataFrame | None:
    """The panel with each rate's value on ``basis``: the panel itself for at_the_time, else the ``mart.la_rate_variants``
    rows of that basis (only LA-years and indicators it has); None when the variants table is absent."""
    if basis == AT_THE_TIME:
        return panel
    if rate_variants is None:
        return None
    variant = rate_variants.filter(pl.col("rate_basis") == basis).select(
        "geography", "la_code", pl.col("year").cast(pl.Int64), "indicator", pl.col("value").alias("_variant"))
    return (panel.with_columns(pl.col("year").cast(pl.Int64)).join(variant, on=["geography", "la_code", "year", "indicator"])
            .with_columns(pl.col("_variant").alias("value"),
                          pl.when(pl.col("_variant").is_not_null()).then(pl.lit("published")).otherwise(pl.lit("missing")).alias("status"))
            .drop("_variant"))


def codes_in_force(la_reference: pl.DataFrame, year: int) -> pl.DataFrame:
    """authority_id, la_code, la_name of the authorities in operation on 31 March of ``year``, under the code then in force."""
    as_at = date(year, 3, 31)
    return (la_reference.filter((pl.col("valid_from").is_null() | (pl.col("valid_from") <= as_at))
                                & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= as_at)))
            .select("authority_id", "la_code", "la_name").unique("authority_id"))


class BasisPanel:
    """One rate basis's panel (``rate_basis_panel``) and what ``period_values`` reads from all of it, derived once
    for every period, geography and indicator: the studied indicators' values per geography and nation, the
    as-published authorities of each LA-year, and the apportioned sets (``ApportionedSets``)."""

    def __init__(self, panel: pl.DataFrame, weights: pl.DataFrame | None, settings: ChangeInRateSettings) -> None:
        self.panel = panel
        self.apportioned = ApportionedSets(panel, weights)
        self._exclude = settings.exclude_la_codes
        self._indicators = list(dict.fromkeys((*settings.indicators, *settings.continuous_factors)))
        self._values: dict[tuple[str, str], pl.DataFrame] = {}
        self._authorities: dict[str, pl.DataFrame] = {}

    def values(self, geography: str, indicator: str, nation: str, first: int, last: int) -> pl.DataFrame:
        """``select_values`` of one studied indicator, [first, last] and nation (the same rows, in the same order)."""
        key = (geography, nation)
        if key not in self._values:
            self._values[key] = select_values(self.panel, geography, self._exclude, self._indicators, None, nation)
        return self._values[key].filter((pl.col("indicator") == indicator) & pl.col("year").is_between(first, last))

    def authorities(self, geography: str) -> pl.DataFrame:
        """la_code, year, authority_id of the geography's LA-years."""
        if geography not in self._authorities:
            self._authorities[geography] = (self.panel.filter(pl.col("geography") == geography)
                                            .select("la_code", pl.col("year").cast(pl.Int64), "authority_id").unique(["la_code", "year"]))
        return self._authorities[geography]


def period_values(inputs: AnalysisInputs, source: BasisPanel, geography: str,
                  indicator: str, nation: str, first: int, last: int) -> tuple[pl.DataFrame, dict[str, str]]:
    """One indicator's LA values over [first, last] under the geography's authorities rule, and {la_code: reason}
    for LAs left out or counted once. Columns: la_code, la_name, nation, region_name, region (summary region),
    indicator, year, value.

    as_published: the authorities in operation on 31 March of ``last`` (a 2012-2017 study has 2017's), one series
    per authority under its code and name then (files of the time may print an older code: Gateshead's SFR rows
    keep E08000020 after the 2013 recode); current: today's authorities with COUNT_ONCE_RULE.
    """
    values = source.values(geography, indicator, nation, first, last)
    notes: dict[str, str] = {}
    if geography == "current":
        values, notes = source.apportioned.count_once(values, unit=("indicator",))
    else:
        values = values.with_columns(pl.col("year").cast(pl.Int64)).join(source.authorities(geography), on=["la_code", "year"], how="left")
        at_end = codes_in_force(inputs.la_reference, last)
        notes = {code: f"not in operation at 31 March {last}" for code in
                 values.join(at_end, on="authority_id", how="anti")["la_code"].unique().to_list()}
        values = (values.drop("la_code", "la_name").join(at_end, on="authority_id").sort("year")
                  .with_columns(pl.col("region").last().over("authority_id")).drop("authority_id"))
    subregion = inputs.la_reference.select("la_code", "london_subregion").unique("la_code")
    values = values.join(subregion, on="la_code", how="left").select(
        "la_code", "la_name", "nation", pl.col("region").alias("region_name"), summary_region(), "indicator",
        pl.col("year").cast(pl.Int64), "value",
    )
    return values, notes


def factor_period(settings: ChangeInRateSettings, factor: str, values: pl.DataFrame, first: int, last: int) -> tuple[int, int] | None:
    """The factor's own years within [first, last]: configured, else the years it is published for there."""
    if factor in settings.factor_periods:
        own = settings.factor_periods[factor]
        first, last = max(first, int(own[0])), min(last, int(own[1]))
    published = values.filter(pl.col("year").is_between(first, last))["year"]
    if published.is_empty():
        return None
    return int(published.min()), int(published.max())


def _grades_at(inputs: AnalysisInputs, settings: ChangeInRateSettings, geography: str, year: int) -> pl.DataFrame | None:
    """Overall grades in force at 31 March of ``year`` keyed like period_values' LAs, so an authority whose code
    changed keeps its grade: as_published, the code in force at that date, which the judgement carries; current,
    today's code of the authority, as ofsted_linkage maps it."""
    grades = (grades_by_authority(inputs, geography, settings.exclude_la_codes) if geography == "current"
              else inputs.ofsted_in_force.with_columns(pl.col("year").cast(pl.Int64)))
    grades = grades.filter((pl.col("year") == year) & pl.col("overall_grade_ordinal").is_not_null())
    if grades.is_empty():
        return None
    return grades.select("la_code", pl.col("overall_grade_ordinal").alias("grade"))


def _factors(inputs: AnalysisInputs, settings: ChangeInRateSettings, source: BasisPanel, geography: str, nation: str, first: int,
             last: int) -> list[Factor]:
    """The continuous factors' LA changes; ``source``: the panel's own rates (the factors have no other basis)."""
    factors = []
    for name in settings.continuous_factors:
        values, _ = period_values(inputs, source, geography, name, nation, first, last)
        own = factor_period(settings, name, values, first, last)
        if own is None:
            continue
        changes = la_changes(values.filter(pl.col("year").is_between(*own)), None)
        factors.append(Factor(name, own[0], own[1], changes))
    return factors


def run(inputs: AnalysisInputs, config: dict) -> AnalysisOutput:
    settings = parse_config(config)
    output = AnalysisOutput("change_in_rate")
    panel = inputs.panel
    latest = dict(panel.filter(pl.col("indicator").is_in(list(settings.indicators)) & pl.col("value").is_not_null()
                               & (pl.col("geography") == settings.geography))
                  .group_by("nation").agg(pl.col("year").max()).iter_rows())
    change_frames, coverage_rows, association_rows, factor_frames = [], [], [], []
    sources = {}  # rate basis -> BasisPanel, None when mart.la_rate_variants is absent
    for basis in settings.rate_bases:
        basis_panel = rate_basis_panel(panel, inputs.rate_variants, basis)
        sources[basis] = None if basis_panel is None else BasisPanel(basis_panel, inputs.apportionment_weights, settings)
    for nation, first, last in _periods(settings, latest):
        in_nation = set(panel.filter(pl.col("nation") == nation)["la_code"].unique().to_list())
        configured = {code: "excluded by configuration" for code in settings.exclude_la_codes if code in in_nation}
        for geography in settings.geographies:
            choice = {"geography": geography, "authorities_rule": AUTHORITIES_RULES[geography], "nation": nation,
                      "period_start": first, "period_end": last}
            grades = _grades_at(inputs, settings, geography, last) if nation == "England" else None
            factors = _factors(inputs, settings, sources[AT_THE_TIME], geography, nation, first, last)
            factor_frames += [f.changes.with_columns(*[pl.lit(v).alias(k) for k, v in choice.items()], pl.lit(f.name).alias("factor"),
                                                     pl.lit(f.first).alias("factor_period_start"), pl.lit(f.last).alias("factor_period_end"))
                              for f in factors]
            for basis, source in sources.items():
                for indicator in settings.indicators:
                    key = {"indicator": indicator, **choice, "rate_basis": basis}
                    if source is None:
                        coverage_rows.append({**key, "n_las": 0, "years_used": "", "las_excluded": "", "status": SKIPPED,
                                              "note": "mart.la_rate_variants is not in the warehouse: no rates over the latest population vintage"})
                        continue
                    values, notes = period_values(inputs, source, geography, indicator, nation, first, last)
                    if values.is_empty():
                        if basis != AT_THE_TIME:
                            coverage_rows.append({**key, "n_las": 0, "years_used": "", "las_excluded": "", "status": SKIPPED,
                                                  "note": f"mart.la_rate_variants has no {basis} values of this indicator in the period"})
                        continue
                    changes = la_changes(values, settings.direction.rules(indicator)).with_columns(
                        *[pl.lit(v).alias(k) for k, v in key.items()])
                    default = changes.filter(pl.col("direction_rule") == PUBLISHED_PRECISION)
                    excluded = configured | notes | {code: "no two consecutive years with a value"
                                                     for code in default.filter(pl.col("avg_change").is_null())["la_code"].to_list()}
                    n_las = default.filter(pl.col("avg_change").is_not_null()).height
                    coverage_rows.append({**key, "n_las": n_las, "years_used": format_years(values["year"].to_list()),
                                          "las_excluded": "; ".join(f"{c} ({r})" for c, r in sorted(excluded.items())),
                                          "status": OK if n_las >= settings.min_las else BELOW_MINIMUM,
                                          "note": None if n_las >= settings.min_las else f"only {n_las} LA(s) with an average change"})
                    change_frames.append(changes)
                    for row in associations(default, factors, set(settings.binary_factor_la_codes), settings.binary_factor_name,
                                            grades, settings.min_las):
                        association_rows.append({**key, **row})
                    if geography == settings.geography and basis == AT_THE_TIME and indicator in settings.box_plot_indicators:
                        output.chart_requests.append(ChartRequest(
                            "box_plot", inputs.charts_dir / f"change_in_rate_{indicator}_{nation}_{first}_{last}.png".lower(),
                            {"changes": default, "indicator": indicator, "nation": nation, "first": first, "last": last}))
    changes = (pl.concat(change_frames).select(list(CHANGE_COLUMNS)) if change_frames
               else pl.DataFrame(schema={c: CHANGE_SCHEMA.get(c, pl.String) for c in CHANGE_COLUMNS}))
    _headlines(output, changes, settings)
    regions = inputs.la_reference.select("nation", summary_region()).drop_nulls().unique()
    keys = [*CHOICE_KEYS, "direction_rule", "rate_precision"]
    by_region = region_summaries(changes, keys, min_las=settings.min_las, regions=regions).select(list(BY_REGION_COLUMNS))
    factor_keys = [k for k in CHOICE_KEYS if k not in ("indicator", "rate_basis")] + ["factor", "factor_period_start", "factor_period_end"]
    factors = (pl.concat(factor_frames).rename({"avg_rate": "avg_value"}).select(list(FACTOR_COLUMNS)) if factor_frames
               else pl.DataFrame(schema={c: FACTOR_SCHEMA.get(c, pl.String) for c in FACTOR_COLUMNS}))
    factors_by_region = region_summaries(factors, factor_keys, measures=("avg_value", "avg_change"), min_las=settings.min_las,
                                         regions=regions).select(list(FACTOR_BY_REGION_COLUMNS))
    output.tables += [
        AnalysisTable("analysis.change_in_rate", changes, CHANGE_DESCRIPTION, CHANGE_COLUMNS),
        AnalysisTable("analysis.change_in_rate_by_region", by_region, BY_REGION_DESCRIPTION, BY_REGION_COLUMNS),
        AnalysisTable("analysis.change_in_rate_basis_difference", basis_difference(changes), BASIS_DIFFERENCE_DESCRIPTION,
                      BASIS_DIFFERENCE_COLUMNS),
        AnalysisTable("analysis.change_in_rate_coverage", pl.DataFrame(coverage_rows, schema=COVERAGE_SCHEMA),
                      COVERAGE_DESCRIPTION, {**{k: CHANGE_COLUMNS[k] for k in CHOICE_KEYS}, **COVERAGE_COLUMNS, **STATUS_COLUMNS}),
        AnalysisTable("analysis.change_in_rate_associations", pl.DataFrame(association_rows, schema=ASSOCIATION_SCHEMA),
                      ASSOCIATION_DESCRIPTION, ASSOCIATION_COLUMNS),
        AnalysisTable("analysis.change_in_rate_factors", factors, FACTOR_DESCRIPTION, FACTOR_COLUMNS),
        AnalysisTable("analysis.change_in_rate_factors_by_region", factors_by_region, FACTOR_BY_REGION_DESCRIPTION,
                      FACTOR_BY_REGION_COLUMNS),
    ]
    return output


def basis_difference(changes: pl.DataFrame) -> pl.DataFrame:
    """Per LA (default direction rule), the average rate and change on both rate bases and the difference."""
    default = changes.filter(pl.col("direction_rule") == PUBLISHED_PRECISION)
    keys = [k for k in CHOICE_KEYS if k != "rate_basis"] + ["la_code", "la_name", "region"]
    measures = ["avg_rate", "avg_change", "direction"]
    at_time, latest = (default.filter(pl.col("rate_basis") == basis).select(*keys, *[pl.col(m).alias(f"{m}_{basis}") for m in measures])
                       for basis in RATE_BASES)
    return at_time.join(latest, on=keys).with_columns(
        (pl.col(f"avg_rate_{LATEST_POPULATION}") - pl.col(f"avg_rate_{AT_THE_TIME}")).alias("avg_rate_difference"),
        (pl.col(f"avg_change_{LATEST_POPULATION}") - pl.col(f"avg_change_{AT_THE_TIME}")).alias("avg_change_difference"),
    ).select(list(BASIS_DIFFERENCE_COLUMNS))


def _headlines(output: AnalysisOutput, changes: pl.DataFrame, settings: ChangeInRateSettings) -> None:
    """Per nation, period and indicator: the default (geography of the setting, rates at the time, sign at published
    precision), then the tolerance, current-boundary and latest-population variants' means and shares."""
    measured = changes.filter(pl.col("avg_change").is_not_null())
    default = measured.filter((pl.col("geography") == settings.geography) & (pl.col("rate_basis") == AT_THE_TIME))
    k = settings.top_bottom
    for (nation, first, last, indicator), _ in default.group_by("nation", "period_start", "period_end", "indicator", maintain_order=True):
        same = measured.filter((pl.col("nation") == nation) & (pl.col("period_start") == first) & (pl.col("period_end") == last)
                               & (pl.col("indicator") == indicator))
        main = default.filter((pl.col("nation") == nation) & (pl.col("period_start") == first) & (pl.col("period_end") == last)
                              & (pl.col("indicator") == indicator))
        rows = main.filter(pl.col("direction_rule") == PUBLISHED_PRECISION).sort("avg_change")
        top = ", ".join(rows.tail(k)["la_name"].reverse().to_list())
        bottom = ", ".join(rows.head(k)["la_name"].to_list())
        variants = []
        for rule in main["direction_rule"].unique(maintain_order=True).to_list()[1:]:
            variant = main.filter(pl.col("direction_rule") == rule)
            variants.append(f"with a {rule}: {_shares(variant)}")
        for geography in settings.geographies:
            for basis in settings.rate_bases:
                if (geography, basis) == (settings.geography, AT_THE_TIME):
                    continue
                variant = same.filter((pl.col("geography") == geography) & (pl.col("rate_basis") == basis)
                                      & (pl.col("direction_rule") == PUBLISHED_PRECISION))
                if variant.height:
                    variants.append(f"{geography} authorities, {basis} rates: mean change {variant['avg_change'].mean():+.2f} "
                                    f"over {variant.height} LAs, {_shares(variant)}")
        output.headlines.append(
            f"{nation} {first}-{last}, {indicator} ({settings.geography} authorities, rates at the time): mean of LA average rates "
            f"{rows['avg_rate'].mean():.1f}, mean average change {rows['avg_change'].mean():+.2f} a year over {rows.height} LAs; "
            f"{_shares(rows)} (sign at published precision). Largest rises: {top}. Largest falls: {bottom}."
            + (f" Sensitivity: {'; '.join(variants)}." if variants else "")
        )


def _shares(rows: pl.DataFrame) -> str:
    return ", ".join(f"{(rows['direction'] == d).mean() * 100:.0f}% {d}" for d in (INCREASE, NO_CHANGE, DECREASE))


SPEC = FamilySpec("change_in_rate", "4. Change in rate", run, parse_config)
