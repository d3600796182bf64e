"""Deterministic synthetic demo data, written in the publishers' real file formats.

``generate_demo(out_dir)`` writes a directory laid out exactly like ``shared/data/real`` (same
relative paths), so the pipeline can read it as a mirror. Every number is generated here from a
small latent model; nothing is copied from the official files (their *formats* were studied:
columns, header rows, BOMs, quoting, symbols and row order).

Latent model
------------
- Geography comes from the project's reference tables (``csc_pipeline.geography``). Each area is
  built from "atoms" so that boundary changes add up: a split predecessor is the sum of its
  successors' atoms, a merge successor the sum of its predecessors', and a part transfer (Christchurch
  from Dorset county to BCP) is an atom of its own worth about a fifth of the county. Pure recodes and
  same-area unitarisations keep one ``authority_id`` and therefore one series.
- Child population (0-17) per atom and mid-year 2009..2024; a pre-Census-2021 vintage differs by a
  few per cent for mid-2011..mid-2020 (used by the 2021 and 2022 CLA releases only).
- Children looked after (CLA) on 31 March per atom and year 2010..2025 (England also 2006..2009,
  walked back from 2010 on streams of their own, for the SFR27/2010 tables; the authorities
  abolished in 2009 are the sums of their successors): national path (about 57 per
  10,000 in 2010 stepping up to ~60 from 2011/2012 and ~70 by 2023), regional factors (high in the
  North East / North West, low in outer London and the South East), a latent deprivation factor per
  area, an area trend and AR(1) noise, Poisson counts. Starts and ceased are each ~35-45% of the
  31 March count. Wales follows its own, higher path (~88 -> ~118).
- Year ``Y`` (year ending 31 March) uses the mid-``Y-1`` population as denominator, as EES does.
- Releases are vintages: each older release revises about half of the LA-year counts it shares
  with the next release by 1-3 children.

Same seed => byte-identical files (string-seeded ``random.Random`` streams, fixed zip timestamps).
No Dagster imports here: the generator runs standalone.

Format notes (as in the real files)
-----------------------------------
- EES CLA CSVs: UTF-8 *with* BOM, LF, minimal quoting ("Kingston upon Hull, City of"). Rows: years
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
- ONS population CSV (``ons_mid-year_population_estimates_2012_to_2024.csv``): UTF-8 without BOM,
  LF; columns order old_la_code, new_la_code, la_name; ``time_period`` is the *mid-year* (2009..2024
  here) and is the denominator for CLA year time_period + 1; LAs per region by name; code in force on
  31 March of mid-year + 1; x for areas abolished before 2020.
- StatsWales exports: ASCII, CRLF, 4 dimension header rows, no codes, names with a trailing space,
  first LA row repeats "All Welsh local authorities " in column 1; counts rounded to 5, '*' where the
  rounded value is 0; up to 2017 every text cell is quoted and two blank lines follow the data,
  from 2018 nothing is quoted and no blank lines follow.
- MYE2 CSVs: ASCII, CRLF, a title line and "ALL PERSONS" above the header CODE,NAME,ALL AGES,0..90,
  numbers with thousands separators (quoted when >= 1,000), 15 comma-only lines below the data, no
  final newline; a WALES (W92000004) row then 22 W06 rows in the ONS/StatsWales order.
- Ofsted ODS: six sheets; data sheets have a title row, a description row and the header on row 3;
  dates are date cells; the web link is a HYPERLINK formula cell to a placeholder URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

from csc_pipeline.atomic import write_bytes

DEFAULT_SEED = 20250331

CLA_RELEASES = (2021, 2022, 2023, 2024, 2025)
CLA_YEARS = tuple(range(2010, 2026))  # years ending 31 March
MID_YEARS = tuple(range(2009, 2025))  # ONS mid-year estimates (denominator for year mid+1)
WALES_CLA_YEARS = tuple(range(2010, 2026))
# England only, before CLA_YEARS: the years the SFR27/2010 publication tables add (2006-2009).
HISTORY_YEARS = (2006, 2007, 2008, 2009)
MEASURES = ("ceased", "cla", "started")  # the order rows appear in the EES file

CLA_PATH = "dfe/cla/ees_release_{release}/cla_number_and_rate_per_10k_children.csv"
POP_PATH = "dfe/cin/ees_release_2025/ons_mid-year_population_estimates_2012_to_2024.csv"
OFSTED_PATH = "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
STATSWALES_PATH = "statswales/cla_31mar_by_la_gender_age/CLA_31MAR_{year}.csv"
MYE_PATH = "ons/population_mye/demo_MYE2_mid{year}_persons_single_year_age.csv"
# Mid-years the real mirror has, at their real paths and in their real layouts (the other mid-years
# are synthetic stand-ins in the ONS layout at MYE_PATH).
MYE_REAL_PATHS = {
    2014: "ons/population_mye/ons_MYE2_mid2014_UK_persons_by_LA_single_year_age__StatisticsNZ_demdata.csv",
    2019: "ons/population_mye/humaniverse_demographr__population19_utla19__ONS_MYE2_persons_single_year_age.csv",
    2020: "ons/population_mye/humaniverse_demographr__population20_utla20__ONS_MYE2_persons_single_year_age.csv",
}
MYE_UTLA_YEARS = (2019, 2020)  # the upper-tier re-export layout
MARKER_FILE = "SYNTHETIC_DEMO_DATA.txt"

# National rate path per 10,000 children (England, Wales), year ending 31 March.
ENGLAND_PATH = {
    2010: 57.0, 2011: 59.5, 2012: 60.0, 2013: 60.0, 2014: 60.5, 2015: 61.0, 2016: 62.0,
    2017: 63.5, 2018: 65.0, 2019: 66.0, 2020: 67.0, 2021: 67.5, 2022: 69.0, 2023: 70.0,
    2024: 70.0, 2025: 69.0,
}
WALES_PATH = {year: 88.0 + 2.0 * (year - 2010) for year in WALES_CLA_YEARS}
ENGLAND_HISTORY_PATH = {2006: 55.5, 2007: 55.0, 2008: 54.0, 2009: 55.0}

# Multiplicative regional factors on the CLA rate (before the national rescale).
REGION_FACTOR = {
    "E12000001": 1.38,  # North East
    "E12000002": 1.25,  # North West
    "E12000003": 1.10,  # Yorkshire and The Humber
    "E12000004": 0.95,  # East Midlands
    "E12000005": 1.15,  # West Midlands
    "E12000006": 0.85,  # East of England
    "E12000008": 0.82,  # South East
    "E12000009": 0.92,  # South West
    "Inner London": 1.05,
    "Outer London": 0.78,
}
LONDON_SUBREGIONS = {"Inner London": "E13000001", "Outer London": "E13000002"}
# EES row order for regions; LA rows follow the same order with London split into E13s.
EES_REGION_ORDER = (
    "E12000001", "E12000002", "E12000003", "E12000004", "E12000005", "E12000006",
    "E12000007", "E12000008", "E12000009", "E13000001", "E13000002",
)
OFSTED_REGION = {
    "E12000001": "North East, Yorkshire and the Humber",
    "E12000002": "North West",
    "E12000003": "North East, Yorkshire and the Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}
# Typical 0-17 population (median, log-sd) by LA type, before the national rescale.
SIZE_BY_TYPE = {
    "london_borough": (55_000, 0.25),
    "metropolitan_district": (55_000, 0.40),
    "unitary_authority": (38_000, 0.40),
    "shire_county": (160_000, 0.30),
    "welsh_unitary_authority": (26_000, 0.40),
}
ENGLAND_CHILDREN_2009 = 11_050_000
WALES_CHILDREN_2009 = 625_000
TINY_POPULATION = 3_000  # City of London, Isles of Scilly

GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
OFSTED_JUDGEMENT_COLUMNS = (
    "Overall effectiveness",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
)
CARE_LEAVERS_FROM = dt.date(2023, 1, 1)
OFSTED_AS_AT = dt.date(2025, 3, 31)
COVID_PAUSE = (dt.date(2020, 3, 16), dt.date(2021, 4, 12))

STATSWALES_AGES = ("Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 to 17 years", "18 and over")
STATSWALES_AGE_SHARES = (0.05, 0.17, 0.20, 0.37, 0.205, 0.005)


# --------------------------------------------------------------------------------------------
# Small deterministic helpers
# --------------------------------------------------------------------------------------------
def _rng(seed: int, *parts: object) -> random.Random:
    """An independent stream per (seed, key): adding an area never reshuffles the others."""
    return random.Random("|".join([str(seed), *map(str, parts)]))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 40:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def rate_per_10k(count: int, population: int) -> int:
    """round(count / population * 10,000), halves rounded up, in exact integer arithmetic."""
    return (2 * count * 10_000 + population) // (2 * population)


def _round_to(value: int, base: int) -> int:
    return base * ((2 * value + base) // (2 * base))


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder, exact sum)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(math.floor(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _clip(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


def _march31(year: int) -> dt.date:
    return dt.date(year, 3, 31)


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Period:
    authority_id: str
    la_code: str
    la_code_3: str
    la_name: str
    nation: str
    region_code: str
    region_name: str
    london_subregion: str
    la_type: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def ees_region(self) -> tuple[str, str]:
        """Region as EES shows it on LA rows: London boroughs carry Inner/Outer London."""
        if self.london_subregion:
            return LONDON_SUBREGIONS[self.london_subregion], self.london_subregion
        return self.region_code, self.region_name

    @property
    def rate_region(self) -> str:
        return self.london_subregion or self.region_code


@dataclass
class _Atom:
    key: str
    nation: str
    region: str  # key into REGION_FACTOR
    la_type: str
    weight: float  # share of its root
    root: str
    dep: float = 0.0
    pop: dict[int, int] = field(default_factory=dict)  # mid-year -> children 0-17 (latest vintage)
    pop_old: dict[int, int] = field(default_factory=dict)  # pre-Census-2021 vintage
    counts: dict[tuple[int, str], int] = field(default_factory=dict)  # (year, measure) -> count
    wales_cells: dict[int, list[int]] = field(default_factory=dict)  # year -> 12 gender x age cells


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _load_geography(las: pl.DataFrame | None, changes: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    if las is None or changes is None:
        from csc_pipeline import geography

        if las is None:
            las = geography.load_local_authorities()
        if changes is None:
            changes = geography.load_boundary_changes()
    return las, changes


class _Model:
    """The latent world: areas, atoms, populations and true counts."""

    def __init__(self, las: pl.DataFrame, changes: pl.DataFrame, seed: int) -> None:
        self.seed = seed
        self.periods: dict[str, list[_Period]] = defaultdict(list)
        self.by_code: dict[str, _Period] = {}
        for row in las.iter_rows(named=True):
            if row["nation"] not in ("England", "Wales"):
                continue
            period = _Period(
                authority_id=row["authority_id"],
                la_code=row["la_code"],
                la_code_3=_text(row["la_code_3"]),
                la_name=row["la_name"],
                nation=row["nation"],
                region_code=_text(row["region_code"]),
                region_name=_text(row["region_name"]),
                london_subregion=_text(row["london_subregion"]),
                la_type=_text(row["la_type"]),
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
            )
            self.periods[period.authority_id].append(period)
            self.by_code[period.la_code] = period
        for plist in self.periods.values():
            plist.sort(key=lambda p: p.valid_from or dt.date(1900, 1, 1))
        # Only authorities that exist on some 31 March we model.
        first, last = min(CLA_YEARS), max(CLA_YEARS)
        self.ids = sorted(
            aid for aid, plist in self.periods.items()
            if any(self.period_at(aid, _march31(y)) for y in range(first, last + 1))
        )
        self.english = [a for a in self.ids if self.periods[a][-1].nation == "England"]
        self.welsh = [a for a in self.ids if self.periods[a][-1].nation == "Wales"]
        self._build_atoms(changes)
        self._populations()
        self._cla()

    # -- geography helpers ---------------------------------------------------------------
    def period_at(self, aid: str, day: dt.date) -> _Period | None:
        for p in self.periods[aid]:
            if p.covers(day):
                return p
        return None

    def exists(self, aid: str, year: int) -> bool:
        return self.period_at(aid, _march31(year)) is not None

    def last_valid_to(self, aid: str) -> dt.date | None:
        return self.periods[aid][-1].valid_to

    # -- atoms -----------------------------------------------------------------------------
    def _build_atoms(self, changes: pl.DataFrame) -> None:
        ids = set(self.ids)
        self.abolished: dict[str, list[str]] = defaultdict(list)  # authority abolished before CLA_YEARS -> successors
        out_edges: dict[str, list[tuple[str, str]]] = defaultdict(list)
        in_edges: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in changes.sort("event_date", "predecessor_code", "successor_code").iter_rows(named=True):
            pred = self.by_code.get(row["predecessor_code"])
            succ = self.by_code.get(row["successor_code"])
            if pred is None or succ is None or pred.authority_id == succ.authority_id:
                continue  # recode / same-area unitarisation: one series
            if pred.authority_id not in ids and succ.authority_id in ids and row["change_type"] in ("split", "merge"):
                # An authority abolished before the modelled years (Cheshire, Bedfordshire in 2009):
                # its history (HISTORY_YEARS) is the sum of its successors'.
                if succ.authority_id not in self.abolished[pred.authority_id]:
                    self.abolished[pred.authority_id].append(succ.authority_id)
                continue
            if pred.authority_id not in ids or succ.authority_id not in ids:
                continue  # change outside the modelled years
            edge = (succ.authority_id, row["change_type"])
            if edge not in out_edges[pred.authority_id]:
                out_edges[pred.authority_id].append(edge)
                in_edges[succ.authority_id].append((pred.authority_id, row["change_type"]))

        self.atoms: list[_Atom] = []
        self.members: dict[str, list[int]] = defaultdict(list)
        portion: dict[tuple[str, str], int] = {}
        # Roots: areas that are nobody's different-area successor. A root with outgoing changes is
        # cut into one atom per successor (part transfers ~ a fifth, splits share the rest).
        for root in self.ids:
            if in_edges[root]:
                continue
            edges = out_edges[root]
            if not edges:
                self.members[root].append(self._add_atom(root, root, root, 1.0))
                continue
            rng = _rng(self.seed, "split", root)
            weights: dict[str, float] = {}
            for succ, kind in edges:
                if kind == "part_transfer":
                    weights[succ] = rng.uniform(0.19, 0.21)
            others = [succ for succ, kind in edges if kind != "part_transfer"]
            rest = max(0.0, 1.0 - sum(weights.values()))
            raw = [rng.uniform(0.8, 1.2) for _ in others]
            for succ, w in zip(others, raw):
                weights[succ] = rest * w / sum(raw)
            for succ, _ in edges:
                idx = self._add_atom(f"{root}>{succ}", root, succ, weights[succ])
                portion[(root, succ)] = idx
                self.members[root].append(idx)
        # Successors are the sum of the portions they received. A successor of a successor (a
        # chain, none so far) falls back to an independent atom of its own.
        for aid in self.ids:
            if not in_edges[aid]:
                continue
            self.members[aid] = [portion[(pred, aid)] for pred, _ in in_edges[aid] if (pred, aid) in portion]
            if not self.members[aid]:
                self.members[aid].append(self._add_atom(aid, aid, aid, 1.0))
        for aid, successors in self.abolished.items():
            self.members[aid] = [i for succ in successors for i in self.members[succ]]

    def _add_atom(self, key: str, root: str, home: str, weight: float) -> int:
        period = self.periods[home][-1]
        self.atoms.append(_Atom(
            key=key, nation=period.nation, region=period.rate_region, la_type=self.periods[root][-1].la_type,
            weight=weight, root=root,
        ))
        return len(self.atoms) - 1

    # -- populations -------------------------------------------------------------------------
    def _populations(self) -> None:
        root_size: dict[str, float] = {}
        root_dep: dict[str, float] = {}
        for root in sorted({a.root for a in self.atoms}):
            rng = _rng(self.seed, "size", root)
            la_type = self.periods[root][-1].la_type
            median, sd = SIZE_BY_TYPE.get(la_type, (45_000, 0.45))
            root_size[root] = median * math.exp(sd * _clip(rng.gauss(0.0, 1.0), 2.0))
            root_dep[root] = _clip(rng.gauss(0.0, 1.0), 2.0)
        # Tiny authorities keep their size; everyone else is scaled to national totals.
        tiny = {r for r in root_size if self._is_tiny(r)}
        for r in tiny:
            rng = _rng(self.seed, "tiny", r)
            root_size[r] = rng.uniform(700, 1100) if self.periods[r][-1].london_subregion else rng.uniform(300, 420)
        for nation, target in (("England", ENGLAND_CHILDREN_2009), ("Wales", WALES_CHILDREN_2009)):
            members = [r for r in root_size if r not in tiny and self.periods[r][-1].nation == nation]
            factor = target / sum(root_size[r] for r in members) if members else 1.0
            for r in members:
                root_size[r] *= factor

        for i, atom in enumerate(self.atoms):
            rng = _rng(self.seed, "pop", atom.key)
            atom.dep = root_dep[atom.root] + (rng.gauss(0.0, 0.3) if atom.key != atom.root else 0.0)
            size = root_size[atom.root] * atom.weight
            offset = rng.gauss(0.0, 0.004) - (0.004 if atom.region == "Inner London" else 0.0)
            rebase = rng.gauss(0.0, 0.02)
            value = size
            for m in MID_YEARS:
                if m > MID_YEARS[0]:
                    if atom.nation == "England":
                        base = 0.008 if m <= 2016 else (0.005 if m <= 2019 else 0.002)
                    else:
                        base = 0.0
                    value *= 1.0 + base + offset + rng.gauss(0.0, 0.002)
                atom.pop[m] = max(1, int(round(value)))
                old = value * (1.0 + rebase * (m - 2010) / 10.0) if 2011 <= m <= 2020 and atom.nation == "England" else value
                atom.pop_old[m] = max(1, int(round(old)))

    def _is_tiny(self, root: str) -> bool:
        code = self.periods[root][-1].la_code
        return code in ("E09000001", "E06000053")

    # -- children looked after ----------------------------------------------------------------
    def _cla(self) -> None:
        expected: dict[int, dict[int, float]] = defaultdict(dict)  # year -> atom -> expected cla
        share: dict[int, tuple[float, float]] = {}
        for i, atom in enumerate(self.atoms):
            rng = _rng(self.seed, "cla", atom.key)
            factor = REGION_FACTOR.get(atom.region, 1.0)
            coef = 0.25 if atom.nation == "England" else 0.22
            slope = _clip(rng.gauss(0.0, 0.012), 0.025)
            ar = 0.0
            tiny = atom.root == atom.key and self._is_tiny(atom.root)
            tiny_factor = (3.0 if atom.region == "Inner London" else 0.6) if tiny else 1.0
            share[i] = (rng.uniform(0.36, 0.44), rng.uniform(0.35, 0.43))
            path = ENGLAND_PATH if atom.nation == "England" else WALES_PATH
            for y in CLA_YEARS:
                ar = 0.6 * ar + rng.gauss(0.0, 0.05)
                log_rate = math.log(path[y]) + math.log(factor) + coef * atom.dep + slope * (y - 2017.5) + ar
                expected[y][i] = math.exp(log_rate) * tiny_factor * atom.pop[y - 1] / 10_000
        for y in CLA_YEARS:
            for nation, path in (("England", ENGLAND_PATH), ("Wales", WALES_PATH)):
                idx = [i for i in expected[y] if self.atoms[i].nation == nation]
                if not idx:
                    continue
                pop = sum(self.atoms[i].pop[y - 1] for i in idx)
                scale = path[y] * pop / 10_000 / sum(expected[y][i] for i in idx)
                for i in idx:
                    expected[y][i] *= scale
        for i, atom in enumerate(self.atoms):
            rng = _rng(self.seed, "counts", atom.key)
            s_start, s_cease = share[i]
            for y in CLA_YEARS:
                lam = expected[y][i]
                atom.counts[(y, "cla")] = _poisson(rng, lam)
                atom.counts[(y, "started")] = _poisson(rng, lam * s_start * math.exp(rng.gauss(0, 0.05)))
                atom.counts[(y, "ceased")] = _poisson(rng, lam * s_cease * math.exp(rng.gauss(0, 0.05)))
                if atom.nation == "Wales":
                    atom.wales_cells[y] = self._wales_cells(atom.counts[(y, "cla")], rng)
        self._cla_history(expected[CLA_YEARS[0]], share)

    def _cla_history(self, first: dict[int, float], share: dict[int, tuple[float, float]]) -> None:
        """English counts for HISTORY_YEARS, walked back from each atom's expected count of the first
        modelled year on streams of their own (so the counts from 2010 on are unchanged by them).
        The mid-2009 population is every year's denominator: no earlier population is modelled, and
        the SFR27/2010 tables rate every year on mid-2009 too."""
        english = [i for i in first if self.atoms[i].nation == "England"]
        expected: dict[tuple[int, int], float] = {}
        for i in english:
            rng = _rng(self.seed, "cla-history", self.atoms[i].key)
            lam, rate = first[i], ENGLAND_PATH[CLA_YEARS[0]]
            for y in reversed(HISTORY_YEARS):
                lam *= ENGLAND_HISTORY_PATH[y] / rate * math.exp(rng.gauss(0.0, 0.06))
                rate = ENGLAND_HISTORY_PATH[y]
                expected[(y, i)] = lam
        pop = sum(self.atoms[i].pop[MID_YEARS[0]] for i in english)
        scale = {y: ENGLAND_HISTORY_PATH[y] * pop / 10_000 / sum(expected[(y, i)] for i in english) for y in HISTORY_YEARS}
        for i in english:
            rng = _rng(self.seed, "cla-history-counts", self.atoms[i].key)
            s_start, s_cease = share[i]
            for y in HISTORY_YEARS:
                lam = expected[(y, i)] * scale[y]
                self.atoms[i].counts[(y, "cla")] = _poisson(rng, lam)
                self.atoms[i].counts[(y, "started")] = _poisson(rng, lam * s_start * math.exp(rng.gauss(0, 0.05)))
                self.atoms[i].counts[(y, "ceased")] = _poisson(rng, lam * s_cease * math.exp(rng.gauss(0, 0.05)))

    @staticmethod
    def _wales_cells(total: int, rng: random.Random) -> list[int]:
        boys = sum(1 for _ in range(total) if rng.random() < 0.54) if total < 60 else int(round(rng.gauss(0.54 * total, math.sqrt(total * 0.25))))
        boys = min(max(boys, 0), total)
        cells: list[int] = []
        for n in (boys, total - boys):
            weights = [s * math.exp(rng.gauss(0.0, 0.12)) for s in STATSWALES_AGE_SHARES]
            cells.extend(_apportion(n, weights))
        return cells

    # -- entity level -------------------------------------------------------------------------
    def untouched(self, aid: str) -> bool:
        """No boundary change splits or merges the authority (demo writers keep random suppression
        off authorities that harmonisation onto current boundaries combines with others)."""
        return len(self.members[aid]) == 1 and self.atoms[self.members[aid][0]].key == aid

    def pop(self, aid: str, mid_year: int, rebased: bool = True) -> int:
        return sum((self.atoms[i].pop if rebased else self.atoms[i].pop_old)[mid_year] for i in self.members[aid])

    def count(self, aid: str, year: int, measure: str) -> int:
        return sum(self.atoms[i].counts[(year, measure)] for i in self.members[aid])

    def dep(self, aid: str) -> float:
        ms = self.members[aid]
        w = [self.atoms[i].pop[2019] for i in ms]
        return sum(self.atoms[i].dep * wi for i, wi in zip(ms, w)) / sum(w)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def _csv_text(rows: list[list[object]], lineterminator: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue()


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


class _Writer:
    def __init__(self, model: _Model, out_dir: Path, seed: int) -> None:
        self.m = model
        self.out = out_dir
        self.seed = seed
        self.written: list[Path] = []
        self.region_names = self._region_names()
        # (authority, mid-year) -> single years of age: the MYE, upper-tier and Nomis files all show
        # them, and drawing them is most of the demo set's generation time.
        self._single_years_drawn: dict[tuple[str, int], list[int]] = {}

    def _region_names(self) -> dict[str, str]:
        names = {code: name for code, name in zip(LONDON_SUBREGIONS.values(), LONDON_SUBREGIONS.keys())}
        for aid in self.m.english:
            for p in self.m.periods[aid]:
                names.setdefault(p.region_code, p.region_name)
        return names

    def write(self, rel: str, data: bytes) -> None:
        self.written.append(write_bytes(self.out / rel, data))

    # -- revisions ------------------------------------------------------------------------------
    def release_counts(self) -> dict[int, dict[tuple[str, int, str], int]]:
        """Counts per release: the latest is the truth; each older one revises ~half the shared cells."""
        m = self.m
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
                            rng = _rng(self.seed, "revision", release, aid, y, measure)
                            if value >= 10 and rng.random() < 0.5:
                                value = max(0, value + rng.choice((-1, 1)) * rng.randint(1, 3))
                        else:
                            value = m.count(aid, y, measure)
                        cells[key] = value
            out[release] = cells
            later = cells
        return out

    # -- 1. EES CLA -------------------------------------------------------------------------
    def cla_releases(self) -> None:
        counts = self.release_counts()
        for release in CLA_RELEASES:
            self.write(CLA_PATH.format(release=release), self._cla_release(release, counts[release]))

    def _cla_release(self, release: int, cells: dict[tuple[str, int, str], int]) -> bytes:
        m = self.m
        years = _cla_release_years(release)
        rebased = release >= 2023
        labels = _measure_labels(release)
        ents = [a for a in m.english if any(m.exists(a, y) for y in years)]
        display: dict[str, _Period] = {}
        for aid in ents:
            last_year = max(y for y in years if m.exists(aid, y))
            display[aid] = m.period_at(aid, _march31(last_year))  # EES re-codes pure recodes
        order = {code: i for i, code in enumerate(EES_REGION_ORDER)}
        ents.sort(key=lambda a: (order[display[a].ees_region[0]], display[a].la_code))

        rows: list[list[object]] = [_cla_header(release)]
        for y in sorted(years, reverse=True):
            live = [a for a in ents if m.exists(a, y)]
            pops = {a: m.pop(a, y - 1, rebased) for a in live}
            # National and regional rows: sums of LA cells, counts rounded to 10, rates unrounded.
            groups: list[tuple[str, str, str, list[str]]] = [("National", "", "", live)]
            for code in EES_REGION_ORDER:
                members = [a for a in live if code in self._ees_regions(m.period_at(a, _march31(y)))]
                groups.append(("Regional", code, self.region_names.get(code, ""), members))
            for level, rcode, rname, members in groups:
                pop = sum(pops[a] for a in members)
                for measure in MEASURES:
                    total = sum(cells[(a, y, measure)] for a in members)
                    rows.append([
                        y, "Reporting year", level, "E92000001", "England", rcode, rname, "", "", "",
                        labels[measure], pop, _round_to(total, 10), rate_per_10k(total, pop) if pop else "x",
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
        return _csv_text(rows).encode("utf-8-sig")

    @staticmethod
    def _ees_regions(period: _Period) -> tuple[str, ...]:
        if period.london_subregion:
            return (period.region_code, LONDON_SUBREGIONS[period.london_subregion])
        return (period.region_code,)

    # -- 2. ONS population used by EES ------------------------------------------------------------
    def population_file(self, path: str = POP_PATH, mid_years: tuple[int, ...] = MID_YEARS, rebased: bool = True,
                        bom: bool = False, lineterminator: str = "\n") -> None:
        """The EES ONS population file of one release (the defaults: the CIN 2025 release's).

        ``rebased`` False = the vintage before the re-basing on Census 2021, which also showed the
        authorities abolished in 2019 with their numbers rather than ``x``."""
        m = self.m
        header = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
                  "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "age_group",
                  "population_estimate"]
        age = "Children aged 0 to 17 years"
        order = {code: i for i, code in enumerate(EES_REGION_ORDER)}
        rows: list[list[object]] = [header]
        for mid in sorted(mid_years, reverse=True):
            day = _march31(mid + 1)  # mid-year M is the denominator for year ending 31 March M+1
            live = [(a, m.period_at(a, day)) for a in m.english if m.exists(a, mid + 1)]
            rows.append([mid, "Reporting year", "National", "E92000001", "England", "", "", "", "", "", age,
                         sum(m.pop(a, mid, rebased) for a, _ in live)])
            for code in EES_REGION_ORDER:
                pop = sum(m.pop(a, mid, rebased) for a, p in live if code in self._ees_regions(p))
                rows.append([mid, "Reporting year", "Regional", "E92000001", "England", code,
                             self.region_names.get(code, ""), "", "", "", age, pop])
            live.sort(key=lambda ap: (order[ap[1].ees_region[0]], ap[1].la_name))
            for aid, p in live:
                rcode, rname = p.ees_region
                gone = rebased and (m.last_valid_to(aid) or dt.date.max) < dt.date(2020, 1, 1)
                rows.append([mid, "Reporting year", "Local authority", "E92000001", "England", rcode, rname,
                             p.la_code_3, p.la_code, p.la_name, age, "x" if gone else m.pop(aid, mid, rebased)])
        self.write(path, _csv_text(rows, lineterminator).encode("utf-8-sig" if bom else "utf-8"))

    # -- 4. StatsWales exports --------------------------------------------------------------------
    def welsh_order(self) -> list[str]:
        """StatsWales / ONS display order: W06 code order, with Powys and Merthyr Tydfil at the
        positions of their pre-2018 codes (W06000007, W06000017)."""
        moved = {"W06000023": "W06000007", "W06000024": "W06000017"}
        return sorted(self.m.welsh, key=lambda a: moved.get(self.m.periods[a][-1].la_code, self.m.periods[a][-1].la_code))

    def statswales(self) -> None:
        m = self.m
        welsh = self.welsh_order()
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
            self.write(STATSWALES_PATH.format(year=year), text.encode("ascii"))

    # -- 5. ONS MYE2 single year of age, Wales --------------------------------------------------
    def mye_files(self) -> None:
        """Welsh single-year-of-age files in the ONS MYE2 layout (title rows, thousands separators,
        CRLF, blank padding lines), and for MYE_UTLA_YEARS the upper-tier re-export."""
        m = self.m
        welsh = self.welsh_order()
        width = 3 + 91
        for mid in MID_YEARS:
            if mid in MYE_UTLA_YEARS:
                self.mye_utla_file(mid)
                continue
            rows: list[list[str]] = []
            data: list[tuple[str, str, list[int]]] = []
            for aid in welsh:
                p = m.periods[aid][-1]
                ages = self._single_years(aid, mid)
                name = "The Vale of Glamorgan" if p.la_name == "Vale of Glamorgan" else p.la_name
                data.append((p.la_code, name, ages))
            wales = [sum(d[2][k] for d in data) for k in range(91)]
            rows.append([f"MYE2: Population Estimates by single year of age and sex for local authorities in the UK, mid-{mid}"] + [""] * (width - 1))
            rows.append(["ALL PERSONS"] + [""] * (width - 1))
            rows.append(["CODE", "NAME", "ALL AGES"] + [str(a) for a in range(91)])
            for code, name, ages in [("W92000004", "WALES", wales)] + data:
                rows.append([code, name, f"{sum(ages):,}"] + [f"{v:,}" for v in ages])
            text = _csv_text(rows, lineterminator="\r\n")
            text += "\r\n".join("," * (width - 1) for _ in range(15))
            self.write(MYE_REAL_PATHS.get(mid, MYE_PATH.format(year=mid)), text.encode("ascii"))

    def mye_utla_file(self, mid: int) -> None:
        """The upper-tier re-export (humaniverse demographr) of mid-year ``mid``: one header row
        ``utlaYY_code,utlaYY_name,total_population,0 .. 89,90+``, English upper-tier authorities of
        the time (in code order; the real file orders them by region and lacks Northamptonshire in
        mid-2020), then Welsh ones in ONS order, numbers as decimals ("593.0"), LF."""
        m = self.m
        day = dt.date(mid, 6, 30)
        english = sorted((a for a in m.english if m.period_at(a, day)), key=lambda a: m.period_at(a, day).la_code)
        tag = f"utla{str(mid)[2:]}"
        rows: list[list[str]] = [[f"{tag}_code", f"{tag}_name", "total_population"] + [str(a) for a in range(90)] + ["90+"]]
        for aid in english + self.welsh_order():
            p = m.period_at(aid, day) or m.periods[aid][-1]
            ages = self._single_years(aid, mid)
            rows.append([p.la_code, p.la_name, f"{float(sum(ages))}"] + [f"{float(v)}" for v in ages])
        self.write(MYE_REAL_PATHS[mid], _csv_text(rows).encode("utf-8"))

    def _single_years(self, aid: str, mid: int) -> list[int]:
        if (aid, mid) not in self._single_years_drawn:
            self._single_years_drawn[aid, mid] = self._draw_single_years(aid, mid)
        return self._single_years_drawn[aid, mid]

    def _draw_single_years(self, aid: str, mid: int) -> list[int]:
        rng = _rng(self.seed, "mye", aid, mid)
        children = self.m.pop(aid, mid)
        tilt = rng.gauss(0.0, 0.01)
        child_w = [(1.0 + tilt * (a - 8.5)) * math.exp(rng.gauss(0.0, 0.02)) for a in range(18)]
        adult_total = int(round(children * _rng(self.seed, "adults", aid).uniform(3.6, 4.6) * (1 + 0.003 * (mid - 2009))))
        adult_w = []
        for a in range(18, 90):
            w = 1.15 if a < 25 else (0.95 if a < 40 else (1.1 if a < 60 else 1.0))
            if a >= 65:
                w *= math.exp(-(a - 65) / 11.0)
            adult_w.append(w * math.exp(rng.gauss(0.0, 0.03)))
        adult_w.append(2.2 * adult_w[-1])  # 90 and over
        return _apportion(children, child_w) + _apportion(adult_total, adult_w)

    # -- 3. Ofsted ODS ------------------------------------------------------------------------------
    def ofsted(self) -> None:
        history = self._inspections()
        self.write(OFSTED_PATH, _ods_bytes(_ofsted_sheets(history, self._focused_visits(history))))

    def _inspections(self) -> list[dict[str, object]]:
        m = self.m
        rows: list[dict[str, object]] = []
        start, end = dt.date(2018, 1, 15), dt.date(2025, 3, 24)
        rates = {}
        for aid in m.english:
            years = [y for y in range(2018, 2026) if m.exists(aid, y)]
            if years:
                y = years[-1]
                rates[aid] = rate_per_10k(m.count(aid, y, "cla"), m.pop(aid, y - 1)) / ENGLAND_PATH[y]
        for aid in m.english:
            periods = m.periods[aid]
            created = periods[0].valid_from
            window_start = start if created is None else max(start, created + dt.timedelta(days=240))
            last = periods[-1].valid_to
            window_end = min(end, last) if last else end
            if window_start > window_end or aid not in rates:
                continue
            shown = m.period_at(aid, OFSTED_AS_AT) or periods[-1]
            status = "Current" if m.period_at(aid, OFSTED_AS_AT) else "No longer exists"
            rng = _rng(self.seed, "ofsted", aid)
            quality = -0.6 * m.dep(aid) - 0.5 * math.log(max(rates[aid], 0.2)) + rng.gauss(0.0, 0.75)
            span = min(3 * 365, max(0, (window_end - window_start).days - 30))
            day = window_start + dt.timedelta(days=rng.randint(0, span))
            previous: str | None = None
            n = 0
            while day <= window_end:
                day = _inspection_monday(day)
                if day > window_end:
                    break
                q = quality + 0.25 * n + rng.gauss(0.0, 0.45)
                overall = _grade(q)
                kind = "ILACS Short Inspection" if (previous in GRADES[:2] or (previous is None and q > 0.2 and rng.random() < 0.6)) else "ILACS Standard Inspection"
                subs = [overall]
                subs.append(_nudge(overall, rng, 0.15))
                subs.append(_nudge(overall, rng, 0.35))
                subs.append(_nudge(overall, rng, 0.35))
                subs.append(_nudge(overall, rng, 0.35) if day >= CARE_LEAVERS_FROM else None)
                published = day + dt.timedelta(days=rng.randint(40, 63))
                while published.weekday() > 4:
                    published += dt.timedelta(days=1)
                rows.append({
                    "aid": aid, "code": shown.la_code, "name": _ofsted_name(shown.la_name), "status": status,
                    "region": OFSTED_REGION.get(shown.region_code, shown.region_name), "date": day,
                    "published": published, "type": kind, "grades": subs,
                })
                previous, n = overall, n + 1
                gap = {"Inadequate": (800, 1100), "Requires improvement to be good": (1100, 1400)}.get(overall, (1250, 1600))
                day = day + dt.timedelta(days=rng.randint(*gap))
        rows.sort(key=lambda r: (r["name"], r["date"]))
        return rows

    def _focused_visits(self, history: list[dict[str, object]]) -> list[dict[str, object]]:
        year_start = dt.date(2024, 4, 1)
        inspected = {r["aid"] for r in history if year_start <= r["date"] <= OFSTED_AS_AT}
        themes = ("Children in need/subject to a plan", "Children in care", "Care leavers", "Front door")
        visits = []
        latest = {r["aid"]: r for r in history if r["status"] == "Current"}
        for aid, row in sorted(latest.items()):
            rng = _rng(self.seed, "focused", aid)
            if aid in inspected or rng.random() > 0.45:
                continue
            day = _inspection_monday(year_start + dt.timedelta(days=rng.randint(7, 340)))
            published = day + dt.timedelta(days=rng.randint(28, 40))
            while published.weekday() > 4:
                published += dt.timedelta(days=1)
            visits.append({**row, "date": day, "published": published, "type": "ILACS Focused Visit",
                           "grades": [None] * 5, "theme": rng.choice(themes)})
        return visits


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
        r = _round_to(v, 5)
        out.append(r if r > 0 else "*")
    return out


def _statswales_line(row: list[object], quoted: bool) -> str:
    if not quoted:
        return ",".join(str(c) for c in row)
    return ",".join(str(c) if isinstance(c, int) else f'"{c}"' for c in row)


def _inspection_monday(day: dt.date) -> dt.date:
    if COVID_PAUSE[0] <= day <= COVID_PAUSE[1]:
        day = COVID_PAUSE[1] + dt.timedelta(days=(day - COVID_PAUSE[0]).days % 120)
    if day >= dt.date(day.year, 12, 18):  # no inspections over Christmas and New Year
        day = dt.date(day.year + 1, 1, 8)
    elif day < dt.date(day.year, 1, 8):
        day = dt.date(day.year, 1, 8)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _grade(q: float) -> str:
    if q < -1.13:
        return "Inadequate"
    if q < -0.25:
        return "Requires improvement to be good"
    if q < 0.84:
        return "Good"
    return "Outstanding"


def _nudge(grade: str, rng: random.Random, p: float) -> str:
    i = GRADES.index(grade)
    if rng.random() < p:
        i = min(3, max(0, i + rng.choice((-1, 1))))
    return GRADES[i]


def _ofsted_name(name: str) -> str:
    """Ofsted's spellings: no ', City of' / ', County of', '&' in a few names, 'St' without a dot."""
    for suffix in (", City of", ", County of"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    name = name.replace("St. ", "St ")
    if name == "County Durham":
        name = "Durham"
    return name.replace("Telford and Wrekin", "Telford & Wrekin").replace("Christchurch and Poole", "Christchurch & Poole")


# --------------------------------------------------------------------------------------------
# ODS (OpenDocument spreadsheet) writer: plain XML in a zip with fixed timestamps
# --------------------------------------------------------------------------------------------
_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'office:version="1.3"'
)

_Cell = object  # str | int | dt.date | ("link", url, text) | None


def _ods_cell(value: _Cell) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, tuple) and value[0] == "link":
        _, url, label = value
        formula = escape(f'of:=HYPERLINK("{url}";"{label}")', {'"': "&quot;"})
        return (f'<table:table-cell office:value-type="string" office:string-value="{escape(label)}" '
                f'table:formula="{formula}"><text:p><text:a xlink:href="{escape(url)}">{escape(label)}</text:a>'
                "</text:p></table:table-cell>")
    if isinstance(value, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}T00:00:00" '
                f'table:style-name="ceDate"><text:p>{value.strftime("%d/%m/%Y")}</text:p></table:table-cell>')
    if isinstance(value, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


OFSTED_TITLE = "Local authority inspection outcomes as at 31 March 2025"
OFSTED_LINK = ("link", "https://example.invalid/csc-pipeline-demo/ofsted", "Ofsted Local Authority Webpage")
SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA generated by csc-pipeline: not official statistics."


def _ods_bytes(sheets: list[tuple[str, list[list[_Cell]]]], title: str = OFSTED_TITLE) -> bytes:
    tables = []
    for name, rows in sheets:
        width = max((len(r) for r in rows), default=1)
        body = "".join(
            "<table:table-row>" + "".join(_ods_cell(c) for c in r) + "</table:table-row>" for r in rows
        )
        tables.append(
            f'<table:table table:name="{escape(name)}"><table:table-column table:number-columns-repeated="{width}"/>'
            f"{body}</table:table>"
        )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<office:document-content {_ODS_NS}>"
        "<office:automatic-styles>"
        '<number:date-style style:name="NDate"><number:day number:style="long"/><number:text>/</number:text>'
        '<number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/>'
        "</number:date-style>"
        '<style:style style:name="ceDate" style:family="table-cell" style:parent-style-name="Default" '
        'style:data-style-name="NDate"/>'
        "</office:automatic-styles>"
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<office:document-styles {_ODS_NS}><office:styles>"
        '<style:style style:name="Default" style:family="table-cell"/>'
        "</office:styles></office:document-styles>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<office:document-meta {_ODS_NS}><office:meta>"
        "<meta:generator>csc-pipeline demo generator</meta:generator>"
        f"<dc:title>SYNTHETIC DEMO DATA - {escape(title)} (not official statistics)</dc:title>"
        "</office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return _zip_bytes([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("META-INF/manifest.xml", manifest),
                       ("content.xml", content), ("styles.xml", styles), ("meta.xml", meta)])


