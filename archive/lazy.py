"""Package attributes imported on first use (PEP 562), for the package ``__init__`` files.

A package that re-exports its public names eagerly makes every process that imports any one
of its modules load all of them: a worker that only packs bodies would load the parser and
the whole store. With ``lazy_exports`` the names stay importable from the package
(``from archive.store import ArchiveDB``) and each defining module loads when first asked.
"""

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package``, whose ``exports`` map each
    public name to the module that defines it."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        vars(importlib.import_module(package))[name] = value  # looked up once
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(importlib.import_module(package)), *exports})

    return __getattr__, __dir__
