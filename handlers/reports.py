"""The yearly measure report in a conversation: municipality → year → person → measures → check → submit."""

from __future__ import annotations

import asyncio
import html

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
from services.municipalities import MunicipalityDirectory
from services.report_fields import (
    MAX_ATTACHMENT_BYTES,
    MEASURE_FIELD_BY_KEY,
    MEASURE_FIELDS,
    REPORT_FIELD_BY_KEY,
    REPORT_FIELDS,
    SKIPPED,
    next_field,
    summary_lines,
)
from services.report_parsing import ParseError, parse_answer
from services.working_time import BERLIN
from storage.types import utcnow

MAX_MESSAGE = 3800


class ReportCb(CallbackData, prefix="r"):
    """A button of the report conversation: action plus a short value (a field key, a choice, an index)."""

    action: str
    value: str = ""


class Reporting(StatesGroup):
    """Where the report conversation stands (the draft itself lives in the database)."""

    municipality = State()
    year = State()
    answering = State()
    measure_done = State()
    review = State()


def _keyboard(*buttons: tuple[str, str, str], columns: int = 1, cancel: bool = True) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, action, value in buttons:
        builder.button(text=label[:60], callback_data=ReportCb(action=action, value=value))
    if cancel:
        builder.button(text="⏸ Später weitermachen", callback_data=ReportCb(action="pause"))
    builder.adjust(*([columns] * ((len(buttons) + columns - 1) // columns)), 1)
    return builder.as_markup()


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


async def _ask_year(message: Message, state: FSMContext) -> None:
    await state.set_state(Reporting.year)
    year = utcnow().astimezone(BERLIN).year
    await message.answer(
        "Für welches Berichtsjahr melden Sie?",
        reply_markup=_keyboard(
            (str(year - 1), "year", str(year - 1)), (str(year), "year", str(year)), columns=2
        ),
    )


async def _open_draft(message: Message, state: FSMContext, session: AsyncSession, year: int) -> None:
    data = await state.get_data()
    draft = await report_service.get_or_start_draft(
        session,
        ags=data["r_ags"],
        municipality_name=data["r_municipality"],
        year=year,
        chat_id=message.chat.id,
    )
    await state.update_data(r_year=year, r_report=draft.report_id, r_edit=None)
    intro = []
    if draft.state != "draft":
        intro.append(
            f"Für {html.escape(draft.municipality_name)} ist der Bericht {year} schon abgegeben "
            f"(Version {draft.version_count}). Was Sie jetzt ändern, wird als neue Version gespeichert."
        )
    if draft.carried_over:
        intro.append(
            "Aus dem Vorjahr übernehme ich die noch nicht abgeschlossenen Maßnahmen: "
            + ", ".join(html.escape(title) for title in draft.carried_over)
            + ". Ich frage nur nach dem neuen Stand und den Kosten."
        )
    if intro:
        await message.answer("\n\n".join(intro))
    await _ask_next(message, state, session)


async def _load(session: AsyncSession, state: FSMContext):
    data = await state.get_data()
    return await report_service.get_or_start_draft(
        session,
        ags=data["r_ags"],
        municipality_name=data["r_municipality"],
        year=data["r_year"],
        chat_id=None,
    )


def _field_buttons(field) -> list[tuple[str, str, str]]:
    buttons = [(label, "choice", value) for value, label in field.choices]
    if not field.required:
        buttons.append(("Überspringen", "skip", ""))
    return buttons


async def _ask_next(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """Ask the next open question of the draft: person, carried-over updates, the current measure."""
    draft = await _load(session, state)
    data = await state.get_data()
    await session.commit()
    target, field = _next_question(draft, data.get("r_edit"))
    if field is None and draft.current is None and not draft.measures:
        # a new report: go straight to its first measure
        draft.current = {}
        await report_service.save_draft(session, draft)
        target, field = _next_question(draft, data.get("r_edit"))
    if field is None:
        await _show_measure_summary(message, state, draft)
        return
    await state.set_state(Reporting.answering)
    await state.update_data(r_target=target, r_field=field.key)
    title = ""
    if target.startswith("measure:"):
        measure = draft.measures[int(target.split(":")[1])]
        title = f"<i>Maßnahme „{html.escape(str(measure.get('title', '')))}“</i>\n"
    text = f"{title}<b>{html.escape(field.question)}</b>"
    if field.hint:
        text += f"\n<i>{html.escape(field.hint)}</i>"
    if field.example and not field.choices:
        text += f"\nBeispiel: {html.escape(field.example)}"
    buttons = _field_buttons(field)
    await message.answer(text, reply_markup=_keyboard(*buttons, columns=2 if len(buttons) > 3 else 1))


def _next_question(draft, edit: str | None):
    """(target, field): `reporter`, `measure:<i>` (a carried-over update) or `current`; None when complete."""
    if edit:
        return "current", MEASURE_FIELD_BY_KEY[edit]
    field = next_field(draft.reporter, REPORT_FIELDS)
    if field is not None:
        return "reporter", field
    for index, measure in enumerate(draft.measures):
        pending = measure.get("_needs_update") or []
        if pending:
            return f"measure:{index}", MEASURE_FIELD_BY_KEY[pending[0]]
    if draft.current is not None:
        return "current", next_field(draft.current, MEASURE_FIELDS)
    return "current", None


async def _store_answer(message: Message, state: FSMContext, session: AsyncSession, value) -> None:
    data = await state.get_data()
    draft = await _load(session, state)
    key, target = data["r_field"], data["r_target"]
    if target == "reporter":
        draft.reporter[key] = value
    elif target.startswith("measure:"):
        measure = draft.measures[int(target.split(":")[1])]
        measure[key] = value
        measure["_needs_update"] = [k for k in measure.get("_needs_update", []) if k != key]
    else:
        if draft.current is None:
            draft.current = {}
        draft.current[key] = value
        if data.get("r_edit"):
            await state.update_data(r_edit=None)
    await report_service.save_draft(session, draft)
    await _ask_next(message, state, session)


async def on_answer_text(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """A typed answer: parse it generously; wrong input gets the reason and the same question."""
    data = await state.get_data()
    field = REPORT_FIELD_BY_KEY.get(data.get("r_field")) or MEASURE_FIELD_BY_KEY.get(data.get("r_field"))
    if field is None:
        await _ask_next(message, state, session)
        return
    draft = await _load(session, state)
    answers = _answers_of(draft, data.get("r_target", ""))
    if field.kind == "file":
        await message.answer(
            "Bitte senden Sie ein Foto oder eine PDF-Datei – oder tippen Sie auf „Überspringen“."
        )
        await session.commit()
        await _ask_next(message, state, session)
        return
    try:
        value = parse_answer(field, message.text or "", answers)
    except ParseError as error:
        await message.answer(f"⚠️ {html.escape(error.message)}")
        await session.commit()
        await _ask_next(message, state, session)
        return
    await _store_answer(message, state, session, value)


def _answers_of(draft, target: str) -> dict:
    """The answers a field is checked against: the person, a carried-over measure or the current one."""
    if target == "reporter":
        return draft.reporter
    if target.startswith("measure:"):
        return draft.measures[int(target.split(":")[1])]
    return draft.current or {}


async def on_file(message: Message, state: FSMContext, session: AsyncSession, bot) -> None:
    """A photo or PDF for the current measure's file field."""
    data = await state.get_data()
    field = MEASURE_FIELD_BY_KEY.get(data.get("r_field"))
    if field is None or field.kind != "file":
        await message.answer("Eine Datei brauche ich an dieser Stelle nicht.")
        await _ask_next(message, state, session)
        return
    if message.document:
        file_id, name, content_type = (
            message.document.file_id,
            message.document.file_name or "Datei",
            message.document.mime_type or "",
        )
        size = message.document.file_size or 0
    else:
        photo = message.photo[-1]
        file_id, name, content_type, size = photo.file_id, "foto.jpg", "image/jpeg", photo.file_size or 0
    if size > MAX_ATTACHMENT_BYTES:
        await message.answer(
            "Die Datei ist zu groß (höchstens 10 MB). Bitte eine kleinere Datei senden – oder „Überspringen“."
        )
        await _ask_next(message, state, session)
        return
    buffer = await bot.download(file_id)
    draft = await _load(session, state)
    index = len(draft.measures)
    try:
        attachment = await report_service.store_attachment(
            session,
            report_id=draft.report_id,
            measure_index=index,
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
    if draft.current:
        lines = [
            f"<b>{html.escape(label)}:</b> {html.escape(value)}"
            for label, value in summary_lines(draft.current)
        ]
        buttons = [
            ("✏️ Bearbeiten", "edit", ""),
            ("➕ Weitere Maßnahme", "new", ""),
            ("🔎 Bericht prüfen", "review", ""),
        ]
        await message.answer(
            "<b>Ihre Maßnahme:</b>\n" + "\n".join(lines)[:MAX_MESSAGE], reply_markup=_keyboard(*buttons)
        )
        return
    buttons = [("➕ Maßnahme hinzufügen", "new", "")]
    if draft.measures:
        buttons.append(("🔎 Bericht prüfen", "review", ""))
    count = len(draft.measures)
    await message.answer(
        f"Ihr Bericht enthält {count} Maßnahme{'n' if count != 1 else ''}. Wie geht es weiter?",
        reply_markup=_keyboard(*buttons),
    )


async def _show_review(message: Message, state: FSMContext, session: AsyncSession) -> None:
    draft = await _load(session, state)
    await session.commit()
    await state.set_state(Reporting.review)
    parts = [f"<b>Bericht {draft.year} – {html.escape(draft.municipality_name)}</b>"]
    parts += [
        f"{html.escape(label)}: {html.escape(value)}"
        for label, value in summary_lines(draft.reporter, REPORT_FIELDS)
    ]
    for index, measure in enumerate(draft.measures, start=1):
        lines = [f"{html.escape(label)}: {html.escape(value)}" for label, value in summary_lines(measure)]
        parts.append(f"\n<b>Maßnahme {index}</b>\n" + "\n".join(lines))
    text = "\n".join(parts)
    while len(text) > MAX_MESSAGE:
        cut = text.rfind("\n", 0, MAX_MESSAGE)
        await message.answer(text[:cut])
        text = text[cut:]
    await message.answer(
        text, reply_markup=_keyboard(("📨 Absenden", "submit", ""), ("➕ Weitere Maßnahme", "new", ""))
    )


async def on_button(
    callback: CallbackQuery,
    callback_data: ReportCb,
    state: FSMContext,
    session: AsyncSession,
    municipalities: MunicipalityDirectory,
    settings,
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
        if data.get("r_report"):
            await _ask_next(message, state, session)
        else:
            await start_report(message, state)
        return
    if action == "muni":
        municipality = municipalities.get(value)
        if municipality is None:
            await start_report(message, state)
            return
        await state.update_data(
            r_ags=municipality.ags,
            r_municipality=municipality.display_name,
            known_ags=municipality.ags,
            known_municipality=municipality.display_name,
        )
        await report_service.remember_contact(
            session, chat_id=message.chat.id, ags=municipality.ags, name=municipality.display_name
        )
        await _ask_year(message, state)
    elif action == "year" and value.isdigit():
        await _open_draft(message, state, session, int(value))
    elif action in ("choice", "skip") and data.get("r_field"):
        field = REPORT_FIELD_BY_KEY.get(data["r_field"]) or MEASURE_FIELD_BY_KEY.get(data["r_field"])
        if field is None:
            await _ask_next(message, state, session)
        elif action == "skip" and field.required:
            await message.answer("Diese Angabe ist nötig.")
            await _ask_next(message, state, session)
        else:
            chosen = SKIPPED if action == "skip" else value
            if action == "choice" and value not in dict(field.choices):
                await _ask_next(message, state, session)
                return
            await _store_answer(message, state, session, chosen)
    elif action == "edit":
        draft = await _load(session, state)
        await session.commit()
        keys = [f.key for f in MEASURE_FIELDS if draft.current and f.key in draft.current]
        buttons = [(MEASURE_FIELD_BY_KEY[k].label, "editfield", k) for k in keys]
        await message.answer("Welche Angabe möchten Sie ändern?", reply_markup=_keyboard(*buttons, columns=2))
    elif action == "editfield" and value in MEASURE_FIELD_BY_KEY:
        await state.update_data(r_edit=value)
        await _ask_next(message, state, session)
    elif action == "new":
        draft = await _load(session, state)
        if draft.current:
            draft.measures.append(draft.current)  # the finished measure is kept before the next one starts
        draft.current = {}
        await report_service.save_draft(session, draft)
        await _ask_next(message, state, session)
    elif action == "review":
        draft = await _load(session, state)
        if draft.current:
            draft.measures.append(draft.current)
            draft.current = None
            await report_service.save_draft(session, draft)
        await _show_review(message, state, session)
    elif action == "submit":
        await _submit(message, state, session, settings, mail_wake)


async def _submit(message: Message, state: FSMContext, session: AsyncSession, settings, mail_wake) -> None:
    draft = await _load(session, state)
    try:
        result = await report_service.submit_report(
            session,
            draft=draft,
            fachstelle_address=settings.inbox_address,
            sender_domain=settings.inbox_address.rsplit("@", 1)[-1],
            now=utcnow(),
        )
    except report_service.ReportInvalid as invalid:
        problems = "\n".join(f"• {html.escape(problem)}" for problem in invalid.messages)
        await message.answer(f"Der Bericht ist noch nicht vollständig:\n{problems}")
        await _show_measure_summary(message, state, draft)
        return
    await state.set_state(None)
    await state.update_data(r_report=None, r_field=None, r_target=None)
    if result.unchanged:
        await message.answer(
            f"Keine Änderungen gegenüber Version {result.version} – es wurde nichts neu abgegeben."
        )
        return
    mail_wake.set()
    amended = " (Änderung: neue Version)" if result.amended else ""
    await message.answer(
        f"✅ Vielen Dank! Ihr Bericht {draft.year} für {html.escape(draft.municipality_name)} ist abgegeben – "
        f"Version {result.version}{amended}. Eine Bestätigung mit dem Bericht als Anhang kommt per E-Mail, "
        "die Fachstelle ist informiert."
    )


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


async def on_other_text(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """Text where a button is expected: repeat the question."""
    await message.answer("Bitte wählen Sie eine der Schaltflächen.")
    current = await state.get_state()
    if current == Reporting.year.state:
        await _ask_year(message, state)
    elif current == Reporting.review.state:
        await _show_review(message, state, session)
    else:
        draft = await _load(session, state)
        await session.commit()
        await _show_measure_summary(message, state, draft)


async def cmd_bericht(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """/bericht: continue the saved draft, or start a report."""
    data = await state.get_data()
    if data.get("r_report") and data.get("r_ags") and data.get("r_year"):
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


def build_router() -> Router:
    """A fresh router with the report conversation (before free-text answering)."""
    router = Router(name=__name__)
    router.callback_query.register(on_no_reminders, MenuCb.filter(F.action == "no_reminders"))
    router.message.register(cmd_bericht, Command("bericht"))
    router.callback_query.register(on_menu_report, MenuCb.filter(F.action == "report"))
    router.message.register(on_municipality_text, Reporting.municipality, F.text)
    router.message.register(on_answer_text, Reporting.answering, F.text)
    router.message.register(on_file, Reporting.answering, F.document | F.photo)
    router.message.register(on_other_text, Reporting.year, F.text)
    router.message.register(on_other_text, Reporting.measure_done, F.text)
    router.message.register(on_other_text, Reporting.review, F.text)
    router.callback_query.register(on_button, ReportCb.filter())
    return router
