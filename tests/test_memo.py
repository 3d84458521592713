"""Whole reports kept and printed again (memo.py): never a stale, partial or damaged one.

The reference is always the same command with --no-cache. Every run is the real CLI on real
files; a kept report being printed is seen from outside: the cache of each file is deleted
first, and a report printed again does not open it, so it is not made again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from pptcli import core, memo
from pptcli.cache import reports_folder

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "cases"
AS_OF = "2026-11-23"
COPIES = 6


def ppt(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update({"NO_COLOR": "1", "PPT_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8"})
    return subprocess.run([sys.executable, "-m", "pptcli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def outcome(result: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The demo copied a few times over (new ids), with a broken file so problems, stderr
    and exit code 2 are part of what is printed again."""
    repo = tmp_path / "cases"
    shutil.copytree(DEMO, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    originals = sorted(p for p in repo.rglob("*.yaml") if p.parent != repo)
    for n in range(1, COPIES):
        for path in originals:
            text = path.read_text(encoding="utf-8")
            case_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
            copy = path.parent / f"copy{n:02d}" / path.name.replace(case_id, f"{case_id}-{n:02d}")
            copy.parent.mkdir(exist_ok=True)
            copy.write_text(text.replace(f"id: {case_id}", f"id: {case_id}-{n:02d}", 1), encoding="utf-8")
    broken = repo / "concord" / "copy03" / "CON-2026-0042-03.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("office: concord", "ofice: concord", 1), encoding="utf-8")
    return repo


COMMANDS = [
    ["check"],
    ["check", "--format", "json", "--all"],
    ["check", "--format", "csv", "--supervisor", "k.osei"],  # problems go to stderr
    ["check", "--format", "markdown", "--redact", "--fail-on", "late"],
    ["check", "--format", "junit", "--office", "concord"],
    ["check", "--worker", "c.rivera", "--since", "2026-06-01"],
    ["due", "--business-days", "10"],
    ["due", "--format", "ics", "--business-days", "30"],
    ["due", "--format", "csv", "--fail-on", "overdue"],
]


def kept(cache: Path) -> list[Path]:
    return sorted(p for p in (cache / "reports").glob("*.report") if not p.name.startswith("."))


def test_a_kept_report_is_printed_as_it_was_made(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    codes = set()
    for args in COMMANDS:
        run = [*args, str(repo), "--as-of", AS_OF]
        plain = outcome(ppt(*run, "--no-cache", cwd=repo.parent, cache=tmp_path / "unused"))
        codes.add(plain[0])
        assert not (tmp_path / "unused").exists()  # --no-cache keeps nothing either
        assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain, args  # made and kept
        for db in cache.glob("*.sqlite3*"):
            db.unlink()
        assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain, args  # printed again
        assert not list(cache.glob("*.sqlite3")), args  # not made again: the cache was never opened
    assert codes == {2}  # the broken file: problems printed again, with their exit code
    assert len(kept(cache)) == memo.KEEP  # the least recently used dropped


def change_staff(repo: Path) -> None:
    staff = repo / "staff.yaml"
    staff.write_text(staff.read_text(encoding="utf-8").replace("name: ", "name: Dr. ", 1), encoding="utf-8")


def same_size_and_time(repo: Path) -> None:
    path = repo / "concord" / "CON-2026-0042.yaml"
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("notified_ppt: 2026-01-12", "notified_ppt: 2026-01-13", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def add_file(repo: Path) -> None:
    shutil.copytree(repo / "keene" / "copy02", repo / "keene" / "copy99")
    for path in (repo / "keene" / "copy99").glob("*.yaml"):
        path.write_text(re.sub(r"^id: (.*)-02$", r"id: \1-99", path.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE), encoding="utf-8")


def remove_file(repo: Path) -> None:
    next((repo / "manchester").glob("*.yaml")).unlink()


def rename_file(repo: Path) -> None:
    path = next((repo / "manchester" / "copy04").glob("*.yaml"))
    path.rename(path.with_name("renamed.yaml"))


def change_rules(repo: Path) -> None:
    (repo / "ppt.yaml").write_text((repo / "ppt.yaml").read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")


@pytest.mark.parametrize("change", [same_size_and_time, change_staff, add_file, remove_file, rename_file, change_rules])
def test_a_report_is_made_again_when_what_it_is_made_from_changes(repo: Path, tmp_path: Path, change: object) -> None:
    cache = tmp_path / "cache"
    for args in (["check", "--format", "json", "--all"], ["check"], ["due", "--format", "csv"]):
        ppt(*args, str(repo), "--as-of", AS_OF, cwd=repo.parent, cache=cache)
    before = ppt("check", str(repo), "--as-of", AS_OF, "--format", "json", "--all", cwd=repo.parent, cache=cache).stdout
    change(repo)  # type: ignore[operator]
    for args in (["check", "--format", "json", "--all"], ["check"], ["due", "--format", "csv"]):
        run = [*args, str(repo), "--as-of", AS_OF]
        plain = outcome(ppt(*run, "--no-cache", cwd=repo.parent, cache=tmp_path / "unused"))
        assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain, args
        assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain, args  # and that one kept
    if change in (same_size_and_time, add_file, remove_file, rename_file):  # the findings change
        assert ppt("check", str(repo), "--as-of", AS_OF, "--format", "json", "--all", cwd=repo.parent, cache=cache).stdout != before


def test_another_day_or_option_is_another_report(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runs = [
        ["check", "--as-of", AS_OF], ["check", "--as-of", "2026-11-24"], ["check", "--as-of", AS_OF, "--all"],
        ["due", "--as-of", AS_OF, "-n", "5"], ["due", "--as-of", AS_OF, "-n", "6"], ["check", "--as-of", AS_OF, "--redact"],
    ]
    for args in runs:
        assert outcome(ppt(*args, str(repo), cwd=repo.parent, cache=cache)) == outcome(ppt(*args, str(repo), "--no-cache", cwd=repo.parent, cache=cache))
    assert len(kept(cache)) == len(runs)
    for args in runs:  # each printed again as its own
        assert outcome(ppt(*args, str(repo), cwd=repo.parent, cache=cache)) == outcome(ppt(*args, str(repo), "--no-cache", cwd=repo.parent, cache=cache))


def test_me_is_part_of_the_report_kept(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    results = {}
    for me in ("c.rivera", "k.osei", "c.rivera"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
        env.update({"NO_COLOR": "1", "PPT_CACHE_DIR": str(cache), "PPT_ME": me})
        run = subprocess.run([sys.executable, "-m", "pptcli", "check", str(repo), "--as-of", AS_OF, "--worker", "me"], env=env, capture_output=True, text=True, timeout=600, check=False)
        results.setdefault(me, set()).add(run.stdout)
    assert len(results["c.rivera"]) == 1
    assert results["c.rivera"] != results["k.osei"]


@pytest.mark.parametrize("damage", ["flip", "truncate", "trailer", "empty", "other key", "forged"])
def test_a_damaged_kept_report_is_never_printed(repo: Path, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    run = ["check", str(repo), "--as-of", AS_OF]
    plain = outcome(ppt(*run, "--no-cache", cwd=repo.parent, cache=cache))
    ppt(*run, cwd=repo.parent, cache=cache)
    (path,) = kept(cache)
    data = path.read_bytes()
    if damage == "flip":  # one bit in the middle of the text
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])
    elif damage == "truncate":  # a write cut short
        path.write_bytes(data[: len(data) // 2])
    elif damage == "trailer":
        path.write_bytes(data[:-20] + b"\xff" * 20)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "forged":  # a text that unpacks, in the place of the one the digest is of
        trailer_length = int.from_bytes(data[-8:], "big")
        trailer = json.loads(data[-8 - trailer_length : -8])
        body = data[len(memo.MAGIC) : -8 - trailer_length]
        text = zlib.decompress(body).replace(b"overdue", b"on time")
        forged = zlib.compress(text)
        trailer["body"] = len(forged)
        tail = json.dumps(trailer).encode()
        path.write_bytes(memo.MAGIC + forged + tail + len(tail).to_bytes(8, "big"))
    else:  # a whole report, under the name of another
        ppt("check", str(repo), "--as-of", "2026-11-24", cwd=repo.parent, cache=cache)
        (newer,) = set(kept(cache)) - {path}
        shutil.copyfile(newer, path)
    assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain
    assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain  # kept whole again


def test_only_the_most_recently_used_reports_are_kept(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = cache / "reports"
    folder.mkdir(parents=True)
    abandoned = folder / ".tmp-1-1.report"
    abandoned.write_bytes(b"a write that was killed")
    old = time.time() - 2 * 3600
    os.utime(abandoned, (old, old))
    recent = folder / ".tmp-2-2.report"  # perhaps another run writing now
    recent.write_bytes(b"being written")
    days = [(dt.date(2026, 11, 2) + dt.timedelta(days=k)).isoformat() for k in range(memo.KEEP + 3)]
    first = ["check", str(repo), "--as-of", days[0], "--format", "json"]
    ppt(*first, cwd=repo.parent, cache=cache)
    for day in days[1:]:
        ppt("check", str(repo), "--as-of", day, "--format", "json", cwd=repo.parent, cache=cache)
        ppt(*first, cwd=repo.parent, cache=cache)  # used each time: never the one dropped
    assert len(kept(cache)) == memo.KEEP
    assert not abandoned.exists() and recent.exists()
    for db in cache.glob("*.sqlite3*"):
        db.unlink()
    ppt(*first, cwd=repo.parent, cache=cache)
    assert not list(cache.glob("*.sqlite3"))  # still kept: printed, not made


def test_a_file_changed_while_a_report_is_made_keeps_no_report(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key is taken before the scan reads the files; a file changed between the two
    reads would key one content with the report of another, so nothing is kept."""
    monkeypatch.setenv("PPT_CACHE_DIR", str(tmp_path / "cache"))
    day = dt.date.fromisoformat(AS_OF)
    prepared = core.prepare(repo, day, core.Filters())
    inputs = prepared.inputs()
    core.check(repo, day, core.Filters(), prepared=prepared)
    assert prepared.seen.hexdigest() == inputs  # nothing changed: the report is kept
    prepared = core.prepare(repo, day, core.Filters())
    inputs = prepared.inputs()
    path = repo / "keene" / "copy05" / "KEE-2026-0019-05.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    core.check(repo, day, core.Filters(), prepared=prepared)
    assert prepared.seen.hexdigest() != inputs
    assert reports_folder(prepared.setting.root) == tmp_path / "cache" / "reports"


def test_reports_made_at_once_or_killed_leave_a_whole_report_or_none(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run = ["check", str(repo), "--as-of", AS_OF, "--format", "json", "--all"]
    plain = outcome(ppt(*run, "--no-cache", cwd=repo.parent, cache=cache))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update({"NO_COLOR": "1", "PPT_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8"})
    for delay in (0.5, 1.0, 1.5, 2.0):  # killed at some point of a run that keeps its report
        shutil.rmtree(cache, ignore_errors=True)
        child = subprocess.Popen([sys.executable, "-m", "pptcli", *run], cwd=repo.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.kill()
        child.wait()
        assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain, delay
        assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain, delay
    shutil.rmtree(cache)
    children = [subprocess.Popen([sys.executable, "-m", "pptcli", *run], cwd=repo.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for child in children:
        out, err = child.communicate(timeout=600)
        assert (child.returncode, out, err) == plain
    assert len(kept(cache)) == 1
    assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain
