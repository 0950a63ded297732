"""Sign-in through AWS Cognito, end to end against a real OpenID Connect provider.

A small django-oauth-toolkit provider (``tests/oidc_provider``) runs in its own process on
loopback and issues Cognito-shaped tokens; the app runs on pytest-django's live server.
``requests`` plays the browser. Nothing in the HTTP flow is mocked: discovery, authorize
(with PKCE), the provider's login form, the callback, the token request and userInfo all
go over real sockets, and the test ends holding a session cookie of a signed-in user.

Run alone: ``.venv/bin/python -m pytest tests/accounts/test_cognito_oidc.py -q``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.backends.db import SessionStore
from pytest_django.live_server_helper import LiveServer

from access.models import Membership, Role
from accounts.models import User
from nexioq import devservers

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
CLIENT_ID = "nexioq-test-client"
CLIENT_SECRET = secrets.token_urlsafe(32)
CONTROL_TOKEN = secrets.token_urlsafe(32)
PASSWORD = "a long enough test password"
LOGIN_PATH = "/accounts/oidc/cognito/login/"
CALLBACK_PATH = "/accounts/oidc/cognito/login/callback/"
HTTP_TIMEOUT = 30
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Provider:
    """The running test provider: its issuer URL and a way to set up its users."""

    issuer: str
    process: subprocess.Popen[bytes]
    log_path: Path  # its request log, for when something goes wrong

    def set_user(self, email: str, groups: list[str]) -> str:
        """Create or update a provider user; returns its ``sub``. No groups: no claim."""
        response = requests.post(
            self.issuer.removesuffix("/o") + "/_test/users/",
            json={"email": email, "password": PASSWORD, "groups": groups},
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
            timeout=HTTP_TIMEOUT,
        )
        response.raise_for_status()
        return str(response.json()["sub"])


@dataclass
class SignIn:
    authorize_query: dict[str, str]  # what the app sent to the authorization endpoint
    final: requests.Response  # the page the browser ends on
    session_key: str  # the app's session cookie


@pytest.fixture(scope="module")
def oidc_provider(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The provider in its own process, its client redirecting to this live server."""
    port = devservers.free_port()
    log_path = tmp_path_factory.mktemp("oidc-provider") / "provider.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": live_server.url + CALLBACK_PATH,
        "OIDC_PROVIDER_CONTROL_TOKEN": CONTROL_TOKEN,
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider", "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        devservers.wait_for_port(port, process=process, timeout=60)
    except RuntimeError as exc:
        devservers.stop(process)
        raise RuntimeError(f"{exc}\n--- provider log ---\n{log_path.read_text()}") from exc
    yield Provider(issuer=f"http://127.0.0.1:{port}/o", process=process, log_path=log_path)
    devservers.stop(process)


def project_socialaccount_providers(monkeypatch: pytest.MonkeyPatch, issuer: str) -> object:
    """``SOCIALACCOUNT_PROVIDERS`` exactly as ``nexioq/settings.py`` builds it from COGNITO_* variables."""
    monkeypatch.setenv("COGNITO_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("COGNITO_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("COGNITO_ISSUER", issuer)
    spec = importlib.util.find_spec("nexioq.settings")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SOCIALACCOUNT_PROVIDERS


@pytest.fixture(autouse=True)
def cognito_app(settings, monkeypatch: pytest.MonkeyPatch, oidc_provider: Provider) -> None:
    """Point the "cognito" app at the test provider (the settings are built at import)."""
    settings.SOCIALACCOUNT_PROVIDERS = project_socialaccount_providers(monkeypatch, oidc_provider.issuer)


def sign_in(live_server: LiveServer, email: str) -> SignIn:
    """A fresh browser signs in through the provider and comes back signed in."""
    browser = requests.Session()

    # The app asks for confirmation (SOCIALACCOUNT_LOGIN_ON_GET = False): a POST starts the flow.
    confirm = browser.get(live_server.url + LOGIN_PATH, timeout=HTTP_TIMEOUT)
    assert confirm.status_code == 200, confirm.text
    csrf = CSRF_INPUT.search(confirm.text)
    assert csrf, confirm.text
    login_page = browser.post(confirm.url, data={"csrfmiddlewaretoken": csrf.group(1)}, timeout=HTTP_TIMEOUT)

    # app -> provider's /o/authorize/ (discovery done server-side) -> provider's login page.
    assert login_page.status_code == 200, login_page.text
    assert urlsplit(login_page.url).path == "/login/"
    authorize = [r for r in login_page.history if urlsplit(r.url).path == "/o/authorize/"]
    assert len(authorize) == 1, [r.url for r in login_page.history]
    authorize_query = {key: values[0] for key, values in parse_qs(urlsplit(authorize[0].url).query).items()}

    # The user signs in at the provider: -> /o/authorize/ -> app callback (token, userInfo) -> landing.
    csrf = CSRF_INPUT.search(login_page.text)
    assert csrf, login_page.text
    final = browser.post(
        login_page.url,
        data={
            "csrfmiddlewaretoken": csrf.group(1),
            "username": email,
            "password": PASSWORD,
            "next": parse_qs(urlsplit(login_page.url).query)["next"][0],
        },
        timeout=HTTP_TIMEOUT,
    )
    callbacks = [r for r in final.history if urlsplit(r.url).path == CALLBACK_PATH]
    assert len(callbacks) == 1, [(r.status_code, r.url) for r in final.history] + [final.url]
    assert "code" in parse_qs(urlsplit(callbacks[0].url).query)
    assert final.status_code == 200, final.text
    # Signed in, the landing page sends them on: patients to "Mis citas", staff to a clinic.
    landing = [urlsplit(r.url).path for r in final.history] + [urlsplit(final.url).path]
    assert "/start/" in landing and landing[-1] in {"/me/", "/clinics/", "/admin/"}, landing
    session_key = browser.cookies.get("sessionid")
    assert session_key, browser.cookies
    return SignIn(authorize_query=authorize_query, final=final, session_key=session_key)


def signed_in_user(sign: SignIn) -> User:
    session = SessionStore(session_key=sign.session_key)
    user_id = session.get("_auth_user_id")
    assert user_id, "the app's session has no signed-in user"
    return User.objects.get(pk=user_id)


def roles(user: User) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user=user).values_list("tenant_id", "role"))


