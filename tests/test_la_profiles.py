"""One profile page per LA and ``csc la``, on the shared demo refresh: a page for every LA, self-contained,
whose headline numbers (and the terminal's) are the warehouse's."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from csc_pipeline.analysis.formatting import decimals_for, format_number
from csc_pipeline.analysis.la_profiles import HEADLINE_INDICATORS, PROFILE_DIR
from csc_pipeline.cli import main


class TableCells(HTMLParser):
    """The text of each row of the table with the given id."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def headline_cells(page: str) -> list[list[str]]:
    parser = TableCells("headline")
    parser.feed(page)
    return parser.rows[1:]  # below the header


def expected_headlines(con: duckdb.DuckDBPyConnection, geography: str = "current") -> dict[str, list[tuple]]:
    """Per LA: (year, LA, neighbours, region, nation) of the latest year of each headline indicator with a
    value, read from the warehouse here, in the profile's indicator order."""
    rows = con.execute(
        """
        SELECT la_code, indicator, year, value, neighbours_mean, region_value, nation_value
        FROM mart.la_benchmark WHERE geography = ? AND value IS NOT NULL AND authority_id IS NOT NULL
        QUALIFY year = max(year) OVER (PARTITION BY la_code, indicator)
        """, [geography]).fetchall()
    found: dict[str, dict[str, tuple]] = {}
    for code, indicator, year, *values in rows:
        if indicator in HEADLINE_INDICATORS:
            decimals = decimals_for(*values)
            found.setdefault(code, {})[indicator] = (str(year), *(format_number(v, decimals) for v in values))
    return {code: [by[i] for i in HEADLINE_INDICATORS if i in by] for code, by in found.items()}


def current_authorities(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.sql("SELECT DISTINCT la_code FROM mart.la_indicator_panel "
                                  "WHERE geography = 'current' AND authority_id IS NOT NULL").fetchall()}


def check_profiles(lake_reports: Path, con: duckdb.DuckDBPyConnection) -> None:
    folder = lake_reports / PROFILE_DIR
    codes = current_authorities(con)
    assert len(codes) > 100
    assert {p.stem for p in folder.glob("*.html")} == codes | {"index"}
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert all(f"href='{code}.html'" in index for code in codes)
    expected = expected_headlines(con)
    assert len(expected) > 100
    for code in codes:
        page = (folder / f"{code}.html").read_text(encoding="utf-8")
        # self-contained: nothing fetched from elsewhere, no script needed on a profile
        assert not re.search(r"(src|href)=['\"]?(https?:)?//", page) and "<script" not in page, code
        assert [tuple(cells[1:6]) for cells in headline_cells(page)] == expected.get(code, []), code


def test_a_profile_page_for_every_la_with_the_warehouses_headline_numbers(demo_run, demo_warehouse):
    settings, _ = demo_run
    check_profiles(settings.reports_dir, demo_warehouse)
    page = next((settings.reports_dir / PROFILE_DIR).glob("E*.html")).read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO DATA" in page and "<svg" in page
    for section in ("headline", "trends", "funnel", "deprivation", "ofsted"):
        assert f"id='{section}'" in page


def test_csc_la_prints_the_profiles_headline_numbers_and_names_the_candidates(demo_run, demo_warehouse, monkeypatch, capsys):
    settings, _ = demo_run
    monkeypatch.setenv("CSC_DATA_LAKE", str(settings.data_lake))
    monkeypatch.setenv("CSC_SOURCE_MODE", "demo")
    code, name = demo_warehouse.sql("SELECT la_code, la_name FROM mart.la_benchmark WHERE geography = 'current' "
                                    "AND authority_id IS NOT NULL AND la_name = 'Camden' LIMIT 1").fetchone()
    page = (settings.reports_dir / PROFILE_DIR / f"{code}.html").read_text(encoding="utf-8")
    for query in (name.upper(), code.lower()):
        assert main(["la", query]) == 0
        out = capsys.readouterr().out
        assert f"{name} ({code})" in out and "SYNTHETIC" in out
        lines = [line for line in out.splitlines() if re.search(r"\s(19|20)\d\d\s", line)]
        printed = [tuple(re.split(r"\s{2,}", line.strip())[1:6]) for line in lines]
        assert printed == expected_headlines(demo_warehouse)[code]
        assert printed == [tuple(cells[1:6]) for cells in headline_cells(page)]
    assert main(["la", "north"]) == 2
    err = capsys.readouterr().err
    assert "matches" in err and "North Tyneside" in err and "North Somerset" in err
    assert main(["la", "Camdne"]) == 2
    assert "no LA matches 'Camdne'" in (err := capsys.readouterr().err) and "Camden" in err


@pytest.mark.parametrize("query", ["", "   "])
def test_csc_la_refuses_an_empty_name(demo_run, monkeypatch, capsys, query):
    monkeypatch.setenv("CSC_DATA_LAKE", str(demo_run[0].data_lake))
    assert main(["la", query]) == 2
    assert "no LA matches" in capsys.readouterr().err
