"""/dev/mail/ lists and shows what the SMTP sink received, and nothing outside its directory."""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from pytest_django.fixtures import Settings

from nexioq.mailsink import MailSink
from tests.production import production_env

pytestmark = pytest.mark.django_db

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//NexioQ//test//ES\r\nEND:VCALENDAR\r\n"
HTML = '<p>Hola <b>Luis</b> &amp; familia</p><script>document.title = "ran"</script>'


def send_confirmation(to: str = "luis@example.com", subject: str = "Cita confirmada") -> None:
    message = EmailMultiAlternatives(subject, "Hola Luis\nCancelar: https://nexioq.example/x/", to=[to])
    message.attach_alternative(HTML, "text/html")
    message.attach("cita.ics", ICS, "text/calendar")
    message.send()


def only_eml(directory: Path) -> str:
    [path] = directory.iterdir()
    return path.name


def test_it_lists_messages_newest_first_with_recipient_subject_and_date(client: Client, mail_dir: Path) -> None:
    send_confirmation(to="first@example.com", subject="Primero")
    first = only_eml(mail_dir)
    os.utime(mail_dir / first, (1_700_000_000, 1_700_000_000))  # an older file
    send_confirmation(to="second@example.com", subject="Segundo")

    response = client.get(reverse("dev-mail"))

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Segundo") < body.index("Primero")
    assert "second@example.com" in body and "first@example.com" in body
    assert reverse("dev-mail-message", args=[first]) in body
    assert [mail.subject for mail in response.context["mails"]] == ["Segundo", "Primero"]
    assert all(mail.date.tzinfo is not None for mail in response.context["mails"])
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}T', body)


def test_it_shows_one_message_with_its_html_sandboxed_its_text_and_attachments(client: Client, mail_dir: Path) -> None:
    send_confirmation()

    response = client.get(reverse("dev-mail-message", args=[only_eml(mail_dir)]))

    assert response.status_code == 200
    body = response.content.decode()
    [iframe] = re.findall(r"<iframe[^>]*>", body)
    sandbox = re.search(r'sandbox="([^"]*)"', iframe)
    assert sandbox is not None and "allow-scripts" not in sandbox.group(1)
    assert "allow-same-origin" not in sandbox.group(1)
    srcdoc = re.search(r'srcdoc="([^"]*)"', iframe)
    assert srcdoc is not None
    assert HTML in unescape(srcdoc.group(1))  # whole, escaped once for the attribute
    assert "<script>" not in body.replace(iframe, "")  # the message's script only inside the sandbox
    assert "Cancelar: https://nexioq.example/x/" in body
    assert "cita.ics" in body and "text/calendar" in body
    assert "luis@example.com" in body and "Cita confirmada" in body


def test_a_message_without_html_shows_its_text_only(client: Client, mail_dir: Path) -> None:
    send_mail("Solo texto", "Cuerpo plano", "no-reply@nexioq.example", ["ana@example.com"])

    response = client.get(reverse("dev-mail-message", args=[only_eml(mail_dir)]))

    assert response.status_code == 200
    assert b"<iframe" not in response.content
    assert b"Cuerpo plano" in response.content


def test_an_empty_directory_says_how_mail_arrives(client: Client, mail_dir: Path) -> None:
    response = client.get(reverse("dev-mail"))

    assert response.status_code == 200
    assert response.context["mails"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/dev/mail/../settings.py/",
        "/dev/mail/..%2Fsettings.py/",
        "/dev/mail/..%2F..%2F..%2Fnexioq%2Fsettings.py/",
        "/dev/mail/..eml/",
        "/dev/mail/notes.txt/",
        "/dev/mail/missing.eml/",
    ],
)
def test_it_404s_anything_but_a_message_of_the_directory(client: Client, mail_dir: Path, path: str) -> None:
    (mail_dir / "notes.txt").write_text("not a message")

    response = client.get(path)

    assert response.status_code == 404
    assert b"SECRET_KEY" not in response.content


def test_it_404s_and_does_not_list_a_link_out_of_the_directory(client: Client, mail_dir: Path) -> None:
    settings_file = Path(__file__).resolve().parents[2] / "nexioq" / "settings.py"
    (mail_dir / "link.eml").symlink_to(settings_file)

    assert client.get(reverse("dev-mail-message", args=["link.eml"])).status_code == 404
    assert client.get(reverse("dev-mail")).context["mails"] == []


def test_it_refuses_post(client: Client, mail_dir: Path) -> None:
    assert client.post(reverse("dev-mail")).status_code == 405


def test_it_is_not_routed_without_a_mail_directory(client: Client, smtp_sink: MailSink) -> None:
    with pytest.raises(NoReverseMatch):
        reverse("dev-mail")

    assert client.get("/dev/mail/").status_code == 404


def test_it_404s_if_the_directory_setting_goes_away(client: Client, mail_dir: Path, settings: Settings) -> None:
    settings.MAIL_SINK_DIR = None

    assert client.get("/dev/mail/").status_code == 404


def test_it_is_never_routed_in_production() -> None:
    import subprocess
    import sys

    env = production_env(
        MAIL_SINK_DIR="/tmp",  # noqa: S108 - set on purpose: production must ignore it
        DJANGO_SETTINGS_MODULE="nexioq.settings",
    )
    code = (
        "import django; django.setup(); from django.conf import settings; from django.urls import reverse\n"
        "assert settings.MAIL_SINK_DIR is None\n"
        "assert settings.EMAIL_BACKEND == 'django_ses.SESBackend', settings.EMAIL_BACKEND\n"
        "try:\n    reverse('dev-mail')\nexcept Exception as exc:\n    print(type(exc).__name__)\n"
    )
    base = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=base, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "NoReverseMatch"
