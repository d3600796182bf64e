"""Demo file of the family ``ofsted_ilacs_history``: Ofsted's local authority inspection outcomes as
at 31 March 2025 (ODS), from the latent inspection history (``csc_pipeline.demo.inspections``).

Format notes (as in the real file): six sheets; data sheets have a title row, a description row and
the header on row 3; dates are date cells; the web link is a HYPERLINK formula cell to a
placeholder URL.
"""

from __future__ import annotations

import datetime as dt

from csc_pipeline.demo.formats import SYNTHETIC_NOTE, Cell, DemoFiles, ods_bytes
from csc_pipeline.demo.inspections import OFSTED_AS_AT, OFSTED_LINK, inspection_history, inspection_monday
from csc_pipeline.demo.model import Model
from csc_pipeline.demo.numbers import random_stream

FAMILIES = ("ofsted_ilacs_history",)
OFSTED_PATH = "ofsted/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
OFSTED_TITLE = "Local authority inspection outcomes as at 31 March 2025"
OFSTED_JUDGEMENT_COLUMNS = (
    "Overall effectiveness",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
)


def write(model: Model, files: DemoFiles) -> None:
    history = inspection_history(model)
    files.write(OFSTED_PATH, ods_bytes(_ofsted_sheets(history, _focused_visits(model, history)), title=OFSTED_TITLE))


def _focused_visits(model: Model, history: list[dict[str, object]]) -> list[dict[str, object]]:
    year_start = dt.date(2024, 4, 1)
    inspected = {r["aid"] for r in history if year_start <= r["date"] <= OFSTED_AS_AT}
    themes = ("Children in need/subject to a plan", "Children in care", "Care leavers", "Front door")
    visits = []
    latest = {r["aid"]: r for r in history if r["status"] == "Current"}
    for aid, row in sorted(latest.items()):
        rng = random_stream(model.seed, "focused", aid)
        if aid in inspected or rng.random() > 0.45:
            continue
        day = inspection_monday(year_start + dt.timedelta(days=rng.randint(7, 340)))
        published = day + dt.timedelta(days=rng.randint(28, 40))
        while published.weekday() > 4:
            published += dt.timedelta(days=1)
        visits.append({**row, "date": day, "published": published, "type": "ILACS Focused Visit",
                       "grades": [None] * 5, "theme": rng.choice(themes)})
    return visits


def _ofsted_sheets(history: list[dict[str, object]], visits: list[dict[str, object]]) -> list[tuple[str, list[list[Cell]]]]:
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

    def line(r: dict[str, object], status: bool = True, region: bool = True) -> list[Cell]:
        head: list[Cell] = [link, r["code"], r["name"]]
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
