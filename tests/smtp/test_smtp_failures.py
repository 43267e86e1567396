"""Every way a send can fail ends in TemporaryFailure or PermanentFailure, classified by RFC 5321 codes."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest

from mail.smtp_sender import PermanentFailure, SmtpSettings, TemporaryFailure, send_email
from tests.smtp.smtp_server import TestSmtpServer

ANNA = ("Anna Schäfer", "anna.schaefer@kreis-fulda.example")
JOERG = ("Jörg Müller", "joerg.mueller@marburg.example")


async def test_all_recipients_refused_with_450_is_a_temporary_failure(
    smtp_server, smtp_settings, make_message
):
    smtp_server.refuse_recipient(ANNA[1], 450)
    smtp_server.refuse_recipient(JOERG[1], 450)

    with pytest.raises(TemporaryFailure) as caught:
        await send_email(smtp_settings, make_message(to=[ANNA, JOERG]))

    assert caught.value.code == 450
    assert caught.value.refused == {
        ANNA[1]: (450, "4.2.1 Mailbox temporarily unavailable"),
        JOERG[1]: (450, "4.2.1 Mailbox temporarily unavailable"),
    }
    assert smtp_server.messages == []


async def test_all_recipients_refused_with_550_is_a_permanent_failure(
    smtp_server, smtp_settings, make_message
):
    smtp_server.refuse_recipient(ANNA[1], 550)
    smtp_server.refuse_recipient(JOERG[1], 550)

    with pytest.raises(PermanentFailure) as caught:
        await send_email(smtp_settings, make_message(to=[ANNA, JOERG]))

    assert caught.value.code == 550
    assert set(caught.value.refused) == {ANNA[1], JOERG[1]}
    assert "all recipients refused" in caught.value.reason


async def test_all_recipients_refused_with_one_4xx_among_5xx_is_a_temporary_failure(
    smtp_server, smtp_settings, make_message
):
    smtp_server.refuse_recipient(ANNA[1], 550)
    smtp_server.refuse_recipient(JOERG[1], 452)

    with pytest.raises(TemporaryFailure) as caught:
        await send_email(smtp_settings, make_message(to=[ANNA, JOERG]))

    assert caught.value.code == 452
    assert caught.value.refused[ANNA[1]][0] == 550


@pytest.mark.parametrize(("code", "failure"), [(451, TemporaryFailure), (554, PermanentFailure)])
async def test_a_negative_reply_to_data_is_classified_by_its_code(
    smtp_server, smtp_settings, make_message, code, failure
):
    smtp_server.fail_data(code)

    with pytest.raises(failure) as caught:
        await send_email(smtp_settings, make_message(to=[ANNA]))

    assert type(caught.value) is failure
    assert caught.value.code == code
    assert "DATA" in caught.value.reason
    assert smtp_server.messages == []


@pytest.mark.parametrize(("code", "failure"), [(451, TemporaryFailure), (553, PermanentFailure)])
async def test_a_negative_reply_to_mail_from_is_classified_by_its_code(
    smtp_server, smtp_settings, make_message, code, failure
):
    smtp_server.refuse_sender(code)

    with pytest.raises(failure) as caught:
        await send_email(smtp_settings, make_message(to=[ANNA]))

    assert type(caught.value) is failure
    assert caught.value.code == code
    assert "sender" in caught.value.reason


async def test_wrong_credentials_are_a_permanent_failure_with_535(make_message):
    with TestSmtpServer(auth=("klimabot", "richtig")) as server:
        settings = SmtpSettings(
            host=server.host, port=server.port, user="klimabot", password="falsch", tls="none", timeout=3.0
        )

        with pytest.raises(PermanentFailure) as caught:
            await send_email(settings, make_message(to=[ANNA]))

    assert caught.value.code == 535
    assert "authentication" in caught.value.reason


async def test_a_server_that_requires_auth_refuses_an_unauthenticated_sender_permanently(make_message):
    with TestSmtpServer(auth=("klimabot", "richtig")) as server:
        settings = SmtpSettings(host=server.host, port=server.port, tls="none", timeout=3.0)

        with pytest.raises(PermanentFailure) as caught:
            await send_email(settings, make_message(to=[ANNA]))

    assert caught.value.code == 530


async def test_a_stopped_server_is_a_quick_temporary_failure(smtp_server, smtp_settings, make_message):
    smtp_server.stop()

    started = time.monotonic()
    with pytest.raises(TemporaryFailure) as caught:
        await send_email(smtp_settings, make_message(to=[ANNA]))

    assert time.monotonic() - started < 1.0
    assert caught.value.code is None
    assert "refused" in caught.value.reason.lower()


async def test_sending_works_again_once_the_stopped_server_is_back_on_the_same_port(
    smtp_server, smtp_settings, make_message
):
    smtp_server.stop()
    with pytest.raises(TemporaryFailure):
        await send_email(smtp_settings, make_message(to=[ANNA], subject="während der Störung"))

    smtp_server.start()
    result = await send_email(smtp_settings, make_message(to=[ANNA], subject="nach der Störung"))

    assert result.accepted == (ANNA[1],)
    [received] = await smtp_server.wait_for_messages(1, timeout=2)
    assert received.message["Subject"] == "nach der Störung"


async def test_implicit_tls_against_a_plain_text_server_is_a_temporary_failure(
    smtp_server, smtp_settings, make_message
):
    settings = replace(smtp_settings, tls="ssl")

    with pytest.raises(TemporaryFailure) as caught:
        await send_email(settings, make_message(to=[ANNA]))

    assert caught.value.code is None


async def test_required_starttls_that_the_server_does_not_offer_is_a_permanent_failure(
    smtp_server, smtp_settings, make_message
):
    settings = replace(smtp_settings, tls="starttls")

    with pytest.raises(PermanentFailure) as caught:
        await send_email(settings, make_message(to=[ANNA]))

    assert "STARTTLS" in caught.value.reason
    assert smtp_server.messages == []


@asynccontextmanager
async def _raw_server(on_connect):
    """A bare TCP server on 127.0.0.1 for behaviour aiosmtpd will not show (silence, hang-ups)."""
    writers: list[asyncio.StreamWriter] = []

    async def tracked(reader, writer):
        writers.append(writer)
        try:
            await on_connect(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(tracked, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        # Python 3.11's Server.close() leaves accepted connections open; close them before the loop ends.
        for writer in writers:
            writer.close()
        await asyncio.gather(*(writer.wait_closed() for writer in writers), return_exceptions=True)
        await server.wait_closed()


async def test_a_server_that_never_greets_is_a_temporary_failure_after_the_timeout(make_message):
    async def silent(reader, writer):
        await reader.read()  # returns when the client gives up and closes
        writer.close()

    async with _raw_server(silent) as port:
        settings = SmtpSettings(host="127.0.0.1", port=port, tls="none", timeout=0.3)
        started = time.monotonic()

        with pytest.raises(TemporaryFailure) as caught:
            await send_email(settings, make_message(to=[ANNA]))

    assert time.monotonic() - started < 2.0
    assert "timed out" in caught.value.reason.lower()


async def test_a_connection_dropped_mid_session_is_a_temporary_failure(make_message):
    async def hang_up_after_ehlo(reader, writer):
        writer.write(b"220 smtp.example ESMTP\r\n")
        await writer.drain()
        await reader.readline()
        writer.close()

    async with _raw_server(hang_up_after_ehlo) as port:
        settings = SmtpSettings(
            host="127.0.0.1", port=port, tls="none", timeout=3.0, helo_name="klimabot.test"
        )

        with pytest.raises(TemporaryFailure):
            await send_email(settings, make_message(to=[ANNA]))


@pytest.mark.parametrize(("code", "failure"), [(421, TemporaryFailure), (554, PermanentFailure)])
async def test_a_negative_greeting_is_classified_by_its_code(make_message, code, failure):
    async def refuse(reader, writer):
        # RFC 5321 §3.1: a server may greet with 554 (or 421) and then wait for QUIT.
        writer.write(f"{code} smtp.example no service for you\r\n".encode())
        await writer.drain()
        await reader.readline()
        writer.write(b"221 bye\r\n")
        writer.close()

    async with _raw_server(refuse) as port:
        settings = SmtpSettings(
            host="127.0.0.1", port=port, tls="none", timeout=3.0, helo_name="klimabot.test"
        )

        with pytest.raises(failure) as caught:
            await send_email(settings, make_message(to=[ANNA]))

    assert type(caught.value) is failure
    assert caught.value.code == code


async def test_a_message_without_recipients_fails_permanently_before_connecting(make_message):
    message = make_message(to=[ANNA])
    del message["To"]
    # Port 9 (discard) on loopback: if send_email connected at all, it would fail differently.
    settings = SmtpSettings(host="127.0.0.1", port=9, tls="none", timeout=1.0)

    with pytest.raises(PermanentFailure) as caught:
        await send_email(settings, message)

    assert caught.value.code is None
    assert "no recipients" in caught.value.reason


async def test_an_address_with_a_line_break_fails_permanently(smtp_server, smtp_settings, make_message):
    with pytest.raises(PermanentFailure) as caught:
        await send_email(
            smtp_settings, make_message(to=[ANNA]), recipients=["anna@example.org\r\nRCPT TO:<x@y.z>"]
        )

    assert caught.value.code is None
    assert smtp_server.messages == []
