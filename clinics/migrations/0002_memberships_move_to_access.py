"""Memberships and invitations moved to the ``access`` app: the tables are renamed, rows kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("Invitation", "access_invitation"),
                migrations.AlterModelTable("Membership", "access_membership"),
            ],
            state_operations=[
                migrations.DeleteModel("Invitation"),
                migrations.DeleteModel("Membership"),
            ],
        )
    ]
