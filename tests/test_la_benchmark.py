"""mart.la_benchmark on the shared demo refresh: every number recomputed here from the tables it is
built from (the panel, the published area values, the published neighbour lists, the dictionary)."""

from __future__ import annotations

import polars as pl
import pytest

KEY = ["geography", "la_code", "year", "indicator"]


@pytest.fixture(scope="module")
def frames(demo_run):
    import duckdb

    with duckdb.connect(str(demo_run[0].warehouse_path), read_only=True) as con:
        return {name: con.sql(f"SELECT * FROM {table}").pl() for name, table in {
            "benchmark": "mart.la_benchmark", "panel": "mart.la_indicator_panel", "areas": "mart.area_indicator_values",
            "neighbours": "mart.statistical_neighbours", "dictionary": "mart.indicator_dictionary"}.items()}


def test_one_row_per_panel_row_with_the_panels_value(frames):
    benchmark, panel = frames["benchmark"], frames["panel"]
    assert benchmark.height == panel.height > 1000
    assert benchmark.select(KEY).is_duplicated().sum() == 0
    joined = panel.select(*KEY, "value").join(benchmark.select(*KEY, pl.col("value").alias("b")), on=KEY, how="left", nulls_equal=True)
    assert joined.filter(pl.col("value").ne_missing(pl.col("b"))).is_empty()


def _computed_areas(panel: pl.DataFrame, dictionary: pl.DataFrame) -> pl.DataFrame:
    """Area values recomputed from LA rows: counts summed when every LA has one; rates and percentages
    as summed numerators over summed denominators of the LAs with both."""
    members = pl.concat([
        panel.filter(pl.col("region") != pl.col("nation")).select("geography", pl.lit("region").alias("area_level"),
                                                                  pl.col("region").alias("area"), "year", "indicator", "la_code", "value"),
        panel.select("geography", pl.lit("nation").alias("area_level"), pl.col("nation").alias("area"), "year", "indicator", "la_code", "value"),
    ])
    area = ["geography", "area_level", "area", "year"]
    counts = (members.join(dictionary.filter(pl.col("kind") == "count").select("indicator"), on="indicator")
              .group_by(*area, "indicator")
              .agg(pl.when(pl.col("value").null_count() == 0).then(pl.col("value").sum()).alias("computed")))
    multiplier = {"rate": 10_000.0, "percent": 100.0}
    ratios = []
    for row in dictionary.filter(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()).iter_rows(named=True):
        parts = [members.filter(pl.col("indicator") == row[side]).select(*area, "la_code", pl.col("value").alias(side))
                 for side in ("numerator", "denominator")]
        both = parts[0].join(parts[1], on=[*area, "la_code"]).drop_nulls(["numerator", "denominator"])
        ratios.append(both.group_by(area).agg(
            (pl.col("numerator").sum() / pl.col("denominator").sum() * multiplier.get(row["kind"], 1.0)).alias("computed"))
            .with_columns(pl.lit(row["indicator"]).alias("indicator")))
    return pl.concat([counts, *ratios], how="diagonal")


@pytest.mark.parametrize("level", ["region", "nation"])
def test_area_values_are_the_published_ones_or_recomputed_from_the_panel(frames, level):
    benchmark = frames["benchmark"].filter(pl.col(f"{level}_value").is_not_null())
    published = frames["areas"].filter(pl.col("area_level") == level).select(
        pl.col("area").alias(level), "year", "indicator", pl.col("value").alias("published")).unique([level, "year", "indicator"])
    rows = benchmark.join(published, on=[level, "year", "indicator"], how="left")
    by_basis = rows.filter(pl.col(f"{level}_value_basis") == "published")
    assert by_basis.height > 0
    assert (by_basis[f"{level}_value"] - by_basis["published"]).abs().max() < 1e-9
    # computed only where nothing is published
    assert rows.filter((pl.col(f"{level}_value_basis") != "published") & pl.col("published").is_not_null()).is_empty()
    computed = _computed_areas(frames["panel"], frames["dictionary"]).filter(pl.col("area_level") == level).rename({"area": level})
    recomputed = rows.filter(pl.col(f"{level}_value_basis") != "published").join(
        computed, on=["geography", level, "year", "indicator"], how="left")
    assert recomputed.height > 0
    assert recomputed["computed"].null_count() == 0
    assert ((recomputed[f"{level}_value"] - recomputed["computed"]).abs() <= 1e-6 * recomputed["computed"].abs().clip(1)).all()
    if level == "region":  # Wales has no regions
        assert frames["benchmark"].filter((pl.col("nation") == "Wales") & pl.col("region_value").is_not_null()).is_empty()


