"""Indented JSON text, as ``json.dumps(value, ensure_ascii=False, indent=n)`` writes it, made faster.

With ``indent`` set, the standard library uses its pure-Python encoder, a
generator per nesting level; this walks the data once and lets the C string
encoder write every string. A build writes thousands of such files (one per
snippet item) and the output manifest. tests/test_jsontext.py compares the two
on random data.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C encoder of one string, as json uses with ensure_ascii=False


def indented(value: object, indent: int = 2, sort_keys: bool = False) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys)`` for dicts with string keys,
    lists, tuples, strings, numbers, booleans and None (anything else: TypeError, like json)."""
    out: list[str] = []
    _write(value, out, "\n", " " * indent, sort_keys)
    return "".join(out)


def _write(value: object, out: list[str], newline: str, step: str, sort_keys: bool) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + step
        items = sorted(value.items()) if sort_keys else value.items()
        separator = "{" + inner
        for key, item in items:
            if not isinstance(key, str):
                raise TypeError(f"keys must be strings here, not {type(key).__name__}")
            out.append(separator + encode_basestring(key) + ": ")
            _write(item, out, inner, step, sort_keys)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + step
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _write(item, out, inner, step, sort_keys)
            separator = "," + inner
        out.append(newline + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif type(value) is int:
        out.append(int.__repr__(value))
    else:  # floats (and int subclasses): the text json writes, from json itself
        out.append(json.dumps(value))
