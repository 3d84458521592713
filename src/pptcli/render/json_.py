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
    """The summary indented, then one finding (and one problem) per line.

    json.dumps with `indent` falls back to Python's pure-Python encoder, which took most of
    a statewide report's time; each line here is encoded by the C encoder. Same object.
    """
    data = report_dict(report, options)
    lines = [
        "{",
        f'  "as_of": {_compact(data["as_of"])},',
        f'  "summary": {_indented(data["summary"])},',
    ]
    lines += _array("findings", data["findings"], last=False)  # type: ignore[arg-type]
    lines += _array("problems", data["problems"], last=True)  # type: ignore[arg-type]
    return "\n".join([*lines, "}"]) + "\n"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _indented(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")


def _array(key: str, items: list[object], *, last: bool) -> list[str]:
    end = "" if last else ","
    if not items:
        return [f'  "{key}": []{end}']
    body = ",\n".join(f"    {_compact(item)}" for item in items)
    return [f'  "{key}": [', body, f"  ]{end}"]


def report_schema() -> dict[str, Any]:
    """The JSON Schema of this output, shipped in the package for consumers and tests."""
    text = files("pptcli").joinpath("schemas", "report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
