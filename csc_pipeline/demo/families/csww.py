"""Synthetic children's social work workforce (CSWW) files in the DfE formats.

Written for every demo-mode entry of the ``csww_ees`` and ``csww_sfr_underlying`` families, at the
catalog's mirror paths:

- EES ``csww_headline_measures_2017_to_2022.csv`` (release 2022): UTF-8 with BOM, LF, minimal
  quoting; years descending, per year National, 11 Regional rows, then LAs by region code and name
  (London boroughs under E13000001/E13000002). Kingston upon Thames / Richmond upon Thames and, from
  30 September 2021, North / West Northamptonshire share a children's services provider: this file
  prints the unit's figures on its first member's row, leaves Richmond out up to 2020 and prints
  the second member with ``z`` from 2021. Symbols x, c, z.
- EES ``csww_indicators_2017_to_2025.csv`` (release 2025): UTF-8 without BOM; the same units under
  their combined codes ("E09000021 / E09000027"); revises about one in eight of the 2017-2022
  values of the older file; symbols x, c, u, low.
- SFR underlying data at 30 September 2015 (SFR07/2016, integer rates, national and regional
  counts rounded to 10) and 2016 (SFR08/2017, one decimal, thousands separators, Kingston's row
  holding Kingston and Richmond with Richmond's row all ``.``, two empty fields ending every line
  and empty lines after the data).

The latent workforce of an authority scales with its child population and deprivation: about 23
FTE social workers per 10,000 children in 2015 rising to 30 by 2025, more where need is higher;
vacancy, agency and turnover rates move together; caseloads are higher in deprived areas.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from csc_pipeline.catalog import load_catalog
from csc_pipeline.demo.formats import DemoFiles, csv_text
from csc_pipeline.demo.model import EES_REGION_ORDER, Model
from csc_pipeline.demo.numbers import random_stream

EES_FAMILY = "csww_ees"
SFR_FAMILY = "csww_sfr_underlying"
FAMILIES = (EES_FAMILY, SFR_FAMILY)
HEADLINE_YEARS = tuple(range(2017, 2023))  # time_period = at 30 September
INDICATOR_YEARS = tuple(range(2017, 2026))
WORKING_DAYS = 225
# Children's services shared by two authorities: (first member, second member, from 30 September of).
SHARED_SERVICES = (("E09000021", "E09000027", 2014), ("E06000061", "E06000062", 2021))

HEADLINE_HEADER = (
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
    "region_name", "old_la_code", "new_la_code", "la_name", "social_worker_fte", "leaver_fte",
    "turnover_rate_fte_%", "working_days_lost_fte", "absence_rate_fte_%", "agency_fte", "agency_worker_rate_fte_%",
    "agency_cover_fte", "agency_cover_rate_fte_%", "vacancy_fte", "vacancy_rate_fte_%",
    "vacancy_agency_cover_rate_fte_%", "case_holders_fte", "cases", "caseload_fte", "social_worker_headcount",
    "leaver_headcount", "turnover_rate_headcount_%", "agency_headcount", "agency_worker_rate_headcount_%",
)
INDICATORS_HEADER = (
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
    "region_name", "old_la_code", "new_la_code", "la_name", "inpost_fte", "inpost_headcount", "starters_fte",
    "starters_headcount", "leavers_fte", "leavers_headcount", "turnover_rate_fte", "turnover_rate_headcount",
    "agency_fte", "agency_headcount", "agency_rate_fte", "agency_rate_headcount", "agency_cover_fte",
    "agency_cover_rate_fte", "vacancy_fte", "vacancy_rate_fte", "vacancy_agency_cover_rate_fte",
    "case_holders_fte", "cases", "caseload_fte", "working_days_lost_fte", "absence_rate_fte",
)
# measure -> column of each EES file
HEADLINE_COLUMNS = {
    "fte": "social_worker_fte", "leavers": "leaver_fte", "turnover": "turnover_rate_fte_%",
    "days_lost": "working_days_lost_fte", "absence": "absence_rate_fte_%", "agency": "agency_fte",
    "agency_rate": "agency_worker_rate_fte_%", "agency_cover": "agency_cover_fte",
    "agency_cover_rate": "agency_cover_rate_fte_%", "vacancies": "vacancy_fte", "vacancy_rate": "vacancy_rate_fte_%",
    "vacancy_cover_rate": "vacancy_agency_cover_rate_fte_%", "case_holders": "case_holders_fte", "cases": "cases",
    "caseload": "caseload_fte", "headcount": "social_worker_headcount", "leavers_hc": "leaver_headcount",
    "turnover_hc": "turnover_rate_headcount_%", "agency_hc": "agency_headcount", "agency_rate_hc": "agency_worker_rate_headcount_%",
}
INDICATORS_COLUMNS = {
    "fte": "inpost_fte", "headcount": "inpost_headcount", "starters": "starters_fte", "starters_hc": "starters_headcount",
    "leavers": "leavers_fte", "leavers_hc": "leavers_headcount", "turnover": "turnover_rate_fte",
    "turnover_hc": "turnover_rate_headcount", "agency": "agency_fte", "agency_hc": "agency_headcount",
    "agency_rate": "agency_rate_fte", "agency_rate_hc": "agency_rate_headcount", "agency_cover": "agency_cover_fte",
    "agency_cover_rate": "agency_cover_rate_fte", "vacancies": "vacancy_fte", "vacancy_rate": "vacancy_rate_fte",
    "vacancy_cover_rate": "vacancy_agency_cover_rate_fte", "case_holders": "case_holders_fte", "cases": "cases",
    "caseload": "caseload_fte", "days_lost": "working_days_lost_fte", "absence": "absence_rate_fte",
}
COUNTS = ("fte", "headcount", "starters", "starters_hc", "leavers", "leavers_hc", "agency", "agency_hc",
          "agency_cover", "vacancies", "case_holders", "cases", "days_lost", "cin")
SFR_REGION_NAMES = {"E12000003": "Yorkshire and the Humber", "E12000006": "East"}
SFR_REGION_ORDER = ("E12000001", "E12000002", "E12000003", "E12000004", "E12000005", "E12000006",
                    "E12000007", "E13000001", "E13000002", "E12000008", "E12000009")


@dataclass
class _Unit:
    """A reporting unit at 30 September: one authority or a shared service of several."""

    code: str
    code_3: str
    name: str
    region_code: str  # as EES shows it (Inner/Outer London for London boroughs)
    region_name: str
    members: list[str]  # authority ids

    @property
    def combined(self) -> bool:
        return len(self.members) > 1


def write(model: Model, files: DemoFiles) -> None:
    catalog = load_catalog()
    workforce = _Workforce(model, model.seed)
    for entry in catalog.family(EES_FAMILY, "demo"):
        if entry.release == "2022":
            files.write(entry.mirror_path, workforce.headline_file(model.region_names))
        else:
            files.write(entry.mirror_path, workforce.indicators_file(model.region_names))
    for entry in catalog.family(SFR_FAMILY, "demo"):
        files.write(entry.mirror_path, workforce.sfr_file(int(entry.period), model.region_names))


class _Workforce:
    def __init__(self, model, seed: int) -> None:
        self.m = model
        self.seed = seed
        self.rng = random_stream
        self._cache: dict[tuple[str, int], dict[str, float]] = {}

    # -- latent values -------------------------------------------------------------------------
    def authority(self, aid: str, year: int) -> dict[str, float]:
        """Unrounded measures of one authority at 30 September ``year``."""
        key = (aid, year)
        if key in self._cache:
            return self._cache[key]
        m = self.m
        la = self.rng(self.seed, "csww-la", aid)
        level, vac_effect, case_effect = la.gauss(0, 0.12), la.gauss(0, 5.0), la.gauss(0, 1.8)
        r = self.rng(self.seed, "csww", aid, year)
        dep = m.dep(aid)
        children = m.pop(aid, min(max(year, 2009), 2024))
        base = 23.0 + 0.7 * (year - 2015)
        fte = children / 10_000 * base * math.exp(0.25 * dep + level + r.gauss(0, 0.04))
        vacancy_rate = min(55.0, max(0.0, 16.0 + 4.0 * dep + vac_effect + r.gauss(0, 3.0)))
        agency_rate = min(60.0, max(0.0, 0.8 * vacancy_rate + r.gauss(0, 3.0)))
        turnover = min(40.0, max(3.0, 15.0 + 0.3 * (vacancy_rate - 16.0) + r.gauss(0, 3.0)))
        absence = min(8.0, max(0.5, 3.2 + r.gauss(0, 0.8)))
        caseload = min(30.0, max(8.0, 16.5 + 1.5 * dep + case_effect + r.gauss(0, 1.2)))
        leavers = turnover / 100 * fte
        agency = agency_rate / (100 - agency_rate) * fte
        case_holders = fte * r.uniform(0.6, 0.7)
        values = {
            "fte": fte,
            "headcount": fte * r.uniform(1.04, 1.09),
            "leavers": leavers,
            "leavers_hc": leavers * r.uniform(1.03, 1.10),
            "starters": leavers * r.uniform(0.85, 1.2),
            "agency": agency,
            "agency_hc": agency * r.uniform(1.0, 1.05),
            "agency_cover": agency * r.uniform(0.7, 0.95),
            "vacancies": vacancy_rate / (100 - vacancy_rate) * fte,
            "case_holders": case_holders,
            "cases": caseload * case_holders,
            "days_lost": absence / 100 * fte * WORKING_DAYS,
            "cin": fte * min(25.0, max(8.0, 15.0 + 2.0 * dep + r.gauss(0, 2.0))),
        }
        values["starters_hc"] = values["starters"] * r.uniform(1.02, 1.08)
        self._cache[key] = values
        return values

    def totals(self, aids: list[str], year: int) -> dict[str, float]:
        """Summed counts and the rates computed from them."""
        sums = {k: sum(self.authority(a, year)[k] for a in aids) for k in COUNTS}
        fte, hc = sums["fte"], sums["headcount"]
        return sums | {
            "turnover": 100 * sums["leavers"] / fte,
            "turnover_hc": 100 * sums["leavers_hc"] / hc,
            "agency_rate": 100 * sums["agency"] / (sums["agency"] + fte),
            "agency_rate_hc": 100 * sums["agency_hc"] / (sums["agency_hc"] + hc),
            "agency_cover_rate": 100 * sums["agency_cover"] / sums["agency"] if sums["agency"] else 0.0,
            "vacancy_rate": 100 * sums["vacancies"] / (sums["vacancies"] + fte),
            "vacancy_cover_rate": 100 * sums["agency_cover"] / sums["vacancies"] if sums["vacancies"] else 0.0,
            "absence": 100 * sums["days_lost"] / (fte * WORKING_DAYS),
            "caseload": sums["cases"] / sums["case_holders"],
            "cin_per_fte": sums["cin"] / fte,
            "cin_per_hc": sums["cin"] / hc,
        }

    # -- geography -----------------------------------------------------------------------------
    def units(self, year: int, shared: bool = True) -> list[_Unit]:
        """Reporting units at 30 September ``year`` (authorities in force on 31 March year + 1)."""
        m = self.m
        day = dt.date(year + 1, 3, 31)
        periods = {aid: m.period_at(aid, day) for aid in m.english}
        periods = {aid: p for aid, p in periods.items() if p is not None}
        by_code = {p.la_code: aid for aid, p in periods.items()}
        units: list[_Unit] = []
        grouped: set[str] = set()
        if shared:
            for first, second, since in SHARED_SERVICES:
                if year >= since and first in by_code and second in by_code:
                    a, b = periods[by_code[first]], periods[by_code[second]]
                    region_code, region_name = a.ees_region
                    units.append(_Unit(f"{a.la_code} / {b.la_code}", f"{a.la_code_3} / {b.la_code_3}",
                                       f"{a.la_name} / {b.la_name}", region_code, region_name,
                                       [by_code[first], by_code[second]]))
                    grouped |= {by_code[first], by_code[second]}
        for aid, p in periods.items():
            if aid not in grouped:
                region_code, region_name = p.ees_region
                units.append(_Unit(p.la_code, p.la_code_3, p.la_name, region_code, region_name, [aid]))
        return sorted(units, key=lambda u: (u.region_code, u.name))

    def regions(self, year: int, region_names: dict[str, str]) -> list[tuple[str, str, list[str]]]:
        day = dt.date(year + 1, 3, 31)
        live = [(aid, self.m.period_at(aid, day)) for aid in self.m.english]
        live = [(aid, p) for aid, p in live if p is not None]
        out = []
        for code in EES_REGION_ORDER:
            members = [aid for aid, p in live if code in p.ees_regions]
            out.append((code, region_names.get(code, ""), members))
        return out

    def _untouched(self, aids: list[str]) -> bool:
        """No boundary change splits or merges these authorities (random suppression is kept off
        authorities that harmonisation onto current boundaries combines with others)."""
        return all(self.m.untouched(a) for a in aids)

    def _tiny(self, aids: list[str]) -> bool:
        return sum(self.m.pop(a, 2015) for a in aids) < 3_000

    # -- EES ------------------------------------------------------------------------------------
    def _revised(self, value: float, measure: str, key: tuple) -> float:
        """The 2022 release's value of a cell the 2025 release revised (about one in eight)."""
        r = self.rng(self.seed, "csww-revision", measure, *key)
        if r.random() >= 0.125:
            return value
        if measure in ("turnover", "turnover_hc", "absence", "agency_rate", "vacancy_rate", "caseload"):
            return max(0.0, value + r.choice((-1, 1)) * r.uniform(0.1, 4.0))
        return max(0.0, value + r.choice((-1, 1)) * r.uniform(0.5, 3.0))

    def _ees_cells(self, values: dict[str, float], columns: dict[str, str], tiny: bool, flags: dict[str, str]) -> dict[str, str]:
        out = {}
        for measure, column in columns.items():
            value = values[measure]
            if measure in flags:
                out[column] = flags[measure]
            elif tiny and measure in ("leavers", "leavers_hc", "turnover", "turnover_hc"):
                out[column] = "x"
            elif tiny and measure in ("absence", "days_lost"):
                out[column] = "c"
            elif measure in ("headcount", "leavers_hc", "agency_hc", "starters_hc", "cases"):
                out[column] = str(int(round(value)))
            else:
                out[column] = _one_decimal(value)
        return out

    def _ees_file(self, years: tuple[int, ...], header: tuple[str, ...], columns: dict[str, str],
                  region_names: dict[str, str], headline: bool) -> list[list[str]]:
        rows: list[list[str]] = [list(header)]
        empty = {c: "" for c in header}
        for year in sorted(years, reverse=True):
            base = {"time_period": str(year), "time_identifier": "Reporting year", "country_code": "E92000001",
                    "country_name": "England"}
            units = self.units(year)
            national = [a for u in units for a in u.members]
            areas = [("National", "", "", national)] + [("Regional", c, n, ms) for c, n, ms in self.regions(year, region_names)]
            for level, code, name, members in areas:
                values = self.totals(members, year)
                if headline:
                    values = {k: self._revised(v, k, (level, code, year)) for k, v in values.items()}
                cells = self._ees_cells(values, columns, False, {})
                rows.append([(empty | base | {"geographic_level": level, "region_code": code, "region_name": name} | cells)[c]
                             for c in header])
            for unit in self._display_units(units, year, headline):
                unit, shown_values = unit
                line = empty | base | {"geographic_level": "Local authority", "region_code": unit.region_code,
                                       "region_name": unit.region_name, "old_la_code": unit.code_3,
                                       "new_la_code": unit.code, "la_name": unit.name}
                if shown_values is None:
                    cells = {column: "z" for column in columns.values()}
                else:
                    values = self.totals(shown_values, year)
                    if headline:
                        values = {k: self._revised(v, k, (unit.code, year)) for k, v in values.items()}
                    flags = {}
                    r = self.rng(self.seed, "csww-flags", unit.code, year)
                    stable = self._untouched(shown_values)
                    if stable and r.random() < 0.02:
                        flags = {"cases": "x" if headline else "u", "caseload": "x" if headline else "u"}
                    if stable and not headline and r.random() < 0.01:
                        flags["agency"] = flags["agency_rate"] = flags["agency_cover"] = "low"
                    cells = self._ees_cells(values, columns, self._tiny(shown_values), flags)
                rows.append([(line | cells)[c] for c in header])
        return csv_text(rows)

    def _display_units(self, units: list[_Unit], year: int, headline: bool) -> list[tuple[_Unit, list[str] | None]]:
        """(unit as printed, authorities whose values it shows or None for a z row)."""
        if not headline:
            return [(u, u.members) for u in units]
        m = self.m
        day = dt.date(year + 1, 3, 31)
        out: list[tuple[_Unit, list[str] | None]] = []
        for u in units:
            if not u.combined:
                out.append((u, u.members))
                continue
            # The 2022 release prints a shared service under its first member ...
            first, second = (m.period_at(a, day) for a in u.members)
            out.append((_Unit(first.la_code, first.la_code_3, first.la_name, u.region_code, u.region_name,
                              [u.members[0]]), u.members))
            # ... and the second member as z from 30 September 2021 (absent before).
            if year >= 2021:
                out.append((_Unit(second.la_code, second.la_code_3, second.la_name, u.region_code, u.region_name,
                                  [u.members[1]]), None))
        return sorted(out, key=lambda uv: (uv[0].region_code, uv[0].name))

    def headline_file(self, region_names: dict[str, str]) -> bytes:
        text = self._ees_file(HEADLINE_YEARS, HEADLINE_HEADER, HEADLINE_COLUMNS, region_names, headline=True)
        return text.encode("utf-8-sig")

    def indicators_file(self, region_names: dict[str, str]) -> bytes:
        text = self._ees_file(INDICATOR_YEARS, INDICATORS_HEADER, INDICATORS_COLUMNS, region_names, headline=False)
        return text.encode("utf-8")

    # -- SFR underlying data ----------------------------------------------------------------------
    def sfr_file(self, year: int, region_names: dict[str, str]) -> bytes:
        header = sfr_header(year)
        integer_rates = year == 2015
        names = region_names | SFR_REGION_NAMES | {"E12000007": "London"}
        units = self.units(year, shared=False)
        live = [a for u in units for a in u.members]
        regions = {code: members for code, _, members in self.regions(year, region_names)}
        rows: list[list[str]] = [header]
        areas = [("", "", "", "", "", live)]
        areas += [(code, names.get(code, ""), "", "", "", regions[code]) for code in SFR_REGION_ORDER]
        ordered = sorted(units, key=lambda u: (SFR_REGION_ORDER.index(self._sfr_region(u)), u.name))
        areas += [(self._sfr_region(u), names.get(self._sfr_region(u), ""), u.code, u.name, u.code_3, u.members)
                  for u in ordered]
        # From 30 September 2016 the SFR reports Kingston and Richmond together (2015: apart).
        shared = {first: second for first, second, since in SHARED_SERVICES if year >= max(since, 2016)}
        codes = {u.code: u.members for u in units}
        for region_code, region_name, code, name, code_3, members in areas:
            identity = ["E92000001", "England", region_code, region_name, code, name, code_3]
            if code in shared.values():  # reported with its partner: all "."
                rows.append(identity + ["."] * (len(header) - 7))
                continue
            if code in shared and shared[code] in codes:
                members = members + codes[shared[code]]
            rounded = not code  # national and regional counts are rounded to 10
            values = self.totals(members, year)
            tiny = bool(code) and self._tiny(members)
            r = self.rng(self.seed, "csww-sfr", year, code or region_code or "E92000001")
            missing_absence = bool(code) and self._untouched(members) and r.random() < 0.02
            cells = []
            for column in header[7:]:
                cells.append(self._sfr_cell(column, values, year, rounded, integer_rates, tiny, missing_absence))
            rows.append(identity + cells)
        text = csv_text(rows)
        if year >= 2016:  # two empty fields end every line; comma-only lines follow the data
            text = "".join(line + ",,\n" for line in text.splitlines())
            text += ("," * (len(header) + 1) + "\n") * 5
        return text.encode("utf-8")

    def _sfr_region(self, unit: _Unit) -> str:
        return "E12000007" if unit.region_code.startswith("E13") else unit.region_code

    def _sfr_cell(self, column: str, values: dict[str, float], year: int, rounded: bool, integer_rates: bool,
                  tiny: bool, missing_absence: bool) -> str:
        metric = SFR_MEASURES.get(re.sub(r"_\d{4}$", "", column))
        if metric is None:
            value, is_rate = self._breakdown(column, values, year)
        else:
            value, is_rate = values[metric], metric in SFR_RATES
        if tiny and (metric in ("leavers", "turnover", "leavers_hc", "turnover_hc") or column.startswith("B2")):
            return "x"
        if missing_absence and metric in ("days_lost", "absence"):
            return ".."
        if is_rate:
            return str(int(round(value))) if integer_rates else f"{value:.1f}"
        if rounded:
            value = 10 * round(value / 10)
            return f"{int(value)}" if year == 2015 else f"{int(value):,}"
        if year == 2015:
            return _one_decimal(value) if metric in ("fte", "starters", "leavers", "agency", "agency_cover", "vacancies") else str(int(round(value)))
        return f"{value:,.1f}"

    def _breakdown(self, column: str, values: dict[str, float], year: int) -> tuple[float, bool]:
        """Age, time in service, role and starters'/leavers' age bands: shares of their total."""
        if "data not available" in column:
            return 0.0, False
        match = re.match(r"^([A-D]\d[a-c]?)([a-f])_(FTE|Headcount)_", column)
        group, member, unit = match.groups() if match else ("", "a", "FTE")
        base = {"A1": "fte", "B1": "starters", "B2": "leavers"}.get(group[:2], "fte")
        if unit == "Headcount":
            base = {"fte": "headcount", "starters": "starters_hc", "leavers": "leavers_hc"}[base]
        size = 6 if group in ("A1", "A1b", "B2a") else 5
        weights = [1.0 + 0.4 * math.sin(1.3 * k + len(group)) for k in range(size)]
        share = weights["abcdef".index(member)] / sum(weights)
        if "ercentage" in column:
            return 100 * share, True
        return values[base] * share, False


