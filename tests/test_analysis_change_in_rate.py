"""Change in rate (methods.md section 4) against hand calculations, scipy, and planted effects."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest
from scipy import stats

from csc_pipeline.analysis.charts import draw
from csc_pipeline.analysis import change_in_rate as cir
from csc_pipeline.analysis.family_config import ConfigError
from csc_pipeline.analysis.panel_frames import count_apportioned_sets_once, select_values
from csc_pipeline.analysis.runner import write_output
from synthetic_analysis_inputs import make_inputs

DEFAULT_RULES = cir.parse_config({}).direction.rules("cla_rate_per_10k")  # sign at whole numbers, then tolerance 0.5 unrounded
SIGN, TOLERANCE = DEFAULT_RULES[0][0], DEFAULT_RULES[1][0]


def test_average_change_is_the_mean_of_consecutive_year_differences():
    # No gap: equals (r_b - r_a) / (b - a).
    assert cir.average_change([2012, 2013, 2014, 2015], [50.0, 54.0, 53.0, 62.0]) == pytest.approx((62 - 50) / 3)
    # 2014 missing: only the pairs 2012-13 and 2015-16 count: ((54-50) + (70-62)) / 2.
    assert cir.average_change([2012, 2013, 2015, 2016], [50.0, 54.0, 62.0, 70.0]) == pytest.approx(6.0)
    assert cir.average_change([2012, 2014], [50.0, 60.0]) is None


def test_direction_is_the_sign_unless_a_tolerance_is_given():
    assert [cir.direction(v) for v in (0.3, -0.01, 0.0, None)] == ["increase", "decrease", "no change", None]
    assert [cir.direction(v, 0.5) for v in (0.49, -0.49, 0.5, -2.0)] == ["no change", "no change", "increase", "decrease"]
    # the publisher's rounding: half up, not Python's half to even
    assert (cir.round_half_up(50.5, 0), cir.round_half_up(49.5, 0), cir.round_half_up(12.25, 1)) == (51.0, 50.0, 12.3)


def _two_years(rows):
    return pl.DataFrame([(code, "cla_rate_per_10k", year, value) for code, first, last in rows
                         for year, value in ((2016, first), (2017, last))],
                        schema=["la_code", "indicator", "year", "value"], orient="row")


def test_direction_on_published_precision_and_the_tolerance_variant():
    changes = cir.la_changes(_two_years([("A", 50.4, 50.6), ("B", 49.6, 50.4), ("C", 50.2, 50.4), ("D", 60.0, 58.8)]),
                             DEFAULT_RULES)
    got = {(r["la_code"], r["direction_rule"]): r["direction"] for r in changes.iter_rows(named=True)}
    # published as 50 -> 51: a rise although the unrounded rates moved by 0.2
    assert got[("A", SIGN)] == "increase" and got[("A", TOLERANCE)] == "no change"
    # 50 -> 50 when published: no change, although the unrounded rate rose by 0.8 (beyond the tolerance)
    assert got[("B", SIGN)] == "no change" and got[("B", TOLERANCE)] == "increase"
    assert got[("C", SIGN)] == "no change" and got[("D", SIGN)] == "decrease"
    b = changes.filter((pl.col("la_code") == "B") & (pl.col("direction_rule") == SIGN)).row(0, named=True)
    assert (b["rate_precision"], b["avg_change_at_precision"], b["avg_change"]) == (0, 0.0, pytest.approx(0.8))
    # a configured precision per indicator changes the answer: 50.2 -> 50.4 at one decimal is a rise
    one_decimal = cir.parse_config({"direction": {"decimals_by_indicator": {"cla_rate_per_10k": 1}}}).direction.rules("cla_rate_per_10k")
    c = cir.la_changes(_two_years([("C", 50.2, 50.4)]), one_decimal).row(0, named=True)
    assert (c["rate_precision"], c["direction"]) == (1, "increase")


def _values(rows):
    return pl.DataFrame(rows, schema=["la_code", "region", "london_subregion", "indicator", "year", "value"], orient="row")


def test_regional_summary_splits_london_and_matches_hand_values():
    rows = []
    # Two Inner London LAs rising by 2 and 4 a year, one Outer London LA flat, one North East LA falling.
    for code, sub, region, start, step in (("E09000007", "Inner London", "London", 80, 2), ("E09000019", "Inner London", "London", 60, 4),
                                           ("E09000002", "Outer London", "London", 40, 0), ("E06000001", None, "North East", 100, -3)):
        rows += [(code, region, sub, "cla_rate_per_10k", y, float(start + step * (y - 2012))) for y in range(2012, 2018)]
    values = _values(rows).select("la_code", cir.summary_region(), "indicator", "year", "value")
    changes = cir.la_changes(values, DEFAULT_RULES)
    regions = pl.DataFrame({"region": ["Inner London", "Outer London", "North East", "South West"]})
    summary = cir.region_summaries(changes, ["indicator", "direction_rule"], min_las=2, regions=regions)
    sign = summary.filter(pl.col("direction_rule") == SIGN)
    inner = sign.filter((pl.col("region") == "Inner London") & (pl.col("measure") == "avg_change")).row(0, named=True)
    assert (inner["n"], inner["min"], inner["max"], inner["mean"], inner["status"]) == (2, 2.0, 4.0, 3.0, "ok")
    assert inner["sd"] == pytest.approx(stats.tstd([2.0, 4.0]))
    assert inner["percent_increase"] == 100.0
    nation = sign.filter((pl.col("region") == "All") & (pl.col("measure") == "avg_rate")).row(0, named=True)
    assert nation["n"] == 4 and nation["mean"] == pytest.approx((85 + 70 + 40 + 92.5) / 4)
    assert set(sign["region"]) == {"Inner London", "Outer London", "North East", "South West", "All"}
    # one LA is below the minimum of two; a region without any LA value is an empty group, not a zero
    outer = sign.filter((pl.col("region") == "Outer London") & (pl.col("measure") == "avg_change")).row(0, named=True)
    assert (outer["status"], outer["n"]) == ("n below minimum", 1) and "not a finding" in outer["note"]
    empty = sign.filter(pl.col("region") == "South West")
    assert empty["status"].to_list() == ["group empty"] * 2 and empty["n"].to_list() == [0, 0] and empty["mean"].is_null().all()


def test_spearman_association_equals_scipy():
    x, y = [1.0, 3.0, 2.0, 5.0, 4.0, 7.0], [2.0, 1.0, 4.0, 3.0, 6.0, 5.0]
    rho, p, n = cir.spearman(x, y)
    expected = stats.spearmanr(x, y)
    assert (rho, p, n) == (pytest.approx(expected.statistic), pytest.approx(expected.pvalue), 6)
    assert cir.spearman([1.0, 2.0], [2.0, 1.0]) == (None, None, 2)


CONFIG = {"geography": "current", "variant_geographies": [], "exclude_la_codes": ["E09000001", "E06000053"],
          "periods": {"England": [[2012, 2017]], "Wales": [[2012, 2017]]}, "latest_years": 0,
          "indicators": ["cla_rate_per_10k"], "continuous_factors": []}


def _with_panel(inputs, panel, **changes):
    return inputs.__class__(**{**inputs.__dict__, "panel": panel, **changes})


def _planted_rise(tmp_path):
    """Synthetic inputs where one LA's CLA rate climbs by 10 a year over 2012-2017."""
    inputs = make_inputs(tmp_path)
    target = inputs.panel.filter(pl.col("nation") == "England")["la_code"].unique().sort()[3]
    panel = inputs.panel.with_columns(
        pl.when((pl.col("la_code") == target) & (pl.col("indicator") == "cla_rate_per_10k"))
        .then(pl.lit(30.0) + 10.0 * (pl.col("year") - 2012))
        .otherwise(pl.col("value")).alias("value")
    )
    return _with_panel(inputs, panel), target


