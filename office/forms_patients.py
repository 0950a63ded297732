"""Input of the patient directory and reception's bookings. Forms validate; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.forms import PHONE_CHARACTERS, InstantField
from nexioq.dynamo import ID_RE

# What to do with a patient once found or made: book a time, or see them now.
THEN_BOOK = "book"
THEN_WALK_IN = "walk_in"


def _id_field(*, error_messages: dict[str, Any] | None = None, **kwargs: Any) -> forms.RegexField:
    messages = {"invalid": _("That is not valid."), "required": _("This field is required."), **(error_messages or {})}
    # Anchored: a RegexField searches, and an id must match whole.
    return forms.RegexField(regex=rf"\A{ID_RE.pattern}\Z", max_length=64, error_messages=messages, **kwargs)


class PatientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True, label=_("Name, e-mail or phone"))

    def query(self) -> str:
        return str(self.cleaned_data.get("q") or "") if self.is_valid() else ""


class NewPatientForm(forms.Form):
    """A patient made at the desk. The phone is read with the clinic's country by the service."""

    name = forms.CharField(label=_("Full name"), max_length=120, strip=True)
    phone = forms.CharField(label=_("Phone"), max_length=32, strip=True)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_("Optional. With it, the patient can later sign up and see their appointments."),
    )
    # Decided when the form is shown: the same form sent twice makes one record.
    record_id = _id_field(widget=forms.HiddenInput)
    # Set by "Create anyway" after a warning that the phone or e-mail is already someone's.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    then = forms.ChoiceField(
        choices=[(THEN_BOOK, THEN_BOOK), (THEN_WALK_IN, THEN_WALK_IN)], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "field-input", "autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"class": "field-input", "type": "tel", "autocomplete": "off"})
        self.fields["email"].widget.attrs.update({"class": "field-input", "autocomplete": "off"})

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if len(name) < 2 or not name.isprintable():
            raise forms.ValidationError(_("Enter the patient's full name."))
        return name

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        digits = sum(c.isdigit() for c in phone)
        if not PHONE_CHARACTERS.fullmatch(phone) or not 7 <= digits <= 15:
            raise forms.ValidationError(_("Enter a valid phone number, e.g. 300 123 4567."))
        return phone

    def clean_then(self) -> str:
        return self.cleaned_data.get("then") or THEN_BOOK


class BookingKeyForm(forms.Form):
    """The id a picker page decided for its booking, so a double submit books once."""

    booking = _id_field()


class WalkInForm(forms.Form):
    """A walk-in: the patient, the treatment, and (after "nobody is free now") a time picked from the next ones."""

    record = _id_field()
    treatment = _id_field(error_messages={"required": _("Choose a treatment.")})
    booking = _id_field()
    start = InstantField(required=False)
    professional = _id_field(required=False)
