"""Business days and deadline arithmetic (SPEC 4.1, 4.2).

Pure: no I/O and no clock. Closures and holiday edits come in as values (from calendar.yaml,
SPEC 2.2); every date comes in as an argument.
"""

import bisect
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import assert_never

from dateutil.relativedelta import MO, TH, relativedelta

ONE_DAY = timedelta(days=1)
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Closure:
    """One day an office (or, with office None, every office) was closed."""

    date: date
    reason: str
    office: str | None = None


@dataclass(frozen=True)
class Skip:
    """A day that is not a business day, and why."""

    date: date
    reason: str


def short_day(d: date) -> str:
    """'Wed 2026-11-25'; spelled out rather than strftime('%a') so the locale cannot change it."""
    return f"{_DAY_NAMES[d.weekday()][:3]} {d.isoformat()}"


def long_day(d: date) -> str:
    """'Wednesday 2026-11-25', as short_day spells it."""
    return f"{_DAY_NAMES[d.weekday()]} {d.isoformat()}"


# --- State-office holidays (SPEC 4.1) ------------------------------------------------------


def _nominal_holidays(year: int) -> list[tuple[date, str]]:
    """The ten paid holidays of SPEC 4.1 (Per 1302) on their nominal dates."""
    third_monday = relativedelta(weekday=MO(+3))
    thanksgiving = date(year, 11, 1) + relativedelta(weekday=TH(+4))
    return [
        (date(year, 1, 1), "New Year's Day"),
        (date(year, 1, 1) + third_monday, "Martin Luther King Jr./Civil Rights Day"),
        (date(year, 2, 1) + third_monday, "Washington's Birthday (Presidents' Day)"),
        (date(year, 5, 31) + relativedelta(weekday=MO(-1)), "Memorial Day"),
        (date(year, 7, 4), "Independence Day"),
        (date(year, 9, 1) + relativedelta(weekday=MO(+1)), "Labor Day"),
        (date(year, 11, 11), "Veterans Day"),
        (thanksgiving, "Thanksgiving Day"),
        (thanksgiving + ONE_DAY, "Day after Thanksgiving"),
        (date(year, 12, 25), "Christmas Day"),
    ]


def _observed(d: date, name: str) -> tuple[date, str]:
    # SPEC 4.1: a Saturday holiday is observed the Friday before, a Sunday one the Monday after.
    if d.weekday() == 5:
        return d - ONE_DAY, f"{name} (observed)"
    if d.weekday() == 6:
        return d + ONE_DAY, f"{name} (observed)"
    return d, name


@functools.cache
def _state_holidays(year: int) -> tuple[tuple[date, str], ...]:
    # Next year's New Year's Day is observed on Dec 31 of this year when Jan 1 is a Saturday.
    nominal = _nominal_holidays(year) + _nominal_holidays(year + 1)[:1]
    observed = (_observed(d, name) for d, name in nominal)
    return tuple(sorted((d, name) for d, name in observed if d.year == year))


def state_holidays(year: int) -> dict[date, str]:
    """The ten state-office holidays whose observed date falls in `year`, date -> name.

    New Year's Day 2028 (a Saturday) is observed Fri 2027-12-31, so it belongs to 2027.
    """
    return dict(_state_holidays(year))


# --- Deadlines (SPEC 4.2) ------------------------------------------------------------------


class DeadlineKind(StrEnum):
    SAME_DAY = "same_day"
    NEXT_BUSINESS_DAY = "next_business_day"
    BUSINESS_DAYS_BEFORE = "business_days_before"
    CALENDAR_DAYS_AFTER = "calendar_days_after"
    MONTHS_AFTER = "months_after"
    BEFORE = "before"
    ON = "on"


_COUNTED_KINDS = frozenset(
    {
        DeadlineKind.BUSINESS_DAYS_BEFORE,
        DeadlineKind.CALENDAR_DAYS_AFTER,
        DeadlineKind.MONTHS_AFTER,
    }
)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    trigger: date
    n: int | None
    due: date
    skipped: tuple[Skip, ...]  # non-business days passed over computing `due`, in order met

    def rule_text(self) -> str:
        """How the due date was derived from the trigger, e.g. 'next business day after ...'."""
        d, n = short_day(self.trigger), self.n or 0
        match self.kind:
            case DeadlineKind.SAME_DAY:
                return f"same day as {d}"
            case DeadlineKind.NEXT_BUSINESS_DAY:
                return f"next business day after {d}"
            case DeadlineKind.BUSINESS_DAYS_BEFORE:
                return f"{_plural(n, 'business day')} before {d}"
            case DeadlineKind.CALENDAR_DAYS_AFTER:
                return f"{_plural(n, 'calendar day')} after {d}"
            case DeadlineKind.MONTHS_AFTER:
                return f"{_plural(n, 'month')} after {d}"
            case DeadlineKind.BEFORE:
                return f"day before {d}"
            case DeadlineKind.ON:
                return f"on {d}"
        assert_never(self.kind)

    def describe(self) -> str:
        text = f"{self.rule_text()}: {short_day(self.due)}"
        if not self.skipped:
            return text
        skips = ", ".join(f"{short_day(s.date)} {s.reason}" for s in self.skipped)
        return f"{text} (skipped {skips})"