SFR_MEASURES = {
    "A1_FTE_ChildrensSocialWorkers": "fte", "CiNperCSW_FTE": "cin_per_fte", "B1_FTE_Starters": "starters",
    "B2_FTE_Leavers": "leavers", "B3_FTE_TurnoverRate": "turnover", "D1_FTE_AgencyWorkers": "agency",
    "D1a_FTE_AgencyWorkers": "agency_cover", "D2_FTE_AgencyWorkerRate": "agency_rate", "A2_FTE_Vacancies": "vacancies",
    "A3_FTE_VacancyRate": "vacancy_rate", "C1_FTE_Absence": "days_lost", "C2_FTE_AbsenceRate": "absence",
    "A1_Headcount_ChildrensSocialWorkers": "headcount", "CiNperCSW_Headcount": "cin_per_hc",
    "B1_Headcount_Starters": "starters_hc", "B2_Headcount_Leavers": "leavers_hc", "B3_Headcount_TurnoverRate": "turnover_hc",
    "D1_Headcount_AgencyWorkers": "agency_hc", "D1a_Headcount_AgencyWorkers": "agency_cover",
    "D2_Headcount_AgencyWorkerRate": "agency_rate_hc", "Number_of_cases": "cases",
    "Number_of_cases_held_by_front_line_social_workers": "cases", "Average_caseload": "caseload",
}
SFR_RATES = {"turnover", "turnover_hc", "agency_rate", "agency_rate_hc", "vacancy_rate", "absence", "caseload",
             "cin_per_fte", "cin_per_hc"}


