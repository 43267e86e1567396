"""Every conversation keeps its typed state the same way; what one learnt the others offer again."""

from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from handlers.booking_ui import Booking_, BookingFlow
from handlers.flow_state import KnownContact
from handlers.handover import Handover
from handlers.report_ui import ReportFlow


def _context() -> FSMContext:
    return FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=5, user_id=5))


async def test_flows_are_stored_side_by_side_and_forgotten_one_at_a_time():
    state = _context()
    await BookingFlow(topic="foerderung", ags="06534014").save(state, Booking_.format)
    await ReportFlow(ags="06534014", year=2025).save(state)
    await Handover(question="Wer hilft uns beim Förderantrag?").save(state)
    assert await state.get_state() == Booking_.format.state
    assert (await BookingFlow.load(state)).ags == "06534014"
    await BookingFlow.forget(state)
    assert await state.get_state() is None and (await BookingFlow.load(state)) == BookingFlow()
    assert (await ReportFlow.load(state)).year == 2025
    assert (await Handover.load(state)).question.startswith("Wer hilft")


async def test_an_older_or_broken_shape_loads_as_far_as_it_fits():
    state = _context()
    await state.set_data(
        {"booking": {"topic": "klimaanpassung", "b_municipality": "Marburg"}, "handover": "x"}
    )
    assert await BookingFlow.load(state) == BookingFlow(topic="klimaanpassung")
    assert await Handover.load(state) == Handover()


async def test_known_contact_is_remembered_and_read_from_the_keys_before_it():
    state = _context()
    await state.set_data({"known_ags": "06534014", "known_municipality": "Marburg", "known_email": "a@b.de"})
    assert await KnownContact.load(state) == KnownContact(ags="06534014", email="a@b.de")
    await KnownContact.remember(state, name="Erika Muster")
    assert await KnownContact.load(state) == KnownContact("06534014", "Erika Muster", "a@b.de")
