"""Live routes of every publisher interface against a local stand-in (127.0.0.1 only) that serves
the real files from ../shared/data/real where each route asks for them: every live catalog entry
obtains exactly the bytes the mirror holds, and each fault a publisher can throw (a moved file, a
retired page, a slow answer, an error page sent with 200, a changed or wrong pinned file, a page
without the attachment, a missing API key) ends in one clear line; a new release is discovered."""

from __future__ import annotations

import csv
import dataclasses
import fnmatch
import hashlib
import io
import re
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fake_publisher import ERROR_PAGE, Reply, ees_page, fake_publisher, govuk_content, release_zip

from csc_pipeline import acquire
from csc_pipeline.alerts import step_error
from csc_pipeline.catalog import LIVE_KINDS, Catalog, load_catalog
from csc_pipeline.contracts import conform, load_contract
from csc_pipeline.readers import read_published
from csc_pipeline.routes import govuk
from csc_pipeline.settings import Settings

CATALOG = load_catalog()
STAND_IN_APIS = {"govuk_content_api": "/api/content", "statswales_api": "/statswales/v1", "nomis_api": "/nomis/api/v01"}
OFSTED_2025 = "ofsted_la_inspection_outcomes_2025"
SFR_2017 = "dfe_cla_sfr_2017_31mar"
# Live kinds whose answer is not a file of the mirror, and why; each has tests of its own below or in
# tests/test_statxplore_route.py. Every other kind is served from the mirror by `stand_in`.
NOT_FROM_THE_MIRROR = {
    "statswales_api": "live only: the mirror holds no copy of the API's CSV (a generated one is used below)",
    "statxplore_table": "the JSON cube is laid out anew as an export, not the export's bytes",
}


def live_entries(kinds=None):
    return [e for e in CATALOG.entries if e.available_in("live") and (kinds is None or e.live["kind"] in kinds)]


FROM_THE_MIRROR = [e for e in live_entries() if e.live["kind"] not in NOT_FROM_THE_MIRROR]


def stand_in_catalog(base: str, entries=None, timeout: float = 5.0) -> Catalog:
    return dataclasses.replace(
        CATALOG, entries=tuple(entries) if entries is not None else CATALOG.entries,
        allowed_hosts=frozenset({"127.0.0.1"}), ees_site=base, ees_content_api=f"{base}/api",
        publisher_apis={name: base + path for name, path in STAND_IN_APIS.items()},
        fetch_timeout=timeout, fetch_attempts=1,
    )


def at_stand_in(entry, base: str):
    """The entry with a fixed address of its own (``archived_file``, ``url``) moved to the stand-in."""
    url = entry.live.get("url", "")
    if not url or url.startswith("{"):  # discovered, or a publisher API's query the stand-in catalog maps
        return entry
    parts = urlsplit(url)
    return dataclasses.replace(entry, live={**entry.live, "url": f"{base}/{parts.hostname}{parts.path}"})


def published_name(pattern: str) -> str:
    """A file name the catalog's pattern accepts (the stand-in's name for the publisher's file)."""
    name = re.sub(r"\[(.)[^\]]*\]", r"\1", pattern).replace("*", "_")
    assert fnmatch.fnmatchcase(name, pattern)
    return name


def real_bytes(entry, real_dir: Path) -> bytes:
    return (real_dir / entry.mirror_path).read_bytes()


def zipped(entries, real_dir: Path) -> bytes:
    """A zip holding each entry's real file under a name its `member` accepts."""
    return release_zip({published_name(e.live["member"]): real_bytes(e, real_dir) for e in entries})


def ees_routes(entries, real_dir: Path) -> dict:
    """Each release's page naming its version id, and the release zip holding its entries' files."""
    releases: dict = {}
    for entry in entries:
        releases.setdefault((entry.live["publication"], entry.live["release_slug"]), []).append(entry)
    routes = {}
    for (publication, slug), members in releases.items():
        version_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{publication}/{slug}"))
        routes[f"/find-statistics/{publication}/{slug}"] = ees_page(slug, version_id)
        routes[f"/api/releases/{version_id}/files"] = zipped(members, real_dir)
    return routes


