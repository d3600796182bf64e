"""Ofsted linkage (methods.md section 5) against statsmodels, scipy, hand counts, a planted quality problem and pure noise."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats

from csc_pipeline.analysis.charts import draw
from csc_pipeline.analysis import elastic_net as en
from csc_pipeline.analysis import ofsted_linkage as ol
from csc_pipeline.analysis.config import load_analysis_config
from csc_pipeline.analysis.family_config import ConfigError
from csc_pipeline.analysis.ofsted_grades import grades_by_authority
from csc_pipeline.analysis.ofsted_linkage_tables import CHOICE_COLUMNS
from csc_pipeline.analysis.registry import families
from csc_pipeline.analysis.runner import write_output
from synthetic_analysis_inputs import make_inputs

PREDICTION_TABLES = ["analysis.ofsted_prediction_summary", "analysis.ofsted_prediction_coefficients", "analysis.ofsted_prediction_cv",
                     "analysis.ofsted_predictions", "analysis.ofsted_after_inadequate"]


def _logistic_data(n=120, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(-1.0 + 1.2 * x[:, 0] - 0.6 * x[:, 1])))).astype(float)
    return x, y


def _data(x, y, names, year=2012):
    return ol.PredictionData(year, [f"L{i}" for i in range(len(y))], y, x, list(names), {}, ol.Coverage())


def assert_status_consistent(summary: dict, coefficients: pl.DataFrame) -> None:
    """The summary's status says what the chosen model is: a degenerate result is never labelled ok."""
    chosen = coefficients.filter(pl.col("is_chosen") & (pl.col("term") != "intercept"))
    nonzero = chosen.filter(pl.col("coefficient") != 0).height
    assert nonzero == summary["n_nonzero_coefficients"]
    assert chosen["lambda_index"].unique().to_list() == [summary["chosen_lambda_index"]]
    assert chosen["lambda_value"].unique().to_list() == [pytest.approx(summary["chosen_lambda"])]
    at_end = summary["chosen_lambda_index"] == summary["n_lambdas"] - 1
    if nonzero == 0:
        assert summary["status"] == "intercept_only" and "not a finding" in summary["note"]
    elif at_end:
        assert summary["status"] == "penalty_at_path_edge" and "not a finding" in summary["note"]
    elif summary["cv_mean_deviance"] >= summary["cv_null_mean_deviance"]:
        assert summary["status"] == "no_better_than_chance" and "not a finding" in summary["note"]
    if summary["status"] == "ok":
        assert summary["cv_mean_deviance"] < summary["cv_null_mean_deviance"]
        assert nonzero > 0 and 0 < summary["chosen_lambda_index"] < summary["n_lambdas"] - 1 and summary["converged"]
        assert summary["prediction_year"] == summary["requested_year"] and summary["note"] == ""
    if summary["prediction_year"] != summary["requested_year"]:
        assert "fallback" in summary["note"]


def test_stratified_folds_are_balanced_and_deterministic():
    y = np.array([1.0] * 13 + [0.0] * 40)
    folds = en.stratified_folds(y, 5, seed=11)
    positives = [int(y[folds == f].sum()) for f in range(5)]
    sizes = [int((folds == f).sum()) for f in range(5)]
    assert max(positives) - min(positives) <= 1 and sum(positives) == 13
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == 53
    assert np.array_equal(folds, en.stratified_folds(y, 5, seed=11))
    assert not np.array_equal(folds, en.stratified_folds(y, 5, seed=12))


def test_sensitivity_and_specificity_by_hand():
    # TP 2, FN 1, FP 1, TN 3
    outcome = [1, 1, 1, 0, 0, 0, 0]
    predicted = [1, 1, 0, 1, 0, 0, 0]
    assert en.sensitivity_specificity(outcome, predicted) == (pytest.approx(2 / 3), pytest.approx(3 / 4))
    assert en.sensitivity_specificity([0, 0], [1, 0]) == (None, 0.5)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 0.1])
