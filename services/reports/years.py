"""The reporting window: the years a report can be opened for, defined once for the chat and the checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.working_time import BERLIN
from storage.types import utcnow


class YearOutsideWindow(ValueError):
    """A report was asked for a year outside the reporting window; the German message says which are open."""

    def __init__(self, year: int | str | None, years: Sequence[int]) -> None:
        """Keep the message for the person who asked (a value that is no year is not repeated)."""
        text = str(year if year is not None else "").strip()
        which = text if len(text) == 4 and text.isascii() and text.isdigit() else "dieses Jahr"
        message = f"Für {which} kann ich keinen Bericht öffnen. Möglich sind {_listed(years)}."
        super().__init__(message)
        self.message = message


def _listed(years: Sequence[int]) -> str:
    names = [str(year) for year in years]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " und " + names[-1]


def reporting_years(now: dt.datetime | None = None, *, campaign_year: int | None = None) -> tuple[int, ...]:
    """Last year and this year (Berlin time), plus the campaign's year when one is set; oldest first."""
    # reports are filed early in the following year, so last year is the usual one; this year stays open
    # for municipalities that report as they go; a campaign may ask for an older year, never a future one
    year = (now or utcnow()).astimezone(BERLIN).year
    years = {year - 1, year}
    if campaign_year is not None and campaign_year <= year:
        years.add(campaign_year)
    return tuple(sorted(years))


def pick_year(value: str, years: Sequence[int]) -> int | None:
    """The year a button or message names when it lies in `years`; None for anything else, never an error."""
    text = (value or "").strip()
    # ASCII digits only: str.isdigit() also accepts "²" and "２０２５", which int() then refuses or reads
    if len(text) != 4 or not (text.isascii() and text.isdigit()):
        return None
    year = int(text)
    return year if year in years else None
