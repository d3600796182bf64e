"""Section 251 outturn: the line-level files 2008-09..2013-14 and the EES files, real and demo."""

from __future__ import annotations

import re

import polars as pl
import pytest

from csc_pipeline import reference_tables
from csc_pipeline.catalog import load_catalog
from csc_pipeline.contracts import conform, load_contract
from csc_pipeline.geography import default_resolver
from csc_pipeline.readers import read_published
from pipeline_runs import family_warehouse

FAMILIES = ["s251_outturn_lines", "s251_ees_highlights", "s251_ees_national"]
TABLES = ["staging.stg_s251_outturn_lines", "staging.stg_s251_ees"]


@pytest.fixture(scope="module")
def real(shared_mirror_settings):
    con, problems = family_warehouse(shared_mirror_settings, FAMILIES, TABLES)
    yield con, problems
    con.close()


@pytest.fixture(scope="module")
def demo(shared_demo_settings):
    con, problems = family_warehouse(shared_demo_settings, FAMILIES, TABLES)
    yield con, problems
    con.close()


def staged(con, entry: str, code: str, year: int, indicator: str):
    rows = con.execute(
        """
        SELECT value, status FROM (SELECT * FROM staging.stg_s251_outturn_lines UNION ALL BY NAME SELECT * FROM staging.stg_s251_ees)
        WHERE source_entry = ? AND area_code = ? AND year = ? AND indicator = ?
        """,
        [entry, code, year, indicator],
    ).fetchall()
    assert len(rows) == 1, (entry, code, year, indicator, rows)
    return rows[0]


def test_every_real_s251_file_meets_its_contract(real):
    _, problems = real
    assert problems == {family: [] for family in FAMILIES}


@pytest.mark.parametrize(
    ("entry", "code", "year", "indicator", "published"),
    [
        # Line level, £ (Camden 2008-09 line 14; Oxfordshire 2011-12 line 12; Birmingham 2013-14 lines 16, 33).
        ("dfe_s251_outturn_0809", "E09000007", 2009, "s251_cla_gross_expenditure_gbp", 19006778.19),
        ("dfe_s251_outturn_0809", "E09000007", 2009, "s251_cla_net_expenditure_gbp", 18034987.61),
        ("dfe_s251_outturn_1112", "E10000025", 2012, "s251_cla_gross_expenditure_gbp", 20122840),
        ("dfe_s251_outturn_1112", "E10000025", 2012, "s251_cla_net_expenditure_gbp", 19537016.69),
        ("dfe_s251_outturn_1314", "E08000025", 2014, "s251_cla_net_expenditure_gbp", 87995455),
        ("dfe_s251_outturn_1314", "E08000025", 2014, "s251_cyps_gross_expenditure_gbp", 211353458.3),
        ("dfe_s251_outturn_1314", "E08000025", 2014, "s251_cyps_net_expenditure_gbp", 197244745),
        # EES highlights (£ million -> £) and the national file (£ million; per child in £).
        ("dfe_s251_highlights_2019_20", "E06000001", 2020, "s251_cyps_gross_expenditure_gbp", 27639700),
        ("dfe_s251_highlights_2019_20", "E92000001", 2020, "s251_cyps_gross_expenditure_gbp", 10530800000),
        ("dfe_s251_cyps_national_2021_22", "E92000001", 2020, "s251_cyps_gross_expenditure_gbp", 10530790000),
        ("dfe_s251_cyps_national_2021_22", "E92000001", 2020, "s251_cyps_net_expenditure_gbp", 9591590000),
        ("dfe_s251_cyps_national_2021_22", "E92000001", 2020, "s251_cla_net_expenditure_gbp", 4997830000),
        ("dfe_s251_cyps_national_2021_22", "E92000001", 2020, "s251_cla_net_expenditure_per_child_gbp", 414),
        ("dfe_s251_cyps_national_2021_22", "E92000001", 2020, "s251_cyps_net_expenditure_per_child_gbp", 794),
    ],
)
def test_staged_values_equal_the_published_figures(real, entry, code, year, indicator, published):
    con, _ = real
    assert staged(con, entry, code, year, indicator) == (pytest.approx(published, abs=0.005), "published")


