"""The yearly measure report in a conversation: municipality → code → year → person → measures → check → submit.

The conversation lives in small modules (entry, answers, review) that share `report_ui`; the draft and
every rule live in `services.reports`. This module assembles them under one router.
"""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.types import CallbackQuery

from handlers import report_answers, report_entry, report_review
from handlers.report_entry import cmd_bericht, start_report
from handlers.report_ui import ReportCb, ReportFlow, Reporting, keyboard
from services import reports as report_service

__all__ = ["ReportCb", "Reporting", "build_router", "cmd_bericht", "start_report"]


async def _deny_unbound(handler, event, data):
    """A chat that is not bound to the municipality gets a German message and no report, never an error."""
    try:
        return await handler(event, data)
    except report_service.AccessDenied as denied:
        message = event.message if isinstance(event, CallbackQuery) else event
        await ReportFlow().save(data["state"])
        await data["state"].set_state(None)
        await message.answer(html.escape(denied.message), reply_markup=keyboard(cancel=False, contact=True))


def build_router() -> Router:
    """A fresh router with the report conversation (before free-text answering)."""
    router = Router(name=__name__)
    # inner middlewares of a router also wrap the handlers of the routers included below it
    router.message.middleware(_deny_unbound)
    router.callback_query.middleware(_deny_unbound)
    router.include_routers(
        report_entry.build_router(), report_answers.build_router(), report_review.build_router()
    )
    return router
