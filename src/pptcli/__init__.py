"""ppt: compliance checks for NH DCYF Permanency Planning Team procedures."""

import os

__version__ = "0.1.0"

# The years a date ppt reads may fall in (a case file's, --as-of's): others are typing
# mistakes, and counting from 9999-12-31 would leave the calendar. Here, not in model.base,
# so that the command line can check --as-of without loading pydantic.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def count_from_environment(name: str) -> int | None:
    """The whole number above zero an environment variable is set to (PPT_JOBS=2, ...), or
    None when it is unset or anything else."""
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None
