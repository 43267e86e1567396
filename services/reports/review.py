"""The report check before submitting: the whole report with a way to change or delete every saved part."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from services.report_fields import MEASURE_FIELDS, REPORT_FIELDS, is_answered
from services.reports import chat_text
from services.reports.access import change_draft
from services.reports.domain import Draft, file_current_measure
from services.reports.drafts import to_draft
from services.reports.steps import load_report

Button = tuple[str, str, str]  # (label, action, value), as the summary buttons of chat_text


@dataclass(frozen=True)
class ReviewView:
    """The report to check: HTML messages and the buttons under the last one."""

    messages: tuple[str, ...]
    actions: tuple[Button, ...]
    report_id: int


@dataclass(frozen=True)
class EditChoices:
    """Which answers of a part of the report can be changed: German prompt and one button per step."""

    prompt: str
    steps: tuple[tuple[str, str], ...]  # (label, step)


def _title(draft: Draft, index: int) -> str:
    title = draft.measures[index].get("title")
    return f"{index + 1}. {title}" if is_answered(title) else f"Maßnahme {index + 1}"


def review_view(draft: Draft) -> ReviewView:
    """The review of `draft`: submit, add, change the person, change or delete each saved measure."""
    actions: list[Button] = [("📨 Absenden", "submit", "")] if draft.measures else []
    actions.append(("➕ Weitere Maßnahme" if draft.measures else "➕ Maßnahme hinzufügen", "new", ""))
    actions.append(("👤 Angaben zur Person ändern", "editperson", ""))
    for index in range(len(draft.measures)):
        actions.append((f"✏️ {_title(draft, index)}", "editmeasure", str(index)))
        actions.append((f"🗑 {_title(draft, index)}", "delete", str(index)))
    return ReviewView(tuple(chat_text.review_messages(draft)), tuple(actions), draft.report_id)


async def review_report(session: AsyncSession, *, ags: str, year: int, chat_id: int) -> ReviewView:
    """File the chat's finished measure (if any) and show the whole report."""
    draft = await change_draft(session, chat_id=chat_id, ags=ags, year=year, change=file_current_measure)
    return review_view(draft)


async def show_review(session: AsyncSession, *, ags: str, year: int, chat_id: int) -> ReviewView:
    """The whole report as it is stored, without changing it."""
    report = await load_report(session, ags=ags, year=year, chat_id=chat_id)
    await session.commit()
    return review_view(to_draft(report, chat_id=chat_id))


def _remove(draft: Draft, *, index: int, title: str, removed: list[bool]) -> None:
    # the title guards against an index that moved because another chat deleted a measure first
    if index < len(draft.measures) and _title(draft, index) == title:
        draft.measures.pop(index)
        removed.append(True)


async def delete_measure(
    session: AsyncSession, *, ags: str, year: int, chat_id: int, index: int, title: str
) -> tuple[bool, ReviewView]:
    """Delete saved measure `index` if it is still the one titled `title`; whether it was, and the new review."""
    removed: list[bool] = []
    draft = await change_draft(
        session,
        chat_id=chat_id,
        ags=ags,
        year=year,
        change=partial(_remove, index=index, title=title, removed=removed),
    )
    return bool(removed), review_view(draft)


async def measure_title(
    session: AsyncSession, *, ags: str, year: int, chat_id: int, index: int
) -> str | None:
    """The shown name of saved measure `index` (to confirm a deletion), None when there is none."""
    report = await load_report(session, ags=ags, year=year, chat_id=chat_id)
    await session.commit()
    draft = to_draft(report, chat_id=chat_id)
    return _title(draft, index) if index < len(draft.measures) else None


async def edit_choices(
    session: AsyncSession, *, ags: str, year: int, chat_id: int, part: str
) -> EditChoices | None:
    """The answers that can be changed in `part`: `person`, `current` or a saved measure's index."""
    report = await load_report(session, ags=ags, year=year, chat_id=chat_id)
    await session.commit()
    draft = to_draft(report, chat_id=chat_id)
    if part == "person":
        steps = tuple((f.label, f"reporter:{f.key}") for f in REPORT_FIELDS)
        return EditChoices("Welche Angabe zur Person möchten Sie ändern?", steps)
    if part == "current":
        answers, target = draft.current or {}, "current"
    elif part.isdigit() and int(part) < len(draft.measures):
        answers, target = draft.measures[int(part)], f"measure:{int(part)}"
    else:
        return None
    steps = tuple(
        (f.label, f"{target}:{f.key}") for f in MEASURE_FIELDS if f.key in answers and f.applies(answers)
    )
    return EditChoices("Welche Angabe möchten Sie ändern?", steps)
