"""Mirror mode on the real published files (../shared/data/real): the vertical slice is correct."""

from __future__ import annotations

import dataclasses
import importlib

import duckdb
import polars as pl
import pytest

from csc_pipeline.geography import default_resolver
from csc_pipeline.settings import Settings
from pipeline_runs import failed_checks, run_refresh

CLA_RELEASES = range(2021, 2026)


@pytest.fixture(scope="module")
def mirror_warehouse(real_dir, tmp_path_factory):
    settings = Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("lake"))
    result = run_refresh(settings)
    assert result.success and not failed_checks(result), failed_checks(result)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    yield con
    con.close()


def published_rates(real_dir) -> pl.DataFrame:
    """LA rates for children looked after at 31 March as each real release printed them."""
    frames = []
    for release in CLA_RELEASES:
        frame = pl.read_csv(
            real_dir / f"dfe/cla/ees_release_{release}/cla_number_and_rate_per_10k_children.csv",
            infer_schema=False,
        ).rename({"population_type": "population_count"}, strict=False)
        frames.append(
            frame.filter(
                (pl.col("geographic_level") == "Local authority")
                & pl.col("population_count").str.contains("looked after (at|on) 31 March")
            ).select(
                pl.lit(release).alias("release"),
                pl.col("new_la_code").alias("la_code"),
                pl.col("time_period").cast(pl.Int32).alias("year"),
                pl.col("rate_per_10000").cast(pl.Float64, strict=False).alias("rate"),
            )
        )
    return pl.concat(frames)


def test_panel_holds_the_latest_published_rate_for_every_english_la_and_year(mirror_warehouse, real_dir):
    # Releases re-code authorities (North Yorkshire E10000023 -> E06000065 from the 2024 release):
    # the latest release wins per authority, under the code that release used.
    resolver = default_resolver()
    printed = published_rates(real_dir).with_columns(
        pl.col("la_code").map_elements(resolver.resolve_code, return_dtype=pl.String).alias("authority_id")
    )
    numeric = printed.filter(pl.col("rate").is_not_null() & pl.col("year").is_between(2018, 2025))
    latest = numeric.filter(pl.col("release") == pl.col("release").max().over("authority_id", "year"))
    panel = mirror_warehouse.sql(
        "SELECT authority_id, la_code AS panel_code, year, value AS panel_rate FROM mart.la_indicator_panel "
        "WHERE geography = 'as_published' AND indicator = 'cla_rate_per_10k' AND nation = 'England' "
        "AND source_entry LIKE 'dfe_cla_number_and_rate_%'"
    ).pl()
    joined = latest.join(panel, on=["authority_id", "year"], how="left")
    missing = joined.filter(pl.col("panel_rate").is_null())
    assert missing.is_empty(), f"published rates absent from the panel:\n{missing}"
    different = joined.filter((pl.col("panel_rate") != pl.col("rate")) | (pl.col("panel_code") != pl.col("la_code")))
    assert different.is_empty(), f"panel differs from the latest release:\n{different}"
    assert sorted(panel["year"].unique().to_list()) == list(range(2018, 2026))


def test_every_english_authority_in_force_has_a_rate_row_each_year(mirror_warehouse):
    gaps = mirror_warehouse.sql(
        """
        WITH in_force AS (
            SELECT DISTINCT r.authority_id, y.year
            FROM mart.la_reference AS r, range(2018, 2026) AS y(year)
            WHERE r.nation = 'England'
              AND coalesce(r.valid_from, DATE '1900-01-01') <= make_date(y.year::INT, 3, 31)
              AND coalesce(r.valid_to, DATE '2999-12-31') >= make_date(y.year::INT, 3, 31)
        )
        SELECT f.* FROM in_force AS f
        ANTI JOIN mart.la_indicator_panel AS p
          ON p.authority_id = f.authority_id AND p.year = f.year AND p.indicator = 'cla_rate_per_10k'
        """
    ).pl()
    # City of London and Isles of Scilly: DfE suppresses or omits them in some years.
    assert set(gaps["authority_id"].to_list()) <= {"city_of_london", "isles_of_scilly"}, gaps


