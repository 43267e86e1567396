"""What the report conversation's modules share: its states, its buttons, its typed FSM state, the rendering."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import ClassVar

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.flow_state import FlowState
from handlers.keyboards import MenuCb, step_keyboard
from services import reports as report_service
from services.reports import chat_text


class ReportCb(CallbackData, prefix="r"):
    """A button of the report conversation: action plus a short value (a step, a choice, an index)."""

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
    confirm_delete = State()


@dataclass
class ReportFlow(FlowState):
    """The report a chat works on, as ids: municipality, year, report, the step asked, a measure to delete."""

    KEY: ClassVar[str] = "report_flow"

    ags: str = ""
    year: int = 0
    report_id: int = 0
    step: str = ""
    measure: int | None = None

    @property
    def opened(self) -> dict:
        """The report as keyword arguments of the services; AccessDenied when none is open."""
        if not (self.ags and self.year):  # a button of an old or a crafted message
            raise report_service.AccessDenied(chat_text.NOTHING_OPEN)
        return {"ags": self.ags, "year": self.year}


def keyboard(
    *buttons: tuple[str, str, str], columns: int = 1, cancel: bool = True, contact: bool = False
) -> InlineKeyboardMarkup:
    """Buttons of the report conversation, always with a way out (pause) unless `cancel` is False."""
    # the advisors' ticket path, for everybody who cannot get a code
    extra = [("👤 Fachstelle kontaktieren", MenuCb(action="contact"))] if contact else []
    return step_keyboard(
        ReportCb,
        *buttons,
        rows=[columns] * ((len(buttons) + columns - 1) // columns),
        back=False,
        leave=("⏸ Später weitermachen", "pause") if cancel else None,
        extra=extra,
    )


def step_value(step: str) -> str:
    """A step as callback data: aiogram reserves ':' as the separator of its fields."""
    return step.replace(":", "/")


def value_step(value: str) -> str:
    """The inverse of `step_value`."""
    return value.replace("/", ":")


async def send_all(message: Message, texts: list[str] | tuple[str, ...], markup=None) -> None:
    """Several messages in order (maybe none); the buttons go with the last."""
    for number, text in enumerate(texts, start=1):
        await message.answer(text, reply_markup=markup if number == len(texts) else None)


async def render_step(
    message: Message,
    state: FSMContext,
    flow: ReportFlow,
    result: report_service.StepResult,
    session: AsyncSession,
) -> None:
    """Show a step result: the refusal and the same question with its buttons, the next one, or the summary."""
    if result.error:
        await message.answer(f"⚠️ {html.escape(result.error)}")
    question = result.question
    if result.review:
        view = await report_service.show_review(session, chat_id=message.chat.id, **flow.opened)
        await render_review(message, state, flow, view)
        return
    if question is None:
        flow.step = ""
        await flow.save(state, Reporting.measure_done)
        await send_all(message, result.summary, keyboard(*result.actions))
        return
    flow.step = question.step
    await flow.save(state, Reporting.answering)
    buttons = [(c.label, "choice", c.value) for c in question.choices]
    if question.optional:
        buttons.append(("Überspringen", "skip", ""))
    await message.answer(
        question.prompt, reply_markup=keyboard(*buttons, columns=2 if len(buttons) > 3 else 1)
    )


async def render_review(
    message: Message, state: FSMContext, flow: ReportFlow, view: report_service.ReviewView
) -> None:
    """Show the whole report with submit, add, change and delete."""
    flow.step, flow.measure = "", None
    await flow.save(state, Reporting.review)
    await send_all(message, view.messages, keyboard(*view.actions))
