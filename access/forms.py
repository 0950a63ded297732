from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import STAFF_ROLES, Role

STAFF_CHOICES = [(role.value, role.label) for role in Role if role in STAFF_ROLES]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), error_messages={"invalid": _("Enter a valid e-mail address.")})
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_CHOICES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_CHOICES)