def test_lambda_max_zeroes_every_coefficient_and_a_penalty_just_below_it_does_not(alpha):
    x, y = _logistic_data()
    scaled, _, _, _ = en.standardise(x)
    largest = en.lambda_max(scaled, y, alpha)
    # the KKT condition of the intercept-only fit, by hand: |x_j' (y - ybar)| / n <= lambda * alpha for every j
    assert largest * alpha == pytest.approx(np.max(np.abs(scaled.T @ (y - y.mean()))) / len(y))
    at, below = en.fit_path(scaled, y, [largest, 0.99 * largest], alpha, 100).params
    assert np.count_nonzero(at[1:]) == 0
    assert at[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())))
    assert np.count_nonzero(below[1:]) >= 1
    path = en.lambda_path(largest, 100, 0.001)
    assert path[0] == largest and path[-1] == pytest.approx(largest / 1000)
    assert np.allclose(np.diff(np.log(path)), np.log(0.001) / 99)


def test_path_fits_equal_statsmodels_fit_regularized_and_the_logit_at_a_tiny_penalty():
    x, y = _logistic_data()
    x = np.column_stack([x, np.random.default_rng(5).normal(size=len(y))])  # plus pure noise
    scaled, _, _, _ = en.standardise(x)
    lambdas = en.lambda_path(en.lambda_max(scaled, y, 0.5), 30, 0.001)
    path = en.fit_path(scaled, y, lambdas, 0.5, 100)
    assert path.converged.all()
    for index in (3, 15, 29):
        direct = sm.GLM(y, sm.add_constant(scaled), family=sm.families.Binomial()).fit_regularized(
            method="elastic_net", alpha=np.r_[0, [lambdas[index]] * 4], L1_wt=0.5, maxiter=1000).params
        assert path.params[index] == pytest.approx(direct, abs=1e-6)
    logit = sm.Logit(y, sm.add_constant(scaled)).fit(disp=0).params
    assert en.fit_path(scaled, y, [1e-9], 0.5, 100).params[0] == pytest.approx(logit, abs=1e-5)
    # penalties shrink the coefficients (not the intercept): the L1 norm grows along the path
    norms = np.abs(path.params[:, 1:]).sum(axis=1)
    assert np.all(np.diff(norms) >= -1e-9)


def test_planted_predictor_is_kept_and_the_model_labelled_ok():
    rng = np.random.default_rng(21)
    n = 150
    problem = rng.normal(size=n)
    y = (problem + rng.normal(0, 0.5, n) > 0.9).astype(float)
    x = np.column_stack([problem + rng.normal(0, 0.5, n), *rng.normal(size=(5, n))]) * 10 + 50
    prediction = ol.predict(_data(x, y, ["planted", "n1", "n2", "n3", "n4", "n5"]), ol.parse_config({}).prediction)
    assert prediction.status == "ok" and prediction.note == ""
    coefficients = dict(zip(["planted", "n1", "n2", "n3", "n4", "n5"], prediction.params[1:]))
    assert coefficients["planted"] > 0 and coefficients["planted"] == max(abs(c) for c in coefficients.values())
    assert prediction.cv.mean_deviance[prediction.cv.chosen_index] < prediction.cv.null_mean_deviance
    # deviance explained and the classification from the chosen fit, by hand
    scaled = (x - x.mean(axis=0)) / x.std(axis=0)
    p = 1 / (1 + np.exp(-(prediction.params[0] + scaled @ prediction.params[1:])))
    null = -2 * np.sum(y * np.log(y.mean()) + (1 - y) * np.log(1 - y.mean()))
    assert prediction.deviance_explained == pytest.approx(1 - en.binomial_deviance(y, p) / null)
    assert (prediction.sensitivity, prediction.specificity) == en.sensitivity_specificity(y, p >= 0.5)
    # deterministic: the same seed gives the same path, choice and fit
    again = ol.predict(_data(x, y, ["planted", "n1", "n2", "n3", "n4", "n5"]), ol.parse_config({}).prediction)
    assert np.array_equal(again.cv.mean_deviance, prediction.cv.mean_deviance) and np.array_equal(again.params, prediction.params)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pure_noise_is_labelled_not_reported_as_a_finding(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(150, 8)), (rng.uniform(size=150) < 0.2).astype(float)
    prediction = ol.predict(_data(x, y, [f"noise{i}" for i in range(8)]), ol.parse_config({}).prediction)
    assert prediction.status in ("intercept_only", "no_better_than_chance", "penalty_at_path_edge")
    assert "not a finding" in prediction.note
    if prediction.status == "intercept_only":
        assert not np.any(prediction.params[1:]) and prediction.deviance_explained == 0