def new_email() -> str:
    return f"oidc-{uuid.uuid4().hex[:10]}@example.com"


def new_tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def test_it_signs_in_a_new_user_with_the_email_from_the_token(live_server: LiveServer, oidc_provider: Provider) -> None:
    email = new_email()
    sub = oidc_provider.set_user(email, groups=[])

    sign = sign_in(live_server, email)

    # PKCE on: the app sent an S256 challenge (and the provider, which requires PKCE, accepted the verifier).
    query = sign.authorize_query
    assert query["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"])
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == live_server.url + CALLBACK_PATH
    assert set(query["scope"].split()) >= {"openid", "email"}

    user = signed_in_user(sign)
    assert user.email == email
    assert not user.is_staff
    assert roles(user) == set()
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("cognito", sub)
    # Both the ID token (from the token endpoint) and userInfo were read.
    assert account.extra_data["id_token"]["iss"] == oidc_provider.issuer
    assert account.extra_data["id_token"]["email"] == email
    assert account.extra_data["userinfo"]["email"] == email
    assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()


def test_it_maps_cognito_groups_to_roles_and_replaces_them_on_the_next_sign_in(
    live_server: LiveServer, oidc_provider: Provider
) -> None:
    email, tenant = new_email(), new_tenant()
    oidc_provider.set_user(email, groups=[f"{tenant}:reception", "nexioq-owners"])

    user = signed_in_user(sign_in(live_server, email))

    assert user.is_staff
    assert roles(user) == {(tenant, Role.RECEPTION)}
    assert SocialAccount.objects.get(user=user).extra_data["id_token"]["cognito:groups"] == sorted(
        [f"{tenant}:reception", "nexioq-owners"]
    )

    # The user also books as a patient: that is the app's, not Cognito's, and must stay.
    Membership.objects.create(user=user, tenant_id=tenant, role=Role.PATIENT)
    oidc_provider.set_user(email, groups=[f"{tenant}:admin"])

    again = signed_in_user(sign_in(live_server, email))

    assert again.pk == user.pk
    assert not again.is_staff
    assert roles(again) == {(tenant, Role.ADMIN), (tenant, Role.PATIENT)}
    assert User.objects.filter(email=email).count() == 1


def test_it_leaves_memberships_alone_when_the_token_has_no_groups(
    live_server: LiveServer, oidc_provider: Provider
) -> None:
    email, tenant = new_email(), new_tenant()
    oidc_provider.set_user(email, groups=[f"{tenant}:dentist", "nexioq-owners"])
    user = signed_in_user(sign_in(live_server, email))
    Membership.objects.create(user=user, tenant_id=tenant, role=Role.PATIENT)
    before = roles(user)
    assert before == {(tenant, Role.DENTIST), (tenant, Role.PATIENT)}
    assert user.is_staff

    oidc_provider.set_user(email, groups=[])  # Cognito leaves cognito:groups out
    again = signed_in_user(sign_in(live_server, email))

    assert again.pk == user.pk
    assert "cognito:groups" not in SocialAccount.objects.get(user=again).extra_data["id_token"]
    assert roles(again) == before
    assert again.is_staff
