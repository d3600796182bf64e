"""methods.md section 5: Ofsted judgements in force, their association with rates, and predicting Inadequate.

Grades in force: ``mart.ofsted_judgement_in_force`` already holds, per English LA and 31 March, the
latest judgement published before that date on the four-point scale (1 Outstanding .. 4
Inadequate; "Adequate" and "Requires improvement to be good" are grade 3, the former flagged).
This family counts LAs per year, framework and grade with the median of configured indicators, and
tests each indicator's rate of the year against the grade in force (Spearman, Kruskal-Wallis; the
tests of ``change_in_rate``, which also relates grades to average rates and changes).

Prediction: outcome = rated Inadequate at 31 March of any year Y .. Y+window-1 (methods.md "rated
inadequate in years Y..Y+1"), by default under the framework in force (the in-force table's
``rated_inadequate``: SLAC overall effectiveness of safeguarding or of services for looked-after
children, a child-protection inspection, later the SIF/ILACS overall grade); ``outcome:
overall_grade`` uses the SIF/ILACS overall grade only. LAs with no graded judgement in force in
any of those years have no outcome and are left out. Predictors: the configured indicators of year
Y that are published for it (the others are listed as unavailable), standardised (mean 0, SD 1
over the model's LAs). Missing values: LAs with an outcome but no value of any indicator that year
are dropped; then indicators missing for more than ``max_missing_share`` of the remaining LAs are
dropped; then LAs missing any remaining indicator are dropped (all listed in las_excluded). When
year Y's window has too few graded or Inadequate LAs the first configured fallback year that has
them is used instead, with status fallback_year.

Model: elastic-net logistic regression on a penalty path from lambda_max down to
lambda_min_ratio of it, penalty chosen by stratified, seeded k-fold cross-validation of the
held-out deviance (``elastic_net``; by default glmnet's one-standard-error rule, which on pure
noise keeps the intercept-only model where the minimum often keeps a chance predictor); refitted on all LAs at the chosen penalty. A degenerate result is labelled in
the summary's ``status`` and ``note`` and reported as such, never as a finding: an intercept-only
model, one whose held-out deviance is no lower than the intercept-only model's, a penalty chosen at
the end of the path, a fit that did not converge, a fallback year, or
no usable year at all.

After-inadequate movement: among LAs the model predicts Inadequate, group A (not rated Inadequate
in the window) against group B (rated Inadequate): per indicator, the median change from year Y
(the window's first year, the first predicted year) to Y+1 and the % of LAs whose value rose; an
empty group is a row with status group_empty.

Over 500 lines, most of them this description: one family's statistics; its tables are
ofsted_linkage_tables.py, its charts charts/ofsted_linkage.py, the model elastic_net.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from csc_pipeline.analysis.change_in_rate import grade_tests
from csc_pipeline.analysis.elastic_net import (
    CV_RULES, CrossValidation, PathFit, binomial_deviance, cross_validate, fit_path, lambda_max, lambda_path, predict_probability,
    sensitivity_specificity, standardise,
)
from csc_pipeline.analysis.family_config import parse_settings, require
from csc_pipeline.analysis.ofsted_grades import grades_by_authority
from csc_pipeline.analysis.ofsted_linkage_tables import (
    AFTER_SCHEMA, ASSOCIATION_COLUMNS, ASSOCIATION_DESCRIPTION, ASSOCIATION_SCHEMA, PREDICTION_COLUMNS,
    PREDICTION_DESCRIPTIONS, PREDICTION_SCHEMAS, SUMMARY_COLUMNS, SUMMARY_DESCRIPTION, SUMMARY_SCHEMA,
)
from csc_pipeline.analysis.panel_frames import Coverage, configured_exclusions, format_years, select_values
from csc_pipeline.analysis.results import AnalysisInputs, AnalysisOutput, AnalysisTable, ChartRequest, FamilySpec

FAMILY = "ofsted_linkage"
INADEQUATE = 4
GRADE_NAMES = {1: "Outstanding", 2: "Good", 3: "Requires improvement / Adequate", 4: "Inadequate"}
NO_GRADE = "no overall grade"
OUTCOMES = {
    "rated_inadequate": ("rated Inadequate under the framework in force (SLAC overall effectiveness of safeguarding or of "
                         "services for looked-after children, child-protection inspection, SIF/ILACS overall effectiveness)"),
    "overall_grade": "SIF/ILACS overall effectiveness Inadequate",
}
OK = "ok"


@dataclass(frozen=True)
class PredictionSettings:
    year: int
    fallback_years: tuple  # tried in order when `year` has too few graded LAs
    window_years: int  # outcome: rated Inadequate at 31 March of any of years Y .. Y + window_years - 1
    outcome: str  # a key of OUTCOMES
    indicators: tuple
    alpha: float  # elastic-net mixing (glmnet's alpha): 1 lasso, towards 0 ridge
    n_lambdas: int  # penalties on the path (glmnet's default)
    lambda_min_ratio: float  # the path ends at lambda_max * this
    folds: int
    # "1se": the largest penalty within one SE of the lowest held-out deviance (glmnet's lambda.1se); "min": the lowest
    cv_rule: str
    seed: int
    threshold: float  # predicted Inadequate when the probability is at least this
    max_iterations: int  # IRLS steps per penalty
    max_missing_share: float  # indicators missing for more of the LAs with an outcome are dropped
    # a year is usable when this many LAs rated in the window have every predictor (about half of England)
    min_graded_las: int
    min_inadequate: int  # ... and at least this many rated Inadequate and this many not

    def __post_init__(self) -> None:
        key = f"{FAMILY}.prediction"
        require(self.window_years >= 1, f"{key}.window_years", "must be >= 1")
        require(self.outcome in OUTCOMES, f"{key}.outcome", f"expected one of {', '.join(OUTCOMES)}, got {self.outcome!r}")
        # alpha 0 (ridge) has no penalty that zeroes every coefficient, so no path start
        require(0 < self.alpha <= 1, f"{key}.alpha", "must be in (0, 1]")
        require(self.n_lambdas >= 3, f"{key}.n_lambdas", "must be >= 3")
        require(0 < self.lambda_min_ratio < 1, f"{key}.lambda_min_ratio", "must be in (0, 1)")
        require(self.folds >= 2, f"{key}.folds", "must be >= 2")
        require(self.cv_rule in CV_RULES, f"{key}.cv_rule", f"expected one of {', '.join(CV_RULES)}, got {self.cv_rule!r}")
        require(self.max_iterations >= 1, f"{key}.max_iterations", "must be >= 1")
        require(0 < self.threshold < 1, f"{key}.threshold", "must be between 0 and 1")
        require(0 <= self.max_missing_share < 1, f"{key}.max_missing_share", "must be in [0, 1)")
        require(self.min_inadequate >= 2, f"{key}.min_inadequate", "must be >= 2 (cross-validation needs both outcomes in training folds)")
        require(len(self.indicators) > 0 and all(isinstance(i, str) for i in self.indicators), f"{key}.indicators",
                "expected a non-empty list of indicator ids")
        require(all(isinstance(y, int) for y in self.fallback_years), f"{key}.fallback_years", "expected a list of years")


@dataclass(frozen=True)
class OfstedLinkageSettings:
    geography: str
    exclude_la_codes: tuple
    summary_indicators: tuple
    # Years (31 March) whose grades in force are tested against the indicators; null: every year with grades.
    association_years: tuple | None
    prediction: PredictionSettings

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
# Grades in force and their associations


def _indicator_values(panel: pl.DataFrame, settings: OfstedLinkageSettings, indicators) -> pl.DataFrame:
    return select_values(panel, settings.geography, settings.exclude_la_codes, indicators, nation="England").select(
        "la_code", pl.col("year").cast(pl.Int64), "indicator", "value")


def _missing_reasons(codes: list[str], reason: str) -> str:
    return "; ".join(f"{code} ({reason})" for code in sorted(codes))


def grade_name() -> pl.Expr:
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
        grade_name().alias("grade_name"),
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


def _rated(outcome: str) -> tuple[pl.Expr, pl.Expr]:
    """(has a graded judgement, is rated Inadequate) per grades-in-force row, under the outcome definition."""
    if outcome == "overall_grade":
        return pl.col("overall_grade_ordinal").is_not_null(), pl.col("overall_grade_ordinal") == INADEQUATE
    return pl.col("rated_inadequate").is_not_null(), pl.col("rated_inadequate")


def window_outcome(grades: pl.DataFrame, year: int, window_years: int, outcome: str = "rated_inadequate") -> pl.DataFrame:
    """Per LA graded at 31 March of some year of the window: rated_inadequate (in any of those years)."""
    graded, inadequate = _rated(outcome)
    return (grades.filter(pl.col("year").is_between(year, year + window_years - 1) & graded)
            .group_by("la_code").agg(inadequate.any().alias("rated_inadequate"))
            .sort("la_code"))


@dataclass
class PredictionData:
    year: int
    la_codes: list[str]
    outcome: np.ndarray
    predictors: np.ndarray  # raw values, LAs x indicators_used
    indicators_used: list[str]
    indicators_dropped: dict[str, str]  # indicator -> reason (published for the year but not usable)
    coverage: Coverage
    indicators_unavailable: list[str] = field(default_factory=list)  # configured but not published for the year


def prediction_data(grades: pl.DataFrame, values: pl.DataFrame, year: int, settings: PredictionSettings,
                    configured: dict[str, str]) -> PredictionData | str:
    """The model's LAs, outcome and raw predictors for ``year``, or why the year cannot be used."""
    outcome = window_outcome(grades, year, settings.window_years, settings.outcome)
    window = format_years(range(year, year + settings.window_years))
    n_inadequate = int(outcome["rated_inadequate"].sum()) if outcome.height else 0
    if outcome.height < settings.min_graded_las or min(n_inadequate, outcome.height - n_inadequate) < settings.min_inadequate:
        return (f"{year}: {outcome.height} LAs rated at 31 March {window}, {n_inadequate} Inadequate "
                f"(needs {settings.min_graded_las} rated and {settings.min_inadequate} of each outcome)")
    at_year = values.filter(pl.col("year") == year)
    if at_year.is_empty():
        return f"{year}: no published values of the configured indicators"
    wide = outcome.join(at_year.pivot(on="indicator", index="la_code", values="value"), on="la_code", how="left")
    # an LA with no value at all is missing as an LA, not evidence against any one indicator
    without_values = wide.filter(pl.all_horizontal(pl.exclude("la_code", "rated_inadequate").is_null()))["la_code"].to_list()
    wide = wide.filter(~pl.col("la_code").is_in(without_values))
    unavailable = [i for i in settings.indicators if i not in wide.columns]
    dropped, used = {}, []
    for indicator in [i for i in settings.indicators if i in wide.columns]:
        missing = wide[indicator].null_count() / wide.height
        if missing > settings.max_missing_share:
            dropped[indicator] = f"missing for {missing:.0%} of the LAs with an outcome"
        else:
            used.append(indicator)
    complete = wide.drop_nulls(used) if used else wide.clear()
    for indicator in [i for i in used if complete[i].n_unique() < 2]:
        dropped[indicator] = "the same value for every LA"
        used.remove(indicator)
    if not used:
        return f"{year}: no indicator with values for enough of the {outcome.height} rated LAs"
    n_inadequate = int(complete["rated_inadequate"].sum())
    if complete.height < settings.min_graded_las or min(n_inadequate, complete.height - n_inadequate) < settings.min_inadequate:
        return (f"{year}: {complete.height} rated LAs with complete predictors, {n_inadequate} Inadequate "
                f"(needs {settings.min_graded_las} and {settings.min_inadequate} of each outcome)")
    coverage = Coverage(set(complete["la_code"].to_list()), {year}, dict(configured))
    for code in sorted(set(wide["la_code"].to_list()) - coverage.la_codes):
        coverage.exclude(code, f"a predictor missing in {year}")
    for code in without_values:
        coverage.exclude(code, f"no value of any configured indicator in {year}")
    for code in sorted(set(at_year["la_code"].to_list()) - set(wide["la_code"].to_list())):
        coverage.exclude(code, f"not rated at 31 March {window}")
    return PredictionData(year, complete["la_code"].to_list(), complete["rated_inadequate"].cast(pl.Float64).to_numpy(),
                          complete.select(used).to_numpy().astype(float), used, dropped, coverage, unavailable)


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
# The prediction, its status, and the after-inadequate comparison


