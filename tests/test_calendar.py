"""Business days and deadline kinds (SPEC 4.1, 4.2), as scenarios a caseworker would recognise."""

import itertools
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pptcli.calendar import (
    BusinessCalendar,
    Closure,
    Deadline,
    DeadlineKind,
    Skip,
    state_holidays,
)


def day(text: str) -> date:
    return date.fromisoformat(text)


PLAIN = BusinessCalendar()
BLIZZARD = Closure(day("2026-02-10"), "Blizzard: state offices closed")
BURST_PIPE = Closure(day("2026-03-17"), "Burst pipe", office="manchester")
SPEC_CALENDAR = BusinessCalendar(
    closures=[BLIZZARD, BURST_PIPE],
    added={day("2026-12-24"): "Christmas Eve (Governor's order)"},
)


# --- SPEC 4.2 examples ---------------------------------------------------------------------


def test_change_on_wednesday_before_thanksgiving_is_due_monday_after() -> None:
    assert PLAIN.next_business_day(day("2026-11-25")) == day("2026-11-30")


def test_screen_for_meeting_monday_after_thanksgiving_is_due_thursday_the_week_before() -> None:
    assert PLAIN.subtract_business_days(day("2026-11-30"), 5) == day("2026-11-19")


def test_screen_for_meeting_day_after_mlk_day_is_due_monday_the_week_before() -> None:
    assert PLAIN.subtract_business_days(day("2026-01-20"), 5) == day("2026-01-12")


def test_thanksgiving_explanation_lists_every_day_passed_over() -> None:
    deadline = PLAIN.deadline("next_business_day", day("2026-11-25"))
    assert deadline == Deadline(
        kind=DeadlineKind.NEXT_BUSINESS_DAY,
        trigger=day("2026-11-25"),
        n=None,
        due=day("2026-11-30"),
        skipped=(
            Skip(day("2026-11-26"), "Thanksgiving Day"),
            Skip(day("2026-11-27"), "Day after Thanksgiving"),
            Skip(day("2026-11-28"), "Saturday"),
            Skip(day("2026-11-29"), "Sunday"),
        ),
    )
    assert deadline.describe() == (
        "next business day after Wed 2026-11-25: Mon 2026-11-30 (skipped Thu 2026-11-26 "
        "Thanksgiving Day, Fri 2026-11-27 Day after Thanksgiving, Sat 2026-11-28 Saturday, "
        "Sun 2026-11-29 Sunday)"
    )


def test_screen_explanation_counts_back_over_thanksgiving_and_a_weekend() -> None:
    deadline = PLAIN.deadline(DeadlineKind.BUSINESS_DAYS_BEFORE, day("2026-11-30"), 5)
    assert deadline.due == day("2026-11-19")
    assert deadline.n == 5
    assert [s.date for s in deadline.skipped] == [
        day("2026-11-29"),
        day("2026-11-28"),
        day("2026-11-27"),
        day("2026-11-26"),
        day("2026-11-22"),
        day("2026-11-21"),
    ]
    assert deadline.describe().startswith(
        "5 business days before Mon 2026-11-30: Thu 2026-11-19 (skipped Sun 2026-11-29 Sunday, "
    )


def test_mlk_day_is_named_in_the_screen_explanation() -> None:
    deadline = PLAIN.deadline("business_days_before", day("2026-01-20"), 5)
    assert deadline.skipped == (
        Skip(day("2026-01-19"), "Martin Luther King Jr./Civil Rights Day"),
        Skip(day("2026-01-18"), "Sunday"),
        Skip(day("2026-01-17"), "Saturday"),
    )


# --- SPEC 4.1 holidays, observed dates written out -----------------------------------------

