"""Acquisition in each mode: demo (generated), mirror (local copy), live (a local stand-in publisher)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import pytest
from fake_publisher import ees_page, fake_ees, release_zip

from csc_pipeline import acquire
from csc_pipeline.catalog import load_catalog
from csc_pipeline.settings import Settings

CLA_MEMBER = "data/cla_number_and_rate_per_10k_children.csv"


def test_demo_mode_reuses_its_generated_set_and_stores_immutable_raw_files(demo_source_copy):
    # demo_source_copy: a fresh lake holding the session's generated demo set and its marker
    catalog = load_catalog()
    records = acquire.acquire_family("cla_number_and_rate", demo_source_copy, catalog)
    assert [r.release for r in records] == ["2021", "2022", "2023", "2024", "2025"]
    assert all(r.synthetic and r.mode == "demo" for r in records)
    marker = demo_source_copy.demo_dir / ".generated.json"
    before = marker.stat().st_mtime_ns
    again = acquire.acquire_family("cla_number_and_rate", demo_source_copy, catalog)
    assert marker.stat().st_mtime_ns == before  # not regenerated
    assert [r.sha256 for r in again] == [r.sha256 for r in records]
    for record in records:
        stored = open(record.raw_path, "rb").read()
        assert hashlib.sha256(stored).hexdigest() == record.sha256
        assert os.stat(record.raw_path).st_mode & 0o222 == 0  # read-only (root could still write)
    # One manifest per release partition; together they are the family's files.
    for record in records:
        manifest = json.loads(acquire.manifest_path(demo_source_copy, "cla_number_and_rate", record.release).read_text())
        assert [r["entry_id"] for r in manifest] == [record.entry_id]
    assert [r.entry_id for r in acquire.read_manifest(demo_source_copy, "cla_number_and_rate")] == [r.entry_id for r in records]


def test_a_release_counts_as_unchanged_only_while_its_stored_files_are_the_sources_files(tmp_path, shared_demo_settings):
    catalog = load_catalog()
    demo = acquire.ensure_demo_source(shared_demo_settings)
    [entry] = acquire.release_entries("cla_number_and_rate", "2024", shared_demo_settings, catalog)
    source = tmp_path / "mirror" / entry.mirror_path
    source.parent.mkdir(parents=True)
    shutil.copyfile(demo / entry.mirror_path, source)
    settings = Settings(source_mode="mirror", mirror_dir=tmp_path / "mirror", data_lake=tmp_path / "lake")
    assert not acquire.release_unchanged("cla_number_and_rate", "2024", settings, catalog)  # never obtained

    acquire.acquire_release("cla_number_and_rate", "2024", settings, catalog)
    assert acquire.release_unchanged("cla_number_and_rate", "2024", settings, catalog)
    assert not acquire.release_unchanged("cla_number_and_rate", "2023", settings, catalog)  # not obtained
    # live mode cannot know without asking the publisher
    assert not acquire.release_unchanged("cla_number_and_rate", "2024", dataclasses.replace(settings, source_mode="live"), catalog)

    source.write_bytes(source.read_bytes().replace(b",", b", ", 1))  # the publisher corrects the file
    assert not acquire.release_unchanged("cla_number_and_rate", "2024", settings, catalog)


def mirror_without_the_files(tmp_path) -> Path:
    """A mirror folder with something in it (an empty one is refused as a setting) but none of the catalog's files."""
    (tmp_path / "mirror" / "other").mkdir(parents=True)
    return tmp_path / "mirror"


def test_mirror_mode_names_the_missing_file_and_its_catalog_entry(tmp_path):
    settings = Settings(source_mode="mirror", mirror_dir=mirror_without_the_files(tmp_path), data_lake=tmp_path / "lake")
    with pytest.raises(acquire.SourceUnavailable, match=r"dfe_cla_number_and_rate_2021: mirror file not found: .*ees_release_2021"):
        acquire.acquire_family("cla_number_and_rate", settings, load_catalog())


def test_demo_only_families_are_empty_in_mirror_mode(tmp_path):
    import dataclasses

    # The family's synthetic stand-ins only (its real mid-2014 entry left out): nothing to obtain.
    catalog = load_catalog()
    stand_ins = dataclasses.replace(catalog, entries=tuple(
        e for e in catalog.entries if e.family == "wales_population_mye2" and not e.available_in("mirror")))
    assert stand_ins.family("wales_population_mye2")
    settings = Settings(source_mode="mirror", mirror_dir=mirror_without_the_files(tmp_path), data_lake=tmp_path / "lake")
    assert acquire.acquire_family("wales_population_mye2", settings, stand_ins) == []


def test_live_mode_finds_the_release_downloads_the_zip_and_extracts_the_member(tmp_path, shared_demo_settings):
    csv_bytes = (acquire.ensure_demo_source(shared_demo_settings) / "dfe/cla/ees_release_2025/cla_number_and_rate_per_10k_children.csv").read_bytes()
    release_id = str(uuid.uuid4())
    server = fake_ees({
        "/find-statistics/children-looked-after-in-england-including-adoptions/2025": ees_page(None, release_id),
        f"/api/releases/{release_id}/files": release_zip({CLA_MEMBER: csv_bytes}),
    })
    base = f"http://127.0.0.1:{server.server_address[1]}"
    real = load_catalog()
    catalog = dataclasses.replace(
        real,
        entries=tuple(e for e in real.entries if e.id == "dfe_cla_number_and_rate_2025"),
        allowed_hosts=frozenset({"127.0.0.1"}),
        ees_site=base,
        ees_content_api=f"{base}/api",
    )
    settings = Settings(source_mode="live", data_lake=tmp_path / "live")
    try:
        (record,) = acquire.acquire_family("cla_number_and_rate", settings, catalog)
        assert record.source == f"{base}/api/releases/{release_id}/files#cla_number_and_rate_per_10k_children.csv"
        assert record.sha256 == hashlib.sha256(csv_bytes).hexdigest() and not record.synthetic
        (again,) = acquire.acquire_family("cla_number_and_rate", settings, catalog)
        assert again.sha256 == record.sha256
        assert len(server.requests) == 4  # page + zip, twice; the second zip answer is a 304
    finally:
        server.shutdown()


def test_live_mode_refuses_hosts_not_in_the_catalog(tmp_path):
    real = load_catalog()
    catalog = dataclasses.replace(real, entries=real.family("cla_number_and_rate")[:1], allowed_hosts=frozenset())
    settings = Settings(source_mode="live", data_lake=tmp_path / "live")
    with pytest.raises(Exception, match="not allowed|allow"):
        acquire.acquire_family("cla_number_and_rate", settings, catalog)
