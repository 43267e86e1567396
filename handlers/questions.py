"""Free-text questions, chosen entries (suggestions, related, topics) and 👍/👎 feedback."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import texts
from handlers.handover import start_escalation
from handlers.keyboards import EntryCb, FeedbackCb, answer_keyboard, main_menu, without_feedback
from handlers.start import booking_open
from services.answering import Answer, AnsweringService, AnswerKind
from services.booking.config import BookingConfig
from services.channels import chat_channel
from services.presenting import render_html
from services.question_log import NotYourQuestion, UnknownQuestion, record_feedback, record_question

MAX_TURNS = 8


def user_ref(user_id: int) -> str:
    """How a Telegram user is referred to in the database."""
    return f"tg:{user_id}"


async def _reply(
    message: Message, answer: Answer, session: AsyncSession, contact: str, booking: bool = False
) -> None:
    question_id = await record_question(
        session, channel=chat_channel(message.chat.id), user_ref=user_ref(message.chat.id), answer=answer
    )
    await message.answer(
        render_html(answer, contact=contact),
        reply_markup=answer_keyboard(answer, question_id, booking=booking),
        disable_web_page_preview=True,
    )


async def on_unknown_command(message: Message, booking: BookingConfig) -> None:
    """A command the bot does not know: show what it can do."""
    await message.answer(texts.UNKNOWN_COMMAND, reply_markup=main_menu(booking=booking_open(booking)))


async def on_question(
    message: Message,
    state: FSMContext,
    answering: AnsweringService,
    session: AsyncSession,
    contact: str,
    booking: BookingConfig,
) -> None:
    """Answer a free-text question, suggest close matches, or hand over to the Fachstelle."""
    answer = answering.answer(message.text)
    if answer.kind is AnswerKind.ESCALATE and answer.reason == "human":
        await record_question(
            session, channel=chat_channel(message.chat.id), user_ref=user_ref(message.chat.id), answer=answer
        )
        await start_escalation(message, state)
        return
    if answer.kind is not AnswerKind.HELP:
        await _remember_turn(state, message.text, answer)
    await _reply(message, answer, session, contact, booking_open(booking))


async def _remember_turn(state: FSMContext, question: str, answer: Answer) -> None:
    """Keep the last turns and considered entries for a later hand-over to an advisor."""
    data = await state.get_data()
    if answer.entry:
        outcome = answer.entry.title
    else:
        outcome = {"suggest": "Rückfrage mit Vorschlägen", "escalate": "keine sichere Antwort"}.get(
            str(answer.kind), ""
        )
    turns = [*data.get("turns", []), f"Nutzer: {question[:300]}", f"Bot: {outcome}"][-MAX_TURNS:]
    considered = [[entry.id, entry.title] for entry in answer.considered[:3]]
    await state.update_data(last_question=question[:2000], turns=turns, considered=considered)


async def on_entry_chosen(
    callback: CallbackQuery,
    callback_data: EntryCb,
    answering: AnsweringService,
    session: AsyncSession,
    contact: str,
) -> None:
    """The user picked an entry from a suggestion, related question or topic list."""
    answer = answering.answer_entry(callback_data.entry_id)
    if answer is None:
        await callback.answer(texts.ENTRY_GONE, show_alert=True)
        return
    await callback.answer()
    await _reply(callback.message, answer, session, contact)


async def on_feedback(callback: CallbackQuery, callback_data: FeedbackCb, session: AsyncSession) -> None:
    """Store 👍/👎 and remove the vote buttons."""
    if callback_data.vote not in (1, -1):
        await callback.answer()
        return
    try:
        await record_feedback(
            session,
            question_id=callback_data.question_id,
            user_ref=user_ref(callback.from_user.id),
            vote=callback_data.vote,
        )
    except UnknownQuestion:
        await callback.answer(texts.ENTRY_GONE, show_alert=True)
        return
    except NotYourQuestion:
        await callback.answer(texts.FEEDBACK_NOT_YOURS, show_alert=True)
        return
    await callback.answer(texts.FEEDBACK_THANKS_UP if callback_data.vote > 0 else texts.FEEDBACK_THANKS_DOWN)
    markup = callback.message.reply_markup if callback.message else None
    trimmed = without_feedback(markup)
    if markup is not None and trimmed != markup:
        try:
            await callback.message.edit_reply_markup(reply_markup=trimmed)
        except TelegramBadRequest:
            pass  # the message is too old to edit or already changed; the vote is stored anyway


async def on_other_content(message: Message) -> None:
    """Stickers, photos, voice messages: say what the bot understands."""
    await message.answer(texts.ONLY_TEXT)


def build_router() -> Router:
    """A fresh router with this conversation's handlers (one per dispatcher)."""
    router = Router(name=__name__)
    router.message.register(on_unknown_command, F.text.startswith("/"))
    router.message.register(on_question, F.text)
    router.callback_query.register(on_entry_chosen, EntryCb.filter())
    router.callback_query.register(on_feedback, FeedbackCb.filter())
    router.message.register(on_other_content)
    return router
