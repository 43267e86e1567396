"""The report's step engine on SQLite and PostgreSQL: cheap answers, rules at the step that breaks them."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event

from services import reports
from services.report_fields import SKIPPED, YearMonth
from services.reports import AccessDenied
from storage.tables import MeasureReport

MARBURG = ("06534014", "Marburg")
CHAT, STRANGER = 301, 302
YEARS = (2025, 2026)
REPORTER = {
    "reporter_name": "Maria Muster",
    "reporter_email": "m.muster@marburg.example",
    "reporter_role": "Klimaschutzmanagerin",
}


@pytest.fixture
async def opened(sessions):
    """A bound chat with the 2025 report of Marburg opened."""
    async with sessions() as session:
        await reports.grant_access(session, chat_id=CHAT, ags=MARBURG[0], email=None, via="fachstelle")
        await reports.open_draft(
            session, chat_id=CHAT, ags=MARBURG[0], municipality_name=MARBURG[1], year=2025, years=YEARS
        )
    return sessions


async def _type(sessions, step, text, chat=CHAT):
    async with sessions() as session:
        return await reports.answer_step(
            session, ags=MARBURG[0], year=2025, chat_id=chat, step=step, text=text
        )


async def _press(sessions, step, value):
    async with sessions() as session:
        return await reports.choose_step(
            session, ags=MARBURG[0], year=2025, chat_id=CHAT, step=step, value=value
        )


async def _current(sessions):
    async with sessions() as session:
        return await reports.current_step(session, ags=MARBURG[0], year=2025, chat_id=CHAT)


async def _answer_reporter(sessions):
    for key, text in REPORTER.items():
        result = await _type(sessions, f"reporter:{key}", text)
    return result


async def test_the_last_answer_about_the_person_goes_straight_to_the_first_measure(opened):
    result = await _answer_reporter(opened)
    assert result.error is None and result.question.step == "current:title"


async def _measure_until(sessions, stop: str, *, status="abgeschlossen", funding="hkr"):
    """Answer the chat's measure in field order until the question `stop` is asked; returns that result."""
    typed = {"title": "LED", "start": "03/2025", "end": "11/2025", "cost": "1.000 €", "description": "Kurz."}
    pressed = {"area": "klimaschutz", "action_field": "gebaeude", "status": status, "funding": funding}
    result = await _current(sessions)
    while result.question is not None and result.question.key != stop:
        key = result.question.key
        if key in typed:
            result = await _type(sessions, result.question.step, typed[key])
        elif key in pressed:
            result = await _press(sessions, result.question.step, pressed[key])
        else:
            result = await _press(sessions, result.question.step, SKIPPED)
        assert result.error is None, result.error
    return result


