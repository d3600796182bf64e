"""methods.md section 5: Ofsted judgements in force, their association with rates, and predicting Inadequate.

Grades in force: ``mart.ofsted_judgement_in_force`` already holds, per English LA and 31 March, the
latest judgement published before that date on the four-point scale (1 Outstanding .. 4
Inadequate; "Adequate" and "Requires improvement to be good" are grade 3, the former flagged).
This family counts LAs per year, framework and grade with the median of configured indicators, and
tests each indicator's rate of the year against the grade in force (Spearman, Kruskal-Wallis; the
tests of ``change_in_rate``, which also relates grades to average rates and changes).

Prediction: outcome = an overall grade 4 in force at 31 March of any year Y .. Y+window-1 (methods.md
"rated inadequate in years Y..Y+1"; the in-force table is the record of what each LA was rated at
each year end). LAs with no overall grade in force in any of those years have no outcome and are left
out. Predictors: the configured indicators of year Y, standardised (mean 0, SD 1 over the model's
LAs). Missing values: LAs with an outcome but no value of any indicator that year are dropped; then
indicators missing for more than ``max_missing_share`` of the remaining LAs are dropped; then LAs
missing any remaining indicator are dropped (all listed in las_excluded). The 2009-12 framework (SLAC) gave no overall
grade, so when year Y's window has too few graded or inadequate LAs the first configured fallback
year that has them is used instead, and the tables say so.

Model: elastic-net logistic regression, statsmodels ``GLM(Binomial).fit_regularized(method=
"elastic_net")``, whose objective is -loglik/n + alpha * ((1 - L1_wt) * |b|^2 / 2 + L1_wt * |b|_1);
the intercept is not penalised. alpha is chosen from a configured grid by stratified, seeded k-fold
cross-validation (minimum mean held-out binomial deviance; ties go to the larger, sparser alpha),
standardising each training fold on its own mean and SD. The chosen alpha is refitted on all LAs.

After-inadequate movement: among LAs the model predicts Inadequate, group A (not rated Inadequate
in the window) against group B (rated Inadequate): per indicator, the median change from year Y
(the window's first year, the first predicted year) to Y+1 and the % of LAs whose value rose.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from csc_pipeline.analysis.change_in_rate import grade_tests
from csc_pipeline.analysis.family_config import parse_settings, require
from csc_pipeline.analysis.panel_frames import COVERAGE_COLUMNS, Coverage, configured_exclusions, format_years, select_values
from csc_pipeline.analysis.plots import SYNTHETIC_LABEL, plt, save_figure_atomic
from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput, AnalysisTable

FAMILY = "ofsted_linkage"
INADEQUATE = 4
GRADE_NAMES = {1: "Outstanding", 2: "Good", 3: "Requires improvement / Adequate", 4: "Inadequate"}
NO_GRADE = "no overall grade"
# Held-out probabilities are clipped this far from 0 and 1 so a confident miss costs a finite deviance.
PROBABILITY_FLOOR = 1e-12


@dataclass(frozen=True)
class PredictionSettings:
    year: int = 2012
    fallback_years: tuple = (2014, 2015, 2016)  # tried in order when `year` has too few graded LAs
    window_years: int = 2  # outcome: Inadequate in force at 31 March of any of years Y .. Y + window_years - 1
    indicators: tuple = (
        "cla_rate_per_10k", "cla_starts_rate_per_10k", "cpp_rate_per_10k", "cpp_second_or_subsequent_percent",
        "cin_rate_per_10k", "referrals_rate_per_10k", "rereferrals_percent", "s47_rate_per_10k",
        "icpc_within_15_days_percent", "cpp_reviewed_in_time_percent",
    )
    l1_ratio: float = 0.5  # statsmodels L1_wt: 1 lasso, 0 ridge
    alphas: tuple = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2)
    folds: int = 5
    seed: int = 2012
    threshold: float = 0.5  # predicted Inadequate when the probability is at least this
    max_iterations: int = 1000  # coordinate-descent sweeps per fit (statsmodels maxiter)
    max_missing_share: float = 0.1  # indicators missing for more of the LAs with an outcome are dropped
    # a year is usable when this many LAs with an overall grade in the window have every predictor (about half of England)
    min_graded_las: int = 75
    min_inadequate: int = 5  # ... and at least this many rated Inadequate and this many not

    def __post_init__(self) -> None:
        key = f"{FAMILY}.prediction"
        require(self.window_years >= 1, f"{key}.window_years", "must be >= 1")
        require(0 <= self.l1_ratio <= 1, f"{key}.l1_ratio", "must be between 0 and 1")
        require(len(self.alphas) > 0 and all(isinstance(a, (int, float)) and a >= 0 for a in self.alphas),
                f"{key}.alphas", "expected a non-empty list of penalties >= 0")
        require(self.folds >= 2, f"{key}.folds", "must be >= 2")
        require(self.max_iterations >= 1, f"{key}.max_iterations", "must be >= 1")
        require(0 < self.threshold < 1, f"{key}.threshold", "must be between 0 and 1")
        require(0 <= self.max_missing_share < 1, f"{key}.max_missing_share", "must be in [0, 1)")
        require(self.min_inadequate >= 2, f"{key}.min_inadequate", "must be >= 2 (cross-validation needs both outcomes in training folds)")
        require(len(self.indicators) > 0 and all(isinstance(i, str) for i in self.indicators), f"{key}.indicators",
                "expected a non-empty list of indicator ids")
        require(all(isinstance(y, int) for y in self.fallback_years), f"{key}.fallback_years", "expected a list of years")


@dataclass(frozen=True)
class OfstedLinkageSettings:
    geography: str = "current"
    exclude_la_codes: tuple = ("E09000001", "E06000053")
    summary_indicators: tuple = ("cla_rate_per_10k", "cpp_rate_per_10k", "cin_rate_per_10k", "rereferrals_percent",
                                 "cpp_second_or_subsequent_percent")
    # Years (31 March) whose grades in force are tested against the indicators; null: every year with grades.
    association_years: tuple | None = field(default=None, metadata={"types": (list,)})
    prediction: PredictionSettings = field(default_factory=PredictionSettings)

    def __post_init__(self) -> None:
        require(self.geography in ("current", "as_published"), f"{FAMILY}.geography",
                f"expected 'current' or 'as_published', got {self.geography!r}")
        require(len(self.summary_indicators) > 0 and all(isinstance(i, str) for i in self.summary_indicators),
                f"{FAMILY}.summary_indicators", "expected a non-empty list of indicator ids")
        require(self.association_years is None or all(isinstance(y, int) for y in self.association_years),
                f"{FAMILY}.association_years", "expected a list of years or null")


def parse_config(config: dict | None) -> OfstedLinkageSettings:
    return parse_settings(OfstedLinkageSettings, config, FAMILY)


# ---------------------------------------------------------------------------------------------
# Model pieces


def stratified_folds(outcome: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0..k-1) per observation: each class shuffled with ``seed`` and dealt round-robin.

    Every fold gets the class's members within one of each other; the dealing continues across the
    classes so the folds' sizes also differ by at most one.
    """
    rng = np.random.default_rng(seed)
    folds = np.empty(len(outcome), dtype=int)
    dealt = 0
    for label in np.unique(outcome):
        members = rng.permutation(np.flatnonzero(outcome == label))
        folds[members] = (dealt + np.arange(len(members))) % k
        dealt += len(members)
    return folds


