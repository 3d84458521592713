"""Measure ppt at statewide scale, side by side, and print a table of ratios (issue 6).

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat 3] [--quick] [--out benchmarks/results.json]

Run it with the interpreter of the environment ppt is installed in (`.venv/bin/python`). It
generates the corpora with benchmarks/generate.py (kept under the system temp folder and
reused while the generator is unchanged), then times, in one run and on the same files:
PyYAML's C loader merely parsing them (the floor F), `ppt check` cold, warm, after one file
changed and after 100 files touched, `ppt due` warm, peak memory, start-up against
`import typer`, `ppt notify-placement` in a large and a 10-case repository, and
check-jsonschema validating the files against `ppt schema`. Each target of the issue is
printed with PASS or FAIL next to its ratio. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate

AS_OF = "2026-11-23"
SETTINGS = {"ppt.yaml", "staff.yaml", "calendar.yaml"}
TARGET_SIZE = 10_000
NA = "not available"

# Runs one command in a fresh interpreter, so getrusage(RUSAGE_CHILDREN) sees that command's
# process tree only: ru_maxrss is the peak RSS of the largest single process in it. A thread
# also samples the whole tree's RSS (main process plus any workers) every 0.1 s.
WRAPPER = r"""
import json, os, resource, subprocess, sys, threading, time
spec = json.loads(sys.argv[1])
PAGE = os.sysconf("SC_PAGE_SIZE")

def tree_rss(root):
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    stat = fh.read()
                parents[int(name)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            pass
    return total // 1024

out = open(spec["stdout"], "wb") if spec["stdout"] else subprocess.DEVNULL
peak = [0]
start = time.perf_counter()
proc = subprocess.Popen(spec["cmd"], env=spec["env"], cwd=spec["cwd"], stdout=out, stderr=subprocess.PIPE)
done = threading.Event()

def sample():
    while not done.wait(0.1):
        try:
            peak[0] = max(peak[0], tree_rss(proc.pid))
        except Exception:
            pass

if spec["sample"]:
    threading.Thread(target=sample, daemon=True).start()
_, err = proc.communicate()
wall = time.perf_counter() - start
done.set()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "rc": proc.returncode, "maxrss_kb": usage.ru_maxrss,
                  "tree_peak_kb": peak[0] or None, "cpu": usage.ru_utime + usage.ru_stime,
                  "stderr": err.decode("utf-8", "replace")[-2000:]}))
"""

FLOOR = r"""
import json, os, sys, time
start = time.perf_counter()
import yaml
imported = time.perf_counter()
if not hasattr(yaml, "CSafeLoader"):
    print(json.dumps({"error": "PyYAML has no C loader (libyaml missing)"}))
    sys.exit(0)
root = sys.argv[1]
settings = {"ppt.yaml", "staff.yaml", "calendar.yaml"}
loop = time.perf_counter()
count = 0
for folder, dirs, files in os.walk(root):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for name in sorted(files):
        if not name.endswith((".yaml", ".yml")) or (folder == root and name in settings):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            text = fh.read()
        yaml.load(text, Loader=yaml.CSafeLoader)
        count += 1