def test_every_la_has_the_mapped_lines_every_year(real):
    con, _ = real
    counts = con.execute(
        "SELECT year, indicator, count(DISTINCT area_code) FROM staging.stg_s251_outturn_lines GROUP BY ALL"
    ).fetchall()
    expected = {2009: 150, 2010: 152, 2011: 152, 2012: 152, 2013: 152, 2014: 152}
    assert len(counts) == 6 * 6
    assert all(n == expected[year] for year, _, n in counts), counts


def test_the_line_mapping_matches_the_labels_in_every_real_file(real_dir):
    """csc_pipeline/reference/s251_outturn_lines.csv names each line as the file labels it."""
    mapping = reference_tables.load_s251_outturn_lines().filter(pl.col("scheme") == "outturn_line")
    catalog = load_catalog()
    for entry in catalog.family("s251_outturn_lines", "mirror"):
        contract = load_contract(entry.contract)
        frame, _ = conform(read_published(real_dir / entry.mirror_path, contract), contract, entry.mirror_path)
        frame = frame.with_columns(
            pl.coalesce("line_number", pl.col("line_description").str.extract(r"^\s*(\d+)")).alias("line")
        )
        for row in mapping.filter(pl.col("period") == str(entry.period)).iter_rows(named=True):
            labels = frame.filter(pl.col("line") == row["line"])["line_description"]
            label = re.sub(r"^\d+\s+", "", row["published_label"]).strip().casefold()
            assert labels.len() == frame["la_code_3"].n_unique(), (entry.id, row)
            assert labels.map_elements(lambda t: re.sub(r"^\d+\s+", "", t).strip().casefold() == label,
                                       return_dtype=pl.Boolean).all(), (entry.id, row, labels.unique().to_list())


def test_three_digit_codes_agree_with_the_names(real):
    con, _ = real
    resolver = default_resolver()
    pairs = con.execute("SELECT DISTINCT la_code_3, area_code, year FROM staging.stg_s251_outturn_lines").fetchall()
    wrong = [(c3, code, year) for c3, code, year in pairs
             if resolver.resolve_code(c3, year) != resolver.resolve_code(code, year)]
    assert wrong == []


def test_demo_files_meet_the_contracts_and_totals_add_up(demo):
    con, problems = demo
    assert problems == {family: [] for family in FAMILIES}
    years = con.execute("SELECT DISTINCT year FROM staging.stg_s251_outturn_lines ORDER BY 1").fetchall()
    assert [y for (y,) in years] == list(range(2009, 2015))
    # The budget total is at least CLA + family support in every LA and year.
    short = con.execute(
        """
        PIVOT (SELECT area_code, year, indicator, value FROM staging.stg_s251_outturn_lines)
        ON indicator IN ('s251_cyps_gross_expenditure_gbp', 's251_cla_gross_expenditure_gbp', 's251_family_support_gross_expenditure_gbp')
        USING first(value)
        """
    ).pl().filter(pl.col("s251_cyps_gross_expenditure_gbp")
                  < pl.col("s251_cla_gross_expenditure_gbp") + pl.col("s251_family_support_gross_expenditure_gbp"))
    assert short.is_empty()
    national = con.execute(
        "SELECT count(*) FROM staging.stg_s251_ees WHERE geographic_level = 'national' AND indicator LIKE '%per_child%'"
    ).fetchone()[0]
    assert national == 2 * 7


def test_a_concept_mapped_twice_in_a_year_is_rejected(tmp_path, monkeypatch):
    (tmp_path / "s251_outturn_lines.csv").write_text(
        "scheme,period,line,published_label,concept\n"
        "outturn_line,2009,14,Total Children Looked After,cla_total\n"
        "outturn_line,2009,15,Child death processes,cla_total\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(reference_tables, "REFERENCE_DIR", tmp_path)
    with pytest.raises(ValueError, match="mapped twice"):
        reference_tables.load_s251_outturn_lines()