@dataclass(frozen=True)
class ElasticNetFit:
    params: np.ndarray  # intercept, then one coefficient per predictor column
    converged: bool


def fit_elastic_net(predictors: np.ndarray, outcome: np.ndarray, alpha: float, l1_ratio: float, max_iterations: int) -> ElasticNetFit:
    """The elastic-net logistic regression by statsmodels' coordinate descent; the intercept is unpenalised."""
    design = sm.add_constant(predictors, has_constant="add")
    penalty = np.r_[0.0, np.full(predictors.shape[1], float(alpha))]
    model = sm.GLM(outcome, design, family=sm.families.Binomial())
    with warnings.catch_warnings():
        # non-convergence (near-separable folds at small alphas) is recorded in the tables instead
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = model.fit_regularized(method="elastic_net", alpha=penalty, L1_wt=l1_ratio, maxiter=max_iterations)
    return ElasticNetFit(np.asarray(result.params), bool(result.converged))


def predict_probability(params: np.ndarray, predictors: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(params[0] + predictors @ params[1:])))


def binomial_deviance(outcome: np.ndarray, probability: np.ndarray) -> float:
    p = np.clip(probability, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    return float(-2 * np.sum(outcome * np.log(p) + (1 - outcome) * np.log(1 - p)))


def sensitivity_specificity(outcome: np.ndarray, predicted: np.ndarray) -> tuple[float | None, float | None]:
    """True-positive share of the actual positives and true-negative share of the actual negatives (None if none)."""
    outcome, predicted = np.asarray(outcome, bool), np.asarray(predicted, bool)
    positives, negatives = outcome.sum(), (~outcome).sum()
    sensitivity = float((outcome & predicted).sum() / positives) if positives else None
    specificity = float((~outcome & ~predicted).sum() / negatives) if negatives else None
    return sensitivity, specificity


def standardise(train: np.ndarray, other: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Scale columns to mean 0, SD 1 (population SD) on ``train``; apply the same scaling to ``other``."""
    mean, sd = train.mean(axis=0), train.std(axis=0)
    # a column constant within a training fold carries no information there: scale it to all zeros
    sd = np.where(sd > 0, sd, 1.0)
    return (train - mean) / sd, None if other is None else (other - mean) / sd, mean, sd


@dataclass(frozen=True)
class CrossValidation:
    alphas: list[float]
    mean_deviance: list[float]  # held-out deviance per LA, per alpha
    deviance_se: list[float]  # standard error of the fold means, per alpha
    chosen_alpha: float
    held_out_probability: np.ndarray  # out-of-fold probabilities at the chosen alpha
    null_mean_deviance: float  # the same for an intercept-only model (each training fold's share)
    not_converged: list[int]  # fold fits that hit the iteration limit, per alpha


def cross_validate(predictors: np.ndarray, outcome: np.ndarray, alphas, l1_ratio: float, k: int, seed: int,
                   max_iterations: int) -> CrossValidation:
    folds = stratified_folds(outcome, k, seed)
    alphas = sorted(float(a) for a in alphas)
    fold_deviance = np.zeros((len(alphas), k))
    held_out = np.zeros((len(alphas), len(outcome)))
    not_converged = [0] * len(alphas)
    null_deviance = 0.0
    for fold in range(k):
        test = folds == fold
        if not test.any():
            continue
        train_x, test_x, _, _ = standardise(predictors[~test], predictors[test])
        null_deviance += binomial_deviance(outcome[test], np.full(test.sum(), outcome[~test].mean()))
        for i, alpha in enumerate(alphas):
            fit = fit_elastic_net(train_x, outcome[~test], alpha, l1_ratio, max_iterations)
            not_converged[i] += not fit.converged
            probability = predict_probability(fit.params, test_x)
            held_out[i, test] = probability
            fold_deviance[i, fold] = binomial_deviance(outcome[test], probability) / test.sum()
    used = [fold for fold in range(k) if (folds == fold).any()]
    mean = [binomial_deviance(outcome, held_out[i]) / len(outcome) for i in range(len(alphas))]
    se = [float(np.std(fold_deviance[i, used], ddof=1) / np.sqrt(len(used))) for i in range(len(alphas))]
    best = min(range(len(alphas)), key=lambda i: (round(mean[i], 12), -alphas[i]))
    return CrossValidation(alphas, mean, se, alphas[best], held_out[best], null_deviance / len(outcome), not_converged)


# ---------------------------------------------------------------------------------------------
# Grades in force and their associations


def _grades(inputs: AnalysisInputs, settings: OfstedLinkageSettings) -> pl.DataFrame:
    """The judgements in force, keyed by the panel's LA code on the configured geography.

    The in-force table carries the LA code of its time (Barnsley E08000016, Buckinghamshire
    E10000002), the current-boundaries panel today's (E08000038, E06000060); both carry the stable
    authority_id, so each judgement takes the panel's code for its authority and year. Authorities
    with no such panel row (Bournemouth before the BCP merger) keep their own code.
    """
    frame = inputs.ofsted_in_force
    if frame.is_empty():
        return pl.DataFrame(schema={"year": pl.Int64, "la_code": pl.String, "la_name": pl.String, "region": pl.String,
                                    "framework": pl.String, "overall_grade": pl.String, "overall_grade_ordinal": pl.Int64,
                                    "adequate_mapped": pl.Boolean})
    panel_codes = (inputs.panel.filter((pl.col("geography") == settings.geography) & (pl.col("nation") == "England"))
                   .select("authority_id", pl.col("year").cast(pl.Int64), pl.col("la_code").alias("_panel_code")).unique(["authority_id", "year"]))
    return (frame.with_columns(pl.col("year").cast(pl.Int64)).join(panel_codes, on=["authority_id", "year"], how="left")
            .with_columns(pl.coalesce("_panel_code", "la_code").alias("la_code"))
            .filter(~pl.col("la_code").is_in(list(settings.exclude_la_codes)))
            .select("year", "la_code", "la_name", "region", "framework", "overall_grade",
                    pl.col("overall_grade_ordinal").cast(pl.Int64), "adequate_mapped"))


def _indicator_values(panel: pl.DataFrame, settings: OfstedLinkageSettings, indicators) -> pl.DataFrame:
    return select_values(panel, settings.geography, settings.exclude_la_codes, indicators, nation="England").select(
        "la_code", pl.col("year").cast(pl.Int64), "indicator", "value")


def _missing_reasons(codes: list[str], reason: str) -> str:
    return "; ".join(f"{code} ({reason})" for code in sorted(codes))


def _grade_name() -> pl.Expr:
    """The four-point grade's name, or NO_GRADE where the framework gave no overall grade."""
    return pl.coalesce(pl.col("overall_grade_ordinal").replace_strict(GRADE_NAMES, default=None, return_dtype=pl.String),
                       pl.lit(NO_GRADE))


def grades_in_force_summary(grades: pl.DataFrame, values: pl.DataFrame, indicators) -> pl.DataFrame:
    """Per year, framework, grade and indicator: LAs with that grade in force, median of the indicator among them."""
    keys = ["year", "framework", "overall_grade_ordinal", "overall_grade", "adequate_mapped"]
    frames = []
    for indicator in indicators:
        joined = grades.join(values.filter(pl.col("indicator") == indicator).select("la_code", "year", "value"),
                             on=["la_code", "year"], how="left")
        frames.append(joined.group_by(keys).agg(
            pl.len().alias("n_las_with_grade"),
            pl.col("value").median().alias("median_value"),
            pl.col("value").count().alias("n_las"),
            pl.col("la_code").filter(pl.col("value").is_null()).sort().alias("_missing"),
        ).with_columns(pl.lit(indicator).alias("indicator")))
    summary = pl.concat(frames)
    return summary.with_columns(
        _grade_name().alias("grade_name"),
        pl.col("year").cast(pl.String).alias("years_used"),
        pl.col("_missing").map_elements(lambda codes: _missing_reasons(codes, "no published value that year"),
                                        return_dtype=pl.String).alias("las_excluded"),
    ).select("year", "framework", "overall_grade_ordinal", "grade_name", "overall_grade", "adequate_mapped",
             "n_las_with_grade", "indicator", "median_value", "n_las", "years_used", "las_excluded").cast(SUMMARY_SCHEMA).sort(
        "year", "framework", "overall_grade_ordinal", "indicator", nulls_last=True)


def grade_associations(grades: pl.DataFrame, values: pl.DataFrame, indicators, years) -> pl.DataFrame:
    """Per year and indicator: Spearman and Kruskal-Wallis of the indicator's value against the grade in force."""
    graded = grades.filter(pl.col("overall_grade_ordinal").is_not_null())
    rows = []
    for year in years:
        in_force = graded.filter(pl.col("year") == year).select("la_code", "overall_grade_ordinal")
        for indicator in indicators:
            joined = in_force.join(values.filter((pl.col("indicator") == indicator) & (pl.col("year") == year))
                                   .select("la_code", "value"), on="la_code", how="left")
            present = joined.filter(pl.col("value").is_not_null())
            if present.is_empty():
                continue
            excluded = _missing_reasons(joined.filter(pl.col("value").is_null())["la_code"].to_list(), "no published value that year")
            for test, statistic, p, n in grade_tests(present["value"].to_list(), present["overall_grade_ordinal"].to_list()):
                rows.append({"year": year, "indicator": indicator, "test": test, "statistic": statistic, "p_value": p,
                             "n_las": n, "years_used": str(year), "las_excluded": excluded})
    return pl.DataFrame(rows, schema=ASSOCIATION_SCHEMA)


# ---------------------------------------------------------------------------------------------
# The prediction data set


def window_outcome(grades: pl.DataFrame, year: int, window_years: int) -> pl.DataFrame:
    """Per LA with an overall grade in force at 31 March of some year of the window: rated_inadequate."""
    return (grades.filter(pl.col("year").is_between(year, year + window_years - 1) & pl.col("overall_grade_ordinal").is_not_null())
            .group_by("la_code").agg((pl.col("overall_grade_ordinal") == INADEQUATE).any().alias("rated_inadequate"))
            .sort("la_code"))


@dataclass
class PredictionData:
    year: int
    la_codes: list[str]
    outcome: np.ndarray
    predictors: np.ndarray  # raw values, LAs x indicators_used
    indicators_used: list[str]
    indicators_dropped: dict[str, str]  # indicator -> reason
    coverage: Coverage


def prediction_data(grades: pl.DataFrame, values: pl.DataFrame, year: int, settings: PredictionSettings,
                    configured: dict[str, str]) -> PredictionData | str:
    """The model's LAs, outcome and raw predictors for ``year``, or why the year cannot be used."""
    outcome = window_outcome(grades, year, settings.window_years)
    window = format_years(range(year, year + settings.window_years))
    n_inadequate = int(outcome["rated_inadequate"].sum()) if outcome.height else 0
    if outcome.height < settings.min_graded_las or min(n_inadequate, outcome.height - n_inadequate) < settings.min_inadequate:
        return (f"{year}: {outcome.height} LAs with an overall grade in force at 31 March {window}, "
                f"{n_inadequate} Inadequate (needs {settings.min_graded_las} graded and {settings.min_inadequate} of each outcome)")
    at_year = values.filter(pl.col("year") == year)
    if at_year.is_empty():
        return f"{year}: no published values of the configured indicators"
    wide = outcome.join(at_year.pivot(on="indicator", index="la_code", values="value"), on="la_code", how="left")
    # an LA with no value at all is missing as an LA, not evidence against any one indicator
    without_values = wide.filter(pl.all_horizontal(pl.exclude("la_code", "rated_inadequate").is_null()))["la_code"].to_list()
    wide = wide.filter(~pl.col("la_code").is_in(without_values))
    dropped, used = {}, []
    for indicator in settings.indicators:
        if indicator not in wide.columns:
            dropped[indicator] = f"no published values in {year}"
        elif wide[indicator].null_count() / wide.height > settings.max_missing_share:
            dropped[indicator] = f"missing for {wide[indicator].null_count() / wide.height:.0%} of the LAs with an outcome"
        else:
            used.append(indicator)
    complete = wide.drop_nulls(used) if used else wide.clear()
    for indicator in [i for i in used if complete[i].n_unique() < 2]:
        dropped[indicator] = "the same value for every LA"
        used.remove(indicator)
    if not used:
        return f"{year}: no indicator with values for enough of the {outcome.height} graded LAs"
    n_inadequate = int(complete["rated_inadequate"].sum())
    if complete.height < settings.min_graded_las or min(n_inadequate, complete.height - n_inadequate) < settings.min_inadequate:
        return (f"{year}: {complete.height} graded LAs with complete predictors, {n_inadequate} Inadequate "
                f"(needs {settings.min_graded_las} and {settings.min_inadequate} of each outcome)")
    coverage = Coverage(set(complete["la_code"].to_list()), {year}, dict(configured))
    for code in sorted(set(wide["la_code"].to_list()) - coverage.la_codes):
        coverage.exclude(code, f"a predictor missing in {year}")
    for code in without_values:
        coverage.exclude(code, f"no value of any configured indicator in {year}")
    for code in sorted(set(at_year["la_code"].to_list()) - set(wide["la_code"].to_list())):
        coverage.exclude(code, f"no overall grade in force at 31 March {window}")
    return PredictionData(year, complete["la_code"].to_list(), complete["rated_inadequate"].cast(pl.Float64).to_numpy(),
                          complete.select(used).to_numpy().astype(float), used, dropped, coverage)


def choose_year(grades: pl.DataFrame, values: pl.DataFrame, settings: PredictionSettings,
                configured: dict[str, str]) -> tuple[PredictionData | None, list[str]]:
    """The requested year's data if usable, else the first usable fallback year's; and why years were passed over."""
    passed_over = []
    for year in dict.fromkeys([settings.year, *settings.fallback_years]):
        data = prediction_data(grades, values, year, settings, configured)
        if isinstance(data, PredictionData):
            return data, passed_over
        passed_over.append(data)
    return None, passed_over


# ---------------------------------------------------------------------------------------------
# The prediction and after-inadequate outputs


@dataclass
class Prediction:
    data: PredictionData
    cv: CrossValidation
    params: np.ndarray  # intercept, then per-SD coefficients of indicators_used
    converged: bool
    mean: np.ndarray
    sd: np.ndarray
    probability: np.ndarray
    predicted: np.ndarray
    deviance_explained: float
    sensitivity: float | None
    specificity: float | None
    cv_sensitivity: float | None
    cv_specificity: float | None
    nonzero_per_alpha: list[int]


def predict(data: PredictionData, settings: PredictionSettings) -> Prediction:
    cv = cross_validate(data.predictors, data.outcome, settings.alphas, settings.l1_ratio, settings.folds, settings.seed,
                        settings.max_iterations)
    scaled, _, mean, sd = standardise(data.predictors)
    # every alpha of the grid fitted on all LAs (for its non-zero count); the chosen one is the model
    fits = [fit_elastic_net(scaled, data.outcome, a, settings.l1_ratio, settings.max_iterations) for a in cv.alphas]
    fit = fits[cv.alphas.index(cv.chosen_alpha)]
    params = fit.params
    probability = predict_probability(params, scaled)
    predicted = probability >= settings.threshold
    null = binomial_deviance(data.outcome, np.full(len(data.outcome), data.outcome.mean()))
    nonzero = [int(np.count_nonzero(f.params[1:])) for f in fits]
    return Prediction(data, cv, params, fit.converged, mean, sd, probability, predicted,
                      # rounded so an intercept-only fit reports 0 rather than floating-point noise
                      round(1 - binomial_deviance(data.outcome, probability) / null, 12),
                      *sensitivity_specificity(data.outcome, predicted),
                      *sensitivity_specificity(data.outcome, cv.held_out_probability >= settings.threshold), nonzero)


def after_inadequate(predicted: pl.DataFrame, values: pl.DataFrame, indicators, year: int) -> pl.DataFrame:
    """Per group (A: predicted, not rated Inadequate; B: predicted and rated) and indicator: median change year -> year+1, % rising.

    ``predicted``: la_code, rated_inadequate of the LAs predicted Inadequate.
    """
    rows = []
    for group, rated, label in (("A", False, "predicted Inadequate, not rated Inadequate"), ("B", True, "predicted and rated Inadequate")):
        members = predicted.filter(pl.col("rated_inadequate") == rated).select("la_code")
        for indicator in indicators:
            pairs = members.join(
                values.filter((pl.col("indicator") == indicator) & pl.col("year").is_in([year, year + 1]))
                .pivot(on="year", index="la_code", values="value"), on="la_code", how="left")
            before, after = str(year), str(year + 1)
            for column in (before, after):
                if column not in pairs.columns:
                    pairs = pairs.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
            change = pairs.select("la_code", (pl.col(after) - pl.col(before)).alias("change"))
            known = change.filter(pl.col("change").is_not_null())["change"]
            rows.append({
                "group": group, "group_label": label, "indicator": indicator, "from_year": year, "to_year": year + 1,
                "median_change": known.median() if known.len() else None,
                "percent_rose": float((known > 0).mean() * 100) if known.len() else None,
                "n_las": known.len(), "years_used": format_years([year, year + 1]) if known.len() else "",
                "las_excluded": _missing_reasons(change.filter(pl.col("change").is_null())["la_code"].to_list(),
                                                 f"no value in {year} or {year + 1}"),
            })
    return pl.DataFrame(rows, schema=AFTER_SCHEMA)


# ---------------------------------------------------------------------------------------------
# Charts


def _finish(fig, inputs: AnalysisInputs, title: str, name: str) -> Path:
    fig.suptitle(title + (f"\n{SYNTHETIC_LABEL}" if inputs.synthetic else ""), color="firebrick" if inputs.synthetic else "black")
    return save_figure_atomic(fig, inputs.charts_dir / name)


def plot_grade_distribution(grades: pl.DataFrame, inputs: AnalysisInputs) -> Path:
    counts = grades.with_columns(_grade_name().alias("grade")).group_by("year", "grade").len()
    years = sorted(counts["year"].unique().to_list())
    fig, ax = plt.subplots(figsize=(11, 5))
    bottom = np.zeros(len(years))
    colours = {"Outstanding": "#1a9850", "Good": "#91cf60", GRADE_NAMES[3]: "#fc8d59", "Inadequate": "#d73027", NO_GRADE: "#bdbdbd"}
    for grade, colour in colours.items():
        by_year = dict(counts.filter(pl.col("grade") == grade).select("year", "len").iter_rows())
        heights = np.array([by_year.get(y, 0) for y in years], dtype=float)
        ax.bar(years, heights, bottom=bottom, color=colour, label=grade)
        bottom += heights
    ax.set_xlabel("31 March of year")
    ax.set_ylabel("English LAs")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    return _finish(fig, inputs, "Ofsted overall grade in force at 31 March", "ofsted_grade_distribution.png")


def plot_coefficients(coefficients: pl.DataFrame, year: int, inputs: AnalysisInputs) -> Path:
    terms = coefficients.filter(pl.col("term") != "intercept").sort("coefficient")
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(terms.height, 2) + 1.5))
    values = terms["coefficient"].to_list()
    ax.barh(terms["term"].to_list(), values, color=["#d73027" if v > 0 else "#4575b4" for v in values])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("log-odds of Inadequate per SD of the indicator")
    if terms.is_empty():
        ax.text(0.5, 0.5, "no non-zero coefficients at the chosen penalty", ha="center", va="center", transform=ax.transAxes,
                bbox={"facecolor": "white", "edgecolor": "none"})
        ax.set_yticks([])  # no terms: the default 0-centred ticks would read as values
        ax.set_xlim(-1, 1)
    return _finish(fig, inputs, f"Elastic-net predictors of an Inadequate rating (indicators of {year})", "ofsted_prediction_coefficients.png")


