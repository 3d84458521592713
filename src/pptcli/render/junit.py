"""--format junit: one testsuite per rule, one testcase per obligation, for CI dashboards."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from pptcli.model.finding import NONCOMPLIANT, Finding, Report, Status
from pptcli.render.base import RenderOptions, escapes, plural, shown


def _message(f: Finding) -> str:
    due = f.due.isoformat() if f.due else "no due date"
    late = f", {plural(f.business_days_late, 'business day')} late" if f.business_days_late else ""
    return f"{f.status}: {f.title} (due {due}{late})"


def _body(f: Finding) -> str:
    lines = [f.detail, f"{f.source} [{f.authority}]", f"{f.file}:{f.line}"]
    return "\n".join(line for line in lines if line)


def _testcase(suite: ET.Element, f: Finding) -> tuple[int, int]:
    """Adds the testcase; returns (failures, skipped) it counts for."""
    case = ET.SubElement(
        suite,
        "testcase",
        name=f"{f.case} {f.subject}",
        classname=f.rule,
        file=f.file,
        line=str(f.line),
    )
    if f.status in NONCOMPLIANT:
        ET.SubElement(case, "failure", message=_message(f), type=str(f.status)).text = _body(f)
        return 1, 0
    if f.status is Status.NA:
        ET.SubElement(case, "skipped", message="the rule does not apply")
        return 0, 1
    if f.status is Status.WAIVED:  # passes, but the waiver should be visible in CI
        ET.SubElement(case, "system-out").text = f"waived: {f.detail}" if f.detail else "waived"
    return 0, 0


def _problems(root: ET.Element, report: Report) -> int:
    """Input problems as errors of a `ppt validate` suite, so CI fails on broken files too."""
    if not report.problems:
        return 0
    suite = ET.SubElement(
        root,
        "testsuite",
        name="ppt validate",
        tests=str(len(report.problems)),
        failures="0",
        errors=str(len(report.problems)),
        skipped="0",
    )
    for p in report.problems:
        case = ET.SubElement(
            suite, "testcase", name=f"{p.file}:{p.line}:{p.column}", classname="ppt validate"
        )
        ET.SubElement(case, "error", message=p.message).text = p.render()
    return len(report.problems)


def render(report: Report, options: RenderOptions) -> str:
    root = ET.Element("testsuites", name=f"ppt {options.view} as of {report.as_of.isoformat()}")
    findings = sorted(
        shown(report, options, brief=False), key=lambda f: (f.rule, f.case, f.subject)
    )
    totals = [0, 0, 0]  # tests, failures, skipped
    for rule, group in groupby(findings, key=lambda f: f.rule):
        items = list(group)
        suite = ET.SubElement(root, "testsuite", name=rule, tests=str(len(items)))
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="as_of", value=report.as_of.isoformat())
        failures = skipped = 0
        for f in items:
            failed, skip = _testcase(suite, f)
            failures, skipped = failures + failed, skipped + skip
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        totals = [totals[0] + len(items), totals[1] + failures, totals[2] + skipped]
    errors = _problems(root, report)
    root.set("tests", str(totals[0] + errors))
    root.set("failures", str(totals[1]))
    root.set("errors", str(errors))
    root.set("skipped", str(totals[2]))
    ET.indent(root)
    return escapes(_NOT_XML, ET.tostring(root, encoding="unicode", xml_declaration=True)) + "\n"


# Characters XML 1.0 cannot hold at all, even as references: control characters (from a case
# file's text) and lone surrogates (a file name that is not UTF-8). ElementTree writes them as
# they are, and no XML reader takes the file; they are written as escapes, readable text.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
