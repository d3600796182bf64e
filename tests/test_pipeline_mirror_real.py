"""Mirror mode on the real published files (../shared/data/real): the vertical slice is correct."""

from __future__ import annotations

import dataclasses

import duckdb
import polars as pl
import pytest

from csc_pipeline import cross_checks
from csc_pipeline.cross_checks import cross_check
from csc_pipeline.geography import default_resolver
from csc_pipeline.settings import Settings
from pipeline_runs import failed_checks, run_refresh

CLA_RELEASES = range(2021, 2026)


@pytest.fixture(scope="module")
def mirror_settings(shared_mirror_settings) -> Settings:
    """The mirror refresh of the real files, on the session's mirror data lake: test_live_routes
    refreshes there too, and whichever module comes second finds "nothing changed"."""
    result = run_refresh(shared_mirror_settings)
    assert result.success and not failed_checks(result), failed_checks(result)
    return shared_mirror_settings


@pytest.fixture(scope="module")
def mirror_warehouse(mirror_settings):
    con = duckdb.connect(str(mirror_settings.warehouse_path), read_only=True)
    yield con
    con.close()


@pytest.fixture
def mirror_build(mirror_settings):
    """The build database, which keeps the internal layers (staging, intermediate) the published file leaves out."""
    con = duckdb.connect(str(mirror_settings.build_warehouse_path), read_only=True)
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


def test_panel_holds_the_rate_each_year_was_first_published_with(mirror_warehouse, real_dir):
    # The rate at the time (methods.md section 4): the earliest release that printed a number for the
    # LA-year (later releases re-base it, e.g. on Census-2021 populations). Releases re-code
    # authorities (North Yorkshire E10000023 -> E06000065 from the 2024 release): the row keeps the
    # code of the latest release, like the counts.
    resolver = default_resolver()
    printed = published_rates(real_dir).with_columns(
        pl.col("la_code").map_elements(resolver.resolve_code, return_dtype=pl.String).alias("authority_id")
    )
    numeric = printed.filter(pl.col("rate").is_not_null() & pl.col("year").is_between(2018, 2025))
    first = numeric.filter(pl.col("release") == pl.col("release").min().over("authority_id", "year")).drop("la_code")
    latest_code = numeric.filter(pl.col("release") == pl.col("release").max().over("authority_id", "year")).select(
        "authority_id", "year", "la_code")
    expected = first.join(latest_code, on=["authority_id", "year"])
    panel = mirror_warehouse.sql(
        "SELECT authority_id, la_code AS panel_code, year, value AS panel_rate, rate_basis, release AS panel_release "
        "FROM mart.la_indicator_panel WHERE geography = 'as_published' AND indicator = 'cla_rate_per_10k' "
        "AND nation = 'England' AND source_entry LIKE 'dfe_cla_number_and_rate_%'"
    ).pl()
    joined = expected.join(panel, on=["authority_id", "year"], how="left")
    missing = joined.filter(pl.col("panel_rate").is_null())
    assert missing.is_empty(), f"published rates absent from the panel:\n{missing}"
    different = joined.filter((pl.col("panel_rate") != pl.col("rate")) | (pl.col("panel_code") != pl.col("la_code"))
                              | (pl.col("panel_release") != pl.col("release").cast(pl.String)))
    assert different.is_empty(), f"panel differs from the first release:\n{different}"
    assert (panel["rate_basis"] == "published_at_the_time").all()
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
        "SELECT year, value, published_value, n_las FROM analysis.trend_national_regional "
        "WHERE area = 'England' AND indicator = 'cla_rate_per_10k' AND year >= 2010 ORDER BY year"
    ).pl()
    # LA counts and populations: 2010 (SFR27/2010, mid-2009 population), 2011-2012 (Nomis mid-2010
    # and mid-2011) and 2013-2025 (the ONS file starts at mid-2012); a published national rate from 2018 (EES).
    assert trend["year"].to_list() == list(range(2010, 2026))
    published = trend.filter(pl.col("published_value").is_not_null())
    assert published["year"].to_list() == list(range(2018, 2026))
    # Published national rates are rounded to integers; LA counts sum to the national count.
    assert ((published["value"] - published["published_value"]).abs() < 1.0).all(), trend
    # one national CLA series in the warehouse: no second table of national rates
    tables = mirror_warehouse.sql("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'analysis' AND table_name LIKE '%trend%'").fetchall()
    assert sorted(t for (t,) in tables) == ["trend_la_series", "trend_national_regional"]


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