def _zip_bytes(members: list[tuple[str, str]]) -> bytes:
    """A zip with fixed timestamps (byte-identical for the same content); the first member stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i, (name, text) in enumerate(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if i == 0 else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _xlsx_column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _xlsx_bytes(sheets: list[tuple[str, list[list[object]]]], title: str, strict: bool = False) -> bytes:
    """A minimal XLSX workbook: numbers as number cells, text as inline strings, blanks left out.

    ``strict``: Strict OOXML (ISO/IEC 29500 strict namespaces, ``conformance="strict"``), as some
    publishers' files are re-saved (the Welsh Government's WIMD ranks workbook)."""
    office = "http://purl.oclc.org/ooxml/officeDocument" if strict else "http://schemas.openxmlformats.org/officeDocument/2006"
    spreadsheet = "http://purl.oclc.org/ooxml/spreadsheetml/main" if strict else "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    main = f'xmlns="{spreadsheet}"'
    rel = f'xmlns:r="{office}/relationships"'
    worksheets = []
    for rows in (rows for _, rows in sheets):
        body = []
        for r, row in enumerate(rows, start=1):
            cells = []
            for c, value in enumerate(row):
                ref = f"{_xlsx_column(c)}{r}"
                if isinstance(value, (int, float)):
                    cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                elif value not in (None, ""):
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>')
            body.append(f'<row r="{r}">{"".join(cells)}</row>')
        worksheets.append(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {main}><sheetData>{"".join(body)}</sheetData></worksheet>')
    n = range(1, len(sheets) + 1)
    conformance = ' conformance="strict"' if strict else ""
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {main} {rel}{conformance}><sheets>'
                + "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in zip(n, sheets))
                + "</sheets></workbook>")
    sheet_type = f"{office}/relationships/worksheet"
    workbook_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     + "".join(f'<Relationship Id="rId{i}" Type="{sheet_type}" Target="worksheets/sheet{i}.xml"/>' for i in n)
                     + "</Relationships>")
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in n)
        + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>'
    )
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{office}/relationships/officeDocument" Target="xl/workbook.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                 "</Relationships>")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>SYNTHETIC DEMO DATA - {escape(title)} (not official statistics)</dc:title></cp:coreProperties>")
    members = [("[Content_Types].xml", content_types), ("_rels/.rels", root_rels), ("docProps/core.xml", core),
               ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", workbook_rels)]
    members += [(f"xl/worksheets/sheet{i}.xml", text) for i, text in zip(n, worksheets)]
    return _zip_bytes(members)


def _xls_bytes(sheets: list[tuple[str, list[list[object]]]],
               merges: dict[str, list[tuple[int, int, int, int]]] | None = None) -> bytes:
    """A legacy Excel 97-2003 (BIFF8) workbook, as some older publications are: numbers as number
    cells, text as text cells, blanks left out. ``merges``: per sheet name, merged ranges as
    (first row, last row, first column, last column), 0-based and inclusive; the value is written
    to the range's first cell. xlwt writes no timestamps, so the bytes depend on the content only."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets:
        sheet = book.add_sheet(name)
        ranges = (merges or {}).get(name, [])
        for first_row, last_row, first_col, last_col in ranges:
            sheet.merge(first_row, last_row, first_col, last_col)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ofsted_sheets(history: list[dict[str, object]], visits: list[dict[str, object]]) -> list[tuple[str, list[list[_Cell]]]]:
    synthetic = SYNTHETIC_NOTE
    link = OFSTED_LINK
    cover = [
        [OFSTED_TITLE],
        ["Section", "Detail"],
        ["Status:", synthetic],
        ["Coverage:", "England"],
    ]
    contents = [
        ["Contents"],
        ["Worksheet title and link", "Description of contents of worksheet"],
        ["Notes", "Notes about the data (synthetic)."],
        ["Inspections as at 31 March", "Latest standard or short inspection of each current local authority."],
        ["In-year inspections", "Short and standard inspections and focused visits in 2024-25."],
        ["ILACS inspection history", "All short and standard ILACS inspections since 2018."],
    ]
    notes = [["Notes"], [synthetic]]

    def line(r: dict[str, object], status: bool = True, region: bool = True) -> list[_Cell]:
        head: list[_Cell] = [link, r["code"], r["name"]]
        if status:
            head.append(r["status"])
        if region:
            head.append(r["region"])
        return head

    history_header = ["Web link", "Local authority area code", "Local authority name", "Local authority status",
                      "Ofsted region", "Inspection date", "Publication date", "Inspection type", *OFSTED_JUDGEMENT_COLUMNS]
    ilacs = [
        ["ILACS inspection history from 2018-2025"],
        ["This worksheet contains one table. This table begins in cell A3. " + synthetic],
        history_header,
    ]
    for r in history:
        ilacs.append(line(r) + [r["date"], r["published"], r["type"], *r["grades"]])

    latest: dict[str, dict[str, object]] = {}
    for r in history:
        if r["status"] == "Current" and r["published"] <= OFSTED_AS_AT:
            latest[r["aid"]] = r
    as_at = [
        ["Local authority inspection judgements as at 31 March 2025"],
        ["This worksheet contains one table. This table begins in cell A3. " + synthetic],
        ["Web link", "Local authority area code", "Local authority name", "Ofsted region", "Inspection date",
         "Publication date", *OFSTED_JUDGEMENT_COLUMNS],
    ]
    for r in sorted(latest.values(), key=lambda r: r["name"]):
        as_at.append(line(r, status=False) + [r["date"], r["published"], *r["grades"]])

    in_year_rows = [r for r in history if dt.date(2024, 4, 1) <= r["date"] <= OFSTED_AS_AT] + visits
    in_year = [
        ["Local authority in-year inspection activity 2024-25"],
        ["This worksheet contains one table. This table begins in cell A3. " + synthetic],
        ["Web link", "Local authority area code", "Local authority name", "Region", "Inspection/Visit date",
         "Publication date", "Inspection/Visit type", *OFSTED_JUDGEMENT_COLUMNS, "Visit Theme"],
    ]
    for r in sorted(in_year_rows, key=lambda r: (r["name"], r["date"])):
        in_year.append(line(r, status=False) + [r["date"], r["published"], r["type"], *r["grades"], r.get("theme")])

    return [
        ("Cover", cover),
        ("Contents", contents),
        ("Notes", notes),
        ("Inspections_as_at_31_March", as_at),
        ("In-year_inspections", in_year),
        ("ILACS_inspection_history", ilacs),
    ]


