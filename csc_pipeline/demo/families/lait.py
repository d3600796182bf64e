"""Synthetic DfE LAIT files in the real formats: the whole data set (parquet) and its dictionary (CSV).

Format notes (as in the real files)
-----------------------------------
- ``bds_long_0.parquet``: columns Short Desc, Data item, Years, LA and Regions, Values (text, ``-``
  when missing), LA Number (a double: 301.0) and Region (``NA`` on England and region rows); one block
  per indicator and period label: the LAs by name, then England (970) and the regions (980-990, with
  986-988 London, Inner, Outer); ``Data item`` only on an indicator's first block; snappy, row groups
  of 32,768. Whole numbers print without decimals, aggregates with R's 17 significant digits.
  The 2024-11-15 refresh repeats one block of rows verbatim, as the real one does.
- ``lait_data_dictionary.csv``: UTF-8, CRLF, every text field quoted except R's bare ``NA``; paragraph
  breaks inside fields are ``\\r\\r\\n``; a measure shown under two topics has two rows.

Values come from the latent model: children looked after are the model's counts and rates (the same
numbers as the demo EES releases, so the LAIT cross-check agrees), the other indicators follow the
LA's latent deprivation. Label years: ``Y`` is the year ending 31 March Y, except the workforce
measure (30 September Y). The child poverty share is on an "old basis" (2016-2023) in the 2024 refresh
and a re-based series from 2022 only in the 2026 refresh, like the real LAIT.
"""

from __future__ import annotations

import csv
import io
import math

import pyarrow as pa
import pyarrow.parquet as pq

from csc_pipeline.demo.formats import DemoFiles
from csc_pipeline.demo.model import Model, march_31
from csc_pipeline.demo.numbers import random_stream, rate_per_10k

FAMILIES = ("lait", "lait_dictionary")
LAIT_PATH = "dfe/lait/{refresh}/bds_long_0.parquet"
DICTIONARY_PATH = "dfe/lait/2026-04-08/lait_data_dictionary.csv"
REFRESHES = ("2024-11-15", "2026-04-08")