@contextmanager
def counted(sessions):
    """The SQL statements sent while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_typed_answer_costs_at_most_four_statements(opened):
    await _answer_reporter(opened)
    result = await _measure_until(opened, "title")
    with counted(opened) as statements:
        result = await _type(opened, result.question.step, "Sanierung der Grundschule")
    assert result.error is None and result.question.key == "area"
    assert len(statements) <= 4, statements
    with counted(opened) as statements:
        refused = await _type(opened, "current:start", "irgendwann")
    assert refused.error and len(statements) <= 4, statements


async def test_an_answer_writes_only_the_columns_it_changed(opened):
    await _answer_reporter(opened)
    with counted(opened) as statements:
        await _type(opened, "reporter:reporter_role", "Bürgermeisterin")
    update = next(s for s in statements if s.lstrip().upper().startswith("UPDATE"))
    assert "reporter_json" in update and "measures_json" not in update and "current_json" not in update


async def test_an_end_before_the_start_is_refused_at_the_end_with_the_question_again(opened):
    await _answer_reporter(opened)
    result = await _measure_until(opened, "end")
    refused = await _type(opened, result.question.step, "01/2025")
    assert refused.error == "Das Ende darf nicht vor dem Beginn liegen."
    assert refused.question.step == "current:end"
    async with opened() as session:
        draft = await reports.chat_draft(session, chat_id=CHAT, ags=MARBURG[0], year=2025)
    assert "end" not in draft.current


async def test_a_start_edited_past_the_end_is_refused_at_the_start(opened):
    await _answer_reporter(opened)
    await _measure_until(opened, "cost")
    refused = await _type(opened, "current:start", "12/2025")
    assert refused.error == "Das Ende darf nicht vor dem Beginn liegen." and refused.question.key == "start"


async def test_funding_above_the_cost_is_refused_at_the_funding_amount(opened):
    await _answer_reporter(opened)
    result = await _measure_until(opened, "funding_amount")
    refused = await _type(opened, result.question.step, "5.000")
    assert refused.error == "Die Fördersumme darf nicht höher sein als die Gesamtkosten."
    assert refused.question.key == "funding_amount" and refused.question.optional
    accepted = await _type(opened, result.question.step, "800")
    assert accepted.error is None and accepted.question.key == "co2_saving"


async def test_a_start_outside_the_reporting_window_is_refused(opened):
    await _answer_reporter(opened)
    result = await _measure_until(opened, "start")
    refused = await _type(opened, result.question.step, "2030")
    assert refused.error == "Der Beginn darf höchstens im Jahr 2026 liegen."


async def test_a_wrong_answer_repeats_the_question_with_its_choices(opened):
    await _answer_reporter(opened)
    result = await _measure_until(opened, "status")
    refused = await _type(opened, result.question.step, "vielleicht")
    assert refused.error and refused.question.key == "status"
    assert [c.value for c in refused.question.choices] == ["geplant", "in_umsetzung", "abgeschlossen"]


async def test_skipping_is_offered_only_where_the_answer_may_be_left_out(opened):
    await _answer_reporter(opened)
    finished = await _measure_until(opened, "end", status="abgeschlossen")
    assert finished.question.optional is False
    refused = await _press(opened, finished.question.step, SKIPPED)
    assert refused.error and refused.question.key == "end"
    planned = await _press(opened, "current:status", "geplant")
    assert planned.error is None
    asked = await _current(opened)
    assert asked.question.key == "end" and asked.question.optional is True
    title = await _type(opened, "current:title", "x")
    assert title.question is not None and not (await _ask(opened, "current:title")).question.optional


async def _ask(sessions, step):
    async with sessions() as session:
        return await reports.ask_step(session, ags=MARBURG[0], year=2025, chat_id=CHAT, step=step)


async def test_a_saved_measure_can_be_edited_and_deleted_from_the_review(opened):
    await _answer_reporter(opened)
    result = await _measure_until(opened, "never")
    assert result.question is None and any(a[1] == "review" for a in result.actions)
    async with opened() as session:
        view = await reports.review_report(session, ags=MARBURG[0], year=2025, chat_id=CHAT)
    assert ("✏️ 1. LED", "editmeasure", "0") in view.actions and ("🗑 1. LED", "delete", "0") in view.actions
    async with opened() as session:
        choices = await reports.edit_choices(session, ags=MARBURG[0], year=2025, chat_id=CHAT, part="0")
    assert ("Gesamtkosten", "measure:0:cost") in choices.steps
    # an edit of a saved measure is checked with the same rules: funding 0 < cost is fine, start after end not
    refused = await _type(opened, "measure:0:start", "2026")
    assert refused.error == "Das Ende darf nicht vor dem Beginn liegen."
    changed = await _type(opened, "measure:0:cost", "2.000")
    assert changed.error is None and changed.review  # the change is complete: back to the review
    async with opened() as session:
        deleted, view = await reports.delete_measure(
            session, ags=MARBURG[0], year=2025, chat_id=CHAT, index=0, title="1. LED"
        )
    assert deleted and not any(a[1] == "submit" for a in view.actions)
    assert ("➕ Maßnahme hinzufügen", "new", "") in view.actions


async def test_an_edited_saved_measure_is_asked_what_it_now_lacks(opened):
    await _answer_reporter(opened)
    await _measure_until(opened, "never", status="geplant", funding="keine")
    async with opened() as session:
        await reports.review_report(session, ags=MARBURG[0], year=2025, chat_id=CHAT)
    result = await _press(opened, "measure:0:funding", "andere")
    assert result.question.step == "measure:0:funding_other"


async def test_a_measure_broken_before_the_rules_can_still_be_repaired(opened):
    """A measure stored with an end before its start (older versions allowed it) is never a dead end."""
    await _answer_reporter(opened)
    broken = {
        "title": "Alt",
        "area": "klimaschutz",
        "action_field": "gebaeude",
        "status": "abgeschlossen",
        "start": YearMonth(2025, 6),
        "end": YearMonth(2025, 1),
        "cost": Decimal(100),
        "funding": "keine",
        "co2_saving": SKIPPED,
        "description": "Kurz.",
        "link": SKIPPED,
        "attachment": SKIPPED,
    }
    async with opened() as session:
        await reports.change_draft(
            session, chat_id=CHAT, ags=MARBURG[0], year=2025, change=lambda d: d.measures.append(broken)
        )
    assert (await _type(opened, "measure:0:end", "02/2025")).error  # still before the start
    assert (await _type(opened, "measure:0:end", "07/2025")).error is None
    async with opened() as session:
        draft = await reports.chat_draft(session, chat_id=CHAT, ags=MARBURG[0], year=2025)
    assert reports.check_draft(draft) == []


async def test_a_chat_without_access_gets_no_step(opened):
    with pytest.raises(AccessDenied):
        await _type(opened, "reporter:reporter_name", "Fremd", chat=STRANGER)
    async with opened() as session:
        row = await session.get(MeasureReport, 1)
    assert "Fremd" not in row.reporter_json


async def test_a_crafted_step_is_refused(opened):
    with pytest.raises(reports.UnknownStep):
        await _type(opened, "reporter:title", "x")
