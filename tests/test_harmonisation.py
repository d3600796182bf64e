"""Boundary harmonisation on the demo warehouse: weights, back-casts, conservation, recomputed rates."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from csc_pipeline.panel_statuses import status_problems


def panel(con, geography: str, indicator: str) -> pl.DataFrame:
    return con.execute(
        "SELECT authority_id, la_code, year, value, harmonisation FROM mart.la_indicator_panel "
        "WHERE geography = ? AND indicator = ?", [geography, indicator]
    ).pl()


def value(frame: pl.DataFrame, authority: str, year: int) -> float:
    row = frame.filter((pl.col("authority_id") == authority) & (pl.col("year") == year))
    assert row.height == 1, (authority, year, row)
    return row["value"][0]


def test_weights_of_each_predecessor_sum_to_one(demo_warehouse):
    sums = demo_warehouse.sql(
        "SELECT predecessor, event_date, sum(weight) AS total, count(weight) = count(*) AS complete "
        "FROM mart.apportionment_weights GROUP BY ALL"
    ).pl().filter(pl.col("complete"))
    assert {"dorset_county", "northamptonshire", "cumbria"} <= set(sums["predecessor"])
    merges = demo_warehouse.sql("SELECT DISTINCT predecessor FROM mart.apportionment_weights WHERE change_type = 'merge'").pl()
    splits = sums.filter(~pl.col("predecessor").is_in(merges["predecessor"].implode()))
    assert ((splits["total"] - 1).abs() < 1e-12).all(), splits


def test_bcp_back_cast_is_bournemouth_plus_poole_plus_christchurchs_share_of_dorset(demo_warehouse):
    published, current = panel(demo_warehouse, "as_published", "cla_count"), panel(demo_warehouse, "current", "cla_count")
    weight = demo_warehouse.sql(
        "SELECT weight FROM mart.apportionment_weights WHERE predecessor = 'dorset_county' "
        "AND successor = 'bournemouth_christchurch_and_poole'"
    ).fetchall()[0][0]
    assert 0.1 < weight < 0.35  # Christchurch: roughly a fifth of Dorset county's children
    expected = value(published, "bournemouth", 2018) + value(published, "poole", 2018) + weight * value(published, "dorset_county", 2018)
    assert value(current, "bournemouth_christchurch_and_poole", 2018) == pytest.approx(expected)
    series = current.filter(pl.col("authority_id") == "bournemouth_christchurch_and_poole").sort("year")
    assert series["year"].to_list() == list(range(2006, 2026))  # 2006-2009 from the SFR27/2010 tables
    assert set(series.filter(pl.col("year") <= 2019)["harmonisation"]) == {"apportioned"}
    assert set(series.filter(pl.col("year") >= 2020)["harmonisation"]) == {"direct"}


@pytest.mark.parametrize(
    ("predecessor", "successors", "years"),
    [
        ("northamptonshire", ("north_northamptonshire", "west_northamptonshire"), range(2010, 2022)),
        ("cumbria", ("cumberland", "westmorland_and_furness"), range(2010, 2024)),
    ],
)
def test_split_back_casts_sum_to_the_predecessor(demo_warehouse, predecessor, successors, years):
    for indicator in ("cla_count", "population_0_17"):
        published, current = panel(demo_warehouse, "as_published", indicator), panel(demo_warehouse, "current", indicator)
        for year in years:
            parts = sum(value(current, s, year) for s in successors)
            assert parts == pytest.approx(value(published, predecessor, year)), (indicator, year)


def test_rates_on_current_boundaries_are_recomputed_not_averaged(demo_warehouse):
    rate = panel(demo_warehouse, "current", "cla_rate_per_10k")
    count = panel(demo_warehouse, "current", "cla_count")
    population = panel(demo_warehouse, "current", "population_0_17")
    # The panel's rate divides by the harmonised at-the-time populations; its latest-population
    # variant by the harmonised latest populations, which the panel's population_0_17 holds.
    latest = demo_warehouse.sql(
        "SELECT authority_id, year, value FROM mart.la_rate_variants "
        "WHERE geography = 'current' AND indicator = 'cla_rate_per_10k' AND rate_basis = 'latest_population'").pl()
    for authority, year in (("bournemouth_christchurch_and_poole", 2015), ("north_northamptonshire", 2020)):
        assert value(latest, authority, year) == pytest.approx(value(count, authority, year) / value(population, authority, year) * 1e4)
        shown = demo_warehouse.execute(
            "SELECT method, rate_basis FROM mart.la_indicator_panel WHERE geography = 'current' "
            "AND indicator = 'cla_rate_per_10k' AND authority_id = ? AND year = ?", [authority, year]).fetchall()
        assert shown == [("recomputed_from_harmonised_counts", "computed_population_at_the_time")]
    northants = rate.filter((pl.col("authority_id") == "north_northamptonshire") & (pl.col("year") < 2022))
    # recomputed wherever there is a population (from 2010); the published 2006-2009 county rates cannot be split
    assert set(northants.filter(pl.col("year") >= 2010)["harmonisation"]) == {"apportioned"}
    assert set(northants.filter(pl.col("year") < 2010)["harmonisation"]) == {"not_harmonisable"}


def test_every_status_means_one_thing(demo_warehouse):
    assert status_problems(demo_warehouse).is_empty(), status_problems(demo_warehouse)
    # A rate computed from a suppressed count is suppressed with the count's own symbol.
    carried = demo_warehouse.sql(
        """
        SELECT r.symbol, c.symbol AS count_symbol
        FROM mart.la_indicator_panel AS r
        JOIN mart.la_indicator_panel AS c
          ON c.geography = r.geography AND c.la_code = r.la_code AND c.year = r.year
         AND c.indicator = replace(r.indicator, '_rate_per_10k', '_count')
        WHERE r.method = 'not_computed_count_suppressed'
        """).fetchall()
    assert carried and all(symbol is not None and symbol == count_symbol for symbol, count_symbol in carried)


def test_not_harmonisable_rows_say_why(demo_warehouse):
    def row(authority: str, indicator: str, year: int) -> tuple:
        return demo_warehouse.execute(
            "SELECT status, value, symbol, method, rate_basis, harmonisation FROM mart.la_indicator_panel "
            "WHERE geography = 'current' AND authority_id = ? AND indicator = ? AND year = ?", [authority, indicator, year]).fetchone()

    # Northamptonshire's 2009 rate was published, but there is no 2009 population to split it by.
    assert row("north_northamptonshire", "cla_rate_per_10k", 2009) == (
        "not_harmonisable", None, None, "not_harmonisable_no_denominator", None, "not_harmonisable")
    # A county's deprivation score is no sum of its successors' parts.
    assert row("north_northamptonshire", "imd_average_score", 2015)[::3] == ("not_harmonisable", "not_harmonisable_not_additive")
    reasons = dict(demo_warehouse.sql(
        "SELECT method, count(*) FROM mart.la_indicator_panel WHERE status = 'not_harmonisable' GROUP BY 1").fetchall())
    assert set(reasons) <= {"not_harmonisable_predecessor_suppressed", "not_harmonisable_predecessor_missing",
                            "not_harmonisable_no_denominator", "not_harmonisable_not_additive"}
    assert reasons["not_harmonisable_predecessor_suppressed"] > 0


def test_recomputed_rates_on_current_boundaries_have_the_published_precision(demo_warehouse):
    # The decimals the publisher printed each rate with, per year and nation, read off its values.
    published = demo_warehouse.sql(
        "SELECT indicator, year, nation, value FROM mart.la_indicator_panel "
        "WHERE geography = 'as_published' AND rate_basis = 'published_at_the_time' AND value IS NOT NULL").pl()
    decimals = published.with_columns(
        pl.col("value").map_elements(lambda v: next(d for d in range(7) if abs(v - round(v, d)) < 1e-9 or d == 6),
                                     return_dtype=pl.Int64).alias("decimals")
    ).group_by("indicator", "year", "nation").agg(pl.col("decimals").max())
    recomputed = demo_warehouse.sql(
        "SELECT indicator, year, nation, value FROM mart.la_indicator_panel "
        "WHERE geography = 'current' AND method = 'recomputed_from_harmonised_counts'").pl()
    checked = recomputed.join(decimals, on=["indicator", "year", "nation"])
    assert checked.height > 500
    assert all(abs(v - round(v, d)) < 1e-9 for v, d in checked.select("value", "decimals").iter_rows())
    # Where the publisher printed no rate that year, the as-published rates are computed and unrounded; so are these.
    unrounded = recomputed.join(decimals, on=["indicator", "year", "nation"], how="anti")
    assert (unrounded["value"] - unrounded["value"].round(0)).abs().max() > 0


def test_a_suppressed_row_without_its_symbol_and_a_missing_value_computed_are_caught():
    con = duckdb.connect()
    con.sql(
        """
        CREATE TABLE panel AS SELECT * FROM (VALUES
            ('as_published', 'E06000001', 2020, 'cla_count', NULL, 'suppressed', 'c', 'published', 'direct'),
            ('as_published', 'E06000002', 2020, 'cla_count', NULL, 'suppressed', NULL, 'published', 'direct'),
            ('current', 'E06000061', 2019, 'cla_rate_per_10k', NULL, 'missing', NULL, 'recomputed_from_harmonised_counts', 'apportioned'),
            ('current', 'E06000062', 2019, 'cla_count', NULL, 'not_harmonisable', NULL, 'not_harmonisable_predecessor_missing', 'not_harmonisable')
        ) AS t(geography, la_code, year, indicator, value, status, symbol, method, harmonisation)
        """)
    problems = dict(status_problems(con, "panel").select("problem", "rows").iter_rows())
    assert problems == {"suppressed without the publisher's symbol": 1, "no value, but a method that says it was computed": 1}


def test_harmonisation_never_creates_or_loses_children(demo_warehouse):
    totals = demo_warehouse.sql(
        """
        SELECT p.indicator, p.nation, p.year, p.geography, sum(p.value) AS total, count(*) FILTER (WHERE p.value IS NULL) AS gaps
        FROM mart.la_indicator_panel AS p JOIN mart.indicator_dictionary AS d USING (indicator)
        -- Combined reporting units (no authority_id, e.g. the Kingston / Richmond workforce) are a
        -- geography of their own, published as_published only: splitting them would need apportioning.
        WHERE d.kind = 'count' AND p.authority_id IS NOT NULL
        GROUP BY ALL
        """
    ).pl()
    wide = totals.pivot(on="geography", index=["indicator", "nation", "year"], values=["total", "gaps"])
    # Suppressed LAs not touched by any boundary change are gaps on both sides alike.
    complete = wide.filter(pl.col("gaps_as_published") == pl.col("gaps_current"))
    assert complete.height > 0.9 * wide.height
    assert ((complete["total_current"] - complete["total_as_published"]).abs() < 1e-6).all(), complete


def test_no_la_year_indicator_twice_in_either_geography(demo_warehouse):
    assert demo_warehouse.sql(
        "SELECT geography, coalesce(authority_id, la_code), year, indicator FROM mart.la_indicator_panel "
        "GROUP BY ALL HAVING count(*) > 1"
    ).fetchall() == []
    current_codes = demo_warehouse.sql("SELECT DISTINCT la_code FROM mart.la_indicator_panel WHERE geography = 'current'").pl()
    assert not current_codes["la_code"].is_in(["E10000021", "E10000006", "E06000028", "E10000009"]).any()


def test_parquet_exports_hold_the_published_panel(demo_run, demo_warehouse):
    settings, _ = demo_run
    exported = pl.read_parquet(settings.exports_dir / "mart__la_indicator_panel.parquet")
    assert exported.height == demo_warehouse.sql("SELECT count(*) FROM mart.la_indicator_panel").fetchall()[0][0]
    assert set(exported["geography"]) == {"as_published", "current"}
    assert (settings.exports_dir / "mart__la_reference.parquet").is_file()