def test_no_la_year_indicator_twice_and_provenance_lists_every_file(mirror_warehouse, real_dir):
    dupes = mirror_warehouse.sql(
        "SELECT geography, coalesce(authority_id, la_code), year, indicator, count(*) FROM mart.la_indicator_panel "
        "GROUP BY ALL HAVING count(*) > 1"
    ).fetchall()
    assert dupes == []
    provenance = mirror_warehouse.sql("SELECT entry_id, source, sha256, bytes FROM meta.provenance").pl()
    cla = provenance.filter(pl.col("entry_id").str.starts_with("dfe_cla_number_and_rate_"))
    assert cla.height == len(CLA_RELEASES)
    manifest = pl.read_csv(real_dir / "MANIFEST.csv")
    joined = cla.with_columns(
        pl.col("source").str.replace(f"{real_dir}/", "", literal=True).alias("path")
    ).join(manifest, on="path", suffix="_manifest")
    assert (joined["sha256"] == joined["sha256_manifest"]).all() and joined.height == cla.height
    assert mirror_warehouse.sql("SELECT value FROM meta.about WHERE key = 'synthetic'").fetchall() == [("false",)]


def test_national_rate_from_summed_la_counts_matches_the_published_national_rate(mirror_warehouse):
    trend = mirror_warehouse.sql(
        "SELECT year, cla_rate_per_10k, published_rate_per_10k FROM analysis.cla_trend_national_regional "
        "WHERE area = 'England' ORDER BY year"
    ).pl()
    # LA counts and populations: 2010 (SFR27/2010, mid-2009 population), 2011-2012 (Nomis mid-2010
    # and mid-2011) and 2013-2025 (the ONS file starts at mid-2012); a published national rate from 2018 (EES).
    assert trend["year"].to_list() == list(range(2010, 2026))
    published = trend.filter(pl.col("published_rate_per_10k").is_not_null())
    assert published["year"].to_list() == list(range(2018, 2026))
    # Published national rates are rounded to integers; LA counts sum to the national count.
    assert ((published["cla_rate_per_10k"] - published["published_rate_per_10k"]).abs() < 1.0).all(), trend


def _series(con, geography: str, indicator: str) -> dict[tuple[str, int], float]:
    rows = con.execute(
        "SELECT authority_id, year, value FROM mart.la_indicator_panel WHERE geography = ? AND indicator = ?",
        [geography, indicator],
    ).fetchall()
    return {(a, y): v for a, y, v in rows}


def test_bcp_on_current_boundaries_is_bournemouth_poole_and_christchurchs_share_of_dorset(mirror_warehouse):
    published = _series(mirror_warehouse, "as_published", "cla_count")
    current = _series(mirror_warehouse, "current", "cla_count")
    (weight,) = mirror_warehouse.sql(
        "SELECT weight FROM mart.apportionment_weights "
        "WHERE predecessor = 'dorset_county' AND successor = 'bournemouth_christchurch_and_poole'"
    ).fetchall()[0]
    # Christchurch had roughly a tenth of Dorset county's children (the estimate subtracts
    # Bournemouth and Poole in 2019 from BCP in 2020, so a year's growth lowers it slightly).
    assert 0.05 < weight < 0.15
    expected = published[("bournemouth", 2018)] + published[("poole", 2018)] + weight * published[("dorset_county", 2018)]
    assert current[("bournemouth_christchurch_and_poole", 2018)] == pytest.approx(expected)
    assert current[("dorset", 2018)] == pytest.approx((1 - weight) * published[("dorset_county", 2018)])


@pytest.mark.parametrize(
    ("predecessor", "successors", "last_year"),
    [
        ("northamptonshire", ("north_northamptonshire", "west_northamptonshire"), 2021),
        ("cumbria", ("cumberland", "westmorland_and_furness"), 2023),
    ],
)
def test_split_successors_back_cast_to_the_predecessors_published_counts(mirror_warehouse, predecessor, successors, last_year):
    for indicator in ("cla_count", "cla_starts_count", "population_0_17"):
        published = _series(mirror_warehouse, "as_published", indicator)
        current = _series(mirror_warehouse, "current", indicator)
        years = [y for (a, y) in published if a == predecessor and y <= last_year and published[(a, y)] is not None]
        assert years, (predecessor, indicator)
        for year in years:
            assert sum(current[(s, year)] for s in successors) == pytest.approx(published[(predecessor, year)])


