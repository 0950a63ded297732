"""Why the booking engine refused: one exception per reason, each with its own message and status."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from clinics.choices import phone_display
from nexioq.errors import Conflict, Forbidden, Invalid, NotFound

if TYPE_CHECKING:
    from booking.models import Block, Booking


class SlotTaken(Conflict):
    """The time was free a moment ago and is taken now: 409, with the nearest free times."""

    title = _("That time has just been taken")
    message = _("Sorry, someone has just taken that time. Choose another one.")

    def __init__(self, start: dt.datetime, *, professional_id: str | None = None, detail: str = "") -> None:
        self.start = start
        self.professional_id = professional_id
        super().__init__(detail=detail)


class NotOffered(Invalid):
    """The time is not a bookable start for this treatment: 400, with the reason."""

    title = _("That time cannot be booked")
    message = _("That time is not offered. Choose one of the times listed.")

    def __init__(self, start: dt.datetime, message: str | None = None, *, detail: str = "") -> None:
        self.start = start
        super().__init__(message, detail=detail)


class InThePast(NotOffered):
    message = _("That time has already passed. Choose a later one.")


class TooSoon(NotOffered):
    message = _("That time is too soon: the clinic needs more notice for online bookings.")


class TooFarAhead(NotOffered):
    message = _("That day is too far ahead: the clinic does not take bookings that far in advance yet.")


class OutsideHours(NotOffered):
    message = _("Nobody works at that time for this treatment. Choose one of the times listed.")


class ClinicSuspended(Conflict):
    title = _("Online booking is paused")
    message = _("This clinic is not taking online bookings right now. Please call the clinic.")

    def __init__(self, *, phone: str = "") -> None:
        if phone:
            message = _("This clinic is not taking online bookings right now. Please call the clinic at %(phone)s.")
            super().__init__(message % {"phone": phone_display(phone)})
        else:
            super().__init__()


class HoldNotFound(NotFound):
    """No live hold of yours with this id: gone, consumed, or somebody else's."""

    title = _("This time is no longer held for you")
    message = _(
        "We keep a time for a few minutes while you confirm, and this one is not kept for you any more. Please pick a time again."
    )


class HoldNotYours(NotFound):
    """Someone else's hold: answered like an unknown one, so hold ids reveal nothing."""

    title = _("This time is held by someone else")
    message = _("This time is being held in another browser. Please pick a time again.")


class HoldExpired(Conflict):
    title = _("Your hold has expired")
    message = _("You took longer than the few minutes we keep a time for you, and it has been taken. Pick a new time.")


class HoldMismatch(Invalid):
    message = _("The held time does not match this change. Pick the time again.")


class BookingNotFound(NotFound):
    title = _("Booking not found")
    message = _("We could not find this booking.")


class BookingNotChangeable(Conflict):
    """Cancelled, attended or marked a no-show: it cannot be moved or cancelled any more."""

    title = _("This booking cannot be changed")
    message = _("This booking has already been cancelled or closed, so it cannot be changed.")


class CancellationCutoffPassed(Forbidden):
    title = _("Too late to change online")

    def __init__(self, *, hours: int, phone: str) -> None:
        message = _(
            "Online changes close %(hours)s hours before the appointment. Please call the clinic at %(phone)s."
        ) % {"hours": hours, "phone": phone_display(phone) if phone else _("its phone number")}
        super().__init__(message)


class TreatmentChangeNotAllowed(Forbidden):
    message = _("Only the clinic can change the treatment of a booking. Keep the treatment or call the clinic.")


class AttendanceTooEarly(Invalid):
    message = _("Attendance can be marked from the day of the appointment.")


class BookingChangedMeanwhile(Conflict):
    message = _("This booking was changed by someone else a moment ago. Reload it and try again.")


class PatientDetailsInvalid(Invalid):
    """Details that break the clinic's rules; ``errors`` maps a field to its message."""

    message = _("Please check the details you entered.")

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(detail=", ".join(errors))


# ---------------------------------------------------------------- blocks


class BlockRefused(Invalid):
    """A block that breaks a rule whatever the agenda holds (length, grid, day, weeks): 400 with the rule."""

    title = _("That time cannot be blocked")
    message = _("Check the block's date and times.")


class BlockInThePast(BlockRefused):
    message = _("A block cannot start in the past. Choose a later time.")


class BlockTooLong(BlockRefused):
    message = _("A block lasts at most 12 hours. For longer absences, add time off to the professional instead.")


class BlockNotFound(NotFound):
    title = _("Block not found")
    message = _("We could not find this block. It may have been removed already.")


class BlockConflict(Conflict):
    """The time holds appointments (or another block): 409, listing them so staff can move them first.

    ``bookings`` and ``blocks`` are what was found there; both may be empty when the transaction met
    something the read could not name (a patient holding the time while they book online).
    """

    title = _("That time is not free")
    message = _("This time has appointments. Move or cancel them first, then block the time.")

    def __init__(
        self, *, bookings: list[Booking] | None = None, blocks: list[Block] | None = None, detail: str = ""
    ) -> None:
        self.bookings = bookings or []
        self.blocks = blocks or []
        if not self.bookings and self.blocks:
            message = _("This time is already blocked. Remove that block first, or choose another time.")
        elif not self.bookings:
            message = _(
                "Someone has just taken part of this time (a patient may be booking it right now). Try again in a few minutes, or choose another time."
            )
        else:
            message = None
        super().__init__(message, detail=detail)
