"""Who may work on a municipality's reports, and how a chat proves that it belongs to the municipality.

A chat sees, continues, amends and submits a municipality's report only once it is bound to it (a
`ReportAccess` row). It binds by typing a code mailed to an address that already belongs there: one the
Fachstelle has on file, or the reporting person's (latest version or draft). Only where nobody reports yet
and nothing is on file may the first chat start by confirming its own address, which then becomes the
reporter address. Addresses are shown masked; the chat picks one by a key, never by typing it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.email_address import is_valid_address, normalize_address
from services.email_codes import CodeCheck, check_code, send_code
from services.reports.contacts import MunicipalityContacts
from services.reports.domain import Draft, DraftChanged, ReportNotFound, SubmitResult, load_reporter
from services.reports.drafts import MAX_ATTEMPTS, get_or_start_draft, to_draft, update_draft
from services.reports.queries import get_report
from services.reports.submission import submit_report
from services.reports.years import YearOutsideWindow
from storage.tables import MeasureReport, ReportAccess, ReportVersion
from storage.types import utcnow

CODE_PURPOSE = "report"
CODE_REASON = "die Maßnahmenberichte Ihrer Kommune bearbeiten"  # "jemand möchte im klimabot …"
MAX_TARGETS = 4  # buttons to offer; older reporters beyond these are unlikely to read the mail


class Via(StrEnum):
    """How a chat proved that it belongs to the municipality."""

    ON_FILE = "fachstelle-contact"
    REPORTER = "reporter"
    FIRST_REPORTER = "first-reporter"


class AccessDenied(PermissionError):
    """The chat is not bound to the municipality (or asked for an address it was not offered)."""

    def __init__(self, message: str = "") -> None:
        """Keep a German message for the chat."""
        message = message or (
            "Für diesen Bericht sind Sie noch nicht freigeschaltet. Mit /bericht und der Wahl Ihrer Kommune "
            "können Sie sich per E-Mail-Code freischalten."
        )
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CodeTarget:
    """An address a binding code may go to, as the chat sees it: masked, picked by `key`."""

    key: str
    masked: str
    via: str


@dataclass(frozen=True)
class BindingOptions:
    """Where a code can go; `first_reporter` when nobody reports yet and the chat may name its own address."""

    targets: tuple[CodeTarget, ...]
    first_reporter: bool


@dataclass(frozen=True)
class CodeOnItsWay:
    """A binding code was queued for mailing."""

    masked: str
    minutes: int


@dataclass(frozen=True)
class BindingResult:
    """What became of a typed code; `granted` once the chat is bound to `ags`."""

    check: CodeCheck
    ags: str | None = None
    granted: bool = False
    attempts_left: int = 0


def mask_email(address: str) -> str:
    """An address as it may be shown to anyone: first letter and domain, e.g. k***@gemeinde.example."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local[:1]}***@{domain}"


def _key(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:10]


async def may_edit(session: AsyncSession, *, chat_id: int, ags: str) -> bool:
    """True when the chat is bound to the municipality."""
    return await _access(session, chat_id=chat_id, ags=ags) is not None


async def _access(session: AsyncSession, *, chat_id: int, ags: str) -> ReportAccess | None:
    result = await session.exec(
        select(ReportAccess)
        .where(ReportAccess.chat_id == chat_id, ReportAccess.ags == ags)
        .execution_options(populate_existing=True)
    )
    return result.first()


async def _addresses(
    session: AsyncSession, *, ags: str, contacts: MunicipalityContacts
) -> list[tuple[str, Via]]:
    """Addresses that belong to the municipality, each once: on file, then reporters (newest year first)."""
    found: dict[str, Via] = dict.fromkeys(contacts.addresses(ags), Via.ON_FILE)
    rows = await session.exec(
        select(MeasureReport).where(MeasureReport.ags == ags).order_by(col(MeasureReport.year).desc())
    )
    for report in rows.all():
        latest = await session.exec(
            select(ReportVersion.reporter_email).where(
                ReportVersion.report_id == report.id, ReportVersion.version == report.version_count
            )
        )
        for address in (latest.first(), load_reporter(report.reporter_json).get("reporter_email")):
            if isinstance(address, str) and is_valid_address(address.lower()):
                found.setdefault(address.lower(), Via.REPORTER)
    first = await session.exec(
        select(ReportAccess.email).where(ReportAccess.ags == ags, ReportAccess.via == Via.FIRST_REPORTER)
    )
    for address in first.all():
        if address:
            found.setdefault(address, Via.REPORTER)
    return list(found.items())[:MAX_TARGETS]


async def _nobody_reports(session: AsyncSession, *, ags: str, contacts: MunicipalityContacts) -> bool:
    """No address on file, no report of any year, no chat bound: the first chat may start on its own."""
    if contacts.addresses(ags):
        return False
    report = await session.exec(select(MeasureReport.id).where(MeasureReport.ags == ags).limit(1))
    bound = await session.exec(select(ReportAccess.chat_id).where(ReportAccess.ags == ags).limit(1))
    return report.first() is None and bound.first() is None


async def binding_options(
    session: AsyncSession, *, ags: str, contacts: MunicipalityContacts
) -> BindingOptions:
    """Where a code for binding a chat to the municipality can go (masked), and whether it may start first."""
    targets = tuple(
        CodeTarget(_key(address), mask_email(address), via)
        for address, via in await _addresses(session, ags=ags, contacts=contacts)
    )
    first = not targets and await _nobody_reports(session, ags=ags, contacts=contacts)
    return BindingOptions(targets, first)


