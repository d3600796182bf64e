"""methods.md section 3: deprivation adjustment, the composite outlier score and funnel plots.

Per nation (England and Wales apart), for each indicator: OLS of the LA value (mean over the
configured period) on the deprivation measure of the edition in force (the latest edition at or
before the period's last year, else the earliest). The residual (observed - expected) and the
internally studentised residual are kept per LA. Rates of a count per child population and counts
themselves are also fitted as Poisson and negative binomial (NB2) models of the period's summed
count with log(summed population) offset, giving observed / expected ratios.

Over 500 lines: one family's statistics (the model fits, the composite score and the funnel positions
share its settings, inputs and exclusions); its tables are deprivation_tables.py, its charts
charts/deprivation.py, the control limits funnel.py.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from csc_pipeline.analysis import funnel
from csc_pipeline.analysis.family_config import parse_settings, require
from csc_pipeline.analysis.deprivation_tables import (
    CHOICE_COLUMNS,
    COEFFICIENT_COLUMNS,
    COMPOSITE_COLUMNS,
    COUNT_COLUMNS,
    RESIDUAL_COLUMNS,
    SKIPPED_COLUMNS,
    funnel_columns,
)
from csc_pipeline.analysis.panel_frames import ApportionedSets, COVERAGE_COLUMNS, Coverage, configured_exclusions, match_edition, select_values
from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput, AnalysisTable, ChartRequest, FamilySpec

FAMILY = "deprivation"
MULTIPLIERS = {"rate": 10_000.0, "percent": 100.0}
NATIONS = ("England", "Wales")  # the panel's nation values; any other name would match no rows


@dataclass(frozen=True)
class FunnelSettings:
    indicators: tuple
    # None: the period's last year; a nation without values that year gets its latest year with values (year_rule says so)
    year: int | None
    target: str  # or deprivation_expected
    levels: tuple
    # additive (Spiegelhalter 2005) by default: LA rates vary far beyond chance, and exact limits alone flag most LAs;
    # the exact limits stay in the table (exact_* columns). none: exact limits only; or multiplicative.
    overdispersion: str
    label_max: int  # LAs named on a chart: the furthest outside the widest limits (all stay in the table)

    def __post_init__(self):
        require(isinstance(self.label_max, int) and self.label_max >= 0, "funnel.label_max", f"expected a non-negative whole number, got {self.label_max!r}")
        require(self.target in ("national", "deprivation_expected"), "funnel.target", f"expected 'national' or 'deprivation_expected', got {self.target!r}")
        require(self.overdispersion in funnel.OVERDISPERSION_METHODS, "funnel.overdispersion", f"expected one of {funnel.OVERDISPERSION_METHODS}, got {self.overdispersion!r}")
        require(len(self.levels) > 0 and all(isinstance(v, (int, float)) and 0 < v < 1 for v in self.levels), "funnel.levels", "expected probabilities between 0 and 1")
        require(all(isinstance(i, str) for i in self.indicators), "funnel.indicators", "expected a list of indicator ids")


@dataclass(frozen=True)
class DeprivationSettings:
    geography: str
    exclude_la_codes: tuple
    nations: tuple
    measures: dict
    period: tuple
    indicators: tuple
    # an entry that is a list names alternatives: the first one with values is used
    composite: tuple
    outliers_per_group: int
    population_indicator: str
    confidence_level: float
    min_las: int  # fits on fewer LAs are reported with status 'n below minimum', never as findings (fewer than 3: not fitted)
    nb2_test_level: float  # NB2 is kept only when the boundary LR test of alpha = 0 rejects at this level
    funnel: FunnelSettings

    def __post_init__(self):
        require(self.geography in ("current", "as_published"), "geography", f"expected 'current' or 'as_published', got {self.geography!r}")
        require(len(self.period) == 2 and all(isinstance(y, int) for y in self.period) and self.period[0] <= self.period[1], "period", f"expected [first_year, last_year], got {list(self.period)!r}")
        require(len(self.nations) > 0 and all(n in NATIONS for n in self.nations), "nations", f"expected some of {list(NATIONS)}, got {list(self.nations)!r}")
        require(all(n in self.measures and isinstance(self.measures[n], str) for n in self.nations), "measures", f"expected a deprivation indicator for every nation in {list(self.nations)}")
        require(self.outliers_per_group >= 0, "outliers_per_group", "expected a non-negative number")
        require(0 < self.confidence_level < 1, "confidence_level", "expected a probability between 0 and 1")
        require(self.min_las >= 3, "min_las", f"expected at least 3 (a line through 2 LAs fits exactly), got {self.min_las!r}")
        require(0 < self.nb2_test_level < 1, "nb2_test_level", f"expected a probability between 0 and 1, got {self.nb2_test_level!r}")
        for entry in self.composite:
            require(isinstance(entry, str) or all(isinstance(e, str) for e in entry), "composite", f"expected indicator ids or lists of alternatives, got {entry!r}")


def parse_config(config: dict | None) -> DeprivationSettings:
    return parse_settings(DeprivationSettings, config, FAMILY)


# -- model fits (pure functions of arrays) ---------------------------------------------------------


@dataclass(frozen=True)
class OlsFit:
    params: np.ndarray  # intercept, slope
    std_errors: np.ndarray
    ci: np.ndarray  # rows: intercept, slope; columns: lower, upper
    p_values: np.ndarray
    r_squared: float
    fitted: np.ndarray
    residuals: np.ndarray
    standardised_residuals: np.ndarray  # internally studentised: e_i / (s sqrt(1 - h_ii))


def fit_ols(value: np.ndarray, deprivation: np.ndarray, level: float = 0.95) -> OlsFit:
    X = sm.add_constant(np.asarray(deprivation, float), has_constant="add")
    result = sm.OLS(np.asarray(value, float), X).fit()
    return OlsFit(
        params=np.asarray(result.params),
        std_errors=np.asarray(result.bse),
        ci=np.asarray(result.conf_int(1 - level)),
        p_values=np.asarray(result.pvalues),
        r_squared=float(result.rsquared),
        fitted=np.asarray(result.fittedvalues),
        residuals=np.asarray(result.resid),
        standardised_residuals=np.asarray(result.get_influence().resid_studentized_internal),
    )


@dataclass(frozen=True)
class CountFit:
    model: str  # poisson or negative_binomial
    terms: tuple[str, ...]
    params: np.ndarray
    std_errors: np.ndarray
    ci: np.ndarray
    p_values: np.ndarray
    deviance_explained: float | None
    expected: np.ndarray
    log_likelihood: float
    converged: bool


@dataclass(frozen=True)
class OverdispersionTest:
    """Likelihood-ratio test of NB2's alpha against its boundary 0 (the Poisson model).

    Under alpha = 0 the statistic follows a 50:50 mixture of chi2(0) and chi2(1) (alpha cannot be
    negative), so p = 0.5 P(chi2_1 > LR) for LR > 0 and 1 at LR = 0 (Self and Liang 1987).
    """

    lr_statistic: float
    p_value: float
    model_selected: str  # poisson or negative_binomial
    note: str


def boundary_lr_test(poisson_log_likelihood: float, negbin_log_likelihood: float, negbin_converged: bool,
                     test_level: float) -> OverdispersionTest:
    """The deterministic choice between Poisson and NB2: NB2 only when the LR test rejects alpha = 0 at
    ``test_level`` and its fit converged; otherwise the Poisson model is the NB2 fit with alpha = 0.

    A negative LR (an optimiser stopping short of the Poisson likelihood, which NB2 contains) counts as 0,
    so whether the optimiser "converges" at the boundary cannot change the choice.
    """
    lr = max(0.0, 2.0 * (negbin_log_likelihood - poisson_log_likelihood))
    p_value = 0.5 * float(stats.chi2.sf(lr, 1)) if lr > 0 else 1.0
    tested = f"LR = {lr:.3g}, boundary p = {p_value:.3g}"
    if p_value >= test_level:
        return OverdispersionTest(lr, p_value, "poisson", f"alpha at its boundary 0 ({tested} >= {test_level:g}): the Poisson model, alpha = 0")
    if not negbin_converged:
        return OverdispersionTest(lr, p_value, "poisson", f"overdispersion ({tested}) but the NB2 fit did not converge: the Poisson model is reported, its CIs too narrow")
    return OverdispersionTest(lr, p_value, "negative_binomial", f"overdispersion beyond Poisson ({tested} < {test_level:g}): NB2")


def fit_count_models(count: np.ndarray, exposure: np.ndarray, deprivation: np.ndarray, level: float = 0.95) -> list[CountFit]:
    """Poisson GLM and NB2 negative binomial model of ``count`` with log(``exposure``) offset."""
    X = sm.add_constant(np.asarray(deprivation, float), has_constant="add")
    count, offset = np.asarray(count, float), np.log(np.asarray(exposure, float))
    poisson = sm.GLM(count, X, family=sm.families.Poisson(), offset=offset).fit()
    fits = [
        CountFit(
            "poisson", ("intercept", "slope"), np.asarray(poisson.params), np.asarray(poisson.bse), np.asarray(poisson.conf_int(1 - level)),
            np.asarray(poisson.pvalues), float(1 - poisson.deviance / poisson.null_deviance), np.asarray(poisson.fittedvalues),
            float(poisson.llf), bool(poisson.converged),
        )
    ]
    # without overdispersion beyond Poisson alpha runs to its boundary 0 and the fit may or may not
    # converge (depending on the machine); boundary_lr_test decides, not ``converged``
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        negbin = sm.NegativeBinomial(count, X, loglike_method="nb2", offset=offset).fit(disp=0, maxiter=200)
    fits.append(
        CountFit(
            "negative_binomial", ("intercept", "slope", "alpha"), np.asarray(negbin.params), np.asarray(negbin.bse),
            np.asarray(negbin.conf_int(1 - level)), np.asarray(negbin.pvalues), None, np.asarray(negbin.predict(X, offset=offset)),
            float(negbin.llf), bool(negbin.mle_retvals["converged"]),
        )
    )
    return fits


def at_boundary(poisson: CountFit) -> CountFit:
    """The NB2 model with alpha = 0: the Poisson fit's coefficients and expected counts, alpha exactly 0."""
    return CountFit(
        "negative_binomial", ("intercept", "slope", "alpha"), np.append(poisson.params, 0.0), np.append(poisson.std_errors, np.nan),
        np.vstack([poisson.ci, [np.nan, np.nan]]), np.append(poisson.p_values, np.nan), None, poisson.expected, poisson.log_likelihood, True,
    )


