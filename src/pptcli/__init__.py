"""ppt: compliance checks for NH DCYF Permanency Planning Team procedures."""

import os

__version__ = "0.1.0"


def count_from_environment(name: str) -> int | None:
    """The whole number above zero an environment variable is set to (PPT_JOBS=2, ...), or
    None when it is unset or anything else."""
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None
