"""The latent spending on children's services of the demo world (Section 251 and revenue outturn).

Children looked after cost about £42,000 a child a year in 2008-09, rising by 2.5% a year; family
support and other services scale with the child population and deprivation. The S251 and RO3/RSX
family writers both show it, so their files agree with each other.
"""

from __future__ import annotations

import math

from csc_pipeline.demo.model import Model
from csc_pipeline.demo.numbers import random_stream


def childrens_services_spend(model: Model, aid: str, year: int) -> dict[str, float]:
    """Gross spend in £ on the parts of the budget (children looked after ``cla``, family support
    ``fs``, ``other``), for the financial year ending 31 March ``year``."""
    la = random_stream(model.seed, "s251-la", aid)
    r = random_stream(model.seed, "s251", aid, year)
    cla = model.count(aid, min(max(year, 2010), 2025), "cla")
    children = model.pop(aid, min(max(year - 1, 2009), 2024))
    cost = 42_000 * 1.025 ** (year - 2009) * math.exp(la.gauss(0, 0.15) + r.gauss(0, 0.05))
    dep = model.dep(aid)
    cla_spend = cla * cost
    family_support = children * 40 * (1 + 0.2 * dep) * math.exp(la.gauss(0, 0.2) + r.gauss(0, 0.08))
    other = children * 260 * math.exp(0.1 * dep + la.gauss(0, 0.15) + r.gauss(0, 0.05))
    return {"cla": max(cla_spend, 1_000.0), "fs": max(family_support, 1_000.0), "other": other}
