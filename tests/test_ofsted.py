"""Ofsted judgements: the real files conform, spot values survive staging, vintages deduplicate,
the judgement in force is right, and the demo files read back through the same contracts."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from csc_pipeline.settings import Settings
from pipeline_runs import copy_demo_source, family_warehouse

FAMILIES = ["ofsted_ilacs_history", "ofsted_la_inspections_wide"]
TABLES = ["mart.ofsted_judgements", "mart.ofsted_judgement_in_force"]
RI = "Requires improvement to be good"
OFSTED_2023 = "ofsted/Childrens_social_care_in_England_2023_underlying_data.ods"


@pytest.fixture(scope="module")
def real(real_dir, tmp_path_factory):
    settings = Settings(source_mode="mirror", mirror_dir=real_dir, data_lake=tmp_path_factory.mktemp("lake"))
    con, problems = family_warehouse(settings, FAMILIES, TABLES)
    assert problems == {f: [] for f in FAMILIES}, problems
    yield con
    con.close()


@pytest.fixture(scope="module")
def demo(shared_demo_settings):
    con, problems = family_warehouse(shared_demo_settings, FAMILIES, TABLES)
    assert problems == {f: [] for f in FAMILIES}, problems
    yield con
    con.close()


def judgements(con, where: str, params: list) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT judgement_area, grade, grade_ordinal, la_code, inspection_date, inspection_type, release "
        f"FROM mart.ofsted_judgements WHERE {where} ORDER BY judgement_area", params
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


# ------------------------------------------------------------------------------------------
# Real files: ILACS history (2025, codes and both dates)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("la_code", "inspected", "published", "kind", "grades"),
    [
        # overall, impact of leaders, help and protection, children in care, care leavers (None before 2023)
        ("E09000002", "2019-02-18", "2019-04-01", "ILACS Standard Inspection", (RI, RI, RI, RI, None)),
        ("E09000002", "2023-07-10", "2023-09-04", "ILACS Standard Inspection", (RI, RI, RI, RI, "Good")),
        ("E09000003", "2024-06-10", "2024-07-23", "ILACS Short Inspection", ("Good", "Good", "Good", "Outstanding", "Good")),
        ("E08000016", "2023-09-11", "2023-10-27", "ILACS Short Inspection", ("Good", "Good", RI, "Good", "Good")),
        ("E10000021", "2019-06-17", "2019-07-29", "ILACS Standard Inspection", ("Inadequate", RI, "Inadequate", "Inadequate", None)),
        ("E06000028", "2018-07-16", "2018-08-24", "ILACS Standard Inspection", (RI, "Inadequate", RI, RI, None)),
    ],
)
def test_ilacs_judgements_equal_the_published_history(real, la_code, inspected, published, kind, grades):
    found = judgements(real, "la_code = ? AND framework = 'ILACS' AND publication_date = ?", [la_code, published])
    areas = ("overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers")
    assert {a: found[a][0] for a in found} == {a: g for a, g in zip(areas, grades) if g is not None}
    assert {found[a][3] for a in found} == {dt.date.fromisoformat(inspected)}
    assert {found[a][4] for a in found} == {kind}
    assert {found[a][5] for a in found} == {"2025"}  # the latest vintage wins
    ordinal = {"Outstanding": 1, "Good": 2, RI: 3, "Inadequate": 4}
    assert all(found[a][1] == ordinal[found[a][0]] for a in found)


def test_an_inspection_in_several_vintages_is_kept_once_from_the_latest(real):
    # Nottingham's 2022 ILACS: the 2023 and 2024 files date its publication 5 November 2022 (a
    # Saturday), the 2025 file 5 September 2022.
    rows = real.execute(
        "SELECT DISTINCT publication_date, release, inspection_date FROM mart.ofsted_judgements "
        "WHERE la_code = 'E06000018' AND framework = 'ILACS' ORDER BY 1"
    ).fetchall()
    assert rows == [(dt.date(2019, 1, 7), "2025", dt.date(2018, 11, 5)), (dt.date(2022, 9, 5), "2025", dt.date(2022, 7, 11))]
    per_vintage = dict(real.execute(
        "SELECT release, count(DISTINCT (authority_id, publication_date)) FROM intermediate.int_ofsted_judgements "
        "WHERE framework = 'ILACS' GROUP BY release"
    ).fetchall())
    assert per_vintage == {"2025": 271}  # every ILACS inspection of 2023/2024 is in the 2025 file


# ------------------------------------------------------------------------------------------
# Real files: the 2023 wide sheet (names only, publication dates, SLAC .. SIF)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "framework", "kind", "published", "la_code", "expected"),
    [
        ("Barking and Dagenham", "SLAC", "SLAC inspection", "2012-07-27", "E09000002",
         {"safeguarding": "Good", "looked_after_children": RI}),
        ("Buckinghamshire", "SIF", "SIF inspection", "2014-08-08", "E10000002",
         {"overall_effectiveness": "Inadequate", "help_and_protection": "Inadequate", "looked_after_and_permanence": "Inadequate",
          "adoption": RI, "care_leavers": RI, "leadership_management_governance": "Inadequate", "lscb": "Inadequate"}),
        ("Buckinghamshire", "SIF", "SIF re-inspection", "2018-01-29", "E10000002",
         {"overall_effectiveness": "Inadequate", "help_and_protection": "Inadequate", "looked_after_and_permanence": "Inadequate",
          "adoption": "Good", "care_leavers": RI, "leadership_management_governance": "Inadequate"}),
        # Dorset in the table of former authorities: the county, not today's unitary.
        ("Dorset", "SIF", "SIF inspection", "2016-05-23", "E10000009",
         {"overall_effectiveness": RI, "help_and_protection": RI, "looked_after_and_permanence": RI, "adoption": "Good",
          "care_leavers": RI, "leadership_management_governance": RI, "lscb": "Inadequate"}),
        ("Northamptonshire", "CPI", "Child protection inspection", "2013-03-20", "E10000021", {"child_protection": "Inadequate"}),
        ("Northamptonshire", "TLAC", "Targeted looked after children inspection", "2013-08-23", "E10000021",
         {"looked_after_children": "Inadequate"}),
        # Gateshead was recoded on 1 April 2013: each judgement carries the code of its time.
        ("Gateshead", "SLAC", "SLAC inspection", "2011-03-11", "E08000020", {"safeguarding": RI, "looked_after_children": RI}),
        ("Gateshead", "CPI", "Child protection inspection", "2013-04-09", "E08000037", {"child_protection": "Good"}),
    ],
)
def test_pre_ilacs_judgements_equal_the_2023_file(real, name, framework, kind, published, la_code, expected):
    found = judgements(real, "la_name_published = ? AND framework = ? AND inspection_type = ? AND publication_date = ?",
                       [name, framework, kind, published])
    assert {a: v[0] for a, v in found.items()} == expected
    assert {(v[2], v[3], v[5]) for v in found.values()} == {(la_code, None, "2023")}


def test_dashes_are_no_judgement_and_nothing_was_published_as_adequate(real):
    scilly = judgements(real, "la_code = 'E06000053' AND framework = 'SIF'", [])
    assert scilly["adoption"][:2] == (None, None) and scilly["overall_effectiveness"][0] == "Good"
    assert real.execute("SELECT count(*) FROM mart.ofsted_judgements WHERE symbol = '-'").fetchone() == (5,)
    # The 2023 file prints pre-November-2013 grades on today's scale.
    assert real.execute("SELECT count(*) FROM mart.ofsted_judgements WHERE adequate_mapped").fetchone() == (0,)


def test_every_judgement_has_an_authority_and_a_known_area(real):
    assert real.execute(
        "SELECT count(*) FROM mart.ofsted_judgements WHERE authority_id IS NULL OR la_code IS NULL OR grade_ordinal IS NULL AND symbol IS NULL"
    ).fetchone() == (0,)
    frameworks = {r[0] for r in real.execute("SELECT DISTINCT framework FROM mart.ofsted_judgements").fetchall()}
    assert frameworks == {"SLAC", "CPI", "TLAC", "SIF", "ILACS"}


@pytest.mark.parametrize(
    ("la_code", "year", "framework", "published", "overall", "ordinal"),
    [
        ("E06000018", 2023, "ILACS", dt.date(2022, 9, 5), "Inadequate", 4),
        ("E06000018", 2022, "ILACS", dt.date(2019, 1, 7), RI, 3),
        ("E10000002", 2014, "SLAC", dt.date(2011, 1, 24), None, None),  # SLAC has no single grade
        ("E10000002", 2019, "SIF", dt.date(2018, 1, 29), "Inadequate", 4),
        ("E06000060", 2021, "SIF", dt.date(2018, 1, 29), "Inadequate", 4),  # the same authority after unitarisation
        ("E06000060", 2022, "ILACS", dt.date(2022, 2, 11), RI, 3),
        ("E06000059", 2021, None, None, None, None),  # Dorset unitary: not inspected before November 2021
        ("E10000009", 2017, "SIF", dt.date(2016, 5, 23), RI, 3),
    ],
)
def test_judgement_in_force_on_31_march(real, la_code, year, framework, published, overall, ordinal):
    row = real.execute(
        "SELECT framework, publication_date, overall_grade, overall_grade_ordinal FROM mart.ofsted_judgement_in_force "
        "WHERE la_code = ? AND year = ?", [la_code, year]
    ).fetchone()
    assert row == (framework, published, overall, ordinal)


def test_judgement_in_force_covers_every_english_la_each_year(real):
    counts = dict(real.execute("SELECT year, count(*) FROM mart.ofsted_judgement_in_force GROUP BY year").fetchall())
    assert min(counts) == 2010 and max(counts) == 2025
    assert counts[2010] == 152 and counts[2025] == 153
    assert real.execute(
        "SELECT count(*) FROM mart.ofsted_judgement_in_force WHERE year >= 2018 AND framework IS NOT NULL AND overall_grade IS NULL"
    ).fetchone() == (0,)
    comments = real.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'ofsted_judgement_in_force' AND comment IS NOT NULL"
    ).fetchone()[0]
    assert comments >= 8


# ------------------------------------------------------------------------------------------
# Demo files
# ------------------------------------------------------------------------------------------
def test_demo_files_read_back_and_all_ilacs_vintages_agree(demo):
    per_vintage = dict(demo.execute(
        "SELECT release, count(*) FROM intermediate.int_ofsted_judgements GROUP BY release ORDER BY 1"
    ).fetchall())
    assert set(per_vintage) == {"2023", "2025"}  # every 2023/2024 ILACS inspection is superseded by 2025
    frameworks = {r[0] for r in demo.execute("SELECT DISTINCT framework FROM mart.ofsted_judgements").fetchall()}
    assert frameworks == {"SLAC", "CPI", "TLAC", "SIF", "ILACS"}
    assert demo.execute("SELECT bool_and(is_synthetic) FROM mart.ofsted_judgement_in_force").fetchone() == (True,)
    # Dorset: the county's judgements and the unitary's are told apart although both are named "Dorset".
    codes = {r[0] for r in demo.execute(
        "SELECT DISTINCT la_code FROM mart.ofsted_judgements WHERE la_name_published = 'Dorset'"
    ).fetchall()}
    assert codes == {"E10000009", "E06000059"}


def test_adequate_is_grade_3_and_flagged(tmp_path, shared_demo_settings):
    """A 2023-layout file that prints the pre-2013 grade "Adequate" (as older Ofsted files did)."""
    mirror = copy_demo_source(shared_demo_settings, tmp_path).demo_dir
    path = mirror / OFSTED_2023
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    content = members["content.xml"].decode("utf-8")
    assert f"<text:p>{RI}</text:p>" in content
    members["content.xml"] = content.replace(f"<text:p>{RI}</text:p>", "<text:p>Adequate</text:p>", 3).encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    settings = Settings(source_mode="mirror", mirror_dir=mirror, data_lake=tmp_path / "lake")
    con, problems = family_warehouse(settings, FAMILIES, TABLES)
    assert problems == {f: [] for f in FAMILIES}, problems
    rows = con.execute(
        "SELECT DISTINCT grade, grade_ordinal, adequate_mapped FROM mart.ofsted_judgements WHERE grade = 'Adequate' OR adequate_mapped"
    ).fetchall()
    assert rows == [("Adequate", 3, True)]


def _edit_ods(path, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    content = members["content.xml"].decode("utf-8")
    assert old in content, old
    members["content.xml"] = content.replace(old, new, 1).encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.mark.parametrize(
    ("old", "new", "column", "fragment"),
    [
        ("<text:p>Inadequate</text:p>", "<text:p>Poor</text:p>", None, "not an allowed value"),
        ("<text:p>Gateshead</text:p>", "<text:p>Gateshed</text:p>", "la_name", "LA name does not resolve"),
        # A date typed as text: the cell keeps its dd/mm/yyyy display text only.
        ('office:value-type="date" office:date-value="2016-', 'office:value-type="string" data-was="2016-', None, "not a date"),
    ],
)
def test_a_malformed_wide_file_fails_naming_file_row_and_column(tmp_path, shared_demo_settings, old, new, column, fragment):
    mirror = copy_demo_source(shared_demo_settings, tmp_path).demo_dir
    _edit_ods(mirror / OFSTED_2023, old, new)
    settings = Settings(source_mode="mirror", mirror_dir=mirror, data_lake=tmp_path / "lake")
    _, problems = family_warehouse(settings, FAMILIES, TABLES)
    assert problems["ofsted_ilacs_history"] == []
    found = [p for p in problems["ofsted_la_inspections_wide"] if fragment in p.message]
    assert found, problems
    assert all(p.file == OFSTED_2023 and p.row is not None and p.row > 5 for p in found)
    assert column is None or {p.column for p in found} == {column}


def test_rated_inadequate_uses_the_2009_2013_frameworks_and_later_the_overall_grade(real):
    """methods.md section 5: before SIF, an Inadequate SLAC safeguarding / looked-after children judgement or CPI."""
    rated = {r[0] for r in real.execute(
        "SELECT DISTINCT la_code FROM mart.ofsted_judgement_in_force WHERE year IN (2012, 2013) AND rated_inadequate"
    ).fetchall()}
    # by hand from the judgements: per LA, framework and area the latest judgement published by 31 March; no SIF
    # inspection was published before April 2013, so nothing supersedes them
    assert real.execute("SELECT count(*) FROM mart.ofsted_judgements WHERE framework = 'SIF' AND publication_date < DATE '2013-04-01'"
                        ).fetchone() == (0,)
    judgements = real.execute(
        "SELECT la_code, framework, judgement_area, publication_date, grade_ordinal FROM mart.ofsted_judgements "
        "WHERE grade_ordinal IS NOT NULL AND ((framework = 'SLAC' AND judgement_area IN ('safeguarding', 'looked_after_children')) "
        "OR (framework = 'CPI' AND judgement_area = 'child_protection')) ORDER BY publication_date"
    ).fetchall()
    by_hand = set()
    for as_at in (dt.date(2012, 3, 31), dt.date(2013, 3, 31)):
        latest = {(code, framework, area): grade for code, framework, area, published, grade in judgements if published <= as_at}
        by_hand |= {code for (code, _, _), grade in latest.items() if grade == 4}
    assert rated == by_hand and len(rated) >= 15
    # E10000024: Inadequate for safeguarding in May 2010, re-inspected better in October 2011
    assert "E10000024" not in rated
    assert {"SLAC", "CPI"} <= {r[0].split()[0] for r in real.execute(
        "SELECT rated_inadequate_by FROM mart.ofsted_judgement_in_force WHERE year = 2013 AND rated_inadequate").fetchall()}
    # every English LA had a SLAC inspection in force by 31 March 2013: each has an outcome
    assert real.execute("SELECT count(rated_inadequate), count(*) FROM mart.ofsted_judgement_in_force WHERE year = 2013"
                        ).fetchone() == (152, 152)
    # once every LA has a SIF/ILACS inspection in force, rated inadequate is its overall grade
    assert real.execute(
        "SELECT count(*) FROM mart.ofsted_judgement_in_force WHERE year >= 2019 AND overall_grade_ordinal IS NOT NULL "
        "AND rated_inadequate IS DISTINCT FROM (overall_grade_ordinal = 4)"
    ).fetchone() == (0,)
