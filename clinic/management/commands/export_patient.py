import datetime as dt
import json
from pathlib import Path

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.management.base import TranslatedHelpCommand
from clinic.models import Patient, User
from clinic.records.pdf import RecordNotFound
from clinic.records.services import records_fhir, records_pdf
from clinic.services import patient_export


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(value)r is not a date: write it as YYYY-MM-DD.") % {"value": value}) from None


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Write one patient's whole record as JSON (default), a FHIR R4 Bundle or a PDF (for a records request). "
        "Collects every app's export.patient_records(patient); the export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("patient_id", type=int)
        parser.add_argument("--output", "-o", help=_("file to write (default: standard output)"))
        parser.add_argument("--by", metavar="EMAIL", help=_("staff e-mail recorded in the audit trail as the exporter"))
        parser.add_argument("--reason", default="records request", help=_("recorded in the audit trail"))
        parser.add_argument("--format", choices=["json", "fhir", "pdf"], default="json", dest="fmt")
        parser.add_argument("--start", help=_("PDF only: first day (YYYY-MM-DD) of the records to include"))
        parser.add_argument("--end", help=_("PDF only: last day (YYYY-MM-DD) of the records to include"))

    def handle(self, *args, patient_id, output=None, by=None, reason="records request", fmt="json", **options):
        try:
            patient = Patient.objects.get(pk=patient_id)
        except Patient.DoesNotExist:
            raise CommandError(_("No patient with id %(id)s.") % {"id": patient_id}) from None
        actor = None
        if by:
            try:
                actor = User.objects.get(email__iexact=by)
            except User.DoesNotExist:
                raise CommandError(_("No user with e-mail %(email)s.") % {"email": by}) from None
        if fmt == "pdf":
            if not output:
                raise CommandError(_("A PDF needs --output FILE."))
            start = _day(options["start"]) if options.get("start") else None
            end = _day(options["end"]) if options.get("end") else None
            try:
                content = records_pdf(patient=patient, actor=actor, reason=reason, start=start, end=end)
            except (ValueError, RecordNotFound) as exc:
                raise CommandError(str(exc)) from None
            path = Path(output)
            path.write_bytes(content)
            path.chmod(0o600)
            self.stderr.write(f"Wrote {path} ({len(content)} bytes).")
            return
        if fmt == "fhir":
            try:
                data = records_fhir(patient=patient, actor=actor, reason=reason)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        else:
            data = patient_export(patient=patient, actor=actor, reason=reason[:200])
        text = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        if output:
            path = Path(output)
            path.write_text(text + "\n", encoding="utf-8")
            path.chmod(0o600)  # health data: readable by the owner only
            self.stderr.write(f"Wrote {path} ({len(text)} characters).")
        else:
            self.stdout.write(text)
