"""Synthetic MHCLG revenue outturn workbooks (ODS): RO3 in its two current layouts, and RSX.

RO3 is written for every demo-mode entry of the ``mhclg_ro3`` family at the catalog's mirror path:

- 2023-24 layout (sheet ``RO3_LA_Data_2023-24``): six title and note rows, four hidden reference
  rows (item codes such as ``RO3-cscsr-empl``, ``C1R10``, ``Row_no``, ``Col_no``), a row of
  service labels over the first column of each block, then the header row ("Employees\\n (C1)" ...).
- 2024-25 layout (sheet ``RO3_LA_Data_202425``): six note rows, then one header row whose cells
  read "<service> - <measure>".

Both hold one row per reporting body sorted by name (upper-tier authorities, some districts and
police / fire bodies with nothing on children's social care), bodies whose return was not received
(every cell ``[x]``, Notes ``M``), an ENGLAND row, and a second table of class totals with its own
header row. Unitary authorities are named with a " UA" tag and "&" as RO does. E-codes are
invented (``E`` + the DfE 3-digit code + a digit). Only a subset of the services is written (the
children's social care blocks used by the pipeline and adult social care's total); £ thousand.
Spend is the Section 251 demo's latent spend of the same authority and year, so the two sources
agree roughly, as they do in reality.

RSX (service expenditure summary, family ``mhclg_rsx``, 2022-23 to 2024-25) has the same four
sheets, bodies, ``[x]`` / ``M`` returns not received (the same authorities as RO3 in a year both
cover), ENGLAND row and class-total table, with fourteen services of seven measures each:

- 2022-23 and 2023-24 (sheets ``RSX_LA_Data_2022-23`` / ``-2023-24``): six title and note rows, four
  hidden reference rows (``RSX-csc-empl``, ``C1R330``, ``Row_no``, ``Col_no``), then one header row of
  "<service> - <measure>\n (C1)" cells with the publisher's uneven spacing ("Education services-
  Running Expenses", "Children Social Care -  Employees"); names plain in 2022-23, tagged (" UA")
  from 2023-24;
- 2024-25 (``RSX_LA_Data_202425``): six note rows, a one-line header "<service> - <measure> (C1)",
  and the reference row of item codes hidden below the class totals.

Children's social care (and adult social care) are RO3's totals of the same authority and year,
as in the real files; the other services are invented around them.
"""

from __future__ import annotations

import datetime as dt

from csc_pipeline.catalog import load_catalog
from csc_pipeline.demo.formats import DemoFiles, ods_bytes
from csc_pipeline.demo.model import Model
from csc_pipeline.demo.numbers import random_stream
from csc_pipeline.demo.spending import childrens_services_spend

FAMILY = "mhclg_ro3"
MEASURES = ("Employees", "Running Expenses", "Total Expenditure", "Sales, Fees and Charges", "Other Income",
            "Total Income", "Net Current Expenditure")
CODES = ("C1", "C2", "C3 = C1 + C2", "C4", "C5", "C6 = C4 + C5", "C7 = C3 - C6")
ITEM_CODES = ("empl", "run-exp", "tot-exp", "sfc", "oth-inc", "tot-inc", "net-cur-exp")
# (service label by layout year, RO3 row number, item code stem, share key)
SERVICES = (
    ({2024: "Children's social care: Sure start children's centres and early years",
      2025: "Children's social care: Sure start children's centres and early years"}, 10, "cscsr", "sure_start"),
    ({2024: "Children's social care - Children Looked After [note 3]",
      2025: "Children's social care - Children Looked After"}, 13, "csccla", "cla"),
    ({2024: "Children's social care - Other children's and families services",
      2025: "Children's social care - Other children's and families services"}, 26, "cscocf", "other"),
    ({2024: "Children's social care - Family Support Services",
      2025: "Children's social care - Family Support Services"}, 27, "cscfss", "fs"),
    ({2024: "TOTAL CHILDREN SOCIAL CARE", 2025: "TOTAL CHILDREN SOCIAL CARE"}, 57, "csctot", "total"),
    ({2024: "TOTAL ADULT SOCIAL CARE  [note 2]", 2025: "TOTAL ADULT SOCIAL CARE [note 2]"}, 100, "asctot", "adult"),
)
CLASS_OF = {"london_borough": "LB", "metropolitan_district": "MD", "unitary_authority": "UA", "shire_county": "SC"}
OTHER_BODIES = (
    ("E3831", "E07000223", "Adur", "SD", "SD"), ("E2231", "E07000105", "Ashford", "SD", "SD"),
    ("E1743", "E07000094", "Winchester", "SD", "SD"), ("E6101", "E31000001", "Avon Fire Authority", "O", "Fire"),
    ("E7001", "E23000001", "Avon and Somerset Police and Crime Commissioner", "O", "Police"),
)
CLASS_TOTALS = (("E06", "Unitary Authorities", "UA"), ("E07", "Shire Districts", "SD"),
                ("E08", "Metropolitan Districts", "MD"), ("E09", "London Boroughs", "LB"), ("E10", "Shire Counties", "SC"))