# short desc, topic, measure, polarity, y axis, year type, generator, years per refresh
#   generator: ("cla", measure) count | ("cla_rate", measure) rate per 10,000 |
#              ("share", base, dep effect, low, high) percentage or score | ("per_child", per 10,000 0-17)
_LATEST = tuple(range(2016, 2026))
INDICATORS = (
    ("LAC", "Children Looked After", "Children looked after rate per 10,000", "-", "Rate per 10,000", "Annual", ("cla_rate", "cla")),
    ("LACnum", "Children Looked After", "Number of Children looked after", "-", "Number of Children Looked After", "Annual", ("cla", "cla")),
    ("LACnum_Start", "Children Looked After", "Number of children who started to be looked after", "-", "Number of Children Looked After", "Financial Year", ("cla", "started")),
    ("LAC_Start_Rate", "Children Looked After", "Rate of Children starting to be looked after each year", "-", "Rate per 10,000", "Financial Year", ("cla_rate", "started")),
    ("LACceased", "Children Looked After", "Number of children who ceased to be looked after during the year", "-", "Number of Children Looked After", "Financial Year", ("cla", "ceased")),
    ("LAC_Cease_Rate", "Children Looked After", "Rate of Children ceasing to be looked after each year", "-", "Rate per 10,000", "Financial Year", ("cla_rate", "ceased")),
    ("LACStable_2016on", "Children Looked After", "Placement 1 - % CLA with three or more placements", "Low", "% with 3 or more placements", "Financial Year", ("share", 10.0, 0.10, 2, 25)),
    ("LAC_LongStable%", "Children Looked After", "Long Term Placement Stability (%)", "High", "% Children Looked After", "Financial Year", ("share", 70.0, -0.05, 40, 95)),
    ("LACDistance", "Children Looked After", "CLA placed more than 20 miles from home, outside LA boundary (%)", "Low", "% Children Looked After", "Financial Year", ("share", 15.0, -0.15, 2, 45)),
    ("LAC_Foster_Placements", "Children Looked After", "% of CLA in foster care", "High", "% Children Looked After", "Financial Year", ("share", 70.0, 0.02, 45, 90)),
    ("Children_missing", "Children Looked After", "% Children looked after who were missing", "-", "% of children", "Financial Year", ("share", 11.0, 0.15, 1, 30)),
    ("Unacc_Asylmn_Seek_Childn", "Children Looked After", "Number of unaccompanied Asylum Seeking Children looked after", "-", "Number of Children", "Financial Year", ("per_child", 4.0)),
    ("LACHealth%", "Children Looked After", "Percentage of CLA having Health Checks", "High", "% of Children Looked After", "Financial Year", ("share", 89.0, -0.02, 60, 100)),
    ("LACDental%", "Children Looked After", "Percentage of CLA having Dental Checks", "High", "% of Children Looked After", "Financial Year", ("share", 80.0, -0.03, 40, 100)),
    ("Emotional_LAC", "Children Looked After", "Emotional Health of Looked after Children", "Low", "Score", "Financial Year", ("share", 14.0, 0.05, 10, 19)),
    ("LACSubstance", "Children Looked After", "% of CLA Substance misuse", "Low", "% of Children Looked After", "Financial Year", ("share", 3.0, 0.25, 0, 12)),
    ("LAC_Convictions", "Children Looked After", "Children looked after who are convicted or subject to a youth caution (%)", "Low", "% of Children Looked After", "Financial Year", ("share", 3.0, 0.20, 0, 10)),
    ("LAC_KS4_AVG_Attain8", "Children Looked After", "CLA Key Stage 4 - AVG Attainment 8 score", "High", "Average Score", "Academic Year", ("share", 20.0, -0.08, 10, 32)),
    ("LAC_KS2_ExpStd_RWM", "Children Looked After", "CLA Key Stage 2 - Expected Std Reading, Writing & Maths", "High", "% achieving expected standard", "Academic Year", ("share", 35.0, -0.10, 5, 70)),
    ("LAC_Over_Abs", "Children Looked After", "CLA Overall Absence", "Low", "% half days missed", "Academic Year", ("share", 6.5, 0.10, 3, 14)),
    ("LAC_Pers_Abs", "Children Looked After", "Percentage of CLA who are classed as persistent absentees", "Low", "% of Children Looked After", "Academic Year", ("share", 14.0, 0.12, 4, 35)),
    ("LAC_Fixed_ Ex", "Children Looked After", "Percentage of CLA pupil with at least one fixed exclusion", "Low", "% of Children Looked After", "Academic Year", ("share", 11.0, 0.10, 2, 25)),
    ("%_of LAC Adopted", "Adoption", "Percentage of CLA adopted in year", "High", "% of Children Looked After", "Financial Year", ("share", 10.0, 0.05, 2, 25)),
    ("No_of LAC Adopted", "Adoption", "Number of CLA adopted in year", "-", "Number of Children Looked After", "Financial Year", ("per_child", 0.6)),
    ("LAC_ceased_SGO", "Children Looked After", "CLA ceased because of a Special Guardianship Order - Total (Num)", "NA", "Number ceased", "Financial Year", ("per_child", 0.9)),
    ("CareLeaverEET", "Children Looked After", "Care Leavers - Education, Employment & Training (EET) (%)", "High", "% of leavers", "Financial Year", ("share", 55.0, -0.08, 25, 85)),
    ("CareLeaverAcc", "Children Looked After", "Care Leavers - Suitable accommodation (%)", "High", "% of leavers", "Financial Year", ("share", 88.0, -0.03, 60, 100)),
    ("StayingPut", "Children Looked After", "Care Leavers - Staying with their former foster carers (%)", "High", "% of young people", "Financial Year", ("share", 28.0, 0.0, 5, 70)),
    ("ChildPov", "Economic Factors", "Percentage of children in low income families", "Low", "% of children", "Financial Year", ("share", 20.0, 0.35, 4, 45)),
    ("16-17 NEET", "Economic Factors", "16-17 NEET (from 2016)", "Low", "% of 16 - 17 year olds", "Financial Year", ("share", 3.0, 0.25, 0.5, 9)),
    ("PriFSM", "Economic Factors", "Primary Free School Meals", "NA", "% of pupils", "Annual - January", ("share", 18.0, 0.35, 3, 45)),
    ("SecFSM", "Economic Factors", "Secondary Free School Meals", "NA", "% of pupils", "Annual - January", ("share", 16.0, 0.35, 3, 45)),
    ("FirstYJS", "Youth Offending", "First Time entrants to the Youth Justice System", "Low", "Rate per 100,000 of 10-17 population", "Calendar Year", ("share", 180.0, 0.20, 40, 500)),
    ("Under18concep", "Health and Wellbeing", "Under 18 Conception rates", "Low", "Rate per 1000 15 - 17 year olds", "Calendar Year", ("share", 15.0, 0.25, 3, 40)),
    ("InfMort", "Health and Wellbeing", "Infant Mortality", "Low", "Rate per 1000 live births", "Calendar Year", ("share", 3.8, 0.15, 1, 8)),
    ("HospAd0-14", "Health and Wellbeing", "Emergency Hospital Admissions 0-14yr olds", "Low", "Rate per 10,000", "Financial Year", ("share", 90.0, 0.15, 40, 200)),
    ("Work_Force_Vac_Rate", "Children's Services Workforce", "Percentage of social worker vacancies", "Low", "% vacancies", "Annual (end of Sept)", ("share", 16.0, 0.10, 0, 45)),
)
# The 2024-11-15 refresh: fewer indicators, a year earlier, and the child poverty share on its old basis.
OLDER_REFRESH = {"LAC": tuple(range(2015, 2025)), "LACnum": tuple(range(2015, 2025)), "ChildPov": tuple(range(2016, 2024))}
CHILDPOV_LATEST_YEARS = (2022, 2023, 2024, 2025)
DUPLICATED_BLOCK = ("LACnum", 2015)  # repeated verbatim in the 2024-11-15 refresh

