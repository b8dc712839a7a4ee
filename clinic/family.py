"""Families: a guardian's account acting for their children's records (services and reads of the concern).

A `GuardianLink` says that a login may act for a child's Patient row: book for them, fill their intake, sign
their consent as "parent or legal guardian", see their appointments. The account holder adds a child online
(`dependant_add`), or the front desk links an existing record to a guardian's account (`guardian_link`) and
can end the link (`guardian_link_end`). A child who reaches CLINIC_AGE_OF_CONSENT is detached
(`dependants_detach_adults`, run daily by `manage.py detach_adult_dependants`): the guardian loses access,
the record stays the child's, and they are invited to an account of their own.

Which record a patient account is using is `clinic.permissions.acting_patient` (the choice is kept in the
session, `acting_for_set`); `can()` admits a guardian to their linked children's rows.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinic.models import AuditEvent, GuardianLink, OutgoingNotice, Patient, User
from clinic.outbox import notice_queue
from clinic.permissions import ACTING_FOR, family_patient_ids, patient_of
from clinic.services import save_audited, update_audited

ADULT_REASON = "reached the age of consent"


# --- Reads ---------------------------------------------------------------------------------------------------


def dependant_links(user) -> list[GuardianLink]:
    """The active links of this login to children's records, children in first-name order."""
    if user is None or not user.is_authenticated:
        return []
    return list(GuardianLink.objects.filter(guardian_id=user.pk, ended_at__isnull=True).select_related("dependant"))


def family_members(user) -> list[Patient]:
    """The records a patient account may act for: their own first (if they have one), then their children."""
    own = patient_of(user)
    return ([own] if own is not None else []) + [link.dependant for link in dependant_links(user)]


def guardian_links_of(patient: Patient) -> list[GuardianLink]:
    """Every link of a child's record, active first, for the front desk's patient page."""
    return list(patient.guardian_links.select_related("guardian", "created_by", "ended_by").order_by("-ended_at", "pk"))


def guardian_link_of(patient: Patient, pk: int) -> GuardianLink | None:
    """One link of this child's record by id, or None."""
    return GuardianLink.objects.filter(dependant=patient, pk=pk).select_related("guardian").first()


def guardian_emails(patient: Patient) -> list[str]:
    """Where notices about a child without their own address go: their active guardians' logins."""
    links = GuardianLink.objects.filter(dependant=patient, ended_at__isnull=True).select_related("guardian")
    return [link.guardian.email for link in links]


def notice_address(patient: Patient) -> tuple[str, str]:
    """(address, guardian's name) for a notice about `patient`: their own address, else their first active
    guardian's (the name then says whom the e-mail greets); ("", "") when there is none."""
    if patient.email:
        return patient.email, ""
    link = (
        GuardianLink.objects.filter(dependant=patient, ended_at__isnull=True)
        .select_related("guardian__patient")
        .order_by("pk")
        .first()
    )
    if link is None:
        return "", ""
    guardian = link.guardian
    own = getattr(guardian, "patient", None)
    name = (own.preferred_name or own.first_name) if own is not None else (guardian.first_name or "")
    return guardian.email, name


# --- Writes --------------------------------------------------------------------------------------------------


def _check_minor(patient_dob: dt.date, field: str = "date_of_birth") -> None:
    today = timezone.localdate()
    if patient_dob > today:
        raise ValidationError({field: _("The date of birth is in the future. Check the year.")})
    probe = Patient(first_name="x", last_name="x", date_of_birth=patient_dob)
    if not probe.is_minor(today):
        raise ValidationError(
            {
                field: _(
                    "A family account holds children under %(age)s. "
                    "Someone this age books with an account of their own."
                )
                % {"age": settings.CLINIC_AGE_OF_CONSENT}
            }
        )


@transaction.atomic
def dependant_add(
    *,
    guardian: User,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    sex: str,
    relationship: str,
    request=None,
) -> GuardianLink:
    """The account holder adds their child: a new patient record for the child, linked to this login."""
    _check_minor(date_of_birth)
    own = patient_of(guardian)
    guardian_name = own.full_name if own is not None else (guardian.get_full_name() or guardian.email)
    child = Patient(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        sex=sex or Patient.Sex.UNDISCLOSED,
        guardian_name=guardian_name,
        guardian_relationship=relationship,
        guardian_phone=own.phone if own is not None else "",
        address_line1=own.address_line1 if own is not None else "",
        address_line2=own.address_line2 if own is not None else "",
        city=own.city if own is not None else "",
        region=own.region if own is not None else "",
        postal_code=own.postal_code if own is not None else "",
    )
    save_audited(child, actor=guardian, action=AuditEvent.Action.CREATE, request=request, detail="added by guardian")
    return _link_create(guardian=guardian, dependant=child, relationship=relationship, actor=guardian, request=request)