def plot_cv_curve(cv: CrossValidation, year: int, inputs: AnalysisInputs) -> Path:
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.errorbar(cv.alphas, cv.mean_deviance, yerr=cv.deviance_se, marker="o", capsize=3, label="model")
    ax.axhline(cv.null_mean_deviance, color="grey", linestyle="--", label="intercept only")
    ax.axvline(cv.chosen_alpha, color="firebrick", linestyle=":", label=f"chosen alpha {cv.chosen_alpha:g}")
    if min(cv.alphas) > 0:
        ax.set_xscale("log")
    ax.set_xlabel("penalty alpha")
    ax.set_ylabel("held-out binomial deviance per LA")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _finish(fig, inputs, f"Cross-validated deviance of the Inadequate model (indicators of {year})", "ofsted_prediction_cv.png")


# ---------------------------------------------------------------------------------------------
# The family


def run(inputs: AnalysisInputs, config: dict) -> AnalysisOutput:
    settings = parse_config(config)
    output = AnalysisOutput(FAMILY)
    grades = _grades(inputs, settings)
    values = _indicator_values(inputs.panel, settings, list(dict.fromkeys([*settings.summary_indicators, *settings.prediction.indicators])))
    summary = grades_in_force_summary(grades, values, settings.summary_indicators) if grades.height else pl.DataFrame(schema=SUMMARY_SCHEMA)
    graded_years = sorted(grades.filter(pl.col("overall_grade_ordinal").is_not_null())["year"].unique().to_list())
    years = graded_years if settings.association_years is None else list(settings.association_years)
    associations = grade_associations(grades, values, settings.summary_indicators, years)
    output.tables += [
        AnalysisTable("analysis.ofsted_grades_in_force", summary, SUMMARY_DESCRIPTION, SUMMARY_COLUMNS),
        AnalysisTable("analysis.ofsted_grade_associations", associations, ASSOCIATION_DESCRIPTION, ASSOCIATION_COLUMNS),
    ]
    if grades.height:
        output.charts.append(plot_grade_distribution(grades, inputs))
        _grade_headlines(output, grades, associations)

    configured = configured_exclusions(inputs.panel, settings.geography, settings.exclude_la_codes, "England")
    data, passed_over = choose_year(grades, values, settings.prediction, configured)
    if data is None:
        output.headlines.append("Ofsted prediction not fitted: no configured year has enough graded LAs. " + " ".join(passed_over))
        output.tables += _prediction_tables(None, [], settings, inputs, values)
        return output
    prediction = predict(data, settings.prediction)
    tables = _prediction_tables(prediction, passed_over, settings, inputs, values)
    output.tables += tables
    coefficients = next(t.frame for t in tables if t.name == "analysis.ofsted_prediction_coefficients")
    output.charts += [plot_coefficients(coefficients, data.year, inputs), plot_cv_curve(prediction.cv, data.year, inputs)]
    _prediction_headlines(output, prediction, passed_over, settings, next(t.frame for t in tables if t.name == "analysis.ofsted_after_inadequate"))
    return output