def _cv(chosen: int, deviance_at_chosen: float, null: float = 0.9, n: int = 10) -> en.CrossValidation:
    mean = np.full(n, 1.0)
    mean[chosen] = deviance_at_chosen
    return en.CrossValidation(en.lambda_path(1.0, n, 0.01), mean, np.full(n, 0.01), chosen, np.zeros(5), null, np.zeros(n, int))


def test_status_rules_label_every_degenerate_result_and_name_every_caveat():
    settings = ol.parse_config({}).prediction
    kept, nothing = np.array([-1.5, 0.3, 0.0]), np.array([-1.5, 0.0, 0.0])
    assert ol.prediction_status(_cv(4, 0.8), kept, True, 2012, [], settings) == ("ok", "")
    status, note = ol.prediction_status(_cv(0, 0.9), nothing, True, 2012, [], settings)
    assert status == "intercept_only" and "position 0 of 0..9" in note and "not a finding" in note
    assert ol.prediction_status(_cv(3, 0.95), kept, True, 2012, [], settings)[0] == "no_better_than_chance"
    status, note = ol.prediction_status(_cv(9, 0.8), kept, True, 2012, [], settings)
    assert status == "penalty_at_path_edge" and "smallest on the path" in note
    status, note = ol.prediction_status(_cv(4, 0.8), kept, False, 2014, ["2012: too few"], settings)
    assert status == "not_converged" and "fallback: requested year 2012 not usable (2012: too few); used 2014" in note
    assert ol.prediction_status(_cv(4, 0.8), kept, True, 2014, ["2012: too few"], settings)[0] == "fallback_year"


def test_the_lowest_deviance_rule_picks_the_minimum_and_one_se_a_penalty_at_least_as_large():
    x, y = _logistic_data()
    scaled, _, _, _ = en.standardise(x)
    lambdas = en.lambda_path(en.lambda_max(scaled, y, 0.5), 40, 0.001)
    lowest = en.cross_validate(x, y, lambdas, 0.5, 5, 3, 100, rule="min")
    one_se = en.cross_validate(x, y, lambdas, 0.5, 5, 3, 100, rule="1se")
    assert lowest.chosen_index == int(np.argmin(lowest.mean_deviance))
    assert one_se.chosen_index <= lowest.chosen_index
    assert one_se.mean_deviance[one_se.chosen_index] <= lowest.mean_deviance[lowest.chosen_index] + lowest.deviance_se[lowest.chosen_index]


def test_grade_associations_equal_scipy_and_summary_medians_by_hand():
    grades = pl.DataFrame({
        "year": [2016] * 8, "la_code": [f"E{i}" for i in range(8)], "framework": ["SIF"] * 8,
        "overall_grade_ordinal": [1, 2, 2, 3, 3, 3, 4, 4],
        "overall_grade": ["Outstanding", "Good", "Good"] + ["Requires improvement to be good"] * 3 + ["Inadequate"] * 2,
        "adequate_mapped": [False] * 8,
    })
    rates = [30.0, 41.0, 35.0, 52.0, 48.0, 60.0, 75.0, 66.0]
    values = pl.DataFrame({"la_code": [f"E{i}" for i in range(8)] + ["E9"], "year": [2016] * 9,
                           "indicator": ["cla_rate_per_10k"] * 9, "value": rates + [99.0]})
    tests = ol.grade_associations(grades, values, ["cla_rate_per_10k"], [2016])
    spearman = tests.filter(pl.col("test") == "spearman").row(0, named=True)
    expected = stats.spearmanr(rates, grades["overall_grade_ordinal"].to_list())
    assert (spearman["statistic"], spearman["p_value"], spearman["n_las"]) == (
        pytest.approx(expected.statistic), pytest.approx(expected.pvalue), 8)
    kruskal = tests.filter(pl.col("test") == "kruskal_wallis").row(0, named=True)
    expected = stats.kruskal([30.0], [41.0, 35.0], [52.0, 48.0, 60.0], [75.0, 66.0])
    assert (kruskal["statistic"], kruskal["p_value"]) == (pytest.approx(expected.statistic), pytest.approx(expected.pvalue))

    summary = ol.grades_in_force_summary(grades, values.filter(pl.col("la_code") != "E4"), ["cla_rate_per_10k"])
    ri = summary.filter(pl.col("overall_grade_ordinal") == 3).row(0, named=True)
    assert (ri["n_las_with_grade"], ri["n_las"], ri["median_value"]) == (3, 2, 56.0)
    assert ri["las_excluded"] == "E4 (no published value that year)"
    assert summary.filter(pl.col("overall_grade_ordinal") == 4)["median_value"].item() == 70.5


