"""`ppt check` and `ppt explain` end to end, through the real CLI on the demonstration
repository (issue 3 "Done when"; SPEC 5-8).

The demo is read as of Monday 2026-11-23 (cases/COVERAGE.md). Every run is a subprocess of
`python -m pptcli` with NO_COLOR=1 and an explicit --as-of; no output may show a traceback
(checked in helpers_check.ppt for every call).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers_check import (
    CASES,
    DEMO_AS_OF,
    NONCOMPLIANT,
    SCHEMA,
    SPEC_RULE_IDS,
    copy_demo,
    demo_check,
    ppt,
    report,
)

FORMATS = ("table", "json", "csv", "markdown", "junit")
SPEC7_KEYS = [
    "case", "office", "program", "rule", "title", "source", "authority", "responsible",
    "accountable", "subject", "trigger", "due", "done", "status", "business_days_late",
    "detail", "file", "line",
]


def key(f: dict[str, Any]) -> tuple[str, str, str]:
    return f["case"], f["rule"], f["subject"]


@pytest.fixture(scope="module")
def everything() -> dict[str, Any]:
    """`ppt check cases/ --as-of 2026-11-23 --format json --all`: exit 1, the demo has overdue duties."""
    return demo_check("--all", expect_rc=1)


# --- The demonstration repository covers every rule, both ways -----------------------------


def test_every_rule_of_the_catalogue_is_met_somewhere_and_not_met_somewhere(everything: dict[str, Any]) -> None:
    statuses: dict[str, Counter[str]] = {rule: Counter() for rule in SPEC_RULE_IDS}
    for f in everything["findings"]:
        statuses.setdefault(f["rule"], Counter())[f["status"]] += 1
    assert len(SPEC_RULE_IDS) == 30
    no_met = [rule for rule in SPEC_RULE_IDS if statuses[rule]["met"] == 0]
    never_failing = [rule for rule in SPEC_RULE_IDS if not any(statuses[rule][s] for s in NONCOMPLIANT)]
    assert no_met == [], f"rules without a met finding in the demo: {no_met}"
    assert never_failing == [], f"rules without a late/missed/overdue finding in the demo: {never_failing}"
    assert set(statuses) == set(SPEC_RULE_IDS), f"rules outside SPEC 5.1: {set(statuses) - set(SPEC_RULE_IDS)}"


def test_json_validates_against_the_shipped_schema(everything: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(everything, schema)
    assert list(everything) == ["as_of", "summary", "findings", "problems"]  # SPEC 7's key order
    assert everything["as_of"] == DEMO_AS_OF
    assert everything["problems"] == []
    for f in everything["findings"]:
        assert list(f) == SPEC7_KEYS


def test_summary_agrees_with_the_findings(everything: dict[str, Any]) -> None:
    findings, summary = everything["findings"], everything["summary"]
    by_status = Counter(f["status"] for f in findings)
    assert summary["by_status"] == {s: by_status.get(s, 0) for s in summary["by_status"]}
    assert set(by_status) <= set(summary["by_status"])
    assert summary["obligations"] == len(findings) - by_status["n/a"]
    assert summary["cases"] == 21 == len({f["case"] for f in findings})
    rated = by_status["met"] + by_status["late"] + by_status["missed"] + by_status["overdue"]
    assert rated > 0
    workers = {w["id"]: w for w in summary["by_worker"]}
    assert list(workers) == sorted(workers)
    responsible = {sid for f in findings for sid in f["responsible"]}
    assert set(workers) == responsible
    for sid, tally in workers.items():
        mine = Counter(f["status"] for f in findings if sid in f["responsible"])
        for status in ("met", "late", "missed", "overdue", "open", "waived"):
            assert tally[status] == mine[status], (sid, status)
        denominator = mine["met"] + mine["late"] + mine["missed"] + mine["overdue"]
        if denominator:
            assert tally["on_time_rate"] == pytest.approx(mine["met"] / denominator, abs=0.0005), sid
        else:
            assert tally["on_time_rate"] is None, sid
    offices = {o["id"]: o for o in summary["by_office"]}
    assert set(offices) == {"concord", "keene", "manchester"}
    for office, tally in offices.items():
        here = Counter(f["status"] for f in findings if f["office"] == office)
        assert {s: tally[s] for s in ("met", "late", "missed", "overdue", "open", "waived")} == {
            s: here[s] for s in ("met", "late", "missed", "overdue", "open", "waived")
        }, office


# --- Every status through the real CLI -----------------------------------------------------


def test_every_status_appears(everything: dict[str, Any]) -> None:
    seen = {f["status"] for f in everything["findings"]}
    assert seen == {"met", "late", "missed", "overdue", "open", "waived", "n/a"}


def test_the_waiver_of_the_demo_shows_as_waived(everything: dict[str, Any]) -> None:
    waived = [f for f in everything["findings"] if f["status"] == "waived"]
    assert [key(f) for f in waived] == [("CON-2026-0042", "CPSW-I.D", "meeting 2026-03-05")]
    assert "m.okafor" in waived[0]["detail"]


def test_not_applicable_findings_only_with_all() -> None:
    data = demo_check(expect_rc=1)
    assert "n/a" not in {f["status"] for f in data["findings"]}
    assert "n/a" not in data["summary"]["by_status"]
    assert {"met", "late", "missed", "overdue", "open", "waived"} <= {f["status"] for f in data["findings"]}


# --- Every format -------------------------------------------------------------------------


def _sections(table: str) -> dict[str, str]:
    """The table's worker blocks: 'Name (id) — office' heading -> the text below it."""
    heading = re.compile(r"^(\S.*) \(([a-z]+\.[a-z]+)\)(?: — [a-z]+)?$", re.MULTILINE)
    marks = list(heading.finditer(table))
    return {m.group(2): table[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(table)] for i, m in enumerate(marks)}