def test_run_classifies_a_planted_rise_and_writes_documented_tables(tmp_path):
    inputs, target = _planted_rise(tmp_path)
    output = draw(cir.run(inputs, CONFIG), inputs)
    tables = {t.name: t.frame for t in output.tables}
    row = tables["analysis.change_in_rate"].filter((pl.col("la_code") == target) & (pl.col("direction_rule") == SIGN)).row(0, named=True)
    assert (row["avg_change"], row["avg_rate"], row["direction"], row["n_years"]) == (
        pytest.approx(10.0), pytest.approx(55.0), "increase", 6)
    assert (row["geography"], row["rate_basis"], row["rate_precision"]) == ("current", "at_the_time", 0)
    assert "E09000001" not in tables["analysis.change_in_rate"]["la_code"].to_list()
    coverage = tables["analysis.change_in_rate_coverage"].filter(pl.col("nation") == "England")
    at_time = coverage.filter(pl.col("rate_basis") == "at_the_time").row(0, named=True)
    assert "E09000001 (excluded by configuration)" in at_time["las_excluded"] and at_time["years_used"] == "2012-2017"
    assert output.charts and output.charts[0].read_bytes()[:4] == b"\x89PNG"
    assert write_output(duckdb.connect(), output)["analysis.change_in_rate"] == tables["analysis.change_in_rate"].height


