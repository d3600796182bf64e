"""methods.md section 2: Spearman correlations among indicators across LAs, per year, and of deprivation residuals.

Per nation (England and Wales apart) and year: Spearman's rho between every pair of the configured
indicators over the LAs with both values (pairs with fewer than ``min_las`` such LAs are not
tested), and the deprivation measure of the edition in force for that year (the latest at or
before it, else the earliest) as one more indicator. Benjamini-Hochberg adjusts the p-values over
all pairs and years of a nation. A pair is stable when it is significant, with one sign, in at
least k years (fewer for indicators with short series such as the workforce census). The same
correlations of the per-year deprivation residuals (section 3, with the deprivation section's
settings) show which indicators move together beyond what deprivation explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import polars as pl
from scipy import stats

from csc_pipeline.analysis import deprivation
from csc_pipeline.analysis.family_config import parse_settings, require
from csc_pipeline.analysis.panel_frames import COVERAGE_COLUMNS, Coverage, configured_exclusions, count_apportioned_sets_once, format_years, match_edition, select_values
from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput, AnalysisTable, ChartRequest, FamilySpec

FAMILY = "correlations"
WORKFORCE_PREFIX = "sw_"  # the children's social work workforce census: a short series (from 2016/17)


@dataclass(frozen=True)
class CorrelationSettings:
    geography: str
    exclude_la_codes: tuple
    nations: tuple
    indicators: tuple
    # Correlate the deprivation measure of the deprivation section (per nation, edition in force) too.
    include_deprivation_measure: bool
    years: tuple | None  # [first, last]; None: all years
    min_las: int  # a pair is tested in a year only with at least this many LAs having both values
    alpha: float
    min_years_significant: int
    # Indicators with short series: a pair involving one needs only short_series_min_years significant years.
    # None: the workforce (sw_*) indicators of `indicators`.
    short_series_indicators: tuple | None
    short_series_min_years: int
    heatmap_years: int  # heatmaps of the latest N years of each nation (0: none)
    headline_indicator: str  # headline: its rho with the deprivation measure, latest year
    # The deprivation section's settings (period, measures, nations, exclusions): the wrapper passes them
    # here so the residuals are the ones the deprivation family computes. None: deprivation defaults.
    deprivation: dict | None = None

    def __post_init__(self):
        require(self.geography in ("current", "as_published"), f"{FAMILY}.geography", f"expected 'current' or 'as_published', got {self.geography!r}")
        require(all(n in ("England", "Wales") for n in self.nations), f"{FAMILY}.nations", f"expected England and/or Wales, got {list(self.nations)!r}")
        require(len(self.indicators) >= 1 and all(isinstance(i, str) for i in self.indicators), f"{FAMILY}.indicators", "expected a list of indicator ids")
        require(self.years is None or (len(self.years) == 2 and all(isinstance(y, int) for y in self.years) and self.years[0] <= self.years[1]),
                f"{FAMILY}.years", f"expected [first_year, last_year] or null, got {self.years!r}")
        require(self.min_las >= 3, f"{FAMILY}.min_las", "expected at least 3 (Spearman needs 3 LAs)")
        require(0 < self.alpha < 1, f"{FAMILY}.alpha", "expected a probability between 0 and 1")
        require(self.min_years_significant >= 1, f"{FAMILY}.min_years_significant", "expected at least 1")
        require(self.short_series_min_years >= 1, f"{FAMILY}.short_series_min_years", "expected at least 1")
        require(self.heatmap_years >= 0, f"{FAMILY}.heatmap_years", "expected a non-negative number")

    @property
    def short_series(self) -> set[str]:
        if self.short_series_indicators is not None:
            return set(self.short_series_indicators)
        return {i for i in self.indicators if i.startswith(WORKFORCE_PREFIX)}

    def deprivation_config(self) -> dict:
        """The deprivation settings for the residuals, fitted for this family's indicators (minus the measures)."""
        config = {"geography": self.geography, "exclude_la_codes": list(self.exclude_la_codes), **(self.deprivation or {})}
        measures = set(deprivation.parse_config(config).measures.values())
        return {**config, "indicators": [i for i in self.indicators if i not in measures], "composite": []}


