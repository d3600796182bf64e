"""Correlations (methods.md section 2) against scipy, statsmodels, hand values and planted correlations."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from csc_pipeline.analysis.charts import draw
from csc_pipeline.analysis import correlations as corr
from csc_pipeline.analysis.config import load_analysis_config
from csc_pipeline.analysis.family_config import ConfigError
from csc_pipeline.analysis.runner import family_settings, write_output
from synthetic_analysis_inputs import make_inputs

PLANTED = ("cla_starts_rate_per_10k", "cpp_rate_per_10k")  # shifted together by make_inputs(shared_factor=...)


def test_pairwise_spearman_equals_scipy_on_pairwise_complete_las():
    wide = pl.DataFrame({
        "la_code": [f"E{i}" for i in range(8)],
        "a": [1.0, 3.0, 2.0, 5.0, 4.0, 7.0, 6.0, None],
        "b": [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, 7.0],
        "c": [None, 9.0, 7.0, 8.0, 5.0, 6.0, 2.0, 1.0],
    })
    rows = {(r["indicator_a"], r["indicator_b"]): r for r in corr.pairwise_spearman(wide, ["a", "b", "c"], min_las=3)}
    ab = stats.spearmanr([1, 3, 2, 5, 4, 7, 6], [2, 1, 4, 3, 6, 5, 8])
    assert (rows["a", "b"]["n"], rows["a", "b"]["rho"], rows["a", "b"]["p_value"]) == (7, pytest.approx(ab.statistic), pytest.approx(ab.pvalue))
    assert rows["a", "b"]["las_missing"] == {"E7": "a"}
    ac = stats.spearmanr([3, 2, 5, 4, 7, 6], [9, 7, 8, 5, 6, 2])  # E0 lacks c, E7 lacks a
    assert (rows["a", "c"]["n"], rows["a", "c"]["rho"], rows["a", "c"]["p_value"]) == (6, pytest.approx(ac.statistic), pytest.approx(ac.pvalue))
    assert rows["a", "c"]["las_missing"] == {"E0": "c", "E7": "a"}
    # below the minimum number of LAs a pair is not tested
    assert {(r["indicator_a"], r["indicator_b"]) for r in corr.pairwise_spearman(wide, ["a", "b", "c"], min_las=7)} == {("a", "b"), ("b", "c")}


def test_pairs_below_min_las_or_constant_are_listed_with_their_status_and_left_out_of_bh():
    wide = pl.DataFrame({
        "la_code": [f"E{i}" for i in range(8)],
        "a": [1.0, 3.0, 2.0, 5.0, 4.0, 7.0, 6.0, 8.0],
        "b": [2.0, 1.0, 4.0, 3.0, None, None, None, None],
        "c": [5.0] * 8,
        "d": [None] * 8,
    })
    untested = {(r["indicator_a"], r["indicator_b"]): r for r in corr.untested_pairs(wide, ["a", "b", "c", "d"], min_las=6)}
    assert untested["a", "b"]["n"] == 4 and untested["a", "b"]["status"] == "n below minimum (4 LAs < min_las 6): not tested"
    assert untested["a", "c"]["status"] == "not tested: one indicator takes a single value over the LAs"
    assert not any("d" in pair for pair in untested)  # no LA has d: nothing to list
    # the untested rows keep NULL p-values and leave the BH adjustment of the tested ones unchanged
    tested = pl.DataFrame({"nation": ["England"] * 3, "p_value": [0.03, 0.01, 0.02], "status": ["tested"] * 3})
    mixed = pl.concat([tested, pl.DataFrame({"nation": ["England"], "p_value": [None], "status": ["n below minimum"]},
                                            schema=tested.schema)])
    adjusted = corr.with_bh(mixed, 0.05)
    assert adjusted.filter(pl.col("status") == "tested")["p_value_bh"].to_list() == pytest.approx(corr.benjamini_hochberg([0.03, 0.01, 0.02]).tolist())
    assert adjusted.filter(pl.col("status") != "tested")["p_value_bh"].to_list() == [None]


def test_benjamini_hochberg_matches_statsmodels_and_a_hand_example():
    # hand: m = 4, sorted p 0.01, 0.02, 0.03, 0.5 -> 0.04, 0.04, 0.04, 0.5 (step-up minimum), input order kept
    assert corr.benjamini_hochberg([0.03, 0.5, 0.01, 0.02]) == pytest.approx([0.04, 0.5, 0.04, 0.04])
    assert corr.benjamini_hochberg([0.9, 0.95]) == pytest.approx([0.95, 0.95])
    p = np.random.default_rng(3).uniform(0, 0.2, 200) ** 2
    assert corr.benjamini_hochberg(p) == pytest.approx(multipletests(p, method="fdr_bh")[1])
    assert corr.benjamini_hochberg([]).size == 0


def _yearly_correlations(years, n_las=60, seed=11, short_years=()):
    """Per year: x and y share a factor (planted), z is independent of both; w (short series) tracks x in ``short_years`` only."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in years:
        x = rng.normal(size=n_las)
        values = {"x": x, "y": x + rng.normal(scale=0.8, size=n_las), "z": rng.normal(size=n_las)}
        if year in short_years:
            values["w"] = x + rng.normal(scale=0.8, size=n_las)
        wide = pl.DataFrame({"la_code": [f"E{i:02d}" for i in range(n_las)], **values})
        for r in corr.pairwise_spearman(wide, [c for c in ("x", "y", "z", "w") if c in wide.columns], min_las=10):
            rows.append({"nation": "England", "year": year, "indicator_a": r["indicator_a"], "indicator_b": r["indicator_b"],
                         "rho": r["rho"], "p_value": r["p_value"]})
    return corr.with_bh(pl.DataFrame(rows), 0.05)