def test_after_inadequate_medians_share_rising_and_empty_groups_by_hand():
    predicted = pl.DataFrame({"la_code": ["A1", "A2", "A3", "B1", "B2"], "rated_inadequate": [False, False, False, True, True]})
    rows = [("A1", 2015, 50.0), ("A1", 2016, 54.0), ("A2", 2015, 60.0), ("A2", 2016, 58.0), ("A3", 2015, 40.0), ("A3", 2016, 41.0),
            ("B1", 2015, 70.0), ("B1", 2016, 80.0), ("B2", 2015, 65.0),  # B2 has no 2016 value
            ("X9", 2015, 10.0), ("X9", 2016, 90.0)]  # not predicted: ignored
    values = pl.DataFrame(rows, schema=["la_code", "year", "value"], orient="row").with_columns(pl.lit("cpp_rate_per_10k").alias("indicator"))
    table = ol.after_inadequate(predicted, values, ["cpp_rate_per_10k"], 2015)
    a = table.filter(pl.col("group") == "A").row(0, named=True)
    b = table.filter(pl.col("group") == "B").row(0, named=True)
    assert (a["median_change"], a["percent_rose"], a["n_las"], a["n_group_las"], a["status"]) == (1.0, pytest.approx(200 / 3), 3, 3, "ok")
    assert (b["median_change"], b["percent_rose"], b["n_las"], b["n_group_las"]) == (10.0, 100.0, 1, 2)
    assert b["las_excluded"] == "B2 (no value in 2015 or 2016)"
    assert (a["from_year"], a["to_year"]) == (2015, 2016)
    # nobody predicted and rated: group B's rows say so instead of showing nulls as results
    only_a = ol.after_inadequate(predicted.filter(~pl.col("rated_inadequate")), values, ["cpp_rate_per_10k"], 2015)
    b = only_a.filter(pl.col("group") == "B").row(0, named=True)
    assert (b["n_group_las"], b["status"], b["median_change"]) == (0, "group_empty", None) and "nothing to compare" in b["note"]


def test_window_outcome_counts_slac_and_cpi_ratings_unless_only_the_overall_grade_is_asked_for():
    grades = pl.DataFrame({
        "year": [2012, 2013, 2012, 2013, 2012, 2013, 2015, 2016],
        "la_code": ["S", "S", "C", "C", "G", "G", "A", "A"],
        # S: SLAC safeguarding Inadequate; C: a CPI Inadequate from 2013; G: rated, never Inadequate; A: SIF, outside the window
        "overall_grade_ordinal": [None, None, None, None, None, None, 3, 4],
        "rated_inadequate": [True, True, False, True, False, False, False, True],
    })
    assert dict(ol.window_outcome(grades, 2012, 2).iter_rows()) == {"S": True, "C": True, "G": False}
    assert ol.window_outcome(grades, 2012, 2, "overall_grade").is_empty()  # SLAC/CPI give no overall grade
    assert dict(ol.window_outcome(grades, 2015, 2, "overall_grade").iter_rows()) == {"A": True}
    assert dict(ol.window_outcome(grades, 2014, 2).iter_rows()) == {"A": False}  # A's Inadequate comes after the window


