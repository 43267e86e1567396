"""A chat with an open ticket: who answers it (the advisors or the bot), and its free text forwarded to the
advisors while they do."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.keyboards import TicketCb, forwarded_keyboard
from services.channels import chat_channel
from services.ticket_details import TicketDetails
from services.tickets import (
    TicketConfig,
    TicketNotFound,
    active_ticket_for_chat,
    add_requester_message,
    get_ticket,
    set_chat_owner,
)


async def forward_to_ticket(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    tickets: TicketConfig,
    ticket: TicketDetails,
) -> None:
    """The chat belongs to an open ticket: the message goes to the advisors, the bot stays quiet."""
    await add_requester_message(
        session, tickets, ticket, text=message.text or "", channel=chat_channel(message.chat.id)
    )
    data = await state.get_data()
    if data.get("forward_notice") != ticket.id:
        await state.update_data(forward_notice=ticket.id)
        await message.answer(
            f"📨 Ich habe Ihre Nachricht an die Fachstelle weitergeleitet (Anfrage <b>{ticket.reference}</b>). "
            "Solange Ihre Anfrage offen ist, gehen Ihre Nachrichten direkt dorthin.",
            reply_markup=forwarded_keyboard(ticket.id),
        )
    else:
        await message.answer("📨 Weitergeleitet.")


async def on_ticket_button(callback: CallbackQuery, callback_data: TicketCb, session: AsyncSession) -> None:
    """Switch who answers the chat: the advisors (`reply`) or the bot (`bot`)."""
    try:
        ticket = await get_ticket(session, ticket_id=callback_data.ticket_id)
    except TicketNotFound:
        ticket = None
    if ticket is None or ticket.requester_chat_id != callback.message.chat.id:
        await callback.answer("Diese Anfrage gibt es nicht mehr.", show_alert=True)
        return
    await callback.answer()
    if ticket.state == "closed":
        await callback.message.answer(
            f"Die Anfrage {ticket.reference} ist abgeschlossen. Schreiben Sie mir einfach – ich helfe weiter "
            "oder verbinde Sie erneut mit der Fachstelle."
        )
        return
    if callback_data.action == "reply":
        await set_chat_owner(session, ticket, "ticket")
        await callback.message.answer(
            "Schreiben Sie Ihre Antwort an die Fachstelle einfach hier in den Chat."
        )
    else:
        await set_chat_owner(session, ticket, "bot")
        await callback.message.answer(
            f"Alles klar – ich beantworte wieder Ihre Fragen. Ihre Anfrage {ticket.reference} bleibt bei der "
            "Fachstelle offen; deren Antwort bekommen Sie hier im Chat."
        )


async def owning_ticket(session: AsyncSession, chat_id: int) -> TicketDetails | None:
    """The open ticket that currently owns the chat (the bot must not talk over the advisor)."""
    ticket = await active_ticket_for_chat(session, chat_id=chat_id)
    return ticket if ticket is not None and ticket.chat_owner == "ticket" else None


async def chat_owned_by_ticket(message: Message, session: AsyncSession) -> bool | dict:
    """Filter: free text (no command) of a chat that an open ticket owns; hands the ticket on."""
    if not message.text or message.text.startswith("/"):
        return False
    ticket = await owning_ticket(session, message.chat.id)
    return {"ticket": ticket} if ticket is not None else False


async def on_text_for_ticket(
    message: Message, state: FSMContext, session: AsyncSession, tickets: TicketConfig, ticket: TicketDetails
) -> None:
    """While a ticket owns the chat, free text goes to its advisors instead of being answered."""
    await forward_to_ticket(message, state, session, tickets, ticket)


def build_router() -> Router:
    """A fresh router: the open ticket's claim on free text (before any wish is recognised) and its buttons."""
    router = Router(name=__name__)
    router.message.register(on_text_for_ticket, StateFilter(None), chat_owned_by_ticket)
    router.callback_query.register(on_ticket_button, TicketCb.filter())
    return router


__all__ = ["build_router", "forward_to_ticket", "owning_ticket"]