# -- per-nation data ------------------------------------------------------------------------------


def _dictionary(inputs: AnalysisInputs) -> pl.DataFrame:
    if inputs.indicator_dictionary is None:
        raise ValueError("deprivation analysis needs AnalysisInputs.indicator_dictionary (mart.indicator_dictionary) for indicator kinds, numerators and denominators")
    return inputs.indicator_dictionary


def _deprivation_scores(inputs: AnalysisInputs, settings: DeprivationSettings, nation: str, year: int) -> pl.DataFrame:
    """la_code, edition, deprivation of the edition in force for ``year``."""
    measure = select_values(inputs.panel, settings.geography, settings.exclude_la_codes, [settings.measures[nation]], nation=nation)
    return match_edition(measure.select("la_code", "year", "value"), year).rename({"value": "deprivation"})


def _period_means(inputs: AnalysisInputs, settings: DeprivationSettings, nation: str, indicators, years) -> pl.DataFrame:
    values = select_values(inputs.panel, settings.geography, settings.exclude_la_codes, indicators, years, nation)
    return values.group_by("la_code", "la_name", "la_group", "indicator").agg(
        pl.col("value").mean().alias("observed"), pl.col("year").n_unique().alias("n_years"), pl.col("year").unique().sort().alias("years")
    )


