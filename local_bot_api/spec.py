"""The Bot API facts shipped in data/ (extracted from api.json): method lookup and Telegram-like checks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import bad_request
from .uploads import Upload

# written by scripts/extract_bot_api_facts.py: names, types, required flags, subtype discriminators
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent / "data/bot_api_facts.json"

_ARRAY_PREFIX = "Array of "
_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_MAX_DEPTH = 12
# Telegram still accepts a bare label string wherever a KeyboardButton object is expected.
_STRING_OBJECT_TYPES = {"KeyboardButton"}

# Telegram words a few required-parameter errors differently from the generic pattern.
_MISSING_WORDING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "callback_query_id": "query is too old and response timeout expired or query ID is invalid",
}
# Prefixes Telegram uses when a nested object cannot be parsed.
_OBJECT_CONTEXT = {
    "InlineKeyboardButton": "inline keyboard button",
    "KeyboardButton": "keyboard button",
    "InlineKeyboardMarkup": "inline keyboard",
    "ReplyKeyboardMarkup": "reply keyboard",
}


class SpecNotFoundError(FileNotFoundError):
    """Raised when the facts file is missing or unusable, so the server cannot judge requests."""


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method or field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method with its canonical name and parameters."""

    name: str
    fields: tuple[FieldSpec, ...]
    returns: tuple[str, ...]


def _fields(raw: list[list]) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(name, tuple(types), bool(required)) for name, types, required in raw)


