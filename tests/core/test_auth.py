"""Logging in and out, in Chinese; brute force locked out by django-axes."""
import base64

import pytest
from django.conf import settings

from ..conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(zone_a):
    return make_user("wang", zone_a, "staff")


def login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_login_page_is_in_chinese(client):
    r = client.get("/login/")
    html = r.content.decode()
    assert r.status_code == 200 and '<html lang="zh-hans">' in html
    for text in ("登录开发区运营平台", "用户名", "密码", "登录"):
        assert text in html


def test_pages_send_anonymous_users_to_the_login_page(client):
    r = client.get("/registry/enterprises/?scale=above")
    assert r.status_code == 302 and r["Location"] == "/login/?next=/registry/enterprises/%3Fscale%3Dabove"


def test_login_and_logout(client, user):
    r = login(client, "wang", "pw-wang")
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/registry/enterprises/").status_code == 200
    assert client.get("/logout/").status_code == 405  # logging out needs a POST (with CSRF)
    r = client.post("/logout/")
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert client.get("/registry/enterprises/").status_code == 302


def test_wrong_password_says_so_in_chinese(client, user):
    r = login(client, "wang", "wrong")
    assert r.status_code == 200
    assert "用户名或密码不正确" in r.content.decode()


def test_brute_force_is_locked_out(client, user, zone_a):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert login(client, "wang", "guess").status_code == 200
    r = login(client, "wang", "guess")  # the limit-th failure locks
    assert r.status_code in (403, 429)
    html = r.content.decode()
    assert "登录失败次数过多" in html and "锁定" in html
    # Locked: even the right password is refused now …
    r = login(client, "wang", "pw-wang")
    assert r.status_code in (403, 429) and "登录失败次数过多" in r.content.decode()
    assert "_auth_user_id" not in client.session
    # … while another account from the same address is not (username + address are locked together).
    make_user("li", zone_a, "viewer")
    assert login(client, "li", "pw-li").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wang", "guess")
    assert login(client, "wang", "pw-wang").status_code == 302
    client.post("/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wang", "guess").status_code == 200


def test_api_basic_auth_guessing_is_locked_out_too(client, user):
    def api(password):
        token = base64.b64encode(f"wang:{password}".encode()).decode()
        return client.get("/api/enterprises/", HTTP_AUTHORIZATION=f"Basic {token}")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert api("guess").status_code in (401, 403, 429)
    r = api("pw-wang")
    assert r.status_code in (403, 429), "the right password must be refused once locked"
