"""Whole reports kept and printed again (memo.py): never a stale, partial or damaged one.

The reference is always the same command with --no-cache. Every run is the real CLI on real
files; a kept report being printed is seen from outside: the cache of each file is deleted
first, and a report printed again does not open it, so it is not made again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from helpers_check import demo_copies
from hypothesis import given
from hypothesis import strategies as st

from pptcli import core, memo
from pptcli.cache import reports_folder
from pptcli.rules import rules_folder
from pptcli.summary import Counts

AS_OF = "2026-11-23"
COPIES = 6


def ppt(*args: str, cwd: Path, cache: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update({"NO_COLOR": "1", "PPT_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8", **(extra or {})})
    return subprocess.run([sys.executable, "-m", "pptcli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def outcome(result: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The demo copied a few times over (new ids), with a broken file so problems, stderr
    and exit code 2 are part of what is printed again."""
    repo = tmp_path / "cases"
    demo_copies(repo, COPIES)
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


def test_a_settings_file_missing_or_a_broken_link_in_its_place_are_two_reports(repo: Path, tmp_path: Path) -> None:
    """A kept report is keyed by the settings files' bytes, before any is parsed: a missing
    staff.yaml (no staff checks) and a link to nothing in its place (a problem) both fail to
    read, and must not share a key."""
    cache = tmp_path / "cache"
    (repo / "staff.yaml").unlink()
    for _ in range(2):  # made, then printed as kept
        missing = outcome(ppt("check", str(repo), "--as-of", AS_OF, cwd=repo.parent, cache=cache))
    (repo / "staff.yaml").symlink_to(repo / "gone.yaml")
    plain = outcome(ppt("check", str(repo), "--as-of", AS_OF, "--no-cache", cwd=repo.parent, cache=tmp_path / "unused"))
    assert plain != missing
    assert outcome(ppt("check", str(repo), "--as-of", AS_OF, cwd=repo.parent, cache=cache)) == plain


def test_the_size_limit_is_part_of_the_report_kept(repo: Path, tmp_path: Path) -> None:
    """PPT_MAX_FILE_BYTES decides whether staff.yaml is read: a limit that refuses it (and no
    case file) is another report, kept or cached per file."""
    staff = repo / "staff.yaml"
    staff.write_text(staff.read_text(encoding="utf-8") + "#" + "-" * 20_000 + "\n", encoding="utf-8")
    cache, run = tmp_path / "cache", ["check", str(repo), "--as-of", AS_OF]
    for limit in ("40000", "30000", "10000", "40000"):  # staff.yaml is some 23,000 bytes, no case file 10,000
        extra = {"PPT_MAX_FILE_BYTES": limit}
        plain = outcome(ppt(*run, "--no-cache", cwd=repo.parent, cache=tmp_path / "unused", extra=extra))
        assert outcome(ppt(*run, cwd=repo.parent, cache=cache, extra=extra)) == plain, limit
    refused = outcome(ppt(*run, "--no-cache", cwd=repo.parent, cache=tmp_path / "unused", extra={"PPT_MAX_FILE_BYTES": "10000"}))
    assert "the limit is 10,000" in refused[1] + refused[2]


def test_a_rules_folder_gone_is_noticed(repo: Path, tmp_path: Path) -> None:
    """A rules folder that holds no rule file lists none, and neither does one that is gone:
    the folder's own state is part of the report kept."""
    settings = repo / "ppt.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("rules: null", "rules: local"), encoding="utf-8")
    (repo / "local").mkdir()
    (repo / "local" / "README.md").write_text("rules to come\n", encoding="utf-8")
    cache, run = tmp_path / "cache", ["check", str(repo), "--as-of", AS_OF]
    for _ in range(2):  # made, then printed as kept
        ppt(*run, cwd=repo.parent, cache=cache)
    shutil.rmtree(repo / "local")
    plain = outcome(ppt(*run, "--no-cache", cwd=repo.parent, cache=tmp_path / "unused"))
    assert plain[0] == 2 and "the rules folder does not exist" in plain[2]
    assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain


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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX file type")
def test_a_planted_report_that_nests_deep_or_never_ends_is_passed_over(repo: Path, tmp_path: Path) -> None:
    """Every report run reads the trailers of the reports kept (memo.family_kept): one whose
    trailer nests deeper than json can read (RecursionError), and a FIFO named like a report
    (open would wait for a writer), are not reports; neither stops or holds a run."""
    cache = tmp_path / "cache"
    run = ["check", str(repo), "--as-of", AS_OF]
    plain = outcome(ppt(*run, "--no-cache", cwd=repo.parent, cache=cache))
    ppt(*run, cwd=repo.parent, cache=cache)
    folder = cache / "reports"
    deep = b"[" * 200_000 + b"]" * 200_000
    (folder / f"deep{memo.SUFFIX}").write_bytes(memo.MAGIC + deep + len(deep).to_bytes(8, "big"))
    os.mkfifo(folder / f"fifo{memo.SUFFIX}")
    for args in (run, [*run, "--format", "json"], ["due", str(repo), "--as-of", AS_OF]):
        done = ppt("--debug", *args, cwd=repo.parent, cache=cache)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr
        assert done.returncode in (0, 1, 2)
    assert outcome(ppt(*run, cwd=repo.parent, cache=cache)) == plain


