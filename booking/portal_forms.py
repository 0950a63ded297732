"""Input of the patient portal. Forms validate; they never write."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from booking.forms import PHONE_CHARACTERS

# A number typed without its country code is read as a Colombian one (the demo clinics' country).
DEFAULT_PHONE_REGION = "CO"


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, strip=True)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=32,
        strip=True,
        required=False,
        help_text=_("With the country code (+52 …) if it is not a Colombian number."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    reminders = forms.BooleanField(label=_("E-mail me a reminder before my appointments"), required=False)

    def clean_full_name(self) -> str:
        name: str = self.cleaned_data["full_name"]
        if len(name) < 2 or not name.isprintable():
            raise forms.ValidationError(_("Enter your full name."))
        return name

    def clean_phone(self) -> str:
        """Validated with phonenumbers and stored as E.164 (+573001234567)."""
        phone: str = self.cleaned_data["phone"]
        if not phone:
            return ""
        invalid = forms.ValidationError(_("Enter a valid phone number, e.g. 300 123 4567."))
        if not PHONE_CHARACTERS.fullmatch(phone):
            raise invalid
        try:
            number = phonenumbers.parse(phone, DEFAULT_PHONE_REGION)
        except phonenumbers.NumberParseException as exc:
            raise invalid from exc
        if not phonenumbers.is_valid_number(number):
            raise invalid
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class DeleteAccountForm(forms.Form):
    """Proof that the account's owner is at the keyboard: the password, or the e-mail address
    for accounts that sign in elsewhere (Cognito) and have no password here."""

    secret = forms.CharField(max_length=256, strip=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.with_password = user.has_usable_password()
        self.fields["secret"].label = _("Your password") if self.with_password else _("Your e-mail address")

    def clean_secret(self) -> str:
        secret: str = self.cleaned_data["secret"]
        if self.with_password:
            if not self.user.check_password(secret):
                raise forms.ValidationError(_("That is not your password."))
        elif secret.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("That is not your e-mail address."))
        return secret