def _parse_kind(kind: DeadlineKind | str) -> DeadlineKind:
    try:
        return DeadlineKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in DeadlineKind)
        raise ValueError(f"unknown deadline kind {kind!r}; expected one of: {known}") from None


def _check_count(n: int) -> int:
    if n < 0:
        raise ValueError(f"a number of days or months must be 0 or more, got {n}")
    return n


def _count_for(kind: DeadlineKind, n: int | None) -> int | None:
    """Validate n against the kind: counted kinds need one, the others take none."""
    if kind in _COUNTED_KINDS:
        if n is None:
            raise ValueError(f"deadline kind {kind.value!r} needs a number n")
        return _check_count(n)
    if n is not None:
        raise ValueError(f"deadline kind {kind.value!r} takes no number, got n={n}")
    return None


def _weekdays_after(start: date, end: date) -> int:
    """Number of Monday-to-Friday days in (start, end]."""
    days = (end - start).days
    count = days // 7 * 5
    for i in range(days % 7):
        count += (start.weekday() + 1 + i) % 7 < 5
    return count


# --- The calendar --------------------------------------------------------------------------


class BusinessCalendar:
    """Business days per SPEC 4.1: weekdays minus holidays (state, added, removed) and closures."""

    def __init__(
        self,
        closures: Iterable[Closure] = (),
        added: Mapping[date, str] | None = None,
        removed: Iterable[date] = (),
    ) -> None:
        self._added = dict(added or {})
        self._removed = frozenset(removed)
        self._closures: dict[date, list[Closure]] = {}
        for closure in closures:
            self._closures.setdefault(closure.date, []).append(closure)
        # An office without closures of its own keeps the statewide calendar: its deadlines
        # and counts are kept once for all such offices (office None), not once per office.
        self._own = frozenset(c.office for day in self._closures.values() for c in day if c.office is not None)
        self._by_year: dict[int, dict[date, str]] = {}
        # Deadlines are frozen and the calendar does not change once built: a statewide
        # report asks for the same (kind, trigger, n, office) many times over.
        self._deadlines: dict[tuple[DeadlineKind | str, date, int | None, str | None], Deadline] = {}
        self._late: dict[tuple[date, date, str | None], int] = {}  # a report asks the same (due, as-of) often
        self._days: dict[date, date] = {}  # one object per due date: see fastyaml._DAYS
        self._off: dict[tuple[int, str | None], list[date]] = {}

    def _holidays(self, year: int) -> dict[date, str]:
        """The cached holiday table of a year; callers must not mutate it."""
        table = self._by_year.get(year)
        if table is None:
            table = state_holidays(year)
            table.update((d, name) for d, name in self._added.items() if d.year == year)
            for d in self._removed:
                table.pop(d, None)
            self._by_year[year] = table
        return table

    def holidays(self, year: int) -> dict[date, str]:
        """State holidays + calendar.yaml additions - removals, for one year (SPEC 2.2, 4.1)."""
        return dict(self._holidays(year))

    def _closure(self, d: date, office: str | None) -> Closure | None:
        # SPEC 4.1: a statewide closure applies to every office, an office closure to that
        # office's cases only; office=None is the statewide view.
        candidates = self._closures.get(d, ())
        statewide = next((c for c in candidates if c.office is None), None)
        if statewide is not None or office is None:
            return statewide
        return next((c for c in candidates if c.office == office), None)

    def reason(self, d: date, office: str | None = None) -> str | None:
        """Why d is not a business day (holiday, then closure, then weekend), or None."""
        holiday = self._holidays(d.year).get(d)
        if holiday is not None:
            return holiday
        closure = self._closure(d, office)
        if closure is not None:
            where = f" ({closure.office})" if closure.office else ""
            return f"closure: {closure.reason}{where}"
        if d.weekday() >= 5:
            return _DAY_NAMES[d.weekday()]
        return None

    def is_business_day(self, d: date, office: str | None = None) -> bool:
        return self.reason(d, office) is None

    def non_business_days(self, start: date, end: date, office: str | None = None) -> list[Skip]:
        """The non-business days of [start, end], in date order."""
        days = (start + timedelta(days=i) for i in range((end - start).days + 1))
        return [Skip(d, why) for d in days if (why := self.reason(d, office)) is not None]

    def _walk(
        self, d: date, n: int, step: timedelta, office: str | None
    ) -> tuple[date, tuple[Skip, ...]]:
        """The n-th business day from d in the direction of step, d not counted (DOMAIN:
        the day of the event is not counted), with the non-business days passed over."""
        _check_count(n)
        skipped: list[Skip] = []
        while n > 0:
            d += step
            why = self.reason(d, office)
            if why is None:
                n -= 1
            else:
                skipped.append(Skip(d, why))
        return d, tuple(skipped)

    def _roll(self, d: date, office: str | None) -> tuple[date, tuple[Skip, ...]]:
        # DOMAIN: a period that ends on a non-business day runs to the next business day.
        skipped: list[Skip] = []
        while (why := self.reason(d, office)) is not None:
            skipped.append(Skip(d, why))
            d += ONE_DAY
        return d, tuple(skipped)

    def next_business_day(self, d: date, office: str | None = None) -> date:
        """The first business day strictly after d."""
        return self._walk(d, 1, ONE_DAY, office)[0]

    def roll_forward(self, d: date, office: str | None = None) -> date:
        """d if it is a business day, else the next one."""
        return self._roll(d, office)[0]

    def add_business_days(self, d: date, n: int, office: str | None = None) -> date:
        """The n-th business day after d, d not counted; n=0 gives d unchanged."""
        return self._walk(d, n, ONE_DAY, office)[0]

    def subtract_business_days(self, d: date, n: int, office: str | None = None) -> date:
        """The n-th business day counting back from d, d not counted; n=0 gives d unchanged."""
        return self._walk(d, n, -ONE_DAY, office)[0]

    def business_days_late(self, due: date, done: date, office: str | None = None) -> int:
        """Number of business days in (due, done]; 0 when done is on or before due."""
        if done <= due:
            return 0
        if office not in self._own:
            office = None
        key = (due, done, office)
        known = self._late.get(key)
        if known is None:
            known = self._late[key] = self._business_days_late(due, done, office)
        return known

    def _business_days_late(self, due: date, done: date, office: str | None) -> int:
        # Counted arithmetically, not day by day: a case can be years late.
        off = 0
        for year in range(due.year, done.year + 1):
            days = self._weekdays_off(year, office)
            off += bisect.bisect_right(days, done) - bisect.bisect_right(days, due)
        return _weekdays_after(due, done) - off

    def _weekdays_off(self, year: int, office: str | None) -> list[date]:
        """The weekdays of a year that are not business days for an office (holidays and
        closures), sorted; kept, since every late finding counts across them."""
        key = (year, office)
        days = self._off.get(key)
        if days is None:
            closed = {d for d in self._closures if d.year == year and self._closure(d, office) is not None}
            days = self._off[key] = sorted(d for d in {*self._holidays(year), *closed} if d.weekday() < 5)
        return days

    def deadline(
        self,
        kind: DeadlineKind | str,
        trigger: date,
        n: int | None = None,
        office: str | None = None,
    ) -> Deadline:
        """The due date of a duty of this kind triggered on `trigger` (SPEC 4.2)."""
        if office not in self._own:
            office = None
        key = (kind, trigger, n, office)  # kinds are str enums: "on" and ON are one key
        known = self._deadlines.get(key)
        if known is None:  # checked the first time only: a bad kind or count is never kept
            kind = _parse_kind(kind)
            count = _count_for(kind, n)
            due, skipped = self._due(kind, trigger, count or 0, office)
            due = self._days.setdefault(due, due)
            known = self._deadlines[key] = Deadline(kind, trigger, count, due, skipped)
        return known

    def _due(
        self, kind: DeadlineKind, d: date, n: int, office: str | None
    ) -> tuple[date, tuple[Skip, ...]]:
        match kind:
            case DeadlineKind.SAME_DAY | DeadlineKind.ON:
                return d, ()  # SPEC 4.2: whatever day of the week (placements happen on weekends)
            case DeadlineKind.NEXT_BUSINESS_DAY:
                return self._walk(d, 1, ONE_DAY, office)
            case DeadlineKind.BUSINESS_DAYS_BEFORE:
                return self._walk(d, n, -ONE_DAY, office)
            case DeadlineKind.CALENDAR_DAYS_AFTER:
                return self._roll(d + timedelta(days=n), office)
            case DeadlineKind.MONTHS_AFTER:
                # relativedelta clamps to the month's end: Aug 31 + 6 months is Feb 28/29.
                return self._roll(d + relativedelta(months=n), office)
            case DeadlineKind.BEFORE:
                return d - ONE_DAY, ()  # exactly the day before, no rolling (SPEC 4.2)
        assert_never(kind)
