"""Safe YAML text → plain data plus the line and column of every value.

Only the safe loader is used (the C one where present). Duplicate keys are an
error rather than last-wins, aliases may not expand into huge documents, and
nesting is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .controls import describe as describe_control
from .controls import position
from .errors import LegationError, Problem, SourceLocation

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

Path = tuple[str | int, ...]
MAX_NODES = 20_000
MAX_DEPTH = 32
#: resolved tags whose values are checked one by one (see _walk), with what their values are called
_CHECKED = MappingProxyType({f"tag:yaml.org,2002:{kind}": kind for kind in ("timestamp", "int", "float", "bool")})
_KINDS = MappingProxyType({"timestamp": "date", "int": "whole number (at most 4,300 digits)", "float": "number",
                           "bool": "true or false"})
_LOOKS_LIKE_A_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
#: characters of text once every alias is expanded: a 112 KB file of repeated scalar aliases made a 300 MB page
MAX_EXPANDED = 1_000_000


@dataclass(frozen=True)
class YamlDoc:
    """Loaded data and the 1-based (line, col) of each key path's value."""

    data: Any
    marks: dict[Path, tuple[int, int]]
    path: str
    line_offset: int = 0
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)  # where each key itself is written
    #: Values YAML read differently from how they look (a comment cut from plain text, typographic quotes kept)
    warnings: tuple[Problem, ...] = ()

    def where(self, *keys: str | int) -> SourceLocation:
        """Location of the value at ``keys``, or of its closest ancestor."""
        key: Path = tuple(keys)
        while key and key not in self.marks:
            key = key[:-1]
        line, col = self.marks.get(key, (1, 1))
        return SourceLocation(self.path, line + self.line_offset, col)

    def where_key(self, *keys: str | int) -> SourceLocation:
        """Location of the key at ``keys`` itself (for unknown or misspelt keys)."""
        found = self.key_marks.get(tuple(keys))
        if found is None:
            return self.where(*keys)
        return SourceLocation(self.path, found[0] + self.line_offset, found[1])


def load_yaml(text: str, path: str, line_offset: int = 0, error: type[LegationError] = LegationError) -> YamlDoc:
    """Parse ``text``; ``line_offset`` shifts lines (front matter inside a file)."""
    _check_flow_depth(text, path, line_offset, error)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc({}, {(): (1, 1)}, path, line_offset)
        marks: dict[Path, tuple[int, int]] = {}
        key_marks: dict[Path, tuple[int, int]] = {}
        _walk(node, (), marks, key_marks, path, line_offset, error, [0, 0], set())
        data = loader.construct_document(node)
        warnings: list[Problem] = []
        _silent_changes(node, (), text.split("\n"), path, line_offset, warnings, set())
    except yaml.reader.ReaderError as exc:  # a character YAML refuses anywhere, such as a control character
        line, col = position(text, exc.position)
        raise error.at(SourceLocation(path, line + 1 + line_offset, col),
                       f"YAML: the text contains {describe_control(_char(exc.character))}" if _char(exc.character)
                       else f"YAML: {exc.reason}",
                       "delete it: it is invisible and not allowed here (text pasted from a PDF often brings one)",
                       "yaml") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        hint = "check indentation and quote values that contain ':' or start with a special character"
        tab = _indenting_tab(text, line)
        if tab is not None:
            line, col = tab
            problem = "a tab is used to indent this line; YAML indents with spaces only"
            hint = "replace the tab with spaces (two per level, lined up with the keys above)"
        elif exc.context is not None and "quoted scalar" in exc.context and exc.context_mark is not None and \
                "end of stream" in problem:
            # told where the quote opens, not at the end of the text, where YAML gave up looking for its end
            line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
            problem = "this quotation mark is never closed"
            hint = ("close the quote at the end of the value; a quotation mark inside the text is written \\\" "
                    "within \"...\" (or put the value in single quotes)")
        elif "could not determine a constructor" in str(exc):
            problem = f"YAML tag {exc.problem.split('tag ')[-1] if exc.problem else ''} is not allowed".strip()
            hint = "only plain YAML is accepted: remove the '!!' tag"
        raise error.at(SourceLocation(path, line + line_offset, col), f"YAML: {problem}", hint, "yaml") from None
    except yaml.YAMLError as exc:
        raise error.at(SourceLocation(path, 1 + line_offset, 1), f"YAML: {exc}", "", "yaml") from None
    finally:
        loader.dispose()
    return YamlDoc(data, marks, path, line_offset, key_marks, tuple(warnings))