def test_table_groups_the_noncompliant_findings_by_worker(everything: dict[str, Any]) -> None:
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF)
    assert result.returncode == 1
    out = result.stdout
    assert "\x1b[" not in out, "NO_COLOR=1 must give a table without ANSI escapes"
    counts = Counter(f["status"] for f in everything["findings"])
    assert f"{counts['late']} late, {counts['missed']} missed, {counts['overdue']} overdue" in out
    sections = _sections(out)
    failing = {sid for f in everything["findings"] if f["status"] in NONCOMPLIANT for sid in f["responsible"]}
    assert failing <= set(sections), f"workers without a block: {failing - set(sections)}"
    # Jacob Beaulieu's block holds his overdue screen and his late task (CON-2026-0071).
    beaulieu = sections["j.beaulieu"]
    assert "CON-2026-0071" in beaulieu and "overdue" in beaulieu and "late" in beaulieu
    # Without --all the table is the non-compliant list: the waived and the met are not shown.
    assert "waived" not in out.split("On-time rate by worker")[0]
    assert "On-time rate by worker" in out and "On-time rate by office" in out


def test_json_is_one_object_with_every_obligation() -> None:
    data = demo_check(expect_rc=1)
    assert {"met", "open"} <= {f["status"] for f in data["findings"]}


def test_csv_parses_with_the_spec_columns(everything: dict[str, Any]) -> None:
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF, "--format", "csv", "--all")
    assert result.returncode == 1
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == SPEC7_KEYS
    body = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert len(body) == len(everything["findings"])
    assert Counter(r["status"] for r in body) == Counter(f["status"] for f in everything["findings"])
    screen = next(r for r in body if (r["case"], r["rule"], r["subject"]) == ("CON-2026-0071", "CPSW-I.C", "meeting 2026-11-30"))
    assert (screen["due"], screen["status"], screen["business_days_late"], screen["done"]) == ("2026-11-19", "overdue", "2", "")


def test_markdown_report(everything: dict[str, Any]) -> None:
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF, "--format", "markdown")
    assert result.returncode == 1
    out = result.stdout
    assert out.startswith("# PPT compliance as of")
    assert "## Summary by worker" in out
    assert "## Jacob Beaulieu (j.beaulieu)" in out
    assert "| CON-2026-0071 |" in out and "**overdue**" in out and "**late**" in out and "**missed**" in out
    noncompliant = sum(1 for f in everything["findings"] if f["status"] in NONCOMPLIANT)
    rows = [line for line in out.splitlines() if re.match(r"^\| [A-Z]{3}-\d{4}-\d{4} \|", line)]
    # A duty shared by several workers appears under each of them.
    assert len(rows) >= noncompliant


