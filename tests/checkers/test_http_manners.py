"""HTTP manners a monitor or a crawler expects (issue 25 part 4): HEAD answers as GET does, every public page
has a title and a description in the clinic's words, /favicon.ico is served, the cross-origin headers are sent."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.walks.test_url_matrix import MATRIX, ROLES, cast, kwargs_for  # noqa: F401 (cast is a fixture)

GET_PAGES = sorted(name for name, row in MATRIX.items() if 200 in row.values())


@pytest.mark.django_db
@pytest.mark.parametrize("name", GET_PAGES)
def test_head_answers_as_get_does(cast, name):  # noqa: F811
    url = reverse(name, kwargs=kwargs_for(name, cast))
    for role in [r for r in ROLES if MATRIX[name][r] == 200]:
        client = Client()
        if cast[role] is not None:
            client.force_login(cast[role])
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code == 200, f"{role} HEAD {name}: {head.status_code}"
        assert head["Content-Type"] == got["Content-Type"]


PUBLIC_PAGES = [name for name in GET_PAGES if MATRIX[name]["anonymous"] == 200]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_has_a_title_and_a_description(client, cast, name):  # noqa: F811
    response = client.get(reverse(name, kwargs=kwargs_for(name, cast)))
    if "text/html" not in response["Content-Type"]:
        pytest.skip(f"{name} is not a page")
    page = response.content.decode()
    title = re.search(r"<title>([^<]+)</title>", page)
    description = re.search(r'<meta name="description" content="([^"]+)">', page)
    assert title and title.group(1).strip(), name
    assert description and "chiropractic" in description.group(1), name


def test_the_home_page_answers_head_for_uptime_monitors(client, db):
    assert client.head("/").status_code == 200


def test_favicon_ico_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")


def test_cross_origin_and_feature_headers_are_sent(client, db):
    response = client.get("/")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
