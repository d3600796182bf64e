"""Readers for the publishers' file layouts. Each returns every cell as text plus ``source_row``.

``source_row`` is the 1-based row number a person sees when opening the file, so a validation
failure can be looked up in the published file directly.

Longer than 500 lines on purpose: one short reader per published layout (plain CSV, CSV with
title rows from ONS and Nomis, StatsWales and Stat-Xplore exports, Parquet, spreadsheets with
grouped or repeated headers), side by side, so a contract's ``reader:`` names one of a list a
person can read in one place.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import polars as pl

from csc_pipeline.contracts import SOURCE_COLUMNS, Contract, header_key, header_lookup


class ReadError(ValueError):
    """A file cannot be read in the layout its contract expects."""


def decode_text(path: Path) -> str:
    """Decode a published text file: UTF-8 (with or without BOM), else Windows-1252.

    Several older DfE files are cp1252; guessing further (latin-1 etc.) would silently mangle
    names, so anything else is an error naming the file.
    """
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(f"{path.name}: file is empty")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{path.name}: neither UTF-8 nor Windows-1252 text")


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(decode_text(path), newline="")))


def _frame(header: list[str], rows: list[list[str]], first_row_number: int, path: Path) -> pl.DataFrame:
    width = len(header)
    if any(not h for h in header):
        blanks = [i + 1 for i, h in enumerate(header) if not h]
        raise ReadError(
            f"{path.name}: the header row has blank column names (columns {blanks[:5]}); "
            "are there title rows above the header, or has the layout changed?"
        )
    if len(set(header)) != width:
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise ReadError(f"{path.name}: duplicate column names {dupes}")
    data = {h: [] for h in header}
    row_numbers = []
    for offset, row in enumerate(rows):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise ReadError(
                f"{path.name}, row {first_row_number + offset}: {len(row)} fields where the header has "
                f"{width} (truncated or malformed file?)"
            )
        for h, cell in zip(header, row):
            data[h].append(cell)
        row_numbers.append(first_row_number + offset)
    frame = pl.DataFrame(data, schema={h: pl.String for h in header})
    return frame.with_columns(
        pl.lit(path.name).alias("source_file"),
        pl.Series("source_row", row_numbers, dtype=pl.Int64),
    )


def _without_blank_columns(header: list[str], rows: list[list[str]], path: Path) -> tuple[list[str], list[list[str]]]:
    """Drop columns with a blank header and no data (trailing commas some DfE files carry).

    A blank-headed column that holds data is an error: its cells would have no name.
    """
    blank = [i for i, h in enumerate(header) if not h]
    if not blank:
        return header, rows
    for i in blank:
        row = next((n for n, r in enumerate(rows) if i < len(r) and r[i].strip()), None)
        if row is not None:
            raise ReadError(f"{path.name}, row {row + 2}: data in column {_column_letter(i)}, which has no header")
    keep = [i for i, h in enumerate(header) if h]
    width = len(header)
    return [header[i] for i in keep], [[r[i] for i in keep] if len(r) == width else r for r in rows]


def read_csv(path: Path, contract: Contract) -> pl.DataFrame:
    rows = _rows(path)
    if not rows:
        raise ReadError(f"{path.name}: no header row")
    header, body = _without_blank_columns([h.strip() for h in rows[0]], rows[1:], path)
    return _frame(header, body, 2, path)


def read_csv_with_title_rows(path: Path, contract: Contract) -> pl.DataFrame:
    """CSV exports with title lines above the header and notes below the data (ONS, Nomis).

    ``title_fields`` ({column: label}) takes values the table itself does not repeat from the title
    lines: Nomis prints the table's filters as ``"Age        :","Age 0 - 4"`` above the header, so
    ``{age_band: Age}`` adds a column ``age_band`` holding "Age 0 - 4" on every row.
    """
    first_cell = contract.reader_options["header_first_cell"]
    rows = _rows(path)
    for index, row in enumerate(rows):
        if row and row[0].strip() == first_cell:
            header = [h.strip() for h in row]
            while header and not header[-1]:
                header.pop()
            body = [r[: len(header)] for r in rows[index + 1:]]
            # Notes below the data have text only in the first cell.
            body = [r for r in body if sum(1 for c in r if c.strip()) > 1]
            frame = _frame(header, body, index + 2, path)
            titles = _title_fields(rows[:index], contract.reader_options.get("title_fields", {}), path)
            return frame.with_columns(pl.lit(value, dtype=pl.String).alias(column) for column, value in titles.items())
    raise ReadError(f"{path.name}: no header row starting with {first_cell!r}")


def _title_fields(title_rows: list[list[str]], wanted: dict[str, str], path: Path) -> dict[str, str]:
    """column -> the value of the title line labelled ``wanted[column]`` ("Age :" matches "Age")."""
    labelled = {r[0].strip().rstrip(":").strip(): r[1].strip() for r in title_rows if len(r) >= 2 and r[0].strip()}
    missing = [label for label in wanted.values() if label not in labelled]
    if missing:
        raise ReadError(f"{path.name}: no title line labelled {missing} above the header")
    return {column: labelled[label] for column, label in wanted.items()}


def read_statswales_export(path: Path, contract: Contract) -> pl.DataFrame:
    """StatsWales CSV exports: dimension header rows, then area names in column 1 or 2.

    The first data row's area is in column 1 (the all-Wales total); later rows put the LA in
    column 2. The grand total is the last column.
    """
    rows = _rows(path)
    areas, totals, numbers = [], [], []
    for number, row in enumerate(rows, start=1):
        if len(row) < 3 or not any(c.strip() for c in row[2:]):
            continue
        area = row[1].strip() or row[0].strip()
        if not area:
            continue  # a dimension header row
        areas.append(area)
        totals.append(row[-1])
        numbers.append(number)
    if not areas:
        raise ReadError(f"{path.name}: no data rows in the StatsWales export layout")
    return pl.DataFrame(
        {"area": areas, "children_count": totals, "source_file": [path.name] * len(areas), "source_row": numbers},
        schema={"area": pl.String, "children_count": pl.String, "source_file": pl.String, "source_row": pl.Int64},
    )


def numbered_header(header: list[str], contract: Contract) -> list[str]:
    """Repeated header names made unique. ``repeated_headers: number``: every occurrence of a name
    that repeats gets its number (the DfE statistical neighbour files head every proximity column
    'SNP': SNP_1 .. SNP_10). ``repeated_headers: bracket``: the first occurrence keeps its name and
    later ones get " [2]", " [3]" ... (MHCLG RO3 repeats a service label over several blocks)."""
    style = contract.reader_options.get("repeated_headers")
    if style not in ("number", "bracket"):
        return header
    seen: dict[str, int] = {}
    out = []
    for h in header:
        if h and header.count(h) > 1:
            seen[h] = seen.get(h, 0) + 1
            if style == "number":
                h = f"{h}_{seen[h]}"
            elif seen[h] > 1:
                h = f"{h} [{seen[h]}]"
        out.append(h)
    return out


def _is_note(row: list[str]) -> bool:
    """Title rows, notes and section labels have text in one cell at most."""
    return sum(1 for c in row if c.strip()) <= 1


def _sheet_rows(path: Path, contract: Contract) -> tuple[str, list[list[str]]]:
    import fastexcel

    try:
        # From the bytes, so calamine tells XLS, XLSX and ODS apart by content, not by the file's name.
        workbook = fastexcel.read_excel(path.read_bytes())
    except Exception as err:  # calamine raises its own error types for unreadable workbooks
        raise ReadError(f"{path.name}: not a readable spreadsheet ({err})") from err
    wanted = contract.reader_options.get("sheet")
    names = wanted if isinstance(wanted, list) else [wanted]
    sheet = next((n for n in names if n in workbook.sheet_names), None)
    if sheet is None:
        shown = names[0] if len(names) == 1 else names
        raise ReadError(f"{path.name}: no sheet {shown!r}; sheets are {workbook.sheet_names}")
    grid = workbook.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    return sheet, [["" if cell is None else str(cell) for cell in row] for row in grid.iter_rows()]


def _header_starts(rows: list[list[str]], options: dict, path: Path, sheet: str) -> list[int]:
    """0-based indexes of the header row(s): ``header_row``, or every row whose first non-empty
    cell is ``header_first_cell``."""
    index = options.get("header_row")
    if index is not None:
        return [index]
    wanted = options.get("header_first_cell")
    starts = [i for i, row in enumerate(rows) if next((c.strip() for c in row if c.strip()), None) == wanted]
    if not starts:
        raise ReadError(f"{path.name}, sheet {sheet!r}: no header row starting with {wanted!r}")
    return starts


def _excel_table(path: Path, contract: Contract, sheet: str, rows: list[list[str]], index: int, end: int,
                 header: list[str] | None = None) -> pl.DataFrame:
    """The table whose header is ``rows[index]`` (or ``header``, built by the caller) and whose body
    ends before ``rows[end]``."""
    if header is None:
        header = _excel_header(rows, index, contract.reader_options, path, sheet)
    keep = [i for i, h in enumerate(header) if h]
    body = [[row[i] if i < len(row) else "" for i in keep] for row in rows[index + 1:end]]
    body_rows = [(n, r) for n, r in enumerate(body, start=index + 2) if not _is_note(r)]
    return _frame(numbered_header([header[i] for i in keep], contract), [r for _, r in body_rows], 0, path).with_columns(
        pl.Series("source_row", [n for n, _ in body_rows], dtype=pl.Int64)
    )


def read_parquet(path: Path, contract: Contract) -> pl.DataFrame:
    """A parquet table (e.g. the DfE LAIT whole data set): every column as text.

    ``source_row`` is the 1-based position of the row in the file (a parquet file has no header
    line). Numbers become text the way a spreadsheet shows them: a whole-number double (LAIT's
    ``LA Number`` 301.0) as ``"301"``, other numbers in their shortest exact form.
    """
    try:
        frame = pl.read_parquet(path)
    except Exception as err:  # arrow raises its own error types for truncated or foreign files
        raise ReadError(f"{path.name}: not a readable parquet file ({err})") from err
    texts = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype.is_float():
            whole = col.is_finite() & (col == col.round(0)) & (col.abs() < 1e15)
            text = pl.when(whole).then(col.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(col.cast(pl.String))
        else:
            text = col.cast(pl.String)
        texts.append(text.alias(name))
    return frame.select(texts).with_columns(
        pl.lit(path.name).alias("source_file"),
        pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("source_row"),
    )


STATXPLORE_COLUMNS = ("Counting", "Count", "Annotations")


def read_statxplore(path: Path, contract: Contract) -> pl.DataFrame:
    """DWP Stat-Xplore table exports: title lines, a header row, the table, a blank line, notes.

    Stat-Xplore writes a table in one of two layouts:
    - long: a header ``Counting, <row dimension>, <column dimension>, Count, Annotations`` and one
      line per cell;
    - wide: the header holds the column dimension's name and then its values, each followed by a
      ``<value> - Annotations`` column (absent in some re-saved exports); the line below names the
      row dimension, in the column that holds the row labels.
    Wide tables are melted into the long layout, so one contract reads both; the counting measure
    of a wide table comes from its ``Counting: ...`` title line. The header is the first line with
    three or more cells; the table ends at the first blank line. ``source_row`` is the line (CSV
    record) of the table row a cell came from.
    """
    rows = _rows(path)
    filled = [[i for i, c in enumerate(row) if c.strip()] for row in rows]
    head = next((i for i, cells in enumerate(filled) if len(cells) >= 3), None)
    if head is None:
        raise ReadError(f"{path.name}: no Stat-Xplore table (no header line with three or more cells)")
    end = next((i for i in range(head + 1, len(rows)) if not filled[i]), len(rows))
    header = [h.strip() for h in rows[head]]
    while header and not header[-1]:
        header.pop()
    if head + 1 < end and len(filled[head + 1]) == 1:
        return _statxplore_wide(path, rows, head, end, header)
    body = [r[: len(header)] for r in rows[head + 1: end]]
    return _frame(header, body, head + 2, path)


def _statxplore_wide(path: Path, rows: list[list[str]], head: int, end: int, header: list[str]) -> pl.DataFrame:
    label_at = next(i for i, c in enumerate(rows[head + 1]) if c.strip())
    row_dimension = rows[head + 1][label_at].strip()
    column_dimension = next(h for h in header if h)
    values = [
        (i, h, i + 1 if i + 1 < len(header) and header[i + 1].endswith(" - Annotations") else None)
        for i, h in enumerate(header)
        if i > label_at and h and not h.endswith(" - Annotations")
    ]
    counting = next(
        (c.strip()[len("Counting:"):].strip() for row in rows[:head] for c in row if c.strip().startswith("Counting:")),
        None,
    )
    out: dict[str, list] = {k: [] for k in ("Counting", row_dimension, column_dimension, "Count", "Annotations", "source_row")}
    for number, row in enumerate(rows[head + 2: end], start=head + 3):
        if any(c.strip() for c in row[:label_at]):
            raise ReadError(f"{path.name}, row {number}: cells left of the row labels (column {label_at + 1})")
        for i, label, note in values:
            out["Counting"].append(counting)
            out[row_dimension].append(row[label_at] if label_at < len(row) else "")
            out[column_dimension].append(label)
            out["Count"].append(row[i] if i < len(row) else "")
            out["Annotations"].append(row[note] if note is not None and note < len(row) else None)
            out["source_row"].append(number)
    schema = {k: (pl.Int64 if k == "source_row" else pl.String) for k in out}
    return pl.DataFrame(out, schema=schema).with_columns(pl.lit(path.name).alias("source_file"))
def _column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': the column as a spreadsheet shows it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _excel_header(rows: list[list[str]], index: int, options: dict, path: Path, sheet: str) -> list[str]:
    depth = int(options.get("header_rows", 1))
    if depth < 1 or depth > index + 1:
        raise ReadError(f"{path.name}, sheet {sheet!r}: header_rows {depth} does not fit above row {index + 1}")
    lowest = [c.strip() for c in rows[index]]
    header = list(lowest)
    for upper in reversed(rows[index - depth + 1: index]):
        label = ""
        for i, cell in enumerate(upper):
            label = cell.strip() or label
            if header[i] and label:
                header[i] = f"{label} {header[i]}"
    for letter, name in (options.get("header_names") or {}).items():
        at = next((i for i in range(len(header)) if _column_letter(i) == letter), None)
        if at is None or lowest[at]:
            found = "no such column" if at is None else f"header {lowest[at]!r}"
            raise ReadError(f"{path.name}, sheet {sheet!r}: column {letter} should have a blank header to be "
                            f"named {name!r}, but has {found}")
        header[at] = name
    return header


def _clean(text: str) -> str:
    return " ".join(text.split())


def read_excel_grouped_header(path: Path, contract: Contract) -> pl.DataFrame:
    """A wide sheet whose columns are grouped under labels in a row above the header.

    MHCLG revenue outturn (RO3) sheets put a service label ("Children's social care - Children
    Looked After") over the first of its columns and the measure ("Net Current Expenditure (C7 =
    C3 - C6)") in each column of the header row. Each column is named ``"<group> - <measure>"``,
    the form the 2024-25 file itself uses. The group row is the nearest row above the header with a
    cell matching ``group_row_pattern``; rows between it and the header row are joined into the
    measure name (headers split over several rows). Leading columns whose header is a column of the
    contract (E-code, Local authority, Class ...) keep their plain name. Without a group row (the
    2024-25 layout) the header row is used as published. Repeated names: ``repeated_headers``.
    """
    sheet, rows = _sheet_rows(path, contract)
    index = _header_starts(rows, contract.reader_options, path, sheet)[0]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    pattern = re.compile(contract.reader_options["group_row_pattern"])
    group_index = next((i for i in range(index - 1, -1, -1) if any(pattern.search(c) for c in rows[i])), None)
    if group_index is None:
        header = [_clean(c) for c in rows[index]]
    else:
        header = [_clean(" ".join(rows[i][j] for i in range(group_index + 1, index + 1))) for j in range(width)]
        known = header_lookup(contract)
        first = 0
        for j, name in enumerate(header):
            if not name:
                continue
            if header_key(name) not in known:
                break
            first = j + 1
        group = ""
        for j in range(first, width):
            if rows[group_index][j].strip():
                group = _clean(rows[group_index][j])
            if header[j] and group:
                header[j] = f"{group} - {header[j]}"
    return _excel_table(path, contract, sheet, rows, index, len(rows), header)


def _canonical(frame: pl.DataFrame, contract: Contract, path: Path) -> pl.DataFrame:
    """Headers renamed to the contract's canonical names where known (others kept for conform to report)."""
    lookup = header_lookup(contract)
    renames = {h: lookup[header_key(h)] for h in frame.columns if header_key(h) in lookup and h not in SOURCE_COLUMNS}
    targets = list(renames.values())
    if dupes := sorted({t for t in targets if targets.count(t) > 1}):
        raise ReadError(f"{path.name}: several columns of one table map to {dupes}")
    return frame.rename(renames)


def read_excel(path: Path, contract: Contract) -> pl.DataFrame:
    """A sheet of an XLS / XLSX / ODS workbook (calamine), header found by row number or first cell.

    Contract options: ``sheet`` (a name, or the list of names releases used: the first present is
    read), and ``header_row`` (0-based) or ``header_first_cell`` (the text of the header row's first
    non-empty cell). Title rows above and notes below are dropped. ``stacked_tables: true``: every
    row starting with ``header_first_cell`` begins another table (e.g. authorities that no longer
    exist, below the current ones); each table's headers are matched to the contract on their own
    and the tables are stacked under the canonical names. ``repeated_headers`` (``number`` or ``bracket``,
    see ``numbered_header``) makes repeated header names unique. ``header_rows`` (default 1): the header spans this many rows ending at
    the header row; a label in an upper row (a merged cell such as "numbers" over the years) applies
    to the named columns below it up to the next label, giving "numbers 2006". ``header_names``
    ({column letter: name}) names columns whose header cells are blank (e.g. the LA names of a
    publication table); columns with a blank header are otherwise dropped.
    """
    options = contract.reader_options
    sheet, rows = _sheet_rows(path, contract)
    starts = _header_starts(rows, options, path, sheet)
    if not options.get("stacked_tables"):
        return _excel_table(path, contract, sheet, rows, starts[0], len(rows))
    ends = [*starts[1:], len(rows)]
    tables = [_canonical(_excel_table(path, contract, sheet, rows, i, end), contract, path) for i, end in zip(starts, ends)]
    return pl.concat(tables, how="diagonal")


def read_csv_or_excel(path: Path, contract: Contract) -> pl.DataFrame:
    """A table published both as CSV and as a spreadsheet with the same columns.

    Spreadsheets (recognised by their bytes) go through ``read_excel``. CSV: header on the first
    line; as in a spreadsheet, note and section rows (text in one cell at most) are dropped, and so
    are unnamed columns, which must be empty.
    """
    if sniff_format(path) in SPREADSHEETS:
        return read_excel(path, contract)
    rows = _rows(path)
    if not rows:
        raise ReadError(f"{path.name}: no header row")
    header = [h.strip() for h in rows[0]]
    keep = [i for i, h in enumerate(header) if h]
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if not _is_note(r)]
    for n, row in body:
        if len(row) != len(header):
            raise ReadError(f"{path.name}, row {n}: {len(row)} fields where the header has {len(header)}")
        if any(row[i].strip() for i in range(len(header)) if i not in keep):
            raise ReadError(f"{path.name}, row {n}: a value in a column without a header")
    frame = _frame(numbered_header([header[i] for i in keep], contract), [[r[i] for i in keep] for _, r in body], 0, path)
    return frame.with_columns(pl.Series("source_row", [n for n, _ in body], dtype=pl.Int64))


