"""National, regional and LA trends per indicator, and an interrupted time series around a policy shock.

methods.md section 1: national (England, Wales) and English regional series from harmonised
counts (summed numerators over summed denominators, never a mean of LA rates); LA series with
year-on-year change; a segmented regression around a break (default: the late-2008 "Baby P" case,
first post-break year 2010) with level and slope change and their CIs; national + regional line
charts, the ITS fit, and small multiples of chosen LAs against their region and statistical
neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import statsmodels.api as sm

from csc_pipeline.analysis.family_config import parse_settings, require
from csc_pipeline.analysis.panel_frames import COVERAGE_COLUMNS, Coverage, configured_exclusions, select_values
from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput, AnalysisTable, ChartRequest, FamilySpec

MULTIPLIERS = {"rate": 10_000.0, "percent": 100.0, "count": None}  # dictionary kind -> value = num / den x this
ITS_TERMS = ("pre_level", "pre_slope", "level_change", "slope_change")


@dataclass(frozen=True)
class TrendsSettings:
    geography: str
    exclude_la_codes: tuple
    # with the re-referral and timeliness percentages, whose median LA published studies report beside the pooled value
    indicators: tuple
    nations: tuple
    # Where the panel has an LA's numerator and published rate but not its denominator (England's 0-17
    # populations start in 2010, Wales's cover 2015-2021), use the denominator the publisher's rate
    # implies (numerator / rate x multiplier). Without it no series reaches back before the default break.
    implied_denominators: bool
    first_post_break_year: int
    its_nations: tuple
    # ITS charts: always drawn for these indicators (with "not fitted: <reason>" on the chart when the
    # fit is skipped, e.g. on series starting at the break); other indicators get one only when fitted.
    its_chart_indicators: tuple
    min_years_each_side: int
    # Fit the ITS on the LAs with values in every year of the national series, so that a change in
    # which LAs report (e.g. LAs formed in later reorganisations, whose populations are not available
    # before 2010) cannot masquerade as a level change at the break.
    its_constant_las: bool
    confidence_level: float
    covariance: str  # or "hac" (Newey-West)
    hac_maxlags: int
    small_multiple_indicators: tuple
    small_multiple_la_codes: tuple
    neighbours_shown: int

    def __post_init__(self) -> None:
        require(1990 <= self.first_post_break_year <= 2100, "trends.first_post_break_year",
                f"must be a year between 1990 and 2100 (the first year after the break), got {self.first_post_break_year!r}")
        require(self.min_years_each_side >= 2, "trends.min_years_each_side", "must be >= 2 (a slope needs two years)")
        require(0 < self.confidence_level < 1, "trends.confidence_level", "must be between 0 and 1")
        require(self.covariance in ("ols", "hac"), "trends.covariance", f"must be ols or hac, got {self.covariance!r}")
        require(self.hac_maxlags >= 0, "trends.hac_maxlags", "must be >= 0")
        require(self.neighbours_shown >= 0, "trends.neighbours_shown", "must be >= 0")


def parse_config(config: dict | None) -> TrendsSettings:
    return parse_settings(TrendsSettings, config, "trends")


def la_components(panel: pl.DataFrame, settings: TrendsSettings, indicator: str, kind: str,
                  numerator: str | None, denominator: str | None) -> pl.DataFrame:
    """Per authority and year: numerator, denominator (NULL for counts) and whether the denominator is implied.

    Columns: authority, la_code, la_name, nation, region, year, value (the LA's own published value),
    numerator, denominator, implied_denominator. Rows: authorities with any published value among the three.
    The three are matched by authority, not code: on the as_published geography a release may print an
    authority's count under its new code and its population under the old one (``authority`` is the
    panel's authority_id, or the code for a combined reporting unit; la_code and la_name are those of
    the indicator's own value where there is one).
    """
    if kind == "count":
        numerator, denominator = indicator, None
    ids = [i for i in dict.fromkeys((indicator, numerator, denominator)) if i is not None]
    owners = panel.select("la_code", pl.coalesce("authority_id", "la_code").alias("authority")).unique("la_code")
    values = select_values(panel, settings.geography, settings.exclude_la_codes, ids).join(owners, on="la_code", how="left")
    keys = ["authority", "nation", "region", "year"]
    wide = values.select(*keys, "indicator", "value").pivot("indicator", index=keys, values="value", aggregate_function="first")
    names = values.sort(pl.col("indicator") != indicator, "la_code").group_by("authority", "year").agg(pl.col("la_code", "la_name").first())
    wide = wide.join(names, on=["authority", "year"])
    for column in ids:
        if column not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(column))
    published_den = pl.col(denominator) if denominator else pl.lit(None, pl.Float64)
    implied = (
        pl.when(pl.lit(settings.implied_denominators and denominator is not None) & published_den.is_null() & (pl.col(indicator) > 0))
        .then(pl.col(numerator) / pl.col(indicator) * (MULTIPLIERS[kind] or 1.0))
    )
    return wide.select(
        "authority", "la_code", "la_name", "nation", "region", "year", pl.col(indicator).alias("value"), pl.col(numerator).alias("numerator"),
        pl.coalesce(published_den, implied).alias("denominator"),
        (published_den.is_null() & implied.is_not_null()).alias("implied_denominator"),
    )


def aggregate(components: pl.DataFrame, kind: str, areas: list[tuple[str, str, pl.Expr]]) -> pl.DataFrame:
    """Summed numerators and denominators per area and year, value = sum(num) / sum(den) x multiplier,
    and beside it the median of the LAs' own values (la_median, over n_las_median LAs; NULL for counts).

    ``areas``: (area_level, area column, row filter). Only LAs with a numerator (and, for rates and
    percentages, a denominator) that year enter the sums; excluded LAs and why go to ``las_excluded``.
    The median takes every LA with a published value that year, pooled or not (published studies
    report the median LA beside the pooled rate).
    """
    ratio = MULTIPLIERS[kind] is not None
    complete = pl.col("numerator").is_not_null() & (pl.col("denominator").is_not_null() if ratio else pl.lit(True))
    reason = pl.when(pl.col("numerator").is_null()).then(pl.lit("no numerator")).otherwise(pl.lit("no denominator"))
    frames = []
    for level, area_column, keep in areas:
        keys = ["nation", "area_level", "area", "year"]
        # Sorted by authority within the keys: a group's floating-point sum then adds the same numbers in
        # the same order on every run (the components come from joins, whose row order is not fixed).
        rows = (components.filter(keep).with_columns(pl.col(area_column).alias("area"), pl.lit(level).alias("area_level"))
                .sort([*keys, "authority"], nulls_last=True))
        sums = rows.filter(complete).group_by(keys).agg(
            pl.col("numerator").sum(), pl.col("denominator").sum() if ratio else pl.lit(None, pl.Float64).alias("denominator"),
            pl.len().cast(pl.Int64).alias("n_las"), pl.col("implied_denominator").sum().cast(pl.Int64).alias("n_las_implied_denominator"),
        )
        dropped = rows.filter(~complete).group_by(keys).agg(
            pl.concat_str(pl.col("la_code"), pl.lit(" ("), reason, pl.lit(")")).sort().str.join("; ").alias("las_excluded")
        )
        medians = rows.filter(pl.col("value").is_not_null() & pl.lit(ratio)).group_by(keys).agg(
            pl.col("value").median().alias("la_median"), pl.len().cast(pl.Int64).alias("n_las_median"))
        frames.append(sums.join(dropped, on=keys, how="left").join(medians, on=keys, how="left"))
    out = pl.concat(frames)
    value = pl.col("numerator") / pl.col("denominator") * MULTIPLIERS[kind] if ratio else pl.col("numerator")
    return out.with_columns(value.alias("value"), pl.col("year").cast(pl.Int64).cast(pl.String).alias("years_used"),
                            pl.col("las_excluded").fill_null(""), pl.col("n_las_median").fill_null(0))


def national_regional(components: pl.DataFrame, kind: str, nations: tuple[str, ...]) -> pl.DataFrame:
    return aggregate(components, kind, [
        ("nation", "nation", pl.col("nation").is_in(list(nations))),
        ("region", "region", (pl.col("nation") == "England") & pl.lit("England" in nations)),
    ])


def year_on_year(series: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Adds previous_value, change and percent_change against the year before (NULL when that year is missing)."""
    previous = series.select(*keys, (pl.col("year") + 1).alias("year"), pl.col("value").alias("previous_value"))
    out = series.join(previous, on=[*keys, "year"], how="left")
    return out.with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change"),
        pl.when(pl.col("previous_value") != 0).then((pl.col("value") - pl.col("previous_value")) / pl.col("previous_value") * 100)
        .alias("percent_change"),
    )


