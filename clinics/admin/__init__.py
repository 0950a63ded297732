"""The platform admin's clinic pages (DynamoDB), split by surface.

``site``: ``NexioqAdminSite``, the project's default admin site, which mounts the clinic
pages and lists them on the index; ``views``: the pages; ``forms``: their forms. Clinics
have no ORM model, so nothing is registered here: memberships and invitations are
registered in ``access/admin.py``, users in ``accounts/admin.py``.
"""
