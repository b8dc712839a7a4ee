import importlib

from django.apps import apps
from django.utils.translation import gettext_lazy

from clinic.apphooks import app_module
from clinic.management.base import TranslatedHelpCommand

SEED_ORDER = ["clinic", "intake", "scheduling"]
# Seeded after every app's own demo: visit notes need scheduling's appointments and intake's consents.
SEED_AFTER = ["clinic.notes_demo", "clinic.careplans.demo", "reports.demo"]


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Load the demo clinic (idempotent: running it twice changes nothing). Logins are in the README."
    )

    def handle(self, *args, **options):
        # Each app seeds its own rows through its `demo` module, so this command imports no app's internals.
        for label in SEED_ORDER:
            module = app_module(apps.get_app_config(label), "demo")
            if module is not None:
                module.seed(stdout=self.stdout)
        for module_name in SEED_AFTER:
            importlib.import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