def design_matrix(years: np.ndarray, first_post_break_year: int) -> np.ndarray:
    """Columns: 1, time (years since the series' first year), post (year >= break), time since break x post."""
    post = (years >= first_post_break_year).astype(float)
    return np.column_stack([np.ones(len(years)), years - years.min(), post, (years - first_post_break_year) * post])


def fit_its(years: list[int], values: list[float], settings: TrendsSettings) -> dict:
    """Segmented regression value ~ 1 + time + post + time_since_break:post.

    Returns n_years_before/after, status (fitted/skipped), skip_reason, r_squared and per term
    (pre_level, pre_slope, level_change, slope_change): estimate, se, ci_low, ci_high, p_value.
    """
    year_array, value_array = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
    before = int((year_array < settings.first_post_break_year).sum())
    after = len(year_array) - before
    result = {"n_years_before": before, "n_years_after": after, "status": "fitted", "skip_reason": None, "r_squared": None}
    result |= {f"{term}{suffix}": None for term in ITS_TERMS for suffix in ("", "_se", "_ci_low", "_ci_high", "_p_value")}
    if min(before, after) < settings.min_years_each_side:
        result |= {"status": "skipped", "skip_reason": f"{before} year(s) before and {after} after the break; "
                   f"at least {settings.min_years_each_side} needed on each side"}
        return result
    model = sm.OLS(value_array, design_matrix(year_array, settings.first_post_break_year))
    # Plain OLS by default: with 10-20 annual points a Newey-West estimate of the autocorrelation is
    # itself very noisy (and biased towards too-small errors), so it is an opt-in sensitivity check.
    fitted = (model.fit(cov_type="HAC", cov_kwds={"maxlags": settings.hac_maxlags}, use_t=True)
              if settings.covariance == "hac" else model.fit())
    ci = fitted.conf_int(alpha=1 - settings.confidence_level)
    for i, term in enumerate(ITS_TERMS):
        result |= {term: float(fitted.params[i]), f"{term}_se": float(fitted.bse[i]), f"{term}_ci_low": float(ci[i, 0]),
                   f"{term}_ci_high": float(ci[i, 1]), f"{term}_p_value": float(fitted.pvalues[i])}
    result["r_squared"] = float(fitted.rsquared)
    return result


