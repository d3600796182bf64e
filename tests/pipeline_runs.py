"""Run the whole Dagster job in-process for tests, on throwaway settings."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance

from csc_pipeline.catalog import load_catalog
from csc_pipeline.cross_checks import CROSS_CHECKS
from csc_pipeline.definitions import build_definitions
from csc_pipeline.defs import runs
from csc_pipeline.settings import Settings

CROSS_CHECK_NAMES = {check.name for check in CROSS_CHECKS}


def run_refresh(settings: Settings, family: str | None = None, instance: DagsterInstance | None = None,
                force: bool = False) -> runs.RefreshRuns:
    """The whole refresh, or (``family``) only that source family's assets and everything downstream
    of them - what re-running after one file changed needs, without re-running every other family."""
    return runs.refresh(build_definitions(settings), load_catalog(), instance or DagsterInstance.ephemeral(),
                        settings.source_mode, families=None if family is None else [family], force=force)


def failed_checks(result: runs.RefreshRuns) -> dict[str, str]:
    """check name -> its failure table (markdown) for every failed check of the runs, but the
    cross-checks: they warn on every demo and real refresh (publishers revise and re-base figures),
    and test_pipeline_demo checks their warnings."""
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": str(e.metadata["failure_cases"].value)
        if "failure_cases" in e.metadata else (e.description or "")
        for run in result.results
        for e in run.get_asset_check_evaluations()
        if not e.passed and e.check_name not in CROSS_CHECK_NAMES
    }


def table_fingerprints(path: Path, schemas: tuple[str, ...] = ("mart", "analysis")) -> dict[str, tuple[int, str]]:
    """{schema.table: (rows, md5 of its rows as text, in sorted order)} of a DuckDB file: equal
    fingerprints mean bit-identical tables (a double's text is its shortest exact form)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE list_contains(?, schema_name) "
                             "ORDER BY ALL", [list(schemas)]).fetchall()
        return {f"{s}.{t}": con.execute(
            f"SELECT count(*), md5(coalesce(string_agg(line, chr(10) ORDER BY line), '')) "
            f'FROM (SELECT CAST(r AS VARCHAR) AS line FROM {s}."{t}" AS r)').fetchone() for s, t in tables}
    finally:
        con.close()


# Another process (DuckDB shares an open database within one) holding a DuckDB file with a
# read-write connection - DuckDB's default - and running each query it is sent.
_READER = """
import duckdb, sys
con = duckdb.connect(sys.argv[1])
for query in sys.stdin:
    print(con.execute(query).fetchone()[0], flush=True)
"""


@contextmanager
def read_write_reader(path: Path) -> Iterator[Callable[[str], str]]:
    """An analyst's session on ``path``, open for the whole block; yields ``ask(query) -> first value as text``."""
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)

    def ask(query: str) -> str:
        reader.stdin.write(query.replace("\n", " ") + "\n")
        reader.stdin.flush()
        return reader.stdout.readline().strip()

    try:
        yield ask
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)


def _checked_family(settings: Settings, family: str, catalog, resolver):
    """Obtain, conform and check one family with the plain steps its assets wrap; (records, problems)."""
    from csc_pipeline import acquire, conformed

    records = acquire.acquire_family(family, settings, catalog)
    conformed.conform_family(family, settings, catalog, records)
    return records, list(conformed.check_family(family, settings, catalog, resolver).problems)


def check_family(settings: Settings, family: str):
    """(problems, frame) of one family: the frame is what loaded.<family> holds (validated rows with
    their LA identifiers resolved, without the rows set aside), or None when there are problems."""
    from csc_pipeline import loaded
    from csc_pipeline.catalog import load_catalog
    from csc_pipeline.contracts import load_contract
    from csc_pipeline.geography import default_resolver

    catalog = load_catalog()
    _, problems = _checked_family(settings, family, catalog, default_resolver())
    if problems:
        return problems, None
    kept, _ = loaded.loadable_rows(family, settings, load_contract(catalog.family(family)[0].contract))
    return problems, kept


def check_families(mirror: Path, tmp: Path, families) -> tuple[list, dict]:
    """(problems, {family: frame}) of ``families`` read from the mirror directory ``mirror``, each as
    ``check_family``, with a data lake under ``tmp``."""
    settings = Settings(source_mode="mirror", mirror_dir=mirror, data_lake=tmp / "lake")
    problems, frames = [], {}
    for family in families:
        family_problems, frames[family] = check_family(settings, family)
        problems += family_problems
    return problems, frames


def checked_models(mirror: Path, tmp: Path, families, models: list[str]):
    """``build_models`` over ``check_families``'s frames; fails the test on any problem."""
    problems, frames = check_families(mirror, tmp, families)
    assert problems == [], "\n".join(map(str, problems[:20]))
    return build_models(frames, models)


