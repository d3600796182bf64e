"""Synthetic Section 251 outturn files (DfE) in the real formats.

Written for every demo-mode entry of the ``s251_outturn_lines``, ``s251_ees_highlights`` and
``s251_ees_national`` families, at the catalog's mirror paths:

- Line-level outturn CSVs 2008-09 to 2013-14: each year's own header (``LEA Number:`` ... /
  ``LA``, ``LineNumber``, ``CYPServiceDescription`` ...), its own line numbers and labels (a subset
  of the real lines: the children looked after and family support lines and totals, youth justice,
  one early years or other services line, and both budget totals), CRLF, UTF-8 up to 2009-10 and
  Windows-1252 from 2010-11. 2008-09 prints the number inside the label and pads LA names with
  spaces; 2010-11 adds ReturnStatus; 2011-12 is sorted by line (not LA), lists the 2009 unitary
  authorities (822, 823, 895, 896) last and prints NULL for the breakdown of line 35 Youth
  Justice; 2012-13 and 2013-14 repeat the number in the label and add ReportGroup. The 2008-09
  file uses the authorities of 31 March 2010 (the demo world starts in 2010).
- EES highlights summary 2014-15 to 2019-20 (£ million, UTF-8 with BOM) and the national
  children's and young people's services file 2015-16 to 2021-22 (a subset of its lines).

Spend follows the latent world (``csc_pipeline.demo.spending``): children looked after cost about £42,000 a child a year in
2008-09 rising by 2.5% a year; family support and other services scale with the child population
and deprivation; the budget total is the sum of the lines.
"""

from __future__ import annotations

import datetime as dt

from csc_pipeline.catalog import load_catalog
from csc_pipeline.demo.formats import DemoFiles, csv_text
from csc_pipeline.demo.model import EES_REGION_ORDER, Model
from csc_pipeline.demo.numbers import random_stream
from csc_pipeline.demo.spending import childrens_services_spend

OUTTURN_FAMILY = "s251_outturn_lines"
HIGHLIGHTS_FAMILY = "s251_ees_highlights"
NATIONAL_FAMILY = "s251_ees_national"
FAMILIES = (OUTTURN_FAMILY, HIGHLIGHTS_FAMILY, NATIONAL_FAMILY)

# Per financial year ending 31 March: header, and the lines written as (number, label, part, report group).
# part: cla / fs (components of the totals), cla_total / fs_total, other, total_incl / total_excl.
_HEADER_0910 = ["LEA", "LEA Name", "Line", "S52 Line Reference", "Own Provision (y)", "Private (z(i))",
                "Other Public (z(ii))", "Voluntary (z(iii))", "Total Expenditure (k)", "Income (l)",
                "NET Current Expenditure (m)", "Govt. Grants Inside AEF (n)", "Govt. Grants Outside AEF (o)",
                "LEA NET Revenue Expenditure (p)"]
_HEADER_1112 = ["LA", "LA Name", "LineNumber", "CYPServiceDescription", "OwnProvision", "PrivateProvision",
                "OtherPublic", "Voluntary", "TotalExpenditure", "Income", "NetCurrentExpenditure",
                "GovGrantsInsideAEF", "GovGrantsOutsideAEF", "LEANetRevenueExpenditure"]
