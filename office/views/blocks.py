"""Blocks of a professional's time (``Action.BLOCK_TIME``: Admins for anyone, a Dentist for their own).

New (prefilled from the calendar's selection), the upcoming list grouped by series, one block's
details (a fragment for the calendar's side panel) and its removal. Every write is a service of
``booking.blocks``; refusals are shown in place with their status (400 bad input, 409 what is in
the way), everything else a domain error answers in the one place that maps them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.permissions import Action, Actor, clinic_access
from booking import block_selectors
from booking.block_selectors import BlockOccurrence
from booking.blocks import MAX_BLOCK_HOURS, MAX_SEGMENTS, block_create, block_remove
from booking.errors import BlockConflict, BlockRefused, ClinicSuspended
from booking.models import Block
from clinics.models import Clinic, Professional
from clinics.selectors import professional_list
from nexioq.errors import Forbidden
from nexioq.http import HtmxHttpRequest
from office.forms_blocks import BlockForm, reason_label
from office.nav import render_office

# The list shows this far ahead.
LIST_WEEKS = 8


def _access(request: HtmxHttpRequest, clinic_slug: str) -> tuple[Clinic, Actor]:
    context, actor = clinic_access(request, clinic_slug, Action.BLOCK_TIME)
    return context.clinic, actor


def _professionals(clinic: Clinic, actor: Actor) -> list[Professional]:
    """Whose time the actor may block: everyone active, or a dentist's own."""
    return [p for p in professional_list(tenant_id=clinic.tenant_id) if actor.manages_professional(p.professional_id)]


def _agenda_url(clinic: Clinic, day: dt.date | None = None) -> str:
    """The calendar when it exists, on the block's day; else the list of blocks."""
    try:
        url = reverse("office-agenda", args=[clinic.slug])
    except NoReverseMatch:
        return reverse("office-blocks", args=[clinic.slug])
    return f"{url}?date={day.isoformat()}" if day else url


# ---------------------------------------------------------------- new


def _prefill(request: HtmxHttpRequest, clinic: Clinic, professionals: list[Professional]) -> dict[str, Any]:
    """The calendar's selection (``?professional=&date=&start=``); whatever does not read is left out."""
    initial: dict[str, Any] = {}
    wanted = request.GET.get("professional", "")
    if any(p.professional_id == wanted for p in professionals):
        initial["professional"] = wanted
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.now().astimezone(clinic.zone).date()
    initial["date"] = day
    try:
        start = dt.time.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return initial
    start = start.replace(second=0, microsecond=0, tzinfo=None)
    initial["start_time"] = start
    initial["end_time"] = (dt.datetime.combine(dt.date.min, start) + dt.timedelta(hours=1)).time()
    if initial["end_time"] < start:  # past midnight: until the end of the day
        initial["end_time"] = dt.time(0)
    return initial


def _new_page(
    request: HtmxHttpRequest,
    clinic: Clinic,
    actor: Actor,
    form: BlockForm,
    professionals: list[Professional],
    *,
    conflict: BlockConflict | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "fixed_professional": professionals[0] if len(professionals) == 1 else None,
        "conflict": conflict,
        "problem": problem,
        "blocks_url": reverse("office-blocks", args=[clinic.slug]),
        "conflict_blocks": [
            {"occurrence": o, "label": reason_label(o.reason)}
            for o in block_selectors.occurrences_of(conflict.blocks if conflict else [])
        ],
    }
    template = "office/block_new.html#block_form" if request.htmx else "office/block_new.html"
    return render_office(request, clinic, actor, template, context, status=status)


