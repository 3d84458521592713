"""The cache, parallel loading and streaming never change a report (issue 6).

Every run below is the real CLI on real files; the reference is a run with no cache on one
process, and the engine's plain load-then-evaluate path.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers_check import demo_copies
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from pptcli import core, scan
from pptcli.cache import SEAL, Cache, user_key
from pptcli.load import read_document
from pptcli.located import validate
from pptcli.model.case import Case, NotApplicable
from pptcli.rows import ROW, from_row, to_row

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "cases"
AS_OF = "2026-11-23"
COPIES = 22  # 21 demo cases x 22 = 462 files: enough for reports to run on two processes
REDACTION_TIES = """\
id: MAN-2026-0999
program: cps
office: manchester
child: {name: "Tom Smith", born: 2013-07-19}
team: {cpsw: s.patel, cpsw_supervisor: k.osei, permanency_cpsw: n.brennan, reunification_specialist: f.castillo}
placements:
  - {date: 2026-01-16, provider: "Foster home (Kaplan)", notified_ppt: 2026-01-16, notified_reunification_specialist: 2026-01-16}
meetings:
  - date: 2026-03-10
    kind: regular
    status: held
    screen_completed: 2026-03-03
    info_gathered: {parents: 2026-02-26, child: 2026-03-02, providers: 2026-03-04}
    attendees: [s.patel, k.osei, n.brennan, f.castillo]
    discussed: [case_plan_progress, connections, barriers, placement_concurrent_goal, other_needs]
    tasks:
      - {task: "Tom Smith therapy intake", owner: s.patel, due: 2026-05-29}
      - {task: "Team meeting notes", owner: s.patel, due: 2026-05-29}
      - {task: "\\u6f22\\u5b57 \\a review\\ttab", owner: s.patel, due: 2026-05-29}
      - {task: "TOM SMITH school visit 2013-07-19, a subject longer than its column", owner: s.patel, due: 2026-06-03}
"""


def ppt(*args: str, cwd: Path, jobs: int | None = None, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI with the cache in `cache`, its whole reports (memo.py, tested in test_memo.py)
    dropped first: what is compared here is the report made from the cache of each file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env["NO_COLOR"] = "1"
    if jobs is not None:
        env["PPT_JOBS"] = str(jobs)
    if cache is not None:
        env["PPT_CACHE_DIR"] = str(cache)
        shutil.rmtree(cache / "reports", ignore_errors=True)
    return subprocess.run([sys.executable, "-m", "pptcli", *args], cwd=cwd, env=env, capture_output=True, text=True, errors="surrogateescape", timeout=600, check=False)


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo repository copied many times over, each copy's cases given new ids."""
    repo = tmp_path_factory.mktemp("big") / "cases"
    demo_copies(repo, COPIES)
    # A case whose tied findings (same due date, case and rule) sort differently once the
    # child's name in a subject is redacted ("Tom Smith therapy" becomes "T. S. therapy").
    (repo / "manchester" / "MAN-2026-0999.yaml").write_text(REDACTION_TIES, encoding="utf-8")
    # One broken file and one duplicated id, so problems and exit codes are compared too.
    broken = repo / "concord" / "copy03" / "CON-2026-0042-03.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("office: concord", "ofice: concord", 1), encoding="utf-8")
    twin = repo / "keene" / "copy05" / "KEE-2026-0019-05.yaml"
    (twin.parent / "zz-twin.yaml").write_text(twin.read_text(encoding="utf-8"), encoding="utf-8")
    return repo


def report(repo: Path, *extra: str, **kwargs: object) -> tuple[int, dict[str, object]]:
    result = ppt("check", str(repo), "--as-of", AS_OF, "--format", "json", "--all", *extra, cwd=repo.parent, **kwargs)  # type: ignore[arg-type]
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def test_cached_uncached_and_parallel_runs_give_the_same_report(big_repo: Path, tmp_path: Path) -> None:
    reference = report(big_repo, "--no-cache", jobs=1)
    assert reference[0] == 2  # the broken file and the twin
    assert len(reference[1]["problems"]) >= 2  # type: ignore[arg-type]
    cache = tmp_path / "cache"
    assert report(big_repo, "--no-cache", jobs=2) == reference  # two processes
    assert report(big_repo, cache=cache, jobs=2) == reference  # cold: fills the cache
    assert report(big_repo, cache=cache, jobs=2) == reference  # warm: everything from the cache
    assert report(big_repo, cache=cache, jobs=1) == reference  # warm on one process


