"""Boundary harmonisation on the demo warehouse: weights, back-casts, conservation, recomputed rates."""

from __future__ import annotations

import polars as pl
import pytest


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
