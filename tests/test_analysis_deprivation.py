"""Deprivation adjustment (methods.md section 3) against statsmodels, hand calculations and a planted slope."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats

from csc_pipeline.analysis.charts import draw
from csc_pipeline.analysis import deprivation as dep
from csc_pipeline.analysis.family_config import ConfigError
from csc_pipeline.analysis.panel_frames import COVERAGE_COLUMNS
from csc_pipeline.analysis.runner import write_output
from synthetic_analysis_inputs import RATE_SLOPE, make_inputs

EXCLUSIONS = "E06000053 (excluded by configuration); E09000001 (excluded by configuration)"


def test_fit_ols_three_points_by_hand():
    # x = 0, 1, 2; y = 1, 3, 4: slope Sxy / Sxx = 3 / 2, intercept 8/3 - 1.5, SSE 1/6, SST 14/3
    fit = dep.fit_ols(np.array([1.0, 3.0, 4.0]), np.array([0.0, 1.0, 2.0]))
    assert fit.params == pytest.approx([7 / 6, 1.5])
    assert fit.r_squared == pytest.approx(1 - (1 / 6) / (14 / 3))
    assert fit.fitted == pytest.approx([7 / 6, 8 / 3, 25 / 6])
    assert fit.residuals == pytest.approx([-1 / 6, 1 / 3, -1 / 6])
    # s^2 = 1/6, leverages 5/6, 1/3, 5/6: e / (s sqrt(1 - h)) = -1, 1, -1
    assert fit.standardised_residuals == pytest.approx([-1.0, 1.0, -1.0])
    half = stats.t.ppf(0.975, 1) * np.sqrt((1 / 6) / 2)
    assert fit.ci[1] == pytest.approx([1.5 - half, 1.5 + half])


def test_fit_ols_equals_statsmodels():
    x = np.array([0.10, 0.15, 0.22, 0.28, 0.31, 0.36, 0.12, 0.25])
    y = np.array([40.0, 52.0, 61.0, 80.0, 77.0, 95.0, 50.0, 66.0])
    fit = dep.fit_ols(y, x, level=0.9)
    direct = sm.OLS(y, sm.add_constant(x)).fit()
    np.testing.assert_allclose(fit.params, direct.params)
    np.testing.assert_allclose(fit.std_errors, direct.bse)
    np.testing.assert_allclose(fit.ci, direct.conf_int(0.1))
    np.testing.assert_allclose(fit.p_values, direct.pvalues)
    np.testing.assert_allclose(fit.fitted, direct.fittedvalues)
    np.testing.assert_allclose(fit.residuals, y - direct.fittedvalues)
    s = np.sqrt(direct.ssr / (len(y) - 2))
    leverage = 1 / len(y) + (x - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()
    np.testing.assert_allclose(fit.standardised_residuals, fit.residuals / (s * np.sqrt(1 - leverage)))
    assert fit.r_squared == pytest.approx(direct.rsquared)


def _planted_counts(seed=3, n=60, alpha=0.05):
    """Counts with log rate ln(0.003) + 2.5 deprivation, gamma-mixed for NB2 overdispersion ``alpha``."""
    rng = np.random.default_rng(seed)
    deprivation = rng.uniform(0.1, 0.4, n)
    population = rng.uniform(20_000, 200_000, n)
    count = rng.poisson(np.exp(np.log(30e-4) + 2.5 * deprivation) * population * rng.gamma(1 / alpha, alpha, n))
    return count.astype(float), population, deprivation


def test_fit_count_models_equal_statsmodels_and_recover_a_log_slope():
    count, population, deprivation = _planted_counts()
    poisson, negbin = dep.fit_count_models(count, population, deprivation)
    X = sm.add_constant(deprivation)
    direct = sm.GLM(count, X, family=sm.families.Poisson(), offset=np.log(population)).fit()
    np.testing.assert_allclose(poisson.params, direct.params, rtol=1e-8)
    np.testing.assert_allclose(poisson.std_errors, direct.bse, rtol=1e-6)
    np.testing.assert_allclose(poisson.expected, np.exp(X @ direct.params) * population, rtol=1e-8)
    assert poisson.deviance_explained == pytest.approx(1 - direct.deviance / direct.null_deviance)
    # canonical link with an intercept: the expected counts add up to the observed ones (O/E = 1 overall)
    assert poisson.expected.sum() == pytest.approx(count.sum())
    assert poisson.params[1] == pytest.approx(2.5, abs=0.5)  # its CI is too narrow for overdispersed counts; NB's below is not
    # NB2: at its own alpha, the negative binomial GLM has the same coefficients and expected counts
    alpha = negbin.params[2]
    glm_nb = sm.GLM(count, X, family=sm.families.NegativeBinomial(alpha=alpha), offset=np.log(population)).fit()
    np.testing.assert_allclose(negbin.params[:2], glm_nb.params, rtol=1e-4)
    np.testing.assert_allclose(negbin.expected, glm_nb.fittedvalues, rtol=1e-4)
    assert negbin.terms == ("intercept", "slope", "alpha") and negbin.deviance_explained is None and negbin.converged
    assert negbin.ci[1, 0] < 2.5 < negbin.ci[1, 1] and negbin.ci[2, 0] < 0.05 < negbin.ci[2, 1]


def test_boundary_lr_test_rule_by_hand():
    # LR = 2 x (NB2 - Poisson log-likelihood); p = 0.5 P(chi2_1 > LR): the 50:50 chi2(0)/chi2(1) mixture at alpha = 0
    test = dep.boundary_lr_test(-100.0, -98.0, True, 0.05)
    assert test.lr_statistic == pytest.approx(4.0)
    assert test.p_value == pytest.approx(0.5 * stats.chi2.sf(4.0, 1))
    assert test.model_selected == "negative_binomial"
    # 2.71 is chi2_1's 90% quantile: the boundary p is 0.05, half the naive chi2(1) p
    assert dep.boundary_lr_test(0.0, stats.chi2.ppf(0.9, 1) / 2, True, 0.05).p_value == pytest.approx(0.05)
    # an optimiser stopping below the Poisson likelihood (which NB2 contains) counts as LR = 0, p = 1
    stopped = dep.boundary_lr_test(-100.0, -100.5, False, 0.05)
    assert (stopped.lr_statistic, stopped.p_value, stopped.model_selected) == (0.0, 1.0, "poisson")
    assert "boundary 0" in stopped.note
    # overdispersion without a converged NB2 fit: Poisson is reported, and the note says why
    failed = dep.boundary_lr_test(-100.0, -90.0, False, 0.05)
    assert failed.model_selected == "poisson" and "did not converge" in failed.note


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pure_poisson_counts_select_poisson_whether_or_not_nb2_converged(seed):
    rng = np.random.default_rng(seed)
    deprivation, population = rng.uniform(0.1, 0.4, 80), rng.uniform(20_000, 200_000, 80)
    count = rng.poisson(np.exp(np.log(30e-4) + 2.5 * deprivation) * population).astype(float)
    poisson, negbin = dep.fit_count_models(count, population, deprivation)
    lr = max(0.0, 2 * (negbin.log_likelihood - poisson.log_likelihood))
    for converged in (True, False):  # the optimiser's verdict at the boundary differs between machines
        test = dep.boundary_lr_test(poisson.log_likelihood, negbin.log_likelihood, converged, 0.05)
        assert test.lr_statistic == pytest.approx(lr)
        assert test.p_value >= 0.05 and test.model_selected == "poisson"
    boundary = dep.at_boundary(poisson)
    assert boundary.params[2] == 0.0 and np.array_equal(boundary.params[:2], poisson.params)
    assert np.array_equal(boundary.expected, poisson.expected)


def test_strongly_overdispersed_counts_select_nb2():
    count, population, deprivation = _planted_counts(alpha=0.3)
    poisson, negbin = dep.fit_count_models(count, population, deprivation)
    test = dep.boundary_lr_test(poisson.log_likelihood, negbin.log_likelihood, negbin.converged, 0.05)
    assert test.lr_statistic > 100 and test.p_value < 1e-6 and test.model_selected == "negative_binomial"


def test_run_selects_each_count_model_by_the_boundary_test(synthetic_run):
    # the synthetic rates are linear in deprivation, so the log-linear Poisson model leaves extra variation
    _, output = synthetic_run
    coefficients = _tables(output)["analysis.deprivation_coefficients"]
    counts = coefficients.filter(pl.col("model") != "ols")
    assert counts.height > 0
    rule = pl.when(pl.col("lr_p_value") < 0.05).then(pl.lit("negative_binomial")).otherwise(pl.lit("poisson"))
    assert (counts["model_selected"] == counts.select(rule).to_series()).all()
    assert (counts.filter(pl.col("term") == "alpha")["estimate"] > 0).all()
    assert set(coefficients["status"]) == {"fitted"}  # NB2 selected everywhere: no edge result
    for name in ("analysis.deprivation_coefficients", "analysis.deprivation_residuals", "analysis.deprivation_count_models",
                 "analysis.deprivation_composite"):  # every table carries the settings it was computed with
        table = _tables(output)[name]
        assert set(table["geography"]) == {"current"} and set(table["period"]) == {"2015-2017"}, name


def test_when_poisson_is_selected_the_nb2_rows_are_the_poisson_fit_with_alpha_zero(tmp_path):
    output = dep.run(make_inputs(tmp_path), {"nb2_test_level": 1e-60})
    tables = _tables(output)
    counts = tables["analysis.deprivation_coefficients"].filter(pl.col("model") != "ols")
    assert set(counts["model_selected"]) == {"poisson"} and counts["model_note"].str.contains("alpha at its boundary 0").all()
    assert counts.filter(pl.col("model") == "negative_binomial")["status"].str.starts_with("alpha at its boundary 0").all()
    assert set(counts.filter(pl.col("model") == "poisson")["status"]) == {"fitted"}
    alpha = counts.filter(pl.col("term") == "alpha")
    assert alpha["estimate"].to_list() == [0.0] * alpha.height and alpha["std_error"].null_count() == alpha.height
    pairs = counts.filter(pl.col("model") == "poisson").join(counts.filter(pl.col("model") == "negative_binomial"), on=["nation", "indicator", "term"])
    assert pairs.height == 2 * alpha.height and (pairs["estimate"] == pairs["estimate_right"]).all()
    models = tables["analysis.deprivation_count_models"]
    assert (models["expected_negative_binomial"] == models["expected_poisson"]).all() and set(models["model_selected"]) == {"poisson"}


def test_fits_on_fewer_las_than_min_las_are_labelled_not_findings(tmp_path):
    output = dep.run(make_inputs(tmp_path, n_england=8, n_wales=5), {"min_las": 10})
    coefficients = _tables(output)["analysis.deprivation_coefficients"]
    assert coefficients.height > 0
    assert coefficients["status"].str.starts_with("n below minimum").all()


def _tables(output):
    return {t.name: t.frame for t in output.tables}


def _ols_slope(tables, nation, indicator):
    return tables["analysis.deprivation_coefficients"].filter(
        (pl.col("nation") == nation) & (pl.col("indicator") == indicator) & (pl.col("model") == "ols") & (pl.col("term") != "intercept")
    ).row(0, named=True)


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    inputs = make_inputs(tmp_path_factory.mktemp("deprivation"))
    return inputs, draw(dep.run(inputs, {}), inputs)


def test_run_recovers_the_planted_deprivation_slope(synthetic_run):
    inputs, output = synthetic_run
    tables = _tables(output)
    england = _ols_slope(tables, "England", "cla_rate_per_10k")
    assert england["term"] == "idaci_average_score" and england["deprivation_editions"] == "2015"
    assert england["ci_lower"] < RATE_SLOPE < england["ci_upper"] and england["r_squared"] > 0.9
    assert (england["n_las"], england["years_used"], england["las_excluded"]) == (80, "2015-2017", EXCLUSIONS)
    # Wales: WIMD = 100 x the latent deprivation, so the slope per WIMD point is RATE_SLOPE / 100
    wales = _ols_slope(tables, "Wales", "cla_rate_per_10k")
    assert wales["term"] == "wimd_most_deprived_10pct_percent" and wales["n_las"] == 16 and wales["las_excluded"] == ""
    assert wales["ci_lower"] < RATE_SLOPE / 100 < wales["ci_upper"]
    # the Poisson model of the CLA count on IDACI: the rate rises ~200 per 10,000 per point from ~68, a log slope near 3
    poisson = tables["analysis.deprivation_coefficients"].filter(
        (pl.col("nation") == "England") & (pl.col("indicator") == "cla_rate_per_10k") & (pl.col("model") == "poisson") & (pl.col("term") == "idaci_average_score")
    ).row(0, named=True)
    assert 2.0 < poisson["estimate"] < 4.5


def test_residuals_are_the_period_means_minus_the_ols_fit(synthetic_run):
    inputs, output = synthetic_run
    residuals = _tables(output)["analysis.deprivation_residuals"].filter((pl.col("nation") == "England") & (pl.col("indicator") == "cla_rate_per_10k")).sort("la_code")
    panel = inputs.panel.filter((pl.col("indicator") == "cla_rate_per_10k") & pl.col("year").is_between(2015, 2017))
    first = residuals.row(0, named=True)
    assert first["observed"] == pytest.approx(panel.filter(pl.col("la_code") == first["la_code"])["value"].mean()) and first["n_years"] == 3
    scores = inputs.panel.filter((pl.col("indicator") == "idaci_average_score") & (pl.col("year") == 2015))
    x = residuals.join(scores.select("la_code", "value"), on="la_code", how="left", maintain_order="left")["value"].to_numpy()
    direct = dep.fit_ols(residuals["observed"].to_numpy(), x)
    np.testing.assert_allclose(residuals["expected"].to_numpy(), direct.fitted)
    np.testing.assert_allclose(residuals["residual"].to_numpy(), residuals["observed"].to_numpy() - residuals["expected"].to_numpy())
    np.testing.assert_allclose(residuals["standardised_residual"].to_numpy(), direct.standardised_residuals)
    assert "E09000001" not in residuals["la_code"].to_list() and residuals.height == 80


def test_count_models_table_has_observed_over_expected(synthetic_run):
    inputs, output = synthetic_run
    counts = _tables(output)["analysis.deprivation_count_models"].filter((pl.col("nation") == "England") & (pl.col("indicator") == "cla_rate_per_10k")).sort("la_code")
    assert counts["count_indicator"][0] == "cla_count" and counts.height == 80
    one = counts.row(0, named=True)
    raw = inputs.panel.filter((pl.col("la_code") == one["la_code"]) & pl.col("year").is_between(2015, 2017))
    assert one["observed_count"] == raw.filter(pl.col("indicator") == "cla_count")["value"].sum()
    assert one["exposure"] == raw.filter(pl.col("indicator") == "population_0_17")["value"].sum()
    np.testing.assert_allclose(counts["oe_ratio_poisson"], counts["observed_count"] / counts["expected_poisson"])
    if "expected_negative_binomial" in counts.columns and counts["expected_negative_binomial"].null_count() == 0:
        np.testing.assert_allclose(counts["oe_ratio_negative_binomial"], counts["observed_count"] / counts["expected_negative_binomial"])
    x = counts.join(inputs.panel.filter((pl.col("indicator") == "idaci_average_score") & (pl.col("year") == 2015)).select("la_code", "value"), on="la_code", how="left", maintain_order="left")["value"]
    poisson, _ = dep.fit_count_models(counts["observed_count"].to_numpy(), counts["exposure"].to_numpy(), x.to_numpy())
    np.testing.assert_allclose(counts["expected_poisson"], poisson.expected, rtol=1e-8)


def test_composite_scores_by_hand():
    rows = []
    # group G1: four LAs; group G2: two LAs; Z lacks indicator b and is left out
    for code, group, a, b in (("A", "G1", 2.0, 1.0), ("B", "G1", -1.0, 0.5), ("C", "G1", 0.0, 0.0), ("D", "G1", -2.0, -1.5),
                              ("E", "G2", 1.0, 1.0), ("F", "G2", 0.5, -2.0)):
        rows += [("England", code, code.lower(), group, "a", a), ("England", code, code.lower(), group, "b", b), ("England", code, code.lower(), group, "c", 9.0)]
    rows.append(("England", "Z", "z", "G1", "a", 5.0))
    residuals = pl.DataFrame(rows, schema=["nation", "la_code", "la_name", "la_group", "indicator", "standardised_residual"], orient="row")
    scores = dep.composite_scores(residuals, ["a", "b"], outliers_per_group=1)
    got = {r["la_code"]: (r["composite_score"], r["rank_in_group"], r["group_size"], r["outlier"]) for r in scores.iter_rows(named=True)}
    assert got == {
        "A": (3.0, 1, 4, "highest"), "C": (0.0, 2, 4, None), "B": (-0.5, 3, 4, None), "D": (-3.5, 4, 4, "lowest"),
        "E": (2.0, 1, 2, "highest"), "F": (-1.5, 2, 2, "lowest"),
    }
    assert set(scores["n_indicators"]) == {2}


def test_composite_uses_the_first_alternative_with_values(tmp_path):
    inputs = make_inputs(tmp_path, n_england=24, n_wales=0)
    config = {"nations": ["England"], "indicators": ["cla_rate_per_10k"], "funnel": {"indicators": []},
              "composite": ["cla_rate_per_10k", ["lait_lac_longstable_percent", "lait_lacstable_2016on", "cpp_rate_per_10k"], "cla_ceased_within_8_weeks_percent"]}
    tables = _tables(dep.run(inputs, config))
    composite = tables["analysis.deprivation_composite"]
    assert composite["indicators_used"].unique().to_list() == ["cla_rate_per_10k, lait_lacstable_2016on"]
    residuals = tables["analysis.deprivation_residuals"]
    one = composite.row(0, named=True)
    summed = residuals.filter((pl.col("la_code") == one["la_code"]) & pl.col("indicator").is_in(["cla_rate_per_10k", "lait_lacstable_2016on"]))["standardised_residual"].sum()
    assert one["composite_score"] == pytest.approx(summed) and one["n_indicators"] == 2
    assert composite.group_by("la_group").agg(pl.col("outlier").eq("highest").sum())["outlier"].to_list() == [3, 3, 3, 3]
    skipped = tables["analysis.deprivation_skipped"]
    reasons = dict(zip(skipped["indicator"], skipped["reason"]))
    assert reasons["cla_ceased_within_8_weeks_percent"].startswith("composite:")
    assert "lait_lac_longstable_percent" in reasons  # no values: listed, not silently dropped


def test_a_different_period_changes_years_and_edition_without_code(tmp_path):
    inputs = make_inputs(tmp_path, n_england=24, n_wales=8)
    tables = _tables(dep.run(inputs, {"period": [2011, 2013], "funnel": {"indicators": ["cla_rate_per_10k"]}}))
    slope = _ols_slope(tables, "England", "cla_rate_per_10k")
    # no IDACI edition by 2013: the earliest (2015) is used
    assert (slope["years_used"], slope["deprivation_editions"]) == ("2011-2013", "2015")
    funnel = tables["analysis.funnel_positions"]
    assert set(funnel["year"]) == {2013} and set(funnel["years_used"]) == {"2013"}
    later = _ols_slope(_tables(dep.run(inputs, {"period": [2018, 2019], "funnel": {"indicators": []}})), "England", "cla_rate_per_10k")
    assert (later["years_used"], later["deprivation_editions"]) == ("2018-2019", "2019")


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"periode": [2015, 2017]}, "unknown key"),
        ({"period": [2017, 2015]}, "'period'"),
        ({"period": "2015-2017"}, "deprivation.period"),
        ({"nations": ["England", "Wales"], "measures": {"England": "idaci_average_score"}}, "'measures'"),
        ({"nations": ["Englnd"], "measures": {"Englnd": "idaci_average_score"}}, "'nations'"),
        ({"outliers_per_group": -1}, "'outliers_per_group'"),
        ({"confidence_level": 95}, "'confidence_level'"),
        ({"composite": ["cla_rate_per_10k", [1, 2]]}, "'composite'"),
        ({"funnel": {"target": "regional"}}, "'funnel.target'"),
        ({"funnel": {"levels": [0.95, 99.8]}}, "'funnel.levels'"),
        ({"funnel": {"overdispersion": "random"}}, "'funnel.overdispersion'"),
        ({"funnel": {"year": "latest"}}, "deprivation.funnel.year"),
        ({"funnel": {"colour": "red"}}, "unknown key"),
    ],
)
def test_bad_settings_name_the_key(config, key):
    with pytest.raises(ConfigError, match=key):
        dep.parse_config(config)


def test_run_writes_every_table_with_comments_coverage_and_charts(synthetic_run):
    inputs, output = synthetic_run
    con = duckdb.connect()
    rows = write_output(con, output)
    expected_tables = {"analysis.deprivation_coefficients", "analysis.deprivation_residuals", "analysis.deprivation_count_models",
                       "analysis.deprivation_composite", "analysis.funnel_positions", "analysis.deprivation_skipped"}
    assert set(rows) == expected_tables
    for table in output.tables:
        assert rows[table.name] == table.frame.height > 0 or table.name == "analysis.deprivation_skipped"
        schema, name = table.name.split(".")
        comments = dict(con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, name]).fetchall())
        assert set(comments) == set(table.frame.columns) and all(comments.values()), table.name
        if table.name != "analysis.deprivation_skipped":
            assert set(COVERAGE_COLUMNS) <= set(table.frame.columns), table.name
            england = table.frame.filter(pl.col("nation") == "England")
            assert (england["las_excluded"].str.contains("E09000001 \\(excluded by configuration\\)") & england["las_excluded"].str.contains("E06000053")).all(), table.name
            assert england["n_las"].min() > 0 and england["years_used"].null_count() == 0
    composite = _tables(output)["analysis.deprivation_composite"]
    # default composite: the four CP/CLA rates and the stability alternative present in the synthetic panel
    assert composite["indicators_used"].unique().sort().to_list() == ["cpp_rate_per_10k, cpp_second_or_subsequent_percent, cla_rate_per_10k, cla_starts_rate_per_10k, lait_lacstable_2016on"]
    assert composite.filter(pl.col("nation") == "England")["la_group"].n_unique() == 4
    charts = {p.name for p in output.charts}
    assert "funnel_england_cla_rate_per_10k_2017.png" in charts and "funnel_wales_cpp_second_or_subsequent_percent_2017.png" in charts
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in output.charts)
    assert any(h.startswith("England:") and "composite" in h for h in output.headlines)
