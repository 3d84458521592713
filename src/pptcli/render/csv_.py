"""--format csv: one row per finding, the columns of SPEC 7's finding object."""

from __future__ import annotations

import csv
import io

from pptcli.model.finding import Report
from pptcli.render.base import RenderOptions, shown

COLUMNS = (
    "case",
    "office",
    "program",
    "rule",
    "title",
    "source",
    "authority",
    "responsible",
    "accountable",
    "subject",
    "trigger",
    "due",
    "done",
    "status",
    "business_days_late",
    "detail",
    "file",
    "line",
)


def _cell(value: object) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)  # staff ids never contain ";"
    return "" if value is None else str(value)


def render(report: Report, options: RenderOptions) -> str:
    out = io.StringIO()
    # "\n", not the csv default "\r\n": this is printed to a terminal or piped; readers accept both.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in shown(report, options, brief=False):
        row = f.as_dict()
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()
