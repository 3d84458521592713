"""Generate a realistic case repository in the SPEC format, for benchmarks and tests (issue 6).

    python benchmarks/generate.py OUT_DIR --cases N [--seed S] [--offices K] [--jobs J]

Writes OUT_DIR/ppt.yaml, staff.yaml, calendar.yaml and N case files OUT_DIR/<office>/<ID>.yaml
of 2 to 10 KB each: cps, jjs and joint cases with comments, placements, court actions,
factors, meetings (held, scheduled, now and then cancelled) with the information gathered,
attendees, topics and tasks, supervisor follow-ups, waivers, plans and permanency.

Every file passes `ppt validate`; whether each duty was met is left to chance, as in a real
office (most on time, some late, a few missed or overdue). The output depends only on the
arguments: the same seed gives the same bytes, whatever the number of jobs. Files are built
from plain string templates, not a YAML dumper, so 100,000 cases take seconds, not minutes.
All event dates fall between 2024-01-01 and 2026-12-31; the reference date is 2026-11-23.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

AS_OF = dt.date(2026, 11, 23)  # the benchmarks' reference date (as the demonstration repository's)
FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
LAST_REMOVAL = dt.date(2026, 10, 20)
MIN_BYTES, MAX_BYTES = 2048, 10240  # a case file is 2 to 10 KB
CASES_PER_WORKER = 15
WORKERS_PER_SUPERVISOR = 6

# NH DCYF district offices, largest first: (id, case id prefix, relative caseload)
OFFICES = (
    ("manchester", "MAN", 3.0), ("nashua", "NAS", 2.4), ("concord", "CON", 1.8),
    ("rochester", "ROC", 1.5), ("portsmouth", "POR", 1.3), ("laconia", "LAC", 1.1),
    ("claremont", "CLA", 1.0), ("keene", "KEE", 0.9), ("salem", "SAL", 0.8),
    ("conway", "COW", 0.6), ("berlin", "BER", 0.5), ("littleton", "LIT", 0.4),
)

FIRST_NAMES = (
    "Aaron", "Adela", "Ahmed", "Alma", "Amara", "Andre", "Anika", "Beatriz", "Bernard", "Bianca",
    "Caleb", "Camille", "Chidi", "Clara", "Dalia", "Damien", "Delphine", "Desmond", "Elena", "Emeka",
    "Esther", "Farah", "Felix", "Fiona", "Gideon", "Greta", "Hamid", "Helena", "Ian", "Imani",
    "Isaac", "Jana", "Jonah", "Josefina", "Kai", "Kateri", "Laila", "Leon", "Liam", "Lorna",
    "Malik", "Maren", "Mateo", "Mira", "Nadia", "Nathan", "Noor", "Olga", "Omar", "Paloma",
    "Pierre", "Priya", "Rafael", "Renee", "Rosa", "Samir", "Selma", "Tariq", "Tessa", "Ulla",
    "Valentin", "Vera", "Wendell", "Xiomara", "Yusuf", "Zara",
)
LAST_NAMES = (
    "Abernathy", "Alvarez", "Asante", "Bergeron", "Bishop", "Boucher", "Caron", "Chen", "Cloutier",
    "Cormier", "Costa", "Delacroix", "Dube", "Eriksen", "Fitzgerald", "Fortin", "Gallant", "Garcia",
    "Gauthier", "Goldberg", "Haddad", "Hebert", "Ibrahim", "Jensen", "Kaplan", "Kowal", "Lambert",
    "Landry", "Larocque", "Leblanc", "Lindholm", "Mackenzie", "Mahoney", "Martel", "Mbeki",
    "Mercier", "Nakamura", "Novak", "Obi", "Ouellette", "Paquin", "Pelletier", "Quintero",
    "Ramirez", "Richard", "Rousseau", "Sato", "Schultz", "Sirois", "Soucy", "Tremblay", "Turcotte",
    "Usman", "Vachon", "Vasquez", "Wallace", "Whitcomb", "Yamada", "Zielinski",
)
HOMES = ("Smith", "Lindgren", "Baptiste", "Lacasse", "Whitney", "Aldrich", "Morrison", "Pike",
         "Holloway", "Brennan", "Sanborn", "Chase", "Dow", "Eastman", "Farnum", "Gove", "Huckins")
TOWNS = ("Merrimack Valley", "Lakes Region", "Seacoast", "Monadnock", "North Country",
         "Upper Valley", "Granite State", "Souhegan")
CPS_PETITIONS = ("neglect petition (RSA 169-C)", "abuse petition (RSA 169-C)",
                 "neglect petition (RSA 169-C), parental substance use",
                 "abuse petition (RSA 169-C), physical abuse by a household member")
JJS_PETITIONS = ("delinquency petition (RSA 169-B)", "CHINS petition (RSA 169-D) after repeated runaways",
                 "delinquency petition (RSA 169-B), probation violation")
HISTORY = (  # header notes: (programs they fit, text)
    ("cps", "Mother engaged with services from the start; visits moved to unsupervised in the summer."),
    ("cps", "Father's whereabouts unknown at removal; diligent search ordered at the preliminary hearing."),
    ("any", "Maternal grandmother asked to be considered as a placement; home study requested."),
    ("any", "Child attends the same school since removal; transportation arranged by the district."),
    ("cps", "Siblings placed separately: weekly sibling visits are part of the case plan."),
    ("cps", "Parents completed the parenting program; substance use treatment still in progress."),
    ("any", "The youth asked to be part of the planning and attends the PPT when school allows."),
    ("any", "Therapeutic foster care recommended after the trauma assessment."),
    ("any", "Paternal relatives in another state: ICPC request pending."),
    ("cps", "Court ordered a concurrent plan at the dispositional hearing."),
    ("any", "School reports improved attendance since the last placement change."),
    ("any", "Mental health provider recommends continuity of placement through the school year."),
    ("any", "The family team meeting agreed on a visitation schedule; the child's wishes recorded."),
    ("any", "Tribal affiliation checked: no ICWA notice required."),
    ("cps", "CASA volunteer visits monthly and reports to the court before each hearing."),
    ("jjs", "Probation conditions reviewed with the youth and the guardian after each hearing."),
    ("jjs", "Restitution plan in place; community service hours nearly complete."),
    ("jjs", "Credit recovery program at the high school arranged for the spring semester."),
    ("jjs", "Youth completed the diversion program intake; curfew checks by the JPPO twice a week."),
    ("any", "Pediatrician follow-up for asthma; medical passport updated at each placement."),
)
MEETING_NOTES = (
    "parents attended by phone; interpreter arranged for the father",
    "the youth attended the first half and spoke about school",
    "foster parent reported steady progress at home and at school",
    "concurrent plan reviewed: relative home study still pending",
    "barriers: transportation to visits and waitlist for counseling",
    "team agreed to move visits to the weekend",
    "Permanency worker to follow up with the court liaison",
    "school placement stable; IEP meeting set for next month",
    "case plan goals reviewed line by line with the family",
    "kinship options discussed; paternal aunt open to guardianship",
)
CPS_TASKS = (
    "Refer mother to substance use program", "Home study of maternal aunt", "Schedule sibling visits",
    "Request school records", "Referral for trauma assessment", "Update ICPC paperwork",
    "Arrange supervised visits with father", "Kinship search (paternal side)",
    "Complete adoption disclosure packet", "Court report for review hearing",
    "Connect youth with independent living program", "Dental and vision appointments",
    "Confirm counseling intake", "Submit guardianship subsidy request",
    "Update the child's health passport", "Locate paternal relatives through diligent search",
)
JJS_TASKS = (
    "Safety plan for runaway risk", "Enroll youth in credit recovery program",
    "Referral for substance use evaluation", "Confirm restitution payment plan",
    "Identify step-down foster home", "Transition plan from residential program",
    "Schedule family therapy", "Obtain updated psychological evaluation",
    "Court report for JJS review hearing", "Arrange mentoring through community program",
)
CPS_COURT = (
    "Adjudicatory hearing: finding of neglect", "Dispositional hearing: custody to DCYF continued",
    "Review hearing: reunification goal continued", "Review hearing: visits increased",
    "Permanency hearing: concurrent plan approved", "Review hearing: trial home visit approved",
    "Permanency hearing: goal changed to adoption", "Motion to modify visitation granted",
)
JJS_COURT = (
    "Adjudicatory hearing: delinquency found", "Dispositional hearing: probation and placement ordered",
    "Review hearing: residential placement continued", "Review hearing: step-down to foster care approved",
    "Permanency hearing: reunification goal continued", "Probation violation hearing: conditions amended",
)
NOT_APPLICABLE = ("parental rights terminated", "parents deceased", "child under two: not verbal",
                  "no provider yet: placement began this week")
FACTORS = ("trafficking", "domestic_violence", "substance_abuse", "fiscal", "medical")
TOPICS = ("prior_tasks", "case_plan_progress", "connections", "barriers", "placement_concurrent_goal", "other_needs")


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    role: str
    office: str
    supervisor: str | None = None


@dataclass(frozen=True)
class Slot:
    """What the roster fixes for one case before its content is drawn."""

    index: int  # 0..N-1 across the repository: with the seed, the case's own random stream
    office: str
    case_id_stem: str  # prefix and office-local number; the year comes from the removal date
    program: str
    cpsw: str | None
    cpsw_supervisor: str | None
    permanency_cpsw: str
    jppo: str | None
    jppo_supervisor: str | None
    permanency_jppo: str
    reunification: str


# --- the roster ---------------------------------------------------------------------------


def _office_counts(cases: int, offices: Sequence[tuple[str, str, float]]) -> list[int]:
    """Cases per office in proportion to caseload (largest remainder), every office at least one."""
    total = sum(w for _, _, w in offices)
    raw = [cases * w / total for _, _, w in offices]
    counts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[: cases - sum(counts)]:
        counts[i] += 1
    return counts


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> tuple[str, str]:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        base = f"{first[0]}.{last}".lower()
        ident, n = base, 1
        while ident in self.used:
            n += 1
            ident = f"{base}{n}"
        self.used.add(ident)
        return ident, f"{first} {last}"


def plan_repository(cases: int, seed: int, office_count: int) -> tuple[list[Member], list[Slot], list[str]]:
    """The staff roster and, per case, office, program and team: cheap, done in one process."""
    offices = OFFICES[: max(1, min(office_count, len(OFFICES)))]
    rng = random.Random(f"roster:{seed}")
    names = _Names(rng)
    staff: list[Member] = []
    slots: list[Slot] = []
    index = 0
    for (office, prefix, _), count in zip(offices, _office_counts(cases, offices), strict=True):
        programs = [_program(rng.random()) for _ in range(count)]
        cps_side = sum(p != "jjs" for p in programs)
        jjs_side = sum(p != "cps" for p in programs)

        cpsws, cpsw_sups = _team(staff, names, "cpsw", office, max(1, math.ceil(cps_side / CASES_PER_WORKER)))
        jppos, jppo_sups = _team(staff, names, "jppo", office, max(1, math.ceil(jjs_side / CASES_PER_WORKER)))
        perm_cpsws = _plain(staff, names, "permanency_cpsw", office, max(1, math.ceil(cps_side / 150)))
        perm_jppos = _plain(staff, names, "permanency_jppo", office, max(1, math.ceil(jjs_side / 150)))
        reunifs = _plain(staff, names, "reunification_specialist", office, max(1, math.ceil(count / 300)))
        c = j = 0
        for local, program in enumerate(programs):
            cw = jw = None
            if program != "jjs":
                cw, c = c % len(cpsws), c + 1
            if program != "cps":
                jw, j = j % len(jppos), j + 1
            slots.append(Slot(
                index=index, office=office, case_id_stem=f"{prefix}-{{year}}-{local + 1:04d}", program=program,
                cpsw=cpsws[cw] if cw is not None else None, cpsw_supervisor=cpsw_sups[cw] if cw is not None else None,
                permanency_cpsw=perm_cpsws[local % len(perm_cpsws)],
                jppo=jppos[jw] if jw is not None else None, jppo_supervisor=jppo_sups[jw] if jw is not None else None,
                permanency_jppo=perm_jppos[local % len(perm_jppos)],
                reunification=reunifs[local % len(reunifs)],
            ))
            index += 1
    return staff, slots, [o for o, _, _ in offices]


def _program(x: float) -> str:
    return "cps" if x < 0.62 else "jjs" if x < 0.88 else "joint"


def _team(staff: list[Member], names: _Names, role: str, office: str, workers: int) -> tuple[list[str], list[str]]:
    """Workers of one role and their supervisors (one per WORKERS_PER_SUPERVISOR): ids, each one's supervisor."""
    sups = [names.person() for _ in range(max(1, math.ceil(workers / WORKERS_PER_SUPERVISOR)))]
    for ident, name in sups:
        staff.append(Member(ident, name, "supervisor", office))
    ids, their_sups = [], []
    for w in range(workers):
        ident, name = names.person()
        sup = sups[w // WORKERS_PER_SUPERVISOR][0]
        staff.append(Member(ident, name, role, office, sup))
        ids.append(ident)
        their_sups.append(sup)
    return ids, their_sups


def _plain(staff: list[Member], names: _Names, role: str, office: str, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        ident, name = names.person()
        staff.append(Member(ident, name, role, office))
        ids.append(ident)
    return ids


# --- settings files ------------------------------------------------------------------------


def settings_files(staff: Sequence[Member], offices: Sequence[str]) -> dict[str, str]:
    ppt = (
        "# Settings of a generated benchmark repository (benchmarks/generate.py). Every person in it\n"
        "# is invented.\n\n"
        f"offices: [{', '.join(offices)}]\n\n"
        "# every policy parameter at its default (SPEC 4.3)\npolicy: {}\n\n"
        "# null = the rules shipped with ppt\nrules: null\n"
    )
    lines = ["# Staff roster (SPEC 2.1), generated. CPS and JJS have separate supervisors in every office.", "", "staff:"]
    current = None
    for m in staff:
        if m.office != current:
            current = m.office
            lines.append(f"  # ---- {m.office} district office ----")
        sup = f", supervisor: {m.supervisor}" if m.supervisor else ""
        lines.append(f"  - {{id: {m.id}, name: {m.name}, role: {m.role}, office: {m.office}{sup}}}")
    closure_office = offices[1] if len(offices) > 1 else offices[0]
    calendar = (
        "# Days the offices were closed, on top of the state-office holidays ppt knows (SPEC 4.1).\n\n"
        "closures:\n"
        '  - {date: 2025-01-07, reason: "Ice storm: state offices closed by Governor\'s order"}\n'
        '  - {date: 2026-02-10, reason: "Blizzard: state offices closed by Governor\'s order"}\n'
        f'  - {{date: 2026-09-15, office: {closure_office}, reason: "District office closed: HVAC failure"}}\n\n'
        "holidays:\n"
        '  add: [{date: 2026-12-24, name: "Christmas Eve (Governor\'s order)"}]\n'
        "  remove: []\n"
    )
    return {"ppt.yaml": ppt, "staff.yaml": "\n".join(lines) + "\n", "calendar.yaml": calendar}


# --- one case ------------------------------------------------------------------------------


class _Rng(random.Random):
    """random.Random with a cheaper randint and choice (the generator's hot spots); deterministic."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return seq[int(self.random() * len(seq))]


def _weekday(d: dt.date, forward: bool = True) -> dt.date:
    step = dt.timedelta(days=1 if forward else -1)
    while d.weekday() >= 5:
        d += step
    return d


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _initials(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTVWY"
    return f"{rng.choice(letters)}. {rng.choice(letters)}."


def _notice(rng: random.Random, event: dt.date, on_time: int, late: int) -> dt.date | None:
    """A notification date: on time with weight `on_time`, a few days late, or never given."""
    x = rng.random() * 100
    if x < on_time:
        day = event if rng.random() < 0.7 else event + _days(1)
    elif x < on_time + late:
        day = event + _days(rng.randint(2, 6))
    else:
        return None
    return day if day <= AS_OF else None


def render_case(slot: Slot, seed: int) -> tuple[str, str]:
    """The case's id and the text of its file. The slot's index and the seed fix every choice."""
    for attempt in range(6):
        rng = _Rng(seed * 1_000_003 + slot.index * 7 + attempt)
        case_id, text = _case(slot, rng, shrink=attempt)
        size = len(text.encode("utf-8"))
        if MIN_BYTES <= size <= MAX_BYTES:
            return case_id, text
    raise RuntimeError(f"case {case_id}: cannot fit {size} bytes into {MIN_BYTES}..{MAX_BYTES}")


def _case(slot: Slot, rng: random.Random, shrink: int) -> tuple[str, str]:
    cps, jjs = slot.program != "jjs", slot.program != "cps"
    removal = FIRST_DAY + _days(rng.randrange((LAST_REMOVAL - FIRST_DAY).days))
    if shrink:  # a retry after an over-long file: a shorter history
        removal = max(removal, AS_OF - _days(700 - 150 * shrink))
    low_age, high_age = (0, 16) if slot.program == "cps" else (12, 17) if slot.program == "jjs" else (10, 17)
    born = removal - _days(rng.randint(low_age * 365 + 30, high_age * 365 + 300))
    case_id = slot.case_id_stem.format(year=removal.year)
    initials = _initials(rng)
    has_reunif = rng.random() < 0.3
    casa = (f'"CASA of NH ({rng.choice(FIRST_NAMES)[0]}. {rng.choice(LAST_NAMES)})"' if rng.random() < 0.6
            else f'"GAL: Attorney {rng.choice(LAST_NAMES)}"') if cps and rng.random() < 0.55 else None

    # permanency: only for cases old enough to have had PPT meetings
    achieved = None
    if removal < AS_OF - _days(240) and rng.random() < 0.22:
        achieved = removal + _days(rng.randint(200, max(201, (AS_OF - removal).days - 5)))
    active_end = achieved or AS_OF

    out: list[str] = []
    w = out.append
    petition = rng.choice(CPS_PETITIONS if cps else JJS_PETITIONS)
    w(f"# {initials} -- {petition}, removed from the family home {removal.isoformat()}.")
    history = [text for fits, text in HISTORY if fits == "any" or (fits == "cps" and cps) or (fits == "jjs" and jjs)]
    rng.shuffle(history)
    for line in history[: rng.randint(2, 6)]:
        w(f"# {line}")
    if achieved:
        w(f"# Permanency achieved {achieved.isoformat()}: the PPT schedule stops there.")
    w("")
    w(f"id: {case_id}")
    w(f"program: {slot.program}")
    w(f"office: {slot.office}")
    w(f'child: {{name: "{initials}", born: {born.isoformat()}}}')
    w("")
    w("team:")
    verbose = rng.random() < 0.5
    if cps:
        w(f"  cpsw: {slot.cpsw}")
        if rng.random() < 0.7:
            w(f"  cpsw_supervisor: {slot.cpsw_supervisor}")
        w(f"  permanency_cpsw: {slot.permanency_cpsw}")
    elif verbose:
        w("  cpsw: null\n  cpsw_supervisor: null\n  permanency_cpsw: null")
    if jjs:
        w(f"  jppo: {slot.jppo}")
        if rng.random() < 0.7:
            w(f"  jppo_supervisor: {slot.jppo_supervisor}")
        w(f"  permanency_jppo: {slot.permanency_jppo}")
    elif verbose:
        w("  jppo: null\n  jppo_supervisor: null\n  permanency_jppo: null")
    if has_reunif:
        w(f"  reunification_specialist: {slot.reunification}    # assigned at removal")
    elif verbose:
        w("  reunification_specialist: null")
    if casa:
        w(f"  casa_gal: {casa}")
    w("")

    workers = [x for x in (slot.cpsw, slot.jppo) if x]
    sups = [x for x in (slot.cpsw_supervisor, slot.jppo_supervisor) if x]
    perms = ([slot.permanency_cpsw] if cps else []) + ([slot.permanency_jppo] if jjs else [])

    # meetings: the first within about two months of removal, then about every six months
    meetings: list[tuple[dt.date, str]] = []  # (date, status)
    day = _weekday(removal + _days(rng.randint(25, 70)))
    while True:
        if day > LAST_DAY or (achieved and day > achieved):
            break
        if day > AS_OF:
            meetings.append((day, "scheduled"))
            break
        if rng.random() < 0.03:
            meetings.append((day, "cancelled"))
            day = _weekday(day + _days(rng.randint(7, 14)))
            continue
        meetings.append((day, "held"))
        day = _weekday(day + _days(rng.randint(150, 200)))
    held = [d for d, s in meetings if s == "held"]
    first_meeting = meetings[0][0] if meetings else None

    # the initial plan, usually set at the first PPT meeting
    age_at = lambda d: (d - born).days // 365
    if rng.random() < 0.9:
        set_day = first_meeting if first_meeting and first_meeting <= AS_OF else removal + _days(rng.randint(20, 55))
        set_day = min(set_day, AS_OF)
        goals = ["reunification"] * 6 + ["guardianship", "guardianship", "adoption"]
        if age_at(set_day) >= 16:
            goals += ["appla", "appla"]
        goal = rng.choice(goals)
        concurrent = rng.choice([g for g in ("adoption", "guardianship", "reunification") if g != goal] + [None])
        set_by = [workers[0], sups[0]] if slot.program != "joint" or rng.random() < 0.4 else workers + sups
        consulted = perms if slot.program == "joint" and rng.random() < 0.6 else perms[:1]
        w("plan:")
        w(f"  goal: {goal}")
        if concurrent:
            w(f"  concurrent_goal: {concurrent}")
        w(f"  set: {set_day.isoformat()}")
        w(f"  set_by: [{', '.join(set_by)}]")
        w(f"  consulted: [{', '.join(consulted)}]")
        fam = rng.random() < 0.85
        w(f"  family_input: {'true' if fam else 'false'}" + ("" if fam else "             # parents declined the family team meeting"))
        w("")
    else:
        goal = "reunification"

    # placements: the first, then each change
    changes = rng.choices((0, 1, 2, 3), weights=(35, 35, 20, 10))[0]
    span = (active_end - removal).days
    moves = sorted({removal + _days(rng.randint(14, span - 1)) for _ in range(changes)} if span > 15 else set())
    w("placements:")
    for n, when in enumerate([removal, *moves]):
        provider = _provider(rng, jjs)
        notified = _notice(rng, when, 86, 8) if n == 0 else _notice(rng, when, 78, 14)
        reunif = _notice(rng, when, 80, 12) if has_reunif else None
        flow = rng.random() < 0.25
        affects = None
        if n and jjs and rng.random() < 0.25:
            affects = "false" if rng.random() < 0.6 else "true"
        if flow:
            parts = [f"date: {when.isoformat()}", f'provider: "{provider}"']
            if affects:
                parts.append(f"affects_ppt_schedule: {affects}")
            if notified:
                parts.append(f"notified_ppt: {notified.isoformat()}")
            if reunif:
                parts.append(f"notified_reunification_specialist: {reunif.isoformat()}")
            w(f"  - {{{', '.join(parts)}}}")
        else:
            if n and rng.random() < 0.4:
                w(f"  # change: {rng.choice(('disruption at the previous home', 'planned move closer to school', 'step-down from a higher level of care', 'relative placement approved', 'provider retired'))}")
            w(f"  - date: {when.isoformat()}")
            w(f'    provider: "{provider}"')
            if affects:
                w(f"    affects_ppt_schedule: {affects}")
            if notified:
                w(f"    notified_ppt: {notified.isoformat()}")
            if reunif:
                w(f"    notified_reunification_specialist: {reunif.isoformat()}")
    w("")

    # court actions: preliminary hearing, disposition, reviews every few months
    w("court_actions:")
    prelim = _weekday(removal + _days(rng.randint(1, 4)))
    w(f'  - {{date: {prelim.isoformat()}, action: "Preliminary hearing: protective custody to DCYF", affects_permanency: false}}')
    hearing = _weekday(removal + _days(rng.randint(45, 90)))
    pool = CPS_COURT if cps else JJS_COURT
    while hearing <= min(active_end, AS_OF) and hearing <= LAST_DAY:
        affects = rng.random() < 0.6
        action = rng.choice(pool)
        notified = _notice(rng, hearing, 80, 12) if affects else None
        if rng.random() < 0.5:
            extra = "" if affects else ", affects_permanency: false"
            note = f", notified_ppt: {notified.isoformat()}" if notified else ""
            w(f'  - {{date: {hearing.isoformat()}, action: "{action}"{extra}{note}}}')
        else:
            w(f"  - date: {hearing.isoformat()}")
            w(f'    action: "{action}"')
            w(f"    affects_permanency: {'true' if affects else 'false'}")
            if notified:
                w(f"    notified_ppt: {notified.isoformat()}")
        hearing = _weekday(hearing + _days(rng.randint(70, 160)))
    w("")

    # factors warranting additional DCYF staff (CPSW I.J / JPPO I.H)
    n_factors = rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
    if n_factors:
        w("factors:")
        for factor in rng.sample(FACTORS, n_factors):
            identified = removal + _days(rng.randint(0, max(1, min(span, 400))))
            identified = min(identified, AS_OF)
            advised = _notice(rng, identified, 75, 15)
            adv = f", advised: {advised.isoformat()}" if advised else ""
            w(f"  - {{factor: {factor}, identified: {identified.isoformat()}{adv}}}")
        w("")

    if cps and rng.random() < 0.1:
        identified = min(removal + _days(rng.randint(60, 300)), AS_OF)
        w("early_permanency:")
        w(f"  - identified: {identified.isoformat()}")
        consulted_sup = _notice(rng, identified, 85, 10)
        if consulted_sup:
            w(f"    consulted_supervisor: {consulted_sup.isoformat()}")
        advised = _notice(rng, identified, 80, 10)
        if advised:
            w(f"    advised: {advised.isoformat()}    # Permanency CPSW advised of the need for a PPT meeting")
        w("")

    if jjs and rng.random() < 0.2:
        w("workgroup_requests:")
        when = min(removal + _days(rng.randint(30, 300)), AS_OF)
        via, core = rng.random() < 0.85, rng.random() < 0.8
        w(f"  - {{date: {when.isoformat()}, via_permanency_jppo: {str(via).lower()}, core_ppt_invited: {str(core).lower()}}}")
        w("")

    # PPT meetings
    open_tasks_from: dt.date | None = None
    waiver_meeting: dt.date | None = None
    budget_tasks = 4 if len(meetings) <= 3 else 3 if len(meetings) <= 5 else 2
    if shrink:
        budget_tasks = 1
    if meetings:
        w("meetings:")
    for m, (day, status) in enumerate(meetings):
        if m:
            w("")
        if status == "scheduled":
            w("  # next regular PPT; page 1 of the screen is due five business days before")
        w(f"  - date: {day.isoformat()}")
        special = status == "held" and m and rng.random() < 0.06
        w(f"    kind: {'special' if special else 'regular'}")
        w(f"    status: {status}")
        if special:
            w(f"    requested_by: {rng.choice(workers + perms)}")
            w(f"    requested: {(day - _days(rng.randint(5, 15))).isoformat()}")
        elif rng.random() < 0.3:
            w("    requested_by: null\n    requested: null")
        if status == "cancelled":
            w(f"    # cancelled: {rng.choice(('court hearing rescheduled', 'parent hospitalized', 'office closure'))}")
            continue
        screen = None
        x = rng.random()
        if x < 0.85:
            screen = day - _days(rng.randint(7, 16))
        elif x < 0.95:
            screen = day - _days(rng.randint(1, 5))
        if screen and screen <= AS_OF:
            w(f"    screen_completed: {screen.isoformat()}")
        sources = ["parents", "child", "providers"] + (["casa_gal"] if casa else [])
        gathered = []
        for source in sources:
            y = rng.random()
            if source == "parents" and y < 0.04:
                gathered.append((source, f'{{not_applicable: "{rng.choice(NOT_APPLICABLE[:2])}"}}'))
                continue
            if y < 0.92:
                when = day - _days(rng.randint(1, 21))
                if when <= AS_OF:
                    gathered.append((source, when.isoformat()))
        if gathered:
            if rng.random() < 0.35:
                w(f"    info_gathered: {{{', '.join(f'{k}: {v}' for k, v in gathered)}}}")
            else:
                w("    info_gathered:")
                for k, v in gathered:
                    w(f"      {k}: {v}")
        if status != "held":
            continue
        attendees = [x for x in workers if rng.random() < 0.92] + [x for x in perms if rng.random() < 0.95]
        if len([a for a in attendees if a in workers]) < len(workers) or rng.random() < 0.15:
            attendees += [s for s in sups if rng.random() < 0.7]
        if has_reunif and rng.random() < 0.5:
            attendees.append(slot.reunification)
        w(f"    attendees: [{', '.join(attendees)}]")
        topics = [t for t in TOPICS if (t != "prior_tasks" or m) and (t != "other_needs" or rng.random() < 0.7)]
        if rng.random() < 0.06:
            topics.remove(rng.choice(topics))
        w(f"    discussed: [{', '.join(topics)}]")
        for note in rng.sample(MEETING_NOTES, rng.randint(0, 2)):
            w(f"    # {note}")
        n_tasks = rng.randint(0 if m else 1, budget_tasks)
        if n_tasks:
            w("    tasks:")
            pool = (CPS_TASKS if cps else ()) + (JJS_TASKS if jjs else ())
            for task in rng.sample(pool, n_tasks):
                owner = rng.choice(workers + perms + ([slot.reunification] if has_reunif else []))
                due = day + _days(rng.randint(10, 45)) if rng.random() < 0.6 else None
                target = due or (day + _days(180))
                z = rng.random()
                done = (day + _days(rng.randint(3, max(4, (target - day).days)))) if z < 0.72 else \
                    (target + _days(rng.randint(1, 20))) if z < 0.84 else None
                if done and done > AS_OF:
                    done = None
                if done is None:
                    open_tasks_from = open_tasks_from or day
                parts = [f'task: "{task}"', f"owner: {owner}"]
                if due:
                    parts.append(f"due: {due.isoformat()}")
                if done:
                    parts.append(f"done: {done.isoformat()}")
                comment = "" if due else "   # no due: due at the next PPT"
                if rng.random() < 0.65:
                    w(f"      - {{{', '.join(parts)}}}{comment if rng.random() < 0.3 else ''}")
                else:
                    w(f"      - {parts[0]}{comment}")
                    for part in parts[1:]:
                        w(f"        {part}")
        if waiver_meeting is None and rng.random() < 0.02:
            waiver_meeting = day
    if meetings:
        w("")

    # supervisor follow-ups while tasks are open (CPSW II.C / JPPO III.C)
    if held:
        start = open_tasks_from or held[0]
        followups = []
        day = start + _days(rng.randint(20, 35))
        while day <= min(active_end, AS_OF) and len(followups) < 8:
            if rng.random() < 0.85:
                followups.append(day)
            day += _days(rng.randint(25, 45))
        if followups:
            if len(followups) <= 4 or rng.random() < 0.5:
                w(f"supervisor_followups: [{', '.join(d.isoformat() for d in followups)}]")
            else:
                w("supervisor_followups:")
                for d in followups:
                    w(f"  - {d.isoformat()}")
            w("")

    # an approved waiver for information a source could not give before a meeting
    if waiver_meeting is not None:
        side_cps = cps and (not jjs or rng.random() < 0.5)
        rule = rng.choice(("CPSW-I.D", "CPSW-I.C")) if side_cps else rng.choice(("JPPO-I.C", "JPPO-I.B"))
        approver = slot.cpsw_supervisor if side_cps else slot.jppo_supervisor
        approved = max(waiver_meeting - _days(rng.randint(1, 4)), removal)
        reason = ("Parent unreachable before the meeting; court notified" if rule in ("CPSW-I.D", "JPPO-I.C")
                  else "Screen delayed by a court-ordered evaluation; supervisor approved")
        w("waivers:")
        w(f"  - rule: {rule}")
        w(f"    subject: meeting {waiver_meeting.isoformat()}")
        w(f'    reason: "{reason}"')
        w(f"    approved_by: {approver}        # the supervisor, not the responsible worker")
        w(f"    approved: {approved.isoformat()}")
        w("    expires: null")
        w("")

    if achieved:
        outcome = goal if goal != "appla" else "appla"
        w("permanency:")
        w(f"  achieved: {achieved.isoformat()}")
        w(f"  outcome: {outcome}")
        updated = _notice(rng, achieved, 85, 10)
        if updated:
            w(f"  ppt_updated: {updated.isoformat()}")
        w("")

    text = "\n".join(out).rstrip("\n") + "\n"
    if len(text) < MIN_BYTES:  # a young case: the caseworker's notes fill the header
        notes = [f"# Note: {line}" for line in history[6:]]
        header_end = out.index("")
        while len(text) < MIN_BYTES + 64 and notes:
            out.insert(header_end, notes.pop())
            header_end += 1
            text = "\n".join(out).rstrip("\n") + "\n"
    return case_id, text


def _provider(rng: random.Random, jjs: bool) -> str:
    kinds = [
        lambda: f"Foster home ({rng.choice(HOMES)})",
        lambda: "Relative: " + rng.choice(("maternal aunt", "maternal grandmother", "paternal grandmother", "paternal uncle", "adult sibling")),
        lambda: f"Kinship: family friend ({rng.choice(LAST_NAMES)})",
        lambda: f"Pre-adoptive home ({rng.choice(HOMES)})",
    ]
    if jjs:
        kinds += [lambda: f"Residential program ({rng.choice(TOWNS)} Youth Residence)",
                  lambda: f"Group home ({rng.choice(TOWNS)} Youth Services)"]
    return rng.choice(kinds)()


# --- writing -------------------------------------------------------------------------------


def _write_chunk(args: tuple[str, list[Slot], int]) -> list[tuple[str, str, int]]:
    out, slots, seed = args
    root = Path(out)
    written = []
    for slot in slots:
        case_id, text = render_case(slot, seed)
        rel = f"{slot.office}/{case_id}.yaml"
        data = text.encode("utf-8")
        with open(root / rel, "wb") as fh:
            fh.write(data)
        written.append((case_id, rel, len(data)))
    return written


def generate(out: Path, cases: int, seed: int = 1, offices: int = 11, jobs: int | None = None) -> dict[str, object]:
    """Write the repository; return what was written (counts, sizes, seconds)."""
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    staff, slots, office_ids = plan_repository(cases, seed, offices)
    for name, text in settings_files(staff, office_ids).items():
        (out / name).write_text(text, encoding="utf-8", newline="\n")
    for office in office_ids:
        (out / office).mkdir(exist_ok=True)
    jobs = max(1, jobs or min(2, os.cpu_count() or 1))
    if cases < 2000:
        jobs = 1
    size = math.ceil(len(slots) / (jobs * 8)) if slots else 1
    chunks = [(str(out), slots[i : i + size], seed) for i in range(0, len(slots), size)]
    if jobs == 1:
        results = [_write_chunk(c) for c in chunks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_write_chunk, chunks))
    written = [row for chunk in results for row in chunk]
    ids = [case_id for case_id, _, _ in written]
    if len(set(ids)) != len(ids):
        raise RuntimeError("generated case ids are not unique")
    sizes = sorted(n for _, _, n in written)
    seconds = time.perf_counter() - start
    return {
        "cases": len(written), "staff": len(staff), "offices": office_ids, "seed": seed,
        "bytes": sum(sizes), "min_bytes": sizes[0] if sizes else 0, "max_bytes": sizes[-1] if sizes else 0,
        "median_bytes": sizes[len(sizes) // 2] if sizes else 0, "seconds": round(seconds, 3),
        "files_per_second": round(len(written) / seconds) if seconds else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a realistic ppt case repository (SPEC 2 and 3).")
    parser.add_argument("out", type=Path, help="output folder (created; existing case files are overwritten)")
    parser.add_argument("--cases", type=int, required=True, help="number of case files")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1): same seed, same bytes")
    parser.add_argument("--offices", type=int, default=11, help=f"district offices, 1..{len(OFFICES)} (default 11)")
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: up to 2); the output does not depend on it")
    args = parser.parse_args(argv)
    if args.cases < 0:
        parser.error("--cases must be 0 or more")
    stats = generate(args.out, args.cases, args.seed, args.offices, args.jobs)
    print(f"{stats['cases']} cases, {stats['staff']} staff, {len(stats['offices'])} offices in {args.out}: "  # type: ignore[arg-type]
          f"{stats['bytes'] / 1e6:.1f} MB, {stats['min_bytes']}..{stats['max_bytes']} bytes per file "
          f"(median {stats['median_bytes']}), {stats['seconds']} s, {stats['files_per_second']} files/s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
