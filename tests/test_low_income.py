"""Children in low income families: DWP Stat-Xplore exports (both layouts, names or codes) and the
HMRC local measure via Fingertips; contracts on the real and demo files, published figures through
the staging SQL, and the Stat-Xplore reader's behaviour."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csc_pipeline.contracts import load_contract
from csc_pipeline.demo.families import low_income
from csc_pipeline.demo.families.low_income import RELATIVE_CODES_PATH, RELATIVE_PATH
from csc_pipeline.readers import ReadError, read_statxplore
from csc_pipeline.settings import Settings
from pipeline_runs import check_families, check_family, checked_models, write_demo_family

FAMILIES = ("dwp_children_low_income", "hmrc_children_low_income")
MODELS = ["stg_dwp_children_low_income", "int_dwp_children_low_income_series", "stg_hmrc_children_low_income",
          "int_hmrc_children_low_income_counties"]
CONTRACT = load_contract("dwp_statxplore_children_low_income")


@pytest.fixture(scope="module")
def real(real_dir, tmp_path_factory):
    # The ONS MYE2 file gives the districts' children under 16 that the county aggregation weighs by.
    con = checked_models(real_dir, tmp_path_factory.mktemp("real"), (*FAMILIES, "wales_population_mye2"), MODELS)
    yield con
    con.close()


def value(con, table: str, entry: str, indicator: str, area_code: str, year: int):
    rows = con.execute(
        f"SELECT value, status, published_period, country_code FROM {table} "
        "WHERE source_entry LIKE ? AND indicator = ? AND area_code = ? AND year = ?",
        [entry, indicator, area_code, year],
    ).fetchall()
    assert len(rows) == 1, (entry, indicator, area_code, year, rows)
    return rows[0]


# -- (a) + (b): the real files meet the contracts; published figures come through -------------------
RELATIVE = "children_relative_low_income_count"
ABSOLUTE = "children_absolute_low_income_count"


def test_stat_xplore_figures_by_code_and_by_name(real):
    stg = "staging.stg_dwp_children_low_income"
    # By GSS code (the 2023 table): County Durham FYE 2015 and the provisional FYE 2022.
    assert value(real, stg, "%codes_fye2022", RELATIVE, "E06000047", 2015)[:3] == (19564, "published", "Financial year 2014/15")
    assert value(real, stg, "%codes_fye2022", RELATIVE, "E06000047", 2022)[:3] == (27178, "published", "Financial year 2021/22 (p)")
    assert value(real, stg, "%codes_fye2022", RELATIVE, "W06000002", 2015)[::3] == (4588, "W92000004")
    # By name, long layout (the 2022 absolute table): Darlington and Dorset (the 2019 unitary).
    assert value(real, stg, "%absolute_utla_fye2021", ABSOLUTE, "E06000005", 2021)[:3] == (6368, "published", "Financial year 2020/21 (p)")
    assert value(real, stg, "%absolute_utla_fye2021", ABSOLUTE, "E06000059", 2015)[0] == 9910
    # The re-saved 2025 table: Cumberland (from 2023) back to FYE 2015, and a bilingual Welsh name.
    assert value(real, stg, "%relative_utla_fye2024", RELATIVE, "E06000063", 2015)[0] == 9205
    assert value(real, stg, "%relative_utla_fye2024", RELATIVE, "W06000015", 2024)[::3] == (19640, "W92000004")
    assert value(real, stg, "%relative_utla_fye2024", RELATIVE, "E06000047", 2024)[0] == 31005


def test_outside_england_and_wales_and_the_table_margins_are_dropped(real):
    codes = {r[0][:3] for r in real.execute("SELECT DISTINCT area_code FROM staging.stg_dwp_children_low_income").fetchall()}
    assert codes <= {"E06", "E08", "E09", "E10", "W06"}
    per_release = dict(real.execute(
        "SELECT release || ' ' || indicator, count(DISTINCT area_code) FROM staging.stg_dwp_children_low_income GROUP BY 1"
    ).fetchall())
    # 152 English authorities before the 2023 Cumbria split, 153 after; 22 Welsh.
    assert per_release == {f"2022 {ABSOLUTE}": 174, f"2022 {RELATIVE}": 174, f"2023 {RELATIVE}": 174, f"2025 {RELATIVE}": 175}


def test_a_series_comes_whole_from_the_latest_release(real):
    releases = real.execute(
        "SELECT indicator, list(DISTINCT release), count(*) FILTER (WHERE area_code = 'E10000006') "
        "FROM intermediate.int_dwp_children_low_income_series GROUP BY 1 ORDER BY 1"
    ).fetchall()
    # Absolute: the 2022 table only (with Cumbria); relative: the 2025 table (Cumberland, no Cumbria).
    assert releases == [(ABSOLUTE, ["2022"], 7), (RELATIVE, ["2025"], 0)]


def test_hmrc_local_measure(real):
    stg = "staging.stg_hmrc_children_low_income"
    hmrc = "children_low_income_hmrc_percent"
    # The 2016 snapshot (31 August 2016) falls in the year ending 31 March 2017.
    assert value(real, stg, "%", hmrc, "E08000009", 2017)[:3] == (11.6, "published", "2016 snapshot (31 August)")
    assert value(real, stg, "%", hmrc, "E06000047", 2015)[0] == 23.9
    assert value(real, stg, "%", hmrc, "E06000053", 2014)[:2] == (None, "missing")  # Isles of Scilly: NA
    prefixes = dict(real.execute(
        f"SELECT geographic_level || ' ' || left(area_code, 3), count(DISTINCT area_code) FROM {stg} GROUP BY 1"
    ).fetchall())
    # Districts are kept apart (to be aggregated); no counties, combined authorities or England.
    assert prefixes == {"local_authority E06": 56, "local_authority E08": 36, "local_authority E09": 33, "district E07": 201}


def test_hmrc_shire_counties_are_built_from_their_districts_counts(real, real_dir):
    """Every shire county gets each snapshot's percentage as its districts' estimated low-income
    children over their children under 16 (never a mean of percentages), checked here against an
    independent district -> county lookup (ONS LTLA21 -> UTLA21) and the MYE2 file read directly."""
    import csv

    lookup = {}
    with open(real_dir / "ons/geography/ltla21-utla21-lookup.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            lookup.setdefault(row["UTLA21CD"], set()).add(row["LTLA21CD"])
    with open(real_dir / "ons/population_mye/ons_MYE2_mid2014_UK_persons_by_LA_single_year_age__StatisticsNZ_demdata.csv",
              encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header = next(i for i, r in enumerate(rows) if r[0] == "CODE")
    under_16 = {r[0]: sum(float(r[rows[header].index(str(a))].replace(",", "")) for a in range(16)) for r in rows[header + 1:] if r and r[0]}
    percent = {}
    with open(real_dir / "dwp/low_income/fingertips_10101_children_in_low_income_families_district_UA_2006_2016__traffordDataLab.csv",
              encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["value"] != "NA":
                percent[row["area_code"], int(row["period"]) + 1] = float(row["value"])
    counties = real.execute(
        "SELECT area_code, year, value, status, method FROM intermediate.int_hmrc_children_low_income_counties").fetchall()
    assert {c for c, *_ in counties} == {c for c in under_16 if c.startswith("E10")}  # all 27 counties of 2014
    assert {y for _, y, *_ in counties} == set(range(2007, 2018))
    assert all(status == "published" and method == "aggregated_from_districts_by_children_under_16" for *_, status, method in counties)
    # Counties whose districts are unchanged from 2014 to 2021 (not Dorset, Suffolk, Somerset,
    # Northamptonshire, Buckinghamshire) are checked against the 2021 lookup.
    checked = 0
    for county, year, value_, *_ in counties:
        districts = lookup.get(county, set())
        if not districts or any((d, year) not in percent for d in districts):
            continue
        expected = sum(percent[d, year] * under_16[d] for d in districts) / sum(under_16[d] for d in districts)
        assert value_ == pytest.approx(expected, rel=1e-9), (county, year)
        checked += 1
    assert checked >= 20 * 11


# -- (c) the demo files, in the real formats, read back through the same contracts ------------------
@pytest.fixture(scope="module")
def demo_mirror(tmp_path_factory):
    return write_demo_family(tmp_path_factory.mktemp("demo_mirror"), low_income.write)


def test_demo_files_meet_the_contracts(demo_mirror, tmp_path):
    problems, frames = check_families(demo_mirror, tmp_path, FAMILIES)
    assert problems == [], [str(p) for p in problems[:10]]
    dwp = frames["dwp_children_low_income"]
    assert set(dwp["counting"]) == {"relative", "absolute"}
    assert dwp["la_code"].null_count() == 0
    assert dwp.group_by("source_entry").len().height == 4


# -- (d) the Stat-Xplore reader and the contract on mutated exports ---------------------------------
def write(path: Path, lines: list[str], bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


TITLE = ["Stat-Xplore", "", '"Relative Low Income (I)"', '"National - Regional - LA - OAs by Year"',
         '"Counting: Relative Low Income"', "", "Filters:", '"Default Summation","Relative Low Income"', ""]


def test_wide_table_is_melted_into_the_long_layout(tmp_path):
    path = write(tmp_path / "wide.csv", TITLE + [
        '"Year","2019/20","2019/20 - Annotations","2020/21 (p)","2020/21 - Annotations",',
        '"National - Regional - LA - OAs",',
        '"Hartlepool",4316,,4510,"x",',
        '"Unknown",..,,..,,',
        "", '"INFO","notes below the table"', "Symbol,Description", '"I","nil"',
    ])
    frame = read_statxplore(path, CONTRACT)
    assert frame.columns[:5] == ["Counting", "National - Regional - LA - OAs", "Year", "Count", "Annotations"]
    assert frame.select("National - Regional - LA - OAs", "Year", "Count", "Annotations").rows() == [
        ("Hartlepool", "2019/20", "4316", ""), ("Hartlepool", "2020/21 (p)", "4510", "x"),
        ("Unknown", "2019/20", "..", ""), ("Unknown", "2020/21 (p)", "..", ""),
    ]
    assert set(frame["Counting"]) == {"Relative Low Income"}
    assert frame["source_row"].to_list() == [12, 12, 13, 13]


def test_long_and_re_saved_layouts(tmp_path):
    long = write(tmp_path / "long.csv", TITLE + [
        '"Counting","National - Regional - LA - OAs","Year","Count","Annotations",',
        '"Absolute Low Income","Darlington","2014/15",4571,', "", "Source: DWP",
    ])
    assert read_statxplore(long, CONTRACT).select("Counting", "Year", "Count", "source_row").rows() == [
        ("Absolute Low Income", "2014/15", "4571", 11)
    ]
    resaved = write(tmp_path / "resaved.csv", [
        '"Relative Low Income (I\nII)",,,', "Counting: Relative Low Income,,,", ",,,",
        "Year,,2014/15,2015/16", ",National - Regional - LA - OAs,,", ",Darlington,4759,5022",
    ], bom=True)
    frame = read_statxplore(resaved, CONTRACT)
    assert frame.select("National - Regional - LA - OAs", "Year", "Count", "Annotations").rows() == [
        ("Darlington", "2014/15", "4759", None), ("Darlington", "2015/16", "5022", None),
    ]
    assert frame["source_row"].to_list() == [6, 6]  # spreadsheet rows: the two-line title is one row


def test_unreadable_layouts_are_read_errors_naming_file_and_row(tmp_path):
    with pytest.raises(ReadError, match="notable.csv: no Stat-Xplore table"):
        read_statxplore(write(tmp_path / "notable.csv", ["Stat-Xplore", "", "Filters:"]), CONTRACT)
    shifted = write(tmp_path / "shifted.csv", [
        "Year,,2014/15,2015/16", ",National - Regional - LA - OAs,,", "x,Darlington,4759,5022",
    ])
    with pytest.raises(ReadError, match=r"shifted.csv, row 3: cells left of the row labels"):
        read_statxplore(shifted, CONTRACT)


def mutate(demo_mirror: Path, tmp_path: Path, rel: str, old: str, new: str) -> list:
    mirror = tmp_path / "mirror"
    shutil.copytree(demo_mirror, mirror)
    path = mirror / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems, _ = check_family(Settings(source_mode="mirror", mirror_dir=mirror, data_lake=tmp_path / "lake"),
                               "dwp_children_low_income")
    return problems


def test_an_unknown_area_name_fails_naming_file_row_and_column(demo_mirror, tmp_path):
    problems = mutate(demo_mirror, tmp_path, RELATIVE_PATH, '"Fife",', '"Atlantis",')
    assert {(p.file, p.column, p.value) for p in problems} == {(RELATIVE_PATH, "area", "Atlantis")}
    assert all("does not resolve" in p.message and p.row for p in problems)


def test_an_unknown_code_text_in_a_count_and_a_lost_title_fail(demo_mirror, tmp_path):
    problems = mutate(demo_mirror, tmp_path / "a", RELATIVE_CODES_PATH, '"E06000047",', '"E07000026",')
    assert problems and {(p.column, p.value) for p in problems} == {("area", "E07000026")}
    problems = mutate(demo_mirror, tmp_path / "b", RELATIVE_CODES_PATH, '"E06000005",', '"E06000005",lots,,')
    assert [(p.column, p.value) for p in problems] == [("count", "lots")]
    problems = mutate(demo_mirror, tmp_path / "c", RELATIVE_CODES_PATH, '"Counting: Relative Low Income"', '"Counting:"')
    assert problems and {p.column for p in problems} == {"counting"}
