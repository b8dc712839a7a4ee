"""Optional per-app modules (`<app>.demo`, `<app>.export`, `<app>.care_team`): how the core reaches into apps
without importing them."""

import importlib
from types import ModuleType

from django.apps import AppConfig, apps


def app_module(config: AppConfig, submodule: str) -> ModuleType | None:
    """`<app>.<submodule>` if the app has one, else None; an ImportError inside the module still raises."""
    module_name = f"{config.name}.{submodule}"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None


def practitioner_for(patient):
    """The practitioner who should hear first about this patient, asked of every app's optional `care_team`
    module (`practitioner_for(patient)`); None when no app knows one (the clinic's own address is used then)."""
    for config in apps.get_app_configs():
        module = app_module(config, "care_team")
        if module is not None:
            found = module.practitioner_for(patient)
            if found is not None:
                return found
    return None