@dataclass
class Prediction:
    data: PredictionData
    cv: CrossValidation
    path: PathFit  # every penalty of the path fitted on all LAs (standardised predictors)
    lambda_max: float
    mean: np.ndarray
    sd: np.ndarray
    probability: np.ndarray
    predicted: np.ndarray
    deviance_explained: float
    sensitivity: float | None
    specificity: float | None
    cv_sensitivity: float | None
    cv_specificity: float | None
    status: str
    note: str

    @property
    def params(self) -> np.ndarray:
        """Intercept, then per-SD coefficients of indicators_used, at the chosen penalty."""
        return self.path.params[self.cv.chosen_index]

    @property
    def converged(self) -> bool:
        return bool(self.path.converged[self.cv.chosen_index])


def prediction_status(cv: CrossValidation, params: np.ndarray, converged: bool, year: int, passed_over: list[str],
                      settings: PredictionSettings) -> tuple[str, str]:
    """The model's status (the first that applies of intercept_only, no_better_than_chance, penalty_at_path_edge,
    not_converged, fallback_year, else ok) and a note naming every caveat that applies."""
    statuses, notes = [], []
    position = f"lambda {cv.chosen_lambda:.4g}, position {cv.chosen_index} of 0..{len(cv.lambdas) - 1} on the path"
    if not np.any(params[1:]):
        statuses.append("intercept_only")
        margin = " by more than one standard error" if settings.cv_rule == "1se" else ""
        notes.append(f"intercept-only model ({position}): no predictor lowers the cross-validated deviance{margin}, so the "
                     "model predicts every LA alike; not a finding")
    elif cv.mean_deviance[cv.chosen_index] >= cv.null_mean_deviance:
        statuses.append("no_better_than_chance")
        notes.append(f"the chosen model ({position}) predicts held-out LAs no better than an intercept-only model "
                     f"(cross-validated deviance {cv.mean_deviance[cv.chosen_index]:.4f} against {cv.null_mean_deviance:.4f}); "
                     "not a finding")
    elif cv.chosen_index == len(cv.lambdas) - 1:
        statuses.append("penalty_at_path_edge")
        notes.append(f"the chosen penalty is the smallest on the path ({position}): the deviance may fall further, the "
                     "choice is not a minimum; not a finding")
    if not converged:
        statuses.append("not_converged")
        notes.append(f"the final fit did not converge within {settings.max_iterations} IRLS steps")
    if year != settings.year:
        statuses.append("fallback_year")
        notes.append(f"fallback: requested year {settings.year} not usable ({'; '.join(passed_over)}); used {year}")
    return (statuses[0] if statuses else OK), "; ".join(notes)


