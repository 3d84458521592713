"""Every writing command, not only the ones of test_write_safety, under concurrency and kills
(issue 7, item 4): one command of each kind on one case file at once loses nothing, and a
writer of any kind killed at any moment leaves the old or the new file.

Real processes of the real CLI on real files. PPT_TEST_WRITE_DELAY (read only by
pptcli.write) holds a writer between its temporary file and the rename.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from writers import kill_while_writing, spawn

from pptcli.yamlio import parse

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-30"
CASE = "KND-2026-0001"
BASE = f"""\
# A case with room for one record of every kind.
id: {CASE}
program: cps
office: concord
child: {{name: "A. B.", born: 2012-05-14}}
team: {{cpsw: c.rivera, cpsw_supervisor: m.okafor, permanency_cpsw: t.nguyen}}

placements:
  - {{date: 2026-06-01, provider: "Foster home (Smith)", notified_ppt: 2026-06-01}}

factors:
  - {{factor: medical, identified: 2026-10-01}}

meetings:
  - date: 2026-07-15
    status: held
    attendees: [c.rivera]
    discussed: [case_plan_progress, connections, barriers]
    tasks:
      - {{task: "Dental exam", owner: c.rivera, due: 2026-08-01}}
  - {{date: 2026-11-20, status: scheduled}}
  - {{date: 2026-12-10, status: scheduled}}
  - {{date: 2026-12-17, status: scheduled}}
