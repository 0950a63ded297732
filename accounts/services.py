"""Writes to user accounts."""

from __future__ import annotations

from accounts.models import User


def user_profile_fill(*, user: User, full_name: str, phone: str) -> User:
    """Remember the name and phone a patient first booked with, so the next booking is pre-filled."""
    changed = []
    if not user.full_name and full_name:
        user.full_name = full_name
        changed.append("full_name")
    if not user.phone and phone:
        user.phone = phone
        changed.append("phone")
    if changed:
        user.save(update_fields=changed)
    return user


def user_profile_update(
    *, user_id: str, full_name: str, phone: str, language: str, reminders: bool | None = None
) -> User:
    """The profile the patient edits: name, phone (E.164, validated by the form), preferred language
    and, when given, whether they want appointment reminders by e-mail."""
    user = User.objects.get(pk=user_id)
    user.full_name, user.phone, user.language = full_name, phone, language
    fields = ["full_name", "phone", "language"]
    if reminders is not None:
        user.reminders = reminders
        fields.append("reminders")
    user.save(update_fields=fields)
    return user
