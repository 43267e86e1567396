"""How every conversation keeps its state in the FSM: one typed dataclass a flow, stored under its own key.

The FSM holds ids and the step, never copies of domain data (a municipality is its AGS, a report its id):
what is shown is looked up when it is shown. `KnownContact` is what one conversation learnt that the next
may offer again (the municipality, the name, the e-mail address).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Self

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State


class FlowState:
    """Base of a flow's typed state (a dataclass); `KEY` is where it is stored in the chat's FSM data."""

    KEY: ClassVar[str]

    @classmethod
    def from_stored(cls, stored: Any) -> Self:
        """The state from stored data; unknown keys (an older shape) are ignored, missing ones default."""
        stored = stored if isinstance(stored, dict) else {}
        return cls(**{f.name: stored[f.name] for f in fields(cls) if f.name in stored})  # type: ignore[arg-type]

    @classmethod
    async def load(cls, state: FSMContext) -> Self:
        """This chat's state of the flow (an empty one when none is stored)."""
        return cls.from_stored((await state.get_data()).get(cls.KEY))

    async def save(self, state: FSMContext, step: State | None = None) -> None:
        """Store the flow beside the other flows' keys, and move to `step` when given."""
        if step is not None:
            await state.set_state(step)
        await state.update_data({self.KEY: asdict(self)})  # type: ignore[call-overload]

    @classmethod
    async def forget(cls, state: FSMContext) -> None:
        """Leave the conversation: no step, and this flow's state dropped (the other flows' stays)."""
        await state.set_state(None)
        data = await state.get_data()
        if cls.KEY in data:
            await state.set_data({key: value for key, value in data.items() if key != cls.KEY})


@dataclass
class KnownContact(FlowState):
    """What the chat told one conversation and the others offer again as a „✅ …“ button."""

    KEY: ClassVar[str] = "known"

    ags: str | None = None
    name: str | None = None
    email: str | None = None

    @classmethod
    async def load(cls, state: FSMContext) -> KnownContact:
        data = await state.get_data()
        if cls.KEY not in data:  # stored before the typed state: known_ags, known_name, known_email
            return cls(data.get("known_ags"), data.get("known_name"), data.get("known_email"))
        return cls.from_stored(data[cls.KEY])

    @classmethod
    async def remember(cls, state: FSMContext, **facts: str | None) -> None:
        """Keep `ags`, `name` and/or `email` for the next conversations."""
        known = await cls.load(state)
        for name, value in facts.items():
            setattr(known, name, value)
        await known.save(state)