def test_a_planted_correlated_pair_is_stable_and_an_independent_pair_is_not():
    frame = _yearly_correlations(range(2010, 2016))
    pairs = {(r["indicator_a"], r["indicator_b"]): r for r in corr.stable_pairs(frame, 0.05, 3, set(), 2).iter_rows(named=True)}
    planted = pairs["x", "y"]
    assert planted["stable"] and planted["stable_bh"] and planted["years_significant"] == 6 and planted["years_tested"] == 6
    assert planted["years_significant_list"] == "2010-2015" and planted["sign_consistency"] == 1.0
    assert planted["median_rho"] == pytest.approx(frame.filter(pl.col("indicator_b") == "y", pl.col("indicator_a") == "x")["rho"].median())
    independent = pairs["x", "z"]
    assert not independent["stable"] and not independent["stable_bh"] and independent["years_significant"] < 3
    # counting: years significant on raw and BH p equal the table's flags
    xz = frame.filter(pl.col("indicator_a") == "x", pl.col("indicator_b") == "z")
    assert (independent["years_significant"], independent["years_significant_bh"]) == (xz["significant"].sum(), xz["significant_bh"].sum())


def test_a_pair_significant_with_opposite_signs_is_not_stable():
    frame = pl.DataFrame({"nation": ["England"] * 4, "indicator_a": ["a"] * 4, "indicator_b": ["b"] * 4, "year": [2010, 2011, 2012, 2013],
                          "rho": [0.6, -0.6, 0.5, -0.5], "p_value": [0.001] * 4, "p_value_bh": [0.004] * 4})
    row = corr.stable_pairs(frame, 0.05, 3, set(), 2).row(0, named=True)
    assert row["years_significant"] == 4 and not row["stable"] and row["sign_consistency"] == 0.5