def its_for_nation(components: pl.DataFrame, kind: str, series: pl.DataFrame, nation: str, settings: TrendsSettings,
                   configured: dict[str, str]) -> tuple[dict | None, pl.DataFrame]:
    """The ITS row (without indicator) for one nation's series and the national series it fitted; (None, empty) without a series.

    ``configured``: the nation's configured exclusions present in the panel (``configured_exclusions``)."""
    national = series.filter((pl.col("area_level") == "nation") & (pl.col("area") == nation)).sort("year")
    if national.is_empty():
        return None, national
    dropped = dict(configured)
    complete = components.filter((pl.col("nation") == nation) & pl.col("numerator").is_not_null()
                                 & (pl.col("denominator").is_not_null() | pl.lit(kind == "count"))
                                 & pl.col("year").is_in(national["year"].to_list()))
    if settings.its_constant_las:
        years = national.height
        per_la = complete.group_by("authority").agg(pl.col("year").n_unique().alias("n"), pl.col("la_code").last())
        keep = per_la.filter(pl.col("n") == years)["authority"].to_list()
        dropped |= {code: "not in every year fitted" for code in per_la.filter(pl.col("n") < years)["la_code"].to_list()}
        complete = complete.filter(pl.col("authority").is_in(keep))
        national = aggregate(complete, kind, [("nation", "nation", pl.lit(True))]).sort("year")
    fit = fit_its(national["year"].to_list(), national["value"].to_list(), settings)
    return {
        "geography": settings.geography, "nation": nation, "first_post_break_year": settings.first_post_break_year,
        "covariance": settings.covariance, "confidence_level": settings.confidence_level,
        "constant_las": settings.its_constant_las, **fit,
        **Coverage(set(complete["authority"].to_list()), set(national["year"].to_list()), dropped).values(),
    }, national