end = time.perf_counter()
print(json.dumps({"files": count, "loop": end - loop, "import": imported - start}))
"""


# --- small helpers --------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:.0f} s"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.0f} ms"


def fmt_mb(kb: int | None) -> str:
    return "–" if not kb else f"{kb / 1024:.0f} MB"


def ratio_text(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return ""
    return f"{value / base:.2f} × F"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPT_")}
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8", **extra)
    env.pop("FORCE_COLOR", None)
    return env


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


class Bench:
    """Everything one run needs: the interpreter, the ppt command, the scratch folder."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.ppt = self._find_ppt(args.ppt)
        self.python = self._interpreter_of(self.ppt)
        self.scratch = Path(tempfile.mkdtemp(prefix="ppt-bench-"))
        self.corpus_root = Path(args.corpus).resolve()
        self.corpus_root.mkdir(parents=True, exist_ok=True)
        help_top = self._text([str(self.ppt), "--help"])
        help_check = self._text([str(self.ppt), "check", "--help"])
        self.has_no_cache = "--no-cache" in help_check
        self.has_notify = "notify-placement" in help_top
        self.version = self._text([str(self.ppt), "--version"]).strip()
        self._counter = 0

    # locating things

    @staticmethod
    def _find_ppt(given: str | None) -> Path:
        candidates = [given] if given else [str(Path(sys.executable).parent / "ppt"), shutil.which("ppt")]
        for c in candidates:
            if c and Path(c).exists():
                return Path(c).resolve() if given else Path(c)
        sys.exit("run.py: cannot find the ppt command; run with the venv's python or pass --ppt PATH")

    @staticmethod
    def _interpreter_of(ppt: Path) -> str:
        """The Python that runs ppt (its script's shebang): used for the floor and the peers."""
        try:
            first = ppt.read_bytes()[:200].split(b"\n", 1)[0].decode()
            if first.startswith("#!") and Path(first[2:].strip().split()[0]).exists():
                return first[2:].strip().split()[0]
        except (OSError, UnicodeDecodeError):
            pass
        return sys.executable

    def _text(self, cmd: list[str]) -> str:
        return subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), check=False).stdout

    def fresh_dir(self, name: str) -> Path:
        self._counter += 1
        path = self.scratch / f"{name}-{self._counter}"
        path.mkdir(parents=True)
        return path

    # measuring

    def measure(self, cmd: list[str], env: dict[str, str], *, keep_output: bool = False, sample: bool = True,
                cwd: Path | None = None) -> dict[str, Any]:
        """One run of `cmd` in an isolating wrapper: wall time, exit code, peak RSS, output digest."""
        out = self.scratch / "stdout.bin"
        spec = {"cmd": cmd, "env": env, "cwd": str(cwd or self.scratch), "stdout": str(out), "sample": sample}
        raw = subprocess.run([self.python, "-c", WRAPPER, json.dumps(spec)], capture_output=True, text=True, check=True)
        result: dict[str, Any] = json.loads(raw.stdout)
        result["output_sha256"] = sha256_file(out)
        result["output_bytes"] = out.stat().st_size
        if keep_output:
            result["output"] = out.read_text(encoding="utf-8", errors="replace")
        out.unlink()
        if result["rc"] not in (0, 1):
            log(f"exit {result['rc']} from {' '.join(cmd[:3])} ...: {result['stderr'].strip()[-300:]}")
        return result

    def ppt_check(self, repo: Path, cache: Path, *extra: str, fmt: str | None = None, as_of: str = AS_OF) -> dict[str, Any]:
        """`ppt check` as a supervisor runs it: the default report (the table, piped), or `fmt`."""
        formats = ["--format", fmt] if fmt else []
        cmd = [str(self.ppt), "check", str(repo), "--as-of", as_of, *formats, *extra]
        return self.measure(cmd, clean_env(PPT_CACHE_DIR=str(cache)))

    def ppt_due(self, repo: Path, cache: Path) -> dict[str, Any]:
        cmd = [str(self.ppt), "due", str(repo), "--business-days", "10", "--as-of", AS_OF]
        return self.measure(cmd, clean_env(PPT_CACHE_DIR=str(cache)))

    # corpora

    def corpus(self, size: int) -> Path:
        """The generated repository of `size` cases, reused while the generator is unchanged."""
        seed, offices = self.args.seed, self.args.offices
        repo = self.corpus_root / f"cases-{size}-seed{seed}-offices{offices}"
        marker = repo.with_name(repo.name + ".json")
        fingerprint = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()
        if marker.exists() and repo.exists():
            try:
                info = json.loads(marker.read_text())
                if info.get("generator") == fingerprint and not info.get("dirty"):
                    return repo
            except ValueError:
                pass
        if repo.exists():
            shutil.rmtree(repo)
        log(f"generating {size:,} cases into {repo}")
        stats = generate.generate(repo, size, seed, offices)
        log(f"generated {stats['cases']:,} files in {stats['seconds']} s ({stats['files_per_second']} files/s)")
        marker.write_text(json.dumps({"generator": fingerprint, "stats": stats, "dirty": False}))
        return repo

    def mark_dirty(self, repo: Path, dirty: bool) -> None:
        """While a run edits files of a corpus: a crash in between makes the next run regenerate it."""
        marker = repo.with_name(repo.name + ".json")
        info = json.loads(marker.read_text())
        info["dirty"] = dirty
        marker.write_text(json.dumps(info))

    def corpus_stats(self, repo: Path) -> dict[str, Any]:
        return json.loads(repo.with_name(repo.name + ".json").read_text())["stats"]  # type: ignore[no-any-return]


def case_files(repo: Path) -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.endswith((".yaml", ".yml")) and not (Path(folder) == repo and name in SETTINGS):
                files.append(Path(folder) / name)
    return files