HOLIDAYS_2025 = {
    day("2025-01-01"): "New Year's Day",  # Wed
    day("2025-01-20"): "Martin Luther King Jr./Civil Rights Day",  # Mon
    day("2025-02-17"): "Washington's Birthday (Presidents' Day)",  # Mon
    day("2025-05-26"): "Memorial Day",  # Mon
    day("2025-07-04"): "Independence Day",  # Fri
    day("2025-09-01"): "Labor Day",  # Mon
    day("2025-11-11"): "Veterans Day",  # Tue
    day("2025-11-27"): "Thanksgiving Day",  # Thu
    day("2025-11-28"): "Day after Thanksgiving",  # Fri
    day("2025-12-25"): "Christmas Day",  # Thu
}
HOLIDAYS_2026 = {
    day("2026-01-01"): "New Year's Day",  # Thu
    day("2026-01-19"): "Martin Luther King Jr./Civil Rights Day",  # Mon
    day("2026-02-16"): "Washington's Birthday (Presidents' Day)",  # Mon
    day("2026-05-25"): "Memorial Day",  # Mon
    day("2026-07-03"): "Independence Day (observed)",  # Fri; Jul 4 is a Saturday
    day("2026-09-07"): "Labor Day",  # Mon
    day("2026-11-11"): "Veterans Day",  # Wed
    day("2026-11-26"): "Thanksgiving Day",  # Thu
    day("2026-11-27"): "Day after Thanksgiving",  # Fri
    day("2026-12-25"): "Christmas Day",  # Fri
}
HOLIDAYS_2027 = {
    day("2027-01-01"): "New Year's Day",  # Fri
    day("2027-01-18"): "Martin Luther King Jr./Civil Rights Day",  # Mon
    day("2027-02-15"): "Washington's Birthday (Presidents' Day)",  # Mon
    day("2027-05-31"): "Memorial Day",  # Mon
    day("2027-07-05"): "Independence Day (observed)",  # Mon; Jul 4 is a Sunday
    day("2027-09-06"): "Labor Day",  # Mon
    day("2027-11-11"): "Veterans Day",  # Thu
    day("2027-11-25"): "Thanksgiving Day",  # Thu
    day("2027-11-26"): "Day after Thanksgiving",  # Fri
    day("2027-12-24"): "Christmas Day (observed)",  # Fri; Dec 25 is a Saturday
    day("2027-12-31"): "New Year's Day (observed)",  # Fri; 2028-01-01 is a Saturday
}
HOLIDAYS_2028 = {  # nine: New Year's Day 2028 was observed in 2027
    day("2028-01-17"): "Martin Luther King Jr./Civil Rights Day",  # Mon
    day("2028-02-21"): "Washington's Birthday (Presidents' Day)",  # Mon
    day("2028-05-29"): "Memorial Day",  # Mon
    day("2028-07-04"): "Independence Day",  # Tue
    day("2028-09-04"): "Labor Day",  # Mon
    day("2028-11-10"): "Veterans Day (observed)",  # Fri; Nov 11 is a Saturday
    day("2028-11-23"): "Thanksgiving Day",  # Thu
    day("2028-11-24"): "Day after Thanksgiving",  # Fri
    day("2028-12-25"): "Christmas Day",  # Mon
}


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2025, HOLIDAYS_2025), (2026, HOLIDAYS_2026), (2027, HOLIDAYS_2027), (2028, HOLIDAYS_2028)],
)
def test_state_office_holidays_are_observed_on_these_dates(
    year: int, expected: dict[date, str]
) -> None:
    assert state_holidays(year) == expected
    assert PLAIN.holidays(year) == expected
    assert all(d.weekday() < 5 for d in expected)


def test_holiday_table_returned_is_a_copy() -> None:
    table = state_holidays(2026)
    table.clear()
    PLAIN.holidays(2026).clear()
    assert state_holidays(2026) == HOLIDAYS_2026
    assert PLAIN.holidays(2026) == HOLIDAYS_2026


@pytest.mark.parametrize(
    ("when", "what"),
    [
        ("2026-10-12", "Columbus Day / Indigenous Peoples' Day"),
        ("2027-10-11", "Columbus Day / Indigenous Peoples' Day"),
        ("2026-06-19", "Juneteenth"),
        ("2028-06-19", "Juneteenth"),
        ("2026-11-03", "Election Day"),
        ("2028-11-07", "Election Day"),
        ("2026-12-24", "Christmas Eve"),
        ("2026-04-03", "Good Friday"),
        ("2026-12-31", "New Year's Eve"),
    ],
)
def test_state_offices_are_open_on(when: str, what: str) -> None:
    assert PLAIN.reason(day(when)) is None, what
    assert PLAIN.is_business_day(day(when))