def _year_note(year: int | None, passed_over: list[str], settings: PredictionSettings) -> str:
    if year is None or year == settings.year:
        return ""
    return f"fallback: requested year {settings.year} not usable ({'; '.join(passed_over)}); used {year}"


def _prediction_tables(prediction: Prediction | None, passed_over: list[str], settings: OfstedLinkageSettings,
                       inputs: AnalysisInputs, values: pl.DataFrame) -> list[AnalysisTable]:
    ps = settings.prediction
    if prediction is None:
        frames = {name: pl.DataFrame(schema=schema) for name, schema in PREDICTION_SCHEMAS.items()}
        frames["analysis.ofsted_prediction_summary"] = pl.DataFrame([{
            "requested_year": ps.year, "prediction_year": None, "year_note": "not fitted: " + "; ".join(passed_over),
        }], schema=PREDICTION_SCHEMAS["analysis.ofsted_prediction_summary"])
        return [AnalysisTable(name, frame, PREDICTION_DESCRIPTIONS[name], PREDICTION_COLUMNS[name]) for name, frame in frames.items()]
    data, cv = prediction.data, prediction.cv
    year, window = data.year, format_years(range(data.year, data.year + ps.window_years))
    head = {"requested_year": ps.year, "prediction_year": year}
    coverage = data.coverage.values()
    summary = pl.DataFrame([{
        **head, "year_note": _year_note(year, passed_over, ps), "outcome_years": window,
        "n_rated_inadequate": int(data.outcome.sum()), "n_not_rated_inadequate": int(len(data.outcome) - data.outcome.sum()),
        "indicators_used": ", ".join(data.indicators_used),
        "indicators_dropped": "; ".join(f"{i} ({r})" for i, r in data.indicators_dropped.items()),
        "l1_ratio": ps.l1_ratio, "chosen_alpha": cv.chosen_alpha, "folds": ps.folds, "threshold": ps.threshold,
        "n_nonzero_coefficients": int(np.count_nonzero(prediction.params[1:])), "converged": prediction.converged,
        "deviance_explained": prediction.deviance_explained, "sensitivity": prediction.sensitivity,
        "specificity": prediction.specificity, "cv_mean_deviance": cv.mean_deviance[cv.alphas.index(cv.chosen_alpha)],
        "cv_null_mean_deviance": cv.null_mean_deviance, "cv_sensitivity": prediction.cv_sensitivity,
        "cv_specificity": prediction.cv_specificity, "n_predicted_inadequate": int(prediction.predicted.sum()), **coverage,
    }], schema=PREDICTION_SCHEMAS["analysis.ofsted_prediction_summary"])
    terms = [("intercept", prediction.params[0], None, None)] + [
        (indicator, prediction.params[i + 1], prediction.mean[i], prediction.sd[i])
        for i, indicator in enumerate(data.indicators_used) if prediction.params[i + 1] != 0]
    coefficients = pl.DataFrame([{
        **head, "term": term, "coefficient": float(coef), "indicator_mean": None if mean is None else float(mean),
        "indicator_sd": None if sd is None else float(sd), "coefficient_per_unit": None if sd is None else float(coef / sd),
        "odds_ratio_per_sd": None if sd is None else float(np.exp(coef)), "chosen_alpha": cv.chosen_alpha,
        "l1_ratio": ps.l1_ratio, **coverage,
    } for term, coef, mean, sd in terms], schema=PREDICTION_SCHEMAS["analysis.ofsted_prediction_coefficients"])
    cv_frame = pl.DataFrame([{
        **head, "alpha": alpha, "l1_ratio": ps.l1_ratio, "cv_mean_deviance": cv.mean_deviance[i], "cv_deviance_se": cv.deviance_se[i],
        "n_nonzero_coefficients": prediction.nonzero_per_alpha[i], "n_fold_fits_not_converged": cv.not_converged[i],
        "chosen": alpha == cv.chosen_alpha, **coverage,
    } for i, alpha in enumerate(cv.alphas)], schema=PREDICTION_SCHEMAS["analysis.ofsted_prediction_cv"])
    names = inputs.panel.filter(pl.col("nation") == "England").select("la_code", "la_name", "region").unique("la_code")
    predictions = pl.DataFrame({
        "la_code": data.la_codes, "probability": prediction.probability, "predicted_inadequate": prediction.predicted,
        "rated_inadequate": data.outcome.astype(bool), "cv_probability": cv.held_out_probability,
    }).join(names, on="la_code", how="left").with_columns(
        pl.lit(ps.year).alias("requested_year"), pl.lit(year).alias("prediction_year"), pl.lit(window).alias("outcome_years"),
    ).select(*PREDICTION_SCHEMAS["analysis.ofsted_predictions"]).cast(PREDICTION_SCHEMAS["analysis.ofsted_predictions"]).sort("probability", descending=True)
    movement = after_inadequate(predictions.filter(pl.col("predicted_inadequate")).select("la_code", "rated_inadequate"),
                                values, ps.indicators, year).with_columns(
        pl.lit(ps.year).alias("requested_year"), pl.lit(year).alias("prediction_year")
    ).select(*PREDICTION_SCHEMAS["analysis.ofsted_after_inadequate"]).cast(PREDICTION_SCHEMAS["analysis.ofsted_after_inadequate"])
    frames = {"analysis.ofsted_prediction_summary": summary, "analysis.ofsted_prediction_coefficients": coefficients,
              "analysis.ofsted_prediction_cv": cv_frame, "analysis.ofsted_predictions": predictions,
              "analysis.ofsted_after_inadequate": movement}
    return [AnalysisTable(name, frame, PREDICTION_DESCRIPTIONS[name], PREDICTION_COLUMNS[name]) for name, frame in frames.items()]


