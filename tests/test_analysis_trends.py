"""Trends (methods.md section 1) against hand calculations, statsmodels, and a planted break."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from csc_pipeline.analysis.charts import draw
from csc_pipeline.analysis.charts import trends as trend_charts
from csc_pipeline.analysis import trends
from csc_pipeline.analysis.family_config import ConfigError
from csc_pipeline.analysis.results import AnalysisInputs
from csc_pipeline.analysis.runner import write_output
from synthetic_analysis_inputs import DICTIONARY, make_inputs


# A shared small frame: (la_code, nation, region, year, cla_count, population_0_17, published rate).
# E06000003 has no population and no rate in 2011 (so no denominator); E06000004 has a published
# rate but no population in 2011 (so an implied denominator: 30 / 25 x 10,000 = 12,000).
SMALL = [
    ("E06000001", "England", "North East", 2010, 120, 20_000, 60.0),
    ("E06000002", "England", "North East", 2010, 30, 10_000, 30.0),
    ("E06000003", "England", "North West", 2010, 500, 50_000, 100.0),
    ("E06000004", "England", "North West", 2010, 24, 10_000, 24.0),
    ("E09000001", "England", "London", 2010, 9, 1_000, 90.0),  # City of London: excluded by configuration
    ("W06000001", "Wales", "Wales", 2010, 80, 10_000, 80.0),
    ("W06000002", "Wales", "Wales", 2010, 45, 5_000, 90.0),
    ("E06000001", "England", "North East", 2011, 130, 20_100, 130 / 20_100 * 10_000),
    ("E06000002", "England", "North East", 2011, 33, 10_050, 33 / 10_050 * 10_000),
    ("E06000003", "England", "North West", 2011, 510, None, None),
    ("E06000004", "England", "North West", 2011, 30, None, 25.0),
]


def _panel(rows, geography="current", codes: dict | None = None) -> pl.DataFrame:
    """``codes``: (authority's la_code, indicator) -> the code a release printed that value under instead."""
    out = []
    for code, nation, region, year, count, population, rate in rows:
        for indicator, value in (("cla_count", count), ("population_0_17", population), ("cla_rate_per_10k", rate)):
            printed = (codes or {}).get((code, indicator), code)
            out.append({
                "geography": geography, "la_code": printed, "la_name": f"LA {printed}", "region": region, "la_type": "unitary_authority",
                "nation": nation, "authority_id": code.lower(), "year": year, "indicator": indicator,
                "value": None if value is None else float(value), "status": "published" if value is not None else "missing", "is_synthetic": True,
            })
    return pl.DataFrame(out).with_columns(pl.col("year").cast(pl.Int32))


def _settings(**overrides) -> trends.TrendsSettings:
    return trends.parse_config(overrides)


def _cla_series(panel: pl.DataFrame, settings: trends.TrendsSettings) -> pl.DataFrame:
    components = trends.la_components(panel, settings, "cla_rate_per_10k", "rate", "cla_count", "population_0_17")
    return trends.national_regional(components, "rate", ("England", "Wales"))


def _row(series: pl.DataFrame, area: str, year: int) -> dict:
    return series.filter((pl.col("area") == area) & (pl.col("year") == year)).row(0, named=True)


def test_national_and_regional_rates_are_summed_counts_over_summed_populations():
    series = _cla_series(_panel(SMALL), _settings())
    england = _row(series, "England", 2010)
    assert england["value"] == pytest.approx((120 + 30 + 500 + 24) / (20_000 + 10_000 + 50_000 + 10_000) * 10_000)
    assert england["value"] != pytest.approx(np.mean([60.0, 30.0, 100.0, 24.0]))  # never a mean of rates
    assert (england["numerator"], england["denominator"], england["n_las"]) == (674.0, 90_000.0, 4)
    assert _row(series, "North East", 2010)["value"] == pytest.approx(150 / 30_000 * 10_000)
    assert _row(series, "Wales", 2010)["value"] == pytest.approx(125 / 15_000 * 10_000)
    assert set(series.filter(pl.col("area_level") == "region")["area"]) == {"North East", "North West"}  # no Welsh "region"
    # 2011: E06000003 lacks a denominator and is left out; E06000004's is implied by its published rate.
    later = _row(series, "England", 2011)
    assert later["value"] == pytest.approx((130 + 33 + 30) / (20_100 + 10_050 + 12_000) * 10_000)
    assert (later["n_las"], later["n_las_implied_denominator"], later["las_excluded"]) == (3, 1, "E06000003 (no denominator)")


def test_without_implied_denominators_only_published_populations_count():
    series = _cla_series(_panel(SMALL), _settings(implied_denominators=False))
    later = _row(series, "England", 2011)
    assert later["value"] == pytest.approx((130 + 33) / (20_100 + 10_050) * 10_000)
    assert later["las_excluded"] == "E06000003 (no denominator); E06000004 (no denominator)"


def test_count_and_population_printed_under_different_codes_of_one_authority_are_summed_together():
    # as_published: a release prints E06000003's 2010 population under an old code (as DfE did for
    # North Yorkshire): matched by authority, the LA still enters the sums once with both
    recoded = _panel(SMALL, geography="as_published", codes={("E06000003", "population_0_17"): "E10000099"})
    settings = _settings(geography="as_published")
    by_code = _cla_series(_panel(SMALL, geography="as_published"), settings)
    by_authority = _cla_series(recoded, settings)
    for area in ("England", "North West"):
        assert _row(by_authority, area, 2010)["value"] == pytest.approx(_row(by_code, area, 2010)["value"])
        assert _row(by_authority, area, 2010)["n_las"] == _row(by_code, area, 2010)["n_las"]
    components = trends.la_components(recoded, settings, "cla_rate_per_10k", "rate", "cla_count", "population_0_17")
    row = components.filter((pl.col("authority") == "e06000003") & (pl.col("year") == 2010)).row(0, named=True)
    assert (row["la_code"], row["numerator"], row["denominator"]) == ("E06000003", 500.0, 50_000.0)  # the rate's own code


def test_la_median_sits_beside_the_pooled_rate():
    series = _cla_series(_panel(SMALL), _settings())
    england = _row(series, "England", 2010)
    assert england["la_median"] == pytest.approx(np.median([60.0, 30.0, 100.0, 24.0]))
    assert england["n_las_median"] == 4
    # 2011: E06000003 has no rate (and is out of the sums too); E06000004's published 25 enters the median
    later = _row(series, "England", 2011)
    assert later["la_median"] == pytest.approx(np.median([130 / 20_100 * 10_000, 33 / 10_050 * 10_000, 25.0]))
    assert later["n_las_median"] == 3
    counts = trends.national_regional(trends.la_components(_panel(SMALL), _settings(), "cla_count", "count", None, None),
                                      "count", ("England", "Wales"))
    assert counts["la_median"].null_count() == counts.height and set(counts["n_las_median"]) == {0}


def test_run_sets_the_published_national_and_regional_value_beside_the_sum(tmp_path):
    inputs = make_inputs(tmp_path, n_england=12, n_wales=4)
    published = pl.DataFrame({
        "area_level": ["nation", "region", "region"], "area": ["England", "North West", "North West"], "year": [2015, 2015, 2016],
        "indicator": ["cla_rate_per_10k"] * 2 + ["cla_count"], "value": [61.0, 70.0, None], "status": ["published", "published", "suppressed"],
    }).with_columns(pl.col("year").cast(pl.Int32))
    output = trends.run(AnalysisInputs(**{**inputs.__dict__, "area_values": published}), {"indicators": ["cla_rate_per_10k", "cla_count"]})
    national = {t.name: t.frame for t in output.tables}["analysis.trend_national_regional"]
    with_published = national.filter(pl.col("published_value").is_not_null())
    assert sorted(with_published.select("area", "year", "indicator", "published_value").rows()) == [
        ("England", 2015, "cla_rate_per_10k", 61.0), ("North West", 2015, "cla_rate_per_10k", 70.0)]
    assert national.filter(pl.col("indicator") == "cla_rate_per_10k")["la_median"].null_count() == 0


def test_year_on_year_change_by_hand():
    series = pl.DataFrame({"la_code": ["A"] * 4 + ["B"] * 2, "year": [2010, 2011, 2012, 2014, 2010, 2011],
                           "value": [50.0, 55.0, 44.0, 60.0, 0.0, 5.0]})
    out = trends.year_on_year(series, ["la_code"]).sort("la_code", "year")
    assert out["change"].to_list() == [None, 5.0, -11.0, None, None, 5.0]  # 2013 missing: no change for 2014
    assert out["percent_change"].to_list()[:3] == [None, pytest.approx(10.0), pytest.approx(-20.0)]
    assert out["percent_change"].to_list()[5] is None  # previous value 0


def _direct_ols(years, values, first_post, **fit_kwargs):
    years = np.asarray(years, dtype=float)
    post = (years >= first_post).astype(float)
    X = np.column_stack([np.ones_like(years), years - years[0], post, (years - first_post) * post])
    return sm.OLS(np.asarray(values), X).fit(**fit_kwargs)


TINY_YEARS = [2005, 2006, 2007, 2008, 2009, 2010, 2011, 2012, 2013]
TINY_VALUES = [50.0, 51.5, 51.0, 53.0, 53.5, 60.0, 62.5, 63.0, 66.0]


@pytest.mark.parametrize("covariance", ["ols", "hac"])
def test_its_coefficients_equal_a_direct_statsmodels_fit(covariance):
    settings = _settings(covariance=covariance, hac_maxlags=1, confidence_level=0.9)
    fit = trends.fit_its(TINY_YEARS, TINY_VALUES, settings)
    kwargs = {"cov_type": "HAC", "cov_kwds": {"maxlags": 1}, "use_t": True} if covariance == "hac" else {}
    direct = _direct_ols(TINY_YEARS, TINY_VALUES, 2010, **kwargs)
    ci = direct.conf_int(alpha=0.1)
    for i, term in enumerate(trends.ITS_TERMS):
        assert fit[term] == pytest.approx(direct.params[i])
        assert fit[f"{term}_se"] == pytest.approx(direct.bse[i])
        assert (fit[f"{term}_ci_low"], fit[f"{term}_ci_high"]) == (pytest.approx(ci[i, 0]), pytest.approx(ci[i, 1]))
        assert fit[f"{term}_p_value"] == pytest.approx(direct.pvalues[i])
    assert (fit["n_years_before"], fit["n_years_after"], fit["status"]) == (5, 4, "fitted")


def test_its_recovers_a_planted_level_and_slope_change():
    rng = np.random.default_rng(3)
    years = np.arange(1998, 2020)
    post = years >= 2010
    values = 40 + 0.6 * (years - 1998) + post * (9.0 + 1.5 * (years - 2010)) + rng.normal(0, 0.8, len(years))
    fit = trends.fit_its(years.tolist(), values.tolist(), _settings())
    assert fit["level_change_ci_low"] < 9.0 < fit["level_change_ci_high"]
    assert fit["slope_change_ci_low"] < 1.5 < fit["slope_change_ci_high"]
    assert fit["pre_slope_ci_low"] < 0.6 < fit["pre_slope_ci_high"]
    assert fit["level_change_ci_low"] > 0 and fit["slope_change_ci_low"] > 0  # detected, not just covered


def test_its_is_skipped_with_a_reason_when_too_few_years_before_the_break():
    fit = trends.fit_its([2008, 2009, 2010, 2011, 2012, 2013], [1.0, 2.0, 3.0, 4.0, 5.0, 7.0], _settings())
    assert (fit["status"], fit["n_years_before"], fit["n_years_after"], fit["level_change"]) == ("skipped", 2, 4, None)
    assert "2 year(s) before" in fit["skip_reason"] and "at least 3" in fit["skip_reason"]
    assert trends.fit_its([2008, 2009, 2010, 2011, 2012, 2013], [1.0, 2.0, 3.0, 4.0, 5.0, 7.0],
                          _settings(min_years_each_side=2))["status"] == "fitted"


@pytest.mark.parametrize("config, key", [
    ({"first_post_break_year": 1800}, "trends.first_post_break_year"),
    ({"first_post_break_year": "2009/10"}, "trends.first_post_break_year"),
    ({"min_years_each_side": 1}, "trends.min_years_each_side"),
    ({"covariance": "robust"}, "trends.covariance"),
    ({"confidence_level": 95}, "trends.confidence_level"),
    ({"break_year": 2010}, "break_year"),
])
def test_config_errors_name_the_key(config, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        trends.parse_config(config)


def _with_neighbours(inputs: AnalysisInputs, la_code: str, neighbour_codes: list[str]) -> AnalysisInputs:
    neighbours = pl.DataFrame({"model_version": "2021-04", "la_code": la_code, "neighbour_rank": list(range(1, len(neighbour_codes) + 1)),
                               "neighbour_la_code": neighbour_codes})
    return AnalysisInputs(**{**inputs.__dict__, "neighbours": neighbours})


def test_run_recovers_a_planted_break_and_writes_documented_tables_and_charts(tmp_path):
    inputs = make_inputs(tmp_path, n_england=24, n_wales=8, years=range(2004, 2020), cla_break=(2010, 8.0, 1.0))
    codes = sorted(inputs.panel.filter(pl.col("nation") == "England")["la_code"].unique().to_list())
    inputs = _with_neighbours(inputs, codes[1], codes[2:6])
    config = {"small_multiple_la_codes": [codes[1], "W06000003", "E99999999"], "indicators": ["cla_rate_per_10k", "cpp_rate_per_10k", "cla_count"]}
    output = draw(trends.run(inputs, config), inputs)
    tables = {t.name: t.frame for t in output.tables}
    its = tables["analysis.interrupted_time_series"].filter(pl.col("indicator") == "cla_rate_per_10k")
    for row in its.iter_rows(named=True):  # both nations: every LA's rate jumps by 8 then rises 1 a year faster
        assert row["status"] == "fitted" and (row["n_years_before"], row["n_years_after"]) == (6, 10)
        assert row["level_change_ci_low"] < 8.0 < row["level_change_ci_high"]
        assert row["slope_change_ci_low"] < 1.0 < row["slope_change_ci_high"]
    assert set(its["nation"]) == {"England", "Wales"}
    england = its.filter(pl.col("nation") == "England").row(0, named=True)
    assert england["n_las"] == 24 and "E09000001 (excluded by configuration)" in england["las_excluded"]
    national = tables["analysis.trend_national_regional"]
    counts = national.filter((pl.col("indicator") == "cla_count") & (pl.col("area") == "England") & (pl.col("year") == 2015))
    hand = inputs.panel.filter((pl.col("indicator") == "cla_count") & (pl.col("year") == 2015) & (pl.col("nation") == "England")
                               & ~pl.col("la_code").is_in(["E09000001", "E06000053"]))["value"].sum()
    assert counts["value"].to_list() == [hand] and counts["denominator"].to_list() == [None]
    la = tables["analysis.trend_la_series"].filter((pl.col("la_code") == codes[0]) & (pl.col("indicator") == "cla_rate_per_10k")).sort("year")
    assert la["change"].to_list()[1:] == pytest.approx(np.diff(la["value"].to_numpy()).tolist())

    con = duckdb.connect()
    rows = write_output(con, output)
    assert set(rows) == {"analysis.trend_national_regional", "analysis.trend_la_series", "analysis.interrupted_time_series"}
    assert all(n > 0 for n in rows.values())
    undocumented = con.sql("SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'analysis' AND comment IS NULL").fetchall()
    assert undocumented == []
    names = {p.name for p in output.charts}
    assert {"trends_cla_rate_per_10k.png", "trends_its_cla_rate_per_10k_england.png", "trends_its_cla_rate_per_10k_wales.png",
            "trends_las_cla_rate_per_10k.png", "trends_cpp_rate_per_10k.png"} <= names
    assert all(p.exists() and p.stat().st_size > 0 for p in output.charts)
    assert any("E99999999 not in the panel" in h for h in output.headlines)
    assert any(h.startswith("ITS England cla_rate_per_10k") and "level change +" in h for h in output.headlines)


def test_run_on_default_synthetic_inputs_skips_the_its_without_pre_break_years(tmp_path):
    inputs = make_inputs(tmp_path, n_england=12, n_wales=4)  # years 2010-2019: nothing before the break
    output = draw(trends.run(inputs, {}), inputs)
    its = {t.name: t.frame for t in output.tables}["analysis.interrupted_time_series"]
    assert its.height > 0 and set(its["status"]) == {"skipped"} and its["level_change"].null_count() == its.height
    assert all("0 year(s) before" in r for r in its["skip_reason"])
    # indicators without a numerator/denominator in the dictionary are reported, not guessed
    missing = set(trends.parse_config({}).indicators) - set(DICTIONARY["indicator"])
    assert all(any(h.startswith(f"{m}: not aggregated") for h in output.headlines) for m in missing)
    assert "trends_cla_rate_per_10k.png" in {p.name for p in output.charts}
    write_output(duckdb.connect(), output)


def _capture_chart_text(monkeypatch) -> dict[str, list[str]]:
    """Chart file name -> its axes' titles and legend entries, recorded as each chart is saved."""
    seen: dict[str, list[str]] = {}
    save = trend_charts.save_figure_atomic

    def recording_save(fig, path):
        seen[path.name] = [ax.get_title() for ax in fig.axes] + [
            t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
        return save(fig, path)

    monkeypatch.setattr(trend_charts, "save_figure_atomic", recording_save)
    return seen


def test_its_chart_is_drawn_with_the_skip_reason_when_the_headline_fit_is_skipped(tmp_path, monkeypatch):
    seen = _capture_chart_text(monkeypatch)
    inputs = make_inputs(tmp_path, n_england=12, n_wales=4)  # years 2010-2019: every ITS fit is skipped
    output = draw(trends.run(inputs, {"indicators": ["cla_rate_per_10k", "cpp_rate_per_10k"]}), inputs)
    its = {t.name: t.frame for t in output.tables}["analysis.interrupted_time_series"]
    assert set(its["status"]) == {"skipped"} and set(its["indicator"]) == {"cla_rate_per_10k", "cpp_rate_per_10k"}
    names = {p.name for p in output.charts}
    # one chart per nation for the headline indicator; none for a skipped indicator not listed in its_chart_indicators
    assert {"trends_its_cla_rate_per_10k_england.png", "trends_its_cla_rate_per_10k_wales.png"} <= names
    assert not any(n.startswith("trends_its_cpp") for n in names)
    for nation in ("england", "wales"):
        text = seen[f"trends_its_cla_rate_per_10k_{nation}.png"]
        reason = its.filter((pl.col("indicator") == "cla_rate_per_10k") & (pl.col("nation").str.to_lowercase() == nation))["skip_reason"][0]
        assert f"not fitted: {reason}" in text and "break before 2010" in text
        assert "pre-break trend" not in text  # no fitted segments without a fit
    assert all(p.exists() and p.stat().st_size > 0 for p in output.charts)


def test_its_chart_shows_the_fitted_segments_when_fitted(tmp_path, monkeypatch):
    seen = _capture_chart_text(monkeypatch)
    inputs = make_inputs(tmp_path, n_england=12, n_wales=4, years=range(2004, 2020), cla_break=(2010, 8.0, 1.0))
    output = draw(trends.run(inputs, {"indicators": ["cla_rate_per_10k"], "its_chart_indicators": []}), inputs)
    text = seen["trends_its_cla_rate_per_10k_england.png"]  # fitted: drawn even when not listed
    assert {"pre-break trend", "post-break trend", "pre-break trend continued", "break before 2010"} <= set(text)
    assert any(t.startswith("level change +") for t in text) and not any("not fitted" in t for t in text)
    assert len([p for p in output.charts if p.name.startswith("trends_its_")]) == 2


def test_years_used_compresses_runs_of_consecutive_years():
    from csc_pipeline.analysis.panel_frames import format_years
    assert format_years([2013, 2010, 2009, 2008, 2014, 2013]) == "2008-2010, 2013-2014"
    assert format_years([2015, 2016, 2017]) == "2015-2017" and format_years([2015, 2019]) == "2015, 2019"
    assert format_years([2013]) == "2013" and format_years([]) == ""
