from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class ClinicAccountAdapter(DefaultAccountAdapter):
    """Sends every role to its own home after login (see clinic.views.home_for_role)."""

    def get_login_redirect_url(self, request):
        return reverse("clinic:home_for_role")