@transaction.atomic
def guardian_link(*, patient: Patient, guardian_email: str, relationship: str, actor, request=None) -> GuardianLink:
    """The front desk links a child's existing record to a guardian's existing account."""
    email = (guardian_email or "").strip()
    guardian = User.objects.filter(email__iexact=email, is_active=True).first()
    if guardian is None:
        raise ValidationError(
            {"guardian_email": f"No account uses {email or 'that address'}. Ask the parent to sign up online first."}
        )
    if guardian.groups.exists() or guardian.is_superuser:
        raise ValidationError({"guardian_email": f"{email} is a staff account; link a parent's own account."})
    if getattr(guardian, "patient", None) is not None and guardian.patient.pk == patient.pk:
        raise ValidationError({"guardian_email": "That account is the patient's own."})
    _check_minor(patient.date_of_birth, field="guardian_email")
    if GuardianLink.objects.filter(guardian=guardian, dependant=patient, ended_at__isnull=True).exists():
        raise ValidationError({"guardian_email": f"{email} already acts for {patient.full_name}."})
    return _link_create(guardian=guardian, dependant=patient, relationship=relationship, actor=actor, request=request)


def _link_create(*, guardian: User, dependant: Patient, relationship: str, actor, request) -> GuardianLink:
    """Link a guardian's account to a child's record, audited on the child's record."""
    link = GuardianLink(guardian=guardian, dependant=dependant, relationship=relationship, created_by=actor)
    save_audited(
        link,
        actor=actor,
        action=AuditEvent.Action.CREATE,
        patient=dependant,
        request=request,
        detail=f"guardian link: {guardian.email} ({relationship})",
    )
    _forget_family(guardian)
    return link


@transaction.atomic
def guardian_link_end(*, link: GuardianLink, actor, reason: str, request=None) -> GuardianLink:
    """End a link: the guardian can no longer act for the child (the row stays, with who ended it and why)."""
    link = GuardianLink.objects.select_for_update().get(pk=link.pk)
    if link.ended_at is not None:
        raise ValidationError("This link has already ended.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the link ends (for the record)."})
    update_audited(
        link,
        {
            "ended_at": timezone.now(),
            "ended_by": actor if getattr(actor, "is_authenticated", False) else None,
            "end_reason": reason[:200],
        },
        actor=actor,
        patient=link.dependant,
        request=request,
        detail=f"guardian link ended: {link.guardian.email}: {reason[:200]}",
    )
    _forget_family(link.guardian)
    return link


def dependants_detach_adults(*, today: dt.date | None = None) -> int:
    """End every link whose child has reached the age of consent; tell the guardian, and invite the young adult
    to an account of their own when the record has their address. Answers how many links ended."""
    today = today or timezone.localdate()
    ended = 0
    links = GuardianLink.objects.filter(ended_at__isnull=True).select_related("dependant", "guardian")
    for link in links:
        child = link.dependant
        if child.is_minor(today):
            continue
        with transaction.atomic():
            guardian_link_end(link=link, actor=None, reason=ADULT_REASON)
            signup = settings.CLINIC_SITE_URL + reverse("account_signup")
            values = {
                "clinic": settings.CLINIC_NAME,
                "phone": settings.CLINIC_PHONE,
                "age": settings.CLINIC_AGE_OF_CONSENT,
                "signup": signup,
                "first_name": child.first_name,
                "full_name": child.full_name,
                "name": child.preferred_name or child.first_name,
                "email": child.email,
            }
            with translation.override(child.language):  # the family's language, as on the child's record
                notice_queue(
                    kind=OutgoingNotice.Kind.FAMILY,
                    patient=child,
                    recipient=link.guardian.email,
                    subject=_("%(clinic)s: %(first_name)s now has their own record") % values,
                    body=_(
                        "Hello,\n\n%(full_name)s is now %(age)s: from today their appointments, intake and consent "
                        "are theirs to manage, and your account no longer shows them. They can make their own "
                        "account at %(signup)s with their own e-mail address.\n\n%(clinic)s · %(phone)s\n"
                    )
                    % values,
                )
                if child.email:
                    notice_queue(
                        kind=OutgoingNotice.Kind.FAMILY,
                        patient=child,
                        recipient=child.email,
                        subject=_("%(clinic)s: your own account") % values,
                        body=_(
                            "Hello %(name)s,\n\nNow that you are %(age)s, your record at %(clinic)s is yours to "
                            "manage. Make your account with this address (%(email)s) at %(signup)s to book, change "
                            "appointments and fill your forms yourself.\n\n%(clinic)s · %(phone)s\n"
                        )
                        % values,
                    )
        ended += 1
    return ended


def acting_for_set(request, patient_id: int | None) -> Patient | None:
    """Choose which family member's pages this patient account uses (None: their own). Refuses a record the
    account may not act for (ValidationError) and answers the record chosen."""
    user = request.user
    own = patient_of(user)
    if patient_id is None or (own is not None and patient_id == own.pk):
        request.session.pop(ACTING_FOR, None)
        return own
    if patient_id not in family_patient_ids(user):
        raise ValidationError(_("You can act only for yourself and the children linked to your account."))
    request.session[ACTING_FOR] = patient_id
    return Patient.objects.get(pk=patient_id)


def _forget_family(user) -> None:
    """A link changed: the per-request caches of `roles_of` and `family_patient_ids` are stale."""
    for name in ("_clinic_family_ids", "_clinic_roles"):
        if hasattr(user, name):
            delattr(user, name)
