import importlib

from django.apps import apps
from django.core.management.base import BaseCommand

SEED_ORDER = ["clinic", "intake", "scheduling"]
# Seeded after every app's own demo: visit notes need scheduling's appointments and intake's consents.
SEED_AFTER = ["clinic.notes_demo"]


class Command(BaseCommand):
    help = "Load the demo clinic (idempotent: running it twice changes nothing). Logins are in the README."

    def handle(self, *args, **options):
        # Each app seeds its own rows through its `demo` module, so this command imports no app's internals.
        for label in SEED_ORDER:
            module_name = f"{apps.get_app_config(label).name}.demo"
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            module.seed(stdout=self.stdout)
        for module_name in SEED_AFTER:
            importlib.import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