# Runs ppt with Glance.inputs noting on stderr each time it reads every case file before a report.
_SPY = """
import sys
from pptcli import core
from pptcli.cli import main
inputs = core.Glance.inputs
def noted(self):
    sys.stderr.write("spy: every file read before the report\\n")
    return inputs(self)
core.Glance.inputs = noted
sys.argv[0] = "ppt"
main()
"""


@pytest.mark.parametrize(("copies", "jobs"), [(COPIES, "1"), (20, "2")])
def test_files_are_read_before_a_report_only_when_that_can_spare_making_it(tmp_path: Path, copies: int, jobs: str) -> None:
    """A first run and a new day read each file once, in the scan; a second run, and `due`
    after `check` (findings cached under the same setting), read them all first, to print a
    kept report or serve cached findings. Each prints what a run without the cache prints,
    with a file over the size limit among them (keyed by why it was not read); on one
    process, and on two (441 files: the digests a kept report is keyed by come from the
    workers)."""
    repo = tmp_path / "cases"
    demo_copies(repo, copies)
    big = repo / "concord" / "CON-2026-0042.yaml"
    big.write_text(big.read_text(encoding="utf-8") + "# note\n" * 4000, encoding="utf-8")
    cache = tmp_path / "cache"
    extra = {"PPT_MAX_FILE_BYTES": "20000", "PPT_JOBS": jobs}

    def spied(*args: str) -> tuple[bool, str, tuple[int, str, str]]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
        env.update({"NO_COLOR": "1", "PPT_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8", **extra})
        done = subprocess.run([sys.executable, "-c", _SPY, "--debug", *args], cwd=repo.parent, env=env, capture_output=True, text=True, timeout=600, check=False)
        said = [line for line in done.stderr.splitlines() if line.startswith(("spy: ", "ppt: debug: "))]
        rest = "".join(line + "\n" for line in done.stderr.splitlines() if not line.startswith(("spy: ", "ppt: debug: ")))
        return "spy: every file read before the report" in said, " ".join(said), (done.returncode, done.stdout, rest)

    for args, read_first, how in (
        (["check", str(repo), "--as-of", AS_OF], False, "made whole"),
        (["check", str(repo), "--as-of", AS_OF], True, "printed as kept"),
        (["due", str(repo), "--as-of", AS_OF], True, "made whole"),  # findings cached by check
        (["check", str(repo), "--as-of", "2026-11-24"], False, "made whole"),  # a new day: cases cached
        (["check", str(repo), "--as-of", "2026-11-24"], True, "printed as kept"),
    ):
        read, said, result = spied(*args)
        assert (read, how in said) == (read_first, True), (args, said)
        assert result == outcome(ppt(*args, "--no-cache", cwd=repo.parent, cache=cache, extra=extra)), args
        assert "PPT_MAX_FILE_BYTES" in result[1] + result[2], args


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
    seen = core.glance(repo, day, core.Filters())
    inputs = seen.inputs()
    prepared = core.prepare(repo, day, core.Filters(), seen)
    core.check(repo, day, core.Filters(), prepared=prepared)
    assert prepared.seen.hexdigest() == inputs  # nothing changed: the report is kept
    seen = core.glance(repo, day, core.Filters())
    inputs = seen.inputs()
    prepared = core.prepare(repo, day, core.Filters(), seen)
    path = repo / "keene" / "copy05" / "KEE-2026-0019-05.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    core.check(repo, day, core.Filters(), prepared=prepared)
    assert prepared.seen.hexdigest() != inputs
    assert reports_folder(prepared.setting.root) == tmp_path / "cache" / "reports"


