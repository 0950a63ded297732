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