OUTTURN = {
    2009: {
        "header": ["LEA Number:", "LA Name:", "S52 Line Reference:", "PRIVATE (x)", "VOLUNTARY (y)", "PUBLIC (z)",
                   "TOTAL EXPENDITURE (k)", "INCOME (l)", "NET Current Expenditure (m)"],
        "lines": [(2, "Youth offender teams", "other", ""), (5, "Residential care", "cla", ""),
                  (6, "Fostering services", "cla", ""), (7, "Other children looked after services", "cla", ""),
                  (14, "Total Children Looked After", "cla_total", ""), (20, "Direct payments", "fs", ""),
                  (24, "Other family support services", "fs", ""), (28, "Total Family Support Services", "fs_total", ""),
                  (36, "Other childrens and families services", "other", ""),
                  (46, "TOTAL CHILDREN AND YOUNG PEOPLES SERVICES BUDGET (excluding CERA)", "total_excl", ""),
                  (47, "TOTAL CHILDREN AND YOUNG PEOPLES SERVICES BUDGET (including CERA)", "total_incl", "")],
    },
    2010: {
        "header": _HEADER_0910,
        "lines": [(2, "Youth offender teams", "other", ""), (5, "Residential care", "cla", ""),
                  (6, "Fostering services", "cla", ""), (7, "Other children looked after services", "cla", ""),
                  (17, "Total Children Looked After", "cla_total", ""), (23, "Direct payments", "fs", ""),
                  (27, "Other family support services", "fs", ""), (31, "Total Family Support Services", "fs_total", ""),
                  (34, "Other children's and families services", "other", ""),
                  (43, "TOTAL CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (including CERA)", "total_incl", ""),
                  (44, "TOTAL CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (excluding CERA)", "total_excl", "")],
    },
    2011: {
        "header": _HEADER_0910[:2] + ["ReturnStatus"] + _HEADER_0910[2:],
        "lines": [(2, "Youth offender teams", "other", ""), (6, "Spend by individual Sure Start Children's Centres", "other", ""),
                  (9, "Residential care", "cla", ""), (10, "Fostering services", "cla", ""),
                  (11, "Other children looked after services", "cla", ""),
                  (19, "Total Children Looked After", "cla_total", ""), (24, "Direct payments", "fs", ""),
                  (28, "Other family support services", "fs", ""), (30, "Total Family Support Services", "fs_total", ""),
                  (49, "TOTAL CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (including CERA)", "total_incl", ""),
                  (50, "TOTAL CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (excluding CERA)", "total_excl", "")],
    },
    2012: {
        "header": _HEADER_1112,
        "lines": [(1, "Spend by individual Sure Start Children's Centres", "other", ""), (4, "Residential care", "cla", ""),
                  (5, "Fostering services", "cla", ""), (6, "Other children looked after services", "cla", ""),
                  (12, "Total Children Looked After", "cla_total", ""), (17, "Direct payments", "fs", ""),
                  (21, "Other targeted family support", "fs", ""), (23, "Total Family Support Services", "fs_total", ""),
                  (35, "Youth Justice", "other", ""),
                  (37, "CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (Including CERA)", "total_incl", ""),
                  (38, "CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (excluding CERA)", "total_excl", "")],
    },
    2013: {
        "header": _HEADER_1112[:4] + ["ReportGroup"] + _HEADER_1112[4:],
        "lines": [(1, "1 Spend by individual Sure Start Children's Centres ", "other", "SURE START CHILDREN'S CENTRES"),
                  (5, "5 Residential care", "cla", "CHILDREN LOOKED AFTER"),
                  (6, "6 Fostering services", "cla", "CHILDREN LOOKED AFTER"),
                  (9, "9 Other children looked after", "cla", "CHILDREN LOOKED AFTER"),
                  (15, "15 Total Children Looked After", "cla_total", "CHILDREN LOOKED AFTER"),
                  (21, "21 Direct payments", "fs", "FAMILY SUPPORT SERVICES\t"),
                  (24, "24 Targeted family support", "fs", "FAMILY SUPPORT SERVICES\t"),
                  (26, "26 Total Family Support Services", "fs_total", "FAMILY SUPPORT SERVICES"),
                  (30, "30 Youth Justice", "other", "YOUTH JUSTICE"),
                  (32, "32 CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (Including CERA)", "total_incl", "SERVICES FOR YOUNG PEOPLE"),
                  (33, "33 CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (excluding CERA)", "total_excl", "SERVICES FOR YOUNG PEOPLE")],
    },
    2014: {
        "header": _HEADER_1112[:4] + ["ReportGroup"] + _HEADER_1112[4:],
        "lines": [(1, "1 Spend by individual Sure Start Children's Centres ", "other", "SURE START CHILDREN'S CENTRES AND EARLY YEARS"),
                  (6, "6 Residential care", "cla", "CHILDREN LOOKED AFTER"),
                  (7, "7 Fostering services", "cla", "CHILDREN LOOKED AFTER"),
                  (10, "10 Other children looked after services", "cla", "CHILDREN LOOKED AFTER"),
                  (16, "16 Total Children Looked After", "cla_total", "CHILDREN LOOKED AFTER"),
                  (22, "22 Direct payments", "fs", "FAMILY SUPPORT SERVICES"),
                  (25, "25 Targeted family support", "fs", "FAMILY SUPPORT SERVICES"),
                  (27, "27 Total Family Support Services", "fs_total", "FAMILY SUPPORT SERVICES"),
                  (31, "31 Youth Justice", "other", "YOUTH JUSTICE"),
                  (33, "33 CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (excluding CERA)", "total_excl", "SERVICES FOR YOUNG PEOPLE"),
                  (34, "34 CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (including CERA)", "total_incl", "SERVICES FOR YOUNG PEOPLE")],
    },
}
LATE_UNITARIES = ("822", "823", "895", "896")  # listed last in 2011-12