class ApiSpec:
    """The methods and types of the Bot API with lookups and parameter coercion."""

    def __init__(self, facts: dict) -> None:
        self.version: str = facts.get("version", "unknown")
        self._methods = {
            name.lower(): MethodSpec(name, _fields(m.get("fields", [])), tuple(m.get("returns", [])))
            for name, m in facts["methods"].items()
        }
        self._types: dict[str, tuple[FieldSpec, ...]] = {
            name: _fields(t.get("fields", [])) for name, t in facts["types"].items()
        }
        self._subtypes: dict[str, dict[str, str]] = {
            name: dict(t["subtypes"]) for name, t in facts["types"].items() if t.get("subtypes")
        }

    @classmethod
    def load(cls, path: str | Path | None = None) -> ApiSpec:
        """Read the facts file from `path` (default: the one shipped in local_bot_api/data)."""
        spec_path = Path(path) if path is not None else DEFAULT_SPEC_PATH
        if not spec_path.is_file():
            raise SpecNotFoundError(
                f"Telegram Bot API spec not found at {spec_path}; run scripts/extract_bot_api_facts.py "
                "or pass spec_path= to LocalBotApi"
            )
        try:
            data = json.loads(spec_path.read_text(encoding="utf-8"))
            return cls(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise SpecNotFoundError(f"Telegram Bot API spec at {spec_path} is not usable: {exc}") from exc

    def resolve(self, name: str) -> MethodSpec | None:
        """Return the method for a case-insensitive name, or None if Telegram has no such method."""
        return self._methods.get(name.lower())

    def type_fields(self, name: str) -> tuple[FieldSpec, ...]:
        """Return the fields of a type ("InlineKeyboardButton"), empty if unknown."""
        return self._types.get(name, ())

    def check_params(
        self, method: MethodSpec, raw: dict[str, Any], files: dict[str, Upload]
    ) -> dict[str, Any]:
        """Validate and coerce request parameters; unknown parameters are dropped like Telegram does."""
        out: dict[str, Any] = {}
        for field in method.fields:
            value = raw.get(field.name)
            if value is None and field.name in files:
                value = files[field.name]
            # Telegram treats an empty parameter exactly like a missing one.
            if value is None or value == "":
                if field.required:
                    raise bad_request(_MISSING_WORDING.get(field.name, f"{field.name} is required"))
                continue
            out[field.name] = self._coerce_top(field, value, files)
        return out

    def _coerce_top(self, field: FieldSpec, value: Any, files: dict[str, Upload]) -> Any:
        if isinstance(value, Upload) and "InputFile" not in field.types:
            raise bad_request(f'field "{field.name}" must be of type {" or ".join(field.types)}')
        if isinstance(value, str) and value.startswith("attach://") and "InputFile" in field.types:
            key = value[len("attach://") :]
            if key not in files:
                raise bad_request(f'file "{key}" referenced by "{field.name}" was not uploaded')
            return files[key]
        has_objects = any(not _is_primitive(t) for t in field.types)
        # Form posts carry objects and arrays as JSON strings (aiogram does this for reply_markup).
        if has_objects and isinstance(value, str) and "String" not in field.types:
            value = _decode_json(field.name, value)
        try:
            return self._coerce(value, field.types, depth=0)
        except _Mismatch as exc:
            if not has_objects:
                raise bad_request(
                    f'field "{field.name}" must be of type {" or ".join(field.types)}'
                ) from None
            if exc.type_name in _OBJECT_CONTEXT:
                raise bad_request(f"can't parse {_OBJECT_CONTEXT[exc.type_name]}: {exc.detail}") from None
            context = _top_context(field.name)
            raise bad_request(f"{context}: {exc.detail}" if exc.detail else context) from None

    def _coerce(self, value: Any, types: tuple[str, ...], depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise _Mismatch("object is nested too deeply")
        if isinstance(value, dict):
            objects = [t for t in types if not _is_primitive(t) and not t.startswith(_ARRAY_PREFIX)]
            if len(objects) > 1:
                # A union like reply_markup: pick the member whose required fields are present.
                fitting = [t for t in objects if self._has_required(t, value)]
                if not fitting:
                    raise _Mismatch("")
                return self._check_object(fitting[0], value, depth)
        last: _Mismatch | None = None
        for t in types:
            try:
                return self._coerce_one(value, t, depth)
            except _Mismatch as exc:
                last = exc
        raise last or _Mismatch("")

    def _has_required(self, type_name: str, value: dict) -> bool:
        if type_name in self._subtypes:
            return value.get("type") in self._subtypes[type_name]
        return all(f.name in value for f in self._types.get(type_name, ()) if f.required)

    def _coerce_one(self, value: Any, t: str, depth: int) -> Any:
        if t.startswith(_ARRAY_PREFIX):
            if not isinstance(value, list):
                raise _Mismatch(f"expected an Array of {t[len(_ARRAY_PREFIX) :]}")
            inner = (t[len(_ARRAY_PREFIX) :],)
            return [self._coerce(item, inner, depth + 1) for item in value]
        if _is_primitive(t):
            return _coerce_primitive(value, t)
        if t in _STRING_OBJECT_TYPES and isinstance(value, str):
            return value
        if not isinstance(value, dict):
            raise _Mismatch(f"{t} must be an Object")
        return self._check_object(t, value, depth)

    def _check_object(self, type_name: str, value: dict, depth: int) -> dict:
        if type_name in self._subtypes:
            subtypes = self._subtypes[type_name]
            if not subtypes:
                return value  # the spec names no discriminator: accept any object
            kind = value.get("type")
            if kind not in subtypes:
                raise _Mismatch(f'unsupported {type_name} type "{kind}"', type_name)
            type_name = subtypes[kind]
        fields = self._types.get(type_name)
        if fields is None:
            return value
        out = dict(value)
        for field in fields:
            item = value.get(field.name)
            if item is None:
                if field.required:
                    raise _Mismatch(f'Can\'t find field "{field.name}"', type_name)
                continue
            try:
                out[field.name] = self._coerce(item, field.types, depth + 1)
            except _Mismatch as exc:
                if exc.type_name:
                    raise  # keep the innermost object's wording
                detail = f'Field "{field.name}" must be of type {_kind_word(field.types)}'
                raise _Mismatch(detail, type_name) from None
        return out


class _Mismatch(Exception):
    """Internal: a value does not fit a type; remembers the innermost object type for wording."""

    def __init__(self, detail: str, type_name: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.type_name = type_name


def _is_primitive(t: str) -> bool:
    return t in {"Integer", "String", "Boolean", "Float", "True", "InputFile"}


def _kind_word(types: tuple[str, ...]) -> str:
    # Telegram names JSON kinds in nested errors: 'Field "web_app" must be of type Object'.
    words = []
    for t in types:
        word = "Array" if t.startswith(_ARRAY_PREFIX) else t if _is_primitive(t) else "Object"
        word = "Boolean" if word == "True" else word
        if word not in words:
            words.append(word)
    return " or ".join(words)


def _top_context(field_name: str) -> str:
    if field_name == "reply_markup":
        return "can't parse reply keyboard markup JSON object"
    return f"can't parse {field_name} JSON object"


def _decode_json(field_name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise bad_request(_top_context(field_name)) from None


def _coerce_primitive(value: Any, t: str) -> Any:
    if t == "InputFile":
        if isinstance(value, Upload):
            return value
        raise _Mismatch("expected a file upload")
    if t == "Integer":
        if isinstance(value, bool):
            raise _Mismatch("expected Integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value.strip())
        raise _Mismatch("expected Integer")
    if t == "Float":
        if isinstance(value, bool):
            raise _Mismatch("expected Float")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str) and _FLOAT_RE.match(value.strip()):
            return float(value)
        raise _Mismatch("expected Float")
    if t == "String":
        if isinstance(value, str):
            return value
        # Telegram's JSON reader turns numbers into strings for String fields.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise _Mismatch("expected String")
    # Boolean / True
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
        return value.strip().lower() in {"true", "1"}
    raise _Mismatch("expected Boolean")
