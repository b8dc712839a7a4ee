"""A signed-in request spends one query on who the user is (issue 14): the roles, the patient record, the guardian
links and the practitioner row come together (`clinic.permissions.roles_of`), and the TOTP check is answered by
the session after login."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import User
from clinic.permissions import PRACTITIONER, practitioner_of, roles_of

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)  # nothing cached on it


def test_a_practitioners_row_comes_with_the_roles(practitioner_a, django_assert_num_queries):
    user = fresh(practitioner_a.user)
    with django_assert_num_queries(1):
        assert PRACTITIONER in roles_of(user)
        assert practitioner_of(user) == practitioner_a
        assert user.practitioner.display_name == practitioner_a.display_name
        assert roles_of(user) == roles_of(user)


def test_anyone_else_has_none_and_no_query_says_so(front_desk, patient_a, django_assert_num_queries):
    for user in (fresh(front_desk), fresh(patient_a.user)):
        with django_assert_num_queries(1):
            roles_of(user)
            assert getattr(user, "practitioner", None) is None


def test_a_practitioners_page_reads_the_session_the_user_and_the_roles_once_each(client, practitioner_a):
    client.force_login(practitioner_a.user)
    assert client.get(reverse("clinic:practitioner_home")).status_code == 200  # the first checks TOTP once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("clinic:practitioner_home")).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("django_session" in s for s in sql) == 1
    assert sum('"groups__name"' in s for s in sql) == 1
    assert not [s for s in sql if "mfa_authenticator" in s]
    assert not [s for s in sql if s.startswith('SELECT "clinic_practitioner"') and '"user_id" =' in s]
