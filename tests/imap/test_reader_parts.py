"""The IMAP reader's plain parts, without a server: settings, verdicts, checkpoint, backoff."""

from __future__ import annotations

import imaplib
import random

import pytest
from imapclient.exceptions import IMAPClientError, LoginError

from mail.imap_reader import (
    HandleResult,
    ImapAuthError,
    ImapConnectionError,
    ImapSettings,
    MemoryCheckpoint,
    Outcome,
    _Backoff,
    _imap_errors,
)


def test_settings_reject_an_unknown_tls_mode():
    with pytest.raises(ValueError, match="tls"):
        ImapSettings(host="imap.example.org", port=993, user="u", password="p", tls="tls")


def test_settings_reject_filing_into_the_mailbox_it_reads():
    with pytest.raises(ValueError, match="differ"):
        ImapSettings(host="imap.example.org", port=993, user="u", password="p", processed_folder="INBOX")


def test_settings_keep_the_password_out_of_repr():
    settings = ImapSettings(host="imap.example.org", port=993, user="u", password="geheim")
    assert "geheim" not in repr(settings)
    assert settings.tls == "ssl"


def test_handle_result_accepts_outcome_values_and_rejects_typos():
    assert HandleResult("quarantine").outcome is Outcome.QUARANTINE
    with pytest.raises(ValueError):
        HandleResult("quarantined")


async def test_memory_checkpoint_starts_empty_and_remembers():
    checkpoint = MemoryCheckpoint()
    assert await checkpoint.load() == (None, 0)
    await checkpoint.save(7, 42)
    assert await checkpoint.load() == (7, 42)


def test_backoff_grows_exponentially_with_jitter_and_stays_capped():
    backoff = _Backoff(cap=30.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(10)]

    ceilings = [min(30.0, 2.0**attempt) for attempt in range(10)]
    assert all(ceiling / 2 <= delay <= ceiling for delay, ceiling in zip(delays, ceilings, strict=True))
    assert max(delays) <= 30.0
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def _login_failure(cause: Exception) -> None:
    """Raise a LoginError the way imapclient does: from inside the handler of the real cause."""
    try:
        raise cause
    except IMAPClientError as exc:
        raise LoginError(str(exc)) from None


def test_a_connection_lost_during_login_is_not_reported_as_an_auth_error():
    with pytest.raises(ImapConnectionError), _imap_errors("log in"):
        _login_failure(imaplib.IMAP4.abort("socket error: EOF"))
    with pytest.raises(ImapAuthError), _imap_errors("log in"):
        _login_failure(IMAPClientError("[AUTHENTICATIONFAILED] Authentication failed."))