def _grade_headlines(output: AnalysisOutput, grades: pl.DataFrame, associations: pl.DataFrame) -> None:
    graded = grades.filter(pl.col("overall_grade_ordinal").is_not_null())
    if graded.is_empty():
        output.headlines.append("No English LA has an overall Ofsted grade in force at any 31 March.")
        return
    latest = int(graded["year"].max())
    counts = dict(graded.filter(pl.col("year") == latest).group_by("overall_grade_ordinal").len().iter_rows())
    output.headlines.append(
        f"Overall Ofsted grade in force at 31 March {latest}: "
        + ", ".join(f"{GRADE_NAMES[g]} {counts.get(g, 0)}" for g in sorted(GRADE_NAMES))
        + f" English LAs; first year with an overall grade in force: {int(graded['year'].min())}."
    )
    spearman = associations.filter((pl.col("test") == "spearman") & pl.col("p_value").is_not_null())
    if spearman.height:
        significant = spearman.filter(pl.col("p_value") < 0.05)
        strongest = spearman.sort(pl.col("statistic").abs(), descending=True).row(0, named=True)
        output.headlines.append(
            f"Grade in force against indicator values: {significant.height} of {spearman.height} year-indicator Spearman tests "
            f"have p < 0.05; strongest {strongest['indicator']} in {strongest['year']} (rho {strongest['statistic']:+.2f}, "
            f"p {strongest['p_value']:.3g}, n {strongest['n_las']})."
        )


