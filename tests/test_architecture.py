"""The module layering of DESIGN §11, no module-level mutable state, frozen picklable stage data."""

from __future__ import annotations

import ast
import dataclasses
import pickle
from pathlib import Path

import pytest

from generator import model
from generator.errors import LegationError, Problem, SourceLocation

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

#: Lower numbers are lower layers; a module may import only modules of a strictly lower layer.
LAYERS: dict[str, int] = {
    "errors": 0, "clock": 0, "parallel": 0, "context_doc": 0, "codec": 0, "jsontext": 0, "paths": 0, "zones": 0,
    "controls": 0,
    "yamltext": 1, "model": 1, "units": 2, "fastmd": 1, "assets": 1, "translation_units": 1,
    "checks": 2, "statement_text": 2, "markdown": 2, "cache": 2, "security": 2, "i18n": 2, "packages": 2,
    "delivery": 3, "mission": 3, "theme": 3, "content": 3, "xliff": 3, "pofile": 3,
    "config": 4, "site": 4, "status": 4, "authoring": 4, "fastpath": 4, "files": 4, "memory": 4,
    "feeds": 5, "rules": 5, "translating": 5, "ledger": 5,
    "calendars": 6, "search": 6, "cards": 6, "media": 6, "wechat": 5, "seo": 6, "rootfiles": 6, "snippets": 6,
    "templates": 7, "register": 6,
    "run": 5, "stages": 8, "build": 9,
    "audit": 10, "serve": 10, "deploy": 10, "live": 10, "notify": 10, "verify_statement": 10, "notices": 7,
    "cli": 11, "__main__": 12, "__init__": 12,
}


def modules() -> list[Path]:
    return sorted(PACKAGE.glob("*.py"))


def imported(tree: ast.AST) -> set[str]:
    """Sibling modules imported anywhere in the file (lazy imports inside functions included)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator."):
            found.add(node.module.split(".")[1])
    return found


def test_every_module_has_a_layer() -> None:
    assert {p.stem for p in modules()} == set(LAYERS)


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.stem)
def test_modules_import_only_lower_layers(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    upward = sorted(name for name in imported(tree) if LAYERS[name] >= LAYERS[path.stem])
    assert upward == [], f"{path.stem} (layer {LAYERS[path.stem]}) imports {upward}"


def test_the_layer_check_can_fail() -> None:
    tree = ast.parse("def f():\n    from .build import build\n")
    assert "build" in imported(tree) and LAYERS["build"] >= LAYERS["site"]


MUTABLE = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def mutable_globals(tree: ast.Module) -> list[str]:
    found = []
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            value = node.value
            call = isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and \
                value.func.id in ("dict", "list", "set", "defaultdict", "OrderedDict", "Counter")
            if isinstance(value, MUTABLE) or call:
                found.append(ast.unparse(node.targets[0] if isinstance(node, ast.Assign) else node.target))
    found += [name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names]
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.stem)
def test_no_module_level_mutable_state(path: Path) -> None:
    assert mutable_globals(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_mutable_state_check_can_fail() -> None:
    assert mutable_globals(ast.parse("CACHE = {}\nSEEN: list[int] = []\ndef f():\n    global X\n")) == ["CACHE", "SEEN", "X"]


def test_stage_data_is_frozen() -> None:
    classes = [c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)]
    assert len(classes) > 10
    for cls in classes:
        assert cls.__dataclass_params__.frozen, cls.__name__  # type: ignore[attr-defined]


def test_errors_survive_pickling() -> None:
    error = LegationError.at(SourceLocation("content/a.en.md", 3, 7), "bad date", "quote it", "date")
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems
    assert isinstance(again.problems[0], Problem) and again.problems[0].location.line == 3


def test_every_module_has_its_own_test_file() -> None:
    tests = Path(__file__).resolve().parent
    missing = [p.stem for p in modules() if not p.stem.startswith("__") and not (tests / f"test_{p.stem}.py").is_file()]
    assert missing == []