def test_junit_failures_are_the_late_missed_and_overdue_findings(everything: dict[str, Any]) -> None:
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF, "--format", "junit", "--all")
    assert result.returncode == 1
    root = ET.fromstring(result.stdout.encode("utf-8"))
    noncompliant = sum(1 for f in everything["findings"] if f["status"] in NONCOMPLIANT)
    assert root.tag == "testsuites"
    assert int(root.get("failures", "-1")) == noncompliant
    assert len(root.findall(".//testcase/failure")) == noncompliant
    assert int(root.get("tests", "-1")) == len(everything["findings"])
    assert {s.get("name") for s in root.findall("testsuite")} == set(SPEC_RULE_IDS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_exits_1_on_the_demo_by_default(fmt: str) -> None:
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF, "--format", fmt)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip()
    assert "\x1b[" not in result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_that_is_not_utf8_prints_as_an_escape_in_every_format(tmp_path: Path, fmt: str) -> None:
    """Linux allows any bytes in a file name; Python holds them as lone surrogates, which a
    UTF-8 stream refuses. The report once ended in an internal error (exit 3) on a strict
    UTF-8 stream, and wrote invalid UTF-8 on a lenient one."""
    repo = copy_demo(tmp_path)
    plain = repo / "concord" / "CON-2025-0188.yaml"
    try:
        odd = plain.rename(os.fsdecode(bytes(plain).replace(b"CON-2025-0188", b"CON-\xff-0188")))
    except OSError:  # pragma: no cover - a file system that refuses such names (macOS, Windows)
        pytest.skip("this file system refuses a file name that is not UTF-8")
    result = subprocess.run(
        [sys.executable, "-m", "pptcli", "check", str(repo), "--as-of", DEMO_AS_OF, "--format", fmt, "--all"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("PPT_")},
             "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8:strict", "PPT_CACHE_DIR": str(tmp_path / "cache")},
        capture_output=True, timeout=180, check=False,
    )
    assert result.returncode == 1, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")  # valid UTF-8, or this raises
    if fmt in ("json", "csv", "junit"):  # the formats that name each finding's file
        assert "CON-\\udcff-0188.yaml" in text
    if fmt == "json":
        files = {f["file"] for f in json.loads(text)["findings"]}
        assert odd.relative_to(repo).as_posix() in files  # read back, it is the file's own name


# --- Every filter ---------------------------------------------------------------------------


def test_worker_filter(everything: dict[str, Any]) -> None:
    data = demo_check("--all", "--worker", "c.rivera", expect_rc=(0, 1))
    assert data["findings"]
    assert all("c.rivera" in f["responsible"] for f in data["findings"])
    assert {key(f) for f in data["findings"]} == {key(f) for f in everything["findings"] if "c.rivera" in f["responsible"]}
    assert_cases_are_those_of_the_findings(data)


def test_supervisor_filter_is_the_team_and_the_supervisor_own(everything: dict[str, Any]) -> None:
    team = {"m.okafor", "c.rivera", "j.beaulieu", "a.kowalski"}  # staff.yaml: supervisor m.okafor
    data = demo_check("--all", "--supervisor", "m.okafor", expect_rc=(0, 1))
    chosen = {key(f) for f in data["findings"]}
    for f in data["findings"]:
        assert team & set(f["responsible"]) or "m.okafor" in f["accountable"], f
    team_findings = {key(f) for f in everything["findings"] if team & set(f["responsible"])}
    assert team_findings <= chosen
    own = [f for f in data["findings"] if "m.okafor" in f["responsible"]]
    assert {f["rule"] for f in own} >= {"CPSW-II.C"}  # the supervisor's own follow-ups
    assert not any(f["case"].startswith(("MAN-", "KEE-")) for f in data["findings"])
    assert_cases_are_those_of_the_findings(data)


def test_office_filter(everything: dict[str, Any]) -> None:
    data = demo_check("--all", "--office", "keene", expect_rc=(0, 1))
    assert data["findings"] and all(f["office"] == "keene" for f in data["findings"])
    assert len(data["findings"]) == sum(1 for f in everything["findings"] if f["office"] == "keene")
    assert_cases_are_those_of_the_findings(data)


def test_case_filter() -> None:
    data = demo_check("--all", "--case", "MAN-2026-0107", expect_rc=1)
    assert data["findings"] and {f["case"] for f in data["findings"]} == {"MAN-2026-0107"}
    assert data["summary"]["cases"] == 1
    title = ppt("check", CASES, "--as-of", DEMO_AS_OF, "--case", "MAN-2026-0107").stdout.splitlines()[0]
    assert title.endswith(" obligations in 1 case"), title


