"""Which rate (methods.md section 4): the panel's rates are "at the time" - the publisher's rate from
the earliest release that printed it, otherwise the count over the population vintage current then -
and the rate over the latest population vintage is kept beside it as the sensitivity variant."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline_runs import build_models, indicator_values

MODELS = ["int_indicator_values_latest", "int_population_denominators", "int_la_rates_computed", "int_la_values_as_published"]


def _planted():
    camden = ("camden", "E09000007", "England")
    rows = {
        # (release, entry): rows; the count of 2018 is revised, the rate of 2018 re-based.
        ("2017", "sfr_2017"): [(*camden, 2017, "cla_count", 100.0)],
        ("2021", "cla_2021"): [(*camden, 2018, "cla_count", 118.0), (*camden, 2018, "cla_rate_per_10k", 30.0)],
        ("2025", "cla_2025"): [(*camden, 2018, "cla_count", 120.0), (*camden, 2018, "cla_rate_per_10k", 25.0)],
        ("2022", "ons_2022"): [(*camden, y, "population_0_17", 40_000.0) for y in (2017, 2018)],
        ("2025", "ons_2025"): [(*camden, y, "population_0_17", 50_000.0) for y in (2017, 2018)],
    }
    return pl.concat([indicator_values(r, release=release, entry=entry) for (release, entry), r in rows.items()])


@pytest.fixture(scope="module")
def planted():
    con = build_models({}, MODELS, {"intermediate.int_indicator_values": _planted()})
    yield con
    con.close()


def test_a_rate_from_counts_uses_the_population_vintage_current_then(planted):
    rows = {b: (v, y, p) for b, v, y, p in planted.execute(
        "SELECT rate_basis, value, population_year, population_vintage FROM intermediate.int_la_rates_computed "
        "WHERE indicator = 'cla_rate_per_10k' AND year = 2017").fetchall()}
    assert rows == {"at_the_time": (25.0, 2017, "ons_2022"), "latest_population": (20.0, 2017, "ons_2025")}
    shown = planted.execute(
        "SELECT value, rate_basis, population_vintage FROM intermediate.int_la_values_as_published "
        "WHERE indicator = 'cla_rate_per_10k' AND year = 2017").fetchall()
    assert shown == [(25.0, "computed_population_at_the_time", "ons_2022")]


def test_a_published_rate_comes_from_the_earliest_release_and_a_count_from_the_latest(planted):
    shown = dict(planted.execute(
        "SELECT indicator, (value, rate_basis, source_entry) FROM intermediate.int_la_values_as_published WHERE year = 2018"
    ).fetchall())
    assert shown["cla_rate_per_10k"] == (30.0, "published_at_the_time", "cla_2021")
    assert shown["cla_count"] == (120.0, None, "cla_2025")
    assert shown["population_0_17"] == (50_000.0, None, "ons_2025")
    # The latest-population variant of the same year: the latest count over the latest population.
    latest = planted.execute(
        "SELECT value FROM intermediate.int_la_rates_computed "
        "WHERE indicator = 'cla_rate_per_10k' AND year = 2018 AND rate_basis = 'latest_population'").fetchone()[0]
    assert latest == pytest.approx(120 / 50_000 * 10_000)


def test_demo_rate_variants_and_their_differences(demo_warehouse):
    con = demo_warehouse
    # Every rate and percentage in the panel says on which basis; nothing else does.
    bases = dict(con.execute(
        "SELECT d.kind, list(DISTINCT p.rate_basis ORDER BY p.rate_basis) FROM mart.la_indicator_panel AS p "
        "JOIN mart.indicator_dictionary AS d USING (indicator) WHERE p.value IS NOT NULL GROUP BY 1").fetchall())
    assert bases["count"] == [None]
    assert set(bases["rate"]) == {"published_at_the_time", "computed_population_at_the_time"}
    # The at_the_time rows are the panel's values; each LA-year has both bases.
    mismatched = con.execute(
        """
        SELECT count(*) FROM mart.la_rate_variants AS v
        JOIN mart.la_indicator_panel AS p USING (geography, la_code, year, indicator)
        WHERE v.rate_basis = 'at_the_time' AND v.value IS DISTINCT FROM p.value
        """).fetchone()[0]
    assert mismatched == 0
    per_basis = dict(con.execute("SELECT rate_basis, count(*) FROM mart.la_rate_variants GROUP BY 1").fetchall())
    assert set(per_basis) == {"at_the_time", "latest_population"} and per_basis["at_the_time"] == per_basis["latest_population"]
    # latest_population (as published): the panel's count over the panel's (latest) population.
    off = con.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE abs(v.value - c.value / p.value * 10000) > 1e-9)
        FROM mart.la_rate_variants AS v
        JOIN mart.indicator_dictionary AS d USING (indicator)
        JOIN mart.la_indicator_panel AS c ON c.geography = v.geography AND c.la_code = v.la_code AND c.year = v.year AND c.indicator = d.numerator
        JOIN mart.la_indicator_panel AS p ON p.geography = v.geography AND p.la_code = v.la_code AND p.year = v.year AND p.indicator = 'population_0_17'
        WHERE v.geography = 'as_published' AND v.rate_basis = 'latest_population' AND v.population_year = v.year
        """).fetchone()
    assert off[0] > 1000 and off[1] == 0
    # The differences table: latest minus at the time, both vintages named.
    rows = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE abs(value_latest_population - value_at_the_time - difference) > 1e-9), "
        "count(*) FILTER (WHERE difference <> 0), count(population_vintage_latest) FROM mart.rate_basis_differences").fetchone()
    assert rows[0] > 1000 and rows[1] == 0 and rows[2] > 0 and rows[3] == rows[0]
