"""Funnel plots (methods.md section 3): exact limits against scipy, overdispersion by hand, a planted outlier."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from csc_pipeline.analysis.charts import draw
from csc_pipeline.analysis import deprivation, funnel
from csc_pipeline.analysis.family_config import ConfigError
from csc_pipeline.analysis.results import AnalysisInputs
from synthetic_analysis_inputs import make_inputs


def _smoothed_quantile_by_hand(pmf, q):
    """Spiegelhalter (2005) appendix, from a pmf over 0, 1, 2, ...: r = smallest count with F(r) >= q, less (F(r) - q) / pmf(r)."""
    cdf = np.cumsum(pmf)
    r = int(np.argmax(cdf >= q))
    return r - (cdf[r] - q) / pmf[r]


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_poisson_limits_for_expected_10_are_the_smoothed_poisson_quantiles(level):
    lower, upper = funnel.poisson_count_limits(10.0, level)
    tail = (1 - level) / 2
    pmf = [np.exp(-10.0) * 10.0**k / np.prod(np.arange(1, k + 1, dtype=float)) for k in range(60)]
    assert lower == pytest.approx(_smoothed_quantile_by_hand(pmf, tail))
    assert upper == pytest.approx(_smoothed_quantile_by_hand(pmf, 1 - tail))
    # each limit lies within one count below scipy's quantile of Poisson(10)
    assert stats.poisson.ppf(tail, 10) - 1 < lower <= stats.poisson.ppf(tail, 10)
    assert stats.poisson.ppf(1 - tail, 10) - 1 < upper <= stats.poisson.ppf(1 - tail, 10)


def test_poisson_limits_known_values_and_edges():
    # 95%: quantiles 4 and 17 of Poisson(10); 99.8%: 2 and 21
    assert funnel.poisson_count_limits(10.0, 0.95) == (pytest.approx(3.7752, abs=1e-4), pytest.approx(16.1600, abs=1e-4))
    assert funnel.poisson_count_limits(10.0, 0.998) == (pytest.approx(1.2205, abs=1e-4), pytest.approx(20.6620, abs=1e-4))
    lower, upper = funnel.poisson_count_limits(np.array([0.0, 1000.0]), 0.95)
    assert lower[0] == 0.0 and upper[0] == 0.0
    # large E: close to E +/- 1.96 sqrt(E)
    assert (lower[1], upper[1]) == (pytest.approx(1000 - 1.96 * np.sqrt(1000), abs=1.5), pytest.approx(1000 + 1.96 * np.sqrt(1000), abs=1.5))


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_binomial_limits_are_the_smoothed_binomial_quantiles(level):
    p, n = 0.2, 50
    lower, upper = funnel.binomial_proportion_limits(p, n, level)
    tail = (1 - level) / 2
    pmf = stats.binom.pmf(np.arange(n + 1), n, p)
    assert lower * n == pytest.approx(_smoothed_quantile_by_hand(pmf, tail))
    assert upper * n == pytest.approx(_smoothed_quantile_by_hand(pmf, 1 - tail))
    assert stats.binom.ppf(tail, n, p) - 1 < lower * n <= stats.binom.ppf(tail, n, p)
    assert stats.binom.ppf(1 - tail, n, p) - 1 < upper * n <= stats.binom.ppf(1 - tail, n, p)


def test_control_limits_shape_units_and_nesting():
    denominators = np.array([2_000.0, 20_000.0, 200_000.0])
    lower95, upper95 = funnel.control_limits("rate", 60.0, denominators, 0.95, 10_000)
    lower998, upper998 = funnel.control_limits("rate", 60.0, denominators, 0.998, 10_000)
    assert lower95.shape == upper95.shape == denominators.shape
    # per 10,000: the count limits around E = 60 x d / 10,000, rescaled
    count_lower, count_upper = funnel.poisson_count_limits(60.0 * denominators / 10_000, 0.95)
    np.testing.assert_allclose(upper95, count_upper / denominators * 10_000)
    np.testing.assert_allclose(lower95, count_lower / denominators * 10_000)
    assert np.all(lower998 < lower95) and np.all(lower95 < 60) and np.all(upper95 < upper998)
    assert np.all(np.diff(upper95) < 0) and np.all(np.diff(lower95) > 0)  # the funnel narrows
    low, high = funnel.control_limits("percent", np.array([20.0, 30.0, 40.0]), np.array([50.0, 50.0, 50.0]), 0.95, 100)
    assert low.shape == (3,) and high[0] == pytest.approx(100 * funnel.binomial_proportion_limits(0.2, 50, 0.95)[1])
    with pytest.raises(ValueError, match="kind"):
        funnel.control_limits("count", 1.0, denominators, 0.95, 1)


def _eleven_units():
    """Eleven LAs at one target with z-scores known by construction (11 values: the 10th / 90th percentiles are the 2nd / 10th)."""
    sd = np.array([1.0, 2.0, 1.0, 0.5, 1.0, 2.0, 1.0, 0.5, 1.0, 2.0, 1.0])
    z = np.array([-6.0, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.5, 9.0])
    return 50.0 + z * sd, np.full(11, 50.0), sd, z


def test_overdispersion_phi_and_tau2_by_hand():
    observed, target, sd, z = _eleven_units()
    winsorised = np.clip(z, -2.0, 2.5)  # -6 -> -2 (2nd smallest), 9 -> 2.5 (2nd largest)
    phi = np.mean(winsorised**2)
    assert phi == pytest.approx((4 + 4 + 2.25 + 1 + 0.25 + 0 + 0.25 + 1 + 2.25 + 6.25 + 6.25) / 11)
    w = 1 / sd**2
    tau2 = (11 * phi - 10) / (w.sum() - (w**2).sum() / w.sum())
    result = funnel.estimate_overdispersion("additive", observed, target, sd)
    assert (result.phi, result.tau2) == (pytest.approx(phi), pytest.approx(tau2))
    # no overdispersion: tau^2 floored at 0
    under = funnel.estimate_overdispersion("additive", 50.0 + 0.1 * z * sd, target, sd)
    assert under.tau2 == 0.0 and under.phi < 1
    with pytest.raises(ValueError, match="overdispersion"):
        funnel.estimate_overdispersion("random", observed, target, sd)


def test_overdispersed_limits_by_hand():
    denominators = np.array([5_000.0, 50_000.0])
    exact_lower, exact_upper = funnel.control_limits("rate", 60.0, denominators, 0.95, 10_000)
    wide = funnel.Overdispersion("multiplicative", 4.0, 0.0)
    lower, upper = funnel.control_limits("rate", 60.0, denominators, 0.95, 10_000, wide)
    np.testing.assert_allclose(upper - 60, 2 * (exact_upper - 60))
    np.testing.assert_allclose(60 - lower, 2 * (60 - exact_lower))
    # phi below 1 does not narrow the exact limits
    np.testing.assert_allclose(funnel.control_limits("rate", 60.0, denominators, 0.95, 10_000, funnel.Overdispersion("multiplicative", 0.5, 0.0))[1], exact_upper)
    additive = funnel.Overdispersion("additive", 3.0, 9.0)
    lower, upper = funnel.control_limits("rate", 60.0, denominators, 0.95, 10_000, additive)
    half = stats.norm.ppf(0.975) * np.sqrt(60 * 10_000 / denominators + 9.0)
    np.testing.assert_allclose(upper, 60 + half)
    np.testing.assert_allclose(lower, 60 - half)


def test_funnel_positions_national_target_and_positions():
    units = pl.DataFrame({"la_code": ["A", "B", "C", "D"], "la_name": ["a", "b", "c", "d"],
                          "numerator": [60.0, 600.0, 700.0, 6_000.0], "denominator": [10_000.0, 100_000.0, 100_000.0, 1_000_000.0]})
    frame, dispersion = funnel.funnel_positions(units, "rate", 10_000, (0.95, 0.998), "none")
    national = 7_360 / 1_210_000 * 10_000
    assert frame["target"].to_list() == pytest.approx([national] * 4)
    assert frame["observed"].to_list() == pytest.approx([60.0, 60.0, 70.0, 60.0])
    lower, upper = funnel.control_limits("rate", national, units["denominator"].to_numpy(), 0.95, 10_000)
    assert frame["upper_95"].to_list() == pytest.approx(list(upper)) and frame["lower_95"].to_list() == pytest.approx(list(lower))
    expected = ["above" if o > u else "below" if o < lo else "inside" for o, lo, u in zip(frame["observed"], lower, upper)]
    assert frame["position_95"].to_list() == expected
    assert frame.filter(pl.col("la_code") == "C")["position_998"].item() == "above"  # 700 where ~608 expected
    assert dispersion.method == "none" and funnel.level_label(0.998) == "998" and funnel.level_label(0.95) == "95"


def _funnel_config(**funnel_options):
    return {"nations": ["England"], "indicators": ["cla_rate_per_10k"], "composite": ["cla_rate_per_10k"],
            "funnel": {"indicators": ["cla_rate_per_10k"], **funnel_options}}


@pytest.mark.parametrize("target", ["national", "deprivation_expected"])
def test_planted_outlier_is_above_the_998_limit_and_labelled(tmp_path, target):
    inputs = make_inputs(tmp_path, outlier_la=5)
    outlier = f"E07{5:06d}"  # make_authorities: LA i is E0{6 + i % 4}{i:06d}
    output = draw(deprivation.run(inputs, _funnel_config(target=target, overdispersion="none")), inputs)
    positions = next(t.frame for t in output.tables if t.name == "analysis.funnel_positions")
    row = positions.filter(pl.col("la_code") == outlier).row(0, named=True)
    assert row["position_998"] == "above" and row["observed"] > row["upper_998"] and row["labelled"]
    assert row["year"] == 2017 and row["target_kind"] == target
    assert "E09000001" not in positions["la_code"].to_list()
    chart = inputs.charts_dir / "funnel_england_cla_rate_per_10k_2017.png"
    assert chart in output.charts and chart.read_bytes()[:4] == b"\x89PNG"
    if target == "national":
        # around the national rate the planted deprivation slope puts many LAs outside
        assert (positions["position_95"] != "inside").mean() > 0.3


def test_without_outlier_the_deprivation_expected_funnel_holds_about_the_nominal_share(tmp_path):
    # counts are Poisson around the deprivation-expected rate, so about 5% fall outside the 95% limits
    # (the planted outlier is left out: one LA with triple the rate drags the unweighted OLS expected
    # line up by ~1.6 per 10,000 and pushes a dozen LAs below their 95% limits)
    output = deprivation.run(make_inputs(tmp_path), _funnel_config(target="deprivation_expected", overdispersion="none"))
    positions = next(t.frame for t in output.tables if t.name == "analysis.funnel_positions")
    assert positions.height == 80 and positions["n_las"][0] == 80
    assert 0 < (positions["position_95"] != "inside").sum() <= 10
    assert (positions["position_998"] != "inside").sum() <= 2
    assert positions.filter(pl.col("labelled"))["la_code"].to_list() == positions.filter(pl.col("position_998") != "inside")["la_code"].to_list()


def test_additive_limits_are_the_default_and_the_exact_limits_stay_as_the_variant(tmp_path):
    inputs = make_inputs(tmp_path)
    plain = deprivation.run(inputs, _funnel_config(overdispersion="none"))
    adjusted = deprivation.run(inputs, _funnel_config())
    table = lambda out: next(t.frame for t in out.tables if t.name == "analysis.funnel_positions")  # noqa: E731
    plain_rows, adjusted_rows = table(plain), table(adjusted)
    assert adjusted_rows["tau2"][0] > 0 and set(adjusted_rows["overdispersion"]) == {"additive"}
    assert (adjusted_rows["upper_998"] > plain_rows["upper_998"]).all()
    assert (adjusted_rows["position_998"] != "inside").sum() < (plain_rows["position_998"] != "inside").sum()
    # the exact variant beside the adjusted limits is the exact funnel itself; without an adjustment there is no variant
    for column in ("lower_998", "upper_998", "position_998", "lower_95", "position_95"):
        assert adjusted_rows[f"exact_{column}"].to_list() == plain_rows[column].to_list()
    assert not any(c.startswith("exact_") for c in plain_rows.columns)
    exact_outside = (plain_rows["position_998"] != "inside").sum()
    assert any(f"outside the 99.8% additive overdispersion-adjusted funnel limits ({exact_outside} outside the exact limits)" in h
               for h in adjusted.headlines)


def test_a_nation_without_values_in_the_configured_year_gets_its_latest_year_labelled(tmp_path):
    inputs = make_inputs(tmp_path)
    # Wales's populations stop in 2015 (as in the real mirror, whose Welsh rates use the nearest population)
    panel = inputs.panel.filter(~((pl.col("nation") == "Wales") & (pl.col("indicator") == "population_0_17") & (pl.col("year") > 2015)))
    config = {**_funnel_config(), "nations": ["England", "Wales"]}
    output = draw(deprivation.run(AnalysisInputs(**{**inputs.__dict__, "panel": panel}), config), inputs)
    positions = next(t.frame for t in output.tables if t.name == "analysis.funnel_positions")
    years = dict(positions.select("nation", "year").unique().iter_rows())
    assert years == {"England": 2017, "Wales": 2015}
    rules = dict(positions.select("nation", "year_rule").unique().iter_rows())
    assert rules["England"] == "configured year"
    assert rules["Wales"] == "latest year with values: Wales has fewer than 3 LAs with cla_count and population_0_17 in 2017"
    assert positions.filter(pl.col("nation") == "Wales").height == 16
    assert inputs.charts_dir / "funnel_wales_cla_rate_per_10k_2015.png" in output.charts
    assert any(h.startswith("Wales cla_rate_per_10k 2015 (latest year with values") for h in output.headlines)


def test_distance_beyond_limits_by_hand():
    observed, lower, upper, sd = (np.array(v, float) for v in ([10, 50, 95, 2], [20, 20, 20, 5], [80, 80, 80, 9], [2, 2, 5, 0.5]))
    np.testing.assert_allclose(funnel.distance_beyond(observed, lower, upper, sd), [5.0, 0.0, 3.0, 6.0])


def test_only_the_label_max_furthest_outliers_are_named_and_every_outlier_stays_in_the_table(tmp_path):
    # around the national rate the planted deprivation slope puts dozens of LAs outside the 99.8% limits
    output = deprivation.run(make_inputs(tmp_path), _funnel_config(label_max=4, overdispersion="none"))
    positions = next(t.frame for t in output.tables if t.name == "analysis.funnel_positions")
    outside = positions.filter(pl.col("position_998") != "inside")
    assert outside.height > 10 and positions.height == 80
    # the distance by hand: beyond the 99.8% limit, over the Poisson SD of the rate under the national target
    sd = np.sqrt(outside["target"] * 10_000 / outside["denominator"])
    beyond = np.maximum(outside["observed"] - outside["upper_998"], outside["lower_998"] - outside["observed"]) / sd
    np.testing.assert_allclose(outside["sd_beyond_widest"], beyond)
    assert (positions.filter(pl.col("position_998") == "inside")["sd_beyond_widest"] == 0).all()
    furthest = outside.with_columns(pl.Series("by_hand", beyond)).sort("by_hand", descending=True).head(4)["la_code"].to_list()
    assert sorted(positions.filter(pl.col("labelled"))["la_code"].to_list()) == sorted(furthest)
    assert any(f"{outside.height} of 80 LAs outside the 99.8% exact funnel limits; 4 furthest outside named" in h for h in output.headlines)


def test_label_max_zero_names_no_la_and_negative_is_a_config_error(tmp_path):
    output = deprivation.run(make_inputs(tmp_path), _funnel_config(label_max=0, overdispersion="none"))
    positions = next(t.frame for t in output.tables if t.name == "analysis.funnel_positions")
    assert not positions["labelled"].any() and (positions["position_998"] != "inside").any()
    with pytest.raises(ConfigError, match=r"funnel\.label_max"):
        deprivation.run(make_inputs(tmp_path), _funnel_config(label_max=-1))
