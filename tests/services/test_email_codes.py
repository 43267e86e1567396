"""Mailed confirmation codes on SQLite and PostgreSQL: mailed once, hashed, expiring, few attempts."""

import datetime as dt
import re

import pytest
from sqlmodel import select

from services.email_codes import (
    MAX_ATTEMPTS,
    MAX_CODES_PER_HOUR,
    CodeCheck,
    TooManyCodes,
    check_code,
    is_confirmed,
    pending_code,
    send_code,
)
from services.outgoing import OutgoingMail
from storage.tables import EmailConfirmation, OutboxMail

CHAT = 4711


async def _send(session, email="Kim@Gemeinde.example", chat_id=CHAT, purpose="booking"):
    return await send_code(
        session,
        chat_id=chat_id,
        email=email,
        purpose=purpose,
        reason="Termine an diese Adresse senden",
        domain="klimabot.example",
    )


async def _mailed_code(session) -> str:
    rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id.desc()))).all()
    mail = OutgoingMail.from_json(rows[0].payload)
    return re.search(r"\b(\d{6})\b", mail.text).group(1)


async def test_the_mailed_code_confirms_the_address_for_that_chat_only(sessions):
    async with sessions() as session:
        sent = await _send(session)
        code = await _mailed_code(session)
        stored = (await session.exec(select(EmailConfirmation))).one()
        assert code not in stored.code_hash  # only a hash is kept
        assert sent.email == "kim@gemeinde.example"
        assert not await is_confirmed(session, chat_id=CHAT, email="kim@gemeinde.example")
        result = await check_code(session, chat_id=CHAT, purpose="booking", code=f" {code} ")
        assert result.check is CodeCheck.CONFIRMED and result.email == "kim@gemeinde.example"
        assert await is_confirmed(session, chat_id=CHAT, email="KIM@gemeinde.example")
        assert not await is_confirmed(session, chat_id=CHAT + 1, email="kim@gemeinde.example")
        assert await pending_code(session, chat_id=CHAT, purpose="booking") is None


async def test_another_chat_cannot_use_the_code(sessions):
    async with sessions() as session:
        await _send(session)
        code = await _mailed_code(session)
        result = await check_code(session, chat_id=CHAT + 1, purpose="booking", code=code)
        assert result.check is CodeCheck.NONE_PENDING


async def test_wrong_codes_use_up_the_attempts(sessions):
    async with sessions() as session:
        await _send(session)
        code = await _mailed_code(session)
        wrong = "000000" if code != "000000" else "111111"
        results = [
            await check_code(session, chat_id=CHAT, purpose="booking", code=wrong)
            for _ in range(MAX_ATTEMPTS)
        ]
        assert [r.check for r in results[:-1]] == [CodeCheck.WRONG] * (MAX_ATTEMPTS - 1)
        assert results[-1].check is CodeCheck.TOO_MANY_ATTEMPTS
        late = await check_code(session, chat_id=CHAT, purpose="booking", code=code)
        assert late.check is CodeCheck.TOO_MANY_ATTEMPTS
        assert not await is_confirmed(session, chat_id=CHAT, email="kim@gemeinde.example")


async def test_an_expired_code_is_refused(sessions):
    async with sessions() as session:
        await _send(session)
        code = await _mailed_code(session)
        row = (await session.exec(select(EmailConfirmation))).one()
        row.expires_at = row.created_at - dt.timedelta(seconds=1)
        session.add(row)
        await session.commit()
        result = await check_code(session, chat_id=CHAT, purpose="booking", code=code)
        assert result.check is CodeCheck.EXPIRED


async def test_a_new_code_replaces_the_pending_one(sessions):
    async with sessions() as session:
        await _send(session)
        first = await _mailed_code(session)
        await _send(session, email="other@gemeinde.example")
        second = await _mailed_code(session)
        if first != second:
            stale = await check_code(session, chat_id=CHAT, purpose="booking", code=first)
            assert stale.check is CodeCheck.WRONG
        result = await check_code(session, chat_id=CHAT, purpose="booking", code=second)
        assert result.check is CodeCheck.CONFIRMED and result.email == "other@gemeinde.example"


async def test_codes_per_hour_are_limited(sessions):
    async with sessions() as session:
        for _ in range(MAX_CODES_PER_HOUR):
            await _send(session)
        with pytest.raises(TooManyCodes):
            await _send(session)
        mails = (await session.exec(select(OutboxMail))).all()
        assert len(mails) == MAX_CODES_PER_HOUR
