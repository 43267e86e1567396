"""Decide whether an incoming message may get an automatic reply without risking a mail loop."""

from __future__ import annotations

import re

from mail.addresses import local_part
from mail.auto_reply import AUTOMATED_PRECEDENCE
from mail.bounces import MAILER_DAEMON_LOCAL_PARTS
from mail.parsing import IncomingEmail

# Role and robot senders that nobody reads; answering them only produces bounces or loops.
_NOREPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|noresponse|no[-_.]?response|bounces?|mailer)(?:[-_.+].*)?$"
)
OK = "ok"


def may_auto_reply(
    email: IncomingEmail, *, own_addresses: set[str], replies_today: int, daily_limit: int
) -> tuple[bool, str]:
    """(allowed, reason): RFC 3834 §2 rules plus a per-sender daily cap; the reason is a short log token."""
    refusal = _refusal(email, {address.strip().lower() for address in own_addresses})
    if refusal is not None:
        return False, refusal
    if replies_today >= daily_limit:
        return False, "daily-limit"
    return True, OK


def _refusal(email: IncomingEmail, own: set[str]) -> str | None:
    sender = email.from_address
    if not sender:
        return "no-sender"
    # Our own From (an echo of our outgoing mail), or a Reply-To pointing back at us, answers ourselves.
    if sender in own or (email.reply_to and set(email.reply_to) <= own):
        return "own-address"
    name = local_part(sender)
    if name in MAILER_DAEMON_LOCAL_PARTS:
        return "mailer-daemon"
    if _NOREPLY.match(name):
        return "noreply"
    if email.is_bounce:
        return "bounce"
    # RFC 3834 §2: never respond to anything whose Auto-Submitted is other than "no".
    if email.auto_submitted is not None and email.auto_submitted != "no":
        return "auto-submitted"
    if email.precedence in AUTOMATED_PRECEDENCE:
        return "precedence"
    # RFC 2919 List-Id: list traffic; RFC 3834 §2 asks not to answer lists.
    if email.list_id:
        return "list"
    # RFC 3834 §2 / RFC 5321 §4.5.5: a null return path means "do not reply, not even a bounce".
    if email.return_path == "":
        return "null-return-path"
    if email.is_auto_reply:
        return "auto-reply"
    return None
