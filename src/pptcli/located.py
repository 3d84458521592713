"""Turning pydantic validation errors into located, plain-language problems."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pptcli.problems import Problem, did_you_mean, kind_of, quoted
from pptcli.yamlio import position

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, file: str) -> tuple[M | None, list[Problem]]:
    """The model of `data`, or None and every problem found in it."""
    if not isinstance(data, dict):
        what = "empty" if data is None else kind_of(data[: _room(data, 1, 1)] if isinstance(data, str) else data)
        return None, [Problem(file, 1, 1, f"expected a mapping of keys to values, but the file holds {what}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        echoes = _echoes(model, data, errors)
        problems = {_problem(model, data, file, err) for err in errors if id(err) not in echoes}
        return None, sorted(problems)


def _echoes(model: type[BaseModel], data: Any, errors: list[Any]) -> set[int]:
    """A misspelled required key is one mistake: 'unknown key "ofice"; did you mean "office"?'
    says it all, so the 'missing required key "office"' it causes in the same mapping is
    not reported too."""
    suggested = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            path = _walk_to_key(data, err["loc"])
            close = difflib.get_close_matches(str(path[-1]), _fields_at(model, path[:-1]), n=1, cutoff=0.6) if path else []
            suggested.update((path[:-1], c) for c in close)
    return {id(err) for err in errors if err["type"] == "missing" and _walk(data, err["loc"]) in suggested}


def _problem(model: type[BaseModel], data: Any, file: str, err: Any) -> Problem:
    path, missing = _walk(data, err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        path = _walk_to_key(data, err["loc"])
        line, col = position(data, path, key=True)
        name = str(path[-1]) if path else "?"
        return Problem(file, line, col, f'unknown key "{quoted(name)}"{_suggest(model, path, name)}')
    if kind == "invalid_key":
        line, col = _key_position(data, path, err["loc"])
        return Problem(file, line, col, f"a key must be text, not {kind_of(path[-1] if path else err['loc'][-1])}")
    line, col = position(data, path)
    where = _dotted(path)
    if kind == "missing":
        target = f"{where}: " if where else ""
        return Problem(file, line, col, f'{target}missing required key "{missing}"')
    return Problem(file, line, col, f"{where or 'file'}: {_message(err, _room(data, line, col))}")


def _room(data: Any, line: int, col: int) -> int:
    """How much of a value can be quoted without printing past the end of its own line."""
    lines = getattr(data, "lines", None)
    if not lines or not 0 < line <= len(lines):
        return 60
    return max(1, min(60, len(lines[line - 1]) - col + 1))


def _key_position(data: Any, path: tuple[Any, ...], loc: Sequence[Any]) -> tuple[int, int]:
    """Where a key that is not text stands (pydantic names a None key "None")."""
    if not path and loc and loc[-1] == "None":
        path = (None,)
    return position(data, path, key=True)


def _walk(data: Any, loc: Sequence[Any]) -> tuple[tuple[Any, ...], str]:
    """The part of pydantic's location that exists in the document (union tags dropped)."""
    path: list[Any] = []
    node = data
    for index, step in enumerate(loc):
        if (isinstance(node, dict) and step in node) or (isinstance(node, list) and isinstance(step, int) and step < len(node)):
            node = node[step]
            path.append(step)
        elif index == len(loc) - 1:
            return tuple(path), str(step)
    return tuple(path), ""


def _walk_to_key(data: Any, loc: Sequence[Any]) -> tuple[Any, ...]:
    """The path of an unknown key (the last step of `loc`). A union's tag can be a key of
    the document too (`not_applicable` in `{not_applicable: x, extra: 1}`), and _walk then
    follows it past the mapping that holds the key: a walk without that step is tried."""
    path, missing = _walk(data, loc)
    for skip in range(len(loc) - 1) if missing else ():
        other, missed = _walk(data, [*loc[:skip], *loc[skip + 1 :]])
        if not missed:
            return other
    return path


def _dotted(path: Sequence[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _message(err: Any, room: int = 60) -> str:
    kind, msg, value = err["type"], err["msg"], err.get("input")
    if isinstance(value, str) and len(value) > room:
        value = value[:room] + "…"  # it runs on past its line (a folded or block scalar)
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f'"{quoted(value)}" is not one of {expected}' if isinstance(value, str) else f"expected one of {expected}, got {kind_of(value)}"
    if kind == "string_pattern_mismatch" and tuple(err["loc"]) == ("id",):
        return f'"{quoted(value)}" is not a valid case id (letters, digits, "-", "_" and "." between them; no "/" or "..")'
    if kind == "string_pattern_mismatch":
        return f'"{quoted(value)}" is not a valid identifier (lower-case letters, digits, ".", "_" and "-")'
    if kind in {"bool_type", "bool_parsing"}:
        return f"expected true or false, got {kind_of(value)}"
    if kind in {"string_type"}:
        return f"expected text, got {kind_of(value)}"
    if kind in {"tuple_type", "list_type"}:
        return f"expected a list, got {kind_of(value)}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"expected a mapping of keys to values, got {kind_of(value)}"
    return msg[0].lower() + msg[1:] if msg else kind


def _suggest(model: type[BaseModel], path: Sequence[Any], name: str) -> str:
    fields = _fields_at(model, path[:-1])
    hint = did_you_mean(name, fields)
    if hint:
        return hint
    return f" (expected one of: {', '.join(fields)})" if fields else ""


def _fields_at(model: type[BaseModel], path: Sequence[Any]) -> list[str]:
    """The keys allowed in the mapping at `path`, found by following the model's field types."""
    current: Any = model
    for step in path:
        if isinstance(step, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(step)
        if field is None:
            return []
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    """The first BaseModel found inside an annotation such as tuple[Task, ...] | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    for arg in getattr(annotation, "__metadata__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _model_in(origin) if origin not in (None, annotation) and isinstance(origin, type) else None
