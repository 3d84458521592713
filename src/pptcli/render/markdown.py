"""--format markdown: a report to paste into an issue, a wiki page or an e-mail."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pptcli.model.finding import NONCOMPLIANT, Finding, Report, Status
from pptcli.render.base import RenderOptions, by_responsible, person, plural, short_day, shown
from pptcli.render.textgrid import clean
from pptcli.summary import by_worker, counts_of, report_keys

_FINDING_HEADERS = (
    "Case",
    "Child",
    "Rule",
    "Source",
    "Subject",
    "Due",
    "Status",
    "Business days late",
    "Authority",
    "Detail",
)


def escape(text: str) -> str:
    """A table cell: a `|` would end the cell and a newline the row; `<` would start HTML,
    which Markdown renders (a case's text is data, never markup); a control character would
    work the terminal it is printed on."""
    text = clean(text).replace("&", "&amp;").replace("<", "&lt;")
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return lines


def _row(f: Finding) -> list[str]:
    late = str(f.business_days_late) if f.status in (Status.LATE, Status.OVERDUE) else ""
    authority = "**ASSUMED**" if f.authority == "assumed" else f.authority
    return [
        f.case,
        f.child,
        f.rule,
        f.source,
        f.subject,
        short_day(f.due),
        f"**{f.status}**" if f.status in NONCOMPLIANT else str(f.status),
        late,
        authority,
        f.detail,
    ]


def _summary(report: Report) -> list[str]:
    keys = report_keys(report)
    rows = [
        [
            person(report, t.id),
            report.office_of.get(t.id, ""),
            *(str(t.counts.get(str(k), 0)) for k in keys),
            "—" if t.on_time_rate is None else f"{t.on_time_rate:.1%}",
        ]
        for t in by_worker(report)
    ]
    return [
        "## Summary by worker",
        "",
        *_table(["Worker", "Office", *map(str, keys), "On time"], rows),
        "",
    ]


def render(report: Report, options: RenderOptions) -> str:
    day = short_day(report.as_of)
    title = (
        f"PPT compliance as of {day}"
        if options.view == "check"
        else f"PPT obligations due as of {day}"
    )
    lines = [f"# {title}", "", f"{plural(report.cases, 'case')}.", ""]
    if report.findings or report.counts:
        lines += _summary(report)
    findings = shown(report, options, brief=True)
    if options.view == "check" and not any(
        counts_of(report).status.get(str(s)) for s in NONCOMPLIANT
    ):
        lines += [f"No late, missed or overdue obligations as of {day}.", ""]
    for staff_id, group in by_responsible(findings).items():
        office = report.office_of.get(staff_id)
        lines += [f"## {escape(person(report, staff_id))}" + (f" — {office}" if office else ""), ""]
        lines += [*_table(_FINDING_HEADERS, (_row(f) for f in group)), ""]
    if report.problems:
        lines += ["## Problems", "", *(f"- `{p.render()}`" for p in report.problems), ""]
    return "\n".join(lines)
