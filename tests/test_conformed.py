"""The conformed layer's hand-over: the contract check resolves LA identifiers once and writes the rows
the loaded layer reads; it reads the files the conformed step recorded, not the manifests again; rows
are refused once the conformed data they were checked on has changed."""

from __future__ import annotations

import shutil

import duckdb
import polars as pl
import pytest

from csc_pipeline import acquire, conformed, loaded
from csc_pipeline.catalog import load_catalog
from csc_pipeline.contracts import load_contract
from csc_pipeline.geography import default_resolver

# Ofsted's wide inspection file names each authority (la_name_column, resolved per judgement date):
# the check adds the GSS code of each date's authority.
FAMILY = "ofsted_la_inspections_wide"


@pytest.fixture
def conformed_family(demo_source_copy):
    catalog = load_catalog()
    records = acquire.acquire_family(FAMILY, demo_source_copy, catalog)
    result = conformed.conform_family(FAMILY, demo_source_copy, catalog, records)
    assert result.rows > 100 and result.problems == ()
    return demo_source_copy, catalog


def test_the_check_resolves_la_identifiers_and_the_load_takes_them_as_they_are(conformed_family):
    settings, catalog = conformed_family
    contract = load_contract(catalog.family(FAMILY)[0].contract)
    # The manifests are read once, by the conformed step: the check works from what it recorded.
    shutil.rmtree(acquire.manifest_dir(settings, FAMILY))
    checked = conformed.check_family(FAMILY, settings, catalog, default_resolver())
    assert checked.passed and checked.rows > 100
    validated = conformed.read_validated(FAMILY, settings)
    added = [f"{c}_la_code" for c in contract.la_name_dates]
    assert added and set(added) <= set(validated.columns)
    for date in contract.la_name_dates:  # every dated judgement names the authority of its date
        dated = validated.filter(pl.col(date).is_not_null())
        assert dated.height and dated[f"{date}_la_code"].null_count() == 0, date
    con = duckdb.connect()
    result = loaded.load_family(con, FAMILY, settings, contract)
    assert result.table == f"loaded.{FAMILY}" and result.rows + result.quarantined >= validated.height
    assert con.execute(f"SELECT count(DISTINCT {added[0]}) FROM {result.table}").fetchone()[0] > 50


def test_rows_checked_on_earlier_conformed_data_are_refused(conformed_family):
    settings, catalog = conformed_family
    assert conformed.check_family(FAMILY, settings, catalog, default_resolver()).passed
    paths = conformed.family_paths(settings, FAMILY)
    # The conformed parquet replaced behind the check's back (not by the conformed step): stale.
    frame = pl.read_parquet(paths.conformed)
    frame.head(frame.height - 1).write_parquet(paths.conformed)
    with pytest.raises(conformed.NotValidated, match="has not passed its blocking contract check"):
        conformed.read_validated(FAMILY, settings)
    # Conforming again removes the rows checked before, until the check passes again.
    conformed.conform_family(FAMILY, settings, catalog, acquire.read_manifest(settings, FAMILY))
    assert not paths.validated.exists()
    with pytest.raises(conformed.NotValidated):
        conformed.read_validated(FAMILY, settings)


def test_a_failing_check_leaves_nothing_to_load(conformed_family):
    settings, catalog = conformed_family
    paths = conformed.family_paths(settings, FAMILY)
    frame = pl.read_parquet(paths.conformed)
    name = load_contract(catalog.family(FAMILY)[0].contract).la_name_column
    frame.with_columns(pl.lit("Atlantis").alias(name)).write_parquet(paths.conformed)
    checked = conformed.check_family(FAMILY, settings, catalog, default_resolver())
    assert not checked.passed
    assert any("does not resolve to a known authority" in p.message and p.value == "Atlantis" for p in checked.problems)
    assert not paths.validated.exists() and not paths.stamp.exists()


def test_the_same_file_obtained_for_a_new_release_is_labelled_with_that_release(demo_source_copy):
    """A publisher may re-issue a file unchanged as its next release (the release sensor then reads the
    latest entry's file for it): its rows belong to the new release, not to the first entry with those bytes."""
    import dataclasses

    from csc_pipeline.catalog import Catalog

    family, catalog = "ofsted_ilacs_history", load_catalog()
    (first,) = acquire.acquire_family(family, demo_source_copy, catalog)
    again = dataclasses.replace(first, entry_id=Catalog.uncatalogued_id(first.entry_id, "2026"), release="2026")
    result = conformed.conform_family(family, demo_source_copy, catalog, [first, again])
    labels = pl.read_parquet(result.parquet).group_by("source_entry", "release").len()
    assert sorted(labels.rows()) == [(first.entry_id, first.release, result.rows // 2), (again.entry_id, "2026", result.rows // 2)]
    assert conformed.check_family(family, demo_source_copy, catalog, default_resolver()).passed