def _nation_las(inputs: AnalysisInputs, settings: DeprivationSettings, nation: str, years) -> set[str]:
    rows = select_values(inputs.panel, settings.geography, settings.exclude_la_codes, [settings.population_indicator], years, nation)
    return set(rows["la_code"].to_list())


@dataclass
class _Fitted:
    residuals: list[pl.DataFrame] = field(default_factory=list)
    coefficients: list[dict] = field(default_factory=list)
    counts: list[pl.DataFrame] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def _fit_indicator(
    rows: pl.DataFrame, scores: pl.DataFrame, nation: str, indicator: str, measure: str, base: Coverage, settings: DeprivationSettings, out: _Fitted
) -> pl.DataFrame | None:
    coverage = base.copy()
    data = rows.join(scores, on="la_code", how="left")
    for code in data.filter(pl.col("deprivation").is_null())["la_code"].to_list():
        coverage.exclude(code, f"no {measure} value")
    data = data.filter(pl.col("deprivation").is_not_null()).sort("la_code")
    for code in sorted(coverage.la_codes - set(data["la_code"].to_list())):
        coverage.exclude(code, f"no {indicator} value in the period")
    coverage.la_codes = set(data["la_code"].to_list())
    if data.height < 3:
        out.skipped.append({"nation": nation, "indicator": indicator, "reason": f"{data.height} LAs with both {indicator} and {measure}: too few to fit"})
        return None
    if data["deprivation"].n_unique() < 2:
        out.skipped.append({"nation": nation, "indicator": indicator, "reason": f"intercept only: {measure} takes one value over the {data.height} LAs, no slope to fit"})
        return None
    coverage.years = {y for ys in data["years"].to_list() for y in ys}
    fit = fit_ols(data["observed"].to_numpy(), data["deprivation"].to_numpy(), settings.confidence_level)
    editions = ", ".join(map(str, sorted(data["edition"].unique().to_list())))
    for i, term in enumerate(("intercept", measure)):
        out.coefficients.append(
            {"nation": nation, "indicator": indicator, "model": "ols", "term": term, "estimate": fit.params[i], "std_error": fit.std_errors[i],
             "ci_lower": fit.ci[i, 0], "ci_upper": fit.ci[i, 1], "p_value": fit.p_values[i], "r_squared": fit.r_squared,
             "deviance_explained": None, "status": _sample_status(data.height, settings.min_las) or "fitted",
             "deprivation_measure": measure, "deprivation_editions": editions, **coverage.values()}
        )
    residuals = data.select("la_code", "la_name", "la_group", "n_years", "observed", "deprivation", "edition").with_columns(
        pl.lit(nation).alias("nation"), pl.lit(indicator).alias("indicator"), pl.lit(measure).alias("deprivation_measure"),
        pl.Series("expected", fit.fitted), pl.Series("residual", fit.residuals), pl.Series("standardised_residual", fit.standardised_residuals),
        *[pl.lit(v).alias(k) for k, v in coverage.values().items()],
    )
    out.residuals.append(residuals)
    return data