def _prediction_headlines(output: AnalysisOutput, prediction: Prediction, passed_over: list[str],
                          settings: OfstedLinkageSettings, movement: pl.DataFrame) -> None:
    ps, data = settings.prediction, prediction.data
    window = format_years(range(data.year, data.year + ps.window_years))
    if data.year != ps.year:
        output.headlines.append(f"Ofsted prediction: requested year {ps.year} has no usable overall grades "
                                f"({'; '.join(passed_over)}); fell back to {data.year}.")
    nonzero = [(i, c) for i, c in zip(data.indicators_used, prediction.params[1:]) if c != 0]
    percent = lambda v: "n/a" if v is None else f"{v:.0%}"  # noqa: E731
    output.headlines.append(
        f"Elastic-net model of Inadequate in force at 31 March {window} on {data.year} indicators: {len(data.la_codes)} LAs "
        f"({int(data.outcome.sum())} Inadequate), alpha {prediction.cv.chosen_alpha:g} by {ps.folds}-fold CV; "
        f"non-zero: {', '.join(f'{i} {c:+.2f}' for i, c in nonzero) or 'none'} (per SD); deviance explained "
        f"{prediction.deviance_explained:.1%}; sensitivity {percent(prediction.sensitivity)}, specificity "
        f"{percent(prediction.specificity)} at {ps.threshold} (cross-validated {percent(prediction.cv_sensitivity)} / "
        f"{percent(prediction.cv_specificity)})."
    )
    if not prediction.predicted.any():
        output.headlines.append(f"No LA is predicted Inadequate at {ps.threshold}: the after-inadequate groups are empty.")
        return
    sizes = {g: int(prediction.predicted[np.asarray(data.outcome, bool) == (g == "B")].sum()) for g in ("A", "B")}
    shown = movement.filter(pl.col("n_las") > 0).filter(pl.col("indicator").is_in(list(settings.summary_indicators)))
    output.headlines.append(
        f"Predicted Inadequate: {sizes['A']} not rated (group A), {sizes['B']} rated (group B); change {data.year}-{data.year + 1} "
        "(median, % of LAs rising): " + "; ".join(
            f"{r['indicator']} {r['group']} {r['median_change']:+.1f} ({r['percent_rose']:.0f}%)"
            for r in shown.sort("indicator", "group").iter_rows(named=True)) + "."
    )


