"""Synthetic children-in-low-income-families files in the real formats (DWP Stat-Xplore, PHE Fingertips).

Format notes (as in the real files)
-----------------------------------
- Stat-Xplore exports: UTF-8 without BOM, LF; "Stat-Xplore", a blank line, the quoted table title,
  "<rows> by <columns>", "Counting: <measure>", a blank line, "Filters:" and the summation line, a
  blank line, then the table; after it two blank lines, an "INFO" line, two blank lines, a
  ``Symbol,Description`` block, two blank lines and the source line. Text cells quoted, numbers
  not; every table line ends with a comma (an empty last column).
  - long layout (absolute low income): ``Counting, National - Regional - LA - OAs, Year, Count,
    Annotations`` and one line per area and year;
  - wide layout (relative low income): ``Year`` then each year and its ``<year> - Annotations``
    column, a line naming the row dimension, one line per area; by name or by GSS code.
  Areas: English and Welsh upper-tier authorities on the geography of the export (Welsh names as
  "English / Welsh"), some Scottish and Northern Irish councils, ``Unknown`` (``..``) and ``Total``.
  The latest year is provisional: ``2020/21 (p)``.
- The re-saved export (``children_in_rel_pov.csv``): UTF-8 *with* BOM, LF, the title a multi-line
  quoted cell, every line padded with commas to the table width, an empty first column, no
  annotation columns, no notes and no final newline.
- Fingertips extract: ``area_code,area_name,period,value,indicator,measure,unit,significance``,
  LF, unquoted; districts (E07), unitary, metropolitan and London authorities, Greater Manchester
  (E47) and England, on the geography of 2018; ``NA`` for a missing value.

Counts follow the model's child population and latent deprivation; a later release revises the
series slightly, and the 2025 table re-bases it (about 10% higher), as DWP did.
"""

from __future__ import annotations

import csv
import io
import math

from csc_pipeline.demo.formats import DemoFiles
from csc_pipeline.demo.model import Model, march_31
from csc_pipeline.demo.numbers import random_stream

FAMILIES = ("dwp_children_low_income", "hmrc_children_low_income")
BASE = "dwp/low_income/"
ABSOLUTE_PATH = BASE + "children-abs-low-inc-utla-2015-21.csv"
RELATIVE_PATH = BASE + "children-rel-low-inc-utla-2015-21.csv"
RELATIVE_CODES_PATH = BASE + "children-relative-low-income-0-19-2015-22-code.csv"
RELATIVE_RESAVED_PATH = BASE + "children_in_rel_pov.csv"
FINGERTIPS_PATH = BASE + "fingertips_10101_children_in_low_income_families_district_UA_2006_2016__traffordDataLab.csv"

ROWS_LABEL = "National - Regional - LA - OAs"
OTHER_NATIONS = (("Fife", "S12000047"), ("Highland", "S12000017"), ("Belfast", "N09000003"))
# (release, geography year, last financial year ending, revision scale)
RELEASES = {"2022": (2022, 2021, 1.0), "2023": (2023, 2022, 1.01), "2025": (2025, 2024, 1.10)}
FINGERTIPS_YEARS = tuple(range(2006, 2017))
ORDER = {code: i for i, code in enumerate((
    "E12000001", "E12000002", "E12000003", "E12000004", "E12000005", "E12000006", "E12000007",
    "E12000008", "E12000009", "",
))}


def _fy(end: int) -> str:
    return f"{end - 1}/{str(end)[2:]}"


def _line(cells: list[object]) -> str:
    """A Stat-Xplore line: text quoted, numbers and '..' bare, empty cells empty, a trailing comma."""
    return ",".join(str(c) if isinstance(c, int) or c in ("..", "") else f'"{c}"' for c in cells) + ","


