"""The way into a report: /bericht, the menu, a recognised wish → municipality → code → year → the draft."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.keyboards import MenuCb
from handlers.report_ui import (
    ReportCb,
    ReportFlow,
    Reporting,
    keyboard,
    render_step,
    send_all,
)
from handlers.shared_steps import (
    NOT_FOUND,
    WHICH_ONE,
    known_municipality,
    remember_municipality,
    typed_municipality,
)
from handlers.tickets import owning_ticket
from services import reports as report_service
from services.email_codes import CodeCheck, TooManyCodes
from services.intents import wants_report
from services.municipalities import MunicipalityDirectory
from services.report_fields import REPORT_FIELD_BY_KEY
from services.report_parsing import ParseError, parse_answer
from services.reports import chat_text


def _years(settings) -> tuple[int, ...]:
    return report_service.reporting_years(campaign_year=settings.report_campaign_year)


def _contacts(settings) -> report_service.MunicipalityContacts:
    return report_service.load_contacts(settings.municipality_contacts_file)


async def start_report(message: Message, state: FSMContext, municipalities: MunicipalityDirectory) -> None:
    """Begin (or resume) a report: first the municipality."""
    await state.set_state(Reporting.municipality)
    known = await known_municipality(state, municipalities)
    await message.answer(
        "📝 <b>Maßnahmenbericht</b>\nFür welche Kommune oder welchen Landkreis melden Sie? "
        "Sie können jederzeit aufhören – Ihr Entwurf bleibt gespeichert, /bericht macht weiter.",
        reply_markup=keyboard(*known),
    )


async def cmd_bericht(
    message: Message, state: FSMContext, session: AsyncSession, municipalities: MunicipalityDirectory
) -> None:
    """/bericht (and every other way in): continue the saved draft, or start a report."""
    flow = await ReportFlow.load(state)
    if flow.report_id and flow.ags and flow.year:
        if await report_service.may_edit(session, chat_id=message.chat.id, ags=flow.ags):
            await message.answer("Willkommen zurück – wir machen bei Ihrem gespeicherten Entwurf weiter.")
            result = await report_service.current_step(session, chat_id=message.chat.id, **flow.opened)
            await render_step(message, state, flow, result, session)
            return
    await start_report(message, state, municipalities)


async def on_menu_report(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, municipalities: MunicipalityDirectory
) -> None:
    """Main menu entry."""
    await callback.answer()
    await cmd_bericht(callback.message, state, session, municipalities)


async def on_report_wish(
    message: Message, state: FSMContext, session: AsyncSession, municipalities: MunicipalityDirectory
) -> None:
    """Free text that asks to report („ich will unsere Maßnahmen melden“): the report starts."""
    if await owning_ticket(session, message.chat.id) is not None:
        raise SkipHandler  # a chat talking to an advisor keeps talking to the advisor (the catch-all forwards)
    await cmd_bericht(message, state, session, municipalities)


async def on_municipality_text(
    message: Message, state: FSMContext, municipalities: MunicipalityDirectory
) -> None:
    """Match the typed municipality or Landkreis."""
    buttons = typed_municipality(message.text or "", municipalities)
    if not buttons:
        await message.answer(NOT_FOUND)
        await start_report(message, state, municipalities)
        return
    await message.answer(WHICH_ONE, reply_markup=keyboard(*buttons))


async def on_municipality(
    callback: CallbackQuery,
    callback_data: ReportCb,
    state: FSMContext,
    session: AsyncSession,
    municipalities: MunicipalityDirectory,
    settings,
) -> None:
    """A municipality button: a bound chat goes on to the year; any other chat first binds itself."""
    await callback.answer()
    municipality = municipalities.get(callback_data.value)
    if municipality is None:
        await start_report(callback.message, state, municipalities)
        return
    await _choose_municipality(callback.message, state, session, municipality, settings)


async def _choose_municipality(
    message: Message, state: FSMContext, session: AsyncSession, municipality, settings
):
    await remember_municipality(state, municipality)  # the other conversations offer it too
    await ReportFlow(ags=municipality.ags).save(state)
    if not await report_service.may_edit(session, chat_id=message.chat.id, ags=municipality.ags):
        await _offer_binding(message, state, session, settings, municipality.ags, municipality.display_name)
        return
    await report_service.remember_contact(
        session, chat_id=message.chat.id, ags=municipality.ags, name=municipality.display_name
    )
    await _ask_year(message, state, settings)


async def _offer_binding(
    message: Message, state: FSMContext, session: AsyncSession, settings, ags: str, name: str
):
    """Where a code can go (masked), or ask a first reporter for the own address; the Fachstelle otherwise."""
    options = await report_service.binding_options(session, ags=ags, contacts=_contacts(settings))
    await state.set_state(Reporting.binding_email if options.first_reporter else Reporting.binding)
    buttons = [(f"📧 {target.masked}", "code", target.key) for target in options.targets]
    await message.answer(
        chat_text.binding_offer(name, options, settings.fachstelle_email),
        reply_markup=keyboard(*buttons, contact=True),
    )


async def _send_code(message, state, session, settings, tickets, municipalities, **address) -> None:
    """Mail a binding code to the chosen address (`target=`) or a first reporter's own (`own_email=`)."""
    flow = await ReportFlow.load(state)
    if not flow.ags:
        await start_report(message, state, municipalities)
        return
    try:
        sent = await report_service.send_binding_code(
            session,
            chat_id=message.chat.id,
            ags=flow.ags,
            contacts=_contacts(settings),
            domain=tickets.domain,
            minutes=settings.confirmation_code_minutes,
            **address,
        )
    except TooManyCodes:
        await message.answer(chat_text.TOO_MANY_CODES)
        return
    await state.set_state(Reporting.binding_code)
    await message.answer(chat_text.code_sent(sent.masked, sent.minutes), reply_markup=keyboard(contact=True))