def _fit_counts(
    inputs, settings, nation, indicator, dictionary_row, data: pl.DataFrame, measure: str, years, out: _Fitted
) -> None:
    """Poisson / NB fits for a count, or for a rate's numerator count over the child population."""
    population = settings.population_indicator
    if dictionary_row["kind"] == "count":
        count_indicator = indicator
    elif dictionary_row["kind"] == "rate" and dictionary_row["denominator"] == population and dictionary_row["numerator"]:
        count_indicator = dictionary_row["numerator"]
    else:
        return
    values = select_values(inputs.panel, settings.geography, settings.exclude_la_codes, [count_indicator, population], years, nation)
    wide = values.pivot(on="indicator", index=["la_code", "year"], values="value").drop_nulls()
    if count_indicator not in wide.columns or population not in wide.columns:
        out.skipped.append({"nation": nation, "indicator": indicator, "reason": f"count models: no {count_indicator} with {population} in the period"})
        return
    sums = wide.group_by("la_code").agg(
        pl.col(count_indicator).sum().alias("observed_count"), pl.col(population).sum().alias("exposure"), pl.col("year").unique().alias("years")
    )
    model_data = data.select("la_code", "la_name", "deprivation").join(sums, on="la_code", how="inner").filter(pl.col("exposure") > 0).sort("la_code")
    coverage = Coverage(set(model_data["la_code"].to_list()), {y for ys in model_data["years"].to_list() for y in ys})
    coverage.excluded = dict(configured_exclusions(inputs.panel, settings.geography, settings.exclude_la_codes, nation))
    for code in sorted(set(data["la_code"].to_list()) - coverage.la_codes):
        coverage.exclude(code, f"no {count_indicator} with {population} in the period")
    if model_data.height < 4:
        out.skipped.append({"nation": nation, "indicator": indicator, "reason": f"count models: {model_data.height} LAs, too few to fit"})
        return
    try:
        fits = fit_count_models(model_data["observed_count"].to_numpy(), model_data["exposure"].to_numpy(), model_data["deprivation"].to_numpy(), settings.confidence_level)
    except (np.linalg.LinAlgError, ValueError) as error:
        out.skipped.append({"nation": nation, "indicator": indicator, "reason": f"count models did not fit: {error}"})
        return
    poisson, negbin = fits
    test = boundary_lr_test(poisson.log_likelihood, negbin.log_likelihood, negbin.converged, settings.nb2_test_level)
    if test.model_selected == "poisson":
        negbin = at_boundary(poisson)
    frame = model_data.select("la_code", "la_name", "observed_count", "exposure").with_columns(
        pl.lit(nation).alias("nation"), pl.lit(indicator).alias("indicator"), pl.lit(count_indicator).alias("count_indicator"),
        pl.lit(test.model_selected).alias("model_selected"),
    )
    editions = ", ".join(map(str, sorted(data["edition"].unique().to_list())))
    sample = _sample_status(model_data.height, settings.min_las)
    # the NB2 rows are an edge result (alpha at its boundary, or no converged fit) whenever Poisson is selected
    statuses = {"poisson": sample or "fitted",
                "negative_binomial": "; ".join(filter(None, [sample, test.note])) if test.model_selected == "poisson" else sample or "fitted"}
    for fit in (poisson, negbin):
        frame = frame.with_columns(pl.Series(f"expected_{fit.model}", fit.expected), (pl.col("observed_count") / pl.Series(fit.expected)).alias(f"oe_ratio_{fit.model}"))
        for i, term in enumerate(fit.terms):
            out.coefficients.append(
                {"nation": nation, "indicator": indicator, "model": fit.model, "term": measure if term == "slope" else term,
                 **{k: _finite(v) for k, v in (("estimate", fit.params[i]), ("std_error", fit.std_errors[i]), ("ci_lower", fit.ci[i, 0]),
                                                ("ci_upper", fit.ci[i, 1]), ("p_value", fit.p_values[i]))},
                 "r_squared": None, "deviance_explained": fit.deviance_explained, "model_selected": test.model_selected,
                 "lr_statistic": test.lr_statistic, "lr_p_value": test.p_value, "model_note": test.note, "status": statuses[fit.model],
                 "deprivation_measure": measure, "deprivation_editions": editions, **coverage.values()}
            )
    out.counts.append(frame.with_columns(*[pl.lit(v).alias(k) for k, v in coverage.values().items()]))


