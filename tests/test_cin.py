"""DfE children in need (CIN) and child protection: EES tables, SFR underlying data 2010-2017, demo files.

Spot values are published figures read off the real files (checking, not copying them).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import polars as pl
import pytest

from csc_pipeline import acquire, conformed, warehouse
from csc_pipeline.catalog import Catalog, SourceEntry, load_catalog
from csc_pipeline.contracts import conform, load_contract
from csc_pipeline.demo.families.cin import SFR_YEARS
from csc_pipeline.geography import default_resolver
from csc_pipeline.readers import read_published
from csc_pipeline.reference_tables import reference_frames
from csc_pipeline.settings import Settings

CATALOG = load_catalog()
CIN_FAMILIES = [f for f in CATALOG.families() if f.startswith("cin_")]
FAMILIES = [*CIN_FAMILIES, "ons_population_0_17"]


def _ingest(settings: Settings, catalog: Catalog, families: list[str]) -> dict[str, list]:
    """Obtain, conform and validate families as the pipeline does; problems per family."""
    resolver = default_resolver()
    problems = {}
    for family in families:
        conformed.conform_family(family, settings, catalog, acquire.acquire_family(family, settings, catalog))
        problems[family] = list(conformed.check_family(family, settings, catalog, resolver).problems)
    return problems


def _stg_cin(settings: Settings) -> duckdb.DuckDBPyConnection:
    """staging.stg_cin built by its SQL model from the validated raw tables."""
    con = duckdb.connect()
    for family in CIN_FAMILIES:
        # as the loaded asset loads it: with the GSS codes the check resolved for 3-digit codes
        warehouse.replace_table(con, f"loaded.{family}", conformed.read_validated(family, settings))
    warehouse.replace_table(con, "ref.symbol_status", reference_frames()["ref.symbol_status"])
    warehouse.run_model(con, next(m for m in warehouse.discover_models() if m.name == "stg_cin"))
    return con


def _value(con, area: str, year: int, indicator: str, release: str) -> tuple[float | None, str | None]:
    rows = con.execute(
        "SELECT value, symbol FROM staging.stg_cin WHERE area_code = ? AND year = ? AND indicator = ? AND release = ?",
        [area, year, indicator, release],
    ).fetchall()
    assert len(rows) == 1, (area, year, indicator, release, rows)
    return rows[0]


# ------------------------------------------------------------------------------------------
# The real files
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real(real_dir, tmp_path_factory):
    settings = Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("lake"))
    problems = _ingest(settings, CATALOG, FAMILIES)
    return settings, problems, _stg_cin(settings) if not any(problems.values()) else None


def test_every_real_cin_file_conforms_and_validates(real):
    _, problems, _ = real
    assert {f: [str(p) for p in ps[:5]] for f, ps in problems.items() if ps} == {}
    entries = [e for f in FAMILIES for e in CATALOG.family(f, "mirror")]
    assert len(entries) == 21 + 8 + 3


# (area, year, indicator, release) -> the published figure, read off the real file.
EES_SPOT_VALUES = {
    ("E06000005", 2024, "cin_count", "2024"): 1110,  # b1 At31_episodes, Darlington
    ("E06000005", 2024, "cin_rate_per_10k", "2024"): 495.3,
    ("E92000001", 2024, "cin_count", "2024"): 399460,
    ("E08000035", 2025, "referrals_count", "2025"): 10304,  # c1 2025 snake_case: referral_count, Leeds
    ("E08000035", 2025, "rereferrals_percent", "2025"): 24.2,
    ("E08000035", 2023, "referrals_count", "2024"): 10950,  # the same year in CamelCase (Referrals)
    ("E08000035", 2023, "referrals_count", "2025"): 10950,
    ("E09000007", 2022, "s47_enquiries_count", "2022"): 810,  # c4, Camden
    ("E09000007", 2022, "s47_rate_per_10k", "2022"): 149.7,
    ("E08000035", 2024, "icpc_count", "2024"): 1008,
    ("E08000035", 2024, "assessments_count", "2024"): 9202,  # c2
    ("E10000016", 2024, "cpp_2_years_or_more_count", "2024"): 23,  # d5, Kent
    ("E10000016", 2024, "cpp_2_years_or_more_percent", "2024"): 1.9,
    ("E10000016", 2024, "cpp_reviewed_in_time_percent", "2024"): 99.8,  # d6
    ("E06000001", 2025, "cpp_second_or_subsequent_percent", "2025"): 32.4,  # d3, Hartlepool
    ("E06000001", 2025, "cpp_starts_count", "2025"): 241,  # from d3: the 2025 release has no d1
    ("E06000001", 2025, "cpp_at_31_march_count", "2025"): 173,  # from d5
    ("E06000001", 2024, "cpp_starts_count", "2024"): 230,  # d1
    ("E06000001", 2024, "cpp_rate_per_10k", "2024"): 77.4,
}
SFR_SPOT_VALUES = {
    ("E09000007", 2017, "cin_count", "2017"): 1756,  # published as CINAt310316 (mislabelled)
    ("E09000007", 2017, "cin_rate_per_10k", "2017"): 368.5,  # CINAt310316RatePer10K
    ("E09000007", 2015, "cin_count", "2015"): 2043,  # "2,043"
    ("E09000007", 2015, "cin_rate_per_10k", "2015"): 462.8,  # published as CINAt310314RatePer10K
    ("E09000007", 2014, "cpp_second_or_subsequent_percent", "2014"): 20,  # CPPStart1314SecondTime_A
    ("E08000035", 2012, "referrals_nfa_count", "2012"): 2832,  # ReferralsNFA112
    ("E08000035", 2012, "referrals_nfa_percent", "2012"): 21,
    ("E09000007", 2010, "cin_count", "2010"): 2432,  # 3-digit code 202 only
    ("E09000007", 2010, "icpc_within_15_days_percent", "2010"): 86.8,
    ("E06000042", 2010, "cin_count", "2010"): 1367,  # Milton Keynes, 826
    ("E06000056", 2012, "cpp_at_31_march_count", "2012"): 227,  # Central Bedfordshire, 823
    ("E92000001", 2011, "cin_count", "2011"): 382400,
    ("E92000001", 2011, "cin_rate_per_10k", "2011"): 346.2,
    ("E10000016", 2013, "s47_enquiries_count", "2013"): 3902,
}


@pytest.mark.parametrize(("key", "published"), [*EES_SPOT_VALUES.items(), *SFR_SPOT_VALUES.items()], ids=str)
def test_spot_values_equal_the_published_figures(real, key, published):
    con = real[2]
    assert _value(con, *key) == (published, None)


def test_shares_within_timescale_are_computed_from_the_bands_as_dfe_does(real):
    con = real[2]
    # DfE's own figures (LAIT): Leeds 2024, ICPCs within 15 working days 46.3%, assessments within 45 68.9%.
    assert round(_value(con, "E08000035", 2024, "icpc_within_15_days_percent", "2024")[0], 1) == 46.3
    assert round(_value(con, "E08000035", 2024, "assessments_within_45_days_percent", "2024")[0], 1) == 68.9
    # SFR bands: Leeds 2012 initial assessments (743 + 2,166 + 5,341) / 9,583; Hartlepool 2016 ICPCs (13 + 127) / 156.
    assert _value(con, "E08000035", 2012, "initial_assessments_within_10_days_percent", "2012")[0] == pytest.approx(8250 / 9583 * 100)
    assert _value(con, "E06000001", 2016, "icpc_within_15_days_percent", "2016")[0] == pytest.approx(140 / 156 * 100)
    # A suppressed band leaves the share suppressed: Hartlepool 2025, 2 years or more is 'c'.
    assert _value(con, "E06000001", 2025, "cpp_2_years_or_more_percent", "2025") == (None, "c")


def test_real_staging_has_one_row_per_release_area_year_indicator(real):
    con = real[2]
    dupes = con.sql(
        "SELECT release, area_code, year, indicator, count(*) FROM staging.stg_cin GROUP BY ALL HAVING count(*) > 1"
    ).fetchall()
    assert dupes == []
    # The 2025 release published no rates; nothing is invented for them.
    assert con.sql("SELECT count(*) FROM staging.stg_cin WHERE release = '2025' AND indicator LIKE '%rate_per_10k'").fetchone() == (0,)


def test_2024_and_2025_headers_conform_to_one_contract(real_dir):
    for family in ("cin_b1", "cin_c1", "cin_c4"):
        contract = load_contract(family)
        frames = {}
        for release in ("2024", "2025"):
            entry = next(e for e in CATALOG.family(family) if e.release == release)
            header = next(csv.reader(io.StringIO((real_dir / entry.mirror_path).read_text(encoding="utf-8-sig"))))
            frame, problems = conform(read_published(real_dir / entry.mirror_path, contract), contract, entry.mirror_path, release=release)
            assert problems == [], (family, release)
            frames[release] = (set(header), frame)
        assert frames["2024"][0] != frames["2025"][0], family  # different published headers ...
        assert frames["2024"][1].columns == frames["2025"][1].columns  # ... the same canonical columns
        rate = next(c.name for c in contract.columns if c.name.endswith("_rate"))
        assert frames["2025"][1][rate].null_count() == frames["2025"][1].height  # rates dropped in 2025


# ------------------------------------------------------------------------------------------
# Demo files
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(shared_demo_settings):
    return shared_demo_settings, _ingest(shared_demo_settings, CATALOG, FAMILIES)


def test_demo_files_read_back_through_the_same_contracts(demo):
    settings, problems = demo
    assert {f: [str(p) for p in ps[:5]] for f, ps in problems.items() if ps} == {}
    demo_dir = settings.demo_dir / "dfe/cin"
    for release, tables in ((2022, 8), (2024, 8), (2025, 5)):
        assert len(list((demo_dir / f"ees_release_{release}").glob("[bcd]?_*.csv"))) == tables
    assert sorted(int(p.parent.name) for p in (demo_dir / "sfr_underlying").glob("*/*.csv")) == list(SFR_YEARS)


def test_demo_keeps_the_real_encodings_and_header_quirks(demo):
    settings, _ = demo
    root = settings.demo_dir / "dfe/cin"
    b1 = {r: next((root / f"ees_release_{r}").glob("b1_*.csv")).read_bytes() for r in (2022, 2024, 2025)}
    assert b1[2022].startswith(b"\xef\xbb\xbf") and b"\r\n" not in b1[2022]
    assert not b1[2024].startswith(b"\xef\xbb\xbf") and b1[2024].count(b"\r\n") == b1[2024].count(b"\n")
    assert b",At31_episodes_rate," in b1[2024] and b"_rate" not in b1[2025].split(b"\n")[0]
    assert next((root / "ees_release_2022").glob("c1_*.csv")).read_text(encoding="utf-8-sig").split(",")[10] == "Category"
    assert b'England,"","",,"",""' in next((root / "ees_release_2025").glob("d3_*.csv")).read_bytes()
    sfr = {y: (root / "sfr_underlying" / str(y)).glob("*.csv").__next__().read_text() for y in SFR_YEARS}
    assert "CINAt310316," in sfr[2017].split("\n")[0] and "CINAt310314RatePer10K" in sfr[2015].split("\n")[0]
    assert sfr[2015].split("\n")[1].startswith("National,,E06000046,England,")


def test_demo_cin_follows_the_latent_need(demo):
    settings, _ = demo
    con = _stg_cin(settings)
    la = con.sql(
        """
        SELECT area_code, year,
               max(value) FILTER (WHERE indicator = 'referrals_rate_per_10k') AS referrals,
               max(value) FILTER (WHERE indicator = 'cpp_rate_per_10k') AS cpp,
               max(value) FILTER (WHERE indicator = 'cin_rate_per_10k') AS cin
        FROM staging.stg_cin WHERE geographic_level = 'local_authority' AND release = '2024' AND year = 2024
        GROUP BY ALL
        """
    ).pl().drop_nulls()
    cla = pl.read_csv(settings.demo_dir / "dfe/cla/ees_release_2024/cla_number_and_rate_per_10k_children.csv",
                      infer_schema=False).filter(
        (pl.col("time_period") == "2024") & pl.col("population_count").str.contains("31 March")
        & pl.col("rate_per_10000").str.contains(r"^\d+$")
    ).select(pl.col("new_la_code").alias("area_code"), pl.col("rate_per_10000").cast(pl.Float64).alias("cla"))
    joined = la.join(cla, on="area_code")
    assert joined.height > 140
    for column in ("referrals", "cpp", "cin"):
        assert joined.select(pl.corr("cla", column)).item() > 0.4, column
    national = dict(con.sql(
        "SELECT indicator, value FROM staging.stg_cin WHERE geographic_level = 'national' AND release = '2024' AND year = 2024"
    ).fetchall())
    assert 300 < national["cin_rate_per_10k"] < 360 and 480 < national["referrals_rate_per_10k"] < 580
    assert 35 < national["cpp_rate_per_10k"] < 48 and 15 < national["rereferrals_percent"] < 30
    assert 70 < national["assessments_within_45_days_percent"] < 95


# ------------------------------------------------------------------------------------------
# Mutated inputs fail, naming file, column and row
# ------------------------------------------------------------------------------------------
def _one_file_catalog(family: str, entry_id: str, rel: str) -> Catalog:
    entry = next(e for e in CATALOG.family(family) if e.id == entry_id)
    return Catalog(entries=(SourceEntry(**{**entry.__dict__, "mirror_path": rel, "modes": ("mirror",)}),),
                   allowed_hosts=frozenset())


def _mutated_problems(tmp_path, demo_settings_dir: Path, family: str, entry_id: str, edit) -> list:
    entry = next(e for e in CATALOG.family(family) if e.id == entry_id)
    text = (demo_settings_dir / entry.mirror_path).read_text(encoding="utf-8-sig")
    (tmp_path / "mirror").mkdir(exist_ok=True)
    (tmp_path / "mirror" / "f.csv").write_text(edit(text), encoding="utf-8")
    settings = Settings(source_mode="mirror", mirror_dir=tmp_path / "mirror", data_lake=tmp_path / "lake")
    return _ingest(settings, _one_file_catalog(family, entry_id, "f.csv"), [family])[family]


@pytest.mark.parametrize(
    ("family", "entry_id", "edit", "column", "fragment", "row"),
    [
        # A column labelled with another year than the file's.
        ("cin_sfr_underlying", "dfe_cin_sfr_underlying_2017", lambda t: t.replace(",Referrals1617,", ",Referrals1516,", 1),
         "Referrals1516", "the header says year 2016 but this file covers year 2017", None),
        # A 3-digit code of no authority.
        ("cin_sfr_underlying", "dfe_cin_sfr_underlying_2010", lambda t: t.replace("\nLA,202,", "\nLA,999,", 1),
         "geog_c", "3-digit LA code does not resolve", 4),
        # 2025 renamed column not in the contract.
        ("cin_c1", "dfe_cin_c1_2025", lambda t: t.replace(",referral_count,", ",referrals_total,", 1),
         "referral_count", "required column missing", None),
    ],
)
def test_mutated_files_fail_naming_file_column_and_row(tmp_path, demo, family, entry_id, edit, column, fragment, row):
    settings, _ = demo
    problems = _mutated_problems(tmp_path, settings.demo_dir, family, entry_id, edit)
    hits = [p for p in problems if p.column == column and fragment in p.message]
    assert hits, [str(p) for p in problems]
    assert all(p.file == "f.csv" for p in hits)
    if row is not None:
        assert hits[0].row == row and hits[0].value == "999"


def test_a_percentage_above_100_is_located(tmp_path, demo):
    settings, _ = demo

    def edit(text: str) -> str:
        lines = text.split("\n")
        i = next(n for n, line in enumerate(lines) if ",Local authority," in line)
        cells = lines[i].split(",")
        cells[-1] = "112.5"
        lines[i] = ",".join(cells)
        return "\n".join(lines)

    problems = _mutated_problems(tmp_path, settings.demo_dir, "cin_d3", "dfe_cin_d3_2022", edit)
    assert [(p.file, p.column, p.value) for p in problems] == [("f.csv", "cpp_subsequent_percent", "112.5")]
    assert "out of range" in problems[0].message and problems[0].row > 13
