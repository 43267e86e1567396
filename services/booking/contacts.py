"""The contact of a booking: a full name, and as invitation address only advisors' addresses and
addresses the chat confirmed with a mailed code."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.booking.config import BookingConfig
from services.booking.domain import ContactNotConfirmed
from services.email_codes import CodeResult, CodeSent, check_code, is_confirmed, pending_code, send_code
from storage.tables import EmailConfirmation

MAX_NAME_CHARS = 100
PURPOSE = "booking"
REASON = "eine Initialberatung buchen und die Kalendereinladung an diese Adresse schicken lassen"


def full_name(text: str) -> str | None:
    """The typed name with single spaces when it holds a first and a last name, else None."""
    words = (text or "").split()
    name = " ".join(words)
    # the invitation greets and the advisor calls a person: one word is a first name or a nickname
    if (
        len(words) < 2
        or len(name) > MAX_NAME_CHARS
        or not all(any(ch.isalpha() for ch in w) for w in words[-2:])
    ):
        return None
    return name


def is_advisor_address(config: BookingConfig, email: str) -> bool:
    """True for the address of an advisor from the advisors file (they get invitations anyway)."""
    return config.schedules.get(email) is not None


async def contact_is_usable(
    session: AsyncSession, config: BookingConfig, *, chat_id: int, email: str
) -> bool:
    """True if invitations may go to `email` for this chat without a further code."""
    return is_advisor_address(config, email) or await is_confirmed(session, chat_id=chat_id, email=email)


async def ensure_contact_confirmed(
    session: AsyncSession, config: BookingConfig, *, email: str, chat_id: int | None, by_staff: bool
) -> None:
    """Raise ContactNotConfirmed unless invitations may go to `email`.

    Without a chat nobody could have typed a code, so only the Fachstelle itself (`by_staff`) may vouch
    for an address; that keeps any future channel from mailing invitations to a stranger by default.
    """
    if is_advisor_address(config, email):
        return
    if chat_id is not None and await is_confirmed(session, chat_id=chat_id, email=email):
        return
    if chat_id is None and by_staff:
        return
    raise ContactNotConfirmed(email.strip().lower())


async def confirmed_contacts(session: AsyncSession, *, chat_id: int, limit: int = 3) -> list[str]:
    """The addresses this chat confirmed, most recently confirmed first, without repeats."""
    result = await session.exec(
        select(EmailConfirmation.email)
        .where(EmailConfirmation.chat_id == chat_id, col(EmailConfirmation.confirmed_at).is_not(None))
        .order_by(col(EmailConfirmation.confirmed_at).desc(), col(EmailConfirmation.id).desc())
    )
    addresses: list[str] = []
    for address in result.all():
        if address not in addresses:
            addresses.append(address)
    return addresses[:limit]


async def send_contact_code(
    session: AsyncSession, config: BookingConfig, *, chat_id: int, email: str, minutes: int
) -> CodeSent:
    """Mail a code that proves the chat reads `email`; raises email_codes.TooManyCodes; commits."""
    return await send_code(
        session,
        chat_id=chat_id,
        email=email,
        purpose=PURPOSE,
        reason=REASON,
        domain=config.domain,
        minutes=minutes,
    )


async def check_contact_code(session: AsyncSession, *, chat_id: int, code: str) -> CodeResult:
    """Check a code the chat typed for its booking address; commits the attempt."""
    return await check_code(session, chat_id=chat_id, purpose=PURPOSE, code=code)


async def pending_contact_code(session: AsyncSession, *, chat_id: int) -> CodeSent | None:
    """The chat's booking code that can still be typed, if any."""
    return await pending_code(session, chat_id=chat_id, purpose=PURPOSE)
