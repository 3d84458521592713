"""Shared pieces of the models: strictness, dates, identifiers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints
from pydantic_core import PydanticCustomError

from pptcli import FIRST_YEAR, LAST_YEAR
from pptcli.problems import kind_of, quoted

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Strict(BaseModel):
    """Frozen, and an unknown key is an error: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def parse_iso_date(value: Any) -> dt.date:
    """A calendar date written YYYY-MM-DD, and nothing that merely converts to one."""
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date_type", "expected a date (YYYY-MM-DD) without a time")
    if isinstance(value, dt.date):
        return _plausible(value)
    if isinstance(value, str):
        text = value.strip()
        if not _ISO.match(text):
            raise PydanticCustomError("date_format", 'expected a date as YYYY-MM-DD, got "{text}"', {"text": quoted(text)})
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise PydanticCustomError("date_value", '"{text}" is not a real date', {"text": quoted(text)}) from None
        return _plausible(day)
    raise PydanticCustomError("date_type", "expected a date as YYYY-MM-DD, got {kind}", {"kind": kind_of(value)})


def _plausible(day: dt.date) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PydanticCustomError("date_range", "{day} is not a plausible date (years {first} to {last})",
                                  {"day": day.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR})
    return day


Date = Annotated[dt.date, BeforeValidator(parse_iso_date)]
Flag = StrictBool
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
# Staff ids and office ids are short and plain: they appear in file names and commit messages.
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
# A case id becomes a file name: no path separators, no "..", nothing hidden.
CaseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$", max_length=64)]


def items(*, default: tuple[Any, ...] = ()) -> Any:
    """A list in the file, a tuple in the model."""
    return Field(default=default)
