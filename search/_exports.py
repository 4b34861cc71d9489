"""Lazy public names for the sub-packages of `conseil.search`.

Each sub-package's `__init__` lists its public API (about ten names) and where each lives; a name is
imported on first use, so `from conseil.search.index.schema import ...` does not pull in qdrant-client
and `conseil --help` stays instant. Type checkers see the real classes through the `TYPE_CHECKING`
imports beside each table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, table: Mapping[str, tuple[str, ...]]) -> tuple[list[str], Callable[[str], object]]:
    """`__all__` and a module `__getattr__` for `package`, from {submodule: names}."""
    where = {name: f"{package}.{module}" for module, names in table.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return sorted(where), __getattr__