MISSING_RETURNS = 2  # authorities a year whose return was not received


RSX_FAMILY = "mhclg_rsx"
FAMILIES = (FAMILY, RSX_FAMILY)
# (service as printed, item code stem, RSX row number)
RSX_SERVICES = (
    ("Education services", "edu", 190), ("Highways and transport services", "trans", 290),
    ("Children Social Care", "csc", 330), ("Adult Social Care", "asc", 360), ("Public Health", "phs", 390),
    ("Housing services (GFRA only)", "hous", 490), ("Cultural and related services", "cul", 509),
    ("Environmental and regulatory services", "env", 590), ("Planning and development services", "plan", 599),
    ("Police services", "pol", 601), ("Fire and rescue services", "frs", 602), ("Central services", "cen", 690),
    ("Other services", "oth", 698), ("Total Service Expenditure", "totsx", 699),
)
# Separators after the service name up to 2023-24 (first measure, the others) where they are uneven.
RSX_SEPARATORS = {"edu": (" - ", "- "), "trans": (" - ", " -  "), "csc": (" -  ", " -  ")}
# Other services' gross spend relative to children's social care (upper-tier authorities), a range.
RSX_SHARES = {"edu": (2.5, 3.5), "trans": (0.2, 0.5), "phs": (0.15, 0.3), "hous": (0.05, 0.15), "cul": (0.05, 0.12),
              "env": (0.2, 0.4), "plan": (0.05, 0.12), "cen": (0.1, 0.25), "oth": (0.0, 0.03)}
DISTRICT_SPEND = {"SD": ("trans", "hous", "cul", "env", "plan", "cen"), "Police": ("pol",), "Fire": ("frs",)}


def write(model: Model, files: DemoFiles) -> None:
    _write_ro3(model, files)
    _write_rsx(model, files)


def _write_ro3(model: Model, files: DemoFiles) -> None:
    for entry in load_catalog().family(FAMILY, "demo"):
        year = int(entry.period)
        sheets = _workbook(model, model.seed, year)
        files.write(entry.mirror_path, ods_bytes(sheets, title=f"Revenue outturn RO3 {year - 1}-{year % 100:02d}"))


def _write_rsx(model: Model, files: DemoFiles) -> None:
    for entry in load_catalog().family(RSX_FAMILY, "demo"):
        year = int(entry.period)
        sheets = _rsx_workbook(model, model.seed, year)
        files.write(entry.mirror_path, ods_bytes(sheets, title=f"Revenue outturn RSX {year - 1}-{year % 100:02d}"))


def _name(period, tagged: bool = True) -> str:
    name = period.la_name.replace(" and ", " & ") if period.la_type == "london_borough" else period.la_name
    return f"{name} UA" if tagged and period.la_type == "unitary_authority" else name


