"""Errors in the site's own pages: the navigation bar, what happened, and a way back."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.test_access_matrix import world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.django_db


def test_a_wrong_address_is_the_sites_404_with_a_way_home(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert "Page not found" in html
    assert 'aria-label="Main navigation"' in html
    assert f'href="{reverse("home")}"' in html


def test_another_sites_participant_is_a_404_in_the_sites_style(client, coordinator_b, world):  # noqa: F811
    client.force_login(coordinator_b)
    url = reverse("enrollment:casebook", args=[world["participant"].study_id])
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_page_the_role_may_not_open_is_the_sites_403(client, investigator_a):
    client.force_login(investigator_a)
    response = client.get(reverse("followup:worklist"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html and 'data-testid="error-page"' in html


@pytest.mark.parametrize(
    ("template", "text"), [("500.html", "Something went wrong"), ("400.html", "Bad request")]
)
def test_the_500_and_400_pages_render_without_a_request(template, text):
    html = render_to_string(template)
    assert text in html and 'data-testid="error-page"' in html
