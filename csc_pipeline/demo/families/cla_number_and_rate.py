"""Demo files of the family ``cla_number_and_rate``: the EES children looked after number and rate
per 10,000 children, one CSV per release 2021-2025.

Format notes (as in the real files)
-----------------------------------
EES CLA CSVs: UTF-8 *with* BOM, LF, minimal quoting ("Kingston upon Hull, City of"). Rows: years
descending; per year National, 11 Regional (E12 x9 then E13000001/2), then LAs ordered by region
(London boroughs carry region E13000001/E13000002 "Inner/Outer London") and GSS code; measures in
the order ceasing / looked after / starting. 2025 renames population_count -> population_type,
number -> children_count, "at 31 March" -> "on 31 March". Complete grid: an LA absent in a year has
z/z/z (population z up to release 2023, x from 2024). Pure recodes are shown for every year under
the code in force on 31 March of the release year (North Yorkshire E10000023 in 2023, E06000065
from 2024; Barnsley E08000016 in 2025). From release 2023, areas abolished before 2020
(Bournemouth, Poole, Dorset county) have population and rate x. National/regional counts are
rounded to 10, rates from unrounded counts; LA rates are round-half-up integers. City of London /
Isles of Scilly counts 1-5 are c (count and rate).

Releases are vintages: each older release revises about half of the LA-year counts it shares with
the next release by 1-3 children.
"""

from __future__ import annotations

import datetime as dt

from csc_pipeline.demo.formats import DemoFiles, csv_text
from csc_pipeline.demo.model import EES_REGION_ORDER, Model, Period, march_31
from csc_pipeline.demo.numbers import random_stream, rate_per_10k, round_to

FAMILIES = ("cla_number_and_rate",)
CLA_RELEASES = (2021, 2022, 2023, 2024, 2025)
MEASURES = ("ceased", "cla", "started")  # the order rows appear in the EES file
CLA_PATH = "dfe/cla/ees_release_{release}/cla_number_and_rate_per_10k_children.csv"
TINY_POPULATION = 3_000  # City of London, Isles of Scilly


def write(model: Model, files: DemoFiles) -> None:
    counts = release_counts(model)
    for release in CLA_RELEASES:
        files.write(CLA_PATH.format(release=release), _release_file(model, release, counts[release]))


def _cla_release_years(release: int) -> tuple[int, ...]:
    # The real 2021 file starts in 2018; the demo's 2021 release stands in for older releases too.
    return tuple(range(2010, 2022)) if release == 2021 else tuple(range(release - 4, release + 1))


def _measure_labels(release: int) -> dict[str, str]:
    at = "on" if release >= 2025 else "at"
    return {
        "ceased": "Children ceasing to be looked after each year",
        "cla": f"Children looked after {at} 31 March each year",
        "started": "Children starting to be looked after each year",
    }


def _cla_header(release: int) -> list[str]:
    pop_col, num_col = ("population_type", "children_count") if release >= 2025 else ("population_count", "number")
    return [
        "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
        "region_name", "old_la_code", "la_name", "new_la_code", pop_col, "population_estimate", num_col,
        "rate_per_10000",
    ]


def release_counts(model: Model) -> dict[int, dict[tuple[str, int, str], int]]:
    """Counts per release: the latest is the truth; each older one revises ~half the shared cells."""
    m = model
    out: dict[int, dict[tuple[str, int, str], int]] = {}
    later: dict[tuple[str, int, str], int] | None = None
    for release in sorted(CLA_RELEASES, reverse=True):
        cells: dict[tuple[str, int, str], int] = {}
        for aid in m.english:
            for y in _cla_release_years(release):
                if not m.exists(aid, y):
                    continue
                for measure in MEASURES:
                    key = (aid, y, measure)
                    if later is not None and key in later:
                        value = later[key]
                        rng = random_stream(m.seed, "revision", release, aid, y, measure)
                        if value >= 10 and rng.random() < 0.5:
                            value = max(0, value + rng.choice((-1, 1)) * rng.randint(1, 3))
                    else:
                        value = m.count(aid, y, measure)
                    cells[key] = value
        out[release] = cells
        later = cells
    return out


def _release_file(model: Model, release: int, cells: dict[tuple[str, int, str], int]) -> bytes:
    m = model
    years = _cla_release_years(release)
    rebased = release >= 2023
    labels = _measure_labels(release)
    ents = [a for a in m.english if any(m.exists(a, y) for y in years)]
    display: dict[str, Period] = {}
    for aid in ents:
        last_year = max(y for y in years if m.exists(aid, y))
        display[aid] = m.period_at(aid, march_31(last_year))  # EES re-codes pure recodes
    order = {code: i for i, code in enumerate(EES_REGION_ORDER)}
    ents.sort(key=lambda a: (order[display[a].ees_region[0]], display[a].la_code))

    rows: list[list[object]] = [_cla_header(release)]
    for y in sorted(years, reverse=True):
        live = [a for a in ents if m.exists(a, y)]
        pops = {a: m.pop(a, y - 1, rebased) for a in live}
        # National and regional rows: sums of LA cells, counts rounded to 10, rates unrounded.
        groups: list[tuple[str, str, str, list[str]]] = [("National", "", "", live)]
        for code in EES_REGION_ORDER:
            members = [a for a in live if code in m.period_at(a, march_31(y)).ees_regions]
            groups.append(("Regional", code, m.region_names.get(code, ""), members))
        for level, rcode, rname, members in groups:
            pop = sum(pops[a] for a in members)
            for measure in MEASURES:
                total = sum(cells[(a, y, measure)] for a in members)
                rows.append([
                    y, "Reporting year", level, "E92000001", "England", rcode, rname, "", "", "",
                    labels[measure], pop, round_to(total, 10), rate_per_10k(total, pop) if pop else "x",
                ])
        for aid in ents:
            p = display[aid]
            rcode, rname = p.ees_region
            base = [y, "Reporting year", "Local authority", "E92000001", "England", rcode, rname,
                    p.la_code_3, p.la_name, p.la_code]
            exists = aid in pops
            no_pop = rebased and exists and (m.last_valid_to(aid) or dt.date.max) < dt.date(2020, 1, 1)
            for measure in MEASURES:
                if not exists:
                    rows.append(base + [labels[measure], "x" if release >= 2024 else "z", "z", "z"])
                    continue
                n = cells[(aid, y, measure)]
                pop = pops[aid]
                if pop < TINY_POPULATION and 0 < n < 6:
                    number, rate = "c", "c"
                else:
                    number, rate = n, rate_per_10k(n, pop)
                if no_pop:
                    rows.append(base + [labels[measure], "x", number, "x" if number != "c" else "c"])
                else:
                    rows.append(base + [labels[measure], pop, number, rate])
    return csv_text(rows).encode("utf-8-sig")
