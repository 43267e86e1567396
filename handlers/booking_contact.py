"""The invitation address of a booking: confirmed addresses as buttons, a mailed code for a new one."""

from __future__ import annotations

import html

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.booking_ui import Booking_, BookingFlow, button_index, keyboard
from handlers.flow_state import KnownContact
from handlers.inputs import EMAIL_HINT
from services.booking.config import BookingConfig
from services.booking.contacts import (
    check_contact_code,
    confirmed_contacts,
    contact_is_usable,
    is_advisor_address,
    pending_contact_code,
    send_contact_code,
)
from services.email_address import normalize_address
from services.email_codes import CODE_DIGITS, CodeCheck, TooManyCodes

CODE_BUTTONS = (("🔁 Code erneut senden", "resend", ""), ("✏️ Andere Adresse", "newmail", ""))


async def ask_email(
    message: Message, state: FSMContext, session: AsyncSession, booking: BookingConfig
) -> None:
    """The e-mail step: addresses this chat confirmed (no code needed), then a remembered unconfirmed one."""
    flow = await BookingFlow.load(state)
    options = await confirmed_contacts(session, chat_id=message.chat.id)
    buttons = [(f"✅ {address}", "email", str(i)) for i, address in enumerate(options)]
    known = (await KnownContact.load(state)).email
    if known and known not in options:
        # remembered from another conversation but not confirmed: choosing it mails a code, like typing it
        mark = "✅" if is_advisor_address(booking, known) else "✉️"
        buttons.append((f"{mark} {known}", "email", str(len(options))))
        options.append(known)
    # the buttons carry an index: an address may not fit into Telegram's 64 bytes of callback data
    flow.email_options = options
    await flow.save(state, Booking_.email)
    await message.answer(
        "An welche E-Mail-Adresse soll die Kalendereinladung gehen? Eine neue Adresse bestätigen Sie mit "
        "einem Code, den ich Ihnen dorthin schicke.",
        reply_markup=keyboard(*buttons),
    )


def email_option(flow: BookingFlow, value: str) -> str | None:
    """The address behind an e-mail button of the current step, or None for a stale or crafted one."""
    index = button_index(value)
    return flow.email_options[index] if index is not None and index < len(flow.email_options) else None


async def take_address(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    booking: BookingConfig,
    settings,
    address: str,
) -> bool:
    """Typed or chosen address: True if invitations may go there now; otherwise a code is mailed (or re-asked)."""
    typed = normalize_address(address)
    if typed is None:
        await message.answer(EMAIL_HINT)
        await ask_email(message, state, session, booking)
        return False
    address = typed
    usable = await contact_is_usable(session, booking, chat_id=message.chat.id, email=address)
    await KnownContact.remember(state, email=address)
    if usable:
        flow = await BookingFlow.load(state)
        flow.email = address
        await flow.save(state)
        return True
    await send_code(message, state, session, booking, settings, address)
    return False


async def send_code(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    booking: BookingConfig,
    settings,
    address: str,
) -> None:
    """Mail a fresh code to `address` and wait for it in the code step."""
    minutes = settings.confirmation_code_minutes
    try:
        sent = await send_contact_code(
            session, booking, chat_id=message.chat.id, email=address, minutes=minutes
        )
    except TooManyCodes:
        pending = await pending_contact_code(session, chat_id=message.chat.id)
        if pending is None:
            await message.answer(
                "Sie haben in der letzten Stunde schon mehrere Codes angefordert. Bitte versuchen Sie es später "
                "noch einmal oder wählen Sie eine bereits bestätigte Adresse."
            )
            await ask_email(message, state, session, booking)
            return
        await _wait_for_code(state, pending.email)
        await message.answer(
            "Sie haben in der letzten Stunde schon mehrere Codes angefordert. Bitte geben Sie den Code ein, "
            f"den ich an <b>{html.escape(pending.email)}</b> geschickt habe.",
            reply_markup=keyboard(CODE_BUTTONS[1]),
        )
        return
    await _wait_for_code(state, sent.email)
    await message.answer(
        f"Ich habe Ihnen einen {CODE_DIGITS}-stelligen Code an <b>{html.escape(sent.email)}</b> geschickt. "
        f"Bitte geben Sie ihn hier ein – er gilt {minutes} Minuten.",
        reply_markup=keyboard(*CODE_BUTTONS),
    )


async def _wait_for_code(state: FSMContext, address: str) -> None:
    flow = await BookingFlow.load(state)
    flow.pending_email = address
    await flow.save(state, Booking_.code)


async def take_code(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    booking: BookingConfig,
    settings,
) -> bool:
    """The code step: True once the typed code confirmed the address; an address typed instead is taken."""
    text = (message.text or "").strip()
    if "@" in text:
        return await take_address(message, state, session, booking, settings, text)
    digits = "".join(ch for ch in text if ch in "0123456789")
    if len(digits) != CODE_DIGITS or len(text) > 2 * CODE_DIGITS:
        await message.answer(
            f"Bitte geben Sie den {CODE_DIGITS}-stelligen Code aus der E-Mail ein.",
            reply_markup=keyboard(*CODE_BUTTONS),
        )
        return False
    result = await check_contact_code(session, chat_id=message.chat.id, code=digits)
    if result.check is CodeCheck.CONFIRMED:
        flow = await BookingFlow.load(state)
        flow.email, flow.pending_email = result.email or "", None
        await flow.save(state)
        await KnownContact.remember(state, email=result.email)
        await message.answer(f"✅ Danke, {html.escape(result.email or '')} ist bestätigt.")
        return True
    if result.check is CodeCheck.WRONG:
        tries = "einen Versuch" if result.attempts_left == 1 else f"{result.attempts_left} Versuche"
        text = f"Der Code stimmt nicht. Sie haben noch {tries}."
    elif result.check is CodeCheck.EXPIRED:
        text = "Der Code ist abgelaufen. Tippen Sie auf „Code erneut senden“."
    elif result.check is CodeCheck.TOO_MANY_ATTEMPTS:
        text = "Das waren zu viele falsche Versuche. Tippen Sie auf „Code erneut senden“."
    else:
        text = "Für diese Buchung wartet kein Code. Tippen Sie auf „Code erneut senden“."
    await message.answer(text, reply_markup=keyboard(*CODE_BUTTONS))
    return False


async def resend_code(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    booking: BookingConfig,
    settings,
) -> None:
    """The „Code erneut senden“ button: a fresh code to the address waiting for confirmation."""
    address = (await BookingFlow.load(state)).pending_email or (await KnownContact.load(state)).email
    if not address:
        await ask_email(message, state, session, booking)
        return
    await send_code(message, state, session, booking, settings, address)
