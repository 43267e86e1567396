"""The municipality step that booking, report and hand-over share: the question, the remembered choice,
the candidates for a typed name. Each flow puts the choices on its own buttons (action „muni“, the AGS)."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext

from handlers.flow_state import KnownContact
from services.municipalities import Municipality, MunicipalityDirectory

NAME_EXAMPLE = "Schreiben Sie den Namen, z. B. <i>Marburg</i> oder <i>Landkreis Gießen</i>."
NOT_FOUND = "Diese Kommune habe ich in Hessen nicht gefunden. Bitte prüfen Sie die Schreibweise."
WHICH_ONE = "Welche Kommune meinen Sie?"
MAX_NAME_CHARS = 200


async def known_municipality(
    state: FSMContext, municipalities: MunicipalityDirectory
) -> list[tuple[str, str, str]]:
    """The button (label, "muni", AGS) for the municipality the chat named before, if any."""
    known = await KnownContact.load(state)
    municipality = municipalities.get(known.ags) if known.ags else None
    return [municipality_button(municipality)] if municipality else []


def typed_municipality(text: str, municipalities: MunicipalityDirectory) -> list[tuple[str, str, str]]:
    """Buttons for the up to three municipalities a typed name may mean (none: `NOT_FOUND`)."""
    matches = municipalities.match((text or "")[:MAX_NAME_CHARS], limit=3)
    return [municipality_button(match.municipality) for match in matches]


def municipality_button(municipality: Municipality) -> tuple[str, str, str]:
    """(label, action, value) of a municipality choice."""
    return (f"✅ {municipality.display_name}", "muni", municipality.ags)


async def remember_municipality(state: FSMContext, municipality: Municipality) -> None:
    """The chosen municipality, offered again by the next conversation."""
    await KnownContact.remember(state, ags=municipality.ags)
