"""Bot command list and menu button methods."""

from __future__ import annotations

import json
import re

from ..context import CallContext
from ..errors import bad_request

MAX_COMMANDS = 100
MAX_DESCRIPTION = 256
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def commands_key(scope: dict | None, language_code: str) -> tuple[str, str]:
    """Return the storage key of a command list: Telegram keeps one per scope and language, no fallback."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _key(ctx: CallContext) -> tuple[str, str]:
    return commands_key(ctx.params.get("scope"), ctx.params.get("language_code", ""))


async def set_my_commands(ctx: CallContext) -> bool:
    """Handle setMyCommands with Telegram's command and description rules."""
    commands = ctx.params["commands"]
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned = []
    for item in commands:
        if not _COMMAND_RE.match(item["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not item["description"].strip() or len(item["description"]) > MAX_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": item["command"], "description": item["description"]})
    if cleaned:
        ctx.state.commands[_key(ctx)] = cleaned
    else:
        ctx.state.commands.pop(_key(ctx), None)
    return True


async def get_my_commands(ctx: CallContext) -> list[dict]:
    """Handle getMyCommands."""
    return list(ctx.state.commands.get(_key(ctx), []))


async def delete_my_commands(ctx: CallContext) -> bool:
    """Handle deleteMyCommands."""
    ctx.state.commands.pop(_key(ctx), None)
    return True


async def set_chat_menu_button(ctx: CallContext) -> bool:
    """Handle setChatMenuButton for one chat or, without chat_id, as the default."""
    button = ctx.params.get("menu_button") or {"type": "default"}
    if button["type"] == "web_app" and not button["web_app"]["url"].lower().startswith("https://"):
        raise bad_request("BUTTON_URL_INVALID")
    if "chat_id" in ctx.params:
        ctx.state.require_chat(ctx.params["chat_id"]).menu_button = button
    else:
        ctx.state.default_menu_button = button
    return True


async def get_chat_menu_button(ctx: CallContext) -> dict:
    """Handle getChatMenuButton; Telegram reports the commands button when nothing was set."""
    if "chat_id" in ctx.params:
        chat = ctx.state.require_chat(ctx.params["chat_id"])
        if chat.menu_button is not None:
            return chat.menu_button
    return ctx.state.default_menu_button or {"type": "commands"}
