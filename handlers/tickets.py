"""Hand a question over to an advisor: describe → municipality → optional e-mail → confirm; chat ownership."""

from __future__ import annotations

import asyncio
import html

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.inputs import is_email_address
from handlers.keyboards import FlowCb, TicketCb, flow_keyboard, forwarded_keyboard
from services.municipalities import MunicipalityDirectory
from services.ticket_texts import RESPONSE_EXPECTATION
from services.tickets import (
    NewTicket,
    TicketConfig,
    active_ticket_for_chat,
    add_requester_message,
    open_ticket,
    set_chat_owner,
)
from storage.tables import Ticket

MIN_QUESTION_CHARS = 10
MAX_QUESTION_CHARS = 2000
FLOW_KEYS = ("esc_question", "esc_ags", "esc_municipality", "esc_email")


class Escalation(StatesGroup):
    """The steps of the hand-over to an advisor."""

    question = State()
    municipality = State()
    email = State()
    confirm = State()


async def start_escalation(message: Message, state: FSMContext) -> None:
    """Begin the hand-over; offers to take the question the user just asked."""
    data = await state.get_data()
    last = data.get("last_question")
    await state.set_state(Escalation.question)
    if last:
        await message.answer(
            "Gern gebe ich Ihr Anliegen an die Fachstelle weiter. Soll ich diese Frage weitergeben?\n\n"
            f"<i>„{html.escape(last[:500])}“</i>\n\nOder schreiben Sie Ihr Anliegen einfach neu.",
            reply_markup=flow_keyboard(("✅ Ja, diese Frage", "take", ""), back=False),
        )
    else:
        await message.answer(
            "Gern verbinde ich Sie mit der Fachstelle Klima-Kommunen. Beschreiben Sie bitte kurz Ihr "
            "Anliegen – ein bis zwei Sätze genügen.",
            reply_markup=flow_keyboard(back=False),
        )


async def _ask_municipality(message: Message, state: FSMContext) -> None:
    await state.set_state(Escalation.municipality)
    data = await state.get_data()
    buttons = []
    if data.get("known_ags"):
        buttons.append((f"✅ {data['known_municipality']}", "muni", data["known_ags"]))
    buttons.append(("Keine Angabe", "nomuni", ""))
    await message.answer(
        "Für welche Kommune fragen Sie? Schreiben Sie den Namen, z. B. <i>Marburg</i> oder <i>Landkreis Gießen</i>.",
        reply_markup=flow_keyboard(*buttons),
    )


async def _ask_email(message: Message, state: FSMContext) -> None:
    await state.set_state(Escalation.email)
    data = await state.get_data()
    buttons = [(f"✅ {data['known_email']}", "email", data["known_email"])] if data.get("known_email") else []
    buttons.append(("Ohne E-Mail", "noemail", ""))
    await message.answer(
        "Möchten Sie eine Kopie Ihrer Anfrage per E-Mail? Dann schreiben Sie mir Ihre Adresse.",
        reply_markup=flow_keyboard(*buttons),
    )


async def _ask_confirm(message: Message, state: FSMContext) -> None:
    await state.set_state(Escalation.confirm)
    data = await state.get_data()
    summary = (
        "<b>Bitte prüfen Sie Ihre Anfrage:</b>\n\n"
        f"<b>Anliegen:</b> {html.escape(data.get('esc_question', ''))}\n"
        f"<b>Kommune:</b> {html.escape(data.get('esc_municipality') or 'keine Angabe')}\n"
        f"<b>Kopie an:</b> {html.escape(data.get('esc_email') or 'keine E-Mail')}"
    )
    await message.answer(summary, reply_markup=flow_keyboard(("📨 Absenden", "send", "")))


async def on_question_text(message: Message, state: FSMContext) -> None:
    """The user described the question."""
    text = (message.text or "").strip()
    if len(text) < MIN_QUESTION_CHARS:
        await message.answer(
            "Bitte beschreiben Sie Ihr Anliegen in ein paar Worten mehr, damit die Fachstelle gezielt antworten kann.",
            reply_markup=flow_keyboard(back=False),
        )
        return
    await state.update_data(esc_question=text[:MAX_QUESTION_CHARS])
    await _ask_municipality(message, state)


