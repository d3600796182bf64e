"""Deprivation indices: MHCLG English Indices of Deprivation (File 11 upper-tier summaries, IoD2015
and IoD2019) and the WIMD 2019 LSOA ranks with the LA summary computed from them. Contracts on the
real and demo files, published figures through the staging SQL, cross-checks against the other
copies in the mirror, and the summary against an independent count."""

from __future__ import annotations

import csv
import math
import shutil
from collections import Counter

import fastexcel
import polars as pl
import pytest

from csc_pipeline.demo.families import deprivation
from csc_pipeline.demo.families.deprivation import IOD_PATH, WIMD_PATH
from csc_pipeline.settings import Settings
from pipeline_runs import build_models, check_families, check_family, checked_models, write_demo_family

FAMILIES = ("mhclg_iod_imd", "mhclg_iod_idaci", "wimd_lsoa_ranks")
MODELS = ["stg_mhclg_iod", "stg_wimd"]
WIMD_FILE = "welsh_government/wimd/welsh-index-multiple-deprivation-2019-index-and-domain-ranks-by-small-area.xlsx"


@pytest.fixture(scope="module")
def real(real_dir, tmp_path_factory):
    con = checked_models(real_dir, tmp_path_factory.mktemp("real"), FAMILIES, MODELS)
    yield con
    con.close()


def values(con, indicator: str, year: int) -> dict[str, float]:
    table = "staging.stg_wimd" if indicator.startswith("wimd") else "staging.stg_mhclg_iod"
    rows = con.execute(f"SELECT area_code, value FROM {table} WHERE indicator = ? AND year = ?", [indicator, year]).fetchall()
    assert len(rows) == len({r[0] for r in rows}), f"{indicator} {year}: an area twice"
    return dict(rows)


# -- IoD: the real files meet the contracts; published figures come through --------------------------
def test_iod_published_figures(real):
    # Hartlepool and Middlesbrough, as File 11 prints them (IMD and IDACI sheets).
    assert values(real, "imd_average_score", 2015)["E06000001"] == 33.178
    assert values(real, "imd_rank_of_average_score", 2015)["E06000001"] == 17
    assert values(real, "imd_average_score", 2019)["E06000001"] == 35.037
    assert values(real, "imd_rank_of_average_score", 2019)["E06000001"] == 9
    assert values(real, "imd_average_score", 2019)["E06000002"] == 40.46
    assert values(real, "idaci_average_score", 2015)["E06000001"] == 0.307
    assert values(real, "idaci_rank_of_average_score", 2015)["E06000001"] == 14
    assert values(real, "idaci_average_score", 2019)["E06000001"] == 0.283
    assert values(real, "idaci_rank_of_average_score", 2019)["E06000001"] == 8


def test_each_edition_is_on_its_own_geography_and_ranks_run_over_its_authorities(real):
    for year, authorities, dorset in ((2015, 152, {"E06000028", "E06000029", "E10000009"}),
                                      (2019, 151, {"E06000058", "E06000059"})):
        for indicator in ("imd_rank_of_average_score", "idaci_rank_of_average_score"):
            ranks = values(real, indicator, year)
            assert sorted(ranks.values()) == list(range(1, authorities + 1)), (indicator, year)
            assert dorset <= set(ranks)
        scores = values(real, "imd_average_score", year)
        ranks = values(real, "imd_rank_of_average_score", year)
        # Rank 1 is the highest (most deprived) average score.
        assert max(scores, key=scores.get) == min(ranks, key=ranks.get)
    assert {c[:3] for c in values(real, "imd_average_score", 2019)} == {"E06", "E08", "E09", "E10"}