def _blocks(model, seed: int, aid: str, year: int) -> dict[str, list[int]]:
    """Seven measures (£ thousand) per service of one authority, consistent with the S251 demo."""

    spend = childrens_services_spend(model, aid, year)
    r = random_stream(seed, "ro3", aid, year)
    gross = {
        "sure_start": spend["other"] * r.uniform(0.15, 0.25),
        "cla": spend["cla"] * r.uniform(0.97, 1.05),
        "other": spend["other"] * r.uniform(0.05, 0.1),
        "fs": spend["fs"] * r.uniform(0.95, 1.05),
    }
    blocks: dict[str, list[int]] = {}
    for key, value in gross.items():
        blocks[key] = _measures(round(value / 1000), r.uniform(0.2, 0.45), r.uniform(0.0, 0.03), r.uniform(0.02, 0.08))
    blocks["total"] = [sum(blocks[k][i] for k in gross) for i in range(7)]
    blocks["adult"] = _measures(round(blocks["total"][2] * r.uniform(1.3, 2.0)), 0.3, 0.1, 0.15)
    return blocks


def _identity_header(year: int) -> list[str]:
    return ["E-code", "ONS Code", "Local authority", "Notes", "Class", "Detailed Class",
            "Certified" if year <= 2024 else "Certification"]


def _table(model, seed: int, year: int, width: int, values_of, other_values_of, tagged: bool = True):
    """The rows shared by RO3 and RSX: one per reporting body sorted by name (returns not received:
    ``[x]`` and Notes ``M``), the ENGLAND row and the class totals' rows. ``values_of(aid)`` gives an
    authority's ``width`` values, ``other_values_of(body)`` those of one of OTHER_BODIES.
    Returns (body rows, ENGLAND row, class total rows, names in body order)."""
    day = dt.date(year, 3, 31)
    las = [(aid, model.period_at(aid, day)) for aid in model.english]
    las = [(aid, p) for aid, p in las if p is not None]
    r = random_stream(seed, "ro3-missing", year)  # one RO return: RO3 and RSX miss the same authorities
    missing = set(r.sample([aid for aid, _ in las], MISSING_RETURNS))
    body: list[tuple[str, list[object]]] = []
    sums = {cls: [0] * width for _, _, cls in CLASS_TOTALS}
    for aid, p in las:
        cls = CLASS_OF[p.la_type]
        ident = [f"E{p.la_code_3}{int(p.la_code[-1]) % 10}", p.la_code, _name(p, tagged)]
        if aid in missing:
            body.append((ident[2], ident + ["M", cls, cls, "[x]"] + ["[x]"] * width))
            continue
        values = values_of(aid)
        sums[cls] = [a + b for a, b in zip(sums[cls], values)]
        body.append((ident[2], ident + ["", cls, cls, "Y"] + values))
    for other in OTHER_BODIES:
        ecode, code, name, cls, detailed = other
        body.append((name, [ecode, code, name, "", cls, detailed, "Y"] + other_values_of(other)))
    body.sort(key=lambda item: item[0])
    england = ["Eng", "E92000001", "ENGLAND", "", "Eng", "Eng", "[Y]"] + [sum(col) for col in zip(*sums.values())]
    totals = [["[Y]", code, name, "", cls, cls, sum(1 for _, p in las if CLASS_OF[p.la_type] == cls)] + sums[cls]
              for code, name, cls in CLASS_TOTALS]
    return [line for _, line in body], england, totals, [name for name, _ in body]


def _side_sheets(form: str, label: str, names: list[str]) -> list[tuple[str, list[list[object]]]]:
    front = [[f"Revenue Outturn (RO) {label}: {form} - SYNTHETIC DEMO DATA, not official statistics"]]
    notes_sheet = [["Notes"], ["Note number", "Note text"], ["[x]", "Data not received in time for publication"],
                   ["M", "RO return not received in time for publication."]]
    dropdown = [["Select a local authority"], *[[name] for name in names]]
    return [("Front_Page", front), ("Notes", notes_sheet), ("LA_drop-down", dropdown)]


