"""The benchmark corpus generator writes repositories that ppt accepts, the same for a seed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT, run_ppt

GENERATE = PROJECT / "benchmarks" / "generate.py"
SETTINGS = {"ppt.yaml", "staff.yaml", "calendar.yaml"}


def generate(out: Path, cases: int = 30, seed: int = 7, offices: int = 3) -> None:
    done = subprocess.run(
        [sys.executable, str(GENERATE), str(out), "--cases", str(cases), "--seed", str(seed), "--offices", str(offices)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert done.returncode == 0, done.stderr


def contents(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def case_files(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*.yaml")) if p.relative_to(root).as_posix() not in SETTINGS]


def test_a_generated_repository_of_30_cases_passes_ppt_validate(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate(repo)

    assert {p.name for p in repo.iterdir() if p.is_file()} == SETTINGS
    assert len(case_files(repo)) == 30
    done = run_ppt("validate", repo)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_cases(tmp_path: Path) -> None:
    generate(tmp_path / "a")
    generate(tmp_path / "b")
    generate(tmp_path / "c", seed=8)

    first = contents(tmp_path / "a")
    assert first == contents(tmp_path / "b")
    assert first != contents(tmp_path / "c")


def test_case_files_are_2_to_10_kb_and_mix_the_programs(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate(repo)

    files = case_files(repo)
    sizes = [p.stat().st_size for p in files]
    assert min(sizes) >= 2048 and max(sizes) <= 10240, (min(sizes), max(sizes))
    texts = [p.read_text(encoding="utf-8") for p in files]
    programs = {line.split(":", 1)[1].strip() for t in texts for line in t.splitlines() if line.startswith("program:")}
    assert programs == {"cps", "jjs", "joint"}
    assert all(t.startswith("# ") for t in texts), "every case file opens with a comment"
    assert sum("status: held" in t for t in texts) > 15
    assert any("status: scheduled" in t for t in texts)


def test_a_joint_case_cannot_draw_one_task_twice_for_a_meeting() -> None:
    """Its tasks come from both programs' lists at once: a text in both would be two tasks
    ppt validate refuses as one listed twice."""
    spec = importlib.util.spec_from_file_location("ppt_bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generator  # dataclasses look their module up
    spec.loader.exec_module(generator)
    assert not set(generator.CPS_TASKS) & set(generator.JJS_TASKS)
