"""Hand a question over to an advisor: describe → municipality → e-mail → confirm, one handler per step."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import ClassVar

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.flow_state import FlowState, KnownContact
from handlers.inputs import EMAIL_HINT
from handlers.keyboards import FlowCb, flow_keyboard
from handlers.shared_steps import (
    NAME_EXAMPLE,
    NOT_FOUND,
    WHICH_ONE,
    known_municipality,
    remember_municipality,
    typed_municipality,
)
from services.channels import chat_channel
from services.email_address import normalize_address
from services.municipalities import MunicipalityDirectory
from services.ticket_texts import RESPONSE_EXPECTATION
from services.tickets import (
    NewTicket,
    TicketConfig,
    open_ticket,
)

MIN_QUESTION_CHARS = 10
MAX_QUESTION_CHARS = 2000
STALE_BUTTON = (
    "Diese Schaltfläche passt nicht (mehr). Bitte nutzen Sie die Schaltflächen der letzten Nachricht."
)


class Escalation(StatesGroup):
    """The steps of the hand-over to an advisor."""

    question = State()
    municipality = State()
    email = State()
    confirm = State()


@dataclass
class Handover(FlowState):
    """What the hand-over keeps between steps: the question, the municipality's AGS and the copy address."""

    KEY: ClassVar[str] = "handover"

    question: str = ""
    ags: str | None = None
    email: str | None = None
    # the addresses behind the e-mail buttons, which carry only an index (Telegram's 64-byte callback data)
    email_options: list[str] = field(default_factory=list)


async def start_escalation(message: Message, state: FSMContext) -> None:
    """Begin the hand-over; offers to take the question the user just asked."""
    data = await state.get_data()
    last = data.get("last_question")
    await state.set_state(Escalation.question)
    await Handover().save(state)
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