def test_grades_take_the_panel_code_of_their_authority(tmp_path):
    inputs = make_inputs(tmp_path, n_england=8, n_wales=0)
    code = inputs.panel.filter(pl.col("nation") == "England")["la_code"].unique().sort()[0]
    # the in-force table carries an older code for this authority
    in_force = inputs.ofsted_in_force.with_columns(
        pl.when(pl.col("la_code") == code).then(pl.lit("E08000016")).otherwise(pl.col("la_code")).alias("la_code"))
    inputs = inputs.__class__(**{**inputs.__dict__, "ofsted_in_force": in_force})
    settings = ol.parse_config({})
    grades = grades_by_authority(inputs, settings.geography, settings.exclude_la_codes)
    assert code in grades["la_code"].to_list() and "E08000016" not in grades["la_code"].to_list()


def test_config_defaults_match_the_settings_file_and_bad_values_are_rejected():
    section = load_analysis_config(None).for_family("ofsted_linkage")
    settings = ol.parse_config(section).prediction
    assert (settings.year, settings.outcome, settings.alpha, settings.n_lambdas) == (2012, "rated_inadequate", 0.5, 100)
    assert "initial_assessments_within_10_days_percent" in settings.indicators
    assert any(i.startswith("sw_") for i in settings.indicators)
    with pytest.raises(ConfigError, match="unknown key"):
        ol.parse_config({"prediction": {"l1_ratio": 0.5}})
    with pytest.raises(ConfigError, match="alpha"):
        ol.parse_config({"prediction": {"alpha": 0.0}})
    with pytest.raises(ConfigError, match="outcome"):
        ol.parse_config({"prediction": {"outcome": "any"}})
    with pytest.raises(ConfigError, match="cv_rule"):
        ol.parse_config({"prediction": {"cv_rule": "2se"}})
    with pytest.raises(ConfigError, match="folds"):
        ol.parse_config({"prediction": {"folds": 1}})
    with pytest.raises(ConfigError, match="association_years"):
        ol.parse_config({"association_years": ["2015"]})
    assert list(families())[-1] == "ofsted_linkage" and families()["ofsted_linkage"].title == "5. Ofsted linkage"


def test_run_recovers_the_planted_quality_problem_in_2012_and_writes_every_table(tmp_path):
    inputs = make_inputs(tmp_path)
    output = draw(ol.run(inputs, load_analysis_config(None).for_family("ofsted_linkage")), inputs)
    tables = {t.name: t.frame for t in output.tables}
    summary = tables["analysis.ofsted_prediction_summary"].row(0, named=True)
    # SLAC years carry the LA's rating: 2012 needs no fallback
    assert (summary["requested_year"], summary["prediction_year"], summary["outcome_years"]) == (2012, 2012, "2012-2013")
    assert summary["status"] == "ok"
    coefficients = tables["analysis.ofsted_prediction_coefficients"]
    assert_status_consistent(summary, coefficients)
    chosen = dict(coefficients.filter(pl.col("is_chosen")).select("term", "coefficient").iter_rows())
    assert chosen["rereferrals_percent"] > 0
    assert chosen["rereferrals_percent"] == max(abs(v) for t, v in chosen.items() if t != "intercept")
    # the synthetic panel has no assessment or workforce indicators: listed as unavailable, not silently missing
    assert "sw_agency_rate_percent" in summary["indicators_unavailable"]
    assert "initial_assessments_within_10_days_percent" in summary["indicators_unavailable"]
    # better than chance: held-out deviance below the intercept-only model's, and sensitivity + specificity > 1
    assert summary["cv_mean_deviance"] < summary["cv_null_mean_deviance"]
    assert summary["cv_sensitivity"] + summary["cv_specificity"] > 1.2
    predictions = tables["analysis.ofsted_predictions"]
    assert predictions.height == summary["n_las"] == 80
    assert predictions["rated_inadequate"].sum() == summary["n_rated_inadequate"]
    cv = tables["analysis.ofsted_prediction_cv"]
    assert cv.height == summary["n_lambdas"] == 100 and cv["is_chosen"].sum() == 1
    assert cv.filter(pl.col("is_path_start"))["n_nonzero_coefficients"].item() == 0
    assert cv.filter(pl.col("is_path_start"))["lambda_value"].item() == pytest.approx(summary["lambda_max"])
    after = tables["analysis.ofsted_after_inadequate"]
    assert set(after["group"]) == {"A", "B"}
    assert (after["status"] == "group_empty").to_list() == (after["n_group_las"] == 0).to_list()
    # every prediction table carries the choices it was computed with
    for name in PREDICTION_TABLES:
        frame = tables[name]
        assert set(CHOICE_COLUMNS) <= set(frame.columns) and {"n_las", "years_used", "las_excluded"} <= set(frame.columns)
        assert frame.select(pl.col("prediction_year").unique()).to_series().to_list() == [2012]
        assert frame.select(pl.col("alpha").unique()).to_series().to_list() == [0.5]
    grades = tables["analysis.ofsted_grades_in_force"]
    assert grades.filter(pl.col("year") == 2012)["grade_name"].unique().to_list() == ["no overall grade"]
    # the planted problem raises re-referrals with a worse grade
    rereferral = tables["analysis.ofsted_grade_associations"].filter(
        (pl.col("indicator") == "rereferrals_percent") & (pl.col("test") == "spearman") & (pl.col("year") == 2016)).row(0, named=True)
    assert rereferral["statistic"] > 0.2 and rereferral["p_value"] < 0.05
    model_headline = next(h for h in output.headlines if h.startswith("Elastic-net model"))
    assert "not a finding" not in model_headline and "rereferrals_percent +" in model_headline
    # an empty group is said to be empty, not shown as a comparison
    empty = after.filter(pl.col("status") == "group_empty")["group"].unique().to_list()
    assert any("group_empty" in h for h in output.headlines) == bool(empty)

    con = duckdb.connect()
    rows = write_output(con, output)
    assert set(rows) == set(tables) and len(tables) == 7
    assert rows["analysis.ofsted_predictions"] == 80
    assert len(output.charts) == 3 and all(path.exists() and path.stat().st_size > 0 for path in output.charts)


