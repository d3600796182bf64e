"""The source catalog is consistent with the contracts and with the real mirror."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from csc_pipeline.catalog import CatalogError, _entry, load_catalog
from csc_pipeline.contracts import load_contract


def test_every_entry_names_an_existing_contract_and_a_single_contract_per_family():
    catalog = load_catalog()
    for family in catalog.families():
        contracts = {e.contract for e in catalog.family(family)}
        assert len(contracts) == 1, family
        load_contract(contracts.pop())


def test_live_urls_only_use_allowed_hosts():
    catalog = load_catalog()
    for entry in catalog.entries:
        if entry.live.get("kind") == "url":
            assert urlparse(entry.live["url"]).hostname in catalog.allowed_hosts, entry.id
    assert urlparse(catalog.ees_site).hostname in catalog.allowed_hosts
    assert urlparse(catalog.ees_content_api).hostname in catalog.allowed_hosts


def test_a_live_entry_without_a_way_to_fetch_it_is_rejected():
    raw = {"id": "x", "family": "f", "publisher": "p", "dataset": "d", "release": "2025", "contract": "c",
           "licence": "OGL-3.0", "mirror_path": "a/b.csv"}
    with pytest.raises(CatalogError, match="live mode needs live.kind"):
        _entry(raw)
    assert _entry(raw | {"modes": ["demo", "mirror"]}).modes == ("demo", "mirror")


def test_every_mirror_entry_exists_in_the_real_mirror(real_dir):
    missing = [e.mirror_path for e in load_catalog().entries if e.available_in("mirror") and not (real_dir / e.mirror_path).is_file()]
    assert missing == []


def _catalog_folder(tmp_path, family_yaml: str):
    import shutil

    from csc_pipeline.catalog import CATALOG_DIR

    shutil.copy(CATALOG_DIR / "_catalog.yaml", tmp_path / "_catalog.yaml")
    (tmp_path / "f.yaml").write_text(family_yaml, encoding="utf-8")
    return tmp_path


def test_a_release_item_inherits_its_family_fields_and_overrides_them(tmp_path):
    folder = _catalog_folder(tmp_path, """
families:
  widgets:
    publisher: DfE
    dataset: Widgets
    licence: OGL-3.0
    live: {kind: ees_release_file, publication: widgets-in-england, member: "data/w*.csv"}
    releases:
      - {id: w_2024, release: "2024", mirror_path: w/2024.csv}
      - id: w_2025
        release: "2025"
        mirror_path: w/2025.csv
        dataset: Widgets (revised)
        live: {release_slug: 2025-26, member: "data/widgets.csv"}
""")
    first, second = load_catalog(folder).family("widgets")
    assert (first.contract, first.dataset, first.live["release_slug"], first.live["member"]) == (
        "widgets", "Widgets", "2024", "data/w*.csv")
    assert (second.dataset, second.live["release_slug"], second.live["member"], second.live["publication"]) == (
        "Widgets (revised)", "2025-26", "data/widgets.csv", "widgets-in-england")


@pytest.mark.parametrize(("body", "message"), [
    ("entries:\n  - {id: x}\n", "unknown top-level keys \\['entries'\\]"),
    ("families:\n  widgets: {publisher: DfE}\n", "family widgets: needs a `releases` list"),
    ("families:\n  widgets:\n    publisher: DfE\n    releases: [{id: x, release: '1'}]\n", r"f.yaml: catalog entry x: missing \['dataset', 'licence', 'mirror_path'\]"),
])
def test_a_malformed_family_block_names_the_file_and_the_problem(tmp_path, body, message):
    with pytest.raises(CatalogError, match=message):
        load_catalog(_catalog_folder(tmp_path, body))
