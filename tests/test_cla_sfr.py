"""DfE children looked after 2006-2017: the SFR underlying-data CSVs and the SFR27/2010 LA tables.

The real files go through the pipeline's own acquisition, conform, validation and LA-code steps for
these families only, then through the staging model ``sql/staging/stg_cla_sfr.sql`` in an
in-memory DuckDB, so spot values are checked where analysts will read them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import duckdb
import fastexcel
import polars as pl
import pytest

from csc_pipeline import acquire, conformed, warehouse
from csc_pipeline.acquire import ensure_demo_source
from csc_pipeline.catalog import load_catalog
from csc_pipeline.contracts import conform, load_contract, validate
from csc_pipeline.demo.model import ENGLAND_HISTORY_PATH
from csc_pipeline.geography import default_resolver
from csc_pipeline.readers import read_published
from csc_pipeline.reference_tables import reference_frames
from csc_pipeline.settings import Settings
from pipeline_runs import family_warehouse

FAMILIES = ("cla_sfr_underlying", "cla_sfr27_2010_laa1", "cla_sfr27_2010_lac1", "cla_sfr27_2010_lad1")
STAGING = next(m for m in warehouse.discover_models() if m.table == "staging.stg_cla_sfr")
# The real SFR27/2010 workbooks' sheets (the demo workbooks keep them; only the LA table is filled in).
SFR27_SHEETS = {
    "dfe_cla_sfr27_2010_laa1": ["Contents", "A6", "A7", "A8", "A9", *(f"LAA{n}" for n in range(1, 12))],
    "dfe_cla_sfr27_2010_lac1": ["Contents", "LAC1", "LAC2", "LAC3", "LAC4", "LAC5"],
    "dfe_cla_sfr27_2010_lad1": ["Contents", "D3", "D4", "D5 ", "D6", "LAD1", "LAD2", "LAD3"],
}


def ingest(settings: Settings) -> tuple[dict[str, list], dict[str, pl.DataFrame]]:
    """Each family as the pipeline ingests it: problems of the blocking check, and loaded.<family>."""
    catalog, resolver = load_catalog(), default_resolver()
    problems, tables = {}, {}
    for family in FAMILIES:
        records = acquire.acquire_family(family, settings, catalog)
        conformed.conform_family(family, settings, catalog, records)
        problems[family] = list(conformed.check_family(family, settings, catalog, resolver).problems)
        if not problems[family]:
            tables[family] = conformed.read_validated(family, settings)
    return problems, tables


def staged(tables: dict[str, pl.DataFrame]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table, frame in reference_frames().items():
        warehouse.replace_table(con, table, frame)
    for family, frame in tables.items():
        warehouse.replace_table(con, f"loaded.{family}", frame)
    warehouse.run_model(con, STAGING)
    return con


@pytest.fixture(scope="module")
def real(real_dir, tmp_path_factory):
    settings = Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("lake"))
    problems, tables = ingest(settings)
    return problems, tables, (staged(tables) if len(tables) == len(FAMILIES) else None)


def cell(con, area_code: str, year: int, indicator: str, level: str = "local_authority") -> tuple:
    rows = con.execute(
        "SELECT value, status, published_period FROM staging.stg_cla_sfr "
        "WHERE area_code = ? AND year = ? AND indicator = ? AND geographic_level = ?",
        [area_code, year, indicator, level],
    ).fetchall()
    assert len(rows) == 1, (area_code, year, indicator, rows)
    return rows[0]


def test_every_real_file_meets_its_contract(real):
    problems, tables, _ = real
    assert {f: [str(p) for p in ps[:5]] for f, ps in problems.items()} == {f: [] for f in FAMILIES}
    sfr = tables["cla_sfr_underlying"]
    assert sfr["source_entry"].n_unique() == 24  # 2010-2017 x at 31 March / started / ceased
    # Every LA row has a GSS code: published (2011-2017) or resolved from the 3-digit code (2010).
    la = sfr.filter(pl.col("geog_l").is_null() | (pl.col("geog_l") == "LA"))
    assert la.filter(pl.coalesce("new_la_code", "la_code").is_null()).is_empty()
    # LAA1 / LAC1 / LAD1: 154 names (150 authorities of 2006-2009 and the four 2009 successors).
    for family, years in (("cla_sfr27_2010_laa1", 5), ("cla_sfr27_2010_lac1", 4), ("cla_sfr27_2010_lad1", 4)):
        assert tables[family]["area"].n_unique() == 154 and tables[family].height == 154 * years, family
        assert tables[family]["la_code"].null_count() == 0, family


def test_cla_at_31_march_spot_values(real):
    con = real[2]
    # SFR27/2010 table LAA1 (rounded to 5), names resolved to the code in force that year.
    assert cell(con, "E06000005", 2008, "cla_count")[:2] == (135.0, "published")  # Darlington
    assert cell(con, "E10000010", 2008, "cla_count")[0] == 410.0  # "Durham": the county before 2009
    assert cell(con, "E06000035", 2008, "cla_count")[0] == 330.0  # "Medway Towns"
    assert cell(con, "E08000003", 2007, "cla_count")[0] == 1485.0  # Manchester
    assert cell(con, "E06000053", 2006, "cla_count")[:2] == (None, "suppressed")  # Isles of Scilly 'x'
    # SFR underlying CSVs (exact counts).
    assert cell(con, "E08000020", 2013, "cla_count") == (388.0, "published", "CLA_Mar2013")  # Gateshead, old code
    assert cell(con, "E06000047", 2013, "cla_count")[0] == 626.0  # Durham
    assert cell(con, "E06000055", 2013, "cla_count")[0] == 247.0  # Bedford
    assert cell(con, "E09000001", 2013, "cla_count")[0] == 7.0  # City of London
    assert cell(con, "E06000047", 2010, "cla_count") == (497.0, "published", "MarTotal_2010")  # 840 -> E06000047
    assert cell(con, "E08000025", 2017, "cla_count")[0] == 1841.0  # Birmingham
    assert cell(con, "E06000053", 2017, "cla_count")[0] == 0.0  # Scilly: the row with a blank level
    # The 2010 count comes from the underlying CSV only (LAA1's rounded 2010 column is ignored).
    rows = con.execute("SELECT count(*) FROM staging.stg_cla_sfr WHERE year = 2010 AND indicator = 'cla_count' "
                       "AND area_code = 'E08000020'").fetchone()
    assert rows == (1,)


def test_published_rates_2006_2010(real):
    con = real[2]
    assert cell(con, "E06000009", 2010, "cla_rate_per_10k")[0] == 128.0  # Blackpool
    assert cell(con, "E09000008", 2008, "cla_rate_per_10k") == (132.0, "published", "rates4 2008")  # Croydon
    assert cell(con, "E06000049", 2008, "cla_rate_per_10k")[:2] == (None, "not_applicable")  # Cheshire East '.'
    assert cell(con, "E06000049", 2010, "cla_rate_per_10k")[0] == 57.0  # "Cheshire East5"
    assert cell(con, "E10000004", 2010, "cla_rate_per_10k")[:2] == (None, "not_applicable")  # "Cheshire5" after 2009


def test_starts_and_ceased_spot_values_and_the_mislabelled_2015_column(real):
    con = real[2]
    # SFR34/2015 labels its starts column CLA_started2014: the contract files it under 2015.
    assert cell(con, "E08000025", 2015, "cla_starts_count") == (935.0, "published", "CLA_started2014")
    assert cell(con, "E08000025", 2014, "cla_starts_count") == (653.0, "published", "CLA_started2014")
    releases = con.execute("SELECT year, release FROM staging.stg_cla_sfr WHERE area_code = 'E08000025' "
                           "AND indicator = 'cla_starts_count' AND year IN (2014, 2015) ORDER BY year").fetchall()
    assert releases == [(2014, "2014"), (2015, "2015")]
    assert cell(con, "E10000016", 2010, "cla_starts_count")[0] == 780.0  # Kent, StartTotal_2010
    # "CLA_cease" has no year in 2011-2016: the release's year.
    assert cell(con, "E10000016", 2012, "cla_ceased_count") == (828.0, "published", "CLA_cease")
    assert cell(con, "E10000016", 2017, "cla_ceased_count")[0] == 1310.0
    assert cell(con, "E08000003", 2010, "cla_ceased_count")[0] == 508.0  # Manchester, CeasedTotal_2010
    # LAC1 / LAD1 (rounded to 5).
    assert cell(con, "E10000010", 2007, "cla_starts_count")[0] == 230.0  # Durham
    assert cell(con, "E06000001", 2009, "cla_ceased_count")[0] == 105.0  # Hartlepool


def test_population_and_areas(real):
    con = real[2]
    # Mid2009Pop0-17 is the denominator of the year ending 31 March 2010.
    assert cell(con, "E08000020", 2010, "population_0_17") == (38600.0, "published", "Mid2009Pop0-17")
    assert cell(con, "E92000001", 2010, "population_0_17", "national")[0] == 11012300.0
    assert cell(con, "E92000001", 2015, "cla_starts_count", "national")[0] == 31070.0
    # Regions by name: London is GOR H in 2010 and REGION G (with Inner H / Outer I) later.
    assert cell(con, "E12000007", 2010, "cla_count", "regional")[0] == 10980.0
    assert cell(con, "E12000007", 2015, "cla_starts_count", "regional")[0] == 5710.0
    assert cell(con, "E13000001", 2015, "cla_starts_count", "regional")[0] == 2280.0
    unmapped = con.execute("SELECT count(*) FROM staging.stg_cla_sfr WHERE area_code IS NULL").fetchone()
    assert unmapped == (0,)


def test_without_its_year_correction_the_2015_starts_file_fails(real_dir):
    contract = load_contract("dfe_cla_sfr_underlying")
    path = real_dir / "dfe/cla/sfr_underlying/2015/SFR34_ADM2015.csv"
    frame = read_published(path, contract)
    _, problems = conform(frame, replace(contract, year_corrections=()), path.name, release="2015", period=2015)
    assert [(p.column, "says year 2014 but this file covers year 2015" in p.message) for p in problems] == [
        ("CLA_started2014", True)
    ]
    _, problems = conform(frame, contract, path.name, release="2015", period=2015)
    assert problems == []


def test_demo_files_are_read_back_through_the_same_contract(tmp_path, shared_demo_settings):
    settings = Settings(source_mode="mirror", mirror_dir=ensure_demo_source(shared_demo_settings), data_lake=tmp_path / "lake")
    catalog, resolver = load_catalog(), default_resolver()
    records = [acquire.acquire_entry(e, settings, catalog) for e in catalog.family("cla_sfr_underlying", "demo")]
    assert len(records) == 24
    conformed.conform_family("cla_sfr_underlying", settings, catalog, records)
    checked = conformed.check_family("cla_sfr_underlying", settings, catalog, resolver)
    assert checked.problems == () and checked.rows > 3000
    frame = conformed.read_validated("cla_sfr_underlying", settings)
    con = staged({"cla_sfr_underlying": frame} | {
        f: conformed.empty_frame(catalog.family(f)[0].contract).with_columns(pl.lit(None, pl.String).alias("la_code"))
        for f in FAMILIES[1:]
    })
    la = con.sql(
        "SELECT year, indicator, sum(value) AS la_sum, count(*) AS n FROM staging.stg_cla_sfr "
        "WHERE geographic_level = 'local_authority' GROUP BY ALL"
    ).pl()
    national = con.sql("SELECT year, indicator, value FROM staging.stg_cla_sfr WHERE geographic_level = 'national'").pl()
    joined = la.join(national, on=["year", "indicator"])
    assert joined.height == 8 * 3 + 1  # three measures a year, and the 2010 population
    # England counts are the LA sums rounded (to 100 in 2010, else to 10; tiny LAs' 1-5 are 'x');
    # the population is summed before rounding, each LA's rounded on its own.
    counts = joined.filter(pl.col("indicator") != "population_0_17")
    assert ((counts["la_sum"] - counts["value"]).abs() <= 50 + 5 * 2).all(), counts
    population = joined.filter(pl.col("indicator") == "population_0_17")
    assert ((population["la_sum"] / population["value"] - 1).abs() < 0.001).all(), population
    assert set(joined.filter(pl.col("indicator") == "cla_starts_count")["year"]) == set(range(2010, 2018))
    rate = con.sql(
        "SELECT c.value / p.value * 10000 AS rate FROM staging.stg_cla_sfr c JOIN staging.stg_cla_sfr p "
        "USING (area_code, year) WHERE c.indicator = 'cla_count' AND p.indicator = 'population_0_17' "
        "AND c.geographic_level = 'national'"
    ).fetchone()[0]
    assert 45 < rate < 70  # about 57 per 10,000 in 2010, as the latent model intends


def test_demo_files_keep_the_real_layout(shared_demo_settings):
    demo_dir = ensure_demo_source(shared_demo_settings)
    paths = {e.id: demo_dir / e.mirror_path for e in load_catalog().family("cla_sfr_underlying", "demo")}
    for entry_id, path in paths.items():
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data, entry_id
        data.decode("ascii")
    header = lambda entry: next(csv.reader(io.StringIO(paths[entry].read_text())))  # noqa: E731
    assert header("dfe_cla_sfr_2010_31mar")[:5] == ["geog_l", "geog_c", "geog_n", "MarTotal_2010", "Mid2009Pop0-17"]
    assert header("dfe_cla_sfr_2013_31mar")[:5] == ["New_geog_code", "geog_l", "geog_c", "geog_n", "CLA_Mar2013"]
    assert header("dfe_cla_sfr_2015_started")[4] == "CLA_started2014"
    assert header("dfe_cla_sfr_2014_ceased")[4] == "CLA_cease"
    assert header("dfe_cla_sfr_2017_ceased")[:6] == ["LA_order", "New_geog_code", "geog_l", "geog_c", "geog_n", "CLA_cease2017"]
    last = list(csv.reader(io.StringIO(paths["dfe_cla_sfr_2017_31mar"].read_text())))[-1]
    assert last[1:5] == ["E06000053", "", "420", "Isles of Scilly"]


def test_a_code_and_name_naming_different_authorities_fail_the_check(tmp_path):
    contract = load_contract("dfe_cla_sfr_underlying")
    path = tmp_path / "SFR36_CLA2013.csv"
    path.write_text(
        "New_geog_code,geog_l,geog_c,geog_n,CLA_Mar2013,CLA_male\r\n"
        "E92000001,NATIONAL,999,ENGLAND,68110,37510\r\n"
        "E08000020,LA,390,Gateshead,388,206\r\n"
        "E06000047,LA,840,Darlington,626,348\r\n"
        "E06000035,LA,999,Medway,407,228\r\n",
        encoding="ascii",
    )
    frame, problems = conform(read_published(path, contract), contract, path.name, release="2013", period=2013)
    frame = frame.with_columns(pl.lit(2013).alias("period"))
    resolver = default_resolver()
    problems += validate(frame, contract, resolver.known_codes()) + conformed.resolve_la_identifiers(frame, contract, resolver)[1]
    found = [(p.row, p.column, p.message.split(" (")[0]) for p in problems]
    assert found == [
        (4, None, "LA identifiers name different authorities"),
        (5, "geog_c", "DfE 3-digit LA code does not resolve to a known authority in the year ending 31 March 2013"),
    ], problems


def sheet_grid(path: Path, sheet: str) -> list[list[str]]:
    grid = fastexcel.read_excel(path).load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    return [["" if c is None else c for c in row] for row in grid.iter_rows()]


def test_demo_sfr27_tables_keep_the_real_layout(shared_demo_settings):
    demo_dir = ensure_demo_source(shared_demo_settings)
    entries = {e.id: e for f in FAMILIES[1:] for e in load_catalog().family(f, "demo")}
    assert set(entries) == set(SFR27_SHEETS)
    for entry_id, entry in entries.items():
        path = demo_dir / entry.mirror_path
        assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0"), entry_id  # OLE2: a legacy .xls
        assert fastexcel.read_excel(path).sheet_names == SFR27_SHEETS[entry_id]
    laa1 = sheet_grid(demo_dir / entries["dfe_cla_sfr27_2010_laa1"].mirror_path, "LAA1")
    assert laa1[0][2] == "Back to Contents" and laa1[1][2].startswith("Table LAA1:")
    assert (laa1[5][3], laa1[5][9]) == ("numbers3", "rates4")
    assert laa1[6][3:14] == ["2006", "2007", "2008", "2009", "2010", "", "2006", "2007", "2008", "2009", "2010"]
    assert laa1[7][:3] == ["0", "0", "England"] and laa1[8][2] == "North East"
    names = [row[2] for row in laa1]
    cheshire = names.index("Cheshire5")
    assert names[cheshire + 1: cheshire + 3] == ["Cheshire East5", "Cheshire West and Chester5"]
    assert laa1[cheshire][7] == laa1[cheshire][13] == "." and laa1[cheshire + 1][3:7] == ["."] * 4
    assert laa1[cheshire + 1][:2] == ["", ""]  # successors have no code or order number
    london = names.index("London")
    assert names[london + 1] == "Inner London" and "Outer London" in names
    assert any(row[2].startswith("5.  ") for row in laa1) and laa1[-1][2].startswith(".   ")
    lac1 = sheet_grid(demo_dir / entries["dfe_cla_sfr27_2010_lac1"].mirror_path, "LAC1")
    assert lac1[5][:6] == ["", "2006", "2007", "2008", "2009", "2010"] and lac1[6][0] == "England"


@pytest.fixture(scope="module")
def demo(shared_demo_settings):
    con, problems = family_warehouse(shared_demo_settings, list(FAMILIES), ["staging.stg_cla_sfr"])
    yield con, problems
    con.close()


def test_demo_sfr27_tables_go_through_the_pipeline(demo):
    con, problems = demo
    assert problems == {f: [] for f in FAMILIES}
    per_year = con.execute(
        "SELECT indicator, year, count(*) FILTER (status <> 'not_applicable'), count(value) FROM staging.stg_cla_sfr "
        "WHERE geographic_level = 'local_authority' AND year BETWEEN 2006 AND 2009 GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    # 150 authorities of 2006-2009 (Cheshire and Bedfordshire before their 2009 split; their four
    # successors are '.'); the Isles of Scilly and City of London may be 'x'.
    assert {(i, y) for i, y, _, _ in per_year} == {
        (i, y) for i in ("cla_count", "cla_rate_per_10k", "cla_starts_count", "cla_ceased_count") for y in range(2006, 2010)}
    assert all(n == 150 and n - 2 <= published <= n for _, _, n, published in per_year), per_year
    counts = con.execute(
        "SELECT value FROM staging.stg_cla_sfr WHERE geographic_level = 'local_authority' AND year < 2010 "
        "AND indicator LIKE '%count' AND value IS NOT NULL"
    ).fetchall()
    assert all(v % 5 == 0 for (v,) in counts)  # LA numbers rounded to 5
    # 2010: counts from the underlying CSVs only (one row per LA), the rate from LAA1.
    sources = con.execute(
        "SELECT indicator, source_entry, count(*) FROM staging.stg_cla_sfr WHERE geographic_level = 'local_authority' "
        "AND year = 2010 AND indicator IN ('cla_count', 'cla_rate_per_10k') AND status <> 'not_applicable' "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert sources == [("cla_count", "dfe_cla_sfr_2010_31mar", 152), ("cla_rate_per_10k", "dfe_cla_sfr27_2010_laa1", 152)]


def test_demo_sfr27_2010_columns_are_the_underlying_csvs_rounded(shared_demo_settings):
    """The tables' 2010 columns, which the contracts ignore, hold the counts of the SFR27/2010
    underlying CSVs (exact there) rounded to 5, and the England rows agree: one demo world."""
    catalog = load_catalog()

    def raw(entry) -> Path:
        return Path(acquire.acquire_entry(entry, shared_demo_settings, catalog).raw_path)

    csvs = {e.id.rsplit("_", 1)[1]: raw(e) for e in catalog.family("cla_sfr_underlying", "demo") if e.period == 2010}
    for family, kind, column, shown_column in (("cla_sfr27_2010_laa1", "31mar", "MarTotal_2010", "numbers3 2010"),
                                               ("cla_sfr27_2010_lac1", "started", "StartTotal_2010", "2010"),
                                               ("cla_sfr27_2010_lad1", "ceased", "CeasedTotal_2010", "2010")):
        rows = list(csv.DictReader(io.StringIO(csvs[kind].read_text(encoding="ascii"))))
        exact = {r["geog_n"].strip(): r[column] for r in rows if r["geog_l"] in ("LA", "National")}
        entry = catalog.family(family, "demo")[0]
        frame = read_published(raw(entry), load_contract(entry.contract))  # as read, before conform drops 2010
        shown = {area.removesuffix("5"): value for area, value in frame.select("area", shown_column).iter_rows()
                 if value != "."}
        assert shown["England"] == exact.pop("England"), family  # both: the LA sum rounded to 100
        if family == "cla_sfr27_2010_laa1":
            # LAA1's England rates of 2006-2009 (the LA sum over the mid-2009 population) follow the
            # latent model's national path.
            england = frame.filter(pl.col("area") == "England").row(0, named=True)
            assert all(abs(int(england[f"rates4 {y}"]) - rate) <= 1 for y, rate in ENGLAND_HISTORY_PATH.items()), england
        assert set(exact) <= set(shown) and len(exact) == 152, family
        for name, value in exact.items():
            if value == "x":
                assert shown[name] == "x", (family, name)
            else:
                assert int(shown[name]) == 5 * ((2 * int(value) + 5) // 10), (family, name, shown[name], value)
