"""The staff calendar: the page (FullCalendar), its events feed, and drag-and-drop moves.

The page reads the clinic and its professionals once (hours, colours, closures); the feed is
polled every ten seconds and answers 304 without reading DynamoDB while nothing changed (see
``_etag_entry``); a move asks the booking engine, which decides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access.permissions import Action, Actor, actor_access, clinic_access
from booking import services
from booking.changes import GENERATION_SECONDS, agenda_generation
from booking.errors import SlotTaken
from clinics.selectors import clinic_context, professional_list
from nexioq import dynamo
from nexioq.errors import Invalid
from nexioq.http import HtmxHttpRequest
from notifications.tasks import kicks_outbox
from office import agenda
from office.nav import render_office

log = logging.getLogger(__name__)

# A change marker younger than this may describe a write the agenda index does not show yet (GSIs
# lag their table by a fraction of a second): an answer built under it is sent, never remembered.
INDEX_SETTLE_SECONDS = 2.0


# ---------------------------------------------------------------- the page


@require_GET
def agenda_page(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_AGENDA)
    clinic = context.clinic
    professionals = professional_list(tenant_id=clinic.tenant_id)
    if not actor.sees_whole_clinic():
        professionals = [p for p in professionals if p.professional_id in actor.professional_ids]
    ids = {p.professional_id for p in professionals}
    selected = request.GET.get("professional", "")
    selected = selected if selected in ids else ""
    config = agenda.agenda_page_config(
        clinic=clinic, professionals=professionals, actor=actor, language=get_language() or "es"
    )
    config["professional"] = selected
    config["initialDate"] = _initial_date(request.GET.get("date", ""), clinic.zone)
    config["canMove"] = actor.allows(Action.MANAGE_BOOKINGS)
    config["text"] = {
        "failed": _("The change could not be saved. The appointment keeps its time."),
        "offline": _("The server could not be reached. The appointment keeps its time."),
        "loadFailed": _("The agenda could not be refreshed. It will try again in a few seconds."),
    }
    page = {
        "wide": True,
        "config": config,
        "professionals": professionals,
        "selected": selected,
        "today": config["initialDate"],
        "can_block": actor.allows(Action.BLOCK_TIME),
    }
    return render_office(request, clinic, actor, "office/agenda.html", page)


def _initial_date(value: str, zone: dt.tzinfo) -> str:
    """The day to open on (the side-by-side view links back with ``?date=``); today by default."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not agenda.EARLIEST.date() <= day < agenda.LATEST.date():
        day = timezone.now().astimezone(zone).date()
    return day.isoformat()


# ---------------------------------------------------------------- the events feed


def _requested_etags(request: HtmxHttpRequest) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _cache_key(actor: Actor, scope: agenda.Scope, span: agenda.AgendaRange) -> str:
    """Everything the answer depends on besides the agenda itself: range, whose agenda, who asks, language."""
    who = "whole" if actor.sees_whole_clinic() else "dentist:" + ",".join(sorted(actor.professional_ids))
    raw = "|".join(
        (
            actor.tenant_id,
            span.start.isoformat(),
            span.end.isoformat(),
            str(span.zoned),
            scope.key,
            who,
            str(actor.allows(Action.MANAGE_BOOKINGS)),
            get_language() or "",
        )
    )
    return "agenda-etag:" + hashlib.sha256(raw.encode()).hexdigest()


def _etag_entry(key: str) -> dict[str, Any] | None:
    try:
        entry = cache.get(key)
    except Exception:  # the cache is a shortcut: without it the feed reads DynamoDB
        log.warning("agenda ETag cache not read", exc_info=True)
        return None
    return entry if isinstance(entry, dict) else None