def test_without_rate_variants_the_latest_population_basis_is_skipped_with_a_note(tmp_path):
    tables = {t.name: t.frame for t in cir.run(make_inputs(tmp_path), CONFIG).tables}
    skipped = tables["analysis.change_in_rate_coverage"].filter(pl.col("rate_basis") == "latest_population")
    assert skipped.height == 2 and set(skipped["status"]) == {"skipped"} and skipped["note"].str.contains("la_rate_variants").all()
    assert set(tables["analysis.change_in_rate"]["rate_basis"]) == {"at_the_time"}
    assert tables["analysis.change_in_rate_basis_difference"].is_empty()


def test_latest_population_rates_from_the_variants_table_and_their_difference(tmp_path):
    inputs = make_inputs(tmp_path)
    rates = inputs.panel.filter(pl.col("indicator") == "cla_rate_per_10k")
    # shaped like mart.la_rate_variants; the latest vintage's populations are 10% larger, so every rate is 10% lower
    variants = pl.concat([
        rates.select("geography", "la_code", "authority_id", "year", "indicator", pl.lit(basis).alias("rate_basis"),
                     (pl.col("value") * factor).alias("value"), pl.col("year").alias("population_year"),
                     pl.lit("synthetic").alias("population_vintage"), pl.lit("synthetic").alias("method"))
        for basis, factor in (("at_the_time", 1.0), ("latest_population", 0.9))
    ])
    tables = {t.name: t.frame for t in cir.run(_with_panel(inputs, inputs.panel, rate_variants=variants), CONFIG).tables}
    changes = tables["analysis.change_in_rate"].filter(pl.col("direction_rule") == SIGN)
    assert set(changes["rate_basis"]) == {"at_the_time", "latest_population"}
    difference = tables["analysis.change_in_rate_basis_difference"]
    assert difference.height == changes.filter(pl.col("rate_basis") == "at_the_time").height
    assert (difference["avg_rate_difference"] + 0.1 * difference["avg_rate_at_the_time"]).abs().max() < 1e-9
    assert (difference["avg_change_difference"] + 0.1 * difference["avg_change_at_the_time"]).abs().max() < 1e-9