def govuk_routes(entries, real_dir: Path, base: str, release: str | None = None) -> dict:
    """Content API pages listing each entry's file (plus a PDF every page has), and the files: the
    real file, or a zip of the entries' files where the catalog takes a `member` out of it."""
    files: dict = {}
    for entry in entries:
        release_label = release or entry.release
        page = entry.live["page"].replace("{release}", release_label)
        name = published_name(entry.live["pattern"].replace("{release}", release_label))
        files.setdefault((page, name), []).append(entry)
    routes, pages = {}, {}
    for (page, name), sharing in files.items():
        path = f"/media/{hashlib.sha256(page.encode()).hexdigest()[:8]}/{name}"
        if all("member" in e.live for e in sharing):
            routes[path] = zipped(sharing, real_dir)
        else:  # one file (two families may read sheets of the same workbook)
            (routes[path],) = {real_bytes(e, real_dir) for e in sharing}
        pages.setdefault(page, ["/media/0000/main_findings.pdf"]).append(path)
    for page, attached in pages.items():
        routes[f"/api/content/{page}"] = govuk_content(base, attached)
    return routes


def query_routes(entries, real_dir: Path) -> dict:
    """Files at the URL the catalog writes (a Nomis query, an archive copy), path and query as asked."""
    routes = {}
    for entry in entries:
        url = urlsplit(entry.live["url"].replace("{nomis_api}", STAND_IN_APIS["nomis_api"]))
        routes[f"{url.path}?{url.query}" if url.query else url.path] = real_bytes(entry, real_dir)
    return routes


SERVED = {"ees_release_file": ees_routes, "govuk_attachment": govuk_routes, "nomis_dataset": query_routes,
          "archived_file": query_routes, "url": query_routes}


@pytest.fixture(scope="module")
def stand_in(real_dir):
    """One stand-in publisher serving every live entry's real file where its route asks for it."""
    routes: dict = {}
    server = fake_publisher(routes)
    present = [at_stand_in(e, server.base) for e in FROM_THE_MIRROR if (real_dir / e.mirror_path).is_file()]
    for kind, build in SERVED.items():
        kind_entries = [e for e in present if e.live["kind"] == kind]
        routes.update(build(kind_entries, real_dir, server.base) if build is govuk_routes else build(kind_entries, real_dir))
    yield server
    server.shutdown()


def live_settings(tmp_path) -> Settings:
    return Settings(source_mode="live", data_lake=tmp_path / "lake")


@pytest.fixture(scope="module")
def manifest_sha256(real_dir) -> dict[str, str]:
    with (real_dir / "MANIFEST.csv").open(newline="", encoding="utf-8") as handle:
        return {row["path"]: row["sha256"] for row in csv.DictReader(handle)}


def test_every_live_kind_is_served_from_the_mirror_or_has_its_own_tests():
    assert set(SERVED) | set(NOT_FROM_THE_MIRROR) == set(LIVE_KINDS) and not set(SERVED) & set(NOT_FROM_THE_MIRROR)


@pytest.mark.parametrize("entry", FROM_THE_MIRROR, ids=lambda e: e.id)
def test_each_live_route_obtains_the_bytes_the_mirror_holds(entry, stand_in, real_dir, manifest_sha256, tmp_path):
    if not (real_dir / entry.mirror_path).is_file():
        pytest.skip(f"{entry.mirror_path} is not in the real mirror at {real_dir}")
    moved = at_stand_in(entry, stand_in.base)
    record = acquire.acquire_entry(moved, live_settings(tmp_path), stand_in_catalog(stand_in.base, [moved]))
    assert record.sha256 == manifest_sha256[entry.mirror_path]
    assert record.mode == "live" and record.source.startswith(stand_in.base)
    if entry.live["kind"] == "govuk_attachment":
        assert "/media/" in record.source  # the attachment the content API named, not a URL in the catalog
    if "member" in entry.live:
        assert "#" in record.source  # taken out of the zip the route fetched


