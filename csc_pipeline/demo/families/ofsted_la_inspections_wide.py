"""Demo files of the family ``ofsted_la_inspections_wide``: Ofsted's wide LA inspection history sheets.

Two files, one row per LA with its inspections side by side, LA names only, publication dates only:

- ``Childrens_social_care_in_England_2023_underlying_data.ods``, sheet ``LA_inspections_2009-2023``:
  SLAC (2009-2012), CPI / CPRI (2012-2013), TLAC (2013), SIF and SIF re-inspection (2014-2018),
  first and second ILACS; four note rows above the header (row 5), then below the current
  authorities a blank row, a "Table 11" title and a second table of authorities that no longer
  exist. Pre-November-2013 grades are printed on today's scale (no "Adequate"), as in the real file;
  '-' where an area was not judged (Isles of Scilly's looked after children, City of London's
  adoption).
- ``LA_Inspection_Outcomes_as_at_March_2024.ods``, sheet ``ILACS_inspections_2018-2024``: first and
  second ILACS only, header on row 4, the table of former authorities straight below.

ILACS inspections are the latent history (``csc_pipeline.demo.inspections``, the one behind the 2025
file), cut at each vintage's as-at date and publication deadline, so the three vintages agree where
they overlap.
Pre-ILACS judgements come from each LA's latent quality (deprivation and CLA rate, as for ILACS).
Every name, grade and date is synthetic.
"""

from __future__ import annotations

import datetime as dt
import random

from csc_pipeline.demo.formats import SYNTHETIC_NOTE, DemoFiles, ods_bytes
from csc_pipeline.demo.inspections import OFSTED_LINK, OFSTED_REGION, grade_for, inspection_history, nudge, ofsted_name
from csc_pipeline.demo.model import Model
from csc_pipeline.demo.numbers import random_stream

FAMILIES = ("ofsted_la_inspections_wide",)
CSC_2023_PATH = "ofsted/Childrens_social_care_in_England_2023_underlying_data.ods"
OUTCOMES_2024_PATH = "ofsted/LA_Inspection_Outcomes_as_at_March_2024.ods"
# (as at, reports published by): the vintage's cut-off, as its cover sheet states.
VINTAGE_2023 = (dt.date(2023, 3, 31), dt.date(2023, 4, 30))
VINTAGE_2024 = (dt.date(2024, 3, 31), dt.date(2024, 6, 30))
LA_TYPE = {"london_borough": "London Borough", "metropolitan_district": "Metropolitan District",
           "unitary_authority": "Unitary", "shire_county": "Shire County"}
# Spellings of the 2023/2024 files where they differ from the 2025 file's.
NAME_2023 = {"Bedford": "Bedford Borough"}
ISLES_OF_SCILLY, CITY_OF_LONDON = "E06000053", "E09000001"

SIF_AREAS = ("overall", "help and protection", "looked after and permanence", "adoption", "care leavers", "leadership")
CSC_2023_HEADER = [
    "Web link", "Local authority name", "LA region", "LA Authority Type",
    "Safeguarding & Looked After Children (SLAC) Inspection publication date",
    "SLAC Safeguarding Overall effectiveness (OE)", "SLAC Looked After Children Overall Effectiveness (OE)",
    "SLAC re-inspection of Safeguarding publication date", "SLAC re-inspection Safeguarding OE",
    "SLAC re-inspection of services for Children Looked After publication date",
    "SLAC re-inspection of services Children Looked After OE",
    "Child Protection Inspections (CPI) publication date", "CPI Overall Effectiveness (OE)",
    "Child Protection Re-Inspection (CPRI) publication date", "CPRI Overall Effectiveness (OE)",
    "Targeted Looked After Children (TLAC) inspection publication date", "TLAC Overall Effectiveness (OE)",
    "Single Inspection of LA Children's Services (SIF)  First SIF publication date",
    " First SIF Overall Judgement\n(OE)", " First SIF children who need help and protection ",
    " First SIF children looked after and achieving permanence ", " First SIF CLA Sub: Adoption Performance",
    " First SIF CLA Sub: Experiences and progress of care leavers", " First SIF leadership, management and governance",
    "LSCB Overall Effectiveness ",
    "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date",
    " SIF Re-inspection Overall Judgement\n(OE)", " SIF Re-inspection children who need help and protection ",
    " SIF Re-inspection children looked after and achieving permanence ",
    " SIF Re-inspection CLA Sub: Adoption Performance",
    " SIF Re-inspection CLA Sub: Experiences and progress of care leavers",
    " SIF Re-inspection leadership, management and governance",
]
ILACS_2023 = ("inspection type", "publication date", "overall effectiveness", "impact of leaders",
              "experiences and progress of children who need help and protection")
ILACS_2024 = ("publication date", "inspection type", "overall effectiveness", "impact of leaders",
              "experiences and progress of children who need help and protection",
              "experiences and progress of children in care", "experiences and progress of care leavers")


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return _weekday(first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days))))


def _region(region_code: str, region_name: str) -> str:
    return OFSTED_REGION.get(region_code, region_name).replace("the Humber", "The Humber")


