"""Sign-in through AWS Cognito (OpenID Connect): Cognito groups become clinic roles."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest

from accounts.models import User
from clinics.models import Membership, Role

PLATFORM_OWNER_GROUP = "nexioq-owners"


def roles_from_groups(groups: list[str]) -> tuple[bool, list[tuple[str, str]]]:
    """``cognito:groups`` → (platform owner?, [(tenant id, role)]).

    A clinic role is a group named ``<tenant id>:<role>``, e.g. ``demo-sonrisa:reception``;
    ``nexioq-owners`` makes a platform owner. Other groups are ignored.
    """
    owner = PLATFORM_OWNER_GROUP in groups
    valid = {choice.value for choice in Role}
    pairs = []
    for group in groups:
        tenant_id, _, role = group.rpartition(":")
        if tenant_id and role in valid:
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
        claims = sociallogin.account.extra_data or {}
        # Cognito puts cognito:groups in the ID token (and access token), not in userInfo.
        groups = claims.get("cognito:groups")
        for part in ("id_token", "userinfo"):
            if groups is None:
                groups = (claims.get(part) or {}).get("cognito:groups")
        if groups is None:
            return
        if isinstance(groups, str):
            groups = [groups]
        owner, pairs = roles_from_groups(list(groups))
        if user.is_staff != owner:
            user.is_staff = owner
            user.save(update_fields=["is_staff"])
        wanted = set(pairs)
        for membership in Membership.objects.filter(user=user).exclude(role=Role.PATIENT):
            if (membership.tenant_id, membership.role) not in wanted:
                membership.delete()
        for tenant_id, role in wanted:
            Membership.objects.get_or_create(user=user, tenant_id=tenant_id, role=role)