def test_rates_recomputed_from_counts_and_populations_agree_with_the_published_rates(mirror_build):
    check = cross_checks.compare(mirror_build, cross_check("cla_rate_matches_count_and_population"))
    compared = check.filter(pl.col("outcome").is_in(["agrees", "disagrees"]))
    # 2019-2025: EES rates and the ONS populations of the 2025 CIN release agree within rounding.
    recent = compared.filter(pl.col("year") >= 2019)
    assert recent.height > 1000 and recent["agrees"].all(), recent.filter(~pl.col("agrees"))
    # Disagreements are listed, not dropped: 2018 rates come from the 2022 release, before the
    # Census 2021 re-basing of the populations the panel uses; the 2010 file rounds populations to 100.
    disagree = compared.filter(~pl.col("agrees"))
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
    check = cross_checks.compare(mirror_warehouse, cross_check("lait_matches_the_panel"))
    compared = check.filter(pl.col("agrees").is_not_null())
    assert set(compared["indicator"]) == {
        "cla_count", "cla_rate_per_10k", "cla_starts_count", "cla_starts_rate_per_10k", "cla_ceased_count",
        "cla_ceased_rate_per_10k",
    }
    # 2018-2025: the panel holds EES releases, which LAIT repeats: counts as the latest release, rates
    # as LAIT's refresh re-based them - closer to the rate over the latest population than to the
    # rate the panel keeps (the one published at the time).
    recent = compared.filter(pl.col("year") >= 2018)
    assert recent.height >= 6 * 148 * 8  # six measures, about 150 LAs, 2018-2025
    counts = recent.filter(pl.col("indicator").str.ends_with("_count"))
    disagree = counts.filter(~pl.col("agrees"))
    shown = disagree.select("indicator", "la_name", "year", "lait_value", "panel_value", "panel_release")
    assert disagree.height <= counts.height // 100, f"LAIT and the panel disagree beyond rounding:\n{shown}"
    latest = mirror_warehouse.sql(
        "SELECT authority_id, year, indicator, value AS latest_value FROM mart.la_rate_variants "
        "WHERE geography = 'as_published' AND rate_basis = 'latest_population'").pl()
    rates = recent.filter(~pl.col("indicator").str.ends_with("_count")).join(latest, on=["authority_id", "year", "indicator"])
    near_latest = ((rates["lait_value"] - rates["latest_value"]).abs() <= 0.5 + 1e-9).mean()
    assert near_latest > 0.85 and near_latest > rates["agrees"].mean(), (near_latest, rates["agrees"].mean())
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
    # The 2022 release printed 31.5; the 2025 release revised it to 27.5: a rate is kept as at the time.
    assert rows == [("Kingston upon Thames / Richmond upon Thames", "combined_unit", "London", None, 31.5, "2022")]
    members = mirror_warehouse.sql(
        "SELECT count(*) FROM mart.la_indicator_panel WHERE la_code IN ('E09000021', 'E09000027') "
        "AND indicator = 'sw_fte_count' AND year = 2018 AND value IS NOT NULL AND geography = 'as_published'"
    ).fetchone()[0]
    assert members == 0  # no member values are invented