def _published_values(area_values: pl.DataFrame | None) -> pl.DataFrame:
    """area_level, area, year, indicator, published_value: the publishers' own national and regional numbers."""
    schema = {"area_level": pl.String, "area": pl.String, "year": pl.Int32, "indicator": pl.String, "published_value": pl.Float64}
    if area_values is None or area_values.is_empty():
        return pl.DataFrame(schema=schema)
    return area_values.filter(pl.col("status") == "published").select(
        "area_level", "area", pl.col("year").cast(pl.Int32), "indicator", pl.col("value").cast(pl.Float64).alias("published_value"))


def region_lookup(panel: pl.DataFrame) -> dict[str, str]:
    return dict(panel.select("la_code", "region").drop_nulls().unique("la_code").iter_rows())


def _configured_excluded(panel: pl.DataFrame, settings: TrendsSettings) -> pl.DataFrame:
    """nation, region, la_code of the configured exclusions present in the panel."""
    return (panel.filter((pl.col("geography") == settings.geography) & pl.col("la_code").is_in(list(settings.exclude_la_codes)))
            .select("nation", "region", "la_code").unique())


def _with_configured_exclusions(series: pl.DataFrame, excluded: pl.DataFrame) -> pl.DataFrame:
    """Appends 'code (excluded by configuration)' for the configured exclusions inside each row's area."""
    notes = pl.concat([
        excluded.select("nation", pl.lit("nation").alias("area_level"), pl.col("nation").alias("area"), "la_code"),
        excluded.filter(pl.col("nation") == "England").select("nation", pl.lit("region").alias("area_level"), pl.col("region").alias("area"), "la_code"),
    ]).group_by("nation", "area_level", "area").agg(
        pl.concat_str(pl.col("la_code").sort(), pl.lit(" (excluded by configuration)")).str.join("; ").alias("_configured"))
    return series.join(notes, on=["nation", "area_level", "area"], how="left").with_columns(
        pl.concat_str([pl.col("_configured"), pl.col("las_excluded")], separator="; ", ignore_nulls=True)
        .str.strip_chars("; ").fill_null("").alias("las_excluded")
    ).drop("_configured")


