"""aiogram routers, one per conversation, assembled in an explicit order (catch-all last)."""

from __future__ import annotations

from aiogram import Router

from handlers import booking, errors, groups, handover, privacy, questions, reports, start, tickets


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
        handover.build_router(),
        booking.build_router(),
        reports.build_router(),
        questions.build_router(),
    )
    return run_filters_inline(root)


def run_filters_inline(router: Router) -> Router:
    """Run synchronous filters in the event loop. aiogram hands each one (a `State`, an `F` expression, a
    plain function) to a worker thread — about fifteen thread hops per update, for checks that take
    microseconds and never block."""
    for each in router.chain_tail:
        for observer in each.observers.values():
            for handler in (observer._handler, *observer.handlers):  # router-wide filters, then handlers'
                for check in handler.filters or ():
                    if not check.awaitable:
                        check.callback, check.awaitable = _in_loop(check.callback), True
    return router


def _in_loop(check):
    async def run(*args, **kwargs):
        return check(*args, **kwargs)

    return run