def test_spend_per_child_is_spend_over_the_population_of_the_same_year(mirror_build):
    # Over the population of the time (the earliest vintage with the year), named in population_vintage.
    rows = mirror_build.sql(
        """
        SELECT s.la_code, s.year, s.value, c.value, d.population, c.method, c.population_vintage = d.population_vintage
        FROM mart.la_indicator_panel AS s
        JOIN mart.la_indicator_panel AS c USING (geography, la_code, year)
        JOIN intermediate.int_population_denominators AS d ON d.authority_id = c.authority_id AND d.year = c.year
        WHERE s.geography = 'as_published' AND s.indicator = 'ro_csc_net_expenditure_gbp' AND c.indicator = 'ro_csc_net_expenditure_per_child_gbp'
          AND d.rate_basis = 'at_the_time' AND s.value IS NOT NULL
        """
    ).fetchall()
    assert len(rows) > 1500
    assert all(method == "computed_from_count_and_population" and same_vintage and abs(per - spend / pop) < 1e-6
               for _, _, spend, per, pop, method, same_vintage in rows)


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
        "SELECT year, method, population_year, population_vintage, count(*) AS las FROM mart.la_indicator_panel "
        "WHERE geography = 'as_published' AND nation = 'Wales' AND indicator = 'cla_rate_per_10k' AND value IS NOT NULL "
        "GROUP BY ALL ORDER BY year").pl()
    assert rates["year"].to_list() == list(range(2003, 2019)) and (rates["las"] == 22).all()
    by_year = {r["year"]: r for r in rates.iter_rows(named=True)}
    # 2011-2018 over the same year's population: ONS MYE2 for 2015 (mid-2014), the Nomis exports
    # (age 17 estimated) for the others; before mid-2010 no file has Welsh 0-17 populations, so
    # 2003-2010 borrow the nearest year's (2011) and say so.
    for year, row in by_year.items():
        if year >= 2011:
            assert (row["method"], row["population_year"]) == ("computed_from_count_and_population", year), row
            assert row["population_vintage"] == ("ons_mye2_uk_mid2014" if year == 2015 else "ons_nomis_population_0_4"), row
        else:
            assert (row["method"], row["population_year"]) == ("computed_with_nearest_year_population", 2011), row
    cardiff = mirror_warehouse.execute(
        "SELECT c.value / p.value * 10000, r.value FROM mart.la_indicator_panel AS r "
        "JOIN mart.la_indicator_panel AS c USING (geography, la_code, year) "
        "JOIN mart.la_indicator_panel AS p ON p.geography = r.geography AND p.la_code = r.la_code AND p.year = 2011 "
        "WHERE r.geography = 'as_published' AND r.la_code = 'W06000015' AND r.year = 2010 "
        "AND r.indicator = 'cla_rate_per_10k' AND c.indicator = 'cla_count' AND p.indicator = 'population_0_17'").fetchone()
    assert cardiff[0] == pytest.approx(cardiff[1])
    populations = mirror_warehouse.execute(
        "SELECT count(*), count(DISTINCT method) FROM mart.la_indicator_panel WHERE geography = 'as_published' "
        "AND nation = 'Wales' AND indicator = 'population_0_17' AND method = 'estimated_age_17_from_age_16_a_year_earlier'").fetchone()
    assert populations == (22 * 9, 1)  # 2011-2014, 2016-2019 and 2022 from the Nomis exports


def _sfr_count(real_dir, path: str, la_code: str, column: str) -> int:
    frame = pl.read_csv(real_dir / path, infer_schema=False)
    return int(frame.filter(pl.col("New_geog_code") == la_code)[column].item())


def _dfe_population(real_dir, release: int, la_code: str, mid_year: int) -> int:
    paths = {2022: "dfe/cin/ees_release_2022/ons_mid-year_population_estimates.csv",
             2025: "dfe/cin/ees_release_2025/ons_mid-year_population_estimates_2012_to_2024.csv"}
    frame = pl.read_csv(real_dir / paths[release], infer_schema=False)
    row = frame.filter((pl.col("new_la_code") == la_code) & (pl.col("time_period") == str(mid_year)))
    return int(row["population_estimate"].item())


