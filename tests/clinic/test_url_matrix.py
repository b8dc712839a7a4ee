"""Role x URL matrix: every URL pattern of our apps, requested by every role.

A new URL pattern without a row here fails `test_every_url_has_a_row`, so no view ships unchecked.
Statuses: 200 page, 302 redirect (to login for anonymous users; to the role's home for `home_for_role`),
403 wrong role, 404 an object the user may not see.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["anonymous", "patient", "front_desk", "practitioner", "admin"]
OUR_NAMESPACES = {"clinic", "scheduling", "intake"}


def R(anonymous, patient, front_desk, practitioner, admin):
    return dict(zip(ROLES, (anonymous, patient, front_desk, practitioner, admin), strict=True))


LOGIN = 302
# name -> expected GET status per role. Object URLs point at patient A's rows; "patient" is patient A.
MATRIX = {
    "clinic:index": R(200, 200, 200, 200, 200),
    "clinic:home_for_role": R(302, 302, 302, 302, 302),
    "clinic:healthz": R(200, 200, 200, 200, 200),
    "clinic:practitioner_home": R(LOGIN, 403, 403, 200, 403),
    "clinic:patient_search": R(LOGIN, 403, 200, 200, 200),
    "clinic:patient_create": R(LOGIN, 403, 200, 403, 200),
    "clinic:patient_detail": R(LOGIN, 200, 200, 200, 200),
    "clinic:patient_edit": R(LOGIN, 200, 200, 403, 200),
    "clinic:patient_access_log": R(LOGIN, 403, 403, 403, 200),
    "clinic:logout_everywhere": R(405, 405, 405, 405, 405),  # POST only
    "scheduling:frontdesk_home": R(LOGIN, 403, 200, 200, 200),
    "scheduling:account_home": R(LOGIN, 200, 403, 403, 403),
    "scheduling:book_start": R(200, 200, 200, 200, 200),
    "intake:intake_home": R(LOGIN, 200, 403, 403, 403),
}


# GET URLs that show patient data: every role that gets 200 in MATRIX must leave exactly one audit row about
# patient A (tests/clinic/test_security_generic.py). Add each new patient-data page here.
PHI_URLS = {
    "clinic:patient_detail",
    "clinic:patient_access_log",
}


def url_names():
    names = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and namespace in OUR_NAMESPACES:
                names.append(f"{namespace}:{p.name}")

    walk(get_resolver().url_patterns, None)
    return sorted(set(names))


def test_every_url_has_a_row():
    missing = [name for name in url_names() if name not in MATRIX]
    assert not missing, f"add these URL names to MATRIX in {__file__}: {missing}"


@pytest.fixture
def cast(patient_a, patient_b, front_desk, practitioner_a, clinic_admin):
    return {
        "anonymous": None,
        "patient": patient_a.user,
        "front_desk": front_desk,
        "practitioner": practitioner_a.user,
        "admin": clinic_admin,
        "objects": {"patient": patient_a},
    }


# URL kwargs for patterns that take them, built from the cast's objects (patient A's rows).
URL_KWARGS = {
    "clinic:patient_detail": lambda o: {"pk": o["patient"].pk},
    "clinic:patient_edit": lambda o: {"pk": o["patient"].pk},
    "clinic:patient_access_log": lambda o: {"pk": o["patient"].pk},
}


def kwargs_for(name, cast):
    return URL_KWARGS[name](cast["objects"]) if name in URL_KWARGS else {}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(client, cast, name, role):
    user = cast[role]
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs_for(name, cast)))
    expected = MATRIX[name][role]
    assert response.status_code == expected, f"{role} GET {name}: {response.status_code}, expected {expected}"
    if role == "anonymous" and expected == LOGIN and name != "clinic:home_for_role":
        assert response["Location"].startswith(reverse("account_login"))