# ---------------------------------------------------------------------------------------------
# Table documentation

SUMMARY_DESCRIPTION = ("Per 31 March, inspection framework and overall Ofsted grade in force: the English LAs with that "
                       "grade and the median of each configured indicator among them that year (methods.md section 5).")
SUMMARY_SCHEMA = {"year": pl.Int64, "framework": pl.String, "overall_grade_ordinal": pl.Int64, "grade_name": pl.String,
                  "overall_grade": pl.String, "adequate_mapped": pl.Boolean, "n_las_with_grade": pl.Int64,
                  "indicator": pl.String, "median_value": pl.Float64, "n_las": pl.Int64, "years_used": pl.String,
                  "las_excluded": pl.String}
SUMMARY_COLUMNS = {
    "year": "Year: the judgement in force at 31 March of this year, and the indicator values of the year ending then.",
    "framework": "Inspection framework of the judgement in force (SLAC, SIF, ILACS); NULL when the LA had no inspection on record.",
    "overall_grade_ordinal": "Overall grade on the four-point scale: 1 Outstanding, 2 Good, 3 Requires improvement / Adequate, 4 Inadequate; NULL when the framework gave no overall grade.",
    "grade_name": "Name of the grade on the four-point scale, or 'no overall grade'.",
    "overall_grade": "The grade as published (e.g. 'Requires improvement to be good').",
    "adequate_mapped": "True when the published grade was 'Adequate', mapped onto grade 3.",
    "n_las_with_grade": "English LAs with this framework and grade in force (configured exclusions removed).",
    "indicator": "Indicator id (mart.indicator_dictionary).",
    "median_value": "Median of the indicator's published values of the year among those LAs.",
    **COVERAGE_COLUMNS,
    "n_las": "LAs of the group with a published value of the indicator that year (entering the median).",
}
ASSOCIATION_DESCRIPTION = ("Per year and indicator: association of the indicator's value that year with the overall Ofsted "
                           "grade in force at 31 March (Spearman rho with the ordinal grade; Kruskal-Wallis H across grades).")
ASSOCIATION_SCHEMA = {"year": pl.Int64, "indicator": pl.String, "test": pl.String, "statistic": pl.Float64,
                      "p_value": pl.Float64, "n_las": pl.Int64, "years_used": pl.String, "las_excluded": pl.String}