@pytest.mark.parametrize("la_code", ["E09000033", "E09000007"])  # Westminster, Camden
def test_inner_london_rates_2016_2017_are_those_of_the_time(mirror_warehouse, real_dir, la_code):
    """The SFR underlying data have counts only: the rate at the time is the count over the ONS
    estimate then current (the pre-Census-2021 vintage of the 2022 release), not the 2025 vintage."""
    files = {2016: ("dfe/cla/sfr_underlying/2016/SFR41_CLA2016.csv", "CLA_Mar2016"),
             2017: ("dfe/cla/sfr_underlying/2017/SFR50_CLA2017.csv", "CLA_Mar2017")}
    for year, (path, column) in files.items():
        count = _sfr_count(real_dir, path, la_code, column)
        at_the_time = count / _dfe_population(real_dir, 2022, la_code, year - 1) * 10_000
        latest = count / _dfe_population(real_dir, 2025, la_code, year - 1) * 10_000
        panel = mirror_warehouse.execute(
            "SELECT value, rate_basis, population_year, population_vintage FROM mart.la_indicator_panel "
            "WHERE geography = 'as_published' AND la_code = ? AND year = ? AND indicator = 'cla_rate_per_10k'",
            [la_code, year]).fetchone()
        assert panel[0] == pytest.approx(at_the_time)
        assert panel[1:] == ("computed_population_at_the_time", year, "dfe_ons_population_0_17_2022")
        variants = dict(mirror_warehouse.execute(
            "SELECT rate_basis, value FROM mart.la_rate_variants WHERE geography = 'as_published' AND la_code = ? "
            "AND year = ? AND indicator = 'cla_rate_per_10k'", [la_code, year]).fetchall())
        assert variants == pytest.approx({"at_the_time": at_the_time, "latest_population": latest})
        difference = mirror_warehouse.execute(
            "SELECT difference, population_vintage_at_the_time, population_vintage_latest FROM mart.rate_basis_differences "
            "WHERE geography = 'as_published' AND la_code = ? AND year = ? AND indicator = 'cla_rate_per_10k'",
            [la_code, year]).fetchone()
        # The Census-2021 re-basing lowered these boroughs' child populations: the latest vintage
        # overstates the rate of the time by several children per 10,000.
        assert difference[0] == pytest.approx(latest - at_the_time) and difference[0] > 5
        assert difference[1:] == ("dfe_ons_population_0_17_2022", "dfe_ons_population_0_17_2025")


def test_rate_variants_cover_every_rate_on_both_bases(mirror_warehouse):
    per_basis = dict(mirror_warehouse.execute(
        "SELECT geography || ' ' || rate_basis, count(*) FROM mart.la_rate_variants GROUP BY 1").fetchall())
    assert per_basis["as_published at_the_time"] == per_basis["as_published latest_population"] > 20_000
    assert per_basis["current at_the_time"] == per_basis["current latest_population"] > 20_000
    mismatched = mirror_warehouse.execute(
        "SELECT count(*) FROM mart.la_rate_variants AS v JOIN mart.la_indicator_panel AS p USING (geography, la_code, year, indicator) "
        "WHERE v.rate_basis = 'at_the_time' AND v.value IS DISTINCT FROM p.value").fetchone()[0]
    assert mismatched == 0
    # On current boundaries a recomputed rate divides by the harmonised at-the-time populations:
    # North Northamptonshire 2017 from Northamptonshire's 2017 count and its 2022-vintage population.
    north = mirror_warehouse.execute(
        "SELECT harmonisation, rate_basis, population_vintage FROM mart.la_indicator_panel WHERE geography = 'current' "
        "AND la_code = 'E06000061' AND year = 2017 AND indicator = 'cla_rate_per_10k'").fetchone()
    assert north == ("apportioned", "computed_population_at_the_time", "dfe_ons_population_0_17_2022")


