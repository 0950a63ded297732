from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from access import views as access_views
from nexioq import views as nexioq_views

urlpatterns = [
    path("", nexioq_views.home, name="home"),
    path("health/", nexioq_views.health, name="health"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("office.urls_start")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("c/<slug:clinic_slug>/staff/", include("access.urls")),
    path("c/<slug:clinic_slug>/admin/", include("panel.urls")),
    path("c/<slug:clinic_slug>/agenda/", include("office.urls_agenda")),
    path("c/<slug:clinic_slug>/agenda/day/", include("office.urls_day")),
    path("c/<slug:clinic_slug>/agenda/bookings/", include("office.urls_agenda_booking")),
    path("c/<slug:clinic_slug>/agenda/blocks/", include("office.urls_blocks")),
    path("c/<slug:clinic_slug>/patients/", include("office.urls_patients")),
    path("c/<slug:clinic_slug>/reports/", include("office.urls_reports")),
    path("c/<slug:clinic_slug>/messages/", include("notifications.urls_office")),
    path("c/<slug:clinic_slug>/", include("booking.urls")),
    path("me/", include("booking.urls_portal")),
    path("notifications/", include("notifications.urls")),
    path("invitations/<str:token>/", access_views.invitation_accept, name="access-invitation"),
]

# The local SMTP sink's mail, for the demo: only where MAIL_SINK_DIR is set (`make run`), never in production.
if settings.MAIL_SINK_DIR:
    from nexioq import views_mail

    urlpatterns = [
        path("dev/mail/", views_mail.mail_list, name="dev-mail"),
        path("dev/mail/<str:name>/", views_mail.mail_message, name="dev-mail-message"),
        *urlpatterns,
    ]
