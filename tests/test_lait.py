"""DfE LAIT: the parquet reader, the contracts on the real and demo files, and the staging rules
(indicator ids, period labels, LA codes, one refresh per indicator) checked on published figures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from csc_pipeline.contracts import load_contract
from csc_pipeline.demo.families import lait
from csc_pipeline.geography import default_resolver
from csc_pipeline.readers import ReadError, read_parquet
from csc_pipeline.reference_tables import load_indicators
from csc_pipeline.settings import Settings
from pipeline_runs import build_models, check_family, write_demo_family

LAIT_2026 = "dfe/lait/2026-04-08/bds_long_0.parquet"
LAIT_2024 = "dfe/lait/2024-11-15/bds_long_0.parquet"
DICTIONARY = "dfe/lait/2026-04-08/lait_data_dictionary.csv"
MODELS = ["stg_lait", "int_lait_series"]
# Rows the spot checks read, kept small so the staging SQL runs in a moment.
SPOT_MEASURES = ["LAC", "LACnum", "ChildPov", "RescareFinance", "Work_Force_Vac_Rate"]


@pytest.fixture(scope="module")
def real(real_dir, tmp_path_factory):
    settings = Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("lake"))
    lait_problems, lait = check_family(settings, "lait")
    dictionary_problems, dictionary = check_family(settings, "lait_dictionary")
    return {"problems": lait_problems + dictionary_problems, "lait": lait, "dictionary": dictionary}


@pytest.fixture(scope="module")
def real_staged(real):
    lait = real["lait"].filter(pl.col("short_desc").is_in(SPOT_MEASURES))
    con = build_models({"lait": lait, "lait_dictionary": real["dictionary"]}, MODELS)
    yield con
    con.close()


def staged(con, table: str, short_desc: str, la_number: str) -> dict:
    """{year: (area_code, value, status, published_period, release)} of one measure and area."""
    rows = con.execute(
        f"SELECT s.year, s.area_code, s.value, s.status, s.published_period, s.release FROM {table} AS s "
        "JOIN loaded.lait AS r USING (source_entry, source_row) WHERE r.short_desc = ? AND r.la_number = ?",
        [short_desc, la_number],
    ).fetchall()
    return {(r[5], r[0]): r[1:5] for r in rows}


# -- (a) the real files meet their contracts --------------------------------------------------------
def test_every_real_lait_file_meets_its_contract(real):
    assert real["problems"] == [], "\n".join(map(str, real["problems"][:20]))
    lait = real["lait"]
    assert lait.group_by("source_entry").len().sort("source_entry")["len"].to_list() == [
        531_930 - 1_530,  # 2024-11-15: one block of 1,530 rows is printed twice, identically; kept once
        641_070,
    ]
    assert real["dictionary"].height == 448


def test_every_lait_label_names_a_year_and_every_measure_has_one_year_type(real):
    con = build_models({}, [])
    labels = real["lait"]["years"].unique().to_list()
    years = dict(con.execute("SELECT label, lait_label_end_year(label) FROM unnest(?) AS t(label)", [labels]).fetchall())
    assert {label for label, year in years.items() if year is None} == {"0"}
    assert all(2013 <= y <= 2026 for y in years.values() if y is not None)
    year_types = real["dictionary"].group_by("measure_short").agg(pl.col("year_type").n_unique())
    assert year_types.filter(pl.col("year_type") > 1).is_empty()


def test_indicator_ids_are_unique_snake_case_across_refreshes(real):
    con = build_models({}, [])
    shorts = real["lait"]["short_desc"].unique().to_list()
    ids = dict(con.execute("SELECT s, lait_indicator_id(s) FROM unnest(?) AS t(s)", [shorts]).fetchall())
    assert len(set(ids.values())) == len(ids) == 435  # 434 in 2026-04-08, one more only in 2024-11-15
    assert all(re.fullmatch(r"lait_[a-z0-9]+(_[a-z0-9]+)*", i) for i in ids.values())
    assert ids["%_of LAC Adopted"] == "lait_percent_of_lac_adopted"
    assert ids["C&YPExpenditure"] == "lait_c_and_ypexpenditure"


def test_panel_indicators_exist_in_lait_and_keep_lait_polarity(real):
    dictionary = real["dictionary"].unique("measure_short")
    con = build_models({}, [])
    ids = [con.execute("SELECT lait_indicator_id(?)", [s]).fetchone()[0] for s in dictionary["measure_short"]]
    polarity = {
        i: {"High": "higher_is_better", "Low": "higher_is_worse"}.get(p, "neutral")
        for i, p in zip(ids, dictionary["polarity"])
    }
    ours = load_indicators().filter(pl.col("defined_in") == "lait")
    assert ours.height >= 25
    missing = [i for i in ours["indicator"] if i not in polarity]
    assert missing == []
    differs = [(i, p, polarity[i]) for i, p in ours.select("indicator", "polarity").iter_rows() if p != polarity[i]]
    assert differs == []


def test_la_code_list_numbers_are_all_in_the_la_reference(real_dir):
    import fastexcel

    sheet = fastexcel.read_excel(real_dir / "dfe/lait/2026-04-08/la_code_list.xlsx").load_sheet(0, dtypes="string")
    codes = sheet.to_polars().with_columns(pl.col("LA Number").str.replace(r"\.0$", ""))
    las = set(codes.filter(pl.col("Type") != "NA")["LA Number"])
    assert len(las) >= 155
    resolver = default_resolver()
    assert sorted(code for code in las if resolver.resolve_code(code) is None) == []
    # England and the regions (staging maps 970-990); 1000 is "England (discontinued)", unused in the data.
    aggregates = set(codes.filter(pl.col("Type") == "NA")["LA Number"])
    assert aggregates == {"970", *map(str, range(980, 991)), "1000"}


# -- (b) published figures arrive unchanged, with the year and code rules ----------------------------
def test_spot_values_of_the_2026_refresh(real_staged):
    # Barking and Dagenham, children looked after per 10,000 at 31 March 2016 and 2025.
    lac = staged(real_staged, "staging.stg_lait", "LAC", "301")
    assert lac[("2026-04-08", 2016)] == ("E09000002", 69.0, "published", "2016")
    assert lac[("2026-04-08", 2025)][1] == 65.0
    # North Yorkshire's code follows the 2023 reorganisation; its 3-digit code did not change.
    ny = staged(real_staged, "staging.stg_lait", "LACnum", "815")
    assert ny[("2026-04-08", 2022)][:2] == ("E10000023", 430.0)
    assert ny[("2026-04-08", 2024)][:2] == ("E06000065", 501.0)
    # Dorset unitary (838) began on 1 April 2019: its empty 2019 cell is not applicable.
    dorset = staged(real_staged, "staging.stg_lait", "LACnum", "838")
    assert dorset[("2026-04-08", 2019)][2] == "not_applicable"
    assert dorset[("2026-04-08", 2020)][:3] == ("E06000059", 476.0, "published")
    # Kent residential care unit cost, financial year 2024-25 outturn -> 2025.
    kent = staged(real_staged, "staging.stg_lait", "RescareFinance", "886")
    assert kent[("2026-04-08", 2025)] == ("E10000016", 6335.0, "published", "2024-25 (OT)")
    # Inner London is a region row with its E13 code.
    inner = staged(real_staged, "staging.stg_lait", "LAC", "987")
    assert inner[("2026-04-08", 2025)][:2] == ("E13000001", 59.0)


def test_workforce_at_30_september_is_filed_under_the_next_year_ending_31_march(real_staged):
    barnsley = staged(real_staged, "staging.stg_lait", "Work_Force_Vac_Rate", "370")
    assert barnsley[("2026-04-08", 2025)] == ("E08000016", 8.4, "published", "2024")
    assert barnsley[("2026-04-08", 2026)] == ("E08000038", 5.9, "published", "2025")


def test_a_series_comes_whole_from_the_latest_refresh_that_carries_it(real_staged):
    # The child poverty share: the 2024-11-15 refresh has 2016-2023 on DWP's old basis, the
    # 2026-04-08 refresh only 2022-2025 on the re-based series; only the latter reaches the panel.
    trafford = staged(real_staged, "staging.stg_lait", "ChildPov", "358")
    assert trafford[("2024-11-15", 2016)][1] == 11.7
    assert trafford[("2024-11-15", 2023)][1] == 13.5
    series = staged(real_staged, "intermediate.int_lait_series", "ChildPov", "358")
    assert {year: v[1] for (_, year), v in series.items()} == {2022: 12.4, 2023: 12.7, 2024: 12.4, 2025: 12.3}
    assert {release for release, _ in series} == {"2026-04-08"}


# -- (c) the demo files, in the real formats, read back through the same contracts ------------------
@pytest.fixture(scope="module")
def demo_mirror(tmp_path_factory):
    return write_demo_family(tmp_path_factory.mktemp("demo_mirror"), lait.write)


def test_demo_lait_files_meet_the_contracts_and_look_like_the_real_ones(demo_mirror, tmp_path):
    settings = Settings(source_mode="mirror", mirror_dir=demo_mirror, data_lake=tmp_path / "lake")
    for family in ("lait", "lait_dictionary"):
        problems, frame = check_family(settings, family)
        assert problems == [], (family, [str(p) for p in problems[:10]])
    schema = pq.read_schema(demo_mirror / LAIT_2026)
    assert schema.names == ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
    assert schema.field("LA Number").type == pa.float64()
    assert (demo_mirror / DICTIONARY).read_bytes().startswith(b'"Measure_code","Topic"')
    # The 2024-11-15 demo refresh repeats a block verbatim, as the real one does.
    old = pl.read_parquet(demo_mirror / LAIT_2024)
    assert old.is_duplicated().sum() > 0


# -- (d) reader and contract behaviour on mutated files ----------------------------------------------
def write_table(path: Path, rows: dict) -> Path:
    pq.write_table(pa.table(rows), path)
    return path


def test_parquet_reader_gives_text_cells_and_one_based_rows(tmp_path):
    path = write_table(tmp_path / "t.parquet", {
        "LA Number": pa.array([301.0, 970.0, None]), "Share": pa.array([12.5, 0.1, 3.0]),
        "Name": pa.array(["a", None, "c"]), "Count": pa.array([1, 2, 3], type=pa.int64()),
    })
    frame = read_parquet(path, None)
    assert frame["LA Number"].to_list() == ["301", "970", None]
    assert frame["Share"].to_list() == ["12.5", "0.1", "3"]
    assert frame["Name"].to_list() == ["a", None, "c"]
    assert frame["Count"].to_list() == ["1", "2", "3"]
    assert frame["source_row"].to_list() == [1, 2, 3] and frame["source_file"][0] == "t.parquet"


def test_a_file_that_is_not_parquet_is_a_read_error_naming_it(tmp_path):
    path = tmp_path / "bds_long_0.parquet"
    path.write_bytes(b"not a parquet file")
    with pytest.raises(ReadError, match="bds_long_0.parquet"):
        read_parquet(path, load_contract("lait_bds_long"))


MUTATIONS = {
    "unknown period label": (
        lambda f, i: f.with_columns(pl.when(pl.int_range(pl.len()) == i).then(pl.lit("Spring 2025")).otherwise(pl.col("Years")).alias("Years")),
        "years", "does not match the pattern",
    ),
    "unknown LA number": (
        lambda f, i: f.with_columns(pl.when(pl.int_range(pl.len()) == i).then(pl.lit(999.0)).otherwise(pl.col("LA Number")).alias("LA Number")),
        "la_number", "DfE 3-digit LA code does not resolve to a known authority",
    ),
    "text in Values": (
        lambda f, i: f.with_columns(pl.when(pl.int_range(pl.len()) == i).then(pl.lit("n/a")).otherwise(pl.col("Values")).alias("Values")),
        "value", "not a number or a known symbol",
    ),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_mutated_lait_file_fails_naming_file_row_and_column(name, demo_mirror, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(demo_mirror, mirror)
    path = mirror / LAIT_2026
    frame = pl.read_parquet(path)
    index = frame.with_row_index().filter((pl.col("index") >= frame.height // 2) & (pl.col("Region") != "NA"))["index"][0]
    edit, column, message = MUTATIONS[name]
    edit(frame, index).write_parquet(path)
    problems, _ = check_family(Settings(source_mode="mirror", mirror_dir=mirror, data_lake=tmp_path / "lake"), "lait")
    assert [(p.file, p.row, p.column) for p in problems] == [(LAIT_2026, index + 1, column)], problems
    assert message in problems[0].message


def test_rows_that_share_a_key_but_differ_still_fail(demo_mirror, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(demo_mirror, mirror)
    path = mirror / LAIT_2026
    frame = pl.read_parquet(path)
    changed = frame.head(1).with_columns(pl.lit("12345").alias("Values"))
    pl.concat([frame, frame.head(1), changed]).write_parquet(path)  # an identical repeat, then a different one
    problems, _ = check_family(Settings(source_mode="mirror", mirror_dir=mirror, data_lake=tmp_path / "lake"), "lait")
    assert problems and all("duplicate key" in p.message for p in problems)
    assert {p.row for p in problems} <= {1, frame.height + 2}
