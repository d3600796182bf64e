"""Ofsted linkage (methods.md section 5) against statsmodels, scipy, hand counts and a planted quality problem."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats

from csc_pipeline.analysis import ofsted_linkage as ol
from csc_pipeline.analysis.config import load_analysis_config
from csc_pipeline.analysis.family_config import ConfigError
from csc_pipeline.analysis.runner import write_output
from csc_pipeline.defs.analysis import FAMILIES
from synthetic_analysis_inputs import make_inputs

# A small grid keeps the synthetic runs fast; the default grid is exercised on the real warehouse.
FAST = {"prediction": {"alphas": [0.005, 0.02, 0.1], "max_iterations": 300}}


def _logistic_data(n=120, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(-1.0 + 1.2 * x[:, 0] - 0.6 * x[:, 1])))).astype(float)
    return x, y


def test_stratified_folds_are_balanced_and_deterministic():
    y = np.array([1.0] * 13 + [0.0] * 40)
    folds = ol.stratified_folds(y, 5, seed=11)
    positives = [int(y[folds == f].sum()) for f in range(5)]
    sizes = [int((folds == f).sum()) for f in range(5)]
    assert max(positives) - min(positives) <= 1 and sum(positives) == 13
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == 53
    assert np.array_equal(folds, ol.stratified_folds(y, 5, seed=11))
    assert not np.array_equal(folds, ol.stratified_folds(y, 5, seed=12))


def test_sensitivity_and_specificity_by_hand():
    # TP 2, FN 1, FP 1, TN 3
    outcome = [1, 1, 1, 0, 0, 0, 0]
    predicted = [1, 1, 0, 1, 0, 0, 0]
    assert ol.sensitivity_specificity(outcome, predicted) == (pytest.approx(2 / 3), pytest.approx(3 / 4))
    assert ol.sensitivity_specificity([0, 0], [1, 0]) == (None, 0.5)


def test_unpenalised_fit_approaches_the_statsmodels_logit():
    x, y = _logistic_data()
    logit = sm.Logit(y, sm.add_constant(x)).fit(disp=0).params
    fit = ol.fit_elastic_net(x, y, 0.0, 0.5, 1000)
    assert fit.converged
    assert fit.params == pytest.approx(logit, abs=1e-4)
    # a penalty shrinks the coefficients (not the intercept) towards zero
    assert np.abs(ol.fit_elastic_net(x, y, 0.05, 0.5, 1000).params[1:]).sum() < np.abs(logit[1:]).sum()


def test_cv_chosen_fit_equals_statsmodels_fit_regularized_called_directly():
    x, y = _logistic_data()
    x = np.column_stack([x, np.random.default_rng(5).normal(size=len(y))])  # plus pure noise
    data = ol.PredictionData(2015, [f"L{i}" for i in range(len(y))], y, x * [10, 2, 1, 5] + [50, 0, 3, 1],
                             ["a", "b", "c", "noise"], {}, ol.Coverage())
    settings = ol.PredictionSettings(alphas=(0.002, 0.02, 0.08, 0.3), folds=4, seed=1)
    prediction = ol.predict(data, settings)
    assert prediction.cv.chosen_alpha == prediction.cv.alphas[int(np.argmin(prediction.cv.mean_deviance))]
    scaled = (data.predictors - data.predictors.mean(axis=0)) / data.predictors.std(axis=0)
    direct = sm.GLM(y, sm.add_constant(scaled), family=sm.families.Binomial()).fit_regularized(
        method="elastic_net", alpha=np.r_[0, [prediction.cv.chosen_alpha] * 4], L1_wt=0.5, maxiter=1000).params
    assert prediction.params == pytest.approx(direct, abs=1e-10)
    # deviance explained and the classification from the same fit
    p = 1 / (1 + np.exp(-(direct[0] + scaled @ direct[1:])))
    null = -2 * np.sum(y * np.log(y.mean()) + (1 - y) * np.log(1 - y.mean()))
    assert prediction.deviance_explained == pytest.approx(1 - ol.binomial_deviance(y, p) / null)
    assert (prediction.sensitivity, prediction.specificity) == ol.sensitivity_specificity(y, p >= 0.5)
    # the same seed gives the same cross-validation
    assert ol.predict(data, settings).cv.mean_deviance == prediction.cv.mean_deviance


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


def test_after_inadequate_medians_and_share_rising_by_hand():
    predicted = pl.DataFrame({"la_code": ["A1", "A2", "A3", "B1", "B2"], "rated_inadequate": [False, False, False, True, True]})
    rows = [("A1", 2015, 50.0), ("A1", 2016, 54.0), ("A2", 2015, 60.0), ("A2", 2016, 58.0), ("A3", 2015, 40.0), ("A3", 2016, 41.0),
            ("B1", 2015, 70.0), ("B1", 2016, 80.0), ("B2", 2015, 65.0),  # B2 has no 2016 value
            ("X9", 2015, 10.0), ("X9", 2016, 90.0)]  # not predicted: ignored
    values = pl.DataFrame(rows, schema=["la_code", "year", "value"], orient="row").with_columns(pl.lit("cpp_rate_per_10k").alias("indicator"))
    table = ol.after_inadequate(predicted, values, ["cpp_rate_per_10k"], 2015)
    a = table.filter(pl.col("group") == "A").row(0, named=True)
    b = table.filter(pl.col("group") == "B").row(0, named=True)
    assert (a["median_change"], a["percent_rose"], a["n_las"]) == (1.0, pytest.approx(200 / 3), 3)
    assert (b["median_change"], b["percent_rose"], b["n_las"]) == (10.0, 100.0, 1)
    assert b["las_excluded"] == "B2 (no value in 2015 or 2016)"
    assert (a["from_year"], a["to_year"]) == (2015, 2016)


def test_grades_take_the_panel_code_of_their_authority(tmp_path):
    inputs = make_inputs(tmp_path, n_england=8, n_wales=0)
    code = inputs.panel.filter(pl.col("nation") == "England")["la_code"].unique().sort()[0]
    # the in-force table carries an older code for this authority
    in_force = inputs.ofsted_in_force.with_columns(
        pl.when(pl.col("la_code") == code).then(pl.lit("E08000016")).otherwise(pl.col("la_code")).alias("la_code"))
    inputs = inputs.__class__(**{**inputs.__dict__, "ofsted_in_force": in_force})
    grades = ol._grades(inputs, ol.parse_config({}))
    assert code in grades["la_code"].to_list() and "E08000016" not in grades["la_code"].to_list()


def test_config_defaults_match_the_settings_file_and_bad_values_are_rejected():
    section = load_analysis_config(None).for_family("ofsted_linkage")
    assert ol.parse_config(section) == ol.OfstedLinkageSettings()
    assert ol.parse_config(section).prediction.year == 2012
    with pytest.raises(ConfigError, match="unknown key"):
        ol.parse_config({"prediction": {"L1": 0.5}})
    with pytest.raises(ConfigError, match="l1_ratio"):
        ol.parse_config({"prediction": {"l1_ratio": 1.5}})
    with pytest.raises(ConfigError, match="folds"):
        ol.parse_config({"prediction": {"folds": 1}})
    with pytest.raises(ConfigError, match="association_years"):
        ol.parse_config({"association_years": ["2015"]})
    assert list(FAMILIES)[-1] == "ofsted_linkage" and FAMILIES["ofsted_linkage"] == "5. Ofsted linkage"


def test_run_recovers_the_planted_quality_problem_and_writes_every_table(tmp_path):
    inputs = make_inputs(tmp_path)
    output = ol.run(inputs, {**load_analysis_config(None).for_family("ofsted_linkage"), **FAST})
    tables = {t.name: t.frame for t in output.tables}
    summary = tables["analysis.ofsted_prediction_summary"].row(0, named=True)
    # synthetic grades start in 2014: the requested 2012 falls back to the first fallback year, and says so
    assert (summary["requested_year"], summary["prediction_year"]) == (2012, 2014)
    assert "fallback" in summary["year_note"] and any("fell back to 2014" in h for h in output.headlines)
    coefficients = dict(tables["analysis.ofsted_prediction_coefficients"].select("term", "coefficient").iter_rows())
    assert coefficients["rereferrals_percent"] > 0
    assert coefficients["rereferrals_percent"] == max(abs(v) for t, v in coefficients.items() if t != "intercept")
    # better than chance: held-out deviance below the intercept-only model's, and sensitivity + specificity > 1
    assert summary["cv_mean_deviance"] < summary["cv_null_mean_deviance"]
    assert summary["cv_sensitivity"] + summary["cv_specificity"] > 1.2
    assert summary["deviance_explained"] > 0.3
    predictions = tables["analysis.ofsted_predictions"]
    assert predictions.height == summary["n_las"] == 80
    assert predictions["rated_inadequate"].sum() == summary["n_rated_inadequate"]
    assert tables["analysis.ofsted_prediction_cv"]["chosen"].sum() == 1
    assert set(tables["analysis.ofsted_after_inadequate"]["group"]) == {"A", "B"}
    grades = tables["analysis.ofsted_grades_in_force"]
    assert grades.filter(pl.col("year") == 2012)["grade_name"].unique().to_list() == ["no overall grade"]
    # the planted problem raises re-referrals with a worse grade
    rereferral = tables["analysis.ofsted_grade_associations"].filter(
        (pl.col("indicator") == "rereferrals_percent") & (pl.col("test") == "spearman") & (pl.col("year") == 2016)).row(0, named=True)
    assert rereferral["statistic"] > 0.2 and rereferral["p_value"] < 0.05

    con = duckdb.connect()
    rows = write_output(con, output)
    assert set(rows) == set(tables) and len(tables) == 7
    assert rows["analysis.ofsted_predictions"] == 80
    assert len(output.charts) == 3 and all(path.exists() and path.stat().st_size > 0 for path in output.charts)


def test_run_without_any_usable_year_reports_why(tmp_path):
    inputs = make_inputs(tmp_path, n_england=40, n_wales=0)
    output = ol.run(inputs, {**FAST, "prediction": {**FAST["prediction"], "fallback_years": [2011]}})
    summary = {t.name: t.frame for t in output.tables}["analysis.ofsted_prediction_summary"].row(0, named=True)
    assert summary["prediction_year"] is None and "not fitted" in summary["year_note"]
    assert any("not fitted" in h for h in output.headlines)
    write_output(duckdb.connect(), output)


def test_run_without_ofsted_data_writes_empty_tables(tmp_path):
    inputs = make_inputs(tmp_path, n_england=20, n_wales=0)
    inputs = inputs.__class__(**{**inputs.__dict__, "ofsted_in_force": pl.DataFrame()})
    output = ol.run(inputs, FAST)
    assert {t.name for t in output.tables} >= {"analysis.ofsted_grades_in_force", "analysis.ofsted_predictions"}
    write_output(duckdb.connect(), output)


def test_window_outcome_is_any_inadequate_in_force_in_the_window():
    grades = pl.DataFrame({
        "year": [2015, 2016, 2017, 2015, 2016, 2016], "la_code": ["A", "A", "A", "B", "B", "C"],
        "overall_grade_ordinal": [3, 3, 4, None, 4, 2],
    })
    outcome = dict(ol.window_outcome(grades, 2015, 2).iter_rows())
    assert outcome == {"A": False, "B": True, "C": False}  # A's Inadequate comes after the window