def parse_config(config: dict | None) -> CorrelationSettings:
    return parse_settings(CorrelationSettings, config, FAMILY)


# -- statistics (pure functions) -------------------------------------------------------------------


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (step-up: min over j >= i of p_(j) m / j, capped at 1), input order."""
    p = np.asarray(p_values, float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _columns(wide: pl.DataFrame, indicators: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """la_code, and per indicator its values and where it has one, as numpy arrays: the pairs below are
    masks over them, not a polars select per pair (hundreds of pairs per year)."""
    codes = wide["la_code"].to_numpy()
    values = {c: wide[c].cast(pl.Float64).to_numpy() for c in indicators}
    present = {c: wide[c].is_not_null().to_numpy() for c in indicators}
    return codes, values, present


def pairwise_spearman(wide: pl.DataFrame, indicators: list[str], min_las: int) -> list[dict]:
    """Spearman rho and p for each pair of ``indicators`` (columns of ``wide``, one row per LA, with la_code).

    Pairwise complete LAs; pairs with fewer than ``min_las`` of them, or a constant column, are left out.
    Returns dicts with indicator_a, indicator_b, n, rho, p_value, las_used, las_missing ({code: missing indicator}).
    """
    codes, values, present = _columns(wide, indicators)
    rows = []
    for a, b in combinations(indicators, 2):
        both = present[a] & present[b]
        x, y = values[a][both], values[b][both]
        if len(x) < min_las or len(np.unique(x)) < 2 or len(np.unique(y)) < 2:
            continue
        result = stats.spearmanr(x, y)
        missing = {code: (a if not has_a else b) for code, has_a, in_both in zip(codes, present[a], both) if not in_both}
        rows.append({"indicator_a": a, "indicator_b": b, "n": len(x), "rho": float(result.statistic),
                     "p_value": float(result.pvalue), "las_used": set(codes[both].tolist()), "las_missing": missing})
    return rows


TESTED = "tested"


def untested_pairs(wide: pl.DataFrame, indicators: list[str], min_las: int) -> list[dict]:
    """The pairs ``pairwise_spearman`` leaves out although some LAs have both values: indicator_a,
    indicator_b, n, las_used, status (why not tested). Pairs no LA has both of are not listed."""
    codes, values, present = _columns(wide, indicators)
    rows = []
    for a, b in combinations(indicators, 2):
        both = present[a] & present[b]
        n = int(both.sum())
        if n == 0:
            continue
        if n < min_las:
            status = f"n below minimum ({n} LAs < min_las {min_las}): not tested"
        elif len(np.unique(values[a][both])) < 2 or len(np.unique(values[b][both])) < 2:
            status = "not tested: one indicator takes a single value over the LAs"
        else:
            continue
        rows.append({"indicator_a": a, "indicator_b": b, "n": n, "las_used": set(codes[both].tolist()), "status": status})
    return rows


def stable_pairs(correlations: pl.DataFrame, alpha: float, k: int, short_series: set[str], short_k: int) -> pl.DataFrame:
    """Per nation and pair: years tested and significant (raw and BH p < alpha), median rho, sign agreement, stability.

    ``correlations``: nation, indicator_a, indicator_b, year, rho, p_value, p_value_bh. A pair is stable
    when it is significant in at least k years (short_k if either indicator is in ``short_series``) and
    rho has the same sign in every significant year.
    """
    rows = []
    keys = ["nation", "indicator_a", "indicator_b"]
    for key, group in correlations.sort("year").group_by(keys, maintain_order=True):
        years, rho = group["year"].to_list(), group["rho"].to_numpy()
        median = float(np.median(rho))
        k_required = short_k if short_series & {key[1], key[2]} else k
        row = dict(zip(keys, key)) | {
            "k_required": k_required, "years_tested": len(years), "years_tested_list": format_years(years),
            "median_rho": median, "sign_consistency": float(max(np.mean(rho > 0), np.mean(rho < 0))),
        }
        for suffix, column in (("", "p_value"), ("_bh", "p_value_bh")):
            significant = group[column].to_numpy() < alpha
            row[f"years_significant{suffix}"] = int(significant.sum())
            row[f"years_significant{suffix}_list"] = format_years([y for y, s in zip(years, significant) if s])
            row[f"stable{suffix}"] = bool(significant.sum() >= k_required and len(set(np.sign(rho[significant]))) == 1)
        rows.append(row)
    frame = pl.DataFrame(rows, schema=STABLE_SCHEMA)
    return frame.sort(pl.col("nation"), pl.col("stable"), pl.col("median_rho").abs(), descending=[False, True, True])


def with_bh(correlations: pl.DataFrame, alpha: float) -> pl.DataFrame:
    """Add p_value_bh (Benjamini-Hochberg over every pair and year of a nation tested) and the significance flags;
    rows not tested (no p-value) keep NULLs."""
    tested = correlations.filter(pl.col("p_value").is_not_null())
    frames = [group.with_columns(pl.Series("p_value_bh", benjamini_hochberg(group["p_value"].to_numpy())))
              for _, group in tested.group_by("nation", maintain_order=True)]
    untested = correlations.filter(pl.col("p_value").is_null()).with_columns(pl.lit(None, pl.Float64).alias("p_value_bh"))
    adjusted = pl.concat([*frames, untested]) if frames else untested
    return adjusted.with_columns((pl.col("p_value") < alpha).alias("significant"), (pl.col("p_value_bh") < alpha).alias("significant_bh"))


# -- inputs per nation and year --------------------------------------------------------------------


@dataclass
class _YearFrame:
    nation: str
    year: int
    wide: pl.DataFrame  # la_code + one column per indicator
    indicators: list[str]  # in the configured order, the deprivation measure last
    excluded: dict[str, str]  # configured exclusions present in the panel
    edition: str | None = None  # deprivation edition(s) matched to the year


def _correlation_rows(frame: _YearFrame, min_las: int, missing_what: str) -> list[dict]:
    """One row per pair tested, and per pair left untested although some LAs have both values (status says why)."""
    rows = []
    for result in pairwise_spearman(frame.wide, frame.indicators, min_las):
        excluded = dict(frame.excluded) | {code: f"no {ind} {missing_what} in {frame.year}" for code, ind in result["las_missing"].items()}
        involves_measure = frame.edition is not None and frame.indicators[-1] in (result["indicator_a"], result["indicator_b"])
        rows.append({
            "nation": frame.nation, "year": frame.year, "indicator_a": result["indicator_a"], "indicator_b": result["indicator_b"],
            "n": result["n"], "rho": result["rho"], "p_value": result["p_value"], "status": TESTED,
            "deprivation_edition": frame.edition if involves_measure else None,
            **Coverage(result["las_used"], {frame.year}, excluded).values(),
        })
    for result in untested_pairs(frame.wide, frame.indicators, min_las):
        rows.append({
            "nation": frame.nation, "year": frame.year, "indicator_a": result["indicator_a"], "indicator_b": result["indicator_b"],
            "n": result["n"], "rho": None, "p_value": None, "status": result["status"], "deprivation_edition": None,
            **Coverage(result["las_used"], {frame.year}, dict(frame.excluded)).values(),
        })
    return rows


def _panel_year_frames(inputs: AnalysisInputs, settings: CorrelationSettings, measures: dict[str, str]) -> list[_YearFrame]:
    frames = []
    for nation in settings.nations:
        values, _ = count_apportioned_sets_once(select_values(inputs.panel, settings.geography, settings.exclude_la_codes, settings.indicators,
                                                             settings.years, nation), inputs.panel, inputs.apportionment_weights)
        if values.is_empty():
            continue
        measure = measures.get(nation) if settings.include_deprivation_measure else None
        scores = select_values(inputs.panel, settings.geography, settings.exclude_la_codes, [measure], nation=nation) if measure else None
        if measure:  # the measure comes in matched to each year's edition, not as raw edition-year values
            values = values.filter(pl.col("indicator") != measure)
        excluded = configured_exclusions(inputs.panel, settings.geography, settings.exclude_la_codes, nation)
        for (year,), rows in values.group_by(["year"], maintain_order=True):
            wide = rows.pivot(on="indicator", index="la_code", values="value")
            indicators = [i for i in settings.indicators if i in wide.columns]
            edition = None
            if scores is not None and not scores.is_empty():
                matched = match_edition(scores.select("la_code", "year", "value"), int(year)).rename({"value": measure})
                wide = wide.join(matched.drop("edition"), on="la_code", how="left")
                edition = format_years(matched.join(wide.select("la_code"), on="la_code")["edition"].to_list())
                indicators.append(measure)
            frames.append(_YearFrame(nation, int(year), wide, indicators, excluded, edition))
    return sorted(frames, key=lambda f: (f.nation, f.year))


def _residual_year_frames(residuals: pl.DataFrame, panel: pl.DataFrame, settings: deprivation.DeprivationSettings,
                          indicators: tuple, nations: tuple) -> list[_YearFrame]:
    excluded = {nation: configured_exclusions(panel, settings.geography, settings.exclude_la_codes, nation) for nation in nations}
    frames = []
    for (nation, year), rows in residuals.filter(pl.col("nation").is_in(list(nations))).group_by(["nation", "year"], maintain_order=True):
        wide = rows.pivot(on="indicator", index="la_code", values="residual")
        frames.append(_YearFrame(nation, int(year), wide, [i for i in indicators if i in wide.columns], excluded[nation]))
    return sorted(frames, key=lambda f: (f.nation, f.year))


# -- the family ------------------------------------------------------------------------------------


def run(inputs: AnalysisInputs, config: dict) -> AnalysisOutput:
    settings = parse_config(config)
    output = AnalysisOutput(FAMILY)
    deprivation_config = settings.deprivation_config()
    deprivation_settings = deprivation.parse_config(deprivation_config)
    measures = dict(deprivation_settings.measures)

    year_frames = _panel_year_frames(inputs, settings, measures)
    rows = [row for frame in year_frames for row in _correlation_rows(frame, settings.min_las, "value")]
    by_year = with_bh(pl.DataFrame(rows, schema=BY_YEAR_SCHEMA), settings.alpha).select(list(BY_YEAR_COLUMNS)).sort("nation", "year")
    tested = by_year.filter(pl.col("status") == TESTED)
    stable = stable_pairs(tested, settings.alpha, settings.min_years_significant, settings.short_series, settings.short_series_min_years)

    residuals = deprivation.deprivation_residuals(inputs, deprivation_config)
    residual_frames = _residual_year_frames(residuals, inputs.panel, deprivation_settings, settings.indicators, settings.nations)
    residual_rows = [row for frame in residual_frames for row in _correlation_rows(frame, settings.min_las, "deprivation residual")]
    residual = with_bh(pl.DataFrame(residual_rows, schema=BY_YEAR_SCHEMA), settings.alpha).with_columns(
        pl.col("nation").replace_strict(measures, default=None).alias("deprivation_measure")
    ).select(list(RESIDUAL_COLUMNS)).sort("nation", "year")
    residual_tested = residual.filter(pl.col("status") == TESTED)

    output.tables += [
        AnalysisTable("analysis.correlations_by_year", by_year, BY_YEAR_DESCRIPTION, BY_YEAR_COLUMNS),
        AnalysisTable("analysis.correlation_stable_pairs", stable, STABLE_DESCRIPTION, STABLE_COLUMNS),
        AnalysisTable("analysis.residual_correlations", residual, RESIDUAL_DESCRIPTION, RESIDUAL_COLUMNS),
    ]
    _charts(output, inputs, settings, year_frames, tested, stable, residual_frames, residual_tested)
    _headlines(output, settings, year_frames, tested, stable, residual_tested, measures)
    untested = by_year.height - tested.height
    if untested:
        output.headlines.append(f"{untested} pair-years with fewer than min_las = {settings.min_las} LAs (or a constant indicator) "
                                "are listed in analysis.correlations_by_year with their status, not tested.")
    return output


def _charts(output, inputs, settings, year_frames, by_year, stable, residual_frames, residual) -> None:
    for nation in settings.nations:
        frames = [f for f in year_frames if f.nation == nation]
        # the latest years with at least half the indicators: not a year only one collection has reached yet
        most = max((len(f.indicators) for f in frames), default=0)
        frames = [f for f in frames if len(f.indicators) >= max(2, (most + 1) // 2)]
        for frame in frames[-settings.heatmap_years:] if settings.heatmap_years else []:
            rows = by_year.filter((pl.col("nation") == nation) & (pl.col("year") == frame.year))
            if rows.height:
                output.chart_requests.append(ChartRequest("heatmap", inputs.charts_dir / f"correlations_{nation}_{frame.year}.png".lower(), {
                    "rows": rows, "indicators": frame.indicators, "title": f"{nation} {frame.year}: Spearman correlations across LAs"}))
        nation_stable = stable.filter((pl.col("nation") == nation) & pl.col("stable"))
        if nation_stable.height:
            output.chart_requests.append(ChartRequest("stable_pairs", inputs.charts_dir / f"correlations_stable_pairs_{nation}.png".lower(), {
                "stable": nation_stable, "title": f"{nation}: stable pairs (p < {settings.alpha} with one sign in at least k years)"}))
    # one residual heatmap: the latest year of the deprivation period, first nation with residual correlations
    tested = [f for f in residual_frames if residual.filter((pl.col("nation") == f.nation) & (pl.col("year") == f.year)).height]
    if tested:
        frame = [f for f in tested if f.nation == tested[0].nation][-1]
        rows = residual.filter((pl.col("nation") == frame.nation) & (pl.col("year") == frame.year))
        output.chart_requests.append(ChartRequest("heatmap", inputs.charts_dir / f"residual_correlations_{frame.nation}_{frame.year}.png".lower(), {
            "rows": rows, "indicators": frame.indicators, "title": f"{frame.nation} {frame.year}: Spearman correlations of deprivation residuals"}))


def _headlines(output, settings, year_frames, by_year, stable, residual, measures) -> None:
    present = {i for f in year_frames for i in f.indicators}
    absent = [i for i in settings.indicators if i not in present]
    for nation in settings.nations:
        pairs = stable.filter(pl.col("nation") == nation)
        if pairs.height:
            years = by_year.filter(pl.col("nation") == nation)["year"]
            output.headlines.append(
                f"{nation} {years.min()}-{years.max()}: {pairs['stable'].sum()} of {pairs.height} indicator pairs stable "
                f"(p < {settings.alpha} with one sign in at least {settings.min_years_significant} years, "
                f"{settings.short_series_min_years} for short series); {pairs['stable_bh'].sum()} on BH-adjusted p.")
        measure = measures.get(nation)
        pair = {settings.headline_indicator, measure}
        rows = by_year.filter((pl.col("nation") == nation) & pl.concat_list("indicator_a", "indicator_b").list.sort().eq(pl.lit(sorted(pair))))
        if measure and rows.height:
            row = rows.sort("year").row(-1, named=True)
            output.headlines.append(
                f"{nation} {row['year']}: Spearman rho between {measure} (edition {row['deprivation_edition']}) and "
                f"{settings.headline_indicator} = {row['rho']:.2f} (n = {row['n']} LAs, p = {row['p_value']:.2g}, BH p = {row['p_value_bh']:.2g}).")
        nation_residual = residual.filter(pl.col("nation") == nation)
        if nation_residual.height:
            latest = nation_residual.filter(pl.col("year") == nation_residual["year"].max())
            strongest = latest.sort(pl.col("rho").abs(), descending=True).row(0, named=True)
            output.headlines.append(
                f"{nation} {strongest['year']}, deprivation residuals: {latest['significant_bh'].sum()} of {latest.height} pairs "
                f"significant after BH; strongest {strongest['indicator_a']} ~ {strongest['indicator_b']} (rho {strongest['rho']:.2f}, n = {strongest['n']}).")
    if absent:
        output.headlines.append(f"Configured indicators without values (not correlated): {', '.join(absent)}.")


BY_YEAR_SCHEMA = {"nation": pl.String, "year": pl.Int64, "indicator_a": pl.String, "indicator_b": pl.String, "n": pl.Int64,
                  "rho": pl.Float64, "p_value": pl.Float64, "status": pl.String, "deprivation_edition": pl.String,
                  "n_las": pl.Int64, "years_used": pl.String, "las_excluded": pl.String}
BY_YEAR_DESCRIPTION = ("Per nation and year: Spearman correlation across LAs of each pair of the configured indicators (and the "
                       "deprivation measure of the edition in force), over the LAs with both values, with raw and "
                       "Benjamini-Hochberg adjusted p-values (methods.md section 2).")
BY_YEAR_COLUMNS = {
    "nation": "England or Wales (analysed separately).",
    "year": "Year ending 31 March.",
    "indicator_a": "First indicator of the pair (panel indicator id; the deprivation measure comes last).",
    "indicator_b": "Second indicator of the pair.",
    "n": "LAs with both values in the year (pairwise complete); pairs with fewer than min_las are not tested (status).",
    "status": "tested, or why not ('n below minimum (...)': fewer than min_las LAs with both values; a constant indicator): such rows have no rho or p and are not findings.",
    "rho": "Spearman's rank correlation coefficient (scipy.stats.spearmanr); NULL when not tested.",
    "p_value": "Two-sided p-value of rho against 0 (t approximation, scipy).",
    "p_value_bh": "Benjamini-Hochberg adjusted p-value over every pair and year tested for the nation in this table.",
    "significant": "p_value < alpha (default 0.05).",
    "significant_bh": "p_value_bh < alpha.",
    "deprivation_edition": "For pairs with the deprivation measure: its edition(s) used, the latest at or before the year (else the earliest); null otherwise.",
    **COVERAGE_COLUMNS,
}
STABLE_SCHEMA = {"nation": pl.String, "indicator_a": pl.String, "indicator_b": pl.String, "k_required": pl.Int64,
                 "years_tested": pl.Int64, "years_tested_list": pl.String, "median_rho": pl.Float64, "sign_consistency": pl.Float64,
                 "years_significant": pl.Int64, "years_significant_list": pl.String, "stable": pl.Boolean,
                 "years_significant_bh": pl.Int64, "years_significant_bh_list": pl.String, "stable_bh": pl.Boolean}
STABLE_DESCRIPTION = ("Per nation and indicator pair of analysis.correlations_by_year: in how many years the correlation was "
                      "significant (raw and BH-adjusted p < alpha), its median rho, and whether it is stable: significant "
                      "with one sign in at least k years (k = 2 for pairs with a short-series indicator such as the workforce). "
                      "Stable pairs first.")
STABLE_COLUMNS = {
    "nation": "England or Wales.",
    "indicator_a": "First indicator of the pair.",
    "indicator_b": "Second indicator of the pair.",
    "k_required": "Significant years needed to be stable: min_years_significant, or short_series_min_years when either indicator is a short series.",
    "years_tested": "Years the pair was tested (at least min_las LAs with both values).",
    "years_tested_list": "Those years, e.g. '2010-2025'.",
    "median_rho": "Median of rho over the years tested.",
    "sign_consistency": "Share of the years tested in which rho has its more common sign (1: the same sign every year).",
    "years_significant": "Years with raw p < alpha.",
    "years_significant_list": "Those years.",
    "stable": "years_significant >= k_required and rho of one sign in every significant year.",
    "years_significant_bh": "Years with BH-adjusted p < alpha.",
    "years_significant_bh_list": "Those years.",
    "stable_bh": "As stable, counted on the BH-adjusted p-values.",
}
RESIDUAL_DESCRIPTION = ("Per nation and year of the deprivation period: Spearman correlations across LAs of the deprivation "
                        "residuals (observed - expected from the OLS on the deprivation measure, methods.md section 3, fitted "
                        "per year with the deprivation section's settings) of each pair of the configured indicators: which "
                        "indicators move together beyond what deprivation explains. Raw and BH-adjusted p-values.")
RESIDUAL_COLUMNS = {
    **{k: v for k, v in BY_YEAR_COLUMNS.items() if k not in ("deprivation_edition", *COVERAGE_COLUMNS)},
    "n": "LAs with a deprivation residual for both indicators in the year; pairs with fewer than min_las are not tested (status).",
    "rho": "Spearman's rank correlation of the two indicators' deprivation residuals (scipy.stats.spearmanr); NULL when not tested.",
    "p_value_bh": "Benjamini-Hochberg adjusted p-value over every residual pair and year tested for the nation.",
    "deprivation_measure": "The deprivation measure the residuals are adjusted for (deprivation section's measures).",
    **COVERAGE_COLUMNS,
}


SPEC = FamilySpec("correlations", "2. Correlations", run, parse_config, reads=("deprivation",))
