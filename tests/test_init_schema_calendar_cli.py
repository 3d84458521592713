"""`ppt init`, `ppt schema`, `ppt calendar` and the CLI's edges, through the real CLI
(SPEC 2, 4, 6, 8; issue 2 items 2, 5, 7, 9)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import AS_OF, CASES, run_ppt
from jsonschema import Draft202012Validator, FormatChecker

import pptcli


def ppt(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = run_ppt(*args, cwd=cwd)
    assert "Traceback" not in result.stdout + result.stderr, result
    return result


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- ppt init -------------------------------------------------------------------------------

INIT_FILES = {"ppt.yaml", "staff.yaml", "calendar.yaml", ".gitignore", ".pre-commit-config.yaml"}


def test_init_creates_a_repository_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "district" / "nashua"
    result = ppt("init", target, cwd=tmp_path)
    assert result.returncode == 0, result
    assert {p.name for p in target.iterdir()} == INIT_FILES
    for name in ("ppt.yaml", "staff.yaml", "calendar.yaml"):
        assert isinstance(yaml.safe_load((target / name).read_text(encoding="utf-8")), dict), name
    hooks = yaml.safe_load((target / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = [hook["entry"] for repo in hooks["repos"] for hook in repo["hooks"]]
    assert any(entry.startswith("ppt validate") for entry in entries), entries
    checked = ppt("validate", "--as-of", AS_OF, target, cwd=tmp_path)
    assert checked.returncode == 0, checked
    assert "0 case files valid" in checked.stderr


def test_a_case_added_to_an_initialised_repository_is_validated(tmp_path: Path) -> None:
    target = tmp_path / "repo"
    assert ppt("init", target, cwd=tmp_path).returncode == 0
    staff = target / "staff.yaml"
    staff.write_text(
        staff.read_text(encoding="utf-8").replace("staff: []\n", "staff:\n  - {id: c.rivera, name: Carmen Rivera, role: cpsw, office: concord}\n"),
        encoding="utf-8",
    )
    case = target / "concord" / "CON-2026-0001.yaml"
    case.parent.mkdir()
    text = "id: CON-2026-0001\nprogram: cps\noffice: concord\nchild: {name: \"A. B.\", born: 2012-05-14}\nteam:\n  cpsw: c.rivera\n"
    case.write_text(text, encoding="utf-8")
    assert ppt("validate", "--as-of", AS_OF, target, cwd=tmp_path).returncode == 0
    case.write_text(text.replace("office: concord", "office: nashua"), encoding="utf-8")
    result = ppt("validate", "--as-of", AS_OF, target, cwd=tmp_path)
    assert result.returncode == 2
    assert 'CON-2026-0001.yaml:3:9: error: office "nashua" is not in ppt.yaml offices' in result.stdout


def test_init_refuses_an_existing_repository_and_changes_nothing(tmp_path: Path, demo_repo: Path) -> None:
    (demo_repo / ".gitignore").write_text("mine\n", encoding="utf-8")
    before = snapshot(demo_repo)
    result = ppt("init", demo_repo, cwd=tmp_path)
    assert result.returncode == 2
    assert "already a case repository" in result.stderr
    assert snapshot(demo_repo) == before


def test_init_refuses_a_folder_with_one_of_its_files_and_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "half"
    target.mkdir()
    (target / "staff.yaml").write_text("staff: []  # ours\n", encoding="utf-8")
    before = snapshot(target)
    result = ppt("init", target, cwd=tmp_path)
    assert result.returncode == 2
    assert "staff.yaml" in result.stderr
    assert "nothing changed" in result.stderr
    assert snapshot(target) == before


def test_init_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    target = tmp_path / "not-a-folder"
    target.write_bytes(b"keep me\n")
    result = ppt("init", target, cwd=tmp_path)
    assert result.returncode == 2
    assert "not a folder" in result.stderr
    assert target.read_bytes() == b"keep me\n"


# --- ppt schema -----------------------------------------------------------------------------


def json_ready(node: Any) -> Any:
    """YAML data as JSON would carry it: dates as ISO strings."""
    if isinstance(node, dict):
        return {str(k): json_ready(v) for k, v in node.items()}
    if isinstance(node, list):
        return [json_ready(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


@pytest.fixture(scope="module")
def case_schema() -> dict[str, Any]:
    result = run_ppt("schema")
    assert result.returncode == 0, result
    return json.loads(result.stdout)


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


def demo_case_files() -> list[Path]:
    return sorted(p for p in CASES.rglob("*.yaml") if p.parent != CASES)


def test_schema_is_a_valid_json_schema(case_schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(case_schema)
    assert case_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert case_schema["type"] == "object"
    assert case_schema["additionalProperties"] is False
    assert {"id", "program", "office", "child"} <= set(case_schema["required"])


def test_every_demo_case_validates_against_the_schema(case_schema: dict[str, Any]) -> None:
    files = demo_case_files()
    assert len(files) >= 16
    check = validator(case_schema)
    for path in files:
        data = json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(data)]
        assert errors == [], (path.name, errors)


def demo_case() -> dict[str, Any]:
    return json_ready(yaml.safe_load((CASES / "concord" / "CON-2026-0042.yaml").read_text(encoding="utf-8")))


def test_a_case_with_an_unknown_key_fails_the_schema(case_schema: dict[str, Any]) -> None:
    data = demo_case()
    data["placements"][0]["notifed_ppt"] = data["placements"][0].pop("notified_ppt")
    errors = list(validator(case_schema).iter_errors(data))
    assert errors, "a misspelled key passed the schema"
    assert any("notifed_ppt" in e.message for e in errors), [e.message for e in errors]


def test_a_case_with_a_bad_enum_or_missing_key_fails_the_schema(case_schema: dict[str, Any]) -> None:
    data = demo_case()
    data["program"] = "cpss"
    del data["child"]["born"]
    messages = [e.message for e in validator(case_schema).iter_errors(data)]
    assert any("cpss" in m for m in messages), messages
    assert any("born" in m for m in messages), messages


def test_an_impossible_date_fails_the_schema(case_schema: dict[str, Any]) -> None:
    data = demo_case()
    data["plan"]["set"] = "2026-02-30"
    messages = [e.message for e in validator(case_schema).iter_errors(data)]
    assert any("2026-02-30" in m for m in messages), messages


# --- ppt calendar: arithmetic (SPEC 4.2 examples) ---------------------------------------------


def test_calendar_add_across_thanksgiving(tmp_path: Path) -> None:
    result = ppt("calendar", "2026-11-25", "--add", "1", "--as-of", AS_OF, cwd=tmp_path)
    assert result.returncode == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "Wed 2026-11-25 + 1 business day = Mon 2026-11-30"
    skipped = [ln.split() for ln in lines[1:]]
    assert [s[2] for s in skipped] == ["2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"]
    assert "Thu 2026-11-26  Thanksgiving Day" in result.stdout
    assert "Fri 2026-11-27  Day after Thanksgiving" in result.stdout


def test_calendar_screen_before_the_monday_after_thanksgiving(tmp_path: Path) -> None:
    result = ppt("calendar", "2026-11-30", "--before", "5", "--as-of", AS_OF, cwd=tmp_path)
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[0] == "Mon 2026-11-30 - 5 business days = Thu 2026-11-19"
    assert "Thu 2026-11-26  Thanksgiving Day" in result.stdout
    assert "Fri 2026-11-27  Day after Thanksgiving" in result.stdout


def test_calendar_screen_before_the_tuesday_after_mlk_day(tmp_path: Path) -> None:
    result = ppt("calendar", "2026-01-20", "--before", "5", "--as-of", AS_OF, cwd=tmp_path)
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[0] == "Tue 2026-01-20 - 5 business days = Mon 2026-01-12"
    assert "Mon 2026-01-19  Martin Luther King Jr./Civil Rights Day" in result.stdout


def test_calendar_arithmetic_uses_the_repository_closures(tmp_path: Path) -> None:
    # Tue 2026-02-10: the statewide blizzard closure of cases/calendar.yaml
    plain = ppt("calendar", "2026-02-09", "--add", "1", "--as-of", AS_OF, cwd=tmp_path)
    closed = ppt("calendar", "2026-02-09", "--add", "1", "--repo", "cases", "--as-of", AS_OF)
    assert plain.stdout.splitlines()[0] == "Mon 2026-02-09 + 1 business day = Tue 2026-02-10"
    assert closed.stdout.splitlines()[0] == "Mon 2026-02-09 + 1 business day = Wed 2026-02-11"
    assert "Blizzard" in closed.stdout


# --- ppt calendar: listing (SPEC 4.1) -------------------------------------------------------

STATE_HOLIDAYS_2026 = [
    "Thu 2026-01-01",
    "Mon 2026-01-19",
    "Mon 2026-02-16",
    "Mon 2026-05-25",
    "Fri 2026-07-03",
    "Mon 2026-09-07",
    "Wed 2026-11-11",
    "Thu 2026-11-26",
    "Fri 2026-11-27",
    "Fri 2026-12-25",
]
LISTED = re.compile(r"^  (\w{3} \d{4}-\d{2}-\d{2})  (.+)$")


def listed(stdout: str) -> dict[str, str]:
    return {m[1]: m[2] for line in stdout.splitlines() if (m := LISTED.match(line))}


def test_calendar_lists_exactly_the_ten_state_holidays_of_2026(tmp_path: Path) -> None:
    result = ppt("calendar", "--from", "2026-01-01", "--to", "2026-12-31", "--as-of", AS_OF, cwd=tmp_path)
    assert result.returncode == 0, result
    days = listed(result.stdout)
    assert list(days) == STATE_HOLIDAYS_2026
    assert days["Fri 2026-07-03"] == "Independence Day (observed)"
    assert days["Thu 2026-11-26"] == "Thanksgiving Day"
    for not_a_state_holiday in ("2026-10-12", "2026-06-19", "2026-11-03", "2026-04-20", "2026-12-24"):
        assert not_a_state_holiday not in result.stdout  # Columbus, Juneteenth, Election Day, Patriots' Day, Christmas Eve


def test_calendar_defaults_to_the_as_of_year(tmp_path: Path) -> None:
    result = ppt("calendar", "--as-of", "2027-06-01", cwd=tmp_path)
    assert result.returncode == 0, result
    days = listed(result.stdout)
    assert all(d.split()[1].startswith("2027-") for d in days)
    assert days["Mon 2027-07-05"] == "Independence Day (observed)"  # 2027-07-04 is a Sunday
    assert days["Fri 2027-12-24"] == "Christmas Day (observed)"  # 2027-12-25 is a Saturday
    # 2028-01-01 is a Saturday: state offices close on Friday 2027-12-31, so 2027 has eleven days
    assert days["Fri 2027-12-31"] == "New Year's Day (observed)"
    assert len(days) == 11


def test_calendar_weekends_on_request(tmp_path: Path) -> None:
    result = ppt("calendar", "--from", "2026-11-21", "--to", "2026-11-29", "--weekends", "--as-of", AS_OF, cwd=tmp_path)
    assert result.returncode == 0, result
    assert list(listed(result.stdout)) == ["Sat 2026-11-21", "Sun 2026-11-22", "Thu 2026-11-26", "Fri 2026-11-27", "Sat 2026-11-28", "Sun 2026-11-29"]


def test_calendar_for_keene_includes_its_closure_and_the_statewide_one() -> None:
    result = ppt("calendar", "--from", "2026-01-01", "--to", "2026-12-31", "--repo", "cases", "--office", "keene", "--as-of", AS_OF)
    assert result.returncode == 0, result
    days = listed(result.stdout)
    assert "Blizzard" in days["Tue 2026-02-10"]
    assert "Keene district office closed" in days["Tue 2026-09-15"]
    assert days["Thu 2026-12-24"] == "Christmas Eve (Governor's order)"
    assert set(STATE_HOLIDAYS_2026) <= set(days)


def test_calendar_for_concord_has_the_blizzard_but_not_the_keene_closure() -> None:
    result = ppt("calendar", "--from", "2026-01-01", "--to", "2026-12-31", "--repo", "cases", "--office", "concord", "--as-of", AS_OF)
    assert result.returncode == 0, result
    days = listed(result.stdout)
    assert "Blizzard" in days["Tue 2026-02-10"]
    assert "Tue 2026-09-15" not in days
    assert "Keene" not in result.stdout


def test_calendar_statewide_with_a_repository_leaves_office_closures_out() -> None:
    result = ppt("calendar", "--from", "2026-01-01", "--to", "2026-12-31", "--repo", "cases", "--as-of", AS_OF)
    assert result.returncode == 0, result
    days = listed(result.stdout)
    assert "Tue 2026-02-10" in days
    assert "Tue 2026-09-15" not in days


# --- bad input: exit 2, a clear message, never a traceback ------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("calendar", "2026-02-30", "--add", "1"), "2026-02-30"),
        (("calendar", "--from", "2026-13-01", "--to", "2026-12-31"), "2026-13-01"),
        (("calendar", "--from", "2026-12-31", "--to", "2026-01-01"), "before"),
        (("calendar", "2026-11-25"), "--add"),
        (("calendar", "2026-11-25", "--add", "1", "--before", "1"), "exactly one"),
        (("calendar", "--add", "1"), "DATE"),
        (("calendar", "2026-11-25", "--add", "-1"), "--add"),
        (("calendar", "2026-11-25", "--add", "many"), "--add"),
    ],
)
def test_calendar_bad_input_is_reported_without_a_traceback(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    result = ppt(*args, "--as-of", AS_OF, cwd=tmp_path)
    assert result.returncode == 2, result
    assert fragment in result.stderr
    assert result.stdout == ""


def test_calendar_with_a_broken_repository_calendar_says_so(demo_repo: Path) -> None:
    (demo_repo / "calendar.yaml").write_text("closures:\n  - {date: 2026-02-30, reason: storm}\n", encoding="utf-8")
    result = ppt("calendar", "2026-02-09", "--add", "1", "--repo", demo_repo, "--as-of", AS_OF, cwd=demo_repo.parent)
    assert result.returncode == 2, result
    assert "calendar.yaml:2:" in result.stderr
    assert "2026-02-30" in result.stderr


# --- the command line itself ----------------------------------------------------------------


def test_version() -> None:
    result = ppt("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ppt {pptcli.__version__}"
    assert re.fullmatch(r"ppt \d+\.\d+\.\d+\S*", result.stdout.strip())


def test_an_unknown_command_is_bad_usage() -> None:
    result = ppt("frobnicate")
    assert result.returncode == 2
    assert "frobnicate" in result.stderr
    assert result.stdout == ""


def test_an_unknown_option_is_bad_usage() -> None:
    result = ppt("validate", "--frobnicate", "cases/")
    assert result.returncode == 2
    assert "--frobnicate" in result.stderr


def test_no_arguments_shows_help() -> None:
    result = ppt()
    assert result.returncode in (0, 2)
    for command in ("validate", "calendar", "schema", "init"):
        assert command in result.stdout + result.stderr
