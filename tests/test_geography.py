"""Tests of csc_pipeline.geography: unit tests on made-up inputs, checks of the packaged reference
tables, and conformance tests against the real published lookups and data files.

The conformance tests read ../shared/data/real in place (override with CSC_REAL_DATA_DIR) and skip
when it is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

import polars as pl
import pytest

from csc_pipeline.geography import (
    CHANGE_TYPES,
    LaResolver,
    default_resolver,
    load_boundary_changes,
    load_combined_units,
    load_local_authorities,
    load_name_variants,
    normalise_la_name,
    validate_reference,
)

REAL = Path(os.environ.get("CSC_REAL_DATA_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real")


@pytest.fixture(scope="module")
def real() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"real published files not found at {REAL} (set CSC_REAL_DATA_DIR to run conformance tests)")
    return REAL


@pytest.fixture(scope="module")
def las() -> pl.DataFrame:
    return load_local_authorities()


@pytest.fixture(scope="module")
def resolver() -> LaResolver:
    return default_resolver()


def _in_force(las: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return las.filter(
        (pl.col("valid_from").is_null() | (pl.col("valid_from") <= day))
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= day))
    )


def _row(las: pl.DataFrame, code: str) -> dict:
    found = las.filter(pl.col("la_code") == code)
    assert found.height == 1, f"{code} is not exactly one row of local_authorities.csv"
    return found.row(0, named=True)


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


# --------------------------------------------------------------------------------------------
# Unit tests on made-up inputs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bristol, City of", "bristol"),
        ("Bristol (City of)", "bristol"),
        ("Kingston upon Hull  City of", "kingston upon hull"),
        ("Herefordshire, County of", "herefordshire"),
        ("Telford & Wrekin", "telford and wrekin"),
        ("St. Helens", "st helens"),
        ("  Stockton-On-Tees ", "stockton on tees"),
        ("Cheshire East5", "cheshire east"),
        ("The Vale of Glamorgan", "vale of glamorgan"),
        ("Ynys Môn", "ynys mon"),
        ("City of London", "city of london"),
        ("Newport ", "newport"),
        ("Bath & North East Somerset UA", "bath and north east somerset"),
        ("Bury MBC", "bury"),
        ("Dorset CC", "dorset"),
        ("Buckinghamshire Council", "buckinghamshire"),
    ],
)
def test_normalise_la_name(raw: str, expected: str) -> None:
    assert normalise_la_name(raw) == expected


def _toy_resolver() -> LaResolver:
    """A made-up county split plus a recode, a reused 3-digit code and a reused name."""
    d = dt.date
    las = pl.DataFrame(
        {
            "authority_id": ["northshire", "north_northshire", "south_northshire", "port_city", "port_city", "new_port", "wells"],
            "la_code": ["E10000901", "E06000901", "E06000902", "E08000901", "E08000902", "E06000903", "W06000901"],
            "la_code_3": ["901", "902", "903", "904", "904", "901", "990"],
            "la_name": ["Northshire", "North Northshire", "South Northshire", "Port City", "Port City", "Northshire", "Wells"],
            "valid_from": [None, d(2020, 4, 1), d(2020, 4, 1), None, d(2015, 4, 1), d(2020, 4, 1), None],
            "valid_to": [d(2020, 3, 31), None, None, d(2015, 3, 31), None, None, None],
        }
    )
    variants = pl.DataFrame({"name_variant": ["Port", "Ffynnon"], "authority_id": ["port_city", "wells"]})
    combined = pl.DataFrame(
        {
            "unit_code": ["E06000901 / E06000902"] * 2,
            "unit_code_3": ["902 / 903"] * 2,
            "unit_name": ["North Northshire / South Northshire"] * 2,
            "member_code": ["E06000901", "E06000902"],
        }
    )
    return LaResolver(las, variants, combined)


def test_resolve_code_gss_and_3_digit() -> None:
    r = _toy_resolver()
    assert r.resolve_code("E08000901") == "port_city"
    assert r.resolve_code(" e08000902 ") == "port_city"  # recode: same authority
    assert r.resolve_code("904", 2010) == "port_city"
    assert r.resolve_code(904) == r.resolve_code("904.0") == "port_city"  # numbers read from spreadsheets
    assert r.resolve_code("902") == "north_northshire"
    # 901 was Northshire county until 2020 and then a different body: the year decides
    assert r.resolve_code("901", 2020) == "northshire"  # in force on 31 March 2020
    assert r.resolve_code("901", 2021) == "new_port"
    assert r.resolve_code("901", 1999) == "northshire"  # before every period: nearest
    assert r.resolve_code("901") is None  # ambiguous without a year
    assert r.resolve_code("E07000901") is None  # lower-tier district code
    assert r.resolve_code("999") is None
    assert r.resolve_code("Northshire") is None


def test_resolve_name() -> None:
    r = _toy_resolver()
    assert r.resolve_name("NORTH  northshire") == "north_northshire"
    assert r.resolve_name("Port") == "port_city"  # listed variant
    assert r.resolve_name("Northshire", 2019) == "northshire"
    assert r.resolve_name("Northshire", 2024) == "new_port"
    assert r.resolve_name("Northshire") is None
    assert r.resolve_name("Wells / Ffynnon") == "wells"  # bilingual name, both halves agree
    assert r.resolve_name("Wells / Port") is None
    assert r.resolve_name("Southshire") is None


def test_combined_units_and_unresolved() -> None:
    r = _toy_resolver()
    members = ("north_northshire", "south_northshire")
    assert r.combined_members("E06000901 / E06000902") == members
    assert r.combined_members("E06000901/E06000902") == members
    assert r.combined_members("902 / 903") == members
    assert r.combined_members("North Northshire / South Northshire") == members
    assert r.combined_members("E06000901") is None
    assert r.resolve_code("E06000901 / E06000902") is None  # a unit is not an authority
    assert r.unresolved(["E06000901", "E06000901 / E06000902", "E07000001", "123", "E07000001", None]) == ["123", "E07000001"]


def test_validate_reference_catches_bad_rows(las: pl.DataFrame) -> None:
    changes = load_boundary_changes()
    bad_dates = las.with_columns(
        pl.when(pl.col("la_code") == "E10000021").then(pl.lit(dt.date(2021, 4, 1))).otherwise(pl.col("valid_to")).alias("valid_to")
    )
    assert any("E10000021->E06000061" in p for p in validate_reference(bad_dates, changes))
    bad_type = changes.with_columns(pl.lit("merge").alias("change_type"))
    assert any("recode" in p or "merge creates" in p for p in validate_reference(las, bad_type))
    overlap = pl.concat([las, las.filter(pl.col("la_code") == "E06000059").with_columns(pl.lit("E06000099").alias("la_code"))])
    assert any("overlapping" in p for p in validate_reference(overlap, changes))


def test_future_change_is_data_only(las: pl.DataFrame) -> None:
    """The announced 2027 Surrey split (made-up successor codes) needs new rows, not new code."""
    surrey = _row(las, "E10000030")
    ended = las.with_columns(
        pl.when(pl.col("la_code") == "E10000030").then(pl.lit(dt.date(2027, 3, 31))).otherwise(pl.col("valid_to")).alias("valid_to")
    )
    successors = pl.DataFrame(
        [
            {**surrey, "authority_id": "east_surrey", "la_code": "E06000990", "la_code_3": "990", "la_name": "East Surrey",
             "la_type": "unitary_authority", "valid_from": dt.date(2027, 4, 1), "valid_to": None},
            {**surrey, "authority_id": "west_surrey", "la_code": "E06000991", "la_code_3": "991", "la_name": "West Surrey",
             "la_type": "unitary_authority", "valid_from": dt.date(2027, 4, 1), "valid_to": None},
        ],
        schema=las.schema,
    )
    las2 = pl.concat([ended, successors])
    changes2 = pl.concat(
        [
            load_boundary_changes(),
            pl.DataFrame(
                {
                    "event_date": [dt.date(2027, 4, 1)] * 2,
                    "change_type": ["split"] * 2,
                    "predecessor_code": ["E10000030"] * 2,
                    "successor_code": ["E06000990", "E06000991"],
                    "note": ["Surrey split (test)"] * 2,
                }
            ),
        ]
    )
    assert validate_reference(las2, changes2) == []
    r = LaResolver(las2)
    assert r.resolve_code("E06000991") == "west_surrey"
    assert r.resolve_code("936", 2026) == "surrey"
    assert r.resolve_name("East Surrey", 2028) == "east_surrey"


# --------------------------------------------------------------------------------------------
# The packaged reference tables
# --------------------------------------------------------------------------------------------


def test_reference_files_have_the_agreed_columns() -> None:
    assert load_local_authorities().columns == (
        "authority_id,la_code,la_code_3,la_name,nation,region_code,region_name,london_subregion,la_type,valid_from,valid_to".split(",")
    )
    assert load_boundary_changes().columns == ["event_date", "change_type", "predecessor_code", "successor_code", "note"]
    assert load_combined_units().columns == ["unit_code", "unit_code_3", "unit_name", "member_code"]
    assert load_name_variants().columns == ["name_variant", "authority_id"]


def test_reference_is_consistent() -> None:
    assert validate_reference() == []


def test_local_authorities_columns_agree(las: pl.DataFrame) -> None:
    types = {"E06": "unitary_authority", "E08": "metropolitan_district", "E09": "london_borough", "E10": "shire_county", "W06": "welsh_unitary_authority"}
    for r in las.iter_rows(named=True):
        code = r["la_code"]
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", r["authority_id"]), r
        assert r["la_type"] == types[code[:3]], r
        assert r["nation"] == ("Wales" if code.startswith("W") else "England"), r
        if code.startswith("W"):
            assert (r["region_code"], r["region_name"], r["valid_from"], r["valid_to"]) == ("W92000004", "Wales", None, None), r
        else:
            assert re.fullmatch(r"E1200000[1-9]", r["region_code"]), r
        assert (r["london_subregion"] in ("Inner London", "Outer London")) == code.startswith("E09"), r
        assert (r["region_code"] == "E12000007") == code.startswith("E09"), r
        assert r["valid_from"] is None or r["valid_from"] >= dt.date(2005, 4, 1), r
    assert las.group_by("region_code").agg(pl.col("region_name").n_unique()).get_column("region_name").max() == 1


def test_local_authorities_key_facts(las: pl.DataFrame) -> None:
    live = _in_force(las, dt.date(2025, 6, 1))
    assert live.filter(pl.col("nation") == "England").height == 153
    assert live.filter(pl.col("nation") == "Wales").height == 22
    assert las.filter(pl.col("nation") == "Wales").get_column("la_code_3").sort().to_list() == [str(c) for c in range(660, 682)]
    ids = dict(las.select("la_code", "authority_id").iter_rows())
    assert ids["E08000020"] == ids["E08000037"] == "gateshead"
    assert ids["E06000048"] == ids["E06000057"] == ids["E10000022"] == "northumberland"
    assert ids["E10000023"] == ids["E06000065"] == "north_yorkshire"
    assert ids["E10000002"] == ids["E06000060"] == "buckinghamshire"
    assert (ids["E10000009"], ids["E06000059"]) == ("dorset_county", "dorset")
    assert _row(las, "E10000021")["valid_to"] == dt.date(2021, 3, 31)
    assert _row(las, "E06000061")["valid_from"] == _row(las, "E06000062")["valid_from"] == dt.date(2021, 4, 1)
    assert _row(las, "E08000016")["valid_to"] == dt.date(2025, 4, 30)
    assert _row(las, "E08000038")["valid_from"] == dt.date(2025, 5, 1)
    for code in ("E10000001", "E10000004", "E10000005", "E10000010", "E10000022", "E10000026", "E10000033"):
        assert _row(las, code)["valid_to"] == dt.date(2009, 3, 31), code


def test_boundary_changes_cover_every_code_period(las: pl.DataFrame) -> None:
    changes = load_boundary_changes()
    assert set(changes["change_type"]) <= set(CHANGE_TYPES)
    ended = set(las.filter(pl.col("valid_to").is_not_null())["la_code"])
    started = set(las.filter(pl.col("valid_from").is_not_null())["la_code"])
    assert ended == set(changes["predecessor_code"])
    # E06000053 (Isles of Scilly) got its own GSS code in 2009; the council always ran its own
    # children's services, so no boundary change explains it.
    assert started - {"E06000053"} == set(changes["successor_code"])
    events = {(str(d), t) for d, t in changes.select("event_date", "change_type").iter_rows()}
    assert {("2009-04-01", "split"), ("2009-04-01", "unitarisation"), ("2013-04-01", "recode"), ("2019-04-01", "merge"),
            ("2019-04-01", "part_transfer"), ("2020-04-01", "unitarisation"), ("2021-04-01", "split"),
            ("2023-04-01", "split"), ("2023-04-01", "unitarisation"), ("2025-05-01", "recode")} <= events


def test_name_variants_are_needed_and_unambiguous(las: pl.DataFrame) -> None:
    official = {}
    for aid, name in las.select("authority_id", "la_name").iter_rows():
        official.setdefault(normalise_la_name(name), set()).add(aid)
    for variant, aid in load_name_variants().iter_rows():
        key = normalise_la_name(variant)
        assert aid in set(las["authority_id"]), variant
        assert aid not in official.get(key, set()), f"{variant!r} is already reconciled by normalise_la_name"
        assert not official.get(key), f"{variant!r} is another authority's official name"


# --------------------------------------------------------------------------------------------
# Conformance with the real published files
# --------------------------------------------------------------------------------------------

GSS_START = "01/01/2009"  # DfE's date_of_operation for every code in use when GSS codes began


def _dfe_lookup(path: Path) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(_decode(path))))
    return [r for r in rows if re.fullmatch(r"[EW]\d{8}", r["new_la_code"])]  # drops combined units, BFPO


def _check_dfe_row(las: pl.DataFrame, f: dict) -> None:
    ours = _row(las, f["new_la_code"])
    assert ours["la_name"] == f["la_name"], f
    assert ours["region_code"] == f["parent_geography_code"], f
    if f["old_la_code"] == "x":
        # The lookup gives no 3-digit code for codes that ended in 2009; ours may carry the code the
        # DfE used for the same authority (e.g. 840 for Durham), never someone else's.
        same_body = las.filter(pl.col("authority_id") == ours["authority_id"])["la_code_3"].to_list()
        assert ours["la_code_3"] is None or ours["la_code_3"] in same_body, f
    else:
        assert ours["la_code_3"] == f["old_la_code"], f
    start = None if f["date_of_operation"] in ("", GSS_START) else dt.datetime.strptime(f["date_of_operation"], "%d/%m/%Y").date()
    if f["new_la_code"] == "E06000053":
        # The lookup dates the Isles of Scilly's code from April 2009 (before it GSS listed "Cornwall
        # and Isles of Scilly"), but the Council of the Isles of Scilly was already its own children's
        # services authority (420) and the SFR27/2010 tables publish it for 2006-2009: the files win.
        start = None
    end = dt.datetime.strptime(f["date_of_termination"], "%d/%m/%Y").date() if f["date_of_termination"] else None
    assert ours["valid_from"] == start, f
    assert ours["valid_to"] == end, f


def test_dfe_screener_las_matches(real: Path, las: pl.DataFrame) -> None:
    rows = _dfe_lookup(real / "dfe/geography/screener/dfe_screener_las.csv")
    for f in rows:
        _check_dfe_row(las, f)
    assert {f["new_la_code"] for f in rows} == set(las.filter(pl.col("nation") == "England")["la_code"])


def test_dfer_las_matches(real: Path, las: pl.DataFrame) -> None:
    # dfeR/las.csv is an older vintage than the screener: it predates the 2025 Barnsley and
    # Sheffield recodes, so it shows the old codes as live and lacks the new ones.
    later = {"E08000016", "E08000019"}
    rows = _dfe_lookup(real / "dfe/geography/dfeR/las.csv")
    for f in rows:
        if f["new_la_code"] in later:
            assert f["date_of_termination"] == "" and _row(las, f["new_la_code"])["valid_to"] == dt.date(2025, 4, 30)
            continue
        _check_dfe_row(las, f)
    ours = set(las.filter(pl.col("nation") == "England")["la_code"])
    assert ours - {f["new_la_code"] for f in rows} == {"E08000038", "E08000039"}


def test_dfer_welsh_codes_match(real: Path, las: pl.DataFrame) -> None:
    rows = list(csv.reader(io.StringIO(_decode(real / "dfe/geography/dfeR/WelshLaNameCodes.csv"))))[1:]
    assert len(rows) == 22
    for name, code3, gss in rows:
        ours = _row(las, gss)
        assert (ours["la_name"], ours["la_code_3"]) == (name, code3)
    assert {gss for _, _, gss in rows} == set(las.filter(pl.col("nation") == "Wales")["la_code"])


def test_dfe_code_pairs_resolve_together(real: Path, las: pl.DataFrame, resolver: LaResolver) -> None:
    """Every (3-digit, GSS) pair in the other DfE lookups names one of our authorities."""
    pairs = []
    for name in ("dfeR_old_la_codes.csv", "EnglishLaNameCodes.csv"):
        for row in list(csv.reader(io.StringIO(_decode(real / "dfe/geography/dfeR" / name))))[1:]:
            code3, gss = row[1], row[2]  # (name, 3-digit, GSS) in both files
            if re.fullmatch(r"[EW]\d{8}", gss):
                pairs.append((code3, gss))
    for row in csv.DictReader(io.StringIO(_decode(real / "dfe/geography/screener/dfe_screener_region_la_hierarchy.csv"))):
        if re.fullmatch(r"[EW]\d{8}", row["new_la_code"]):  # not combined units or BFPO
            pairs.append((row["old_la_code"], row["new_la_code"]))
            assert _row(las, row["new_la_code"])["region_code"] == row["region_code"], row
    assert len(pairs) > 300
    for code3, gss in pairs:
        aid = resolver.resolve_code(gss)
        assert aid is not None, gss
        if code3 != "x":
            valid_to = _row(las, gss)["valid_to"]
            year = valid_to.year if valid_to else 2026  # a year when this GSS code was in force
            assert resolver.resolve_code(code3, year) == aid, (code3, gss)


def _ons_codes(path: Path, column: str) -> set[str]:
    df = pl.read_csv(path, infer_schema=False)
    df = df.rename({c: c.lstrip("\ufeff") for c in df.columns})
    return set(df[column])


def test_ons_upper_tier_lookups_match_codes_in_force(real: Path, las: pl.DataFrame) -> None:
    # The lookups are dated: compare with our codes in force then (the live set differs by the
    # 2025 Barnsley/Sheffield recodes).
    apr23 = _ons_codes(real / "ons/geography/LTLA-UTLA_Apr23_Lookup_England-Wales.csv", "UTLA23CD")
    assert apr23 == set(_in_force(las, dt.date(2023, 4, 1))["la_code"])
    utla21 = _ons_codes(real / "ons/geography/ltla21-utla21-lookup.csv", "UTLA21CD")
    assert utla21 == set(_in_force(las, dt.date(2021, 4, 1))["la_code"])


def test_ons_names_and_regions_agree(real: Path, las: pl.DataFrame, resolver: LaResolver) -> None:
    df = pl.read_csv(real / "ons/geography/LTLA-UTLA_Apr23_Lookup_England-Wales.csv", infer_schema=False)
    df = df.rename({c: c.lstrip("\ufeff") for c in df.columns}).select("UTLA23CD", "UTLA23NM", "UTLA23NMW").unique()
    for code, name, welsh in df.iter_rows():
        assert resolver.resolve_name(name, 2023) == resolver.resolve_code(code), (code, name)
        if welsh:
            assert resolver.resolve_name(welsh, 2023) == resolver.resolve_code(code), (code, welsh)
    regions = pl.read_excel(real / "ons/geography/ons_lasregionew2019.xlsx", engine="calamine", has_header=False, infer_schema_length=0)
    ours = dict(las.select("la_code", "region_code").iter_rows())
    checked = 0
    for code, name, region, _ in regions.iter_rows():
        if code in ours and ours[code].startswith("E12"):
            assert ours[code] == region, (code, name)
            checked += 1
    assert checked > 100


def _year_of(time_period: str) -> int:
    """EES time_period -> year ending 31 March ('2024' -> 2024, '202324' -> 2024)."""
    return int(time_period[:4]) + (1 if len(time_period) == 6 else 0)


def _ees_files(real: Path) -> list[Path]:
    files = (
        sorted(real.glob("dfe/cla/ees_release_*/cla_number_and_rate_per_10k_children.csv"))
        + sorted(real.glob("dfe/cin/ees_release_*/*.csv"))
        + sorted(real.glob("dfe/csww/ees/*.csv"))
    )
    assert len(files) > 50
    return files


def test_ees_local_authority_rows_resolve(real: Path, las: pl.DataFrame, resolver: LaResolver) -> None:
    cols = ["time_period", "new_la_code", "old_la_code", "la_name", "region_code"]
    frames = []
    for path in _ees_files(real):
        header = [c.lstrip("\ufeff") for c in pl.read_csv(path, n_rows=0, encoding="utf8-lossy").columns]
        if "new_la_code" not in header:
            continue  # national-only tables
        frames.append(
            pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy")
            .rename(lambda c: c.lstrip("\ufeff"))
            .filter(pl.col("geographic_level") == "Local authority")
            .select(cols)
            .unique()
            .collect()
            .with_columns(pl.lit(path.name).alias("file"))
        )
    triples = pl.concat(frames).unique(subset=cols)
    assert triples.height > 1000
    subregion = {"E13000001": "Inner London", "E13000002": "Outer London"}
    for tp, new, old, name, region, file in triples.iter_rows():
        year = _year_of(tp)
        members = resolver.combined_members(new)
        if members is not None:
            assert resolver.combined_members(old) == members == resolver.combined_members(name), (file, new, old, name)
            continue
        aid = resolver.resolve_code(new)
        assert aid is not None, (file, new)
        assert resolver.resolve_code(old, year) == aid, (file, tp, new, old)
        ours = _row(las, new)
        if not _in_force(las.filter(pl.col("la_code") == new), dt.date(year, 3, 31)).is_empty():
            # Outside a code's period the files back-cast successor codes (E06000059 Dorset in
            # 2018), where a bare name means the body then in force.
            assert resolver.resolve_name(name, year) == aid, (file, tp, new, name)
        if region in subregion:
            assert ours["london_subregion"] == subregion[region], (file, new, region)
        else:
            assert ours["region_code"] == region, (file, new, region)


def test_sfr_underlying_rows_resolve(real: Path, resolver: LaResolver) -> None:
    checked = 0
    for path in sorted(real.glob("dfe/*/sfr_underlying/*/*.csv")):
        year = int(path.parent.name)
        rows = list(csv.DictReader(io.StringIO(_decode(path))))
        keys = {k.lower(): k for k in rows[0]}
        if "geog_n" not in keys:
            continue  # workforce files and OSR23 keep other layouts
        new = keys.get("new_geog_code") or keys.get("new_la_code")
        for r in rows:
            if (r[keys["geog_l"]] or "").upper() != "LA":
                continue
            aid = resolver.resolve_code(r[keys["geog_c"]], year)
            assert aid is not None, (path.name, r[keys["geog_c"]])
            assert resolver.resolve_name(r[keys["geog_n"]], year) == aid, (path.name, r[keys["geog_n"]])
            if new and r[new]:
                assert resolver.resolve_code(r[new]) == aid, (path.name, r[new])
            checked += 1
    assert checked > 5000


def test_sfr27_laa1_names_resolve(real: Path, resolver: LaResolver) -> None:
    sheet = pl.read_excel(real / "dfe/cla/sfr27_2010_tables/sfr27-2010amv5.xls", sheet_name="LAA1", engine="calamine",
                          has_header=False, infer_schema_length=0)
    names = sheet.get_column(sheet.columns[2]).to_list()
    start = names.index("England") + 1
    end = names.index(None, start)
    areas = {normalise_la_name(n) for n in ("North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
                                            "East of England", "London", "Inner London", "Outer London", "South East", "South West")}
    las_names = [n for n in names[start:end] if normalise_la_name(n) not in areas]
    assert len(las_names) == 154  # 150 authorities of 2006-2010 plus the four 2009 successors
    unresolved = [n for n in las_names if resolver.resolve_name(n, 2010) is None]
    assert unresolved == []
    assert resolver.resolve_name("Medway Towns", 2010) == "medway"
    assert resolver.resolve_name("Bedfordshire5", 2008) == "bedfordshire"


def test_statswales_names_resolve(real: Path, resolver: LaResolver) -> None:
    files = sorted(real.glob("statswales/cla_31mar_by_la_gender_age/CLA_31MAR_*.csv"))
    assert len(files) == 16
    for path in files:
        year = int(path.stem.rsplit("_", 1)[1])
        names = [row[1] for row in csv.reader(io.StringIO(_decode(path))) if len(row) > 1 and row[1].strip()]
        resolved = {resolver.resolve_name(n, year) for n in names}
        assert None not in resolved, (path.name, [n for n in names if resolver.resolve_name(n, year) is None])
        assert len(resolved) == 22, path.name


def _row_year(row: tuple, default: int) -> int:
    """Year ending 31 March of the first date in a spreadsheet row (else ``default``)."""
    for cell in row:
        if isinstance(cell, str) and re.match(r"\d{4}-\d{2}-\d{2}", cell):
            d = dt.date.fromisoformat(cell[:10])
            return d.year + (1 if d.month > 3 else 0)
    return default


@pytest.mark.parametrize(
    ("file", "year"),
    [
        ("LA_Inspection_Outcomes_as_at_31_March_2025.ods", 2025),
        ("LA_Inspection_Outcomes_as_at_March_2024.ods", 2024),
        ("Childrens_social_care_in_England_2023_underlying_data.ods", 2023),
    ],
)
def test_ofsted_names_resolve(real: Path, resolver: LaResolver, file: str, year: int) -> None:
    sheets = pl.read_excel(real / "ofsted" / file, sheet_id=0, engine="calamine", has_header=False,
                           infer_schema_length=0, raise_if_empty=False)
    checked, unresolved = 0, []
    for sheet_name, sheet in sheets.items():
        rows = sheet.rows()
        for i, row in enumerate(rows):
            if "Local authority name" not in row:
                continue  # not a header row
            name_at = row.index("Local authority name")
            code_at = row.index("Local authority area code") if "Local authority area code" in row else None
            for data in rows[i + 1 :]:
                name = data[name_at]
                if name is None:
                    break  # end of this table
                aid = resolver.resolve_name(name, _row_year(data, year))
                if aid is None:
                    unresolved.append((sheet_name, name))
                elif code_at is not None:
                    assert resolver.resolve_code(data[code_at]) == aid, (sheet_name, name, data[code_at])
                checked += 1
    assert unresolved == []
    assert checked > 150


def test_code_for_gives_the_code_in_force_on_31_march():
    resolver = LaResolver()
    assert resolver.code_for("gateshead", 2013) == "E08000020"  # recoded 1 April 2013
    assert resolver.code_for("gateshead", 2014) == "E08000037"
    assert resolver.code_for("gateshead") == "E08000037"
    assert resolver.code_for("no_such_authority", 2014) is None


def test_known_codes_cover_authorities_and_combined_units_but_not_districts():
    codes = LaResolver().known_codes()
    assert {"E08000020", "E08000037", "W06000015", "E09000021 / E09000027"} <= codes
    assert "E07000026" not in codes  # a lower-tier district: the classic bug