async def send_binding_code(
    session: AsyncSession,
    *,
    chat_id: int,
    ags: str,
    contacts: MunicipalityContacts,
    domain: str,
    minutes: int,
    target: str | None = None,
    own_email: str | None = None,
) -> CodeOnItsWay:
    """Mail a code to the offered address `target` (its key) or a first reporter's `own_email`; else AccessDenied."""
    if target is not None:
        addresses = await _addresses(session, ags=ags, contacts=contacts)
        address = next((a for a, _via in addresses if _key(a) == target), None)
    elif own_email is not None and await _nobody_reports(session, ags=ags, contacts=contacts):
        address = normalize_address(own_email)
    else:
        address = None
    if address is None:
        raise AccessDenied("Diese Adresse kann ich nicht verwenden. Bitte wählen Sie eine der angebotenen.")
    await send_code(
        session,
        chat_id=chat_id,
        email=address,
        purpose=CODE_PURPOSE,
        reason=CODE_REASON,
        domain=domain,
        ags=ags,
        minutes=minutes,
    )
    return CodeOnItsWay(mask_email(address), minutes)


async def confirm_binding(
    session: AsyncSession, *, chat_id: int, code: str, contacts: MunicipalityContacts
) -> BindingResult:
    """Check a typed code; when it matches and its address still belongs to the municipality, bind the chat."""
    result = await check_code(session, chat_id=chat_id, purpose=CODE_PURPOSE, code=code)
    if result.check is not CodeCheck.CONFIRMED or result.ags is None or result.email is None:
        return BindingResult(result.check, result.ags, attempts_left=result.attempts_left)
    addresses = dict(await _addresses(session, ags=result.ags, contacts=contacts))
    if result.email in addresses:
        via = addresses[result.email]
    elif await _nobody_reports(session, ags=result.ags, contacts=contacts):
        via = Via.FIRST_REPORTER
    else:  # another chat became the first reporter meanwhile
        return BindingResult(result.check, result.ags)
    granted = await grant_access(session, chat_id=chat_id, ags=result.ags, email=result.email, via=via)
    return BindingResult(result.check, result.ags, granted=granted)


async def grant_access(
    session: AsyncSession,
    *,
    chat_id: int,
    ags: str,
    email: str | None,
    via: str,
    now: dt.datetime | None = None,
) -> bool:
    """Bind the chat to the municipality and commit; False when another chat became its first reporter."""
    if await may_edit(session, chat_id=chat_id, ags=ags):
        return True
    session.add(ReportAccess(chat_id=chat_id, ags=ags, email=email, via=via, granted_at=now or utcnow()))
    try:
        await session.commit()
    except IntegrityError:  # the same chat bound at once by another instance, or a faster first reporter
        await session.rollback()
        return await may_edit(session, chat_id=chat_id, ags=ags)
    return True


async def _require(session: AsyncSession, *, chat_id: int, ags: str) -> ReportAccess:
    access = await _access(session, chat_id=chat_id, ags=ags)
    if access is None:
        raise AccessDenied
    return access


async def open_draft(
    session: AsyncSession,
    *,
    chat_id: int,
    ags: str,
    municipality_name: str,
    year: int,
    years: Sequence[int],
) -> Draft:
    """The bound chat's working copy for `year`, created on first use; AccessDenied, YearOutsideWindow."""
    access = await _require(session, chat_id=chat_id, ags=ags)
    if year not in years:
        raise YearOutsideWindow(year, years)
    # the address a first reporter confirmed is the reporter address of the reports it starts
    reporter = {"reporter_email": access.email} if access.via == Via.FIRST_REPORTER and access.email else {}
    return await get_or_start_draft(
        session, ags=ags, municipality_name=municipality_name, year=year, chat_id=chat_id, reporter=reporter
    )


async def chat_draft(session: AsyncSession, *, chat_id: int, ags: str, year: int) -> Draft:
    """The bound chat's working copy of an opened report; AccessDenied for any other chat."""
    await _require(session, chat_id=chat_id, ags=ags)
    report = await get_report(session, ags=ags, year=year)
    if report is None:
        raise ReportNotFound(f"report {ags}/{year}")
    return to_draft(report, chat_id=chat_id)


async def change_draft(
    session: AsyncSession, *, chat_id: int, ags: str, year: int, change: Callable[[Draft], None]
) -> Draft:
    """Apply one change (an answer, a filed measure) of a bound chat; concurrent changes are all kept."""
    draft = await chat_draft(session, chat_id=chat_id, ags=ags, year=year)
    return await update_draft(session, report_id=draft.report_id, chat_id=chat_id, change=change)


async def submit_chat_draft(
    session: AsyncSession,
    *,
    chat_id: int,
    ags: str,
    year: int,
    fachstelle_address: str,
    sender_domain: str,
    now: dt.datetime,
) -> tuple[SubmitResult, Draft]:
    """Submit the freshest working copy as a bound chat; an answer stored meanwhile is submitted with it."""
    for _attempt in range(MAX_ATTEMPTS):
        draft = await chat_draft(session, chat_id=chat_id, ags=ags, year=year)
        try:
            result = await submit_report(
                session,
                draft=draft,
                fachstelle_address=fachstelle_address,
                sender_domain=sender_domain,
                now=now,
                chat_id=chat_id,
                expected_revision=draft.revision,
            )
        except DraftChanged:
            continue
        return result, draft
    raise RuntimeError(f"could not submit report {ags}/{year}: too many concurrent changes")