def test_every_pinned_sha256_is_the_real_file(real_dir):
    pinned = [e for e in CATALOG.entries if e.live.get("sha256")]
    assert len(pinned) >= 40  # the SFR-era underlying data and line-level outturn files
    for entry in pinned:
        assert hashlib.sha256((real_dir / entry.mirror_path).read_bytes()).hexdigest() == entry.live["sha256"], entry.id


def archived(entry_id: str, base: str):
    entry = next(e for e in CATALOG.entries if e.id == entry_id)
    url = f"{base}/ukgwa/20140101000000/https://www.gov.uk/uploads/{Path(entry.mirror_path).name}"
    return dataclasses.replace(entry, modes=("live",), live={"kind": "archived_file", "url": url, "sha256": entry.live["sha256"]})


def test_an_archived_file_is_fetched_and_checked_against_its_pin(real_dir, tmp_path):
    routes: dict = {}
    server = fake_publisher(routes)
    try:
        entry = archived("dfe_cla_sfr_2013_31mar", server.base)
        real = (real_dir / entry.mirror_path).read_bytes()
        routes[urlsplit(entry.live["url"]).path] = real
        catalog = stand_in_catalog(server.base, [entry])
        assert acquire.acquire_entry(entry, live_settings(tmp_path), catalog).sha256 == entry.live["sha256"]
        routes[urlsplit(entry.live["url"]).path] = real.replace(b",", b";", 1)  # the archive copy changed
        with pytest.raises(acquire.SourceUnavailable, match=r"^dfe_cla_sfr_2013_31mar: .* catalog pins .*update live.sha256 deliberately$"):
            acquire.acquire_entry(entry, live_settings(tmp_path / "again"), catalog)
    finally:
        server.shutdown()