async def on_municipality_text(
    message: Message, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """Match the typed municipality against the Hessian directory and ask to confirm."""
    matches = municipalities.match((message.text or "")[:200], limit=3)
    if not matches:
        await message.answer(
            "Diese Kommune habe ich in Hessen nicht gefunden. Bitte prüfen Sie die Schreibweise – oder tippen "
            "Sie auf „Keine Angabe“.",
            reply_markup=flow_keyboard(("Keine Angabe", "nomuni", "")),
        )
        return
    buttons = [(f"✅ {m.municipality.display_name}", "muni", m.municipality.ags) for m in matches]
    question = "Meinen Sie diese Kommune?" if len(matches) == 1 else "Welche Kommune meinen Sie?"
    await message.answer(question, reply_markup=flow_keyboard(*buttons, ("Keine davon", "nomuni", "")))


async def on_email_text(message: Message, state: FSMContext) -> None:
    """Validate the e-mail address for the copy."""
    address = (message.text or "").strip()
    if not is_email_address(address):
        await message.answer(
            "Das sieht nicht nach einer E-Mail-Adresse aus (Beispiel: <i>name@gemeinde.de</i>). Bitte noch einmal – "
            "oder tippen Sie auf „Ohne E-Mail“.",
            reply_markup=flow_keyboard(("Ohne E-Mail", "noemail", "")),
        )
        return
    await state.update_data(esc_email=address.lower(), known_email=address.lower())
    await _ask_confirm(message, state)


async def on_confirm_text(message: Message, state: FSMContext) -> None:
    """Free text at the summary: explain the buttons."""
    await message.answer("Bitte tippen Sie auf „📨 Absenden“ – oder auf „Zurück“, um etwas zu ändern.")
    await _ask_confirm(message, state)


async def on_flow_button(
    callback: CallbackQuery,
    callback_data: FlowCb,
    state: FSMContext,
    session: AsyncSession,
    tickets: TicketConfig,
    municipalities: MunicipalityDirectory,
    mail_wake: asyncio.Event,
) -> None:
    """Buttons of the hand-over: take, municipality choices, e-mail choices, back, cancel, send."""
    await callback.answer()
    message = callback.message
    action = callback_data.action
    current = await state.get_state()
    data = await state.get_data()
    if action == "cancel":
        await _clear_flow(state)
        await message.answer(
            "Abgebrochen – es wurde nichts gesendet. Sie können mir jederzeit eine neue Frage stellen."
        )
    elif current is None:
        await message.answer(
            "Diese Anfrage ist schon abgeschlossen. Schreiben Sie mir einfach eine neue Frage."
        )
    elif action == "take" and data.get("last_question"):
        await state.update_data(esc_question=data["last_question"][:MAX_QUESTION_CHARS])
        await _ask_municipality(message, state)
    elif action == "muni":
        municipality = municipalities.get(callback_data.value)
        if municipality is None:
            await _ask_municipality(message, state)
            return
        await state.update_data(
            esc_ags=municipality.ags,
            esc_municipality=municipality.display_name,
            known_ags=municipality.ags,
            known_municipality=municipality.display_name,
        )
        await _ask_email(message, state)
    elif action == "nomuni":
        await state.update_data(esc_ags=None, esc_municipality=None)
        await _ask_email(message, state)
    elif action == "email":
        await state.update_data(esc_email=callback_data.value)
        await _ask_confirm(message, state)
    elif action == "noemail":
        await state.update_data(esc_email=None)
        await _ask_confirm(message, state)
    elif action == "back":
        await _go_back(message, state, current)
    elif action == "send" and current == Escalation.confirm.state:
        await _submit(callback, state, session, tickets, mail_wake)


async def _go_back(message: Message, state: FSMContext, current: str | None) -> None:
    if current == Escalation.confirm.state:
        await _ask_email(message, state)
    elif current == Escalation.email.state:
        await _ask_municipality(message, state)
    else:
        await start_escalation(message, state)


async def _submit(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    tickets: TicketConfig,
    mail_wake: asyncio.Event,
) -> None:
    data = await state.get_data()
    if not data.get("esc_question"):
        await start_escalation(callback.message, state)
        return
    user = callback.from_user
    ticket = await open_ticket(
        session,
        tickets,
        NewTicket(
            channel="telegram",
            question=data["esc_question"],
            requester_name=user.full_name if user else None,
            requester_email=data.get("esc_email"),
            chat_id=callback.message.chat.id,
            municipality_ags=data.get("esc_ags"),
            municipality_name=data.get("esc_municipality"),
            conversation=tuple(data.get("turns", [])[-6:]),
            considered=tuple(tuple(item) for item in data.get("considered", [])),
        ),
    )
    mail_wake.set()
    await _clear_flow(state)
    await callback.message.answer(
        f"✅ Ihre Anfrage ist unter der Nummer <b>{ticket.reference}</b> bei der Fachstelle eingegangen. "
        f"{RESPONSE_EXPECTATION} Die Antwort bekommen Sie hier im Chat"
        + (" und als Kopie per E-Mail." if ticket.requester_email else ".")
        + "\n\nWeitere Nachrichten, die Sie mir jetzt schreiben, leite ich an die Fachstelle weiter."
    )


async def _clear_flow(state: FSMContext) -> None:
    await state.set_state(None)
    data = await state.get_data()
    await state.set_data({key: value for key, value in data.items() if key not in FLOW_KEYS})


async def forward_to_ticket(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    tickets: TicketConfig,
    ticket: Ticket,
    mail_wake: asyncio.Event,
) -> None:
    """The chat belongs to an open ticket: the message goes to the advisors, the bot stays quiet."""
    await add_requester_message(session, tickets, ticket, text=message.text or "", channel="telegram")
    mail_wake.set()
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
    ticket = await session.get(Ticket, callback_data.ticket_id)
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


async def owning_ticket(session: AsyncSession, chat_id: int) -> Ticket | None:
    """The open ticket that currently owns the chat (the bot must not talk over the advisor)."""
    ticket = await active_ticket_for_chat(session, chat_id=chat_id)
    # end the read transaction: the connection goes back to the pool while the bot answers
    await session.commit()
    return ticket if ticket is not None and ticket.chat_owner == "ticket" else None


def build_router() -> Router:
    """A fresh router with the hand-over steps (registered before free-text answering)."""
    router = Router(name=__name__)
    router.message.register(on_question_text, Escalation.question, F.text)
    router.message.register(on_municipality_text, Escalation.municipality, F.text)
    router.message.register(on_email_text, Escalation.email, F.text)
    router.message.register(on_confirm_text, Escalation.confirm, F.text)
    router.callback_query.register(on_flow_button, FlowCb.filter())
    router.callback_query.register(on_ticket_button, TicketCb.filter())
    return router


__all__ = [
    "Escalation",
    "StateFilter",
    "build_router",
    "forward_to_ticket",
    "owning_ticket",
    "start_escalation",
]