def test_every_shire_county_has_a_low_income_share_from_its_districts(mirror_warehouse):
    # The Fingertips file (snapshots 2006-2016 -> years 2007-2017) is on the districts of 2014: every
    # county in operation then has all eleven years; the counties abolished in 2009 have none (the
    # file restates their areas as the 2009 unitaries).
    rows = mirror_warehouse.sql(
        """
        SELECT r.la_code, y.year, p.value, p.method
        FROM mart.la_reference AS r
        CROSS JOIN range(2007, 2018) AS y(year)
        LEFT JOIN mart.la_indicator_panel AS p
            ON p.geography = 'as_published' AND p.la_code = r.la_code AND p.year = y.year
           AND p.indicator = 'children_low_income_hmrc_percent'
        WHERE r.la_type = 'shire_county' AND coalesce(r.valid_to, DATE '2999-12-31') >= DATE '2017-03-31'
        """).pl()
    assert rows.height == 27 * 11
    assert rows["value"].null_count() == 0, rows.filter(pl.col("value").is_null())
    assert (rows["method"] == "aggregated_from_districts_by_children_under_16").all()


def test_northamptonshire_2011_2012_has_its_successors_back_cast_population(mirror_warehouse):
    rows = mirror_warehouse.execute(
        "SELECT la_code, year, value IS NOT NULL, population_vintage FROM mart.la_indicator_panel WHERE geography = 'as_published' "
        "AND indicator = 'cla_rate_per_10k' AND year IN (2011, 2012) "
        "AND la_code IN ('E10000021', 'E06000028', 'E06000029', 'E10000009') ORDER BY la_code, year").fetchall()
    # Northamptonshire = North + West Northamptonshire back-cast; Bournemouth, Poole and Dorset
    # county cannot be rebuilt (BCP and the Dorset unitary share Christchurch, which no file has).
    assert rows == [("E06000028", 2011, False, None), ("E06000028", 2012, False, None),
                    ("E06000029", 2011, False, None), ("E06000029", 2012, False, None),
                    ("E10000009", 2011, False, None), ("E10000009", 2012, False, None),
                    ("E10000021", 2011, True, "ons_nomis_population_0_4"), ("E10000021", 2012, True, "ons_nomis_population_0_4")]
    method = mirror_warehouse.execute(
        "SELECT DISTINCT method FROM mart.la_indicator_panel WHERE geography = 'as_published' AND la_code = 'E10000021' "
        "AND indicator = 'population_0_17' AND year IN (2011, 2012)").fetchall()
    assert method == [("estimated_age_17_summed_from_back_cast_successors",)]


def test_the_analyses_give_the_same_tables_when_rerun_on_real_data(mirror_warehouse, tmp_path):
    from csc_pipeline.analysis import runner
    from csc_pipeline.analysis.config import load_analysis_config
    from csc_pipeline.analysis.registry import families

    config = load_analysis_config()
    inputs = runner.load_inputs(mirror_warehouse, tmp_path / "charts")
    for family in families():
        output = runner.run_family(family, inputs, runner.family_settings(config, family))
        assert output.tables, family
        for table in output.tables:
            published = mirror_warehouse.sql(f"SELECT * FROM {table.name}").pl()
            rerun = duckdb.connect()
            runner.write_output(rerun, dataclasses.replace(output, tables=[table]))
            again = rerun.sql(f"SELECT * FROM {table.name}").pl()
            assert published.columns == again.columns, table.name
            order = [c for c in published.columns if published[c].dtype != pl.List(pl.String)]
            assert published.sort(order, nulls_last=True).equals(again.sort(order, nulls_last=True)), table.name