class _LowIncome:
    def __init__(self, model) -> None:
        self.m, self.rng, self.march31 = model, random_stream, march_31

    def areas(self, year: int) -> list[tuple[str, object]]:
        """Authorities in force on 31 March ``year``: English by region (unitaries before counties), then Welsh."""
        m = self.m
        live = [(a, m.period_at(a, self.march31(year))) for a in m.ids if m.exists(a, year)]
        return sorted(live, key=lambda ap: (
            ap[1].nation != "England", ORDER.get(ap[1].region_code, 99), ap[1].la_type == "shire_county", ap[1].la_name,
        ))

    def share(self, aid: str, end: int, measure: str) -> float:
        """Share of children in low-income families in the financial year ending 31 March ``end``."""
        rng = self.rng(self.m.seed, "low_income", measure, aid, end)
        level = 0.17 if measure == "relative" else 0.15
        trend = 1 + 0.03 * (end - 2015) - (0.05 if end == 2021 else 0.0)
        return min(0.6, level * trend * math.exp(0.3 * self.m.dep(aid) + rng.gauss(0, 0.04)))

    def count(self, aid: str, end: int, measure: str, release: str) -> int:
        scale = RELEASES[release][2]
        return int(round(self.m.pop(aid, end - 1) * self.share(aid, end, measure) * scale))

    def table(self, release: str, measure: str, by_code: bool = False) -> tuple[list[tuple[str, list[object]]], list[str]]:
        """(area label, counts per year) rows and the year labels of one Stat-Xplore table."""
        geography_year, last, _ = RELEASES[release]
        years = list(range(2015, last + 1))
        labels = [_fy(y) + (" (p)" if y == last else "") for y in years]
        rows = []
        for aid, period in self.areas(geography_year):
            if by_code:
                label = period.la_code
            elif period.nation == "Wales":
                label = f"{period.la_name} / {period.la_name}"
            else:
                label = period.la_name
            rows.append((label, [self.count(aid, y, measure, release) for y in years]))
        for name, code in OTHER_NATIONS:
            rng = self.rng(self.m.seed, "low_income_other", name, measure)
            rows.append((code if by_code else name, [int(rng.uniform(3_000, 25_000)) for _ in years]))
        rows.append(("ZZXXXXXXX" if by_code else "Unknown", [".."] * len(years)))
        rows.append(("Total", [sum(r[1][i] for r in rows if r[1][i] != "..") for i in range(len(years))]))
        return rows, labels

    @staticmethod
    def _title(measure: str) -> list[str]:
        name = f"{measure.title()} Low Income"
        return ["Stat-Xplore", "", f'"{name} (I II III IV V VI)"', f'"{ROWS_LABEL} by Year"', f'"Counting: {name}"',
                "", "Filters:", f'"Default Summation","{name}"', ""]

    @staticmethod
    def _notes() -> list[str]:
        return ["", "", '"INFO","SYNTHETIC DEMO DATA generated by csc-pipeline: not official statistics."', "", "",
                "Symbol,Description", '"I",""".."" denotes a nil or negligible number of children."',
                '"p","Figures marked ""p"" are provisional."', "", "", "Source: csc-pipeline demo generator (synthetic)"]

    def long_export(self, release: str, measure: str) -> bytes:
        rows, labels = self.table(release, measure)
        name = f"{measure.title()} Low Income"
        lines = self._title(measure) + [_line(["Counting", ROWS_LABEL, "Year", "Count", "Annotations"])]
        for label, counts in rows:
            lines += [_line([name, label, year, count]) for year, count in zip(labels, counts)]
        return ("\n".join(lines + self._notes()) + "\n").encode("utf-8")

    def wide_export(self, release: str, measure: str, by_code: bool = False) -> bytes:
        rows, labels = self.table(release, measure, by_code)
        header: list[object] = ["Year"]
        for label in labels:
            header += [label, f"{label.split(' ')[0]} - Annotations"]
        lines = self._title(measure) + [_line(header), _line([ROWS_LABEL])]
        for label, counts in rows:
            cells: list[object] = [label]
            for count in counts:
                cells += [count, ""]
            lines.append(_line(cells))
        return ("\n".join(lines + self._notes()) + "\n").encode("utf-8")

    def resaved_export(self, release: str) -> bytes:
        rows, labels = self.table(release, "relative")
        labels = [label.replace(" (p)", "") for label in labels]  # the re-saved copy lost the marker
        width = 2 + len(labels)
        title = [
            ["Relative Low Income (I\nII\nIII\nIV\nV\nVI)"], [f"{ROWS_LABEL} by Year"], ["Counting: Relative Low Income"], [],
            ["Filters:"], ["Default Summation", "Relative Low Income"], [], ["Year", "", *labels], ["", ROWS_LABEL],
        ]
        body = [["", label, *counts] for label, counts in rows]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([r + [""] * (width - len(r)) for r in title + body])
        return ("\ufeff" + buffer.getvalue().rstrip("\n")).encode("utf-8")

    def fingertips(self) -> bytes:
        header = ["area_code", "area_name", "period", "value", "indicator", "measure", "unit", "significance"]
        areas = [(a, p) for a, p in self.areas(2019) if p.nation == "England"]
        value = {
            (aid, year): round(100 * self.share(aid, year + 1, "hmrc") * (1.25 - 0.02 * (year - 2006)), 1)
            for aid, _ in areas for year in FINGERTIPS_YEARS
        }
        england = {y: sum(value[(a, y)] for a, _ in areas) / len(areas) for y in FINGERTIPS_YEARS}
        fixed = ["Children in low income families", "Percentage", "Persons"]
        rows: list[list[object]] = []
        manchester = [a for a, p in areas if p.la_code[:3] == "E08" and p.region_code == "E12000002"][:10]
        for year in FINGERTIPS_YEARS:
            mean = round(sum(value[(a, year)] for a in manchester) / len(manchester), 1)
            rows.append(["E47000001", "Greater Manchester", year, mean, *fixed, "Not compared"])
        rows += [["E92000001", "England", y, round(england[y], 1), *fixed, "Not compared"] for y in FINGERTIPS_YEARS]
        for year in FINGERTIPS_YEARS:
            for aid, period in areas:
                if period.la_type == "shire_county":
                    # Counties appear as their districts only (E07 codes; invented for the demo).
                    for k in (1, 2):
                        code = f"E0799{period.la_code_3}{k}"
                        share = round(value[(aid, year)] * (0.9 + 0.2 * (k - 1)), 1)
                        rows.append([code, f"{period.la_name} district {k}", year, share, *fixed, "Similar"])
                    continue
                shown = value[(aid, year)]
                cell: object = "NA" if (period.la_code == "E06000053" and year == 2013) else shown
                gap = shown - england[year]
                significance = "Not compared" if cell == "NA" else "Similar" if abs(gap) < 1 else "Worse" if gap > 0 else "Better"
                rows.append([period.la_code, period.la_name, year, cell, *fixed, significance])
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
        return buffer.getvalue().encode("utf-8")


def write(model: Model, files: DemoFiles) -> None:
    """The four DWP Stat-Xplore exports and the Fingertips HMRC extract, at their mirror paths."""
    low = _LowIncome(model)
    files.write(ABSOLUTE_PATH, low.long_export("2022", "absolute"))
    files.write(RELATIVE_PATH, low.wide_export("2022", "relative"))
    files.write(RELATIVE_CODES_PATH, low.wide_export("2023", "relative", by_code=True))
    files.write(RELATIVE_RESAVED_PATH, low.resaved_export("2025"))
    files.write(FINGERTIPS_PATH, low.fingertips())
