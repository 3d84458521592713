"""Writers never lose a record and never leave a broken file (issue 5, "Done when" 2 and 3).

Real processes of the real CLI: two dozen started at once on one case file, and a hundred
killed with SIGKILL while writing. PPT_TEST_WRITE_DELAY (read only by pptcli.write) holds a
writer between writing its temporary file and renaming it, so the kills land on both sides
of the rename.
"""

from __future__ import annotations

import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import run_ppt
from writers import kill_while_writing, spawn, temp_exists

from pptcli.yamlio import parse

AS_OF = "2026-11-30"
CASE = "CON-2026-0042"
PROJECT = Path(__file__).resolve().parent.parent


def _spawn(repo: Path, *args: str, delay: float | None = None) -> subprocess.Popen[str]:
    return spawn(repo, list(args), AS_OF, delay)


def test_two_dozen_writers_at_once_lose_no_record(demo_repo: Path) -> None:
    followups = [f"2026-10-{day:02d}" for day in range(5, 13)]
    hearings = [(f"2026-11-{day:02d}", f"Hearing {day}") for day in range(2, 10)]
    tasks = [f"Task number {n}" for n in range(8)]
    commands = (
        [["log", "followup", CASE, "--date", d] for d in followups]
        + [["log", "court-action", CASE, "--date", d, "--action", a] for d, a in hearings]
        + [["log", "task", CASE, "--meeting", "2026-09-01", "--task", t, "--owner", "c.rivera"] for t in tasks]
    )
    assert len(commands) == 24
    writers = [_spawn(demo_repo, *c) for c in commands]  # all started before any is waited for
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.startswith("recorded in ")

    case = parse((demo_repo / "concord" / f"{CASE}.yaml").read_text(encoding="utf-8"))
    recorded_followups = [d.isoformat() for d in case["supervisor_followups"]]
    assert set(followups) <= set(recorded_followups)
    assert recorded_followups == sorted(recorded_followups)  # kept in date order
    actions = [(c["date"].isoformat(), c["action"]) for c in case["court_actions"]]
    assert set(hearings) <= set(actions) and actions == sorted(actions)
    assert set(tasks) <= {t["task"] for t in case["meetings"][1]["tasks"]}
    validated = run_ppt("validate", "--as-of", AS_OF, cwd=demo_repo)
    assert validated.returncode == 0, validated.stdout + validated.stderr


KILLS = 100
WRITE = ["notify-placement", "--date", "2026-11-20", "--provider", "Foster home (Lee)", "--notified", "2026-11-23"]


def _copies(repo: Path, count: int) -> list[tuple[str, Path]]:
    """`count` copies of the demo case, each with its own id, each in a folder of its own
    (so watching for a writer's temporary file is cheap)."""
    source = (repo / "concord" / f"{CASE}.yaml").read_text(encoding="utf-8")
    copies = []
    for n in range(count):
        case_id = f"KIL-2026-{n:04d}"
        path = repo / "killed" / f"{n:03d}" / f"{case_id}.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(source.replace(f"id: {CASE}", f"id: {case_id}"), encoding="utf-8")
        copies.append((case_id, path))
    return copies


def _kill_while_writing(repo: Path, case_id: str, path: Path, rng: random.Random) -> None:
    kill_while_writing(repo, [WRITE[0], case_id, *WRITE[1:]], path, AS_OF, rng)


def test_a_writer_killed_at_any_moment_leaves_the_old_or_the_new_file(demo_repo: Path) -> None:
    copies = _copies(demo_repo, KILLS + 1)
    reference_id, reference = copies.pop()
    old = {case_id: path.read_bytes() for case_id, path in copies}
    done = run_ppt(WRITE[0], reference_id, *WRITE[1:], "--as-of", AS_OF, cwd=demo_repo)
    assert done.returncode == 0, done.stderr
    new_text = reference.read_bytes()
    new = {case_id: new_text.replace(reference_id.encode(), case_id.encode()) for case_id, _ in copies}

    rng = random.Random(5)  # reproducible kill points
    seeds = [random.Random(rng.random()) for _ in copies]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda job: _kill_while_writing(demo_repo, *job[0], job[1]), zip(copies, seeds)))

    outcomes = {"old": 0, "new": 0}
    for case_id, path in copies:
        content = path.read_bytes()
        assert content in (old[case_id], new[case_id]), f"{case_id}: neither the old nor the new file"
        parse(content.decode("utf-8"))
        outcomes["old" if content == old[case_id] else "new"] += 1
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes  # the kills landed on both sides of the rename
    validated = run_ppt("validate", "--as-of", AS_OF, cwd=demo_repo)
    assert validated.returncode == 0, validated.stdout + validated.stderr

    # A killed writer holds no lock, and the next writer clears what it left behind.
    case_id, path = next((c, p) for c, p in copies if p.read_bytes() == old[c])
    again = run_ppt(WRITE[0], case_id, *WRITE[1:], "--as-of", AS_OF, cwd=demo_repo, timeout=30)
    assert again.returncode == 0, again.stderr
    assert path.read_bytes() == new[case_id]
    assert not temp_exists(path)