def statswales_csv() -> bytes:
    """The API's CSV for a few Welsh authorities and years (generated, in the contract's layout)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Area code", "Area", "Year", "Gender", "Age", "Data values"])
    for code, name in [("W92000004", "Wales"), ("W06000015", "Cardiff"), ("W06000011", "Swansea")]:
        for year in (2023, 2024):
            for gender in ("Boys", "Girls"):
                for age in ("Under 1", "1 to 4", "5 to 9", "10 to 15", "16 to 17"):
                    writer.writerow([code, name, year, gender, age, 40 + len(name) + year % 10])
    return out.getvalue().encode()


def test_statswales_api_posts_the_filter_then_fetches_the_csv_which_meets_its_contract(tmp_path):
    (entry,) = live_entries(("statswales_api",))
    body, data = statswales_csv(), f"/statswales/v1/{entry.live['dataset']}/data"
    server = fake_publisher({f"{data}/q-123?format=csv": body}, posts={data: lambda _: b'{"filterId": "q-123"}'})
    try:
        record = acquire.acquire_entry(entry, live_settings(tmp_path), stand_in_catalog(server.base, [entry]))
        assert server.requests == [f"POST {data}", f"{data}/q-123?format=csv"]
        assert server.posted == [entry.live["filters"]]
        assert record.sha256 == hashlib.sha256(body).hexdigest()
        contract = load_contract(entry.contract)
        frame, problems = conform(read_published(Path(record.raw_path), contract), contract, entry.mirror_path)
        # The all-Wales total is not an authority: 2 LAs x 2 years x 2 genders x 5 ages remain.
        assert problems == [] and frame.height == 40
        assert sorted(frame["area_code"].unique()) == ["W06000011", "W06000015"]
    finally:
        server.shutdown()


def test_statswales_answer_without_a_filter_id_is_one_clear_line(tmp_path):
    (entry,) = live_entries(("statswales_api",))
    data = f"/statswales/v1/{entry.live['dataset']}/data"
    server = fake_publisher({}, posts={data: lambda _: b'{"error": "bad filter"}'})
    try:
        with pytest.raises(acquire.SourceUnavailable, match=r"^statswales_api_cla_31mar: .*no usable filterId \(got \['error'\]\)$"):
            acquire.acquire_entry(entry, live_settings(tmp_path), stand_in_catalog(server.base, [entry]))
    finally:
        server.shutdown()


def test_a_statswales_filter_post_answered_with_a_redirect_is_not_followed(tmp_path):
    (entry,) = live_entries(("statswales_api",))
    data = f"/statswales/v1/{entry.live['dataset']}/data"
    server = fake_publisher({}, posts={data: lambda _: Reply(b"", status=307, location="https://elsewhere.example/data")})
    try:
        message = one_line_error(entry, live_settings(tmp_path), stand_in_catalog(server.base, [entry]))
        assert message.endswith("answered a POST with a redirect to 'https://elsewhere.example/data'; not followed")
        assert server.requests == [f"POST {data}"]
    finally:
        server.shutdown()


@pytest.fixture
def ofsted(real_dir):
    """A stand-in GOV.UK with the 2025 Ofsted page; yields (server, routes, entry, catalog)."""
    entry = next(e for e in CATALOG.entries if e.id == OFSTED_2025)
    routes: dict = {}
    server = fake_publisher(routes)
    routes.update(govuk_routes([entry], real_dir, server.base))
    yield server, routes, entry, stand_in_catalog(server.base, [entry], timeout=0.5)
    server.shutdown()


def one_line_error(entry, settings, catalog) -> str:
    with pytest.raises(acquire.SourceUnavailable) as err:
        acquire.acquire_entry(entry, settings, catalog)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{entry.id}: ")
    assert f"{entry.id}: " not in message[len(entry.id) + 2:]  # named once
    return message


def test_a_moved_file_is_found_again_through_the_content_api(ofsted, tmp_path):
    server, routes, entry, catalog = ofsted
    first = acquire.acquire_entry(entry, live_settings(tmp_path), catalog)
    old = urlsplit(first.source).path
    page = next(p for p in routes if p.startswith("/api/content/"))
    moved = old.replace("/media/", "/media/re-uploaded-")
    routes[moved] = routes.pop(old)
    routes[page] = govuk_content(server.base, [moved])
    again = acquire.acquire_entry(entry, live_settings(tmp_path), catalog)
    assert again.source == server.base + moved and again.sha256 == first.sha256


def test_a_retired_release_is_a_404_in_one_line(ofsted, tmp_path):
    server, routes, entry, catalog = ofsted
    for page in [p for p in routes if p.startswith("/api/content/")]:
        del routes[page]
    message = one_line_error(entry, live_settings(tmp_path), catalog)
    assert re.search(r"/api/content/government/statistics/local-authority-inspection-outcomes-as-at-31-march-2025: HTTP 404$", message)


def test_a_slow_answer_times_out_with_a_clear_message(ofsted, tmp_path):
    server, routes, entry, catalog = ofsted
    asset = next(p for p in routes if p.startswith("/media/") and p.endswith(".ods"))
    routes[asset] = Reply(routes[asset], delay=2.0)
    message = one_line_error(entry, live_settings(tmp_path), catalog)
    assert message.endswith("no answer within 0.5s (gave up after 1 attempt(s))")


def test_an_error_page_sent_with_status_200_is_refused_by_its_content(ofsted, tmp_path):
    server, routes, entry, catalog = ofsted
    asset = next(p for p in routes if p.startswith("/media/") and p.endswith(".ods"))
    routes[asset] = Reply(ERROR_PAGE, content_type="text/html")
    message = one_line_error(entry, live_settings(tmp_path), catalog)
    assert "sent an HTML page, not an ODS spreadsheet" in message


def test_two_attachments_matching_the_pattern_are_refused_naming_them(ofsted, tmp_path):
    server, routes, entry, catalog = ofsted
    page = next(p for p in routes if p.startswith("/api/content/"))
    asset = next(p for p in routes if p.startswith("/media/") and p.endswith(".ods"))
    routes[page] = govuk_content(server.base, [asset, asset.replace(".ods", "_revised.ods")])
    message = one_line_error(entry, live_settings(tmp_path), catalog)
    assert "2 attachment(s)" in message and "need exactly 1" in message


def test_a_new_release_is_discovered_on_its_page(ofsted, real_dir, tmp_path):
    server, routes, entry, catalog = ofsted
    routes.update(govuk_routes([entry], real_dir, server.base, release="2026"))
    (record,) = acquire.acquire_release(entry.family, "2026", live_settings(tmp_path), catalog)
    assert record.entry_id == f"{OFSTED_2025}@2026" and record.release == "2026"
    assert "31_March_2026" in record.source


@pytest.fixture
def sfr_2017(real_dir):
    """A stand-in GOV.UK with the 2017 looked-after children SFR page, its underlying data a zip and
    the entry pinned by sha256; yields (server, routes, entry, catalog)."""
    entry = next(e for e in CATALOG.entries if e.id == SFR_2017)
    routes: dict = {}
    server = fake_publisher(routes)
    routes.update(govuk_routes([entry], real_dir, server.base))
    yield server, routes, entry, stand_in_catalog(server.base, [entry])
    server.shutdown()


def content_page(routes: dict) -> str:
    return next(p for p in routes if p.startswith("/api/content/"))


def test_a_pinned_attachment_with_other_bytes_is_refused_naming_the_entry(sfr_2017, real_dir, tmp_path):
    server, routes, entry, catalog = sfr_2017
    asset = next(p for p in routes if p.endswith(".zip"))
    revised = real_bytes(entry, real_dir).replace(b",", b";", 1)  # a re-upload with other bytes
    routes[asset] = release_zip({published_name(entry.live["member"]): revised})
    message = one_line_error(entry, live_settings(tmp_path), catalog)
    assert re.search(rf"{re.escape(server.base + asset)}#_SFR50_CLA2017\.csv has sha256 "
                     rf"{hashlib.sha256(revised).hexdigest()[:12]}… but the catalog pins {entry.live['sha256'][:12]}…", message)
    assert message.endswith("check it, then update live.sha256 deliberately")


def test_a_page_without_a_matching_attachment_names_what_it_attaches(sfr_2017, tmp_path):
    server, routes, entry, catalog = sfr_2017
    page = content_page(routes)
    routes[page] = govuk_content(server.base, ["/media/0000/main_findings.pdf", "/media/0000/SFR50_2017_Main_Tables.xlsx"])
    message = one_line_error(entry, live_settings(tmp_path), catalog)
    assert message.endswith(f"0 attachment(s) of {server.base}{page} match 'SFR50_2017_UnderlyingData*.zip' (need exactly 1); "
                            "attached: ['main_findings.pdf', 'SFR50_2017_Main_Tables.xlsx']")


def test_a_retired_sfr_page_is_a_404_in_one_line(sfr_2017, tmp_path):
    server, routes, entry, catalog = sfr_2017
    del routes[content_page(routes)]
    message = one_line_error(entry, live_settings(tmp_path), catalog)
    assert message.endswith(f"/api/content/{entry.live['page']}: HTTP 404")


def test_an_attached_zip_without_the_member_names_what_it_holds(sfr_2017, tmp_path):
    server, routes, entry, catalog = sfr_2017
    asset = next(p for p in routes if p.endswith(".zip"))
    routes[asset] = release_zip({"SFR50_ADP2017.csv": b"geog_l,geog_c\n"})
    message = one_line_error(entry, live_settings(tmp_path), catalog)
    assert "'*SFR50_CLA2017.csv' matched 0 entries [] (need exactly 1)" in message
    assert "'SFR50_ADP2017.csv'" in message


def test_a_release_not_in_the_catalog_is_not_read_from_a_fixed_historical_page(sfr_2017, tmp_path):
    """A fixed page would give the 2017 file (its pin too) labelled as another release: refused instead."""
    server, routes, entry, catalog = sfr_2017
    with pytest.raises(acquire.SourceUnavailable) as err:
        acquire.acquire_release(entry.family, "2018", live_settings(tmp_path), catalog)
    assert str(err.value) == (f"{SFR_2017}@2018: the catalog's page {entry.live['page']!r} and pattern name no {{release}}, "
                              "so release 2018 cannot be found from them; add the release to the catalog")
    assert server.requests == []


def test_a_family_needing_a_key_is_skipped_with_a_notice_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("STATXPLORE_API_KEY", raising=False)
    settings = live_settings(tmp_path)
    catalog = stand_in_catalog("http://127.0.0.1:9", timeout=0.5)
    assert acquire.acquire_family("dwp_children_low_income", settings, catalog) == []
    assert acquire.skipped_for_credentials("dwp_children_low_income", catalog) == [
        "dwp_children_low_income: skipped in live mode; set STATXPLORE_API_KEY (the publisher's API key) to obtain it"]
    monkeypatch.setenv("STATXPLORE_API_KEY", "a-key")
    assert acquire.skipped_for_credentials("dwp_children_low_income", catalog) == []


def test_attachment_urls_read_attachments_and_older_pages_document_links():
    content = {"details": {"attachments": [{"url": "https://assets.publishing.service.gov.uk/media/a/RO3.ods"}],
                           "documents": ['<a href="/government/uploads/file/1/RSX.xlsx">RSX</a>']}}
    assert govuk.attachment_urls(content, "https://www.gov.uk/api/content/x") == [
        "https://assets.publishing.service.gov.uk/media/a/RO3.ods", "https://www.gov.uk/government/uploads/file/1/RSX.xlsx"]


# --- Whole refreshes in live mode --------------------------------------------------------------

# Families with no live route, as the README's "Mirror only" table says (a new route fails
# test_the_live_families_are_those_whose_every_file_is_live until the family moves to LIVE_FAMILIES).
MIRROR_ONLY = {
    "statswales_cla_31mar": "exports of the StatsWales OData service, switched off in 2024",
    "wales_population_mye2": "third parties' re-exports of ONS MYE2",
    "wales_population_utla_single_year": "third parties' re-exports of ONS MYE2",
    "hmrc_children_low_income": "a reshaped extract, not the Fingertips API's CSV",
    "wimd_lsoa_ranks": "re-saved by a third party",
    "lait": "only in DfE analysts' code repositories",
    "lait_dictionary": "only in DfE analysts' code repositories",
    "s251_outturn_lines": "source not recorded",
}
# Families with a live route that a live refresh cannot be compared with the mirror run on.
NOT_COMPARED = {
    "dfe_statistical_neighbours": "only the 2025 workbook is live; a live refresh has none of the mirror-only models",
    "dwp_children_low_income": "only the latest release is live (Stat-Xplore serves the current revision), behind an API key",
    "statswales_api_cla_31mar": "live only: the mirror holds no copy of the API's CSV",
}
LIVE_FAMILIES = sorted(set(CATALOG.families()) - set(MIRROR_ONLY) - set(NOT_COMPARED))
# What may differ between a live and a mirror refresh of the same files: where and when they were fetched.
PROVENANCE_COLUMNS = {"source", "fetched_at", "raw_path", "mode"}
NEW_OFSTED_RELEASE = "2026"


def test_the_live_families_are_those_whose_every_file_is_live():
    def ids(family, mode):
        return {e.id for e in CATALOG.family(family, mode)}

    assert {f for f in LIVE_FAMILIES if ids(f, "live") != ids(f, "mirror") or not ids(f, "mirror")} == set()
    assert {f for f in MIRROR_ONLY if ids(f, "live")} == set(), "a mirror-only family has a live route now: move it to LIVE_FAMILIES"
    assert {f for f in NOT_COMPARED if ids(f, "live") == ids(f, "mirror")} == set()


@pytest.fixture(scope="module")
def mirror_settings(shared_mirror_settings):
    """The mirror refresh of the real files on the session's mirror data lake, as test_pipeline_mirror_real
    makes it there (whichever module comes second finds "nothing changed")."""
    from pipeline_runs import failed_checks, run_refresh

    result = run_refresh(shared_mirror_settings)
    assert result.success and not failed_checks(result), failed_checks(result)
    return shared_mirror_settings


def live_refresh(settings: Settings, catalog: Catalog, families: list[str], instance=None):
    from dagster import DagsterInstance

    from csc_pipeline.definitions import build_definitions
    from csc_pipeline.defs import runs

    return runs.refresh(build_definitions(settings, catalog), catalog, instance or DagsterInstance.ephemeral(), "live",
                        families=families)


def rows_from(warehouse: Path, table: str, entry_ids: list[str]):
    """The table's rows (a polars frame) whose source entry is one of ``entry_ids``."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} WHERE source_entry IN (SELECT unnest(?))", [entry_ids]).pl()
    finally:
        con.close()


