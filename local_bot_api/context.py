"""What a method handler gets for one API call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .spec import ApiSpec, MethodSpec
from .state import BotState


@dataclass(frozen=True)
class CallContext:
    """Checked parameters plus the state and spec a handler may use."""

    method: MethodSpec
    params: dict[str, Any]
    state: BotState
    spec: ApiSpec