ASSOCIATION_COLUMNS = {
    "year": "Year: grade in force at 31 March and indicator values of the year ending then.",
    "indicator": "Indicator id.",
    "test": "spearman (statistic = rho; positive = higher values with worse grades) or kruskal_wallis (statistic = H).",
    "statistic": "Test statistic; NULL for Spearman with fewer than 3 LAs.",
    "p_value": "Two-sided p-value.",
    **COVERAGE_COLUMNS,
    "n_las": "LAs with both an overall grade in force and a value (the test's n).",
    "las_excluded": "Graded LAs without a published value that year.",
}
_HEAD = {"requested_year": pl.Int64, "prediction_year": pl.Int64}
_HEAD_COLUMNS = {
    "requested_year": "The configured prediction year Y.",
    "prediction_year": "The year Y actually used: the requested one, or the first configured fallback year with enough graded LAs (see ofsted_prediction_summary.year_note).",
}
_COVERAGE_SCHEMA = {"n_las": pl.Int64, "years_used": pl.String, "las_excluded": pl.String}
_MODEL_COVERAGE = {
    "n_las": "LAs in the model: an overall grade in force in the outcome window and every predictor present.",
    "years_used": "Year of the predictor values (Y).",
    "las_excluded": "LAs left out and why: configured exclusion, no overall grade in force in the window, or a predictor missing.",
}
PREDICTION_SCHEMAS = {
    "analysis.ofsted_prediction_summary": {
        **_HEAD, "year_note": pl.String, "outcome_years": pl.String, "n_rated_inadequate": pl.Int64,
        "n_not_rated_inadequate": pl.Int64, "indicators_used": pl.String, "indicators_dropped": pl.String,
        "l1_ratio": pl.Float64, "chosen_alpha": pl.Float64, "folds": pl.Int64, "threshold": pl.Float64,
        "n_nonzero_coefficients": pl.Int64, "converged": pl.Boolean, "deviance_explained": pl.Float64, "sensitivity": pl.Float64,
        "specificity": pl.Float64, "cv_mean_deviance": pl.Float64, "cv_null_mean_deviance": pl.Float64,
        "cv_sensitivity": pl.Float64, "cv_specificity": pl.Float64, "n_predicted_inadequate": pl.Int64, **_COVERAGE_SCHEMA,
    },
    "analysis.ofsted_prediction_coefficients": {
        **_HEAD, "term": pl.String, "coefficient": pl.Float64, "indicator_mean": pl.Float64, "indicator_sd": pl.Float64,
        "coefficient_per_unit": pl.Float64, "odds_ratio_per_sd": pl.Float64, "chosen_alpha": pl.Float64,
        "l1_ratio": pl.Float64, **_COVERAGE_SCHEMA,
    },
    "analysis.ofsted_prediction_cv": {
        **_HEAD, "alpha": pl.Float64, "l1_ratio": pl.Float64, "cv_mean_deviance": pl.Float64, "cv_deviance_se": pl.Float64,
        "n_nonzero_coefficients": pl.Int64, "n_fold_fits_not_converged": pl.Int64, "chosen": pl.Boolean, **_COVERAGE_SCHEMA,
    },
    "analysis.ofsted_predictions": {
        **_HEAD, "outcome_years": pl.String, "la_code": pl.String, "la_name": pl.String, "region": pl.String,
        "probability": pl.Float64, "predicted_inadequate": pl.Boolean, "rated_inadequate": pl.Boolean, "cv_probability": pl.Float64,
    },
    "analysis.ofsted_after_inadequate": {
        **_HEAD, "group": pl.String, "group_label": pl.String, "indicator": pl.String, "from_year": pl.Int64, "to_year": pl.Int64,
        "median_change": pl.Float64, "percent_rose": pl.Float64, **_COVERAGE_SCHEMA,
    },
}
AFTER_SCHEMA = {k: v for k, v in PREDICTION_SCHEMAS["analysis.ofsted_after_inadequate"].items() if k not in _HEAD}
PREDICTION_DESCRIPTIONS = {
    "analysis.ofsted_prediction_summary": ("The elastic-net logistic model of an Inadequate overall grade in force at 31 March of "
                                           "years Y..Y+window_years-1 on standardised indicators of year Y: data, chosen penalty and fit."),
    "analysis.ofsted_prediction_coefficients": "Non-zero coefficients (and the intercept) of the elastic-net Inadequate model at the cross-validated penalty.",
    "analysis.ofsted_prediction_cv": "Cross-validated held-out deviance of the elastic-net Inadequate model per penalty alpha.",
    "analysis.ofsted_predictions": "Per LA in the Inadequate model: predicted probability, predicted class at the threshold and the actual outcome.",
    "analysis.ofsted_after_inadequate": ("Among LAs predicted Inadequate: group A (not rated Inadequate in the window) vs group B "
                                         "(rated Inadequate): median change of each indicator from year Y to Y+1 and % of LAs rising."),
}
PREDICTION_COLUMNS = {
    "analysis.ofsted_prediction_summary": {
        **_HEAD_COLUMNS,
        "year_note": "Empty when the requested year was used; otherwise why it (and any earlier fallback) was passed over.",
        "outcome_years": "Years whose 31 March judgement in force defines the outcome (Y..Y+window-1).",
        "n_rated_inadequate": "Model LAs with an Inadequate overall grade in force at 31 March of some outcome year.",
        "n_not_rated_inadequate": "Model LAs graded in the window but never Inadequate.",
        "indicators_used": "Predictors in the model (values of year Y, standardised).",
        "indicators_dropped": "Configured predictors left out and why (no values, too much missingness, constant).",
        "l1_ratio": "Elastic-net mixing (statsmodels L1_wt): 1 lasso, 0 ridge.",
        "chosen_alpha": "Penalty with the lowest cross-validated deviance.",
        "folds": "Cross-validation folds (stratified by outcome, seeded).",
        "threshold": "Probability at or above which an LA is predicted Inadequate.",
        "n_nonzero_coefficients": "Predictors with a non-zero coefficient at the chosen alpha.",
        "converged": "Whether the final coordinate-descent fit converged within max_iterations.",
        "deviance_explained": "1 - model deviance / intercept-only deviance, in sample.",
        "sensitivity": "Share of the LAs rated Inadequate that the model predicts Inadequate (in sample).",
        "specificity": "Share of the LAs not rated Inadequate that the model predicts not Inadequate (in sample).",
        "cv_mean_deviance": "Held-out binomial deviance per LA at the chosen alpha.",
        "cv_null_mean_deviance": "Held-out deviance per LA of an intercept-only model on the same folds (chance level).",
        "cv_sensitivity": "Sensitivity of the out-of-fold predictions at the chosen alpha.",
        "cv_specificity": "Specificity of the out-of-fold predictions at the chosen alpha.",
        "n_predicted_inadequate": "Model LAs predicted Inadequate (in sample).",
        **_MODEL_COVERAGE,
    },
    "analysis.ofsted_prediction_coefficients": {
        **_HEAD_COLUMNS,
        "term": "'intercept' or the predictor's indicator id.",
        "coefficient": "Log-odds of Inadequate per standard deviation of the indicator (the intercept: at the mean of every predictor).",
        "indicator_mean": "Mean of the indicator over the model LAs (the standardisation centre).",
        "indicator_sd": "Population SD of the indicator over the model LAs (the standardisation scale).",
        "coefficient_per_unit": "Coefficient per unit of the indicator (coefficient / indicator_sd).",
        "odds_ratio_per_sd": "exp(coefficient): odds ratio for one SD higher.",
        "chosen_alpha": "Penalty of the fit.",
        "l1_ratio": "Elastic-net mixing of the fit.",
        **_MODEL_COVERAGE,
    },
    "analysis.ofsted_prediction_cv": {
        **_HEAD_COLUMNS,
        "alpha": "Penalty of the grid.",
        "l1_ratio": "Elastic-net mixing.",
        "cv_mean_deviance": "Binomial deviance of the out-of-fold predictions, per LA.",
        "cv_deviance_se": "Standard error of the per-fold mean deviances.",
        "n_nonzero_coefficients": "Non-zero predictors when this alpha is fitted on all model LAs.",
        "n_fold_fits_not_converged": "Training-fold fits at this alpha that reached max_iterations without converging.",
        "chosen": "True for the alpha with the lowest cv_mean_deviance.",
        **_MODEL_COVERAGE,
    },
    "analysis.ofsted_predictions": {
        **_HEAD_COLUMNS,
        "outcome_years": "Years whose 31 March judgement in force defines the outcome.",
        "la_code": "GSS code of the LA.",
        "la_name": "LA name.",
        "region": "English region.",
        "probability": "Predicted probability of Inadequate from the model fitted on all LAs.",
        "predicted_inadequate": "probability at or above the threshold.",
        "rated_inadequate": "Actual outcome: an Inadequate overall grade in force at 31 March of some outcome year.",
        "cv_probability": "Out-of-fold probability at the chosen alpha (the LA's fold held out of the fit).",
    },
    "analysis.ofsted_after_inadequate": {
        **_HEAD_COLUMNS,
        "group": "A: predicted Inadequate but not rated Inadequate in the window; B: predicted and rated Inadequate.",
        "group_label": "The group in words.",
        "indicator": "Indicator id (the configured predictors).",
        "from_year": "First predicted year (Y, the window's first year).",
        "to_year": "The next year (Y+1).",
        "median_change": "Median over the group's LAs of value(to_year) - value(from_year).",
        "percent_rose": "Percent of the group's LAs whose value rose (change > 0).",
        "n_las": "LAs of the group with a value in both years.",
        "years_used": "from_year-to_year.",
        "las_excluded": "Group LAs without a value in one of the two years.",
    },
}
