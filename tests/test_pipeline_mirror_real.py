"""Mirror mode on the real published files (../shared/data/real): the vertical slice is correct."""

from __future__ import annotations

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
        "WHERE geography = 'as_published' AND indicator = 'cla_rate_per_10k' AND nation = 'England'"
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
        "SELECT coalesce(authority_id, la_code), year, indicator, count(*) FROM mart.la_indicator_panel "
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
    assert trend.height == 8
    # Published national rates are rounded to integers; LA counts sum to the national count.
    assert ((trend["cla_rate_per_10k"] - trend["published_rate_per_10k"]).abs() < 1.0).all(), trend


def test_workforce_units_are_panel_geographies_and_the_latest_release_wins(mirror_warehouse):
    rows = mirror_warehouse.sql(
        """
        SELECT la_name, la_type, region, authority_id, value, release
        FROM mart.la_indicator_panel
        WHERE la_code = 'E09000021 / E09000027' AND year = 2018 AND indicator = 'sw_turnover_rate_percent'
        """
    ).fetchall()
    # The 2022 release printed 31.5 (under Kingston's code); the 2025 release revised it to 27.5.
    assert rows == [("Kingston upon Thames / Richmond upon Thames", "combined_unit", "London", None, 27.5, "2025")]
    members = mirror_warehouse.sql(
        "SELECT count(*) FROM mart.la_indicator_panel WHERE la_code IN ('E09000021', 'E09000027') "
        "AND indicator = 'sw_fte_count' AND year = 2018 AND value IS NOT NULL"
    ).fetchone()[0]
    assert members == 0  # no member values are invented


def test_spend_per_child_is_spend_over_the_population_of_the_same_year(mirror_warehouse):
    rows = mirror_warehouse.sql(
        """
        SELECT s.la_code, s.year, s.value, c.value, p.value, c.method
        FROM mart.la_indicator_panel AS s
        JOIN mart.la_indicator_panel AS c USING (la_code, year)
        JOIN mart.la_indicator_panel AS p USING (la_code, year)
        WHERE s.indicator = 'ro_csc_net_expenditure_gbp' AND c.indicator = 'ro_csc_net_expenditure_per_child_gbp'
          AND p.indicator = 'population_0_17' AND s.value IS NOT NULL AND p.value IS NOT NULL
        """
    ).fetchall()
    assert len(rows) > 1500
    assert all(method == "computed_from_count_and_population" and abs(per - spend / pop) < 1e-6
               for _, _, spend, per, pop, method in rows)