def run(inputs: AnalysisInputs, config: dict) -> AnalysisOutput:
    settings = parse_config(config)
    output = AnalysisOutput("trends")
    panel = inputs.panel.filter(pl.col("geography") == settings.geography)
    dictionary = {} if inputs.indicator_dictionary is None else {
        r["indicator"]: r for r in inputs.indicator_dictionary.iter_rows(named=True)}
    excluded = _configured_excluded(panel, settings)
    published = _published_values(inputs.area_values)
    configured = {nation: configured_exclusions(panel, settings.geography, settings.exclude_la_codes, nation) for nation in settings.its_nations}
    series_frames, la_frames, its_rows = [], [], []
    components_by_indicator = {}
    for indicator in settings.indicators:
        entry = dictionary.get(indicator)
        if entry is None or entry["kind"] not in MULTIPLIERS or (entry["kind"] != "count" and not (entry["numerator"] and entry["denominator"])):
            output.headlines.append(f"{indicator}: not aggregated (not a count, or a rate/percentage without a numerator "
                                    f"and denominator in mart.indicator_dictionary).")
            continue
        components = la_components(panel, settings, indicator, entry["kind"], entry["numerator"], entry["denominator"])
        components = components.filter(pl.col("nation").is_in(list(settings.nations)))
        if components.is_empty():
            continue
        components_by_indicator[indicator] = (components, entry["kind"])
        series = _with_configured_exclusions(national_regional(components, entry["kind"], settings.nations), excluded)
        series = series.with_columns(pl.lit(indicator).alias("indicator"), pl.lit(entry["kind"]).alias("kind"),
                                     pl.lit(settings.geography).alias("geography"))
        series = series.join(published, on=["area_level", "area", "year", "indicator"], how="left")
        series_frames.append(series)
        la_frames.append(year_on_year(
            components.filter(pl.col("value").is_not_null()).select("authority", "la_code", "la_name", "nation", "region", "year", "value")
            .with_columns(pl.lit(indicator).alias("indicator")), ["indicator", "authority"]))
        for nation in settings.its_nations:
            row, fitted_series = its_for_nation(components, entry["kind"], series, nation, settings, configured[nation])
            if row is None:
                continue
            its_rows.append({"indicator": indicator, **row})
            if row["status"] == "fitted" or indicator in settings.its_chart_indicators:
                output.chart_requests.append(ChartRequest("its", inputs.charts_dir / f"trends_its_{indicator}_{nation}.png".lower(), {
                    "national": fitted_series, "fit": row, "indicator": indicator, "unit": entry.get("unit"), "nation": nation,
                    "settings": settings}))
        output.chart_requests.append(ChartRequest("national_regional", inputs.charts_dir / f"trends_{indicator}.png",
                                                  {"series": series, "indicator": indicator, "unit": entry.get("unit")}))
    national = (pl.concat(series_frames).select(list(NATIONAL_COLUMNS)).sort("indicator", "area_level", "nation", "area", "year")
                if series_frames else _empty(NATIONAL_COLUMNS))
    la_series = (pl.concat(la_frames).with_columns(
        pl.lit(settings.geography).alias("geography"), pl.lit(1).alias("n_las"),
        pl.when(pl.col("previous_value").is_not_null()).then(pl.format("{}-{}", pl.col("year") - 1, pl.col("year")))
        .otherwise(pl.col("year").cast(pl.String)).alias("years_used"), pl.lit("").alias("las_excluded"),
    ).select(list(LA_COLUMNS)).sort("indicator", "la_code", "year") if la_frames else _empty(LA_COLUMNS))
    its = pl.DataFrame(its_rows, schema=ITS_SCHEMA)
    for indicator in settings.small_multiple_indicators:
        if indicator in components_by_indicator:
            _small_multiples(*components_by_indicator[indicator], national, indicator, dictionary[indicator].get("unit"),
                             settings, inputs, output)
    _headlines(output, national, its, settings)
    output.tables += [
        AnalysisTable("analysis.trend_national_regional", national, NATIONAL_DESCRIPTION, NATIONAL_COLUMNS),
        AnalysisTable("analysis.trend_la_series", la_series, LA_DESCRIPTION, LA_COLUMNS),
        AnalysisTable("analysis.interrupted_time_series", its, ITS_DESCRIPTION, ITS_COLUMNS),
    ]
    return output


def _empty(columns: dict) -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.String for c in columns})


def neighbour_codes(neighbours: pl.DataFrame, la_code: str, k: int) -> list[str]:
    """The LA's k closest statistical neighbours in the latest model; [] when the mart has none."""
    if neighbours.is_empty() or "neighbour_la_code" not in neighbours.columns:
        return []
    rows = neighbours.filter(pl.col("la_code") == la_code)
    if rows.is_empty():
        return []
    latest = rows.filter(pl.col("model_version") == rows["model_version"].max())
    return latest.sort("neighbour_rank").head(k)["neighbour_la_code"].drop_nulls().to_list()