@pytest.mark.parametrize("when", ["2026-07-04", "2027-12-25", "2028-01-01", "2028-11-11"])
def test_saturday_holiday_itself_is_just_a_saturday(when: str) -> None:
    assert PLAIN.reason(day(when)) == "Saturday"


@pytest.mark.parametrize("when", ["2027-07-04", "2022-12-25"])
def test_sunday_holiday_itself_is_just_a_sunday(when: str) -> None:
    assert PLAIN.reason(day(when)) == "Sunday"


def test_general_purpose_nh_table_has_days_state_offices_are_open() -> None:
    theirs = holidays.country_holidays("US", subdiv="NH", years=[2026, 2028])
    ours = {**state_holidays(2026), **state_holidays(2028)}
    for open_day in (day("2026-06-19"), day("2026-11-03"), day("2028-06-19")):
        assert open_day in theirs  # Juneteenth, Election Day
        assert open_day not in ours


# python-holidays names for the same ten holidays; anything else in their table is not ours.
_THEIR_NAMES = {
    "new year's day": "New Year's Day",
    "dr. martin luther king jr. / civil rights day": "Martin Luther King Jr./Civil Rights Day",
    "martin luther king jr. / civil rights day": "Martin Luther King Jr./Civil Rights Day",
    "washington's birthday": "Washington's Birthday (Presidents' Day)",
    "memorial day": "Memorial Day",
    "independence day": "Independence Day",
    "labor day": "Labor Day",
    "veterans day": "Veterans Day",
    "thanksgiving day": "Thanksgiving Day",
    "day after thanksgiving": "Day after Thanksgiving",
    "christmas day": "Christmas Day",
}


def _base(name: str) -> str:
    return name.removesuffix(" (observed)")


def test_our_ten_holidays_agree_with_python_holidays_where_names_match() -> None:
    first, last = day("2024-01-01"), day("2030-12-31")
    ours = {d: _base(n) for y in range(2024, 2031) for d, n in state_holidays(y).items()}
    theirs = {}
    for d, name in holidays.country_holidays("US", subdiv="NH", years=range(2023, 2032)).items():
        for part in name.split("; "):
            ten = _THEIR_NAMES.get(_base(part).lower())
            # Their table lists the Saturday or Sunday itself as well as the observed day.
            if ten is not None and d.weekday() < 5 and first <= d <= last:
                theirs[d] = ten
    assert ours == theirs


# --- closures and calendar.yaml holiday edits (SPEC 2.2, 4.1) ------------------------------


@pytest.mark.parametrize("office", [None, "manchester", "concord"])
def test_statewide_blizzard_closure_is_skipped_for_every_office(office: str | None) -> None:
    assert SPEC_CALENDAR.reason(day("2026-02-10"), office) == (
        "closure: Blizzard: state offices closed"
    )
    assert SPEC_CALENDAR.next_business_day(day("2026-02-09"), office) == day("2026-02-11")


def test_burst_pipe_in_manchester_delays_only_manchester_cases() -> None:
    monday = day("2026-03-16")
    pipe = "closure: Burst pipe (manchester)"
    assert SPEC_CALENDAR.reason(day("2026-03-17"), "manchester") == pipe
    assert SPEC_CALENDAR.next_business_day(monday, "manchester") == day("2026-03-18")
    assert SPEC_CALENDAR.next_business_day(monday, "concord") == day("2026-03-17")
    assert SPEC_CALENDAR.next_business_day(monday) == day("2026-03-17")  # statewide view
    assert SPEC_CALENDAR.is_business_day(day("2026-03-17"), "concord")


