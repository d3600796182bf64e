"""The DWP Stat-Xplore live route against a local stand-in of its table API (127.0.0.1 only): the
stand-in checks the APIKey header and answers the documented JSON cube (``fields`` with item
``labels``, ``measures``, ``cubes`` of nested ``values``). The route lays the cube out as the CSV
export, which the export's contract reads with the cube's values; a refused key, a JSON without the
cube, an error page sent with 200 and a slow answer each end in one line naming the entry."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import polars as pl
import pytest
from fake_publisher import ERROR_PAGE, Reply, fake_publisher

from csc_pipeline import acquire
from csc_pipeline.catalog import load_catalog
from csc_pipeline.contracts import conform, load_contract, validate
from csc_pipeline.readers import read_published
from csc_pipeline.settings import Settings

CATALOG = load_catalog()
TABLE = "/statxplore/v1/table"
KEY = "a-stat-xplore-key"
GEOGRAPHY, YEAR = "National - Regional - LA - OAs", "Year"
(ENTRY,) = [e for e in CATALOG.entries if e.available_in("live") and e.live["kind"] == "statxplore_table"]
CONTRACT = load_contract(ENTRY.contract)


def cube_answer(query: dict, counting: str, areas: list[str], years: list[str], counts: dict) -> bytes:
    """Stat-Xplore's table answer for ``query``: areas by years, values nested in field order."""
    def field(label, names):
        return {"uri": f"str:field:{label}", "label": label,
                "items": [{"type": "RecodeItem", "uris": [f"str:value:{n}"], "labels": [n]} for n in names]}

    (measure,) = query["measures"]
    return json.dumps({
        "query": query,
        "database": {"id": query["database"], "label": counting},
        "measures": [{"id": measure, "label": counting}],
        "fields": [field(GEOGRAPHY, areas), field(YEAR, years)],
        "cubes": {measure: {"values": [[counts.get((a, y)) for y in years] for a in areas]}},
    }).encode()


@pytest.fixture
def stand_in():
    """A stand-in table API; ``answer`` (mutable) is what it sends once the key is right."""
    posts: dict = {}
    server = fake_publisher({}, posts=posts)
    server.answer = Reply(b"{}")

    def table(_query):
        if server.post_headers[-1].get("APIKey") != KEY:
            return Reply(b'{"message": "Invalid API key"}', status=401, content_type="application/json")
        return server.answer

    posts[TABLE] = table
    yield server
    server.shutdown()


def catalog_for(server, timeout: float = 5.0):
    return dataclasses.replace(CATALOG, entries=(ENTRY,), allowed_hosts=frozenset({"127.0.0.1"}),
                               publisher_apis={"statxplore_api": f"{server.base}/statxplore/v1"},
                               fetch_timeout=timeout, fetch_attempts=1)


def live(tmp_path) -> Settings:
    return Settings(source_mode="live", data_lake=tmp_path / "lake")


def read_counts(path: Path) -> tuple[pl.DataFrame, list]:
    """The file as the pipeline reads it: conformed, then validated (margins and Scotland skipped)."""
    frame, problems = conform(read_published(path, CONTRACT), CONTRACT, path.name, period=ENTRY.period)
    return frame, problems + validate(frame, CONTRACT)


def one_line_error(tmp_path, catalog) -> str:
    with pytest.raises(acquire.SourceUnavailable) as err:
        acquire.acquire_entry(ENTRY, live(tmp_path), catalog)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{ENTRY.id}: ")
    return message


def test_the_cube_is_laid_out_as_the_export_the_contract_reads_with_the_cube_values(stand_in, monkeypatch, tmp_path):
    monkeypatch.setenv("STATXPLORE_API_KEY", KEY)
    areas, years = ["County Durham", "Cardiff", "Somerset", "Aberdeen City", "Total"], ["2022/23", "2023/24 (p)"]
    counts = {(a, y): 1000 * (i + 1) + 7 * j for i, a in enumerate(areas) for j, y in enumerate(years)}
    stand_in.answer = cube_answer(ENTRY.live["query"], "Relative Low Income", areas, years, counts)
    record = acquire.acquire_entry(ENTRY, live(tmp_path), catalog_for(stand_in))
    assert stand_in.requests == [f"POST {TABLE}"] and stand_in.posted == [ENTRY.live["query"]]
    assert record.source == f"{stand_in.base}{TABLE}" and record.mode == "live"
    assert Path(record.raw_path).name == Path(ENTRY.mirror_path).name
    frame, problems = read_counts(Path(record.raw_path))
    assert problems == []
    got = {(r["area"], r["year"]): r["count"] for r in frame.select("area", "year", "count").iter_rows(named=True)}
    assert set(frame["counting"]) == {"relative"}
    # The UK total and the Scottish council are outside the contract's England and Wales.
    england_and_wales = {k: float(v) for k, v in counts.items() if k[0] not in ("Aberdeen City", "Total")}
    assert {k: float(v) for k, v in got.items()} == england_and_wales


