"""Domain errors: what went wrong, in words a patient or a receptionist understands, and its HTTP status.

Services raise these; ``nexioq.middleware.DomainErrorMiddleware`` is the one place that turns
them into responses (an HTML page in the product's layout, or JSON for JSON endpoints), so a
rule's refusal reads the same in the wizard, the back office and the API.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the caller can act on. ``message`` is shown to the user as is."""

    status = 400
    title: str | Promise = _("That cannot be done")
    message: str | Promise = _("The request could not be carried out.")

    def __init__(self, message: str | Promise | None = None, *, detail: str = "") -> None:
        if message is not None:
            self.message = message
        # For logs only: ids and the like, never shown.
        self.detail = detail
        super().__init__(str(self.message), detail)


class Invalid(DomainError):
    status = 400
    title = _("Please check the request")


class SignInRequired(DomainError):
    """Answered with a redirect to the sign-in page, which comes back here afterwards."""

    status = 302
    title = _("Please sign in")
    message = _("Sign in to continue.")


class Forbidden(DomainError):
    status = 403
    title = _("You cannot open this page")
    message = _("Your role at this clinic does not allow this.")


class NotFound(DomainError):
    status = 404
    # The words of the 404 page, so an unknown id reads the same as an unknown address.
    title = _("We could not find that page")
    message = _("The clinic, treatment or appointment you are looking for does not exist, or the link has expired.")


class Conflict(DomainError):
    status = 409
    title = _("That has changed")
    message = _("Something changed in the meantime. Reload the page and try again.")


class RateLimited(DomainError):
    status = 429
    title = _("Too many requests")
    message = _("Too many attempts in a short time. Wait a few minutes and try again.")


class Unavailable(DomainError):
    """A dependency (DynamoDB, the identity database, Redis) cannot be reached right now."""

    status = 503
    title = _("Temporarily unavailable")
    message = _("We cannot reach our booking service right now. Nothing was saved. Please try again in a minute.")
