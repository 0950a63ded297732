"""A control endpoint for the test suite: set a user's password and Cognito groups."""

from __future__ import annotations

import hmac
import json
import os

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def upsert_user(email: str, password: str, groups: list[str]) -> User:
    with transaction.atomic():
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        user.email = email
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return user


@csrf_exempt
@require_POST
def control_user(request: HttpRequest) -> HttpResponse:
    """``POST {"email", "password", "groups": [...]}`` with ``Authorization: Bearer <token>``.

    An empty ``groups`` list means the ID token carries no ``cognito:groups`` claim.
    """
    token = os.environ.get("OIDC_PROVIDER_CONTROL_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(token, given):
        return HttpResponseForbidden("bad control token")
    data = json.loads(request.body)
    user = upsert_user(data["email"], data["password"], list(data.get("groups") or []))
    return JsonResponse({"sub": str(user.pk), "email": user.email})
