"""Demo files of the family ``statswales_cla_31mar``: StatsWales exports of children looked after
on 31 March by local authority, gender and age, one CSV per year 2010-2025.

Format notes (as in the real files): ASCII, CRLF, 4 dimension header rows, no codes, names with a
trailing space, first LA row repeats "All Welsh local authorities " in column 1; counts rounded to
5, '*' where the rounded value is 0; up to 2017 every text cell is quoted and two blank lines follow
the data, from 2018 nothing is quoted and no blank lines follow.
"""

from __future__ import annotations

from csc_pipeline.demo.formats import DemoFiles
from csc_pipeline.demo.model import WALES_CLA_YEARS, Model
from csc_pipeline.demo.numbers import round_to

FAMILIES = ("statswales_cla_31mar",)
STATSWALES_PATH = "statswales/cla_31mar_by_la_gender_age/CLA_31MAR_{year}.csv"
STATSWALES_AGES = ("Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 to 17 years", "18 and over")


def write(model: Model, files: DemoFiles) -> None:
    m = model
    welsh = m.welsh_order()
    for year in WALES_CLA_YEARS:
        quoted = year <= 2017  # the exports up to 2017 quote every text cell; 2018 on do not
        header = _statswales_header()
        body: list[list[object]] = []
        totals = [sum(m.atoms[i].wales_cells[year][k] for a in welsh for i in m.members[a]) for k in range(12)]
        body.append(["All Welsh local authorities ", ""] + _statswales_cells(totals))
        for n, aid in enumerate(welsh):
            cells = [sum(m.atoms[i].wales_cells[year][k] for i in m.members[aid]) for k in range(12)]
            first = "All Welsh local authorities " if n == 0 else ""
            body.append([first, m.periods[aid][-1].la_name + " "] + _statswales_cells(cells))
        lines = [_statswales_line(r, quoted) for r in header + body]
        text = "\r\n".join(lines) + "\r\n"
        if quoted:
            text += "\r\n\r\n"
        files.write(STATSWALES_PATH.format(year=year), text.encode("ascii"))


def _statswales_header() -> list[list[str]]:
    g = "Total boys and girls (1)"
    a = "All Ages (1)"
    ages = [f"{x} (1)" for x in STATSWALES_AGES]
    return [
        ["", "", g] + [""] * 13 + [g],
        ["", "", "Boys (1)"] + ["."] * 6 + ["Girls (1)"] + ["."] * 7,
        ["", "", a] + ["."] * 5 + [a, a] + ["."] * 5 + [a, "."],
        ["", ""] + ages + ["."] + ages + [".", "."],
    ]


def _statswales_cells(cells: list[int]) -> list[object]:
    """12 true gender x age counts -> 6 boys, boys total, 6 girls, girls total, grand total;
    each rounded to 5 independently, '*' where the rounded value is 0."""
    boys, girls = cells[:6], cells[6:]
    values = boys + [sum(boys)] + girls + [sum(girls), sum(cells)]
    out: list[object] = []
    for v in values:
        r = round_to(v, 5)
        out.append(r if r > 0 else "*")
    return out


def _statswales_line(row: list[object], quoted: bool) -> str:
    if not quoted:
        return ",".join(str(c) for c in row)
    return ",".join(str(c) if isinstance(c, int) else f'"{c}"' for c in row)