def _finite(value: float) -> float | None:
    """NaN (no standard error for alpha fixed at its boundary) as NULL."""
    return None if np.isnan(value) else float(value)


def _sample_status(n: int, min_las: int) -> str | None:
    """A note when a fit rests on fewer LAs than ``min_las`` (reported, not a finding); None otherwise."""
    return f"n below minimum ({n} LAs < min_las {min_las}): not a finding" if n < min_las else None


def _settings_choices(settings: DeprivationSettings) -> dict:
    """The settings the tables were computed with (CHOICE_COLUMNS), as column values."""
    return {"geography": settings.geography, "period": f"{settings.period[0]}-{settings.period[1]}"}


def _indicator_kinds(dictionary: pl.DataFrame) -> dict[str, dict]:
    return {row["indicator"]: row for row in dictionary.iter_rows(named=True)}


def _composite_members(settings: DeprivationSettings, available: set[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The composite's indicators present in ``available``, and (entry, reason) for the ones skipped."""
    members, skipped = [], []
    for entry in settings.composite:
        options = (entry,) if isinstance(entry, str) else entry
        chosen = next((o for o in options if o in available), None)
        if chosen is None:
            skipped.append((" or ".join(options), "no values (or too few LAs to fit) in the period"))
        else:
            members.append(chosen)
    return members, skipped


def composite_scores(residuals: pl.DataFrame, members: list[str], outliers_per_group: int) -> pl.DataFrame:
    """Sum of standardised residuals over ``members`` per LA, ranked within LA-type group (1 = highest).

    LAs lacking any member are left out (they are listed by the caller). ``outlier`` is 'highest' for
    the top ``outliers_per_group`` of a group, 'lowest' for the bottom ones, else null.
    """
    wide = residuals.filter(pl.col("indicator").is_in(members)).group_by("nation", "la_code", "la_name", "la_group").agg(
        pl.col("standardised_residual").sum().alias("composite_score"), pl.col("indicator").n_unique().alias("n_indicators")
    )
    complete = wide.filter(pl.col("n_indicators") == len(members))
    ranked = complete.with_columns(
        pl.col("composite_score").rank("ordinal", descending=True).over("nation", "la_group").cast(pl.Int64).alias("rank_in_group"),
        pl.len().over("nation", "la_group").cast(pl.Int64).alias("group_size"),
    )
    return ranked.with_columns(
        pl.when(pl.col("rank_in_group") <= outliers_per_group).then(pl.lit("highest"))
        .when(pl.col("rank_in_group") > pl.col("group_size") - outliers_per_group).then(pl.lit("lowest"))
        .otherwise(pl.lit(None, pl.String)).alias("outlier")
    ).sort("nation", "la_group", "rank_in_group")


def _fit_all(inputs: AnalysisInputs, settings: DeprivationSettings, years: tuple[int, int], indicators, with_counts: bool) -> _Fitted:
    out = _Fitted()
    kinds = _indicator_kinds(_dictionary(inputs)) if with_counts else {}
    for nation in settings.nations:
        measure = settings.measures[nation]
        scores = _deprivation_scores(inputs, settings, nation, years[1])
        if scores.is_empty():
            out.skipped.extend({"nation": nation, "indicator": i, "reason": f"no {measure} values in the panel"} for i in indicators)
            continue
        base = Coverage(_nation_las(inputs, settings, nation, years), set(range(years[0], years[1] + 1)))
        base.excluded = configured_exclusions(inputs.panel, settings.geography, settings.exclude_la_codes, nation)
        means = _period_means(inputs, settings, nation, indicators, years)
        for indicator in indicators:
            rows = means.filter(pl.col("indicator") == indicator)
            if rows.is_empty():
                out.skipped.append({"nation": nation, "indicator": indicator, "reason": f"no values in {years[0]}-{years[1]}"})
                continue
            data = _fit_indicator(rows, scores, nation, indicator, measure, base, settings, out)
            if data is not None and with_counts and indicator in kinds:
                _fit_counts(inputs, settings, nation, indicator, kinds[indicator], data, measure, years, out)
    return out


def _all_indicators(settings: DeprivationSettings) -> list[str]:
    names = list(settings.indicators)
    for entry in settings.composite:
        names.extend([entry] if isinstance(entry, str) else entry)
    return list(dict.fromkeys(names))


def deprivation_residuals(inputs: AnalysisInputs, config: dict | None) -> pl.DataFrame:
    """Long frame of deprivation residuals for the correlation engine: one OLS per nation, indicator and year of the period.

    Columns: la_code, year, indicator, residual (observed - expected), plus nation and standardised_residual.
    """
    settings = parse_config(config)
    frames = []
    for year in range(settings.period[0], settings.period[1] + 1):
        fitted = _fit_all(inputs, settings, (year, year), _all_indicators(settings), with_counts=False)
        frames.extend(f.select("la_code", pl.lit(year).alias("year"), "indicator", "residual", "nation", "standardised_residual") for f in fitted.residuals)
    if not frames:
        return pl.DataFrame(schema={"la_code": pl.String, "year": pl.Int32, "indicator": pl.String, "residual": pl.Float64, "nation": pl.String, "standardised_residual": pl.Float64})
    return pl.concat(frames).with_columns(pl.col("year").cast(pl.Int32)).sort("indicator", "year", "la_code")


# -- funnel plots ---------------------------------------------------------------------------------


def _funnel_units(inputs, settings, apportioned: ApportionedSets, nation, indicator, row, year) -> pl.DataFrame:
    values, _ = apportioned.count_once(select_values(inputs.panel, settings.geography, settings.exclude_la_codes, [row["numerator"], row["denominator"]],
                                                     (year, year), nation))
    wide = values.pivot(on="indicator", index=["la_code", "la_name"], values="value")
    if row["numerator"] not in wide.columns or row["denominator"] not in wide.columns:
        return pl.DataFrame()
    return wide.select("la_code", "la_name", pl.col(row["numerator"]).alias("numerator"), pl.col(row["denominator"]).alias("denominator")).sort("la_code")


MIN_FUNNEL_LAS = 3  # fewer LAs with values: no funnel that year
CONFIGURED_YEAR = "configured year"  # year_rule when the configured year is drawn


def _funnel_year(inputs, settings, nation, row, year: int) -> tuple[int, str]:
    """The year to draw: ``year`` when at least MIN_FUNNEL_LAS LAs of the nation have the numerator and
    denominator then, else the nation's latest such year (e.g. Wales, whose populations stop before
    England's), with the rule applied as text for the table and the report."""
    values = select_values(inputs.panel, settings.geography, settings.exclude_la_codes, [row["numerator"], row["denominator"]], nation=nation)
    counts = (values.filter(pl.col("value") > 0).group_by("la_code", "year").agg(pl.col("indicator").n_unique().alias("n"))
              .filter(pl.col("n") == 2).group_by("year").len())
    years = sorted(counts.filter(pl.col("len") >= MIN_FUNNEL_LAS)["year"].to_list())
    if year in years or not years:
        return year, CONFIGURED_YEAR
    return years[-1], f"latest year with values: {nation} has fewer than {MIN_FUNNEL_LAS} LAs with {row['numerator']} and {row['denominator']} in {year}"


def _funnels(inputs: AnalysisInputs, settings: DeprivationSettings, output: AnalysisOutput, skipped: list[dict]) -> pl.DataFrame | None:
    options = settings.funnel
    configured_year = options.year or settings.period[1]
    kinds = _indicator_kinds(_dictionary(inputs))
    frames = []
    apportioned = ApportionedSets(inputs.panel, inputs.apportionment_weights)  # derived once for every nation and indicator
    for nation in settings.nations:
        measure = settings.measures[nation]
        configured = configured_exclusions(inputs.panel, settings.geography, settings.exclude_la_codes, nation)
        for indicator in options.indicators:
            row = kinds.get(indicator)
            if row is None or row["kind"] not in MULTIPLIERS or not row["numerator"] or not row["denominator"]:
                skipped.append({"nation": nation, "indicator": indicator, "reason": "funnel: not a rate or percentage with a numerator and denominator in mart.indicator_dictionary"})
                continue
            year, year_rule = _funnel_year(inputs, settings, nation, row, configured_year)
            scores = _deprivation_scores(inputs, settings, nation, year) if options.target == "deprivation_expected" else None
            units = _funnel_units(inputs, settings, apportioned, nation, indicator, row, year)
            coverage = Coverage(years={year}, excluded=dict(configured))
            if units.is_empty():
                skipped.append({"nation": nation, "indicator": indicator, "reason": f"funnel: no {row['numerator']} and {row['denominator']} in {year}"})
                continue
            for code in units.filter(pl.any_horizontal(pl.col("numerator", "denominator").is_null()) | (pl.col("denominator") <= 0))["la_code"].to_list():
                coverage.exclude(code, f"no {row['numerator']} or {row['denominator']} in {year}")
            units = units.drop_nulls().filter(pl.col("denominator") > 0)
            target = None
            if scores is not None:
                scored = units.join(scores, on="la_code", how="left")
                for code in scored.filter(pl.col("deprivation").is_null())["la_code"].to_list():
                    coverage.exclude(code, f"no {measure} value")
                units = scored.filter(pl.col("deprivation").is_not_null())
                if units.height < MIN_FUNNEL_LAS:
                    skipped.append({"nation": nation, "indicator": indicator, "reason": f"funnel: {units.height} LAs with {measure}, too few to fit the expected rate"})
                    continue
                rates = units["numerator"] / units["denominator"] * MULTIPLIERS[row["kind"]]
                expected = fit_ols(rates.to_numpy(), units["deprivation"].to_numpy()).fitted
                for code in units.filter(pl.Series(expected) <= 0)["la_code"].to_list():
                    coverage.exclude(code, "deprivation-expected value not positive")
                units = units.filter(pl.Series(expected) > 0)
                target = pl.Series(expected[expected > 0])
            if units.height < MIN_FUNNEL_LAS:
                skipped.append({"nation": nation, "indicator": indicator, "reason": f"funnel: {units.height} LAs in {year}, too few"})
                continue
            coverage.la_codes = set(units["la_code"].to_list())
            positions, dispersion = funnel.funnel_positions(units, row["kind"], MULTIPLIERS[row["kind"]], options.levels, options.overdispersion, target)
            labelled = funnel.named_las(positions, options.levels, options.label_max)
            output.chart_requests.append(ChartRequest("funnel", inputs.charts_dir / f"funnel_{nation.lower()}_{indicator}_{year}.png", {
                "positions": positions, "kind": row["kind"], "multiplier": MULTIPLIERS[row["kind"]], "levels": options.levels,
                "dispersion": dispersion, "title": f"{nation}: {inputs.label(indicator)}, {year}",
                "y_label": row.get("unit") or inputs.label(indicator), "x_label": inputs.label(row["denominator"]),
                "label_max": options.label_max}))
            output.headlines.append(_funnel_headline(positions, nation, indicator, year, year_rule, dispersion, max(options.levels), len(labelled),
                                                     settings.min_las))
            frames.append(
                positions.with_columns(
                    pl.lit(nation).alias("nation"), pl.lit(indicator).alias("indicator"), pl.lit(year).alias("year"), pl.lit(year_rule).alias("year_rule"),
                    pl.lit(settings.geography).alias("geography"), pl.lit(options.target).alias("target_kind"),
                    pl.lit(dispersion.method).alias("overdispersion"), pl.lit(dispersion.phi).alias("phi"), pl.lit(dispersion.tau2).alias("tau2"),
                    pl.col("la_code").is_in(labelled).alias("labelled"), *[pl.lit(v).alias(k) for k, v in coverage.values().items()],
                )
            )
    return pl.concat(frames, how="diagonal") if frames else None


def _selected_label(row: dict) -> str:
    if row["model_selected"] == "negative_binomial":
        return "NB2"
    return "Poisson, alpha = 0" if row["model_note"].startswith("alpha at its boundary") else "Poisson (NB2 did not converge)"


def _count_model_headlines(coefficients: pl.DataFrame) -> list[str]:
    """Per nation: which count model the boundary LR test selected for each indicator, and the OLS fits that are not findings."""
    lines = []
    for (nation,), rows in coefficients.group_by(["nation"], maintain_order=True):
        tests = rows.filter(pl.col("model") == "poisson").unique(["indicator"], maintain_order=True)
        if tests.height:
            lines.append(f"{nation} count models (boundary LR test of NB2's alpha = 0): " + "; ".join(
                f"{r['indicator']} {_selected_label(r)} "
                f"(LR {r['lr_statistic']:.3g}, p {r['lr_p_value']:.2g})" for r in tests.iter_rows(named=True)) + ".")
        unfit = rows.filter((pl.col("model") == "ols") & (pl.col("status") != "fitted")).unique(["indicator"], maintain_order=True)
        lines += [f"{nation} {r['indicator']} on {r['deprivation_measure']}: {r['status']}." for r in unfit.iter_rows(named=True)]
    return lines


def _funnel_headline(positions: pl.DataFrame, nation: str, indicator: str, year: int, year_rule: str, dispersion, level: float, named: int,
                     min_las: int) -> str:
    """How many LAs lie outside the widest limits, by the limits' method, and (with an adjustment) outside the exact ones."""
    suffix = funnel.level_label(level)
    outside = int((positions[f"position_{suffix}"] != "inside").sum())
    method = "exact" if dispersion.method == "none" else f"{dispersion.method} overdispersion-adjusted"
    text = f"{nation} {indicator} {year}"
    if year_rule != CONFIGURED_YEAR:
        text += f" ({year_rule})"
    text += f": {outside} of {positions.height} LAs outside the {level:.1%} {method} funnel limits"
    if dispersion.method != "none":
        text += f" ({int((positions[f'exact_position_{suffix}'] != 'inside').sum())} outside the exact limits)"
    status = _sample_status(positions.height, min_las)
    return text + (f"; {named} furthest outside named on the chart" if outside else "") + (f" ({status})." if status else ".")


# -- the family -----------------------------------------------------------------------------------

def _table(name: str, frame: pl.DataFrame, description: str, columns: dict[str, str], choices: dict | None = None) -> AnalysisTable:
    """The table with its documented columns; ``choices`` (CHOICE_COLUMNS -> value) are added to every row where absent."""
    choices = choices or {}
    frame = frame.with_columns(*[pl.lit(v).alias(k) for k, v in choices.items() if k not in frame.columns])
    columns = {**columns, **{k: CHOICE_COLUMNS[k] for k in choices}, **COVERAGE_COLUMNS}
    return AnalysisTable(name, frame.select([c for c in columns if c in frame.columns]), description, {c: columns[c] for c in columns if c in frame.columns})


def run(inputs: AnalysisInputs, config: dict) -> AnalysisOutput:
    settings = parse_config(config)
    output = AnalysisOutput(family=FAMILY)
    fitted = _fit_all(inputs, settings, settings.period, _all_indicators(settings), with_counts=True)
    period = f"{settings.period[0]}-{settings.period[1]}"
    choices = _settings_choices(settings)
    residuals = pl.concat(fitted.residuals, how="diagonal") if fitted.residuals else pl.DataFrame(schema={c: pl.String for c in RESIDUAL_COLUMNS})
    if fitted.coefficients:
        coefficients = pl.DataFrame(fitted.coefficients, infer_schema_length=None)
        output.tables.append(_table("analysis.deprivation_coefficients", coefficients, f"Regressions of LA indicators on deprivation, {period} mean (OLS; Poisson and negative binomial for counts).", COEFFICIENT_COLUMNS, choices))
        output.tables.append(_table("analysis.deprivation_residuals", residuals, f"Per LA and indicator: observed {period} mean, deprivation-expected value, residual and standardised residual.", RESIDUAL_COLUMNS, choices))
    if fitted.coefficients:
        output.headlines += _count_model_headlines(coefficients)
    if fitted.counts:
        output.tables.append(_table("analysis.deprivation_count_models", pl.concat(fitted.counts, how="diagonal"), f"Observed / expected counts per LA from Poisson and negative binomial models with log population offset, {period}.", COUNT_COLUMNS, choices))
    composite_frames = []
    for nation in settings.nations:
        nation_residuals = residuals.filter(pl.col("nation") == nation) if fitted.residuals else residuals
        members, missing = _composite_members(settings, set(nation_residuals["indicator"].to_list()))
        fitted.skipped.extend({"nation": nation, "indicator": entry, "reason": f"composite: {reason}"} for entry, reason in missing)
        if not members:
            continue
        scores = composite_scores(nation_residuals, members, settings.outliers_per_group)
        coverage = Coverage(set(scores["la_code"].to_list()), set(range(settings.period[0], settings.period[1] + 1)))
        coverage.excluded = configured_exclusions(inputs.panel, settings.geography, settings.exclude_la_codes, nation)
        for code in sorted(set(nation_residuals.filter(pl.col("indicator").is_in(members))["la_code"].to_list()) - coverage.la_codes):
            coverage.exclude(code, "no deprivation residual for every composite indicator")
        status = _sample_status(scores.height, settings.min_las)
        composite_frames.append(scores.with_columns(pl.lit(", ".join(members)).alias("indicators_used"), pl.lit(status or "fitted").alias("status"),
                                                    *[pl.lit(v).alias(k) for k, v in coverage.values().items()]))
        flagged = scores.filter(pl.col("outlier").is_not_null())
        output.headlines.append(f"{nation}: composite deprivation-adjusted outliers: {status}." if status else
                                f"{nation}: {flagged.height} LAs flagged as composite deprivation-adjusted outliers ({settings.outliers_per_group} highest and lowest per LA-type group, {period}).")
    if composite_frames:
        output.tables.append(_table("analysis.deprivation_composite", pl.concat(composite_frames, how="diagonal"), "Composite of standardised deprivation residuals per LA, ranked within LA-type group, with outliers flagged.", COMPOSITE_COLUMNS, choices))
    funnels = _funnels(inputs, settings, output, fitted.skipped)
    if funnels is not None:
        output.tables.append(_table("analysis.funnel_positions", funnels, "Funnel plot positions: each LA's value against control limits around the national or deprivation-expected value.", funnel_columns(settings.funnel.levels)))
    skipped = pl.DataFrame(fitted.skipped, schema={"nation": pl.String, "indicator": pl.String, "reason": pl.String})
    output.tables.append(AnalysisTable("analysis.deprivation_skipped", skipped, "Configured indicators the deprivation family could not analyse, and why.", SKIPPED_COLUMNS))
    return output


SPEC = FamilySpec("deprivation", "3. Deprivation adjustment and funnel plots", run, parse_config)