def sfr_header(year: int) -> list[str]:
    """The column names of the SFR underlying data file at 30 September ``year`` (2015 or 2016)."""
    y = year
    identity = ["Country_code", "Country_name", "Region_code", "Region_name", "LA_code (9 digit)", "LA_name",
                "LA_code (3 digit)"]

    def svc(letter: str) -> str:
        return "Service" if letter == "f" else "service"

    def main(unit: str) -> list[str]:
        names = [f"A1_{unit}_ChildrensSocialWorkers_{y}"]
        names += [f"CiNperCSW_{unit}_{y}"] if y == 2015 else []
        names += [f"B1_{unit}_Starters_{y}", f"B2_{unit}_Leavers_{y}", f"B3_{unit}_TurnoverRate_{y}",
                  f"D1_{unit}_AgencyWorkers_{y}", f"D1a_{unit}_AgencyWorkers_{y}", f"D2_{unit}_AgencyWorkerRate_{y}"]
        if unit == "FTE":
            names += [f"A2_FTE_Vacancies_{y}", f"A3_FTE_VacancyRate_{y}", f"C1_FTE_Absence_{y}", f"C2_FTE_AbsenceRate_{y}"]
        return names

    def age_and_service(unit: str, bands: bool) -> list[str]:
        pct = "percentage" if (bands and unit == "Headcount") else "Percentage"
        ages = ["_20_29", "_30_39", "_40_49", "_50_59", "_>60"] if bands else [""] * 5
        service = ["_<2", "_2_to_5", "_5_to_10", "_10_to_20", "_20_to_30", "_>30"] if bands else [""] * 6
        names = [] if y == 2016 else [f"A1a_{unit}_Number_ChildrensSocialWorkers_Age_data not available_{y}"]
        names += [f"A1a{c}_{unit}_Number_ChildrensSocialWorkers_Age_{y}{ages[i]}" for i, c in enumerate("abcde")]
        names += [f"A1a{c}_{unit}_{pct}_{' ' if c == 'e' and not bands else ''}ChildrensSocialWorkers_Age_{y}{ages[i]}"
                  for i, c in enumerate("abcde")]
        names += [] if y == 2016 else [f"A1b_{unit}_Number_ChildrensSocialWorkers_Time in service_data not available_{y}"]
        names += [f"A1b{c}_{unit}_Number_ChildrensSocialWorkers_Time in {svc(c)}_{y}{service[i]}" for i, c in enumerate("abcdef")]
        names += [f"A1b{c}_{unit}_{pct}_ChildrensSocialWorkers_Time in {svc(c)}_{y}{service[i]}" for i, c in enumerate("abcdef")]
        return names

    def roles(unit: str) -> list[str]:
        kinds = ["Senior Manager", "Senior_Practitioner", "Middle_Manager", "First_Line_Manager", "Case_Holder",
                 "Qualified_without_cases"]
        return ([f"A1{c}_{unit}_{k}_{y}" for c, k in zip("abcdef", kinds)]
                + [f"A1{c}_{unit}_{k}_percentage_{y}" for c, k in zip("abcdef", kinds)])

    def starters_leavers(unit: str) -> list[str]:
        ages = ["20_29", "30_39", "40_49", "50_59", "60_over"]
        service = ["<2", "2_to_5", "5_to_10", "10_to_20", "20_to_30", ">30"]
        pct = "percentage" if unit == "Headcount" else "percentage"
        names = [f"B1c{c}_{unit}_Age of Starters_{y}_{a}" for c, a in zip("abcde", ages)]
        names += [f"B1c{c}_{unit}_{pct}_Age of Starters_{y}_{a}" for c, a in zip("abcde", ages)]
        names += [f"B2c{c}_{unit}_Age_leavers_{y}_{a}" for c, a in zip("abcde", ages)]
        names += [f"B2c{c}_{unit}_{'_' if c in 'cde' else ''}Percentage_Age_leavers_{y}_{a}" for c, a in zip("abcde", ages)]
        names += [f"B2a{c}_{unit}_Time in Service Leavers_{y}_{s}" for c, s in zip("abcdef", service)]
        names += [f"B2a{c}_{unit}_Percentage_Time in Service Leavers_{y}_{s}" for c, s in zip("abcdef", service)]
        return names

    if y == 2015:
        return identity + main("FTE") + age_and_service("FTE", False) + main("Headcount") + age_and_service("Headcount", False)
    return (identity + main("FTE") + age_and_service("FTE", False) + roles("FTE")
            + ["Number_of_cases", "Number_of_cases_held_by_front_line_social_workers", "Average_caseload"]
            + starters_leavers("FTE") + main("Headcount") + age_and_service("Headcount", True) + roles("Headcount")
            + starters_leavers("Headcount"))


def _one_decimal(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
