"""The report's questions: a typed answer, a pressed choice, „Überspringen“, a photo or PDF — each one step."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.report_ui import ReportCb, ReportFlow, Reporting, render_step, value_step
from services import reports as report_service
from services.report_fields import MAX_ATTACHMENT_BYTES, SKIPPED


async def _resume(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """Ask whatever is open now (after a stale button, or when the flow lost its step)."""
    flow = await ReportFlow.load(state)
    result = await report_service.current_step(session, chat_id=message.chat.id, **flow.opened)
    await render_step(message, state, flow, result, session)


async def on_answer_text(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """A typed answer: parsed generously and checked; wrong input gets the reason and the same question."""
    flow = await ReportFlow.load(state)
    if not flow.step:
        await _resume(message, state, session)
        return
    result = await report_service.answer_step(
        session, chat_id=message.chat.id, step=flow.step, text=message.text or "", **flow.opened
    )
    await render_step(message, state, flow, result, session)


async def on_choice(
    callback: CallbackQuery, callback_data: ReportCb, state: FSMContext, session: AsyncSession
):
    """A choice button or „Überspringen“ for the question asked."""
    await callback.answer()
    message, flow = callback.message, await ReportFlow.load(state)
    if await state.get_state() != Reporting.answering.state or not flow.step:
        await _resume(message, state, session)
        return
    value = SKIPPED if callback_data.action == "skip" else callback_data.value
    result = await report_service.choose_step(
        session, chat_id=message.chat.id, step=flow.step, value=value, **flow.opened
    )
    await render_step(message, state, flow, result, session)


async def on_file(message: Message, state: FSMContext, session: AsyncSession, bot) -> None:
    """A photo or PDF for the question asked, when that question wants a file."""
    flow = await ReportFlow.load(state)
    target = flow.step.rsplit(":", 1)[0]
    if not flow.step.endswith(":attachment"):
        await message.answer("Eine Datei brauche ich an dieser Stelle nicht.")
        await _resume(message, state, session)
        return
    file = message.document or message.photo[-1]  # a photo comes in sizes, the largest last
    if (file.file_size or 0) > MAX_ATTACHMENT_BYTES:
        await message.answer("Die Datei ist zu groß (höchstens 10 MB). Bitte eine kleinere Datei senden.")
        await _resume(message, state, session)
        return
    buffer = await bot.download(file.file_id)
    draft = await report_service.chat_draft(session, chat_id=message.chat.id, **flow.opened)
    index = int(target.split(":")[1]) if target.startswith("measure:") else len(draft.measures)
    try:
        attachment = await report_service.store_attachment(
            session,
            report_id=draft.report_id,
            measure_index=index,
            filename=getattr(file, "file_name", None) or "foto.jpg",
            content_type=getattr(file, "mime_type", None) or ("" if message.document else "image/jpeg"),
            data=buffer.read(),
        )
    except report_service.AttachmentRejected as rejected:
        await message.answer(f"⚠️ {html.escape(rejected.message)}")
        await _resume(message, state, session)
        return
    result = await report_service.choose_step(
        session, chat_id=message.chat.id, step=flow.step, value=attachment, **flow.opened
    )
    await render_step(message, state, flow, result, session)


async def on_edit_field(
    callback: CallbackQuery, callback_data: ReportCb, state: FSMContext, session: AsyncSession
):
    """One answer to change (of the chat's measure, a saved one, or the person): ask its question."""
    await callback.answer()
    flow = await ReportFlow.load(state)
    try:
        result = await report_service.ask_step(
            session, chat_id=callback.message.chat.id, step=value_step(callback_data.value), **flow.opened
        )
    except report_service.UnknownStep:
        result = await report_service.current_step(session, chat_id=callback.message.chat.id, **flow.opened)
    await render_step(callback.message, state, flow, result, session)


def build_router() -> Router:
    """The question steps of the report."""
    router = Router(name=__name__)
    router.message.register(on_file, Reporting.answering, F.document | F.photo)
    router.message.register(on_answer_text, Reporting.answering, F.text)
    router.callback_query.register(on_choice, ReportCb.filter(F.action.in_({"choice", "skip"})))
    router.callback_query.register(on_edit_field, ReportCb.filter(F.action == "editfield"))
    return router