def test_rule_filter_exact_and_pattern(everything: dict[str, Any]) -> None:
    exact = demo_check("--all", "--rule", "CPSW-I.C", expect_rc=1)
    assert exact["findings"] and {f["rule"] for f in exact["findings"]} == {"CPSW-I.C"}
    pattern = demo_check("--all", "--rule", "CPSW-I.*", expect_rc=1)
    rules = {f["rule"] for f in pattern["findings"]}
    expected = {r for r in SPEC_RULE_IDS if r.startswith("CPSW-I.")}
    assert rules == expected  # CPSW-I.A.1 ... CPSW-I.L, and no CPSW-II.* or Q1
    assert len(pattern["findings"]) == sum(1 for f in everything["findings"] if f["rule"] in expected)
    assert_cases_are_those_of_the_findings(exact)
    few = demo_check("--all", "--rule", "CPSW-II.A", expect_rc=(0, 1))  # a rule n/a in most cases
    assert any(f["status"] == "n/a" for f in few["findings"])
    assert_cases_are_those_of_the_findings(few)


def test_since_filter(everything: dict[str, Any]) -> None:
    since = "2026-11-01"
    data = demo_check("--all", "--since", since, expect_rc=(0, 1))
    assert data["findings"]
    for f in data["findings"]:
        assert (f["due"] or f["trigger"]) >= since, f
    expected = {key(f) for f in everything["findings"] if (f["due"] or f["trigger"]) >= since}
    assert {key(f) for f in data["findings"]} == expected
    assert len(expected) < len(everything["findings"])
    assert_cases_are_those_of_the_findings(data)


def assert_cases_are_those_of_the_findings(data: dict[str, Any]) -> None:
    """A filtered report's case count is of the cases it has an obligation of (with --all,
    each has a finding; an n/a finding is no obligation), not of the repository."""
    assert 0 < data["summary"]["cases"] == len({f["case"] for f in data["findings"] if f["status"] != "n/a"}) < 21


@pytest.mark.parametrize(
    ("option", "value", "suggestion"),
    [
        ("--worker", "c.rivra", "c.rivera"),
        ("--supervisor", "m.okafr", "m.okafor"),
        ("--office", "concrd", "concord"),
        ("--rule", "CPSW-I.Cx", "CPSW-I.C"),
        # A mistyped case id must not pass as an empty, compliant report.
        ("--case", "CON-2026-071", "CON-2026-0071"),
    ],
)
def test_unknown_ids_exit_2_with_did_you_mean(option: str, value: str, suggestion: str) -> None:
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF, option, value)
    assert result.returncode == 2
    assert "did you mean" in result.stderr and suggestion in result.stderr
    assert value in result.stderr


def test_worker_me_uses_ppt_me(tmp_path: Path) -> None:
    data = report("check", CASES, "--as-of", DEMO_AS_OF, "--format", "json", "--all", "--worker", "me",
                  env={"PPT_ME": "s.patel"}, cwd=tmp_path, home=tmp_path, expect_rc=1)
    assert data["findings"] and all("s.patel" in f["responsible"] for f in data["findings"])


def test_worker_me_without_ppt_me_is_a_clear_error(tmp_path: Path) -> None:
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF, "--worker", "me", cwd=tmp_path, home=tmp_path)
    assert result.returncode == 2
    assert "PPT_ME" in result.stderr
    assert result.stdout == ""


# --- Exit codes (SPEC 8) ------------------------------------------------------------------


def test_exit_0_when_nothing_matches_fail_on() -> None:
    data = demo_check("--case", "CON-2026-0090", "--fail-on", "overdue", expect_rc=0)  # joint case in good order
    assert data["findings"] and not any(f["status"] == "overdue" for f in data["findings"])


def test_exit_1_with_the_default_fail_on() -> None:
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF, "--format", "json")
    assert result.returncode == 1
    assert any(f["status"] == "overdue" for f in json.loads(result.stdout)["findings"])