def values_of(warehouse: Path, table: str, families: list[str]):
    """The table's rows of ``families``' catalog entries, without provenance columns."""
    frame = rows_from(warehouse, table, [e.id for e in CATALOG.entries if e.family in families])
    return frame.drop(PROVENANCE_COLUMNS & set(frame.columns))


def differing_rows(mirror, live) -> str:
    """Rows of either frame the other lacks (first few), or '' when they hold the same rows."""
    only_mirror = mirror.join(live, on=mirror.columns, how="anti", nulls_equal=True)
    only_live = live.join(mirror, on=live.columns, how="anti", nulls_equal=True)
    if mirror.height == live.height and only_mirror.is_empty() and only_live.is_empty():
        return ""
    return (f"{mirror.height} mirror rows, {live.height} live rows; only in the mirror run: {only_mirror.head(3).to_dicts()}; "
            f"only in the live run: {only_live.head(3).to_dicts()}")


def test_a_live_refresh_of_every_live_family_gives_the_mirror_runs_values(mirror_settings, stand_in, real_dir, tmp_path):
    """Every family with a live route refreshed in live mode from the stand-in, over a copy of the
    mirror run's data lake (the mirror-only families stay as the mirror run loaded them): the
    published panel and every published value of those families equal the mirror run's. On the way
    a new Ofsted release appears (its page; its release partition added as the release sensor adds an
    EES release's) and is published beside them."""
    from dagster import DagsterInstance
    from pipeline_runs import failed_checks

    from csc_pipeline.defs.ingest import release_partitions

    lake = tmp_path / "lake"
    shutil.copytree(mirror_settings.data_lake, lake, symlinks=True)
    settings = Settings(source_mode="live", data_lake=lake)
    catalog = stand_in_catalog(stand_in.base, [at_stand_in(e, stand_in.base) if e.available_in("live") else e
                                               for e in CATALOG.entries])
    ofsted = next(e for e in CATALOG.entries if e.id == OFSTED_2025)
    stand_in.routes.update(govuk_routes([ofsted], real_dir, stand_in.base, release=NEW_OFSTED_RELEASE))
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(release_partitions(CATALOG.release_group(ofsted.family)).name, [NEW_OFSTED_RELEASE])
    result = live_refresh(settings, catalog, LIVE_FAMILIES, instance)
    assert result.success and not failed_checks(result), failed_checks(result)
    new_entry = Catalog.uncatalogued_id(OFSTED_2025, NEW_OFSTED_RELEASE)
    for family in LIVE_FAMILIES:
        records = acquire.read_manifest(settings, family)
        expected = {e.id for e in CATALOG.family(family, "live")} | ({new_entry} if family == ofsted.family else set())
        assert {r.entry_id for r in records} == expected, family
        assert all(r.source.startswith(stand_in.base) for r in records), family
    new_judgements = rows_from(settings.warehouse_path, "mart.ofsted_judgements", [new_entry])
    assert new_judgements.height > 0 and set(new_judgements["release"]) == {NEW_OFSTED_RELEASE}
    for warehouse, table in [(settings.warehouse_path, "mart.la_indicator_panel"),
                             (settings.build_warehouse_path, "intermediate.int_indicator_values")]:
        mirror_warehouse = mirror_settings.data_lake / warehouse.relative_to(lake)
        mirror, live = values_of(mirror_warehouse, table, LIVE_FAMILIES), values_of(warehouse, table, LIVE_FAMILIES)
        assert mirror.height > 0 and set(mirror["source_entry"].unique()) <= {e.id for e in CATALOG.entries}
        assert differing_rows(mirror, live) == "", table


