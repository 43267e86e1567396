"""The reporting window: which years a report can be opened for, and nothing else."""

import datetime as dt

import pytest
from sqlmodel import select

from services import reports
from services.reports import YearOutsideWindow, pick_year, reporting_years
from storage.tables import MeasureReport

FEBRUARY_2026 = dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)


def test_the_window_is_last_year_and_this_year_in_berlin():
    assert reporting_years(FEBRUARY_2026) == (2025, 2026)
    new_year_in_berlin = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert reporting_years(new_year_in_berlin) == (2025, 2026)


def test_the_campaign_year_joins_the_window_but_not_a_future_one():
    assert reporting_years(FEBRUARY_2026, campaign_year=2024) == (2024, 2025, 2026)
    assert reporting_years(FEBRUARY_2026, campaign_year=2025) == (2025, 2026)
    assert reporting_years(FEBRUARY_2026, campaign_year=2027) == (2025, 2026)


@pytest.mark.parametrize(
    "value",
    ["2024", "2027", "2100", "1990", "", "abc", "²", "２０２５", "-2025", "20250", "2025.0", " 2025x"],
)
def test_a_year_outside_the_window_or_no_year_at_all_is_refused(value):
    assert pick_year(value, (2025, 2026)) is None


def test_a_year_in_the_window_is_taken():
    assert pick_year("2025", (2025, 2026)) == 2025
    assert pick_year(" 2026 ", (2025, 2026)) == 2026


async def test_no_report_is_opened_outside_the_window(sessions):
    async with sessions() as session:
        await reports.grant_access(session, chat_id=1, ags="06534014", email=None, via="fachstelle")
        with pytest.raises(YearOutsideWindow) as refused:
            await reports.open_draft(
                session, chat_id=1, ags="06534014", municipality_name="Marburg", year=2100, years=(2025, 2026)
            )
        assert (await session.exec(select(MeasureReport))).all() == []
    assert refused.value.message == "Für 2100 kann ich keinen Bericht öffnen. Möglich sind 2025 und 2026."