def test_fail_on_late_and_missed() -> None:
    # KEE-2026-0027: late notices and goals, nothing overdue.
    quiet = demo_check("--case", "KEE-2026-0027", expect_rc=0)
    statuses = {f["status"] for f in quiet["findings"]}
    assert "late" in statuses and "overdue" not in statuses
    demo_check("--case", "KEE-2026-0027", "--fail-on", "late,missed", expect_rc=1)
    demo_check("--case", "KEE-2026-0027", "--fail-on", "missed", expect_rc=0)
    demo_check("--case", "MAN-2026-0176", "--fail-on", "missed", expect_rc=1)  # CPSW-I.E / II.B missed
    demo_check("--case", "CON-2026-0090", "--fail-on", "late,missed", expect_rc=0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_fail_on_open_counts_every_finding_whatever_the_format(fmt: str) -> None:
    """SPEC 8: exit 1 when at least one finding has a --fail-on status. The demo has open
    obligations as of 2026-11-23; whether the table prints them must not change the exit code."""
    result = ppt("check", CASES, "--as-of", DEMO_AS_OF, "--format", fmt, "--fail-on", "open")
    assert result.returncode == 1, f"--format {fmt} --fail-on open exited {result.returncode}"


def _break(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    notified_ppt: 2026-01-12\n", "    notifed_ppt: 2026-01-12\n", "notifed_ppt"),  # a typo in a key
        ("program: cps\n", "program: [cps\n", ""),  # YAML that does not parse
    ],
)
def test_exit_2_for_an_invalid_case_file_and_the_others_still_reported(tmp_path: Path, everything: dict[str, Any], old: str, new: str, message: str) -> None:
    repo = copy_demo(tmp_path)
    _break(repo, "concord/CON-2026-0042.yaml", old, new)
    data = report("check", repo, "--as-of", DEMO_AS_OF, "--format", "json", "--all", expect_rc=2)
    assert data["problems"], "the broken file must be reported"
    assert {p["file"] for p in data["problems"]} == {"concord/CON-2026-0042.yaml"}
    assert all(p["line"] >= 1 for p in data["problems"])
    assert message in " ".join(p["message"] for p in data["problems"])
    cases = {f["case"] for f in data["findings"]}
    assert "CON-2026-0042" not in cases
    assert cases == {f["case"] for f in everything["findings"]} - {"CON-2026-0042"}
    table = ppt("check", repo, "--as-of", DEMO_AS_OF)
    assert table.returncode == 2
    assert "concord/CON-2026-0042.yaml:" in table.stdout + table.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--bogus-option",),
        ("--fail-on", "late,bogus"),
        ("--since", "2026-13-01"),
        ("--as-of", "2026-02-30"),
        ("--format", "xml"),
    ],
)
def test_exit_2_for_bad_usage(args: tuple[str, ...]) -> None:
    extra = args if args[0] == "--as-of" else ("--as-of", DEMO_AS_OF, *args)
    result = ppt("check", CASES, *extra)
    assert result.returncode == 2
    assert result.stderr.strip()


# --- --redact ---------------------------------------------------------------------------


def _born_dates(repo: Path, everything: dict[str, Any]) -> set[str]:
    """Every date of birth of the repository that is not also a date the report prints for
    another reason (a due date may fall on someone's birthday)."""
    texts = [p.read_text(encoding="utf-8") for p in repo.rglob("*.yaml")]
    born = {d for t in texts for d in re.findall(r"born: (\d{4}-\d{2}-\d{2})", t)}
    dated = {f[k] for f in everything["findings"] for k in ("trigger", "due", "done")} | {
        d for f in everything["findings"] for d in re.findall(r"\d{4}-\d{2}-\d{2}", f["subject"] + f["detail"])
    }
    return born - dated


@pytest.mark.parametrize("fmt", FORMATS)
def test_redact_hides_names_and_dates_of_birth(tmp_path: Path, fmt: str, everything: dict[str, Any]) -> None:
    repo = copy_demo(tmp_path)
    _break(repo, "concord/CON-2026-0042.yaml", 'child: {name: "J. D.", born: 2012-05-14}', 'child: {name: "Jordan Example", born: 2012-05-14}')
    born = _born_dates(repo, everything)
    assert "2012-05-14" in born and len(born) >= 20
    redacted = ppt("check", repo, "--as-of", DEMO_AS_OF, "--all", "--redact", "--format", fmt)
    assert redacted.returncode == 1, redacted.stderr
    out = redacted.stdout + redacted.stderr
    assert "Jordan" not in out and "Jordan Example" not in out
    assert not [d for d in born if d in out], "a date of birth was printed"
    if fmt == "table":
        assert "J. E." in redacted.stdout
    if fmt in ("table", "markdown"):  # the formats that name the child: the name shows unredacted
        plain = ppt("check", repo, "--as-of", DEMO_AS_OF, "--all", "--format", fmt)
        assert "Jordan" in plain.stdout