# Faults of a publisher at the refresh level, on the Ofsted ILACS history (one file on one GOV.UK
# page). Each: what the stand-in serves in its asset folders (folder -> answer), whether the page is
# there (listing the file as /media/1/<name>), and how the one-line message ends.
NOT_READ = b"the refresh stops before reading this"
REFRESH_FAULTS = {
    # The file moved to another folder; the page still lists the old place.
    "moved file": ({"/media/2/": NOT_READ}, True, r"http://127\.0\.0\.1:\d+/media/1/\S+: HTTP 404"),
    "retired release": ({"/media/1/": NOT_READ}, False,
                        r"http://127\.0\.0\.1:\d+/api/content/government/statistics/\S+-2025: HTTP 404"),
    "slow answer": ({"/media/1/": Reply(NOT_READ, delay=2.0)}, True,
                    r"http://127\.0\.0\.1:\d+/media/1/\S+: no answer within 0\.5s \(gave up after 1 attempt\(s\)\)"),
    "error page with status 200": ({"/media/1/": Reply(ERROR_PAGE)}, True,
                                   r"http://127\.0\.0\.1:\d+/media/1/\S+ sent an HTML page, not an ODS spreadsheet or an "
                                   r"XLS \(BIFF\) workbook or an XLSX workbook as contract ofsted_ilacs_history reads"),
}


