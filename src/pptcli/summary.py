"""The `summary` object of SPEC 7: counts per status, per worker and per office. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypedDict

from pptcli.model.finding import RATED, Finding, Report, Status

# Always present, so a consumer can read summary["by_status"]["overdue"] without a default;
# n/a is not an obligation and appears only when such findings were asked for (--all).
ALWAYS = tuple(s for s in Status if s is not Status.NA)


def status_keys(findings: Iterable[Finding]) -> tuple[Status, ...]:
    """The status keys of every count in a summary of these findings."""
    return ALWAYS + ((Status.NA,) if any(f.status is Status.NA for f in findings) else ())


def on_time_rate(counts: dict[str, int]) -> float | None:
    """met / (met + late + missed + overdue), to 3 decimals; None when nothing was rated yet."""
    rated = sum(counts.get(str(s), 0) for s in RATED)
    return round(counts.get(str(Status.MET), 0) / rated, 3) if rated else None


@dataclass(frozen=True)
class Tally:
    """Counts of one worker or office, in SPEC 7's key order."""

    id: str
    counts: dict[str, int]

    @property
    def on_time_rate(self) -> float | None:
        return on_time_rate(self.counts)

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, **self.counts, "on_time_rate": self.on_time_rate}


def _count(findings: Iterable[Finding], keys: tuple[Status, ...]) -> dict[str, int]:
    counts = {str(s): 0 for s in keys}
    for f in findings:
        counts[str(f.status)] = counts.get(str(f.status), 0) + 1
    return counts


def _tallies(
    findings: tuple[Finding, ...],
    keys: tuple[Status, ...],
    ids_of: Callable[[Finding], Iterable[str]],
) -> list[Tally]:
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        for id_ in dict.fromkeys(ids_of(f)):  # dict.fromkeys: a repeated id counts once
            groups.setdefault(id_, []).append(f)
    return [Tally(id_, _count(groups[id_], keys)) for id_ in sorted(groups)]


def by_worker(report: Report) -> list[Tally]:
    """One tally per staff id responsible for any finding; a shared duty counts for each."""
    return _tallies(report.findings, status_keys(report.findings), lambda f: f.responsible)


def by_office(report: Report) -> list[Tally]:
    """One tally per case office; each finding counts once, under its case's office."""
    return _tallies(report.findings, status_keys(report.findings), lambda f: (f.office,))


class Summary(TypedDict):
    cases: int
    obligations: int
    by_status: dict[str, int]
    by_worker: list[dict[str, object]]
    by_office: list[dict[str, object]]


def summarize(report: Report) -> Summary:
    """SPEC 7's summary, plus `by_office` (an extra key JSON consumers may ignore)."""
    keys = status_keys(report.findings)
    return {
        "cases": report.cases,
        "obligations": sum(1 for f in report.findings if f.status is not Status.NA),
        "by_status": _count(report.findings, keys),
        "by_worker": [t.as_dict() for t in by_worker(report)],
        "by_office": [t.as_dict() for t in by_office(report)],
    }
