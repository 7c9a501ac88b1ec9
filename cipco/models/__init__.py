"""Every table, each in its own module of this package, loaded when first used.

``import cipco.models`` loads none of them: a command that reads the settings needs three
tables, not thirty (each model module costs start-up time), so code imports the module that
defines what it uses (``from cipco.models.referral import Referral``). :func:`load_all`
imports every module here, so ``SQLModel.metadata`` is complete (migrations, stamping a
site, ``holds_records``); a new model module needs no line here. ``from cipco.models import
Referral`` still works: it loads every module, then finds the name.

Importing the package loads nothing else (not even SQLModel): :mod:`cipco.models.vocab`
and :mod:`cipco.models.labelled` are plain Python, for the rules that run before any model
is needed. The model bases (:mod:`cipco.models.types`, :mod:`cipco.models.reference`) import
:mod:`cipco.models._deferred` first, before any model class is made.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any


def modules() -> list[ModuleType]:
    """Every module of this package, imported (their tables are then in the metadata)."""
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
        if not info.ispkg
    ]


def load_all() -> None:
    """Import every model module: every table is then in ``SQLModel.metadata``."""
    modules()


def __getattr__(name: str) -> Any:
    if not name.startswith("_"):
        for module in modules():
            found = getattr(module, name, None)
            if isinstance(found, type) and found.__module__ == module.__name__:
                return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