@pytest.mark.parametrize("fault", REFRESH_FAULTS)
def test_a_live_refresh_meeting_a_publisher_fault_fails_in_one_line_and_leaves_the_published_warehouse(
        fault, demo_run_copy):
    """End to end, on a copy of the demo refresh's data lake switched to live mode: the refresh of the
    one family stops at obtaining its file, says why in one line naming the entry, and publishes nothing."""
    settings = Settings(source_mode="live", data_lake=demo_run_copy.data_lake)
    published = hashlib.sha256(settings.warehouse_path.read_bytes()).hexdigest()
    entry = next(e for e in CATALOG.entries if e.id == OFSTED_2025)
    assets, page_listed, expected = REFRESH_FAULTS[fault]
    name = published_name(entry.live["pattern"].replace("{release}", entry.release))
    routes: dict = {folder + name: answer for folder, answer in assets.items()}
    server = fake_publisher(routes)
    try:
        if page_listed:
            routes[f"/api/content/{entry.live['page'].replace('{release}', entry.release)}"] = govuk_content(
                server.base, [f"/media/1/{name}"])
        result = live_refresh(settings, stand_in_catalog(server.base, timeout=0.5), [entry.family])
    finally:
        server.shutdown()
    assert not result.success and result.downstream is None
    (failure,) = [e for run in result.ingest for e in run.all_events if e.is_step_failure]
    message = step_error(failure.step_failure_data.error).message.strip()  # what `csc refresh` prints
    assert re.fullmatch(rf"csc_pipeline\.acquire\.SourceUnavailable: {OFSTED_2025}: {expected}", message), message
    assert hashlib.sha256(settings.warehouse_path.read_bytes()).hexdigest() == published


def test_every_live_address_in_the_catalog_is_on_the_allow_list():
    hosts = {urlsplit(CATALOG.publisher_url(e.live["url"])).hostname for e in CATALOG.entries if "url" in e.live}
    hosts |= {urlsplit(base).hostname for base in CATALOG.publisher_apis.values()}
    assert hosts and hosts <= CATALOG.allowed_hosts


@pytest.mark.parametrize("live, message", [
    ({"kind": "govuk_attachment", "page": "government/statistics/x"}, r"live.kind govuk_attachment needs \['pattern'\]"),
    ({"kind": "archived_file", "url": "https://webarchive.nationalarchives.gov.uk/x.csv", "sha256": "ABC"}, "not a lowercase hex sha256"),
    ({"kind": "statxplore_table"}, r"needs \['credential_env', 'query'\]"),
])
def test_a_live_entry_missing_its_route_parameters_is_rejected(live, message):
    from csc_pipeline.catalog import CatalogError, _entry

    raw = {"id": "x", "family": "f", "publisher": "p", "dataset": "d", "release": "2025", "contract": "c",
           "licence": "OGL-3.0", "mirror_path": "a/b.csv", "live": live}
    with pytest.raises(CatalogError, match=message):
        _entry(raw)