# Where the real CLA files print a national and regional rate per 10,000 children: the EES releases 2021-2025
# (years 2018-2025) and SFR27/2010 table LAA1 (2006-2010). The SFR underlying CSVs of 2011-2017 print
# regional counts but neither rates nor populations: those years have no published regional rate to compare.
YEARS_WITHOUT_A_PUBLISHED_REGIONAL_RATE = set(range(2011, 2018))
# Published rates are whole numbers; leaving out City of London and Isles of Scilly (configured exclusions)
# moves a sum by under 0.02.
ROUNDING = 0.5 + 0.02
# Area-years whose rate cannot match to rounding because the populations are of another vintage than the
# panel's (the ONS 0-17 file of 2025, re-based after Census 2021): every region's 2018 (the latest release
# printing 2018, 2022, divides by the pre-Census mid-2017 estimates: London 49 published, 51.1 re-based),
# and South West 2019 (Bournemouth, Poole and Dorset county were abolished in April 2019, so the re-based file
# lacks them and the panel holds their mid-2018 populations from the 2022 ONS file, while the 2023 CLA release
# divides by re-based ones: 57 published, 56.4 here). ("*", year) is every area of that year.
POPULATION_VINTAGE = {("*", 2018), ("South West", 2019)}


def published_area_rates(real_dir) -> pl.DataFrame:
    """area, year, rate: the national (England) and English regional CLA rate per 10,000 at 31 March of the
    latest real file printing it (EES releases for 2018-2025, SFR27/2010 table LAA1 for 2006-2010)."""
    import fastexcel

    frames = []
    for release in CLA_RELEASES:
        frame = pl.read_csv(real_dir / f"dfe/cla/ees_release_{release}/cla_number_and_rate_per_10k_children.csv", infer_schema=False)
        frames.append(frame.rename({"population_type": "population_count"}, strict=False).filter(
            pl.col("geographic_level").is_in(["National", "Regional"]) & pl.col("population_count").str.contains("looked after (at|on) 31 March")
        ).select(pl.coalesce(pl.col("region_name").replace("", None), "country_name").alias("area"), pl.col("time_period").cast(pl.Int32).alias("year"),
                 pl.lit(release).alias("release"), pl.col("rate_per_10000").cast(pl.Float64).alias("rate")))
    ees = pl.concat(frames)
    ees = ees.filter(pl.col("release") == pl.col("release").max().over("area", "year")).drop("release")
    # LAA1: area name in the third column, the rates for 2006-2010 in the last five
    laa1 = fastexcel.read_excel(real_dir / "dfe/cla/sfr27_2010_tables/sfr27-2010amv5.xls").load_sheet_by_name("LAA1", header_row=None, dtypes="string").to_polars()
    names, rates = laa1.columns[2], laa1.columns[-5:]
    sfr = laa1.select(pl.col(names).str.strip_chars().alias("area"), *[pl.col(c).cast(pl.Float64, strict=False).alias(str(2006 + i)) for i, c in enumerate(rates)])
    sfr = sfr.filter(pl.col("area").is_in(ees["area"].unique().to_list())).unpivot(index="area", variable_name="year", value_name="rate")
    return pl.concat([ees, sfr.with_columns(pl.col("year").cast(pl.Int32))]).drop_nulls()


