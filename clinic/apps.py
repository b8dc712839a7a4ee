from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate

from clinic.roles import sync_roles


def _sync_roles(sender, **kwargs):
    sync_roles(apps)


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        # Permissions of models added by later migrations reach the staff groups too.
        post_migrate.connect(_sync_roles, dispatch_uid="clinic.sync_roles")
        from clinic import signals

        signals.connect()
