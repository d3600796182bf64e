"""The DuckDB warehouse: SQL models from ``sql/``, frame loading, and atomic publication.

Every refresh writes a *build* database; ``publish`` writes the schemas analysts use into a new,
compact file beside the published ``csc.duckdb`` and renames it into place. Publication never opens
the published file, so an analyst holding it open (even read-write) keeps reading the previous,
complete version and never blocks the refresh.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from csc_pipeline.atomic import PUBLIC, atomic_path, atomic_write
from csc_pipeline.settings import package_folder

SQL_DIR = package_folder("sql")
LAYERS = ("staging", "intermediate", "marts", "analysis")
# The schema each layer's tables live in (marts are what analysts query, as `mart.*`).
LAYER_SCHEMA = {"staging": "staging", "intermediate": "intermediate", "marts": "mart", "analysis": "analysis"}
# Bookkeeping of publication (what was last published, what this refresh changed): build database only.
STATE_SCHEMA = "publish_state"
SCHEMAS = ("loaded", "ref", "meta", *LAYER_SCHEMA.values(), STATE_SCHEMA)
# What the published warehouse holds: the analyst tables, their metadata and provenance, and the loaded
# rows (cells as published) a value is traced back to. staging and intermediate (and the SQL macros) are the build's
# working steps: they stay in the build database, for engineers.
PUBLISHED_SCHEMAS = ("loaded", "ref", "meta", "mart", "analysis")


@dataclass(frozen=True)
class Feed:
    """A model's ``-- feeds: <table> [where <condition>]`` line: its rows are part of ``<table>``'s
    input (the union a model reads as ``<name>_feeds``), optionally only those meeting the condition."""

    source: str
    target: str
    condition: str | None = None

    def select(self) -> str:
        return f"SELECT * FROM {self.source}" + (f" WHERE {self.condition}" if self.condition else "")


@dataclass(frozen=True)
class SqlModel:
    """One SQL file: it creates the table ``schema.name``; what it reads is found in its SQL."""

    layer: str
    name: str
    path: Path
    description: str
    # Tables the SQL reads, and the models declared to feed it (in their file-name order).
    reads: tuple[str, ...] = ()
    feeds_in: tuple[Feed, ...] = ()

    @property
    def schema(self) -> str:
        return LAYER_SCHEMA[self.layer]

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Every table this model needs built first: those its SQL reads and those that feed it."""
        fed = [t for feed in self.feeds_in for t in (feed.source, *_tables_read(feed.condition or ""))]
        return tuple(dict.fromkeys([*self.reads, *fed]))

    @property
    def feeds_view(self) -> str:
        return f"{self.name}_feeds"

    def feeds_union(self) -> str | None:
        """The view of everything declared to feed this model (None when nothing does)."""
        if not self.feeds_in:
            return None
        union = "\nUNION ALL BY NAME ".join(feed.select() for feed in self.feeds_in)
        return f"CREATE OR REPLACE TEMP VIEW {self.feeds_view} AS\n{union}"


_HEADER = re.compile(r"^--\s*(description|feeds):\s*(.*)$")
_FEED = re.compile(r"^(\w+\.\w+)(?:\s+where\s+(.+))?$", re.IGNORECASE | re.DOTALL)
# A schema-qualified table name (also inside a string handed to a table macro: ees_cells('loaded.x')).
_TABLE_NAME = re.compile(r"\b(" + "|".join(SCHEMAS) + r")\.([a-z_][a-z0-9_]*)\b")


# Documentation statements name other tables in prose, not as inputs.
_COMMENT_ON = re.compile(r"COMMENT\s+ON\s+(?:TABLE|COLUMN)\s+[\w.\"]+\s+IS\s+'(?:[^']|'')*'", re.IGNORECASE)


def _tables_read(sql: str) -> list[str]:
    """The schema-qualified tables SQL names, comments and documentation left out, in order."""
    code = _COMMENT_ON.sub("", "\n".join(line.split("--", 1)[0] for line in sql.splitlines()))
    return list(dict.fromkeys(f"{schema}.{name}" for schema, name in _TABLE_NAME.findall(code)))


_MACRO = re.compile(r"CREATE\s+OR\s+REPLACE\s+MACRO\s+(\w+)\s*\(", re.IGNORECASE)


