"""`manage.py export_clinic FOLDER --by EMAIL --reason WHY`: every patient's FHIR bundle and whole-record PDF."""

import hashlib
import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from clinic.management.base import TranslatedHelpCommand
from clinic.models import Patient, User
from clinic.records.services import records_bundle_and_pdf


def _write(path: Path, content: bytes) -> dict:
    path.write_bytes(content)
    path.chmod(0o600)  # health data: readable by the owner only
    return {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Write every patient's record to FOLDER (for leaving the software or a backup in another system): "
        "patient-<id>/bundle.json (FHIR R4) and patient-<id>/record.pdf, and manifest.json with counts and "
        "SHA-256 checksums. Each patient's export is audited with --by and --reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--by", metavar="EMAIL", required=True, help=_("staff e-mail recorded as the exporter"))
        parser.add_argument("--reason", required=True, help=_("why, recorded in the audit trail"))

    def handle(self, *args, folder, by, reason, **options):
        if not reason.strip():
            raise CommandError(_("Give the reason for the export (it is recorded in the audit trail)."))
        try:
            actor = User.objects.get(email__iexact=by)
        except User.DoesNotExist:
            raise CommandError(_("No user with e-mail %(email)s.") % {"email": by}) from None
        root = Path(folder)
        if root.exists() and any(root.iterdir()):
            raise CommandError(_("%(folder)s is not empty: export into a new or empty folder.") % {"folder": root})
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o700)
        patients = list(Patient.objects.filter(merged_into__isnull=True).order_by("pk"))
        totals: Counter = Counter()
        entries = []
        for patient in tqdm(patients, desc="Patients", unit="patient", file=self.stderr._out, disable=None):
            bundle, pdf_bytes = records_bundle_and_pdf(patient=patient, actor=actor, reason=reason)
            folder_of = root / f"patient-{patient.pk}"
            folder_of.mkdir(mode=0o700)
            counts = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
            totals.update(counts)
            text = json.dumps(bundle, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False) + "\n"
            entries.append(
                {
                    "patient_id": patient.pk,
                    "resources": dict(sorted(counts.items())),
                    "files": {
                        f"{folder_of.name}/bundle.json": _write(folder_of / "bundle.json", text.encode()),
                        f"{folder_of.name}/record.pdf": _write(folder_of / "record.pdf", pdf_bytes),
                    },
                }
            )
        manifest = {
            "clinic": settings.CLINIC_NAME,
            "exported_at": timezone.now(),
            "exported_by": actor.email,
            "reason": reason,
            "patients": len(entries),
            "resources": dict(sorted(totals.items())),
            "entries": entries,
        }
        _write(root / "manifest.json", (json.dumps(manifest, cls=DjangoJSONEncoder, indent=2) + "\n").encode())
        self.stderr.write(f"Wrote {len(entries)} patients to {root} (see manifest.json).")
