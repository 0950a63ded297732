"""Booking pages by surface: the public wizard (``wizard``) and the patient's own bookings (``portal``)."""
