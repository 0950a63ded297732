"""Django's SMTP backend against the real SMTP sink: what is sent arrives whole, and refusals surface."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives, send_mail
from pytest_django.fixtures import Settings

from nexioq import devservers
from nexioq.mailsink import MailSink, message_from_bytes

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//NexioQ//test//ES\r\nEND:VCALENDAR\r\n"


def confirmation() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Cita confirmada: Limpieza el martes 1 de diciembre",
        body="Hola Luis,\nTu cita está confirmada.\nCancelar: https://nexioq.example/me/b/1/cancel/",
        from_email="Clínica Prueba <no-reply@nexioq.example>",
        to=["luis@example.com"],
        bcc=["archivo@clinic-a.example"],
    )
    message.attach_alternative("<p>Hola <b>Luis</b>, tu cita está confirmada.</p>", "text/html")
    message.attach("cita.ics", ICS, "text/calendar")
    return message


def test_it_receives_send_mail_with_subject_and_recipients(smtp_sink: MailSink) -> None:
    sent = send_mail("Prueba", "Cuerpo", "no-reply@nexioq.example", ["ana@example.com", "ben@example.com"])

    assert sent == 1
    [received] = smtp_sink.messages
    assert received["Subject"] == "Prueba"
    assert received["To"] == "ana@example.com, ben@example.com"
    assert received.get_content().strip() == "Cuerpo"
    assert smtp_sink.envelopes == [["ana@example.com", "ben@example.com"]]


def test_it_keeps_the_html_alternative_and_the_attachment_intact(smtp_sink: MailSink) -> None:
    confirmation().send()

    [received] = smtp_sink.messages
    assert received["Subject"] == "Cita confirmada: Limpieza el martes 1 de diciembre"
    assert received["From"] == "Clínica Prueba <no-reply@nexioq.example>"
    assert received["Bcc"] is None  # Bcc travels in the envelope only
    assert smtp_sink.envelopes == [["luis@example.com", "archivo@clinic-a.example"]]
    html = received.get_body(preferencelist=("html",))
    text = received.get_body(preferencelist=("plain",))
    assert html is not None and "<b>Luis</b>" in html.get_content()
    assert text is not None and "https://nexioq.example/me/b/1/cancel/" in text.get_content()
    [attachment] = received.iter_attachments()
    assert attachment.get_filename() == "cita.ics"
    assert attachment.get_content_type() == "text/calendar"
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert payload.replace(b"\r\n", b"\n") == ICS.replace(b"\r\n", b"\n")


def test_it_writes_each_message_as_an_eml_file(smtp_sink: MailSink) -> None:
    confirmation().send()
    send_mail("Segundo", "Cuerpo", "no-reply@nexioq.example", ["ana@example.com"])

    assert smtp_sink.directory is not None
    files = sorted(smtp_sink.directory.iterdir())
    assert [path.suffix for path in files] == [".eml", ".eml"]  # no partial file is left
    first = message_from_bytes(files[0].read_bytes())
    assert first["Subject"] == "Cita confirmada: Limpieza el martes 1 de diciembre"
    assert message_from_bytes(files[1].read_bytes())["Subject"] == "Segundo"


def test_clear_forgets_what_was_received(smtp_sink: MailSink) -> None:
    send_mail("Prueba", "Cuerpo", "no-reply@nexioq.example", ["ana@example.com"])

    smtp_sink.clear()

    assert smtp_sink.messages == []
    assert smtp_sink.envelopes == []


@pytest.mark.parametrize("code", [451, 554])
def test_a_refusing_sink_makes_djangos_send_raise(smtp_sink: MailSink, code: int) -> None:
    smtp_sink.refuse(code)

    with pytest.raises(smtplib.SMTPException) as raised:
        confirmation().send()

    assert isinstance(raised.value, smtplib.SMTPDataError)
    assert raised.value.smtp_code == code
    assert smtp_sink.messages == []
    assert smtp_sink.refused == 1


def test_it_refuses_a_given_number_of_times_then_accepts(smtp_sink: MailSink) -> None:
    smtp_sink.refuse(451, times=2)

    for _ in range(2):
        with pytest.raises(smtplib.SMTPDataError):
            send_mail("Prueba", "Cuerpo", "no-reply@nexioq.example", ["ana@example.com"])
    send_mail("Prueba", "Cuerpo", "no-reply@nexioq.example", ["ana@example.com"])

    assert smtp_sink.refused == 2
    assert len(smtp_sink.messages) == 1


def test_accept_ends_a_refusal(smtp_sink: MailSink) -> None:
    smtp_sink.refuse(554)
    smtp_sink.accept()

    send_mail("Prueba", "Cuerpo", "no-reply@nexioq.example", ["ana@example.com"])

    assert len(smtp_sink.messages) == 1


def test_a_refusal_is_a_4xx_or_5xx_reply(smtp_sink: MailSink) -> None:
    with pytest.raises(ValueError):
        smtp_sink.refuse(250)


def test_a_stopped_sink_makes_the_send_fail_to_connect(settings: Settings) -> None:
    sink = MailSink(port=devservers.free_port()).start()
    sink.stop()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port

    with pytest.raises(ConnectionRefusedError):
        send_mail("Prueba", "Cuerpo", "no-reply@nexioq.example", ["ana@example.com"])


def test_make_runs_sink_process_keeps_messages_in_its_directory(tmp_path: Path) -> None:
    port = devservers.free_port()
    process = devservers.start_mail_sink(port=port, directory=tmp_path / "mail")
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.sendmail("a@example.com", ["b@example.com"], b"Subject: Hola\r\nTo: b@example.com\r\n\r\nCuerpo\r\n")
    finally:
        devservers.stop(process)

    assert process.returncode == 0  # SIGTERM is a clean stop
    [eml] = (tmp_path / "mail").iterdir()
    assert message_from_bytes(eml.read_bytes())["Subject"] == "Hola"