@pytest.mark.parametrize("order", list(itertools.permutations(["manchester", "concord", None])))
def test_deadlines_and_lateness_kept_for_one_office_never_answer_for_another(order: tuple[str | None, ...]) -> None:
    """The calendar keeps deadlines and counts it has worked out, once for every office
    without closures of its own: asked in any order, each office gets what a calendar asked
    for it alone gives (Manchester's burst pipe moves its deadlines only)."""

    def fresh() -> BusinessCalendar:
        return BusinessCalendar(closures=[BLIZZARD, BURST_PIPE])

    def answers(calendar: BusinessCalendar, office: str | None) -> tuple[object, ...]:
        return (
            calendar.deadline(DeadlineKind.NEXT_BUSINESS_DAY, day("2026-03-16"), office=office),
            calendar.deadline(DeadlineKind.BUSINESS_DAYS_BEFORE, day("2026-03-20"), 5, office),
            calendar.business_days_late(day("2026-03-13"), day("2026-03-20"), office),
        )

    shared = fresh()
    got = {office: answers(shared, office) for office in order}
    for office in order:
        assert got[office] == answers(fresh(), office)
    assert got["manchester"][0].due == day("2026-03-18")
    assert got["concord"][0].due == got[None][0].due == day("2026-03-17")
    assert got["manchester"][2] == got["concord"][2] - 1 == 4


def test_non_business_days_of_a_week_with_a_closure_name_each_reason() -> None:
    assert SPEC_CALENDAR.non_business_days(day("2026-03-14"), day("2026-03-22"), "manchester") == [
        Skip(day("2026-03-14"), "Saturday"),
        Skip(day("2026-03-15"), "Sunday"),
        Skip(day("2026-03-17"), "closure: Burst pipe (manchester)"),
        Skip(day("2026-03-21"), "Saturday"),
        Skip(day("2026-03-22"), "Sunday"),
    ]
    assert SPEC_CALENDAR.non_business_days(day("2026-03-16"), day("2026-03-20"), "concord") == []


def test_christmas_eve_by_governors_order_pushes_a_wednesday_change_to_monday() -> None:
    wednesday = day("2026-12-23")
    assert PLAIN.next_business_day(wednesday) == day("2026-12-24")
    deadline = SPEC_CALENDAR.deadline("next_business_day", wednesday)
    assert deadline.due == day("2026-12-28")
    assert deadline.skipped[0] == Skip(day("2026-12-24"), "Christmas Eve (Governor's order)")
    assert SPEC_CALENDAR.holidays(2026) == {
        **HOLIDAYS_2026,
        day("2026-12-24"): "Christmas Eve (Governor's order)",
    }
    assert day("2026-12-24") not in SPEC_CALENDAR.holidays(2025)


def test_removed_holiday_is_an_ordinary_business_day() -> None:
    calendar = BusinessCalendar(removed=[day("2026-11-27"), day("2026-07-03")])
    assert calendar.is_business_day(day("2026-11-27"))
    assert calendar.next_business_day(day("2026-11-25")) == day("2026-11-27")
    assert calendar.reason(day("2026-07-04")) == "Saturday"  # removing never opens a weekend
    assert calendar.holidays(2026) == {
        d: n for d, n in HOLIDAYS_2026.items() if d not in (day("2026-11-27"), day("2026-07-03"))
    }


def test_statewide_closure_is_the_reason_given_when_an_office_was_also_closed() -> None:
    calendar = BusinessCalendar(
        closures=[
            Closure(day("2026-02-10"), "Roof leak", office="manchester"),
            Closure(day("2026-02-10"), "Blizzard"),
        ]
    )
    assert calendar.reason(day("2026-02-10"), "manchester") == "closure: Blizzard"
    assert calendar.reason(day("2026-02-10"), "concord") == "closure: Blizzard"


def test_holiday_name_wins_over_a_closure_on_the_same_day() -> None:
    calendar = BusinessCalendar(closures=[Closure(day("2026-11-26"), "Power cut")])
    assert calendar.reason(day("2026-11-26")) == "Thanksgiving Day"


# --- every deadline kind (SPEC 4.2) --------------------------------------------------------


