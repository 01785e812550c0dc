"""The layering of DESIGN §11 (docs/how-a-build-works.md): the subpackages in pipeline order, the modules in
order inside them; no module-level mutable state, frozen picklable stage data."""

from __future__ import annotations

import ast
import dataclasses
import pickle
from pathlib import Path

import pytest

from generator.core import model
from generator.core.errors import LegationError, Problem, SourceLocation

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

#: The subpackages, lowest first: a module may import from its own subpackage or a lower one.
PACKAGES = ("core", "sources", "assembly", "outputs", "engine", "commands")

#: Lower numbers are lower layers; a module may import only modules of a strictly lower layer (across packages too).
LAYERS: dict[str, int] = {
    # core
    "errors": 0, "clock": 0, "parallel": 0, "context_doc": 0, "codec": 0, "jsontext": 0, "paths": 0, "zones": 0,
    "controls": 0, "heap": 0, "inotify": 0,
    "yamltext": 1, "model": 1, "units": 2, "cache": 2, "checks": 2, "files": 2,
    # sources
    "fastmd": 3, "assets": 3, "translation_units": 3, "statement_text": 3, "markdown": 4, "i18n": 3,
    "theme": 4, "content": 5, "mission": 4, "delivery": 4, "config": 6, "media": 6, "network": 7,
    # assembly
    "site": 7, "ledger": 7, "rules": 8,
    # outputs
    "security": 9, "feeds": 9, "wechat": 9, "calendars": 10, "search": 10, "cards": 10, "seo": 10, "rootfiles": 10,
    "snippets": 10, "register": 10, "qr": 9, "urls": 11, "unit_inputs": 12, "contexts": 12, "templates": 13,
    # engine
    "fastpath": 13, "memory": 14, "run": 15, "stages": 16, "untouched": 16, "build": 17, "missions": 18, "publish": 18,
    # commands
    "packages": 18, "xliff": 19, "pofile": 19, "status": 19, "authoring": 19, "translating": 20, "notices": 18,
    "network_status": 20, "network_ci": 20,
    "audit": 21, "serve": 21, "resident": 21, "deploy": 21, "live": 21, "notify": 21, "verify_statement": 21,
    "cli": 22, "__main__": 23, "__init__": 23,
}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"), key=lambda p: p.relative_to(PACKAGE).as_posix())


def package_of(path: Path) -> str:
    """The subpackage a module is in ("" for generator/__init__.py and __main__.py)."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def imported(tree: ast.AST) -> set[str]:
    """legation modules imported anywhere in the file (lazy imports inside functions included), by name:
    ``from .x import``, ``from ..pkg.x import``, ``from ..pkg import x``, ``from generator.pkg.x import``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            parts = node.module.split(".") if node.module else []
            if parts and parts[-1] not in PACKAGES:
                found.add(parts[-1] if node.level == 1 or len(parts) > 1 else parts[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator."):
            parts = node.module.split(".")
            found.add(parts[-1] if parts[-1] not in PACKAGES else "")
            if parts[-1] in PACKAGES:
                found.update(alias.name for alias in node.names)
    return found - {"", *PACKAGES}


def test_every_module_has_a_layer() -> None:
    assert {p.stem for p in modules() if p.stem != "__init__" or package_of(p) == ""} == set(LAYERS)


def test_every_module_is_in_a_known_subpackage() -> None:
    assert {package_of(p) for p in modules()} == {"", *PACKAGES}


@pytest.mark.parametrize("path", [p for p in modules() if p.stem != "__init__" or package_of(p) == ""],
                         ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_modules_import_only_lower_layers(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    upward = sorted(name for name in imported(tree) if LAYERS[name] >= LAYERS[path.stem])
    assert upward == [], f"{path.stem} (layer {LAYERS[path.stem]}) imports {upward}"


@pytest.mark.parametrize("path", [p for p in modules() if package_of(p)], ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_subpackages_import_only_their_own_or_lower_ones(path: Path) -> None:
    where = {p.stem: package_of(p) for p in modules() if p.stem != "__init__"}
    own = PACKAGES.index(package_of(path))
    upward = sorted(name for name in imported(ast.parse(path.read_text(encoding="utf-8")))
                    if PACKAGES.index(where[name]) > own)
    assert upward == [], f"{package_of(path)}/{path.stem} imports {upward}"


def test_the_layer_check_can_fail() -> None:
    tree = ast.parse("def f():\n    from ..engine.build import build\n    from ..engine import stages\n")
    assert imported(tree) == {"build", "stages"} and LAYERS["build"] >= LAYERS["site"]


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
