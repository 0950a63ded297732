"""Claims shaped like AWS Cognito's."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class CognitoLikeValidator(OAuth2Validator):
    """ID token: ``email``, ``email_verified`` (a boolean) and ``cognito:groups`` when the
    user is in any group (Cognito leaves the claim out otherwise).

    userInfo: the user's attributes only, as Cognito answers it: no ``cognito:groups``,
    and ``email_verified`` as the string ``"true"``.
    """

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "cognito:groups": "openid",
        "cognito:username": "openid",
        "username": "openid",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        claims: dict[str, Any] = {
            "email": user.email,
            "email_verified": True,
            "cognito:username": user.username,
        }
        groups = sorted(user.groups.values_list("name", flat=True))
        if groups:
            claims["cognito:groups"] = groups
        return claims

    def get_userinfo_claims(self, request: Any) -> dict[str, Any]:
        claims = dict(super().get_userinfo_claims(request))
        claims.pop("cognito:groups", None)
        claims["username"] = claims.pop("cognito:username", request.user.username)
        if "email_verified" in claims:
            claims["email_verified"] = "true" if claims["email_verified"] else "false"
        return claims
