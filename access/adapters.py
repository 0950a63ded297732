"""Accounts: sign-in through AWS Cognito (OpenID Connect), where Cognito groups become clinic roles; and
claiming the clinic records reception made with a patient's e-mail once that address is verified."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse

from access import services as access_services
from access.models import Role
from accounts.models import User
from nexioq.dynamo import ID_RE

PLATFORM_OWNER_GROUP = "nexioq-owners"


# A tenant id has the shape of every id of ours (uuid hex or a demo slug); anything else in a group
# is not one. A whole match: "$" would also accept a tenant id ending in a newline.
TENANT_ID_RE = ID_RE


def roles_from_groups(groups: list[object]) -> tuple[bool, list[tuple[str, str]]]:
    """``cognito:groups`` → (platform owner?, [(tenant id, role)]).

    A clinic role is a group named ``<tenant id>:<role>``, e.g. ``demo-sonrisa:reception``;
    ``nexioq-owners`` makes a platform owner. Other groups are ignored.
    """
    owner = PLATFORM_OWNER_GROUP in groups
    valid = {choice.value for choice in Role}
    pairs = []
    for group in groups:
        if not isinstance(group, str):
            continue
        tenant_id, _, role = group.rpartition(":")
        if TENANT_ID_RE.fullmatch(tenant_id) and role in valid:
            pairs.append((tenant_id, role))
    return owner, pairs


class CognitoAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> User:
        user: User = super().save_user(request, sociallogin, form)
        self.apply_groups(user, sociallogin)
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        super().pre_social_login(request, sociallogin)
        if sociallogin.is_existing:
            self.apply_groups(sociallogin.user, sociallogin)

    @staticmethod
    def apply_groups(user: User, sociallogin: Any) -> None:
        """Groups, when the token carries them, are the truth for that user's roles."""
        claims = sociallogin.account.extra_data
        if not isinstance(claims, dict):
            return
        # Cognito puts cognito:groups in the ID token (and access token), not in userInfo.
        groups = claims.get("cognito:groups")
        for part in ("id_token", "userinfo"):
            nested = claims.get(part)
            if groups is None and isinstance(nested, dict):
                groups = nested.get("cognito:groups")
        if groups is None:
            return
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list):
            # A claim of another shape is not a list of groups: leave the roles as they are.
            return
        owner, pairs = roles_from_groups(groups)
        access_services.roles_replace_from_identity_provider(user=user, owner=owner, staff_roles=set(pairs))


class PatientAccountAdapter(DefaultAccountAdapter):
    """A verified address claims the clinic records made with it (booking.patients.patient_records_claim).

    At verification (the code of the sign-up), and at every sign-in for an address verified
    elsewhere (Cognito) or a record reception made after the patient signed up: one Query each,
    which finds nothing once the records are claimed.
    """

    def confirm_email(self, request: HttpRequest, email_address: Any) -> bool:
        confirmed = bool(super().confirm_email(request, email_address))
        if confirmed:
            self._claim(email_address.user, [email_address.email])
        return confirmed

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post_login(request, user, **kwargs)
        from allauth.account.models import EmailAddress

        if isinstance(user, User):
            self._claim(
                user, list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
            )
        return response

    @staticmethod
    def _claim(user: User, emails: list[str]) -> None:
        from booking.patients import patient_records_claim_quietly

        for email in emails:
            patient_records_claim_quietly(user=user, email=email)