def test_national_and_regional_cla_rates_2010_to_2025_equal_the_published_rates_to_rounding(mirror_warehouse, real_dir):
    trend = mirror_warehouse.sql(
        "SELECT area, year, value, published_value FROM analysis.trend_national_regional "
        "WHERE indicator = 'cla_rate_per_10k' AND nation = 'England' AND year BETWEEN 2010 AND 2025").pl()
    areas = set(trend["area"].to_list())
    assert len(areas) == 10 and "England" in areas  # England and its nine regions, one series each
    published = published_area_rates(real_dir).filter(pl.col("year").is_between(2010, 2025) & pl.col("area").is_in(list(areas)))
    # stated, not skipped: which years the real files give a rate for
    assert set(published["year"].to_list()) == set(range(2010, 2026)) - YEARS_WITHOUT_A_PUBLISHED_REGIONAL_RATE
    assert published.group_by("year").len()["len"].to_list() == [10] * published["year"].n_unique()
    joined = published.join(trend, on=["area", "year"], how="left")
    assert joined["value"].null_count() == 0, joined.filter(pl.col("value").is_null())
    joined = joined.with_columns((pl.col("value") - pl.col("rate")).alias("difference"))
    vintage = [(a, y) in POPULATION_VINTAGE or ("*", y) in POPULATION_VINTAGE for a, y in joined.select("area", "year").iter_rows()]
    matched, other_vintage = joined.filter(~pl.Series(vintage)), joined.filter(pl.Series(vintage))
    assert (matched["difference"].abs() <= ROUNDING).all(), matched.filter(pl.col("difference").abs() > ROUNDING)
    # the population-vintage years are the same series on other populations: apart by more than rounding
    # somewhere, and by under 2.5 per 10,000 everywhere
    assert (other_vintage["difference"].abs() > ROUNDING).any() and (other_vintage["difference"].abs() < 2.5).all(), other_vintage
    # the trend carries the publisher's own rate for the EES years (the warehouse does not stage LAA1's regional rows)
    ees = joined.filter(pl.col("year") >= 2018)
    assert (ees["published_value"] == ees["rate"]).all(), ees.filter(pl.col("published_value") != pl.col("rate"))


def test_a_welsh_funnel_is_drawn_on_that_years_own_populations(mirror_warehouse):
    rows = mirror_warehouse.sql(
        "SELECT nation, indicator, year, year_rule, overdispersion, count(*) AS n FROM analysis.funnel_positions "
        "WHERE indicator = 'cla_rate_per_10k' GROUP BY ALL ORDER BY nation").pl()
    assert rows["nation"].to_list() == ["England", "Wales"]
    england, wales = rows.row(0, named=True), rows.row(1, named=True)
    # the Nomis exports give Wales a 0-17 population for 2011-2018, so the configured year (England's) is drawn
    assert (wales["year"], wales["n"], wales["overdispersion"], wales["year_rule"]) == (england["year"], 22, "additive", "configured year")
    own_year = mirror_warehouse.execute(
        "SELECT count(*) FILTER (WHERE population_year = year) FROM mart.la_indicator_panel WHERE geography = 'as_published' "
        "AND nation = 'Wales' AND indicator = 'cla_rate_per_10k' AND year = ?", [wales["year"]]).fetchone()[0]
    assert own_year == 22


def _change_in_rate(con, table: str, geography: str, where: str = "") -> pl.DataFrame:
    return con.sql(
        f"SELECT * FROM analysis.{table} WHERE indicator = 'cla_rate_per_10k' AND geography = '{geography}' "
        f"AND rate_basis = 'at_the_time' AND nation = 'England' AND period_start = 2012 AND period_end = 2017 {where}"
    ).pl()


def test_change_in_rate_on_current_boundaries_counts_an_apportioned_set_once(mirror_warehouse):
    default_rule = "AND direction_rule = 'sign at published precision'"
    changes = _change_in_rate(mirror_warehouse, "change_in_rate", "current", default_rule)
    codes = changes["la_code"].to_list()
    # Cumbria (split 2023) and Northamptonshire (2021) stand once for their successors' identical back-casts
    assert codes.count("E10000006") == 1 and codes.count("E10000021") == 1
    assert not {"E06000061", "E06000062", "E06000063", "E06000064"} & set(codes)
    # no two LAs of one region share a series (a shared back-cast would give identical averages)
    assert changes.filter(pl.struct("region", "avg_rate", "avg_change").is_duplicated()).is_empty()
    by_region = _change_in_rate(mirror_warehouse, "change_in_rate_by_region", "current", f"AND measure = 'avg_change' {default_rule}")
    for region in ("North West", "East Midlands"):
        summary = by_region.filter(pl.col("region") == region).row(0, named=True)
        members = changes.filter(pl.col("region") == region)
        assert summary["n"] == members.height and summary["mean"] == pytest.approx(members["avg_change"].mean())
    # 2012-2017 has no boundary change in the East Midlands: with Northamptonshire once, the current-boundary
    # mean change is the as-published one
    published = _change_in_rate(mirror_warehouse, "change_in_rate_by_region", "as_published",
                                f"AND measure = 'avg_change' AND region = 'East Midlands' {default_rule}").row(0, named=True)
    east_midlands = by_region.filter(pl.col("region") == "East Midlands").row(0, named=True)
    assert (east_midlands["n"], east_midlands["mean"]) == (published["n"], pytest.approx(published["mean"]))