class _History:
    """Pre-ILACS judgements per authority, and the authority's row labels in a vintage."""

    def __init__(self, model: Model) -> None:
        self.m = model
        self.seed = model.seed
        self.ilacs = inspection_history(model)

    def exists(self, aid: str, day: dt.date) -> bool:
        return self.m.period_at(aid, day) is not None

    def quality(self, aid: str) -> float:
        rng = random_stream(self.seed, "ofsted-pre-ilacs", aid)
        return -0.6 * self.m.dep(aid) + rng.gauss(-0.3, 0.75)

    def _grades(self, rng: random.Random, q: float, n: int, p: float = 0.3) -> list[str]:
        overall = grade_for(q + rng.gauss(0.0, 0.4))
        return [overall] + [nudge(overall, rng, p) for _ in range(n - 1)]

    def pre_ilacs(self, aid: str) -> list[object]:
        """The SLAC .. SIF re-inspection cells of the 2023 sheet (28 cells, None where none)."""
        rng = random_stream(self.seed, "ofsted-2009", aid)
        q = self.quality(aid)
        cells: list[object] = [None] * 28

        def judged(start: dt.date, end: dt.date) -> dt.date | None:
            day = _day_between(rng, start, end)
            return day if self.exists(aid, day) else None

        if slac := judged(dt.date(2009, 8, 3), dt.date(2012, 7, 27)):
            safeguarding, looked_after = self._grades(rng, q, 2)
            cells[0:3] = [slac, safeguarding, looked_after]
            if safeguarding == "Inadequate" and rng.random() < 0.6:
                cells[3:5] = [_weekday(slac + dt.timedelta(days=rng.randint(300, 500))), nudge("Requires improvement to be good", rng, 0.3)]
            elif looked_after == "Inadequate" and rng.random() < 0.5:
                cells[5:7] = [_weekday(slac + dt.timedelta(days=rng.randint(300, 500))), "Requires improvement to be good"]
        if rng.random() < 0.35 and (cpi := judged(dt.date(2012, 6, 1), dt.date(2013, 6, 28))):
            cells[7:9] = [cpi, self._grades(rng, q - 0.3, 1)[0]]
            if cells[8] == "Inadequate" and rng.random() < 0.3:
                cells[9:11] = [_weekday(cpi + dt.timedelta(days=rng.randint(150, 240))), "Inadequate"]
        if rng.random() < 0.03 and (tlac := judged(dt.date(2013, 7, 1), dt.date(2013, 9, 27))):
            cells[11:13] = [tlac, self._grades(rng, q - 0.5, 1)[0]]
        if sif := judged(dt.date(2014, 1, 6), dt.date(2017, 12, 15)):
            grades = self._grades(rng, q, 6)
            lscb = nudge(grades[0], rng, 0.4)
            cells[13:21] = [sif, *grades, lscb]
            if grades[0] == "Inadequate" and rng.random() < 0.6:
                again = _weekday(sif + dt.timedelta(days=rng.randint(700, 1000)))
                if again < dt.date(2018, 6, 30) and self.exists(aid, again):
                    cells[21:28] = [again, *self._grades(rng, q + 0.6, 6)]
        self._not_judged(self.m.periods[aid][-1].la_code, cells)
        return cells

    @staticmethod
    def _not_judged(code: str, cells: list[object]) -> None:
        """'-' where an area was not judged, as Ofsted prints it."""
        if code == ISLES_OF_SCILLY:
            for i in (2, 15, 16, 17):  # SLAC looked after children; SIF permanence, adoption, care leavers
                if cells[i] is not None:
                    cells[i] = "-"
        if code == CITY_OF_LONDON and cells[16] is not None:
            cells[16] = "-"

    def ilacs_of(self, aid: str, vintage: tuple[dt.date, dt.date]) -> list[dict[str, object]]:
        """The authority's ILACS inspections in a vintage: inspected by its as-at date and published
        by its deadline; the sheets have room for two (a third, rare before 2024, is left out)."""
        as_at, deadline = vintage
        return [r for r in self.ilacs if r["aid"] == aid and r["date"] <= as_at and r["published"] <= deadline][:2]

    def label(self, aid: str, as_at: dt.date) -> tuple[str, str, str, bool]:
        """(name, region, LA type, whether the authority still exists) as a vintage prints them."""
        period = self.m.period_at(aid, as_at) or self.m.periods[aid][-1]
        name = ofsted_name(period.la_name).replace(" & ", " and ")
        name = NAME_2023.get(name, name)
        return name, _region(period.region_code, period.region_name), LA_TYPE.get(period.la_type, ""), self.exists(aid, as_at)