READERS = {
    "excel": read_excel,
    "excel_grouped_header": read_excel_grouped_header,
    "csv_or_excel": read_csv_or_excel,
    "csv": read_csv,
    "csv_with_title_rows": read_csv_with_title_rows,
    "parquet": read_parquet,
    "statswales_export": read_statswales_export,
    "statxplore": read_statxplore,
}


# What a file really is, from its first bytes (never from its name): the formats sniff_format tells
# apart, as a message names them.
FORMAT_NAMES = {
    "text": "CSV (text)", "xlsx": "an XLSX workbook", "ods": "an ODS spreadsheet", "xls": "an XLS (BIFF) workbook",
    "parquet": "a Parquet file", "zip": "a ZIP archive", "gzip": "a gzip-compressed file", "pdf": "a PDF document",
    "html": "an HTML page", "binary": "binary data (NUL bytes)", "empty": "empty (no data at all)",
}
SPREADSHEETS = frozenset({"xlsx", "ods", "xls"})
TEXT_READERS = ("csv", "csv_with_title_rows", "statswales_export", "statxplore")
# The formats each reader accepts; anything else is refused before parsing, saying what the file is.
READER_FORMATS = {
    **{reader: frozenset({"text"}) for reader in TEXT_READERS},
    "excel": SPREADSHEETS,
    "excel_grouped_header": SPREADSHEETS,
    "csv_or_excel": SPREADSHEETS | {"text"},
    "parquet": frozenset({"parquet"}),
}
SNIFF_BYTES = 8192