def test_change_in_rate_grade_association_counts_every_authority_graded_at_the_period_end(mirror_warehouse):
    graded = mirror_warehouse.sql(
        "SELECT count(*) FROM mart.ofsted_judgement_in_force WHERE year = 2017 AND overall_grade_ordinal IS NOT NULL "
        "AND la_code NOT IN ('E09000001', 'E06000053')").fetchone()[0]
    with_change = _change_in_rate(mirror_warehouse, "change_in_rate", "as_published",
                                  "AND direction_rule = 'sign at published precision' AND avg_change IS NOT NULL")
    assert with_change.height == 150  # every English authority of 2017 but the City of London and Scilly
    tests = _change_in_rate(mirror_warehouse, "change_in_rate_associations", "as_published",
                            "AND factor = 'ofsted_overall_grade' AND variant = 'all LAs'")
    assert tests.height == 4 and (tests["n"] == graded).all() and graded > 100
    assert tests["grade_coding"].str.starts_with("1=Outstanding").all()


def test_change_in_rate_direction_default_and_tolerance_variant_on_real_rates(mirror_warehouse):
    rows = _change_in_rate(mirror_warehouse, "change_in_rate", "as_published")
    default = rows.filter(pl.col("direction_rule") == "sign at published precision")
    # the default is the sign of the change of the whole-number rates: no change only where the rounded ends agree
    assert ((default["direction"] == "no change") == (default["avg_change_at_precision"].abs() < 1e-9)).all()
    tolerance = rows.filter(pl.col("direction_rule") == "tolerance 0.5 on unrounded rates")
    assert ((tolerance["direction"] == "no change") == (tolerance["avg_change"].abs() < 0.5)).all()
    assert (default["direction"] == "no change").sum() < (tolerance["direction"] == "no change").sum()


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


def test_every_status_means_one_thing_on_the_real_files(mirror_warehouse):
    from csc_pipeline.panel_statuses import status_problems

    assert status_problems(mirror_warehouse).is_empty(), status_problems(mirror_warehouse)
    statuses = dict(mirror_warehouse.sql("SELECT status, count(*) FROM mart.la_indicator_panel GROUP BY 1").fetchall())
    assert statuses["suppressed"] > 1000 and statuses["not_harmonisable"] > 100
    assert mirror_warehouse.sql(
        "SELECT count(*) FROM mart.la_indicator_panel WHERE status = 'suppressed' AND symbol IS NULL").fetchone()[0] == 0
    # Cumberland's back-cast rates are whole numbers per 10,000, as DfE prints the years beside them.
    cumberland = mirror_warehouse.sql(
        "SELECT year, value, method FROM mart.la_indicator_panel WHERE geography = 'current' AND la_code = 'E06000063' "
        "AND indicator = 'cla_rate_per_10k' AND year BETWEEN 2019 AND 2025 ORDER BY year").fetchall()
    assert [m for _, _, m in cumberland] == ["recomputed_from_harmonised_counts"] * 5 + ["published"] * 2
    assert all(v == round(v) for _, v, _ in cumberland), cumberland


def test_a_profile_page_for_every_la_on_real_data_with_the_warehouses_headline_numbers(mirror_settings, mirror_warehouse):
    from test_la_profiles import check_profiles

    check_profiles(mirror_settings.reports_dir, mirror_warehouse)
    # England's 153 authorities in force and Wales's 22
    assert len(list((mirror_settings.reports_dir / "la").glob("[EW]*.html"))) >= 170
