"""--format json: exactly the object of SPEC 7, validated by schemas/report.schema.json."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from pptcli.model.finding import Report
from pptcli.render.base import RenderOptions, shown
from pptcli.summary import summarize


def report_dict(report: Report, options: RenderOptions) -> dict[str, object]:
    # Key order is part of the contract (SPEC 7): as_of, summary, findings, problems.
    return {
        "as_of": report.as_of.isoformat(),
        "summary": summarize(report),
        "findings": [f.as_dict() for f in shown(report, options, brief=False)],
        "problems": [p.as_dict() for p in report.problems],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(report_dict(report, options), indent=2, ensure_ascii=False) + "\n"


def report_schema() -> dict[str, Any]:
    """The JSON Schema of this output, shipped in the package for consumers and tests."""
    text = files("pptcli").joinpath("schemas", "report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