def _workbook(model, seed: int, year: int) -> list[tuple[str, list[list[object]]]]:
    label = f"{year - 1}-{year % 100:02d}"
    identity_header = _identity_header(year)
    body, england, totals, names = _table(
        model, seed, year, 7 * len(SERVICES),
        lambda aid: [v for _, _, _, key in SERVICES for v in _blocks(model, seed, aid, year)[key]],
        lambda other: [0] * (7 * len(SERVICES)),
    )

    if year <= 2024:
        service_header = []
        for labels, *_ in SERVICES:
            service_header += [labels[2024]] + [None] * 6
        measure_header = [f"{m}\n ({c})" for _ in SERVICES for m, c in zip(MEASURES, CODES)]
        reference = [
            [None] * 7 + [f"RO3-{stem}-{item}" for _, _, stem, _ in SERVICES for item in ITEM_CODES],
            [None] * 7 + [f"C{i + 1}R{row}" for _, row, _, _ in SERVICES for i in range(7)],
            [None] * 5 + ["Row_no", None] + [row for _, row, _, _ in SERVICES for _ in range(7)],
            [None] * 5 + ["Col_no", None] + [i + 1 for _ in SERVICES for i in range(7)],
            [None] * 7 + service_header,
        ]
        header = identity_header + measure_header
        notes = [
            [f"Worksheet 2: Revenue Outturn (RO) {label}: Social Care and Public Health (RO3) data"],
            ["This worksheet contains 2 tables. Some cells refer to notes which can be found on the notes worksheet. "
             "Data are reported in £ thousand. SYNTHETIC DEMO DATA generated by csc-pipeline: not official statistics."],
            ['Produced on a non-IAS19 and PFI "Off Balance Sheet" basis unless stated otherwise.'],
            [f"Source: synthetic stand-in for the Revenue account Outturn (RO) returns {label} - RO3 data"],
            ["Last updated: synthetic"],
            ["Rows 7-10 are hidden. These rows contain reference data required for this table to populate. "],
        ]
        top = notes + reference + [header]
    else:
        header = identity_header + [f"{labels[2025]} - {m} ({c})" for labels, *_ in SERVICES for m, c in zip(MEASURES, CODES)]
        top = [
            [f"Worksheet 2: Revenue Outturn (RO) {label}: Social Care and Public Health (RO3) data"],
            ["This worksheet contains two tables. Data are reported in £ thousand."],
            ["This table contains notes, which can be found in the Notes worksheet."],
            ["Blank cells indicate that there is no note in that row."],
            ["SYNTHETIC DEMO DATA generated by csc-pipeline: not official statistics."],
            [f"Source: synthetic stand-in for the Revenue account Outturn (RO) returns {label} - RO3 data"],
            header,
        ]
    rows = top + body + [england]
    rows.append(identity_header[:2] + ["Class Breakdown [o]" if year <= 2024 else "Local authority"] + identity_header[3:]
                + header[7:])
    rows += totals
    sheet = f"RO3_LA_Data_{label}" if year <= 2024 else f"RO3_LA_Data_{year - 1}{year % 100:02d}"
    return _side_sheets("RO3", label, names) + [(sheet, rows)]


def _rsx_values(model, seed: int, aid: str, year: int) -> list[int]:
    """Seven measures (£ thousand) per RSX service of one authority: social care as RO3's totals."""
    ro3 = _blocks(model, seed, aid, year)
    r = random_stream(seed, "rsx", aid, year)
    blocks = {"csc": ro3["total"], "asc": ro3["adult"]}
    for stem, (low, high) in RSX_SHARES.items():
        blocks[stem] = _random_measures(round(ro3["total"][2] * r.uniform(low, high)), r)
    blocks["pol"] = blocks["frs"] = [0] * 7
    return _with_total(blocks)


def _rsx_other_values(seed: int, body: tuple, year: int) -> list[int]:
    """A district, police or fire body: spend on its own services only."""
    ecode, _, _, _, detailed = body
    r = random_stream(seed, "rsx", ecode, year)
    stems = DISTRICT_SPEND[detailed]
    blocks = {stem: _random_measures(round(r.uniform(500, 8000)), r) if stem in stems else [0] * 7
              for _, stem, _ in RSX_SERVICES[:-1]}
    return _with_total(blocks)


