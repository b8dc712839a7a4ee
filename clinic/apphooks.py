"""Optional per-app modules (`<app>.demo`, `<app>.export`): how the core reaches into apps without importing them."""

import importlib
from types import ModuleType

from django.apps import AppConfig


def app_module(config: AppConfig, submodule: str) -> ModuleType | None:
    """`<app>.<submodule>` if the app has one, else None; an ImportError inside the module still raises."""
    module_name = f"{config.name}.{submodule}"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None