def test_placement_on_a_saturday_is_due_that_saturday() -> None:
    deadline = PLAIN.deadline("same_day", day("2026-11-28"))
    assert (deadline.due, deadline.skipped) == (day("2026-11-28"), ())
    assert deadline.describe() == "same day as Sat 2026-11-28: Sat 2026-11-28"


def test_before_a_monday_meeting_means_by_the_sunday_without_rolling() -> None:
    deadline = PLAIN.deadline("before", day("2026-11-30"))
    assert deadline.due == day("2026-11-29")
    assert deadline.describe() == "day before Mon 2026-11-30: Sun 2026-11-29"


def test_at_the_meeting_means_the_meeting_day_even_on_a_holiday() -> None:
    assert PLAIN.deadline(DeadlineKind.ON, day("2026-11-26")).due == day("2026-11-26")


def test_thirty_days_landing_on_observed_independence_day_runs_to_monday() -> None:
    deadline = PLAIN.deadline("calendar_days_after", day("2026-06-03"), 30)
    assert deadline.due == day("2026-07-06")
    assert deadline.skipped == (
        Skip(day("2026-07-03"), "Independence Day (observed)"),
        Skip(day("2026-07-04"), "Saturday"),
        Skip(day("2026-07-05"), "Sunday"),
    )
    assert deadline.describe().startswith("30 calendar days after Wed 2026-06-03: Mon 2026-07-06")


def test_sixty_days_landing_on_a_weekday_stays_put() -> None:
    deadline = PLAIN.deadline("calendar_days_after", day("2026-01-05"), 60)
    assert (deadline.due, deadline.skipped) == (day("2026-03-06"), ())


def test_six_months_after_august_31_clamps_to_february_then_rolls_off_the_sunday() -> None:
    deadline = PLAIN.deadline("months_after", day("2026-08-31"), 6)
    assert deadline.due == day("2027-03-01")
    assert deadline.skipped == (Skip(day("2027-02-28"), "Sunday"),)
    assert deadline.describe() == (
        "6 months after Mon 2026-08-31: Mon 2027-03-01 (skipped Sun 2027-02-28 Sunday)"
    )


def test_six_months_after_august_31_in_a_leap_year_is_february_29() -> None:
    assert PLAIN.deadline("months_after", day("2027-08-31"), 6).due == day("2028-02-29")


def test_one_month_after_a_january_day_lands_on_presidents_day_and_rolls() -> None:
    assert PLAIN.deadline("months_after", day("2026-01-16"), 1).due == day("2026-02-17")


def test_change_on_december_30_2027_waits_past_new_years_observed_on_december_31() -> None:
    deadline = PLAIN.deadline("next_business_day", day("2027-12-30"))
    assert deadline.due == day("2028-01-03")
    assert deadline.skipped[0] == Skip(day("2027-12-31"), "New Year's Day (observed)")


def test_screen_for_first_meeting_of_2028_counts_back_over_both_observed_holidays() -> None:
    # 12-31 and 12-24 are observed New Year's Day and Christmas; 12-30..27 and 12-23 count.
    assert PLAIN.deadline("business_days_before", day("2028-01-03"), 5).due == day("2027-12-23")


def test_one_week_after_december_17_2027_lands_on_observed_christmas() -> None:
    assert PLAIN.deadline("calendar_days_after", day("2027-12-17"), 7).due == day("2027-12-27")


def test_zero_counts_leave_the_trigger_alone_or_only_roll_it() -> None:
    saturday = day("2026-11-28")
    assert PLAIN.deadline("business_days_before", saturday, 0).due == saturday
    assert PLAIN.deadline("calendar_days_after", saturday, 0).due == day("2026-11-30")
    assert PLAIN.deadline("months_after", saturday, 0).due == day("2026-11-30")
    assert PLAIN.add_business_days(saturday, 0) == saturday
    assert PLAIN.subtract_business_days(saturday, 0) == saturday


def test_roll_forward_keeps_a_business_day_and_moves_a_holiday() -> None:
    assert PLAIN.roll_forward(day("2026-11-25")) == day("2026-11-25")
    assert PLAIN.roll_forward(day("2026-11-26")) == day("2026-11-30")


