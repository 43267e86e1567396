"""The yearly measure report in a conversation: municipality → code → year → person → measures → check → submit."""

from __future__ import annotations

import asyncio
import html
from functools import partial

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.keyboards import MenuCb
from services import reports as report_service
from services.email_codes import CodeCheck, TooManyCodes
from services.municipalities import MunicipalityDirectory
from services.report_fields import (
    MAX_ATTACHMENT_BYTES,
    MEASURE_FIELD_BY_KEY,
    REPORT_FIELD_BY_KEY,
    SKIPPED,
)
from services.report_parsing import ParseError, parse_answer
from services.reports import chat_text
from services.tickets import TicketConfig
from storage.types import utcnow


class ReportCb(CallbackData, prefix="r"):
    """A button of the report conversation: action plus a short value (a field key, a choice, an index)."""

    action: str
    value: str = ""


class Reporting(StatesGroup):
    """Where the report conversation stands (the draft itself lives in the database)."""

    municipality = State()
    binding = State()
    binding_email = State()
    binding_code = State()
    year = State()
    answering = State()
    measure_done = State()
    review = State()


def _keyboard(
    *buttons: tuple[str, str, str], columns: int = 1, cancel: bool = True, contact: bool = False
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, action, value in buttons:
        builder.button(text=label[:60], callback_data=ReportCb(action=action, value=value))
    if contact:  # the advisors' ticket path, for everybody who cannot get a code
        builder.button(text="👤 Fachstelle kontaktieren", callback_data=MenuCb(action="contact"))
    if cancel:
        builder.button(text="⏸ Später weitermachen", callback_data=ReportCb(action="pause"))
    builder.adjust(*([columns] * ((len(buttons) + columns - 1) // columns)), 1)
    return builder.as_markup()


async def _send_all(message: Message, texts: list[str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Several messages in order (maybe none); the buttons go with the last."""
    for number, text in enumerate(texts, start=1):
        await message.answer(text, reply_markup=markup if number == len(texts) else None)


def _years(settings) -> tuple[int, ...]:
    return report_service.reporting_years(campaign_year=settings.report_campaign_year)


def _contacts(settings) -> report_service.MunicipalityContacts:
    return report_service.load_contacts(settings.municipality_contacts_file)


async def start_report(message: Message, state: FSMContext) -> None:
    """Begin (or resume) a report: first the municipality."""
    data = await state.get_data()
    await state.set_state(Reporting.municipality)
    known = [(f"✅ {data['known_municipality']}", "muni", data["known_ags"])] if data.get("known_ags") else []
    await message.answer(
        "📝 <b>Maßnahmenbericht</b>\nFür welche Kommune oder welchen Landkreis melden Sie? "
        "Sie können jederzeit aufhören – Ihr Entwurf bleibt gespeichert, /bericht macht weiter.",
        reply_markup=_keyboard(*known),
    )


async def _choose_municipality(
    message: Message, state: FSMContext, session: AsyncSession, municipality, settings
) -> None:
    """A bound chat goes on to the year; any other chat first gets the way to bind itself."""
    await state.update_data(
        r_ags=municipality.ags,
        r_municipality=municipality.display_name,
        known_ags=municipality.ags,
        known_municipality=municipality.display_name,
        r_report=None,
        r_year=None,
    )
    if not await report_service.may_edit(session, chat_id=message.chat.id, ags=municipality.ags):
        await _offer_binding(message, state, session, settings)
        return
    await report_service.remember_contact(
        session, chat_id=message.chat.id, ags=municipality.ags, name=municipality.display_name
    )
    await _ask_year(message, state, settings)


async def _offer_binding(message: Message, state: FSMContext, session: AsyncSession, settings) -> None:
    """Where a code can go (masked), or ask a first reporter for the own address; the Fachstelle otherwise."""
    data = await state.get_data()
    options = await report_service.binding_options(session, ags=data["r_ags"], contacts=_contacts(settings))
    await session.commit()
    await state.set_state(Reporting.binding_email if options.first_reporter else Reporting.binding)
    buttons = [(f"📧 {target.masked}", "code", target.key) for target in options.targets]
    await message.answer(
        chat_text.binding_offer(data["r_municipality"], options, settings.fachstelle_email),
        reply_markup=_keyboard(*buttons, contact=True),
    )


async def _send_code(message, state, session, settings, tickets, mail_wake, **address) -> None:
    """Mail a binding code to the chosen address (`target=`) or a first reporter's own (`own_email=`)."""
    data = await state.get_data()
    try:
        sent = await report_service.send_binding_code(
            session,
            chat_id=message.chat.id,
            ags=data["r_ags"],
            contacts=_contacts(settings),
            domain=tickets.domain,
            minutes=settings.confirmation_code_minutes,
            **address,
        )
    except TooManyCodes:
        await message.answer(chat_text.TOO_MANY_CODES)
        return
    mail_wake.set()
    await state.set_state(Reporting.binding_code)
    await message.answer(chat_text.code_sent(sent.masked, sent.minutes), reply_markup=_keyboard(contact=True))


async def on_own_email(
    message: Message, state: FSMContext, session: AsyncSession, settings, tickets, mail_wake
):
    """A first reporter names the own address; the code goes there."""
    try:
        address = parse_answer(REPORT_FIELD_BY_KEY["reporter_email"], message.text or "", {})
    except ParseError as error:
        await message.answer(f"⚠️ {html.escape(error.message)}")
        return
    await _send_code(message, state, session, settings, tickets, mail_wake, own_email=address)


async def on_code(message: Message, state: FSMContext, session: AsyncSession, municipalities, settings):
    """The typed code: a match binds the chat and the report opens; anything else says what to do."""
    result = await report_service.confirm_binding(
        session, chat_id=message.chat.id, code=message.text or "", contacts=_contacts(settings)
    )
    municipality = municipalities.get(result.ags or "")
    await message.answer(chat_text.code_reply(result, municipality and municipality.display_name))
    if result.granted and municipality is not None:
        await _choose_municipality(message, state, session, municipality, settings)
    elif result.check is not CodeCheck.WRONG:
        await _offer_binding(message, state, session, settings)


async def _ask_year(message: Message, state: FSMContext, settings) -> None:
    await state.set_state(Reporting.year)
    years = _years(settings)
    await message.answer(
        "Für welches Berichtsjahr melden Sie?",
        reply_markup=_keyboard(*((str(year), "year", str(year)) for year in years), columns=len(years)),
    )


async def _open_draft(message: Message, state: FSMContext, session: AsyncSession, settings, value: str):
    """Open the report of the chosen year; a year outside the window (a crafted button) opens nothing."""
    data = await state.get_data()
    years = _years(settings)
    year = report_service.pick_year(value, years)
    if not data.get("r_ags"):
        await start_report(message, state)
        return
    if year is None:
        await message.answer(html.escape(report_service.YearOutsideWindow(value, years).message))
        await _ask_year(message, state, settings)
        return
    name, chat_id = data["r_municipality"], message.chat.id
    draft = await report_service.open_draft(
        session, chat_id=chat_id, ags=data["r_ags"], municipality_name=name, year=year, years=years
    )
    await state.update_data(r_year=year, r_report=draft.report_id, r_edit=None)
    await _send_all(message, chat_text.opening_messages(draft))
    await _ask_next(message, state, session)


async def _opened(state: FSMContext) -> dict:
    """The report the chat works on, as keyword arguments of the services."""
    data = await state.get_data()
    if not (data.get("r_ags") and data.get("r_year")):  # a button of an old or a crafted message
        raise report_service.AccessDenied(chat_text.NOTHING_OPEN)
    return {"ags": data["r_ags"], "year": data["r_year"]}


async def _load(session: AsyncSession, state: FSMContext, chat_id: int):
    return await report_service.chat_draft(session, chat_id=chat_id, **await _opened(state))


async def _change(session: AsyncSession, state: FSMContext, chat_id: int, change):
    """Apply one change to the freshest working copy (another chat's answers meanwhile are kept)."""
    return await report_service.change_draft(session, chat_id=chat_id, change=change, **await _opened(state))


async def _ask_next(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """Ask the next open question of the draft: person, carried-over updates, the chat's measure."""
    draft = await _load(session, state, message.chat.id)
    data = await state.get_data()
    target, field = report_service.next_question(draft, data.get("r_edit"))
    if field is None and draft.current is None and not draft.measures:
        draft = await _change(session, state, message.chat.id, report_service.start_first_measure)
        target, field = report_service.next_question(draft, data.get("r_edit"))
    await session.commit()
    if field is None:
        await _show_measure_summary(message, state, draft)
        return
    await state.set_state(Reporting.answering)
    await state.update_data(r_target=target, r_field=field.key)
    title = None
    if target.startswith("measure:"):
        title = str(draft.measures[int(target.split(":")[1])].get("title", ""))
    buttons = chat_text.field_buttons(field)
    await message.answer(
        chat_text.question_text(field, title),
        reply_markup=_keyboard(*buttons, columns=2 if len(buttons) > 3 else 1),
    )


async def _store_answer(message: Message, state: FSMContext, session: AsyncSession, value) -> None:
    data = await state.get_data()
    answer = partial(report_service.set_answer, target=data["r_target"], key=data["r_field"], value=value)
    await _change(session, state, message.chat.id, answer)
    if data.get("r_edit") and data["r_target"] == "current":
        await state.update_data(r_edit=None)
    await _ask_next(message, state, session)


async def on_answer_text(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """A typed answer: parse it generously; wrong input gets the reason and the same question."""
    data = await state.get_data()
    field = REPORT_FIELD_BY_KEY.get(data.get("r_field")) or MEASURE_FIELD_BY_KEY.get(data.get("r_field"))
    if field is None:
        await _ask_next(message, state, session)
        return
    draft = await _load(session, state, message.chat.id)
    answers = report_service.answers_for(draft, data.get("r_target", ""))
    await session.commit()
    if field.kind == "file":
        await message.answer(
            "Bitte senden Sie ein Foto oder eine PDF-Datei – oder tippen Sie auf „Überspringen“."
        )
        await _ask_next(message, state, session)
        return
    try:
        value = parse_answer(field, message.text or "", answers)
    except ParseError as error:
        await message.answer(f"⚠️ {html.escape(error.message)}")
        await _ask_next(message, state, session)
        return
    await _store_answer(message, state, session, value)


async def on_file(message: Message, state: FSMContext, session: AsyncSession, bot) -> None:
    """A photo or PDF for the current measure's file field."""
    data = await state.get_data()
    field = MEASURE_FIELD_BY_KEY.get(data.get("r_field"))
    if field is None or field.kind != "file":
        await message.answer("Eine Datei brauche ich an dieser Stelle nicht.")
        await _ask_next(message, state, session)
        return
    file = message.document or message.photo[-1]  # a photo comes in sizes, the largest last
    name = getattr(file, "file_name", None) or "foto.jpg"
    content_type = getattr(file, "mime_type", None) or ("" if message.document else "image/jpeg")
    if (file.file_size or 0) > MAX_ATTACHMENT_BYTES:
        await message.answer(
            "Die Datei ist zu groß (höchstens 10 MB). Bitte eine kleinere Datei senden – oder „Überspringen“."
        )
        await _ask_next(message, state, session)
        return
    buffer = await bot.download(file.file_id)
    draft = await _load(session, state, message.chat.id)
    try:
        attachment = await report_service.store_attachment(
            session,
            report_id=draft.report_id,
            measure_index=len(draft.measures),
            filename=name,
            content_type=content_type,
            data=buffer.read(),
        )
    except report_service.AttachmentRejected as rejected:
        await message.answer(f"⚠️ {html.escape(rejected.message)}")
        await _ask_next(message, state, session)
        return
    await _store_answer(message, state, session, attachment)


async def _show_measure_summary(message: Message, state: FSMContext, draft) -> None:
    await state.set_state(Reporting.measure_done)
    await _send_all(message, chat_text.summary_messages(draft), _keyboard(*chat_text.summary_buttons(draft)))


async def _show_review(message: Message, state: FSMContext, session: AsyncSession) -> None:
    draft = await _load(session, state, message.chat.id)
    await session.commit()
    await state.set_state(Reporting.review)
    buttons = _keyboard(("📨 Absenden", "submit", ""), ("➕ Weitere Maßnahme", "new", ""))
    await _send_all(message, chat_text.review_messages(draft), buttons)


async def on_button(
    callback: CallbackQuery,
    callback_data: ReportCb,
    state: FSMContext,
    session: AsyncSession,
    municipalities: MunicipalityDirectory,
    settings,
    tickets: TicketConfig,
    mail_wake: asyncio.Event,
) -> None:
    """Buttons of the report conversation."""
    await callback.answer()
    message, action, value = callback.message, callback_data.action, callback_data.value
    data = await state.get_data()
    if action == "pause":
        await state.set_state(None)
        await message.answer("Ihr Entwurf ist gespeichert. Mit /bericht machen Sie genau hier weiter.")
        return
    if await state.get_state() is None and action not in ("muni",):
        await (_ask_next(message, state, session) if data.get("r_report") else start_report(message, state))
        return
    if action == "muni":
        municipality = municipalities.get(value)
        if municipality is None:
            await start_report(message, state)
            return
        await _choose_municipality(message, state, session, municipality, settings)
    elif action == "code":
        await _send_code(message, state, session, settings, tickets, mail_wake, target=value)
    elif action == "year":
        await _open_draft(message, state, session, settings, value)
    elif action in ("choice", "skip") and data.get("r_field"):
        field = REPORT_FIELD_BY_KEY.get(data["r_field"]) or MEASURE_FIELD_BY_KEY.get(data["r_field"])
        if field is None or (action == "choice" and value not in dict(field.choices)):
            await _ask_next(message, state, session)
        elif action == "skip" and field.required:
            await message.answer("Diese Angabe ist nötig.")
            await _ask_next(message, state, session)
        else:
            await _store_answer(message, state, session, SKIPPED if action == "skip" else value)
    elif action == "edit":
        draft = await _load(session, state, message.chat.id)
        await session.commit()
        buttons = _keyboard(*chat_text.edit_buttons(draft.current), columns=2)
        await message.answer("Welche Angabe möchten Sie ändern?", reply_markup=buttons)
    elif action == "editfield" and value in MEASURE_FIELD_BY_KEY:
        await state.update_data(r_edit=value)
        await _ask_next(message, state, session)
    elif action == "new":
        # the finished measure is kept before the next one starts
        await _change(
            session, state, message.chat.id, partial(report_service.file_current_measure, start_next=True)
        )
        await _ask_next(message, state, session)
    elif action == "review":
        await _change(session, state, message.chat.id, report_service.file_current_measure)
        await _show_review(message, state, session)
    elif action == "submit":
        await _submit(message, state, session, settings, tickets, mail_wake)


async def _submit(message: Message, state: FSMContext, session: AsyncSession, settings, tickets, mail_wake):
    try:
        result, draft = await report_service.submit_chat_draft(
            session,
            chat_id=message.chat.id,
            fachstelle_address=settings.inbox_address,
            sender_domain=tickets.domain,
            now=utcnow(),
            **await _opened(state),
        )
    except report_service.ReportInvalid as invalid:
        await _send_all(message, chat_text.problems_messages(invalid.messages))
        await _show_measure_summary(message, state, await _load(session, state, message.chat.id))
        return
    await state.set_state(None)
    await state.update_data(r_report=None, r_field=None, r_target=None)
    if not result.unchanged:
        mail_wake.set()
    await message.answer(chat_text.submitted_text(result, draft))


async def on_municipality_text(
    message: Message, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """Match the typed municipality or Landkreis."""
    matches = municipalities.match((message.text or "")[:200], limit=3)
    if not matches:
        await message.answer(
            "Diese Kommune habe ich in Hessen nicht gefunden. Bitte prüfen Sie die Schreibweise."
        )
        await start_report(message, state)
        return
    buttons = [(f"✅ {m.municipality.display_name}", "muni", m.municipality.ags) for m in matches]
    await message.answer("Welche meinen Sie?", reply_markup=_keyboard(*buttons))


async def on_other_text(message: Message, state: FSMContext, session: AsyncSession, settings) -> None:
    """Text where a button is expected: repeat the question."""
    await message.answer("Bitte wählen Sie eine der Schaltflächen.")
    current = await state.get_state()
    if current == Reporting.binding.state:
        await _offer_binding(message, state, session, settings)
    elif current == Reporting.year.state:
        await _ask_year(message, state, settings)
    elif current == Reporting.review.state:
        await _show_review(message, state, session)
    else:
        draft = await _load(session, state, message.chat.id)
        await session.commit()
        await _show_measure_summary(message, state, draft)


async def cmd_bericht(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """/bericht: continue the saved draft, or start a report."""
    data = await state.get_data()
    saved = data.get("r_report") and data.get("r_ags") and data.get("r_year")
    if saved and await report_service.may_edit(session, chat_id=message.chat.id, ags=data["r_ags"]):
        await message.answer("Willkommen zurück – wir machen bei Ihrem gespeicherten Entwurf weiter.")
        await _ask_next(message, state, session)
        return
    await start_report(message, state)


async def on_menu_report(callback: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    """Main menu entry."""
    await callback.answer()
    await cmd_bericht(callback.message, state, session)


async def on_no_reminders(callback: CallbackQuery, session: AsyncSession) -> None:
    """„Nicht mehr erinnern“ under a campaign reminder."""
    await report_service.set_no_reminders(session, chat_id=callback.message.chat.id, value=True)
    await callback.answer("Alles klar – keine Erinnerungen mehr.", show_alert=False)
    await callback.message.answer(
        "Sie bekommen keine Berichts-Erinnerungen mehr. Mit /bericht können Sie jederzeit melden."
    )


async def _deny_unbound(handler, event, data):
    """A chat that is not bound to the municipality gets a German message and no report, never an error."""
    try:
        return await handler(event, data)
    except report_service.AccessDenied as denied:
        message = event.message if isinstance(event, CallbackQuery) else event
        await data["state"].set_state(None)
        await data["state"].update_data(r_report=None, r_field=None, r_target=None)
        await message.answer(html.escape(denied.message), reply_markup=_keyboard(cancel=False, contact=True))


def build_router() -> Router:
    """A fresh router with the report conversation (before free-text answering)."""
    router = Router(name=__name__)
    router.message.middleware(_deny_unbound)
    router.callback_query.middleware(_deny_unbound)
    router.callback_query.register(on_no_reminders, MenuCb.filter(F.action == "no_reminders"))
    router.message.register(cmd_bericht, Command("bericht"))
    router.callback_query.register(on_menu_report, MenuCb.filter(F.action == "report"))
    router.message.register(on_municipality_text, Reporting.municipality, F.text)
    router.message.register(on_own_email, Reporting.binding_email, F.text)
    router.message.register(on_code, Reporting.binding_code, F.text)
    router.message.register(on_answer_text, Reporting.answering, F.text)
    router.message.register(on_file, Reporting.answering, F.document | F.photo)
    for waiting in (Reporting.binding, Reporting.year, Reporting.measure_done, Reporting.review):
        router.message.register(on_other_text, waiting, F.text)
    router.callback_query.register(on_button, ReportCb.filter())
    return router
