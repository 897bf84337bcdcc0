"""The house rules a newcomer relies on to find things (README, "Layout"), checked on the source.

The import rules (layers, tasks over services, access modules, the audit trail) are import-linter's
contracts in ``pyproject.toml``, run by ``make lint``; these are the rules it cannot express.
"""

from __future__ import annotations

import ast
import copy
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("audit", "ccm_portal", "parties", "accounts", "reporting", "deadlines", "assistance", "progress", "api")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# A longer function says why in a comment inside it that starts so.
LONG_MARK = "# Long:"


def _sources() -> list[Path]:
    return sorted(
        path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts
    )


SOURCES = _sources()


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def test_the_rules_read_the_whole_source():
    assert len(SOURCES) > 100
    assert {path.relative_to(ROOT).parts[0] for path in SOURCES} == set(APPS)


def test_no_module_is_longer_than_600_lines():
    long = {_name(p): n for p in SOURCES if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}, "split these by role (a package named as its importers think of it)"


def test_no_function_is_longer_than_80_lines_without_saying_why():
    long = []
    for path in SOURCES:
        lines = path.read_text().splitlines()
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                body = lines[node.lineno - 1 : node.end_lineno]
                if size > MAX_FUNCTION_LINES and not any(line.strip().startswith(LONG_MARK) for line in body):
                    long.append(f"{_name(path)}:{node.lineno} {node.name} ({size} lines)")
    assert long == []


def _tests_a_role(node: ast.AST) -> bool:
    """``x.role == …``, ``x.role in …``, ``Role.X`` or ``role=``/``role__in=`` in a query."""
    if isinstance(node, ast.Compare):
        return any(isinstance(side, ast.Attribute) and side.attr == "role" for side in [node.left, *node.comparators])
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return True
    return isinstance(node, ast.keyword) and node.arg in {"role", "role__in"}


def test_only_accounts_tests_roles():
    """Everything else asks for a capability (``accounts.permissions``, through the app's ``access.py``);
    the demo seeds create one user of each role."""
    found = []
    for path in SOURCES:
        parts = path.relative_to(ROOT).parts
        if parts[0] == "accounts" or "management" in parts:
            continue
        found += [f"{_name(path)}:{n.lineno}" for n in ast.walk(_tree(path)) if _tests_a_role(n)]
    assert found == []


def _is_form_class(node: ast.ClassDef) -> bool:
    return any((ast.unparse(base).split(".")[-1]).endswith(("Form", "FormSet")) for base in node.bases)


def test_form_classes_live_in_forms_modules():
    misplaced = [
        f"{_name(path)}:{node.lineno} {node.name}"
        for path in SOURCES
        if "views" in path.relative_to(ROOT).parts or path.stem in {"views", "selectors", "services"}
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ClassDef) and _is_form_class(node)
    ]
    assert misplaced == []


@pytest.mark.parametrize("app", ["reporting", "deadlines", "assistance", "progress"])
def test_each_app_with_pages_for_signed_in_users_has_one_access_module(app):
    assert (ROOT / app / "access.py").is_file()


def test_each_app_says_what_lives_where():
    """Each app's package opens with a docstring naming its modules, so a newcomer finds a write, a rule or a
    permission from the folder names."""
    for app in APPS:
        doc = ast.get_docstring(_tree(ROOT / app / "__init__.py")) or ""
        assert len(doc.split()) >= 20, f"{app}/__init__.py says too little"


# --- The layers (the same contract ``make lint`` checks with import-linter) -------------------------------
def _layers() -> list[grimp.Layer]:
    """The layers as pyproject.toml declares them, top first ("a | b": independent siblings, "a : b": not)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (layered,) = [contract for contract in config if contract["type"] == "layers"]
    layers = []
    for line in layered["layers"]:
        independent = "|" in line
        layers.append(grimp.Layer(*(m.strip() for m in line.replace(":", "|").split("|")), independent=independent))
    return layers


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*APPS)


def _upward(graph) -> set[str]:
    found = graph.find_illegal_dependencies_for_layers(layers=_layers())
    return {f"{d.importer} -> {d.imported}" for d in found}


def test_no_import_runs_up_a_layer(graph):
    assert _upward(graph) == set()


def test_an_import_up_a_layer_is_caught_even_inside_a_function(graph):
    """The check sees what a newcomer might add: the registry reaching up for the calendar."""
    probe = copy.deepcopy(graph)
    probe.add_import(importer="parties.views", imported="deadlines.calendar", line_number=1, line_contents="")
    assert "parties -> deadlines" not in _upward(graph)
    assert "parties -> deadlines" in _upward(probe)
