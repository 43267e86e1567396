"""MailSink keeps every message as a readable .eml file when no SMTP server is configured."""

from __future__ import annotations

import asyncio
import re
from email import policy
from email.parser import BytesParser

import pytest

from mail.sink import MailSink
from mail.smtp_sender import PermanentFailure, SendResult

ANNA = ("Anna Schäfer", "anna.schaefer@kreis-fulda.example")
LEITUNG = ("Leitung Beratungsstelle", "leitung@klima-kommunen.example")
FILE_NAME = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-[A-Za-z0-9-]{1,12}(-\d+)?\.eml$")


def _parse(path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


async def test_the_sink_writes_a_message_that_parses_back_intact(tmp_path, make_message):
    sink = MailSink(tmp_path / "outbox" / "mails")
    message = make_message(to=[ANNA])

    result = await sink.send_email(message)

    [path] = sink.list_messages()
    assert FILE_NAME.match(path.name), path.name
    parsed = _parse(path)
    assert parsed["Subject"] == message["Subject"]
    assert parsed["To"].addresses[0].display_name == "Anna Schäfer"
    assert parsed["Message-ID"] == message["Message-ID"]
    assert parsed.get_content() == message.get_content()
    assert result == SendResult(accepted=(ANNA[1],), refused={}, response=f"saved to {path}")


async def test_the_sink_records_the_envelope_and_hides_bcc_like_smtp(tmp_path, make_message):
    sink = MailSink(tmp_path)

    result = await sink.send_email(make_message(to=[ANNA], bcc=[LEITUNG]))

    parsed = _parse(sink.list_messages()[0])
    assert parsed["Bcc"] is None
    assert parsed["Return-Path"] == "<beratung@klima-kommunen.example>"
    assert [part.strip() for part in str(parsed["Envelope-To"]).split(",")] == [ANNA[1], LEITUNG[1]]
    assert result.accepted == (ANNA[1], LEITUNG[1])


async def test_the_sink_keeps_every_message_in_order_and_no_temp_files(tmp_path, make_message):
    sink = MailSink(tmp_path)

    for index in range(3):
        await sink.send_email(make_message(to=[ANNA], subject=f"Protokoll {index}"))
    # The same message five times at once: same Message-ID, possibly the same microsecond.
    again = make_message(to=[ANNA], subject="gleichzeitig")
    await asyncio.gather(*(sink.send_email(again) for _ in range(5)))

    paths = sink.list_messages()
    assert len(paths) == 8
    assert [_parse(path)["Subject"] for path in paths[:3]] == ["Protokoll 0", "Protokoll 1", "Protokoll 2"]
    assert sorted(item.name for item in tmp_path.iterdir()) == [path.name for path in paths]


async def test_the_sink_names_a_message_without_message_id_too(tmp_path, make_message):
    sink = MailSink(tmp_path)
    message = make_message(to=[ANNA])
    del message["Message-ID"]

    await sink.send_email(message)

    [path] = sink.list_messages()
    assert FILE_NAME.match(path.name), path.name


async def test_the_sink_refuses_a_message_without_recipients_like_smtp(tmp_path, make_message):
    sink = MailSink(tmp_path)
    message = make_message(to=[ANNA])
    del message["To"]

    with pytest.raises(PermanentFailure):
        await sink.send_email(message)

    assert sink.list_messages() == []


def test_an_empty_or_missing_sink_folder_lists_no_messages(tmp_path):
    assert MailSink(tmp_path / "not-yet-created").list_messages() == []
