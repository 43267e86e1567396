"""Callback data factories and inline keyboards of the answering conversation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from knowledge.model import TOPICS, Entry
from services.answering import Answer, AnswerKind

BUTTON_CHARS = 60


class MenuCb(CallbackData, prefix="m"):
    """A main-menu entry: ask, topics, contact, help, menu."""

    action: str


class TopicCb(CallbackData, prefix="t"):
    """Browse the entries of one topic."""

    topic: str


class EntryCb(CallbackData, prefix="e"):
    """Show the answer of one entry (from suggestions, related questions or topic lists)."""

    entry_id: str


class FeedbackCb(CallbackData, prefix="f"):
    """👍 (+1) or 👎 (-1) on the answer recorded as `question_id`."""

    question_id: int
    vote: int


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_CHARS else text[: BUTTON_CHARS - 1] + "…"


def main_menu(*, booking: bool = False) -> InlineKeyboardMarkup:
    """The main menu; it lists only what works (booking only when advisors have consultation hours)."""
    builder = InlineKeyboardBuilder()
    builder.button(text="❓ Frage stellen", callback_data=MenuCb(action="ask"))
    if booking:
        builder.button(text="📅 Initialberatung buchen", callback_data=MenuCb(action="book"))
    builder.button(text="📝 Maßnahmen melden", callback_data=MenuCb(action="report"))
    builder.button(text="📚 Themen durchstöbern", callback_data=MenuCb(action="topics"))
    builder.button(text="👤 Fachstelle kontaktieren", callback_data=MenuCb(action="contact"))
    builder.button(text="ℹ️ Hilfe", callback_data=MenuCb(action="help"))
    builder.adjust(1)
    return builder.as_markup()


def topics_menu(topics_with_entries: list[str]) -> InlineKeyboardMarkup:
    """One button per topic that has entries."""
    builder = InlineKeyboardBuilder()
    for topic in topics_with_entries:
        builder.button(text=TOPICS[topic], callback_data=TopicCb(topic=topic))
    builder.button(text="⬅️ Hauptmenü", callback_data=MenuCb(action="menu"))
    builder.adjust(2)
    return builder.as_markup()


def entries_menu(entries: list[Entry]) -> InlineKeyboardMarkup:
    """One button per entry, then back to the topics."""
    builder = InlineKeyboardBuilder()
    for entry in entries:
        builder.button(text=_label(entry.title), callback_data=EntryCb(entry_id=entry.id))
    builder.button(text="⬅️ Themen", callback_data=MenuCb(action="topics"))
    builder.adjust(1)
    return builder.as_markup()


def answer_keyboard(
    answer: Answer, question_id: int | None, *, booking: bool = False
) -> InlineKeyboardMarkup | None:
    """Buttons under a reply: related questions, 👍/👎, suggestions, the advisor offer."""
    builder = InlineKeyboardBuilder()
    rows: list[int] = []
    if answer.kind is AnswerKind.ANSWER:
        for entry in answer.related[:3]:
            builder.button(text=f"➡️ {_label(entry.title)}", callback_data=EntryCb(entry_id=entry.id))
            rows.append(1)
        if question_id is not None:
            builder.button(text="👍 Hilfreich", callback_data=FeedbackCb(question_id=question_id, vote=1))
            builder.button(
                text="👎 Nicht hilfreich", callback_data=FeedbackCb(question_id=question_id, vote=-1)
            )
            rows.append(2)
    elif answer.kind is AnswerKind.SUGGEST:
        for entry in answer.suggestions[:3]:
            builder.button(text=_label(entry.title), callback_data=EntryCb(entry_id=entry.id))
            rows.append(1)
    elif answer.kind is AnswerKind.HELP:
        return main_menu(booking=booking)
    if answer.offer_advisor and not (answer.kind is AnswerKind.ESCALATE and answer.reason == "human"):
        builder.button(text="👤 Fachstelle kontaktieren", callback_data=MenuCb(action="contact"))
        rows.append(1)
    if booking and answer.kind is AnswerKind.ANSWER and answer.entry and answer.entry.consult:
        # where rules depend on the case, a consultation fits
        builder.button(text="📅 Initialberatung buchen", callback_data=MenuCb(action="book"))
        rows.append(1)
    if answer.kind is AnswerKind.ESCALATE:
        builder.button(text="📚 Themen durchstöbern", callback_data=MenuCb(action="topics"))
        rows.append(1)
    if not rows:
        return None
    builder.adjust(*rows)
    return builder.as_markup()


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same keyboard minus the 👍/👎 row, once a vote is in."""
    if markup is None:
        return None
    rows = [
        row
        for row in markup.inline_keyboard
        if not any((button.callback_data or "").startswith(FeedbackCb.__prefix__ + ":") for button in row)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


class TicketCb(CallbackData, prefix="k"):
    """Chat ownership of a ticket: `reply` (to the advisors) or `bot` (ask the bot instead)."""

    action: str
    ticket_id: int


class FlowCb(CallbackData, prefix="x"):
    """A step of the hand-over to an advisor: take, new, muni, nomuni, noemail, send, back, cancel."""

    action: str
    value: str = ""


def relayed_reply_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    """Under an advisor's relayed answer: reply to the advisors, or ask the bot something else."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text="↩️ Der Fachstelle antworten", callback_data=TicketCb(action="reply", ticket_id=ticket_id)
    )
    builder.button(text="🤖 Etwas anderes fragen", callback_data=TicketCb(action="bot", ticket_id=ticket_id))
    builder.adjust(1)
    return builder.as_markup()


def forwarded_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    """After a message went to the advisors: switch to asking the bot instead."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text="🤖 Stattdessen den Bot fragen", callback_data=TicketCb(action="bot", ticket_id=ticket_id)
    )
    return builder.as_markup()