def _etag_remember(key: str, *, generation: str | None, etag: str, valid_until: int | None) -> None:
    """Remember the answer's ETag under the change marker it was built under, unless that marker is too young."""
    if generation is None:
        return
    try:
        set_at = float(generation.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return
    if time.time() - set_at < INDEX_SETTLE_SECONDS:
        return
    try:
        cache.set(key, {"generation": generation, "etag": etag, "valid_until": valid_until}, GENERATION_SECONDS)
    except Exception:
        log.warning("agenda ETag not remembered", exc_info=True)


def _conditional(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # Kept by the browser, asked again every time: the poll revalidates with If-None-Match.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def agenda_events(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    """Events overlapping ``start``..``end`` (ISO, FullCalendar's), optionally one ``professional``'s.

    Two DynamoDB requests; none when the browser's ETag is still current (304). The change marker
    is read before the agenda, so a write made while this answer is built makes it stale, not wrong.
    """
    actor = actor_access(request, clinic_slug, Action.VIEW_AGENDA)
    span = agenda.agenda_range(start=request.GET.get("start"), end=request.GET.get("end"))
    scope = agenda.agenda_scope(actor=actor, professional=request.GET.get("professional") or None)
    key = _cache_key(actor, scope, span)
    generation = agenda_generation(tenant_id=actor.tenant_id)
    wanted = _requested_etags(request)
    if generation is not None and wanted:
        entry = _etag_entry(key)
        if (
            entry is not None
            and entry.get("generation") == generation
            and (entry.get("valid_until") is None or time.time() < entry["valid_until"])
            and entry.get("etag") in wanted
        ):
            return _conditional(HttpResponse(status=304), entry["etag"])
    events = agenda.agenda_events(
        tenant_id=actor.tenant_id, slug=clinic_slug, actor=actor, scope=scope, span=span, now=timezone.now()
    )
    body = json.dumps(events.events, ensure_ascii=False, separators=(",", ":")).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    _etag_remember(key, generation=generation, etag=etag, valid_until=events.valid_until)
    if etag in wanted:
        return _conditional(HttpResponse(status=304), etag)
    return _conditional(HttpResponse(body, content_type="application/json"), etag)


# ---------------------------------------------------------------- moves


def _move_fields(request: HtmxHttpRequest) -> dict[str, str]:
    """The move's fields, from a JSON body (the calendar) or a form."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise Invalid(_("The move could not be read. Reload the calendar and try again.")) from exc
        if not isinstance(data, dict):
            raise Invalid(_("The move could not be read. Reload the calendar and try again."))
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
    return {k: str(request.POST.get(k, "")) for k in ("start", "end", "professional")}


def _instant(value: str | None, *, required: bool) -> dt.datetime | None:
    if not value:
        if required:
            raise Invalid(_("Say when the appointment should start."))
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid(_("%(value)s is not a time the calendar understands.") % {"value": value[:40]}) from exc
    if moment.tzinfo is None:
        raise Invalid(_("Give the time with its time zone offset."))
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        moment = agenda.LATEST + dt.timedelta(days=1)
    if not agenda.EARLIEST <= moment <= agenda.LATEST:
        raise Invalid(_("That date is out of the calendar's range."))
    return moment


@require_POST
@kicks_outbox
def agenda_move(request: HtmxHttpRequest, clinic_slug: str, booking_id: str) -> HttpResponse:
    """Drag and drop (``start``, optionally ``professional``) or resize (``end``): the engine decides.

    200 with the updated event; a refusal is the error layer's JSON (400 outside hours or on a
    closure, 403 another dentist's booking, 404 unknown) and a taken time is 409 naming what takes it.
    """
    actor = actor_access(request, clinic_slug, Action.MANAGE_BOOKINGS)
    booking_id = dynamo.checked_id(booking_id)
    fields = _move_fields(request)
    start = _instant(fields.get("start"), required=True)
    assert start is not None
    end = _instant(fields.get("end"), required=False)
    professional_id = dynamo.checked_id(fields["professional"]) if fields.get("professional") else None
    now = timezone.now()
    try:
        booking = services.booking_reschedule(
            tenant_id=actor.tenant_id,
            booking_id=booking_id,
            new_start=start,
            end=end,
            professional_id=professional_id,
            actor=actor,
            now=now,
        )
    except SlotTaken as exc:
        clinic = clinic_context(tenant_id=actor.tenant_id).clinic
        raise agenda.move_conflict(
            tenant_id=actor.tenant_id,
            booking_id=booking_id,
            start=start,
            end=end,
            professional_id=professional_id,
            zone=clinic.zone,
            now=now,
        ) from exc
    context = clinic_context(tenant_id=actor.tenant_id, professional_id=booking.professional_id, editing=True)
    clinic = context.clinic
    colour = context.professional.color if context.professional is not None else "#64748b"
    local = booking.start.astimezone(clinic.zone)
    return JsonResponse(
        {
            "event": agenda.booking_event(booking=booking, clinic=clinic, colour=colour, actor=actor),
            "message": _("%(patient)s moved to %(day)s at %(time)s.")
            % {"patient": booking.patient_name, "day": local.strftime("%d/%m"), "time": local.strftime("%H:%M")},
        }
    )
