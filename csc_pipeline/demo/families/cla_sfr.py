"""Demo files for the DfE SFR "underlying data" CSVs of children looked after (2010-2017).

Written in the real layout (studied, not copied): ASCII, CRLF, no BOM, one wide row per area with
the year inside the column names; England, then the regions, then the LAs in 3-digit-code order.

- 2010 (SFR27/2010): ``geog_l,geog_c,geog_n`` with ``National,921,England``, nine ``GOR`` rows
  lettered A B D E F G H J K (London is H), LA names in mixed case; measures ``MarTotal_2010`` (+
  ``Mid2009Pop0-17``, the mid-2009 child population rounded to 100, or to 10 below 1,000),
  ``StartTotal_2010``, ``CeasedTotal_2010``, then breakdowns suffixed ``_2010``; England rounded to
  100, regions to 10.
- 2011-2017: ``New_geog_code`` first (2017: ``LA_order`` before it), ``NATIONAL,999,ENGLAND`` and
  eleven ``REGION`` rows A-K in capitals (London G, Inner London H and Outer London I all carry
  E12000007), national and regional counts rounded to 10. Measures ``CLA_Mar<year>``,
  ``CLA_started<year>`` (SFR34/2015 mislabels it ``CLA_started2014``), ``CLA_cease`` without a
  year (2017: ``CLA_cease2017``). The Isles of Scilly are left out in 2011-2016 and appear last
  with a blank level in the 2017 CLA file.
- LA counts are exact; City of London / Isles of Scilly counts of 1-5 and breakdown cells of 1-5
  are ``x``.

Which files to write comes from the catalog (every demo-mode entry of family ``cla_sfr_underlying``;
the id ends in ``_31mar``, ``_started`` or ``_ceased``).
"""

from __future__ import annotations

from csc_pipeline.catalog import load_catalog
from csc_pipeline.demo.formats import DemoFiles, csv_text
from csc_pipeline.demo.model import TINY_AUTHORITY_CODES, Model, march_31
from csc_pipeline.demo.numbers import apportion, round_to

FAMILY = "cla_sfr_underlying"
FAMILIES = (FAMILY,)
REGIONS_2010 = (  # (letter, region code, name as printed)
    ("A", "E12000001", "North East "), ("B", "E12000002", "North West"), ("D", "E12000003", "Yorkshire and The Humber"),
    ("E", "E12000004", "East Midlands"), ("F", "E12000005", "West Midlands"), ("G", "E12000006", "East of England "),
    ("H", "E12000007", "London "), ("J", "E12000008", "South East"), ("K", "E12000009", "South West"),
)
REGIONS = (  # 2011-2017: (letter, code printed, name, members' region or London subregion)
    ("A", "E12000001", "NORTH EAST", "E12000001"), ("B", "E12000002", "NORTH WEST", "E12000002"),
    ("C", "E12000003", "YORKSHIRE AND THE HUMBER", "E12000003"), ("D", "E12000004", "EAST MIDLANDS", "E12000004"),
    ("E", "E12000005", "WEST MIDLANDS", "E12000005"), ("F", "E12000006", "EAST OF ENGLAND", "E12000006"),
    ("G", "E12000007", "LONDON", "E12000007"), ("H", "E12000007", "INNER LONDON", "Inner London"),
    ("I", "E12000007", "OUTER LONDON", "Outer London"), ("J", "E12000008", "SOUTH EAST", "E12000008"),
    ("K", "E12000009", "SOUTH WEST", "E12000009"),
)
# Breakdown columns (not ingested, written for a faithful layout) and their rough shares.
BREAKDOWNS = {
    ("31mar", True): (("MarPlace_Q1_2010", 0.05), ("MarPlace_P1_2010", 0.08), ("MarPlace_R3_2010", 0.12), ("MarPlace_U1_2010", 0.75)),
    ("started", True): (("StartPlace_Q1_2010", 0.10), ("StartPlace_Q2_2010", 0.65), ("StartPlace_P1_2010", 0.25)),
    ("ceased", True): (("CeasedAdoptUnop_2010", 0.07), ("CeasedHome_2010", 0.40), ("CeasedOther_2010", 0.53)),
    ("31mar", False): (("CLA_male", 0.55), ("CLA_female", 0.45)),
    ("started", False): (("SCLA_male", 0.52), ("SCLA_female", 0.48)),
    ("ceased", False): (("CLA_ceamal", 0.53), ("CLA_ceafe", 0.47)),
}
MODEL_MEASURE = {"31mar": "cla", "started": "started", "ceased": "ceased"}


def _measure_header(kind: str, year: int) -> str:
    if year == 2010:
        return {"31mar": "MarTotal_2010", "started": "StartTotal_2010", "ceased": "CeasedTotal_2010"}[kind]
    if kind == "31mar":
        return f"CLA_Mar{year}"
    if kind == "started":
        return "CLA_started2014" if year == 2015 else f"CLA_started{year}"  # the real 2015 mislabel
    return "CLA_cease2017" if year == 2017 else "CLA_cease"


