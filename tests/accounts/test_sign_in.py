"""Signing in: e-mail and password, rate-limited; a second factor for those who enrolled one."""

import pytest
from django.core import mail

from tests.factories import PASSWORD
from tests.helpers import totp_now

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_focal_point_signs_in_with_email_and_password(client, focal_point):
    response = client.post(LOGIN, {"login": focal_point.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert client.get("/me/").status_code == 200


def test_wrong_password_is_refused(client, focal_point):
    response = client.post(LOGIN, {"login": focal_point.email, "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get("/me/").status_code == 302


def test_login_is_rate_limited_after_repeated_failures(client, focal_point):
    for _attempt in range(5):
        client.post(LOGIN, {"login": focal_point.email, "password": "wrong"})
    response = client.post(LOGIN, {"login": focal_point.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/me/").status_code == 302  # even the right password is refused for now


def test_isu_staff_with_an_authenticator_must_give_the_code(client, isu_staff):
    response = client.post(LOGIN, {"login": isu_staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/me/").status_code == 302  # not signed in until the code is given
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_now(isu_staff.totp_secret)})
    assert response.status_code == 302
    assert client.get("/isu/").status_code == 200


def test_wrong_totp_code_is_refused_and_counts_toward_the_rate_limit(client, isu_staff):
    client.post(LOGIN, {"login": isu_staff.email, "password": PASSWORD})
    good = totp_now(isu_staff.totp_secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    for _attempt in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": wrong})
    response = client.post("/accounts/2fa/authenticate/", {"code": good})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/me/").status_code == 302


def test_admin_login_goes_through_the_rate_limited_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_password_reset_by_email(client, focal_point):
    response = client.post("/accounts/password/reset/", {"email": focal_point.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_csrf_is_enforced_on_sign_in(focal_point):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(LOGIN, {"login": focal_point.email, "password": PASSWORD})
    assert response.status_code == 403
