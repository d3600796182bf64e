"""Average rate and average yearly change of a rate per LA over a period, by region, with associations.

methods.md section 4: average change = mean of the year-on-year differences over consecutive
available years (so (r_b - r_a) / (b - a) when no year is missing); direction increase / no change /
decrease with a tolerance; regional summaries with London split into Inner and Outer London;
Spearman, Mann-Whitney U and Kruskal-Wallis associations with factors over the same period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from scipy import stats  # noqa: E402

from csc_pipeline.analysis.family_config import parse_settings, require  # noqa: E402
from csc_pipeline.analysis.panel_frames import COVERAGE_COLUMNS, format_years, select_values  # noqa: E402
from csc_pipeline.analysis.plots import SYNTHETIC_LABEL, save_figure_atomic  # noqa: E402
from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput, AnalysisTable  # noqa: E402

INCREASE, NO_CHANGE, DECREASE = "increase", "no change", "decrease"


@dataclass(frozen=True)
class ChangeInRateSettings:
    geography: str = "current"
    exclude_la_codes: tuple = ("E09000001", "E06000053")
    indicators: tuple = ("cla_rate_per_10k", "cla_starts_rate_per_10k", "cpp_rate_per_10k", "cin_rate_per_10k")
    # Fixed periods per nation, [first, last] inclusive; plus the latest `latest_years` years of each.
    periods: dict = field(default_factory=lambda: {"England": [[2012, 2017]], "Wales": [[2005, 2011]]})
    latest_years: int = 5
    tolerance: float = 0.5  # |average change| below this (per 10,000 a year) is "no change"
    continuous_factors: tuple = (
        "children_low_income_hmrc_percent", "sw_turnover_rate_percent", "sw_agency_rate_percent",
        "s251_cla_net_expenditure_per_child_gbp",
    )
    # A binary factor (e.g. funded by the DfE Innovation Programme): the LA codes that have it.
    binary_factor_name: str = "binary_factor"
    binary_factor_la_codes: tuple = ()
    top_bottom: int = 3
    box_plot_indicators: tuple = ("cla_rate_per_10k",)

    def __post_init__(self) -> None:
        require(self.tolerance >= 0, "change_in_rate.tolerance", "must be >= 0")
        require(self.latest_years >= 0, "change_in_rate.latest_years", "must be >= 0 (0: no latest-years period)")
        for nation, periods in self.periods.items():
            for period in periods:
                require(len(period) == 2 and period[0] < period[1], f"change_in_rate.periods.{nation}",
                        f"each period is [first_year, last_year] with first < last, got {period!r}")


def parse_config(config: dict | None) -> ChangeInRateSettings:
    return parse_settings(ChangeInRateSettings, config, "change_in_rate")


def average_change(years: list[int], values: list[float]) -> float | None:
    """Mean of the differences between values of consecutive years (a missing year breaks a pair)."""
    by_year = dict(zip(years, values))
    diffs = [by_year[y + 1] - by_year[y] for y in sorted(by_year) if y + 1 in by_year]
    return sum(diffs) / len(diffs) if diffs else None


def direction(avg_change: float | None, tolerance: float) -> str | None:
    if avg_change is None:
        return None
    if abs(avg_change) < tolerance:
        return NO_CHANGE
    return INCREASE if avg_change > 0 else DECREASE


def la_changes(values: pl.DataFrame, tolerance: float) -> pl.DataFrame:
    """One row per LA and indicator: n_years, years_used, avg_rate, avg_change, direction.

    ``values``: la_code, indicator, year, value (+ any LA attribute columns, kept).
    """
    keys = [c for c in values.columns if c not in ("year", "value")]
    grouped = values.sort("year").group_by(keys, maintain_order=True).agg("year", "value")
    rows = []
    for row in grouped.iter_rows(named=True):
        change = average_change(row["year"], row["value"])
        rows.append({
            **{k: row[k] for k in keys},
            "n_years": len(row["year"]),
            "years_used": format_years(row["year"]),
            "avg_rate": sum(row["value"]) / len(row["value"]),
            "avg_change": change,
            "direction": direction(change, tolerance),
        })
    schema = {**{k: values.schema[k] for k in keys}, "n_years": pl.Int64, "years_used": pl.String,
              "avg_rate": pl.Float64, "avg_change": pl.Float64, "direction": pl.String}
    return pl.DataFrame(rows, schema=schema)


def summary_region() -> pl.Expr:
    """methods.md's regions, with London split into Inner and Outer London."""
    return pl.coalesce(pl.col("london_subregion"), pl.col("region")).alias("region")


