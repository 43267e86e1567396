"""Handlers of the methods with real behaviour, keyed by lower-case method name."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import MappingProxyType
from typing import Any

from ..context import CallContext
from . import callbacks, chat_info, commands, media, messages, updates

Handler = Callable[[CallContext], Awaitable[Any]]
_log = logging.getLogger(__name__)

HANDLERS: MappingProxyType[str, Handler] = MappingProxyType(
    {
        "getme": chat_info.get_me,
        "getchat": chat_info.get_chat,
        "sendchataction": chat_info.send_chat_action,
        "getfile": chat_info.get_file,
        "getupdates": updates.get_updates,
        "setwebhook": updates.set_webhook,
        "deletewebhook": updates.delete_webhook,
        "getwebhookinfo": updates.get_webhook_info,
        "logout": updates.accept_true,
        "close": updates.accept_true,
        "sendmessage": messages.send_message,
        "editmessagetext": messages.edit_message_text,
        "editmessagecaption": messages.edit_message_caption,
        "editmessagereplymarkup": messages.edit_message_reply_markup,
        "deletemessage": messages.delete_message,
        "senddocument": media.send_document,
        "sendphoto": media.send_photo,
        "answercallbackquery": callbacks.answer_callback_query,
        "setmycommands": commands.set_my_commands,
        "getmycommands": commands.get_my_commands,
        "deletemycommands": commands.delete_my_commands,
        "setchatmenubutton": commands.set_chat_menu_button,
        "getchatmenubutton": commands.get_chat_menu_button,
    }
)


async def accept_unimplemented(ctx: CallContext) -> bool:
    """Answer `true` for a valid call of a method without local behaviour, and say so in the log."""
    if ctx.method.returns not in (("Boolean",), ("True",)):
        _log.warning(
            "%s is not emulated; answering true although Telegram returns %s (clients may fail to parse it)",
            ctx.method.name,
            " or ".join(ctx.method.returns),
        )
    else:
        _log.info("%s is not emulated; answering true", ctx.method.name)
    return True


def handler_for(method_name: str) -> Handler:
    """Return the handler of a method, or the accept-and-log fallback."""
    return HANDLERS.get(method_name.lower(), accept_unimplemented)
