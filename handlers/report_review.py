"""After a measure: change it, add the next, check the report, change or delete saved parts, submit, pause."""

from __future__ import annotations

import hashlib
import html

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.keyboards import MenuCb
from handlers.report_ui import (
    ReportCb,
    ReportFlow,
    Reporting,
    keyboard,
    render_review,
    render_step,
    send_all,
    step_value,
)
from services import reports as report_service
from services.reports import chat_text
from services.tickets import TicketConfig
from storage.types import utcnow


async def on_pause(callback: CallbackQuery, state: FSMContext) -> None:
    """„Später weitermachen“: the draft stays saved, /bericht continues."""
    await callback.answer()
    await state.set_state(None)
    await callback.message.answer("Ihr Entwurf ist gespeichert. Mit /bericht machen Sie genau hier weiter.")


async def on_new_measure(callback: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    """File the chat's finished measure and start the next one."""
    await callback.answer()
    flow = await ReportFlow.load(state)
    chat_id = callback.message.chat.id
    await report_service.change_draft(
        session,
        chat_id=chat_id,
        change=lambda draft: report_service.file_current_measure(draft, start_next=True),
        **flow.opened,
    )
    result = await report_service.current_step(session, chat_id=chat_id, **flow.opened)
    await render_step(callback.message, state, flow, result, session)


async def on_review(callback: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    """File the chat's finished measure and show the whole report."""
    await callback.answer()
    flow = await ReportFlow.load(state)
    view = await report_service.review_report(session, chat_id=callback.message.chat.id, **flow.opened)
    await render_review(callback.message, state, flow, view)


async def _offer_edits(callback: CallbackQuery, state: FSMContext, session: AsyncSession, part: str) -> None:
    flow = await ReportFlow.load(state)
    choices = await report_service.edit_choices(
        session, chat_id=callback.message.chat.id, part=part, **flow.opened
    )
    if choices is None:  # the measure is gone (deleted in another chat): the report as it is now
        view = await report_service.show_review(session, chat_id=callback.message.chat.id, **flow.opened)
        await render_review(callback.message, state, flow, view)
        return
    buttons = [(label, "editfield", step_value(step)) for label, step in choices.steps]
    await callback.message.answer(choices.prompt, reply_markup=keyboard(*buttons, columns=2))


async def on_edit_current(callback: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    """„Bearbeiten“ under the chat's measure: which answer to change."""
    await callback.answer()
    await _offer_edits(callback, state, session, "current")


async def on_edit_person(callback: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    """Change the reporting person's answers from the review."""
    await callback.answer()
    await _offer_edits(callback, state, session, "person")


async def on_edit_measure(callback: CallbackQuery, callback_data: ReportCb, state: FSMContext, session):
    """Change a saved measure from the review."""
    await callback.answer()
    await _offer_edits(callback, state, session, callback_data.value)


def _fingerprint(title: str) -> str:
    """A short mark of the measure to delete: another chat may have deleted one before it (the index moves)."""
    return hashlib.sha256(title.encode()).hexdigest()[:12]


async def on_delete(
    callback: CallbackQuery, callback_data: ReportCb, state: FSMContext, session: AsyncSession
):
    """Delete a saved measure: ask once more, since it cannot be undone."""
    await callback.answer()
    flow = await ReportFlow.load(state)
    index = int(callback_data.value) if callback_data.value.isdigit() else -1
    title = await report_service.measure_title(
        session, chat_id=callback.message.chat.id, index=index, **flow.opened
    )
    if title is None:
        view = await report_service.show_review(session, chat_id=callback.message.chat.id, **flow.opened)
        await render_review(callback.message, state, flow, view)
        return
    flow.measure = index
    await flow.save(state, Reporting.confirm_delete)
    await callback.message.answer(
        f"Möchten Sie die Maßnahme „{html.escape(title)}“ wirklich löschen?",
        reply_markup=keyboard(
            ("🗑 Ja, löschen", "deleteok", _fingerprint(title)), ("↩️ Zurück zum Bericht", "back", "")
        ),
    )


async def on_delete_confirmed(callback: CallbackQuery, callback_data: ReportCb, state: FSMContext, session):
    """The deletion confirmed: the measure goes, the report shows again."""
    await callback.answer()
    flow = await ReportFlow.load(state)
    if await state.get_state() != Reporting.confirm_delete.state or flow.measure is None:
        view = await report_service.show_review(session, chat_id=callback.message.chat.id, **flow.opened)
        await render_review(callback.message, state, flow, view)
        return
    title = await report_service.measure_title(
        session, chat_id=callback.message.chat.id, index=flow.measure, **flow.opened
    )
    deleted, view = False, None
    if title is not None and _fingerprint(title) == callback_data.value:
        deleted, view = await report_service.delete_measure(
            session, chat_id=callback.message.chat.id, index=flow.measure, title=title, **flow.opened
        )
    await callback.message.answer(
        "Die Maßnahme ist gelöscht." if deleted else "Diese Maßnahme gibt es nicht mehr."
    )
    view = view or await report_service.show_review(session, chat_id=callback.message.chat.id, **flow.opened)
    await render_review(callback.message, state, flow, view)


async def on_back_to_review(callback: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    """Back to the report without changing it."""
    await callback.answer()
    flow = await ReportFlow.load(state)
    view = await report_service.show_review(session, chat_id=callback.message.chat.id, **flow.opened)
    await render_review(callback.message, state, flow, view)


async def on_submit(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    settings,
    tickets: TicketConfig,
) -> None:
    """Submit the report; what is still missing is listed, with the report and its change buttons again."""
    await callback.answer()
    message, flow = callback.message, await ReportFlow.load(state)
    try:
        result, draft = await report_service.submit_chat_draft(
            session,
            chat_id=message.chat.id,
            fachstelle_address=settings.inbox_address,
            sender_domain=tickets.domain,
            now=utcnow(),
            **flow.opened,
        )
    except report_service.ReportInvalid as invalid:
        await send_all(message, chat_text.problems_messages(invalid.messages))
        # a measure in progress is finished first; anything else is fixed from the review's buttons
        step = await report_service.current_step(session, chat_id=message.chat.id, **flow.opened)
        if step.question is not None:
            await render_step(message, state, flow, step, session)
            return
        view = await report_service.review_report(session, chat_id=message.chat.id, **flow.opened)
        await render_review(message, state, flow, view)
        return
    await ReportFlow(ags=flow.ags).save(state)
    await state.set_state(None)
    await message.answer(chat_text.submitted_text(result, draft))
    # then the report as mailed to the reporter (a download in the web chat), rendered after the thanks
    document = await report_service.submitted_document(result)
    if document is not None:
        await message.answer_document(
            BufferedInputFile(document.content, filename=document.filename),
            caption=chat_text.DOCUMENT_CAPTION,
        )


async def on_other_text(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """Text where a button is expected: the same buttons again."""
    await message.answer("Bitte wählen Sie eine der Schaltflächen.")
    flow = await ReportFlow.load(state)
    if await state.get_state() == Reporting.measure_done.state:
        result = await report_service.current_step(session, chat_id=message.chat.id, **flow.opened)
        await render_step(message, state, flow, result, session)
        return
    view = await report_service.show_review(session, chat_id=message.chat.id, **flow.opened)
    await render_review(message, state, flow, view)


async def on_no_reminders(callback: CallbackQuery, session: AsyncSession) -> None:
    """„Nicht mehr erinnern“ under a campaign reminder."""
    await report_service.set_no_reminders(session, chat_id=callback.message.chat.id, value=True)
    await callback.answer("Alles klar – keine Erinnerungen mehr.", show_alert=False)
    await callback.message.answer(
        "Sie bekommen keine Berichts-Erinnerungen mehr. Mit /bericht können Sie jederzeit melden."
    )


def build_router() -> Router:
    """The steps after a measure: summary, review, changes, deletion, submission, pause."""
    router = Router(name=__name__)
    router.callback_query.register(on_no_reminders, MenuCb.filter(F.action == "no_reminders"))
    router.callback_query.register(on_pause, ReportCb.filter(F.action == "pause"))
    router.callback_query.register(on_new_measure, ReportCb.filter(F.action == "new"))
    router.callback_query.register(on_review, ReportCb.filter(F.action == "review"))
    router.callback_query.register(on_edit_current, ReportCb.filter(F.action == "edit"))
    router.callback_query.register(on_edit_person, ReportCb.filter(F.action == "editperson"))
    router.callback_query.register(on_edit_measure, ReportCb.filter(F.action == "editmeasure"))
    router.callback_query.register(on_delete, ReportCb.filter(F.action == "delete"))
    router.callback_query.register(on_delete_confirmed, ReportCb.filter(F.action == "deleteok"))
    router.callback_query.register(on_back_to_review, ReportCb.filter(F.action == "back"))
    router.callback_query.register(on_submit, ReportCb.filter(F.action == "submit"))
    for waiting in (Reporting.measure_done, Reporting.review, Reporting.confirm_delete):
        router.message.register(on_other_text, waiting, F.text)
    return router
