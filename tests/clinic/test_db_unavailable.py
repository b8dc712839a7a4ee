"""While the database is down, pages answer 503 "temporarily unavailable" (not the 500 page)."""

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    def go_down():
        monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)

    return go_down


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Temporarily unavailable" in page and "try again in a minute" in page
    assert "Something went wrong" not in page


@pytest.mark.django_db
def test_a_view_whose_database_fails_answers_503(database_down, caplog):
    client = Client()
    database_down()
    response = client.get(reverse("scheduling:book_start"))  # anonymous: the view is the first to query
    assert_unavailable(response)
    assert "Database unavailable: GET /book/" in caplog.text


@pytest.mark.django_db
def test_a_logged_in_page_whose_session_cannot_load_answers_503(database_down, front_desk):
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    database_down()  # now the session middleware fails before any view runs
    assert_unavailable(client.get(reverse("scheduling:frontdesk_home")))


@pytest.mark.django_db
def test_a_lost_connection_mid_request_answers_503_too(monkeypatch):
    def lost(self, *args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", lost)
    assert_unavailable(Client().get(reverse("scheduling:book_start")))


@pytest.mark.django_db
def test_any_other_error_is_still_the_500_page(monkeypatch):
    def broken(self, *args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", broken)
    response = Client(raise_request_exception=False).get(reverse("scheduling:book_start"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