def _warehouse(tables: dict):
    """An in-memory DuckDB with the macros, the reference tables and the given tables; returns the
    connection and the names of the tables loaded."""
    import duckdb

    from csc_pipeline import warehouse
    from csc_pipeline.reference_tables import reference_frames

    con = duckdb.connect()
    warehouse.ensure_schemas(con)
    loaded = {**reference_frames(), **tables}
    for table, frame in loaded.items():
        warehouse.replace_table(con, table, frame)
    return con, set(loaded)


def build_models(frames: dict, models: list[str], tables: dict | None = None):
    """An in-memory warehouse: reference tables, the given loaded.<family> frames (and ``tables``,
    {schema.table: frame}, e.g. a planted intermediate table), then the named SQL models in order
    (for tests that stage a chosen slice of a family)."""
    from csc_pipeline import warehouse

    con, _ = _warehouse({**{f"loaded.{family}": f for family, f in frames.items()}, **(tables or {})})
    known = {m.name: m for m in warehouse.discover_models()}
    for name in models:
        warehouse.run_model(con, known[name])
    return con


def indicator_values(rows: list[tuple], release: str = "r", entry: str = "entry"):
    """int_indicator_values(_latest) rows (authority, code, nation, year, indicator, value) with the other
    columns filled (one release and catalog entry, precedence 50), for planting in ``build_models``."""
    import polars as pl

    frame = pl.DataFrame(rows, schema=["authority_id", "area_code", "nation", "year", "indicator", "value"], orient="row")
    return frame.with_columns(
        pl.lit("local_authority").alias("geographic_level"), pl.lit(None, pl.String).alias("la_code_3"),
        pl.col("area_code").alias("area_name"),
        pl.when(pl.col("nation") == "Wales").then(pl.lit("W92000004")).otherwise(pl.lit("E92000001")).alias("country_code"),
        pl.col("year").cast(pl.String).alias("published_period"), pl.lit(None, pl.String).alias("symbol"),
        pl.lit("published").alias("status"), pl.lit("children").alias("unit"), pl.lit(entry).alias("source_entry"),
        pl.lit(release).alias("release"), pl.lit("f").alias("source_file"), pl.lit(1).alias("source_row"), pl.lit(50).alias("precedence"),
        pl.lit(None, pl.String).alias("method"),
    )


def family_warehouse(settings: Settings, families: list[str], tables: list[str]):
    """Obtain, conform, validate and load ``families`` the way the refresh does, then build ``tables``
    (and the models they need) in an in-memory DuckDB. Returns (connection, problems by family)."""
    from csc_pipeline import loaded, warehouse
    from csc_pipeline.catalog import load_catalog
    from csc_pipeline.contracts import load_contract
    from csc_pipeline.geography import default_resolver
    from csc_pipeline.reference_tables import provenance_frame

    catalog, resolver = load_catalog(), default_resolver()
    con, references = _warehouse({})
    records, problems = [], {}
    for family in families:
        family_records, problems[family] = _checked_family(settings, family, catalog, resolver)
        records += family_records
        if not problems[family]:
            loaded.load_family(con, family, settings, load_contract(catalog.family(family)[0].contract))
    warehouse.replace_table(con, "meta.provenance", provenance_frame(records, catalog))
    if any(problems.values()):
        return con, problems
    models = {m.table: m for m in warehouse.discover_models()}
    built = set(references) | {"meta.provenance"} | {f"loaded.{f}" for f in families}

    def build(table: str) -> None:
        if table in built:
            return
        for dependency in models[table].depends_on:
            build(dependency)
        warehouse.run_model(con, models[table])
        built.add(table)

    for table in tables:
        build(table)
    return con, problems


def write_demo_family(out, write):
    """The files one demo family module's ``write`` (e.g. ``csc_pipeline.demo.families.lait.write``)
    writes under ``out``."""
    from csc_pipeline.demo.formats import DemoFiles
    from csc_pipeline.demo.model import DEFAULT_SEED, Model, load_geography

    write(Model(*load_geography(None, None), DEFAULT_SEED), DemoFiles(out))
    return out


def copy_demo_source(shared: Settings, lake: Path) -> Settings:
    """Demo settings over ``lake`` holding a copy of ``shared``'s generated demo set (the session's,
    generated once): its marker fingerprints the same generator, so nothing is generated again. Its
    ``demo_dir`` also serves as a writable demo mirror."""
    from csc_pipeline.acquire import ensure_demo_source

    shutil.copytree(ensure_demo_source(shared), lake / "demo_source")
    return Settings(source_mode="demo", data_lake=lake)
