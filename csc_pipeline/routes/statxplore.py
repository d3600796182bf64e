"""DWP Stat-Xplore's Open Data API: ``POST {statxplore_api}/table`` with the query the catalog writes
(``live.query``: database, measures, dimensions and recodes) and the key in an ``APIKey`` header.

The answer is a JSON cube: ``fields`` (one per dimension, in query order, each with ``items`` whose
``labels`` name them), ``measures`` (``id`` and ``label``) and ``cubes`` (measure id -> ``values``,
arrays nested one level per field). It is laid out as the long CSV Stat-Xplore's own export writes
(title lines, ``Counting, <fields...>, Count, Annotations``, one line per cell, a blank line, notes),
so the contract that reads the exports reads it too. The API serves only the current revision of a
table: a live query stands for the latest release.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from datetime import datetime, timezone
from pathlib import PurePosixPath

import requests

from csc_pipeline import download
from csc_pipeline.catalog import Catalog, SourceEntry
from csc_pipeline.routes.common import Obtained, RouteError

KEY_HEADER = "APIKey"
# Stat-Xplore's export writes ".." for a nil or negligible number; the API answers null.
NIL = ".."


def table_url(catalog: Catalog) -> str:
    return f"{catalog.publisher_url('{statxplore_api}')}/table"


def obtain(entry: SourceEntry, catalog: Catalog, store: download.RawStore, policy: download.FetchPolicy,
           session: requests.Session | None) -> Obtained:
    variable = entry.live["credential_env"]
    url = table_url(catalog)
    try:
        answer = download.post_json(url, entry.live["query"], policy, session,
                                    headers={KEY_HEADER: os.environ[variable]})
    except download.HttpStatusError as exc:
        if exc.status in (401, 403):
            raise RouteError(f"{url}: HTTP {exc.status}: Stat-Xplore refused the API key in {variable}; "
                             "set it to the key shown under Account > Open Data API Access") from exc
        raise
    laid_out = export_csv(entry, answer, url)
    stored = store.put_stream([laid_out], PurePosixPath(entry.mirror_path).name, policy.max_bytes, url)
    return Obtained(url, stored, datetime.now(timezone.utc))


def export_csv(entry: SourceEntry, answer: object, url: str) -> bytes:
    """The table answer laid out as Stat-Xplore's long CSV export."""
    fields, measures, cubes = _parts(answer)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    field_labels = [label for label, _ in fields]
    out.write("Stat-Xplore\n\n")
    writer.writerow([entry.dataset])
    writer.writerow([" by ".join(field_labels)])
    for _, measure_label in measures:
        writer.writerow([f"Counting: {measure_label}"])
    out.write("\n")
    writer.writerow(["Counting", *field_labels, "Count", "Annotations"])
    shape = [len(items) for _, items in fields]
    for measure_id, measure_label in measures:
        values = cubes[measure_id]
        for position in itertools.product(*(range(n) for n in shape)):
            cell = _cell(values, position, shape, measure_id)
            writer.writerow([measure_label, *(items[i] for (_, items), i in zip(fields, position)), cell, ""])
    out.write("\n")
    writer.writerow(["Source: Department for Work and Pensions, Stat-Xplore table API"])
    writer.writerow([f"Query: POST {url}"])
    return out.getvalue().encode("utf-8")


def _parts(answer: object) -> tuple[list[tuple[str, list[str]]], list[tuple[str, str]], dict]:
    """(field label, item labels) per field, (id, label) per measure, and each measure's values."""
    if not isinstance(answer, dict):
        raise RouteError(f"Stat-Xplore's table answer is a JSON {type(answer).__name__}, not an object "
                         "with fields, measures and cubes")
    if missing := [k for k in ("fields", "measures", "cubes") if not answer.get(k)]:
        raise RouteError(f"Stat-Xplore's table answer has no {', '.join(missing)} "
                         f"(keys: {sorted(answer)})")
    fields = [_field(number, field) for number, field in enumerate(answer["fields"], start=1)]
    measures = [(m.get("id"), m.get("label")) for m in answer["measures"] if isinstance(m, dict)]
    if not measures:
        raise RouteError("Stat-Xplore's table answer names no measure")
    cubes = answer["cubes"]
    for measure_id, label in measures:
        cube = cubes.get(measure_id) if isinstance(cubes, dict) else None
        if not isinstance(label, str) or not isinstance(cube, dict) or "values" not in cube:
            raise RouteError(f"Stat-Xplore's table answer has no cube values for measure {measure_id!r}")
    return fields, measures, {m: cubes[m]["values"] for m, _ in measures}


def _field(number: int, field: object) -> tuple[str, list[str]]:
    label = field.get("label") if isinstance(field, dict) else None
    items = field.get("items") if isinstance(field, dict) else None
    # Each item has a list of labels; the first is the name the CSV export shows.
    names = [i["labels"][0] for i in items if _named(i)] if isinstance(items, list) else []
    if not isinstance(label, str) or not names or len(names) != len(items):
        raise RouteError(f"field {number} of Stat-Xplore's table answer lacks a label or items with labels")
    return label, names


def _named(item: object) -> bool:
    labels = item.get("labels") if isinstance(item, dict) else None
    return isinstance(labels, list) and bool(labels) and isinstance(labels[0], str)


def _cell(values: object, position: tuple[int, ...], shape: list[int], measure_id: str) -> object:
    for depth, index in enumerate(position):
        if not isinstance(values, list) or len(values) != shape[depth]:
            raise RouteError(f"the cube of {measure_id!r} does not match its fields (at "
                             f"{list(position[:depth])} it holds {len(values) if isinstance(values, list) else 'no list'}, "
                             f"not {shape[depth]} values)")
        values = values[index]
    if values is None:
        return NIL
    if isinstance(values, bool) or not isinstance(values, int | float):
        raise RouteError(f"the cube of {measure_id!r} holds {values!r} at {list(position)}, not a number")
    return int(values) if float(values).is_integer() else values
