"""Text of the values the writers add: scalars, flow collections and block entries.

Only what ppt itself writes needs rendering (dates, true/false, identifiers, free text, and
small lists and mappings of those), so a few functions do it deterministically. Whatever
they produce is parsed back and compared with the intended data before anything is written
(write_text.verify), so a rendering mistake can never reach a case file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

# A plain scalar is used only for identifier-like text that YAML cannot read as anything else.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # fullmatch: "$" would let "A\n" through, newline lost
_NUMBER = re.compile(r"^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|0[xob][0-9a-fA-F_]+|\.\d+)$")
# YAML 1.1 readers (other tools opening the file) take these as booleans or null: quote them.
_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


@dataclass(frozen=True)
class Layout:
    """How this file indents: a block list's dash and content relative to its key, a nested
    mapping's keys relative to its parent key; and whether flow collections are padded."""

    dash: int = 2
    content: int = 4
    nested: int = 2
    pad: bool = False


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, int)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not _NUMBER.match(text) and not _DATE_LIKE.match(text) and text.lower() not in _SPECIAL:
        return text
    return _quoted(text)


def _quoted(text: str) -> str:
    """A JSON string is a YAML double-quoted scalar, once the characters YAML may not hold
    raw (non-printables, and NEL/U+2028/U+2029, which it would read as line breaks) are escaped."""
    return "".join(ch if _printable(ord(ch)) else _escape(ord(ch)) for ch in json.dumps(text, ensure_ascii=False))


def _printable(code: int) -> bool:
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000) and code not in (0x2028, 0x2029, 0xFEFF)


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def flow(value: Any, pad: bool = False) -> str:
    inner = " " if pad else ""
    if isinstance(value, dict):
        body = ", ".join(f"{scalar(k)}: {flow(v, pad)}" for k, v in value.items())
        return f"{{{inner}{body}{inner}}}" if body else "{}"
    if isinstance(value, list):
        body = ", ".join(flow(v, pad) for v in value)
        return f"[{inner}{body}{inner}]" if body else "[]"
    return scalar(value)


def blocky(value: Any) -> bool:
    """Whether a value reads better over several lines: records, and lists of records."""
    if isinstance(value, dict):
        return len(value) > 1 or any(blocky(v) for v in value.values())
    if isinstance(value, list):
        return any(isinstance(item, dict) for item in value)
    return False


def entry(key: str, value: Any, indent: int, layout: Layout, flow_items: bool = False) -> list[str]:
    """`key: value` in a block mapping whose keys stand at column `indent`."""
    pad = " " * indent
    if not blocky(value):
        return [f"{pad}{scalar(key)}: {flow(value, layout.pad)}"]
    lines = [f"{pad}{scalar(key)}:"]
    if isinstance(value, dict):
        for k, v in value.items():
            lines += entry(k, v, indent + layout.nested, layout)
        return lines
    for item in value:
        lines += item_lines(item, indent + layout.dash, indent + layout.content, layout, flow_items)
    return lines


def item_lines(value: Any, dash: int, content: int, layout: Layout, as_flow: bool) -> list[str]:
    """One `- item` of a block list: the dash at column `dash`, the item's text at `content`."""
    head = " " * dash + "-" + " " * max(1, content - dash - 1)
    if not isinstance(value, dict) or as_flow or not value:
        return [head + flow(value, layout.pad)]
    lines: list[str] = []
    for k, v in value.items():
        lines += entry(k, v, content, layout)
    lines[0] = head + lines[0][content:]
    return lines