async def on_code_target(
    callback: CallbackQuery,
    callback_data: ReportCb,
    state: FSMContext,
    session,
    settings,
    tickets,
    municipalities,
) -> None:
    """An offered (masked) address: the code goes there."""
    await callback.answer()
    await _send_code(
        callback.message, state, session, settings, tickets, municipalities, target=callback_data.value
    )


async def on_own_email(
    message: Message, state: FSMContext, session: AsyncSession, settings, tickets, municipalities
):
    """A first reporter names the own address; the code goes there."""
    try:
        address = parse_answer(REPORT_FIELD_BY_KEY["reporter_email"], message.text or "", {})
    except ParseError as error:
        await message.answer(f"⚠️ {html.escape(error.message)}")
        return
    await _send_code(message, state, session, settings, tickets, municipalities, own_email=address)


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
        flow = await ReportFlow.load(state)
        own = municipalities.get(flow.ags)
        if own is None:
            await start_report(message, state, municipalities)
            return
        await _offer_binding(message, state, session, settings, own.ags, own.display_name)


async def _ask_year(message: Message, state: FSMContext, settings) -> None:
    await state.set_state(Reporting.year)
    years = _years(settings)
    await message.answer(
        "Für welches Berichtsjahr melden Sie?",
        reply_markup=keyboard(*((str(year), "year", str(year)) for year in years), columns=len(years)),
    )


async def on_year(
    callback: CallbackQuery,
    callback_data: ReportCb,
    state: FSMContext,
    session: AsyncSession,
    municipalities,
    settings,
) -> None:
    """Open the report of the chosen year; a year outside the window (a crafted button) opens nothing."""
    await callback.answer()
    message, flow = callback.message, await ReportFlow.load(state)
    municipality = municipalities.get(flow.ags)
    if municipality is None:
        await start_report(message, state, municipalities)
        return
    years = _years(settings)
    year = report_service.pick_year(callback_data.value, years)
    if year is None:
        await message.answer(
            html.escape(report_service.YearOutsideWindow(callback_data.value, years).message)
        )
        await _ask_year(message, state, settings)
        return
    draft = await report_service.open_draft(
        session,
        chat_id=message.chat.id,
        ags=flow.ags,
        municipality_name=municipality.display_name,
        year=year,
        years=years,
    )
    flow = ReportFlow(ags=flow.ags, year=year, report_id=draft.report_id)
    await send_all(message, chat_text.opening_messages(draft))
    result = await report_service.current_step(session, chat_id=message.chat.id, **flow.opened)
    await render_step(message, state, flow, result, session)


async def on_waiting_text(
    message: Message, state: FSMContext, session: AsyncSession, municipalities, settings
):
    """Text where a municipality's code target or a year button is expected: the same choice again."""
    await message.answer("Bitte wählen Sie eine der Schaltflächen.")
    if await state.get_state() == Reporting.year.state:
        await _ask_year(message, state, settings)
        return
    municipality = municipalities.get((await ReportFlow.load(state)).ags)
    if municipality is None:
        await start_report(message, state, municipalities)
        return
    await _offer_binding(message, state, session, settings, municipality.ags, municipality.display_name)


def build_router() -> Router:
    """The entry points of the report and the steps before the draft opens."""
    router = Router(name=__name__)
    router.message.register(cmd_bericht, Command("bericht"))
    router.callback_query.register(on_menu_report, MenuCb.filter(F.action == "report"))
    router.message.register(on_report_wish, StateFilter(None), F.text.func(wants_report))
    router.callback_query.register(on_municipality, ReportCb.filter(F.action == "muni"))
    router.callback_query.register(on_code_target, ReportCb.filter(F.action == "code"))
    router.callback_query.register(on_year, ReportCb.filter(F.action == "year"))
    router.message.register(on_municipality_text, Reporting.municipality, F.text)
    router.message.register(on_own_email, Reporting.binding_email, F.text)
    router.message.register(on_code, Reporting.binding_code, F.text)
    router.message.register(on_waiting_text, Reporting.binding, F.text)
    router.message.register(on_waiting_text, Reporting.year, F.text)
    return router