def _with_apportioned_pair(tmp_path, own_years_from: int | None = None):
    """Two North West LAs become the successors of one predecessor whose CLA rate each carries as its back-cast
    (identical rates, harmonisation 'apportioned'), the predecessor published as_published; with ``own_years_from``
    the successors have values of their own (distinct) from that year."""
    inputs = make_inputs(tmp_path)
    north_west = inputs.panel.filter(pl.col("region") == "North West")["la_code"].unique().sort().to_list()
    first, second = north_west[:2]
    rate = pl.lit(40.0) + 3.0 * (pl.col("year") - 2012)
    own = pl.lit(False) if own_years_from is None else pl.col("year") >= own_years_from
    successor = pl.col("la_code").is_in([first, second]) & (pl.col("indicator") == "cla_rate_per_10k")
    panel = inputs.panel.with_columns(
        pl.when(successor & ~own).then(rate).when(successor & own & (pl.col("la_code") == second)).then(rate + 20.0)
        .when(successor).then(rate).otherwise(pl.col("value")).alias("value"),
        pl.when(successor & ~own).then(pl.lit("apportioned")).otherwise(pl.col("harmonisation")).alias("harmonisation"),
    )
    predecessor = (panel.filter((pl.col("la_code") == first) & (pl.col("indicator") == "cla_rate_per_10k"))
                   .with_columns(pl.lit("as_published").alias("geography"), pl.lit("E10000099").alias("la_code"),
                                 pl.lit("Old County").alias("la_name"), pl.lit("old_county").alias("authority_id"),
                                 pl.lit("shire_county").alias("la_type"), pl.lit("direct").alias("harmonisation"), rate.alias("value")))
    event = date(2030 if own_years_from is None else own_years_from - 1, 4, 1)
    weights = pl.DataFrame({"predecessor": ["old_county", "old_county"], "successor": [first.lower(), second.lower()],
                            "event_date": [event, event], "weight": [0.5, 0.5]})
    return _with_panel(inputs, pl.concat([panel, predecessor]), apportionment_weights=weights), first, second


def test_an_apportioned_pair_counts_once_in_the_regional_summary(tmp_path):
    inputs, first, second = _with_apportioned_pair(tmp_path)
    tables = {t.name: t.frame for t in cir.run(inputs, CONFIG).tables}
    changes = tables["analysis.change_in_rate"].filter((pl.col("nation") == "England") & (pl.col("direction_rule") == SIGN))
    codes = changes["la_code"].to_list()
    assert "E10000099" in codes and first not in codes and second not in codes
    north_west = changes.filter(pl.col("region") == "North West")
    summary = tables["analysis.change_in_rate_by_region"].filter(
        (pl.col("region") == "North West") & (pl.col("measure") == "avg_change") & (pl.col("direction_rule") == SIGN)
        & (pl.col("nation") == "England")).row(0, named=True)
    others = inputs.panel.filter((pl.col("region") == "North West") & (pl.col("geography") == "current"))["la_code"].n_unique() - 2
    assert summary["n"] == north_west.height == others + 1
    assert summary["mean"] == pytest.approx(north_west["avg_change"].mean())
    assert north_west.filter(pl.col("la_code") == "E10000099")["avg_change"].item() == pytest.approx(3.0)
    coverage = tables["analysis.change_in_rate_coverage"].filter(
        (pl.col("nation") == "England") & (pl.col("rate_basis") == "at_the_time")).row(0, named=True)
    assert f"{first} (counted once as E10000099 Old County" in coverage["las_excluded"]


def test_successors_with_values_of_their_own_in_the_period_stay_separate(tmp_path):
    inputs, first, second = _with_apportioned_pair(tmp_path, own_years_from=2016)
    values = select_values(inputs.panel, "current", (), ["cla_rate_per_10k"], (2012, 2017), "England")
    # a change over the period: their series differ from 2016, so both stay (authorities of the period's end)
    over_period, reasons = count_apportioned_sets_once(values, inputs.panel, inputs.apportionment_weights, unit=("indicator",))
    assert {first, second} <= set(over_period["la_code"]) and not reasons
    # a cross-section of one year before the split: one observation, the predecessor's as-published value
    by_year, reasons = count_apportioned_sets_once(values, inputs.panel, inputs.apportionment_weights)
    year_2013 = by_year.filter(pl.col("year") == 2013)
    assert first not in year_2013["la_code"].to_list() and year_2013.filter(pl.col("la_code") == "E10000099")["value"].item() == 43.0
    assert set(by_year.filter(pl.col("year") == 2017)["la_code"]) >= {first, second} and set(reasons) == {first, second}


