from django.core.management.base import BaseCommand
from django.utils import timezone

from intake import consent_text, services
from intake.models import ConsentVersion
from intake.questionnaire_data import DEFINITIONS


class Command(BaseCommand):
    help = (
        "Load the clinic-written NDI- and ODI-style questionnaires (skipped once answered), and with --consent the "
        "default consent text as a new, inactive version for a clinic admin to review and activate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consent", action="store_true", help="also add the default consent text (inactive)")

    def handle(self, *args, consent=False, **options):
        for definition in DEFINITIONS:
            questionnaire = services.questionnaire_load(definition=definition)
            self.stdout.write(f"questionnaire {questionnaire.code}: {questionnaire.items.count()} items")
        if consent:
            if ConsentVersion.objects.filter(text=consent_text.V2_TEXT).exists():
                self.stdout.write("the default consent text is already loaded")
            else:
                number = (
                    ConsentVersion.objects.order_by("-version").values_list("version", flat=True).first() or 0
                ) + 1
                version = services.consent_version_create(
                    title=consent_text.TITLE,
                    version=number,
                    effective_date=timezone.localdate(),
                    text=consent_text.V2_TEXT,
                    risks=consent_text.RISKS,
                )
                self.stdout.write(f"consent version {version.version} added (inactive): activate it in the admin")
