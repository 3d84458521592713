"""`--commit`: one commit of exactly the case file written (issue 5, "Done when" 5; SPEC 6).

Each test makes its own git repository from a copy of the demonstration cases, with a local
identity, and runs git without the user's global or system configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
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


def test_without_a_committer_identity_nothing_is_written(repo: Path, git_env: dict[str, str]) -> None:
    """git commit needs a committer as well as an author; the environment may give only one."""
    git(repo, git_env, "config", "--unset", "user.name")
    git(repo, git_env, "config", "--unset", "user.email")
    git(repo, git_env, "config", "user.useConfigOnly", "true")
    env = {**git_env, "GIT_AUTHOR_NAME": "Carmen Rivera", "GIT_AUTHOR_EMAIL": "c.rivera@example.org"}
    before = (repo / CASE_FILE).read_bytes()
    result = ppt(repo, env, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--commit")
    assert result.returncode == 2
    assert "git does not know who you are (nothing written)" in result.stderr
    assert (repo / CASE_FILE).read_bytes() == before


# What git leaves in its folder while an operation waits for the user: a commit made then
# would end it (a revert's REVERT_HEAD is gone, and `git revert --continue` fails).
IN_PROGRESS = {"MERGE_HEAD": "a git merge", "CHERRY_PICK_HEAD": "a git cherry-pick", "REVERT_HEAD": "a git revert",
               "rebase-merge/": "a git rebase", "rebase-apply/": "a git rebase (or git am)"}


@pytest.mark.parametrize("left", list(IN_PROGRESS))
def test_during_a_merge_cherry_pick_revert_or_rebase_nothing_is_written(left: str, repo: Path, git_env: dict[str, str]) -> None:
    if left.endswith("/"):
        (repo / ".git" / left).mkdir()
    else:
        (repo / ".git" / left).write_text(git(repo, git_env, "rev-parse", "HEAD"), encoding="utf-8")
    before = (repo / CASE_FILE).read_bytes()
    result = ppt(repo, git_env, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--commit")
    assert result.returncode == 2
    assert f"--commit: {IN_PROGRESS[left]} is in progress; finish or abort it first (nothing written)" in result.stderr
    assert (repo / CASE_FILE).read_bytes() == before
    assert git(repo, git_env, "rev-list", "--count", "HEAD").strip() == "1"


def _hook(repo: Path, script: str) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    hook.chmod(0o755)


def test_a_commit_refused_by_a_hook_puts_the_file_back_and_records_nothing(repo: Path, git_env: dict[str, str]) -> None:
    _hook(repo, "echo 'pre-commit: the hook says no' >&2\nexit 1\n")
    before = (repo / CASE_FILE).read_bytes()
    result = ppt(repo, git_env, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--commit")
    assert result.returncode == 2, result
    assert f"the commit failed, so nothing is recorded ({CASE_FILE} is as it was): " in result.stderr
    assert "the hook says no" in result.stderr
    assert (repo / CASE_FILE).read_bytes() == before
    assert git(repo, git_env, "status", "--porcelain") == ""
    assert git(repo, git_env, "rev-list", "--count", "HEAD").strip() == "1"
    again = ppt(repo, git_env, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--commit")
    assert "has changes not committed" not in again.stderr  # the next write is not blocked by the first


def test_a_writer_waits_for_a_git_command_holding_the_index(repo: Path, git_env: dict[str, str]) -> None:
    """An editor's or a prompt's `git status` holds .git/index.lock for an instant."""
    lock = repo / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-m", "pptcli", "log", "followup", "CON-2026-0042", "--date", "2026-11-20",
                               "--commit", "--as-of", AS_OF], cwd=repo, env=git_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    lock.unlink()
    _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert git(repo, git_env, "log", "-1", "--format=%s").strip() == "CON-2026-0042: supervisor follow-up 2026-11-20"
    assert git(repo, git_env, "status", "--porcelain") == ""


def test_an_index_lock_left_behind_is_named_and_nothing_is_written(repo: Path, git_env: dict[str, str]) -> None:
    (repo / ".git" / "index.lock").write_text("", encoding="utf-8")
    before = (repo / CASE_FILE).read_bytes()
    result = ppt(repo, git_env, "log", "followup", "CON-2026-0042", "--date", "2026-11-20", "--commit")
    assert result.returncode == 2
    assert "--commit: git's index has been locked for" in result.stderr
    assert "index.lock" in result.stderr and "(nothing written)" in result.stderr
    assert (repo / CASE_FILE).read_bytes() == before


def test_a_record_written_while_a_hook_sets_other_changes_aside_is_not_lost(repo: Path, git_env: dict[str, str]) -> None:
    """pre-commit sets the other files' unstaged changes aside while its hooks run, and when
    it cannot put them back over what was written meanwhile, it restores its copy: a record
    another writer wrote into one of those files then was lost, though it said "recorded"."""
    _hook(repo, "git diff --binary > .git/aside.patch\ngit checkout -- .\ntouch .git/hooks-running\nsleep 3\n"
                "git apply .git/aside.patch 2>/dev/null || { git checkout -- .; git apply .git/aside.patch; echo rolled back >&2; exit 1; }\n")
    other = repo / "keene" / "KEE-2026-0019.yaml"
    first = ppt(repo, git_env, "log", "followup", "KEE-2026-0019", "--date", "2026-11-20")  # written, not committed
    assert first.returncode in (0, 1), first.stderr
    committing = subprocess.Popen([sys.executable, "-m", "pptcli", "log", "followup", "CON-2026-0071", "--date", "2026-11-20",
                                   "--commit", "--as-of", AS_OF], cwd=repo, env=git_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (repo / ".git" / "hooks-running").exists():
        assert committing.poll() is None and time.monotonic() < deadline, committing.communicate()
        time.sleep(0.05)
    second = ppt(repo, git_env, "log", "followup", "KEE-2026-0019", "--date", "2026-11-16")
    _, err = committing.communicate(timeout=120)
    assert committing.returncode == 0, err
    assert second.returncode in (0, 1), second.stderr
    text = other.read_text(encoding="utf-8")
    assert "2026-11-20" in text and "2026-11-16" in text
    assert git(repo, git_env, "log", "-1", "--format=%s").strip() == "CON-2026-0071: supervisor follow-up 2026-11-20"