def _small_multiples(components: pl.DataFrame, kind: str, national: pl.DataFrame, indicator: str, unit: str | None,
                     settings: TrendsSettings, inputs: AnalysisInputs, output: AnalysisOutput) -> None:
    """Ask for one panel per configured LA in the panel (its value, its region's and its neighbours'); name those missing."""
    present = set(components["la_code"].to_list())
    las = [c for c in settings.small_multiple_la_codes if c in present]
    missing = [c for c in settings.small_multiple_la_codes if c not in present]
    if missing:
        output.headlines.append(f"{indicator} small multiples: LA(s) {', '.join(missing)} not in the panel, left out.")
    if las:
        output.chart_requests.append(ChartRequest("small_multiples", inputs.charts_dir / f"trends_las_{indicator}.png", {
            "components": components, "kind": kind, "national": national, "indicator": indicator, "unit": unit,
            "las": las, "settings": settings}))


def _headlines(output: AnalysisOutput, national: pl.DataFrame, its: pl.DataFrame, settings: TrendsSettings) -> None:
    for (indicator, nation), rows in (national.filter(pl.col("area_level") == "nation").sort("year")
                                      .group_by(["indicator", "nation"], maintain_order=True)):
        first, last = rows.row(0, named=True), rows.row(-1, named=True)
        output.headlines.append(
            f"{nation} {indicator}: {first['value']:.1f} in {first['year']} ({first['n_las']} LAs) and {last['value']:.1f} "
            f"in {last['year']} ({last['n_las']} LAs), from summed counts"
            + (f"; the publisher's own {last['published_value']:g}." if last["published_value"] is not None else "."))
    level = f"{settings.confidence_level * 100:.0f}% CI"
    for row in its.iter_rows(named=True):
        if row["status"] != "fitted":
            output.headlines.append(f"ITS {row['nation']} {row['indicator']}: skipped ({row['skip_reason']}).")
            continue
        output.headlines.append(
            f"ITS {row['nation']} {row['indicator']} (break before {row['first_post_break_year']}, {row['years_used']}): "
            f"level change {row['level_change']:+.2f} ({level} {row['level_change_ci_low']:.2f} to {row['level_change_ci_high']:.2f}), "
            f"slope change {row['slope_change']:+.2f} a year ({level} {row['slope_change_ci_low']:.2f} to {row['slope_change_ci_high']:.2f}); "
            f"pre-break slope {row['pre_slope']:+.2f} a year.")


NATIONAL_DESCRIPTION = ("Per indicator, nation (England, Wales) and English region and year: the LAs' summed numerators "
                        "over their summed denominators, matched by authority (methods.md section 1; never a mean of LA rates), "
                        "the median LA's value, and the publisher's own national or regional value where published. Counts are summed. "
                        "The one national and regional trend of the warehouse.")
