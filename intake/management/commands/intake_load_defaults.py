from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.management.base import TranslatedHelpCommand
from intake import consent_text, services
from intake.models import ConsentVersion
from intake.questionnaire_data import DEFINITIONS


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Load the clinic-written NDI- and ODI-style questionnaires (skipped once answered), with --consent the "
        "default consent text as a new, inactive version for a clinic admin to review and activate, and with "
        "--consent-es the demo's Spanish consent text as its own inactive version, marked as a demo translation "
        "not approved by the clinic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consent", action="store_true", help=_("also add the default consent text (inactive)"))
        parser.add_argument(
            "--consent-es",
            action="store_true",
            help=_("also add the demo Spanish consent text (inactive; a demo translation the clinic has not approved)"),
        )

    def handle(self, *args, consent=False, consent_es=False, **options):
        for definition in DEFINITIONS:
            questionnaire = services.questionnaire_load(definition=definition)
            self.stdout.write(f"questionnaire {questionnaire.code}: {questionnaire.items.count()} items")
        if consent:
            self._add("the default consent text", **consent_text.V2)
        if consent_es:
            self._add("the demo Spanish consent text", **consent_text.ES_V2)

    @transaction.atomic
    def _add(self, what: str, *, text: str, **fields) -> None:
        """One inactive version with `text`, unless a version with that exact text exists (running it again adds
        nothing); numbered after the highest version, whatever its language."""
        if ConsentVersion.objects.filter(text=text).exists():
            self.stdout.write(f"{what} is already loaded")
            return
        number = (ConsentVersion.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        version = services.consent_version_create(
            version=number, effective_date=timezone.localdate(), text=text, **fields
        )
        note = f" ({version.translation_note})" if version.translation_note else ""
        self.stdout.write(
            f"consent version {version.version} [{version.language}] added (inactive): review it and activate it "
            f"in the admin{note}"
        )
