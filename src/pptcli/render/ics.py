"""--format ics: each dated obligation as an all-day event, to subscribe to in a calendar."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import TYPE_CHECKING

from pptcli.model.finding import Finding, Report, Status
from pptcli.render.base import RenderOptions, escapes, shown

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//ppt//PPT compliance//EN"


def uid(f: Finding) -> str:
    """Stable per obligation, whatever its status, so a re-import updates the event in place."""
    key = f"{f.case}|{f.rule}|{f.subject}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest() + "@ppt"


# RFC 5545 text holds no control character but the tab (icalendar escapes line breaks), and
# UTF-8 no lone surrogate (a file name that is not UTF-8): both are written as escapes.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _description(f: Finding) -> str:
    lines = [
        f"Subject: {f.subject}",
        f"Status: {f.status}",
        f"Source: {f.source} (authority: {f.authority})",
        f'SOP: "{f.quote}"' if f.quote else "",
        f"Detail: {f.detail}" if f.detail else "",
        f"File: {f.file}:{f.line}",
    ]
    return "\n".join(line for line in lines if line)


def _event(f: Finding, due: dt.date, stamp: dt.datetime, uid_: str) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid_)
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))  # DTEND is exclusive for all-day events
    prefix = "OVERDUE: " if f.status is Status.OVERDUE else ""
    event.add(
        "summary", escapes(_NOT_TEXT, f"{prefix}{f.case} {f.rule}: {f.title} ({f.subject})")
    )  # the subject tells two tasks apart
    event.add("description", escapes(_NOT_TEXT, _description(f)))
    event.add("categories", [str(f.status)])
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: it does not block time
    return event


def render(report: Report, options: RenderOptions) -> str:
    # Imported here: icalendar doubles the start-up time of every other command.
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "PPT obligations")
    # From the as-of date, not the clock: the same inputs give byte-identical output.
    stamp = dt.datetime.combine(report.as_of, dt.time(0, 0), tzinfo=dt.UTC)
    seen: dict[str, int] = {}
    for f in shown(report, options, brief=False):
        if f.due is None:
            continue  # nothing to put on a calendar yet
        base = uid(f)
        seen[base] = seen.get(base, 0) + 1
        # Two obligations with one case|rule|subject would collide; keep the first UID stable.
        uid_ = base if seen[base] == 1 else base.replace("@ppt", f"-{seen[base]}@ppt")
        cal.add_component(_event(f, f.due, stamp, uid_))
    return str(cal.to_ical(), "utf-8")
