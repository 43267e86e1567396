"""Where the IMAP reader stands in a mailbox, stored in the database (UIDVALIDITY and last UID)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from storage.tables import MailCheckpoint


class DatabaseCheckpoint:
    """The reader's checkpoint for one mailbox; survives restarts and is shared by instances."""

    def __init__(self, sessions, mailbox: str):
        self._sessions = sessions
        self._mailbox = mailbox

    async def load(self) -> tuple[int | None, int]:
        """The stored (uidvalidity, last_uid); (None, 0) before the first save."""
        async with self._sessions() as session:
            record = await session.get(MailCheckpoint, self._mailbox)
            return (record.uidvalidity, record.last_uid) if record else (None, 0)

    async def save(self, uidvalidity: int, last_uid: int) -> None:
        """Remember that every UID up to last_uid under uidvalidity is done."""
        async with self._sessions() as session:
            for _attempt in range(2):
                record = await session.get(MailCheckpoint, self._mailbox, populate_existing=True)
                if record is None:
                    record = MailCheckpoint(mailbox=self._mailbox)
                record.uidvalidity, record.last_uid = uidvalidity, last_uid
                session.add(record)
                try:
                    await session.commit()
                    return
                except IntegrityError:
                    await session.rollback()
