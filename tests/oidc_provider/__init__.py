"""A tiny OpenID Connect provider (django-oauth-toolkit) the test suite starts on loopback.

It stands in for AWS Cognito: RS256 ID tokens, PKCE required, a plain login form,
and Cognito's claims (``cognito:groups`` in the ID token, attributes in userInfo).
Run: ``python -m tests.oidc_provider --port 8765`` from the repository root; see
``__main__.py`` for the environment variables it reads.
"""
