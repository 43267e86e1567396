"""send_email delivers to a real SMTP server on loopback and reports per-recipient results."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from mail.smtp_sender import SendResult, SmtpSettings, send_email
from tests.smtp.smtp_server import TestSmtpServer

ANNA = ("Anna Schäfer", "anna.schaefer@kreis-fulda.example")
JOERG = ("Jörg Müller-Lüdenscheidt", "joerg.mueller@marburg.example")
OEZLEM = ("Özlem Yıldız", "oezlem.yildiz@darmstadt.example")
LEITUNG = ("Leitung Beratungsstelle", "leitung@klima-kommunen.example")


async def test_non_ascii_subject_names_and_body_arrive_intact(smtp_server, smtp_settings, make_message):
    message = make_message(to=[ANNA], cc=[JOERG])

    result = await send_email(smtp_settings, message)

    [received] = await smtp_server.wait_for_messages(1, timeout=2)
    # The wire format ends lines in CRLF (RFC 5321 §2.3.8); the composed text used "\n".
    parsed = BytesParser(policy=policy.default).parsebytes(received.raw.replace(b"\r\n", b"\n"))
    assert parsed["Subject"] == message["Subject"]
    assert [(a.display_name, a.addr_spec) for a in parsed["To"].addresses] == [ANNA]
    assert [(a.display_name, a.addr_spec) for a in parsed["Cc"].addresses] == [JOERG]
    assert parsed["From"].addresses[0].display_name == "Klimabot – Beratungsstelle"
    assert parsed.get_content() == message.get_content()
    assert parsed["Message-ID"] == message["Message-ID"]
    assert result == SendResult(accepted=(ANNA[1], JOERG[1]), refused={}, response=result.response)


async def test_envelope_sender_and_recipients_come_from_from_to_and_cc(
    smtp_server, smtp_settings, make_message
):
    await send_email(smtp_settings, make_message(to=[ANNA, OEZLEM], cc=[JOERG]))

    [received] = await smtp_server.wait_for_messages(1, timeout=2)
    assert received.mail_from == "beratung@klima-kommunen.example"
    assert received.rcpt_tos == (ANNA[1], OEZLEM[1], JOERG[1])


async def test_bcc_recipients_receive_the_message_but_no_bcc_header_is_transmitted(
    smtp_server, smtp_settings, make_message
):
    message = make_message(to=[ANNA], bcc=[LEITUNG, OEZLEM])

    result = await send_email(smtp_settings, message)

    [received] = await smtp_server.wait_for_messages(1, timeout=2)
    assert received.rcpt_tos == (ANNA[1], LEITUNG[1], OEZLEM[1])
    assert result.accepted == (ANNA[1], LEITUNG[1], OEZLEM[1])
    header_block = received.raw.split(b"\r\n\r\n", 1)[0].lower()
    assert b"\nbcc:" not in b"\n" + header_block
    assert LEITUNG[1].encode() not in received.raw
    assert received.message["Bcc"] is None
    # The caller's message is not changed by sending it.
    assert message["Bcc"] is not None


async def test_explicit_recipients_replace_the_header_addresses(smtp_server, smtp_settings, make_message):
    message = make_message(to=[ANNA], cc=[JOERG])

    result = await send_email(
        smtp_settings,
        message,
        sender="bounces@klima-kommunen.example",
        recipients=["Özlem <oezlem.yildiz@darmstadt.example>"],
    )

    [received] = await smtp_server.wait_for_messages(1, timeout=2)
    assert received.mail_from == "bounces@klima-kommunen.example"
    assert received.rcpt_tos == (OEZLEM[1],)
    assert result.accepted == (OEZLEM[1],)


async def test_one_refused_recipient_is_reported_in_refused_without_an_exception(
    smtp_server, smtp_settings, make_message
):
    smtp_server.refuse_recipient(JOERG[1], 550)

    result = await send_email(smtp_settings, make_message(to=[ANNA, JOERG]))

    assert result.accepted == (ANNA[1],)
    assert result.refused == {JOERG[1]: (550, "5.1.1 Mailbox unavailable")}
    [received] = await smtp_server.wait_for_messages(1, timeout=2)
    assert received.rcpt_tos == (ANNA[1],)


async def test_a_temporarily_refused_recipient_is_reported_with_its_4xx_code(
    smtp_server, smtp_settings, make_message
):
    smtp_server.refuse_recipient(OEZLEM[1], 450)

    result = await send_email(smtp_settings, make_message(to=[ANNA], cc=[OEZLEM]))

    assert result.accepted == (ANNA[1],)
    assert result.refused == {OEZLEM[1]: (450, "4.2.1 Mailbox temporarily unavailable")}


async def test_the_response_is_the_servers_reply_to_data(smtp_server, smtp_settings, make_message):
    result = await send_email(smtp_settings, make_message(to=[ANNA]))

    assert result.response == "2.0.0 Message accepted for delivery"


async def test_each_call_uses_its_own_connection_and_all_messages_arrive(
    smtp_server, smtp_settings, make_message
):
    for index in range(3):
        await send_email(smtp_settings, make_message(to=[ANNA], subject=f"Rückfrage {index}"))

    received = await smtp_server.wait_for_messages(3, timeout=2)
    assert [item.message["Subject"] for item in received] == ["Rückfrage 0", "Rückfrage 1", "Rückfrage 2"]


async def test_login_with_the_right_credentials_sends_the_message(make_message):
    with TestSmtpServer(auth=("klimabot", "geheim-ä")) as server:
        settings = SmtpSettings(
            host=server.host,
            port=server.port,
            user="klimabot",
            password="geheim-ä",
            tls="none",
            timeout=3.0,
            helo_name="klimabot.test",
        )

        result = await send_email(settings, make_message(to=[ANNA]))

        assert result.accepted == (ANNA[1],)
        assert len(await server.wait_for_messages(1, timeout=2)) == 1


async def test_waiting_for_a_message_that_never_comes_gives_up_after_the_timeout(smtp_server):
    with pytest.raises(TimeoutError, match="expected 1 message"):
        await smtp_server.wait_for_messages(1, timeout=0.2)