def _macro_reads(sql_dir: Path) -> dict[str, list[str]]:
    """Per macro of ``sql/macros/``, the tables its body reads (a model calling it reads them too)."""
    reads = {}
    for path in sorted((sql_dir / "macros").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        starts = list(_MACRO.finditer(text))
        for this, following in zip(starts, [*starts[1:], None]):
            reads[this.group(1)] = _tables_read(text[this.start():following.start() if following else len(text)])
    return reads


def _read_model(layer: str, path: Path, macro_reads: dict[str, list[str]]) -> tuple[SqlModel, list[Feed]]:
    header: dict[str, list[str]] = {"description": [], "feeds": []}
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            header[match.group(1)].append(match.group(2).strip())
        elif line.strip() and not line.startswith("--"):
            break
    model = SqlModel(layer, path.stem, path, " ".join(header["description"]))
    called = [name for name in macro_reads if re.search(rf"\b{name}\s*\(", text)]
    reads = [*_tables_read(text), *(t for name in called for t in macro_reads[name])]
    model = replace(model, reads=tuple(t for t in dict.fromkeys(reads) if t != model.table))
    feeds = []
    for line in header["feeds"]:
        match = _FEED.match(line)
        if not match:
            raise ValueError(f"{path}: cannot read '-- feeds: {line}' (expected: schema.table [where <condition>])")
        feeds.append(Feed(model.table, match.group(1), match.group(2)))
    return model, feeds


def discover_models(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    """Every model of ``sql/<layer>/``: its ``-- description:`` header, the tables its SQL reads,
    and the models whose ``-- feeds:`` header names it."""
    macro_reads = _macro_reads(sql_dir)
    read = [_read_model(layer, path, macro_reads) for layer in LAYERS for path in sorted((sql_dir / layer).glob("*.sql"))]
    feeds = [feed for _, model_feeds in read for feed in model_feeds]
    models = {model.table: model for model, _ in read}
    if unknown := sorted({f"{f.source} -> {f.target}" for f in feeds if f.target not in models}):
        raise ValueError(f"-- feeds: names a table no model in {sql_dir} creates: {unknown}")
    return [replace(model, feeds_in=tuple(f for f in feeds if f.target == model.table)) for model in models.values()]


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


# The digest of the schemas and macros a database was last set up with (``ensure_schemas``).
SETUP_TABLE = "main.csc_setup"


@cache
def _setup_statements() -> tuple[str, tuple[str, ...]]:
    """The statements that create the schemas and the SQL macros, and their digest."""
    statements = tuple(f"CREATE SCHEMA IF NOT EXISTS {schema}" for schema in SCHEMAS) + tuple(
        macro.read_text(encoding="utf-8") for macro in sorted((SQL_DIR / "macros").glob("*.sql")))
    return hashlib.sha256("\0".join(statements).encode()).hexdigest(), statements


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas and (re)create the SQL macros, unless the database has them as this code
    defines them already: every model and table write calls this, and recreating six macros each
    time was a catalog write per step (seconds of a refresh)."""
    digest, statements = _setup_statements()
    con.execute(f"CREATE TABLE IF NOT EXISTS {SETUP_TABLE} (digest VARCHAR)")
    if con.execute(f"SELECT digest FROM {SETUP_TABLE}").fetchall() == [(digest,)]:
        return
    with transaction(con):
        for statement in statements:
            con.execute(statement)
        con.execute(f"DELETE FROM {SETUP_TABLE}")
        con.execute(f"INSERT INTO {SETUP_TABLE} VALUES (?)", [digest])


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block's statements commit together or roll back together."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def run_model(con: duckdb.DuckDBPyConnection, model: SqlModel) -> int:
    """Run one model in a transaction; return the row count of the table it produced."""
    ensure_schemas(con)
    with transaction(con):
        if union := model.feeds_union():
            con.execute(union)
        con.execute(model.path.read_text(encoding="utf-8"))
    return table_rows(con, model.table)


def sql_string(text: str) -> str:
    """A SQL string literal, for statements that take no parameters (COMMENT ON)."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class TableDocs:
    """A table's comment and its columns' comments, written into the warehouse with the table."""

    description: str
    columns: dict[str, str]

    def statements(self, table: str, frame_columns: list[str]) -> list[str]:
        undocumented = [c for c in frame_columns if not self.columns.get(c)]
        if undocumented:
            raise ValueError(f"{table}: columns without a description: {', '.join(undocumented)}")
        return [f"COMMENT ON TABLE {table} IS {sql_string(self.description)}"] + [
            f'COMMENT ON COLUMN {table}."{column}" IS {sql_string(self.columns[column])}' for column in frame_columns
        ]


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, docs: TableDocs | None = None) -> int:
    """Replace ``table`` with a polars frame, atomically (the frame is registered, never pasted).

    With ``docs``, the table and every column get their comments in the same transaction.
    """
    comments = docs.statements(table, frame.columns) if docs else []
    ensure_schemas(con)
    with _registered_in_transaction(con, table, frame) as view:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {view}")
        for statement in comments:
            con.execute(statement)
    return table_rows(con, table)


def replace_slice(con: duckdb.DuckDBPyConnection, table: str, column: str, value: str, frame: pl.DataFrame) -> int:
    """Replace the rows of ``table`` where ``column`` = ``value`` with ``frame``, in one transaction.

    For tables several assets share (e.g. meta.quarantine, one slice per source family).
    """
    ensure_schemas(con)
    with _registered_in_transaction(con, table, frame.with_columns(pl.lit(value).alias(column))) as view:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM {view} LIMIT 0")
        con.execute(f"DELETE FROM {table} WHERE {column} = ?", [value])
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
    return frame.height


@contextmanager
def _registered_in_transaction(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> Iterator[str]:
    """Register ``frame`` as a view for writing ``table`` and yield its name inside one transaction.

    The block's statements commit together or roll back together; the view never outlives the block.
    """
    view = "_incoming_" + table.replace(".", "_")
    con.register(view, frame.to_arrow())
    try:
        with transaction(con):
            yield view
    finally:
        con.unregister(view)


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def preview(con: duckdb.DuckDBPyConnection, table: str, limit: int = 5) -> str:
    """A small markdown table for asset metadata."""
    frame = con.sql(f"SELECT * FROM {table} LIMIT {int(limit)}").pl()
    if frame.is_empty():
        return "_(empty)_"
    cells = [[("" if v is None else str(v)) for v in row] for row in frame.iter_rows()]
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def export_parquet(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    """Write a table to Parquet atomically (temp file, then rename); return its row count."""
    frame = con.sql(f"SELECT * FROM {table}").pl()
    # Analyst-facing: readable by other accounts, like the published warehouse.
    atomic_write(path, frame.write_parquet, mode=PUBLIC)
    return frame.height


def publish(con: duckdb.DuckDBPyConnection, published_path: Path, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS) -> Path:
    """Write ``schemas`` of the build database behind ``con`` into a fresh file and rename it over
    ``published_path``.

    A fresh file holds only live data (a byte copy of the build database would carry its free
    blocks, and grow with every refresh); table and column comments are copied with the tables.
    The published file itself is never opened, so no reader of it can block publication.
    """
    alias = "publishing"
    with atomic_path(published_path, mode=PUBLIC, suffix=".publishing", durable=True) as tmp:
        tmp.unlink()  # DuckDB creates its database file itself
        con.execute(f"ATTACH {sql_string(str(tmp))} AS {alias}")
        try:
            _copy_schemas(con, alias, schemas)
            con.execute(f"CHECKPOINT {alias}")
            con.execute(f"DETACH {alias}")
        except BaseException:
            con.execute(f"DETACH DATABASE IF EXISTS {alias}")
            raise
        finally:
            Path(f"{tmp}.wal").unlink(missing_ok=True)
    return published_path


def _copy_schemas(con: duckdb.DuckDBPyConnection, target: str, schemas: tuple[str, ...]) -> None:
    """Copy every table of ``schemas`` with its comments into the attached database ``target``, in one transaction."""
    source = con.execute("SELECT current_database()").fetchone()[0]
    tables = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = ? "
        "AND list_contains(?, schema_name) ORDER BY ALL", [source, list(schemas)]).fetchall()
    columns = con.execute(
        "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() WHERE database_name = ? "
        "AND list_contains(?, schema_name) AND comment IS NOT NULL ORDER BY ALL", [source, list(schemas)]).fetchall()
    with transaction(con):
        for schema in sorted({schema for schema, _, _ in tables}):
            con.execute(f"CREATE SCHEMA {target}.{schema}")
        for schema, table, comment in tables:
            con.execute(f'CREATE TABLE {target}.{schema}."{table}" AS SELECT * FROM {source}.{schema}."{table}"')
            if comment:
                con.execute(f'COMMENT ON TABLE {target}.{schema}."{table}" IS {sql_string(comment)}')
        for schema, table, column, comment in columns:
            con.execute(f'COMMENT ON COLUMN {target}.{schema}."{table}"."{column}" IS {sql_string(comment)}')
