"""The shipped Bot API facts and Telegram-like parameter checks."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import local_bot_api
from local_bot_api import SpecNotFoundError
from local_bot_api.errors import ApiError
from local_bot_api.spec import DEFAULT_SPEC_PATH, ApiSpec

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts/extract_bot_api_facts.py"
_spec = importlib.util.spec_from_file_location("extract_bot_api_facts", _SCRIPT)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
extract = _module.extract


@pytest.fixture(scope="module")
def spec() -> ApiSpec:
    return ApiSpec.load()


def test_the_facts_ship_inside_the_package(spec):
    assert DEFAULT_SPEC_PATH.parent.parent == Path(local_bot_api.__file__).parent
    assert spec.version.startswith("Bot API")


def test_the_shipped_facts_are_what_the_script_extracts_from_the_spec():
    source = Path(__file__).resolve().parents[3] / "shared/telegram-bot-api/api.json"
    if not source.exists():
        pytest.skip("the Bot API spec is not beside this checkout")
    extracted = extract(json.loads(source.read_text(encoding="utf-8")))
    assert json.loads(DEFAULT_SPEC_PATH.read_text(encoding="utf-8")) == extracted


def test_missing_spec_gives_a_clear_error(tmp_path):
    with pytest.raises(SpecNotFoundError, match="spec not found at .*nope.json"):
        ApiSpec.load(tmp_path / "nope.json")


def test_broken_spec_gives_a_clear_error(tmp_path):
    broken = tmp_path / "api.json"
    broken.write_text("{not json")
    with pytest.raises(SpecNotFoundError, match="not usable"):
        ApiSpec.load(broken)


def test_methods_resolve_case_insensitively(spec):
    assert spec.resolve("SENDMESSAGE").name == "sendMessage"
    assert spec.resolve("noSuchMethod") is None


def _check(spec, method, **params):
    return spec.check_params(spec.resolve(method), params, {})


def test_coercion_of_form_strings(spec):
    params = _check(
        spec,
        "sendMessage",
        chat_id="42",
        text="hi",
        disable_notification="true",
        reply_markup='{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}',
    )
    assert params["chat_id"] == 42
    assert params["disable_notification"] is True
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("sendMessage", {"text": "x"}, "Bad Request: chat_id is empty"),
        ("sendMessage", {"chat_id": 1}, "Bad Request: message text is empty"),
        ("sendMessage", {"chat_id": 1, "text": ""}, "Bad Request: message text is empty"),
        ("banChatMember", {"chat_id": 1}, "Bad Request: user_id is required"),
        ("sendMessage", {"chat_id": 1, "text": "x", "disable_notification": "vielleicht"}, "Boolean"),
        ("deleteMessage", {"chat_id": 1, "message_id": "abc"}, 'field "message_id" must be of type Integer'),
        (
            "sendMessage",
            {"chat_id": 1, "text": "x", "reply_markup": "{oops"},
            "can't parse reply keyboard markup JSON object",
        ),
        (
            "sendMessage",
            {"chat_id": 1, "text": "x", "reply_markup": {"foo": 1}},
            "can't parse reply keyboard markup JSON object",
        ),
        ("sendMessage", {"chat_id": 1, "text": "x", "entities": "{}"}, "can't parse entities JSON object"),
        ("setChatMenuButton", {"menu_button": {"type": "nope"}}, 'unsupported MenuButton type "nope"'),
        (
            "sendMessage",
            {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"callback_data": "a"}]]}},
            "can't parse inline keyboard button: Can't find field \"text\"",
        ),
        (
            "sendMessage",
            {
                "chat_id": 1,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "web_app": "u"}]]},
            },
            'Field "web_app" must be of type Object',
        ),
    ],
)
def test_rejections(spec, method, params, description):
    with pytest.raises(ApiError) as err:
        _check(spec, method, **params)
    assert err.value.status == 400
    assert description in err.value.description


def test_unknown_parameters_are_ignored(spec):
    assert _check(spec, "getMe", foo="bar") == {}
