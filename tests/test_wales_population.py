"""Welsh 0-17 populations from the ONS single-year-of-age files (the ONS MYE2 layout and the
upper-tier re-export), StatsWales CLA counts back to 2003, and Welsh rates computed from them,
with the nearest year's population where a year has none."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline_runs import build_models, checked_models, indicator_values

FAMILIES = ("wales_population_mye2", "wales_population_utla_single_year", "statswales_cla_31mar")
MYE_DIR = "ons/population_mye/"


@pytest.fixture(scope="module")
def real(real_dir, tmp_path_factory):
    models = ["stg_wales_population_0_17", "stg_statswales_cla_31mar"]
    con = checked_models(real_dir, tmp_path_factory.mktemp("real"), FAMILIES, models)
    yield con
    con.close()


def children(path: Path, header_row: int) -> dict[str, float]:
    """Independent sum of ages 0-17 per Welsh code, read with the csv module."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[header_row]
    ages = [header.index(str(a)) for a in range(18)]
    return {r[0]: sum(float(r[i].replace(",", "")) for i in ages) for r in rows[header_row + 1:] if r and r[0].startswith("W06")}


def test_welsh_populations_are_the_sum_of_ages_0_to_17_filed_under_mid_year_plus_one(real, real_dir):
    staged = {(c, y): v for c, y, v in real.execute(
        "SELECT area_code, year, value FROM staging.stg_wales_population_0_17").fetchall()}
    expected = {}
    for mid, name, header_row in (
        (2014, "ons_MYE2_mid2014_UK_persons_by_LA_single_year_age__StatisticsNZ_demdata.csv", 2),
        (2019, "humaniverse_demographr__population19_utla19__ONS_MYE2_persons_single_year_age.csv", 0),
        (2020, "humaniverse_demographr__population20_utla20__ONS_MYE2_persons_single_year_age.csv", 0),
    ):
        expected |= {(code, mid + 1): value for code, value in children(real_dir / MYE_DIR / name, header_row).items()}
    assert staged == pytest.approx(expected)
    assert len(staged) == 3 * 22
    # Isle of Anglesey, mid-2019: the published single years of age 0 to 17, summed by hand.
    assert staged[("W06000001", 2020)] == sum((593, 681, 713, 742, 692, 783, 834, 829, 821, 801, 808, 814, 752, 762,
                                               677, 727, 682, 695)) == 13_406


def test_statswales_counts_run_from_2003(real):
    per_year = dict(real.execute(
        "SELECT year, count(DISTINCT area_code) FROM staging.stg_statswales_cla_31mar WHERE status = 'published' GROUP BY 1").fetchall())
    assert per_year == {year: 22 for year in range(2003, 2019)}
    # Isle of Anglesey at 31 March 2003 (the grand total of the export's row).
    assert real.execute("SELECT value FROM staging.stg_statswales_cla_31mar WHERE area_code = 'W06000001' AND year = 2003").fetchone()[0] == 50


def test_welsh_rates_use_the_nearest_years_population_and_say_so():
    planted = [("cardiff", "W06000015", "Wales", y, "cla_count", 100.0) for y in (2003, 2015, 2017, 2018, 2019)]
    planted += [("cardiff", "W06000015", "Wales", 2015, "population_0_17", 80_000.0),
                ("cardiff", "W06000015", "Wales", 2021, "population_0_17", 100_000.0)]
    # An English count without a population stays missing: the fallback is Welsh only.
    planted += [("hartlepool", "E06000001", "England", 2011, "cla_count", 200.0),
                ("hartlepool", "E06000001", "England", 2013, "population_0_17", 20_000.0)]
    values = indicator_values(planted)
    con = build_models({}, ["int_population_denominators", "int_la_rates_computed"],
                       {"intermediate.int_indicator_values": values, "intermediate.int_indicator_values_latest": values})
    rows = {(a, y): (v, s, m, p) for a, y, v, s, m, p in con.execute(
        "SELECT authority_id, year, value, status, method, population_year FROM intermediate.int_la_rates_computed "
        "WHERE indicator = 'cla_rate_per_10k' AND rate_basis = 'at_the_time'").fetchall()}
    con.close()
    nearest = "computed_with_nearest_year_population"
    assert rows[("cardiff", 2015)] == (12.5, "published", "computed_from_count_and_population", 2015)
    assert rows[("cardiff", 2003)] == (12.5, "published", nearest, 2015)
    assert rows[("cardiff", 2017)] == (12.5, "published", nearest, 2015)  # 2 years to 2015, 4 to 2021
    assert rows[("cardiff", 2018)] == (10.0, "published", nearest, 2021)  # a tie goes to the later year
    assert rows[("cardiff", 2019)] == (10.0, "published", nearest, 2021)
    assert rows[("hartlepool", 2011)][1:3] == ("missing", "not_computed_no_population")