def predict(data: PredictionData, settings: PredictionSettings, passed_over: list[str] | None = None) -> Prediction:
    scaled, _, mean, sd = standardise(data.predictors)
    largest = lambda_max(scaled, data.outcome, settings.alpha)
    lambdas = lambda_path(largest, settings.n_lambdas, settings.lambda_min_ratio)
    cv = cross_validate(data.predictors, data.outcome, lambdas, settings.alpha, settings.folds, settings.seed,
                        settings.max_iterations, settings.cv_rule)
    path = fit_path(scaled, data.outcome, lambdas, settings.alpha, settings.max_iterations)
    params = path.params[cv.chosen_index]
    probability = predict_probability(params, scaled)
    predicted = probability >= settings.threshold
    null = binomial_deviance(data.outcome, np.full(len(data.outcome), data.outcome.mean()))
    status, note = prediction_status(cv, params, bool(path.converged[cv.chosen_index]), data.year, passed_over or [], settings)
    return Prediction(data, cv, path, largest, mean, sd, probability, predicted,
                      # rounded (and -0.0 made 0.0) so an intercept-only fit reports 0 rather than floating-point noise
                      round(1 - binomial_deviance(data.outcome, probability) / null, 12) + 0.0,
                      *sensitivity_specificity(data.outcome, predicted),
                      *sensitivity_specificity(data.outcome, cv.held_out_probability >= settings.threshold), status, note)


