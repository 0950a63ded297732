"""Forms of the clinic admin pages; clinic_create / clinic_update validate the values again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from clinics.forms import ClinicSettingsForm

WIDE = {"class": "vTextField"}  # the admin's own width for text fields


class ClinicForm(ClinicSettingsForm):
    """The clinic's settings in Django admin: its own widths and bold required labels."""

    required_css_class = "required"  # admin CSS shows these labels in bold

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "address", "email", "reminder_offsets"):
            self.fields[name].widget.attrs.update(WIDE)


class ClinicAddForm(ClinicForm):
    slug = forms.SlugField(
        label=gettext_lazy("Web address (slug)"),
        max_length=50,
        help_text=gettext_lazy("The public booking page is /c/<slug>/. It cannot be changed later."),
    )

    first_admin_email = forms.EmailField(
        label=gettext_lazy("First administrator's e-mail"),
        required=False,
        widget=forms.EmailInput(attrs=WIDE),
        help_text=gettext_lazy(
            "They receive an invitation to run the clinic: treatments, professionals, hours and staff."
        ),
    )

    field_order = ("name", "slug")

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).lower()


class ClinicChangeForm(ClinicForm):
    # The version read with the page: saving over a newer one is refused (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput)
