"""The outbox's pages: turning reminders off from a message's link, and the clinic's failed messages.

The unsubscribe page needs no sign-in: the signed token in its URL is the proof (GET shows what
will happen, POST does it, so a mail scanner following links turns nothing off). The failed
messages page is the clinic Admins' (``Action.CONFIGURE_CLINIC``), with a resend button per message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.permissions import Action, actor_access, clinic_access
from nexioq.http import HtmxHttpRequest
from notifications import selectors, services
from notifications.messages import unsubscribe_token_read
from notifications.models import MessageKind
from notifications.tasks import kicks_outbox
from office.nav import render_office

KIND_LABELS = {
    MessageKind.CONFIRMED: gettext_lazy("Confirmation"),
    MessageKind.RESCHEDULED: gettext_lazy("New date and time"),
    MessageKind.CANCELLED: gettext_lazy("Cancellation"),
    MessageKind.REMINDER: gettext_lazy("Reminder"),
    MessageKind.CLINIC_NEW: gettext_lazy("New booking (to the clinic)"),
    MessageKind.CLINIC_CANCELLED: gettext_lazy("Cancellation (to the clinic)"),
    MessageKind.CLINIC_SUMMARY: gettext_lazy("Agenda summary (to the clinic)"),
}


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HtmxHttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        target = services.reminders_unsubscribe(token=token)
        return render(request, "notifications/unsubscribe.html", {"done": True, "target": target, "token": token})
    target = unsubscribe_token_read(token)
    return render(request, "notifications/unsubscribe.html", {"done": False, "target": target, "token": token})


@require_GET
def failed_messages(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.CONFIGURE_CLINIC)
    clinic = context.clinic
    items = selectors.outbox_failed(tenant_id=clinic.tenant_id)
    references = selectors.booking_references(
        tenant_id=clinic.tenant_id, booking_ids=[i.booking_id for i in items if i.booking_id]
    )
    rows: list[dict[str, Any]] = [
        {
            "item": item,
            "kind": KIND_LABELS.get(item.kind, item.kind),
            "reference": references.get(item.booking_id or "", ""),
            "to_clinic": item.recipient == "clinic",
        }
        for item in items
    ]
    return render_office(request, clinic, actor, "notifications/failed.html", {"rows": rows})


@require_POST
@kicks_outbox
def resend(request: HtmxHttpRequest, clinic_slug: str, item_id: str) -> HttpResponse:
    actor = actor_access(request, clinic_slug, Action.CONFIGURE_CLINIC)
    services.outbox_resend(tenant_id=actor.tenant_id, item_id=item_id, actor=actor, now=timezone.now())
    messages.success(request, _("The message is queued again; it goes out within a minute."))
    return redirect("notifications-failed", clinic_slug)
