"""Injected failures: the next N matching calls answer 429/500, hang, or lose the connection."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

FaultKind = Literal["429", "500", "slow", "drop"]
_KINDS = ("429", "500", "slow", "drop")


@dataclass
class FaultRule:
    """Fail the next `count` calls of `method` (None: any method) in the way `kind` says.

    "429" answers Too Many Requests with `retry_after`, "500" answers Internal Server Error,
    "slow" waits `delay` seconds before handling the call normally, "drop" closes the
    connection without any answer.
    """

    method: str | None = None
    kind: FaultKind = "500"
    count: int = 1
    retry_after: int = 1
    delay: float = 2.0

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {', '.join(_KINDS)}")
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if self.retry_after < 1:
            raise ValueError("retry_after must be at least 1 (Telegram never sends less)")

    def matches(self, method: str) -> bool:
        """Return True if this rule applies to a call of `method` (case-insensitive)."""
        return self.method is None or self.method.lower() == method.lower()


class FaultInjector:
    """Ordered fault rules; each matching call uses up one unit of the first matching rule."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        """Queue a rule; a copy is kept so the caller's object is not mutated."""
        self._rules.append(replace(rule))

    def take(self, method: str) -> FaultRule | None:
        """Return the rule that fires for this call, if any, and count it down."""
        for rule in self._rules:
            if rule.matches(method):
                rule.count -= 1
                if rule.count <= 0:
                    self._rules.remove(rule)
                return rule
        return None

    def clear(self) -> None:
        """Remove all pending rules."""
        self._rules.clear()

    @property
    def pending(self) -> list[FaultRule]:
        """Return copies of the rules that have not fired completely yet."""
        return [replace(rule) for rule in self._rules]