@require_http_methods(["GET", "POST"])
def block_new(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    clinic, actor = _access(request, clinic_slug)
    professionals = _professionals(clinic, actor)
    if request.method == "GET":
        form = BlockForm(
            initial=_prefill(request, clinic, professionals), professionals=professionals, zone=clinic.zone
        )
        return _new_page(request, clinic, actor, form, professionals)
    form = BlockForm(request.POST, professionals=professionals, zone=clinic.zone)
    if not form.is_valid() or "start" not in form.cleaned_data:
        return _new_page(request, clinic, actor, form, professionals, status=400)
    data = form.cleaned_data
    try:
        made = block_create(
            tenant_id=clinic.tenant_id,
            professional_id=data["professional"],
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            note=data["note"],
            weeks=data["weeks_total"],
            actor=actor,
        )
    except BlockConflict as exc:
        return _new_page(request, clinic, actor, form, professionals, conflict=exc, status=exc.status)
    except (BlockRefused, ClinicSuspended) as exc:
        return _new_page(request, clinic, actor, form, professionals, problem=str(exc.message), status=exc.status)
    occurrences = len({b.occurrence_id for b in made})
    messages.success(
        request,
        ngettext("The time is blocked.", "The time is blocked for %(count)d weeks.", occurrences)
        % {"count": occurrences},
    )
    return redirect(_agenda_url(clinic, made[0].start.astimezone(clinic.zone).date()))


# ---------------------------------------------------------------- list


@dataclass(frozen=True)
class SeriesRow:
    """A series as the list shows it: what, whose, and its upcoming occurrences."""

    series_id: str
    professional_name: str
    reason: str
    note: str
    occurrences: list[BlockOccurrence]

    @property
    def first(self) -> BlockOccurrence:
        return self.occurrences[0]


def _series_rows(occurrences: list[BlockOccurrence]) -> list[SeriesRow]:
    grouped: dict[str, list[BlockOccurrence]] = {}
    for occurrence in occurrences:
        grouped.setdefault(occurrence.series_id, []).append(occurrence)
    rows = [
        SeriesRow(
            series_id=series_id,
            professional_name=found[0].professional_name,
            reason=reason_label(found[0].reason),
            note=found[0].note,
            occurrences=found,
        )
        for series_id, found in grouped.items()
    ]
    return sorted(rows, key=lambda r: (r.first.start, r.professional_name))


def _upcoming(clinic: Clinic, actor: Actor, now: dt.datetime) -> list[BlockOccurrence]:
    """Occurrences not over yet; read from 12 hours back so one under way shows whole, from its start."""
    start, end = now - dt.timedelta(hours=MAX_BLOCK_HOURS), now + dt.timedelta(weeks=LIST_WEEKS)
    if actor.sees_whole_clinic():
        blocks = block_selectors.blocks_in_range(tenant_id=clinic.tenant_id, start=start, end=end)
    else:
        # A dentist: their own agenda (one Query each; a dentist has one).
        blocks = [
            b
            for professional_id in sorted(actor.professional_ids)
            for b in block_selectors.blocks_in_range(
                tenant_id=clinic.tenant_id, start=start, end=end, professional_id=professional_id
            )
        ]
    return [o for o in block_selectors.occurrences_of(blocks) if o.end > now]


@require_GET
def block_list(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    clinic, actor = _access(request, clinic_slug)
    rows = _series_rows(_upcoming(clinic, actor, timezone.now()))
    return render_office(
        request,
        clinic,
        actor,
        "office/blocks.html",
        {"rows": rows, "weeks": LIST_WEEKS, "new_url": reverse("office-block-new", args=[clinic.slug])},
    )


# ---------------------------------------------------------------- one block


@dataclass(frozen=True)
class BlockView:
    occurrence: BlockOccurrence
    reason: str
    in_series: bool
    over: bool


def _block_view(clinic: Clinic, actor: Actor, block_id: str) -> BlockView:
    """The occurrence a block item belongs to, and whether it is part of a series: one GetItem, one BatchGetItem."""
    block = block_selectors.block_get(tenant_id=clinic.tenant_id, block_id=block_id)
    if not actor.manages_professional(block.professional_id):
        raise Forbidden(detail="another professional's block")
    occurrence_ids = _around(block)
    found = block_selectors.blocks_by_id(tenant_id=clinic.tenant_id, block_ids=[block.block_id, *occurrence_ids])
    mine = [b for b in found if b.occurrence_id == block.occurrence_id and b.series_id == block.series_id]
    others = [b for b in found if b.occurrence_id != block.occurrence_id and b.series_id == block.series_id]
    [occurrence] = block_selectors.occurrences_of(mine or [block])
    return BlockView(
        occurrence=occurrence,
        reason=reason_label(block.reason),
        in_series=bool(others),
        over=occurrence.end <= timezone.now(),
    )


def _around(block: Block) -> list[str]:
    """The ids of the block's occurrence and the first segment of the weeks next to it."""
    ids = [f"{block.occurrence_id}-{segment}" for segment in range(MAX_SEGMENTS)]
    week_text = block.occurrence_id.rsplit("-", 1)[-1]
    if week_text.isdigit():
        week = int(week_text)
        ids += [f"{block.series_id}-{w:02d}-0" for w in (week - 1, week + 1) if w >= 0]
    return ids


def _block_page(
    request: HtmxHttpRequest,
    clinic: Clinic,
    actor: Actor,
    view: BlockView | None,
    *,
    removed: list[Block] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    context = {
        "view": view,
        "removed": removed,
        "removed_count": len({b.occurrence_id for b in removed or []}),
        "blocks_url": reverse("office-blocks", args=[clinic.slug]),
    }
    template = "office/block_detail.html#block_panel" if request.htmx else "office/block_detail.html"
    return render_office(request, clinic, actor, template, context, status=status, headers=headers)


@require_GET
def block_detail(request: HtmxHttpRequest, clinic_slug: str, block_id: str) -> HttpResponse:
    clinic, actor = _access(request, clinic_slug)
    return _block_page(request, clinic, actor, _block_view(clinic, actor, block_id))


@require_POST
def block_remove_view(request: HtmxHttpRequest, clinic_slug: str, block_id: str) -> HttpResponse:
    clinic, actor = _access(request, clinic_slug)
    whole_series = request.POST.get("scope") == "series"
    removed = block_remove(tenant_id=clinic.tenant_id, block_id=block_id, actor=actor, whole_series=whole_series)
    count = len({b.occurrence_id for b in removed})
    if request.htmx:
        # The calendar listens for this and refetches its events.
        return _block_page(request, clinic, actor, None, removed=removed, headers={"HX-Trigger": "agenda-changed"})
    messages.success(
        request,
        ngettext("The block was removed.", "%(count)d blocks were removed.", count) % {"count": count},
    )
    return redirect("office-blocks", clinic_slug=clinic.slug)