def test_national_count_totals_are_the_same_on_both_geographies(mirror_warehouse):
    rows = mirror_warehouse.sql(
        """
        WITH changed AS (  -- authorities on either side of a boundary change between authorities
            SELECT predecessor AS authority_id FROM mart.apportionment_weights
            UNION SELECT successor FROM mart.apportionment_weights
        )
        SELECT p.indicator, p.nation, p.year,
               sum(p.value) FILTER (WHERE geography = 'as_published') AS published,
               sum(p.value) FILTER (WHERE geography = 'current') AS current,
               count(*) FILTER (WHERE p.value IS NULL AND p.authority_id IN (SELECT authority_id FROM changed)) AS gaps_in_changed_areas
        FROM mart.la_indicator_panel AS p JOIN mart.indicator_dictionary USING (indicator)
        -- Combined reporting units (no authority_id) are published on the as_published geography only.
        WHERE kind = 'count' AND nation = 'England' AND p.authority_id IS NOT NULL
        GROUP BY ALL
        """
    ).pl()
    # A gap in an area that changed boundaries leaves its successors' shares unknown: compare the rest.
    comparable = rows.filter(pl.col("gaps_in_changed_areas") == 0)
    cla_years = comparable.filter(pl.col("indicator") == "cla_count")["year"].to_list()
    assert set(range(2018, 2026)) <= set(cla_years)
    differs = comparable.filter((pl.col("published") - pl.col("current")).abs() > 1e-6)
    assert differs.is_empty(), differs


def test_rates_recomputed_from_counts_and_populations_agree_with_the_published_rates(mirror_warehouse):
    check = mirror_warehouse.sql("SELECT * FROM analysis.cla_rate_crosscheck").pl()
    compared = check.filter(pl.col("outcome").is_in(["agrees", "disagrees"]))
    # 2019-2025: EES rates and the ONS populations of the 2025 CIN release agree within rounding.
    recent = compared.filter(pl.col("year") >= 2019)
    assert recent.height > 1000 and recent["within_rounding"].all(), recent.filter(~pl.col("within_rounding"))
    # Disagreements are listed, not dropped: 2018 rates come from the 2022 release, before the
    # Census 2021 re-basing of the populations the panel uses; the 2010 file rounds populations to 100.
    disagree = compared.filter(~pl.col("within_rounding"))
    assert set(disagree["year"]) == {2010, 2018}
    assert (disagree.filter(pl.col("year") == 2018)["rate_release"] == "2022").all()
    assert disagree.filter(pl.col("year") == 2010).height <= 10
    assert (disagree.filter(pl.col("year") == 2010)["difference"].abs() < 10).all()
    # Coverage: no population before mid-2009; abolished Dorset authorities have none after re-basing.
    missing = check.filter(pl.col("outcome") == "no_population")
    assert set(missing.filter(pl.col("year") <= 2009)["year"]) == {2006, 2007, 2008, 2009}
    # (the CLA releases' own denominators fill most later gaps, e.g. pre-2019 Dorset authorities)
    assert set(missing.filter(pl.col("year") > 2009)["la_code"]) <= {"E06000028", "E06000029", "E10000009"}


def test_the_cla_series_runs_from_2006(mirror_warehouse):
    years = mirror_warehouse.sql(
        "SELECT indicator, min(year), max(year), count(DISTINCT year) FROM mart.la_indicator_panel "
        "WHERE nation = 'England' AND value IS NOT NULL GROUP BY indicator ORDER BY indicator"
    ).fetchall()
    span = {indicator: (first, last, n) for indicator, first, last, n in years}
    for indicator in ("cla_count", "cla_starts_count", "cla_ceased_count"):
        assert span[indicator] == (2006, 2025, 20), indicator
    # Rates: published 2006-2010 and 2018-2025, computed 2011-2017 (2011-2012 from Nomis populations).
    assert span["cla_rate_per_10k"] == (2006, 2025, 20)
    assert span["cla_starts_rate_per_10k"][:2] == (2010, 2025)