def test_neighbour_mean_is_recomputed_from_the_published_lists_of_the_years_model(frames):
    benchmark, panel, neighbours = frames["benchmark"], frames["panel"], frames["neighbours"]
    models = neighbours.select("model_version", "authority_id").unique().with_columns(
        pl.col("model_version").str.slice(0, 4).cast(pl.Int32).alias("model_year"))
    listed = benchmark.filter(pl.col("authority_id").is_not_null()).select("la_code", "authority_id", "year").unique()
    # the rule: the latest model by the year that lists the LA, else the earliest that lists it
    chosen = listed.join(models, on="authority_id").with_columns(by_year=pl.col("model_year") <= pl.col("year")).sort(
        "by_year", pl.when(pl.col("by_year")).then(-pl.col("model_year")).otherwise(pl.col("model_year")),
        descending=[True, False]).group_by("la_code", "year", maintain_order=True).first()
    got = benchmark.select("la_code", "year", "neighbour_model_version").unique().join(chosen, on=["la_code", "year"], how="left")
    assert got.filter(pl.col("neighbour_model_version").ne_missing(pl.col("model_version"))).is_empty()
    assert set(benchmark["neighbour_model_version"].drop_nulls()) == set(neighbours["model_version"])

    pairs = chosen.join(neighbours.select("model_version", "authority_id", "neighbour_authority_id"), on=["model_version", "authority_id"])
    values = panel.filter(pl.col("authority_id").is_not_null()).select(
        "geography", pl.col("authority_id").alias("neighbour_authority_id"), "year", "indicator", pl.col("value").alias("nv"))
    expected = (benchmark.select(*KEY).join(pairs.select("la_code", "year", "neighbour_authority_id"), on=["la_code", "year"])
                .join(values, on=["geography", "neighbour_authority_id", "year", "indicator"], how="left")
                .group_by(KEY).agg(pl.col("nv").mean().alias("mean"), pl.col("nv").count().alias("n")))
    compared = benchmark.join(expected, on=KEY, how="left")
    with_neighbours = compared.filter(pl.col("neighbours_with_value") > 0)
    assert with_neighbours.height > 1000
    assert (with_neighbours["neighbours_mean"] - with_neighbours["mean"]).abs().max() < 1e-9
    assert (compared["neighbours_with_value"] == compared["n"].fill_null(0)).all()
    assert compared.filter((pl.col("neighbours_with_value") == 0) & pl.col("neighbours_mean").is_not_null()).is_empty()


def test_ranks_bands_and_directions_follow_the_dictionarys_polarity(frames):
    benchmark = frames["benchmark"]
    polarity = dict(frames["dictionary"].select("indicator", "polarity").iter_rows())
    assert (benchmark["polarity"] == benchmark["indicator"].replace_strict(polarity)).all()
    group = ["geography", "nation", "year", "indicator"]
    valued = benchmark.filter(pl.col("value").is_not_null())
    for sign, name in ((-1, "higher_is_better"), (1, "higher_is_worse")):
        rows = valued.filter(pl.col("polarity") == name).with_columns(score=pl.col("value") * sign)
        assert rows.height > 100, name
        # rank = 1 + how many of the nation's LAs have a strictly better value
        better = rows.join(rows.select(*group, pl.col("score").alias("other")), on=group).group_by(*KEY).agg(
            (pl.col("other") < pl.col("score")).sum().alias("better"), pl.len().alias("n"))
        checked = rows.join(better, on=KEY)
        assert (checked["rank"] == checked["better"] + 1).all(), name
        assert (checked["las_ranked"] == checked["n"]).all()
        assert (checked["quartile_band"] == (1 + (4 * (checked["rank"] - 1) // checked["n"])).clip(upper_bound=4)).all()
        best = checked.filter(pl.col("rank") == 1).join(rows.group_by(group).agg(pl.col("score").min().alias("best")), on=group)
        assert (best["score"] == best["best"]).all()
        moved = checked.filter(pl.col("change_over_3_years").is_not_null() & (pl.col("change_over_3_years").round(9) != 0))
        assert moved.height > 0
        assert ((moved["direction_over_3_years"] == "improving") == (moved["change_over_3_years"] * sign < 0)).all()
    neutral = benchmark.filter(pl.col("polarity") == "neutral")
    assert neutral.height > 0 and neutral["rank"].null_count() == neutral.height
    assert neutral.filter(pl.col("value").is_not_null())["rank_note"].str.contains("no polarity").all()
    assert set(neutral["direction_over_3_years"].drop_nulls()) <= {"increasing", "decreasing", "no change"}
    assert benchmark.filter(pl.col("value").is_null() & pl.col("rank").is_not_null()).is_empty()


def test_changes_are_against_the_years_before(frames):
    # an authority is followed across code changes (combined reporting units by their code)
    b = frames["benchmark"].with_columns(la_key=pl.coalesce("authority_id", "la_code"))
    key = ["geography", "la_key", "year", "indicator"]
    earlier = b.select(*[c for c in key if c != "year"], (pl.col("year") + 1).alias("year"), pl.col("value").alias("before"))
    joined = b.join(earlier, on=key, how="left")
    assert joined.filter(pl.col("previous_year_value").ne_missing(pl.col("before"))).is_empty()
    changed = joined.filter(pl.col("change_from_previous_year").is_not_null())
    assert changed.height > 1000
    assert ((changed["change_from_previous_year"] - (changed["value"] - changed["before"])).abs() < 1e-9).all()
