"""MHCLG revenue outturn RO3 (2008-09..2024-25) and RSX: real workbooks, staging, demo, the grouped-header reader."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from csc_pipeline.contracts import conform, load_contract
from csc_pipeline.demo.formats import ods_bytes
from csc_pipeline.readers import ReadError, read_published
from pipeline_runs import family_warehouse

FAMILIES = ["mhclg_ro3", "mhclg_rsx"]
TABLE = "staging.stg_mhclg_revenue_outturn"


@pytest.fixture(scope="module")
def real(shared_mirror_settings):
    con, problems = family_warehouse(shared_mirror_settings, FAMILIES, [TABLE])
    yield con, problems
    con.close()


@pytest.fixture(scope="module")
def demo(shared_demo_settings):
    con, problems = family_warehouse(shared_demo_settings, FAMILIES, [TABLE])
    yield con, problems
    con.close()


def test_every_real_workbook_meets_its_contract(real):
    _, problems = real
    assert problems == {"mhclg_ro3": [], "mhclg_rsx": []}


@pytest.mark.parametrize(
    ("code", "year", "indicator", "published_thousands"),
    [
        # 2008-09: strategy 0 + asylum seekers 0 + other children and families 49,448 (Bristol);
        # 356 + 17,232 + 108,413 (Kent).
        ("E06000023", 2009, "ro_csc_net_expenditure_gbp", 49448),
        ("E10000016", 2009, "ro_csc_net_expenditure_gbp", 126001),
        # 2015-16: North Yorkshire is printed with ONS code E10000022; matched by name.
        ("E10000023", 2016, "ro_csc_net_expenditure_gbp", 50917),
        ("E10000023", 2016, "ro_cla_net_expenditure_gbp", 17319),
        ("E08000003", 2016, "ro_cla_net_expenditure_gbp", 57772),
        ("E09000003", 2024, "ro_csc_net_expenditure_gbp", 97870),
        ("E08000035", 2024, "ro_cla_net_expenditure_gbp", 126508),
        ("E08000035", 2024, "ro_csc_net_expenditure_gbp", 243367),
        ("E08000037", 2025, "ro_cla_net_expenditure_gbp", 39182.99959),
        ("E08000037", 2025, "ro_csc_net_expenditure_gbp", 69060.99959),
    ],
)
def test_staged_values_equal_the_published_figures(real, code, year, indicator, published_thousands):
    con, _ = real
    rows = con.execute(
        f"SELECT value, status, source_entry FROM {TABLE} WHERE area_code = ? AND year = ? AND indicator = ? "
        "ORDER BY source_entry",
        [code, year, indicator],
    ).fetchall()
    # From 2022-23 RSX repeats the children's social care total (a second, lower-precedence source).
    assert [entry[:9] for _, _, entry in rows] in (["mhclg_ro3"], ["mhclg_ro3", "mhclg_rsx"]), rows
    for value, status, _ in rows:
        assert (value, status) == (pytest.approx(published_thousands * 1000, abs=0.01), "published")


def test_every_year_but_2021_22_covers_every_authority(real):
    con, _ = real
    counts = dict(con.execute(
        f"SELECT year, count(DISTINCT area_code) FROM {TABLE} WHERE indicator = 'ro_csc_net_expenditure_gbp' GROUP BY 1"
    ).fetchall())
    assert sorted(counts) == [y for y in range(2009, 2026) if y != 2022]
    assert counts[2009] == 150 and counts[2024] == 153
    assert all(151 <= n <= 153 for y, n in counts.items() if y != 2009), counts


def test_rsx_children_social_care_equals_ro3(real):
    con, _ = real
    different = con.execute(
        """
        SELECT x.la_name, x.period, x.csc_total_net_current_expenditure, r.csc_total_net_current_expenditure
        FROM loaded.mhclg_rsx AS x JOIN loaded.mhclg_ro3 AS r USING (la_code, period)
        WHERE x.csc_total_net_current_expenditure IS DISTINCT FROM r.csc_total_net_current_expenditure
        """
    ).fetchall()
    assert different == []
    assert con.execute("SELECT count(*) FROM loaded.mhclg_rsx").fetchone()[0] == 152 + 153 + 153


def test_demo_workbooks_meet_the_contract_in_every_layout(demo):
    con, problems = demo
    assert problems == {"mhclg_ro3": [], "mhclg_rsx": []}
    rows = con.execute(
        f"SELECT year, source_entry[:9], status, count(*) FROM {TABLE} WHERE indicator = 'ro_csc_net_expenditure_gbp' "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    # RO3 in its two current layouts (2023-24, 2024-25), RSX in its two (2022-23 and 2023-24, 2024-25);
    # one RO return a year, so both miss the same two authorities.
    assert rows == [
        (2023, "mhclg_rsx", "missing", 2), (2023, "mhclg_rsx", "published", 150),
        (2024, "mhclg_ro3", "missing", 2), (2024, "mhclg_ro3", "published", 151),
        (2024, "mhclg_rsx", "missing", 2), (2024, "mhclg_rsx", "published", 151),
        (2025, "mhclg_ro3", "missing", 2), (2025, "mhclg_ro3", "published", 151),
        (2025, "mhclg_rsx", "missing", 2), (2025, "mhclg_rsx", "published", 151),
    ]
    # Children looked after is part of children's social care.
    over = con.execute(
        f"""
        SELECT count(*) FROM {TABLE} AS a JOIN {TABLE} AS b USING (area_code, year)
        WHERE a.indicator = 'ro_cla_net_expenditure_gbp' AND b.indicator = 'ro_csc_net_expenditure_gbp' AND a.value > b.value
        """
    ).fetchone()[0]
    assert over == 0


def test_demo_rsx_children_social_care_equals_ro3(demo):
    con, _ = demo
    pairs = con.execute(
        """
        SELECT x.period, x.csc_total_net_current_expenditure, r.csc_total_net_current_expenditure
        FROM loaded.mhclg_rsx AS x JOIN loaded.mhclg_ro3 AS r USING (la_code, period)
        """
    ).fetchall()
    assert {period for period, _, _ in pairs} == {2024, 2025} and len(pairs) == 2 * 153
    assert [p for p in pairs if p[1] != p[2]] == []
    # RSX's uneven header spacing ("Children Social Care -  Net Current ...") still meets the alias.
    published = con.execute("SELECT count(*) FROM loaded.mhclg_rsx WHERE csc_total_net_current_expenditure <> '[x]'").fetchone()
    assert published == (150 + 151 + 151,)


# -- the grouped-header reader and the contract features it relies on ------------------------------
def workbook(tmp_path, rows, sheet="RO3_LA_Data_2023-24", name="ro3.ods"):
    path = tmp_path / name
    path.write_bytes(ods_bytes([("Front_Page", [["x"]]), (sheet, rows)], title="test"))
    return path


def grouped_rows(net_header="Net Current Expenditure\n (C7 = C3 - C6)", cla_value=5):
    return [
        ["Revenue outturn test"],
        ["RO3-x", None, None, None, None, "C1R10"],
        [None, None, None, None, "Children's social care - Children Looked After", None, "TOTAL CHILDREN SOCIAL CARE", None],
        ["E-code", "Local authority", "Class", None, "Employees\n (C1)", net_header, "Employees\n (C1)", net_header],
        ["E0101", "Bath & North East Somerset UA", "UA", None, 1, cla_value, 2, 9],
        ["E0102", "Adur", "SD", None, 0, 0, 0, 0],
        [None, "ENGLAND", None, None, 1, 5, 2, 9],
        ["Note: figures are synthetic"],
    ]


def test_grouped_header_reader_names_columns_by_service_and_measure(tmp_path):
    contract = load_contract("mhclg_ro3")
    frame = read_published(workbook(tmp_path, grouped_rows()), contract)
    assert frame.columns[:7] == [
        "E-code", "Local authority", "Class",
        "Children's social care - Children Looked After - Employees (C1)",
        "Children's social care - Children Looked After - Net Current Expenditure (C7 = C3 - C6)",
        "TOTAL CHILDREN SOCIAL CARE - Employees (C1)",
        "TOTAL CHILDREN SOCIAL CARE - Net Current Expenditure (C7 = C3 - C6)",
    ]
    assert frame["source_row"].to_list() == [5, 6, 7]  # the note below the data is dropped
    conformed, problems = conform(frame, contract, "ro3.ods")
    assert problems == []
    # keep_rows: authorities only (the district and the England total are dropped).
    assert conformed.select("la_name", "cla_net_current_expenditure", "csc_total_net_current_expenditure").rows() == [
        ("Bath & North East Somerset UA", "5", "9")]


def test_ignored_columns_do_not_hide_a_required_column(tmp_path):
    # A renamed measure falls under ignore_columns (" - "). The RO3 columns are optional (they
    # exist only in some years), so the real-file coverage test above is what notices a rename;
    # a contract that requires the column reports it missing.
    contract = load_contract("mhclg_ro3")
    frame = read_published(workbook(tmp_path, grouped_rows(net_header="Net spend (C7)")), contract)
    conformed, problems = conform(frame, contract, "ro3.ods")
    assert problems == [] and conformed["csc_total_net_current_expenditure"].null_count() == conformed.height
    strict = replace(contract, columns=tuple(replace(c, required=True) if c.name == "csc_total_net_current_expenditure" else c
                                             for c in contract.columns))
    _, problems = conform(frame, strict, "ro3.ods")
    assert [(p.column, "required column missing" in p.message) for p in problems] == [("csc_total_net_current_expenditure", True)]


def test_repeated_group_names_are_numbered_and_a_missing_sheet_is_named(tmp_path):
    rows = grouped_rows()
    rows[2] = [None, None, None, None, "TOTAL CHILDREN SOCIAL CARE", None, "TOTAL CHILDREN SOCIAL CARE", None]
    contract = load_contract("mhclg_ro3")
    frame = read_published(workbook(tmp_path, rows), contract)
    assert "TOTAL CHILDREN SOCIAL CARE - Employees (C1) [2]" in frame.columns
    with pytest.raises(ReadError, match=r"no sheet \[.*'RO3 LA Data 2008-09'.*\]; sheets are \['Front_Page', 'Other'\]"):
        read_published(workbook(tmp_path, rows, sheet="Other", name="other.ods"), contract)


def test_without_a_group_row_the_header_row_is_used_as_published(tmp_path):
    rows = [
        ["Worksheet 2: Revenue Outturn (RO) 2024-25"],
        ["E-code", "Local authority", "Class", "TOTAL CHILDREN SOCIAL CARE - Net Current Expenditure (C7 = C3 - C6)"],
        ["E0101", "Bath & North East Somerset UA", "UA", dt.date(2025, 3, 31)],
    ]
    frame = read_published(workbook(tmp_path, rows, sheet="RO3_LA_Data_202425"), load_contract("mhclg_ro3"))
    assert frame.columns[:4] == ["E-code", "Local authority", "Class",
                                 "TOTAL CHILDREN SOCIAL CARE - Net Current Expenditure (C7 = C3 - C6)"]