MARKER_TEXT = """SYNTHETIC DEMO DATA - NOT OFFICIAL STATISTICS

Every file under this directory was generated by csc-pipeline (csc_pipeline.demo.generator,
seed {seed}). The files imitate the layouts of the official publications (DfE explore-education-
statistics, ONS, Ofsted, StatsWales) so that the pipeline can be run end to end without the real
files, but every number, grade and date in them is invented by a random model. They are not
official statistics and must not be quoted, published or compared with real figures.
"""


def generate_demo(
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    *,
    authorities: pl.DataFrame | None = None,
    boundary_changes: pl.DataFrame | None = None,
) -> list[Path]:
    """Write the synthetic mirror under ``out_dir``; return the files written.

    ``authorities`` / ``boundary_changes`` default to the packaged reference tables
    (``csc_pipeline.geography``); pass frames of the same shape to generate other geographies.
    The same seed always gives byte-identical files. Each file is written to a temporary name in
    its directory and renamed into place.
    """
    out_dir = Path(out_dir)
    las, changes = _load_geography(authorities, boundary_changes)
    model = _Model(las, changes, seed)
    writer = _Writer(model, out_dir, seed)
    writer.cla_releases()
    writer.population_file()
    writer.ofsted()
    writer.statswales()
    writer.mye_files()
    # Family writers live in their own modules (they import this module's helpers: a late import).
    from csc_pipeline.demo import (cin, cla_sfr, cla_sfr_tables, csww, deprivation, dfe_statistical_neighbours, lait,
                                   low_income, nomis_population, ofsted_la_inspections_wide, revenue_outturn, s251)

    for write_family in (
        cla_sfr.write_cla_sfr,
        cla_sfr_tables.write_cla_sfr_tables,
        ofsted_la_inspections_wide.write_ofsted_la_inspections_wide,
        dfe_statistical_neighbours.write_dfe_statistical_neighbours,
        cin.write_cin,
        csww.write_csww,
        s251.write_s251,
        revenue_outturn.write_mhclg_ro3,
        revenue_outturn.write_mhclg_rsx,
        lait.write_lait,
        low_income.write_low_income,
        deprivation.write_deprivation,
        nomis_population.write_nomis_population,
    ):
        write_family(model, writer)
    writer.write(MARKER_FILE, MARKER_TEXT.format(seed=seed).encode("utf-8"))
    return writer.written