def test_short_series_indicators_need_only_k_short_years():
    # w exists in two years only and tracks x there: stable with k = 2 for short series, not with the general k = 3
    frame = _yearly_correlations(range(2010, 2016), short_years=(2014, 2015))
    short = {(r["indicator_a"], r["indicator_b"]): r for r in corr.stable_pairs(frame, 0.05, 3, {"w"}, 2).iter_rows(named=True)}
    assert short["x", "w"]["k_required"] == 2 and short["x", "w"]["years_tested"] == 2 and short["x", "w"]["stable"]
    assert short["x", "y"]["k_required"] == 3
    general = {(r["indicator_a"], r["indicator_b"]): r for r in corr.stable_pairs(frame, 0.05, 3, set(), 2).iter_rows(named=True)}
    assert not general["x", "w"]["stable"]


def test_short_series_default_is_the_workforce_indicators_of_the_set():
    settings = corr.parse_config({"indicators": ["cla_rate_per_10k", "sw_turnover_rate_percent", "sw_agency_rate_percent"]})
    assert settings.short_series == {"sw_turnover_rate_percent", "sw_agency_rate_percent"}
    assert corr.parse_config({"short_series_indicators": ["cin_rate_per_10k"]}).short_series == {"cin_rate_per_10k"}


INDICATORS = ["cla_rate_per_10k", "cla_starts_rate_per_10k", "cpp_rate_per_10k", "cpp_second_or_subsequent_percent"]


def _residual_rho(inputs, pair, year=2017):
    output = corr.run(inputs, {"indicators": INDICATORS, "heatmap_years": 0})
    tables = {t.name: t.frame for t in output.tables}
    rows = lambda name: tables[name].filter(pl.col("nation") == "England", pl.col("year") == year,  # noqa: E731
                                             pl.col("indicator_a") == pair[0], pl.col("indicator_b") == pair[1]).row(0, named=True)
    return rows("analysis.correlations_by_year"), rows("analysis.residual_correlations")


def test_residual_correlations_find_a_shared_factor_beyond_deprivation(tmp_path):
    # Without the factor both indicators follow deprivation: strong raw correlation, none left in the residuals.
    raw, residual = _residual_rho(make_inputs(tmp_path), PLANTED)
    assert raw["rho"] > 0.5 and raw["significant_bh"]
    assert abs(residual["rho"]) < 0.3 and not residual["significant_bh"]
    # With a latent factor shifting both (independent of deprivation) the residuals correlate.
    _, planted = _residual_rho(make_inputs(tmp_path, shared_factor=3.0), PLANTED)
    assert planted["rho"] > 0.5 and planted["significant_bh"] and planted["deprivation_measure"] == "idaci_average_score"
    # an indicator pair without a shared factor stays uncorrelated after adjustment
    _, other = _residual_rho(make_inputs(tmp_path, shared_factor=3.0), ("cla_rate_per_10k", "cpp_second_or_subsequent_percent"))
    assert not other["significant_bh"]


def test_residuals_follow_the_deprivation_section(tmp_path):
    inputs = make_inputs(tmp_path)
    config = {"indicators": INDICATORS, "heatmap_years": 0, "deprivation": {"period": [2012, 2013], "nations": ["England"]}}
    residual = {t.name: t.frame for t in corr.run(inputs, config).tables}["analysis.residual_correlations"]
    assert set(residual["year"]) == {2012, 2013} and set(residual["nation"]) == {"England"}


def test_family_settings_pass_the_deprivation_section_to_correlations(tmp_path):
    override = tmp_path / "mine.yaml"
    override.write_text("deprivation:\n  period: [2012, 2014]\nshared:\n  geography: as_published\n", encoding="utf-8")
    settings = family_settings(load_analysis_config(override), "correlations")
    assert settings["deprivation"]["period"] == [2012, 2014] and settings["deprivation"]["geography"] == "as_published"
    parsed = corr.parse_config(settings)
    assert parsed.deprivation_config()["period"] == [2012, 2014]
    # the residuals are fitted for this family's indicators, without the deprivation measure itself
    assert "idaci_average_score" not in parsed.deprivation_config()["indicators"] and parsed.deprivation_config()["composite"] == []
    assert "deprivation" not in family_settings(load_analysis_config(override), "change_in_rate")


