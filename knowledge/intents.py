"""The non-question intents (small talk, wish for a human, a concrete case) and their curated examples."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import yaml

from knowledge.yaml_text import load_yaml

INTENTS_FILE = Path(__file__).parent / "intents.yaml"
LABEL_PREFIX = "intent:"


class MessageIntent(StrEnum):
    """What a message that is not a knowledge question wants."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    IDENTITY = "identity"
    CAPABILITIES = "capabilities"
    ACKNOWLEDGEMENT = "acknowledgement"
    # seasonal and other good wishes ("Frohe Weihnachten!"): recognised by rule, no examples of its own
    WISHES = "wishes"
    HUMAN = "human"
    CASE = "case"
    OFFTOPIC = "offtopic"

    @property
    def label(self) -> str:
        """The model's label for this intent."""
        return LABEL_PREFIX + self.value

    @property
    def is_smalltalk(self) -> bool:
        """True for the intents answered with a short friendly reply."""
        return self not in (MessageIntent.HUMAN, MessageIntent.CASE, MessageIntent.OFFTOPIC)


def intent_of_label(label: str) -> MessageIntent | None:
    """The intent behind a model label, or None for an entry id."""
    if not label.startswith(LABEL_PREFIX):
        return None
    try:
        return MessageIntent(label.removeprefix(LABEL_PREFIX))
    except ValueError:
        return None


def load_intent_examples(path: Path = INTENTS_FILE) -> dict[MessageIntent, list[str]]:
    """Intent -> examples from `intents.yaml`; raises ValueError naming what is wrong."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name}: expected a mapping intent -> examples")
    result: dict[MessageIntent, list[str]] = {}
    for name, body in raw.items():
        try:
            intent = MessageIntent(name)
        except ValueError as exc:
            raise ValueError(f"{path.name}: unknown intent {name!r}") from exc
        examples = (body or {}).get("examples") if isinstance(body, dict) else None
        if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
            raise ValueError(f"{path.name}: {name}.examples must be a list of non-empty strings")
        result[intent] = [e.strip() for e in examples]
    return result
