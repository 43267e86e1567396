"""Check reply_markup the way Telegram does and list the buttons a user sees."""

from __future__ import annotations

import json
import re

from .errors import bad_request
from .spec import ApiSpec

MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64
# Per the spec, every field other than these names the button's action; exactly one is allowed.
_NON_ACTION_FIELDS = {"text", "icon_custom_emoji_id", "style"}
_STYLES = {"danger", "success", "primary"}
_HTTP_URL_RE = re.compile(r"^https?://[^\s/?#@]+(?::\d+)?(?:[/?#]\S*)?$", re.IGNORECASE)
_TG_URL_RE = re.compile(r"^tg://\S+$", re.IGNORECASE)
_BUTTON = "can't parse inline keyboard button: "


def _present(value: object) -> bool:
    # `pay: false` is not an action; an empty switch_inline_query string is one.
    return value is not None and value is not False


def is_valid_button_url(url: str) -> bool:
    """Return True for the http(s):// and tg:// URLs Telegram allows on url buttons."""
    return bool(_HTTP_URL_RE.match(url) or _TG_URL_RE.match(url))


def check_reply_markup(markup: dict | None, spec: ApiSpec, *, inline_only: bool = False) -> dict | None:
    """Validate a parsed reply_markup; edits pass `inline_only` because only inline keyboards can be edited."""
    if markup is None:
        return None
    if "inline_keyboard" in markup:
        _check_inline(markup["inline_keyboard"], spec)
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
    return markup


def _check_inline(rows: list, spec: ApiSpec) -> None:
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    actions = [f.name for f in spec.type_fields("InlineKeyboardButton") if f.name not in _NON_ACTION_FIELDS]
    for row in rows:
        for button in row:
            _check_button(button, actions)


def _check_button(button: dict, action_fields: list[str]) -> None:
    if not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    style = button.get("style")
    if style is not None and style not in _STYLES:
        raise bad_request(_BUTTON + "invalid button style specified")
    used = [name for name in action_fields if _present(button.get(name))]
    if not used:
        raise bad_request(_BUTTON + "Text buttons are unallowed in the inline keyboard")
    if len(used) > 1:
        raise bad_request(_BUTTON + f"exactly one action field must be used, got {', '.join(used)}")
    action, value = used[0], button[used[0]]
    if action == "callback_data" and not 1 <= len(str(value).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    if action == "url" and not is_valid_button_url(str(value)):
        raise bad_request(f"inline keyboard button URL '{value}' is invalid: Wrong HTTP URL")
    if action == "web_app" and not str(value.get("url", "")).lower().startswith("https://"):
        raise bad_request(
            f"inline keyboard button Web App URL '{value.get('url', '')}' is invalid: Only HTTPS links are allowed"
        )


def _check_reply_keyboard(rows: list) -> None:
    for row in rows:
        for button in row:
            label = button if isinstance(button, str) else button.get("text", "")
            if not str(label).strip():
                raise bad_request("BUTTON_TEXT_INVALID")


def inline_buttons(markup: dict | None) -> list[list[tuple[str, str]]]:
    """Return rows of (label, callback_data or url or other action value) of an inline keyboard."""
    if not markup or "inline_keyboard" not in markup:
        return []
    rows = []
    for row in markup["inline_keyboard"]:
        out_row = []
        for button in row:
            # callback_data and url first: they are what tests and the local chat care about.
            keys = ["callback_data", "url", *button]
            action = next((k for k in keys if k not in _NON_ACTION_FIELDS and _present(button.get(k))), None)
            value = button.get(action) if action else None
            if isinstance(value, dict):
                value = value.get("url") or value.get("text") or json.dumps(value, sort_keys=True)
            out_row.append((str(button["text"]), "" if value is None else str(value)))
        rows.append(out_row)
    return rows


def reply_keyboard_labels(markup: dict | None) -> list[list[str]] | None:
    """Return the labels of a reply (custom) keyboard, or None if the markup is not one."""
    if not markup or "keyboard" not in markup:
        return None
    return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in markup["keyboard"]]