def test_a_changed_file_is_read_again_even_with_the_same_size_and_time(big_repo: Path, tmp_path: Path) -> None:
    repo = tmp_path / "cases"
    shutil.copytree(big_repo, repo)
    cache = tmp_path / "cache"
    report(repo, cache=cache)
    path = repo / "concord" / "CON-2026-0042.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    # Same length, same modification time: only the content tells the change.
    path.write_text(text.replace("notified_ppt: 2026-01-12", "notified_ppt: 2026-01-13", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert report(repo, cache=cache) == report(repo, "--no-cache")
    touched = sorted(repo.rglob("*.yaml"))[:100]
    for p in touched:
        os.utime(p)
    assert report(repo, cache=cache) == report(repo, "--no-cache")


def test_a_cold_run_on_two_processes_caches_every_file(big_repo: Path, tmp_path: Path) -> None:
    """Both worker processes write to the cache at once; neither may lose its entries (a
    stale read snapshot once made one worker's writes fail silently, so the next "warm"
    run evaluated half the repository again)."""
    cache = tmp_path / "cache"
    report(big_repo, cache=cache, jobs=2)
    files = [p for p in big_repo.rglob("*.yaml") if p.parent != big_repo]
    (db,) = cache.glob("*.sqlite3")
    with sqlite3.connect(db) as connection:
        cached = connection.execute("select count(*) from entry where result is not null").fetchone()[0]
    assert cached == len(files)


def _watch_writes(db: Path) -> None:
    """Triggers in a cache's own database that note the path of every entry written."""
    with sqlite3.connect(db) as connection:
        connection.executescript("""
            create table written (path blob);
            create trigger on_insert after insert on entry begin insert into written values (new.path); end;
            create trigger on_update after update on entry begin insert into written values (new.path); end;
        """)


def _written(db: Path) -> set[bytes]:
    """The paths of the entries written since the last call (_watch_writes)."""
    with sqlite3.connect(db) as connection:
        paths = {row[0] for row in connection.execute("select path from written")}
        connection.execute("delete from written")
    return paths


def test_a_file_cached_with_its_content_is_served_and_only_a_changed_one_written_again(big_repo: Path, tmp_path: Path) -> None:
    """Files are looked up in the cache a few hundred at a time (scan._each, Cache.stored):
    one cached with its content is served, never evaluated and written again; a changed one
    is. Writes are counted by a trigger in the cache's own database, on one process and two."""
    repo = tmp_path / "cases"
    shutil.copytree(big_repo, repo)
    cache = tmp_path / "cache"
    reference = report(repo, "--no-cache", jobs=1)
    assert report(repo, cache=cache, jobs=1) == reference  # fills the cache on one process
    (db,) = cache.glob("*.sqlite3")
    _watch_writes(db)
    for jobs in (1, 2):
        assert report(repo, cache=cache, jobs=jobs) == reference
        assert _written(db) == set()
    path = repo / "concord" / "CON-2026-0042.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    for jobs in (1, 2):
        assert report(repo, cache=cache, jobs=jobs) == report(repo, "--no-cache", jobs=1)
        assert _written(db) == ({b"concord/CON-2026-0042.yaml"} if jobs == 1 else set())


def test_files_looked_up_in_many_small_batches_are_served_as_one(big_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """scan._each across many batches of its lookups (7 files each here, 500 in use): from an
    empty cache every file is evaluated and written; from the filled one each is served, none
    written; the outcomes are those of a run without the cache."""
    monkeypatch.setattr(scan, "LOOKED_UP_AT_ONCE", 7)
    day = dt.date.fromisoformat(AS_OF)
    setting = core.prepare(big_repo, day, core.Filters()).setting
    files = core.glance(big_repo, day, core.Filters()).files
    keep = scan.counting_all(frozenset({"late", "missed", "overdue", "open", "met"}))
    plain = [vars(o) for o in scan._each(setting, files, keep, None)]
    path = tmp_path / "cache.sqlite3"
    cache = Cache.open(path)
    assert cache is not None
    assert [vars(o) for o in scan._each(setting, files, keep, cache)] == plain
    cache.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("select count(*) from entry where result is not null").fetchone()[0] == len(files)
    _watch_writes(path)
    cache = Cache.open(path)
    assert cache is not None
    assert [vars(o) for o in scan._each(setting, files, keep, cache)] == plain
    cache.close()
    assert _written(path) == set()


def test_cached_cases_answer_positions_asked_on_another_day_and_by_other_rules(big_repo: Path, tmp_path: Path) -> None:
    """A case is cached with the positions its evaluation asked for (scan._model_entry), by
    the first run that evaluates its file again unchanged; a later day, or a rule added since, may
    ask for others, which are read from the file again and cached in turn. Every line and
    column must still be the file's."""
    repo = tmp_path / "cases"
    shutil.copytree(big_repo, repo)
    few = repo / "few"  # the first run's rules: one rule file of 29
    shutil.copytree(ROOT / "rules", few)
    for rule_file in few.glob("*/*-*.yaml"):
        if rule_file.name != "CPSW-I.A.1.yaml":
            rule_file.unlink()
    settings = (repo / "ppt.yaml").read_text(encoding="utf-8")
    (repo / "ppt.yaml").write_text(settings.replace("rules: null", "rules: few"), encoding="utf-8")
    cache = tmp_path / "cache"

    def run(as_of: str, *extra: str, **kwargs: object) -> tuple[int, str, str]:
        result = ppt("check", str(repo), "--as-of", as_of, "--format", "json", "--all", *extra, cwd=repo.parent, **kwargs)  # type: ignore[arg-type]
        assert "Traceback" not in result.stderr
        return result.returncode, result.stdout, result.stderr

    def models() -> list[bytes | None]:  # the cached cases, one a file (None: its findings alone)
        (db,) = cache.glob("*.sqlite3")
        with sqlite3.connect(db) as connection:
            return [row[0] for row in connection.execute("select model from entry")]

    def asked() -> int:  # positions kept with the cached cases
        return sum(len(pickle.loads(blob[SEAL:])[1]) for blob in models() if blob is not None)

    assert run(AS_OF, cache=cache, jobs=2) == run(AS_OF, "--no-cache", jobs=1)
    files = len(models())
    assert files > scan.PARALLEL_FROM and models() == [None] * files  # a first run keeps findings alone
    assert run("2026-11-24", cache=cache, jobs=2) == run("2026-11-24", "--no-cache", jobs=1)
    assert None not in models() and len(models()) == files  # found unchanged: every case kept
    before = asked()
    (repo / "ppt.yaml").write_text(settings, encoding="utf-8")  # every rule, on later days
    for day in ("2026-11-25", "2027-03-15"):
        assert run(day, cache=cache, jobs=2) == run(day, "--no-cache", jobs=1), day
        assert sum(blob is not None for blob in models()) >= files, day  # read again for positions: still kept
    assert asked() > before  # files were read again for positions first asked, and kept


def test_partly_cached_runs_mix_cached_and_evaluated_files_in_order(big_repo: Path, tmp_path: Path) -> None:
    """A run serves cached files itself and shares out the rest: with many files to evaluate
    between cached ones (two processes), and with only a few (none started)."""
    repo = tmp_path / "cases"
    shutil.copytree(big_repo, repo)
    reference = report(repo, "--no-cache", jobs=1)
    cache = tmp_path / "cache"
    for part in ("concord/copy01", "keene/copy07", "concord/CON-2026-0042.yaml"):
        ppt("check", str(repo / part), "--as-of", AS_OF, cwd=repo.parent, cache=cache)  # caches only these
    assert report(repo, cache=cache, jobs=2) == reference  # a few cached, 400+ evaluated
    changed = sorted(repo.rglob("*.yaml"))[5::40]
    for path in changed:
        path.write_text(path.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    assert report(repo, "--no-cache", jobs=1) == report(repo, cache=cache, jobs=2)  # a few evaluated


def test_a_corrupt_cache_is_ignored_not_trusted(big_repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    reference = report(big_repo, "--no-cache")
    report(big_repo, cache=cache)
    for db in cache.glob("*.sqlite3"):
        db.write_bytes(b"this is not a database" * 100)
    assert report(big_repo, cache=cache) == reference
    db = next(cache.glob("*.sqlite3"))
    db.unlink()
    report(big_repo, cache=cache)
    with sqlite3.connect(db) as connection:  # a cached result that does not match the file's content
        connection.execute("update entry set digest = 'forged'")
    assert report(big_repo, cache=cache) == reference


def test_outcomes_from_the_workers_carry_the_paths_this_process_holds(big_repo: Path) -> None:
    """The scan keeps one path per case id for the whole run (to report a second file with
    the same id): the outcome of a file evaluated in a worker carries the path string of the
    list it was given, not the copy the worker sent back (7 MB at 100,000 cases)."""
    day = dt.date.fromisoformat(AS_OF)
    prepared = core.prepare(big_repo, day, core.Filters())
    keep = scan.counting_all(frozenset())
    assert len(prepared.files) >= scan.PARALLEL_FROM  # shared out between two processes
    results = list(scan.outcomes(prepared.setting, prepared.files, keep, None, jobs=2))
    assert [o.file for o in results] == prepared.files
    assert all(o.file is rel for o, rel in zip(results, prepared.files, strict=True))


def test_streaming_reports_match_the_plain_engine(big_repo: Path) -> None:
    """The streamed, cached path gives the findings and problems of load-then-evaluate."""
    evaluated = core.evaluate_repository(big_repo, dt.date.fromisoformat(AS_OF))
    _, streamed = report(big_repo, "--no-cache")
    plain = sorted(json.dumps(f.as_dict(), sort_keys=True) for f in evaluated.findings)
    assert sorted(json.dumps(f, sort_keys=True) for f in streamed["findings"]) == plain  # type: ignore[union-attr]
    assert [p.as_dict() for p in evaluated.problems] == streamed["problems"]
    assert streamed["summary"]["cases"] == len(evaluated.repo.cases)  # type: ignore[index]


def test_evaluating_a_case_leaves_no_reference_cycle(big_repo: Path, tmp_path: Path) -> None:
    """A report runs with few garbage collections (scan.few_collections) because making an
    outcome leaves nothing only a collection can free: every object goes when its last
    reference does. Every case of the big repository: valid, waived, broken, a twin."""
    day = dt.date.fromisoformat(AS_OF)
    seen = core.glance(big_repo, day, core.Filters())
    setting, _, _ = core._setting(seen, day)
    keep = scan.counting_all(frozenset({"late", "missed", "overdue"}))
    files = seen.files
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        made = [scan.outcome(setting, rel, keep, None) for rel in files]
        assert any(o.problems for o in made) and any(o.kept for o in made)
        assert gc.collect() == 0
        for _fill_then_warm in range(2):
            cache = Cache.open(tmp_path / "cache.sqlite3")
            assert cache is not None
            assert [scan.outcome(setting, rel, keep, cache) for rel in files] == made
            cache.close()
            assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_few_collections_gives_back_the_collector_as_it_was() -> None:
    before = gc.get_threshold()
    with scan.few_collections():
        assert gc.get_threshold() == scan.COLLECT_AFTER
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_table_due_and_exit_codes_agree_with_and_without_the_cache(big_repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for args in (["check"], ["check", "--supervisor", "m.okafor", "--fail-on", "late"], ["due", "--business-days", "10"], ["due", "--format", "ics"]):
        plain = ppt(*args, str(big_repo), "--as-of", AS_OF, "--no-cache", cwd=big_repo.parent)
        cold = ppt(*args, str(big_repo), "--as-of", AS_OF, cwd=big_repo.parent, cache=cache)
        warm = ppt(*args, str(big_repo), "--as-of", AS_OF, cwd=big_repo.parent, cache=cache)
        assert (plain.returncode, plain.stdout) == (cold.returncode, cold.stdout) == (warm.returncode, warm.stdout), args


def test_filtered_reports_agree_with_and_without_the_cache(big_repo: Path, tmp_path: Path) -> None:
    """A filtered run from the cache skips the files its filters cannot match (scan.Reach):
    each filter, alone or combined, in each report, prints what a run without the cache does."""
    cache = tmp_path / "cache"
    ppt("check", str(big_repo), "--as-of", AS_OF, cwd=big_repo.parent, cache=cache)  # fills the cache
    for args in (
        ["check", "--worker", "c.rivera"],
        ["check", "--supervisor", "k.osei", "--format", "json"],
        ["check", "--office", "concord", "--all", "--format", "csv"],
        ["check", "--case", "CON-2026-0042-07", "--all"],
        ["check", "--rule", "CPSW-I.*", "--since", "2026-06-01", "--fail-on", "late"],
        ["check", "--since", "2026-12-01", "--format", "json"],
        ["due", "--business-days", "10", "--supervisor", "m.okafor"],
        ["due", "--business-days", "30", "--office", "manchester", "--format", "json"],
    ):
        plain = ppt(*args, str(big_repo), "--as-of", AS_OF, "--no-cache", cwd=big_repo.parent)
        warm = ppt(*args, str(big_repo), "--as-of", AS_OF, cwd=big_repo.parent, cache=cache)
        assert "Traceback" not in warm.stderr
        assert (plain.returncode, plain.stdout, plain.stderr) == (warm.returncode, warm.stdout, warm.stderr), args
        assert plain.stdout.count("\n") > 3, args  # a report with findings, not an empty one


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux file systems take a file name that is not UTF-8")
def test_a_file_name_that_is_not_utf8_is_cached_like_any_other(tmp_path: Path) -> None:
    """SQLite text cannot hold the lone surrogates such a name decodes to: the cache once
    stopped the whole report with an internal error (exit 3)."""
    repo = tmp_path / "cases"
    shutil.copytree(DEMO, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    odd = Path(os.fsdecode(bytes(repo / "keene") + b"/odd-\xff.yaml"))
    odd.write_bytes((repo / "concord" / "CON-2026-0071.yaml").read_bytes().replace(b"id: CON-2026-0071", b"id: CON-2026-0999"))
    cache = tmp_path / "cache"
    reference = report(repo, "--no-cache")
    assert "CON-2026-0999" in json.dumps(reference[1])
    assert report(repo, cache=cache) == reference  # fills the cache
    assert report(repo, cache=cache) == reference  # reads it


def test_the_cache_folder_keeps_itself_out_of_git(tmp_path: Path) -> None:
    repo = tmp_path / "cases"
    shutil.copytree(DEMO, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    report(repo)
    assert (repo / ".ppt-cache").is_dir()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert ".ppt-cache" not in status
    assert "concord/CON-2026-0042.yaml" in status  # the cases themselves are seen by git


def test_caches_of_other_versions_go_after_a_month_unused(tmp_path: Path) -> None:
    """An upgrade leaves the old version's cache behind; a run with the cache deletes another
    version's or format's database, with its -wal and -shm, once none of them was written for
    30 days. Its own cache, however old, and anything else in the folder stay."""
    import time

    repo = tmp_path / "cases"
    shutil.copytree(DEMO, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    folder = repo / ".ppt-cache"
    reference = report(repo, "--no-cache")
    assert not folder.exists()  # --no-cache neither reads nor writes one
    assert report(repo) == reference
    (mine,) = folder.glob("cache-*.sqlite3")
    day = 24 * 3600
    now = time.time()
    ages = {
        "cache-0.0.1-5.sqlite3": 40, "cache-0.0.1-5.sqlite3-wal": 31, "cache-0.0.1-5.sqlite3-shm": 40,  # unused: goes
        "cache-0.0.2-5.sqlite3": 90, "cache-0.0.2-5.sqlite3-wal": 2,  # written two days ago: stays
        "cache-0.0.3-4.sqlite3": 29,  # within the month: stays
        f"{mine.stem.rsplit('-', 1)[0]}-3.sqlite3": 45,  # this version, an older format: goes
        "cache.sqlite3": 400, "my-cache-0.0.1-5.sqlite3": 400, "cache-0.0.1-5.sqlite3.bak": 400,  # not ppt's: stay
        "cache-browser-2.sqlite3": 400,  # another program's, in a shared PPT_CACHE_DIR: a version begins with a digit
    }
    for name, days in ages.items():
        (folder / name).write_bytes(b"SQLite format 3\0")
        os.utime(folder / name, (now - days * day, now - days * day))
    os.utime(mine, (now - 400 * day, now - 400 * day))  # its own, old as it may be: stays
    for wal in folder.glob(f"{mine.name}-*"):
        os.utime(wal, (now - 400 * day, now - 400 * day))
    assert report(repo, "--no-cache") == reference
    assert all((folder / name).exists() for name in ages)  # only a run that uses the cache prunes
    report(repo, "--as-of", "2026-11-24")  # a new day: the report is made, not printed as kept
    left = {p.name for p in folder.iterdir()}
    assert left >= {mine.name, "cache-0.0.2-5.sqlite3", "cache-0.0.2-5.sqlite3-wal", "cache-0.0.3-4.sqlite3", "cache.sqlite3",
                    "my-cache-0.0.1-5.sqlite3", "cache-0.0.1-5.sqlite3.bak", "cache-browser-2.sqlite3"}
    assert not left & {"cache-0.0.1-5.sqlite3", "cache-0.0.1-5.sqlite3-wal", "cache-0.0.1-5.sqlite3-shm", f"{mine.stem.rsplit('-', 1)[0]}-3.sqlite3"}
    assert report(repo) == reference  # and its own cache still serves


def test_what_other_code_of_the_same_version_cached_is_not_served(tmp_path: Path) -> None:
    """ppt installed again from a newer commit keeps its version number: the cases it
    validated and the findings it made before must not be served to the new code."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "src" / "pptcli", site / "pptcli", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "rules", site / "pptcli" / "rules")  # where an installed ppt has its rules
    repo = tmp_path / "cases"
    shutil.copytree(DEMO, repo, ignore=shutil.ignore_patterns(".ppt-cache"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update(NO_COLOR="1", PYTHONPATH=str(site))

    def table() -> str:
        shutil.rmtree(repo / ".ppt-cache" / "reports", ignore_errors=True)  # kept whole reports: test_memo.py
        run = subprocess.run([sys.executable, "-m", "pptcli", "check", str(repo), "--as-of", AS_OF], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 1, run.stderr
        return run.stdout

    where = subprocess.run([sys.executable, "-c", "import pptcli; print(pptcli.__file__)"], env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).parent == site / "pptcli"  # the copy runs, not the project
    before = table()
    assert "not recorded: " in before and table() == before  # the second from the cache
    (site / "pptcli" / ".#engine.py").symlink_to("nowhere@host.1234")  # an editor's lock: dangling
    assert table() == before
    # An edit that keeps the file's size and time, as a copy with `cp -p` or rsync may.
    engine = site / "pptcli" / "engine.py"
    stat = engine.stat()
    engine.write_text(engine.read_text(encoding="utf-8").replace('"not recorded: "', '"NOT recorded: "'), encoding="utf-8")
    os.utime(engine, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert engine.stat().st_size == stat.st_size
    after = table()
    assert "not recorded: " not in after
    assert after == before.replace("not recorded: ", "NOT recorded: ")


def _sealed(blob: bytes) -> bytes:
    """An entry as this user's ppt stores it (cache.py): its pickle behind a keyed digest."""
    return hashlib.blake2b(blob, key=user_key(), digest_size=SEAL).digest() + blob


def test_a_cache_entry_of_another_shape_is_a_miss(big_repo: Path, tmp_path: Path) -> None:
    """An entry written by another version (or damaged) is ignored, never a crash."""
    cache = tmp_path / "cache"
    reference = report(big_repo, "--no-cache")
    report(big_repo, cache=cache)
    db = next(cache.glob("*.sqlite3"))
    with sqlite3.connect(db) as connection:
        connection.execute("update entry set result = ?, model = ?", (_sealed(pickle.dumps(("old", "layout"))), _sealed(b"\x80\x04garbage")))
    assert report(big_repo, cache=cache) == reference
    # Entries of the right shape whose findings, kept apart by status, are damaged.
    with sqlite3.connect(db) as connection:
        rows = connection.execute("select path, result from entry").fetchall()
        for path, blob in rows:
            entry = list(pickle.loads(blob[SEAL:]))
            entry[2] = {status: b"\x80\x04garbage" for status in entry[2]} if path.endswith(b"0042.yaml") else "not a dict"
            connection.execute("update entry set result = ? where path = ?", (_sealed(pickle.dumps(tuple(entry))), path))
    assert report(big_repo, cache=cache) == reference


class _Planted:
    """A pickle that runs a command when loaded: what someone who can write a shared
    repository's folder could leave in its cache for the next user of ppt."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_planted_in_the_cache_is_never_loaded(big_repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    marker = tmp_path / "planted-code-ran"
    reference = report(big_repo, "--no-cache")
    report(big_repo, cache=cache)
    db = next(cache.glob("*.sqlite3"))
    planted = pickle.dumps(_Planted(marker))
    with sqlite3.connect(db) as connection:  # findings, and (asked for when findings are a miss) cases
        connection.execute("update entry set result = ?, model = ?", (planted, planted))
    assert report(big_repo, cache=cache) == reference
    with sqlite3.connect(db) as connection:  # sealed, but with another user's key
        other = hashlib.blake2b(planted, key=b"k" * 32, digest_size=SEAL).digest() + planted
        connection.execute("update entry set result = ?, model = ?", (other, other))
    assert report(big_repo, cache=cache) == reference
    assert not marker.exists()


def test_a_table_whose_findings_wait_on_disk_prints_what_one_held_in_memory_prints(big_repo: Path, tmp_path: Path) -> None:
    """PPT_SPILL_AFTER=50 writes the table's findings to disk in sorted runs of 50 and merges
    them; the text must be the one printed from findings sorted in memory, exit code too."""
    runs = (
        ["check"],
        ["check", "--all"],
        ["check", "--supervisor", "m.okafor", "--redact"],
        ["due", "--business-days", "10"],
        ["due", "--business-days", "30", "--redact"],
    )
    for args in runs:
        held = ppt(*args, str(big_repo), "--as-of", AS_OF, "--no-cache", cwd=big_repo.parent)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")} | {"NO_COLOR": "1", "PPT_SPILL_AFTER": "50"}
        spilled = subprocess.run([sys.executable, "-m", "pptcli", *args, str(big_repo), "--as-of", AS_OF, "--no-cache"], cwd=big_repo.parent, env=env, capture_output=True, text=True, errors="surrogateescape", timeout=600, check=False)
        assert (spilled.returncode, spilled.stdout, spilled.stderr) == (held.returncode, held.stdout, held.stderr), args
        assert held.stdout.count("\n") > 150, args  # findings enough for three runs of 50 or more


@pytest.mark.parametrize("spill_after", ["", "40"])
def test_the_ordered_table_is_the_table_of_the_findings_sorted_in_memory(big_repo: Path, spill_after: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table printed from Report.ordered (findings kept in print order as the files are
    read; with PPT_SPILL_AFTER=40, on disk and read twice by the due view) against the same
    table printed from every finding held and sorted at the end, in lines and in cards."""
    monkeypatch.setenv("PPT_SPILL_AFTER", spill_after)
    from pptcli.render import Format, render

    day = dt.date.fromisoformat(AS_OF)
    run = core.Run(use_cache=False, jobs=1)
    reports = (
        ("check", False, lambda table: core.check(big_repo, day, core.Filters(), keep_all=False, table=table, run=run)),
        ("check", True, lambda table: core.check(big_repo, day, core.Filters(office="keene"), include_na=True, table=table, run=run)),
        ("due", False, lambda table: core.due(big_repo, day, 15, core.Filters(), table=table, run=run)),
    )
    for view, show_all, make in reports:
        (held, calendar), (ordered, _) = make(False), make(True)
        assert held.ordered is None and ordered.ordered and ordered.findings == ()
        assert ordered.ordered.spilled == bool(spill_after)
        for redact, color in ((False, False), (True, False), (False, True)):
            for width in (200, 80):  # a line per finding, and cards
                options = {"view": view, "show_all": show_all, "redact": redact, "color": color, "width": width, "calendar": calendar}
                assert render(ordered, Format.TABLE, **options) == render(held, Format.TABLE, **options)  # type: ignore[arg-type]


def test_a_finding_rebuilt_from_its_row_is_the_finding() -> None:
    """rows.from_row fills a Finding through its __dict__ (it is faster than __init__): it
    must set every field and nothing else, and the row of an engine's finding must give
    back every field (but the how-it-was-computed lines). That each finding carries its own
    rule version's words is tested with two versions in force at once, in test_rules_cli."""
    import dataclasses

    from pptcli.model.finding import Finding

    evaluated = core.evaluate_repository(DEMO, dt.date.fromisoformat(AS_OF))
    born = {case.case.id: (case.case.child.name, case.case.child.born) for case in evaluated.repo.cases}
    assert len(evaluated.findings) > 500
    names = [f.name for f in dataclasses.fields(Finding)]
    for finding in evaluated.findings:
        assert list(vars(finding)) == names
        rebuilt = from_row(to_row(finding), evaluated.ruleset, born[finding.case])
        assert list(vars(rebuilt)) == names
        expected = dataclasses.replace(finding, explanation=(), child=born[finding.case][0], born=born[finding.case][1])
        assert vars(rebuilt) == vars(expected)
        assert rebuilt == finding and hash(rebuilt) == hash(finding)


def test_a_file_is_skipped_only_when_no_finding_of_it_passes_the_filters() -> None:
    """A filtered run skips a cached file when its reach (whom and what its findings name,
    together) cannot match; the skip must never drop a finding the filters want. Every
    filter a demo finding can match, alone and combined, on every demo case."""
    from itertools import product


    evaluated = core.evaluate_repository(DEMO, dt.date.fromisoformat(AS_OF))
    staff = evaluated.repo.staff
    by_case: dict[str, list[tuple[object, ...]]] = {}
    for finding in evaluated.findings:
        by_case.setdefault(finding.case, []).append(to_row(finding))
    rows = [row for case_rows in by_case.values() for row in case_rows]
    days = sorted({f.due or f.trigger for f in evaluated.findings})
    people = sorted({p for row in rows for p in (*row[ROW.index("responsible")], *row[ROW.index("accountable")])})
    supervisors = sorted({m.supervisor for m in staff.values() if m.supervisor})
    choices = {
        "worker": [None, *people, "nobody"],
        "supervisor": [None, *supervisors],
        "office": [None, *sorted({row[1] for row in rows})],
        "case": [None, *sorted(by_case)[::4]],
        "rule": [None, "CPSW-I.*", "*-I.3", *sorted({row[ROW.index("rule")] for row in rows})],
        "since": [None, days[0], days[len(days) // 2], days[-1], days[-1] + dt.timedelta(days=1)],
    }
    tried, skipped = 0, 0
    for name, values in choices.items():
        for value in values[1:]:
            tried, skipped = _try_filters(core.Filters(**{name: value}), by_case, staff, tried, skipped)
    pairs = product(choices["worker"][::3], choices["supervisor"][::2], choices["rule"][:5], choices["since"][::2])
    for worker, supervisor, rule, since in pairs:
        tried, skipped = _try_filters(core.Filters(worker=worker, supervisor=supervisor, rule=rule, since=since), by_case, staff, tried, skipped)
    assert tried > 1000 and skipped > tried // 4  # the skip is taken, not only safe


def _try_filters(filters: core.Filters, by_case: dict[str, list[tuple[object, ...]]], staff: dict[str, object], tried: int, skipped: int) -> tuple[int, int]:
    from pptcli import scan

    team = core._team(filters, staff)  # type: ignore[arg-type]
    might = core._reach_filter(filters, team)
    for include_na in (False, True):
        wanted = core._row_filter(filters, team, include_na)
        for case_rows in by_case.values():
            reach = scan._reach(case_rows)  # type: ignore[arg-type]
            tried += 1
            if might is not None and not might(reach):
                skipped += 1
                assert not any(wanted(row) for row in case_rows), (filters, case_rows[0][0])
    return tried, skipped


def _same(a: object, b: object) -> bool:
    """Equal, and of the same types all the way down (a str enum equals its text; a tuple
    is not a list, a date not a datetime)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel):
        return a.__pydantic_fields_set__ == b.__pydantic_fields_set__ and _same(a.__dict__, b.__dict__)  # type: ignore[attr-defined]
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())  # type: ignore[attr-defined]
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    return a == b


def _cases(root: Path) -> list[Case]:
    cases = []
    for path in sorted(root.rglob("*.yaml")):
        if path.parent != root:
            doc, problems = read_document(path, path.name)
            case, problems = validate(Case, doc, path.name) if not problems else (None, problems)
            if case is not None:
                cases.append(case)
    return cases


def test_a_case_cached_as_json_is_the_case_validated_from_its_file(tmp_path: Path) -> None:
    """The cache keeps a case as pydantic-core writes it in JSON (scan._case_form) and
    validates it again when loaded: the very case, field by field and type by type, for
    every demonstration case and 300 generated ones."""
    out = tmp_path / "generated"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(out), "--cases", "300", "--seed", "11", "--offices", "4"],
                   check=True, capture_output=True, timeout=300)
    cases = _cases(DEMO) + _cases(out)
    assert len(cases) >= 320
    assert any(isinstance(v, NotApplicable) for c in cases for m in c.meetings if m.info_gathered for v in m.info_gathered.__dict__.values())
    for case in cases:
        form = scan._case_form(case)
        assert type(form) is bytes
        assert _same(scan._case_from(form), case), case.id


_BASE = """\
id: MAN-2026-0001
program: cps
office: manchester
child: {name: "A. B.", born: 2015-03-02}
team: {cpsw: s.patel, cpsw_supervisor: k.osei, permanency_cpsw: n.brennan}
placements:
  - {date: 2026-01-16, provider: "Foster home", notified_ppt: 2026-01-16}
meetings:
  - date: 2026-03-10
    kind: regular
    status: held
    info_gathered: {parents: {not_applicable: "parents deceased"}, child: 2026-03-02}
    tasks:
      - {task: "therapy intake", owner: s.patel, due: 2026-05-29}
"""


@settings(max_examples=200, deadline=None)
@given(name=st.text(min_size=1, max_size=30), task=st.text(min_size=1, max_size=30), day=st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)),
       reason=st.text(min_size=1, max_size=30))
def test_any_valid_case_cached_as_json_is_the_case(name: str, task: str, day: dt.date, reason: str) -> None:
    doc = yaml.safe_load(_BASE)
    doc["child"]["name"], doc["meetings"][0]["tasks"][0]["task"], doc["placements"][0]["date"] = name, task, day
    doc["meetings"][0]["info_gathered"]["parents"]["not_applicable"] = reason
    case, _ = validate(Case, doc, "x.yaml")
    assume(case is not None)
    assert _same(scan._case_from(scan._case_form(case)), case)


def test_a_case_json_cannot_hold_exactly_is_cached_as_its_pickle_and_a_damaged_one_is_a_miss() -> None:
    valid, _ = validate(Case, yaml.safe_load(_BASE), "x.yaml")
    assert valid is not None
    case = valid.model_copy(update={"office": 5})  # not validated: no case validated is, but should one be
    form = scan._case_form(case)
    assert form is case
    assert _same(scan._case_from(pickle.loads(pickle.dumps(form))), case)
    assert scan._case_from(b'{"id": "MAN') is None
    assert scan._case_from(b'{"id": 5}') is None
    assert scan._case_from("not a case") is None
    assert scan._case_from(None) is None


def test_a_cached_case_keeps_the_problems_of_reading_it_not_of_checking_it(tmp_path: Path) -> None:
    """A case is cached with what reading and validating its file found (none, for a valid
    case), as scan._model gives it; what the checks and rules then find about the case (an
    unknown staff id here) is made again each run, and cached with the findings. The first
    run caches the findings alone; the next, on another day, finds the files unchanged and
    keeps their cases."""
    repo = tmp_path / "cases"
    shutil.copytree(DEMO, repo)
    changed = repo / "concord" / "CON-2025-0188.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("permanency_cpsw: t.nguyen", "permanency_cpsw: t.nobody"), encoding="utf-8")
    day = dt.date.fromisoformat(AS_OF)
    files = core.glance(repo, day, core.Filters()).files
    keep = scan.counting_all(frozenset({"late", "missed", "overdue"}))
    cache = Cache.open(tmp_path / "cache.sqlite3")
    assert cache is not None
    digests = {rel: scan._digest((repo / rel).read_bytes()) for rel in files}
    for when in (day, day + dt.timedelta(days=1)):
        setting = core.prepare(repo, when, core.Filters()).setting
        outcomes = {o.file: o for o in scan._each(setting, files, keep, cache)}
        checked = outcomes["concord/CON-2025-0188.yaml"]
        assert checked.case_id and any("t.nobody" in p.message for p in checked.problems)
        cache.flush()
        if when == day:
            assert all(cache.model(rel, digests[rel]) == (True, None) for rel in files)
    for rel in files:
        raw = (repo / rel).read_bytes()
        _, _, read, _ = scan._model(repo / rel, rel, raw, digests[rel], None)
        found, blob = cache.model(rel, digests[rel])
        stored = scan._unpickle(blob, size=3)
        assert found and stored is not None and stored[2] == read, rel
    # A file changed since: its findings alone again, until a run finds it unchanged.
    changed.write_text(changed.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    rel = "concord/CON-2025-0188.yaml"
    assert rel in outcomes and {o.file for o in scan._each(setting, files, keep, cache)} == set(files)
    cache.flush()
    assert cache.model(rel, scan._digest(changed.read_bytes())) == (True, None)
    assert all(cache.model(other, digests[other])[1] is not None for other in files if other != rel)
    cache.close()