def _char(character: object) -> str:
    """The character a ReaderError names (libyaml gives its code, PyYAML the character), or ''."""
    if isinstance(character, int) and 0 <= character <= 0x10FFFF:
        return chr(character)
    return character if isinstance(character, str) and len(character) == 1 else ""


def _indenting_tab(text: str, line: int) -> tuple[int, int] | None:
    """(line, column) of a tab in the indentation of the 1-based ``line`` where YAML failed, or of the
    line just before it (YAML may notice the tab there), or None."""
    lines = text.split("\n")
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            content = lines[number - 1]
            indent = content[:len(content) - len(content.lstrip(" \t"))]
            if "\t" in indent and content.strip():
                return number, indent.index("\t") + 1
    return None


#: Typographic quotes that open and close a whole value: YAML keeps them as part of the text.
_OPENING = "“”„‘’‚«»‹›「『"
_CLOSING = "“”‘’«»‹›」』"


def _silent_changes(node: yaml.Node, key: Path, lines: list[str], path: str, offset: int,
                    warnings: list[Problem], seen: set[int]) -> None:
    """Warn where a plain (unquoted) value does not say what it looks like: text after `` #`` is a comment
    that YAML drops (reported when the # is followed by text, like #1), and typographic quotes around the whole
    value are kept as characters."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for k_node, v_node in node.value:
            name = k_node.value if isinstance(k_node, yaml.ScalarNode) else "?"
            _silent_changes(v_node, (*key, str(name)), lines, path, offset, warnings, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _silent_changes(item, (*key, i), lines, path, offset, warnings, seen)
    elif isinstance(node, yaml.ScalarNode) and not node.style and node.value:
        shown = ".".join(str(part) for part in key) or "the value"
        end = node.end_mark
        rest = lines[end.line][end.column:] if end.line < len(lines) else ""
        comment = rest.lstrip(" \t")
        # "#1", "#hashtag": text YAML took for a comment; "# a note" (a space after #) is a comment on purpose,
        # as in the files `legation new` writes (status: scheduled   # scheduled | postponed | …)
        if comment[:1] == "#" and comment[1:2].strip() and rest != comment:
            col = end.column + len(rest) - len(comment) + 1
            written = lines[node.start_mark.line][node.start_mark.column:].rstrip() \
                if node.start_mark.line == end.line else ""
            quoted = f'{shown}: "{written}"' if written and '"' not in written else f'{shown}: "…" in quotes'
            warnings.append(Problem(
                "warning", SourceLocation(path, end.line + 1 + offset, col),
                f'"{comment}" is a YAML comment, so {shown} is only "{node.value}"',
                f"if it belongs to the value, put the whole value in quotes: {quoted}; if it is a note, put it on a "
                "line of its own", "yaml-comment"))
        text = node.value
        if len(text) > 1 and text[0] in _OPENING and text[-1] in _CLOSING \
                and text[0] not in text[1:-1] and text[-1] not in text[1:-1]:  # not «a» and «b»
            warnings.append(Problem(
                "warning", SourceLocation(path, node.start_mark.line + 1 + offset, node.start_mark.column + 1),
                f"{shown} keeps the typographic quotes {text[0]} {text[-1]} as part of its text: YAML quotes "
                "only with straight quotes",
                f'write {shown}: "{text[1:-1]}" with straight quotes; to show the quotes on purpose, write '
                f'{shown}: "{text}"', "yaml-quotes"))


def _check_flow_depth(text: str, path: str, offset: int, error: type[LegationError]) -> None:
    """Refuse deeply nested [ and { before libyaml sees them: it composes recursively and can crash.

    Brackets inside quoted text count too (an apostrophe would otherwise hide an attack); no real front
    matter has 32 unclosed brackets.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth, line, col = 0, 1, 0
    for char in text:
        col += 1
        if char == "\n":
            line, col = line + 1, 0
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise error.at(SourceLocation(path, line + offset, col), f"YAML is nested deeper than {MAX_DEPTH} levels",
                               "flatten the structure", "yaml-depth")
        elif char in "]}":
            depth = max(0, depth - 1)


def _walk(
    node: yaml.Node,
    key: Path,
    marks: dict[Path, tuple[int, int]],
    key_marks: dict[Path, tuple[int, int]],
    path: str,
    offset: int,
    error: type[LegationError],
    count: list[int],  # [values, characters of text], aliases expanded
    seen: set[int],
    used: tuple[bool, int, int] | None = None,
) -> None:
    """Record where each value is. ``used`` is (in a list?, line, column) of the key this node is the value of or
    of the list it is an item of: an alias's node is the anchored one, whose own start is the anchor's."""
    count[0] += 1
    where = SourceLocation(path, node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    if count[0] > MAX_NODES:
        raise error.at(where, f"YAML document is too large (more than {MAX_NODES} values)",
                       "remove repeated aliases (*name) or split the data", "yaml-size")
    if len(key) > MAX_DEPTH:
        raise error.at(where, f"YAML is nested deeper than {MAX_DEPTH} levels", "flatten the structure", "yaml-depth")
    marks.setdefault(key, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.ScalarNode):
        count[1] += len(node.value)
        if count[1] > MAX_EXPANDED:
            alias_at = SourceLocation(path, used[1] + offset, used[2]) if used and id(node) in seen else where
            raise error.at(alias_at, f"YAML document is too large once its aliases are expanded (more than {MAX_EXPANDED:,}"
                                  " characters)", "write the text once instead of repeating it with *alias", "yaml-size")
    if id(node) in seen:
        if isinstance(node, yaml.ScalarNode):
            return
        at, which = where, "this alias"
        if used is not None:
            at = SourceLocation(path, used[1] + offset, used[2])
            which = "an item of this list" if used[0] else "this alias"
        raise error.at(at, f"YAML aliases of mappings or lists are not allowed ({which} repeats the value on line "
                           f"{where.line})", "write the values out instead of using &anchor / *alias", "yaml-alias")
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode) and node.tag in _CHECKED:
        # constructed here, one value at a time, so that a value its type cannot hold is located (construct_document
        # raises a bare ValueError, IndexError or OverflowError for `!!int ""`, `!!bool "maybe"` or 5,000 digits)
        kind = _CHECKED[node.tag]
        try:
            getattr(SafeConstructor(), f"construct_yaml_{kind}")(node)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError, OverflowError) as exc:
            if kind == "timestamp" and _LOOKS_LIKE_A_DATE.match(node.value):
                raise error.at(where, f'impossible date "{node.value}" ({exc})',
                               "check the day and month; write dates like 2026-01-11T09:30:00+04:00", "date") from None
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            why = f" ({len(node.value):,} digits)" if kind == "int" and len(node.value) > 4300 else ""
            raise error.at(where, f'"{shown}" is not a valid {_KINDS[kind]}{why}',
                           f"remove the !!{kind} tag, or write a valid {_KINDS[kind]}; put text in quotes",
                           "yaml-value") from None
    if isinstance(node, yaml.MappingNode):
        names: dict[Any, int] = {}
        for k_node, v_node in node.value:
            name = k_node.value if isinstance(k_node, yaml.ScalarNode) else repr(k_node)
            if name in names:
                raise error.at(
                    SourceLocation(path, k_node.start_mark.line + 1 + offset, k_node.start_mark.column + 1),
                    f'duplicate key "{name}" (first on line {names[name] + offset})',
                    "keep one of them; YAML would silently use the last", "yaml-duplicate")
            names[name] = k_node.start_mark.line + 1
            key_marks.setdefault((*key, str(name)), (k_node.start_mark.line + 1, k_node.start_mark.column + 1))
            _walk(v_node, (*key, str(name)), marks, key_marks, path, offset, error, count, seen,
                  (False, k_node.start_mark.line + 1, k_node.start_mark.column + 1))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*key, i), marks, key_marks, path, offset, error, count, seen,
                  (True, node.start_mark.line + 1, node.start_mark.column + 1))