NATIONAL_COLUMNS = {
    "indicator": "Indicator id (mart.indicator_dictionary).",
    "kind": "count, rate (value per 10,000) or percent (value per 100).",
    "geography": "Panel geography used: current (today's boundaries) or as_published.",
    "nation": "England or Wales.",
    "area_level": "nation or region (English regions only).",
    "area": "The nation or region name.",
    "year": "Year ending 31 March.",
    "numerator": "Sum of the LAs' numerator counts (for a count indicator, of the counts themselves).",
    "denominator": "Sum of the LAs' denominators (0-17 populations for rates); NULL for counts.",
    "value": "numerator / denominator x 10,000 (rate) or x 100 (percent); the summed count for counts.",
    "published_value": "The publisher's own national or regional value for the year (mart.area_indicator_values, at the publisher's precision, e.g. whole numbers per 10,000, and computed with the populations of that release); NULL where the ingested files print none. Compare with value.",
    "la_median": "Median of the LAs' own published values (rates and percentages; NULL for counts): the middle LA, beside the pooled value.",
    "n_las_median": "LAs whose published value entered la_median (every LA of the area with a value that year; 0 for counts).",
    "n_las": COVERAGE_COLUMNS["n_las"] + " Only LAs with both a numerator and a denominator that year, matched by authority (not code).",
    "n_las_implied_denominator": "Of those, LAs whose denominator is implied by their published value (numerator / value x multiplier) because the panel has no denominator for that LA and year.",
    "years_used": COVERAGE_COLUMNS["years_used"],
    "las_excluded": COVERAGE_COLUMNS["las_excluded"],
}
LA_DESCRIPTION = "Per indicator, LA and year: the LA's published value and its change from the year before."
LA_COLUMNS = {
    "indicator": NATIONAL_COLUMNS["indicator"],
    "geography": NATIONAL_COLUMNS["geography"],
    "nation": NATIONAL_COLUMNS["nation"],
    "region": "English region, or Wales.",
    "la_code": "GSS code of the LA.",
    "la_name": "LA name.",
    "year": "Year ending 31 March.",
    "value": "The LA's published value.",
    "previous_value": "The LA's value the year before; NULL when that year has no value.",
    "change": "value - previous_value (NULL without a previous year).",
    "percent_change": "change / previous_value x 100 (NULL without a previous year or when it is 0).",
    "n_las": "Always 1 (one LA per row).",
    "years_used": "The year, or 'year-1-year' when the change uses the previous year.",
    "las_excluded": "Always empty (configured exclusions have no rows here).",
}
ITS_DESCRIPTION = ("Interrupted time series per indicator and nation: OLS of the national series (analysis.trend_national_regional) "
                   "on 1 + time + post + time_since_break x post; level and slope change at the break with CIs.")
ITS_COLUMNS = {
    "indicator": NATIONAL_COLUMNS["indicator"],
    "geography": NATIONAL_COLUMNS["geography"],
    "nation": NATIONAL_COLUMNS["nation"],
    "first_post_break_year": "First year (ending 31 March) after the break; post = 1 from this year.",
    "covariance": "ols (classical standard errors) or hac (Newey-West, with hac_maxlags).",
    "constant_las": "True: the series fitted is re-summed over only the LAs with values in every year fitted (its_constant_las).",
    "confidence_level": "Level of the confidence intervals.",
    "n_years_before": "Years of the series before the break.",
    "n_years_after": "Years of the series from the break on.",
    "status": "fitted, or skipped when either side has fewer than min_years_each_side years.",
    "skip_reason": "Why the fit was skipped; NULL when fitted.",
    "r_squared": "R-squared of the fit.",
}
_TERM_NOTES = {
    "pre_level": "fitted level of the pre-break trend in the series' first year (intercept)",
    "pre_slope": "pre-break slope per year",
    "level_change": "jump at the first post-break year relative to the pre-break trend continued",
    "slope_change": "post-break slope minus pre-break slope, per year",
}
for _term, _note in _TERM_NOTES.items():
    ITS_COLUMNS |= {
        _term: f"Estimate: {_note}.", f"{_term}_se": f"Standard error of {_term}.",
        f"{_term}_ci_low": f"Lower confidence limit of {_term}.", f"{_term}_ci_high": f"Upper confidence limit of {_term}.",
        f"{_term}_p_value": f"Two-sided p-value of {_term} = 0.",
    }
ITS_COLUMNS |= {
    "n_las": "Distinct LAs contributing to the national series fitted.",
    "years_used": "Years of the national series fitted.",
    "las_excluded": "Configured exclusions in the nation and, with constant_las, LAs without values in every year fitted.",
}
ITS_SCHEMA = {c: pl.Float64 for c in ITS_COLUMNS} | {
    "indicator": pl.String, "geography": pl.String, "nation": pl.String, "first_post_break_year": pl.Int64, "covariance": pl.String, "constant_las": pl.Boolean,
    "n_years_before": pl.Int64, "n_years_after": pl.Int64, "status": pl.String, "skip_reason": pl.String, "n_las": pl.Int64,
    "years_used": pl.String, "las_excluded": pl.String,
}


SPEC = FamilySpec("trends", "1. Trends", run, parse_config)