REGION_ROWS = (  # LA Number, name as LAIT prints it, region code or London subregion
    (980, "North East", "E12000001"), (981, "North West", "E12000002"), (982, "Yorkshire and the Humber", "E12000003"),
    (983, "East Midlands", "E12000004"), (984, "West Midlands", "E12000005"), (985, "East of England", "E12000006"),
    (986, "London", "E12000007"), (987, "London (Inner)", "Inner London"), (988, "London (Outer)", "Outer London"),
    (989, "South East", "E12000008"), (990, "South West", "E12000009"),
)
SCHEMA = pa.schema([
    ("Short Desc", pa.string()), ("Data item", pa.string()), ("Years", pa.string()), ("LA and Regions", pa.string()),
    ("Values", pa.string()), ("LA Number", pa.float64()), ("Region", pa.string()),
])
DICTIONARY_HEADER = (
    "Measure_code", "Topic", "Measure", "Chart_title", "Measure_short", "Polarity", "y_axis_name", "state_funded_flag",
    "Table_status", "Description", "Last Update", "Next Update", "Data Owner (DO) /Supplier and Contact Details",
    "Methodology", "Hyperlink(s)", "dps", "Year_Type", "No_Quartile",
)
SECOND_TOPIC = {"LAC_Over_Abs": "All Pupil Absence & Exclusions"}


def _number(value: float, aggregate: bool = False) -> str:
    if float(value).is_integer():
        return str(int(value))
    return format(value, ".17g") if aggregate else repr(round(value, 1))


