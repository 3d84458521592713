"""Opening case repositories from the paths a user gives."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pptcli.load import Repository, find_root, load_repository


def open_repositories(paths: Iterable[Path]) -> list[Repository]:
    """One loaded repository per root that the paths fall in (pre-commit passes many files)."""
    by_root: dict[Path, list[Path]] = {}
    for path in paths:
        by_root.setdefault(find_root(path), []).append(path)
    return [load_repository(root, under, rule_ids=known_rule_ids(root)) for root, under in by_root.items()]


def open_repository(path: Path) -> Repository:
    root = find_root(path)
    return load_repository(root, [path], rule_ids=known_rule_ids(root))


def known_rule_ids(root: Path) -> set[str] | None:
    """Rule ids a waiver may name; None until the rule catalogue is available."""
    return None
