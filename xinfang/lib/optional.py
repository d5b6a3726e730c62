"""Optional hooks between apps: import a module only if it exists.

A missing module (or package) means "this app does not offer the hook"; any
other import error is a real bug and is raised.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType


def is_missing(exc: ModuleNotFoundError, module_path: str) -> bool:
    """True when the module itself (or its package) does not exist, not when
    it exists and fails to import something else."""
    return exc.name == module_path or module_path.startswith(f"{exc.name}.")


def optional_module(module_path: str) -> ModuleType | None:
    try:
        return import_module(module_path)
    except ModuleNotFoundError as exc:
        if is_missing(exc, module_path):
            return None
        raise


def optional_callable(path: str, default_name: str = ""):
    """`"package.module:function"` → the function, or None when the module or
    function does not exist."""
    module_path, _, name = path.partition(":")
    module = optional_module(module_path)
    return getattr(module, name or default_name, None) if module is not None else None