def _measures(total: int, employees_share: float, sales_share: float, other_income_share: float) -> list[int]:
    """The seven measures (MEASURES) of a service's gross expenditure ``total`` split by the shares given."""
    employees = round(total * employees_share)
    sales, other_income = round(total * sales_share), round(total * other_income_share)
    return [employees, total - employees, total, sales, other_income, sales + other_income, total - sales - other_income]


def _random_measures(total: int, r) -> list[int]:
    return _measures(total, r.uniform(0.2, 0.5), r.uniform(0.02, 0.2), r.uniform(0.0, 0.1))


def _with_total(blocks: dict[str, list[int]]) -> list[int]:
    services = [stem for _, stem, _ in RSX_SERVICES[:-1]]
    blocks["totsx"] = [sum(blocks[stem][i] for stem in services) for i in range(7)]
    return [v for _, stem, _ in RSX_SERVICES for v in blocks[stem]]


def _rsx_header(year: int) -> list[str]:
    if year >= 2025:
        return [f"{service} - {m} ({c})" for service, _, _ in RSX_SERVICES for m, c in zip(MEASURES, CODES)]
    header = []
    for service, stem, _ in RSX_SERVICES:
        first, rest = RSX_SEPARATORS.get(stem, (" - ", " - "))
        header += [f"{service}{first if i == 0 else rest}{m}\n ({c})" for i, (m, c) in enumerate(zip(MEASURES, CODES))]
    return header


def _rsx_workbook(model, seed: int, year: int) -> list[tuple[str, list[list[object]]]]:
    label = f"{year - 1}-{year % 100:02d}"
    identity_header = _identity_header(year)
    width = 7 * len(RSX_SERVICES)
    body, england, totals, names = _table(
        model, seed, year, width, lambda aid: _rsx_values(model, seed, aid, year),
        lambda other: _rsx_other_values(seed, other, year), tagged=year >= 2024,
    )
    header = identity_header + _rsx_header(year)
    item_codes = [None] * 7 + [f"RSX-{stem}-{item}" for _, stem, _ in RSX_SERVICES for item in ITEM_CODES]
    source = f"Source: synthetic stand-in for the Revenue account Outturn (RO) returns {label} - RSX data"
    title = f"Worksheet 2: Revenue Outturn (RO) {label}: Service Expenditure Summary (RSX) data"
    if year <= 2024:
        top = [
            [title],
            ["This worksheet contains 2 tables. Some cells refer to notes which can be found on the notes worksheet. "
             "Data is reported in £ thousand. SYNTHETIC DEMO DATA generated by csc-pipeline: not official statistics."],
            ['Produced on a non-IAS19 and PFI "Off Balance Sheet" basis unless stated otherwise.'],
            [source],
            ["Last updated: synthetic"],
            ["Rows 7-10 are hidden. These rows contain reference data required for this table to populate. "],
            item_codes,
            [None] * 7 + [f"C{i + 1}R{row}" for _, _, row in RSX_SERVICES for i in range(7)],
            [None] * 5 + ["Row_no", None] + [row for _, _, row in RSX_SERVICES for _ in range(7)],
            [None] * 5 + ["Col_no", None] + [i + 1 for _ in RSX_SERVICES for i in range(7)],
            header,
        ]
    else:
        top = [
            [title],
            ["This worksheet contains two tables. Data are reported in £ thousand."],
            ["This table contains notes, which can be found in the Notes worksheet."],
            ["Blank cells indicate that there is no note in that row."],
            ["SYNTHETIC DEMO DATA generated by csc-pipeline: not official statistics. The last row is hidden: "
             "reference data for the local authority dropdown."],
            [source],
            header,
        ]
    rows = top + body + [england]
    rows.append(identity_header[:2] + ["Class Breakdown [o]" if year <= 2024 else "Local authority"] + header[3:])
    rows += totals
    if year >= 2025:
        rows.append(item_codes)
    sheet = f"RSX_LA_Data_{label}" if year <= 2024 else f"RSX_LA_Data_{year - 1}{year % 100:02d}"
    return _side_sheets("RSX", label, names) + [(sheet, rows)]
