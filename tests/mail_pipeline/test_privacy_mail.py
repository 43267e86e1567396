"""A request about one's own data by e-mail becomes a ticket the advisors can act on, never an answer."""

from sqlmodel import select

from mail.handling import Outcome, handle_email
from services.outgoing import OutgoingMail
from storage.tables import OutboxMail
from tests.mail_pipeline.conftest import make_mail


async def test_a_deletion_request_by_mail_becomes_a_ticket_with_the_command_for_the_advisors(inbox):
    result = await handle_email(
        make_mail(
            subject="Löschung meiner Daten",
            body="Guten Tag,\n\nbitte löschen Sie alle meine personenbezogenen Daten bei Ihnen.\n\nGruß\nA. Beispiel",
        ),
        inbox,
    )
    assert result.outcome is Outcome.PROCESSED and result.ticket_reference
    async with inbox.sessions() as session:
        rows = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
    mails = {row.purpose: OutgoingMail.from_json(row.payload) for row in rows}
    assert set(mails) == {"escalation", "acknowledgement"}
    escalation = mails["escalation"].text
    assert "Datenschutzanfrage: Löschung" in escalation and "klimabot privacy delete --email" in escalation
    assert "nicht nachgewiesen" in escalation