HIGHLIGHTS_YEARS = tuple(range(2015, 2021))
HIGHLIGHTS_HEADER = ["time_period", "time_identifier", "geographic_level", "country_name", "country_code",
                     "region_name", "region_code", "la_name", "old_la_code", "new_la_code", "ReportGroup",
                     "Description", "school_expenditure", "OtherEdComm", "cyps_spend", "NetExpend",
                     "NetExpendpPupil", "GrossExpend", "GrossExpendpPupil"]
NATIONAL_YEARS = tuple(range(2016, 2023))
NATIONAL_HEADER = ["time_period", "time_identifier", "geographic_level", "country_name", "country_code",
                   "category_of_expenditure", "description_of_expenditure", "own_provision", "private_provision",
                   "other_public_sector_provision", "voluntary_provision", "total_expenditure", "income",
                   "net_current_expenditure", "grants_inside_AEF", "grants_outside_AEF", "net_revenue_expenditure",
                   "per_capita_net_current_spend"]
NATIONAL_LINES = [
    ("Children looked after", "3.1.1 Residential care", "cla", 0.27),
    ("Children looked after", "3.1.2 Total Fostering services", "cla", 0.40),
    ("Children looked after", "3.1.11 Total Children Looked After", "cla_total", 1.0),
    ("Family support services", "3.4.6 Total Family Support Services", "fs_total", 1.0),
    ("Total", "5.0.2 Total Children and Young Peoples Services Expenditure (excluding CERA)", "total_excl", 1.0),
    ("Total", "5.0.3 Total Children and Young Peoples Services Expenditure (including CERA)", "total_incl", 1.0),
]


def write(model: Model, files: DemoFiles) -> None:
    catalog = load_catalog()
    spend = _Spend(model, model.seed)
    for entry in catalog.family(OUTTURN_FAMILY, "demo"):
        files.write(entry.mirror_path, spend.outturn_file(int(entry.period)))
    for entry in catalog.family(HIGHLIGHTS_FAMILY, "demo"):
        files.write(entry.mirror_path, spend.highlights_file(model.region_names))
    for entry in catalog.family(NATIONAL_FAMILY, "demo"):
        files.write(entry.mirror_path, spend.national_file())


