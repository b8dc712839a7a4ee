"""The staff roles (Django groups) and the model permissions each holds.

`sync_roles` is idempotent: the data migration calls it to create the groups, and `post_migrate`
calls it again so that permissions of models added by later migrations reach the groups too.
"""

FRONT_DESK = "Front desk"
PRACTITIONER = "Practitioner"
CLINIC_ADMIN = "Clinic admin"
PATIENT = "Patient"  # not a group: a user linked to a Patient row
STAFF_ROLES = (FRONT_DESK, PRACTITIONER, CLINIC_ADMIN)

# (app_label, model) -> actions, per group. Clinic admins get every permission of our apps.
OUR_APPS = ("clinic", "intake", "scheduling")
GROUP_PERMISSIONS: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    FRONT_DESK: {
        ("clinic", "patient"): ("view", "add", "change"),
        ("clinic", "practitioner"): ("view",),
        ("clinic", "location"): ("view",),
        ("clinic", "room"): ("view",),
        ("scheduling", "appointment"): ("view", "add", "change"),
        ("scheduling", "appointmenttype"): ("view",),
        ("scheduling", "waitlistentry"): ("view", "add", "change", "delete"),
        ("scheduling", "workinghours"): ("view",),
        ("scheduling", "availabilityexception"): ("view",),
    },
    PRACTITIONER: {
        ("clinic", "patient"): ("view",),
        ("clinic", "practitioner"): ("view",),
        ("clinic", "room"): ("view",),
        ("scheduling", "appointment"): ("view", "change"),
        ("scheduling", "appointmenttype"): ("view",),
    },
}


def sync_roles(apps) -> None:
    """Create the staff groups and give each the permissions that exist now."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in STAFF_ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        if name == CLINIC_ADMIN:
            perms = Permission.objects.filter(content_type__app_label__in=OUR_APPS)
        else:
            wanted = GROUP_PERMISSIONS[name]
            codenames = [f"{action}_{model}" for (_, model), actions in wanted.items() for action in actions]
            perms = [
                p
                for p in Permission.objects.filter(codename__in=codenames).select_related("content_type")
                if (p.content_type.app_label, p.content_type.model) in wanted
            ]
        group.permissions.add(*perms)
