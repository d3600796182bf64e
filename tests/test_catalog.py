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
