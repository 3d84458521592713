"""Helpers for the end-to-end tests of the rule engine, `ppt check`, `ppt explain` and
`ppt rules`: the real CLI in a subprocess, small case repositories written inline.

Kept apart from conftest.py on purpose: these are plain functions, imported by name.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
CASES = PROJECT / "cases"
SCHEMA = PROJECT / "src" / "pptcli" / "schemas" / "report.schema.json"
DEMO_AS_OF = "2026-11-23"  # the demonstration repository is written to be read on this day

# Every rule of SPEC 5.1, literally, in the order of the catalogue.
SPEC_RULE_IDS = (
    "CPSW-I.A.1", "JPPO-I.A.1", "CPSW-I.A.2", "JPPO-I.A.2", "CPSW-I.B", "CPSW-I.C", "JPPO-I.B",
    "CPSW-I.D", "JPPO-I.C", "CPSW-I.E", "JPPO-I.D", "CPSW-I.F", "JPPO-I.E", "CPSW-I.G",
    "CPSW-I.J", "JPPO-I.H", "CPSW-I.K", "JPPO-I.I", "CPSW-I.L", "JPPO-I.J", "JPPO-II",
    "CPSW-II.A", "JPPO-III.A", "CPSW-II.B", "JPPO-III.B", "CPSW-II.C", "JPPO-III.C",
    "CPSW-Q1", "JPPO-Q1", "POL-1625.goals",
)
NONCOMPLIANT = ("late", "missed", "overdue")

# The demo's cache would otherwise be written into /work/main/cases/.ppt-cache; tests keep
# theirs in a private folder (PPT_CACHE_DIR is the documented way to move it).
_CACHE = tempfile.mkdtemp(prefix="ppt-test-cache-")
atexit.register(shutil.rmtree, _CACHE, True)


def _env(extra: Mapping[str, str] | None, home: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8", "PPT_CACHE_DIR": _CACHE})
    env.pop("FORCE_COLOR", None)
    # `--worker me` falls back to `git config ppt.me`: no user or system git config may leak in.
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    if home is not None:
        env["HOME"] = str(home)
    env.update(extra or {})
    return env


def ppt(*args: object, cwd: Path | None = None, env: Mapping[str, str] | None = None, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`ppt ARGS...` as a user runs it, in a new process. No command ever shows a Python
    traceback (SPEC 8), so every call checks that too."""
    result = subprocess.run(
        [sys.executable, "-m", "pptcli", *map(str, args)],
        cwd=cwd if cwd is not None else PROJECT,
        env=_env(env, home),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,  # the exit code is what the tests look at
    )
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown, f"ppt {' '.join(map(str, args))} showed a traceback:\n{shown}"
    return result


def report(*args: object, expect_rc: int | Iterable[int] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Run a `--format json` command and return the parsed object (asserting the exit code)."""
    result = ppt(*args, **kwargs)
    if expect_rc is not None:
        allowed = {expect_rc} if isinstance(expect_rc, int) else set(expect_rc)
        assert result.returncode in allowed, f"exit {result.returncode}, expected {allowed}\n{result.stdout[-3000:]}\n{result.stderr}"
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as exc:  # pragma: no cover - only shown when a test fails
        raise AssertionError(f"not JSON ({exc}):\n{result.stdout[:2000]}\n{result.stderr}") from None


def demo_check(*extra: object, expect_rc: int | Iterable[int] | None = None) -> dict[str, Any]:
    return report("check", CASES, "--as-of", DEMO_AS_OF, "--format", "json", *extra, expect_rc=expect_rc)


def copy_demo(tmp_path: Path) -> Path:
    target = tmp_path / "cases"
    shutil.copytree(CASES, target, ignore=shutil.ignore_patterns(".ppt-cache"))
    return target


# --- Small repositories written inline ------------------------------------------------------

PPT_YAML = """\
offices: [concord, keene]
policy: {}
rules: null
"""

STAFF_YAML = """\
staff:
  - {id: s.cole, name: Sam Cole, role: supervisor, office: concord}
  - {id: s.jjs, name: Sue Jaffrey, role: supervisor, office: concord}
  - {id: c.ames, name: Casey Ames, role: cpsw, office: concord, supervisor: s.cole}
  - {id: j.pratt, name: Jess Pratt, role: jppo, office: concord, supervisor: s.jjs}
  - {id: p.cpsw, name: Pat Nadeau, role: permanency_cpsw, office: concord}
  - {id: p.jppo, name: Robin Lacasse, role: permanency_jppo, office: concord}
  - {id: k.sup, name: Kim Dube, role: supervisor, office: keene}
  - {id: k.ames, name: Kit Ames, role: cpsw, office: keene, supervisor: k.sup}
  - {id: k.perm, name: Lee Roy, role: permanency_cpsw, office: keene}
"""


def write_repo(root: Path, cases: Mapping[str, str], *, ppt_yaml: str = PPT_YAML, staff_yaml: str = STAFF_YAML, calendar_yaml: str | None = None) -> Path:
    """A case repository: ppt.yaml, staff.yaml, optional calendar.yaml, and `cases`
    ({relative path: YAML text}; the text is dedented so tests can indent it)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "ppt.yaml").write_text(textwrap.dedent(ppt_yaml), encoding="utf-8")
    (root / "staff.yaml").write_text(textwrap.dedent(staff_yaml), encoding="utf-8")
    if calendar_yaml is not None:
        (root / "calendar.yaml").write_text(textwrap.dedent(calendar_yaml), encoding="utf-8")
    for rel, text in cases.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def check_repo(root: Path, as_of: str, *extra: object) -> dict[str, Any]:
    """`ppt check ROOT --as-of AS_OF --format json --all`; input problems fail the test."""
    data = report("check", root, "--as-of", as_of, "--format", "json", "--all", *extra, expect_rc=(0, 1))
    assert data["problems"] == [], data["problems"]
    return data


def findings_of(data: Mapping[str, Any], *, case: str | None = None, rule: str | None = None, subject: str | None = None) -> list[dict[str, Any]]:
    return [
        f for f in data["findings"]
        if (case is None or f["case"] == case) and (rule is None or f["rule"] == rule) and (subject is None or f["subject"] == subject)
    ]


def the_finding(data: Mapping[str, Any], *, rule: str, subject: str, case: str | None = None) -> dict[str, Any]:
    found = findings_of(data, case=case, rule=rule, subject=subject)
    assert len(found) == 1, f"expected one {rule} finding for {subject!r}, got {found or 'none'}; all: " + ", ".join(
        f"{f['case']} {f['rule']} {f['subject']}={f['status']}" for f in data["findings"] if f["rule"] == rule
    )
    return found[0]


def demo_copies(repo: Path, copies: int) -> None:
    """The demo repository copied to `repo`, its cases `copies` times over (each copy in a
    copyNN folder, its case ids given a -NN suffix): a repository large enough for a report
    to run on two processes, or to be kept in parts."""
    shutil.copytree(CASES, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    originals = sorted(p for p in repo.rglob("*.yaml") if p.parent != repo)
    for n in range(1, copies):
        for path in originals:
            text = path.read_text(encoding="utf-8")
            case_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
            copy = path.parent / f"copy{n:02d}" / path.name.replace(case_id, f"{case_id}-{n:02d}")
            copy.parent.mkdir(exist_ok=True)
            copy.write_text(text.replace(f"id: {case_id}", f"id: {case_id}-{n:02d}", 1), encoding="utf-8")