def test_redact_in_explain(tmp_path: Path) -> None:
    repo = copy_demo(tmp_path)
    _break(repo, "concord/CON-2026-0042.yaml", 'child: {name: "J. D.", born: 2012-05-14}', 'child: {name: "Jordan Example", born: 2012-05-14}')
    plain = ppt("explain", "CON-2026-0042", "CPSW-I.D", "--repo", repo, "--as-of", DEMO_AS_OF)
    assert plain.returncode == 0 and "Jordan Example" in plain.stdout
    redacted = ppt("explain", "CON-2026-0042", "CPSW-I.D", "--repo", repo, "--as-of", DEMO_AS_OF, "--redact")
    assert redacted.returncode == 0
    assert "Jordan" not in redacted.stdout and "2012-05-14" not in redacted.stdout
    assert "J. E." in redacted.stdout


# --- ppt explain ---------------------------------------------------------------------------


def _trigger_line(out: str, subject: str) -> tuple[str, int]:
    match = re.search(rf"trigger: {re.escape(subject)} \(([^:()]+):(\d+)\)", out)
    assert match, f"no trigger line for {subject!r} in:\n{out}"
    return match.group(1), int(match.group(2))


def test_explain_a_screen_due_before_thanksgiving() -> None:
    result = ppt("explain", "CON-2026-0071", "CPSW-I.C", "--repo", CASES, "--as-of", DEMO_AS_OF)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the trigger, with the file line where the meeting record starts
    file, line = _trigger_line(out, "meeting 2026-11-30")
    assert file == "concord/CON-2026-0071.yaml"
    record = (CASES / file).read_text(encoding="utf-8").splitlines()[line - 1]
    assert re.match(r"^\s*- (\{\s*)?date: 2026-11-30\b", record), f"line {line} is {record!r}"
    block = out[out.index("meeting 2026-11-30:"):]
    # the deadline kind and the arithmetic, each skipped day with its reason
    assert "5 business days before" in block and "Thu 2026-11-19" in block
    assert "Thu 2026-11-26 Thanksgiving Day" in block
    assert "Fri 2026-11-27 Day after Thanksgiving" in block
    assert "Sat 2026-11-28 Saturday" in block and "Sun 2026-11-29 Sunday" in block
    # evidence and status
    assert "meeting 2026-11-30: overdue" in block
    assert "page 1 of the PPT screen" in block
    assert "evidence: none recorded" in block
    # the earlier meeting, met, with its evidence
    assert "meeting 2026-06-02: met" in out and "done Fri 2026-05-22" in out
    # the SOP sentence the rule encodes
    assert "at least 5 business days prior to a PPT meeting" in out


def test_explain_names_an_office_closure() -> None:
    result = ppt("explain", "KEE-2026-0019", "CPSW-I.A.2", "--repo", CASES, "--as-of", DEMO_AS_OF)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    block = out[out.index("placement 2026-09-14:"):]
    assert block.startswith("placement 2026-09-14: met")
    assert "Tue 2026-09-15" in block and "HVAC failure" in block and "Wed 2026-09-16" in block
    file, line = _trigger_line(block, "placement 2026-09-14")
    record = (CASES / file).read_text(encoding="utf-8").splitlines()[line - 1]
    assert re.match(r"^\s*- (\{\s*)?date: 2026-09-14\b", record), f"line {line} is {record!r}"


def test_explain_unknown_case_exits_2_with_did_you_mean() -> None:
    result = ppt("explain", "CON-2026-071", "CPSW-I.C", "--repo", CASES, "--as-of", DEMO_AS_OF)
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr}"
    assert "did you mean" in result.stderr and "CON-2026-0071" in result.stderr


def test_explain_unknown_rule_exits_2_with_did_you_mean() -> None:
    result = ppt("explain", "CON-2026-0071", "CPSW-I.Cx", "--repo", CASES, "--as-of", DEMO_AS_OF)
    assert result.returncode == 2
    assert "did you mean" in result.stderr and "CPSW-I.C" in result.stderr