class _Lait:
    def __init__(self, model) -> None:
        self.m, self.rng, self.rate, self.march31 = model, random_stream, rate_per_10k, march_31
        years = range(2015, 2027)
        las = [a for a in model.english if any(model.exists(a, y) for y in years)]
        self.las = sorted(las, key=self.name)  # LAIT lists LAs by name
        self.dep = {a: model.dep(a) for a in las}
        self.exists = {(a, y): model.exists(a, y) for a in las for y in years}
        self.members = {
            (group, y): [a for a in self.las if group is None or group in self._regions_of(a, y)]
            for group in (None, *(r[2] for r in REGION_ROWS)) for y in years
        }
        self.code3 = {a: float(model.periods[a][-1].la_code_3) for a in las}
        self.region = {a: model.periods[a][-1].london_subregion or model.periods[a][-1].region_name for a in las}

    def name(self, aid: str) -> str:
        period = self.m.periods[aid][-1]
        gone = period.valid_to is not None and period.valid_to.year == 2019
        return f"{period.la_name} (Pre LG)" if gone else period.la_name

    def _regions_of(self, aid: str, year: int) -> set[str]:
        period = self.m.period_at(aid, self.march31(year)) or self.m.periods[aid][-1]
        return {period.region_code, period.london_subregion}

    def series(self, indicator: tuple, refresh: str, years: tuple[int, ...]) -> dict[tuple[str, int], float | None]:
        """Each LA's value per (LA, year ending 31 March); None where LAIT shows '-'."""
        m = self.m
        short, spec = indicator[0], indicator[6]
        kind = spec[0]
        out: dict[tuple[str, int], float | None] = {}
        for aid in self.las:
            rng = self.rng(m.seed, "lait", short, aid, refresh if short == "ChildPov" else "")
            for year in years:
                draw, noise = rng.random(), rng.gauss(0, 1)
                if not self.exists[(aid, year)]:
                    out[(aid, year)] = None
                elif kind in ("cla", "cla_rate"):
                    n, pop = m.count(aid, year, spec[1]), m.pop(aid, year - 1)
                    small = pop < 3_000 and 0 < n < 6  # small numbers: LAIT shows '-'
                    out[(aid, year)] = None if small else float(n) if kind == "cla" else float(self.rate(n, pop))
                elif draw < 0.03 and m.untouched(aid):  # no gaps where boundaries change
                    out[(aid, year)] = None
                elif kind == "per_child":
                    pop = m.pop(aid, min(year, 2024) - 1)
                    out[(aid, year)] = float(max(0, round(spec[1] * pop / 10_000 * math.exp(0.3 * noise))))
                else:
                    _, base, effect, low, high = spec
                    trend = 1 + 0.01 * (year - 2020)
                    if short == "ChildPov" and refresh == REFRESHES[-1]:
                        trend *= 1.08  # DWP's re-based series
                    value = base * trend * math.exp(effect * self.dep[aid] + 0.08 * noise)
                    out[(aid, year)] = round(min(high, max(low, value)), 1)
        return out

    def block(self, indicator: tuple, label_year: int, year: int, values: dict, first: bool) -> list[tuple]:
        short, _, measure, _, _, _, spec = indicator
        measure = measure if first else None
        rows = []
        for aid in self.las:
            value = values[(aid, year)]
            rows.append((short, measure, str(label_year), self.name(aid), "-" if value is None else _number(value),
                         self.code3[aid], self.region[aid]))
        for number, name, group in ((970, "England", None), *REGION_ROWS):
            members = [a for a in self.members[(group, year)] if values[(a, year)] is not None]
            if not members:
                value = None
            elif spec[0] == "cla_rate":
                total = sum(self.m.count(a, year, spec[1]) for a in members)
                value = total / sum(self.m.pop(a, year - 1) for a in members) * 10_000
            elif spec[0] in ("cla", "per_child"):
                value = sum(values[(a, year)] for a in members)
            else:
                value = sum(values[(a, year)] for a in members) / len(members)
            shown = "-" if value is None else _number(value, aggregate=True)
            rows.append((short, measure, str(label_year), name, shown, float(number), "NA"))
        return rows

    def data_set(self, refresh: str) -> bytes:
        rows: list[tuple] = []
        for indicator in INDICATORS:
            short = indicator[0]
            if refresh == REFRESHES[0]:
                years = OLDER_REFRESH.get(short, ())
            else:
                years = CHILDPOV_LATEST_YEARS if short == "ChildPov" else _LATEST
            # A workforce label Y is 30 September Y, which falls in the year ending 31 March Y + 1.
            shift = 1 if indicator[5] == "Annual (end of Sept)" else 0
            values = self.series(indicator, refresh, tuple(y + shift for y in years))
            for i, year in enumerate(years):
                block = self.block(indicator, year, year + shift, values, first=i == 0)
                rows += block
                if refresh == REFRESHES[0] and (short, year) == DUPLICATED_BLOCK:
                    rows += block
        columns = list(zip(*rows))
        table = pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, SCHEMA)], schema=SCHEMA)
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="snappy", row_group_size=32_768)
        return buffer.getvalue()


def _dictionary(rng) -> bytes:
    lines = [",".join(f'"{h}"' for h in DICTIONARY_HEADER)]
    for code, (short, topic, measure, polarity, axis, year_type, _) in enumerate(INDICATORS, start=1):
        updated = 45_600 + rng.randint(0, 400)  # spreadsheet day numbers, as LAIT prints them
        for shown_under in (topic, SECOND_TOPIC.get(short)):
            if shown_under is None:
                continue
            cells = [
                str(code), shown_under, measure, f"{measure} (synthetic demo)", short, polarity, axis, None,
                "synthetic demo table", f"SYNTHETIC DEMO DATA: {measure}.", str(updated), str(updated + 365),
                "DfE (synthetic)",
                "Synthetic demo methodology.\r\r\n\r\r\nNot official statistics.", None, None, year_type, None,
            ]
            lines.append(",".join("NA" if c is None else _quoted(c) for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _quoted(text: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="").writerow([text])
    return buffer.getvalue()


def write(model: Model, files: DemoFiles) -> None:
    """Both LAIT refreshes (parquet) and the 2026-04-08 data dictionary, at their mirror paths."""
    lait = _Lait(model)
    for refresh in REFRESHES:
        files.write(LAIT_PATH.format(refresh=refresh), lait.data_set(refresh))
    files.write(DICTIONARY_PATH, _dictionary(lait.rng(model.seed, "lait_dictionary")))