def test_iod2019_agrees_with_the_csv_copy_and_the_file_11_copy(real, real_dir):
    scores, ranks = values(real, "imd_average_score", 2019), values(real, "imd_rank_of_average_score", 2019)
    with (real_dir / "mhclg/imd/imd19.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(scores) == 151
    for row in rows:
        code = row["Upper Tier Local Authority District code (2019)"]
        assert scores[code] == float(row["IMD - Average score "]), code
        assert ranks[code] == int(row["IMD - Rank of average score "]), code
    # The File 11 copy under its published name: every cell equal but one corrupted code.
    def sheet(name: str, sheet_name: str) -> list[tuple]:
        return fastexcel.read_excel(real_dir / "mhclg/imd" / name).load_sheet_by_name(
            sheet_name, header_row=None, dtypes="string").to_polars().rows()
    file_11 = "File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx"
    for sheet_name in ("IMD", "IDACI"):
        ours, theirs = sheet("imd-2019.xlsx", sheet_name), sheet(file_11, sheet_name)
        differ = [(i, j, a, b) for i, (ra, rb) in enumerate(zip(ours, theirs)) for j, (a, b) in enumerate(zip(ra, rb)) if a != b]
        assert differ == ([(37, 0, "E06000039", "E0600003")] if sheet_name == "IMD" else []), sheet_name


# -- WIMD: the summary computed from the LSOA ranks -------------------------------------------------
def test_fastexcel_reads_the_strict_ooxml_wimd_workbook(real_dir):
    with (real_dir / WIMD_FILE).open("rb") as fh:
        import zipfile

        assert b'conformance="strict"' in zipfile.ZipFile(fh).read("xl/workbook.xml")
    sheets = fastexcel.read_excel(real_dir / WIMD_FILE).sheet_names
    assert sheets == ["Guidance_sheet", "WIMD_2019_ranks", "Deciles_quintiles_quartiles"]


def test_wimd_summary_agrees_with_the_publishers_decile_1_and_the_derived_summary(real, real_dir):
    ours = values(real, "wimd_most_deprived_10pct_percent", 2019)
    assert len(ours) == 22 and {c[:3] for c in ours} == {"W06"}
    # Independent count: LSOAs the publisher puts in decile 1, per LA name, over the LA's LSOAs.
    deciles = fastexcel.read_excel(real_dir / WIMD_FILE).load_sheet_by_name(
        "Deciles_quintiles_quartiles", dtypes="string").to_polars()
    la = "Local Authority Name (Eng)"
    total = Counter(deciles[la].to_list())
    first = Counter(deciles.filter(pl.col("WIMD 2019 Overall Decile") == "1")[la].to_list())
    assert sum(first.values()) == math.ceil(sum(total.values()) / 10) == 191
    with (real_dir / "derived/wimd_la/wimd2019_la_summary__DERIVED_from_official_lsoa_ranks.csv").open(encoding="utf-8") as fh:
        derived = {r["la_code"]: r for r in csv.DictReader(fh)}
    assert set(derived) == set(ours)
    for code, row in derived.items():
        assert ours[code] == pytest.approx(100 * first[row["la_name"]] / total[row["la_name"]]), code
        assert round(ours[code], 1) == float(row["wimd_pct_lsoa_most_deprived_10pct"]), code
    assert round(ours["W06000015"], 1) == 18.2  # Cardiff: 39 of its 214 LSOAs
    assert round(ours["W06000019"], 1) == 12.8  # Blaenau Gwent: 6 of 47


def test_wimd_cut_is_the_publishers_decile_1_with_a_planted_ranking():
    """Ten LSOAs (cut = 1): only rank 1 counts; 11 LSOAs (cut = 2): ranks 1 and 2."""
    def frame(ranks: list[int], las: list[str]) -> pl.DataFrame:
        n = len(ranks)
        return pl.DataFrame({
            "lsoa_code": [f"W01{i:06d}" for i in range(n)], "lsoa_name": ["x"] * n, "la_name": las,
            "wimd_rank": [str(r) for r in ranks], "la_code": [{"A": "W06000015", "B": "W06000019"}[a] for a in las],
            "period": [2019] * n, "source_entry": ["e"] * n, "release": ["WIMD2019"] * n,
            "source_file": ["f"] * n, "source_row": list(range(n)),
        })
    for ranks, las, expected in (
        (list(range(1, 11)), ["A"] * 5 + ["B"] * 5, {"W06000015": 20.0, "W06000019": 0.0}),
        (list(range(1, 12)), ["B", "A"] + ["A"] * 4 + ["B"] * 5, {"W06000015": 20.0, "W06000019": 100 / 6}),
    ):
        con = build_models({"wimd_lsoa_ranks": frame(ranks, las)}, ["stg_wimd"])
        assert values(con, "wimd_most_deprived_10pct_percent", 2019) == pytest.approx(expected)
        con.close()


# -- demo files in the real formats ---------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_mirror(tmp_path_factory):
    return write_demo_family(tmp_path_factory.mktemp("demo_mirror"), deprivation.write)


def test_demo_files_meet_the_contracts_and_follow_the_real_layouts(demo_mirror, tmp_path):
    con = checked_models(demo_mirror, tmp_path, FAMILIES, MODELS)
    for year, authorities in ((2015, 152), (2019, 151)):
        assert sorted(values(con, "imd_rank_of_average_score", year).values()) == list(range(1, authorities + 1))
    wimd = values(con, "wimd_most_deprived_10pct_percent", 2019)
    assert len(wimd) == 22
    con.close()
    import zipfile

    with zipfile.ZipFile(demo_mirror / WIMD_PATH) as zf:
        assert b'conformance="strict"' in zf.read("xl/workbook.xml")
    for edition in (2015, 2019):
        assert fastexcel.read_excel(demo_mirror / IOD_PATH.format(edition=edition)).sheet_names == ["Notes", "IMD", "IDACI"]


def test_demo_imd_follows_the_models_deprivation(demo_mirror, tmp_path):
    """Authorities the model makes more deprived score higher (a planted gradient)."""
    from csc_pipeline.demo.model import DEFAULT_SEED, Model, load_geography

    model = Model(*load_geography(None, None), DEFAULT_SEED)
    _, frames = check_families(demo_mirror, tmp_path, FAMILIES)
    imd = frames["mhclg_iod_imd"].filter(pl.col("period") == 2019)
    dep = {model.periods[a][-1].la_code: model.dep(a) for a in model.english}
    pairs = [(dep[c], float(s)) for c, s in zip(imd["la_code"], imd["imd_average_score"]) if c in dep]
    assert pl.DataFrame(pairs, schema=["dep", "score"], orient="row").select(pl.corr("dep", "score")).item() > 0.9


def test_a_renamed_iod_column_fails_naming_file_and_column(demo_mirror, tmp_path):
    import zipfile

    mirror = tmp_path / "mirror"
    shutil.copytree(demo_mirror, mirror)
    path = mirror / IOD_PATH.format(edition=2019)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["xl/worksheets/sheet2.xml"] = members["xl/worksheets/sheet2.xml"].replace(b"IMD - Average score ", b"IMD - Mean score ")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    problems, _ = check_family(Settings(source_mode="mirror", mirror_dir=mirror, data_lake=tmp_path / "lake"), "mhclg_iod_imd")
    assert any(p.file == "mhclg/imd/imd-2019.xlsx" and "IMD - Mean score" in str(p) for p in problems), problems
    assert any(p.column == "imd_average_score" for p in problems), problems