def test_lait_agrees_with_the_ees_figures_in_the_panel(mirror_warehouse):
    check = mirror_warehouse.sql("SELECT * FROM analysis.lait_crosscheck").pl()
    compared = check.filter(pl.col("agrees").is_not_null())
    assert set(compared["indicator"]) == {
        "cla_count", "cla_rate_per_10k", "cla_starts_count", "cla_starts_rate_per_10k", "cla_ceased_count",
        "cla_ceased_rate_per_10k",
    }
    # 2018-2025: the panel holds EES releases, which LAIT repeats.
    recent = compared.filter(pl.col("year") >= 2018)
    disagree = recent.filter(~pl.col("agrees"))
    assert recent.height >= 6 * 148 * 8  # six measures, about 150 LAs, 2018-2025
    shown = disagree.select("indicator", "la_name", "year", "lait_value", "panel_value", "panel_release")
    assert disagree.height <= recent.height // 100, f"LAIT and the panel disagree beyond rounding:\n{shown}"
    # 2016-2017 (counts only: the panel computes those years' rates): the panel holds the SFR first
    # releases, LAIT the figures later releases revised, mostly by a child or two.
    older = compared.filter(pl.col("year") < 2018)
    assert set(older["indicator"]) == {"cla_count", "cla_starts_count", "cla_ceased_count"}
    assert older.filter(~pl.col("agrees"))["difference"].abs().median() <= 2


def test_lait_and_low_income_reach_the_warehouse(mirror_warehouse):
    panel = mirror_warehouse.sql(
        "SELECT indicator, min(year) AS first, max(year) AS last, count(DISTINCT authority_id) AS las "
        "FROM mart.la_indicator_panel WHERE geography = 'as_published' GROUP BY ALL"
    ).pl()
    row = {r["indicator"]: r for r in panel.iter_rows(named=True)}
    lait_panel = [i for i in row if i.startswith("lait_")]
    assert len(lait_panel) >= 25
    assert (row["lait_childpov"]["first"], row["lait_childpov"]["last"]) == (2022, 2025)
    assert (row["children_relative_low_income_count"]["first"], row["children_relative_low_income_count"]["last"]) == (2015, 2024)
    assert row["children_relative_low_income_count"]["las"] == 153 + 22  # the 2025 release's geography
    assert (row["children_low_income_hmrc_percent"]["first"], row["children_low_income_hmrc_percent"]["last"]) == (2007, 2017)
    long = mirror_warehouse.sql(
        "SELECT count(DISTINCT indicator), count(*) FILTER (WHERE in_panel), bool_and(authority_id IS NOT NULL) "
        "FILTER (WHERE geographic_level = 'local_authority') FROM mart.lait_long"
    ).fetchone()
    assert long[0] == 435 and long[1] > 0 and long[2]
    assert mirror_warehouse.sql("SELECT count(*), count(DISTINCT indicator) FROM mart.lait_dictionary").fetchone() == (448, 434)
def test_workforce_units_are_panel_geographies_and_the_latest_release_wins(mirror_warehouse):
    rows = mirror_warehouse.sql(
        """
        SELECT la_name, la_type, region, authority_id, value, release
        FROM mart.la_indicator_panel
        WHERE la_code = 'E09000021 / E09000027' AND year = 2018 AND indicator = 'sw_turnover_rate_percent'
          AND geography = 'as_published'
        """
    ).fetchall()
    # The 2022 release printed 31.5 (under Kingston's code); the 2025 release revised it to 27.5.
    assert rows == [("Kingston upon Thames / Richmond upon Thames", "combined_unit", "London", None, 27.5, "2025")]
    members = mirror_warehouse.sql(
        "SELECT count(*) FROM mart.la_indicator_panel WHERE la_code IN ('E09000021', 'E09000027') "
        "AND indicator = 'sw_fte_count' AND year = 2018 AND value IS NOT NULL AND geography = 'as_published'"
    ).fetchone()[0]
    assert members == 0  # no member values are invented


