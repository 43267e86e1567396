"""aiogram routers, one per conversation, assembled in an explicit order (catch-all last)."""

from __future__ import annotations

from aiogram import Router

from handlers import booking, errors, groups, privacy, questions, reports, start, tickets


def build_router() -> Router:
    """The root router: errors, the group-chat hint, commands and menus, free text and the catch-all last."""
    root = Router(name="klimabot")
    root.include_routers(
        errors.build_router(),
        groups.build_router(),
        start.build_router(),
        privacy.build_router(),
        # an open ticket claims the chat's free text before any wish (booking, report) is recognised
        tickets.build_router(),
        booking.build_router(),
        reports.build_router(),
        questions.build_router(),
    )
    return root