def test_settings_and_rules_saved_after_the_key_is_taken_are_read_as_keyed(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report is keyed by a digest of the settings and rule files' bytes and made from
    those same bytes, not from a second read: a file saved between the two reads would key
    one content with the report of another, and a later run over the first content would be
    served it. A new run reads the new bytes, under a new key."""
    monkeypatch.setenv("PPT_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(rules_folder(None), repo / "rules")
    settings = repo / "ppt.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("rules: null", "rules: rules"), encoding="utf-8")
    day = dt.date.fromisoformat(AS_OF)
    friday = dt.date(2026, 11, 20)
    saved = {
        repo / "staff.yaml": ("name: Marcus Okafor,", "name: Marcus Okafor-Reid,"),
        repo / "calendar.yaml": ("closures:\n", f"closures:\n  - {{date: {friday}, reason: burst pipe}}\n"),
        repo / "rules" / "cpsw" / "CPSW-I.A.1.yaml": ("title: Notify the PPT of the placement\n", "title: Tell the PPT of the placement\n"),
    }

    def read(prepared: core.Prepared) -> tuple[str, bool, str]:
        setting = prepared.setting
        title = setting.ruleset.described("CPSW-I.A.1", day)[0]
        return setting.staff["m.okafor"].name, setting.calendar.is_business_day(friday), title

    seen = core.glance(repo, day, core.Filters())
    for path, (old, new) in saved.items():
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, path
        path.write_text(text.replace(old, new), encoding="utf-8")
    keyed = core.prepare(repo, day, core.Filters(), seen)
    assert read(keyed) == ("Marcus Okafor", True, "Notify the PPT of the placement")
    again = core.prepare(repo, day, core.Filters())
    assert read(again) == ("Marcus Okafor-Reid", False, "Tell the PPT of the placement")
    assert again.setting.digest != keyed.setting.digest


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


WORKERS = ["c.rivera", "j.beaulieu", "a.kowalski", "s.patel", "e.moreau", "h.levesque", "i.ferreira"]
DATE = re.compile(r"(?m)^(?!\s*#)(.*?:\s*\[?)(\d{4}-\d{2}-\d{2})")


def edit(path: Path, rng: random.Random) -> str:
    """One change a worker might make to a case file, or a mistake."""
    text = path.read_text(encoding="utf-8")
    way = rng.choice(["date", "date", "date", "worker", "comment", "break"])
    if way == "date":  # a duty done (or due) some days earlier or later
        spots = list(DATE.finditer(text))
        if spots:
            spot = rng.choice(spots)
            day = dt.date.fromisoformat(spot[2]) + dt.timedelta(days=rng.choice([-9, -3, -1, 1, 2, 5, 30]))
            text = text[: spot.start(2)] + day.isoformat() + text[spot.end(2) :]
    elif way == "worker":  # the case handed to another worker (perhaps of another office)
        text = re.sub(r"(?m)^(  cpsw: )\S+", lambda m: m[1] + rng.choice(WORKERS), text, count=1)
    elif way == "comment":
        text += f"# reviewed {rng.random()}\n"
    else:  # a key misspelt: the file is no longer a valid case, its findings go
        text = text.replace("office:", "ofice:", 1)
    path.write_text(text, encoding="utf-8")
    return way


def test_a_check_table_made_again_in_part_is_the_table_made_whole(repo: Path, tmp_path: Path) -> None:
    """After a few files changed, the kept table's blocks of the workers they do not name are
    printed as kept, the rest made again: the same table as one made whole, edit after edit."""
    cache = tmp_path / "cache"
    run = [str(repo), "--as-of", AS_OF]
    files = sorted(p for p in repo.rglob("*.yaml") if p.parent != repo and p.name != "CON-2026-0042-03.yaml")
    rng = random.Random(2026)
    assert "made whole" in ppt("--debug", "check", *run, cwd=repo.parent, cache=cache).stderr
    assert "ppt: debug: the report was made whole, without the cache (--no-cache)\n" in ppt("--debug", "check", *run, "--no-cache", cwd=repo.parent, cache=cache).stderr
    # First a case handed from one worker to another: its findings leave one block for another.
    report = json.loads(ppt("check", *run, "--format", "json", "--no-cache", cwd=repo.parent, cache=cache).stdout)
    moved = next(f["file"] for f in report["findings"] if f["responsible"] == ["a.kowalski"] and f["status"] == "late")
    path = repo / moved
    path.write_text(path.read_text(encoding="utf-8").replace("cpsw: a.kowalski", "cpsw: j.beaulieu", 1), encoding="utf-8")
    made = ppt("--debug", "check", *run, cwd=repo.parent, cache=cache)
    assert "made again for" in made.stderr
    assert made.stdout == ppt("check", *run, "--no-cache", cwd=repo.parent, cache=cache).stdout
    # Then to someone not in staff.yaml, and on to another worker: the case is not valid (one
    # case fewer, a problem more, exit 2), then valid again, under the same id.
    for wrong, right in (("j.beaulieu", "x.nobody"), ("x.nobody", "c.rivera")):
        path.write_text(path.read_text(encoding="utf-8").replace(f"cpsw: {wrong}", f"cpsw: {right}", 1), encoding="utf-8")
        made = ppt("--debug", "check", *run, cwd=repo.parent, cache=cache)
        assert "made again for" in made.stderr
        assert made.stdout == ppt("check", *run, "--no-cache", cwd=repo.parent, cache=cache).stdout
        assert ("x.nobody" in made.stdout) == (right == "x.nobody")
    ways = []
    for _ in range(14):
        for path in rng.sample(files, rng.choice([1, 1, 1, 2, 3])):
            edit(path, rng)
        made = ppt("--debug", "check", *run, cwd=repo.parent, cache=cache)
        plain = ppt("check", *run, "--no-cache", cwd=repo.parent, cache=cache)
        said = [line for line in made.stderr.splitlines() if line.startswith("ppt: debug: ")]
        assert len(said) == 1
        assert "Traceback" not in made.stderr
        assert (made.returncode, made.stdout, made.stderr.replace(said[0] + "\n", "")) == outcome(plain)
        ways.append("again" if "made again" in said[0] else "whole")
        assert outcome(ppt("check", *run, cwd=repo.parent, cache=cache)) == outcome(plain)  # kept, printed again
    assert ways.count("again") >= 8, ways  # a broken file, or a worker's office changed, makes it whole
    assert outcome(ppt("check", *run, "--format", "json", cwd=repo.parent, cache=cache)) == outcome(ppt("check", *run, "--format", "json", "--no-cache", cwd=repo.parent, cache=cache))


def test_a_table_is_made_whole_when_its_blocks_cannot_be_trusted(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run = ["--debug", "check", str(repo), "--as-of", AS_OF]
    ppt(*run, cwd=repo.parent, cache=cache)
    # A changed file's earlier result is gone from the cache (another report evaluated it):
    # which workers it named is not known.
    path = repo / "keene" / "KEE-2026-0019.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    ppt("due", str(repo), "--as-of", AS_OF, cwd=repo.parent, cache=cache)
    assert "made whole" in ppt(*run, cwd=repo.parent, cache=cache).stderr
    # A case id changed: another file may now be, or no longer be, its duplicate.
    path.write_text(path.read_text(encoding="utf-8").replace("id: KEE-2026-0019", "id: KEE-2026-0019-05", 1), encoding="utf-8")
    made = ppt(*run, cwd=repo.parent, cache=cache)
    assert "made whole" in made.stderr
    assert "also used by" in made.stdout
    assert outcome(ppt(*run[1:], cwd=repo.parent, cache=cache)) == outcome(ppt(*run[1:], "--no-cache", cwd=repo.parent, cache=cache))
    # Filtered, other formats, --all: never in part.
    for extra in (["--supervisor", "k.osei"], ["--format", "markdown"], ["--all"]):
        ppt(*run, *extra, cwd=repo.parent, cache=cache)
        path.write_text(path.read_text(encoding="utf-8") + "# again\n", encoding="utf-8")
        assert "made whole" in ppt(*run, *extra, cwd=repo.parent, cache=cache).stderr, extra


def test_a_redacted_table_is_made_again_in_part_redacted(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run = ["check", str(repo), "--as-of", AS_OF, "--redact"]
    ppt(*run, cwd=repo.parent, cache=cache)
    path = repo / "manchester" / "MAN-2025-0044.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("cpsw: e.moreau", "cpsw: s.patel", 1), encoding="utf-8")
    made = ppt("--debug", *run, cwd=repo.parent, cache=cache)
    assert "made again" in made.stderr
    assert made.stdout == ppt(*run, "--no-cache", cwd=repo.parent, cache=cache).stdout


def test_a_kept_layout_that_was_altered_is_not_trusted(repo: Path, tmp_path: Path) -> None:
    """The digest covers every part and the trailer: a layout changed by hand (here, one case
    fewer), its lengths made to fit, makes the report whole, from the files."""
    cache = tmp_path / "cache"
    run = ["check", str(repo), "--as-of", AS_OF]
    ppt(*run, cwd=repo.parent, cache=cache)
    (path,) = kept(cache)
    data = path.read_bytes()
    length = int.from_bytes(data[-8:], "big")
    trailer = json.loads(data[-8 - length : -8])
    parts, at = [], len(memo.MAGIC)
    for segment in trailer["segments"]:
        part = data[at : at + segment[2]]
        at += segment[2]
        if segment[0] == "layout":
            layout = json.loads(zlib.decompress(part))
            layout["valid"] -= 1
            part = zlib.compress(json.dumps(layout).encode())
            segment[2] = len(part)
        parts.append(part)
    assert any(segment[0] == "layout" for segment in trailer["segments"])
    trailer["body"] = sum(len(part) for part in parts)
    tail = json.dumps(trailer).encode()
    path.write_bytes(memo.MAGIC + b"".join(parts) + tail + len(tail).to_bytes(8, "big"))
    edited = repo / "keene" / "KEE-2026-0019.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    made = ppt("--debug", *run, cwd=repo.parent, cache=cache)
    assert "made whole" in made.stderr
    assert made.stdout == ppt(*run, "--no-cache", cwd=repo.parent, cache=cache).stdout


TALLIES = st.lists(st.tuples(st.sampled_from(["met", "late", "missed", "overdue", "open", "waived"]),
                             st.lists(st.sampled_from(["a", "b", "c", "(unassigned)"]), max_size=3),
                             st.sampled_from(["concord", "keene"])), max_size=30)


@given(TALLIES, TALLIES)
def test_counts_taken_away_are_as_if_never_added(first: list[tuple[str, list[str], str]], second: list[tuple[str, list[str], str]]) -> None:
    """What check_again relies on: counts of A and B, less those of B, are the counts of A,
    with no worker, office or status left at nothing; and they go through JSON unchanged."""
    def counted(rows: list[tuple[str, list[str], str]]) -> Counts:
        counts = Counts()
        for status, responsible, office in rows:
            counts.add(status, responsible, office)
        return counts

    both = counted(first)
    both.merge(counted(second))
    kept_before = both.copy()
    both.subtract(counted(second))
    assert both == counted(first)
    assert Counts.from_json(json.loads(json.dumps(kept_before.as_json()))) == kept_before
    assert Counts.from_json({"status": {"met": "1"}, "worker": {}, "office": {}}) is None


def test_a_first_run_is_keyed_by_the_files_as_its_scan_read_them(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no report of its family kept and no findings cached under its setting, a report
    is made without reading every file before the scan (report_out.report): the digests the
    scan read are the key it is kept under and, for a check table, the digests it keeps for
    making it again in part; they are those a reading before would have given."""
    monkeypatch.setenv("PPT_CACHE_DIR", str(tmp_path / "cache"))
    day = dt.date.fromisoformat(AS_OF)
    prepared = core.prepare(repo, day, core.Filters(), core.glance(repo, day, core.Filters()))
    assert prepared.digests is None
    core.check(repo, day, core.Filters(), prepared=prepared)
    before = core.glance(repo, day, core.Filters())
    assert prepared.seen.hexdigest() == before.inputs()
    assert prepared.digests == before.digests and len(before.files) * 16 == len(before.digests or b"")


def test_a_family_is_kept_while_a_report_of_it_is(repo: Path, tmp_path: Path) -> None:
    """Whether the files are read before the scan (memo.family_kept): by the trailers of the
    reports kept, whole or not; a report being written, or one cut short, is none."""
    cache = tmp_path / "cache"
    folder = cache / "reports"
    assert not memo.family_kept(folder, "any")  # no folder yet
    assert "made whole" in ppt("--debug", "check", str(repo), "--as-of", AS_OF, cwd=repo.parent, cache=cache).stderr
    (path,) = kept(cache)
    family = json.loads(path.read_bytes()[-8 - int.from_bytes(path.read_bytes()[-8:], "big") : -8])["family"]
    assert memo.family_kept(folder, family)
    assert not memo.family_kept(folder, family[::-1])
    path.rename(folder / f".tmp-1-2{memo.SUFFIX}")
    assert not memo.family_kept(folder, family)
    (folder / f".tmp-1-2{memo.SUFFIX}").rename(path)
    path.write_bytes(path.read_bytes()[:-100])
    assert not memo.family_kept(folder, family)
    path.write_bytes(b"")
    assert not memo.family_kept(folder, family)
    # Another day is another family: made whole again, from the cache of each case.
    assert "made whole" in ppt("--debug", "check", str(repo), "--as-of", "2026-11-24", cwd=repo.parent, cache=cache).stderr
