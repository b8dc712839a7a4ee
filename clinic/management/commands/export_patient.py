import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from clinic.models import Patient, User
from clinic.services import patient_export


class Command(BaseCommand):
    help = (
        "Write one patient's whole record as JSON (for a records request). "
        "Collects every app's export.patient_records(patient); the export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("patient_id", type=int)
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--by", metavar="EMAIL", help="staff e-mail recorded in the audit trail as the exporter")
        parser.add_argument("--reason", default="records request", help="recorded in the audit trail")

    def handle(self, *args, patient_id, output=None, by=None, reason="records request", **options):
        try:
            patient = Patient.objects.get(pk=patient_id)
        except Patient.DoesNotExist:
            raise CommandError(f"No patient with id {patient_id}.") from None
        actor = None
        if by:
            try:
                actor = User.objects.get(email__iexact=by)
            except User.DoesNotExist:
                raise CommandError(f"No user with e-mail {by}.") from None
        data = patient_export(patient=patient, actor=actor, reason=reason[:200])
        text = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        if output:
            path = Path(output)
            path.write_text(text + "\n", encoding="utf-8")
            path.chmod(0o600)  # health data: readable by the owner only
            self.stderr.write(f"Wrote {path} ({len(text)} characters).")
        else:
            self.stdout.write(text)