def test_days_late_counts_business_days_after_the_due_date() -> None:
    # Due Wed before Thanksgiving, done the next Tuesday: Mon and Tue are late business days.
    assert PLAIN.business_days_late(day("2026-11-25"), day("2026-12-01")) == 2
    assert PLAIN.business_days_late(day("2026-11-25"), day("2026-11-29")) == 0
    assert PLAIN.business_days_late(day("2026-11-25"), day("2026-11-20")) == 0
    assert PLAIN.business_days_late(day("2026-11-25"), day("2026-11-25")) == 0


def test_days_late_over_a_whole_year_excludes_its_weekends_and_ten_holidays() -> None:
    # 2026 has 261 weekdays, and all ten observed holidays fall on weekdays.
    assert PLAIN.business_days_late(day("2025-12-31"), day("2026-12-31")) == 261 - 10


@pytest.mark.parametrize(
    ("kind", "n", "message"),
    [
        ("business_days_before", None, "needs a number"),
        ("calendar_days_after", None, "needs a number"),
        ("months_after", None, "needs a number"),
        ("business_days_before", -1, "0 or more"),
        ("months_after", -6, "0 or more"),
        ("next_business_day", 1, "takes no number"),
        ("same_day", 0, "takes no number"),
        ("fortnight_after", 1, "unknown deadline kind 'fortnight_after'"),
    ],
)
def test_malformed_deadline_is_refused_with_a_clear_message(
    kind: str, n: int | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        PLAIN.deadline(kind, day("2026-11-25"), n)


def test_negative_business_day_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        PLAIN.add_business_days(day("2026-11-25"), -1)
    with pytest.raises(ValueError, match="0 or more"):
        PLAIN.subtract_business_days(day("2026-11-25"), -1)


# --- properties ----------------------------------------------------------------------------

DATES = st.dates(date(2024, 1, 1), date(2030, 12, 31))
COUNTS = st.integers(0, 60)
OFFICES = st.sampled_from([None, "manchester", "concord", "keene"])


@st.composite
def calendars(draw: st.DrawFn, near: date) -> BusinessCalendar:
    """Closures and added holidays clustered around `near`, so they meet the arithmetic."""
    offsets = st.integers(-100, 100).map(lambda k: near + timedelta(days=k))
    closures = draw(
        st.lists(
            st.builds(
                Closure,
                date=offsets,
                reason=st.just("storm"),
                office=st.sampled_from([None, "manchester", "concord"]),
            ),
            max_size=25,
        )
    )
    added = draw(st.dictionaries(offsets, st.just("Governor's order"), max_size=5))
    removed = draw(st.lists(st.sampled_from(sorted(state_holidays(near.year))), max_size=3))
    return BusinessCalendar(closures, added=added, removed=removed)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[BusinessCalendar, date, int, str | None]:
    d = draw(DATES)
    return draw(calendars(d)), d, draw(COUNTS), draw(OFFICES)


def _brute_count(cal: BusinessCalendar, start: date, end: date, office: str | None) -> int:
    """Business days in (start, end], counted one day at a time."""
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(cal.is_business_day(x, office) for x in days)


@given(scenarios())
def test_arithmetic_never_lands_on_a_weekend_holiday_or_closure(
    scenario: tuple[BusinessCalendar, date, int, str | None],
) -> None:
    cal, d, n, office = scenario
    landed = [cal.next_business_day(d, office), cal.roll_forward(d, office)]
    if n >= 1:
        landed += [cal.add_business_days(d, n, office), cal.subtract_business_days(d, n, office)]
    for x in landed:
        assert x.weekday() < 5
        assert x not in cal.holidays(x.year)
        assert cal.reason(x, office) is None


@given(scenarios())
def test_adding_n_business_days_passes_exactly_n_business_days(
    scenario: tuple[BusinessCalendar, date, int, str | None],
) -> None:
    cal, d, n, office = scenario
    later = cal.add_business_days(d, n, office)
    earlier = cal.subtract_business_days(d, n, office)
    assert (later > d) == (n >= 1) and (earlier < d) == (n >= 1)
    assert cal.business_days_late(d, later, office) == n
    # (earlier, d) holds n - 1 business days; d itself adds one if it is a business day.
    expected_back = n - 1 + cal.is_business_day(d, office) if n >= 1 else 0
    assert cal.business_days_late(earlier, d, office) == expected_back
    off_days = cal.non_business_days(d + timedelta(days=1), later, office)
    assert (later - d).days - len(off_days) == n


@given(scenarios())
def test_there_and_back_returns_to_the_business_day_on_or_around_d(
    scenario: tuple[BusinessCalendar, date, int, str | None],
) -> None:
    cal, d, n, office = scenario
    there_back = cal.subtract_business_days(cal.add_business_days(d, n, office), n, office)
    back_there = cal.add_business_days(cal.subtract_business_days(d, n, office), n, office)
    if n == 0 or cal.is_business_day(d, office):
        assert there_back == back_there == d
    else:
        # The latest business day before d, and the earliest one after it.
        assert there_back == cal.subtract_business_days(d, 1, office)
        assert back_there == cal.roll_forward(d, office) == cal.next_business_day(d, office)


@given(scenarios(), st.integers(0, 20))
def test_later_trigger_never_gives_an_earlier_due_date(
    scenario: tuple[BusinessCalendar, date, int, str | None], gap: int
) -> None:
    cal, d1, n, office = scenario
    d2 = d1 + timedelta(days=gap)
    assert cal.add_business_days(d1, n, office) <= cal.add_business_days(d2, n, office)
    assert cal.subtract_business_days(d1, n, office) <= cal.subtract_business_days(d2, n, office)
    assert cal.roll_forward(d1, office) <= cal.roll_forward(d2, office)


@given(scenarios(), st.integers(-30, 400))
def test_days_late_matches_a_day_by_day_count(
    scenario: tuple[BusinessCalendar, date, int, str | None], span: int
) -> None:
    cal, due, _, office = scenario
    done = due + timedelta(days=span)
    assert cal.business_days_late(due, done, office) == _brute_count(cal, due, done, office)


@given(scenarios())
def test_days_late_is_n_when_done_n_business_days_after_due(
    scenario: tuple[BusinessCalendar, date, int, str | None],
) -> None:
    cal, due, n, office = scenario
    assert cal.business_days_late(due, cal.add_business_days(due, n, office), office) == n


@given(scenarios())
def test_next_business_day_is_one_business_day_later_and_rolls_from_tomorrow(
    scenario: tuple[BusinessCalendar, date, int, str | None],
) -> None:
    cal, d, _, office = scenario
    nxt = cal.next_business_day(d, office)
    assert nxt == cal.add_business_days(d, 1, office) == cal.roll_forward(d + timedelta(1), office)


@given(scenarios())
def test_skipped_days_are_exactly_the_non_business_days_passed_over(
    scenario: tuple[BusinessCalendar, date, int, str | None],
) -> None:
    cal, d, n, office = scenario
    one = timedelta(days=1)
    nbd = cal.deadline("next_business_day", d, office=office)
    assert list(nbd.skipped) == cal.non_business_days(d + one, nbd.due - one, office)
    before = cal.deadline("business_days_before", d, n, office)
    assert list(before.skipped) == cal.non_business_days(before.due + one, d - one, office)[::-1]
    after = cal.deadline("calendar_days_after", d, n, office)
    assert after.due == cal.roll_forward(d + timedelta(days=n), office)
    passed = cal.non_business_days(d + timedelta(days=n), after.due - one, office)
    assert list(after.skipped) == passed
    months = cal.deadline("months_after", d, n % 13, office)
    assert months.due >= d and cal.is_business_day(months.due, office)
    assert all(s.date < months.due for s in months.skipped)


@given(DATES, OFFICES)
def test_calendar_without_closures_gives_the_same_answer_for_every_office(
    d: date, office: str | None
) -> None:
    assert PLAIN.reason(d, office) == PLAIN.reason(d)