class _Spend:
    def __init__(self, model, seed: int) -> None:
        self.m = model
        self.seed = seed
        self.rng = random_stream

    def authorities(self, year: int) -> list:
        """(authority id, period) in force on 31 March ``year`` (2010 geography for earlier years)."""
        day = dt.date(max(year, 2010), 3, 31)
        live = [(aid, self.m.period_at(aid, day)) for aid in self.m.english]
        return [(aid, p) for aid, p in live if p is not None]

    def _parts(self, total: float, key: tuple, n: int) -> list[float]:
        r = self.rng(self.seed, "s251-split", *key)
        weights = [r.uniform(0.5, 1.5) for _ in range(n)]
        return [total * w / sum(weights) for w in weights]

    def line_values(self, aid: str, year: int) -> dict[int, tuple[int, int]]:
        """(gross spend, income) in £ per written line number; totals are sums of their parts."""
        spec = OUTTURN[year]["lines"]
        spend = childrens_services_spend(self.m, aid, year)
        out: dict[int, tuple[int, int]] = {}
        for part in ("cla", "fs", "other"):
            numbers = [n for n, _, p, _ in spec if p == part]
            for n, value in zip(numbers, self._parts(spend[part], (aid, year, part), len(numbers))):
                gross = round(value)
                out[n] = (gross, round(gross * self.rng(self.seed, "s251-income", aid, year, n).uniform(0.02, 0.08)))
        members = {"cla_total": ("cla",), "fs_total": ("fs",), "total_excl": ("cla", "fs", "other"),
                   "total_incl": ("cla", "fs", "other")}
        for n, _, p, _ in spec:
            if p in members:
                parts = [out[k] for k, _, q, _ in spec if q in members[p]]
                out[n] = (sum(g for g, _ in parts), sum(i for _, i in parts))
        return out

    # -- line-level outturn -----------------------------------------------------------------------
    def outturn_file(self, year: int) -> bytes:
        spec = OUTTURN[year]
        header = spec["header"]
        las = sorted(self.authorities(year), key=lambda ap: ap[1].la_code_3)
        if year == 2012:
            las.sort(key=lambda ap: ap[1].la_code_3 in LATE_UNITARIES)
        keys = [(aid, p, line) for aid, p in las for line in spec["lines"]]
        if year == 2012:  # sorted by line, then LA
            keys.sort(key=lambda k: spec["lines"].index(k[2]))
        values = {aid: self.line_values(aid, year) for aid, _ in las}
        rows: list[list[object]] = [header]
        for aid, p, (number, label, _, group) in keys:
            gross, income = values[aid][number]
            net = gross - income
            if year == 2009:
                rows.append([p.la_code_3, f"{p.la_name} ", f"{number} {label}",
                             *self._split(gross, (aid, year, number), 3), gross, income, net])
                continue
            grants = round(net * self.rng(self.seed, "s251-grants", aid, year, number).uniform(0.0, 0.05))
            identity = [p.la_code_3, p.la_name] + (["Submitted"] if year == 2011 else [])
            line = [number, label] + ([group] if year >= 2013 else [])
            if year == 2012 and number == 35:  # breakdown not collected for youth justice
                rows.append(identity + line + ["NULL"] * 4 + [gross, income, net, "NULL", "NULL", "NULL"])
                continue
            rows.append(identity + line + self._split(gross, (aid, year, number), 4) + [gross, income, net, grants, 0, net - grants])
        return csv_text(rows, "\r\n").encode("utf-8" if year <= 2010 else "cp1252")

    def _split(self, gross: float, key: tuple, n: int) -> list[int]:
        parts = [round(x) for x in self._parts(gross, ("provision",) + key, n)]
        parts[-1] += round(gross) - sum(parts)
        return parts

    # -- EES ------------------------------------------------------------------------------------
    def _cyps_million(self, aid: str, year: int) -> float:
        spend = childrens_services_spend(self.m, aid, year)
        return (spend["cla"] + spend["fs"] + spend["other"]) / 1e6

    def highlights_file(self, region_names: dict[str, str]) -> bytes:
        regions = [c for c in EES_REGION_ORDER if c.startswith("E12")]
        rows: list[list[object]] = [HIGHLIGHTS_HEADER]

        def line(year: int, level: str, region: tuple[str, str], la: tuple[str, str, str], aids: list[str]) -> list[object]:
            cyps = sum(self._cyps_million(a, year) for a in aids)
            pupils = sum(self.m.pop(a, min(year - 1, 2024)) for a in aids) * 0.34
            r = self.rng(self.seed, "s251-hl", year, level, la[2] or region[1] or "E92000001")
            school = pupils * 5_300 * r.uniform(0.97, 1.03) / 1e6
            other_ed = school * r.uniform(0.08, 0.14)
            net = school * r.uniform(0.80, 0.86)
            gross = net * r.uniform(1.05, 1.09)
            period = f"{year - 1}{year % 100:02d}"
            tiny = pupils < 3_000
            per_pupil = [":", ":"] if tiny else [f"{net * 1e6 / pupils:.2f}", f"{gross * 1e6 / pupils:.2f}"]
            nets = [":", ":"] if tiny else [f"{net:.5f}", f"{gross:.5f}"]
            return [period, "Financial year", level, "England", "E92000001", region[0], region[1], la[0], la[1], la[2],
                    "Yearly totals", "Yearly totals", _sig(school), _sig(other_ed), _sig(cyps),
                    nets[0], per_pupil[0], nets[1], per_pupil[1]]

        for year in sorted(HIGHLIGHTS_YEARS, reverse=True):
            rows.append(line(year, "National", ("", ""), ("", "", ""), [a for a, _ in self.authorities(year)]))
        for code in regions:
            name = region_names.get(code, "")
            for year in sorted(HIGHLIGHTS_YEARS, reverse=True):
                aids = [a for a, p in self.authorities(year) if p.region_code == code]
                rows.append(line(year, "Regional", (name, code), ("", "", ""), aids))
            members = sorted({(p.la_code_3, aid) for y in HIGHLIGHTS_YEARS for aid, p in self.authorities(y)
                              if p.region_code == code})
            for _, aid in members:
                for year in sorted(HIGHLIGHTS_YEARS, reverse=True):
                    period = next((p for a, p in self.authorities(year) if a == aid), None)
                    if period is not None:
                        rows.append(line(year, "Local authority", (name, code),
                                         (period.la_name, period.la_code_3, period.la_code), [aid]))
        return csv_text(rows, "\n").encode("utf-8-sig")

    def national_file(self) -> bytes:
        rows: list[list[object]] = [NATIONAL_HEADER]
        for year in NATIONAL_YEARS:
            aids = [a for a, _ in self.authorities(min(year, 2025))]
            totals = {k: sum(childrens_services_spend(self.m, a, year)[k] for a in aids) / 1e6 for k in ("cla", "fs", "other")}
            parts = {"cla_total": totals["cla"], "fs_total": totals["fs"],
                     "total_excl": sum(totals.values()), "total_incl": sum(totals.values()) * 1.01}
            children = sum(self.m.pop(a, min(year - 1, 2024)) for a in aids)
            for category, description, part, share in NATIONAL_LINES:
                gross = totals["cla"] * share if part == "cla" else parts[part]
                r = self.rng(self.seed, "s251-nat", year, description)
                income = gross * r.uniform(0.03, 0.07)
                net = gross - income
                own = gross * r.uniform(0.4, 0.6)
                private = gross * r.uniform(0.2, 0.35)
                other_public = gross * 0.03
                voluntary = gross - own - private - other_public
                grants_in = net * r.uniform(0.0, 0.03)
                grants_out = "low" if part == "cla" else f"{net * 0.002:.2f}"
                net_revenue = "x" if part.startswith("total") else f"{net - grants_in:.2f}"
                rows.append([f"{year - 1}{year % 100:02d}", "Financial year", "National", "England", "E92000001",
                             category, description, f"{own:.2f}", f"{private:.2f}", f"{other_public:.2f}",
                             f"{voluntary:.2f}", f"{gross:.2f}", f"{income:.2f}", f"{net:.2f}", f"{grants_in:.2f}",
                             grants_out, net_revenue, round(net * 1e6 / children)])
        return csv_text(rows, "\n").encode("utf-8-sig")


def _sig(value: float) -> str:
    """Six significant figures, as the highlights file prints £ million."""
    return f"{value:.6g}"