def test_grade_association_counts_an_authority_whose_code_changed(tmp_path):
    inputs = make_inputs(tmp_path)
    recoded = inputs.ofsted_in_force.filter((pl.col("year") == 2017) & pl.col("overall_grade_ordinal").is_not_null())["la_code"][0]
    # the judgement in force carries the code of its time (like Barnsley E08000016), the panel today's code
    in_force = inputs.ofsted_in_force.with_columns(
        pl.when(pl.col("la_code") == recoded).then(pl.lit("E08999999")).otherwise(pl.col("la_code")).alias("la_code"))
    tables = {t.name: t.frame for t in cir.run(_with_panel(inputs, inputs.panel, ofsted_in_force=in_force), CONFIG).tables}
    graded = in_force.filter((pl.col("year") == 2017) & pl.col("overall_grade_ordinal").is_not_null()
                             & ~pl.col("la_code").is_in(CONFIG["exclude_la_codes"]))
    grade_rows = tables["analysis.change_in_rate_associations"].filter(
        (pl.col("factor") == "ofsted_overall_grade") & (pl.col("variant") == "all LAs") & (pl.col("test") == "spearman"))
    assert grade_rows.height == 2 and (grade_rows["n"] == graded.height).all()
    assert grade_rows["grade_coding"].str.starts_with("1=Outstanding").all()


def test_a_factor_uses_its_own_period_when_shorter_than_the_study(tmp_path):
    inputs = make_inputs(tmp_path)
    # a factor published 2012-2015 only, rising by 1 a year in every LA
    factor = (inputs.panel.filter((pl.col("indicator") == "cla_rate_per_10k") & pl.col("year").is_between(2012, 2015))
              .with_columns(pl.lit("low_income_percent").alias("indicator"), (pl.col("year") - 2000.0).alias("value")))
    inputs = _with_panel(inputs, pl.concat([inputs.panel, factor]))
    tables = {t.name: t.frame for t in cir.run(inputs, {**CONFIG, "continuous_factors": ["low_income_percent"]}).tables}
    england = tables["analysis.change_in_rate_factors"].filter(pl.col("nation") == "England")
    assert set(england["factor_period_start"]) == {2012} and set(england["factor_period_end"]) == {2015}
    assert set(england["years_used"]) == {"2012-2015"} and (england["avg_value"] == 13.5).all() and (england["avg_change"] == 1.0).all()
    association = tables["analysis.change_in_rate_associations"].filter(pl.col("factor").str.starts_with("low_income_percent"))
    assert association.height and set(association["factor_period_end"]) == {2015}
    # every LA's factor rose by exactly 1: no correlation with it is defined, and the row says so
    constant = association.filter(pl.col("factor").str.ends_with("(avg_change)"))
    assert set(constant["status"]) == {"constant input"} and constant["statistic"].is_null().all()
    regional = tables["analysis.change_in_rate_factors_by_region"].filter(
        (pl.col("region") == "All") & (pl.col("measure") == "avg_value") & (pl.col("nation") == "England")).row(0, named=True)
    assert (regional["n"], regional["mean"]) == (england.height, 13.5)
    # a configured period narrows it further
    tables = {t.name: t.frame for t in cir.run(inputs, {**CONFIG, "continuous_factors": ["low_income_percent"],
                                                        "factor_periods": {"low_income_percent": [2013, 2014]}}).tables}
    assert set(tables["analysis.change_in_rate_factors"]["years_used"]) == {"2013-2014"}


def test_bad_settings_name_the_key():
    with pytest.raises(ConfigError, match="change_in_rate.direction.tolerances"):
        cir.parse_config({"direction": {"tolerances": [-1.0]}})
    with pytest.raises(ConfigError, match="periods"):
        cir.parse_config({"periods": {"England": [[2017, 2012]]}})
    with pytest.raises(ConfigError, match="unknown key"):
        cir.parse_config({"tolerance": 0.5})
    with pytest.raises(ConfigError, match="variant_geographies"):
        cir.parse_config({"variant_geographies": ["today"]})
