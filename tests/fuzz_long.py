"""The long fuzz run: the strategy and checks of tests/test_fuzz.py, for as many inputs as asked.

CI runs a few thousand mutated case files (tests/test_fuzz.py). Before a release, or after a
change to the loader (yamlio.py, fastyaml.py, load.py, located.py, checks.py, scan.py), run
at least 100,000:

    .venv/bin/python tests/fuzz_long.py --examples 100000

Each input is a demonstration case file with one to three random mutations, written into a
small repository beside two untouched case files and read the way `ppt validate` reads it
(load, validate, cross-check, evaluate) and the way `ppt check` streams it. The run stops at
the first input that breaks a rule of the test (an exception, an unlocated or multi-line
problem, a problem outside the mutated file, an untouched file not evaluated, the two paths
disagreeing); hypothesis then shrinks it, prints it, and this script saves the smallest
failing file as fuzz-failure.yaml (see --out) and exits 1.

Options:
    --examples N      how many inputs (default 100,000)
    --seed S          the first batch's seed (default: random); batch i uses S + i, so a
                      failing run can be repeated with the seed it prints
    --batch N         inputs per hypothesis run (default 10,000; memory stays flat)
    --through-core    read through core.evaluate_repository and core.check themselves
                      (settings found anew for every input; about half as fast)
    --out PATH        where to save a failing input (default ./fuzz-failure.yaml)

It is not collected by pytest (its name does not start with test_). At about 60 inputs a
second on one core, 100,000 inputs take around half an hour.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

import test_fuzz  # the strategy and the checks live there, once


def run_batch(repo: test_fuzz.FuzzRepository, size: int, batch_seed: int, *, through_core: bool, done: int, started: float, failed: list[bytes]) -> int:
    """One hypothesis run of `size` inputs; the number that passed. On a failure, the
    smallest failing input is left in `failed` and the error raised."""
    counted = 0

    @seed(batch_seed)
    @settings(
        max_examples=size, deadline=None, database=None, phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(raw=test_fuzz.mutated_case_files())
    def one(raw: bytes) -> None:
        nonlocal counted
        try:
            if through_core:
                with repo.rules_loaded_once():
                    test_fuzz.check_input(repo, raw, through_core=True)
            else:
                test_fuzz.check_input(repo, raw)
        except Exception:
            failed[:] = [raw]  # the last failure hypothesis replays is the smallest
            raise
        counted += 1
        total = done + counted
        if total % 1000 == 0:
            print(f"  {total:,} inputs, {total / (time.monotonic() - started):,.0f}/s, nothing found", flush=True)

    one()
    return counted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--through-core", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failure.yaml"))
    args = parser.parse_args(argv)
    first_seed = args.seed if args.seed is not None else random.randrange(2**32)
    warnings.simplefilter("ignore")  # ruamel.yaml warns about some inputs; the checks decide

    done, batch = 0, 0
    started = time.monotonic()
    failed: list[bytes] = []
    with tempfile.TemporaryDirectory(prefix="ppt-fuzz-") as tmp:
        repo = test_fuzz.FuzzRepository(Path(tmp) / "repo")
        print(f"fuzzing {args.examples:,} inputs in batches of {args.batch:,}, first seed {first_seed}", flush=True)
        while done < args.examples:
            batch_seed = first_seed + batch
            size = min(args.batch, args.examples - done)
            try:
                passed = run_batch(repo, size, batch_seed, through_core=args.through_core, done=done, started=started, failed=failed)
            except Exception:  # noqa: BLE001 - whatever breaks a check is the finding
                traceback.print_exc()
                if failed:
                    args.out.write_bytes(failed[0])
                    print(f"FAILED in batch {batch} (seed {batch_seed}); the failing file is saved as {args.out}", file=sys.stderr)
                else:
                    print(f"FAILED in batch {batch} (seed {batch_seed})", file=sys.stderr)
                return 1
            if passed == 0:
                print("hypothesis generated nothing more; stopping", file=sys.stderr)
                break
            done += passed
            batch += 1
    elapsed = time.monotonic() - started
    print(f"done: {done:,} inputs in {elapsed:,.0f} s ({done / elapsed:,.0f}/s), nothing found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