def sniff_format(path: Path) -> str:
    """The format a file's bytes say it is (a key of ``FORMAT_NAMES``), whatever its name says.

    A server error page saved under a .csv name, a zip where its member was expected, or an XLS
    renamed .xlsx would otherwise fail deep inside a parser with a message about fields or cells.
    """
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                mimetype = zf.read("mimetype") if "mimetype" in names else b""
        except zipfile.BadZipFile:
            return "zip"
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            return "ods"
        return "xlsx" if "[Content_Types].xml" in names else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if re.match(rb"\s*<(!doctype html|html|\?xml|head|body)", head.lstrip(b"\xef\xbb\xbf"), re.IGNORECASE):
        return "html"
    if b"\x00" in head:
        return "binary"
    return "text"


def read_published(path: Path, contract: Contract) -> pl.DataFrame:
    try:
        reader = READERS[contract.reader]
    except KeyError:
        raise ReadError(f"contract {contract.name}: unknown reader {contract.reader!r}") from None
    found, accepted = sniff_format(path), READER_FORMATS[contract.reader]
    if found not in accepted:
        expected = " or ".join(sorted(FORMAT_NAMES[f].removeprefix("an ").removeprefix("a ") for f in accepted))
        raise ReadError(f"{path.name}: expected {expected} but the file is {FORMAT_NAMES[found]}")
    return reader(path, contract)