async def _ask_municipality(
    message: Message, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    await state.set_state(Escalation.municipality)
    buttons = [*await known_municipality(state, municipalities), ("Keine Angabe", "nomuni", "")]
    await message.answer(
        f"Für welche Kommune fragen Sie? {NAME_EXAMPLE}", reply_markup=flow_keyboard(*buttons)
    )


async def _ask_email(message: Message, state: FSMContext) -> None:
    await state.set_state(Escalation.email)
    flow = await Handover.load(state)
    known = normalize_address((await KnownContact.load(state)).email or "")
    flow.email_options = [known] if known else []
    await flow.save(state)
    buttons = [(f"✅ {address}", "email", str(i)) for i, address in enumerate(flow.email_options)]
    buttons.append(("Ohne E-Mail", "noemail", ""))
    await message.answer(
        "Möchten Sie eine Kopie Ihrer Anfrage per E-Mail? Dann schreiben Sie mir Ihre Adresse.",
        reply_markup=flow_keyboard(*buttons),
    )


async def _ask_confirm(message: Message, state: FSMContext, municipalities: MunicipalityDirectory) -> None:
    await state.set_state(Escalation.confirm)
    flow = await Handover.load(state)
    municipality = municipalities.get(flow.ags) if flow.ags else None
    summary = (
        "<b>Bitte prüfen Sie Ihre Anfrage:</b>\n\n"
        f"<b>Anliegen:</b> {html.escape(flow.question)}\n"
        f"<b>Kommune:</b> {html.escape(municipality.display_name if municipality else 'keine Angabe')}\n"
        f"<b>Kopie an:</b> {html.escape(flow.email or 'keine E-Mail')}"
    )
    await message.answer(summary, reply_markup=flow_keyboard(("📨 Absenden", "send", "")))


async def handover_question(
    message: Message, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """The user described the question."""
    text = (message.text or "").strip()
    if len(text) < MIN_QUESTION_CHARS:
        await message.answer(
            "Bitte beschreiben Sie Ihr Anliegen in ein paar Worten mehr, damit die Fachstelle gezielt antworten kann.",
            reply_markup=flow_keyboard(back=False),
        )
        return
    flow = await Handover.load(state)
    flow.question = text[:MAX_QUESTION_CHARS]
    await flow.save(state)
    await _ask_municipality(message, state, municipalities)


async def handover_take_last_question(
    callback: CallbackQuery, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """„Ja, diese Frage“: the question the user asked the bot just before."""
    last = (await state.get_data()).get("last_question")
    if not last:
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    flow = await Handover.load(state)
    flow.question = last[:MAX_QUESTION_CHARS]
    await flow.save(state)
    await _ask_municipality(callback.message, state, municipalities)


async def handover_municipality(message: Message, municipalities: MunicipalityDirectory) -> None:
    """Match the typed municipality against the Hessian directory and ask to confirm."""
    buttons = typed_municipality(message.text or "", municipalities)
    if not buttons:
        await message.answer(
            f"{NOT_FOUND} Oder tippen Sie auf „Keine Angabe“.",
            reply_markup=flow_keyboard(("Keine Angabe", "nomuni", "")),
        )
        return
    question = "Meinen Sie diese Kommune?" if len(buttons) == 1 else WHICH_ONE
    await message.answer(question, reply_markup=flow_keyboard(*buttons, ("Keine davon", "nomuni", "")))


async def handover_municipality_chosen(
    callback: CallbackQuery, callback_data: FlowCb, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """A municipality button: remember its AGS (for this and later conversations)."""
    municipality = municipalities.get(callback_data.value)
    if municipality is None:
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    flow = await Handover.load(state)
    flow.ags = municipality.ags
    await flow.save(state)
    await remember_municipality(state, municipality)
    await _ask_email(callback.message, state)


async def handover_no_municipality(callback: CallbackQuery, state: FSMContext) -> None:
    """„Keine Angabe“: the question goes without a municipality."""
    await callback.answer()
    flow = await Handover.load(state)
    flow.ags = None
    await flow.save(state)
    await _ask_email(callback.message, state)


async def handover_email(message: Message, state: FSMContext, municipalities: MunicipalityDirectory) -> None:
    """A typed address for the copy: only one the mail composer can send to."""
    address = normalize_address(message.text or "")
    if address is None:
        await message.answer(
            f"{EMAIL_HINT} Bitte noch einmal – oder tippen Sie auf „Ohne E-Mail“.",
            reply_markup=flow_keyboard(("Ohne E-Mail", "noemail", "")),
        )
        return
    flow = await Handover.load(state)
    flow.email = address
    await flow.save(state)
    await KnownContact.remember(state, email=address)
    await _ask_confirm(message, state, municipalities)


async def handover_email_chosen(
    callback: CallbackQuery, callback_data: FlowCb, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """A remembered address: the button carries its index, the address is checked again."""
    flow = await Handover.load(state)
    index = callback_data.value
    options = flow.email_options
    chosen = (
        options[int(index)] if index.isascii() and index.isdigit() and int(index) < len(options) else None
    )
    address = normalize_address(chosen or "")
    if address is None:
        await callback.answer(STALE_BUTTON)
        return
    await callback.answer()
    flow.email = address
    await flow.save(state)
    await _ask_confirm(callback.message, state, municipalities)


async def handover_no_email(
    callback: CallbackQuery, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """„Ohne E-Mail“: the answer comes only in the chat."""
    await callback.answer()
    flow = await Handover.load(state)
    flow.email = None
    await flow.save(state)
    await _ask_confirm(callback.message, state, municipalities)


async def handover_confirm_text(
    message: Message, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """Free text at the summary: explain the buttons."""
    await message.answer("Bitte tippen Sie auf „📨 Absenden“ – oder auf „Zurück“, um etwas zu ändern.")
    await _ask_confirm(message, state, municipalities)


async def handover_back_to_start(callback: CallbackQuery, state: FSMContext) -> None:
    """Zurück from the municipality step (or the question): start over."""
    await callback.answer()
    await start_escalation(callback.message, state)


async def handover_back_to_municipality(
    callback: CallbackQuery, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """Zurück from the e-mail step."""
    await callback.answer()
    await _ask_municipality(callback.message, state, municipalities)


async def handover_back_to_email(callback: CallbackQuery, state: FSMContext) -> None:
    """Zurück from the summary."""
    await callback.answer()
    await _ask_email(callback.message, state)


async def handover_cancel(callback: CallbackQuery, state: FSMContext) -> None:
    """Abbrechen in any step: nothing is sent."""
    await callback.answer()
    await Handover.forget(state)
    await callback.message.answer(
        "Abgebrochen – es wurde nichts gesendet. Sie können mir jederzeit eine neue Frage stellen."
    )


async def handover_send(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    tickets: TicketConfig,
    municipalities: MunicipalityDirectory,
) -> None:
    """Absenden: open the ticket (the service commits) and hand the chat to the advisors."""
    await callback.answer()
    flow = await Handover.load(state)
    if not flow.question:
        await start_escalation(callback.message, state)
        return
    data = await state.get_data()
    municipality = municipalities.get(flow.ags) if flow.ags else None
    user = callback.from_user
    ticket = await open_ticket(
        session,
        tickets,
        NewTicket(
            channel=chat_channel(callback.message.chat.id),
            question=flow.question,
            requester_name=user.full_name if user else None,
            requester_email=flow.email,
            chat_id=callback.message.chat.id,
            municipality_ags=municipality.ags if municipality else None,
            municipality_name=municipality.display_name if municipality else None,
            conversation=tuple(data.get("turns", [])[-6:]),
            considered=tuple(tuple(item) for item in data.get("considered", [])),
        ),
    )
    await Handover.forget(state)
    await callback.message.answer(
        f"✅ Ihre Anfrage ist unter der Nummer <b>{ticket.reference}</b> bei der Fachstelle eingegangen. "
        f"{RESPONSE_EXPECTATION} Die Antwort bekommen Sie hier im Chat"
        + (" und als Kopie per E-Mail." if ticket.requester_email else ".")
        + "\n\nWeitere Nachrichten, die Sie mir jetzt schreiben, leite ich an die Fachstelle weiter."
    )


async def handover_finished_button(callback: CallbackQuery) -> None:
    """A hand-over button after the hand-over ended (sent, cancelled or replaced by /start)."""
    await callback.answer()
    await callback.message.answer(
        "Diese Anfrage ist schon abgeschlossen. Schreiben Sie mir einfach eine neue Frage."
    )


async def handover_stale_button(callback: CallbackQuery) -> None:
    """A hand-over button of an earlier step: only a short hint, the current step stays."""
    await callback.answer(STALE_BUTTON)


def build_router() -> Router:
    """A fresh router with the hand-over steps, one handler per step."""
    router = Router(name=__name__)
    router.message.register(handover_question, Escalation.question, F.text)
    router.message.register(handover_municipality, Escalation.municipality, F.text)
    router.message.register(handover_email, Escalation.email, F.text)
    router.message.register(handover_confirm_text, Escalation.confirm, F.text)
    buttons = router.callback_query
    # Abbrechen works in every step; the other buttons only in the step that showed them
    buttons.register(handover_cancel, FlowCb.filter(F.action == "cancel"))
    buttons.register(handover_finished_button, StateFilter(None), FlowCb.filter())
    buttons.register(handover_take_last_question, Escalation.question, FlowCb.filter(F.action == "take"))
    buttons.register(handover_municipality_chosen, Escalation.municipality, FlowCb.filter(F.action == "muni"))
    buttons.register(handover_no_municipality, Escalation.municipality, FlowCb.filter(F.action == "nomuni"))
    buttons.register(handover_email_chosen, Escalation.email, FlowCb.filter(F.action == "email"))
    buttons.register(handover_no_email, Escalation.email, FlowCb.filter(F.action == "noemail"))
    buttons.register(handover_send, Escalation.confirm, FlowCb.filter(F.action == "send"))
    back = FlowCb.filter(F.action == "back")
    buttons.register(handover_back_to_start, StateFilter(Escalation.question, Escalation.municipality), back)
    buttons.register(handover_back_to_municipality, Escalation.email, back)
    buttons.register(handover_back_to_email, Escalation.confirm, back)
    buttons.register(handover_stale_button, FlowCb.filter())
    return router


__all__ = ["Escalation", "Handover", "build_router", "start_escalation"]