def _csc_2023(history: _History) -> bytes:
    m = history.m
    as_at = VINTAGE_2023[0]
    current, former = [], []
    for aid in m.english:
        name, region, la_type, exists = history.label(aid, as_at)
        cells = history.pre_ilacs(aid)
        ilacs = history.ilacs_of(aid, VINTAGE_2023)
        if not exists and not any(c is not None for c in cells) and not ilacs:
            continue
        first = [ilacs[0]["type"], ilacs[0]["published"], *ilacs[0]["grades"][:4]] if ilacs else [None] * 6
        second = [ilacs[1]["type"], ilacs[1]["published"], *ilacs[1]["grades"]] if len(ilacs) > 1 else [None] * 7
        row = [OFSTED_LINK, name, region, la_type, *cells, *first]
        if exists:
            current.append((name, row + second))
        else:
            former.append(((m.last_valid_to(aid), name), row))
    header_2 = CSC_2023_HEADER + [f"ILACS framework {c}" for c in ILACS_2023] + [
        "ILACS framework experiences and progress of children in care and care leavers"]
    header_1 = CSC_2023_HEADER + [f"First ILACS framework {c}" for c in ILACS_2023] + [
        "First ILACS framework experiences and progress of children in care and care leavers"] + [
        f"Second ILACS framework {c}" for c in ILACS_2023] + [
        "Second ILACS framework experiences and progress of children in care",
        "Second ILACS framework experiences and progress of care leavers"]
    sheet = [
        ["Children's social care data in England 2023 - LA inspections 2009-2023"],
        [f"This worksheet contains two tables. The first table begins in cell A5, while the second table begins "
         f"in cell A{len(current) + 8} with one blank row inbetween the tables. {SYNTHETIC_NOTE}"],
        ["Column A includes a link to the Local Authority Webpage for each local authority, links will open in a new window."],
        ["Some cells in this table are empty because data was not provided to Ofsted. "],
        header_1,
        *[row for _, row in sorted(current, key=lambda r: r[0])],
        [],
        ["Table 11:History of inspections of local authorities that existed before the restructure"],
        header_2,
        *[row for _, row in sorted(former, key=lambda r: r[0])],
    ]
    cover = [["Cover sheet - Official statistics"], ["Section", "Detail"],
             ["Policy area:", "Children's social care data in England 2023"], ["Status:", SYNTHETIC_NOTE],
             ["Coverage:", "England"]]
    contents = [["Contents"], ["Worksheet title and link", "Description of contents of worksheet"],
                ["LA inspections 31 March 2009 to 01 April 2023",
                 "This is a list of all the local authorities in England and their inspection history from 31 March 2009 to 31 March 2023"]]
    return ods_bytes([("Cover", cover), ("Contents", contents), ("LA_inspections_2009-2023", sheet)],
                      title="Children's social care data in England 2023")


def _outcomes_2024(history: _History) -> bytes:
    m = history.m
    as_at = VINTAGE_2024[0]
    current, former = [], []
    for aid in m.english:
        ilacs = history.ilacs_of(aid, VINTAGE_2024)
        if not ilacs:
            continue
        name, region, _, exists = history.label(aid, as_at)
        cells: list[object] = [OFSTED_LINK, name, region]
        if exists:
            for r in (*ilacs, None)[:2]:
                cells += [r["published"], r["type"], *r["grades"]] if r else [None] * 7
            current.append((name, cells))
        else:  # one set of columns for a former authority: its latest inspection
            r = ilacs[-1]
            former.append((name, cells + [r["published"], r["type"], *r["grades"][:4]]))
    header_1 = ["Web link", "Local authority name", "LA region"] + [
        f"{n} ILACS {c}" for n in ("First", "Second") for c in ILACS_2024]
    header_2 = ["Web link", "Local authority name", "LA region"] + [
        f"ILACS framework {c}" for c in ILACS_2024[:5]] + [
        "ILACS framework experiences and progress of children in care and care leavers"]
    sheet = [
        ["ILACS inspections 2018-2024"],
        [f"This worksheet contains two tables with no blank rows or columns. The first table begins in cell A5, "
         f"while the second table (showing ILACS inspections of local authorities that no longer exist) begins in "
         f"cell A{len(current) + 6}. {SYNTHETIC_NOTE}"],
        ["Column A includes a link to the Local Authority Webpage for each local authority, links will open in a new window."],
        header_1,
        *[row for _, row in sorted(current, key=lambda r: r[0])],
        ["ILACS inspections of local authorities that existed before the restructure"],
        header_2,
        *[row for _, row in sorted(former, key=lambda r: r[0])],
    ]
    title = "Local authority inspection outcomes as at 31 March 2024"
    cover = [[title], ["Section", "Detail"], ["Status:", SYNTHETIC_NOTE], ["Coverage:", "England"],
             ["Period covered:", "Inspections as at 31 March 2024, with a report published by 30 June 2024"]]
    contents = [["Contents"], ["Worksheet title and link", "Description of contents of worksheet"],
                ["ILACS inspections 2018-2024", "All ILACS inspections since 2018; a separate table shows local "
                 "authorities that no longer exist."]]
    notes = [["Notes"], [SYNTHETIC_NOTE]]
    return ods_bytes([("Cover", cover), ("Contents", contents), ("Notes", notes), ("ILACS_inspections_2018-2024", sheet)],
                      title=title)


def write(model: Model, files: DemoFiles) -> None:
    history = _History(model)
    files.write(CSC_2023_PATH, _csc_2023(history))
    files.write(OUTCOMES_2024_PATH, _outcomes_2024(history))