def after_inadequate(predicted: pl.DataFrame, values: pl.DataFrame, indicators, year: int) -> pl.DataFrame:
    """Per group (A: predicted, not rated Inadequate; B: predicted and rated) and indicator: median change year -> year+1, % rising.

    ``predicted``: la_code, rated_inadequate of the LAs predicted Inadequate. An empty group still
    gets its rows, with status group_empty.
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
            if members.is_empty():
                status, note = "group_empty", f"no LA is {label}: nothing to compare"
            elif known.is_empty():
                status, note = "no_values", f"no LA of the group has a value in both {year} and {year + 1}"
            else:
                status, note = OK, ""
            rows.append({
                "group": group, "group_label": label, "n_group_las": members.height, "indicator": indicator,
                "from_year": year, "to_year": year + 1,
                "median_change": known.median() if known.len() else None,
                "percent_rose": float((known > 0).mean() * 100) if known.len() else None,
                "status": status, "note": note,
                "n_las": known.len(), "years_used": format_years([year, year + 1]) if known.len() else "",
                "las_excluded": _missing_reasons(change.filter(pl.col("change").is_null())["la_code"].to_list(),
                                                 f"no value in {year} or {year + 1}"),
            })
    return pl.DataFrame(rows, schema=AFTER_SCHEMA)


# ---------------------------------------------------------------------------------------------
# The family


def run(inputs: AnalysisInputs, config: dict) -> AnalysisOutput:
    settings = parse_config(config)
    output = AnalysisOutput(FAMILY)
    grades = grades_by_authority(inputs, settings.geography, settings.exclude_la_codes)
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
        output.chart_requests.append(ChartRequest("grade_distribution", inputs.charts_dir / "ofsted_grade_distribution.png", {"grades": grades}))
        _grade_headlines(output, grades, associations)

    configured = configured_exclusions(inputs.panel, settings.geography, settings.exclude_la_codes, "England")
    data, passed_over = choose_year(grades, values, settings.prediction, configured)
    if data is None:
        note = "not fitted: no configured year has enough rated LAs: " + "; ".join(passed_over)
        output.headlines.append(f"Ofsted prediction [status n_below_minimum]: {note}.")
        output.tables += _unfitted_tables(settings.prediction, note)
        return output
    prediction = predict(data, settings.prediction, passed_over)
    tables = _prediction_tables(prediction, settings, inputs, values)
    output.tables += tables
    frames = {t.name: t.frame for t in tables}
    output.chart_requests += [
        ChartRequest("coefficients", inputs.charts_dir / "ofsted_prediction_coefficients.png",
                     {"coefficients": frames["analysis.ofsted_prediction_coefficients"], "year": data.year, "status": prediction.status}),
        ChartRequest("cv_curve", inputs.charts_dir / "ofsted_prediction_cv.png", {"cv": prediction.cv, "year": data.year}),
    ]
    _prediction_headlines(output, prediction, settings, frames["analysis.ofsted_after_inadequate"])
    return output


def _table(name: str, frame: pl.DataFrame) -> AnalysisTable:
    return AnalysisTable(name, frame, PREDICTION_DESCRIPTIONS[name], PREDICTION_COLUMNS[name])


def _unfitted_tables(ps: PredictionSettings, note: str) -> list[AnalysisTable]:
    frames = {name: pl.DataFrame(schema=schema) for name, schema in PREDICTION_SCHEMAS.items()}
    frames["analysis.ofsted_prediction_summary"] = pl.DataFrame([{
        "requested_year": ps.year, "outcome_definition": OUTCOMES[ps.outcome], "alpha": ps.alpha, "folds": ps.folds, "cv_rule": ps.cv_rule,
        "status": "n_below_minimum", "note": note, "n_lambdas": ps.n_lambdas, "lambda_min_ratio": ps.lambda_min_ratio,
        "threshold": ps.threshold, "n_las": 0, "years_used": "", "las_excluded": "",
    }], schema=PREDICTION_SCHEMAS["analysis.ofsted_prediction_summary"])
    return [_table(name, frame) for name, frame in frames.items()]


def _prediction_tables(prediction: Prediction, settings: OfstedLinkageSettings, inputs: AnalysisInputs,
                       values: pl.DataFrame) -> list[AnalysisTable]:
    ps, data, cv = settings.prediction, prediction.data, prediction.cv
    year = data.year
    head = {"requested_year": ps.year, "prediction_year": year, "outcome_years": format_years(range(year, year + ps.window_years)),
            "outcome_definition": OUTCOMES[ps.outcome], "alpha": ps.alpha, "chosen_lambda": cv.chosen_lambda, "folds": ps.folds,
            "cv_rule": ps.cv_rule}
    model = {**head, "model_status": prediction.status}
    coverage = data.coverage.values()
    last = len(cv.lambdas) - 1

    def path_point(index: int) -> dict:
        return {"lambda_index": index, "lambda_value": float(cv.lambdas[index]), "is_chosen": index == cv.chosen_index,
                "is_path_start": index == 0, "is_path_end": index == last}

    summary = pl.DataFrame([{
        **head, "status": prediction.status, "note": prediction.note,
        "n_rated_inadequate": int(data.outcome.sum()), "n_not_rated_inadequate": int(len(data.outcome) - data.outcome.sum()),
        "indicators_used": ", ".join(data.indicators_used), "indicators_unavailable": ", ".join(data.indicators_unavailable),
        "indicators_dropped": "; ".join(f"{i} ({r})" for i, r in data.indicators_dropped.items()),
        "lambda_max": prediction.lambda_max, "n_lambdas": ps.n_lambdas, "lambda_min_ratio": ps.lambda_min_ratio,
        "chosen_lambda_index": cv.chosen_index, "threshold": ps.threshold,
        "n_nonzero_coefficients": int(np.count_nonzero(prediction.params[1:])), "converged": prediction.converged,
        "deviance_explained": prediction.deviance_explained, "sensitivity": prediction.sensitivity,
        "specificity": prediction.specificity, "cv_mean_deviance": float(cv.mean_deviance[cv.chosen_index]),
        "cv_null_mean_deviance": cv.null_mean_deviance, "cv_sensitivity": prediction.cv_sensitivity,
        "cv_specificity": prediction.cv_specificity, "n_predicted_inadequate": int(prediction.predicted.sum()), **coverage,
    }], schema=PREDICTION_SCHEMAS["analysis.ofsted_prediction_summary"])
    coefficients = pl.DataFrame([{
        **model, **path_point(index), "term": term, "coefficient": float(params[position]),
        "indicator_mean": None if position == 0 else float(prediction.mean[position - 1]),
        "indicator_sd": None if position == 0 else float(prediction.sd[position - 1]),
        "coefficient_per_unit": None if position == 0 else float(params[position] / prediction.sd[position - 1]),
        "odds_ratio_per_sd": None if position == 0 else float(np.exp(params[position])), **coverage,
    } for index, params in enumerate(prediction.path.params) for position, term in enumerate(["intercept", *data.indicators_used])],
        schema=PREDICTION_SCHEMAS["analysis.ofsted_prediction_coefficients"]).sort(
        "is_chosen", "lambda_index", descending=[True, False], maintain_order=True)
    cv_frame = pl.DataFrame([{
        **model, **path_point(index), "cv_mean_deviance": float(cv.mean_deviance[index]), "cv_deviance_se": float(cv.deviance_se[index]),
        "n_nonzero_coefficients": int(np.count_nonzero(prediction.path.params[index, 1:])),
        "n_fold_fits_not_converged": int(cv.not_converged[index]), **coverage,
    } for index in range(len(cv.lambdas))], schema=PREDICTION_SCHEMAS["analysis.ofsted_prediction_cv"])
    names = inputs.panel.filter(pl.col("nation") == "England").select("la_code", "la_name", "region").unique("la_code")
    predictions = pl.DataFrame({
        "la_code": data.la_codes, "probability": prediction.probability, "predicted_inadequate": prediction.predicted,
        "rated_inadequate": data.outcome.astype(bool), "cv_probability": cv.held_out_probability,
    }).join(names, on="la_code", how="left").with_columns(
        *(pl.lit(value).alias(column) for column, value in {**model, **coverage}.items()),
    ).select(*PREDICTION_SCHEMAS["analysis.ofsted_predictions"]).cast(PREDICTION_SCHEMAS["analysis.ofsted_predictions"]).sort(
        "probability", "la_code", descending=[True, False])
    movement = after_inadequate(predictions.filter(pl.col("predicted_inadequate")).select("la_code", "rated_inadequate"),
                                values, ps.indicators, year).with_columns(
        *(pl.lit(value).alias(column) for column, value in model.items()),
    ).select(*PREDICTION_SCHEMAS["analysis.ofsted_after_inadequate"]).cast(PREDICTION_SCHEMAS["analysis.ofsted_after_inadequate"])
    frames = {"analysis.ofsted_prediction_summary": summary, "analysis.ofsted_prediction_coefficients": coefficients,
              "analysis.ofsted_prediction_cv": cv_frame, "analysis.ofsted_predictions": predictions,
              "analysis.ofsted_after_inadequate": movement}
    return [_table(name, frame) for name, frame in frames.items()]


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


def _prediction_headlines(output: AnalysisOutput, prediction: Prediction, settings: OfstedLinkageSettings,
                          movement: pl.DataFrame) -> None:
    """The model and the after-inadequate comparison as findings when the status is ok; otherwise its note, labelled."""
    ps, data = settings.prediction, prediction.data
    window = format_years(range(data.year, data.year + ps.window_years))
    described = (f"Elastic-net model of {OUTCOMES[ps.outcome]} at 31 March {window} on {data.year} indicators: "
                 f"{len(data.la_codes)} LAs ({int(data.outcome.sum())} Inadequate)")
    if prediction.status not in (OK, "fallback_year"):
        output.headlines.append(f"{described} [status {prediction.status}, not a finding]: {prediction.note}.")
        return
    nonzero = [(i, c) for i, c in zip(data.indicators_used, prediction.params[1:]) if c != 0]
    percent = lambda v: "n/a" if v is None else f"{v:.0%}"  # noqa: E731
    label = "" if prediction.status == OK else f" [status {prediction.status}: {prediction.note}]"
    output.headlines.append(
        f"{described}{label}, lambda {prediction.cv.chosen_lambda:.3g} (position {prediction.cv.chosen_index} of "
        f"{len(prediction.cv.lambdas) - 1} from lambda_max) by {ps.folds}-fold CV; non-zero: "
        f"{', '.join(f'{i} {c:+.2f}' for i, c in nonzero)} (per SD); deviance explained {prediction.deviance_explained:.1%}; "
        f"sensitivity {percent(prediction.sensitivity)}, specificity {percent(prediction.specificity)} at {ps.threshold} "
        f"(cross-validated {percent(prediction.cv_sensitivity)} / {percent(prediction.cv_specificity)})."
    )
    sizes = dict(movement.select("group", "n_group_las").unique().iter_rows())
    empty = [g for g in ("A", "B") if not sizes.get(g)]
    if empty:
        output.headlines.append(f"After-inadequate comparison [status group_empty, not a finding]: predicted Inadequate at "
                                f"{ps.threshold}: {sizes.get('A', 0)} not rated (group A), {sizes.get('B', 0)} rated (group B); "
                                f"group {' and '.join(empty)} empty.")
        return
    shown = movement.filter(pl.col("status") == OK).filter(pl.col("indicator").is_in(list(settings.summary_indicators)))
    output.headlines.append(
        f"Predicted Inadequate: {sizes['A']} not rated (group A), {sizes['B']} rated (group B); change {data.year}-{data.year + 1} "
        "(median, % of LAs rising): " + "; ".join(
            f"{r['indicator']} {r['group']} {r['median_change']:+.1f} ({r['percent_rose']:.0f}%)"
            for r in shown.sort("indicator", "group").iter_rows(named=True)) + "."
    )


SPEC = FamilySpec("ofsted_linkage", "5. Ofsted linkage", run, parse_config)
