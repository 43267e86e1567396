"""Proving that a chat reads a mailbox: a short code is mailed to the address and typed back in the chat.

Booking invitations go only to confirmed addresses, and a chat is bound to a municipality's reports by a
code sent to an address that already belongs to that municipality. Codes are stored hashed, expire, and
allow a few attempts, so guessing one is not practical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.outgoing import OutgoingMail, new_message_id, queue_mail
from storage.tables import EmailConfirmation
from storage.types import utcnow

CODE_DIGITS = 6
MAX_ATTEMPTS = 5
# a chat may ask for this many codes per hour: enough for typos, too few to mail-bomb an address
MAX_CODES_PER_HOUR = 5


class CodeCheck(StrEnum):
    """What became of a typed code."""

    CONFIRMED = "confirmed"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NONE_PENDING = "none_pending"


class TooManyCodes(Exception):
    """The chat asked for too many codes within the last hour."""


@dataclass(frozen=True)
class CodeSent:
    """A code was queued for mailing; the chat should now type it."""

    email: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class CodeResult:
    """The verdict on a typed code; `email` and `ags` of the confirmed request when it matched."""

    check: CodeCheck
    email: str | None = None
    ags: str | None = None
    attempts_left: int = 0


def _hash(chat_id: int, code: str) -> str:
    return hashlib.sha256(f"{chat_id}:{code}".encode()).hexdigest()


def _code_mail(*, email: str, code: str, reason: str, minutes: int, domain: str) -> OutgoingMail:
    text = (
        "Guten Tag,\n\n"
        f"jemand möchte im klimabot {reason}. Wenn Sie das sind, geben Sie bitte diesen Code im Chat ein:\n\n"
        f"    {code}\n\n"
        f"Der Code gilt {minutes} Minuten. Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren –"
        " ohne den Code geschieht nichts.\n\n"
        "Ihre Fachstelle Klima-Kommunen (klimabot)"
    )
    return OutgoingMail(
        message_id=new_message_id(domain),
        to=(("", email),),
        subject=f"Ihr Bestätigungscode: {code}",
        text=text,
        auto_submitted="auto-generated",
    )


async def send_code(
    session: AsyncSession,
    *,
    chat_id: int,
    email: str,
    purpose: str,
    reason: str,
    domain: str,
    ags: str | None = None,
    minutes: int = 30,
) -> CodeSent:
    """Queue a fresh code to `email` for this chat and purpose (earlier pending codes of it lapse); commits.

    `reason` completes the sentence "jemand möchte im klimabot …" in the mail.
    """
    now = utcnow()
    recent = await session.exec(
        select(func.count())
        .select_from(EmailConfirmation)
        .where(
            EmailConfirmation.chat_id == chat_id,
            col(EmailConfirmation.created_at) > now - dt.timedelta(hours=1),
        )
    )
    if recent.one() >= MAX_CODES_PER_HOUR:
        raise TooManyCodes
    await _lapse_pending(session, chat_id=chat_id, purpose=purpose, now=now)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    expires = now + dt.timedelta(minutes=minutes)
    address = email.strip().lower()
    session.add(
        EmailConfirmation(
            chat_id=chat_id,
            email=address,
            purpose=purpose,
            ags=ags,
            code_hash=_hash(chat_id, code),
            created_at=now,
            expires_at=expires,
        )
    )
    mail = _code_mail(email=address, code=code, reason=reason, minutes=minutes, domain=domain)
    queue_mail(session, mail, purpose="confirmation_code")
    await session.commit()
    return CodeSent(email=address, expires_at=expires)


async def _lapse_pending(session: AsyncSession, *, chat_id: int, purpose: str, now: dt.datetime) -> None:
    pending = await session.exec(
        select(EmailConfirmation).where(
            EmailConfirmation.chat_id == chat_id,
            EmailConfirmation.purpose == purpose,
            col(EmailConfirmation.confirmed_at).is_(None),
            col(EmailConfirmation.expires_at) > now,
        )
    )
    for row in pending.all():
        row.expires_at = now
        session.add(row)


async def check_code(session: AsyncSession, *, chat_id: int, purpose: str, code: str) -> CodeResult:
    """Compare a typed code with the chat's newest pending request of this purpose; commits the attempt."""
    now = utcnow()
    result = await session.exec(
        select(EmailConfirmation)
        .where(
            EmailConfirmation.chat_id == chat_id,
            EmailConfirmation.purpose == purpose,
            col(EmailConfirmation.confirmed_at).is_(None),
        )
        .order_by(col(EmailConfirmation.id).desc())
        .limit(1)
    )
    request = result.first()
    if request is None:
        return CodeResult(CodeCheck.NONE_PENDING)
    if request.expires_at <= now:
        return CodeResult(CodeCheck.EXPIRED, request.email, request.ags)
    if request.attempts >= MAX_ATTEMPTS:
        return CodeResult(CodeCheck.TOO_MANY_ATTEMPTS, request.email, request.ags)
    typed = "".join(ch for ch in code if ch.isdigit())
    request.attempts += 1
    if hmac.compare_digest(_hash(chat_id, typed), request.code_hash):
        request.confirmed_at = now
        session.add(request)
        await session.commit()
        return CodeResult(CodeCheck.CONFIRMED, request.email, request.ags)
    session.add(request)
    await session.commit()
    left = MAX_ATTEMPTS - request.attempts
    check = CodeCheck.WRONG if left > 0 else CodeCheck.TOO_MANY_ATTEMPTS
    return CodeResult(check, request.email, request.ags, attempts_left=left)


async def pending_code(session: AsyncSession, *, chat_id: int, purpose: str) -> CodeSent | None:
    """The chat's code of this purpose that is still waiting to be typed, if any."""
    result = await session.exec(
        select(EmailConfirmation)
        .where(
            EmailConfirmation.chat_id == chat_id,
            EmailConfirmation.purpose == purpose,
            col(EmailConfirmation.confirmed_at).is_(None),
            col(EmailConfirmation.expires_at) > utcnow(),
            col(EmailConfirmation.attempts) < MAX_ATTEMPTS,
        )
        .order_by(col(EmailConfirmation.id).desc())
        .limit(1)
    )
    row = result.first()
    return CodeSent(row.email, row.expires_at) if row else None


async def is_confirmed(session: AsyncSession, *, chat_id: int, email: str) -> bool:
    """True once this chat typed a code mailed to this address (for any purpose)."""
    result = await session.exec(
        select(EmailConfirmation.id)
        .where(
            EmailConfirmation.chat_id == chat_id,
            EmailConfirmation.email == email.strip().lower(),
            col(EmailConfirmation.confirmed_at).is_not(None),
        )
        .limit(1)
    )
    return result.first() is not None
