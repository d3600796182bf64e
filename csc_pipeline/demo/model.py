"""The latent world of the synthetic demo data: authorities, years, populations and true counts.

Every number in the demo set is generated from this small model; nothing is copied from the
official files. The family writers (``csc_pipeline.demo.families``) turn it into the publishers'
file layouts.

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

Same seed => the same model (string-seeded ``random.Random`` streams, see ``numbers``). No Dagster
imports here: the generator runs standalone.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl

from csc_pipeline.demo.numbers import apportion, clip, poisson, random_stream

DEFAULT_SEED = 20250331

CLA_YEARS = tuple(range(2010, 2026))  # years ending 31 March
MID_YEARS = tuple(range(2009, 2025))  # ONS mid-year estimates (denominator for year mid+1)
WALES_CLA_YEARS = tuple(range(2010, 2026))
# England only, before CLA_YEARS: the years the SFR27/2010 publication tables add (2006-2009).
HISTORY_YEARS = (2006, 2007, 2008, 2009)

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
# City of London and the Isles of Scilly: kept tiny, and their small counts suppressed where published.
TINY_AUTHORITY_CODES = ("E09000001", "E06000053")

# Shares of the Welsh children looked after by age band (StatsWales bands, see the statswales family).
STATSWALES_AGE_SHARES = (0.05, 0.17, 0.20, 0.37, 0.205, 0.005)


def march_31(year: int) -> dt.date:
    return dt.date(year, 3, 31)


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
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


    @property
    def ees_regions(self) -> tuple[str, ...]:
        """The region codes whose EES totals count this authority (London boroughs: London and Inner/Outer London)."""
        if self.london_subregion:
            return (self.region_code, LONDON_SUBREGIONS[self.london_subregion])
        return (self.region_code,)


@dataclass
class Atom:
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


def load_geography(las: pl.DataFrame | None, changes: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    if las is None or changes is None:
        from csc_pipeline import geography

        if las is None:
            las = geography.load_local_authorities()
        if changes is None:
            changes = geography.load_boundary_changes()
    return las, changes


class Model:
    """The latent world: areas, atoms, populations and true counts."""

    def __init__(self, las: pl.DataFrame, changes: pl.DataFrame, seed: int) -> None:
        self.seed = seed
        self.periods: dict[str, list[Period]] = defaultdict(list)
        self.by_code: dict[str, Period] = {}
        for row in las.iter_rows(named=True):
            if row["nation"] not in ("England", "Wales"):
                continue
            period = Period(
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
            if any(self.period_at(aid, march_31(y)) for y in range(first, last + 1))
        )
        self.english = [a for a in self.ids if self.periods[a][-1].nation == "England"]
        self.welsh = [a for a in self.ids if self.periods[a][-1].nation == "Wales"]
        self.region_names = self._region_names()
        # (authority, mid-year) -> single years of age: the MYE, upper-tier and Nomis files all show
        # them, and drawing them is most of the demo set's generation time.
        self._single_years_drawn: dict[tuple[str, int], list[int]] = {}
        self._build_atoms(changes)
        self._populations()
        self._cla()

    # -- geography helpers ---------------------------------------------------------------
    def period_at(self, aid: str, day: dt.date) -> Period | None:
        for p in self.periods[aid]:
            if p.covers(day):
                return p
        return None

    def exists(self, aid: str, year: int) -> bool:
        return self.period_at(aid, march_31(year)) is not None

    def last_valid_to(self, aid: str) -> dt.date | None:
        return self.periods[aid][-1].valid_to

    def _region_names(self) -> dict[str, str]:
        """Region (and Inner/Outer London) code -> name."""
        names = {code: name for code, name in zip(LONDON_SUBREGIONS.values(), LONDON_SUBREGIONS.keys())}
        for aid in self.english:
            for p in self.periods[aid]:
                names.setdefault(p.region_code, p.region_name)
        return names

    def welsh_order(self) -> list[str]:
        """StatsWales / ONS display order: W06 code order, with Powys and Merthyr Tydfil at the
        positions of their pre-2018 codes (W06000007, W06000017)."""
        moved = {"W06000023": "W06000007", "W06000024": "W06000017"}
        return sorted(self.welsh, key=lambda a: moved.get(self.periods[a][-1].la_code, self.periods[a][-1].la_code))

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

        self.atoms: list[Atom] = []
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
            rng = random_stream(self.seed, "split", root)
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
        self.atoms.append(Atom(
            key=key, nation=period.nation, region=period.rate_region, la_type=self.periods[root][-1].la_type,
            weight=weight, root=root,
        ))
        return len(self.atoms) - 1

    # -- populations -------------------------------------------------------------------------
    def _populations(self) -> None:
        root_size: dict[str, float] = {}
        root_dep: dict[str, float] = {}
        for root in sorted({a.root for a in self.atoms}):
            rng = random_stream(self.seed, "size", root)
            la_type = self.periods[root][-1].la_type
            median, sd = SIZE_BY_TYPE.get(la_type, (45_000, 0.45))
            root_size[root] = median * math.exp(sd * clip(rng.gauss(0.0, 1.0), 2.0))
            root_dep[root] = clip(rng.gauss(0.0, 1.0), 2.0)
        # Tiny authorities keep their size; everyone else is scaled to national totals.
        tiny = {r for r in root_size if self._is_tiny(r)}
        for r in tiny:
            rng = random_stream(self.seed, "tiny", r)
            root_size[r] = rng.uniform(700, 1100) if self.periods[r][-1].london_subregion else rng.uniform(300, 420)
        for nation, target in (("England", ENGLAND_CHILDREN_2009), ("Wales", WALES_CHILDREN_2009)):
            members = [r for r in root_size if r not in tiny and self.periods[r][-1].nation == nation]
            factor = target / sum(root_size[r] for r in members) if members else 1.0
            for r in members:
                root_size[r] *= factor

        for i, atom in enumerate(self.atoms):
            rng = random_stream(self.seed, "pop", atom.key)
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
        return self.periods[root][-1].la_code in TINY_AUTHORITY_CODES

    # -- children looked after ----------------------------------------------------------------
    def _cla(self) -> None:
        expected: dict[int, dict[int, float]] = defaultdict(dict)  # year -> atom -> expected cla
        share: dict[int, tuple[float, float]] = {}
        for i, atom in enumerate(self.atoms):
            rng = random_stream(self.seed, "cla", atom.key)
            factor = REGION_FACTOR.get(atom.region, 1.0)
            coef = 0.25 if atom.nation == "England" else 0.22
            slope = clip(rng.gauss(0.0, 0.012), 0.025)
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
            rng = random_stream(self.seed, "counts", atom.key)
            s_start, s_cease = share[i]
            for y in CLA_YEARS:
                lam = expected[y][i]
                atom.counts[(y, "cla")] = poisson(rng, lam)
                atom.counts[(y, "started")] = poisson(rng, lam * s_start * math.exp(rng.gauss(0, 0.05)))
                atom.counts[(y, "ceased")] = poisson(rng, lam * s_cease * math.exp(rng.gauss(0, 0.05)))
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
            rng = random_stream(self.seed, "cla-history", self.atoms[i].key)
            lam, rate = first[i], ENGLAND_PATH[CLA_YEARS[0]]
            for y in reversed(HISTORY_YEARS):
                lam *= ENGLAND_HISTORY_PATH[y] / rate * math.exp(rng.gauss(0.0, 0.06))
                rate = ENGLAND_HISTORY_PATH[y]
                expected[(y, i)] = lam
        pop = sum(self.atoms[i].pop[MID_YEARS[0]] for i in english)
        scale = {y: ENGLAND_HISTORY_PATH[y] * pop / 10_000 / sum(expected[(y, i)] for i in english) for y in HISTORY_YEARS}
        for i in english:
            rng = random_stream(self.seed, "cla-history-counts", self.atoms[i].key)
            s_start, s_cease = share[i]
            for y in HISTORY_YEARS:
                lam = expected[(y, i)] * scale[y]
                self.atoms[i].counts[(y, "cla")] = poisson(rng, lam)
                self.atoms[i].counts[(y, "started")] = poisson(rng, lam * s_start * math.exp(rng.gauss(0, 0.05)))
                self.atoms[i].counts[(y, "ceased")] = poisson(rng, lam * s_cease * math.exp(rng.gauss(0, 0.05)))

    @staticmethod
    def _wales_cells(total: int, rng: random.Random) -> list[int]:
        boys = sum(1 for _ in range(total) if rng.random() < 0.54) if total < 60 else int(round(rng.gauss(0.54 * total, math.sqrt(total * 0.25))))
        boys = min(max(boys, 0), total)
        cells: list[int] = []
        for n in (boys, total - boys):
            weights = [s * math.exp(rng.gauss(0.0, 0.12)) for s in STATSWALES_AGE_SHARES]
            cells.extend(apportion(n, weights))
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

    def single_years(self, aid: str, mid: int) -> list[int]:
        """Population by single year of age 0..89 and 90+ of the authority at mid-year ``mid`` (its
        children 0-17 add up to ``pop``)."""
        if (aid, mid) not in self._single_years_drawn:
            self._single_years_drawn[aid, mid] = self._draw_single_years(aid, mid)
        return self._single_years_drawn[aid, mid]

    def _draw_single_years(self, aid: str, mid: int) -> list[int]:
        rng = random_stream(self.seed, "mye", aid, mid)
        children = self.pop(aid, mid)
        tilt = rng.gauss(0.0, 0.01)
        child_w = [(1.0 + tilt * (a - 8.5)) * math.exp(rng.gauss(0.0, 0.02)) for a in range(18)]
        adult_total = int(round(children * random_stream(self.seed, "adults", aid).uniform(3.6, 4.6) * (1 + 0.003 * (mid - 2009))))
        adult_w = []
        for a in range(18, 90):
            w = 1.15 if a < 25 else (0.95 if a < 40 else (1.1 if a < 60 else 1.0))
            if a >= 65:
                w *= math.exp(-(a - 65) / 11.0)
            adult_w.append(w * math.exp(rng.gauss(0.0, 0.03)))
        adult_w.append(2.2 * adult_w[-1])  # 90 and over
        return apportion(children, child_w) + apportion(adult_total, adult_w)