def test_spend_per_child_is_spend_over_the_population_of_the_same_year(mirror_warehouse):
    rows = mirror_warehouse.sql(
        """
        SELECT s.la_code, s.year, s.value, c.value, p.value, c.method
        FROM mart.la_indicator_panel AS s
        JOIN mart.la_indicator_panel AS c USING (geography, la_code, year)
        JOIN mart.la_indicator_panel AS p USING (geography, la_code, year)
        WHERE s.geography = 'as_published' AND s.indicator = 'ro_csc_net_expenditure_gbp' AND c.indicator = 'ro_csc_net_expenditure_per_child_gbp'
          AND p.indicator = 'population_0_17' AND s.value IS NOT NULL AND p.value IS NOT NULL
        """
    ).fetchall()
    assert len(rows) > 1500
    assert all(method == "computed_from_count_and_population" and abs(per - spend / pop) < 1e-6
               for _, _, spend, per, pop, method in rows)


def test_deprivation_indices_reach_the_panel_on_both_geographies(mirror_warehouse):
    def rows(geography: str, code: str, indicator: str) -> list[tuple]:
        return mirror_warehouse.execute(
            "SELECT year, value, harmonisation FROM mart.la_indicator_panel "
            "WHERE geography = ? AND la_code = ? AND indicator = ? ORDER BY year", [geography, code, indicator]).fetchall()

    # Hartlepool: unchanged, both editions as published (File 11 values).
    assert rows("current", "E06000001", "imd_average_score") == [(2015, 33.178, "direct"), (2019, 35.037, "direct")]
    # BCP and the Dorset unitary: IoD2019 as published; IoD2015's county figure cannot be split.
    assert rows("current", "E06000058", "imd_average_score")[0][::2] == (2015, "not_harmonisable")
    assert rows("current", "E06000058", "imd_average_score")[1][::2] == (2019, "direct")
    assert rows("current", "E06000059", "idaci_rank_of_average_score")[0][2] == "not_harmonisable"
    # Northamptonshire's successors (2021): both editions not harmonisable; Cumbria's (2023) too.
    for successor in ("E06000061", "E06000062", "E06000063", "E06000064"):
        assert {h for _, _, h in rows("current", successor, "imd_average_score")} == {"not_harmonisable"}, successor
        assert all(v is None for _, v, _ in rows("current", successor, "imd_average_score")), successor
    # As published: each edition's authorities, Northamptonshire county included.
    assert [y for y, _, _ in rows("as_published", "E10000021", "imd_rank_of_average_score")] == [2015, 2019]
    wimd = mirror_warehouse.execute(
        "SELECT count(DISTINCT la_code), min(year), max(year) FROM mart.la_indicator_panel "
        "WHERE indicator = 'wimd_most_deprived_10pct_percent' AND geography = 'current'").fetchone()
    assert wimd == (22, 2019, 2019)


def test_welsh_rates_cover_2003_to_2018_with_the_population_year_flagged(mirror_warehouse):
    rates = mirror_warehouse.sql(
        "SELECT year, method, count(*) AS las FROM mart.la_indicator_panel WHERE geography = 'as_published' "
        "AND nation = 'Wales' AND indicator = 'cla_rate_per_10k' AND value IS NOT NULL GROUP BY ALL ORDER BY year").pl()
    assert rates["year"].to_list() == list(range(2003, 2019)) and (rates["las"] == 22).all()
    # Only 2015 has its own population (mid-2014); the other years borrow the nearest one.
    assert dict(zip(rates["year"], rates["method"])) == {
        y: "computed_from_count_and_population" if y == 2015 else "computed_with_nearest_year_population" for y in range(2003, 2019)}
    cardiff = mirror_warehouse.execute(
        "SELECT c.value / p.value * 10000, r.value FROM mart.la_indicator_panel AS r "
        "JOIN mart.la_indicator_panel AS c USING (geography, la_code, year) "
        "JOIN mart.la_indicator_panel AS p ON p.geography = r.geography AND p.la_code = r.la_code AND p.year = 2015 "
        "WHERE r.geography = 'as_published' AND r.la_code = 'W06000015' AND r.year = 2010 "
        "AND r.indicator = 'cla_rate_per_10k' AND c.indicator = 'cla_count' AND p.indicator = 'population_0_17'").fetchone()
    assert cardiff[0] == pytest.approx(cardiff[1])