def _breakdowns(kind: str, year: int) -> tuple[tuple[str, float], ...]:
    columns = BREAKDOWNS[(kind, year == 2010)]
    if kind == "ceased" and year == 2017:
        columns = tuple((name.replace("CLA_cea", "CEA_").replace("mal", "male").replace("fe", "female"), share)
                        for name, share in columns)
    return columns


def _cells(total: int, shares: tuple[tuple[str, float], ...], suppress: bool) -> list[object]:
    parts = apportion(total, [share for _, share in shares])
    return ["x" if suppress and 0 < v < 6 else v for v in parts]


def write(model: Model, files: DemoFiles) -> None:
    """Write every demo-mode SFR underlying-data file of the catalog from the latent model."""
    for entry in load_catalog().family(FAMILY, "demo"):
        kind = entry.id.rsplit("_", 1)[1]
        rows = _file_rows(model, kind, entry.period)
        files.write(entry.mirror_path, csv_text(rows, lineterminator="\r\n").encode("ascii"))


def _file_rows(m, kind: str, year: int) -> list[list[object]]:
    day = march_31(year)
    live = sorted(
        ((aid, m.period_at(aid, day)) for aid in m.english if m.exists(aid, year)),
        key=lambda ap: ap[1].la_code_3,
    )
    counts = {aid: m.count(aid, year, MODEL_MEASURE[kind]) for aid, _ in live}
    pops = {aid: m.pop(aid, year - 1) for aid, _ in live}
    shares = _breakdowns(kind, year)
    old = year == 2010
    with_pop = kind == "31mar" and old

    def line(ident: list[object], total: int, pop: int | None, tiny: bool = False, area_total: bool = False) -> list[object]:
        shown: object = "x" if tiny and 0 < total < 6 else total
        parts = _cells(total, shares, suppress=not area_total)
        if area_total:  # England and regions: breakdowns rounded to 10 like the totals
            parts = [round_to(v, 10) for v in parts]
        return ident + [shown] + ([pop] if with_pop else []) + parts

    header = (["geog_l", "geog_c", "geog_n"] if old else ["New_geog_code", "geog_l", "geog_c", "geog_n"])
    header += [_measure_header(kind, year)] + (["Mid2009Pop0-17"] if with_pop else []) + [n for n, _ in shares]
    if year >= 2017:
        header = ["LA_order"] + header
    rows: list[list[object]] = [header]

    def rounded_pop(value: int) -> int:
        return round_to(value, 100 if value >= 1000 else 10)

    england = sum(counts.values())
    groups = []
    if old:
        groups.append((["National", "921", "England"], round_to(england, 100 if england > 1000 else 10),
                       rounded_pop(sum(pops.values()))))
        for letter, code, name in REGIONS_2010:
            members = [a for a, p in live if p.region_code == code]
            groups.append((["GOR", letter, name], round_to(sum(counts[a] for a in members), 10),
                           rounded_pop(sum(pops[a] for a in members))))
    else:
        groups.append((["E92000001", "NATIONAL", "999", "ENGLAND"], round_to(england, 10), None))
        for letter, code, name, member_of in REGIONS:
            members = [a for a, p in live if member_of in (p.region_code, p.london_subregion)]
            groups.append(([code, "REGION", letter, name], round_to(sum(counts[a] for a in members), 10), None))
    for ident, total, pop in groups:
        rows.append(line(ident, total, pop, area_total=True))

    scilly = None
    for aid, p in live:
        ident = ["LA", p.la_code_3, p.la_name] if old else [p.la_code, "LA", p.la_code_3, p.la_name]
        row = line(ident, counts[aid], rounded_pop(pops[aid]), tiny=p.la_code in TINY_AUTHORITY_CODES)
        if p.la_code == "E06000053" and not old:
            if kind == "31mar" and year == 2017:
                scilly = [p.la_code, "", p.la_code_3, p.la_name] + row[4:]
            continue  # left out of the LA list from 2011
        rows.append(row)
    if scilly is not None:
        rows.append(scilly)
    if year >= 2017:
        rows = [rows[0]] + [[n] + r for n, r in zip(_display_order(rows[1:], live), rows[1:])]
    return rows


def _display_order(rows: list[list[object]], live: list) -> list[int]:
    """LA_order (2017): each row's position in the publication tables' order: England, then each
    region followed by its LAs by name (London boroughs under Inner or Outer London)."""
    group_of = {p.la_code: p.london_subregion.upper() if p.london_subregion else p.region_code for _, p in live}
    by_name = sorted((ap for ap in live if ap[1].la_code != "E06000053"), key=lambda ap: ap[1].la_name)
    display = ["ENGLAND"]
    for _, code, name, _ in REGIONS:
        display.append(name)
        key = name if name in ("INNER LONDON", "OUTER LONDON") else code
        display += [p.la_code for _, p in by_name if group_of[p.la_code] == key]
    position = {key: n for n, key in enumerate(display, start=1)}
    last = len(display) + 1  # the Isles of Scilly, listed after everything else
    return [position.get(r[0] if r[1] in ("LA", "") else r[3], last) for r in rows]
