"""The latent Ofsted inspection history (ILACS, 2018-2025) of the demo world.

Both Ofsted families read it: the outcomes workbook as at 31 March 2025 and the older wide
vintages. An authority's grades follow its latent deprivation and CLA rate, improving a little at
each inspection; inspections fall on Mondays outside the Christmas break and the Covid pause.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from csc_pipeline.demo.model import ENGLAND_PATH, Model
from csc_pipeline.demo.numbers import random_stream, rate_per_10k

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
GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
CARE_LEAVERS_FROM = dt.date(2023, 1, 1)
OFSTED_AS_AT = dt.date(2025, 3, 31)
COVID_PAUSE = (dt.date(2020, 3, 16), dt.date(2021, 4, 12))
OFSTED_LINK = ("link", "https://example.invalid/csc-pipeline-demo/ofsted", "Ofsted Local Authority Webpage")


def inspection_history(model: Model) -> list[dict[str, object]]:
    """Every short and standard ILACS inspection of every English authority, by name and date."""
    m = model
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
        rng = random_stream(m.seed, "ofsted", aid)
        quality = -0.6 * m.dep(aid) - 0.5 * math.log(max(rates[aid], 0.2)) + rng.gauss(0.0, 0.75)
        span = min(3 * 365, max(0, (window_end - window_start).days - 30))
        day = window_start + dt.timedelta(days=rng.randint(0, span))
        previous: str | None = None
        n = 0
        while day <= window_end:
            day = inspection_monday(day)
            if day > window_end:
                break
            q = quality + 0.25 * n + rng.gauss(0.0, 0.45)
            overall = grade_for(q)
            kind = "ILACS Short Inspection" if (previous in GRADES[:2] or (previous is None and q > 0.2 and rng.random() < 0.6)) else "ILACS Standard Inspection"
            subs = [overall]
            subs.append(nudge(overall, rng, 0.15))
            subs.append(nudge(overall, rng, 0.35))
            subs.append(nudge(overall, rng, 0.35))
            subs.append(nudge(overall, rng, 0.35) if day >= CARE_LEAVERS_FROM else None)
            published = day + dt.timedelta(days=rng.randint(40, 63))
            while published.weekday() > 4:
                published += dt.timedelta(days=1)
            rows.append({
                "aid": aid, "code": shown.la_code, "name": ofsted_name(shown.la_name), "status": status,
                "region": OFSTED_REGION.get(shown.region_code, shown.region_name), "date": day,
                "published": published, "type": kind, "grades": subs,
            })
            previous, n = overall, n + 1
            gap = {"Inadequate": (800, 1100), "Requires improvement to be good": (1100, 1400)}.get(overall, (1250, 1600))
            day = day + dt.timedelta(days=rng.randint(*gap))
    rows.sort(key=lambda r: (r["name"], r["date"]))
    return rows


def inspection_monday(day: dt.date) -> dt.date:
    if COVID_PAUSE[0] <= day <= COVID_PAUSE[1]:
        day = COVID_PAUSE[1] + dt.timedelta(days=(day - COVID_PAUSE[0]).days % 120)
    if day >= dt.date(day.year, 12, 18):  # no inspections over Christmas and New Year
        day = dt.date(day.year + 1, 1, 8)
    elif day < dt.date(day.year, 1, 8):
        day = dt.date(day.year, 1, 8)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def grade_for(q: float) -> str:
    if q < -1.13:
        return "Inadequate"
    if q < -0.25:
        return "Requires improvement to be good"
    if q < 0.84:
        return "Good"
    return "Outstanding"


def nudge(grade: str, rng: random.Random, p: float) -> str:
    i = GRADES.index(grade)
    if rng.random() < p:
        i = min(3, max(0, i + rng.choice((-1, 1))))
    return GRADES[i]


def ofsted_name(name: str) -> str:
    """Ofsted's spellings: no ', City of' / ', County of', '&' in a few names, 'St' without a dot."""
    for suffix in (", City of", ", County of"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    name = name.replace("St. ", "St ")
    if name == "County Durham":
        name = "Durham"
    return name.replace("Telford and Wrekin", "Telford & Wrekin").replace("Christchurch and Poole", "Christchurch & Poole")