def test_a_null_cell_is_written_as_the_exports_nil_symbol(stand_in, monkeypatch, tmp_path):
    monkeypatch.setenv("STATXPLORE_API_KEY", KEY)
    stand_in.answer = cube_answer(ENTRY.live["query"], "Relative Low Income", ["Cardiff", "Unknown"], ["2023/24"],
                                  {("Cardiff", "2023/24"): 5120})
    record = acquire.acquire_entry(ENTRY, live(tmp_path), catalog_for(stand_in))
    lines = Path(record.raw_path).read_text(encoding="utf-8").splitlines()
    assert '"Relative Low Income","Cardiff","2023/24",5120,""' in lines
    assert '"Relative Low Income","Unknown","2023/24","..",""' in lines


def test_a_refused_key_is_one_line_naming_the_variable(stand_in, monkeypatch, tmp_path):
    monkeypatch.setenv("STATXPLORE_API_KEY", "not-the-key")
    message = one_line_error(tmp_path, catalog_for(stand_in))
    assert stand_in.post_headers[-1]["APIKey"] == "not-the-key"
    assert message.endswith(f"{TABLE}: HTTP 401: Stat-Xplore refused the API key in STATXPLORE_API_KEY; "
                            "set it to the key shown under Account > Open Data API Access")


@pytest.mark.parametrize("answer, missing", [
    ([], "is a JSON list, not an object with fields, measures and cubes"),
    ({"fields": [], "measures": [{"id": "m", "label": "x"}]}, "has no fields, cubes (keys: ['fields', 'measures'])"),
    ({"fields": [{"label": YEAR, "items": [{"labels": ["2023/24"]}]}], "measures": [{"id": "other", "label": "x"}],
      "cubes": {"m": {"values": [1]}}}, "has no cube values for measure 'other'"),
    ({"fields": [{"label": YEAR, "items": [{"uris": ["u"]}]}], "measures": [{"id": "m", "label": "x"}],
      "cubes": {"m": {"values": [1]}}}, "field 1 of Stat-Xplore's table answer lacks a label or items with labels"),
    ({"fields": [{"label": YEAR, "items": [{"labels": ["2022/23"]}, {"labels": ["2023/24"]}]}],
      "measures": [{"id": "m", "label": "x"}], "cubes": {"m": {"values": [1]}}},
     "the cube of 'm' does not match its fields (at [] it holds 1, not 2 values)"),
])
def test_an_answer_without_the_cube_is_one_line_naming_the_entry_and_what_is_missing(
        answer, missing, stand_in, monkeypatch, tmp_path):
    monkeypatch.setenv("STATXPLORE_API_KEY", KEY)
    stand_in.answer = json.dumps(answer).encode()
    assert one_line_error(tmp_path, catalog_for(stand_in)).endswith(missing)


def test_an_error_page_sent_with_status_200_is_refused_in_one_line(stand_in, monkeypatch, tmp_path):
    monkeypatch.setenv("STATXPLORE_API_KEY", KEY)
    stand_in.answer = Reply(ERROR_PAGE, content_type="text/html")
    assert f"{TABLE}: the API's answer is not JSON" in one_line_error(tmp_path, catalog_for(stand_in))


def test_a_slow_answer_times_out_under_the_retry_policy(stand_in, monkeypatch, tmp_path):
    monkeypatch.setenv("STATXPLORE_API_KEY", KEY)
    stand_in.answer = Reply(b"{}", delay=2.0)
    message = one_line_error(tmp_path, catalog_for(stand_in, timeout=0.5))
    assert message.endswith(f"{TABLE}: no answer within 0.5s (gave up after 1 attempt(s))")


def test_a_cube_built_from_the_real_export_reproduces_its_values(real_dir, stand_in, monkeypatch, tmp_path):
    """The stand-in answers with the real March 2025 export's table (read in place) as a cube: the
    route's file yields the same counts, area by area and year by year, as the export itself."""
    export = real_dir / ENTRY.mirror_path
    if not export.is_file():
        pytest.skip(f"{export} not found")
    published, problems = read_counts(export)
    assert problems == []
    cells = read_published(export, CONTRACT)
    areas = list(dict.fromkeys(cells[GEOGRAPHY]))
    years = list(dict.fromkeys(cells[YEAR]))
    counts = {(a, y): (None if c == ".." else float(c)) for a, y, c in cells.select(GEOGRAPHY, YEAR, "Count").iter_rows()}
    assert len(counts) == len(areas) * len(years) > 1000
    (counting,) = set(cells["Counting"])
    monkeypatch.setenv("STATXPLORE_API_KEY", KEY)
    stand_in.answer = cube_answer(ENTRY.live["query"], counting, areas, years, counts)
    record = acquire.acquire_entry(ENTRY, live(tmp_path), catalog_for(stand_in))
    laid_out, problems = read_counts(Path(record.raw_path))
    assert problems == []
    columns = ["counting", "area", "year", "count"]
    assert laid_out.select(columns).sort("area", "year").equals(published.select(columns).sort("area", "year"))
