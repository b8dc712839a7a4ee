"""The waitlist: its list, adding a patient, offering a freed time by e-mail, and removing an entry."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.audit import SAFE_OR_POST, acts_on_object, audit_read, reads_page
from clinic.domain_errors import attempt, attempt_form
from scheduling import selectors, services
from scheduling.forms import WaitlistForm
from scheduling.models import WaitlistEntry
from scheduling.permissions import get_appointment_for_user
from scheduling.views.common import picker_context, posted


@reads_page("schedule.manage")
def waitlist_list(request: HttpRequest) -> HttpResponse:
    audit_read(request, None, "waitlist")
    return render(request, "scheduling/waitlist_list.html", {"entries": selectors.waitlist_active()})


# The waitlist form's fields that `services.waitlist_add` takes as they are (the practitioners as a list).
WAITLIST_FIELDS = ("patient", "appointment_type", "earliest_date", "latest_date", "time_from", "time_to", "notes")


@reads_page("schedule.manage", methods=SAFE_OR_POST)
def waitlist_add(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"earliest_date": today, "latest_date": today + dt.timedelta(days=14)}
    if "patient" in request.GET:
        initial["patient"] = request.GET["patient"]
    form = WaitlistForm(posted(request), initial=initial)
    if request.method == "POST":
        entry = attempt_form(
            request,
            form,
            lambda: services.waitlist_add(
                **{name: form.cleaned_data[name] for name in WAITLIST_FIELDS},
                practitioners=list(form.cleaned_data["practitioners"]),
                actor=request.user,
                request=request,
            ),
            success=lambda entry: _("%(name)s is on the waitlist.") % {"name": entry.patient.full_name},
        )
        if entry is not None:
            return redirect("scheduling:waitlist_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "scheduling/waitlist_form.html", {"form": form, **picker_context(request, form)}, status=status
    )


def _waitlist_entry(user, pk: int) -> WaitlistEntry:
    """An entry still on the waitlist (those who manage the schedule see every one); 404 once it has left."""
    entry = selectors.waitlist_entry_active(pk)
    if entry is None:
        raise Http404("That patient is no longer on the waitlist.")
    return entry


@acts_on_object("schedule.manage", _waitlist_entry)
def waitlist_offer(request: HttpRequest, entry: WaitlistEntry, appointment_pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_pk)
    attempt(
        request,
        lambda: services.waitlist_offer(entry=entry, appointment=appointment, actor=request.user, request=request),
        success=_("Offered to %(name)s by e-mail.") % {"name": entry.patient.full_name},
    )
    return redirect("scheduling:appointment_detail", pk=appointment.pk)


@acts_on_object("schedule.manage", _waitlist_entry)
def waitlist_remove(request: HttpRequest, entry: WaitlistEntry) -> HttpResponse:
    services.waitlist_remove(entry=entry, actor=request.user, request=request)
    messages.success(request, _("Removed from the waitlist."))
    return redirect("scheduling:waitlist_list")