def region_summaries(changes: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Per ``keys`` + region (and 'All'), per measure avg_rate / avg_change: n, min, max, mean, sd, direction shares."""
    nation_wide = changes.with_columns(pl.lit("All").alias("region"))
    both = pl.concat([changes, nation_wide])
    out = []
    for measure in ("avg_rate", "avg_change"):
        out.append(
            both.filter(pl.col(measure).is_not_null())
            .group_by([*keys, "region"], maintain_order=True)
            .agg(
                pl.lit(measure).alias("measure"),
                pl.len().alias("n"),
                pl.col(measure).min().alias("min"),
                pl.col(measure).max().alias("max"),
                pl.col(measure).mean().alias("mean"),
                pl.col(measure).std().alias("sd"),
                *[(pl.col("direction") == d).mean().mul(100).alias(f"percent_{d.replace(' ', '_')}")
                  for d in (INCREASE, NO_CHANGE, DECREASE)],
            )
        )
    return pl.concat(out).sort([*keys, "measure", "region"])


def spearman(x: list[float], y: list[float]) -> tuple[float | None, float | None, int]:
    if len(x) < 3:
        return None, None, len(x)
    result = stats.spearmanr(x, y)
    return float(result.statistic), float(result.pvalue), len(x)


def associations(changes: pl.DataFrame, factors: dict[str, pl.DataFrame], binary: set[str], binary_name: str,
                 grades: pl.DataFrame | None) -> list[dict]:
    """Tests of each LA measure (avg_rate, avg_change) against each factor; all LAs and excluding London."""
    rows = []
    for variant, subset in (("all LAs", changes), ("excluding London", changes.filter(pl.col("region_name") != "London"))):
        for measure in ("avg_rate", "avg_change"):
            measured = subset.filter(pl.col(measure).is_not_null())
            for factor, factor_changes in factors.items():
                for factor_measure in ("avg_rate", "avg_change"):
                    joined = measured.join(
                        factor_changes.select("la_code", pl.col(factor_measure).alias("_factor")), on="la_code"
                    ).filter(pl.col("_factor").is_not_null())
                    rho, p, n = spearman(joined[measure].to_list(), joined["_factor"].to_list())
                    rows.append(_association(variant, measure, f"{factor} ({factor_measure})", "spearman", rho, p, n))
            if binary:
                has = measured.filter(pl.col("la_code").is_in(list(binary)))[measure].to_list()
                lacks = measured.filter(~pl.col("la_code").is_in(list(binary)))[measure].to_list()
                if has and lacks:
                    test = stats.mannwhitneyu(has, lacks, alternative="two-sided")
                    rows.append(_association(variant, measure, binary_name, "mann_whitney_u",
                                             float(test.statistic), float(test.pvalue), len(has) + len(lacks)))
            if grades is not None:
                joined = measured.join(grades, on="la_code")
                for test, statistic, p, n in grade_tests(joined[measure].to_list(), joined["grade"].to_list()):
                    rows.append(_association(variant, measure, "ofsted_overall_grade", test, statistic, p, n))
    return rows


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


def _association(variant, measure, factor, test, statistic, p, n) -> dict:
    return {"variant": variant, "measure": measure, "factor": factor, "test": test,
            "statistic": statistic, "p_value": p, "n": n}


def _periods(settings: ChangeInRateSettings, panel_years: dict[str, int]) -> list[tuple[str, int, int]]:
    periods = []
    for nation, fixed in settings.periods.items():
        for first, last in fixed:
            periods.append((nation, int(first), int(last)))
        if settings.latest_years and nation in panel_years:
            latest = panel_years[nation]
            periods.append((nation, latest - settings.latest_years + 1, latest))
    return list(dict.fromkeys(periods))


def _grades_at(inputs: AnalysisInputs, year: int) -> pl.DataFrame | None:
    grades = inputs.ofsted_in_force.filter((pl.col("year") == year) & pl.col("overall_grade_ordinal").is_not_null())
    if grades.is_empty():
        return None
    return grades.select("la_code", pl.col("overall_grade_ordinal").alias("grade"))


def _box_plot(changes: pl.DataFrame, indicator: str, nation: str, first: int, last: int,
              inputs: AnalysisInputs) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    regions = sorted(changes["region"].drop_nulls().unique().to_list())
    for ax, measure, label in ((axes[0], "avg_rate", "average rate per 10,000"),
                               (axes[1], "avg_change", "average yearly change per 10,000")):
        data = [changes.filter((pl.col("region") == r) & pl.col(measure).is_not_null())[measure].to_list() for r in regions]
        ax.boxplot(data, tick_labels=regions, orientation="horizontal")
        ax.set_xlabel(label)
    fig.suptitle(f"{indicator}: {nation} LAs by region, {first}-{last}"
                 + (f"\n{SYNTHETIC_LABEL}" if inputs.synthetic else ""))
    return save_figure_atomic(fig, inputs.charts_dir / f"change_in_rate_{indicator}_{nation}_{first}_{last}.png".lower())


def run(inputs: AnalysisInputs, config: dict) -> AnalysisOutput:
    settings = parse_config(config)
    output = AnalysisOutput("change_in_rate")
    panel = inputs.panel.filter(pl.col("geography") == settings.geography)
    latest = dict(panel.filter(pl.col("indicator").is_in(list(settings.indicators)) & pl.col("value").is_not_null())
                  .group_by("nation").agg(pl.col("year").max()).iter_rows())
    subregion = panel.select("la_code", "london_subregion").unique("la_code")
    change_frames, coverage_rows, association_rows = [], [], []
    for nation, first, last in _periods(settings, latest):
        grades = _grades_at(inputs, last) if nation == "England" else None
        factor_changes = {
            factor: la_changes(select_values(panel, settings.geography, settings.exclude_la_codes, [factor], (first, last), nation)
                               .select("la_code", "year", "value"), settings.tolerance)
            for factor in settings.continuous_factors
        }
        factor_changes = {f: c for f, c in factor_changes.items() if c.height}
        for indicator in settings.indicators:
            values = select_values(panel, settings.geography, settings.exclude_la_codes, [indicator], (first, last), nation)
            if values.is_empty():
                continue
            values = values.join(subregion, on="la_code", how="left").select(
                "la_code", "la_name", "nation", pl.col("region").alias("region_name"), summary_region(),
                "indicator", "year", "value",
            )
            changes = la_changes(values, settings.tolerance)
            changes = changes.with_columns(pl.lit(settings.geography).alias("geography"),
                                           pl.lit(first).alias("period_start"), pl.lit(last).alias("period_end"))
            excluded = {code: "excluded by configuration" for code in settings.exclude_la_codes
                        if code in set(panel.filter(pl.col("nation") == nation)["la_code"].to_list())}
            excluded |= {r["la_code"]: "no two consecutive years with a value" for r in
                         changes.filter(pl.col("avg_change").is_null()).iter_rows(named=True)}
            coverage_rows.append({
                "indicator": indicator, "geography": settings.geography, "nation": nation,
                "period_start": first, "period_end": last,
                "n_las": changes.filter(pl.col("avg_change").is_not_null()).height,
                "years_used": format_years(values["year"].to_list()),
                "las_excluded": "; ".join(f"{c} ({r})" for c, r in sorted(excluded.items())),
            })
            change_frames.append(changes)
            for row in associations(changes, factor_changes, set(settings.binary_factor_la_codes),
                                    settings.binary_factor_name, grades):
                association_rows.append({"indicator": indicator, "geography": settings.geography, "nation": nation,
                                         "period_start": first, "period_end": last, **row})
            if indicator in settings.box_plot_indicators:
                output.charts.append(_box_plot(changes, indicator, nation, first, last, inputs))
            _headline(output, changes, indicator, nation, first, last, settings.top_bottom)
    columns = ["indicator", "geography", "nation", "period_start", "period_end", "la_code", "la_name", "region",
               "n_years", "years_used", "avg_rate", "avg_change", "direction"]
    changes = (pl.concat(change_frames).select(columns) if change_frames
               else pl.DataFrame(schema={c: pl.String for c in columns}))
    keys = ["indicator", "geography", "nation", "period_start", "period_end"]
    output.tables += [
        AnalysisTable("analysis.change_in_rate", changes, CHANGE_DESCRIPTION, CHANGE_COLUMNS),
        AnalysisTable("analysis.change_in_rate_by_region", region_summaries(changes, keys) if change_frames else
                      pl.DataFrame(schema={c: pl.String for c in BY_REGION_COLUMNS}), BY_REGION_DESCRIPTION, BY_REGION_COLUMNS),
        AnalysisTable("analysis.change_in_rate_coverage", pl.DataFrame(coverage_rows, schema=COVERAGE_SCHEMA),
                      "Inputs of each change-in-rate calculation: LAs with an average change, years, LAs left out and why.",
                      {**{k: CHANGE_COLUMNS[k] for k in keys}, **COVERAGE_COLUMNS}),
        AnalysisTable("analysis.change_in_rate_associations", pl.DataFrame(association_rows, schema=ASSOCIATION_SCHEMA),
                      ASSOCIATION_DESCRIPTION, ASSOCIATION_COLUMNS),
    ]
    return output


def _headline(output: AnalysisOutput, changes: pl.DataFrame, indicator: str, nation: str, first: int, last: int, k: int) -> None:
    with_change = changes.filter(pl.col("avg_change").is_not_null()).sort("avg_change")
    if with_change.is_empty():
        return
    rising = (with_change["direction"] == INCREASE).mean() * 100
    top = ", ".join(with_change.tail(k)["la_name"].reverse().to_list())
    bottom = ", ".join(with_change.head(k)["la_name"].to_list())
    output.headlines.append(
        f"{nation} {first}-{last}, {indicator}: mean of LA average rates {with_change['avg_rate'].mean():.1f}, "
        f"mean average change {with_change['avg_change'].mean():+.2f} a year over {with_change.height} LAs; "
        f"{rising:.0f}% increasing. Largest rises: {top}. Largest falls: {bottom}."
    )


CHANGE_DESCRIPTION = ("Per indicator, geography, period and LA: the average rate over the period and the average "
                      "year-on-year change (methods.md section 4), and whether the rate rose, stayed or fell.")
CHANGE_COLUMNS = {
    "indicator": "Indicator id (mart.indicator_dictionary).",
    "geography": "Panel geography used: current (today's boundaries) or as_published.",
    "nation": "England or Wales.",
    "period_start": "First year (ending 31 March) of the period.",
    "period_end": "Last year (ending 31 March) of the period.",
    "la_code": "GSS code of the LA.",
    "la_name": "LA name.",
    "region": "English region, with London split into Inner and Outer London; Wales for Welsh LAs.",
    "n_years": "Years of the period with a published value.",
    "years_used": "Those years, e.g. '2012-2017' or '2012, 2014-2017'.",
    "avg_rate": "Mean of the published values over the period.",
    "avg_change": "Mean of the year-on-year differences over consecutive years with values (= (r_b - r_a)/(b - a) with no gap); NULL with fewer than two consecutive years.",
    "direction": "increase / no change / decrease: no change when |avg_change| is below the configured tolerance.",
}
BY_REGION_DESCRIPTION = ("Per indicator, geography, period, region (London split into Inner and Outer; 'All' = the "
                         "nation) and measure: the spread of the LA-level average rates and average changes.")
BY_REGION_COLUMNS = {
    **{k: CHANGE_COLUMNS[k] for k in ("indicator", "geography", "nation", "period_start", "period_end")},
    "region": "Region (Inner London, Outer London, other English regions, Wales) or 'All' for the whole nation.",
    "measure": "avg_rate or avg_change (see analysis.change_in_rate).",
    "n": "LAs with a value of the measure.",
    "min": "Smallest LA value of the measure.",
    "max": "Largest LA value of the measure.",
    "mean": "Mean of the LA values (unweighted).",
    "sd": "Sample standard deviation of the LA values.",
    "percent_increase": "Percent of the LAs whose direction is increase.",
    "percent_no_change": "Percent of the LAs whose direction is no change.",
    "percent_decrease": "Percent of the LAs whose direction is decrease.",
}
COVERAGE_SCHEMA = {"indicator": pl.String, "geography": pl.String, "nation": pl.String, "period_start": pl.Int64,
                   "period_end": pl.Int64, "n_las": pl.Int64, "years_used": pl.String, "las_excluded": pl.String}
ASSOCIATION_DESCRIPTION = ("Associations of each LA's average rate and average change with factors over the same "
                           "period: Spearman (continuous factors, Ofsted grade), Mann-Whitney U (binary factor), "
                           "Kruskal-Wallis (Ofsted grade groups); all LAs and excluding London.")
ASSOCIATION_SCHEMA = {**{k: COVERAGE_SCHEMA[k] for k in ("indicator", "geography", "nation", "period_start", "period_end")},
                      "variant": pl.String, "measure": pl.String, "factor": pl.String, "test": pl.String,
                      "statistic": pl.Float64, "p_value": pl.Float64, "n": pl.Int64}
ASSOCIATION_COLUMNS = {
    **{k: CHANGE_COLUMNS[k] for k in ("indicator", "geography", "nation", "period_start", "period_end")},
    "variant": "Sensitivity variant: all LAs or excluding London.",
    "measure": "The LA measure tested: avg_rate or avg_change of the indicator.",
    "factor": "The factor: an indicator with its measure over the same period, the binary factor's name, or the Ofsted overall grade in force at 31 March of period_end (1 Outstanding .. 4 Inadequate).",
    "test": "spearman (statistic = rho), mann_whitney_u (U) or kruskal_wallis (H).",
    "statistic": "The test statistic; NULL with fewer than 3 LAs.",
    "p_value": "Two-sided p-value.",
    "n": "LAs in the test.",
}