def test_the_analyses_give_the_same_tables_when_rerun_on_real_data(mirror_warehouse, tmp_path):
    from csc_pipeline.analysis import runner
    from csc_pipeline.analysis.config import load_analysis_config
    from csc_pipeline.defs.analysis import FAMILIES

    config = load_analysis_config()
    inputs = runner.load_inputs(mirror_warehouse, tmp_path / "charts")
    for family in FAMILIES:
        module = importlib.import_module(f"csc_pipeline.analysis.{family}")
        output = module.run(inputs, runner.family_settings(config, family))
        assert output.tables, family
        for table in output.tables:
            published = mirror_warehouse.sql(f"SELECT * FROM {table.name}").pl()
            rerun = duckdb.connect()
            runner.write_output(rerun, dataclasses.replace(output, tables=[table]))
            again = rerun.sql(f"SELECT * FROM {table.name}").pl()
            assert published.columns == again.columns, table.name
            order = [c for c in published.columns if published[c].dtype != pl.List(pl.String)]
            assert published.sort(order, nulls_last=True).equals(again.sort(order, nulls_last=True)), table.name


def test_the_national_cla_trend_matches_the_published_national_rate(mirror_warehouse):
    # The publisher prints whole numbers; summed LA counts over summed populations agree to rounding.
    rows = mirror_warehouse.sql(
        """
        SELECT t.year, t.value, p.value AS published
        FROM analysis.trend_national_regional t
        JOIN intermediate.int_indicator_values_latest p
          ON p.indicator = t.indicator AND p.year = t.year AND p.geographic_level = 'national' AND p.area_name = 'England'
        WHERE t.indicator = 'cla_rate_per_10k' AND t.area = 'England' AND t.geography = 'current'
        """
    ).fetchall()
    assert len(rows) >= 8
    assert all(abs(value - published) <= 0.6 for _, value, published in rows), rows


def test_the_ofsted_prediction_uses_the_2012_2013_judgements_and_labels_its_status(mirror_warehouse):
    from test_analysis_ofsted_linkage import assert_status_consistent

    summary = mirror_warehouse.sql("SELECT * FROM analysis.ofsted_prediction_summary").pl().row(0, named=True)
    # SLAC and child-protection judgements rate the LAs in 2012-2013: no fallback year
    assert (summary["requested_year"], summary["prediction_year"], summary["outcome_years"]) == (2012, 2012, "2012-2013")
    assert summary["status"] != "fallback_year" and "fallback" not in summary["note"]
    assert summary["n_rated_inadequate"] >= 15 and summary["n_las"] >= 100
    in_force = mirror_warehouse.sql(
        "SELECT count(DISTINCT authority_id) FROM mart.ofsted_judgement_in_force WHERE year IN (2012, 2013) AND rated_inadequate"
    ).fetchone()[0]
    assert summary["n_rated_inadequate"] <= in_force
    # initial-assessment timeliness is a predictor of 2012; the workforce indicators start later and are listed as such
    assert "initial_assessments_within_10_days_percent" in summary["indicators_used"]
    assert "sw_agency_rate_percent" in summary["indicators_unavailable"]
    coefficients = mirror_warehouse.sql("SELECT * FROM analysis.ofsted_prediction_coefficients").pl()
    assert_status_consistent(summary, coefficients)
    cv = mirror_warehouse.sql("SELECT * FROM analysis.ofsted_prediction_cv ORDER BY lambda_index").pl()
    assert cv.height == summary["n_lambdas"] and cv["lambda_value"].is_sorted(descending=True)
    assert cv["lambda_value"][0] == pytest.approx(summary["lambda_max"]) and cv["n_nonzero_coefficients"][0] == 0
    assert cv["lambda_value"][-1] == pytest.approx(summary["lambda_max"] * summary["lambda_min_ratio"])
    # the after-inadequate groups: non-empty, or every row of the group says group_empty
    after = mirror_warehouse.sql("SELECT * FROM analysis.ofsted_after_inadequate").pl()
    sizes = dict(after.select("group", "n_group_las").unique().iter_rows())
    assert sum(sizes.values()) == summary["n_predicted_inadequate"]
    for group, size in sizes.items():
        statuses = set(after.filter(pl.col("group") == group)["status"])
        assert (statuses == {"group_empty"}) if size == 0 else ("group_empty" not in statuses)
