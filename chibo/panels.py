"""Panels other apps add to the home page and to the unit page, so each app
owns its own part of those pages.

An app adds a `panels.py` with either or both of:

    def home_panels(request) -> list[Panel]
    def unit_panels(request, unit) -> list[Panel]

Each Panel names a template and its context; panels are shown in
INSTALLED_APPS order, then by `order`.
"""

import functools
import importlib
from dataclasses import dataclass, field

from django.apps import apps


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


@functools.cache
def _modules() -> tuple:
    """The apps' panels modules, looked for once per process (a failed
    import searches the file system again each time)."""
    found = []
    for config in apps.get_app_configs():
        if config.name == "chibo":
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.panels"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.panels":
                raise
    return tuple(found)


def home_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for module in _modules():
        if hasattr(module, "home_panels"):
            panels += module.home_panels(request)
    return sorted(panels, key=lambda p: p.order)


def unit_panels(request, unit) -> list[Panel]:
    panels: list[Panel] = []
    for module in _modules():
        if hasattr(module, "unit_panels"):
            panels += module.unit_panels(request, unit)
    return sorted(panels, key=lambda p: p.order)