def step_keyboard(
    step_data: Callable[..., CallbackData],
    *buttons: tuple[str, str, str],
    rows: Sequence[int] | None = None,
    back: bool = True,
    leave: tuple[str, str] | None = ("✖️ Abbrechen", "cancel"),
    extra: Sequence[tuple[str, CallbackData]] = (),
) -> InlineKeyboardMarkup:
    """The keyboard of a step of any conversation: its buttons (label, action, value) as callback data of
    the flow (`step_data(action=…, value=…)`), `rows` buttons a row (default one), then each `extra` button
    on a row of its own, then „Zurück“ and the way out (`leave`: label and action) side by side."""
    builder = InlineKeyboardBuilder()
    for label, action, value in buttons:
        builder.button(text=_label(label), callback_data=step_data(action=action, value=value))
    for label, data in extra:
        builder.button(text=_label(label), callback_data=data)
    last = []
    if back:
        builder.button(text="⬅️ Zurück", callback_data=step_data(action="back"))
        last.append(1)
    if leave is not None:
        builder.button(text=leave[0], callback_data=step_data(action=leave[1]))
        last.append(1)
    layout = list(rows) if rows is not None else [1] * len(buttons)
    builder.adjust(*layout, *([1] * len(extra)), *([len(last)] if last else []))
    return builder.as_markup()


def flow_keyboard(*buttons: tuple[str, str, str], back: bool = True) -> InlineKeyboardMarkup:
    """Buttons of one hand-over step (label, action, value), plus Zurück and Abbrechen."""
    return step_keyboard(FlowCb, *buttons, back=back)


def report_reminder_keyboard() -> InlineKeyboardMarkup:
    """Under a report reminder: start the report, or stop the reminders."""
    builder = InlineKeyboardBuilder()
    builder.button(text="📝 Bericht starten", callback_data=MenuCb(action="report"))
    builder.button(text="🔕 Nicht mehr erinnern", callback_data=MenuCb(action="no_reminders"))
    builder.adjust(1)
    return builder.as_markup()