def test_overall_grade_outcome_falls_back_and_says_so(tmp_path):
    inputs = make_inputs(tmp_path)
    output = ol.run(inputs, {"prediction": {"outcome": "overall_grade"}})
    tables = {t.name: t.frame for t in output.tables}
    summary = tables["analysis.ofsted_prediction_summary"].row(0, named=True)
    # synthetic overall grades start in 2014: the requested 2012 falls back to the first fallback year, labelled
    assert (summary["requested_year"], summary["prediction_year"], summary["status"]) == (2012, 2014, "fallback_year")
    assert "fallback: requested year 2012 not usable" in summary["note"]
    assert_status_consistent(summary, tables["analysis.ofsted_prediction_coefficients"])
    assert any("[status fallback_year" in h for h in output.headlines)


def test_noise_in_the_run_is_labelled_in_table_and_headline(tmp_path):
    inputs = make_inputs(tmp_path)
    # CLA rates do not depend on the planted problem
    output = ol.run(inputs, {"prediction": {"indicators": ["cla_rate_per_10k"]}})
    tables = {t.name: t.frame for t in output.tables}
    summary = tables["analysis.ofsted_prediction_summary"].row(0, named=True)
    assert summary["status"] in ("intercept_only", "no_better_than_chance", "penalty_at_path_edge")
    assert_status_consistent(summary, tables["analysis.ofsted_prediction_coefficients"])
    assert any(f"[status {summary['status']}, not a finding]" in h for h in output.headlines)
    assert not any(h.startswith("Predicted Inadequate:") for h in output.headlines)


def test_run_without_any_usable_year_reports_why(tmp_path):
    inputs = make_inputs(tmp_path, n_england=40, n_wales=0)
    output = ol.run(inputs, {"prediction": {"fallback_years": [2011]}})
    summary = {t.name: t.frame for t in output.tables}["analysis.ofsted_prediction_summary"].row(0, named=True)
    assert summary["prediction_year"] is None and summary["status"] == "n_below_minimum" and "not fitted" in summary["note"]
    assert any("n_below_minimum" in h for h in output.headlines)
    write_output(duckdb.connect(), output)


def test_run_without_ofsted_data_writes_empty_tables(tmp_path):
    inputs = make_inputs(tmp_path, n_england=20, n_wales=0)
    inputs = inputs.__class__(**{**inputs.__dict__, "ofsted_in_force": pl.DataFrame()})
    output = ol.run(inputs, {})
    assert {t.name for t in output.tables} >= {"analysis.ofsted_grades_in_force", "analysis.ofsted_predictions"}
    write_output(duckdb.connect(), output)