def spread(files: list[Path], count: int, offset: int) -> list[Path]:
    """`count` files spread over the repository, a different set for each offset."""
    step = max(1, len(files) // max(1, count))
    return [files[(i * step + offset * 7919) % len(files)] for i in range(min(count, len(files)))]


# --- the measurements -------------------------------------------------------------------------


def floor_run(b: Bench, repo: Path) -> dict[str, Any]:
    """One run of the floor: its loop's time, or why it is not available."""
    start = time.perf_counter()
    raw = subprocess.run([b.python, "-c", FLOOR, str(repo)], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if raw.returncode != 0:
        return {"available": False, "reason": (raw.stderr.strip().splitlines() or ["PyYAML not installed"])[-1]}
    data = json.loads(raw.stdout)
    if "error" in data:
        return {"available": False, "reason": data["error"]}
    return {"loop": data["loop"], "import": data["import"], "wall": wall, "files": data["files"]}


def floor_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    if any("available" in r for r in runs):
        return next(r for r in runs if "available" in r)
    return {"available": True, "F": median([r["loop"] for r in runs]), "wall": median([r["wall"] for r in runs]),
            "import": median([r["import"] for r in runs]), "files": runs[0]["files"], "runs": runs}


def summarize(runs: list[dict[str, Any]], baseline: str | None) -> dict[str, Any]:
    walls = [r["wall"] for r in runs]
    return {
        "median": median(walls), "min": min(walls), "runs": walls,
        "cpu": median([r["cpu"] for r in runs]),
        "rc": sorted({r["rc"] for r in runs}),
        "maxrss_kb": max(r["maxrss_kb"] for r in runs),
        "tree_peak_kb": max((r["tree_peak_kb"] or 0) for r in runs) or None,
        "same_output": None if baseline is None else all(r["output_sha256"] == baseline for r in runs),
        "output_bytes": runs[0]["output_bytes"],
        "stderr": runs[-1]["stderr"][-500:] if any(r["rc"] not in (0, 1) for r in runs) else "",
    }


def first_supervisor(repo: Path) -> str:
    """The supervisor of the first CPSW in a generated staff.yaml (one team of six workers)."""
    text = (repo / "staff.yaml").read_text(encoding="utf-8")
    match = re.search(r"role: cpsw, office: [\w-]+, supervisor: ([\w.-]+)", text)
    if match is None:
        raise SystemExit(f"{repo / 'staff.yaml'}: no CPSW with a supervisor")
    return match[1]


def measure_size(b: Bench, size: int) -> dict[str, Any]:
    repeat = b.args.repeat if size <= TARGET_SIZE else min(b.args.repeat, b.args.repeat_large)
    repo = b.corpus(size)
    files = case_files(repo)
    result: dict[str, Any] = {"cases": len(files), "repeat": repeat, "corpus": str(repo), "generated": b.corpus_stats(repo)}

    # The floor and the two cold runs take turns, round after round, so that the machine's
    # speed, which drifts by a fifth within minutes here, weighs on the three alike.
    log(f"{size:,}: floor (PyYAML CSafeLoader), ppt check --no-cache and ppt check filling an empty cache, in turn")
    floor_runs: list[dict[str, Any]] = []
    no_cache_runs: list[dict[str, Any]] = []
    runs, cache = [], None
    for _ in range(repeat):
        floor_runs.append(floor_run(b, repo))
        if b.has_no_cache:
            no_cache_runs.append(b.ppt_check(repo, b.fresh_dir("nocache"), "--no-cache"))
        cache = b.fresh_dir("cache")
        runs.append(b.ppt_check(repo, cache))
    assert cache is not None
    result["floor"] = floor_of(floor_runs)
    baseline = no_cache_runs[0]["output_sha256"] if no_cache_runs else runs[0]["output_sha256"]
    if no_cache_runs:
        result["cold_no_cache"] = summarize(no_cache_runs, baseline)
    else:
        result["cold_no_cache"] = {"available": False, "reason": "`ppt check --help` lists no --no-cache"}
    result["cold_first_run"] = summarize(runs, baseline)
    result["cache_written"] = any(p.is_file() for p in cache.rglob("*"))
    if not result["cache_written"]:
        result["cold_first_run"]["note"] = "nothing was written to PPT_CACHE_DIR: caching not available"

    log(f"{size:,}: ppt check warm")
    result["warm"] = summarize([b.ppt_check(repo, cache) for _ in range(repeat)], baseline)
    # the JSON report lists every obligation (met ones too); the default table only the
    # non-compliant: this row tells the cost of the report apart from the cost of the check
    table_runs = [b.ppt_check(repo, cache, fmt="json") for _ in range(repeat)]
    result["warm_table"] = summarize(table_runs, table_runs[0]["output_sha256"])

    # what a supervisor runs on the day: the team's findings only (the first CPS supervisor)
    supervisor = first_supervisor(repo)
    log(f"{size:,}: ppt check --supervisor {supervisor} warm")
    # compared with the same report without the cache (up to 10,000 cases: a cold run more)
    reference = None
    if b.has_no_cache and size <= TARGET_SIZE:
        reference = b.ppt_check(repo, b.fresh_dir("nocache"), "--no-cache", "--supervisor", supervisor)["output_sha256"]
    result["warm_supervisor"] = summarize([b.ppt_check(repo, cache, "--supervisor", supervisor) for _ in range(repeat)], reference)
    result["warm_supervisor"]["supervisor"] = supervisor

    log(f"{size:,}: ppt due warm")
    result["due_first"] = summarize([b.ppt_due(repo, cache)], None)
    due_runs = [b.ppt_due(repo, cache) for _ in range(repeat)]
    result["due_warm"] = summarize(due_runs, due_runs[0]["output_sha256"])

    b.mark_dirty(repo, True)
    originals: dict[Path, tuple[bytes, int, int]] = {}
    try:
        log(f"{size:,}: ppt check after one file changed")
        runs = []
        for k in range(repeat):
            target = spread(files, 1, k + 1)[0]
            st = target.stat()
            originals.setdefault(target, (target.read_bytes(), st.st_atime_ns, st.st_mtime_ns))
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(f"# benchmark edit {k + 1}: a comment changes the bytes, not the findings\n")
            runs.append(b.ppt_check(repo, cache))
        result["one_changed"] = summarize(runs, baseline)

        log(f"{size:,}: ppt check after 100 files touched")
        runs = []
        for k in range(repeat):
            later = time.time_ns() + (k + 1) * 3_600_000_000_000
            for target in spread(files, 100, 100 + k):
                st = target.stat()
                originals.setdefault(target, (target.read_bytes(), st.st_atime_ns, st.st_mtime_ns))
                os.utime(target, ns=(later, later))
            runs.append(b.ppt_check(repo, cache))
        result["touched_100"] = summarize(runs, baseline)
    finally:
        for target, (data, atime, mtime) in originals.items():
            target.write_bytes(data)
            os.utime(target, ns=(atime, mtime))
        b.mark_dirty(repo, False)

    # A supervisor's daily run: findings depend on the date, so a new day evaluates every
    # case again. Each run is one day after the one before it. The first run cached the
    # findings alone; the first following day reads each file unchanged since and keeps its
    # case (scan._model_entry), the days after that evaluate the cases it kept.
    log(f"{size:,}: ppt check on the following days")
    day = dt.date.fromisoformat(AS_OF)
    later = [(day + dt.timedelta(days=k + 1)).isoformat() for k in range(1 + max(1, repeat - 1))]
    runs = [b.ppt_check(repo, cache, as_of=when) for when in later]
    result["next_day"] = summarize(runs[:1], None)
    result["days_after"] = summarize(runs[1:], None)
    result["warm_cache_dir"] = str(cache)
    return result


def measure_startup(b: Bench, runs: int) -> dict[str, Any]:
    commands = {
        "python -c pass": [b.python, "-c", "pass"],
        "python -c 'import yaml'": [b.python, "-c", "import yaml"],
        "python -c 'import typer'": [b.python, "-c", "import typer"],
        "ppt --version": [str(b.ppt), "--version"],
        "ppt --help": [str(b.ppt), "--help"],
    }
    env = clean_env()
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so a burst of load hits every command alike
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
            times[name].append(time.perf_counter() - start)
    return {name: {"median": median(t), "min": min(t), "runs": t} for name, t in times.items()}


def measure_notify(b: Bench, big_size: int, big_cache: Path | None, runs_each: int) -> dict[str, Any]:
    if not b.has_notify:
        return {"available": False, "reason": "`ppt --help` lists no notify-placement"}
    big = b.corpus(big_size)
    small = b.corpus_root / f"notify-10-from-{big.name}"
    if small.exists():
        shutil.rmtree(small)
    small.mkdir()
    for name in SETTINGS:
        shutil.copy2(big / name, small / name)
    chosen = case_files(big)[:10]
    for path in chosen:
        (small / path.relative_to(big)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, small / path.relative_to(big))
    target_rel = chosen[0].relative_to(big)
    case_id = chosen[0].stem
    small_cache = b.fresh_dir("notify-small-cache")
    b.ppt_check(small, small_cache)  # the small repository's cache warm too, as the large one's
    big_cache = big_cache or b.fresh_dir("notify-big-cache")
    if not any(big_cache.iterdir()):
        b.ppt_check(big, big_cache)

    saved = {repo: (repo / target_rel).read_bytes() for repo in (big, small)}
    stats = {repo: (repo / target_rel).stat() for repo in (big, small)}
    b.mark_dirty(big, True)
    runs: dict[str, list[dict[str, Any]]] = {"big": [], "small": []}
    try:
        first = dt.date(2026, 10, 21)
        for k in range(runs_each):
            day = (first + dt.timedelta(days=k % 30)).isoformat()
            for label, repo, cache in (("big", big, big_cache), ("small", small, small_cache)):
                cmd = [str(b.ppt), "notify-placement", case_id, "--date", day, "--provider", "Benchmark foster home",
                       "--notified", day, "--as-of", AS_OF, "--repo", str(repo)]
                run = b.measure(cmd, clean_env(PPT_CACHE_DIR=str(cache)), sample=False, cwd=repo)
                runs[label].append(run)
                (repo / target_rel).write_bytes(saved[repo])  # the same starting file every time
    finally:
        for repo in (big, small):
            (repo / target_rel).write_bytes(saved[repo])
            os.utime(repo / target_rel, ns=(stats[repo].st_atime_ns, stats[repo].st_mtime_ns))
        b.mark_dirty(big, False)
        for repo in (big, small):  # the lock folder a writing command leaves behind
            shutil.rmtree(repo / ".ppt-cache", ignore_errors=True)
    out = {"available": True, "case": case_id, "big_cases": big_size, "small_cases": len(chosen)}
    for label in ("big", "small"):
        walls = [r["wall"] for r in runs[label]]
        out[label] = {"median": median(walls), "min": min(walls), "runs": walls, "rc": sorted({r["rc"] for r in runs[label]}),
                      "stderr": runs[label][-1]["stderr"][-500:] if any(r["rc"] not in (0, 1) for r in runs[label]) else ""}
    return out


def measure_peer(b: Bench, count: int, repeat: int) -> dict[str, Any]:
    exe = Path(b.python).parent / "check-jsonschema"
    if not exe.exists():
        found = shutil.which("check-jsonschema")
        if not found:
            return {"available": False, "reason": "check-jsonschema is not installed (pip install check-jsonschema)"}
        exe = Path(found)
    repo = b.corpus(1000)
    files = case_files(repo)[:count]
    schema = b.scratch / "case.schema.json"
    schema.write_text(subprocess.run([str(b.ppt), "schema"], capture_output=True, text=True, check=True).stdout)
    walls, last = [], {}
    for _ in range(repeat):
        last = b.measure([str(exe), "--schemafile", str(schema), *map(str, files)], clean_env(), sample=False, keep_output=True)
        walls.append(last["wall"])
    return {"available": True, "files": len(files), "median": median(walls), "per_file": median(walls) / len(files),
            "runs": walls, "rc": last["rc"], "output_tail": last["output"].strip()[-300:],
            "version": subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False).stdout.strip()}


# --- the report --------------------------------------------------------------------------------


def machine_info(b: Bench) -> dict[str, Any]:
    model = "unknown"
    memory = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    python = subprocess.run([b.python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=False).stdout.strip()
    cores = core_count()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "cores": cores, "cpu": model,
        "memory": memory, "python": python, "platform": platform.platform(), "ppt": b.version,
        "ppt_command": str(b.ppt), "load_average_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "features": {"--no-cache": b.has_no_cache, "notify-placement": b.has_notify},
    }


def core_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


BUSY = 0.5  # a 1-minute load average above this per core flags the run as busy


def settle(limit: float) -> float:
    """Wait up to `limit` seconds for the 1-minute load average to fall below BUSY per core,
    and return the seconds waited. The average lags by about a minute: started right after
    other work, a run on an idle machine would be flagged busy, and one on a machine that
    is still busy would begin measuring at once."""
    if limit <= 0 or not hasattr(os, "getloadavg"):
        return 0.0
    start, ceiling = time.monotonic(), BUSY * core_count()
    load = os.getloadavg()[0]
    if load > ceiling:
        log(f"waiting up to {limit:.0f} s for the load average ({load:.2f}) to fall below {ceiling:.1f}")
    while load > ceiling and time.monotonic() - start < limit:
        time.sleep(5)
        load = os.getloadavg()[0]
    return round(time.monotonic() - start, 1)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    sizes = sorted(int(s) for s in results["sizes"])
    at = TARGET_SIZE if TARGET_SIZE in sizes else max([s for s in sizes if s <= TARGET_SIZE] or sizes)
    r = results["sizes"][str(at)]
    floor = r["floor"].get("F")
    note = "" if at == TARGET_SIZE else f" (at {at:,} cases: the targets are set at 10,000)"
    rows: list[dict[str, Any]] = []

    def row(name: str, value: float | None, limit: float, unit: str, higher_is_better: bool = False, detail: str = "") -> None:
        ok = None if value is None else (value >= limit if higher_is_better else value <= limit)
        rows.append({"target": name + note, "value": value, "limit": limit, "unit": unit, "verdict": verdict(ok), "detail": detail})

    def over_floor(key: str) -> float | None:
        m = r.get(key, {})
        return m["median"] / floor if floor and "median" in m else None

    row("cold `ppt check --no-cache` ≤ 1.0 × F", over_floor("cold_no_cache"), 1.0, "× F")
    row("cold `ppt check` (empty cache) ≤ 1.0 × F", over_floor("cold_first_run"), 1.0, "× F")
    row("warm `ppt check` ≤ 0.1 × F", over_floor("warm"), 0.1, "× F")
    row("warm `ppt due` ≤ 0.1 × F", over_floor("due_warm"), 0.1, "× F")
    row("`ppt check` after one changed file ≤ 0.15 × F", over_floor("one_changed"), 0.15, "× F")

    for kind, label in (("cold_first_run", "cold"), ("warm", "warm")):
        small, large = results["sizes"].get("10000"), results["sizes"].get("100000")
        value = detail = None
        if small and large and small[kind].get("maxrss_kb") and large[kind].get("maxrss_kb"):
            value = large[kind]["maxrss_kb"] / small[kind]["maxrss_kb"]
            a, b_ = small[kind].get("tree_peak_kb"), large[kind].get("tree_peak_kb")
            detail = f"whole process tree (sampled): {b_ / a:.2f} ×" if a and b_ else ""
        rows.append({"target": f"peak RSS of {label} `ppt check`: 100,000 ≤ 1.5 × 10,000", "value": value, "limit": 1.5,
                     "unit": "×", "verdict": verdict(None if value is None else value <= 1.5),
                     "detail": detail or ("needs sizes 10000 and 100000" if value is None else "")})

    start = results["startup"]
    typer = start["python -c 'import typer'"]["median"]
    for name in ("ppt --version", "ppt --help"):
        rows.append({"target": f"`{name}` ≤ 2 × `import typer`", "value": start[name]["median"] / typer, "limit": 2.0,
                     "unit": "×", "verdict": verdict(start[name]["median"] / typer <= 2.0), "detail": ""})

    n = results["notify"]
    if n.get("available"):
        value = n["big"]["median"] / n["small"]["median"]
        rows.append({"target": f"`ppt notify-placement` in {n['big_cases']:,} cases ≤ 2 × in {n['small_cases']}",
                     "value": value, "limit": 2.0, "unit": "×", "verdict": verdict(value <= 2.0), "detail": ""})
    else:
        rows.append({"target": "`ppt notify-placement` 10,000 ≤ 2 × 10 cases", "value": None, "limit": 2.0, "unit": "×",
                     "verdict": "n/a", "detail": n.get("reason", NA)})

    p = results["peer"]
    cold = r.get("cold_no_cache", {}).get("median") or r.get("cold_first_run", {}).get("median")
    if p.get("available") and cold:
        value = p["per_file"] / (cold / r["cases"])
        rows.append({"target": "cold `ppt check` ≥ 10 × faster than check-jsonschema (per file)" + note, "value": value,
                     "limit": 10.0, "unit": "× faster", "verdict": verdict(value >= 10.0), "detail": ""})
    else:
        rows.append({"target": "cold `ppt check` ≥ 10 × faster than check-jsonschema (per file)", "value": None, "limit": 10.0,
                     "unit": "× faster", "verdict": "n/a", "detail": p.get("reason", NA)})
    return rows


def print_report(results: dict[str, Any]) -> None:
    m = results["machine"]
    print(f"# ppt benchmark — {m['date']}\n")
    print(f"- machine: {m['cores']} cores, {m['cpu']}, {m['memory']}; {m['platform']}")
    print(f"- Python {m['python']}; {m['ppt']} ({m['ppt_command']})")
    print(f"- load average at start {tuple(round(x, 2) for x in m['load_average_start'] or ())}, at end "
          f"{tuple(round(x, 2) for x in m.get('load_average_end') or ())}")
    load, cores = (m["load_average_start"] or (0,))[0], m["cores"] or 1
    if m.get("waited_for_load_s"):
        print(f"- waited {m['waited_for_load_s']:.0f} s before starting for the load average to fall (`--settle`)")
    if load > BUSY * cores:
        print(f"- **warning: the machine was busy (1-minute load {load:.1f} on {cores} cores): times are inflated and noisy**")
    print(f"- as-of {AS_OF}; median of {results['repeat']} run(s) (sizes above 10,000: {results['repeat_large']}); "
          f"F = PyYAML CSafeLoader reading and parsing every case file in one process\n")

    sizes = sorted(results["sizes"], key=int)
    head = "| measurement | " + " | ".join(f"{int(s):,} cases" for s in sizes) + " |"
    print(head)
    print("|" + " --- |" * (len(sizes) + 1))

    def cell(s: str, key: str) -> str:
        r = results["sizes"][s]
        floor = r["floor"].get("F")
        m_ = r.get(key, {})
        if key == "floor":
            return fmt_s(floor) if floor else f"{NA}: {r['floor'].get('reason')}"
        if m_.get("available") is False:
            return NA
        if "median" not in m_:  # a recording made before the row was
            return "not measured"
        text = f"{fmt_s(m_['median'])} ({ratio_text(m_['median'], floor)})" if floor else fmt_s(m_["median"])
        if m_.get("rc") and any(c not in (0, 1) for c in m_["rc"]):
            text += f" **exit {m_['rc']}**"
        if m_.get("same_output") is False:
            text += " **output differs from --no-cache**"
        if key == "cold_first_run" and not r.get("cache_written"):
            text += " (no cache written: caching not available)"
        return text

    rows = [
        ("floor F: PyYAML CSafeLoader, read + parse loop", "floor"),
        ("`ppt check` cold, `--no-cache`", "cold_no_cache"),
        ("`ppt check` cold, first run, empty cache folder", "cold_first_run"),
        ("`ppt check` warm, nothing changed", "warm"),
        ("`ppt check --format json` warm (every obligation printed; no target)", "warm_table"),
        ("`ppt check --supervisor S` warm: one supervisor's team (no target)", "warm_supervisor"),
        ("`ppt check` after one file changed", "one_changed"),
        ("`ppt check` after 100 files touched (mtime only; no target)", "touched_100"),
        ("`ppt due --business-days 10`, first run after check", "due_first"),
        ("`ppt due --business-days 10` warm", "due_warm"),
        ("`ppt check` the next day: cases read again and cached, findings evaluated again (no target)", "next_day"),
        ("`ppt check` the days after: cases cached, findings evaluated again (no target)", "days_after"),
    ]
    for label, key in rows:
        print(f"| {label} | " + " | ".join(cell(s, key) for s in sizes) + " |")
    extra = []
    for s in sizes:
        fl = results["sizes"][s]["floor"]
        extra.append(f"{fmt_s(fl['wall'])} (import yaml {fmt_s(fl['import'])})" if fl.get("available") else NA)
    print("| floor subprocess wall time (start-up + import + loop) | " + " | ".join(extra) + " |")
    cpu = [fmt_s(results["sizes"][s].get("cold_first_run", {}).get("cpu")) for s in sizes]
    print("| CPU time (user + sys) of the cold first run | " + " | ".join(cpu) + " |")
    out = [f"{results['sizes'][s].get('warm', {}).get('output_bytes', 0) / 1e6:.1f} MB" for s in sizes]
    print("| size of the default report | " + " | ".join(out) + " |")

    print("\n| peak memory (RSS) | " + " | ".join(f"{int(s):,} cases" for s in sizes) + " |")
    print("|" + " --- |" * (len(sizes) + 1))
    for key, label in (("cold_no_cache", "`ppt check --no-cache`"), ("cold_first_run", "`ppt check` cold (empty cache)"), ("warm", "`ppt check` warm")):
        cells = []
        for s in sizes:
            m_ = results["sizes"][s].get(key, {})
            cells.append(NA if m_.get("available") is False else f"{fmt_mb(m_.get('maxrss_kb'))} (tree {fmt_mb(m_.get('tree_peak_kb'))})")
        print(f"| {label}: largest process (ru_maxrss) | " + " | ".join(cells) + " |")

    print(f"\n| start-up (median of {results['startup_runs']}) | time |")
    print("| --- | --- |")
    for name, v in results["startup"].items():
        print(f"| `{name}` | {fmt_s(v['median'])} |")

    n = results["notify"]
    print("\n| `ppt notify-placement` (no --commit) | time |")
    print("| --- | --- |")
    if n.get("available"):
        for label in ("big", "small"):
            cases = n["big_cases"] if label == "big" else n["small_cases"]
            rc = "" if all(c in (0, 1) for c in n[label]["rc"]) else f" **exit {n[label]['rc']}**"
            print(f"| {cases:,}-case repository, case {n['case']} | {fmt_s(n[label]['median'])}{rc} |")
    else:
        print(f"| {NA} | {n.get('reason')} |")

    p = results["peer"]
    print("\n| peer | time |")
    print("| --- | --- |")
    if p.get("available"):
        print(f"| check-jsonschema {p['version'].split()[-1]} on {p['files']:,} files (exit {p['rc']}) | "
              f"{fmt_s(p['median'])} ({p['per_file'] * 1000:.1f} ms per file) |")
    else:
        print(f"| check-jsonschema | {NA}: {p.get('reason')} |")

    print("\n| target | measured | verdict |")
    print("| --- | --- | --- |")
    for t in results["targets"]:
        value = "–" if t["value"] is None else f"{t['value']:.3g} {t['unit']}"
        detail = f" ({t['detail']})" if t["detail"] else ""
        print(f"| {t['target']} | {value}{detail} | {t['verdict']} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark ppt against the floor, its targets and its peers (issue 6).")
    parser.add_argument("--sizes", default="1000,10000,100000", help="case counts, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, median reported (default 3)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs per measurement above 10,000 cases (default 1)")
    parser.add_argument("--startup-runs", type=int, default=10, help="runs of each start-up command (default 10)")
    parser.add_argument("--peer-files", type=int, default=1000, help="files given to check-jsonschema (default 1000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 cases, 1 run each, 250 files for the peer")
    parser.add_argument("--out", default=None,
                        help="results JSON (default benchmarks/results.json, the recording; with --quick, ppt-bench-quick.json in the system temp folder)")
    parser.add_argument("--corpus", default=str(Path(tempfile.gettempdir()) / "ppt-bench-corpus"),
                        help="where generated repositories are kept and reused (default: <temp>/ppt-bench-corpus)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--offices", type=int, default=11, help="district offices in generated repositories (default 11)")
    parser.add_argument("--ppt", default=None, help="the ppt command (default: beside this Python, else on PATH)")
    parser.add_argument("--settle", type=float, default=120, help="seconds to wait at most for a busy machine to settle before measuring (default 120; 0: never wait)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.startup_runs, args.peer_files = "1000", 1, 5, 250
    if args.out is None:  # a smoke run never replaces the recorded results
        args.out = str(Path(tempfile.gettempdir()) / "ppt-bench-quick.json" if args.quick else HERE / "results.json")
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})

    waited = settle(args.settle)
    bench = Bench(args)
    results: dict[str, Any] = {"machine": {**machine_info(bench), "waited_for_load_s": waited}, "as_of": AS_OF, "repeat": args.repeat,
                               "repeat_large": min(args.repeat, args.repeat_large), "startup_runs": args.startup_runs,
                               "sizes": {}}
    m = results["machine"]
    print(f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, {m['date']}, {m['ppt']}", file=sys.stderr)
    try:
        for size in sizes:
            results["sizes"][str(size)] = measure_size(bench, size)
        log("start-up")
        results["startup"] = measure_startup(bench, args.startup_runs)
        big = TARGET_SIZE if TARGET_SIZE in sizes else max(sizes)
        log(f"notify-placement: {big:,} cases against 10")
        big_cache = Path(results["sizes"][str(big)]["warm_cache_dir"])
        results["notify"] = measure_notify(bench, big, big_cache, max(3, min(args.repeat, 5)))
        for size_result in results["sizes"].values():
            size_result.pop("warm_cache_dir")  # a scratch folder, gone at the end of the run
        log(f"check-jsonschema on {args.peer_files:,} files")
        results["peer"] = measure_peer(bench, args.peer_files, 1 if args.quick else min(args.repeat, 3))
        results["machine"]["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
        results["targets"] = targets(results)
    finally:
        shutil.rmtree(bench.scratch, ignore_errors=True)
    print_report(results)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nresults written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
