"""Change in rate (methods.md section 4) against hand calculations, scipy, and a planted rise."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from scipy import stats

from csc_pipeline.analysis import change_in_rate as cir
from csc_pipeline.analysis.family_config import ConfigError
from csc_pipeline.analysis.runner import write_output
from synthetic_analysis_inputs import make_inputs


def test_average_change_is_the_mean_of_consecutive_year_differences():
    # No gap: equals (r_b - r_a) / (b - a).
    assert cir.average_change([2012, 2013, 2014, 2015], [50.0, 54.0, 53.0, 62.0]) == pytest.approx((62 - 50) / 3)
    # 2014 missing: only the pairs 2012-13 and 2015-16 count: ((54-50) + (70-62)) / 2.
    assert cir.average_change([2012, 2013, 2015, 2016], [50.0, 54.0, 62.0, 70.0]) == pytest.approx(6.0)
    assert cir.average_change([2012, 2014], [50.0, 60.0]) is None


def test_direction_uses_the_tolerance():
    assert [cir.direction(v, 0.5) for v in (0.49, -0.49, 0.5, -2.0, None)] == [
        "no change", "no change", "increase", "decrease", None]


def _values(rows):
    return pl.DataFrame(rows, schema=["la_code", "region", "london_subregion", "indicator", "year", "value"], orient="row")


def test_regional_summary_splits_london_and_matches_hand_values():
    rows = []
    # Two Inner London LAs rising by 2 and 4 a year, one Outer London LA flat, one North East LA falling.
    for code, sub, region, start, step in (("E09000007", "Inner London", "London", 80, 2), ("E09000019", "Inner London", "London", 60, 4),
                                           ("E09000002", "Outer London", "London", 40, 0), ("E06000001", None, "North East", 100, -3)):
        rows += [(code, region, sub, "cla_rate_per_10k", y, float(start + step * (y - 2012))) for y in range(2012, 2018)]
    values = _values(rows).select("la_code", cir.summary_region(), "indicator", "year", "value")
    changes = cir.la_changes(values, 0.5)
    summary = cir.region_summaries(changes, ["indicator"])
    inner = summary.filter((pl.col("region") == "Inner London") & (pl.col("measure") == "avg_change")).row(0, named=True)
    assert (inner["n"], inner["min"], inner["max"], inner["mean"]) == (2, 2.0, 4.0, 3.0)
    assert inner["sd"] == pytest.approx(stats.tstd([2.0, 4.0]))
    assert inner["percent_increase"] == 100.0
    nation = summary.filter((pl.col("region") == "All") & (pl.col("measure") == "avg_rate")).row(0, named=True)
    assert nation["n"] == 4 and nation["mean"] == pytest.approx((85 + 70 + 40 + 92.5) / 4)
    assert set(summary["region"]) == {"Inner London", "Outer London", "North East", "All"}


def test_spearman_association_equals_scipy():
    x, y = [1.0, 3.0, 2.0, 5.0, 4.0, 7.0], [2.0, 1.0, 4.0, 3.0, 6.0, 5.0]
    rho, p, n = cir.spearman(x, y)
    expected = stats.spearmanr(x, y)
    assert (rho, p, n) == (pytest.approx(expected.statistic), pytest.approx(expected.pvalue), 6)
    assert cir.spearman([1.0, 2.0], [2.0, 1.0]) == (None, None, 2)


def _planted_rise(tmp_path):
    """Synthetic inputs where one LA's CLA rate climbs by 10 a year over 2012-2017."""
    inputs = make_inputs(tmp_path)
    target = inputs.panel.filter(pl.col("nation") == "England")["la_code"].unique().sort()[3]
    panel = inputs.panel.with_columns(
        pl.when((pl.col("la_code") == target) & (pl.col("indicator") == "cla_rate_per_10k"))
        .then(pl.lit(30.0) + 10.0 * (pl.col("year") - 2012))
        .otherwise(pl.col("value")).alias("value")
    )
    return inputs.__class__(**{**inputs.__dict__, "panel": panel}), target


def test_run_classifies_a_planted_rise_and_writes_documented_tables(tmp_path):
    inputs, target = _planted_rise(tmp_path)
    config = {"geography": "current", "exclude_la_codes": ["E09000001", "E06000053"],
              "periods": {"England": [[2012, 2017]], "Wales": [[2012, 2017]]}, "latest_years": 0,
              "indicators": ["cla_rate_per_10k"], "continuous_factors": []}
    output = cir.run(inputs, config)
    tables = {t.name: t.frame for t in output.tables}
    row = tables["analysis.change_in_rate"].filter(pl.col("la_code") == target).row(0, named=True)
    assert (row["avg_change"], row["avg_rate"], row["direction"], row["n_years"]) == (
        pytest.approx(10.0), pytest.approx(55.0), "increase", 6)
    assert "E09000001" not in tables["analysis.change_in_rate"]["la_code"].to_list()
    coverage = tables["analysis.change_in_rate_coverage"].filter(pl.col("nation") == "England").row(0, named=True)
    assert "E09000001 (excluded by configuration)" in coverage["las_excluded"] and coverage["years_used"] == "2012-2017"
    assert output.charts and output.charts[0].read_bytes()[:4] == b"\x89PNG"
    assert write_output(duckdb.connect(), output)["analysis.change_in_rate"] == tables["analysis.change_in_rate"].height


def test_bad_settings_name_the_key():
    with pytest.raises(ConfigError, match="change_in_rate.tolerance"):
        cir.parse_config({"tolerance": -1.0})
    with pytest.raises(ConfigError, match="periods"):
        cir.parse_config({"periods": {"England": [[2017, 2012]]}})
    with pytest.raises(ConfigError, match="unknown key"):
        cir.parse_config({"tolerence": 1.0})
