"""Signed-in patients and their way through the wizard, over HTTP.

A patient is a ``requests.Session`` carrying a session cookie made in-process with Django's
``force_login`` in the session store the server reads (the identity SQLite file). Signing 217
patients in through the form would cost the server ~1 s of password hashing each, none of it
part of booking; it happens before any clock starts either way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests

from bench.seed import PHONE, Candidate, World

TIMEOUT = 120  # seconds; a request this slow is an error of the run, not a latency


def signed_in(base: str, first: int, count: int) -> list[requests.Session]:
    """``count`` patients bench-patient-<first>... , each signed in with a session of their own."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    sessions = []
    for index in range(first, first + count):
        email = f"bench-patient-{index}@example.com"
        user, created = User.objects.get_or_create(email=email)
        if created:
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        client = Client()
        client.force_login(user)
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
        sessions.append(session)
    return sessions


@dataclass
class Attempt:
    """One pass through the wizard. ``outcome``: "booked", "conflict" (409) or "other:<step>:<status>"."""

    outcome: str
    seconds: float
    statuses: dict[str, int] = field(default_factory=dict)  # step -> HTTP status
    dynamo: dict[str, int] = field(default_factory=dict)  # step -> X-Dynamo-Requests


class Wizard:
    """The three requests of a booking: the step-2 page, the hold, the confirmation."""

    def __init__(self, base: str, world: World) -> None:
        self.base = base
        self.world = world

    def book_url(self, candidate: Candidate) -> str:
        return f"{self.base}/c/{self.world.slug}/book/{candidate.treatment_id}/"

    def page(self, session: requests.Session, candidate: Candidate) -> requests.Response:
        """Step 2 for the candidate's professional and day; sets the CSRF cookie the POSTs need."""
        day = candidate.start.astimezone(self.world.clinic.zone).date().isoformat()
        params = {"professional": candidate.professional_id, "date": day}
        return session.get(self.book_url(candidate), params=params, timeout=TIMEOUT)

    def hold(self, session: requests.Session, candidate: Candidate) -> requests.Response:
        form = {
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
            "professional": candidate.professional_id,
            "start": candidate.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        return session.post(self.book_url(candidate) + "hold/", data=form, allow_redirects=False, timeout=TIMEOUT)

    def confirm(self, session: requests.Session, hold: requests.Response) -> requests.Response:
        form = {"csrfmiddlewaretoken": session.cookies.get("csrftoken", ""), "name": "Paciente Bench", "phone": PHONE}
        url = urljoin(self.base, hold.headers["Location"])
        return session.post(url, data=form, allow_redirects=False, timeout=TIMEOUT)

    def book(self, session: requests.Session, candidate: Candidate, *, with_page: bool = True) -> Attempt:
        """Page (unless already loaded), hold, confirm; redirects are not followed. Stops at the first refusal."""
        began = time.perf_counter()
        responses: dict[str, requests.Response] = {}
        step = "page" if with_page else "hold"
        try:
            if with_page:
                responses["page"] = self.page(session, candidate)
            if not with_page or responses["page"].status_code == 200:
                step = "hold"
                responses["hold"] = self.hold(session, candidate)
                if _held(responses["hold"]):
                    step = "confirm"
                    responses["confirm"] = self.confirm(session, responses["hold"])
            outcome = _outcome(responses)
        except requests.RequestException as exc:  # no answer at all: reported, and fails the run
            outcome = f"other:{step}:{type(exc).__name__}"
        seconds = time.perf_counter() - began
        return Attempt(
            outcome=outcome,
            seconds=seconds,
            statuses={step: r.status_code for step, r in responses.items()},
            dynamo={step: int(r.headers.get("X-Dynamo-Requests", -1)) for step, r in responses.items()},
        )


def _held(response: requests.Response) -> bool:
    return response.status_code == 302 and "/hold/" in response.headers.get("Location", "")


def _outcome(responses: dict[str, requests.Response]) -> str:
    step, last = list(responses.items())[-1]
    if step == "confirm" and last.status_code == 302 and "/bookings/" in last.headers.get("Location", ""):
        return "booked"
    if step in ("hold", "confirm") and last.status_code == 409:
        return "conflict"
    return f"other:{step}:{last.status_code}"
