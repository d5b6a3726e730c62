"""The two import circles of issue 11 stay broken: `alerts` never imports
`stats` (stats reads the alerts, not the reverse) and petitions.models never
reaches petitions.access, directly or through another module.

A static check over the source: every import statement counts, including the
ones inside functions that a run-time check of sys.modules would miss."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the xinfang package


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _sources() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in ROOT.rglob("*.py")
        if "tests" not in p.relative_to(ROOT).parts and "migrations" not in p.relative_to(ROOT).parts
    }


def imports_of(module: str) -> set[str]:
    """The xinfang modules `module` imports anywhere in its file."""
    path = _sources()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            names = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(n for n in names if n in _sources())
    return found


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in imports_of(todo.pop()) - seen:
            seen.add(target)
            todo.append(target)
    return seen


def test_the_import_check_sees_relative_and_function_level_imports():
    # access imports models at the top (relative); accounts.models imports
    # units.models inside a method, and calendars.apps imports inside ready().
    assert "xinfang.petitions.models" in imports_of("xinfang.petitions.access")
    assert "xinfang.units.models" in imports_of("xinfang.accounts.models")
    assert "xinfang.calendars.receivers" in imports_of("xinfang.calendars.apps")


def test_petition_models_never_reach_access():
    assert "xinfang.petitions.access" not in reachable("xinfang.petitions.models")


def test_alerts_never_import_stats():
    alerts = [m for m in _sources() if m == "xinfang.alerts" or m.startswith("xinfang.alerts.")]
    offenders = {m: sorted(t for t in imports_of(m) if t.startswith("xinfang.stats")) for m in alerts}
    assert not {m: t for m, t in offenders.items() if t}
    assert not any(t.startswith("xinfang.stats") for m in alerts for t in reachable(m))
