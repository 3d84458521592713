"""`--commit`: one commit of exactly the case file written (issue 5, "Done when" 5; SPEC 6).

Each test makes its own git repository from a copy of the demonstration cases, with a local
identity, and runs git without the user's global or system configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

AS_OF = "2026-11-23"
CASE_FILE = "concord/CON-2026-0042.yaml"


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PPT_", "GIT_"))}
    env.update(GIT_CONFIG_GLOBAL=str(empty), GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1")
    return env


def git(repo: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout


def ppt(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pptcli", *args, "--as-of", AS_OF], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def repo(demo_repo: Path, git_env: dict[str, str]) -> Path:
    git(demo_repo, git_env, "init", "-q", "-b", "main")
    git(demo_repo, git_env, "config", "user.name", "Carmen Rivera")
    git(demo_repo, git_env, "config", "user.email", "c.rivera@example.org")
    git(demo_repo, git_env, "add", "-A")
    git(demo_repo, git_env, "commit", "-q", "-m", "cases")
    return demo_repo


def test_commit_holds_only_the_case_file_with_a_message_naming_the_record(repo: Path, git_env: dict[str, str]) -> None:
    staged, unstaged = repo / "concord" / "CON-2026-0071.yaml", repo / "keene" / "KEE-2026-0019.yaml"
    staged.write_text(staged.read_text(encoding="utf-8") + "# staged by hand\n", encoding="utf-8")
    git(repo, git_env, "add", "concord/CON-2026-0071.yaml")
    unstaged.write_text(unstaged.read_text(encoding="utf-8") + "# not staged\n", encoding="utf-8")

    result = ppt(repo, git_env, "notify-placement", "CON-2026-0042", "--date", "2026-11-20", "--notified", "2026-11-23", "--commit")
    assert result.returncode == 0, result.stderr
    message = "CON-2026-0042: placement change 2026-11-20, PPT notified 2026-11-23"
    assert f": {message}" in result.stdout

    assert git(repo, git_env, "rev-list", "--count", "HEAD").strip() == "2"
    shown = git(repo, git_env, "show", "--name-only", "--format=%an <%ae>%n%B", "HEAD").split("\n")
    assert shown[:2] == ["Carmen Rivera <c.rivera@example.org>", message]
    assert [line for line in shown[2:] if line.strip()] == [CASE_FILE]
    assert git(repo, git_env, "diff", "--name-only", "HEAD", "--", CASE_FILE) == ""  # committed as written
    assert git(repo, git_env, "diff", "--cached", "--name-only").split() == ["concord/CON-2026-0071.yaml"]
    assert git(repo, git_env, "diff", "--name-only").split() == ["keene/KEE-2026-0019.yaml"]
    assert git(repo, git_env, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        "M  concord/CON-2026-0071.yaml", " M keene/KEE-2026-0019.yaml",  # ppt's lock files are ignored
    ]


def test_a_log_command_commits_too(repo: Path, git_env: dict[str, str]) -> None:
    result = ppt(repo, git_env, "log", "court-action", "CON-2026-0071", "--date", "2026-11-20", "--action", "Review hearing", "--commit")
    assert result.returncode == 0, result.stderr
    assert git(repo, git_env, "log", "-1", "--format=%s").strip() == "CON-2026-0071: court action 2026-11-20"
    assert git(repo, git_env, "show", "--name-only", "--format=", "HEAD").split() == ["concord/CON-2026-0071.yaml"]


REFUSED = {
    "a case file never committed": ("concord/CON-2026-0950.yaml", "is not committed in git yet; commit it first (nothing written)"),
    "a case file with edits not committed": (CASE_FILE, "has changes not committed yet; commit or undo them first (nothing written)"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_commit_would_carry_only_the_new_record(name: str, repo: Path, git_env: dict[str, str]) -> None:
    """Otherwise the commit named after the record would also carry edits nobody described."""
    file, message = REFUSED[name]
    path = repo / file
    if path.exists():
        path.write_text(path.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    else:
        path.write_text("id: CON-2026-0950\nprogram: cps\noffice: concord\nchild: {name: \"E. F.\", born: 2016-07-04}\n"
                        "team: {cpsw: c.rivera}\n", encoding="utf-8")
    before = path.read_bytes()
    case_id = path.stem
    result = ppt(repo, git_env, "log", "followup", case_id, "--date", "2026-11-20", "--commit")
    assert result.returncode == 2, result
    assert f"--commit: {file} {message}" in result.stderr
    assert path.read_bytes() == before
    assert git(repo, git_env, "rev-list", "--count", "HEAD").strip() == "1"


def test_concurrent_writers_each_make_their_own_commit(repo: Path, git_env: dict[str, str]) -> None:
    dates = [f"2026-10-{day:02d}" for day in range(5, 11)]
    commands = [["log", "followup", case, "--date", d, "--commit"] for d in dates for case in ("CON-2026-0042", "CON-2026-0071")]
    writers = [subprocess.Popen([sys.executable, "-m", "pptcli", *c, "--as-of", AS_OF], cwd=repo, env=git_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    subjects = git(repo, git_env, "log", f"-{len(commands)}", "--format=%s").splitlines()
    assert sorted(subjects) == sorted(f"{c[2]}: supervisor follow-up {c[4]}" for c in commands)
    for n in range(len(commands)):
        assert len(git(repo, git_env, "show", "--name-only", "--format=", f"HEAD~{n}").split()) == 1
    assert git(repo, git_env, "status", "--porcelain") == ""


def test_without_a_git_identity_nothing_is_written(repo: Path, git_env: dict[str, str]) -> None:
    git(repo, git_env, "config", "--unset", "user.name")
    git(repo, git_env, "config", "--unset", "user.email")
    git(repo, git_env, "config", "user.useConfigOnly", "true")
    before = (repo / CASE_FILE).read_bytes()
    result = ppt(repo, git_env, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--commit")
    assert result.returncode == 2
    assert "git does not know who you are (nothing written)" in result.stderr
    assert (repo / CASE_FILE).read_bytes() == before


def test_during_a_merge_nothing_is_written(repo: Path, git_env: dict[str, str]) -> None:
    head = git(repo, git_env, "rev-parse", "HEAD").strip()
    (repo / ".git" / "MERGE_HEAD").write_text(head + "\n", encoding="utf-8")
    before = (repo / CASE_FILE).read_bytes()
    result = ppt(repo, git_env, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--commit")
    assert result.returncode == 2
    assert "a git merge is in progress" in result.stderr
    assert (repo / CASE_FILE).read_bytes() == before
