"""Synthetic DfE children in need (CIN) and child protection files, in the real layouts.

``write(model, files)`` writes, from the latent world of ``csc_pipeline.demo.model.Model``:

- the EES "Characteristics of children in need" tables b1, c1, c2, c4, d1, d3, d5 and d6 of the 2022
  and 2024 releases and b1, c1, c4, d3 and d5 of the 2025 release, each with its release's headers
  and encoding: 2022 UTF-8 with BOM, LF, ``Category`` capitalised in c1, d1 and d3; 2024 no BOM,
  CRLF; 2025 no BOM, LF, snake_case c1, no rate columns, and the national and regional rows of c4,
  d3 and d5 quoting their empty codes as ``""``. Years 2013 (c2: 2014) to the release year, descending;
  per year the national row, 11 regional rows (E12 x9, then Inner/Outer London) and the LAs that
  existed on 31 March by region and name. LA counts of 1-5 are ``c`` (and their rates and
  percentages); national and regional counts are rounded to 10; rates and percentages have one
  decimal (``15`` rather than ``15.0``). From 2024, rates of the authorities abolished in 2019 are
  ``x`` (their populations were withdrawn after the Census 2021 re-basing).
- rates on the ONS 0-17 populations the releases carry (written by the ``ons_population_0_17``
  family). As in the real 2022 release, its 2022 rates use the mid-2020 estimate (mid-2021 was not
  yet published).
- CIN census SFR underlying CSVs 2010-2017 with each year's published header (``cin_sfr_headers.yaml``,
  mislabelled years included): one row per LA by 3-digit code after the national row (``921`` to
  2012; from 2013 ``National,,E06000046,England``, 2016 ``E92000001``); national counts rounded to 100
  (2016-2017: 10); thousands separators in 2010, 2011, 2013 and 2015; LA counts of 1-5 are ``x``. The columns the
  pipeline reads are generated; the others (breakdowns, data-quality flags) are written as ``x``.

Latent model: each LA-year's "need" is its CLA rate relative to England's (``model.count`` over
``model.pop``) to the power 0.6, times a persistent LA effect per measure. Counts are Poisson around
national paths per 10,000 children (CIN ~330 at 31 March, referrals ~550, section 47 enquiries rising
from ~80 to ~190, ICPCs ~40-65, CP plans ~35-44 at 31 March) times need to an elasticity, rescaled so
each year's national rate follows the path. Shares (re-referrals, plans of 2 years or more, reviews
and work within timescale) vary by LA; timeliness is lower where need is higher. Working-day bands
split each count at the LA's share within the timescale. Older releases revise about a third of
the headline LA counts by 1-2.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml

from csc_pipeline.contracts import load_contract, pattern_for
from csc_pipeline.demo.formats import DemoFiles, csv_text
from csc_pipeline.demo.model import EES_REGION_ORDER, ENGLAND_PATH, Model, march_31
from csc_pipeline.demo.numbers import apportion, clip, poisson, random_stream, round_to

FAMILIES = ("cin_b1", "cin_c1", "cin_c2", "cin_c4", "cin_d1", "cin_d3", "cin_d5", "cin_d6", "cin_sfr_underlying")
EES_RELEASES = (2022, 2024, 2025)
SFR_YEARS = tuple(range(2010, 2018))
SFR_HEADERS = Path(__file__).with_name("cin_sfr_headers.yaml")
EES_DIR = "dfe/cin/ees_release_{release}/"
QUOTED_EMPTY = "@@quoted-empty@@"  # written as "" (2025 c4, d3, d5 aggregate rows)

# National rates per 10,000 children aged 0-17 at anchor years, linear in between; no value
# outside the anchors (initial and core assessments end in 2014, single assessments start then).
PATHS = {
    "cin_at31": {2010: 340, 2013: 332, 2016: 337, 2019: 334, 2021: 321, 2025: 330},
    "cin_child_any": {2010: 600, 2016: 610, 2021: 565, 2025: 585},
    "referrals": {2010: 550, 2014: 575, 2016: 532, 2019: 545, 2021: 494, 2025: 520},
    "ias": {2010: 360, 2013: 395, 2014: 270},
    "cas": {2010: 125, 2013: 150, 2014: 150},
    "assessments": {2014: 250, 2015: 490, 2018: 535, 2021: 480, 2025: 530},
    "s47": {2010: 80, 2013: 111, 2016: 148, 2019: 168, 2021: 164, 2025: 189},
    "icpc": {2010: 39, 2013: 56, 2016: 62, 2019: 64, 2021: 60, 2025: 59},
    "cpp_start": {2010: 40, 2013: 47, 2016: 54, 2019: 55, 2021: 51, 2025: 51},
    "cpp_at31": {2010: 35, 2013: 38, 2016: 43, 2019: 44, 2021: 41, 2025: 41},
}
ELASTICITY = {"referrals": 0.7, "ias": 0.8, "cas": 0.9, "assessments": 0.8, "s47": 0.9}
# National shares and how strongly LAs spread around them (sd of a logit shift) and follow need.
SHARES = {  # name: (mean, spread, need effect)
    "rereferrals": (0.22, 0.25, 0.10), "nfa": (0.08, 0.6, 0.0), "not_in_need": (0.28, 0.3, -0.1),
    "cpp_second": (0.20, 0.3, 0.15), "cpp_2yrs": (0.025, 0.5, 0.2), "reviewed": (0.93, 0.6, -0.4),
    "assessments_within": (0.83, 0.5, -0.5), "icpc_within": (0.77, 0.5, -0.5),
    "ias_within": (0.74, 0.4, -0.4), "cas_within": (0.76, 0.4, -0.4),
}
# Working-day bands: (names within the timescale, weights), (names beyond it, weights).
BANDS = {
    "assessments": (
        (("assessments_same_day", "assessments_1_10_days", "assessments_11_20_days", "assessments_21_30_days",
          "assessments_31_40_days", "assessments_41_45_days"), (0.02, 0.14, 0.21, 0.19, 0.24, 0.20)),
        (("assessments_46_50_days", "assessments_51_60_days", "assessments_61_plus_days"), (0.35, 0.30, 0.35)),
    ),
    "icpc": ((("icpc_0_10_days", "icpc_11_15_days"), (0.13, 0.87)),
             (("icpc_16_20_days", "icpc_21_plus_days"), (0.45, 0.55))),
    "ias": ((("ias_same_day", "ias_1_5_days", "ias_6_10_days"), (0.15, 0.45, 0.40)),
            (("ias_11_15_days", "ias_16_20_days", "ias_21_plus_days"), (0.45, 0.25, 0.30))),
    "cas": ((("cas_0_10_days", "cas_11_20_days", "cas_21_30_days", "cas_31_35_days"), (0.2, 0.3, 0.3, 0.2)),
            (("cas_36_40_days", "cas_41_50_days", "cas_51_60_days", "cas_61_plus_days"), (0.3, 0.3, 0.2, 0.2))),
}
CPP_DURATIONS = ("cpp_le_3m", "cpp_3_6m", "cpp_6_12m", "cpp_1_2y")  # + cpp_2_years
CPP_DURATION_WEIGHTS = (0.31, 0.25, 0.26, 0.155)
WITHIN = {"assessments": "assessments_within_45_days", "icpc": "icpc_within_15_days",
          "ias": "ias_within_10wd", "cas": "cas_within_35wd"}
DAYS = ("assessments_p25", "assessments_median", "assessments_p75", "icpc_p25", "icpc_median", "icpc_p75")

# EES tables: file stem, first year, category, columns. A column is (header to 2024, header in
# 2025 or None when dropped, kind, key): count / rate (per 10,000) / pct ((numerator, denominator)) /
# days (a duration in working days, median of the LAs for aggregates).
def _with_rates(*counts: tuple[str, str | None, str]) -> list[tuple]:
    """(header, 2025 header, key) -> the count column and its ``<header>_rate`` (dropped in 2025)."""
    return [c for header, header_2025, key in counts
            for c in ((header, header_2025, "count", key), (f"{header}_rate", None, "rate", key))]


def _counts(keep_2025: bool, *counts: tuple[str, str]) -> list[tuple]:
    return [(header, header if keep_2025 else None, "count", key) for header, key in counts]


EES_TABLES = {
    "b1": ("b1_children_in_need", 2013, "Children in Need", _with_rates(
        ("Anypoint_episodes", "Anypoint_episodes", "cin_episodes_any"), ("Anypoint_child", "Anypoint_child", "cin_child_any"),
        ("Started_episodes", "Started_episodes", "cin_episodes_started"),
        ("Started_child", "Started_child", "cin_child_started"), ("Ended_episodes", "Ended_episodes", "cin_episodes_ended"),
        ("Ended_child", "Ended_child", "cin_child_ended"), ("At31_episodes", "At31_episodes", "cin_at31"),
        ("Awaiting_assessment", "awaiting_assessment", "cin_awaiting"),
    )),
    "c1": ("c1_children_in_need_referrals_and_rereferrals", 2013, "Referrals and Re-referrals", [
        *_with_rates(("Referrals", "referral_count", "referrals")),
        ("Re_referrals", "rereferral_count", "count", "rereferrals"),
        ("Re_referrals_percent", "rereferral_percent", "pct", ("rereferrals", "referrals")),
        ("No_Further_Action", "no_further_action_count", "count", "referrals_nfa"),
        ("No_Further_Action_percent", "no_further_action_percent", "pct", ("referrals_nfa", "referrals")),
        ("Not_in_Need", "not_in_need_count", "count", "referrals_not_in_need"),
        ("Not_in_Need_percent", "not_in_need_percent", "pct", ("referrals_not_in_need", "referrals")),
        *_with_rates(("Referrals_child", "referral_child_count", "referrals_child")),
        ("Re_referrals_child", "rereferral_child_count", "count", "rereferrals_child"),
        ("Re_referrals_child_percent", "rereferral_child_percent", "pct", ("rereferrals_child", "referrals_child")),
    ]),
    "c2": ("c2_children_in_need_assessments_duration", 2014, "Duration of assessment", [
        *_with_rates(("Assessments_completed", None, "assessments")),
        *_counts(False, *zip(("Same_day", "1-10_days", "11-20_days", "21-30_days", "31-40_days", "41-45_days",
                              "46-50_days", "51-60_days", "61+_days"), (*BANDS["assessments"][0][0], *BANDS["assessments"][1][0]))),
        ("25th_Percentile_days", None, "days", "assessments_p25"),
        ("Median_days", None, "days", "assessments_median"),
        ("75th_Percentile_days", None, "days", "assessments_p75"),
    ]),
    "c4": ("c4_children_in_need_section_47s_and_icpcs", 2013, "Section 47s and Initial Child Protection Conferences", [
        *_with_rates(("Section47", "Section47", "s47"), ("Section47_child", "Section47_child", "s47_child"),
                     ("ICPC", "ICPC", "icpc"), ("ICPC_child", "ICPC_child", "icpc_child")),
        *_counts(True, *zip(("Duration_0-10_days", "Duration_11-15_days", "Duration_16-20_days", "Duration_21+_days"),
                            (*BANDS["icpc"][0][0], *BANDS["icpc"][1][0]))),
        *[(h, h, "days", key) for h, key in (("Duration_25th_Percentile", "icpc_p25"), ("Duration_median", "icpc_median"),
                                             ("Duration_75th_Percentile", "icpc_p75"))],
    ]),
    "d1": ("d1_child_protection_plans", 2013, "Child Protection Plans", _with_rates(
        ("CPP_start", None, "cpp_start"), ("CPP_child_start", None, "cpp_child_start"), ("CPP_end", None, "cpp_end"),
        ("CPP_child_end", None, "cpp_child_end"), ("CPP_anypoint", None, "cpp_any"),
        ("CPP_child_anypoint", None, "cpp_child_any"), ("CPP_At31", None, "cpp_at31"),
    )),
    "d3": ("d3_cpps_subsequent_plan", 2013, "Child Protection Plans which are a second or subsequent plan", [
        ("CPP_start", "CPP_start", "count", "cpp_start"),
        ("CPP_subsequent", "CPP_subsequent", "count", "cpp_second"),
        ("CPP_subsequent_percent", "CPP_subsequent_percent", "pct", ("cpp_second", "cpp_start")),
    ]),
    "d5": ("d5_cpps_at31march_by_duration", 2013, "Child Protection Plans by length of time", [
        ("CPP_At31", "CPP_At31", "count", "cpp_at31"),
        *[(h, h, kind, key) for name, label in zip(
            (*CPP_DURATIONS, "cpp_2_years"),
            ("3_months_or_less", "more_than_3_months_6_months", "more_than_6_months_less_than_1_year",
             "1_year_less_than_2_years", "2_years_or_more"))
          for h, kind, key in ((label, "count", name), (f"{label}_percent", "pct", (name, "cpp_at31")))],
    ]),
    "d6": ("d6_cpps_reviewed_within_timescales", 2013, "Child Protection Plans reviewed within timescales", [
        ("CPP_At31_3Months", None, "count", "cpp_at31_3_months"),
        ("Reviewed_within_timescales", None, "count", "cpp_reviewed"),
        ("Reviewed_within_timescales_percent", None, "pct", ("cpp_reviewed", "cpp_at31_3_months")),
    ]),
}
EES_2025 = ("b1", "c1", "c4", "d3", "d5")
CATEGORY_CAPITALISED_2022 = ("c1", "d1", "d3")
QUOTED_EMPTY_2025 = ("c4", "d3", "d5")
GEOGRAPHY = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
             "region_name", "old_la_code", "new_la_code", "la_name"]

# SFR: the contract's canonical column -> (kind, key) as for EES.
SFR_COLUMNS = {
    "cin_at31": ("count", "cin_at31"), "cin_at31_rate": ("rate", "cin_at31"),
    "referrals": ("count", "referrals"), "referrals_rate": ("rate", "referrals"),
    "rereferrals": ("count", "rereferrals"), "rereferrals_percent": ("pct", ("rereferrals", "referrals")),
    "referrals_nfa": ("count", "referrals_nfa"), "referrals_nfa_percent": ("pct", ("referrals_nfa", "referrals")),
    "referrals_not_in_need": ("count", "referrals_not_in_need"),
    "referrals_not_in_need_percent": ("pct", ("referrals_not_in_need", "referrals")),
    "ias": ("count", "ias"), "cas": ("count", "cas"),
    "assessments": ("count", "assessments"), "assessments_rate": ("rate", "assessments"),
    "assessments_median_days": ("days", "assessments_median"),
    "s47": ("count", "s47"), "s47_rate": ("rate", "s47"), "icpc": ("count", "icpc"), "icpc_rate": ("rate", "icpc"),
    "cpp_starts": ("count", "cpp_start"), "cpp_starts_rate": ("rate", "cpp_start"),
    "cpp_ceased": ("count", "cpp_end"), "cpp_ceased_rate": ("rate", "cpp_end"),
    "cpp_at31": ("count", "cpp_at31"), "cpp_at31_rate": ("rate", "cpp_at31"),
    "cpp_second": ("count", "cpp_second"), "cpp_second_percent": ("pct", ("cpp_second", "cpp_start")),
    "cpp_2_years": ("count", "cpp_2_years"), "cpp_2_years_percent": ("pct", ("cpp_2_years", "cpp_at31")),
    "cpp_at31_3_months": ("count", "cpp_at31_3_months"), "cpp_reviewed": ("count", "cpp_reviewed"),
    "cpp_reviewed_percent": ("pct", ("cpp_reviewed", "cpp_at31_3_months")),
    **{band: ("count", band) for (within, beyond) in BANDS.values() for band in (*within[0], *beyond[0])},
    **{total: ("count", total) for total in WITHIN.values()},
    **{f"{total}_percent": ("pct", (total, measure)) for measure, total in WITHIN.items()},
}


def _path(measure: str, year: int) -> float | None:
    anchors = PATHS[measure]
    years = sorted(anchors)
    if not years[0] <= year <= years[-1]:
        return None
    lo = max(y for y in years if y <= year)
    hi = min(y for y in years if y >= year)
    return anchors[lo] if lo == hi else anchors[lo] + (anchors[hi] - anchors[lo]) * (year - lo) / (hi - lo)


def _share(name: str, z: float, need: float, rng) -> float:
    mean, spread, effect = SHARES[name]
    logit = math.log(mean / (1 - mean)) + spread * z + effect * math.log(need) + rng.gauss(0.0, 0.08)
    return 1.0 / (1.0 + math.exp(-logit))


class _CinWorld:
    """True CIN and child protection counts per English LA and year (the latest vintage)."""

    def __init__(self, model: Model, seed: int) -> None:
        self.m = model
        self.seed = seed
        self.years = range(2010, 2026)
        self.cells: dict[tuple[str, int], dict[str, float]] = {}
        self.pop = {(a, y): model.pop(a, y - 1) for a in model.english for y in self.years if model.exists(a, y)}
        self.need = {key: self._need(*key) for key in self.pop}
        self._counts()
        for key in self.cells:
            self._details(*key)

    def _need(self, aid: str, year: int) -> float:
        rate = self.m.count(aid, year, "cla") / self.pop[(aid, year)] * 10_000
        return max(0.3, rate / ENGLAND_PATH[year]) ** 0.6

    def _counts(self) -> None:
        m = self.m
        for measure in PATHS:
            effect = {a: clip(random_stream(self.seed, "cin-effect", measure, a).gauss(0.0, 0.12), 0.3) for a in m.english}
            for year in self.years:
                national = _path(measure, year)
                if national is None:
                    continue
                live = [a for a in m.english if (a, year) in self.need]
                expected = {}
                for aid in live:
                    rng = random_stream(self.seed, "cin-count", measure, aid, year)
                    expected[aid] = (rng, self.need[(aid, year)] ** ELASTICITY.get(measure, 1.0)
                                     * math.exp(effect[aid] + rng.gauss(0.0, 0.05)) * self.pop[(aid, year)])
                scale = national * sum(self.pop[(a, year)] for a in live) / 10_000 / sum(e for _, e in expected.values())
                for aid, (rng, e) in expected.items():
                    self.cells.setdefault((aid, year), {})[measure] = poisson(rng, e * scale)

    def _details(self, aid: str, year: int) -> None:
        v = self.cells[(aid, year)]
        rng = random_stream(self.seed, "cin-detail", aid, year)
        need = self.need[(aid, year)]
        z = {name: random_stream(self.seed, "cin-share", name, aid).gauss(0.0, 1.0) for name in SHARES}
        share = {name: _share(name, z[name], need, rng) for name in SHARES}

        def part(total: float, low: float, high: float) -> int:
            return int(round(total * rng.uniform(low, high)))

        v["cin_episodes_any"] = part(v["cin_child_any"], 1.05, 1.09)
        v["cin_child_started"] = part(v["cin_child_any"], 0.50, 0.56)
        v["cin_episodes_started"] = part(v["cin_child_started"], 1.05, 1.09)
        v["cin_child_ended"] = part(v["cin_child_any"], 0.45, 0.50)
        v["cin_episodes_ended"] = part(v["cin_child_ended"], 1.05, 1.08)
        v["cin_awaiting"] = part(v["cin_at31"], 0.02, 0.06)
        v["referrals_child"] = part(v["referrals"], 0.86, 0.92)
        for name in ("rereferrals", "nfa", "not_in_need"):
            key = name if name == "rereferrals" else f"referrals_{name}"
            v[key] = int(round(v["referrals"] * share[name]))
        v["rereferrals_child"] = part(v["rereferrals"], 0.80, 0.86)
        v["s47_child"] = part(v["s47"], 0.84, 0.90)
        v["icpc_child"] = part(v["icpc"], 0.97, 0.995)
        v["cpp_child_start"] = v["cpp_start"] - part(v["cpp_start"], 0.0, 0.01)
        v["cpp_end"] = part(v["cpp_start"], 0.95, 1.05)
        v["cpp_child_end"] = v["cpp_end"] - part(v["cpp_end"], 0.0, 0.01)
        v["cpp_any"] = v["cpp_at31"] + v["cpp_end"]
        v["cpp_child_any"] = part(v["cpp_any"], 0.98, 0.99)
        v["cpp_second"] = int(round(v["cpp_start"] * share["cpp_second"]))
        v["cpp_2_years"] = int(round(v["cpp_at31"] * share["cpp_2yrs"]))
        weights = [w * math.exp(rng.gauss(0.0, 0.1)) for w in CPP_DURATION_WEIGHTS]
        v.update(zip(CPP_DURATIONS, apportion(v["cpp_at31"] - v["cpp_2_years"], weights)))
        v["cpp_at31_3_months"] = v["cpp_at31"] - v["cpp_le_3m"]
        v["cpp_reviewed"] = int(round(v["cpp_at31_3_months"] * share["reviewed"]))
        for measure, ((within, w_in), (beyond, w_out)) in BANDS.items():
            if measure not in v:
                continue
            inside = int(round(v[measure] * share[f"{measure}_within"]))
            v.update(zip(within, apportion(inside, [w * math.exp(rng.gauss(0.0, 0.15)) for w in w_in])))
            v.update(zip(beyond, apportion(v[measure] - inside, [w * math.exp(rng.gauss(0.0, 0.15)) for w in w_out])))
            v[WITHIN[measure]] = inside
        slow = 1.0 - share["assessments_within"]
        v["assessments_median"] = round(24 + 40 * slow + rng.gauss(0.0, 2.0))
        v["assessments_p25"] = max(1, v["assessments_median"] - rng.randint(10, 15))
        v["assessments_p75"] = v["assessments_median"] + rng.randint(8, 14)
        v["icpc_median"] = 14 + (1 if share["icpc_within"] < 0.6 else 0)
        v["icpc_p25"] = v["icpc_median"] - rng.randint(1, 2)
        v["icpc_p75"] = v["icpc_median"] + rng.randint(1, 3)

    def vintage(self, aid: str, year: int, release: int) -> dict[str, float]:
        """An LA-year as ``release`` published it: older releases revise some headline counts by 1-2."""
        v = dict(self.cells[(aid, year)])
        if release < max(EES_RELEASES):
            for key in ("cin_at31", "referrals", "s47", "icpc", "cpp_start", "cpp_at31", "assessments"):
                rng = random_stream(self.seed, "cin-revision", release, aid, year, key)
                if key in v and v[key] >= 10 and rng.random() < 0.35:
                    v[key] += rng.choice((-2, -1, 1, 2))
        return v


def _aggregate(values: list[dict[str, float]]) -> dict[str, float]:
    """National or regional figures: sums of the LAs' counts, the median LA for durations."""
    out = {k: sum(v[k] for v in values) for k in values[0] if k not in DAYS}
    out.update({k: sorted(v[k] for v in values)[len(values) // 2] for k in DAYS})
    return out


def _fmt1(value: float) -> str:
    """One decimal as EES prints it: 587.7, 15 (not 15.0)."""
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _cell(kind: str, key, v: dict, pop: int | None, la: bool, small: str, fmt_count=str, fmt_rate=_fmt1):
    """One published cell: LA counts of 1-5 are ``small`` (c / x), aggregates rounded by the caller."""
    hidden = lambda n: la and 0 < n < 6  # noqa: E731 - a tiny local rule
    if kind == "count":
        return small if hidden(v[key]) else fmt_count(v[key])
    if kind == "rate":
        if hidden(v[key]):
            return small
        return "x" if pop is None else fmt_rate(v[key] / pop * 10_000)
    if kind == "pct":
        num, den = (v[k] for k in key)
        if hidden(num) or hidden(den):
            return small
        return "z" if den == 0 else fmt_rate(100 * num / den)
    return "z" if v[key] is None else str(int(v[key]))


class _CinWriter:
    def __init__(self, model: Model, files: DemoFiles) -> None:
        self.m = model
        self.files = files
        self.world = _CinWorld(model, model.seed)
        self._cache: dict[tuple[int, int], tuple[dict, dict, list]] = {}

    # -- EES ------------------------------------------------------------------------------------
    def _vintages(self, release: int, year: int, las: list) -> tuple[dict, dict, list]:
        """LA values and populations of a release-year, and its national and regional rows (shared by the tables)."""
        key = (release, year)
        if key not in self._cache:
            values = {aid: self.world.vintage(aid, year, release) for *_, aid, _ in las}
            pops = {aid: self._population(aid, year, release) for *_, aid, _ in las}
            groups = [("National", "", "", [aid for *_, aid, _ in las])]
            for code in EES_REGION_ORDER:
                members = [aid for *_, aid, p in las if code in p.ees_regions]
                groups.append(("Regional", code, self.m.region_names.get(code, ""), members))
            rows = [(level, code, name, _aggregate([values[a] for a in members]), sum(pops[a] or 0 for a in members))
                    for level, code, name, members in groups]
            self._cache[key] = (values, pops, rows)
        return self._cache[key]

    def _population(self, aid: str, year: int, release: int) -> int | None:
        if release >= 2024 and (self.m.last_valid_to(aid) or march_31(2100)) < march_31(2020):
            return None  # withdrawn after the re-basing on Census 2021
        mid = min(year - 1, 2020) if release == 2022 else year - 1
        return self.m.pop(aid, mid, rebased=release >= 2023)

    def ees_table(self, table: str, release: int) -> bytes:
        stem, first, category, columns = EES_TABLES[table]
        columns = [(h if release < 2025 else h25, kind, key) for h, h25, kind, key in columns
                   if release < 2025 or h25 is not None]
        category_header = "Category" if release == 2022 and table in CATEGORY_CAPITALISED_2022 else "category"
        rows: list[list[object]] = [GEOGRAPHY + [category_header] + [h for h, _, _ in columns]]
        empty = QUOTED_EMPTY if release == 2025 and table in QUOTED_EMPTY_2025 else ""
        order = {code: i for i, code in enumerate(EES_REGION_ORDER)}
        for year in range(release, first - 1, -1):
            las = []
            for aid in self.m.english:
                if (aid, year) in self.world.cells:
                    period = self.m.period_at(aid, march_31(year))
                    las.append((order[period.ees_region[0]], period.la_name, aid, period))
            las.sort(key=lambda t: t[:2])
            values, pops, groups = self._vintages(release, year, las)
            for level, rcode, rname, total, pop in groups:
                rcode, rname = (empty, empty) if level == "National" else (rcode, rname)
                cells = [_cell(kind, key, total, pop, False, "c", fmt_count=lambda n: str(round_to(n, 10)))
                         for _, kind, key in columns]
                rows.append([year, "Reporting year", level, "E92000001", "England", rcode, rname, "", empty, empty, category] + cells)
            for _, _, aid, p in las:
                rcode, rname = p.ees_region
                cells = [_cell(kind, key, values[aid], pops[aid], True, "c") for _, kind, key in columns]
                rows.append([year, "Reporting year", "Local authority", "E92000001", "England", rcode, rname,
                             p.la_code_3, p.la_code, p.la_name, category] + cells)
        text = csv_text(rows, "\r\n" if release == 2024 else "\n").replace(QUOTED_EMPTY, '""')
        return text.encode("utf-8-sig" if release == 2022 else "utf-8")

    def ees(self) -> None:
        for release in EES_RELEASES:
            for table, (stem, first, _, _) in EES_TABLES.items():
                if release < 2025 or table in EES_2025:
                    self.files.write(f"{EES_DIR.format(release=release)}{stem}_{first}_to_{release}.csv",
                                 self.ees_table(table, release))

    # -- SFR ------------------------------------------------------------------------------------
    def sfr(self) -> None:
        from csc_pipeline.catalog import load_catalog

        headers = yaml.safe_load(SFR_HEADERS.read_text(encoding="utf-8"))
        contract = load_contract("cin_sfr_underlying")
        paths = {e.period: e.mirror_path for e in load_catalog().family("cin_sfr_underlying")}
        for year in SFR_YEARS:
            header = headers[year]
            canonical = {h: found[0].name for h in header if (found := pattern_for(h, contract, str(year)))}
            self.files.write(paths[year], self.sfr_file(year, header, canonical))

    def sfr_file(self, year: int, header: list[str], canonical: dict[str, str]) -> bytes:
        m = self.m
        separators = year in (2010, 2011, 2013, 2015)
        count = (lambda n: f"{n:,}") if separators else str
        las = sorted((a for a in m.english if (a, year) in self.world.cells),
                     key=lambda a: int(m.period_at(a, march_31(year)).la_code_3))
        values = {a: self.world.cells[(a, year)] for a in las}
        pops = {a: m.pop(a, year - 1, rebased=False) for a in las}
        total = _aggregate(list(values.values()))
        national_base = 10 if year >= 2016 else 100

        def line(v: dict, pop: int, la: bool, ids: dict[str, str]) -> list[str]:
            out = []
            for h in header:
                name = canonical.get(h)
                if h in ids:
                    out.append(ids[h])
                elif re.fullmatch(r"Mid20\d\dPop0-?17", h):
                    out.append(count(round_to(pop, 100)))
                elif name in SFR_COLUMNS:
                    kind, key = SFR_COLUMNS[name]
                    fmt = count if la or kind != "count" else (lambda n, k=key: count(round_to(n, national_base)))
                    out.append(_cell(kind, key, v, pop, la, "x", fmt_count=fmt, fmt_rate=lambda r: f"{r:.1f}"))
                else:
                    out.append("x")
            return out

        national = {"geog_l": "National", "geog_c": "921" if year <= 2012 else "", "geog_n": "England",
                    "new_la_code": "E92000001" if year == 2016 else "E06000046"}
        rows = [header, line(total, sum(pops.values()), False, national)]
        for aid in las:
            p = m.period_at(aid, march_31(year))
            ids = {"geog_l": "LA", "geog_c": p.la_code_3, "geog_n": p.la_name, "new_la_code": p.la_code}
            rows.append(line(values[aid], pops[aid], True, ids))
        return csv_text(rows).encode("utf-8")


def write(model: Model, files: DemoFiles) -> None:
    """Every demo-mode CIN file of the catalog: EES releases 2022-2025 and the SFR underlying data 2010-2017."""
    cin = _CinWriter(model, files)
    cin.ees()
    cin.sfr()