"""

# One command of each writing kind, none touching what another touches.
COMMANDS: dict[str, list[str]] = {
    "notify-placement": ["notify-placement", CASE, "--date", "2026-11-25", "--provider", "Relative: aunt", "--notified", "2026-11-27"],
    "court-action": ["log", "court-action", CASE, "--date", "2026-11-16", "--action", "Review hearing", "--notified-ppt", "2026-11-17"],
    "factor": ["log", "factor", CASE, "--factor", "domestic_violence", "--identified", "2026-11-02", "--advised", "2026-11-03"],
    "factor-advised": ["log", "factor-advised", CASE, "--factor", "medical", "--identified", "2026-10-01", "--advised", "2026-10-02"],
    "early-permanency": ["log", "early-permanency", CASE, "--identified", "2026-11-05", "--consulted-supervisor", "2026-11-05", "--advised", "2026-11-06"],
    "workgroup": ["log", "workgroup", CASE, "--date", "2026-11-09", "--via-permanency-jppo", "--core-ppt-invited"],
    "meeting": ["log", "meeting", CASE, "--date", "2027-01-14"],
    "meeting-held": ["log", "meeting-held", CASE, "--date", "2026-11-20", "--attendee", "c.rivera", "--topic", "prior_tasks",
                     "--topic", "case_plan_progress", "--topic", "connections", "--topic", "barriers"],
    "meeting-cancelled": ["log", "meeting-cancelled", CASE, "--date", "2026-12-17"],
    "screen": ["log", "screen", CASE, "--meeting", "2026-12-10", "--screen-completed", "2026-11-30"],
    "info": ["log", "info", CASE, "--meeting", "2026-12-10", "--source", "parents", "--date", "2026-11-24"],
    "task": ["log", "task", CASE, "--meeting", "2026-07-15", "--task", "Sibling visit plan", "--owner", "c.rivera", "--due", "2026-12-15"],
    "task-done": ["log", "task-done", CASE, "--meeting", "2026-07-15", "--task", "Dental exam", "--done", "2026-07-30"],
    "followup": ["log", "followup", CASE, "--date", "2026-08-10"],
    "waiver": ["log", "waiver", CASE, "--rule", "CPSW-I.D", "--subject", "meeting 2026-12-10", "--reason", "Family unreachable",
               "--approved-by", "m.okafor", "--approved", "2026-11-30"],
    "plan": ["log", "plan", CASE, "--goal", "reunification", "--concurrent-goal", "guardianship", "--set", "2026-07-20",
             "--set-by", "c.rivera", "--set-by", "m.okafor", "--consulted", "t.nguyen", "--family-input"],
    "permanency": ["log", "permanency", CASE, "--achieved", "2026-11-28", "--outcome", "reunification"],
}
# ppt-updated needs the permanency record first, so it runs after the others.
AFTER = {"ppt-updated": ["log", "ppt-updated", CASE, "--ppt-updated", "2026-11-30"]}


def _spawn(repo: Path, args: list[str]) -> subprocess.Popen[str]:
    return spawn(repo, args, AS_OF)


def _run(repo: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    return subprocess.run([sys.executable, "-m", "pptcli", *args, "--as-of", AS_OF], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "cases"
    shutil.copytree(ROOT / "cases", repo, ignore=shutil.ignore_patterns(".ppt-cache", "*-*.yaml"))
    (repo / "concord").mkdir(exist_ok=True)
    (repo / "concord" / f"{CASE}.yaml").write_text(BASE, encoding="utf-8")
    return repo


def test_one_writer_of_every_kind_at_once_loses_nothing(repo: Path) -> None:
    writers = {kind: _spawn(repo, args) for kind, args in COMMANDS.items()}  # all started first
    for kind, writer in writers.items():
        out, err = writer.communicate(timeout=180)
        assert writer.returncode == 0, f"{kind}: {err}"
        assert out.startswith("recorded in "), f"{kind}: {out}"
    for kind, args in AFTER.items():
        done = _run(repo, args)
        assert done.returncode == 0, f"{kind}: {done.stderr}"

    case = parse((repo / "concord" / f"{CASE}.yaml").read_text(encoding="utf-8"))
    meetings = {m["date"].isoformat(): m for m in case["meetings"]}
    assert [p["date"].isoformat() for p in case["placements"]] == ["2026-06-01", "2026-11-25"]
    assert case["placements"][1]["notified_ppt"].isoformat() == "2026-11-27"
    assert [c["action"] for c in case["court_actions"]] == ["Review hearing"]
    assert {f["factor"]: f["advised"].isoformat() for f in case["factors"]} == {"medical": "2026-10-02", "domestic_violence": "2026-11-03"}
    assert case["early_permanency"][0]["advised"].isoformat() == "2026-11-06"
    assert case["workgroup_requests"][0]["core_ppt_invited"] is True
    assert sorted(meetings) == ["2026-07-15", "2026-11-20", "2026-12-10", "2026-12-17", "2027-01-14"]
    assert meetings["2026-11-20"]["status"] == "held" and "prior_tasks" in meetings["2026-11-20"]["discussed"]
    assert meetings["2026-12-17"]["status"] == "cancelled"
    assert meetings["2026-12-10"]["screen_completed"].isoformat() == "2026-11-30"
    assert meetings["2026-12-10"]["info_gathered"]["parents"].isoformat() == "2026-11-24"
    tasks = {t["task"]: t for t in meetings["2026-07-15"]["tasks"]}
    assert tasks["Dental exam"]["done"].isoformat() == "2026-07-30" and "Sibling visit plan" in tasks
    assert [d.isoformat() for d in case["supervisor_followups"]] == ["2026-08-10"]
    assert case["waivers"][0]["subject"] == "meeting 2026-12-10"
    assert case["plan"]["set_by"] == ["c.rivera", "m.okafor"]
    assert case["permanency"]["ppt_updated"].isoformat() == "2026-11-30"
    validated = _run(repo, ["validate"])
    assert validated.returncode == 0, validated.stdout + validated.stderr


KILLS_PER_KIND = 5


def test_a_writer_of_any_kind_killed_at_any_moment_leaves_the_old_or_the_new_file(repo: Path) -> None:
    kinds = {**COMMANDS, **AFTER}
    base = BASE.replace("meetings:", "permanency: {achieved: 2026-11-28, outcome: reunification}\n\nmeetings:")
    jobs: list[tuple[list[str], Path, bytes, bytes]] = []
    for k, (kind, args) in enumerate(kinds.items()):
        text = base if kind == "ppt-updated" else BASE
        # The file that one uninterrupted writer of this kind produces.
        reference = repo / "reference" / f"{k:02d}" / f"R{k:02d}-{CASE}.yaml"
        reference.parent.mkdir(parents=True)
        reference.write_text(text.replace(f"id: {CASE}", f"id: R{k:02d}-{CASE}"), encoding="utf-8")
        done = _run(repo, [a.replace(CASE, f"R{k:02d}-{CASE}") for a in args])
        assert done.returncode == 0, f"{kind}: {done.stderr}"
        for n in range(KILLS_PER_KIND):
            case_id = f"K{k:02d}{n}-{CASE}"
            path = repo / "killed" / f"{k:02d}-{n}" / f"{case_id}.yaml"
            path.parent.mkdir(parents=True)
            path.write_text(text.replace(f"id: {CASE}", f"id: {case_id}"), encoding="utf-8")
            new = reference.read_bytes().replace(f"R{k:02d}-{CASE}".encode(), case_id.encode())
            jobs.append(([a.replace(CASE, case_id) for a in args], path, path.read_bytes(), new))

    rng = random.Random(7)  # reproducible kill points
    seeds = [random.Random(rng.random()) for _ in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda job: kill_while_writing(repo, job[0][0], job[0][1], AS_OF, job[1]), zip(jobs, seeds)))

    outcomes = {"old": 0, "new": 0}
    for args, path, old, new in jobs:
        content = path.read_bytes()
        assert content in (old, new), f"{args[:2]}: neither the old nor the new file"
        parse(content.decode("utf-8"))
        outcomes["old" if content == old else "new"] += 1
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes
    validated = _run(repo, ["validate"])
    assert validated.returncode == 0, validated.stdout + validated.stderr
