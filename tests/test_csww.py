"""Children's social work workforce (CSWW): real EES and SFR files, the staging model, the demo files."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from csc_pipeline.catalog import load_catalog
from csc_pipeline.contracts import conform, load_contract, validate
from csc_pipeline.demo.families.csww import sfr_header
from csc_pipeline.geography import default_resolver
from csc_pipeline.readers import read_published
from csc_pipeline.settings import Settings
from pipeline_runs import family_warehouse

FAMILIES = ["csww_ees", "csww_sfr_underlying"]


@pytest.fixture(scope="module")
def real(shared_mirror_settings):
    con, problems = family_warehouse(shared_mirror_settings, FAMILIES, ["staging.stg_csww"])
    yield con, problems
    con.close()


@pytest.fixture(scope="module")
def demo(shared_demo_settings):
    con, problems = family_warehouse(shared_demo_settings, FAMILIES, ["staging.stg_csww"])
    yield con, problems
    con.close()


def value(con, entry: str, code: str, year: int, indicator: str):
    rows = con.execute(
        "SELECT value, symbol, status FROM staging.stg_csww WHERE source_entry = ? AND area_code = ? AND year = ? AND indicator = ?",
        [entry, code, year, indicator],
    ).fetchall()
    assert len(rows) == 1, (entry, code, year, indicator, rows)
    return rows[0]


def test_every_real_csww_file_meets_its_contract(real):
    _, problems = real
    assert problems == {"csww_ees": [], "csww_sfr_underlying": []}


@pytest.mark.parametrize(
    ("entry", "code", "year", "indicator", "published"),
    [
        # EES indicators 2017-2025 (2025 release): 30 September 2025 is filed under year 2026.
        ("dfe_csww_indicators_2025", "E92000001", 2026, "sw_fte_count", 36186.3),
        ("dfe_csww_indicators_2025", "E12000001", 2026, "sw_turnover_rate_percent", 11.7),
        ("dfe_csww_indicators_2025", "E09000021 / E09000027", 2025, "sw_fte_count", 148.8),
        ("dfe_csww_indicators_2025", "E09000021 / E09000027", 2026, "sw_turnover_rate_percent", 28.0),
        ("dfe_csww_indicators_2025", "E09000021 / E09000027", 2018, "sw_turnover_rate_percent", 27.5),
        # Headline measures 2017-2022 (2022 release) print units under their first member's code.
        ("dfe_csww_headline_measures_2022", "E09000021 / E09000027", 2018, "sw_fte_count", 123.9),
        ("dfe_csww_headline_measures_2022", "E09000021 / E09000027", 2018, "sw_turnover_rate_percent", 31.5),
        ("dfe_csww_headline_measures_2022", "E06000061 / E06000062", 2022, "sw_fte_count", 329.9),
        ("dfe_csww_headline_measures_2022", "E10000021", 2018, "sw_vacancy_rate_percent", 52.8),
        # SFR underlying data at 30 September 2015 and 2016.
        ("dfe_csww_sfr07_2016", "E10000021", 2016, "sw_fte_count", 202.8),
        ("dfe_csww_sfr07_2016", "E10000021", 2016, "sw_vacancy_rate_percent", 57.0),
        ("dfe_csww_sfr07_2016", "E10000021", 2016, "sw_agency_rate_percent", 50.0),
        ("dfe_csww_sfr07_2016", "E09000021", 2016, "sw_fte_count", 67.6),
        ("dfe_csww_sfr07_2016", "E09000027", 2016, "sw_fte_count", 59.0),
        ("dfe_csww_sfr08_2017", "E09000021 / E09000027", 2017, "sw_fte_count", 158.6),
        ("dfe_csww_sfr08_2017", "E10000027", 2017, "sw_fte_count", 216.5),
        ("dfe_csww_sfr08_2017", "E06000052", 2017, "sw_absence_rate_percent", 4.1),
    ],
)
def test_staged_values_equal_the_published_figures(real, entry, code, year, indicator, published):
    con, _ = real
    assert value(con, entry, code, year, indicator) == (published, None, "published")


def test_symbols_stay_symbols_and_members_of_units_keep_their_own_rows(real):
    con, _ = real
    assert value(con, "dfe_csww_sfr07_2016", "E06000053", 2016, "sw_fte_count") == (None, "x", "suppressed")
    # Richmond's own row in the 2016 file is "." (its staff are in Kingston's row, filed under the unit).
    assert value(con, "dfe_csww_sfr08_2017", "E09000027", 2017, "sw_fte_count") == (None, ".", "missing")
    assert value(con, "dfe_csww_headline_measures_2022", "E09000027", 2022, "sw_fte_count") == (None, "z", "not_applicable")
    # Kingston alone (2015 file, both members published) is not relabelled; nor is it ever, later.
    kingston = con.execute(
        "SELECT DISTINCT source_entry FROM staging.stg_csww WHERE area_code = 'E09000021'").fetchall()
    assert kingston == [("dfe_csww_sfr07_2016",)]


def test_every_english_authority_or_its_unit_has_social_workers_each_year(real):
    con, _ = real
    resolver = default_resolver()
    rows = con.execute(
        "SELECT DISTINCT year, area_code FROM staging.stg_csww WHERE geographic_level = 'local_authority' "
        "AND indicator = 'sw_fte_count' AND status = 'published'").fetchall()
    covered: dict[int, set[str]] = {}
    for year, code in rows:
        members = resolver.combined_members(code) or (resolver.resolve_code(code, year),)
        covered.setdefault(year, set()).update(members)
    assert sorted(covered) == list(range(2016, 2027))
    # Isles of Scilly is suppressed in 2015; all other authorities in force have a number every year.
    assert all(len(ids) >= 149 for ids in covered.values()), {y: len(ids) for y, ids in covered.items()}


def test_demo_files_meet_the_contracts_and_follow_the_latent_world(demo):
    con, problems = demo
    assert problems == {"csww_ees": [], "csww_sfr_underlying": []}
    units = con.execute(
        "SELECT DISTINCT source_entry FROM staging.stg_csww WHERE area_code = 'E09000021 / E09000027' AND status = 'published'"
    ).fetchall()
    assert sorted(units) == [("dfe_csww_headline_measures_2022",), ("dfe_csww_indicators_2025",), ("dfe_csww_sfr08_2017",)]
    wide = con.sql(
        """
        PIVOT (SELECT area_code, year, indicator, value FROM staging.stg_csww
               WHERE source_entry = 'dfe_csww_indicators_2025' AND geographic_level = 'local_authority')
        ON indicator IN ('sw_vacancy_rate_percent', 'sw_agency_rate_percent') USING first(value)
        """
    ).pl().drop_nulls()
    assert wide.height > 1000
    assert wide.select(pl.corr("sw_vacancy_rate_percent", "sw_agency_rate_percent")).item() > 0.5


def test_demo_sfr_headers_are_the_published_headers(real_dir):
    import csv

    for year, path in ((2015, "2015/SFR07_2016_UD.csv"), (2016, "2016/SFR08_2017_UD.csv")):
        with open(real_dir / "dfe/csww/sfr_underlying" / path, encoding="utf-8", newline="") as handle:
            published = [h for h in next(csv.reader(handle)) if h]
        assert sfr_header(year) == published


def test_a_broken_workforce_file_fails_naming_file_row_and_column(shared_demo_settings, tmp_path):
    entry = next(e for e in load_catalog().family("csww_ees") if e.release == "2025")
    from csc_pipeline.acquire import ensure_demo_source

    source = ensure_demo_source(shared_demo_settings) / entry.mirror_path
    broken = tmp_path / source.name
    shutil.copyfile(source, broken)
    lines = broken.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[20].split(",")
    cells[header.index("turnover_rate_fte")] = "140"
    lines[20] = ",".join(cells)
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    contract = load_contract(entry.contract)
    frame, structural = conform(read_published(broken, contract), contract, broken.name)
    problems = structural + validate(frame, contract, default_resolver().known_codes())
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [(broken.name, 21, "turnover_rate_fte", "140")]
    assert "out of range" in problems[0].message


def test_unit_relabelling_needs_the_other_members_to_have_no_number(shared_demo_settings, tmp_path):
    """If Richmond had its own numbers in the 2016 SFR file, Kingston's row would stay Kingston's."""
    from csc_pipeline.acquire import ensure_demo_source

    mirror = tmp_path / "mirror"
    demo_root = ensure_demo_source(shared_demo_settings)
    entries = [e for family in FAMILIES for e in load_catalog().family(family)]
    for entry in entries:
        (mirror / entry.mirror_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(demo_root / entry.mirror_path, mirror / entry.mirror_path)
    path = mirror / next(e.mirror_path for e in entries if e.id == "dfe_csww_sfr08_2017")
    text = path.read_text(encoding="utf-8")
    richmond = next(line for line in text.splitlines() if ",E09000027," in line)
    kingston = next(line for line in text.splitlines() if ",E09000021," in line)
    fixed = kingston.replace("E09000021,Kingston upon Thames,314", "E09000027,Richmond upon Thames,318")
    path.write_text(text.replace(richmond, fixed), encoding="utf-8")
    settings = Settings(source_mode="mirror", mirror_dir=mirror, data_lake=tmp_path / "lake")
    con, problems = family_warehouse(settings, FAMILIES, ["staging.stg_csww"])
    assert problems == {"csww_ees": [], "csww_sfr_underlying": []}
    codes = {r[0] for r in con.execute(
        "SELECT DISTINCT area_code FROM staging.stg_csww WHERE source_entry = 'dfe_csww_sfr08_2017'").fetchall()}
    assert {"E09000021", "E09000027"} <= codes and "E09000021 / E09000027" not in codes
    # The unchanged 2025 EES file still has the unit.
    assert con.execute("SELECT count(*) FROM staging.stg_csww WHERE area_code = 'E09000021 / E09000027'").fetchone()[0] > 0