def test_run_writes_documented_tables_and_charts(tmp_path):
    inputs = make_inputs(tmp_path, shared_factor=3.0)
    output = draw(corr.run(inputs, {"indicators": [*INDICATORS, "rereferrals_percent", "sw_turnover_rate_percent"], "heatmap_years": 2}), inputs)
    tables = {t.name: t.frame for t in output.tables}
    assert set(tables) == {"analysis.correlations_by_year", "analysis.correlation_stable_pairs", "analysis.residual_correlations"}
    by_year = tables["analysis.correlations_by_year"]
    # the deprivation measure is correlated too, with the edition in force (2015 until 2018, then 2019)
    cla_idaci = by_year.filter(pl.col("nation") == "England", pl.col("indicator_b") == "idaci_average_score", pl.col("indicator_a") == "cla_rate_per_10k")
    assert dict(cla_idaci.select("year", "deprivation_edition").iter_rows())[2014] == "2015"
    assert dict(cla_idaci.select("year", "deprivation_edition").iter_rows())[2019] == "2019"
    assert (cla_idaci["rho"] > 0.8).all()  # the planted deprivation slope
    row = by_year.row(0, named=True)
    assert "E09000001 (excluded by configuration)" in row["las_excluded"] and row["n_las"] == row["n"] == 80
    stable = tables["analysis.correlation_stable_pairs"]
    assert stable.filter(pl.col("nation") == "England", pl.col("indicator_a") == PLANTED[0], pl.col("indicator_b") == PLANTED[1])["stable_bh"].item()
    assert any("sw_turnover_rate_percent" in h for h in output.headlines)  # configured but absent: said so
    assert any("Spearman rho between idaci_average_score" in h for h in output.headlines)
    names = {p.name for p in output.charts}
    assert {"correlations_england_2018.png", "correlations_england_2019.png", "correlations_stable_pairs_england.png",
            "residual_correlations_england_2017.png"} <= names
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in output.charts)
    con = duckdb.connect()
    rows = write_output(con, output)
    assert rows == {name: frame.height for name, frame in tables.items()}
    undocumented = con.sql("SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'analysis' AND comment IS NULL").fetchone()[0]
    assert undocumented == 0


def test_bad_settings_name_the_key():
    with pytest.raises(ConfigError, match="correlations.min_las"):
        corr.parse_config({"min_las": 2})
    with pytest.raises(ConfigError, match="correlations.alpha"):
        corr.parse_config({"alpha": 1.5})
    with pytest.raises(ConfigError, match="correlations.years"):
        corr.parse_config({"years": [2017, 2012]})
    with pytest.raises(ConfigError, match="unknown key"):
        corr.parse_config({"min_years": 3})
    with pytest.raises(ConfigError, match="correlations.min_years_significant"):
        corr.parse_config({"min_years_significant": 0})


def test_packaged_defaults_parse_with_the_deprivation_section():
    settings = corr.parse_config(family_settings(load_analysis_config(), "correlations"))
    assert settings.min_years_significant == 3 and settings.short_series_min_years == 2 and settings.alpha == 0.05
    assert settings.short_series == {"sw_turnover_rate_percent", "sw_agency_rate_percent", "sw_vacancy_rate_percent"}


def test_a_listed_deprivation_measure_is_matched_to_the_edition_not_taken_raw(tmp_path):
    output = corr.run(make_inputs(tmp_path), {"indicators": ["cla_rate_per_10k", "idaci_average_score"], "heatmap_years": 0})
    by_year = {t.name: t.frame for t in output.tables}["analysis.correlations_by_year"].filter(pl.col("nation") == "England")
    # every year has the pair (not only the edition years 2015 and 2019), each with its matched edition
    assert by_year["year"].to_list() == list(range(2010, 2020)) and by_year["deprivation_edition"].null_count() == 0
