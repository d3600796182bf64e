"""English and Welsh 0-17 populations from the ONS Nomis age-band exports: the layout (title lines, the age
band from the "Age :" filter line, years across), the 0-16 bands plus an age-17 estimate (the
16-year-olds a year earlier), and precedence behind the DfE-republished ONS file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from csc_pipeline import warehouse
from csc_pipeline.demo.families import nomis_population
from csc_pipeline.settings import Settings
from pipeline_runs import check_family, family_warehouse, write_demo_family

FAMILY = "ons_nomis_population_age_band"
NOMIS_DIR = "ons/population_nomis/"
BANDS = ("0-4", "5-9", "10-14", "15", "16")


def read_bands(folder: Path) -> dict[tuple[str, str, int], int]:
    """(code, band, mid-year) -> people, read independently with the csv module (English and Welsh rows)."""
    out = {}
    for band in BANDS:
        with (folder / f"2009-2021__popest-{band}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        head = next(i for i, r in enumerate(rows) if r and r[0].startswith("local authority"))
        years = [int(y) for y in rows[head][2:]]
        for r in rows[head + 1:]:
            if len(r) == len(rows[head]) and r[1][0] in "EW":
                out |= {(r[1], band, y): int(v) for y, v in zip(years, r[2:])}
    return out


def expected_0_17(bands: dict[tuple[str, str, int], int]) -> dict[tuple[str, int], int]:
    """(code, year ending March) -> ages 0-16 at mid-year Y plus the 16-year-olds of mid-(Y - 1)."""
    codes = {c for c, _, _ in bands}
    years = sorted({y for _, _, y in bands})
    return {(c, y + 1): sum(bands[(c, b, y)] for b in BANDS) + bands[(c, "16", y - 1)] for c in codes for y in years[1:]}


def staged(con) -> dict[tuple[str, int], float]:
    return {(c, y): v for c, y, v in con.execute(
        "SELECT area_code, year, value FROM staging.stg_ons_nomis_population_0_17").fetchall()}


@pytest.fixture(scope="module")
def real(shared_mirror_settings):
    con, problems = family_warehouse(shared_mirror_settings, ["ons_population_0_17", FAMILY],
                                     ["staging.stg_ons_population_0_17", "staging.stg_ons_nomis_population_0_17"])
    assert problems == {"ons_population_0_17": [], FAMILY: []}, problems
    yield con
    con.close()


def test_real_exports_pass_the_contract_with_the_band_from_the_title_line(shared_mirror_settings):
    problems, frame = check_family(shared_mirror_settings, FAMILY)
    assert problems == []
    # 152 English and 22 Welsh upper-tier authorities (Scotland and Northern Ireland skipped), 13 mid-years, 5 bands.
    assert frame.height == 174 * 13 * 5
    assert sorted(frame["age_band"].unique()) == sorted(BANDS)
    darlington = frame.filter((frame["code"] == "E06000005") & (frame["year"] == "2011"))
    assert dict(zip(darlington["age_band"], darlington["population"])) == {
        "0-4": "6565", "5-9": "6146", "10-14": "6191", "15": "1306", "16": "1342"}


# Successors back-cast by the April-2021 export, before the year (ending 31 March) they took over.
BACK_CAST = {"E06000058": 2020, "E06000059": 2020, "E06000061": 2022, "E06000062": 2022}


def test_real_0_17_is_the_sum_of_the_bands_plus_last_years_16_year_olds(real, real_dir):
    values = staged(real)
    expected = expected_0_17(read_bands(real_dir / NOMIS_DIR))
    in_force = {(c, y): v for (c, y), v in expected.items() if y >= BACK_CAST.get(c, 0)}
    # Northamptonshire (in force to March 2021) is exactly North + West Northamptonshire back-cast.
    northamptonshire = {("E10000021", y): expected["E06000061", y] + expected["E06000062", y] for y in range(2011, 2022)}
    assert values == pytest.approx(in_force | northamptonshire)
    assert {y for _, y in values} == set(range(2011, 2023))
    assert len(values) == 152 * 12 - 2 * 9 - 2 * 11 + 11 + 22 * 12
    # England, mid-2010 and mid-2011 (years ending March 2011 and 2012): all 152 areas of the files.
    english = {k: v for k, v in expected.items() if k[0].startswith("E")}
    assert sum(v for (_, y), v in english.items() if y == 2011) == 11_272_937
    assert sum(v for (_, y), v in english.items() if y == 2012) == 11_332_081
    # Darlington, mid-2011 (year ending March 2012): the file's bands 6565 + 6146 + 6191 + 1306 + 1342,
    # and 1358 16-year-olds at mid-2010 for age 17.
    assert values[("E06000005", 2012)] == 6565 + 6146 + 6191 + 1306 + 1342 + 1358 == 22_908
    methods = dict(real.execute(
        "SELECT method, count(DISTINCT area_code) FROM staging.stg_ons_nomis_population_0_17 GROUP BY 1").fetchall())
    assert methods == {"estimated_age_17_from_age_16_a_year_earlier": 152 + 22, "estimated_age_17_summed_from_back_cast_successors": 1}
    welsh = real.execute(
        "SELECT count(DISTINCT area_code), min(year), max(year), bool_and(country_code = 'W92000004') "
        "FROM staging.stg_ons_nomis_population_0_17 WHERE area_code LIKE 'W%'").fetchone()
    assert welsh == (22, 2011, 2022, True)


def test_real_estimate_is_close_to_the_published_0_17_of_the_same_vintage(real):
    """Against the DfE 2022 release (mid-2012..mid-2020, before re-basing), like the Nomis exports."""
    errors = [abs(n / d - 1) for n, d in real.execute(
        """
        SELECT n.value, d.value FROM staging.stg_ons_nomis_population_0_17 AS n
        JOIN staging.stg_ons_population_0_17 AS d ON d.area_code = n.area_code AND d.year = n.year
        WHERE d.source_entry = 'dfe_ons_population_0_17_2022' AND d.geographic_level = 'local_authority' AND d.value > 0
        """).fetchall()]
    assert len(errors) > 1300
    assert sorted(errors)[len(errors) // 2] < 0.001  # the median LA-year within 0.1%
    assert sum(e < 0.01 for e in errors) / len(errors) > 0.98


def population_values(con) -> tuple[dict, dict, dict]:
    """Build int_indicator_values(_latest) over the two population sources only (the other staging
    inputs empty). Returns, keyed by (authority, year) for English LAs: the Nomis values, the
    published (DfE-republished ONS) values, and the chosen (value, source entry). Keys are
    authorities, not codes: a recoded authority (Buckinghamshire E10000002 -> E06000060) is one LA."""
    models = {m.table: m for m in warehouse.discover_models()}
    for table in models["intermediate.int_indicator_values"].depends_on:
        if not con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE schema_name || '.' || table_name = '{table}'").fetchone()[0]:
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM staging.stg_ons_population_0_17 LIMIT 0")
    for table in ("intermediate.int_indicator_values", "intermediate.int_indicator_values_latest"):
        warehouse.run_model(con, models[table])
    where = "indicator = 'population_0_17' AND geographic_level = 'local_authority' AND nation = 'England' AND value IS NOT NULL"
    values = con.execute(f"SELECT authority_id, year, value, source_entry FROM intermediate.int_indicator_values WHERE {where}").fetchall()
    nomis = {(a, y): v for a, y, v, e in values if e.startswith("ons_nomis")}
    published = {(a, y): v for a, y, v, e in values if not e.startswith("ons_nomis")}
    latest = {(a, y): (v, e) for a, y, v, e in con.execute(
        f"SELECT authority_id, year, value, source_entry FROM intermediate.int_indicator_values_latest WHERE {where}").fetchall()}
    return nomis, published, latest


def test_published_ons_population_wins_and_nomis_fills_2011_and_2012(real):
    nomis, published, latest = population_values(real)
    both = set(nomis) & set(published)
    assert len(both) > 1000
    assert all(latest[k][1].startswith("dfe_ons_population") for k in both)
    # Where both have a number they differ (the age-17 estimate, re-basing): the published one is kept.
    assert any(latest[k][0] != nomis[k] for k in both)
    filled = {k for k in nomis if k not in published}
    assert all(latest[k] == (nomis[k], "ons_nomis_population_0_4") for k in filled)
    # Every authority in force then except Bournemouth, Poole and Dorset county, which the April-2021
    # export cannot give (BCP and the Dorset unitary share Christchurch); Northamptonshire is its
    # successors' sum. No later year needed filling.
    assert {y for _, y in filled} == {2011, 2012}
    assert len(filled) == 149 * 2
    assert not {"bournemouth", "poole", "dorset_county"} & {a for a, _ in filled}
    assert {("northamptonshire", 2011), ("northamptonshire", 2012)} <= filled


def test_demo_exports_pass_the_contract(tmp_path):
    out = write_demo_family(tmp_path / "mirror", nomis_population.write)
    settings = Settings(source_mode="mirror", mirror_dir=out, data_lake=tmp_path / "lake")
    problems, frame = check_family(settings, FAMILY)
    assert problems == []
    assert sorted(frame["age_band"].unique()) == sorted(BANDS)
    assert sorted(frame["year"].unique()) == [str(y) for y in nomis_population.MID_YEARS]
